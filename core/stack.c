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

/* name is base, or base with the assembler ABI suffix (runtime.asyncPreempt.abi0). */
static bool is_named(const char *name, const char *base)
{
    size_t n = strlen(base);
    return strncmp(name, base, n) == 0 && (name[n] == 0 || strcmp(name + n, ".abi0") == 0);
}

/* Functions the runtime calls by rewriting a thread's registers in a signal handler (a fault,
 * an async preemption, a debugger call): the return address they leave is the interrupted
 * instruction itself, not an instruction after a CALL. The runtime's own unwinder keeps the
 * same list (funcID sigpanic, asyncPreempt, debugCallV2). */
static bool is_injected_call(const gobp_func *f)
{
    static const char *const names[] = { "runtime.sigpanic", "runtime.sigpanic0", "runtime.asyncPreempt",
                                         "runtime.debugCallV1", "runtime.debugCallV2" };
    if (!f)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (is_named(f->name, names[i]))
            return true;
    return false;
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

/* The pc a frame is looked up at. A return address is looked up one byte back, inside its
 * CALL (the call's line; a call ending a function would otherwise name the next one), unless
 * the pc is the interrupted instruction itself: frame 0 of a stopped thread, the caller of an
 * injected call. A parked goroutine's saved pc is a return address too (mcall, entersyscall),
 * except at a function's entry (a goroutine that has not run yet starts there). */
static uint64_t lookup_pc(gobp_binary *bin, uint64_t pc, bool exact, bool saved_entry_possible)
{
    if (exact)
        return pc;
    if (saved_entry_possible) {
        const gobp_func *f = binary_func_symbol_by_pc(bin, pc);
        if (f && pc == f->lowpc)
            return pc;
    }
    return pc - 1;
}

static int unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp, bool saved_pc,
                  gobp_frame *frames, int max, int *total, bool lines)
{
    int n = 0;
    bool exact = !saved_pc;
    for (int depth = 0; depth < 4096 && pc; depth++) {
        uint64_t lookup = lookup_pc(bin, pc, exact, depth == 0);
        /* frames with source positions resolve their function; names alone need no DWARF */
        const gobp_func *f = lines ? binary_func_by_pc(bin, lookup) : binary_func_symbol_by_pc(bin, lookup);
        int64_t off = 0;
        bool have_cfa = cfa_offset_cached(bin, lookup, &off) == 0;
        if (n < max) {
            gobp_frame *fr = &frames[n];
            memset(fr, 0, sizeof *fr);
            fr->pc = pc;
            fr->lookup_pc = lookup;
            fr->sp = sp;
            fr->cfa = have_cfa ? sp + (uint64_t)off : 0;
            fr->func = f;
            fr->has_regs = depth == 0 && !saved_pc;
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
        exact = is_injected_call(f);
        pc = ret;
        sp = cfa;
    }
    if (total)
        *total = n;
    return n < max ? n : max;
}

int stack_unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp, bool saved_pc,
                 gobp_frame *frames, int max, int *total)
{
    return unwind(bin, read, ctx, pc, sp, saved_pc, frames, max, total, true);
}

int stack_unwind_functions(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                           bool saved_pc, gobp_frame *frames, int max)
{
    return unwind(bin, read, ctx, pc, sp, saved_pc, frames, max, NULL, false);
}
