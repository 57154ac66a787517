/* Unwinds Go stacks with CFA rules (.debug_frame, and .eh_frame for C code): CFA = rsp +
 * offset(pc), the return address sits at CFA-8 and the caller's rsp is CFA. Under a Go callback
 * from C the walk crosses to the thread's system stack for the C frames, then comes back. */
#include "stack.h"

#include <string.h>

/* name is the Go name, or its assembly symbol ("runtime.goexit.abi0"). */
static bool func_is(const gobp_func *f, const char *name)
{
    if (!f)
        return false;
    size_t n = strlen(name);
    return strncmp(f->name, name, n) == 0 && (f->name[n] == 0 || strcmp(f->name + n, ".abi0") == 0);
}

static bool is_stack_bottom(const gobp_func *f)
{
    return func_is(f, "runtime.goexit") || func_is(f, "runtime.mstart") || func_is(f, "runtime.rt0_go") ||
           func_is(f, "runtime.mstart0");
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

/* Functions the runtime calls by rewriting a thread's registers in a signal handler (a fault,
 * an async preemption, a debugger call): the return address they leave is the interrupted
 * instruction itself, not an instruction after a CALL. The runtime's own unwinder keeps the
 * same list (funcID sigpanic, asyncPreempt, debugCallV2). */
static bool is_injected_call(const gobp_func *f)
{
    static const char *const names[] = { "runtime.sigpanic", "runtime.sigpanic0", "runtime.asyncPreempt",
                                         "runtime.debugCallV1", "runtime.debugCallV2" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (func_is(f, names[i]))
            return true;
    return false;
}

/* The pc a frame is looked up at. A return address is looked up one byte back, inside its
 * CALL (the call's line; a call ending a function would otherwise name the next one), unless
 * the pc is the interrupted instruction itself: frame 0 of a stopped thread, the caller of an
 * injected call. A function's first byte is never a return address: a goroutine that has not
 * run yet starts there, and the runtime places such pcs itself (systemstack_switch on 1.19). */
static uint64_t lookup_pc(gobp_binary *bin, uint64_t pc, bool exact)
{
    if (exact)
        return pc;
    const gobp_func *f = binary_func_symbol_by_pc(bin, pc);
    if (f && pc == f->lowpc)
        return pc;
    return pc - 1;
}

/*
 * cgo: C code runs on the thread's system stack (g0). When C calls an exported Go function,
 * runtime.cgocallback switches to the goroutine's stack and pushes there, as its return
 * address, the pc where the goroutine entered C (in runtime.cgocall; goexit for a thread C
 * created), so a plain walk skips the C frames. With links, the walk leaves for the system
 * stack at cgocallback (g0.sched.sp is that frame's rsp there; the frame's first word keeps
 * the previous g0.sched.sp, for nested callbacks), shows the C frames up to runtime.asmcgocall
 * (or the first frame it cannot unwind, e.g. in libc), then resumes at the pushed pc.
 * A goroutine in a C call (start_in_c) is walked the same way from its thread's registers.
 */
static int unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp, bool saved_pc,
                  const gobp_stack_links *links, gobp_frame *frames, int max, int *total, bool lines)
{
    int n = 0;
    bool exact = !saved_pc;
    uint64_t g0_sp = links ? links->g0_sched_sp : 0;
    bool on_system = links && links->start_in_c;
    uint64_t resume_pc = on_system ? links->go_pc : 0, resume_sp = on_system ? links->go_sp : 0;
    for (int depth = 0; depth < STACK_MAX_DEPTH && pc; depth++) {
        uint64_t lookup = lookup_pc(bin, pc, exact);
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
            fr->system_stack = on_system;
            if (lines && binary_pc_to_line(bin, lookup, &fr->file, &fr->line) < 0) {
                fr->file = NULL;
                fr->line = 0;
            }
        }
        n++;
        if (n >= max && !total)
            break;
        uint64_t cfa = sp + (uint64_t)off, ret = 0;
        bool segment_end = !f || !have_cfa || is_stack_bottom(f) || (on_system && func_is(f, "runtime.asmcgocall"));
        if (!segment_end && depth > 0 && !on_system && g0_sp && func_is(f, "runtime.cgocallback")) {
            uint64_t older = 0;
            if (read(ctx, cfa - 8, &resume_pc, sizeof resume_pc) < 0 || read(ctx, g0_sp, &older, sizeof older) < 0 ||
                read(ctx, g0_sp + (uint64_t)off - 8, &ret, sizeof ret) < 0)
                break;
            resume_sp = cfa;
            pc = ret;
            sp = g0_sp + (uint64_t)off;
            g0_sp = older;
            on_system = true;
            exact = false;
            continue;
        }
        if (!segment_end && read(ctx, cfa - 8, &ret, sizeof ret) == 0 && ret) {
            exact = is_injected_call(f);
            pc = ret;
            sp = cfa;
            continue;
        }
        if (!on_system || !resume_pc)
            break;
        /* back on the goroutine's stack, where it entered C (a thread C created has no Go caller) */
        if (func_is(binary_func_symbol_by_pc(bin, resume_pc), "runtime.goexit"))
            break;
        pc = resume_pc;
        sp = resume_sp;
        resume_pc = 0;
        on_system = false;
        exact = false;
    }
    if (total)
        *total = n;
    return n < max ? n : max;
}

int stack_unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp, bool saved_pc,
                 const gobp_stack_links *links, gobp_frame *frames, int max, int *total)
{
    return unwind(bin, read, ctx, pc, sp, saved_pc, links, frames, max, total, true);
}

int stack_unwind_functions(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                           bool saved_pc, gobp_frame *frames, int max)
{
    return unwind(bin, read, ctx, pc, sp, saved_pc, NULL, frames, max, NULL, false);
}
