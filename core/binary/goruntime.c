/* Reads the Go runtime's goroutine table (runtime.allgs) and each g's state from target memory.
 * Every offset is resolved once from DWARF's runtime.g / runtime.gobuf / runtime.m / runtime.stack;
 * atomicstatus may be a plain uint32 (<= Go 1.19) or an atomic.Uint32 struct (>= 1.20). */
#include "goruntime.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int64_t off; uint32_t size; } field_loc;

struct gobp_goruntime {
    gobp_binary *bin;
    uint64_t allgs_addr;
    uint64_t g_span;                     /* bytes of a g we read at once */
    field_loc goid, status, waitreason, sched_pc, sched_sp, sched_bp, syscallpc, syscallsp,
              stack_lo, stack_hi, stackguard0, startpc, gopc, labels, m;
    field_loc m_procid, m_g0, m_curg;
    uint64_t m_span;
    uint64_t wait_strings_addr;          /* runtime.waitReasonStrings ([N]string) */
    int64_t wait_strings_len;
    bool wait_strings_done;
};

/* Offset of a dotted field path inside t ("sched.pc", "atomicstatus.value"). */
static int field_path(gobp_type *t, const char *path, field_loc *out)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    int64_t off = 0;
    gobp_type *cur = t;
    for (char *save = NULL, *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
        if (!cur)
            return -1;
        const gobp_type_field *f = type_field(cur, part);
        if (!f)
            return -1;
        off += (int64_t)f->offset;
        cur = f->type;
    }
    out->off = off;
    out->size = cur ? (uint32_t)cur->size : 8;
    return 0;
}

/* atomicstatus: uint32 or struct { noCopy; value uint32 }. */
static int status_field(gobp_type *g, field_loc *out)
{
    if (field_path(g, "atomicstatus", out) < 0)
        return -1;
    const gobp_type_field *f = type_field(g, "atomicstatus");
    if (f->type && f->type->kind == GOBP_KIND_STRUCT)
        return field_path(g, "atomicstatus.value", out);
    return 0;
}

static void span_grow(uint64_t *span, const field_loc *f)
{
    if (f->off >= 0 && (uint64_t)f->off + f->size > *span)
        *span = (uint64_t)f->off + f->size;
}

gobp_goruntime *goruntime_new(gobp_binary *bin, char *err, size_t errlen)
{
    gobp_type *g = binary_type_by_name(bin, "runtime.g");
    gobp_type *m = binary_type_by_name(bin, "runtime.m");
    uint64_t allgs = binary_symbol_addr(bin, "runtime.allgs");   /* the symbol: no walk of every global */
    if (!g || !m || !allgs) {
        snprintf(err, errlen, "this binary has no Go runtime type information (runtime.g, runtime.m, runtime.allgs)");
        return NULL;
    }
    gobp_goruntime *rt = xcalloc(1, sizeof *rt);
    rt->bin = bin;
    rt->allgs_addr = allgs;
    int bad = 0;
    bad |= field_path(g, "goid", &rt->goid);
    bad |= status_field(g, &rt->status);
    bad |= field_path(g, "sched.pc", &rt->sched_pc);
    bad |= field_path(g, "sched.sp", &rt->sched_sp);
    bad |= field_path(g, "sched.bp", &rt->sched_bp);
    bad |= field_path(g, "stack.lo", &rt->stack_lo);
    bad |= field_path(g, "stack.hi", &rt->stack_hi);
    bad |= field_path(g, "m", &rt->m);
    bad |= field_path(m, "procid", &rt->m_procid);
    if (bad) {
        snprintf(err, errlen, "unexpected layout of runtime.g/runtime.m in this binary's DWARF");
        free(rt);
        return NULL;
    }
    /* Optional fields: keep going without them. */
    field_loc none = { -1, 0 };
    if (field_path(g, "waitreason", &rt->waitreason) < 0) rt->waitreason = none;
    if (field_path(g, "syscallpc", &rt->syscallpc) < 0) rt->syscallpc = none;
    if (field_path(g, "syscallsp", &rt->syscallsp) < 0) rt->syscallsp = none;
    if (field_path(g, "startpc", &rt->startpc) < 0) rt->startpc = none;
    if (field_path(g, "stackguard0", &rt->stackguard0) < 0) rt->stackguard0 = none;
    if (field_path(g, "gopc", &rt->gopc) < 0) rt->gopc = none;
    if (field_path(g, "labels", &rt->labels) < 0) rt->labels = none;
    if (field_path(m, "g0", &rt->m_g0) < 0) rt->m_g0 = none;
    if (field_path(m, "curg", &rt->m_curg) < 0) rt->m_curg = none;
    const field_loc *all[] = { &rt->goid, &rt->status, &rt->waitreason, &rt->sched_pc, &rt->sched_sp,
                               &rt->sched_bp, &rt->syscallpc, &rt->syscallsp, &rt->stack_lo,
                               &rt->stack_hi, &rt->startpc, &rt->gopc, &rt->labels, &rt->m };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        span_grow(&rt->g_span, all[i]);
    span_grow(&rt->m_span, &rt->m_procid);
    span_grow(&rt->m_span, &rt->m_curg);
    return rt;
}

void goruntime_free(gobp_goruntime *rt)
{
    free(rt);
}

static uint64_t load(const unsigned char *buf, const field_loc *f)
{
    if (f->off < 0)
        return 0;
    uint64_t v = 0;
    memcpy(&v, buf + f->off, f->size > 8 ? 8 : f->size);
    return v;
}

static void decode_g(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t g_addr, const unsigned char *buf,
                     gobp_goroutine *g);

int goruntime_read_g(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t g_addr, gobp_goroutine *g)
{
    unsigned char buf[4096];
    if (rt->g_span > sizeof buf || read(ctx, g_addr, buf, rt->g_span) < 0)
        return -1;
    decode_g(rt, read, ctx, g_addr, buf, g);
    return 0;
}

/* Fills g from the g_span bytes of its struct (and its m's thread id, one read when it has one). */
static void decode_g(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t g_addr, const unsigned char *buf,
                     gobp_goroutine *g)
{
    memset(g, 0, sizeof *g);
    g->g_addr = g_addr;
    g->goid = (int64_t)load(buf, &rt->goid);
    g->status = (uint32_t)load(buf, &rt->status) & ~0x1000u;
    g->wait_reason = (uint8_t)load(buf, &rt->waitreason);
    g->sched_pc = load(buf, &rt->sched_pc);
    g->sched_sp = load(buf, &rt->sched_sp);
    g->sched_bp = load(buf, &rt->sched_bp);
    g->syscall_pc = load(buf, &rt->syscallpc);
    g->syscall_sp = load(buf, &rt->syscallsp);
    g->stack_lo = load(buf, &rt->stack_lo);
    g->stack_hi = load(buf, &rt->stack_hi);
    g->start_pc = load(buf, &rt->startpc);
    g->labels = load(buf, &rt->labels);
    g->go_pc = load(buf, &rt->gopc);
    g->m_addr = load(buf, &rt->m);
    if (g->m_addr && g->status != G_DEAD) {
        unsigned char mbuf[512];
        if (rt->m_span <= sizeof mbuf && read(ctx, g->m_addr, mbuf, rt->m_span) == 0) {
            g->m_procid = (int64_t)load(mbuf, &rt->m_procid);
            g->m_curg = load(mbuf, &rt->m_curg);
        }
    }
}

static bool g_listed(const gobp_goroutine *g)
{
    return g->status != G_DEAD && g->status != G_IDLE && g->goid != 0;
}

int goruntime_goroutines(gobp_goruntime *rt, gobp_mem_read_fn read, gobp_mem_readv_fn readv, void *ctx,
                         gobp_goroutine **out)
{
    uint64_t hdr[2];
    *out = NULL;
    if (read(ctx, rt->allgs_addr, hdr, sizeof hdr) < 0)
        return -1;
    uint64_t ptrs = hdr[0], n = hdr[1];
    if (!ptrs || n == 0)
        return 0;
    if (n > 10000000 || rt->g_span > 4096)
        return -1;
    uint64_t *gs = xmalloc(n * sizeof *gs);
    if (read(ctx, ptrs, gs, n * sizeof *gs) < 0) {
        free(gs);
        return -1;
    }
    gobp_goroutine *list = xcalloc(n, sizeof *list);
    unsigned char *bufs = xmalloc(n * rt->g_span);
    gobp_mem_req *reqs = xcalloc(n, sizeof *reqs);
    for (uint64_t i = 0; i < n; i++)
        reqs[i] = (gobp_mem_req){gs[i], bufs + i * rt->g_span, rt->g_span, false};
    if (readv)
        readv(ctx, reqs, n);
    else
        for (uint64_t i = 0; i < n; i++)
            reqs[i].ok = gs[i] && read(ctx, gs[i], reqs[i].buf, rt->g_span) == 0;
    int count = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (!gs[i] || !reqs[i].ok)
            continue;
        decode_g(rt, read, ctx, gs[i], reqs[i].buf, &list[count]);
        if (g_listed(&list[count]))
            count++;
    }
    free(reqs);
    free(bufs);
    free(gs);
    *out = list;
    return count;
}

int goruntime_g_ids(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t g_addr,
                    int64_t *goid, uint64_t *stack_hi)
{
    int64_t lo = rt->goid.off < rt->stack_hi.off ? rt->goid.off : rt->stack_hi.off;
    int64_t hi = (rt->goid.off > rt->stack_hi.off ? rt->goid.off : rt->stack_hi.off) + 8;
    unsigned char buf[4096];
    if (!g_addr || hi - lo > (int64_t)sizeof buf || read(ctx, g_addr + (uint64_t)lo, buf, (size_t)(hi - lo)) < 0)
        return -1;
    memcpy(goid, buf + rt->goid.off - lo, 8);
    memcpy(stack_hi, buf + rt->stack_hi.off - lo, 8);
    return 0;
}

int goruntime_g_offsets(const gobp_goruntime *rt, int64_t *goid_off, int64_t *stack_hi_off, int64_t *stackguard0_off)
{
    *goid_off = rt->goid.off;
    *stack_hi_off = rt->stack_hi.off;
    *stackguard0_off = rt->stackguard0.off;
    return rt->goid.off >= 0 && rt->stack_hi.off >= 0 && rt->stackguard0.off >= 0 ? 0 : -1;
}

uint64_t goruntime_thread_g(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t fs_base)
{
    uint64_t g = 0;
    if (!fs_base || read(ctx, fs_base - 8, &g, sizeof g) < 0)
        return 0;
    return g;
}

int goruntime_m_cgo(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t m_addr,
                    uint64_t *g0_sched_sp, uint64_t *curg)
{
    uint64_t g0 = 0;
    *g0_sched_sp = *curg = 0;
    if (!m_addr || rt->m_g0.off < 0 || rt->m_curg.off < 0)
        return -1;
    if (read(ctx, m_addr + (uint64_t)rt->m_g0.off, &g0, sizeof g0) < 0 ||
        read(ctx, m_addr + (uint64_t)rt->m_curg.off, curg, sizeof *curg) < 0)
        return -1;
    if (g0 && read(ctx, g0 + (uint64_t)rt->sched_sp.off, g0_sched_sp, sizeof *g0_sched_sp) < 0)
        *g0_sched_sp = 0;
    return 0;
}

char *goruntime_wait_reason(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint8_t reason,
                            char *buf, size_t buflen)
{
    buf[0] = 0;
    if (!rt->wait_strings_done) {   /* on first use: finding a global reads every CU's globals */
        rt->wait_strings_done = true;
        const gobp_global *wrs = binary_global(rt->bin, "runtime.waitReasonStrings");
        if (wrs && wrs->type && wrs->type->kind == GOBP_KIND_ARRAY) {
            rt->wait_strings_addr = wrs->addr;
            rt->wait_strings_len = wrs->type->len;
        }
    }
    if (!rt->wait_strings_addr || reason >= rt->wait_strings_len)
        return buf;
    uint64_t str[2];
    if (read(ctx, rt->wait_strings_addr + reason * 16, str, sizeof str) < 0 || !str[0])
        return buf;
    size_t n = str[1] < buflen - 1 ? str[1] : buflen - 1;
    if (read(ctx, str[0], buf, n) < 0)
        n = 0;
    buf[n] = 0;
    return buf;
}

/* ---- itabs ---- */

enum { MAX_ITABLINKS = 1 << 20, MAX_ITAB_BYTES = 1 << 28 };

static const gobp_type_field *field_either(const gobp_type *t, const char *a, const char *b)
{
    const gobp_type_field *f = t ? type_field(t, a) : NULL;
    return f ? f : t ? type_field(t, b) : NULL;
}

/* Go 1.27: the module's itabs lie one after the other at types + itaboffset, each sizeof(ITab)
 * plus a word per method of its interface past the first (none when Fun[0] == 0). */
static uint64_t itab_in_block(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t md, const gobp_type *mdt,
                              const gobp_type *itab, uint64_t iface_type, uint64_t concrete_type)
{
    const gobp_type_field *types = type_field(mdt, "types"), *off = type_field(mdt, "itaboffset"),
                          *size = type_field(mdt, "itabsize"), *fun = type_field(itab, "Fun");
    const gobp_type *it = binary_type_by_name(bin, "internal/abi.InterfaceType");
    const gobp_type_field *methods = it ? type_field(it, "Methods") : NULL;
    uint64_t base, o, n;
    if (!types || !off || !size || !fun || !methods || read(ctx, md + types->offset, &base, 8) != 0 ||
        read(ctx, md + off->offset, &o, 8) != 0 || read(ctx, md + size->offset, &n, 8) != 0 || n > MAX_ITAB_BYTES)
        return 0;
    for (uint64_t p = base + o, end = base + o + n; p < end;) {
        uint64_t w[2], nmethods = 0, fun0 = 0;
        if (read(ctx, p, w, 16) != 0 || read(ctx, p + fun->offset, &fun0, 8) != 0)
            return 0;
        if (w[0] == iface_type && w[1] == concrete_type)
            return p;
        if (fun0 && read(ctx, w[0] + methods->offset + 8, &nmethods, 8) != 0)
            return 0;
        p += itab->size + (fun0 && nmethods > 1 ? (nmethods - 1) * 8 : 0);
    }
    return 0;
}

uint64_t goruntime_find_itab(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t iface_type,
                             uint64_t concrete_type)
{
    uint64_t md = binary_symbol_addr(bin, "runtime.firstmoduledata");
    const gobp_type *mdt = binary_type_by_name(bin, "runtime.moduledata");
    const gobp_type_field *links = mdt ? type_field(mdt, "itablinks") : NULL;
    const gobp_type *itab = binary_type_by_name(bin, "internal/abi.ITab");
    if (!itab) itab = binary_type_by_name(bin, "runtime.itab");
    const gobp_type_field *inter = field_either(itab, "Inter", "inter");
    const gobp_type_field *type = field_either(itab, "Type", "_type");
    uint64_t slice[2];
    if (!md || !mdt || !inter || !type || !iface_type || !concrete_type)
        return 0;
    if (!links)
        return inter->offset == 0 && type->offset == 8 ? itab_in_block(bin, read, ctx, md, mdt, itab, iface_type, concrete_type) : 0;
    if (read(ctx, md + links->offset, slice, sizeof slice) != 0 || slice[1] > MAX_ITABLINKS)
        return 0;
    for (uint64_t i = 0; i < slice[1]; i++) {
        uint64_t tab, in, ty;
        if (read(ctx, slice[0] + 8 * i, &tab, 8) != 0 || read(ctx, tab + inter->offset, &in, 8) != 0 ||
            read(ctx, tab + type->offset, &ty, 8) != 0)
            return 0;
        if (in == iface_type && ty == concrete_type)
            return tab;
    }
    return 0;
}
