/* Physical int3 sites and out-of-line execution: the scratch page mapped into the target
 * by an injected mmap syscall, one XOL slot per site (built by insn.c), the emulation of
 * relative/indirect calls and jumps, and the original bytes shown through reads. */
#include "alloc.h"
#include "proc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

enum { SCRATCH_SIZE = 1024 * 1024, SLOT_SIZE = SLOT_SIZE_BYTES, INT3 = 0xcc }; /* 16384 XOL slots */
#define DATA_CHUNK (1ULL << 20) /* the data arena grows by this much */
static const uint8_t SYSCALL_INSN[2] = {0x0f, 0x05};

/* ---- the address index (sites are never freed before the process is, so no deletion) ---- */

static proc_site **index_slot(proc_site **index, size_t cap, uint64_t addr)
{
    size_t i = (size_t)((addr * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
    while (index[i] && index[i]->addr != addr)
        i = (i + 1) & (cap - 1);
    return &index[i];
}

static void index_add(gobp_process *p, proc_site *s)
{
    if ((p->nsites + 1) * 2 > p->site_cap) {
        size_t cap = p->site_cap ? p->site_cap * 2 : 256;
        proc_site **index = xcalloc(cap, sizeof *index);
        for (proc_site *o = p->sites; o; o = o->next)
            *index_slot(index, cap, o->addr) = o;
        free(p->site_index);
        p->site_index = index;
        p->site_cap = cap;
    }
    *index_slot(p->site_index, p->site_cap, s->addr) = s;
    p->nsites++;
}

proc_site *site_find(gobp_process *p, uint64_t addr, bool live_only)
{
    if (!p->site_cap)
        return NULL;
    proc_site *s = *index_slot(p->site_index, p->site_cap, addr);
    return s && (!live_only || s->refs > 0) ? s : NULL;
}

bool proc_site_at(gobp_process *p, uint64_t addr)
{
    return site_find(p, addr, true) != NULL;
}

void proc_set_hit_handler(gobp_process *p, gobp_site_hit_fn fn, void *ctx)
{
    p->hit_fn = fn;
    p->hit_ctx = ctx;
}

/* ---- the scratch page ---- */

/* The lowest and highest addresses of the executable's own mappings. */
static int exe_range(pid_t pid, uint64_t *lo, uint64_t *hi)
{
    char path[64], exe[512], line[1024];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    *lo = UINT64_MAX;
    *hi = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long start, end;
        char *name = strchr(line, '/');
        if (sscanf(line, "%llx-%llx", &start, &end) != 2 || !name)
            continue;
        name[strcspn(name, "\n")] = 0;
        if (strcmp(name, exe) != 0)
            continue;
        if (start < *lo) *lo = start;
        if (end > *hi) *hi = end;
    }
    fclose(f);
    return *hi ? 0 : -1;
}

/* Runs one syscall in the stopped thread tid and returns its result in *ret. */
static int inject_syscall(gobp_process *p, pid_t tid, const uint64_t args[7], uint64_t *ret)
{
    struct user_regs_struct saved, r;
    uint8_t orig[2];
    proc_thread *held = proc_thread_find(p, tid);
    if (held) {              /* the kernel's registers must be the thread's real ones */
        thread_regs_flush(held);
        thread_regs_forget(held);
    }
    if (ptrace(PTRACE_GETREGS, tid, 0, &saved) < 0 ||
        proc_raw_read(p, saved.rip, orig, 2) < 0 ||
        proc_raw_write(p, saved.rip, SYSCALL_INSN, 2) < 0)
        return -1;
    r = saved;
    r.rax = args[0]; r.rdi = args[1]; r.rsi = args[2]; r.rdx = args[3];
    r.r10 = args[4]; r.r8 = args[5]; r.r9 = args[6];
    r.orig_rax = (uint64_t)-1;
    int rc = -1;
    proc_thread *t = proc_thread_find(p, tid);
    if (ptrace(PTRACE_SETREGS, tid, 0, &r) == 0) {
        for (int tries = 0; tries < 20; tries++) {
            int status;
            if (ptrace(PTRACE_SINGLESTEP, tid, 0, 0) < 0 ||
                proc_wait_thread_stop(p, tid, &status) < 0)
                break;
            ptrace(PTRACE_GETREGS, tid, 0, &r);
            if (WSTOPSIG(status) == SIGTRAP && r.rip == saved.rip + 2) {
                *ret = r.rax;
                rc = 0;
                break;
            }
            if (WSTOPSIG(status) != SIGTRAP && t) {  /* a signal came first: keep it */
                if (WSTOPSIG(status) == SIGSTOP && t->sigstops_expected > 0)
                    t->sigstops_expected--;
                else if (status >> 16 == 0)
                    proc_keep_signal(t, WSTOPSIG(status), false);
            }
        }
    }
    proc_raw_write(p, saved.rip, orig, 2);
    ptrace(PTRACE_SETREGS, tid, 0, &saved);
    if (held)
        thread_regs_forget(held);
    return rc;
}

int site_map_scratch(gobp_process *p, pid_t tid, char *err, size_t errlen)
{
    uint64_t lo, hi;
    if (exe_range(p->pid, &lo, &hi) < 0) {
        snprintf(err, errlen, "cannot find the executable's mappings of process %d", p->pid);
        return -1;
    }
    uint64_t hint = lo > SCRATCH_SIZE + 0x100000 ? lo - SCRATCH_SIZE : (hi + 0xfffff) & ~0xfffffULL;
    uint64_t args[7] = {9 /* mmap */, hint, SCRATCH_SIZE, PROT_READ | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0};
    uint64_t addr = 0;
    if (inject_syscall(p, tid, args, &addr) < 0 || addr > (uint64_t)-4096) {
        snprintf(err, errlen, "cannot map the XOL page into process %d", p->pid);
        return -1;
    }
    uint64_t far = addr > lo ? addr + SCRATCH_SIZE - lo : hi - addr;
    if (far >= 0x7fff0000ULL) {
        snprintf(err, errlen, "the XOL page of process %d is too far from its code", p->pid);
        return -1;
    }
    p->scratch = addr;
    p->scratch_size = SCRATCH_SIZE;
    p->scratch_used = 0;
    return 0;
}

uint64_t proc_alloc(gobp_process *p, pid_t tid, size_t size, char *err, size_t errlen)
{
    size = (size + 7) & ~(size_t)7;
    if (!p->data || p->data_used + size > p->data_size) {
        uint64_t chunk = size > DATA_CHUNK ? (size + 0xfff) & ~0xfffULL : DATA_CHUNK;
        uint64_t args[7] = {9 /* mmap */, 0, chunk, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0};
        uint64_t addr = 0;
        if (inject_syscall(p, tid, args, &addr) < 0 || addr > (uint64_t)-4096) {
            snprintf(err, errlen, "cannot map memory into process %d", p->pid);
            return 0;
        }
        p->data = addr;
        p->data_size = chunk;
        p->data_used = 0;
    }
    uint64_t at = p->data + p->data_used;
    p->data_used += size;
    return at;
}

void *proc_map_shared(gobp_process *p, pid_t tid, size_t size, uint64_t *remote, char *err, size_t errlen)
{
    static const char name[] = "gobp-trace";
    uint64_t at = proc_alloc(p, tid, sizeof name, err, errlen), fd = (uint64_t)-1, addr = 0, ignored;
    if (!at || proc_write(p, at, name, sizeof name) < 0)
        return snprintf(err, errlen, "cannot write into process %d", p->pid), NULL;
    const uint64_t create[7] = {319 /* memfd_create */, at, 1 /* MFD_CLOEXEC */};
    if (inject_syscall(p, tid, create, &fd) < 0 || fd > (uint64_t)-4096) {
        snprintf(err, errlen, "memfd_create failed in process %d", p->pid);
        return NULL;
    }
    const uint64_t trunc[7] = {77 /* ftruncate */, fd, size};
    const uint64_t map[7] = {9 /* mmap */, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0};
    void *local = MAP_FAILED;
    if (inject_syscall(p, tid, trunc, &ignored) == 0 && ignored == 0 &&
        inject_syscall(p, tid, map, &addr) == 0 && addr <= (uint64_t)-4096) {
        const uint64_t nofork[7] = {28 /* madvise */, addr, size, MADV_DONTFORK};
        inject_syscall(p, tid, nofork, &ignored);   /* a forked child never writes into it */
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/fd/%d", p->pid, (int)fd);
        int lfd = open(path, O_RDWR | O_CLOEXEC);
        if (lfd >= 0) {
            local = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
            close(lfd);
        }
    }
    const uint64_t closefd[7] = {3 /* close */, fd};
    inject_syscall(p, tid, closefd, &ignored);   /* the mappings keep the memory */
    if (local == MAP_FAILED) {
        snprintf(err, errlen, "cannot share memory with process %d", p->pid);
        return NULL;
    }
    *remote = addr;
    return local;
}

/* ---- adding and removing sites ---- */

static int prepare_slot(gobp_process *p, proc_site *s, char *err, size_t errlen)
{
    if (s->insn.kind != INSN_COPY && s->insn.kind != INSN_COND)
        return 0;   /* emulated in the tracer */
    if (!p->scratch || p->scratch_used + SLOT_SIZE > p->scratch_size) {
        snprintf(err, errlen, "no XOL slot left for 0x%llx", (unsigned long long)s->addr);
        return -1;
    }
    uint8_t bytes[SLOT_SIZE];
    uint64_t at = p->scratch + p->scratch_used;
    if (insn_build_slot(&s->insn, at, bytes, sizeof bytes, &s->slot, err, errlen) < 0)
        return -1;
    if (proc_raw_write(p, at, bytes, sizeof bytes) < 0) {
        snprintf(err, errlen, "cannot write the XOL slot at 0x%llx", (unsigned long long)at);
        return -1;
    }
    if (!p->slot_sites)
        p->slot_sites = xcalloc(p->scratch_size / SLOT_SIZE, sizeof *p->slot_sites);
    p->slot_sites[p->scratch_used / SLOT_SIZE] = s;
    p->scratch_used += SLOT_SIZE;   /* never reused: a thread may still run in it */
    return 0;
}

static int arm_site(gobp_process *p, proc_site *s, char *err, size_t errlen)
{
    uint8_t code[16];
    size_t n = sizeof code;
    while (n > 0 && proc_read(p, s->addr, code, n) < 0)
        n--;
    if (n == 0) {
        snprintf(err, errlen, "cannot read the code at 0x%llx", (unsigned long long)s->addr);
        return -1;
    }
    if (insn_decode(code, n, s->addr, &s->insn, err, errlen) < 0 ||
        prepare_slot(p, s, err, errlen) < 0)
        return -1;
    s->orig = code[0];
    guard_note_site(p, s, true);
    uint8_t int3 = INT3;
    if (proc_raw_write(p, s->addr, &int3, 1) < 0) {
        snprintf(err, errlen, "cannot write a breakpoint at 0x%llx: %s",
                 (unsigned long long)s->addr, strerror(errno));
        return -1;
    }
    s->refs = 1;
    return 0;
}

/* A jump site whose JMP covers addr (not at its start) goes back to an int3: the new site
 * needs its own byte. */
static void undo_covering_jump(gobp_process *p, uint64_t addr)
{
    for (int back = 1; p->njump && back < 16; back++) {
        proc_site *j = site_find(p, addr - back, true);
        if (j && j->jump && addr < j->addr + j->jump_len)
            jump_undo(p, j);
    }
}

int proc_site_add(gobp_process *p, uint64_t addr, char *err, size_t errlen)
{
    if (p->untraced) {
        snprintf(err, errlen, "the program replaced itself (exec) and runs without the debugger");
        return -1;
    }
    undo_covering_jump(p, addr);
    proc_site *s = site_find(p, addr, false);
    if (s && s->refs > 0) {
        if (s->jump)
            jump_undo(p, s);   /* a check decides for one breakpoint only: every hit traps now */
        s->refs++;
        return 0;
    }
    bool fresh = !s;
    if (fresh) {
        s = xcalloc(1, sizeof *s);
        s->addr = addr;
    }
    if (arm_site(p, s, err, errlen) < 0) {
        if (fresh)
            free(s);
        return -1;
    }
    if (fresh) {
        index_add(p, s);   /* before linking: a grow re-indexes the list */
        s->next = p->sites;
        p->sites = s;
    }
    return 0;
}

static void disarm(gobp_process *p, proc_site *s)
{
    if (s->jump)
        jump_undo(p, s);
    if (!s->jump_tail)   /* else the original byte goes back with the rest at the next stop */
        proc_raw_write(p, s->addr, &s->orig, 1);
    guard_note_site(p, s, false);
    s->refs = 0;   /* tombstone: a trap already in flight for it is recognised */
}

int proc_site_remove(gobp_process *p, uint64_t addr)
{
    proc_site *s = site_find(p, addr, true);
    if (!s)
        return -1;
    if (--s->refs == 0)
        disarm(p, s);
    return 0;
}

void site_restore_all(gobp_process *p)
{
    for (proc_site *s = p->sites; s; s = s->next)
        if (s->refs > 0)
            disarm(p, s);
}

void site_free_all(gobp_process *p)
{
    guard_forget_sites(p);
    while (p->sites) {
        proc_site *s = p->sites;
        p->sites = s->next;
        free(s);
    }
    free(p->site_index);
    p->site_index = NULL;
    free(p->slot_sites);
    p->slot_sites = NULL;
    p->site_cap = p->nsites = 0;
}

/* ---- reads and writes across sites ---- */

/* Reads and writes look for sites in their range by address when the range is shorter than
 * the list of sites (a value read among thousands of trace sites), else walk the list. */
void site_overlay_original(gobp_process *p, uint64_t addr, uint8_t *buf, size_t len)
{
    if (len < p->nsites) {
        for (size_t i = 0; i < len; i++) {
            proc_site *s = site_find(p, addr + i, false);
            if (s && (s->refs > 0 || s->jump_tail))
                buf[i] = s->orig;
        }
    } else {
        for (proc_site *s = p->sites; s; s = s->next)
            if ((s->refs > 0 || s->jump_tail) && s->addr >= addr && s->addr < addr + len)
                buf[s->addr - addr] = s->orig;
    }
    if (!p->njump)
        return;
    for (proc_site *s = p->sites; s; s = s->next)   /* the JMPs' bytes after the first */
        for (int k = 1; (s->jump || s->jump_tail) && k < s->jump_len; k++)
            if (s->addr + (uint64_t)k >= addr && s->addr + (uint64_t)k < addr + len)
                buf[s->addr + (uint64_t)k - addr] = s->jump_orig[k];
}

void site_note_write(gobp_process *p, uint64_t addr, const uint8_t *buf, size_t len)
{
    uint8_t *data = (uint8_t *)buf;
    for (proc_site *s = p->njump ? p->sites : NULL; s; s = s->next)   /* the code changes: int3s again */
        if (s->jump && s->addr < addr + len && addr < s->addr + s->jump_len)
            jump_undo(p, s);
    if (len < p->nsites) {
        for (size_t i = 0; i < len; i++) {
            proc_site *s = site_find(p, addr + i, true);
            if (s) {
                s->orig = data[i];
                data[i] = INT3;
            }
        }
        return;
    }
    for (proc_site *s = p->sites; s; s = s->next) {
        if (s->refs > 0 && s->addr >= addr && s->addr < addr + len) {
            s->orig = data[s->addr - addr];
            data[s->addr - addr] = INT3;
            guard_note_site(p, s, true);
        }
    }
}

/* ---- executing the displaced instruction ---- */

static int push_return(gobp_process *p, struct user_regs_struct *regs, uint64_t ret)
{
    regs->rsp -= 8;
    return proc_raw_write(p, regs->rsp, &ret, 8);
}

int site_prepare_displaced(gobp_process *p, proc_thread *t, proc_site *s,
                           struct user_regs_struct *regs, bool *emulated)
{
    const insn_info *in = &s->insn;
    uint64_t next = in->addr + in->len, target = in->target;
    *emulated = true;
    if (jump_copy_of(s)) {   /* the displaced instructions run from the trampoline's copy */
        *emulated = false;
        regs->rip = jump_copy_of(s);
        thread_regs_set(t, regs);
        return 0;
    }
    switch (in->kind) {
    case INSN_COPY:
    case INSN_COND:
        *emulated = false;
        regs->rip = s->slot.slot;
        break;
    case INSN_JMP_REL:
        regs->rip = target;
        break;
    case INSN_CALL_IND:
        if (insn_indirect_target(in, regs, proc_mem_read_cb, p, &target) < 0)
            return -1;
        /* fallthrough */
    case INSN_CALL_REL:
        if (push_return(p, regs, next) < 0)
            return -1;
        regs->rip = target;
        break;
    }
    thread_regs_set(t, regs);
    return 0;
}

proc_site *site_by_slot(gobp_process *p, uint64_t addr)
{
    if (!p->scratch || addr < p->scratch || addr >= p->scratch + p->scratch_used)
        return NULL;
    proc_site *s = p->slot_sites ? p->slot_sites[(addr - p->scratch) / SLOT_SIZE] : NULL;
    return s && s->slot.slot && addr >= s->slot.slot && addr < s->slot.slot + SLOT_SIZE ? s : NULL;
}

void site_finish_step(gobp_process *p, proc_thread *t, struct user_regs_struct *regs)
{
    proc_site *s = site_find(p, t->step_site, false);
    uint64_t slot = t->step_slot;
    t->step_slot = t->step_site = 0;
    if (!s)
        return;
    if (regs->rip == slot + s->slot.insn_end)
        regs->rip = s->addr + s->insn.len;
    else if (s->slot.taken_off && regs->rip == slot + s->slot.taken_off)
        regs->rip = s->insn.target;
    else
        return;
    thread_regs_set(t, regs);
}
