/* Call stacks: CFA unwinding from a thread's registers or a parked goroutine's saved pc/sp,
 * giving each frame's function, source position and CFA; C frames of cgo programs included. */
#ifndef GOBP_STACK_H
#define GOBP_STACK_H

#include "binary.h"
#include "mem.h"

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
    bool system_stack;       /* on the thread's system stack: C code (and the runtime's cgo glue)
                                between a Go callback and the Go code that called C */
} gobp_frame;

/* What the walk needs to show the C frames of a cgo program (see stack.c). */
typedef struct gobp_stack_links {
    uint64_t g0_sched_sp;    /* m.g0.sched.sp of the goroutine's thread; 0: the C frames under a
                                Go callback from C are skipped */
    bool start_in_c;         /* (pc, sp) are the registers of a thread running C for the goroutine:
                                after the C frames the walk goes on at go_pc/go_sp */
    uint64_t go_pc, go_sp;   /* where the goroutine entered C (its saved g.sched) */
} gobp_stack_links;

/* The deepest a walk goes (a bound against corrupt, cyclic stacks). */
#define STACK_MAX_DEPTH 4096

/* Unwinds from (pc, sp) until runtime.goexit / runtime.mstart / an unknown pc, at most max
 * frames. saved_pc: pc is where a parked goroutine resumes (g.sched.pc, g.syscallpc: a return
 * address, or a function's entry), not a stopped thread's rip. A return address is looked up
 * at pc-1 (the call instruction's line); the interrupted instruction itself (frame 0 of a
 * thread, the caller of runtime.sigpanic / asyncPreempt / debugCallV2) at pc. links (may be
 * NULL) lets it show C frames (see stack.c). Returns the number of frames written; *total
 * gets the full depth (walks on up to STACK_MAX_DEPTH). */
int stack_unwind(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp, bool saved_pc,
                 const gobp_stack_links *links, gobp_frame *frames, int max, int *total);
/* The same without source positions (file NULL, line 0) nor C frames: for goroutine labels,
 * which only need function names (frames' functions come from binary_func_symbol_by_pc). */
int stack_unwind_functions(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t pc, uint64_t sp,
                           bool saved_pc, gobp_frame *frames, int max);

#endif
