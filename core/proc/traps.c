/* The program's own int3s taken by the debugger while it runs an injected call (the Go
 * runtime's debugger call protocol traps at int3s of its own code, on whatever thread the call
 * runs), and the snapshot of a thread's state that such a call changes and the debugger puts
 * back. */
#include "proc_internal.h"

#include <errno.h>
#include <string.h>

void proc_set_trap_handler(gobp_process *p, gobp_trap_fn fn, void *ctx)
{
    p->trap_fn = fn;
    p->trap_ctx = ctx;
}

void proc_catch_traps(gobp_process *p, bool on)
{
    p->catch_traps = on;
}

bool trap_caught(gobp_process *p, proc_thread *t, struct user_regs_struct *regs)
{
    if (!p->trap_fn)
        return true;
    if (p->stopping || p->world_stopped) {
        /* the world is stopping: back onto the int3, taken again when the thread resumes */
        regs->rip--;
        thread_regs_set(t, regs);
        proc_resume_or_hold(p, t);
        return false;
    }
    gobp_trap_action action = p->trap_fn(p->trap_ctx, p, t->tid);
    if (action == GOBP_TRAP_PASS)
        return true;
    if (action == GOBP_TRAP_STOP && !p->stopping)
        proc_begin_stop_all(p, (gobp_event){.kind = GOBP_EV_TRAP, .tid = t->tid});
    else
        proc_resume_or_hold(p, t);
    return false;
}

int proc_thread_save(gobp_process *p, pid_t tid, proc_thread_state *out)
{
    proc_thread *t = proc_thread_find(p, tid);
    if (!t || !t->stopped) {
        errno = ESRCH;
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (thread_regs_get(t, &out->regs) < 0 || proc_get_fpregs(p, tid, &out->fp) < 0)
        return -1;
    out->consumed_site = t->consumed_site;
    return 0;
}

int proc_thread_restore(gobp_process *p, pid_t tid, const proc_thread_state *st)
{
    proc_thread *t = proc_thread_find(p, tid);
    if (!t || !t->stopped || proc_set_fpregs(p, tid, &st->fp) < 0) {
        errno = ESRCH;
        return -1;
    }
    struct user_regs_struct regs = st->regs;
    struct user_regs_struct own;
    if (thread_regs_get(t, &own) == 0) {     /* the thread pointer is the thread's own */
        regs.fs_base = own.fs_base;
        regs.gs_base = own.gs_base;
    }
    thread_regs_set(t, &regs);
    t->consumed_site = st->consumed_site;
    return 0;
}
