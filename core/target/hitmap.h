/* The target's one address map for hits: each address where the target keeps an int3 maps to
 * its breaklets (Delve's word), one per reason to be there (a trace site, a handler call's
 * return, a step target, a handler, a user breakpoint), each with the callback of its kind. */
#ifndef GOBP_HITMAP_H
#define GOBP_HITMAP_H

#include <stdbool.h>
#include <stdint.h>

/* The kinds, in the order a hit runs them (breaklets of the last three run in `order`). */
typedef enum {
    BREAKLET_TRACE,          /* a trace site: records, never stops (trace/tracer.c) */
    BREAKLET_HANDLER_EXIT,   /* a handler call returning: its plugin's gobp_on_exit runs */
    BREAKLET_STEP,           /* a next/step target of one goroutine in one frame (target_step.c) */
    BREAKLET_HANDLER,        /* a handler breakpoint's entry: its plugin decides */
    BREAKLET_USER,           /* a line, function or exception breakpoint: its conditions decide */
} breaklet_kind;

typedef enum { HIT_NEXT, HIT_DONE } hit_verdict;   /* DONE: no later breaklet runs */

struct gobp_target;
struct target_hit;
struct breaklet;
typedef hit_verdict (*breaklet_hit_fn)(struct gobp_target *t, struct target_hit *h, struct breaklet *b);

/* Filled by its owner, which keeps the storage (no allocation per registration). */
typedef struct breaklet {
    uint64_t addr;
    breaklet_kind kind;
    uint64_t order;          /* a breakpoint's id: breakpoints run in the order they were made */
    breaklet_hit_fn on_hit;
    void *owner;             /* the trace site, pending exit or breakpoint it acts for */
    uint64_t seen;           /* the map's: the last dispatch that ran it */
    struct breaklet *next;   /* the map's: the next breaklet at addr */
} breaklet;

typedef struct hitmap hitmap;

hitmap *hitmap_new(void);
/* Frees the map, not the breaklets (their owners hold them). */
void hitmap_free(hitmap *m);
void hitmap_add(hitmap *m, breaklet *b);
void hitmap_remove(hitmap *m, breaklet *b);
/* The breakpoints at addr, in run order (follow ->next); NULL when none. */
breaklet *hitmap_at(hitmap *m, uint64_t addr);
/* The first breaklet of kind at addr, NULL when none. */
breaklet *hitmap_find(hitmap *m, uint64_t addr, breaklet_kind kind);
/* Runs the breaklets at addr, in order, until one says HIT_DONE. A callback may add and
 * remove breaklets (its own too, and free it): those added during the hit do not run in it.
 * Returns false when addr has none. */
bool hitmap_dispatch(hitmap *m, uint64_t addr, struct gobp_target *t, struct target_hit *h);

#endif
