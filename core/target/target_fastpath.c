/* The fast path of conditions: a breakpoint (line, function, handler) whose condition (and hit
 * condition, counted in the program's memory) compiles to machine code and that is alone at
 * its site gets a jump site: the program runs the check itself and traps only when it holds
 * (proc/jump.c, eval/eval_x86.c). What the compiler cannot take keeps the int3 and the
 * debugger's evaluation, with a note. */
#include "target_internal.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFA_MARK 0x100000000000ULL   /* a CFA no variable is near: what is relative to it shows */

typedef struct {
    gobp_target *t;
    const gobp_func *func;
    uint64_t pc;
    int64_t cfa_off;        /* CFA = RSP + cfa_off at pc */
    const eval_expr *cond;  /* NULL: always true */
    uint64_t counter;       /* the hit count in the program (0: no hit condition) */
    eval_count_test test;
    uint64_t n;
} fast_scope;

static const gobp_var *scope_var(const fast_scope *fs, const char *name)
{
    return target_scope_var(fs->t->bin, fs->func, fs->pc, name);
}

static int fast_type_of(void *ctx, const char *name, gobp_type **type)
{
    const gobp_var *v = scope_var(ctx, name);
    *type = v ? v->type : NULL;
    return v ? 0 : -1;
}

/* The piece that holds the 8 bytes at off of the variable, as a register or a stack slot. */
static int fast_locate(void *ctx, const char *name, uint64_t off, eval_x86_loc *out)
{
    const fast_scope *fs = ctx;
    const gobp_var *v = scope_var(fs, name);
    uint64_t regs[17] = { 0 };
    gobp_location loc;
    if (!v || binary_var_location(fs->t->bin, v, fs->pc, CFA_MARK, regs, &loc) < 0)
        return -1;
    int rc = -1;
    uint64_t at = 0;
    for (int i = 0; i < loc.npieces && !loc.deref; i++) {
        const gobp_piece *p = &loc.pieces[i];
        uint32_t size = loc.npieces == 1 ? (uint32_t)v->type->size : p->size;
        if (off < at || off >= at + size) {
            at += size;
            continue;
        }
        if (p->kind == GOBP_PIECE_REG && off == at && (p->reg <= 15 || (p->reg >= 17 && p->reg <= 32))) {
            *out = (eval_x86_loc){ .in_reg = true, .reg = p->reg };
            rc = 0;
        } else if (p->kind == GOBP_PIECE_MEM && p->addr - CFA_MARK + 0x100000 < 0x200000) {
            int64_t from_cfa = (int64_t)(p->addr - CFA_MARK) + (int64_t)(off - at);
            *out = (eval_x86_loc){ .in_reg = false, .rsp_off = fs->cfa_off + from_cfa };
            rc = 0;
        }
        break;
    }
    binary_location_free(&loc);
    return rc;
}

/* The condition, then (when it holds) the hit count: traps only when both say so. */
static int emit_check(void *ctx, uint64_t at, uint64_t on_true, uint64_t on_false, uint8_t *out, size_t cap)
{
    fast_scope *fs = ctx;
    eval_x86_env env = { .ctx = fs, .type_of = fast_type_of, .locate = fast_locate };
    char why[256];
    if (!fs->counter)
        return eval_compile_x86(fs->cond, &env, at, on_true, on_false, out, cap, why, sizeof why);
    int len = 0;
    if (fs->cond) {   /* its length first (rel32 jumps: the same wherever they go), then for real */
        len = eval_compile_x86(fs->cond, &env, at, at, on_false, out, cap, why, sizeof why);
        if (len < 0 || eval_compile_x86(fs->cond, &env, at, at + (uint64_t)len, on_false, out, cap, why, sizeof why) != len)
            return -1;
    }
    int count = eval_compile_x86_count(fs->counter, fs->test, fs->n, at + (uint64_t)len, on_true, on_false,
                                       out + len, cap - (size_t)len);
    return count < 0 ? -1 : len + count;
}

/* Whether len bytes of stack at sp hold a word in (lo, hi): a pc the program would resume at. */
static bool stack_holds_pc(gobp_target *t, uint64_t sp, size_t len, uint64_t lo, uint64_t hi)
{
    if (len > 64 * 1024)
        len = 64 * 1024;   /* a signal stack is 32 KiB */
    uint64_t *words = xmalloc(len + 8);
    while (len >= 8 && proc_read(t->proc, sp, words, len) < 0)
        len /= 2;
    bool found = false;
    for (size_t i = 0; i < len / 8 && !found; i++)
        found = words[i] > lo && words[i] < hi;
    free(words);
    return found;
}

/* A place the program would resume at inside (addr, addr+16), which a JMP written there would
 * cut: the interrupted pc a goroutine stopped by async preemption keeps on its stack (above
 * runtime.asyncPreempt's frame), and the one a thread in a signal handler keeps in the signal
 * frame on its signal stack. Threads stopped there themselves are moved into the copy (proc).
 * Conservative: any such word delays the jump to a later stop. */
static bool resume_pc_inside(gobp_target *t, uint64_t addr)
{
    const gobp_goroutine *gs;
    int n = target_goroutines(t, &gs);
    for (int i = 0; i < n; i++)
        if (!target_goroutine_thread(t, gs[i].goid) && gs[i].sched_sp &&
            stack_holds_pc(t, gs[i].sched_sp, 1024, addr, addr + 16))
            return true;
    pid_t tids[256];
    int nt = target_threads(t, tids, 256);
    for (int i = 0; i < nt && i < 256; i++) {
        uint64_t g_addr;
        gobp_goroutine g;
        struct user_regs_struct regs;
        if (target_thread_g(t, tids[i], &g_addr, &g) == 0 && g.goid == 0 &&   /* on g0 or gsignal */
            proc_get_regs(t->proc, tids[i], &regs) == 0 && regs.rsp >= g.stack_lo && regs.rsp < g.stack_hi &&
            stack_holds_pc(t, regs.rsp, (size_t)(g.stack_hi - regs.rsp), addr, addr + 16))
            return true;
    }
    return nt > 256;   /* more threads than looked at: later */
}

typedef struct { uint64_t lo, hi; bool hit; } branch_probe;

static bool branch_into(void *ctx, const insn_step *in)
{
    branch_probe *b = ctx;
    if ((in->op == INSN_OP_JMP || in->op == INSN_OP_JCC) && in->target > b->lo && in->target < b->hi)
        b->hit = true;
    return !b->hit;
}

int target_jump_place(gobp_target *t, const gobp_func *func, uint64_t addr, int span, gobp_check_emit_fn emit,
                      void *ctx, char *why, size_t whylen)
{
    branch_probe probe = { .lo = addr, .hi = addr + (span ? (uint64_t)span : 16) };
    if (addr + (span ? (uint64_t)span : 24) > func->highpc) {   /* the JMP and what it covers stay inside */
        snprintf(why, whylen, "too close to the end of the function");
        return -1;
    }
    if (target_code_each(t, func->lowpc, func->highpc, 1u << 20, branch_into, &probe) < 0 || probe.hit) {
        snprintf(why, whylen, "code jumps into the instructions after the breakpoint");
        return -1;
    }
    if (resume_pc_inside(t, addr))
        return 1;   /* a goroutine or signal handler would come back in there */
    return proc_site_set_check(t->proc, addr, emit, ctx, why, whylen) < 0 ? -1 : 0;
}

/* Why the condition of bp cannot run in the program at addr; NULL when it does now. */
static const char *place_check(gobp_target *t, gobp_breakpoint *bp, uint64_t addr, char *why, size_t whylen)
{
    fast_scope fs = { .t = t, .func = binary_func_by_pc(t->bin, addr), .pc = addr, .cond = bp->condition_expr,
                      .counter = bp->hit_counter, .test = (eval_count_test)bp->hit_op, .n = bp->hit_n };
    if (!fs.func || binary_cfa_offset(t->bin, addr, &fs.cfa_off) < 0)
        return "no frame information at the breakpoint";
    if (bp->hit_op && !bp->hit_counter)
        return "no memory in the program for the hit count";
    eval_x86_env env = { .ctx = &fs, .type_of = fast_type_of, .locate = fast_locate };
    uint8_t scratch[1024];
    if (fs.cond && eval_compile_x86(fs.cond, &env, 0, 0, 0, scratch, sizeof scratch, why, whylen) < 0)
        return why;
    int placed = target_jump_place(t, fs.func, addr, 0, emit_check, &fs, why, whylen);
    if (placed == 1)
        bp->fast_pending = true;   /* then at the next stop */
    return placed < 0 ? why : NULL;
}

/* The hit count of bp kept in the program's memory (set to bp->hits): one 8-byte word per
 * breakpoint, placed while the program is stopped. */
static void count_in_program(gobp_target *t, gobp_breakpoint *bp)
{
    char err[256];
    pid_t tid = 0;
    if (!bp->hit_op) {
        target_fast_count_sync(t, bp);
        bp->hit_counter = 0;
        return;
    }
    if (!bp->hit_counter && proc_threads(t->proc, &tid, 1) >= 1)
        bp->hit_counter = proc_alloc(t->proc, tid, 8, err, sizeof err);
    if (bp->hit_counter && proc_write(t->proc, bp->hit_counter, &bp->hits, 8) < 0)
        bp->hit_counter = 0;
}

void target_fast_count_sync(gobp_target *t, gobp_breakpoint *bp)
{
    uint64_t counted;
    if (!bp->hit_counter || proc_read(t->proc, bp->hit_counter, &counted, 8) < 0)
        return;
    if (counted > bp->hits)
        bp->hits = counted;
    else if (counted < bp->hits)
        proc_write(t->proc, bp->hit_counter, &bp->hits, 8);
}

void target_fast_condition(gobp_target *t, gobp_breakpoint *bp)
{
    bool checks = bp->condition_expr || bp->hit_op;
    bp->fast_pending = checks && target_running(t);   /* placed at the next stop */
    if (!bp->fast_pending)
        count_in_program(t, bp);
    for (int i = 0; i < bp->naddrs; i++) {
        char why[256], err[1];
        proc_site_set_check(t->proc, bp->addrs[i], NULL, NULL, err, sizeof err);   /* the old check */
        if (!checks || bp->fast_pending)
            continue;
        const char *no = place_check(t, bp, bp->addrs[i], why, sizeof why);
        if (no && !bp->fast_note_said) {
            char text[700];
            snprintf(text, sizeof text, "%s %d: the %s \"%s\" is evaluated by the debugger at each call (%s)\n",
                     bp->kind == BP_HANDLER ? "handler" : "breakpoint", bp->id,
                     bp->condition ? "condition" : "hit condition", bp->condition ? bp->condition : bp->hit_condition, no);
            target_message(t, "console", text);
            bp->fast_note_said = true;
        }
    }
}

void target_fast_pending(gobp_target *t)
{
    for (int i = 0; i < bp_table_count(t->bps); i++) {
        gobp_breakpoint *bp = bp_table_get(t->bps, i);
        if (bp->fast_pending)
            target_fast_condition(t, bp);
    }
    target_trace_fast_pending(t);
}
