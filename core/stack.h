/* Call stacks: CFA unwinding through .debug_frame from a thread's registers or a parked
 * goroutine's saved pc/sp, giving each frame's function, source position and CFA. */
#ifndef GOBP_STACK_H
#define GOBP_STACK_H

#include "binary.h"

typedef struct gobp_frame {
    uint64_t pc;             /* for frames > 0 the return address */
    uint64_t lookup_pc;      /* where function, line, CFA and variables are looked up: pc for
                              * an interrupted instruction, pc - 1 (inside the CALL) for a
                              * return address */
    uint64_t sp;             /* rsp in this frame */
    uint64_t cfa;            /* canonical frame address = DWARF frame base of Go functions */
    const gobp_func *func;   /* NULL if pc is in no known function */
    const char *file;
    int line;
    bool has_regs;           /* frame 0 of a thread: every register is known */
} gobp_frame;

/* Unwinds from (pc, sp) until runtime.goexit / runtime.mstart / an unknown pc, at most max
 * frames. saved_pc: pc is where a parked goroutine resumes (g.sched.pc, g.syscallpc: a return
 * address, or a function's entry), not a stopped thread's rip. A return address is looked up
 * at pc-1 (the call instruction's line); the interrupted instruction itself (frame 0 of a
 * thread, the caller of runtime.sigpanic / asyncPreempt / debugCallV2) at pc.
 * Returns the number of frames written; *total gets the full depth (walks on up to 4096). */
int stack_unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp, bool saved_pc,
                 gobp_frame *frames, int max, int *total);
/* The same without source positions (file NULL, line 0): for goroutine labels, which only
 * need function names (frames' functions come from binary_func_symbol_by_pc). */
int stack_unwind_functions(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                           bool saved_pc, gobp_frame *frames, int max);

#endif
