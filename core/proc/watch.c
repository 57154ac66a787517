/* Hardware watchpoints: x86-64's four debug registers (DR0-DR3 addresses, DR7 control, DR6
 * status), the same on every thread of the program: set on the stopped threads at once and on
 * any other (a new thread, one running) at its next stop. */
#include "proc_internal.h"

#include <errno.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#define DR_OFFSET(i) offsetof(struct user, u_debugreg[i])

/* DR7: local enable per slot; R/W (01 write, 11 read or write) and LEN (00 1, 01 2, 11 4, 10 8). */
static uint64_t dr7_value(const gobp_process *p)
{
    uint64_t v = 0;
    for (int i = 0; i < PROC_WATCH_SLOTS; i++) {
        const proc_watch *w = &p->watch[i];
        if (!w->len)
            continue;
        uint64_t len = w->len == 1 ? 0 : w->len == 2 ? 1 : w->len == 8 ? 2 : 3;
        v |= 1ull << (2 * i) | (uint64_t)(w->read ? 3 : 1) << (16 + 4 * i) | len << (18 + 4 * i);
    }
    return v;
}

void watch_apply(gobp_process *p, proc_thread *t)
{
    if (t->watch_gen == p->watch_gen)
        return;
    /* DR7 off first: an address is never enabled with another slot's old settings */
    ptrace(PTRACE_POKEUSER, t->tid, DR_OFFSET(7), 0);
    for (int i = 0; i < PROC_WATCH_SLOTS; i++)
        if (p->watch[i].len)
            ptrace(PTRACE_POKEUSER, t->tid, DR_OFFSET(i), p->watch[i].addr);
    if (ptrace(PTRACE_POKEUSER, t->tid, DR_OFFSET(7), dr7_value(p)) == 0 || errno == ESRCH)
        t->watch_gen = p->watch_gen;
}

static void apply_to_stopped(gobp_process *p)
{
    p->watch_gen++;
    for (proc_thread *t = p->threads; t; t = t->next)
        if (t->stopped)
            watch_apply(p, t);
}

int proc_watch_set(gobp_process *p, uint64_t addr, int len, bool read)
{
    if ((len != 1 && len != 2 && len != 4 && len != 8) || addr % (uint64_t)len)
        return -1;
    for (int i = 0; i < PROC_WATCH_SLOTS; i++)
        if (!p->watch[i].len) {
            p->watch[i] = (proc_watch){ addr, len, read };
            p->nwatch++;
            apply_to_stopped(p);
            return i;
        }
    return -1;
}

void proc_watch_clear(gobp_process *p, int slot)
{
    if (slot < 0 || slot >= PROC_WATCH_SLOTS || !p->watch[slot].len)
        return;
    p->watch[slot] = (proc_watch){ 0 };
    p->nwatch--;
    apply_to_stopped(p);
}

int proc_watch_free_slots(const gobp_process *p)
{
    return PROC_WATCH_SLOTS - p->nwatch;
}

int watch_triggered(gobp_process *p, proc_thread *t)
{
    if (!p->nwatch)
        return -1;
    errno = 0;
    long dr6 = ptrace(PTRACE_PEEKUSER, t->tid, DR_OFFSET(6), 0);
    if (errno || !(dr6 & 0xf))
        return -1;
    ptrace(PTRACE_POKEUSER, t->tid, DR_OFFSET(6), 0);   /* the CPU never clears DR6 itself */
    for (int i = 0; i < PROC_WATCH_SLOTS; i++)
        if ((dr6 & (1L << i)) && p->watch[i].len)
            return i;
    return -1;
}
