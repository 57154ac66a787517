/* Stops on panics and fatal runtime errors: breakpoints on runtime.fatalpanic (a panic nobody
 * recovers), runtime.gopanic (every panic) and runtime.throw/fatal, the message of the panic
 * read from the runtime's own argument at the stop, and the goroutine the stop shows. */
#include "alloc.h"
#include "eval/eval.h"
#include "target_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *functions[2];
    const char *argument;    /* the panic value, as an expression in the runtime frame */
    const char *kind;
} exceptions[] = {
    [EXC_UNRECOVERED_PANIC] = { { "runtime.fatalpanic", NULL }, "msgs.arg", "panic" },
    [EXC_ANY_PANIC] = { { "runtime.gopanic", NULL }, "e", "panic" },
    [EXC_FATAL] = { { "runtime.throw", "runtime.fatal" }, "s", "fatal error" },
};

gobp_breakpoint *target_break_exception(gobp_target *t, gobp_exception_kind kind)
{
    gobp_breakpoint *bp = bp_table_add(t->bps, BP_EXCEPTION);
    uint64_t pcs[2];
    int n = 0;
    for (int i = 0; i < 2 && exceptions[kind].functions[i]; i++) {
        const gobp_func *f = binary_func_by_name(t->bin, exceptions[kind].functions[i]);
        if (f)
            pcs[n++] = f->body_pc ? f->body_pc : f->lowpc;
    }
    bp->function = xstrdup(exceptions[kind].functions[0]);
    if (n == 0) {
        snprintf(bp->message, sizeof bp->message, "%s is not in this program", exceptions[kind].functions[0]);
        return bp;
    }
    for (int i = 0; i < n; i++)
        target_bp_site_add(t, bp, pcs[i], bp->message, sizeof bp->message);
    bp->verified = bp->naddrs > 0;
    return bp;
}

/* The message of a panic value: a string as is, an error by its text field when it has one
 * (errors.New's s, fmt.Errorf's msg), else the value as the Variables view shows it. The
 * value is an interface: *X is its dynamic value. */
static void panic_message(gobp_target *t, const target_scope *sc, const char *expr, char *msg, size_t msglen)
{
    eval_env env = target_eval_env(sc);
    gobp_memview mv = target_memview(t);
    static const char *const forms[] = { "(*%s).s", "(*%s).msg", "*%s" };
    char err[256], sub[300];
    eval_result r;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(sub, sizeof sub, forms[i], expr);
        if (eval_expression(&env, sub, &r, err, sizeof err) == 0) {
            char *text = eval_result_text(&mv, &r);
            bool is_string = r.kind == EVAL_VALUE && r.value.type && r.value.type->kind == GOBP_KIND_STRING;
            eval_result_free(&r);
            if (is_string && text) {
                size_t len = strlen(text);
                snprintf(msg, msglen, "%.*s", (int)(len >= 2 ? len - 2 : len), len >= 2 ? text + 1 : text);
                free(text);
                return;
            }
            if (i == 2 && text) {   /* the dynamic value, not a string: as the Variables view shows it */
                snprintf(msg, msglen, "%s", text);
                free(text);
                return;
            }
            free(text);
        }
    }
    if (eval_expression(&env, expr, &r, err, sizeof err) < 0) {
        snprintf(msg, msglen, "(the panic value is not readable here: %s)", err);
        return;
    }
    char *text = eval_result_text(&mv, &r);
    bool is_string = r.kind == EVAL_VALUE && r.value.type && r.value.type->kind == GOBP_KIND_STRING;
    size_t len = text ? strlen(text) : 0;
    if (is_string && len >= 2)
        snprintf(msg, msglen, "%.*s", (int)(len - 2), text + 1);
    else
        snprintf(msg, msglen, "%s", text ? text : "?");
    free(text);
    eval_result_free(&r);
}

int target_exception_info(gobp_target *t, int64_t goid, char *kind, size_t kindlen, char *msg, size_t msglen)
{
    gobp_frame fr;
    int total;
    if (goid == t->exc_goid && t->exc_tid)   /* the thread that threw, maybe on a system stack */
        goid = -(int64_t)t->exc_tid;
    if (target_stack(t, goid, &fr, 1, &total) != 1 || !fr.func)
        return -1;
    for (size_t k = 0; k < sizeof exceptions / sizeof exceptions[0]; k++)
        for (int i = 0; i < 2 && exceptions[k].functions[i]; i++)
            if (strcmp(fr.func->name, exceptions[k].functions[i]) == 0) {
                target_scope sc = { .t = t, .goid = goid, .frame = &fr };
                snprintf(kind, kindlen, "%s", exceptions[k].kind);
                panic_message(t, &sc, exceptions[k].argument, msg, msglen);
                return 0;
            }
    return -1;
}

/* The goroutine to show when a deadlock leaves none in charge: goroutine 1 (main) when its
 * stack reaches user code, else the first goroutine whose stack does, else goroutine 1. */
static int64_t stuck_goroutine(gobp_target *t)
{
    const gobp_goroutine *gs;
    int n = target_goroutines(t, &gs);
    const gobp_goroutine *main_g = target_goroutine(t, 1);
    if (main_g && target_is_user_function(target_goroutine_label(t, main_g)))
        return 1;
    for (int i = 0; i < n; i++)
        if (target_is_user_function(target_goroutine_label(t, &gs[i])))
            return gs[i].goid;
    return main_g ? 1 : n > 0 ? gs[0].goid : 0;
}

int64_t target_exception_goroutine(gobp_target *t, pid_t tid)
{
    uint64_t g_addr;
    gobp_goroutine g;
    int64_t goid = 0;
    if (target_thread_g(t, tid, &g_addr, &g) == 0) {
        goid = g.goid;
        uint64_t hi;
        if (goid == 0 && g.m_curg &&    /* g0 or gsignal: the goroutine its M is running */
            goruntime_g_ids(t->rt, proc_mem_read_cb, t->proc, g.m_curg, &goid, &hi) < 0)
            goid = 0;
        if (goid == 0)                   /* no goroutine at all: the scheduler found a deadlock */
            goid = stuck_goroutine(t);
    }
    t->exc_tid = tid;
    t->exc_goid = goid;
    return goid;
}
