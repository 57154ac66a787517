/* Builds a function's call layout once: parameters and results in DWARF order (the generic
 * dictionary .dict takes a register but is not shown), their ABI places, and the offsets of
 * the results in a side-by-side buffer. */
#include "call_layout.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

void call_layout_init(gobp_binary *bin, const gobp_func *f, call_layout *out)
{
    memset(out, 0, sizeof *out);
    const gobp_var *vars;
    int n = binary_func_vars(bin, f, f->entry_pc, &vars);
    size_t room = (size_t)n + 1;
    gobp_type **arg_types = xcalloc(room, sizeof *arg_types), **res_types = xcalloc(room, sizeof *res_types);
    out->params = xcalloc(room, sizeof *out->params);
    out->param_abi = xcalloc(room, sizeof *out->param_abi);
    out->results = xcalloc(room, sizeof *out->results);
    out->result_off = xcalloc(room, sizeof *out->result_off);
    int nargs = 0;
    for (int i = 0; i < n; i++) {
        if (vars[i].is_result) {
            res_types[out->nresults] = vars[i].type;
            out->results[out->nresults++] = &vars[i];
        } else if (vars[i].is_param) {
            if (vars[i].name[0] != '.') {
                out->param_abi[out->nparams] = nargs;
                out->params[out->nparams++] = &vars[i];
            }
            arg_types[nargs++] = vars[i].type;
        }
    }
    out->arg_abi = xcalloc((size_t)nargs + 1, sizeof *out->arg_abi);
    out->result_abi = xcalloc((size_t)out->nresults + 1, sizeof *out->result_abi);
    if (abi_assign(arg_types, nargs, res_types, out->nresults, out->arg_abi, out->result_abi) < 0) {
        free(out->arg_abi);
        free(out->result_abi);
        out->arg_abi = out->result_abi = NULL;
    } else {
        for (int i = 0; i < out->nresults; i++) {
            out->result_off[i] = out->results_size;
            out->results_size += (res_types[i]->size + 7) & ~7ULL;
        }
    }
    free(arg_types);
    free(res_types);
}

void call_layout_free(call_layout *l)
{
    free(l->params);
    free(l->param_abi);
    free(l->results);
    free(l->result_off);
    free(l->arg_abi);
    free(l->result_abi);
    memset(l, 0, sizeof *l);
}
