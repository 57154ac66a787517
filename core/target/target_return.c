/* Return values: the results of the function a step has just come back from (stepOut, or a
 * next/stepIn past a return) or that an exit breakpoint (F:return) stops on the RET of, read
 * from their ABI places at the hit and kept until the program runs on (target_return_values;
 * conditions and evaluate see them by name). */
#include "abi/abi_transfer.h"
#include "abi/call_layout.h"
#include "alloc.h"
#include "target_internal.h"

#include <stdlib.h>
#include <string.h>

void target_returned_clear(gobp_target *t)
{
    for (int i = 0; i < t->returned.n; i++)
        value_free(&t->returned.vals[i]);
    free(t->returned.vals);
    free(t->returned.names);
    t->returned = (struct target_returned){ 0 };
}

void target_returned_capture(gobp_target *t, pid_t tid, int64_t goid, uint64_t pc, const gobp_func *f, bool at_ret)
{
    target_returned_clear(t);
    if (!f)
        return;
    call_layout l;
    call_layout_init(t->bin, f, &l);
    struct user_regs_struct regs;
    struct user_fpregs_struct fp;
    bool fp_loaded = false;
    if (!l.result_abi || l.nresults == 0 || proc_get_regs(t->proc, tid, &regs) < 0) {
        call_layout_free(&l);
        return;
    }
    t->returned = (struct target_returned){ .goid = goid, .tid = tid, .pc = pc, .func = f, .n = l.nresults };
    t->returned.vals = xcalloc((size_t)l.nresults, sizeof *t->returned.vals);
    t->returned.names = xcalloc((size_t)l.nresults, sizeof *t->returned.names);
    for (int i = 0; i < l.nresults; i++) {
        if (!fp_loaded && abi_uses_float(&l.result_abi[i]))
            fp_loaded = proc_get_fpregs(t->proc, tid, &fp) == 0;
        t->returned.names[i] = l.results[i]->name;   /* the binary's: lives as long as t */
        /* the results' stack slots start at the caller's SP: RSP + 8 at the RET, RSP once returned */
        abi_value_read(&l.result_abi[i], l.results[i]->type, &regs, fp_loaded ? (unsigned char *)fp.xmm_space : NULL,
                       t->proc, regs.rsp + (at_ret ? 8 : 0), &t->returned.vals[i]);
    }
    call_layout_free(&l);
}

int target_return_values(gobp_target *t, int64_t goid, uint64_t pc, const char **func, const char *const **names,
                         const gobp_value **vals)
{
    if (!t->returned.func || t->returned.goid != goid || t->returned.pc != pc)
        return 0;
    *func = t->returned.func->name;
    *names = t->returned.names;
    *vals = t->returned.vals;
    return t->returned.n;
}

int target_returned_lookup(gobp_target *t, const target_scope *sc, const char *name, gobp_value *out)
{
    const struct target_returned *r = &t->returned;
    if (!r->func || !sc->frame || sc->frame->pc != r->pc ||
        (sc->goid != r->goid && sc->goid != -(int64_t)r->tid))
        return 1;
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->names[i], name) == 0) {
            *out = value_copy(&r->vals[i]);
            return 0;
        }
    return 1;
}
