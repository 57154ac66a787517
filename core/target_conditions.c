/* Conditional breakpoints, hit conditions and log points, decided at the hit without
 * stopping the other threads: the expression is evaluated in the trapped thread's frame. */
#include "eval.h"
#include "target_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

/* "5" (== 5), "== 5", ">= 5", "> 5", "< 5", "<= 5", "% 5" (every 5th). */
static int parse_hit_condition(const char *s, char op[3], uint64_t *n)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t k = 0;
    while (k < 2 && strchr("=<>%!", s[k]))
        k++;
    memcpy(op, s, k);
    op[k] = 0;
    if (k == 0)
        strcpy(op, "==");
    char *end;
    unsigned long long v = strtoull(s + k, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s + k || *end)
        return -1;
    *n = v;
    return strcmp(op, "==") && strcmp(op, ">=") && strcmp(op, ">") && strcmp(op, "<") && strcmp(op, "<=") &&
           strcmp(op, "%") ? -1 : 0;
}

int target_break_set_conditions(gobp_target *t, gobp_breakpoint *bp, const char *condition,
                                const char *hit_condition, const char *log_message, char *err, size_t errlen)
{
    char op[3];
    uint64_t n;
    if (hit_condition && *hit_condition && parse_hit_condition(hit_condition, op, &n) < 0) {
        snprintf(err, errlen, "hit condition \"%s\": expected a count such as 5, == 5, >= 5 or %% 5", hit_condition);
        for (int i = 0; i < bp->naddrs; i++)
            proc_site_remove(t->proc, bp->addrs[i]);
        bp->naddrs = 0;
        bp->verified = false;
        snprintf(bp->message, sizeof bp->message, "%s", err);
        return -1;
    }
    free(bp->condition);
    free(bp->hit_condition);
    free(bp->log_message);
    bp->condition = dup_or_null(condition);
    bp->hit_condition = dup_or_null(hit_condition);
    bp->log_message = dup_or_null(log_message);
    bp->condition_error_said = false;
    return 0;
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
    binary_pc_to_line(t->bin, addr, &fr->file, &fr->line);
    return fr->func != NULL;
}

static bool hit_condition_met(const gobp_breakpoint *bp)
{
    char op[3];
    uint64_t n;
    if (!bp->hit_condition || parse_hit_condition(bp->hit_condition, op, &n) < 0)
        return true;
    uint64_t h = bp->hits;
    if (strcmp(op, "%") == 0)
        return n && h % n == 0;
    return strcmp(op, "==") == 0 ? h == n : strcmp(op, ">=") == 0 ? h >= n : strcmp(op, ">") == 0 ? h > n
         : strcmp(op, "<") == 0 ? h < n : h <= n;
}

/* "x is {x}, y is {p.Name}" with each {expr} evaluated. */
static void log_point(gobp_target *t, const eval_scope *sc, const char *msg)
{
    size_t cap = strlen(msg) + 256, n = 0;
    char *out = malloc(cap);
    for (const char *p = msg; *p;) {
        char piece[1024];
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            char expr[512], err[256];
            snprintf(expr, sizeof expr, "%.*s", (int)(close - p - 1), p + 1);
            eval_result r;
            if (eval_expression(sc, expr, &r, err, sizeof err) == 0) {
                char *text = eval_result_text(t, &r);
                snprintf(piece, sizeof piece, "%s", text ? text : "?");
                free(text);
                eval_result_free(&r);
            } else {
                snprintf(piece, sizeof piece, "{%s: %s}", expr, err);
            }
            p = close + 1;
        } else {
            piece[0] = *p++;
            piece[1] = 0;
        }
        size_t len = strlen(piece);
        if (n + len + 2 > cap)
            out = realloc(out, cap = (n + len + 2) * 2);
        memcpy(out + n, piece, len);
        n += len;
    }
    out[n++] = '\n';
    out[n] = 0;
    target_message(t, "console", out);
    free(out);
}

bool target_bp_hit_stops(gobp_target *t, pid_t tid, uint64_t addr, gobp_breakpoint *bp)
{
    gobp_frame fr;
    eval_scope sc = { .t = t, .goid = -(int64_t)tid, .frame = &fr };
    bool have_frame = (bp->condition || bp->log_message) && thread_frame(t, tid, addr, &fr);
    if (bp->condition) {
        char err[512] = "no frame here";
        eval_result r;
        int truth = -1;
        if (have_frame && eval_expression(&sc, bp->condition, &r, err, sizeof err) == 0) {
            truth = eval_truth(t, &r, err, sizeof err);
            eval_result_free(&r);
        }
        if (truth == 0)
            return false;
        if (truth < 0 && !bp->condition_error_said) {   /* a broken condition stops, once said */
            char text[800];
            snprintf(text, sizeof text, "breakpoint %d: condition \"%s\" cannot be evaluated: %s; stopping\n", bp->id,
                     bp->condition, err);
            target_message(t, "stderr", text);
            bp->condition_error_said = true;
        }
    }
    bp->hits++;
    if (!hit_condition_met(bp))
        return false;
    if (bp->log_message) {
        if (have_frame)
            log_point(t, &sc, bp->log_message);
        return false;
    }
    return true;
}
