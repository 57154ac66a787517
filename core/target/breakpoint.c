/* The breakpoint table: owns every logical breakpoint and hands out ids. Physical sites are
 * the process's business (site.c), finding the breakpoints of a hit the hit map's (hitmap.c). */
#include "breakpoint.h"
#include "alloc.h"
#include "eval/eval.h"
#include "hitmap.h"

#include <stdlib.h>
#include <string.h>

struct gobp_bp_table {
    gobp_breakpoint **items;
    int count, cap;
    int next_id;
};

gobp_bp_table *bp_table_new(void)
{
    gobp_bp_table *t = xcalloc(1, sizeof *t);
    t->next_id = 1;
    return t;
}

static void bp_free(gobp_breakpoint *bp)
{
    bp_clear_addrs(bp);
    free(bp->addrs);
    free(bp->breaklets);
    free(bp->file);
    free(bp->function);
    free(bp->condition);
    free(bp->hit_condition);
    free(bp->log_message);
    eval_expr_free(bp->condition_expr);
    eval_template_free(bp->log_template);
    free(bp);
}

void bp_table_free(gobp_bp_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->count; i++)
        bp_free(t->items[i]);
    free(t->items);
    free(t);
}

gobp_breakpoint *bp_table_add(gobp_bp_table *t, gobp_bp_kind kind)
{
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->items = xrealloc(t->items, (size_t)t->cap * sizeof *t->items);
    }
    gobp_breakpoint *bp = xcalloc(1, sizeof *bp);
    bp->id = t->next_id++;
    bp->kind = kind;
    t->items[t->count++] = bp;
    return bp;
}

void bp_table_remove(gobp_bp_table *t, gobp_breakpoint *bp)
{
    for (int i = 0; i < t->count; i++) {
        if (t->items[i] == bp) {
            memmove(&t->items[i], &t->items[i + 1], (size_t)(t->count - i - 1) * sizeof *t->items);
            t->count--;
            bp_free(bp);
            return;
        }
    }
}

breaklet *bp_add_addr(gobp_breakpoint *bp, uint64_t addr)
{
    if (bp->naddrs == bp->addrs_cap) {
        bp->addrs_cap = bp->addrs_cap ? bp->addrs_cap * 2 : 4;
        bp->addrs = xrealloc(bp->addrs, (size_t)bp->addrs_cap * sizeof *bp->addrs);
        bp->breaklets = xrealloc(bp->breaklets, (size_t)bp->addrs_cap * sizeof *bp->breaklets);
    }
    bp->addrs[bp->naddrs] = addr;
    bp->breaklets[bp->naddrs] = xcalloc(1, sizeof **bp->breaklets);
    return bp->breaklets[bp->naddrs++];
}

void bp_clear_addrs(gobp_breakpoint *bp)
{
    for (int i = 0; i < bp->naddrs; i++)
        free(bp->breaklets[i]);
    bp->naddrs = 0;
}

gobp_breakpoint *bp_table_get(gobp_bp_table *t, int i)
{
    return i >= 0 && i < t->count ? t->items[i] : NULL;
}

int bp_table_count(gobp_bp_table *t)
{
    return t->count;
}
