/* The breakpoint table: owns every logical breakpoint, hands out ids and finds the
 * breakpoints behind a hit address. Physical sites are the process's business (proc.c). */
#include "breakpoint.h"
#include "alloc.h"
#include "eval/eval.h"

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
    free(bp->addrs);
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

void bp_add_addr(gobp_breakpoint *bp, uint64_t addr)
{
    if (bp->naddrs == bp->addrs_cap) {
        bp->addrs_cap = bp->addrs_cap ? bp->addrs_cap * 2 : 4;
        bp->addrs = xrealloc(bp->addrs, (size_t)bp->addrs_cap * sizeof *bp->addrs);
    }
    bp->addrs[bp->naddrs++] = addr;
}

static bool has_addr(const gobp_breakpoint *bp, uint64_t addr)
{
    for (int a = 0; a < bp->naddrs; a++)
        if (bp->addrs[a] == addr)
            return true;
    return false;
}

int bp_table_at(gobp_bp_table *t, uint64_t addr, gobp_breakpoint ***out)
{
    int n = 0;
    for (int i = 0; i < t->count; i++)
        n += has_addr(t->items[i], addr);
    *out = NULL;
    if (n == 0)
        return 0;
    *out = xmalloc((size_t)n * sizeof **out);
    n = 0;
    for (int i = 0; i < t->count; i++)
        if (has_addr(t->items[i], addr))
            (*out)[n++] = t->items[i];
    return n;
}

gobp_breakpoint *bp_table_get(gobp_bp_table *t, int i)
{
    return i >= 0 && i < t->count ? t->items[i] : NULL;
}

int bp_table_count(gobp_bp_table *t)
{
    return t->count;
}
