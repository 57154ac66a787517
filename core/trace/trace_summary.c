/* The trace summary: per function its call count, total, self and max time, and the total
 * number of calls; printed sorted by total time at the end of a trace. */
#include "alloc.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>

struct gobp_trace_summary {
    gobp_trace_func_stats *funcs;
    int n, cap;
    uint64_t calls;
};

gobp_trace_summary *trace_summary_new(void)
{
    return xcalloc(1, sizeof(gobp_trace_summary));
}

void trace_summary_free(gobp_trace_summary *s)
{
    if (!s)
        return;
    free(s->funcs);
    free(s);
}

uint64_t trace_summary_calls(const gobp_trace_summary *s)
{
    return s->calls;
}

static gobp_trace_func_stats *stats_of(gobp_trace_summary *s, const char *function)
{
    for (int i = 0; i < s->n; i++)      /* function names are the binary's: compare pointers first */
        if (s->funcs[i].function == function || strcmp(s->funcs[i].function, function) == 0)
            return &s->funcs[i];
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->funcs = xrealloc(s->funcs, (size_t)s->cap * sizeof *s->funcs);
    }
    gobp_trace_func_stats *f = &s->funcs[s->n++];
    memset(f, 0, sizeof *f);
    f->function = function;
    return f;
}

void trace_summary_add(gobp_trace_summary *s, const gobp_trace_record *r)
{
    gobp_trace_func_stats *f = stats_of(s, r->function);
    uint64_t dur = r->end_ns - r->start_ns;
    f->calls++;
    f->total_ns += dur;
    f->self_ns += dur > r->child_ns ? dur - r->child_ns : 0;
    if (dur > f->max_ns)
        f->max_ns = dur;
    s->calls++;
}

static int by_total(const void *a, const void *b)
{
    const gobp_trace_func_stats *x = a, *y = b;
    return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : strcmp(x->function, y->function);
}

void trace_summary_write(const gobp_trace_summary *s, void (*line)(void *ctx, const char *text), void *ctx)
{
    char buf[512];
    gobp_trace_func_stats *sorted = xmalloc(((size_t)s->n + 1) * sizeof *sorted);
    memcpy(sorted, s->funcs, (size_t)s->n * sizeof *sorted);
    qsort(sorted, (size_t)s->n, sizeof *sorted, by_total);
    snprintf(buf, sizeof buf, "trace summary: %llu calls, %d functions\n", (unsigned long long)s->calls, s->n);
    line(ctx, buf);
    snprintf(buf, sizeof buf, "%10s %12s %12s %12s %12s  %s\n", "calls", "total", "self", "mean", "max", "function");
    line(ctx, buf);
    for (int i = 0; i < s->n; i++) {
        const gobp_trace_func_stats *f = &sorted[i];
        snprintf(buf, sizeof buf, "%10llu %10.3fms %10.3fms %10.3fms %10.3fms  %s\n", (unsigned long long)f->calls,
                 f->total_ns / 1e6, f->self_ns / 1e6, f->calls ? f->total_ns / 1e6 / f->calls : 0.0, f->max_ns / 1e6,
                 f->function);
        line(ctx, buf);
    }
    free(sorted);
}
