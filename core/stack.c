/* Unwinds Go stacks with .debug_frame CFA rules: CFA = rsp + offset(pc), the return address
 * sits at CFA-8 and the caller's rsp is CFA. Go stacks need nothing more (no callee-saved
 * registers across calls in ABIInternal). */
#include "stack.h"

#include <string.h>

static bool is_stack_bottom(const gobp_func *f)
{
    return f && (strcmp(f->name, "runtime.goexit") == 0 || strcmp(f->name, "runtime.mstart") == 0 ||
                 strcmp(f->name, "runtime.rt0_go") == 0 || strcmp(f->name, "runtime.mstart0") == 0);
}

int stack_unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                 gobp_frame *frames, int max, int *total)
{
    int n = 0;
    for (int depth = 0; depth < 4096 && pc; depth++) {
        uint64_t lookup = depth == 0 ? pc : pc - 1;
        const gobp_func *f = binary_func_by_pc(bin, lookup);
        int64_t off = 0;
        bool have_cfa = binary_cfa_offset(bin, lookup, &off) == 0;
        if (n < max) {
            gobp_frame *fr = &frames[n];
            memset(fr, 0, sizeof *fr);
            fr->pc = pc;
            fr->sp = sp;
            fr->cfa = have_cfa ? sp + (uint64_t)off : 0;
            fr->func = f;
            fr->has_regs = depth == 0;
            if (binary_pc_to_line(bin, lookup, &fr->file, &fr->line) < 0) {
                fr->file = NULL;
                fr->line = 0;
            }
        }
        n++;
        if (!f || !have_cfa || is_stack_bottom(f))
            break;
        uint64_t cfa = sp + (uint64_t)off, ret = 0;
        if (read(ctx, cfa - 8, &ret, sizeof ret) < 0)
            break;
        pc = ret;
        sp = cfa;
    }
    if (total)
        *total = n;
    return n < max ? n : max;
}
