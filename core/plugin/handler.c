/* Handler breakpoints: a plugin decides on every call of a Go function (continue, stop,
 * forced return), with the site after the stack check so morestack never repeats a call;
 * exits are caught at the return address and matched to their call by (g, frame_key).
 * A plugin that crashes or hangs is disabled and the program goes on without it. */
#include "alloc.h"
#include "handler_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_HANDLER_TIMEOUT_MS 1000

void target_set_message_fn(gobp_target *t, gobp_message_fn fn, void *ctx)
{
    t->message_fn = fn;
    t->message_ctx = ctx;
}

void target_message(gobp_target *t, const char *category, const char *text)
{
    if (t->message_fn)
        t->message_fn(t->message_ctx, category, text);
    else
        fputs(text, stderr);
}

void target_set_handler_timeout(gobp_target *t, int ms)
{
    t->handler_timeout_ms = ms;
}

static int handler_timeout(gobp_target *t)
{
    return t->handler_timeout_ms > 0 ? t->handler_timeout_ms : DEFAULT_HANDLER_TIMEOUT_MS;
}

/* gobp_log_plugin lines: "[inject.so] text" in the console. */
static void plugin_log_line(void *ctx, const char *line)
{
    char text[1200];
    snprintf(text, sizeof text, "%s%s", line, line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
    target_message(ctx, "console", text);
}

static gobp_handler *handler_new(gobp_target *t, gobp_breakpoint *bp, const gobp_func *f, gobp_plugin *plugin)
{
    gobp_handler *h = xcalloc(1, sizeof *h);
    h->bp = bp;
    h->func = f;
    h->plugin = plugin;
    go_func_package(f->name, h->package, sizeof h->package);
    call_layout_init(t->bin, f, &h->layout);
    return h;
}

/* The handler's plugin, and a site at the entry of each of the nf functions fs. */
static void handler_place(gobp_target *t, gobp_breakpoint *bp, const char *function, const gobp_func **fs, int nf,
                          const char *plugin_path, const char *config)
{
    bool inlined = binary_func_inlined(t->bin, function);
    if (nf == 0) {
        if (inlined)
            snprintf(bp->message, sizeof bp->message, "function %s is inlined everywhere in this optimized build: "
                     "no call reaches a handler (build with -gcflags=all=-l, or mark it //go:noinline)", function);
        else
            snprintf(bp->message, sizeof bp->message, "function %s not found in this program "
                     "(misspelt, removed by the linker as unused, or inlined and folded away)", function);
        return;
    }
    if (!fs[0]->die_offset) {
        snprintf(bp->message, sizeof bp->message, "function %s has no debug information (assembly?)", function);
        return;
    }
    char err[512];
    gobp_plugin *plugin = plugin_load(plugin_path, config, handler_timeout(t), plugin_log_line, t, err, sizeof err);
    if (!plugin) {
        snprintf(bp->message, sizeof bp->message, "%s", err);
        return;
    }
    gobp_handler **tail = &bp->handler;
    for (int i = 0; i < nf; i++) {
        if (!fs[i]->die_offset || target_bp_site_add(t, bp, fs[i]->entry_pc, err, sizeof err) < 0)
            continue;
        *tail = handler_new(t, bp, fs[i], plugin);
        tail = &(*tail)->next;
    }
    if (!bp->handler) {
        snprintf(bp->message, sizeof bp->message, "cannot insert the handler at %s: %s", function, err);
        plugin_unload(plugin, NULL, 0);
        return;
    }
    bp->verified = true;
    bp->found_file = fs[0]->file;
    bp->found_line = fs[0]->line;
    if (inlined) {
        /* verified, on the out-of-line copy; the inlined calls are said, not hidden */
        snprintf(bp->message, sizeof bp->message, "%s is also inlined into some callers in this optimized build: "
                 "those calls do not reach the handler", function);
        char text[1200];
        snprintf(text, sizeof text, "handler on %s\n", bp->message);
        target_message(t, "stderr", text);
    }
}

gobp_breakpoint *target_handler_add(gobp_target *t, const char *function, const char *plugin_path,
                                    const char *config, const char *condition)
{
    gobp_breakpoint *bp = bp_table_add(t->bps, BP_HANDLER);
    bp->function = xstrdup(function);
    const gobp_func **fs;
    int nf = target_funcs_named(t, function, &fs);
    handler_place(t, bp, function, fs, nf, plugin_path, config);
    free(fs);
    char err[700];
    if (bp->verified && condition && *condition)   /* unverified, sites out, when it does not fit */
        target_break_set_conditions(t, bp, condition, NULL, NULL, err, sizeof err);
    return bp;
}

/* A call whose exit is no longer awaited: out of the hit map, the process and the list. */
static void pending_drop(gobp_target *t, pending_exit *pe)
{
    hitmap_remove(t->hits, &pe->bl);
    proc_site_remove(t->proc, pe->ret_addr);
    if (pe->prev)
        pe->prev->next = pe->next;
    else
        t->pending_exits = pe->next;
    if (pe->next)
        pe->next->prev = pe->prev;
    free(pe);
}

void handler_free(gobp_target *t, gobp_breakpoint *bp)
{
    gobp_handler *first = bp->handler;
    if (!first)
        return;
    for (pending_exit *pe = t->pending_exits, *next; pe; pe = next) {
        next = pe->next;
        if (pe->handler->bp == bp)
            pending_drop(t, pe);
    }
    char why[256], text[700];
    if (plugin_unload(first->plugin, why, sizeof why) < 0) {
        snprintf(text, sizeof text, "handler on %s: gobp_plugin_fini failed: %s\n", bp->function, why);
        target_message(t, "stderr", text);
    }
    while (first) {
        gobp_handler *next = first->next;
        call_layout_free(&first->layout);
        free(first);
        first = next;
    }
    bp->handler = NULL;
}

static void handler_disable(gobp_target *t, gobp_handler *h, const char *why)
{
    char text[700];
    for (gobp_handler *x = h->bp->handler; x; x = x->next)
        x->disabled = true;
    target_bp_sites_remove(t, h->bp);
    snprintf(text, sizeof text, "handler on %s (plugin %s) disabled: %s; the program goes on without it\n",
             h->func->name, plugin_path(h->plugin), why);
    target_message(t, "stderr", text);
}

/* stack.hi of the goroutine g (for the frame key of a call). */
static uint64_t g_stack_hi(gobp_target *t, uint64_t g_addr)
{
    int64_t goid;
    uint64_t hi;
    if (!t->rt || !g_addr || goruntime_g_ids(t->rt, proc_mem_read_cb, t->proc, g_addr, &goid, &hi) < 0)
        return 0;
    return hi;
}

static void pending_add(gobp_target *t, gobp_handler *h, host_call *c)
{
    uint64_t ret = 0;
    char err[128];
    if (proc_read(t->proc, c->regs.rsp, &ret, sizeof ret) < 0 || proc_site_add(t->proc, ret, err, sizeof err) < 0)
        return;
    pending_exit *pe = xcalloc(1, sizeof *pe);
    pe->handler = h;
    pe->ret_addr = ret;
    pe->g_addr = c->regs.r14;
    pe->depth = frame_key(g_stack_hi(t, pe->g_addr), c->regs.rsp + 8);   /* at entry CFA = RSP+8 */
    pe->data = c->data;
    pe->hit = c->hit;
    pe->bl = (breaklet){ .addr = ret, .kind = BREAKLET_HANDLER_EXIT, .on_hit = handler_exit_hit, .owner = pe };
    hitmap_add(t->hits, &pe->bl);
    pe->next = t->pending_exits;
    if (pe->next)
        pe->next->prev = pe;
    t->pending_exits = pe;
}

/* The function returns now: results (zero unless the plugin chose them) by the ABI, then
 * RIP = [RSP], RSP += 8. Valid only before the frame is set up (at entry_pc). */
static int force_return(host_call *c)
{
    uint64_t ret = 0;
    if (!c->h->layout.result_abi || host_results_store(c, c->regs.rsp + 8) < 0 ||
        proc_read(target_process(c->t), c->regs.rsp, &ret, sizeof ret) < 0)
        return -1;
    c->regs.rip = ret;
    c->regs.rsp += 8;
    c->regs_dirty = true;
    return host_call_apply(c);
}

/* The plugin decides about one call: a stop, a forced return, or the call runs (its exit
 * awaited when the plugin has gobp_on_exit). */
static void handler_enter(gobp_target *t, target_hit *hit, gobp_handler *h)
{
    gobp_breakpoint *bp = h->bp;
    pid_t tid = hit->tid;
    bp->hits++;
    host_call c;
    host_call_init(&c, t, h, tid, false, bp->hits);
    gobp_action act = GOBP_CONTINUE;
    char why[300];
    if (plugin_call_enter(h->plugin, &c.pub, &act, why, sizeof why) < 0) {
        host_call_finish(&c);
        handler_disable(t, h, why);
        return;
    }
    if (act == GOBP_RETURN) {
        if (force_return(&c) < 0) {
            char text[400];
            snprintf(text, sizeof text, "handler on %s: cannot force the return (%s); the call runs\n", h->func->name,
                     c.err[0] ? c.err : "results this debugger cannot place");
            target_message(t, "stderr", text);
            host_call_apply(&c);
        }
    } else {
        host_call_apply(&c);
        if (plugin_has_exit(h->plugin))
            pending_add(t, h, &c);
        if (act == GOBP_STOP)
            target_hit_add(t, hit, bp->id);
    }
    host_call_finish(&c);
}

static gobp_handler *handler_at(gobp_breakpoint *bp, uint64_t addr)
{
    gobp_handler *h = bp->handler;
    while (h && h->func->entry_pc != addr)
        h = h->next;
    return h;
}

hit_verdict handler_bp_hit(gobp_target *t, target_hit *h, breaklet *b)
{
    gobp_handler *hd = handler_at(b->owner, h->addr);
    if (hd && !hd->disabled && target_bp_condition_holds(t, h->tid, h->addr, b->owner, "the handler runs"))
        handler_enter(t, h, hd);
    return HIT_NEXT;
}

/* The call's exit runs the plugin's gobp_on_exit when this return is the call's: same g,
 * same frame (a recursive call returns to the same address from a deeper frame). */
hit_verdict handler_exit_hit(gobp_target *t, target_hit *hit, breaklet *b)
{
    pending_exit *pe = b->owner;
    struct user_regs_struct regs;
    if (proc_get_regs(t->proc, hit->tid, &regs) < 0 || pe->g_addr != regs.r14)
        return HIT_NEXT;
    if (!hit->r14_stack_hi_read) {    /* once per hit: many calls may return here */
        hit->r14_stack_hi = g_stack_hi(t, regs.r14);
        hit->r14_stack_hi_read = true;
    }
    if (pe->depth != frame_key(hit->r14_stack_hi, regs.rsp))   /* returned: CFA = RSP */
        return HIT_NEXT;
    gobp_handler *h = pe->handler;
    host_call c;
    host_call_init(&c, t, h, hit->tid, true, pe->hit);
    c.data = pe->data;
    char why[300];
    if (!h->disabled && plugin_call_exit(h->plugin, &c.pub, why, sizeof why) < 0) {
        handler_disable(t, h, why);
    } else if (c.results_dirty) {
        host_results_store(&c, c.regs.rsp);
        host_call_apply(&c);
    }
    host_call_finish(&c);
    pending_drop(t, pe);
    return HIT_NEXT;   /* a step or breakpoint at the same return address still gets its hit */
}

/* The handler of the function whose entry is addr, NULL when none. */
static gobp_handler *handler_entry_at(gobp_target *t, uint64_t addr)
{
    for (breaklet *b = hitmap_at(t->hits, addr); b; b = b->next)
        if (b->kind == BREAKLET_HANDLER) {
            gobp_handler *h = handler_at(b->owner, addr);
            if (h)
                return h;
        }
    return NULL;
}

int target_force_return(gobp_target *t, int64_t goid, char *err, size_t errlen)
{
    pid_t tid = target_goroutine_thread(t, goid);
    struct user_regs_struct regs;
    if (!tid || proc_get_regs(t->proc, tid, &regs) < 0) {
        snprintf(err, errlen, "goroutine %lld is not running on a stopped thread", (long long)goid);
        return -1;
    }
    gobp_handler *h = handler_entry_at(t, regs.rip);
    if (!h) {
        snprintf(err, errlen, "goroutine %lld is not stopped at the entry of a function with a handler", (long long)goid);
        return -1;
    }
    host_call c;
    host_call_init(&c, t, h, tid, false, h->bp->hits);
    int rc = force_return(&c);
    host_call_finish(&c);
    if (rc < 0) {
        snprintf(err, errlen, "cannot force %s to return: its results cannot be placed", h->func->name);
        return -1;
    }
    /* the call will not reach its exit: forget it */
    for (breaklet *b = hitmap_at(t->hits, c.regs.rip); b; b = b->next) {
        pending_exit *pe = b->owner;
        if (b->kind == BREAKLET_HANDLER_EXIT && pe->handler == h && pe->g_addr == regs.r14) {
            pending_drop(t, pe);
            break;
        }
    }
    target_invalidate(t);
    return 0;
}
