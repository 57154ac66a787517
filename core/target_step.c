/* next / step in / step out for one goroutine, with internal breakpoints that only stop
 * that goroutine in that frame (matched by stack.hi - CFA, so stack moves do not matter):
 * every other line of the function, the return address, and for step-in the direct call
 * targets of the current line (found by decoding it with Capstone). */
#include "target_internal.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void target_step_clear(gobp_target *t)
{
    for (int i = bp_table_count(t->bps) - 1; i >= 0; i--) {
        gobp_breakpoint *bp = bp_table_get(t->bps, i);
        if (bp->kind == BP_STEP)
            target_break_delete(t, bp);
    }
}

static void step_bp_add(gobp_target *t, uint64_t pc, int64_t goid, uint64_t depth)
{
    char err[128];
    if (proc_site_add(t->proc, pc, err, sizeof err) < 0)
        return;
    gobp_breakpoint *bp = bp_table_add(t->bps, BP_STEP);
    bp->addrs[0] = pc;
    bp->naddrs = 1;
    bp->verified = true;
    bp->goid = goid;
    bp->frame_depth = depth;
}

/* Direct call targets in [lo, hi): a breakpoint after each callee's stack check. */
static void step_in_calls(gobp_target *t, uint64_t lo, uint64_t hi, int64_t goid)
{
    size_t len = hi - lo;
    if (len == 0 || len > 1 << 16)
        return;
    unsigned char *code = malloc(len);
    csh cs;
    if (proc_read(t->proc, lo, code, len) < 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        free(code);
        return;
    }
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    cs_insn *insn;
    size_t n = cs_disasm(cs, code, len, lo, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        if (insn[i].id != X86_INS_CALL || insn[i].detail->x86.op_count != 1 ||
            insn[i].detail->x86.operands[0].type != X86_OP_IMM)
            continue;
        const gobp_func *f = binary_func_by_pc(t->bin, (uint64_t)insn[i].detail->x86.operands[0].imm);
        if (!f || !f->die_offset || strncmp(f->name, "runtime.", 8) == 0)
            continue;
        step_bp_add(t, f->body_pc ? f->body_pc : f->lowpc, goid, 0);
    }
    if (n)
        cs_free(insn, n);
    cs_close(&cs);
    free(code);
}

/* Breakpoints on every other line of the frame's function; the rest of the current line's
 * block is skipped so the step makes progress. */
static void step_lines(gobp_target *t, const gobp_frame *fr, int64_t goid, uint64_t depth, bool into)
{
    gobp_line_row *rows = NULL;
    int n = binary_line_rows(t->bin, fr->func->lowpc, fr->func->highpc, &rows);
    uint64_t block_lo = fr->pc, block_hi = fr->func->highpc;
    for (int i = 0; i < n; i++) {
        if (rows[i].pc <= fr->pc && rows[i].line == fr->line)
            block_lo = rows[i].pc;
        if (rows[i].pc > fr->pc && rows[i].line != fr->line) {
            block_hi = rows[i].pc;
            break;
        }
    }
    for (int i = 0; i < n; i++) {
        if (rows[i].pc >= block_lo && rows[i].pc < block_hi && rows[i].line == fr->line)
            continue;
        if (i > 0 && rows[i].pc == rows[i - 1].pc)
            continue;
        step_bp_add(t, rows[i].pc, goid, depth);
    }
    free(rows);
    if (into)
        step_in_calls(t, block_lo, block_hi, goid);
}

int target_step(gobp_target *t, int64_t goid, gobp_step_kind kind, char *err, size_t errlen)
{
    gobp_frame fr[2];
    int total = 0;
    int n = target_stack(t, goid, fr, 2, &total);
    const gobp_goroutine *g = target_goroutine(t, goid);
    if (n < 1 || !fr[0].func || !g) {
        snprintf(err, errlen, "cannot step goroutine %lld: it has no stack with source positions",
                 (long long)goid);
        return -1;
    }
    target_step_clear(t);
    if (kind != STEP_OUT && fr[0].line > 0)
        step_lines(t, &fr[0], goid, g->stack_hi - fr[0].cfa, kind == STEP_IN);
    if (n >= 2 && fr[1].func && fr[1].cfa)
        step_bp_add(t, fr[1].pc, goid, g->stack_hi - fr[1].cfa);
    return target_continue(t);
}
