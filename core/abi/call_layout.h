/* The layout of a Go function's calls: its arguments and results from DWARF, and where the
 * register ABI puts each at entry and at return. Shared by handler breakpoints and tracing. */
#ifndef GOBP_CALL_LAYOUT_H
#define GOBP_CALL_LAYOUT_H

#include "abi.h"
#include "binary/binary.h"

/* Every array has as many entries as the function has arguments or results. */
typedef struct call_layout {
    const gobp_var **params;                  /* the user's arguments, receiver first (no .dict) */
    int *param_abi;                           /* params[i] lives at arg_abi[param_abi[i]] */
    int nparams;
    const gobp_var **results;
    int nresults;
    abi_value *arg_abi;                       /* every argument, .dict included; NULL when the */
    abi_value *result_abi;                    /*   ABI cannot place them */
    uint64_t *result_off;                     /* results side by side in a buffer, 8-aligned */
    uint64_t results_size;
} call_layout;

void call_layout_init(gobp_binary *bin, const gobp_func *f, call_layout *out);
void call_layout_free(call_layout *l);

#endif
