/* Conditional breakpoints, hit conditions and log points: compiled and checked against every
 * location's scope when set, then decided at the hit without stopping the other threads (the
 * compiled forms are evaluated in the trapped thread's frame). */
#include "target_internal.h"
#include "alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "5" (== 5), "== 5", ">= 5", "> 5", "< 5", "<= 5", "% 5" (every 5th). */
static int parse_hit_condition(const char *s, int *op, uint64_t *n)
{
    static const struct { const char *text; int op; } ops[] = {
        { "==", EVAL_COUNT_EQ }, { ">=", EVAL_COUNT_GE }, { "<=", EVAL_COUNT_LE }, { ">", EVAL_COUNT_GT }, { "<", EVAL_COUNT_LT }, { "%", EVAL_COUNT_MOD },
    };
    while (isspace((unsigned char)*s))
        s++;
    *op = EVAL_COUNT_EQ;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strncmp(s, ops[i].text, strlen(ops[i].text)) == 0) {
            *op = ops[i].op;
            s += strlen(ops[i].text);
            break;
        }
    while (isspace((unsigned char)*s))
        s++;
    char *end;
    if (!isdigit((unsigned char)*s))
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *n = v;
    return 0;
}

static bool hit_condition_met(const gobp_breakpoint *bp)
{
    uint64_t h = bp->hits, n = bp->hit_n;
    switch (bp->hit_op) {
    case EVAL_COUNT_EQ: return h == n;
    case EVAL_COUNT_GE: return h >= n;
    case EVAL_COUNT_GT: return h > n;
    case EVAL_COUNT_LT: return h < n;
    case EVAL_COUNT_LE: return h <= n;
    case EVAL_COUNT_MOD: return n && h % n == 0;
    default: return true;
    }
}

/* Checks x (a condition: want_bool) or tmpl at every location of bp. 0, or -1 with err. */
static int check_at_locations(gobp_target *t, const gobp_breakpoint *bp, const eval_expr *x, const eval_template *tmpl,
                              char *err, size_t errlen)
{
    for (int i = 0; i < bp->naddrs; i++) {
        target_static_scope sc = { t->bin, binary_func_by_pc(t->bin, bp->addrs[i]), bp->addrs[i] };
        eval_env env = target_static_env(&sc);
        char why[512];
        if ((x ? eval_check(x, &env, true, why, sizeof why) : eval_template_check(tmpl, &env, why, sizeof why)) < 0) {
            snprintf(err, errlen, "%s (at %s)", why, sc.func ? sc.func->name : "?");
            return -1;
        }
    }
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

int target_break_set_conditions(gobp_target *t, gobp_breakpoint *bp, const char *condition,
                                const char *hit_condition, const char *log_message, char *err, size_t errlen)
{
    int op = EVAL_COUNT_NONE;
    uint64_t n = 0;
    eval_expr *cond = NULL;
    eval_template *tmpl = NULL;
    char why[600];
    bool bad = true;
    if (hit_condition && *hit_condition && parse_hit_condition(hit_condition, &op, &n) < 0)
        snprintf(err, errlen, "hit condition \"%s\": expected a count such as 5, == 5, >= 5 or %% 5", hit_condition);
    else if (condition && *condition && !(cond = eval_parse(condition, why, sizeof why)))
        snprintf(err, errlen, "condition \"%s\" does not parse: %s", condition, why);
    else if (cond && check_at_locations(t, bp, cond, NULL, why, sizeof why) < 0)
        snprintf(err, errlen, "condition \"%s\": %s", condition, why);
    else if (log_message && *log_message && !(tmpl = eval_template_parse(log_message, why, sizeof why)))
        snprintf(err, errlen, "log message \"%s\" does not parse: %s", log_message, why);
    else if (tmpl && check_at_locations(t, bp, NULL, tmpl, why, sizeof why) < 0)
        snprintf(err, errlen, "log message \"%s\": %s", log_message, why);
    else
        bad = false;
    if (bad) {
        eval_expr_free(cond);
        eval_template_free(tmpl);
        target_bp_sites_remove(t, bp);
        bp->verified = false;
        snprintf(bp->message, sizeof bp->message, "%s", err);
        return -1;
    }
    free(bp->condition);
    free(bp->hit_condition);
    free(bp->log_message);
    eval_expr_free(bp->condition_expr);
    eval_template_free(bp->log_template);
    bp->condition = dup_or_null(condition);
    bp->hit_condition = dup_or_null(hit_condition);
    bp->log_message = dup_or_null(log_message);
    bp->condition_expr = cond;
    bp->log_template = tmpl;
    bp->hit_op = op;
    bp->hit_n = n;
    bp->condition_error_said = false;
    target_fast_condition(t, bp);
    return 0;
}

static bool same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool target_break_same_conditions(const gobp_breakpoint *bp, const char *condition, const char *hit_condition,
                                  const char *log_message)
{
    return same_text(bp->condition, condition) && same_text(bp->hit_condition, hit_condition) &&
           same_text(bp->log_message, log_message);
}

/* The frame of a trapped thread (all its registers are known). */
static bool thread_frame(gobp_target *t, pid_t tid, uint64_t addr, gobp_frame *fr)
{
    struct user_regs_struct regs;
    int64_t off;
    memset(fr, 0, sizeof *fr);
    if (proc_get_regs(t->proc, tid, &regs) < 0 || binary_cfa_offset(t->bin, addr, &off) < 0)
        return false;
    fr->pc = addr;
    fr->lookup_pc = addr;
    fr->sp = regs.rsp;
    fr->cfa = regs.rsp + (uint64_t)off;
    fr->func = binary_func_by_pc(t->bin, addr);
    fr->has_regs = true;
    return fr->func != NULL;
}

/* The condition of bp at a hit of tid at addr, evaluated in the trapped thread's frame. */
static bool condition_holds(gobp_target *t, pid_t tid, uint64_t addr, gobp_breakpoint *bp, const eval_env *env,
                            bool have_frame, const char *on_error)
{
    char err[512] = "no frame here";
    eval_result r;
    int truth = -1;
    if (have_frame && eval_run(bp->condition_expr, env, &r, err, sizeof err) == 0) {
        truth = eval_truth(&env->mem, &r, err, sizeof err);
        eval_result_free(&r);
    }
    if (truth < 0 && !bp->condition_error_said) {   /* a run-time error (nil, out of range): true, once said */
        char text[800];
        snprintf(text, sizeof text, "%s %d: condition \"%s\" cannot be evaluated: %s; %s\n",
                 bp->kind == BP_HANDLER ? "handler" : "breakpoint", bp->id, bp->condition, err, on_error);
        target_message(t, "stderr", text);
        bp->condition_error_said = true;
    }
    return truth != 0;
}

bool target_bp_condition_holds(gobp_target *t, pid_t tid, uint64_t addr, gobp_breakpoint *bp, const char *on_error)
{
    if (!bp->condition_expr)
        return true;
    gobp_frame fr;
    target_scope sc = { .t = t, .goid = -(int64_t)tid, .frame = &fr };
    eval_env env = target_eval_env(&sc);
    return condition_holds(t, tid, addr, bp, &env, thread_frame(t, tid, addr, &fr), on_error);
}

/* A line/function/exception breakpoint hit by tid: condition, hit count and log message
 * decide whether it stops. Counts the hit. */
static bool bp_hit_stops(gobp_target *t, pid_t tid, uint64_t addr, gobp_breakpoint *bp)
{
    gobp_frame fr;
    target_scope sc = { .t = t, .goid = -(int64_t)tid, .frame = &fr };
    eval_env env = target_eval_env(&sc);
    bool have_frame = (bp->condition_expr || bp->log_template) && thread_frame(t, tid, addr, &fr);
    if (bp->condition_expr && !condition_holds(t, tid, addr, bp, &env, have_frame, "stopping"))
        return false;
    bp->hits++;
    target_fast_count_sync(t, bp);
    if (!hit_condition_met(bp))
        return false;
    if (bp->log_template) {
        if (have_frame) {
            char *text = eval_template_render(bp->log_template, &env);
            target_message(t, "console", text);
            free(text);
        }
        return false;
    }
    return true;
}

hit_verdict user_bp_hit(gobp_target *t, target_hit *h, breaklet *b)
{
    gobp_breakpoint *bp = b->owner;
    if (bp->at_return)   /* an exit breakpoint: its condition and the stop see the results */
        target_returned_capture(t, h->tid, target_hit_g(t, h) == 0 ? h->g.goid : 0, h->addr,
                                binary_func_by_pc(t->bin, h->addr), true);
    if (bp_hit_stops(t, h->tid, h->addr, bp)) {
        t->hit_is_exception |= bp->kind == BP_EXCEPTION;
        target_hit_add(t, h, bp->id);
    }
    return HIT_NEXT;
}
