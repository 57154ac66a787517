/* Tracing without stops: a traced function's entry, and its return just before the epilogue
 * (ADD RSP, n; POP RBP; RET), become jump sites whose code writes a record (the argument or
 * result registers, goroutine, RSP, TSC) into the ring shared with the program; the debugger
 * reads the records later and feeds them to the same call bookkeeping as a hit. A site that
 * cannot take a jump, a value on the stack and every runtime hook keep their int3. */
#include "tracer_internal.h"
#include "alloc.h"
#include "abi/abi_transfer.h"
#include "proc/insn.h"

#include <stdio.h>
#include <string.h>

/* The registers the values' parts sit in, as a capture; false when one is on the stack or
 * they do not fit a record. */
static bool capture_of(const abi_value *vals, int n, ring_capture *rc)
{
    bool ints[ABI_NINT_REGS] = { false }, flts[ABI_NFLOAT_REGS] = { false };
    for (int i = 0; i < n; i++)
        for (int k = 0; k < vals[i].nparts; k++) {
            const abi_part *part = &vals[i].parts[k];
            if (part->where == ABI_STACK)
                return false;
            if (part->where == ABI_INT_REG)
                ints[part->reg] = true;
            else
                flts[part->reg] = true;
        }
    rc->nint = rc->nflt = 0;
    for (int r = 0; r < ABI_NINT_REGS; r++)
        if (ints[r]) {
            if (rc->nint + rc->nflt == RING_WORDS)
                return false;
            rc->ints[rc->nint++] = (int8_t)r;
        }
    for (int r = 0; r < ABI_NFLOAT_REGS; r++)
        if (flts[r]) {
            if (rc->nint + rc->nflt == RING_WORDS)
                return false;
            rc->flts[rc->nflt++] = (int8_t)r;
        }
    return true;
}

typedef struct {
    uint64_t ret;
    insn_step add, pop;      /* the two instructions before the one at hand */
    bool found;
} epilogue;

/* ADD RSP, imm; POP RBP right before the RET: where the jump goes and the frame it pops. */
static bool find_epilogue(void *ctx, const insn_step *in)
{
    epilogue *e = ctx;
    if (in->addr == e->ret) {
        const uint8_t *a = e->add.bytes;
        e->found = e->pop.len == 1 && e->pop.bytes[0] == 0x5d && e->pop.addr + 1 == e->ret &&
                   e->add.addr + e->add.len == e->pop.addr && a[0] == 0x48 && a[2] == 0xc4 &&
                   ((a[1] == 0x83 && e->add.len == 4) || (a[1] == 0x81 && e->add.len == 7));
        return false;
    }
    e->add = e->pop;
    e->pop = *in;
    return true;
}

static int64_t epilogue_frame(const epilogue *e)
{
    const uint8_t *a = e->add.bytes;
    if (a[1] == 0x83)
        return (int8_t)a[3];
    return (int32_t)((uint32_t)a[3] | (uint32_t)a[4] << 8 | (uint32_t)a[5] << 16 | (uint32_t)a[6] << 24);
}

/* Places the record-writing jump at addr for site s; false (the int3 stays) when it cannot. */
static bool place(gobp_target *t, gobp_tracer *tr, trace_site *s, uint64_t addr, int span,
                  const abi_value *vals, int n, int64_t sp_adjust)
{
    const trace_fn *f = &tr->fns[s->fn];
    ring_capture rc = { .site = s->number, .sp_adjust = sp_adjust, .ring = tr->ring->remote };
    char why[256];
    if (!vals || !capture_of(vals, n, &rc) ||
        goruntime_g_offsets(t->rt, &rc.goid_off, &rc.stack_hi_off, &rc.stackguard0_off) < 0 ||
        target_jump_place(t, f->func, addr, span, ring_emit_capture, &rc, why, sizeof why) != 0)
        return false;
    s->fast = true;
    s->capture = xmalloc(sizeof rc);
    *s->capture = rc;
    return true;
}

/* The RET site s as a jump before its epilogue: a new site there, the RET's int3 out. */
static void place_return(gobp_target *t, gobp_tracer *tr, trace_site *s)
{
    const trace_fn *f = &tr->fns[s->fn];
    epilogue e = { .ret = s->bl.addr };
    if (target_code_each(t, f->func->lowpc, s->bl.addr + 1, 1u << 20, find_epilogue, &e) < 0 || !e.found)
        return;
    int len = e.add.len + 1;
    uint64_t at = s->bl.addr - (uint64_t)len;
    int64_t adjust = epilogue_frame(&e) + 8;   /* at the RET: the frame and the saved RBP popped */
    trace_site *pre = tracer_site_add(t, tr, at, s->fn, SITE_RET, true);
    if (!pre || pre->kind != SITE_RET || pre->fn != s->fn)
        return;
    pre->sp_adjust = adjust;
    if (place(t, tr, pre, at, len, f->layout.result_abi, f->layout.nresults, adjust)) {
        tracer_site_disarm(t, s);
    } else {
        tracer_site_disarm(t, pre);
    }
}

/* ---- code a vfork child runs ---- */

/* A vfork child runs the program's code in the program's memory, with its registers and g:
 * its calls would write records as the program's. Only the int3 tells a child from the
 * program (by thread), so the functions those children call keep it. */
typedef struct { uint64_t *pcs; size_t n, cap; } pc_set;

static bool pc_set_has(const pc_set *s, uint64_t pc)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->pcs[i] == pc)
            return true;
    return false;
}

static bool collect_call(void *ctx, const insn_step *in)
{
    pc_set *s = ctx;
    if (in->op == INSN_OP_CALL && in->target && !pc_set_has(s, in->target)) {
        if (s->n == s->cap)
            s->pcs = xrealloc(s->pcs, (s->cap = s->cap ? 2 * s->cap : 64) * sizeof *s->pcs);
        s->pcs[s->n++] = in->target;
    }
    return true;
}

/* The entries of every function called, directly and up to 4 calls deep, from where Go's
 * vfork children run (forkAndExecInChild1, doCheckClonePidfd). */
static pc_set vfork_child_code(gobp_target *t)
{
    static const char *const roots[] = { "syscall.forkAndExecInChild1", "syscall.doCheckClonePidfd" };
    pc_set s = { 0 };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        const gobp_func *f = binary_func_by_name(t->bin, roots[i]);
        if (f)
            target_code_each(t, f->lowpc, f->highpc, 1u << 20, collect_call, &s);
    }
    for (int depth = 1, from = 0; depth < 4; depth++) {
        size_t upto = s.n;
        for (size_t i = (size_t)from; i < upto; i++) {
            const gobp_func *f = binary_func_by_pc(t->bin, s.pcs[i]);
            if (f)
                target_code_each(t, f->lowpc, f->highpc, 1u << 20, collect_call, &s);
        }
        from = (int)upto;
    }
    return s;
}

void trace_fast_start(gobp_target *t, gobp_tracer *tr)
{
    char err[256];
    pid_t tid = 0;
    if (!t->rt || target_running(t) || proc_threads(t->proc, &tid, 1) < 1)
        return;
    if (!t->trace_ring) {   /* one per process: a ring stays mapped in the program for good */
        t->trace_ring = xcalloc(1, sizeof *t->trace_ring);
        if (ring_open(t->trace_ring, t->proc, tid, err, sizeof err) < 0) {
            free(t->trace_ring);
            t->trace_ring = NULL;
            return;
        }
    }
    tr->ring = t->trace_ring;
    tr->fast = true;
    pc_set child = vfork_child_code(t);
    size_t n = tr->nsites;   /* place_return adds sites */
    for (size_t i = 0; i < n; i++) {
        trace_site *s = tr->sites[i];
        if (s->fn < 0 || !s->armed)
            continue;
        const trace_fn *f = &tr->fns[s->fn];
        size_t len = strlen(f->func->name);
        if (pc_set_has(&child, f->func->lowpc) || (len > 5 && strcmp(f->func->name + len - 5, ".abi0") == 0))
            continue;   /* a vfork child's code; assembly, where R14 need not hold the g */
        if (s->kind == SITE_ENTRY)
            place(t, tr, s, s->bl.addr, 0, f->layout.arg_abi,
                  f->layout.nparams ? f->layout.param_abi[f->layout.nparams - 1] + 1 : 0, 0);
        else if (s->kind == SITE_RET)
            place_return(t, tr, s);
    }
    free(child.pcs);
    for (size_t i = 0; i < tr->nsites; i++) {
        const trace_site *s = tr->sites[i];
        if (s->fn >= 0 && s->armed)
            s->fast ? tr->fast_sites++ : tr->slow_sites++;
    }
}

/* ---- reading the records ---- */

typedef struct { gobp_memview program; const ring_record *rec; size_t len; } record_mem;

/* Memory as the record saw it: its stack copy, the program's memory around it. */
static int record_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    const record_mem *m = ctx;
    uint64_t lo = m->rec->sp, hi = lo + m->len;
    if (addr >= lo && addr + len <= hi) {
        memcpy(buf, m->rec->stack + (addr - lo), len);
        return 0;
    }
    if (m->program.read(m->program.ctx, addr, buf, len) < 0)
        return -1;
    uint64_t from = addr > lo ? addr : lo, to = addr + len < hi ? addr + len : hi;
    if (from < to)
        memcpy((uint8_t *)buf + (from - addr), m->rec->stack + (from - lo), to - from);
    return 0;
}

static void record_event(gobp_target *t, gobp_tracer *tr, const ring_record *rec)
{
    uint32_t index = rec->site & ((1u << SITE_GEN_SHIFT) - 1);
    const trace_site *s = rec->site >> SITE_GEN_SHIFT == tr->generation && index < tr->nsites ? tr->sites[index] : NULL;
    const ring_capture *rc = s ? s->capture : NULL;
    if (!rc)
        return;
    record_mem mem = { target_memview(t), rec, ring_stack_len(rec) };
    gobp_memview mv = { record_read, &mem, t->bin };
    hit_regs hr = { .t = t, .stack_hi = rec->stack_hi, .fp_loaded = true, .mem = &mv };
    hr.regs.rsp = rec->sp;
    hr.now = tracer_ns_since_start(tr, ring_time_ns(tr->ring, rec->tsc));
    for (int i = 0; i < rc->nint; i++)
        *user_reg_by_dwarf(&hr.regs, abi_int_reg_dwarf(rc->ints[i])) = rec->words[i];
    for (int i = 0; i < rc->nflt; i++)
        memcpy((unsigned char *)hr.fp.xmm_space + 16 * rc->flts[i], &rec->words[rc->nint + i], 8);
    if (!tr->opts.goroutine || rec->goid == tr->opts.goroutine)
        tracer_goroutine_event(t, tr, 0, s, &hr, rec->goid);
}

typedef struct { gobp_target *t; gobp_tracer *tr; int64_t goid; } ahead_ctx;

static bool of_goroutine(void *ctx, const ring_record *rec)
{
    int64_t goid = ((ahead_ctx *)ctx)->goid;
    return goid < 0 || rec->goid == goid;
}

static void ahead_event(void *ctx, const ring_record *rec)
{
    ahead_ctx *a = ctx;
    record_event(a->t, a->tr, rec);
}

void trace_fast_drain(gobp_target *t, gobp_tracer *tr, int64_t goid)
{
    ring_record *rec;
    if (!tr->fast)
        return;
    while ((rec = ring_next(tr->ring))) {
        record_event(t, tr, rec);
        ring_release(tr->ring);
    }
    if (goid) {   /* an older record of another goroutine is still being written */
        ahead_ctx a = { t, tr, goid };
        ring_take_ahead(tr->ring, of_goroutine, ahead_event, &a);
    }
}

void trace_fast_stop(gobp_tracer *tr)
{
    tr->ring = NULL;
    tr->fast = false;
}

void target_trace_ring_free(gobp_target *t)
{
    if (t->trace_ring)
        ring_close(t->trace_ring);
    free(t->trace_ring);
    t->trace_ring = NULL;
}
