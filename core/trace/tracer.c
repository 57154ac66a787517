/* Call tracing on the target: non-stop sites at each traced function's entry (after the stack
 * check) and on its RET instructions (found by decoding it, insn.c) — the return address on the
 * stack is never patched, Go moves stacks. A return is matched to its call by (goroutine,
 * frame_key), which a stack move (runtime.copystack) does not change. Calls left by a panic
 * (closed when the recovering frame runs deferreturn, or by the next event deeper than them)
 * or by runtime.Goexit are closed as such. Per call nothing is read but the arguments: the
 * goroutine id and stack.hi of a g are cached until the goroutine exits or its stack moves.
 * Where they can, the sites write records instead of trapping (trace_fast.c); each hit reads
 * those first. */
#include "abi/abi_transfer.h"
#include "alloc.h"
#include "abi/call_layout.h"
#include "proc/insn.h"
#include "target/target_internal.h"
#include "trace.h"
#include "tracer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *trace_end_name(gobp_trace_end end)
{
    static const char *const names[] = { "return", "panic", "goexit", "unfinished" };
    return end <= TRACE_END_UNFINISHED ? names[end] : "?";
}

uint64_t tracer_now_ns(const gobp_tracer *tr)
{
    return tracer_ns_since_start(tr, tr->fast ? ring_now_ns(tr->ring) : 0);
}

uint64_t tracer_ns_since_start(const gobp_tracer *tr, uint64_t mono_ns)
{
    if (!mono_ns) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        mono_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    }
    uint64_t t0 = (uint64_t)tr->t0.tv_sec * 1000000000ull + (uint64_t)tr->t0.tv_nsec;
    return mono_ns > t0 ? mono_ns - t0 : 0;
}

/* ---- sites: breaklets in the target's hit map ---- */

int tracer_site_arm(gobp_target *t, trace_site *s)
{
    char err[200];
    if (s->armed)
        return 0;
    if (proc_site_add(t->proc, s->bl.addr, err, sizeof err) < 0)
        return -1;
    hitmap_add(t->hits, &s->bl);
    s->armed = true;
    return 0;
}

void tracer_site_disarm(gobp_target *t, trace_site *s)
{
    if (!s->armed)
        return;
    hitmap_remove(t->hits, &s->bl);
    proc_site_remove(t->proc, s->bl.addr);
    s->armed = false;
}

/* A site of kind at addr for function fn (-1: a runtime hook), armed unless asked not to. An
 * address already traced keeps its first site. NULL when it cannot be placed. */
trace_site *tracer_site_add(gobp_target *t, gobp_tracer *tr, uint64_t addr, int fn, int kind, bool arm)
{
    breaklet *old = hitmap_find(t->hits, addr, BREAKLET_TRACE);
    if (old)
        return old->owner;
    trace_site *s = xcalloc(1, sizeof *s);
    s->bl = (breaklet){ .addr = addr, .kind = BREAKLET_TRACE, .on_hit = trace_site_hit, .owner = s };
    s->fn = fn;
    s->kind = kind;
    s->number = tr->generation << SITE_GEN_SHIFT | (uint32_t)tr->nsites;
    if (arm && tracer_site_arm(t, s) < 0) {
        free(s);
        return NULL;
    }
    if (tr->nsites == tr->sites_cap) {
        tr->sites_cap = tr->sites_cap ? tr->sites_cap * 2 : 64;
        tr->sites = xrealloc(tr->sites, tr->sites_cap * sizeof *tr->sites);
    }
    tr->sites[tr->nsites++] = s;
    return s;
}

/* ---- goroutine ids of g addresses ---- */

/* The goroutine id and stack.hi of the g at g_addr: read on its first hit, then cached. */
static int goid_of(gobp_target *t, gobp_tracer *tr, uint64_t g_addr, int64_t *goid, uint64_t *stack_hi)
{
    goid_entry **b = &tr->goids[(g_addr >> 4) % G_BUCKETS];
    for (goid_entry *e = *b; e; e = e->next)
        if (e->g_addr == g_addr) {
            *goid = e->goid;
            *stack_hi = e->stack_hi;
            return 0;
        }
    if (!t->rt || goruntime_g_ids(t->rt, proc_mem_read_cb, t->proc, g_addr, goid, stack_hi) < 0)
        return -1;
    goid_entry *e = xcalloc(1, sizeof *e);
    *e = (goid_entry){ g_addr, *goid, *stack_hi, *b };
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

/* ---- goroutines ---- */

static g_state *gstate(gobp_tracer *tr, int64_t goid, bool create)
{
    g_state **b = &tr->g[(uint64_t)goid % G_BUCKETS];
    for (g_state *g = *b; g; g = g->next)
        if (g->goid == goid)
            return g;
    if (!create)
        return NULL;
    g_state *g = xcalloc(1, sizeof *g);
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
    if (now < oc->rec.start_ns)
        now = oc->rec.start_ns;   /* a record's clock and the debugger's may differ by a tick */
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

static char *format_abi_value(gobp_target *t, gobp_tracer *tr, hit_regs *hr, const abi_value *a, gobp_type *type,
                              uint64_t stack_base)
{
    if (!type)
        return xstrdup("?");
    gobp_value v;
    if (abi_value_read(a, type, &hr->regs, hr->fp_loaded ? (unsigned char *)hr->fp.xmm_space : NULL, t->proc,
                       stack_base, &v) < 0)
        return xstrdup("<unreadable>");
    gobp_memview mv = hr->mem ? *hr->mem : target_memview(t);
    char *text = value_format(&mv, &v, &tr->fmt);
    value_free(&v);
    return text ? text : xstrdup("?");
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
    uint64_t now = hr->now, depth_key = frame_key(hr->stack_hi, hr->regs.rsp + 8);   /* at entry CFA = RSP+8 */
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
        g->calls = xrealloc(g->calls, (size_t)g->cap * sizeof *g->calls);
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
        r->args = xcalloc((size_t)f->layout.nparams + 1, sizeof *r->args);
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
    uint64_t now = hr->now, depth_key = frame_key(hr->stack_hi, hr->regs.rsp + 8);  /* at RET as at entry */
    close_unwound(tr, g, depth_key, false, now);
    open_call *top = g->n ? &g->calls[g->n - 1] : NULL;
    if (top && top->depth_key == depth_key && top->fn == fi) {
        trace_fn *f = &tr->fns[fi];
        if (f->layout.result_abi) {
            load_fp(t, hr, tid, f->layout.result_abi, f->layout.nresults);
            top->rec.results = xcalloc((size_t)f->layout.nresults + 1, sizeof *top->rec.results);
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
    if (!g->panicking && tr->npanicking++ == 0 && tr->deferreturn)
        tracer_site_arm(t, tr->deferreturn);
    g->panicking = true;
    g->panic_depth = key;
}

static void panic_end(gobp_target *t, gobp_tracer *tr, g_state *g)
{
    if (g->panicking && --tr->npanicking == 0 && tr->deferreturn)
        tracer_site_disarm(t, tr->deferreturn);
    g->panicking = false;
}

/* The frame that deferred the recover runs deferreturn: every traced call deeper than it
 * was unwound by the recovered panic. */
static void recovered(gobp_target *t, gobp_tracer *tr, g_state *g, uint64_t key)
{
    bool closed = g->n && g->calls[g->n - 1].depth_key >= key;
    close_unwound(tr, g, key, true, tracer_now_ns(tr));
    if (closed)
        panic_end(t, tr, g);
}

static void goexit_close(gobp_tracer *tr, g_state *g)
{
    uint64_t now = tracer_now_ns(tr);
    while (g->n)
        call_finish(tr, g, TRACE_END_GOEXIT, now);
}

/* The g a hit sees: goexit1 forgets it (the g may be reused), copystack(gp, newsize) forgets
 * gp's stack.hi (gp does not run until the copy is done; its next hit reads the new one). */
static bool runtime_hook(gobp_target *t, gobp_tracer *tr, const trace_site *site, hit_regs *hr)
{
    if (site->kind == SITE_EXIT)             /* the records were read while its memory is there */
        return true;
    if (site->kind == SITE_COPY) {           /* runs on the system stack: R14 is g0, RAX is gp */
        goid_forget(tr, hr->regs.rax);
        return true;
    }
    if (site->kind != SITE_GOEXIT)
        return false;
    int64_t goid;
    g_state *g = goid_of(t, tr, hr->regs.r14, &goid, &hr->stack_hi) == 0 ? gstate(tr, goid, false) : NULL;
    if (g) {                                 /* the goroutine is gone */
        goexit_close(tr, g);
        gstate_drop(tr, g);
        if (tr->npanicking == 0 && tr->deferreturn)
            tracer_site_disarm(t, tr->deferreturn);
    }
    goid_forget(tr, hr->regs.r14);
    return true;
}

void tracer_goroutine_event(gobp_target *t, gobp_tracer *tr, pid_t tid, const trace_site *site, hit_regs *hr,
                            int64_t goid)
{
    g_state *g;
    uint64_t key = frame_key(hr->stack_hi, hr->regs.rsp + 8);   /* runtime hooks: at entry */
    switch (site->kind) {
    case SITE_ENTRY:
        trace_entry(t, tr, tid, site->fn, hr, goid);
        break;
    case SITE_RET:
        trace_return(t, tr, tid, site->fn, hr, goid);
        break;
    case SITE_PANIC:
        if ((g = gstate(tr, goid, false)) && g->n)
            panic_start(t, tr, g, key);
        break;
    case SITE_DEFERRETURN:
        if ((g = gstate(tr, goid, false)) && g->panicking)
            recovered(t, tr, g, key);
        break;
    case SITE_GOEXIT_CALL:
        if ((g = gstate(tr, goid, false)))
            goexit_close(tr, g);
        break;
    }
}

hit_verdict trace_site_hit(gobp_target *t, target_hit *h, breaklet *b)
{
    gobp_tracer *tr = t->tracer;
    const trace_site site = *(trace_site *)b->owner;   /* a hit may disarm it */
    hit_regs hr = { .t = t };
    int64_t goid = 0;
    if (!tr || proc_get_regs(t->proc, h->tid, &hr.regs) < 0)
        return HIT_NEXT;
    hr.now = tracer_now_ns(tr);   /* before the program goes on: after its last record, before its next */
    if (tr->fast) {   /* the records written before this hit come first */
        if (site.kind == SITE_COPY || site.kind == SITE_EXIT || goid_of(t, tr, hr.regs.r14, &goid, &hr.stack_hi) < 0)
            goid = 0;
        trace_fast_drain(t, tr, goid);
    }
    hr.regs.rsp += (uint64_t)site.sp_adjust;   /* before an epilogue: as at the RET */
    if (runtime_hook(t, tr, &site, &hr) || goid_of(t, tr, hr.regs.r14, &goid, &hr.stack_hi) < 0)
        return HIT_NEXT;
    if (!tr->opts.goroutine || goid == tr->opts.goroutine)
        tracer_goroutine_event(t, tr, h->tid, &site, &hr, goid);
    return HIT_NEXT;
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
    gobp_tracer *tr = xcalloc(1, sizeof *tr);
    tr->opts = *opts;
    tr->sinks = sinks;
    tr->nsinks = nsinks;
    tr->summary = summary;
    tr->fmt = gobp_format_default;
    tr->fmt.max_string = opts->max_string > 0 ? (size_t)opts->max_string : 64;
    tr->fmt.max_depth = opts->max_depth > 0 ? opts->max_depth : 1;
    clock_gettime(CLOCK_MONOTONIC, &tr->t0);
    tr->fns = xcalloc((size_t)n + 1, sizeof *tr->fns);
    t->tracer = tr;
    tr->generation = t->trace_generation = (t->trace_generation + 1) & ((1u << (32 - SITE_GEN_SHIFT)) - 1);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        trace_fn *f = &tr->fns[tr->nfns];
        f->func = fs[i];
        uint64_t *rets;
        int nrets = target_func_rets(t, fs[i], &rets);
        if (!tracer_site_add(t, tr, fs[i]->entry_pc, tr->nfns, SITE_ENTRY, true)) {
            free(rets);
            failed++;
            continue;
        }
        for (int k = 0; k < nrets; k++)
            tracer_site_add(t, tr, rets[k], tr->nfns, SITE_RET, true);
        free(rets);
        call_layout_init(t->bin, fs[i], &f->layout);
        tr->nfns++;
    }
    static const struct { const char *name; int kind; } hooks[] = {
        { "runtime.goexit1", SITE_GOEXIT }, { "runtime.Goexit", SITE_GOEXIT_CALL },
        { "runtime.gopanic", SITE_PANIC }, { "runtime.copystack", SITE_COPY },
    };
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        const gobp_func *f = binary_func_by_name(t->bin, hooks[i].name);
        if (f)
            tracer_site_add(t, tr, f->entry_pc, -1, hooks[i].kind, true);
    }
    uint64_t exit_pc = binary_symbol_addr(t->bin, "runtime.exit.abi0");
    if (!exit_pc)
        exit_pc = binary_symbol_addr(t->bin, "runtime.exit");
    if (exit_pc && !opts->no_fast_path)   /* the last records are read before the program is gone */
        tracer_site_add(t, tr, exit_pc, -1, SITE_EXIT, true);
    const gobp_func *dr = binary_func_by_name(t->bin, "runtime.deferreturn");
    tr->deferreturn = dr ? tracer_site_add(t, tr, dr->entry_pc, -1, SITE_DEFERRETURN, false) : NULL;
    if (tr->nfns == 0) {
        snprintf(err, errlen, "could not place a trace site on any of the %d functions", n);
        target_trace_stop(t);
        return -1;
    }
    tr->fast_pending = !opts->no_fast_path && target_running(t);   /* then at the next stop */
    if (!opts->no_fast_path && !tr->fast_pending)
        trace_fast_start(t, tr);
    return tr->nfns;
}

void target_trace_fast_pending(gobp_target *t)
{
    gobp_tracer *tr = t->tracer;
    if (tr && tr->fast_pending && !target_running(t)) {
        tr->fast_pending = false;
        trace_fast_start(t, tr);
    }
}

void target_trace_drain(gobp_target *t)
{
    if (t->tracer)
        trace_fast_drain(t, t->tracer, 0);
}

bool target_trace_fast(gobp_target *t, uint64_t *fast_sites, uint64_t *slow_sites)
{
    gobp_tracer *tr = t->tracer;
    *fast_sites = tr ? tr->fast_sites : 0;
    *slow_sites = tr ? tr->slow_sites : 0;
    return tr && tr->fast;
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
    trace_fast_drain(t, tr, -1);
    uint64_t now = tracer_now_ns(tr);
    for (int b = 0; b < G_BUCKETS; b++) {
        while (tr->g[b]) {
            g_state *g = tr->g[b];
            while (g->n)
                call_finish(tr, g, g->panicking ? TRACE_END_PANIC : TRACE_END_UNFINISHED, now);
            gstate_drop(tr, g);
        }
    }
    for (size_t i = 0; i < tr->nsites; i++) {
        if (t->proc)
            tracer_site_disarm(t, tr->sites[i]);
        else
            hitmap_remove(t->hits, &tr->sites[i]->bl);
        free(tr->sites[i]->capture);
        free(tr->sites[i]);
    }
    for (int b = 0; b < G_BUCKETS; b++)
        while (tr->goids[b]) {
            goid_entry *e = tr->goids[b];
            tr->goids[b] = e->next;
            free(e);
        }
    for (int i = 0; i < tr->nfns; i++) {
        call_layout_free(&tr->fns[i].layout);
    }
    trace_fast_stop(tr);
    free(tr->fns);
    free(tr->sites);
    free(tr);
    t->tracer = NULL;
}
