/* The tracer's state, shared by its hit path (tracer.c) and its path without stops
 * (trace_fast.c): traced functions, sites, open calls per goroutine, the ring. */
#ifndef GOBP_TRACER_INTERNAL_H
#define GOBP_TRACER_INTERNAL_H

#include "abi/call_layout.h"
#include "target/target_internal.h"
#include "trace.h"
#include "trace_ring.h"

#include <time.h>

typedef struct {
    const gobp_func *func;
    call_layout layout;
    uint64_t seen;
} trace_fn;

typedef struct {
    gobp_trace_record rec;
    uint64_t depth_key;                 /* frame_key of the call: larger is deeper */
    int fn;
} open_call;

typedef struct g_state {
    int64_t goid;
    open_call *calls;
    int n, cap;
    bool panicking;
    uint64_t panic_depth;
    struct g_state *next;
} g_state;

enum { SITE_ENTRY = 1, SITE_RET, SITE_GOEXIT, SITE_GOEXIT_CALL, SITE_PANIC, SITE_DEFERRETURN, SITE_COPY, SITE_EXIT };
enum { SITE_GEN_SHIFT = 20 };   /* up to 2^20 sites a trace */

typedef struct {
    breaklet bl;                        /* bl.owner: itself */
    int fn;
    int kind;
    bool armed;
    bool fast;                          /* a jump site writing records into the ring */
    struct ring_capture_s *capture;     /* what its records hold (fast) */
    int64_t sp_adjust;                  /* a RET site before the epilogue: RSP at the RET - RSP here */
    uint32_t number;                    /* generation << SITE_GEN_SHIFT | index in tr->sites: the
                                           records name it (an older trace's records are skipped) */
} trace_site;

/* What the tracer knows of a g: read at its first hit, until it exits or its stack moves. */
typedef struct goid_entry { uint64_t g_addr; int64_t goid; uint64_t stack_hi; struct goid_entry *next; } goid_entry;

#define G_BUCKETS 1024

typedef struct gobp_tracer gobp_tracer;
struct gobp_tracer {
    trace_fn *fns;
    int nfns;
    trace_site **sites;                 /* every site (breaklets in the target's hit map) */
    size_t nsites, sites_cap;
    g_state *g[G_BUCKETS];
    goid_entry *goids[G_BUCKETS];       /* g address -> goroutine id and stack.hi */
    int npanicking;                     /* goroutines with open calls in a panic */
    trace_site *deferreturn;            /* armed only while a traced call is in a panic */
    gobp_trace_opts opts;
    gobp_trace_sink *sinks;
    int nsinks;
    gobp_trace_summary *summary;
    uint64_t next_id, recorded;
    struct timespec t0;
    gobp_format_opts fmt;
    trace_ring *ring;                   /* fast: the ring shared with the program (the target's) */
    uint32_t generation;                /* in the high bits of its sites' numbers (SITE_GEN_SHIFT) */
    bool fast;
    bool fast_pending;                  /* started while the program ran: at its next stop */
    uint64_t fast_sites, slow_sites;    /* entry and return sites of traced functions, by path */
};

typedef struct {
    gobp_target *t;
    uint64_t stack_hi;                  /* of the hit's goroutine (frame keys) */
    struct user_regs_struct regs;
    struct user_fpregs_struct fp;
    bool fp_loaded;
    uint64_t now;                       /* ns since the trace began */
    const gobp_memview *mem;            /* a record's: its copy of the stack over the program's memory */
} hit_regs;

/* tracer.c */
/* Now, in ns since the trace began: from the TSC when records are written (one clock for
 * records and hits: their order holds), else CLOCK_MONOTONIC. */
uint64_t tracer_now_ns(const gobp_tracer *tr);
/* A CLOCK_MONOTONIC time (0: now) in ns since the trace began. */
uint64_t tracer_ns_since_start(const gobp_tracer *tr, uint64_t mono_ns);
/* A site of kind at addr for function fn (-1: a runtime hook), armed unless asked not to. An
 * address already traced keeps its first site. NULL when it cannot be placed. */
trace_site *tracer_site_add(gobp_target *t, gobp_tracer *tr, uint64_t addr, int fn, int kind, bool arm);
int tracer_site_arm(gobp_target *t, trace_site *s);
void tracer_site_disarm(gobp_target *t, trace_site *s);
/* A traced function's entry or RET, a panic, a recovery, a Goexit of goroutine goid (tid 0:
 * from a record, whose float registers are in hr->fp already). */
void tracer_goroutine_event(gobp_target *t, gobp_tracer *tr, pid_t tid, const trace_site *site, hit_regs *hr, int64_t goid);

/* trace_fast.c */
/* Puts the entry and RET sites of the traced functions on the ring where they can take it. */
void trace_fast_start(gobp_target *t, gobp_tracer *tr);
/* Every record written so far, in order; for a hit of goroutine goid (0: none) also its
 * records past one still being written; goid -1: all of them (the end of the trace). */
void trace_fast_drain(gobp_target *t, gobp_tracer *tr, int64_t goid);
void trace_fast_stop(gobp_tracer *tr);   /* the ring stays the target's */

#endif
