/* The target's private state, shared by target.c (facade, hits) and target_step.c. */
#ifndef GOBP_TARGET_INTERNAL_H
#define GOBP_TARGET_INTERNAL_H

#include "target.h"
#include "eval/eval.h"

typedef struct { pid_t tid; uint64_t g_addr; int64_t goid; } target_thread;

struct gobp_target {
    gobp_binary *bin;
    gobp_process *proc;
    gobp_goruntime *rt;
    gobp_bp_table *bps;
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
};

/* The parts, for the core's own modules (front ends go through target.h). */
gobp_binary *target_binary(gobp_target *t);
gobp_process *target_process(gobp_target *t);

void target_invalidate(gobp_target *t);
/* The g a thread runs, from its TLS slot (a g0 or gsignal when it is on a system stack). 0 ok. */
int target_thread_g(gobp_target *t, pid_t tid, uint64_t *g_addr, gobp_goroutine *g);
/* Every function called name (a generic function's instantiations), malloc'd into *out (free
 * it). Returns the count. */
int target_funcs_named(gobp_target *t, const char *name, const gobp_func ***out);
/* User code: package main, or a package whose path starts with a domain (example.com/x). */
bool target_is_user_function(const char *name);
/* The goroutine an exception stop of thread tid shows (target_exception.c); remembers the
 * thread for target_exception_info. */
int64_t target_exception_goroutine(gobp_target *t, pid_t tid);
/* A line for the front end (plugin logs: "console"; handler problems: "stderr"). */
void target_message(gobp_target *t, const char *category, const char *text);
/* Handler hits (plugin/handler.c): 1 when addr was a handler entry or a pending exit (the
 * action is in *action), 0 when it is none of the handlers' business. */
int handler_on_hit(gobp_target *t, pid_t tid, uint64_t addr, gobp_breakpoint *bp, gobp_hit_action *action);
int handler_exit_hit(gobp_target *t, pid_t tid, uint64_t addr, gobp_hit_action *action);
/* A line/function breakpoint hit by tid: condition, hit count and log message decide
 * whether it stops (target_conditions.c). Counts the hit. */
bool target_bp_hit_stops(gobp_target *t, pid_t tid, uint64_t addr, gobp_breakpoint *bp);
/* Trace hits (trace/tracer.c): 1 when addr is a trace site (the call was recorded or ignored). */
int trace_on_hit(gobp_target *t, pid_t tid, uint64_t addr);
/* Unloads the plugin and frees the handler of bp (before the breakpoint is deleted). */
void handler_free(gobp_target *t, gobp_breakpoint *bp);
void target_step_clear(gobp_target *t);
/* tid reached an indirect call while stepping in: a step breakpoint on its callee. 1 placed,
 * 0 the callee is not worth stopping in, -1 the call could not be decoded. */
int target_step_into_call(gobp_target *t, pid_t tid, uint64_t addr, int64_t goid);
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
/* The names of func at pc with their types but no values, for checking an expression where a
 * breakpoint is (target_eval.c). sc must outlive the env. */
typedef struct {
    gobp_binary *bin;
    const gobp_func *func;
    uint64_t pc;
} target_static_scope;
eval_env target_static_env(const target_static_scope *sc);

#endif
