/* The wait loop of a traced process: waitpid(-1, __WALL) statuses turned into thread state
 * (new clones, signals kept for redelivery, our SIGSTOPs swallowed, site hits; statuses of
 * forked children go to proc_child.c), the all-stop protocol, resume through XOL,
 * single-step, exec, and the user-visible events. */
#include "proc_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void queue_event(gobp_process *p, gobp_event ev)
{
    p->queued = ev;
    p->have_queued = true;
}

/* Wakes the caller's SIGCHLD watcher for an event made without a kernel status. */
static void wake_caller(void)
{
    raise(SIGCHLD);
}

static bool all_stopped(gobp_process *p)
{
    for (proc_thread *t = p->threads; t; t = t->next)
        if (!t->stopped || t->stepping)
            return false;
    return true;
}

static void check_stop_complete(gobp_process *p)
{
    if (!p->stopping || !all_stopped(p))
        return;
    for (proc_thread *t = p->njump ? p->threads : NULL; t; t = t->next)
        jump_evacuate(p, t);   /* nobody is ever seen inside a trampoline */
    p->stopping = false;
    p->world_stopped = true;
    jump_finish_undo(p);
    queue_event(p, p->stop_event);
}

/* ---- resuming ---- */

void proc_keep_signal(proc_thread *t, int sig, bool first)
{
    if (sig <= 0 || sig >= 64 || sig == t->pending_sig)
        return;
    if (t->pending_sig && first) {
        t->deferred_sigs |= 1ull << t->pending_sig;
        t->pending_sig = sig;
    } else if (t->pending_sig) {
        t->deferred_sigs |= 1ull << sig;
    } else {
        t->pending_sig = sig;
    }
}

void proc_raise_deferred(gobp_process *p, proc_thread *t)
{
    for (int sig = 1; t->deferred_sigs && sig < 64; sig++)
        if (t->deferred_sigs & (1ull << sig)) {
            t->deferred_sigs &= ~(1ull << sig);
            tgkill(p->pid, t->tid, sig);
        }
}

int proc_resume_thread(gobp_process *p, proc_thread *t)
{
    if (t->consumed_site) {
        struct user_regs_struct regs;
        proc_site *s = site_find(p, t->consumed_site, true);
        bool emulated;
        if (s && thread_regs_get(t, &regs) == 0 && regs.rip == s->addr)
            site_prepare_displaced(p, t, s, &regs, &emulated);
        t->consumed_site = 0;
    }
    int sig = t->pending_sig;
    t->pending_sig = 0;
    proc_raise_deferred(p, t);
    t->stopped = false;
    thread_regs_flush(t);
    thread_regs_forget(t);
    if (ptrace(PTRACE_CONT, t->tid, 0, sig) < 0 && errno != ESRCH)
        return -1;
    return 0;   /* ESRCH: it is dying; its exit status will come */
}

void proc_resume_or_hold(gobp_process *p, proc_thread *t)
{
    if (p->stopping || p->world_stopped) {
        check_stop_complete(p);
        return;
    }
    proc_resume_thread(p, t);
}

int proc_resume(gobp_process *p)
{
    if (p->exited)
        return -1;
    p->stopping = false;
    p->world_stopped = false;
    int rc = 0;
    for (proc_thread *t = p->threads; t; t = t->next)
        if (t->stopped && !t->stepping && proc_resume_thread(p, t) < 0)
            rc = -1;
    return rc;
}

bool proc_running(const gobp_process *p)
{
    return !p->exited && !p->world_stopped;
}

/* ---- stopping ---- */

void proc_begin_stop_all(gobp_process *p, gobp_event ev)
{
    p->stopping = true;
    p->stop_event = ev;
    for (proc_thread *t = p->threads; t; t = t->next) {
        if (t->stopped || t->stepping || t->awaiting_first_stop || t->sigstops_expected > 0)
            continue;
        if (tgkill(p->pid, t->tid, SIGSTOP) == 0)
            t->sigstops_expected++;
    }
    check_stop_complete(p);
}

int proc_stop_all(gobp_process *p)
{
    if (p->exited || p->untraced)
        return -1;
    if (p->stopping)
        return 0;   /* a stop is already coming (maybe a breakpoint) */
    gobp_event ev = {.kind = GOBP_EV_PAUSED, .tid = p->pid};
    proc_begin_stop_all(p, ev);
    if (p->have_queued)
        wake_caller();
    return 0;
}

/* ---- single-step ---- */

int proc_singlestep(gobp_process *p, pid_t tid)
{
    proc_thread *t = proc_thread_find(p, tid);
    struct user_regs_struct regs;
    if (!t || !t->stopped || thread_regs_get(t, &regs) < 0)
        return -1;
    proc_site *s = site_find(p, regs.rip, true);
    t->consumed_site = 0;
    if (s) {
        bool emulated;
        if (site_prepare_displaced(p, t, s, &regs, &emulated) < 0)
            return -1;
        if (emulated) {
            queue_event(p, (gobp_event){.kind = GOBP_EV_STEPPED, .tid = tid, .addr = regs.rip});
            wake_caller();
            return 0;
        }
        t->step_slot = jump_copy_of(s) ? 0 : s->slot.slot;   /* a jump site's copy is left by jump_evacuate */
        t->step_site = s->addr;
    }
    t->stepping = true;
    t->stopped = false;
    thread_regs_flush(t);
    thread_regs_forget(t);
    return ptrace(PTRACE_SINGLESTEP, tid, 0, 0) < 0 ? -1 : 0;
}

/* ---- statuses ---- */

static void handle_exit(gobp_process *p, pid_t tid, int status)
{
    if (tid != p->pid) {
        proc_thread_remove(p, tid);
        check_stop_complete(p);
        return;
    }
    p->exited = true;
    p->stopping = false;
    while (p->threads)
        proc_thread_remove(p, p->threads->tid);
    gobp_event ev = {.tid = tid};
    if (WIFEXITED(status)) {
        ev.kind = GOBP_EV_EXITED;
        ev.exit_code = WEXITSTATUS(status);
    } else {
        ev.kind = GOBP_EV_KILLED;
        ev.signo = WTERMSIG(status);
    }
    queue_event(p, ev);
}

static bool belongs_to(gobp_process *p, pid_t tid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    int tgid = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Tgid: %d", &tgid) == 1)
            break;
    fclose(f);
    return tgid == p->pid;
}

/* A clone/fork/vfork event of a program thread: a new thread joins the table (its first
 * stop may have come already); a new process is a child (proc_child.c). The new thread's
 * statuses can all come before its parent's clone event: its first stop, and its exit too (a
 * goroutine that ends locked to its thread). A thread already reaped is gone from /proc and
 * is not added: a ghost awaiting a first stop would hold every later all-stop forever. */
static void handle_new_task(gobp_process *p, proc_thread *parent, int event)
{
    unsigned long msg = 0;
    if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &msg) == 0 && msg != 0 &&
        child_adopt(p, parent, NULL, event, (pid_t)msg) && !proc_thread_find(p, (pid_t)msg) &&
        belongs_to(p, (pid_t)msg))
        proc_thread_add(p, (pid_t)msg)->awaiting_first_stop = true;
    proc_resume_or_hold(p, parent);
}

static void handle_site_hit(gobp_process *p, proc_thread *t, proc_site *s,
                            struct user_regs_struct *regs)
{
    regs->rip = s->addr;
    if (s->refs == 0 && s->jump_tail)
        regs->rip = s->tramp_pass;   /* removed, its int3 still there: on through the copy */
    thread_regs_set(t, regs);
    if (s->refs == 0 || p->stopping || p->world_stopped) {
        /* removed meanwhile (the original byte is back), or the world is stopping: the
         * thread re-executes the instruction (and re-hits a live site) when resumed */
        proc_resume_or_hold(p, t);
        return;
    }
    t->consumed_site = s->addr;
    gobp_hit_action action = p->hit_fn ? p->hit_fn(p->hit_ctx, p, t->tid, s->addr)
                                       : GOBP_HIT_STOP;
    if (action == GOBP_HIT_STOP && !p->stopping) {
        gobp_event ev = {.kind = GOBP_EV_BREAKPOINT, .tid = t->tid, .addr = s->addr};
        proc_begin_stop_all(p, ev);
        return;
    }
    proc_resume_or_hold(p, t);
}

/* A watchpoint stopped t: every thread stops (unless a stop is already coming). */
static void watch_stop(gobp_process *p, proc_thread *t, int slot)
{
    struct user_regs_struct regs;
    proc_site *s;
    if (p->scratch_used && thread_regs_get(t, &regs) == 0 && (s = site_by_slot(p, regs.rip))) {
        /* the displaced instruction of a site wrote it, in its XOL slot: back to the code */
        t->step_slot = s->slot.slot;
        t->step_site = s->addr;
        site_finish_step(p, t, &regs);
    }
    if (p->stopping || p->world_stopped) {
        proc_resume_or_hold(p, t);
        return;
    }
    proc_begin_stop_all(p, (gobp_event){.kind = GOBP_EV_WATCH, .tid = t->tid, .addr = p->watch[slot].addr, .signo = slot});
}

static void handle_trap(gobp_process *p, proc_thread *t)
{
    struct user_regs_struct regs;
    if (thread_regs_get(t, &regs) < 0)
        return;
    int watched = watch_triggered(p, t);   /* -1 unless a watchpoint is set and fired */
    if (t->stepping && t->step_for_signal && watched >= 0) {   /* out of the slot, then the stop */
        t->stepping = t->step_for_signal = false;
        if (t->step_slot)
            site_finish_step(p, t, &regs);
        watch_stop(p, t, watched);
        return;
    }
    if (!t->stepping && watched >= 0) {
        watch_stop(p, t, watched);
        return;
    }
    if (t->stepping) {
        t->stepping = false;
        if (t->step_slot)
            site_finish_step(p, t, &regs);
        if (t->step_for_signal) {   /* out of the slot: now the signal */
            t->step_for_signal = false;
            proc_resume_or_hold(p, t);
            return;
        }
        if (p->njump && jump_site_at(p, regs.rip)) {   /* the rest of a jump site's copy, at once */
            jump_evacuate(p, t);
            thread_regs_get(t, &regs);
        }
        queue_event(p, (gobp_event){.kind = GOBP_EV_STEPPED, .tid = t->tid, .addr = regs.rip});
        return;
    }
    /* an int3 of ours leaves rip just after a site (the siginfo would say SI_KERNEL; one
     * syscall per hit saved by not asking) */
    proc_site *s = site_find(p, regs.rip - 1, false);
    if (!s && p->njump)
        s = jump_site_by_hit(p, regs.rip - 1);   /* a jump site's check said trap */
    if (s) {
        handle_site_hit(p, t, s, &regs);
        return;
    }
    if (p->catch_traps && !trap_caught(p, t, &regs))
        return;
    t->pending_sig = SIGTRAP;   /* the program's own */
    proc_resume_or_hold(p, t);
}

/* The program replaced its image (execve): our sites, XOL page and breakpoint addresses
 * went with the old memory, and the new image is another program. It runs on untraced:
 * detached, and (launched: we are its parent) its exit is still reported. */
static void handle_exec(gobp_process *p)
{
    child_release_all(p);   /* children sharing the old memory keep it: int3s out of it */
    bool sigstop_in_flight = false;
    int sig = 0;
    for (proc_thread *o = p->threads; o; o = o->next) {
        if (o->sigstops_expected > 0)
            sigstop_in_flight = true;
        if (o->tid == p->pid)
            sig = o->pending_sig;
    }
    ptrace(PTRACE_DETACH, p->pid, 0, sig);   /* the registers are the new image's: untouched */
    if (sigstop_in_flight)
        kill(p->pid, SIGCONT);   /* drops a SIGSTOP of an all-stop not delivered yet */
    while (p->threads)
        proc_thread_remove(p, p->threads->tid);
    site_free_all(p);
    guard_stop(p);   /* the new image holds nothing of ours */
    p->scratch = p->data = 0;
    p->untraced = true;
    p->stopping = p->world_stopped = false;
    if (!p->launched)
        p->exited = true;   /* not our child: its end cannot be seen */
    queue_event(p, (gobp_event){.kind = GOBP_EV_EXEC, .tid = p->pid});
}

/* ---- signals that arrive in an XOL slot ---- */

static bool is_fault(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

static void step_through_slot(proc_thread *t, proc_site *s)
{
    t->step_slot = s->slot.slot;
    t->step_site = s->addr;
    t->stepping = t->step_for_signal = true;
    t->stopped = false;
    thread_regs_flush(t);
    thread_regs_forget(t);
    ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0);   /* ESRCH: dying, its exit status will come */
}

/* A signal for the program stopped t in the XOL slot of a displaced instruction (a thread
 * resumed from a site is there until it jumps back, and a signal that came while it was held
 * is delivered there). The program's handler must see a pc of its own code: Go preempts a
 * goroutine only at a pc it knows (otherwise busy goroutines are never descheduled and a
 * preempted one waits for them to finish), and reports a fault where it happened. Before the
 * displaced instruction, a fault is its own and is delivered at the site; any other signal
 * waits for one single-step through the slot. After it, the pc maps back to the original code.
 * Returns true when the thread was set stepping (handle_trap resumes it with the signal). */
static bool leave_slot_for_signal(gobp_process *p, proc_thread *t, int sig)
{
    struct user_regs_struct regs;
    proc_site *s;
    if (!p->scratch_used || thread_regs_get(t, &regs) < 0 || !(s = site_by_slot(p, regs.rip)))
        return false;
    if (regs.rip == s->slot.slot && !is_fault(sig)) {
        step_through_slot(t, s);
        return true;
    }
    if (regs.rip == s->slot.slot) {
        regs.rip = s->addr;
        thread_regs_set(t, &regs);
        return false;
    }
    t->step_slot = s->slot.slot;
    t->step_site = s->addr;
    site_finish_step(p, t, &regs);
    return false;
}

/* The displaced instruction faulted while stepped out of its slot: the fault is delivered at
 * the site, before the signal the step was for (raised again after it). */
static void slot_step_faulted(gobp_process *p, proc_thread *t, int sig)
{
    struct user_regs_struct regs;
    proc_site *s = site_find(p, t->step_site, false);
    t->stepping = t->step_for_signal = false;
    t->step_slot = t->step_site = 0;
    proc_keep_signal(t, sig, true);
    if (s && thread_regs_get(t, &regs) == 0 && regs.rip == s->slot.slot) {
        regs.rip = s->addr;
        thread_regs_set(t, &regs);
    }
    proc_resume_or_hold(p, t);
}

static void handle_signal_stop(gobp_process *p, proc_thread *t, int sig)
{
    if (t->stepping && t->step_for_signal && is_fault(sig)) {
        slot_step_faulted(p, t, sig);
        return;
    }
    if (t->stepping && sig != SIGTRAP) {   /* the step goes on; the signal waits */
        if (sig == SIGSTOP && t->sigstops_expected > 0)
            t->sigstops_expected--;
        else
            proc_keep_signal(t, sig, false);
        t->stopped = false;
        thread_regs_flush(t);
        thread_regs_forget(t);
        ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0);
        return;
    }
    if (sig == SIGSTOP && (t->awaiting_first_stop || t->sigstops_expected > 0)) {
        if (t->awaiting_first_stop)
            t->awaiting_first_stop = false;
        else
            t->sigstops_expected--;
        proc_resume_or_hold(p, t);
        return;
    }
    if (sig == SIGTRAP) {
        handle_trap(p, t);
        return;
    }
    if (p->njump && jump_check_faulted(p, t, sig)) {   /* a check's load faulted: a hit instead */
        proc_resume_or_hold(p, t);
        return;
    }
    if (p->njump && is_fault(sig))
        jump_fault_in_copy(p, t);   /* delivered at the program's own pc */
    proc_keep_signal(t, sig, false);
    if (!leave_slot_for_signal(p, t, sig))
        proc_resume_or_hold(p, t);
}

static void handle_status(gobp_process *p, pid_t tid, int status)
{
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        if (tid == p->pid || proc_thread_find(p, tid))
            handle_exit(p, tid, status);
        else
            child_handle_status(p, tid, status);
        return;
    }
    if (!WIFSTOPPED(status))
        return;
    proc_thread *t = proc_thread_find(p, tid);
    if (!t) {
        if (child_find(p, tid) || !belongs_to(p, tid)) {
            child_handle_status(p, tid, status);   /* a process the program created */
            return;
        }
        t = proc_thread_add(p, tid);   /* its stop came before the clone event */
        t->awaiting_first_stop = true;
    }
    t->stopped = true;
    thread_regs_forget(t);
    if (t->watch_gen != p->watch_gen)   /* a new thread, or one that ran when they changed */
        watch_apply(p, t);
    int event = status >> 16, sig = WSTOPSIG(status);
    /* Attached (PTRACE_SEIZE): any ptrace-stop consumes the pending PTRACE_INTERRUPT, so a
     * thread whose first stop is a signal (Go's SIGURG) or a clone event never reports the
     * PTRACE_EVENT_STOP it was waiting for; left waiting, it got no SIGSTOP from an all-stop,
     * which then never completed (no stopped event after attach). Only a SIGSTOP is still
     * taken as the first stop (swallowed below). Launched threads' first stop is a SIGSTOP. */
    if (!p->launched && !(event == 0 && sig == SIGSTOP))
        t->awaiting_first_stop = false;
    switch (event) {
    case 0:
        handle_signal_stop(p, t, sig);
        break;
    case PTRACE_EVENT_CLONE:
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
        handle_new_task(p, t, event);
        break;
    case PTRACE_EVENT_EXEC:
        handle_exec(p);
        break;
    default:   /* PTRACE_EVENT_STOP: interrupt, first stop of a seized thread, group-stop */
        t->awaiting_first_stop = false;
        proc_resume_or_hold(p, t);
        break;
    }
}

int proc_wait_thread_stop(gobp_process *p, pid_t tid, int *status)
{
    for (;;) {
        pid_t w = waitpid(tid, status, __WALL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (WIFSTOPPED(*status))
            return 0;
        handle_status(p, tid, *status);
        return -1;
    }
}

/* ---- the loop ---- */

static int take_queued(gobp_process *p, gobp_event *ev)
{
    *ev = p->queued;
    p->have_queued = false;
    wake_caller();   /* more statuses may be waiting: the caller polls again */
    return 1;
}

int proc_poll(gobp_process *p, gobp_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (p->have_queued)
        return take_queued(p, ev);
    if (p->exited)
        return 0;
    for (;;) {
        int status;
        pid_t w = waitpid(-1, &status, WNOHANG | __WALL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == ECHILD ? 0 : -1;
        if (w == 0)
            return 0;
        handle_status(p, w, status);
        if (p->have_queued)
            return take_queued(p, ev);
    }
}

int proc_stop_all_sync(gobp_process *p)
{
    if (p->exited || p->untraced)
        return -1;
    if (!p->world_stopped || p->stopping) {
        bool ours = !p->stopping;   /* else a stop already on its way (a hit): its event stays queued */
        if (ours)
            proc_begin_stop_all(p, (gobp_event){.kind = GOBP_EV_PAUSED, .tid = p->pid});
        while (p->stopping && !p->exited) {
            int status;
            pid_t w = waitpid(-1, &status, __WALL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return -1;
            handle_status(p, w, status);
        }
        if (ours && !p->exited && !p->untraced)
            p->have_queued = false;   /* the PAUSED event: the caller asked for the stop */
    }
    return p->exited || p->untraced ? -1 : 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* No timeout: block in waitpid itself, one syscall per status (the hot loop of `gobp-dap run`
 * and `trace`). A signal to the debugger (Ctrl-C, a timer) ends the wait with 0. */
static int wait_blocking(gobp_process *p, gobp_event *ev)
{
    memset(ev, 0, sizeof *ev);
    for (;;) {
        if (p->have_queued)
            return take_queued(p, ev);
        if (p->exited || (p->interrupt && *p->interrupt))
            return 0;
        int status;
        pid_t w = waitpid(-1, &status, __WALL);
        if (w < 0)
            return errno == EINTR || errno == ECHILD ? 0 : -1;
        handle_status(p, w, status);
    }
}

void proc_set_interrupt(gobp_process *p, volatile sig_atomic_t *flag)
{
    p->interrupt = flag;
}

bool proc_wait_ends(const gobp_process *p)
{
    return p->exited || (p->interrupt && *p->interrupt);
}

int proc_wait(gobp_process *p, gobp_event *ev, int timeout_ms)
{
    if (timeout_ms < 0)
        return wait_blocking(p, ev);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &chld, &old);
    long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    int r;
    for (;;) {
        r = proc_poll(p, ev);
        if (r != 0 || p->exited)
            break;
        long left = deadline < 0 ? 1000 : deadline - now_ms();
        if (left <= 0)
            break;
        struct timespec ts = {left / 1000, (left % 1000) * 1000000L};
        sigtimedwait(&chld, NULL, &ts);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r;
}
