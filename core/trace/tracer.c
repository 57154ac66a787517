/* Call tracing on the target: non-stop sites at each traced function's entry (after the stack
 * check) and on its RET instructions (found by decoding it, insn.c) — the return address on the
 * stack is never patched, Go moves stacks. A return is matched to its call by (goroutine, SP),
 * and when the runtime moves a goroutine's stack (runtime.copystack) the open calls move
 * with it. Calls left by a panic (closed when the recovering frame runs deferreturn, or by the
 * next event deeper than them) or by runtime.Goexit are closed as such. Per call nothing is
 * read but the arguments: the goroutine id of a g is cached until the goroutine exits. */
#include "abi/abi_transfer.h"
#include "alloc.h"
#include "abi/call_layout.h"
#include "proc/insn.h"
#include "target/target_internal.h"
#include "trace.h"

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
    uint64_t depth_key;                 /* UINT64_MAX - RSP at entry: larger is deeper */
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

enum { SITE_ENTRY = 1, SITE_RET, SITE_GOEXIT, SITE_GOEXIT_CALL, SITE_PANIC, SITE_DEFERRETURN,
       SITE_COPY_ENTRY, SITE_COPY_RET };
typedef struct { uint64_t addr; int fn; int kind; bool active; } trace_site;

typedef struct goid_entry { uint64_t g_addr; int64_t goid; struct goid_entry *next; } goid_entry;
typedef struct { pid_t tid; uint64_t g_addr, old_hi; } stack_copy;   /* copystack in flight */

#define G_BUCKETS 1024

typedef struct gobp_tracer gobp_tracer;
struct gobp_tracer {
    trace_fn *fns;
    int nfns;
    trace_site *sites;                  /* open addressing on addr, at most half full */
    size_t site_cap, nsites;
    g_state *g[G_BUCKETS];
    goid_entry *goids[G_BUCKETS];       /* g address -> goroutine id, until the goroutine exits */
    stack_copy *copies;                 /* one per thread in copystack at most */
    int ncopies, copies_cap;
    int npanicking;                     /* goroutines with open calls in a panic */
    uint64_t deferreturn_pc;
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

/* Doubles the table and puts every site back. */
static void sites_grow(gobp_tracer *tr)
{
    trace_site *old = tr->sites;
    size_t old_cap = tr->site_cap;
    tr->site_cap *= 2;
    tr->sites = xcalloc(tr->site_cap, sizeof *tr->sites);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].addr)
            *site_slot(tr, old[i].addr) = old[i];
    free(old);
}

static int site_add(gobp_target *t, gobp_tracer *tr, uint64_t addr, int fn, int kind)
{
    char err[200];
    trace_site *s = site_slot(tr, addr);
    if (!s->addr && (tr->nsites + 1) * 2 > tr->site_cap) {
        sites_grow(tr);
        s = site_slot(tr, addr);
    }
    if (s->addr && s->active)
        return 0;
    if (proc_site_add(t->proc, addr, err, sizeof err) < 0)
        return -1;
    tr->nsites += !s->addr;
    *s = (trace_site){ addr, fn, kind, true };
    return 0;
}

static void site_drop(gobp_target *t, gobp_tracer *tr, uint64_t addr)
{
    trace_site *s = site_slot(tr, addr);
    if (s->addr && s->active) {
        proc_site_remove(t->proc, addr);
        s->active = false;
    }
}

static uint64_t key_of_sp(uint64_t sp)
{
    return UINT64_MAX - sp;
}

/* ---- goroutine ids of g addresses ---- */

static int goid_of(gobp_target *t, gobp_tracer *tr, uint64_t g_addr, int64_t *goid)
{
    goid_entry **b = &tr->goids[(g_addr >> 4) % G_BUCKETS];
    for (goid_entry *e = *b; e; e = e->next)
        if (e->g_addr == g_addr) {
            *goid = e->goid;
            return 0;
        }
    uint64_t hi;
    if (!t->rt || goruntime_g_ids(t->rt, proc_mem_read_cb, t->proc, g_addr, goid, &hi) < 0)
        return -1;
    goid_entry *e = calloc(1, sizeof *e);
    e->g_addr = g_addr;
    e->goid = *goid;
    e->next = *b;
    *b = e;
    return 0;
}

static void goid_forget(gobp_tracer *tr, uint64_t g_addr)
{
    for (goid_entry **pp = &tr->goids[(g_addr >> 4) % G_BUCKETS]; *pp; pp = &(*pp)->next)
        if ((*pp)->g_addr == g_addr) {
            goid_entry *e = *pp;
            *pp = e->next;
            free(e);
            return;
        }
}

/* RET instructions of f (undecodable bytes skipped), malloc'd into *rets; returns the count. */
static int find_rets(gobp_target *t, const gobp_func *f, uint64_t **rets)
{
    size_t len = f->highpc - f->lowpc;
    int n = 0, cap = 0;
    *rets = NULL;
    if (len == 0 || len > (1u << 20))
        return 0;
    unsigned char *code = xmalloc(len);
    if (proc_read(t->proc, f->lowpc, code, len) < 0) {
        free(code);
        return 0;
    }
    insn_walk w;
    insn_step in;
    insn_walk_begin(&w, code, len, f->lowpc);
    while (insn_walk_next(&w, &in)) {
        if (in.op != INSN_OP_RET)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            *rets = xrealloc(*rets, (size_t)cap * sizeof **rets);
        }
        (*rets)[n++] = in.addr;
    }
    insn_walk_end(&w);
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

static void panic_end(gobp_target *t, gobp_tracer *tr, g_state *g);

static void gstate_drop(gobp_tracer *tr, g_state *g)
{
    if (g->panicking)
        tr->npanicking--;
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

static void trace_entry(gobp_target *t, gobp_tracer *tr, pid_t tid, int fi, hit_regs *hr, int64_t goid)
{
    trace_fn *f = &tr->fns[fi];
    uint64_t now = now_ns(tr), depth_key = key_of_sp(hr->regs.rsp);
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

static void trace_return(gobp_target *t, gobp_tracer *tr, pid_t tid, int fi, hit_regs *hr, int64_t goid)
{
    g_state *g = gstate(tr, goid, false);
    if (!g)
        return;
    uint64_t now = now_ns(tr), depth_key = key_of_sp(hr->regs.rsp);  /* at RET, RSP is the entry RSP */
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
            panic_end(t, tr, g);   /* a frame above the panic returns: it was recovered */
        call_finish(tr, g, TRACE_END_RETURN, now);
    }
    if (g->n == 0 && !g->panicking)
        gstate_drop(tr, g);
}

/* ---- panics, Goexit, moving stacks ---- */

static void panic_start(gobp_target *t, gobp_tracer *tr, g_state *g, uint64_t key)
{
    if (!g->panicking && tr->npanicking++ == 0 && tr->deferreturn_pc)
        site_add(t, tr, tr->deferreturn_pc, -1, SITE_DEFERRETURN);
    g->panicking = true;
    g->panic_depth = key;
}

static void panic_end(gobp_target *t, gobp_tracer *tr, g_state *g)
{
    if (g->panicking && --tr->npanicking == 0 && tr->deferreturn_pc)
        site_drop(t, tr, tr->deferreturn_pc);
    g->panicking = false;
}

/* The frame that deferred the recover runs deferreturn: every traced call deeper than it
 * was unwound by the recovered panic. */
static void recovered(gobp_target *t, gobp_tracer *tr, g_state *g, uint64_t key)
{
    bool closed = g->n && g->calls[g->n - 1].depth_key >= key;
    close_unwound(tr, g, key, true, now_ns(tr));
    if (closed)
        panic_end(t, tr, g);
}

static void goexit_close(gobp_tracer *tr, g_state *g)
{
    uint64_t now = now_ns(tr);
    while (g->n)
        call_finish(tr, g, TRACE_END_GOEXIT, now);
}

/* copystack(gp, newsize): remember gp's stack.hi at entry, move its open calls at return. */
static void stack_copy_entry(gobp_target *t, gobp_tracer *tr, pid_t tid, const struct user_regs_struct *r)
{
    int64_t goid;
    uint64_t hi;
    if (!t->rt || goruntime_g_ids(t->rt, proc_mem_read_cb, t->proc, r->rax, &goid, &hi) < 0)
        return;
    if (tr->ncopies == tr->copies_cap) {
        tr->copies_cap = tr->copies_cap ? tr->copies_cap * 2 : 16;
        tr->copies = xrealloc(tr->copies, (size_t)tr->copies_cap * sizeof *tr->copies);
    }
    tr->copies[tr->ncopies++] = (stack_copy){ tid, r->rax, hi };
}

static void stack_copy_return(gobp_target *t, gobp_tracer *tr, pid_t tid)
{
    for (int i = 0; i < tr->ncopies; i++) {
        if (tr->copies[i].tid != tid)
            continue;
        stack_copy c = tr->copies[i];
        tr->copies[i] = tr->copies[--tr->ncopies];
        int64_t goid;
        uint64_t hi;
        if (goid_of(t, tr, c.g_addr, &goid) < 0 ||
            goruntime_g_ids(t->rt, proc_mem_read_cb, t->proc, c.g_addr, &goid, &hi) < 0)
            return;
        g_state *g = gstate(tr, goid, false);
        uint64_t delta = hi - c.old_hi;   /* SPs move by delta: keys by -delta */
        for (int k = 0; g && k < g->n; k++)
            g->calls[k].depth_key -= delta;
        if (g && g->panicking)
            g->panic_depth -= delta;
        return;
    }
}

int trace_on_hit(gobp_target *t, pid_t tid, uint64_t addr)
{
    gobp_tracer *tr = t->tracer;
    if (!tr)
        return 0;
    const trace_site *slot = site_slot(tr, addr);
    if (!slot->addr || !slot->active)
        return 0;
    const trace_site site = *slot;   /* a hit may add sites, which may move the table */
    hit_regs hr = { .t = t };
    if (proc_get_regs(t->proc, tid, &hr.regs) < 0)
        return 1;
    if (site.kind == SITE_COPY_ENTRY) {       /* runs on the system stack: R14 is g0 */
        stack_copy_entry(t, tr, tid, &hr.regs);
        return 1;
    }
    if (site.kind == SITE_COPY_RET) {
        stack_copy_return(t, tr, tid);
        return 1;
    }
    int64_t goid;
    if (goid_of(t, tr, hr.regs.r14, &goid) < 0)
        return 1;
    if (site.kind == SITE_GOEXIT) {           /* the goroutine is gone: its g may be reused */
        g_state *g = gstate(tr, goid, false);
        if (g) {
            goexit_close(tr, g);
            gstate_drop(tr, g);
            if (tr->npanicking == 0 && tr->deferreturn_pc)
                site_drop(t, tr, tr->deferreturn_pc);
        }
        goid_forget(tr, hr.regs.r14);
        return 1;
    }
    if (tr->opts.goroutine && goid != tr->opts.goroutine)
        return 1;
    g_state *g;
    switch (site.kind) {
    case SITE_ENTRY:
        trace_entry(t, tr, tid, site.fn, &hr, goid);
        break;
    case SITE_RET:
        trace_return(t, tr, tid, site.fn, &hr, goid);
        break;
    case SITE_PANIC:
        if ((g = gstate(tr, goid, false)) && g->n)
            panic_start(t, tr, g, key_of_sp(hr.regs.rsp));
        break;
    case SITE_DEFERRETURN:
        if ((g = gstate(tr, goid, false)) && g->panicking)
            recovered(t, tr, g, key_of_sp(hr.regs.rsp));
        break;
    case SITE_GOEXIT_CALL:
        if ((g = gstate(tr, goid, false)))
            goexit_close(tr, g);
        break;
    }
    return 1;
}

/* ---- start / stop ---- */

int target_trace_select(gobp_target *t, const gobp_trace_selection *sel, const gobp_func ***out,
                        char *err, size_t errlen)
{
    return trace_select(t->bin, sel, out, err, errlen);
}

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
    while (tr->site_cap < (size_t)n * 16 + 64)   /* grows when functions have many RETs */
        tr->site_cap <<= 1;
    tr->sites = calloc(tr->site_cap, sizeof *tr->sites);
    t->tracer = tr;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        trace_fn *f = &tr->fns[tr->nfns];
        f->func = fs[i];
        uint64_t *rets;
        int nrets = find_rets(t, fs[i], &rets);
        if (site_add(t, tr, fs[i]->entry_pc, tr->nfns, SITE_ENTRY) < 0) {
            free(rets);
            failed++;
            continue;
        }
        for (int k = 0; k < nrets; k++)
            site_add(t, tr, rets[k], tr->nfns, SITE_RET);
        free(rets);
        call_layout_init(t->bin, fs[i], &f->layout);
        tr->nfns++;
    }
    static const struct { const char *name; int kind; } hooks[] = {
        { "runtime.goexit1", SITE_GOEXIT }, { "runtime.Goexit", SITE_GOEXIT_CALL },
        { "runtime.gopanic", SITE_PANIC }, { "runtime.copystack", SITE_COPY_ENTRY },
    };
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        const gobp_func *f = binary_func_by_name(t->bin, hooks[i].name);
        if (!f)
            continue;
        site_add(t, tr, f->entry_pc, -1, hooks[i].kind);
        if (hooks[i].kind == SITE_COPY_ENTRY) {
            uint64_t *rets;
            int nr = find_rets(t, f, &rets);
            for (int k = 0; k < nr; k++)
                site_add(t, tr, rets[k], -1, SITE_COPY_RET);
            free(rets);
        }
    }
    const gobp_func *dr = binary_func_by_name(t->bin, "runtime.deferreturn");
    tr->deferreturn_pc = dr ? dr->entry_pc : 0;   /* armed only while a traced call is in a panic */
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
            if (tr->sites[i].addr && tr->sites[i].active)
                proc_site_remove(t->proc, tr->sites[i].addr);
    for (int b = 0; b < G_BUCKETS; b++)
        while (tr->goids[b]) {
            goid_entry *e = tr->goids[b];
            tr->goids[b] = e->next;
            free(e);
        }
    for (int i = 0; i < tr->nfns; i++) {
        call_layout_free(&tr->fns[i].layout);
    }
    free(tr->fns);
    free(tr->sites);
    free(tr->copies);
    free(tr);
    t->tracer = NULL;
}
