/* Private state of a traced process shared by proc.c (lifetime, memory, registers),
 * proc_wait.c (the wait loop, resume/stop/step), site.c (int3 sites and XOL slots) and
 * proc_child.c (processes the program forks). Not part of the core API: include proc.h. */
#ifndef GOBP_PROC_INTERNAL_H
#define GOBP_PROC_INTERNAL_H

#include "proc.h"
#include "insn.h"

typedef struct proc_thread {
    pid_t tid;
    bool stopped;             /* in a ptrace stop (we hold it) */
    bool awaiting_first_stop; /* announced by a clone event, initial stop not seen yet */
    bool stepping;            /* proc_singlestep in flight */
    bool step_for_signal;     /* the step only leaves an XOL slot; pending_sig goes on after it */
    int sigstops_expected;    /* SIGSTOPs we sent and have not seen yet */
    int pending_sig;          /* signal to hand back on the next resume */
    uint64_t deferred_sigs;   /* more signals that came meanwhile (bit n: signal n): a resume can
                                 hand back only one, these are raised again (tgkill) at the resume */
    uint64_t consumed_site;   /* a hit at this site was handled: resume runs its XOL slot */
    unsigned watch_gen;       /* the process's watch_gen its debug registers hold (watch.c) */
    uint64_t step_slot;       /* singlestep through this slot (0: plain step) */
    uint64_t step_site;       /* the site whose displaced instruction is being stepped */
    struct user_regs_struct regs; /* cached while the thread is held (one GETREGS per stop) */
    bool regs_valid, regs_dirty;  /* dirty: written back (SETREGS) only when it resumes */
    struct proc_thread *next;
} proc_thread;

typedef struct proc_site {
    uint64_t addr;
    int refs;                 /* 0: removed (kept as a tombstone for late traps) */
    uint8_t orig;             /* the byte under the int3 */
    insn_info insn;
    insn_slot slot;           /* slot.slot == 0: emulated, no slot */
    int guard_slot;           /* 1 + its entry in the guard's table (0: none) */
    /* a jump site (jump.c): a JMP to a trampoline instead of the int3 */
    bool jump;
    bool jump_tail;           /* back to an int3 while the program ran: the JMP's other bytes are
                                 still there until the next all-stop (jump_finish_undo) */
    uint8_t jump_len;         /* the bytes the JMP covers (whole instructions) */
    uint8_t jump_orig[24];    /* their original bytes (up to 4 + one of 15) */
    uint64_t tramp, tramp_hit, tramp_pass, tramp_end;  /* the trampoline (never reused) */
    struct proc_site *next;
} proc_site;

/* A process the program created (fork, vfork, clone without CLONE_THREAD), traced only
 * until it can run without us: a child with its own copy of the memory is cleaned of our
 * int3s and detached at its first stop; a child sharing the program's memory (vfork) runs
 * our sites' displaced instructions out of line until it execs or exits. */
typedef enum {
    CHILD_UNCLASSIFIED,       /* its first stop came before its parent's fork event */
    CHILD_SHARED_MEMORY,      /* CLONE_VM: the program's memory, int3s included */
    CHILD_OWN_MEMORY,         /* a copy of the memory: int3s to take out, then detach */
} proc_child_memory;

typedef struct proc_child {
    proc_thread th;           /* tid, stopped, awaiting_first_stop, register cache */
    pid_t tgid;               /* its process (tid itself unless a thread of another child) */
    proc_child_memory memory;
    struct proc_child *next;
} proc_child;

enum { PROC_WATCH_SLOTS = 4 };
typedef struct { uint64_t addr; int len; bool read; } proc_watch;   /* len 0: free */

struct gobp_process {
    pid_t pid;
    bool launched;
    bool exited;              /* the leader was reaped (or, attached, it exec'd: gone for us) */
    bool untraced;            /* the program exec'd: detached, only its exit is awaited */
    int mem_fd;               /* /proc/PID/mem, O_RDWR */
    struct proc_guard *guard; /* attached: the helper that repairs the program if we die */
    int guard_fd;
    proc_thread *threads;
    proc_child *children;     /* forked processes still traced (for a few syscalls, usually) */
    proc_site *sites;         /* every site ever added (removed ones too), newest first */
    proc_site **site_index;   /* the same by address: open addressing, at most half full */
    size_t site_cap, nsites;
    uint64_t scratch, scratch_size, scratch_used;
    proc_site **slot_sites;   /* the site of each XOL slot in the scratch page, by slot number */
    uint64_t data, data_size, data_used;   /* RW arena for values the debugger creates */
    gobp_site_hit_fn hit_fn;
    void *hit_ctx;
    gobp_trap_fn trap_fn;
    void *trap_ctx;
    bool catch_traps;         /* int3s at no site go to the trap handler (traps.c) */
    int njump;                /* jump sites placed (jump.c): 0 skips the trampoline checks */
    bool stopping;            /* an all-stop is in progress */
    bool world_stopped;       /* every thread is held (after an all-stop, launch, attach) */
    gobp_event stop_event;    /* reported when the all-stop completes */
    volatile sig_atomic_t *interrupt;   /* set by the front end's signal handler */
    proc_watch watch[PROC_WATCH_SLOTS];   /* hardware watchpoints (watch.c) */
    int nwatch;
    unsigned watch_gen;       /* bumped at each change; a thread catches up at its next stop */
    bool have_queued;         /* an event ready to be returned by proc_poll */
    gobp_event queued;
};

/* proc.c: the register cache of a held thread. Every resume (CONT, SINGLESTEP, DETACH,
 * injected syscalls) goes through thread_regs_flush first and thread_regs_forget after. */
int thread_regs_get(proc_thread *t, struct user_regs_struct *out);
void thread_regs_set(proc_thread *t, const struct user_regs_struct *in);
int thread_regs_flush(proc_thread *t);
/* Keeps a signal of the program for t's next resume (proc_wait.c). Signals of different numbers
 * are all kept (the kernel too keeps one of each pending): a lost SIGURG leaves the runtime
 * believing a preemption request is still on its way, and no stop-the-world ever completes.
 * first: this one is handed back before any kept earlier (a fault of the displaced instruction). */
void proc_keep_signal(proc_thread *t, int sig, bool first);
/* Raises the deferred signals of t again (tgkill), before it is resumed or detached. */
void proc_raise_deferred(gobp_process *p, proc_thread *t);
void thread_regs_forget(proc_thread *t);
/* watch.c: brings t's debug registers up to date (t stopped); the slot whose watchpoint
 * stopped t (DR6, then cleared), -1 when none did. */
void watch_apply(gobp_process *p, proc_thread *t);
int watch_triggered(gobp_process *p, proc_thread *t);

/* proc.c */
proc_thread *proc_thread_find(gobp_process *p, pid_t tid);
proc_thread *proc_thread_add(gobp_process *p, pid_t tid);
void proc_thread_remove(gobp_process *p, pid_t tid);
int proc_raw_read(gobp_process *p, uint64_t addr, void *buf, size_t len);
int proc_raw_write(gobp_process *p, uint64_t addr, const void *buf, size_t len);
/* In a forked child before it execs or serves: default signal dispositions, nothing blocked. */
void child_reset_signals(void);

/* traps.c: t (the process catching traps) executed an int3 at no site, rip just after it; whether the
 * program gets the SIGTRAP (false: the trap is the debugger's, handled). */
bool trap_caught(gobp_process *p, proc_thread *t, struct user_regs_struct *regs);

/* jump.c */
enum { SLOT_SIZE_BYTES = 64 };   /* the scratch page in chunks: an XOL slot, part of a trampoline */
void jump_undo(gobp_process *p, proc_site *s);
/* At an all-stop: the bytes left behind by jump_undo while the program ran go back. */
void jump_finish_undo(gobp_process *p);
/* Where a thread on site s runs its displaced instructions from: the trampoline's copy of a
 * jump site (or of one whose JMP is not all gone yet), else 0. */
uint64_t jump_copy_of(const proc_site *s);
/* The jump site whose trampoline holds pc (removed ones too), or whose int3 of a hit is at pc. */
proc_site *jump_site_at(gobp_process *p, uint64_t pc);
proc_site *jump_site_by_hit(gobp_process *p, uint64_t pc);
/* Single-steps held thread t out of any trampoline it is in (to the code after the displaced
 * instructions; one about to trap is put back on its site, the check runs again). */
void jump_evacuate(gobp_process *p, proc_thread *t);
/* A fault in a check (a bad pointer): its frame unwound, t set to trap as a hit. */
bool jump_check_faulted(gobp_process *p, proc_thread *t, int sig);
/* A fault of a displaced instruction in a trampoline's copy: rip back to the original code. */
bool jump_fault_in_copy(gobp_process *p, proc_thread *t);

/* proc_wait.c */
void proc_begin_stop_all(gobp_process *p, gobp_event ev);
void proc_resume_or_hold(gobp_process *p, proc_thread *t);
int proc_resume_thread(gobp_process *p, proc_thread *t);
int proc_wait_thread_stop(gobp_process *p, pid_t tid, int *status);

/* proc_child.c */
proc_child *child_find(gobp_process *p, pid_t tid);
/* A FORK/VFORK/CLONE event of parent (a program thread, or a child when parent_child is
 * set) that created task tid: it becomes a child (false) unless it is a thread of the program
 * (true: the caller adds it to the thread table). parent stays stopped; the caller resumes it. */
bool child_adopt(gobp_process *p, proc_thread *parent, proc_child *parent_child, int event, pid_t tid);
/* A wait status of a task that is no thread of the program: a known child, or a new one
 * whose stop came before its parent's event. */
void child_handle_status(gobp_process *p, pid_t tid, int status);
/* Lets every child go: stopped, int3s taken out of its memory (unless exec'd), detached. */
void child_release_all(gobp_process *p);

/* site.c */
proc_site *site_find(gobp_process *p, uint64_t addr, bool live_only);
int site_map_scratch(gobp_process *p, pid_t tid, char *err, size_t errlen);
void site_overlay_original(gobp_process *p, uint64_t addr, uint8_t *buf, size_t len);
void site_note_write(gobp_process *p, uint64_t addr, const uint8_t *buf, size_t len);
/* Moves t (stopped at site s, regs read) past the displaced instruction: rip into its
 * XOL slot (*emulated false: the caller continues or steps it), or the branch/call
 * emulated in regs (*emulated true: the instruction is done). Regs are written. */
int site_prepare_displaced(gobp_process *p, proc_thread *t, proc_site *s,
                           struct user_regs_struct *regs, bool *emulated);
/* After a step through a slot: maps the rip back to the original code. */
void site_finish_step(gobp_process *p, proc_thread *t, struct user_regs_struct *regs);
/* The site whose XOL slot holds addr (removed sites too: a thread may still run in it). */
proc_site *site_by_slot(gobp_process *p, uint64_t addr);
void site_restore_all(gobp_process *p);
void site_free_all(gobp_process *p);

/* proc_guard.c: the helper process of an attached program (see there). guard_start after
 * the attach; guard_note_site before an int3 is written (live) and after the original
 * byte is back (not live); guard_forget_sites when the sites go with the memory (exec);
 * guard_stop when the program is let go on purpose (detach, kill, exit). */
void guard_start(gobp_process *p);
void guard_stop(gobp_process *p);
void guard_note_site(gobp_process *p, proc_site *s, bool live);
void guard_forget_sites(gobp_process *p);

#endif
