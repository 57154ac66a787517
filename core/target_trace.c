/* Call tracing on the target: non-stop sites at each traced function's entry (after the stack
 * check) and on its RET instructions (decoded with Capstone) — the return address on the
 * stack is never patched, Go moves stacks. A return is matched to its call by (goroutine,
 * stack.hi - SP); calls left by a panic or runtime.Goexit are closed as such. */
#include "abi_transfer.h"
#include "call_layout.h"
#include "target_internal.h"
#include "trace.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const gobp_func *func;
    call_layout layout;
    uint64_t seen;
} trace_fn;

typedef struct {
    gobp_trace_record rec;
    uint64_t depth_key;                 /* stack.hi - RSP at entry */
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

enum { SITE_ENTRY = 1, SITE_RET, SITE_GOEXIT, SITE_PANIC };
typedef struct { uint64_t addr; int fn; int kind; } trace_site;

#define G_BUCKETS 1024

typedef struct gobp_tracer gobp_tracer;
struct gobp_tracer {
    trace_fn *fns;
    int nfns;
    trace_site *sites;                  /* open addressing on addr */
    size_t site_cap;
    g_state *g[G_BUCKETS];
    gobp_trace_opts opts;
    gobp_trace_sink *sinks;
    int nsinks;
    gobp_trace_summary *summary;
    uint64_t next_id, recorded;
    struct timespec t0;
    gobp_format_opts fmt;
};

const char *trace_end_name(gobp_trace_end end)
{
    static const char *const names[] = { "return", "panic", "goexit", "unfinished" };
    return end <= TRACE_END_UNFINISHED ? names[end] : "?";
}

static uint64_t now_ns(const gobp_tracer *tr)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)(ts.tv_sec - tr->t0.tv_sec) * 1000000000ull + (uint64_t)(ts.tv_nsec - tr->t0.tv_nsec);
}

/* ---- the address table ---- */

static trace_site *site_slot(gobp_tracer *tr, uint64_t addr)
{
    size_t i = (size_t)((addr * 0x9E3779B97F4A7C15ull) >> 20) & (tr->site_cap - 1);
    while (tr->sites[i].addr && tr->sites[i].addr != addr)
        i = (i + 1) & (tr->site_cap - 1);
    return &tr->sites[i];
}

static int site_add(gobp_target *t, gobp_tracer *tr, uint64_t addr, int fn, int kind)
{
    char err[200];
    trace_site *s = site_slot(tr, addr);
    if (s->addr)
        return 0;
    if (proc_site_add(t->proc, addr, err, sizeof err) < 0)
        return -1;
    *s = (trace_site){ addr, fn, kind };
    return 0;
}

/* RET instructions of f (decoding skips over bytes Capstone cannot decode). */
static int find_rets(gobp_target *t, const gobp_func *f, uint64_t *rets, int max)
{
    size_t len = f->highpc - f->lowpc;
    if (len == 0 || len > (1u << 20))
        return 0;
    unsigned char *code = malloc(len);
    csh cs;
    int n = 0;
    if (proc_read(t->proc, f->lowpc, code, len) < 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        free(code);
        return 0;
    }
    cs_insn *insn = cs_malloc(cs);
    const uint8_t *p = code;
    size_t left = len;
    uint64_t addr = f->lowpc;
    while (left > 0) {
        if (!cs_disasm_iter(cs, &p, &left, &addr, insn)) {
            p++;
            left--;
            addr++;
            continue;
        }
        if (insn->id == X86_INS_RET && n < max)
            rets[n++] = insn->address;
    }
    cs_free(insn, 1);
    cs_close(&cs);
    free(code);
    return n;
}

/* ---- goroutines ---- */

static g_state *gstate(gobp_tracer *tr, int64_t goid, bool create)
{
    g_state **b = &tr->g[(uint64_t)goid % G_BUCKETS];
    for (g_state *g = *b; g; g = g->next)
        if (g->goid == goid)
            return g;
    if (!create)
        return NULL;
    g_state *g = calloc(1, sizeof *g);
    g->goid = goid;
    g->next = *b;
    *b = g;
    return g;
}

static void gstate_drop(gobp_tracer *tr, g_state *g)
{
    for (g_state **pp = &tr->g[(uint64_t)g->goid % G_BUCKETS]; *pp; pp = &(*pp)->next)
        if (*pp == g) {
            *pp = g->next;
            free(g->calls);
            free(g);
            return;
        }
}

static void values_free(gobp_trace_value *v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i].value);
    free(v);
}

/* Closes the innermost open call of g. */
static void call_finish(gobp_tracer *tr, g_state *g, gobp_trace_end end, uint64_t now)
{
    open_call *oc = &g->calls[g->n - 1];
    oc->rec.end_ns = now;
    oc->rec.end = end;
    if (g->n > 1)
        g->calls[g->n - 2].rec.child_ns += now - oc->rec.start_ns;
    for (int i = 0; i < tr->nsinks; i++)
        if (tr->sinks[i].exit)
            tr->sinks[i].exit(tr->sinks[i].ctx, &oc->rec);
    if (tr->summary)
        trace_summary_add(tr->summary, &oc->rec);
    values_free(oc->rec.args, oc->rec.nargs);
    values_free(oc->rec.results, oc->rec.nresults);
    g->n--;
}

/* Calls whose frames are gone (deeper than depth_key, or as deep when inclusive). */
static void close_unwound(gobp_tracer *tr, g_state *g, uint64_t depth_key, bool inclusive, uint64_t now)
{
    while (g->n > 0) {
        uint64_t d = g->calls[g->n - 1].depth_key;
        if (d < depth_key || (d == depth_key && !inclusive))
            break;
        call_finish(tr, g, TRACE_END_PANIC, now);
    }
}

/* ---- values ---- */

typedef struct {
    gobp_target *t;
    struct user_regs_struct regs;
    struct user_fpregs_struct fp;
    bool fp_loaded;
} hit_regs;

static char *format_abi_value(gobp_target *t, gobp_tracer *tr, hit_regs *hr, const abi_value *a, gobp_type *type,
                              uint64_t stack_base)
{
    if (!type)
        return strdup("?");
    unsigned char stackbuf[256];
    unsigned char *buf = type->size <= sizeof stackbuf ? stackbuf : calloc(1, type->size);
    char *text;
    if (abi_transfer(a, &hr->regs, hr->fp_loaded ? (unsigned char *)hr->fp.xmm_space : NULL, t->proc, stack_base,
                     buf, false) < 0) {
        text = strdup("<unreadable>");
    } else {
        gobp_memview mv = target_memview(t);
        gobp_value v = value_of_bytes(type, buf, type->size);
        text = value_format(&mv, &v, &tr->fmt);
        value_free(&v);
    }
    if (buf != stackbuf)
        free(buf);
    return text ? text : strdup("?");
}

static void load_fp(gobp_target *t, hit_regs *hr, pid_t tid, const abi_value *vals, int n)
{
    for (int i = 0; i < n && !hr->fp_loaded; i++)
        if (abi_uses_float(&vals[i]))
            hr->fp_loaded = proc_get_fpregs(t->proc, tid, &hr->fp) == 0;
}

/* ---- hits ---- */

static void trace_entry(gobp_target *t, gobp_tracer *tr, pid_t tid, int fi, hit_regs *hr, int64_t goid, uint64_t hi)
{
    trace_fn *f = &tr->fns[fi];
    uint64_t now = now_ns(tr), depth_key = hi - hr->regs.rsp;
    g_state *g = gstate(tr, goid, true);
    close_unwound(tr, g, depth_key, true, now);
    f->seen++;
    if ((tr->opts.sample > 1 && (f->seen - 1) % tr->opts.sample) || (tr->opts.max_calls && tr->recorded >= tr->opts.max_calls)) {
        if (g->n == 0)
            gstate_drop(tr, g);
        return;
    }
    tr->recorded++;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 8;
        g->calls = realloc(g->calls, (size_t)g->cap * sizeof *g->calls);
    }
    open_call *oc = &g->calls[g->n++];
    memset(oc, 0, sizeof *oc);
    oc->fn = fi;
    oc->depth_key = depth_key;
    gobp_trace_record *r = &oc->rec;
    r->id = ++tr->next_id;
    r->parent = g->n > 1 ? g->calls[g->n - 2].rec.id : 0;
    r->goid = goid;
    r->depth = g->n - 1;
    r->function = f->func->name;
    r->start_ns = now;
    if (f->layout.arg_abi) {
        load_fp(t, hr, tid, f->layout.arg_abi, f->layout.nparams ? f->layout.param_abi[f->layout.nparams - 1] + 1 : 0);
        r->args = calloc((size_t)f->layout.nparams + 1, sizeof *r->args);
        for (int i = 0; i < f->layout.nparams; i++) {
            r->args[i].name = f->layout.params[i]->name;
            r->args[i].value = format_abi_value(t, tr, hr, &f->layout.arg_abi[f->layout.param_abi[i]], f->layout.params[i]->type, hr->regs.rsp + 8);
        }
        r->nargs = f->layout.nparams;
    }
    for (int i = 0; i < tr->nsinks; i++)
        if (tr->sinks[i].enter)
            tr->sinks[i].enter(tr->sinks[i].ctx, r);
}

static void trace_return(gobp_target *t, gobp_tracer *tr, pid_t tid, int fi, hit_regs *hr, int64_t goid, uint64_t hi)
{
    g_state *g = gstate(tr, goid, false);
    if (!g)
        return;
    uint64_t now = now_ns(tr), depth_key = hi - hr->regs.rsp;  /* at RET, RSP is the entry RSP */
    close_unwound(tr, g, depth_key, false, now);
    open_call *top = g->n ? &g->calls[g->n - 1] : NULL;
    if (top && top->depth_key == depth_key && top->fn == fi) {
        trace_fn *f = &tr->fns[fi];
        if (f->layout.result_abi) {
            load_fp(t, hr, tid, f->layout.result_abi, f->layout.nresults);
            top->rec.results = calloc((size_t)f->layout.nresults + 1, sizeof *top->rec.results);
            for (int i = 0; i < f->layout.nresults; i++) {
                top->rec.results[i].name = f->layout.results[i]->name;
                top->rec.results[i].value = format_abi_value(t, tr, hr, &f->layout.result_abi[i], f->layout.results[i]->type, hr->regs.rsp + 8);
            }
            top->rec.nresults = f->layout.nresults;
        }
        if (g->panicking && depth_key < g->panic_depth)
            g->panicking = false;  /* a frame above the panic returns: it was recovered */
        call_finish(tr, g, TRACE_END_RETURN, now);
    }
    if (g->n == 0 && !g->panicking)
        gstate_drop(tr, g);
}

int trace_on_hit(gobp_target *t, pid_t tid, uint64_t addr)
{
    gobp_tracer *tr = t->tracer;
    if (!tr)
        return 0;
    trace_site *s = site_slot(tr, addr);
    if (!s->addr)
        return 0;
    hit_regs hr = { .t = t };
    int64_t goid;
    uint64_t hi;
    if (proc_get_regs(t->proc, tid, &hr.regs) < 0 || !t->rt ||
        goruntime_g_ids(t->rt, proc_mem_read_cb, t->proc, hr.regs.r14, &goid, &hi) < 0)
        return 1;
    if (tr->opts.goroutine && goid != tr->opts.goroutine)
        return 1;
    switch (s->kind) {
    case SITE_ENTRY:
        trace_entry(t, tr, tid, s->fn, &hr, goid, hi);
        break;
    case SITE_RET:
        trace_return(t, tr, tid, s->fn, &hr, goid, hi);
        break;
    case SITE_PANIC: {
        g_state *g = gstate(tr, goid, false);
        if (g && g->n) {
            g->panicking = true;
            g->panic_depth = hi - hr.regs.rsp;
        }
        break;
    }
    case SITE_GOEXIT: {
        g_state *g = gstate(tr, goid, false);
        if (g) {
            uint64_t now = now_ns(tr);
            while (g->n)
                call_finish(tr, g, TRACE_END_GOEXIT, now);
            gstate_drop(tr, g);
        }
        break;
    }
    }
    return 1;
}

/* ---- start / stop ---- */

int target_trace_start(gobp_target *t, const gobp_func *const *fs, int n, const gobp_trace_opts *opts,
                       gobp_trace_sink *sinks, int nsinks, gobp_trace_summary *summary, char *err, size_t errlen)
{
    if (t->tracer) {
        snprintf(err, errlen, "a trace is already running");
        return -1;
    }
    gobp_tracer *tr = calloc(1, sizeof *tr);
    tr->opts = *opts;
    tr->sinks = sinks;
    tr->nsinks = nsinks;
    tr->summary = summary;
    tr->fmt = gobp_format_default;
    tr->fmt.max_string = opts->max_string > 0 ? (size_t)opts->max_string : 64;
    tr->fmt.max_depth = opts->max_depth > 0 ? opts->max_depth : 1;
    clock_gettime(CLOCK_MONOTONIC, &tr->t0);
    tr->fns = calloc((size_t)n + 1, sizeof *tr->fns);
    tr->site_cap = 1;
    while (tr->site_cap < (size_t)n * 16 + 64)
        tr->site_cap <<= 1;
    tr->sites = calloc(tr->site_cap, sizeof *tr->sites);
    t->tracer = tr;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        trace_fn *f = &tr->fns[tr->nfns];
        f->func = fs[i];
        uint64_t rets[64];
        int nrets = find_rets(t, fs[i], rets, 64);
        if (site_add(t, tr, fs[i]->entry_pc, tr->nfns, SITE_ENTRY) < 0) {
            failed++;
            continue;
        }
        for (int k = 0; k < nrets; k++)
            site_add(t, tr, rets[k], tr->nfns, SITE_RET);
        call_layout_init(t->bin, fs[i], &f->layout);
        tr->nfns++;
    }
    const gobp_func *goexit = binary_func_by_name(t->bin, "runtime.goexit1");
    const gobp_func *gopanic = binary_func_by_name(t->bin, "runtime.gopanic");
    if (goexit)
        site_add(t, tr, goexit->entry_pc, -1, SITE_GOEXIT);
    if (gopanic)
        site_add(t, tr, gopanic->entry_pc, -1, SITE_PANIC);
    if (tr->nfns == 0) {
        snprintf(err, errlen, "could not place a trace site on any of the %d functions", n);
        target_trace_stop(t);
        return -1;
    }
    return tr->nfns;
}

bool target_tracing(gobp_target *t)
{
    return t->tracer != NULL;
}

void target_trace_stop(gobp_target *t)
{
    gobp_tracer *tr = t->tracer;
    if (!tr)
        return;
    uint64_t now = now_ns(tr);
    for (int b = 0; b < G_BUCKETS; b++) {
        while (tr->g[b]) {
            g_state *g = tr->g[b];
            while (g->n)
                call_finish(tr, g, g->panicking ? TRACE_END_PANIC : TRACE_END_UNFINISHED, now);
            gstate_drop(tr, g);
        }
    }
    if (t->proc)
        for (size_t i = 0; i < tr->site_cap; i++)
            if (tr->sites[i].addr)
                proc_site_remove(t->proc, tr->sites[i].addr);
    for (int i = 0; i < tr->nfns; i++) {
        call_layout_free(&tr->fns[i].layout);
    }
    free(tr->fns);
    free(tr->sites);
    free(tr);
    t->tracer = NULL;
}
