/* Processes the program creates (fork, vfork, clone without CLONE_THREAD; os/exec uses
 * CLONE_VFORK|CLONE_VM): the debugger never changes what they do. No hit callback, no trap:
 * a child sharing the memory steps over our int3s through the XOL slots, one with its own
 * copy gets the original bytes back; each is detached as soon as it can run without us. */
#include "alloc.h"
#include "proc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { INT3 = 0xcc };

proc_child *child_find(gobp_process *p, pid_t tid)
{
    for (proc_child *c = p->children; c; c = c->next)
        if (c->th.tid == tid)
            return c;
    return NULL;
}

static proc_child *child_add(gobp_process *p, pid_t tid, pid_t tgid)
{
    proc_child *c = xcalloc(1, sizeof *c);
    c->th.tid = tid;
    c->th.awaiting_first_stop = true;
    c->tgid = tgid;
    c->next = p->children;
    p->children = c;
    return c;
}

static void child_remove(gobp_process *p, proc_child *c)
{
    for (proc_child **pp = &p->children; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            free(c);
            return;
        }
    }
}

/* ---- running and letting go ---- */

static void child_continue(proc_child *c, int sig)
{
    c->th.stopped = false;
    thread_regs_flush(&c->th);
    thread_regs_forget(&c->th);
    ptrace(PTRACE_CONT, c->th.tid, 0, sig);   /* ESRCH: dying, its exit status comes */
}

/* Puts the original byte back wherever the child's memory still has one of our int3s
 * (removed sites too: the memory may have been copied before the removal). Through the
 * child's own /proc/TID/mem: after a fork it is not the program's memory. */
static void child_restore_sites(gobp_process *p, proc_child *c)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", c->th.tid);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    for (proc_site *s = p->sites; s; s = s->next) {
        uint8_t b;
        if (s->jump_len && pread(fd, &b, 1, (off_t)s->addr) == 1 && (b == 0xe9 || s->jump_tail))   /* a jump site's JMP */
            if (pwrite(fd, s->jump_orig, s->jump_len, (off_t)s->addr) != s->jump_len) { /* unmapped since */ }
        if (s->orig != INT3 && pread(fd, &b, 1, (off_t)s->addr) == 1 && b == INT3)
            if (pwrite(fd, &s->orig, 1, (off_t)s->addr) != 1) { /* unmapped since: nothing runs it */ }
    }
    close(fd);
}

static void child_detach(gobp_process *p, proc_child *c, int sig)
{
    thread_regs_flush(&c->th);
    ptrace(PTRACE_DETACH, c->th.tid, 0, sig);
    child_remove(p, c);
}

/* A classified child at a stop of ours: off it goes. */
static void child_start(gobp_process *p, proc_child *c)
{
    if (c->memory == CHILD_OWN_MEMORY) {
        child_restore_sites(p, c);
        child_detach(p, c, 0);
    } else {
        child_continue(c, 0);
    }
}

/* ---- new tasks ---- */

/* The clone flags of the fork/vfork/clone/clone3 call parent is stopped in (its event stop). */
static uint64_t clone_flags(gobp_process *p, proc_thread *parent, int event)
{
    struct user_regs_struct r;
    uint64_t flags;
    if (thread_regs_get(parent, &r) == 0) {
        switch ((long)r.orig_rax) {
        case SYS_clone:
            return r.rdi;
        case SYS_clone3:   /* struct clone_args starts with the u64 flags */
            if (proc_raw_read(p, r.rdi, &flags, sizeof flags) == 0)
                return flags;
            break;
        case SYS_fork:
            return SIGCHLD;
        case SYS_vfork:
            return CLONE_VM | CLONE_VFORK | SIGCHLD;
        }
    }
    if (event == PTRACE_EVENT_VFORK)
        return CLONE_VM | CLONE_VFORK;
    return event == PTRACE_EVENT_FORK ? SIGCHLD : CLONE_VM | CLONE_THREAD;
}

bool child_adopt(gobp_process *p, proc_thread *parent, proc_child *parent_child, int event, pid_t tid)
{
    uint64_t flags = clone_flags(p, parent, event);
    if (!parent_child && (flags & CLONE_THREAD))
        return true;
    /* sharing the program's memory: CLONE_VM from the program or from a child sharing it */
    bool shared = (flags & CLONE_VM) && (!parent_child || parent_child->memory == CHILD_SHARED_MEMORY);
    pid_t tgid = (flags & CLONE_THREAD) ? parent_child->tgid : tid;
    proc_child *c = child_find(p, tid);
    if (!c && !(c = child_add(p, tid, tgid)))
        return false;
    c->tgid = tgid;
    c->memory = shared ? CHILD_SHARED_MEMORY : CHILD_OWN_MEMORY;
    if (c->th.stopped && !c->th.awaiting_first_stop)
        child_start(p, c);   /* it was held at its first stop, waiting for this */
    return false;
}

/* ---- its stops ---- */

/* A SIGTRAP of a child sharing the memory: one of our int3s runs its displaced instruction
 * (as the XOL slot or the emulation does for a program thread), anything else is its own. */
static void child_trap(gobp_process *p, proc_child *c)
{
    struct user_regs_struct regs;
    if (c->memory != CHILD_SHARED_MEMORY || thread_regs_get(&c->th, &regs) < 0) {
        child_continue(c, SIGTRAP);
        return;
    }
    proc_site *s = site_find(p, regs.rip - 1, false);
    if (!s && p->njump)
        s = jump_site_by_hit(p, regs.rip - 1);   /* a jump site's check: no hit for a child */
    if (!s) {
        child_continue(c, SIGTRAP);
        return;
    }
    regs.rip = s->addr;
    thread_regs_set(&c->th, &regs);
    bool emulated;
    if (s->refs > 0 && site_prepare_displaced(p, &c->th, s, &regs, &emulated) < 0) {
        child_continue(c, SIGTRAP);   /* cannot emulate: what would have happened anyway */
        return;
    }
    child_continue(c, 0);   /* removed site: the original byte is back at rip */
}

static void child_stop(gobp_process *p, proc_child *c, int status)
{
    int event = status >> 16, sig = WSTOPSIG(status);
    c->th.stopped = true;
    thread_regs_forget(&c->th);
    switch (event) {
    case 0:
        if (sig == SIGSTOP && c->th.awaiting_first_stop)
            break;
        if (sig == SIGTRAP)
            child_trap(p, c);
        else
            child_continue(c, sig);
        return;
    case PTRACE_EVENT_EXEC:   /* a new image: nothing of ours in it */
        for (proc_child *o = p->children, *next; o; o = next) {
            next = o->next;
            if (o != c && o->tgid == c->tgid)
                child_remove(p, o);   /* its other threads are gone */
        }
        child_detach(p, c, 0);
        return;
    case PTRACE_EVENT_CLONE:
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK: {
        unsigned long msg = 0;
        if (ptrace(PTRACE_GETEVENTMSG, c->th.tid, 0, &msg) == 0 && msg != 0)
            child_adopt(p, &c->th, c, event, (pid_t)msg);
        child_continue(c, 0);
        return;
    }
    case PTRACE_EVENT_STOP:
        if (c->th.awaiting_first_stop)
            break;
        child_continue(c, 0);
        return;
    default:
        child_continue(c, 0);
        return;
    }
    /* its first stop */
    c->th.awaiting_first_stop = false;
    if (c->memory != CHILD_UNCLASSIFIED)
        child_start(p, c);
    /* else held until its parent's event says what it is */
}

void child_handle_status(gobp_process *p, pid_t tid, int status)
{
    proc_child *c = child_find(p, tid);
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        if (c)
            child_remove(p, c);
        return;
    }
    if (!WIFSTOPPED(status))
        return;
    if (!c && !(c = child_add(p, tid, tid)))
        return;
    child_stop(p, c, status);
}

/* ---- letting every child go (the program exec'd, exited, was detached or killed) ---- */

static void child_release(gobp_process *p, proc_child *c)
{
    int sig = 0;
    bool sigstop_pending = false, new_image = false;
    if (!c->th.stopped) {
        if (syscall(SYS_tgkill, c->tgid, c->th.tid, SIGSTOP) < 0) {
            child_remove(p, c);
            return;
        }
        for (;;) {
            int status;
            pid_t w = waitpid(c->th.tid, &status, __WALL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0 || !WIFSTOPPED(status)) {
                child_remove(p, c);
                return;
            }
            c->th.stopped = true;
            thread_regs_forget(&c->th);
            int event = status >> 16, s = WSTOPSIG(status);
            if (event == 0 && s == SIGSTOP && !c->th.awaiting_first_stop)
                break;   /* ours */
            sigstop_pending = true;
            new_image = event == PTRACE_EVENT_EXEC;
            struct user_regs_struct regs;
            proc_site *site;
            if (event == 0 && s == SIGTRAP && thread_regs_get(&c->th, &regs) == 0 &&
                (site = site_find(p, regs.rip - 1, false)) != NULL) {
                regs.rip = site->addr;   /* the original byte goes back below */
                thread_regs_set(&c->th, &regs);
            } else if (event == 0 && s != SIGSTOP) {
                sig = s;   /* its own signal */
            }
            break;
        }
    }
    if (!new_image)
        child_restore_sites(p, c);
    pid_t tgid = c->tgid;
    child_detach(p, c, sig);
    if (sigstop_pending)
        kill(tgid, SIGCONT);   /* drops our SIGSTOP before it stops the program's child */
}

void child_release_all(gobp_process *p)
{
    while (p->children)
        child_release(p, p->children);
}
