/* The target's private state, shared by target.c (facade, hits) and target_step.c. */
#ifndef GOBP_TARGET_INTERNAL_H
#define GOBP_TARGET_INTERNAL_H

#include "target.h"
#include "eval/eval.h"
#include "hitmap.h"
#include "proc/insn.h"

typedef struct { pid_t tid; uint64_t g_addr; int64_t goid; } target_thread;

struct gobp_target {
    gobp_binary *bin;
    gobp_process *proc;
    gobp_goruntime *rt;
    gobp_bp_table *bps;
    hitmap *hits;              /* every int3 of the target: its breaklets (hitmap.h) */
    bool launched;
    /* caches valid while stopped */
    gobp_goroutine *gs;
    int ngs;
    bool gs_valid;
    const char **labels;       /* per gs entry, computed in batches on first use */
    target_thread *threads;
    int nthreads;
    /* the last hit, filled by the hit callback: the breakpoints that stop it */
    int *hit_bp_ids;
    int hit_nbp, hit_cap;
    int *stop_bp_ids;          /* those of the last stop reported (gobp_stop.bp_ids) */
    bool hit_is_step;
    bool hit_is_exception;
    /* the last exception stop: the thread that hit it and the goroutine shown for it (they
     * differ when the error was thrown on a system stack) */
    pid_t exc_tid;
    int64_t exc_goid;
    /* handler breakpoints */
    gobp_message_fn message_fn;
    void *message_ctx;
    int handler_timeout_ms;
    struct pending_exit *pending_exits;
    struct gobp_tracer *tracer;
    struct trace_ring *trace_ring;   /* shared with the program once a trace records there: one per
                                        process, kept across traces (trace/trace_fast.c) */
    uint32_t trace_generation;       /* of the last trace started: its records carry it */
    /* the results of the function the last step returned from (target_return.c) */
    struct target_returned {
        int64_t goid;
        pid_t tid;
        uint64_t pc;               /* the return address the step stopped at, or the RET of an
                                      exit breakpoint */
        const gobp_func *func;
        const char **names;
        gobp_value *vals;
        int n;
    } returned;
    /* a function call of an expression (target_call.c): the one running, or abandoned */
    struct target_call *call;
    int call_timeout_ms;
    int call_skipped_stops;        /* breakpoint stops not made while it ran */
    gobp_type **made_types;        /* the results' tuple types */
    int nmade_types;
    /* the program's end, seen while a call ran: what target_poll reports next */
    bool has_kept_stop;
    gobp_stop kept_stop;
};

/* One hit being dispatched (hitmap_dispatch): what the breaklets decided so far, and what
 * they read, read once and only when a breaklet needs it. */
typedef struct target_hit {
    pid_t tid;
    uint64_t addr;
    bool stop;                 /* a breakpoint stops it (its id is in hit_bp_ids) */
    bool step;                 /* a step breakpoint stops it */
    int g_state;               /* the thread's g (target_thread_g): 0 unread, 1 read, -1 failed */
    uint64_t g_addr;
    gobp_goroutine g;
    bool r14_stack_hi_read;    /* stack.hi of the g in R14 (handler exits), read once */
    uint64_t r14_stack_hi;
} target_hit;

/* The goroutine of the hit, 0 when it is read (once per hit). */
int target_hit_g(gobp_target *t, target_hit *h);

/* The one frame key: the distance from the goroutine's stack.hi down to a frame's CFA (the SP
 * before the call pushed its return address: RSP+8 at a function's entry and at its RET, RSP
 * once it has returned). The runtime moves a stack by copying it whole below the new
 * stack.hi (runtime.copystack), so the key of a frame never changes while it lives; larger
 * is deeper. stack_hi is the goroutine's at the time cfa is read (callers that cache it must
 * refresh it when copystack runs). */
static inline uint64_t frame_key(uint64_t stack_hi, uint64_t cfa)
{
    return stack_hi - cfa;
}

/* Breakpoint sites: a site in the process, the address on bp and its breaklet in the hit
 * map (the callback of bp's kind). 0, or -1 with err. */
int target_bp_site_add(gobp_target *t, gobp_breakpoint *bp, uint64_t pc, char *err, size_t errlen);
/* Takes every site of bp out (process and hit map); bp keeps no address. */
void target_bp_sites_remove(gobp_target *t, gobp_breakpoint *bp);

/* The parts, for the core's own modules (front ends go through target.h). */
gobp_binary *target_binary(gobp_target *t);
gobp_process *target_process(gobp_target *t);

void target_invalidate(gobp_target *t);
/* The g a thread runs, from its TLS slot (a g0 or gsignal when it is on a system stack). 0 ok. */
int target_thread_g(gobp_target *t, pid_t tid, uint64_t *g_addr, gobp_goroutine *g);
/* Every function called name (a generic function's instantiations), malloc'd into *out (free
 * it). Returns the count. */
int target_funcs_named(gobp_target *t, const char *name, const gobp_func ***out);
/* Calls fn for each instruction of the program's code in [lo, hi) (the original bytes under
 * our breakpoints; a byte that starts no instruction comes alone as INSN_OP_BAD) until fn
 * returns false. -1 (fn never called) when the code is unreadable or longer than max_len. The
 * one reader and decoder of code for the target (target_lookup.c). */
int target_code_each(gobp_target *t, uint64_t lo, uint64_t hi, size_t max_len,
                     bool (*fn)(void *ctx, const insn_step *in), void *ctx);
/* The thread of goroutine goid, or of OS thread -goid (before the runtime runs); 0 for none. */
pid_t target_goid_thread(gobp_target *t, int64_t goid);
/* Makes the site at addr in func (one of ours, alone there) a jump site whose check emit
 * writes (proc_site_set_check), when no code jumps into the bytes it covers (span of them; 0:
 * up to 24, as decoded) and no goroutine or signal handler would resume inside them
 * (target_fastpath.c). 0 placed; 1 not now (try at a later stop); -1 with why. */
int target_jump_place(gobp_target *t, const gobp_func *func, uint64_t addr, int span, gobp_check_emit_fn emit,
                      void *ctx, char *why, size_t whylen);
/* The RET instructions of f (undecodable bytes skipped), malloc'd into *rets (free it);
 * returns the count (target_lookup.c). Tracing and exit breakpoints stop there. */
int target_func_rets(gobp_target *t, const gobp_func *f, uint64_t **rets);
/* User code: package main, or a package whose path starts with a domain (example.com/x). */
bool target_is_user_function(const char *name);
/* The goroutine an exception stop of thread tid shows (target_exception.c); remembers the
 * thread for target_exception_info. */
int64_t target_exception_goroutine(gobp_target *t, pid_t tid);
/* A line for the front end (plugin logs: "console"; handler problems: "stderr"). */
void target_message(gobp_target *t, const char *category, const char *text);
/* The breaklet callbacks of each kind (hitmap.h); owner is the breakpoint for the last three. */
hit_verdict trace_site_hit(gobp_target *t, target_hit *h, breaklet *b);      /* trace/tracer.c */
hit_verdict handler_exit_hit(gobp_target *t, target_hit *h, breaklet *b);    /* plugin/handler.c */
hit_verdict step_bp_hit(gobp_target *t, target_hit *h, breaklet *b);         /* target_step.c */
hit_verdict handler_bp_hit(gobp_target *t, target_hit *h, breaklet *b);      /* plugin/handler.c */
hit_verdict user_bp_hit(gobp_target *t, target_hit *h, breaklet *b);         /* target_conditions.c */
/* Whether bp's condition (none: true) holds at this hit of tid at addr; a run-time error
 * (nil, out of range) counts as true and is said once, ending with on_error ("stopping"). */
bool target_bp_condition_holds(gobp_target *t, pid_t tid, uint64_t addr, gobp_breakpoint *bp, const char *on_error);
/* Puts bp's condition and hit condition into the program where they compile (a jump site per
 * address, alone there, while the program is stopped; the hits counted in the program's
 * memory); elsewhere the debugger evaluates them, said once in the console
 * (target_fastpath.c). Without either, takes the checks out. */
void target_fast_condition(gobp_target *t, gobp_breakpoint *bp);
/* At a hit the debugger counted (bp->hits), the count the program keeps and bp->hits become
 * the larger of the two: the program counted this hit when its check let it through. */
void target_fast_count_sync(gobp_target *t, gobp_breakpoint *bp);
/* The checks of conditions set while the program ran, and the jump sites of a trace started
 * while it ran (at a stop). */
void target_fast_pending(gobp_target *t);
void target_trace_fast_pending(gobp_target *t);   /* trace/tracer.c */
void target_trace_ring_free(gobp_target *t);      /* trace/trace_fast.c: at the end of the target */
/* Remembers that breakpoint id stops this hit (hit_bp_ids). */
void target_hit_add(gobp_target *t, target_hit *h, int id);
/* Unloads the plugin and frees the handler of bp (before the breakpoint is deleted). */
void handler_free(gobp_target *t, gobp_breakpoint *bp);
void target_step_clear(gobp_target *t);
/* Return values (target_return.c): forgets them (the program runs on), or reads those of f,
 * which thread tid of goroutine goid has just returned from to pc. */
void target_returned_clear(gobp_target *t);
void target_returned_capture(gobp_target *t, pid_t tid, int64_t goid, uint64_t pc, const gobp_func *f, bool at_ret);
void target_dwarf_regs(const struct user_regs_struct *r, uint64_t out[17]);
/* The evaluator's scope for frame fr of goroutine goid (or of thread -goid): its arguments
 * and locals, its package's globals, every global and type of the binary, the process's
 * memory (target_eval.c). sc must outlive the env. */
typedef struct {
    gobp_target *t;
    int64_t goid;
    const gobp_frame *frame;
} target_scope;
eval_env target_eval_env(const target_scope *sc);
/* The result called name when the frame scope sc is where they were captured (the stop after a
 * step out, or an exit breakpoint's RET): 0 with a copy in *out, 1 when it is no result there. */
int target_returned_lookup(gobp_target *t, const target_scope *sc, const char *name, gobp_value *out);
/* The bytes of r as a value of type (type->size bytes into out): a number or bool in range, a
 * string (placed in the debugger's arena of the program through thread tid), nil, a value of
 * the same type, or any value for an interface type (target_assign.c). 0, or -1 with err. */
int target_encode(gobp_target *t, pid_t tid, const gobp_type *type, const eval_result *r, unsigned char *out,
                  char *err, size_t errlen);
/* The itab that makes a value of the concrete type (its name and runtime type address) an
 * iface_type; 0 when the program has none. */
uint64_t target_itab(gobp_target *t, const gobp_type *iface_type, const char *concrete, uint64_t concrete_rtype);
/* The variable called name at pc of func (the innermost when several are), NULL if none. */
const gobp_var *target_scope_var(gobp_binary *bin, const gobp_func *func, uint64_t pc, const char *name);
/* Calls a function for an expression evaluated in scope sc (eval_env.call; target_call.c). */
typedef struct target_call target_call;
int target_call_function(gobp_target *t, const target_scope *sc, const eval_callee *callee, const eval_result *args,
                         int nargs, eval_result *out, char *err, size_t errlen);
/* Whether a call runs now (the program runs for it: stops of other goroutines are not made). */
bool target_call_running(gobp_target *t);
/* Before a detach: runs the program until an abandoned call has returned (its runtime int3s
 * would kill a program without its debugger), at most 30 s; says so when it has not. */
void target_call_settle(gobp_target *t);
/* Frees the call state and the results' types (target_end). */
void target_call_forget(gobp_target *t);
/* Keeps the program's end seen by a call's run for the next target_poll/target_wait. */
void target_keep_stop(gobp_target *t, const gobp_event *ev);
/* The names of func at pc with their types but no values, for checking an expression where a
 * breakpoint is (target_eval.c). sc must outlive the env. */
typedef struct {
    gobp_binary *bin;
    const gobp_func *func;
    uint64_t pc;
} target_static_scope;
eval_env target_static_env(const target_static_scope *sc);

#endif
