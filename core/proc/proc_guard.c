/* The guard of an attached process: a small helper process that outlives gobp-dap if gobp-dap
 * dies without detaching (SIGKILL, the OOM killer, a crash) and repairs what the debugger left
 * in the program. An attached program is never killed with the debugger (no
 * PTRACE_O_EXITKILL), but when the tracer dies the kernel only detaches its threads: our int3s
 * stay in the code (the next hit would be a SIGTRAP the Go runtime dies of), and threads held
 * with a SIGSTOP get it delivered at the detach (the whole program stops).
 *
 * The guard is forked (twice: reparented away from us, so our waitpid(-1) never sees it) when
 * the attach succeeds. It keeps /proc/PID/mem open (opened by us: writable without any further
 * permission check, also under Yama's ptrace_scope 1) and one end of a socketpair. The live
 * sites (address, original byte) are mirrored in shared memory. When the socket reaches EOF
 * without the "done" mark (set by a detach or kill, i.e. whenever the process is let go on
 * purpose), gobp-dap is gone: the guard writes every original byte back at once, waits until
 * the kernel has detached the program, and sends SIGCONT while it is stopped. */
#include "proc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The entries are reserved, not allocated (MAP_NORESERVE: only pages written cost memory):
 * 16M sites is more than any program has instructions worth a breakpoint. */
enum { GUARD_MAX = 1 << 24, INT3 = 0xcc, POLL_MS = 2 };
#define PF_EXITING_FLAG 0x4UL   /* include/linux/sched.h */

typedef struct {
    uint64_t addr;
    uint8_t orig;
    uint8_t live;
} guard_entry;

struct proc_guard {
    volatile uint32_t done;    /* let go on purpose: nothing to repair */
    volatile uint32_t count;   /* entries used (an entry is reused by its site) */
    guard_entry e[GUARD_MAX];
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* The TracerPid and state letter of pid from /proc/PID/status; -1 when it is gone. */
static int read_status(pid_t pid, long *tracer, char *state)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    const char *t = strstr(buf, "TracerPid:"), *s = strstr(buf, "State:");
    *tracer = t ? strtol(t + 10, NULL, 10) : 0;
    *state = 0;
    if (s) {
        for (s += 6; *s == ' ' || *s == '\t'; s++)
            ;
        *state = *s;
    }
    return 0;
}

/* PF_EXITING in the flags of /proc/TRACER/stat: set as soon as a SIGKILL is acted on, long
 * before its files are closed (the exit tears its memory down first: tens of ms for a large
 * debugger, during which the program's threads keep hitting our int3s). */
static bool tracer_exiting(int stat_fd)
{
    char buf[1024];
    ssize_t n = stat_fd >= 0 ? pread(stat_fd, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return stat_fd >= 0;   /* gone */
    buf[n] = 0;
    const char *f = strrchr(buf, ')');
    unsigned long flags = 0;
    if (!f || sscanf(f + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
        return false;
    return (flags & PF_EXITING_FLAG) != 0;
}

static int restore_code(const struct proc_guard *g, int mem_fd)
{
    int restored = 0;
    uint32_t n = g->count < GUARD_MAX ? g->count : GUARD_MAX;
    for (uint32_t i = 0; i < n; i++) {
        const guard_entry *e = &g->e[i];
        uint8_t b;
        if (!e->live || pread(mem_fd, &b, 1, (off_t)e->addr) != 1 || b != INT3)
            continue;
        if (pwrite(mem_fd, &e->orig, 1, (off_t)e->addr) == 1)
            restored++;
    }
    return restored;
}

static void close_other_fds(int keep_a, int keep_b)
{
    int devnull = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++)
        if (devnull >= 0 && devnull != fd)
            dup2(devnull, fd);
    int lo = keep_a < keep_b ? keep_a : keep_b, hi = keep_a < keep_b ? keep_b : keep_a;
    if (lo > 3)
        syscall(SYS_close_range, 3u, (unsigned)lo - 1, 0u);
    if (hi > lo + 1)
        syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0u);
    syscall(SYS_close_range, (unsigned)hi + 1, ~0u, 0u);
}

static void guard_main(struct proc_guard *g, int sock, int mem_fd, pid_t pid, pid_t tracer)
{
    child_reset_signals();
    signal(SIGPIPE, SIG_IGN);
    close_other_fds(sock, mem_fd);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", tracer);
    int stat_fd = open(path, O_RDONLY | O_CLOEXEC);
    for (;;) {   /* nothing is ever sent: EOF, or the tracer seen exiting */
        struct pollfd pfd = {sock, POLLIN, 0};
        int r = poll(&pfd, 1, POLL_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 0 || tracer_exiting(stat_fd))
            break;
    }
    if (g->done)
        _exit(0);
    /* gobp-dap is dying: the code first (its threads may run the moment it is gone) */
    restore_code(g, mem_fd);
    long tp = tracer;
    char state = 0;
    for (int i = 0; i < 5000 && read_status(pid, &tp, &state) == 0 && tp == tracer; i++)
        sleep_ms(1);
    restore_code(g, mem_fd);
    /* SIGSTOPs of an all-stop are delivered at the kernel's detach: the program stops */
    for (int i = 0; i < 20 && read_status(pid, &tp, &state) == 0; i++) {
        if (state == 'T' && tp == 0)
            kill(pid, SIGCONT);
        sleep_ms(25);
    }
    _exit(0);
}

void guard_start(gobp_process *p)
{
    p->guard = NULL;
    p->guard_fd = -1;
    if (p->mem_fd < 0)
        return;
    struct proc_guard *g = mmap(NULL, sizeof *g, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (g == MAP_FAILED)
        return;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        munmap(g, sizeof *g);
        return;
    }
    pid_t tracer = getpid(), target = p->pid;
    int mem_fd = p->mem_fd;
    fflush(NULL);
    pid_t mid = fork();
    if (mid == 0) {
        setsid();   /* no terminal signals: a Ctrl-C meant for gobp-dap is not for it */
        if (fork() == 0)
            guard_main(g, sv[1], mem_fd, target, tracer);
        _exit(0);
    }
    close(sv[1]);
    if (mid < 0) {
        close(sv[0]);
        munmap(g, sizeof *g);
        return;
    }
    int status;
    while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
        ;
    p->guard = g;
    p->guard_fd = sv[0];
}

void guard_stop(gobp_process *p)
{
    if (!p->guard)
        return;
    p->guard->done = 1;
    __sync_synchronize();
    close(p->guard_fd);
    munmap(p->guard, sizeof *p->guard);
    p->guard = NULL;
    p->guard_fd = -1;
}

void guard_note_site(gobp_process *p, proc_site *s, bool live)
{
    struct proc_guard *g = p->guard;
    if (!g)
        return;
    if (!s->guard_slot) {
        if (!live)
            return;
        if (g->count >= GUARD_MAX) {
            fprintf(stderr, "gobp-dap: the attach guard is full (%d sites): the int3 at 0x%llx "
                    "is not restored if gobp-dap dies\n", GUARD_MAX, (unsigned long long)s->addr);
            return;
        }
        s->guard_slot = (int)g->count + 1;
        g->e[g->count].addr = s->addr;
        __sync_synchronize();
        g->count++;
    }
    guard_entry *e = &g->e[s->guard_slot - 1];
    e->live = 0;   /* orig and live are never seen half-written as live */
    __sync_synchronize();
    e->orig = s->orig;
    __sync_synchronize();
    e->live = live;
}

void guard_forget_sites(gobp_process *p)
{
    if (!p->guard)
        return;
    for (proc_site *s = p->sites; s; s = s->next)
        s->guard_slot = 0;
    p->guard->count = 0;
}
