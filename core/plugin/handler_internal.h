/* Handler breakpoints inside the core: a handler (plugin + the function's call layout), the
 * per-call context the plugin API works on, and the calls waiting for their exit.
 * Shared by handler.c (hits, forced returns, exits) and plugin_host.c (the API). */
#ifndef GOBP_HANDLER_INTERNAL_H
#define GOBP_HANDLER_INTERNAL_H

#include "abi/call_layout.h"
#include "plugin_loader.h"
#include "target/target_internal.h"

typedef struct gobp_handler {
    gobp_breakpoint *bp;
    gobp_plugin *plugin;
    const gobp_func *func;
    char package[256];
    call_layout layout;           /* arguments, results and their ABI places */
    bool disabled;
    struct gobp_handler *next;    /* the other instantiations of a generic function */
} gobp_handler;

/* A call that entered and whose plugin wants gobp_on_exit. */
typedef struct pending_exit {
    gobp_handler *handler;
    uint64_t ret_addr;
    uint64_t g_addr;
    uint64_t depth;               /* frame_key of the call (stacks move; this does not) */
    uintptr_t data;
    uint64_t hit;
    breaklet bl;                  /* at ret_addr in the hit map: handler_exit_hit */
    struct pending_exit *prev, *next;   /* t->pending_exits */
} pending_exit;

typedef struct host_val host_val;

/* One plugin callback's view of a call. */
typedef struct host_call {
    gobp_call pub;                /* first: the plugin sees this */
    gobp_target *t;
    gobp_handler *h;
    pid_t tid;
    bool at_exit;
    uint64_t hit;
    struct user_regs_struct regs;
    bool regs_dirty;
    struct user_fpregs_struct fp;
    bool fp_loaded, fp_dirty;
    uint64_t dwregs[17];
    unsigned char *results;       /* result bytes (forced return / exit) */
    bool results_loaded, results_dirty;
    uintptr_t data;
    int64_t goid;
    char err[256];
    host_val *vals;               /* handed out this callback; freed after it */
    char **strings;
    int nstrings;
} host_call;

extern const gobp_host_api gobp_host_api_v1;

void host_call_init(host_call *c, gobp_target *t, gobp_handler *h, pid_t tid, bool at_exit, uint64_t hit);
/* Frees what the callback was handed. */
void host_call_finish(host_call *c);
/* Writes the registers the plugin changed. */
int host_call_apply(host_call *c);
/* Result bytes: zeroed (entry) or read from registers/stack (exit). */
int host_results_load(host_call *c);
/* Writes result bytes to their ABI registers/stack slots (stack base: RSP+8 at entry). */
int host_results_store(host_call *c, uint64_t stack_base);
/* Loads the float registers when first needed. */
int host_fp_load(host_call *c);

#endif
