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

/* CFA offsets repeat across goroutines (thousands parked in the same gopark): a small
 * direct-mapped cache in front of .debug_frame evaluation. */
static int cfa_offset_cached(gobp_binary *bin, uint64_t pc, int64_t *off)
{
    static struct { const gobp_binary *bin; uint64_t pc; int64_t off; int rc; } cache[4096];
    unsigned slot = (unsigned)((pc * 0x9E3779B97F4A7C15ull) >> 52);
    if (cache[slot].bin != bin || cache[slot].pc != pc) {
        cache[slot].rc = binary_cfa_offset(bin, pc, &cache[slot].off);
        cache[slot].bin = bin;
        cache[slot].pc = pc;
    }
    *off = cache[slot].off;
    return cache[slot].rc;
}

static int unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                  gobp_frame *frames, int max, int *total, bool lines)
{
    int n = 0;
    for (int depth = 0; depth < 4096 && pc; depth++) {
        uint64_t lookup = depth == 0 ? pc : pc - 1;
        const gobp_func *f = binary_func_by_pc(bin, lookup);
        int64_t off = 0;
        bool have_cfa = cfa_offset_cached(bin, lookup, &off) == 0;
        if (n < max) {
            gobp_frame *fr = &frames[n];
            memset(fr, 0, sizeof *fr);
            fr->pc = pc;
            fr->sp = sp;
            fr->cfa = have_cfa ? sp + (uint64_t)off : 0;
            fr->func = f;
            fr->has_regs = depth == 0;
            if (lines && binary_pc_to_line(bin, lookup, &fr->file, &fr->line) < 0) {
                fr->file = NULL;
                fr->line = 0;
            }
        }
        n++;
        if (!f || !have_cfa || is_stack_bottom(f) || (n >= max && !total))
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

int stack_unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                 gobp_frame *frames, int max, int *total)
{
    return unwind(bin, read, ctx, pc, sp, frames, max, total, true);
}

int stack_unwind_functions(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                           gobp_frame *frames, int max)
{
    return unwind(bin, read, ctx, pc, sp, frames, max, NULL, false);
}
