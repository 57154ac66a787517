/* Process lifetime and state: launch (fork + PTRACE_TRACEME + exec), attach (PTRACE_SEIZE
 * of every thread), kill, detach, the thread table, memory (process_vm_readv and
 * /proc/PID/mem) and registers. The wait loop lives in proc_wait.c, sites in site.c,
 * forked children in proc_child.c. */
#include "alloc.h"
#include "proc_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Forks and vforks are traced too: their children carry our int3s (proc_child.c). A program
 * we launched dies with us (EXITKILL); an attached one must never: it is let go by the kernel
 * and repaired by its guard (proc_guard.c). */
#define TRACE_OPTIONS_ATTACHED (PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
                                PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)
#define TRACE_OPTIONS_LAUNCHED (TRACE_OPTIONS_ATTACHED | PTRACE_O_EXITKILL)

/* ---- thread table ---- */

proc_thread *proc_thread_find(gobp_process *p, pid_t tid)
{
    for (proc_thread *t = p->threads; t; t = t->next)
        if (t->tid == tid)
            return t;
    return NULL;
}

proc_thread *proc_thread_add(gobp_process *p, pid_t tid)
{
    proc_thread *t = proc_thread_find(p, tid);
    if (t)
        return t;
    t = xcalloc(1, sizeof *t);
    t->tid = tid;
    t->next = p->threads;
    p->threads = t;
    return t;
}

void proc_thread_remove(gobp_process *p, pid_t tid)
{
    for (proc_thread **pp = &p->threads; *pp; pp = &(*pp)->next) {
        if ((*pp)->tid == tid) {
            proc_thread *dead = *pp;
            *pp = dead->next;
            free(dead);
            return;
        }
    }
}

static gobp_process *process_new(pid_t pid, bool launched)
{
    gobp_process *p = xcalloc(1, sizeof *p);
    p->pid = pid;
    p->launched = launched;
    p->guard_fd = -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    p->mem_fd = open(path, O_RDWR | O_CLOEXEC);
    return p;
}

static void process_free(gobp_process *p)
{
    guard_stop(p);
    child_release_all(p);
    while (p->threads)
        proc_thread_remove(p, p->threads->tid);
    site_free_all(p);
    if (p->mem_fd >= 0)
        close(p->mem_fd);
    free(p);
}

pid_t proc_pid(const gobp_process *p) { return p->pid; }
bool proc_launched(const gobp_process *p) { return p->launched; }

int proc_exe_entry(gobp_process *p, uint64_t *entry)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/auxv", p->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    uint64_t pair[2];   /* (type, value) until AT_NULL */
    int rc = -1;
    while (fread(pair, sizeof pair, 1, f) == 1 && pair[0] != AT_NULL) {
        if (pair[0] == AT_ENTRY) {
            *entry = pair[1];
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

/* ---- launch ---- */

static void redirect_fd(int fd, int target)
{
    if (fd < 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0 && devnull != target) {
            dup2(devnull, target);
            close(devnull);
        }
    } else if (fd != target) {
        dup2(fd, target);
    }
}

static void report_child_failure(int pipe_fd, const char *what, const char *path)
{
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s %s: %s", what, path, strerror(errno));
    if (write(pipe_fd, msg, (size_t)n) < 0) { /* the parent sees EOF */ }
    _exit(127);
}

/* The program starts with default signal dispositions and an empty mask, whatever the
 * debugger itself blocks (SIGCHLD for its signalfd) or ignores (SIGPIPE). */
void child_reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
}

static void child_exec(const gobp_launch_opts *o, int pipe_fd)
{
    child_reset_signals();
    redirect_fd(o->stdin_fd, 0);
    redirect_fd(o->stdout_fd, 1);
    redirect_fd(o->stderr_fd, 2);
    if (o->cwd && chdir(o->cwd) < 0)
        report_child_failure(pipe_fd, "cannot change directory to", o->cwd);
    if (o->disable_aslr)
        personality(ADDR_NO_RANDOMIZE);
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
        report_child_failure(pipe_fd, "cannot trace", o->path);
    char *const empty[] = {NULL};
    execve(o->path, o->argv, o->envp ? o->envp : empty);
    report_child_failure(pipe_fd, "cannot execute", o->path);
}

static bool child_reported_failure(int pipe_fd, char *err, size_t errlen)
{
    char msg[512];
    ssize_t n;
    do {
        n = read(pipe_fd, msg, sizeof msg - 1);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return false;
    msg[n] = 0;
    snprintf(err, errlen, "%s", msg);
    return true;
}

gobp_process *proc_launch(const gobp_launch_opts *opts, char *err, size_t errlen)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    if (pid == 0) {
        close(fds[0]);
        child_exec(opts, fds[1]);
    }
    close(fds[1]);
    bool failed = child_reported_failure(fds[0], err, errlen);
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, __WALL) < 0 || failed || !WIFSTOPPED(status)) {
        if (!failed)
            snprintf(err, errlen, "cannot execute %s: the process did not start", opts->path);
        if (waitpid(pid, &status, WNOHANG | __WALL) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, __WALL);
        }
        return NULL;
    }
    ptrace(PTRACE_SETOPTIONS, pid, 0, TRACE_OPTIONS_LAUNCHED);
    gobp_process *p = process_new(pid, true);
    proc_thread *t = p ? proc_thread_add(p, pid) : NULL;
    if (!t) {
        snprintf(err, errlen, "out of memory");
        kill(pid, SIGKILL);
        waitpid(pid, &status, __WALL);
        free(p);
        return NULL;
    }
    t->stopped = true;
    p->world_stopped = true;
    if (site_map_scratch(p, pid, err, errlen) < 0) {
        proc_kill(p);
        return NULL;
    }
    return p;
}

/* ---- attach ---- */

static int seize_new_threads(gobp_process *p, int *seized)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", p->pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid <= 0 || proc_thread_find(p, tid))
            continue;
        if (ptrace(PTRACE_SEIZE, tid, 0, TRACE_OPTIONS_ATTACHED) < 0)
            continue;   /* exited meanwhile */
        proc_thread_add(p, tid)->awaiting_first_stop = true;
        ptrace(PTRACE_INTERRUPT, tid, 0, 0);
        (*seized)++;
    }
    closedir(d);
    return 0;
}

gobp_process *proc_attach(pid_t pid, char *err, size_t errlen)
{
    gobp_process *p = process_new(pid, false);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (ptrace(PTRACE_SEIZE, pid, 0, TRACE_OPTIONS_ATTACHED) < 0) {
        snprintf(err, errlen, "cannot attach to process %d: %s", pid, strerror(errno));
        process_free(p);
        return NULL;
    }
    proc_thread_add(p, pid)->awaiting_first_stop = true;
    ptrace(PTRACE_INTERRUPT, pid, 0, 0);
    int seized;
    do {
        seized = 0;
        if (seize_new_threads(p, &seized) < 0)
            break;
    } while (seized > 0);
    if (proc_stop_all_sync(p) < 0 || p->exited) {
        snprintf(err, errlen, "process %d exited while attaching", pid);
        proc_kill(p);
        return NULL;
    }
    if (site_map_scratch(p, pid, err, errlen) < 0) {
        proc_detach(p);
        return NULL;
    }
    guard_start(p);   /* forked with every thread stopped: no status can race the fork */
    return p;
}

/* ---- kill, detach ---- */

void proc_kill(gobp_process *p)
{
    if (!p)
        return;
    if (!p->exited) {
        kill(p->pid, SIGKILL);
        int status;
        for (;;) {
            pid_t w = waitpid(-1, &status, __WALL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                break;
            if (w == p->pid && (WIFEXITED(status) || WIFSIGNALED(status)))
                break;
            if (w != p->pid && !proc_thread_find(p, w))
                child_handle_status(p, w, status);   /* children are not killed: they go on */
        }
    }
    process_free(p);
}

int proc_detach(gobp_process *p)
{
    if (!p->exited && !p->untraced)
        proc_stop_all_sync(p);
    if (p->exited || p->untraced) {   /* gone, or exec'd meanwhile: nothing of ours in it */
        process_free(p);
        return 0;
    }
    site_restore_all(p);
    bool stops_in_flight = false;
    for (proc_thread *t = p->threads; t; t = t->next) {
        if (t->sigstops_expected > 0)
            stops_in_flight = true;
        thread_regs_flush(t);
        proc_raise_deferred(p, t);
        ptrace(PTRACE_DETACH, t->tid, 0, t->pending_sig);
    }
    /* A SIGSTOP we sent that has not been delivered yet would stop the program: SIGCONT
     * discards it. */
    if (stops_in_flight)
        kill(p->pid, SIGCONT);
    process_free(p);
    return 0;
}

/* ---- threads and registers ---- */

int proc_threads(gobp_process *p, pid_t *tids, int max)
{
    int n = 0;
    for (proc_thread *t = p->threads; t; t = t->next, n++)
        if (n < max)
            tids[n] = t->tid;
    return n;
}

bool proc_thread_stopped(gobp_process *p, pid_t tid)
{
    proc_thread *t = proc_thread_find(p, tid);
    return t && t->stopped;
}

int proc_mapping(gobp_process *p, uint64_t addr, char *name, size_t namelen, uint64_t *file_offset)
{
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)p->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int rc = -1;
    while (rc != 0 && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi, off;
        int pathpos = 0;
        if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &lo, &hi, &off, &pathpos) != 3 || !pathpos ||
            addr < lo || addr >= hi || line[pathpos] != '/')
            continue;
        line[strcspn(line, "\n")] = 0;
        const char *base = strrchr(line + pathpos, '/') + 1;
        snprintf(name, namelen, "%s", base);
        *file_offset = addr - lo + off;
        rc = 0;
    }
    fclose(f);
    return rc;
}

static bool thread_held(gobp_process *p, pid_t tid)
{
    proc_thread *t = proc_thread_find(p, tid);
    if (!t || !t->stopped) {
        errno = ESRCH;
        return false;
    }
    return true;
}

int thread_regs_get(proc_thread *t, struct user_regs_struct *out)
{
    if (!t->regs_valid) {
        if (ptrace(PTRACE_GETREGS, t->tid, 0, &t->regs) < 0)
            return -1;
        t->regs_valid = true;
    }
    *out = t->regs;
    return 0;
}

void thread_regs_set(proc_thread *t, const struct user_regs_struct *in)
{
    t->regs = *in;
    t->regs_valid = t->regs_dirty = true;
}

int thread_regs_flush(proc_thread *t)
{
    if (!t->regs_dirty)
        return 0;
    t->regs_dirty = false;
    return ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) < 0 ? -1 : 0;
}

void thread_regs_forget(proc_thread *t)
{
    t->regs_valid = t->regs_dirty = false;
}

int proc_get_regs(gobp_process *p, pid_t tid, struct user_regs_struct *regs)
{
    return thread_held(p, tid) ? thread_regs_get(proc_thread_find(p, tid), regs) : -1;
}

int proc_set_regs(gobp_process *p, pid_t tid, const struct user_regs_struct *regs)
{
    if (!thread_held(p, tid))
        return -1;
    thread_regs_set(proc_thread_find(p, tid), regs);
    return 0;
}

int proc_get_fpregs(gobp_process *p, pid_t tid, struct user_fpregs_struct *fp)
{
    return thread_held(p, tid) ? (int)ptrace(PTRACE_GETFPREGS, tid, 0, fp) : -1;
}

int proc_set_fpregs(gobp_process *p, pid_t tid, const struct user_fpregs_struct *fp)
{
    return thread_held(p, tid) ? (int)ptrace(PTRACE_SETFPREGS, tid, 0, fp) : -1;
}

/* ---- memory ---- */

int proc_raw_read(gobp_process *p, uint64_t addr, void *buf, size_t len)
{
    if (p->untraced)
        return -1;   /* the pid runs another image now */
    struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
    ssize_t n = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);
    if (n == (ssize_t)len)
        return 0;
    if (p->mem_fd >= 0 && pread(p->mem_fd, buf, len, (off_t)addr) == (ssize_t)len)
        return 0;
    return -1;
}

int proc_raw_write(gobp_process *p, uint64_t addr, const void *buf, size_t len)
{
    if (p->mem_fd < 0 || p->untraced)
        return -1;
    return pwrite(p->mem_fd, buf, len, (off_t)addr) == (ssize_t)len ? 0 : -1;
}

int proc_read(gobp_process *p, uint64_t addr, void *buf, size_t len)
{
    if (proc_raw_read(p, addr, buf, len) < 0)
        return -1;
    site_overlay_original(p, addr, buf, len);
    return 0;
}

int proc_write(gobp_process *p, uint64_t addr, const void *buf, size_t len)
{
    uint8_t *copy = xmalloc(len ? len : 1);
    memcpy(copy, buf, len);
    site_note_write(p, addr, copy, len);   /* keeps the int3s, remembers new originals */
    int r = proc_raw_write(p, addr, copy, len);
    free(copy);
    return r;
}

void proc_read_many(void *ctx, gobp_mem_req *reqs, size_t n)
{
    gobp_process *p = ctx;
    enum { BATCH = 1024 };   /* IOV_MAX */
    struct iovec local[BATCH], remote[BATCH];
    for (size_t i = 0; i < n;) {
        size_t k = n - i < BATCH ? n - i : BATCH, want = 0;
        for (size_t j = 0; j < k; j++) {
            local[j] = (struct iovec){reqs[i + j].buf, reqs[i + j].len};
            remote[j] = (struct iovec){(void *)(uintptr_t)reqs[i + j].addr, reqs[i + j].len};
            want += reqs[i + j].len;
        }
        ssize_t got = process_vm_readv(p->pid, local, k, remote, k, 0);
        /* a partial read stops at the first unreadable request: those before it are whole */
        size_t done = 0, j = 0;
        for (; j < k && got > 0 && done + reqs[i + j].len <= (size_t)got; j++) {
            reqs[i + j].ok = true;
            done += reqs[i + j].len;
        }
        if ((size_t)(got < 0 ? 0 : got) == want) {
            i += k;
            continue;
        }
        reqs[i + j].ok = proc_raw_read(p, reqs[i + j].addr, reqs[i + j].buf, reqs[i + j].len) == 0;
        i += j + 1;
    }
}

int proc_mem_read_cb(void *ctx, uint64_t addr, void *buf, size_t len)
{
    return proc_read((gobp_process *)ctx, addr, buf, len);
}
