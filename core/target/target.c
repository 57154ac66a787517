/* The debugger facade: ties a Go binary, its traced process, the breakpoint table and the
 * goroutine view together; decides on each non-stop hit whether the world stops; answers
 * goroutine, stack and variable questions while stopped (cached until the next resume). */
#include "target.h"
#include "alloc.h"
#include "plugin/handler_internal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gobp_hit_action target_on_hit(void *ctx, gobp_process *p, pid_t tid, uint64_t addr);

static gobp_target *target_new(gobp_binary *bin, gobp_process *proc, bool launched)
{
    gobp_target *t = xcalloc(1, sizeof *t);
    t->bin = bin;
    t->proc = proc;
    t->launched = launched;
    t->bps = bp_table_new();
    t->hits = hitmap_new();
    char err[256];
    t->rt = goruntime_new(bin, err, sizeof err);
    proc_set_hit_handler(proc, target_on_hit, t);
    t->call_timeout_ms = 5000;
    return t;
}

/* A PIE runs at a base of the kernel's choosing (ASLR): the binary learns its load bias from
 * the process before anything looks an address up. The kernel maps the executable before the
 * dynamic loader of a PIE runs, so this holds from the exec stop on. */
static int apply_load_bias(gobp_binary *bin, gobp_process *proc, char *err, size_t errlen)
{
    uint64_t entry = 0;
    if (proc_exe_entry(proc, &entry) < 0) {
        if (!binary_is_pie(bin))
            return 0;
        snprintf(err, errlen, "cannot read where process %d has its entry point (/proc/%d/auxv)", (int)proc_pid(proc),
                 (int)proc_pid(proc));
        return -1;
    }
    if (binary_set_load_bias_from_entry(bin, entry) < 0) {
        snprintf(err, errlen, "process %d does not run %s: its entry point is at %#llx", (int)proc_pid(proc),
                 binary_path(bin), (unsigned long long)entry);
        return -1;
    }
    return 0;
}

/* binary_open, and DWARF for the Go code: a cgo program linked with -ldflags=-w keeps gcc's
 * DWARF of its C code only. */
static gobp_binary *open_go_binary(const char *path, char *err, size_t errlen)
{
    gobp_binary *bin = binary_open(path, err, errlen);
    if (bin && !binary_has_go_dwarf(bin)) {
        snprintf(err, errlen, "%s: no DWARF debug information for its Go code, only for its C code (built with "
                 "-ldflags=-w). Breakpoints, stacks and variables need it: rebuild without -s and -w in -ldflags, "
                 "e.g. go build -gcflags=all='-N -l'", path);
        binary_close(bin);
        return NULL;
    }
    return bin;
}

gobp_target *target_launch(const gobp_launch_opts *opts, char *err, size_t errlen)
{
    gobp_binary *bin = open_go_binary(opts->path, err, errlen);
    if (!bin)
        return NULL;
    gobp_process *proc = proc_launch(opts, err, errlen);
    if (!proc) {
        binary_close(bin);
        return NULL;
    }
    if (apply_load_bias(bin, proc, err, errlen) < 0) {
        proc_kill(proc);
        binary_close(bin);
        return NULL;
    }
    return target_new(bin, proc, true);
}

gobp_target *target_attach(pid_t pid, char *err, size_t errlen)
{
    char exe[64];
    snprintf(exe, sizeof exe, "/proc/%d/exe", (int)pid);
    gobp_binary *bin = open_go_binary(exe, err, errlen);
    if (!bin)
        return NULL;
    gobp_process *proc = proc_attach(pid, err, errlen);
    if (!proc) {
        binary_close(bin);
        return NULL;
    }
    if (apply_load_bias(bin, proc, err, errlen) < 0) {
        proc_detach(proc);
        binary_close(bin);
        return NULL;
    }
    return target_new(bin, proc, false);
}

void target_invalidate(gobp_target *t)
{
    free(t->gs);
    t->gs = NULL;
    t->ngs = 0;
    t->gs_valid = false;
    free(t->labels);
    t->labels = NULL;
    free(t->threads);
    t->threads = NULL;
    t->nthreads = 0;
    t->exc_tid = 0;
    t->exc_goid = 0;
}

void target_end(gobp_target *t, bool kill)
{
    if (!t)
        return;
    target_trace_stop(t);
    target_trace_ring_free(t);
    for (int i = 0; i < bp_table_count(t->bps); i++)
        handler_free(t, bp_table_get(t->bps, i));
    if (t->proc) {
        if (kill || t->launched) {
            proc_kill(t->proc);
        } else {
            target_call_settle(t);   /* the runtime's int3s of an abandoned call need us */
            proc_detach(t->proc);
        }
    }
    target_invalidate(t);
    target_returned_clear(t);
    target_call_forget(t);
    bp_table_free(t->bps);
    hitmap_free(t->hits);
    free(t->hit_bp_ids);
    free(t->stop_bp_ids);
    goruntime_free(t->rt);
    binary_close(t->bin);
    free(t);
}

gobp_binary *target_binary(gobp_target *t) { return t->bin; }
gobp_process *target_process(gobp_target *t) { return t->proc; }
pid_t target_pid(gobp_target *t) { return proc_pid(t->proc); }

void target_terminate(gobp_target *t)
{
    kill(proc_pid(t->proc), SIGKILL);
}

/* The program's memory, its read-only data (string literals, type names) from the file. */
static int memview_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    gobp_target *t = ctx;
    return binary_read_const(t->bin, addr, buf, len) == 0 ? 0 : proc_read(t->proc, addr, buf, len);
}

gobp_memview target_memview(gobp_target *t)
{
    gobp_memview mv = { memview_read, t, t->bin };
    return mv;
}

/* ---- breakpoints ---- */

static breaklet_hit_fn bp_hit_fn(gobp_bp_kind kind)
{
    switch (kind) {
    case BP_STEP: return step_bp_hit;
    case BP_HANDLER: return handler_bp_hit;
    default: return user_bp_hit;
    }
}

static breaklet_kind bp_breaklet_kind(gobp_bp_kind kind)
{
    return kind == BP_STEP ? BREAKLET_STEP : kind == BP_HANDLER ? BREAKLET_HANDLER : BREAKLET_USER;
}

int target_bp_site_add(gobp_target *t, gobp_breakpoint *bp, uint64_t pc, char *err, size_t errlen)
{
    if (proc_site_add(t->proc, pc, err, errlen) < 0)
        return -1;
    breaklet *b = bp_add_addr(bp, pc);
    *b = (breaklet){ .addr = pc, .kind = bp_breaklet_kind(bp->kind), .order = (uint64_t)bp->id,
                     .on_hit = bp_hit_fn(bp->kind), .owner = bp };
    hitmap_add(t->hits, b);
    return 0;
}

void target_bp_sites_remove(gobp_target *t, gobp_breakpoint *bp)
{
    for (int i = 0; i < bp->naddrs; i++) {
        hitmap_remove(t->hits, bp->breaklets[i]);
        proc_site_remove(t->proc, bp->addrs[i]);
    }
    bp_clear_addrs(bp);
}

static void bp_install(gobp_target *t, gobp_breakpoint *bp, const uint64_t *pcs, int n)
{
    char err[200] = "";
    for (int i = 0; i < n; i++)
        target_bp_site_add(t, bp, pcs[i], err, sizeof err);
    bp->verified = bp->naddrs > 0;
    if (!bp->verified)
        snprintf(bp->message, sizeof bp->message, "could not insert the breakpoint: %s", err);
}

gobp_breakpoint *target_break_line(gobp_target *t, const char *file, int line)
{
    gobp_breakpoint *bp = bp_table_add(t->bps, BP_LINE);
    bp->file = xstrdup(file);
    bp->line = line;
    int found = 0;
    int n = binary_line_to_pcs(t->bin, file, line, NULL, 0, &found);
    if (n < 0) {
        snprintf(bp->message, sizeof bp->message, "%s is not a source file of this program", file);
        return bp;
    }
    if (n == 0) {
        snprintf(bp->message, sizeof bp->message, "no code at %s:%d or on the lines after it", file, line);
        return bp;
    }
    uint64_t *pcs = xcalloc((size_t)n, sizeof *pcs);
    n = binary_line_to_pcs(t->bin, file, line, pcs, n, &found);
    bp->found_line = found;
    binary_pc_to_line(t->bin, pcs[0], &bp->found_file, &found);
    bp_install(t, bp, pcs, n);
    free(pcs);
    return bp;
}

int target_funcs_named(gobp_target *t, const char *name, const gobp_func ***out)
{
    int n = binary_funcs_named(t->bin, name, NULL, 0);
    *out = xcalloc((size_t)(n > 0 ? n : 1), sizeof **out);
    return n > 0 ? binary_funcs_named(t->bin, name, *out, n) : 0;
}

/* The RETs of every function called name (an exit breakpoint's sites), malloc'd; the count. */
static int rets_of(gobp_target *t, const gobp_func *const *fs, int n, uint64_t **pcs)
{
    int total = 0;
    *pcs = NULL;
    for (int i = 0; i < n; i++) {
        uint64_t *rets;
        int k = target_func_rets(t, fs[i], &rets);
        *pcs = xrealloc(*pcs, (size_t)(total + k + 1) * sizeof **pcs);
        memcpy(*pcs + total, rets, (size_t)k * sizeof *rets);
        total += k;
        free(rets);
    }
    return total;
}

gobp_breakpoint *target_break_function(gobp_target *t, const char *name)
{
    gobp_breakpoint *bp = bp_table_add(t->bps, BP_FUNCTION);
    bp->function = xstrdup(name);
    /* "F:return" stops where F returns: on each of its RET instructions */
    size_t len = strlen(name);
    bp->at_return = len > 7 && strcmp(name + len - 7, ":return") == 0;
    char *fname = bp->at_return ? xstrndup(name, len - 7) : xstrdup(name);
    const gobp_func **fs;
    int n = target_funcs_named(t, fname, &fs);
    uint64_t *pcs = NULL;
    if (n == 0) {
        snprintf(bp->message, sizeof bp->message, "function %s not found in this program", fname);
    } else if (bp->at_return && (n = rets_of(t, fs, n, &pcs)) == 0) {
        snprintf(bp->message, sizeof bp->message, "function %s never returns (no RET instruction)", fname);
    } else {
        if (!bp->at_return) {
            pcs = xcalloc((size_t)n, sizeof *pcs);
            for (int i = 0; i < n; i++)
                pcs[i] = fs[i]->body_pc ? fs[i]->body_pc : fs[i]->lowpc;
        }
        binary_pc_to_line(t->bin, pcs[0], &bp->found_file, &bp->found_line);
        bp_install(t, bp, pcs, n);
    }
    free(pcs);
    free(fs);
    free(fname);
    return bp;
}

typedef struct { uint64_t addr, start; bool found; } insn_probe;

static bool probe_insn(void *ctx, const insn_step *in)
{
    insn_probe *p = ctx;
    if (in->addr > p->addr)
        return false;
    p->start = in->addr;
    p->found = in->addr == p->addr && in->op != INSN_OP_BAD;
    return true;
}

/* Whether an instruction of f starts at addr; *start: the one that contains it. */
static bool instruction_starts_at(gobp_target *t, const gobp_func *f, uint64_t addr, uint64_t *start)
{
    insn_probe p = { .addr = addr };
    target_code_each(t, f->lowpc, f->highpc, 1u << 20, probe_insn, &p);
    *start = p.start;
    return p.found;
}

gobp_breakpoint *target_break_address(gobp_target *t, uint64_t addr)
{
    gobp_breakpoint *bp = bp_table_add(t->bps, BP_INSTRUCTION);
    bp->address = addr;
    const gobp_func *f = binary_func_by_pc(t->bin, addr);
    uint64_t start;
    if (!f) {
        snprintf(bp->message, sizeof bp->message, "0x%llx is in the code of no function of this program",
                 (unsigned long long)addr);
    } else if (!instruction_starts_at(t, f, addr, &start)) {
        snprintf(bp->message, sizeof bp->message, "0x%llx is not where an instruction starts in %s (the one there starts at 0x%llx)",
                 (unsigned long long)addr, f->name, (unsigned long long)start);
    } else {
        binary_pc_to_line(t->bin, addr, &bp->found_file, &bp->found_line);
        bp_install(t, bp, &addr, 1);
    }
    return bp;
}

void target_break_delete(gobp_target *t, gobp_breakpoint *bp)
{
    for (int i = 0; i < bp->nwatch_slots; i++)   /* a data breakpoint's debug registers */
        proc_watch_clear(t->proc, bp->watch_slots[i]);
    handler_free(t, bp);
    target_bp_sites_remove(t, bp);
    bp_table_remove(t->bps, bp);
}

int target_breakpoints(gobp_target *t, gobp_bp_kind kind, gobp_breakpoint ***out)
{
    int n = 0;
    *out = xcalloc((size_t)bp_table_count(t->bps) + 1, sizeof **out);
    for (int i = 0; i < bp_table_count(t->bps); i++) {
        gobp_breakpoint *bp = bp_table_get(t->bps, i);
        if (bp->kind == kind)
            (*out)[n++] = bp;
    }
    return n;
}

/* ---- threads and goroutines ---- */

/* The g a thread runs, read from its TLS slot (its g0 or gsignal on a system stack). */
int target_thread_g(gobp_target *t, pid_t tid, uint64_t *g_addr, gobp_goroutine *g)
{
    struct user_regs_struct regs;
    if (!t->rt || proc_get_regs(t->proc, tid, &regs) < 0)
        return -1;
    *g_addr = goruntime_thread_g(t->rt, proc_mem_read_cb, t->proc, regs.fs_base);
    if (!*g_addr)
        return -1;
    return goruntime_read_g(t->rt, proc_mem_read_cb, t->proc, *g_addr, g);
}

int64_t target_thread_goid(gobp_target *t, pid_t tid)
{
    uint64_t g_addr;
    gobp_goroutine g;
    if (target_thread_g(t, tid, &g_addr, &g) < 0)
        return 0;
    return g.goid;
}

static void threads_load(gobp_target *t)
{
    if (t->threads)
        return;
    int n = proc_threads(t->proc, NULL, 0);
    pid_t *tids = xcalloc((size_t)n + 1, sizeof *tids);
    n = proc_threads(t->proc, tids, n);
    t->threads = xcalloc((size_t)n + 1, sizeof *t->threads);
    for (int i = 0; i < n; i++) {
        gobp_goroutine g;
        t->threads[t->nthreads].tid = tids[i];
        if (target_thread_g(t, tids[i], &t->threads[t->nthreads].g_addr, &g) == 0)
            t->threads[t->nthreads].goid = g.goid;
        t->nthreads++;
    }
    free(tids);
}

int target_goroutines(gobp_target *t, const gobp_goroutine **out)
{
    if (!t->gs_valid && t->rt) {
        int n = goruntime_goroutines(t->rt, proc_mem_read_cb, proc_read_many, t->proc, &t->gs);
        t->ngs = n < 0 ? 0 : n;
        t->gs_valid = true;
    }
    *out = t->gs;
    return t->ngs;
}

const gobp_goroutine *target_goroutine(gobp_target *t, int64_t goid)
{
    const gobp_goroutine *gs;
    int n = target_goroutines(t, &gs);
    for (int i = 0; i < n; i++)
        if (gs[i].goid == goid)
            return &gs[i];
    return NULL;
}

pid_t target_goroutine_thread(gobp_target *t, int64_t goid)
{
    threads_load(t);
    for (int i = 0; i < t->nthreads; i++)
        if (t->threads[i].goid == goid && goid != 0)
            return t->threads[i].tid;
    return 0;
}

pid_t target_goid_thread(gobp_target *t, int64_t goid)
{
    if (goid <= 0)
        return goid < -INT32_MAX ? 0 : (pid_t)-goid;
    return target_goroutine_thread(t, goid);
}

/* Where a goroutine's stack starts: the registers of the thread running it, else the
 * registers the scheduler saved (or the syscall ones). Returns the thread, 0 if parked. */
static pid_t goroutine_start(gobp_target *t, const gobp_goroutine *g, uint64_t *pc, uint64_t *sp)
{
    pid_t tid = 0;
    threads_load(t);
    for (int i = 0; i < t->nthreads; i++)
        if (t->threads[i].g_addr == g->g_addr)
            tid = t->threads[i].tid;
    struct user_regs_struct regs;
    if (tid && proc_get_regs(t->proc, tid, &regs) == 0) {
        *pc = regs.rip;
        *sp = regs.rsp;
        return tid;
    }
    *pc = g->sched_pc;
    *sp = g->sched_sp;
    if (!*pc && g->syscall_pc) {
        *pc = g->syscall_pc;
        *sp = g->syscall_sp;
    }
    return 0;
}

static bool is_runtime_function(const char *name)
{
    return strncmp(name, "runtime.", 8) == 0 || strncmp(name, "internal/", 9) == 0 ||
           strncmp(name, "sync.runtime_", 13) == 0;
}

/* User code: package main, or a package whose path starts with a domain (example.com/x). */
bool target_is_user_function(const char *name)
{
    if (strncmp(name, "main.", 5) == 0)
        return true;
    const char *dot = strchr(name, '.'), *slash = strchr(name, '/');
    return slash && dot && dot < slash;
}

/* Reads the top of a stack once (one syscall, or a batch for many goroutines) and answers
 * the unwinder's reads from it. */
enum { STACK_WINDOW = 1024, LABEL_BATCH = 1024, LABEL_FRAMES = 12 };
typedef struct {
    gobp_process *proc;
    uint64_t limit;          /* stack.hi: never read past it */
    bool tried;
    uint64_t base;
    size_t len;
    unsigned char *data;     /* STACK_WINDOW bytes */
} stack_window;

static int stack_window_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    stack_window *w = ctx;
    if (!w->tried && addr < w->limit) {
        w->tried = true;
        size_t n = w->limit - addr < STACK_WINDOW ? w->limit - addr : STACK_WINDOW;
        if (proc_read(w->proc, addr, w->data, n) == 0) {
            w->base = addr;
            w->len = n;
        }
    }
    if (w->len && addr >= w->base && addr + len <= w->base + w->len) {
        memcpy(buf, w->data + (addr - w->base), len);
        return 0;
    }
    return proc_read(w->proc, addr, buf, len);
}

/* The goroutine's label: its topmost frame outside the runtime (main.worker parked in a
 * channel receive), else the function of its go statement. */
static const char *label_of(gobp_target *t, const gobp_goroutine *g, stack_window *w, uint64_t pc, uint64_t sp,
                            bool saved_pc)
{
    gobp_frame frames[LABEL_FRAMES];
    int n = stack_unwind_functions(t->bin, stack_window_read, w, pc, sp, saved_pc, frames, LABEL_FRAMES);
    for (int i = 0; i < n; i++)
        if (frames[i].func && target_is_user_function(frames[i].func->name))
            return frames[i].func->name;
    for (int i = 0; i < n; i++)
        if (frames[i].func && !is_runtime_function(frames[i].func->name))
            return frames[i].func->name;
    const gobp_func *f = binary_func_symbol_by_pc(t->bin, g->start_pc);
    if (!f)
        return "?";
    if (strcmp(f->name, "runtime.main") == 0)
        return "main.main";
    return f->name;
}

/* Labels of gs[lo, hi): the stack tops of parked goroutines in one batched read. */
static void labels_batch(gobp_target *t, int lo, int hi, unsigned char *windows)
{
    gobp_mem_req reqs[LABEL_BATCH];
    uint64_t pcs[LABEL_BATCH], sps[LABEL_BATCH];
    pid_t tids[LABEL_BATCH];
    int nreq = 0;
    for (int i = lo; i < hi; i++) {
        const gobp_goroutine *g = &t->gs[i];
        tids[i - lo] = goroutine_start(t, g, &pcs[i - lo], &sps[i - lo]);
        uint64_t sp = sps[i - lo];
        size_t len = sp < g->stack_hi && g->stack_hi - sp < STACK_WINDOW ? g->stack_hi - sp : STACK_WINDOW;
        reqs[nreq++] = (gobp_mem_req){sp, windows + (size_t)(i - lo) * STACK_WINDOW,
                                      tids[i - lo] || sp >= g->stack_hi ? 0 : len, false};
    }
    proc_read_many(t->proc, reqs, (size_t)nreq);
    for (int i = lo; i < hi; i++) {
        const gobp_mem_req *r = &reqs[i - lo];
        stack_window w = {.proc = t->proc, .limit = t->gs[i].stack_hi, .data = r->buf};
        if (r->ok && r->len) {
            w.tried = true;
            w.base = r->addr;
            w.len = r->len;
        }
        t->labels[i] = label_of(t, &t->gs[i], &w, pcs[i - lo], sps[i - lo], tids[i - lo] == 0);
    }
}

const char *target_goroutine_label(gobp_target *t, const gobp_goroutine *g)
{
    const gobp_goroutine *gs;
    int n = target_goroutines(t, &gs);
    if (g < gs || g >= gs + n) {    /* not one of the listed goroutines: on its own */
        unsigned char data[STACK_WINDOW];
        uint64_t pc, sp;
        pid_t tid = goroutine_start(t, g, &pc, &sp);
        stack_window w = {.proc = t->proc, .limit = g->stack_hi, .data = data};
        return label_of(t, g, &w, pc, sp, tid == 0);
    }
    if (!t->labels) {
        t->labels = xcalloc((size_t)n, sizeof *t->labels);
        unsigned char *windows = xmalloc((size_t)LABEL_BATCH * STACK_WINDOW);
        for (int lo = 0; lo < n; lo += LABEL_BATCH)
            labels_batch(t, lo, lo + LABEL_BATCH < n ? lo + LABEL_BATCH : n, windows);
        free(windows);
    }
    return t->labels[g - gs];
}

/* A goroutine in a cgo call: if its thread runs C on the system stack (not a plain syscall on
 * the goroutine's stack), the stack starts there, with the C frames, and goes on at (pc, sp),
 * where the goroutine entered C. Returns the thread, 0 if not. */
static pid_t cgo_start(gobp_target *t, const gobp_goroutine *g, pid_t thread, uint64_t *pc, uint64_t *sp,
                       gobp_stack_links *links)
{
    struct user_regs_struct regs;
    if (g->status != G_SYSCALL || !thread || !*pc || proc_get_regs(t->proc, thread, &regs) < 0 ||
        (regs.rsp >= g->stack_lo && regs.rsp < g->stack_hi))
        return 0;
    links->start_in_c = true;
    links->go_pc = *pc;
    links->go_sp = *sp;
    *pc = regs.rip;
    *sp = regs.rsp;
    return thread;
}

int target_stack(gobp_target *t, int64_t goid, gobp_frame *frames, int max, int *total)
{
    uint64_t pc = 0, sp = 0;
    pid_t tid = 0;
    struct user_regs_struct regs;
    gobp_stack_links links = { 0 };
    if (goid <= 0) {
        if (goid < -INT32_MAX)
            return -1;   /* no thread id: -goid would not fit (or overflow) */
        tid = (pid_t)-goid;
        if (proc_get_regs(t->proc, tid, &regs) < 0)
            return -1;
        pc = regs.rip;
        sp = regs.rsp;
        uint64_t g_addr, curg = 0, gpc = 0, gsp = 0;
        gobp_goroutine g, cg;   /* a thread on g0 may be running C for its M's goroutine */
        if (target_thread_g(t, tid, &g_addr, &g) == 0 && g.goid == 0 &&
            goruntime_m_cgo(t->rt, proc_mem_read_cb, t->proc, g.m_addr, &links.g0_sched_sp, &curg) == 0 && curg &&
            goruntime_read_g(t->rt, proc_mem_read_cb, t->proc, curg, &cg) == 0) {
            gpc = cg.sched_pc ? cg.sched_pc : cg.syscall_pc;
            gsp = cg.sched_pc ? cg.sched_sp : cg.syscall_sp;
            if (cgo_start(t, &cg, tid, &gpc, &gsp, &links) != tid)
                links = (gobp_stack_links){ 0 };
        }
    } else {
        const gobp_goroutine *g = target_goroutine(t, goid);
        if (!g)
            return -1;
        tid = goroutine_start(t, g, &pc, &sp);
        uint64_t curg = 0;
        goruntime_m_cgo(t->rt, proc_mem_read_cb, t->proc, g->m_addr, &links.g0_sched_sp, &curg);
        if (!tid && curg == g->g_addr)
            cgo_start(t, g, (pid_t)g->m_procid, &pc, &sp, &links);
    }
    int n = stack_unwind(t->bin, proc_mem_read_cb, t->proc, pc, sp, tid == 0 && !links.start_in_c, &links, frames, max,
                         total);
    for (int i = 0; i < n; i++)
        frames[i].has_regs = i == 0 && tid != 0;
    return n;
}

int target_stack_all(gobp_target *t, int64_t goid, gobp_frame **frames, int *total)
{
    for (int max = 64;;) {
        int all = 0;
        *frames = xcalloc((size_t)max, sizeof **frames);
        int n = target_stack(t, goid, *frames, max, &all);
        if (n < 0 || all <= max) {
            if (total)
                *total = all;
            return n;
        }
        free(*frames);
        max = all;
    }
}

/* DWARF register numbering (0 rax,1 rdx,2 rcx,3 rbx,4 rsi,5 rdi,6 rbp,7 rsp,8-15 r8-r15,16 rip). */
void target_dwarf_regs(const struct user_regs_struct *r, uint64_t out[17])
{
    const uint64_t v[17] = { r->rax, r->rdx, r->rcx, r->rbx, r->rsi, r->rdi, r->rbp, r->rsp,
                             r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip };
    memcpy(out, v, sizeof v);
}

/* Whether a location has a piece in an SSE register (DWARF 17-32: X0-X15). */
static bool location_uses_xmm(const gobp_location *loc)
{
    for (int i = 0; i < loc->npieces; i++)
        if (loc->pieces[i].kind == GOBP_PIECE_REG && loc->pieces[i].reg >= 17 && loc->pieces[i].reg <= 32)
            return true;
    return false;
}

int target_frame_var(gobp_target *t, int64_t goid, const gobp_frame *fr, const gobp_var *v, gobp_value *out)
{
    uint64_t regs[17] = { 0 };
    unsigned char xmm[16 * 16];
    const unsigned char *xmmp = NULL;
    pid_t tid = 0;
    if (fr->has_regs) {
        tid = target_goid_thread(t, goid);
        struct user_regs_struct r;
        if (tid && proc_get_regs(t->proc, tid, &r) == 0)
            target_dwarf_regs(&r, regs);
    } else {
        regs[7] = fr->sp;
        regs[16] = fr->pc;
    }
    uint64_t lookup = fr->lookup_pc;
    gobp_location loc;
    gobp_memview mv = target_memview(t);
    memset(out, 0, sizeof *out);
    out->type = v->type;
    if (binary_var_location(t->bin, v, lookup, fr->cfa, regs, &loc) < 0 || loc.npieces == 0) {
        binary_location_free(&loc);
        out->unreadable = true;
        return 0;
    }
    if (!fr->has_regs) {
        for (int i = 0; i < loc.npieces; i++)
            if (loc.pieces[i].kind == GOBP_PIECE_REG) {
                binary_location_free(&loc);
                out->unreadable = true;
                return 0;
            }
    }
    struct user_fpregs_struct fp;    /* the float registers only when the variable is in one */
    if (tid && location_uses_xmm(&loc) && proc_get_fpregs(t->proc, tid, &fp) == 0) {
        memcpy(xmm, fp.xmm_space, sizeof xmm);
        xmmp = xmm;
    }
    int rc = value_from_location(&mv, v->type, &loc, regs, xmmp, out);
    binary_location_free(&loc);
    return rc;
}

/* ---- hits and run control ---- */

int target_hit_g(gobp_target *t, target_hit *h)
{
    if (!h->g_state)
        h->g_state = target_thread_g(t, h->tid, &h->g_addr, &h->g) == 0 ? 1 : -1;
    return h->g_state > 0 ? 0 : -1;
}

void target_hit_add(gobp_target *t, target_hit *h, int id)
{
    if (t->hit_nbp == t->hit_cap) {
        t->hit_cap = t->hit_cap ? t->hit_cap * 2 : 8;
        t->hit_bp_ids = xrealloc(t->hit_bp_ids, (size_t)t->hit_cap * sizeof *t->hit_bp_ids);
    }
    t->hit_bp_ids[t->hit_nbp++] = id;
    h->stop = true;
}

/* Every breaklet at addr has its say (hitmap_dispatch); a breakpoint's stop wins over a
 * step's, which is then reported as the breakpoint's. */
static gobp_hit_action target_on_hit(void *ctx, gobp_process *p, pid_t tid, uint64_t addr)
{
    (void)p;
    gobp_target *t = ctx;
    target_hit h = { .tid = tid, .addr = addr };
    t->hit_nbp = 0;
    t->hit_is_exception = false;
    hitmap_dispatch(t->hits, addr, t, &h);
    t->hit_is_step = h.step && !h.stop;
    if ((h.stop || h.step) && target_call_running(t)) {
        t->call_skipped_stops++;     /* the program does not stop while a call runs */
        return GOBP_HIT_CONTINUE;
    }
    return h.stop || h.step ? GOBP_HIT_STOP : GOBP_HIT_CONTINUE;
}

int target_continue(gobp_target *t)
{
    target_invalidate(t);
    target_returned_clear(t);
    return proc_resume(t->proc);
}

int target_pause(gobp_target *t)
{
    return proc_stop_all(t->proc);
}

bool target_running(gobp_target *t)
{
    return proc_running(t->proc);
}

/* A goroutine to show for a stop that no goroutine caused (pause): the first thread running
 * user code, else goroutine 1. */
static int64_t any_goroutine(gobp_target *t, pid_t *tid)
{
    threads_load(t);
    for (int i = 0; i < t->nthreads; i++)
        if (t->threads[i].goid) {
            *tid = t->threads[i].tid;
            return t->threads[i].goid;
        }
    return target_goroutine(t, 1) ? 1 : 0;
}

static int translate_event(gobp_target *t, const gobp_event *ev, gobp_stop *stop)
{
    memset(stop, 0, sizeof *stop);
    stop->tid = ev->tid;
    switch (ev->kind) {
    case GOBP_EV_BREAKPOINT:
        target_invalidate(t);
        stop->goid = t->hit_is_exception ? target_exception_goroutine(t, ev->tid) : target_thread_goid(t, ev->tid);
        if (t->hit_is_step) {
            stop->reason = STOP_STEP;
        } else {
            stop->reason = STOP_BREAKPOINT;
            stop->exception = t->hit_is_exception;
            /* the stop's own copy: the next hit reuses hit_bp_ids */
            t->stop_bp_ids = xrealloc(t->stop_bp_ids, ((size_t)t->hit_nbp + 1) * sizeof *t->stop_bp_ids);
            memcpy(t->stop_bp_ids, t->hit_bp_ids, (size_t)t->hit_nbp * sizeof *t->stop_bp_ids);
            stop->nbp = t->hit_nbp;
            stop->bp_ids = t->stop_bp_ids;
        }
        target_step_clear(t);
        return 1;
    case GOBP_EV_WATCH:
        target_invalidate(t);
        target_step_clear(t);
        stop->reason = STOP_DATA;
        stop->goid = target_thread_goid(t, ev->tid);
        for (int i = 0; i < bp_table_count(t->bps); i++) {
            gobp_breakpoint *bp = bp_table_get(t->bps, i);
            for (int k = 0; k < bp->nwatch_slots; k++)
                if (bp->kind == BP_DATA && bp->watch_slots[k] == ev->signo) {
                    t->stop_bp_ids = xrealloc(t->stop_bp_ids, sizeof *t->stop_bp_ids);
                    t->stop_bp_ids[0] = bp->id;
                    stop->bp_ids = t->stop_bp_ids;
                    stop->nbp = 1;
                }
        }
        return 1;
    case GOBP_EV_STEPPED:
        target_invalidate(t);
        stop->reason = STOP_STEP;
        stop->goid = target_thread_goid(t, ev->tid);
        return 1;
    case GOBP_EV_PAUSED:
        target_invalidate(t);
        target_step_clear(t);
        stop->reason = STOP_PAUSE;
        stop->goid = any_goroutine(t, &stop->tid);
        return 1;
    case GOBP_EV_EXITED:
        stop->reason = STOP_EXITED;
        stop->exit_code = ev->exit_code;
        return 1;
    case GOBP_EV_KILLED:
        stop->reason = STOP_KILLED;
        stop->exit_code = ev->signo;
        return 1;
    case GOBP_EV_EXEC:
        target_invalidate(t);
        target_step_clear(t);
        stop->reason = STOP_EXEC;
        return 1;
    default:
        return 0;
    }
}

void target_set_call_timeout(gobp_target *t, int ms)
{
    t->call_timeout_ms = ms > 0 ? ms : 5000;
}

void target_keep_stop(gobp_target *t, const gobp_event *ev)
{
    t->has_kept_stop = translate_event(t, ev, &t->kept_stop) == 1;
    raise(SIGCHLD);    /* the front end's watcher polls for it */
}

/* The end a call's run saw, once. */
static bool take_kept_stop(gobp_target *t, gobp_stop *stop)
{
    if (!t->has_kept_stop)
        return false;
    *stop = t->kept_stop;
    t->has_kept_stop = false;
    return true;
}

int target_poll(gobp_target *t, gobp_stop *stop)
{
    gobp_event ev;
    if (take_kept_stop(t, stop))
        return 1;
    for (;;) {
        int r = proc_poll(t->proc, &ev);
        if (r <= 0)
            return r;
        if (translate_event(t, &ev, stop)) {
            target_trace_drain(t);   /* the calls before the stop come before it */
            if (!target_running(t))
                target_fast_pending(t);
            return 1;
        }
    }
}

void target_set_interrupt(gobp_target *t, volatile sig_atomic_t *flag)
{
    proc_set_interrupt(t->proc, flag);
}

enum { TRACE_READ_MS = 5 };

int target_wait(gobp_target *t, gobp_stop *stop, int timeout_ms)
{
    gobp_event ev;
    if (take_kept_stop(t, stop))
        return 1;
    uint64_t fast, slow;
    for (;;) {
        /* a trace that records in the program is read every few ms meanwhile */
        bool reading = target_trace_fast(t, &fast, &slow) && (timeout_ms < 0 || timeout_ms > TRACE_READ_MS);
        int r = proc_wait(t->proc, &ev, reading ? TRACE_READ_MS : timeout_ms);
        if (r == 0 && reading) {
            target_trace_drain(t);
            if (timeout_ms > 0)
                timeout_ms -= TRACE_READ_MS;
            if (!proc_wait_ends(t->proc) && timeout_ms != 0)
                continue;
        }
        if (r <= 0)
            return r;
        if (translate_event(t, &ev, stop)) {
            target_trace_drain(t);   /* the calls before the stop come before it */
            if (!target_running(t))
                target_fast_pending(t);
            return 1;
        }
    }
}
