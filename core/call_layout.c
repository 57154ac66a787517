/* Builds a function's call layout once: parameters and results in DWARF order (the generic
 * dictionary .dict takes a register but is not shown), their ABI places, and the offsets of
 * the results in a side-by-side buffer. */
#include "call_layout.h"

#include <stdlib.h>
#include <string.h>

void call_layout_init(gobp_binary *bin, const gobp_func *f, call_layout *out)
{
    memset(out, 0, sizeof *out);
    const gobp_var *vars;
    int n = binary_func_vars(bin, f, f->entry_pc, &vars);
    gobp_type *arg_types[CALL_MAX_VALUES], *res_types[CALL_MAX_VALUES];
    int nargs = 0;
    for (int i = 0; i < n; i++) {
        if (vars[i].is_result && out->nresults < CALL_MAX_VALUES) {
            res_types[out->nresults] = vars[i].type;
            out->results[out->nresults++] = &vars[i];
        } else if (vars[i].is_param && nargs < CALL_MAX_VALUES) {
            if (vars[i].name[0] != '.') {
                out->param_abi[out->nparams] = nargs;
                out->params[out->nparams++] = &vars[i];
            }
            arg_types[nargs++] = vars[i].type;
        }
    }
    out->arg_abi = calloc((size_t)nargs + 1, sizeof *out->arg_abi);
    out->result_abi = calloc((size_t)out->nresults + 1, sizeof *out->result_abi);
    if (abi_assign(arg_types, nargs, res_types, out->nresults, out->arg_abi, out->result_abi) < 0) {
        call_layout_free(out);
        return;
    }
    for (int i = 0; i < out->nresults; i++) {
        out->result_off[i] = out->results_size;
        out->results_size += (res_types[i]->size + 7) & ~7ULL;
    }
}

void call_layout_free(call_layout *l)
{
    free(l->arg_abi);
    free(l->result_abi);
    l->arg_abi = l->result_abi = NULL;
}
