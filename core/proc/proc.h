/* A traced process: launch/attach/detach/kill, every thread, the wait loop, memory and
 * registers, int3 sites with out-of-line (XOL) execution of the displaced instruction.
 * Non-stop underneath: a site hit stops one thread; the hit callback decides whether the
 * world stops (a user-visible stop, all-stop) or the thread goes on alone. No DWARF here. */
#ifndef GOBP_PROC_H
#define GOBP_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "mem.h"

typedef struct gobp_process gobp_process;

typedef struct {
    const char *path;          /* executable */
    char *const *argv;         /* argv[0] included, NULL-terminated */
    char *const *envp;         /* full environment, NULL-terminated */
    const char *cwd;           /* NULL: inherit */
    int stdin_fd, stdout_fd, stderr_fd; /* dup2'ed onto 0,1,2 in the child; -1: /dev/null */
    bool disable_aslr;
} gobp_launch_opts;

/* Forks, PTRACE_TRACEME, execs; returns with the process stopped at its first instruction
 * (all threads stopped), options TRACECLONE|TRACEFORK|TRACEVFORK|TRACEEXEC|EXITKILL set. On failure NULL and a
 * sentence in err ("cannot execute /x/y: No such file or directory"). */
gobp_process *proc_launch(const gobp_launch_opts *opts, char *err, size_t errlen);
/* PTRACE_SEIZE + interrupt of every thread in /proc/PID/task; returns all stopped. No
 * EXITKILL: if the debugger dies, the program runs on, repaired by a guard process
 * (proc_guard.c: int3s restored, SIGCONT) that is let go by detach, kill or exit. */
gobp_process *proc_attach(pid_t pid, char *err, size_t errlen);
pid_t proc_pid(const gobp_process *p);
/* Where the kernel put the executable's entry point (AT_ENTRY of /proc/PID/auxv), valid from
 * the exec stop on; for a position-independent executable it gives the load bias. 0 ok. */
int proc_exe_entry(gobp_process *p, uint64_t *entry);
bool proc_launched(const gobp_process *p);   /* true if we started it (kill on disconnect) */

/* Processes the program creates (os/exec's vfork, fork) are never changed by the debugger:
 * they are not threads, never reach the hit callback, never trap on a site, and are detached
 * as soon as they exec, exit or no longer share the program's memory. */

/* Kills (launched) and reaps everything; frees. The program's children go on. */
void proc_kill(gobp_process *p);
/* Removes every site (original bytes back), resumes all threads, detaches; frees. */
int proc_detach(gobp_process *p);

/* ---- threads (valid while stopped; a running thread's regs are not available) ---- */
int proc_threads(gobp_process *p, pid_t *tids, int max);   /* returns count (may exceed max) */
int proc_get_regs(gobp_process *p, pid_t tid, struct user_regs_struct *regs);
int proc_set_regs(gobp_process *p, pid_t tid, const struct user_regs_struct *regs);
int proc_get_fpregs(gobp_process *p, pid_t tid, struct user_fpregs_struct *fp);
int proc_set_fpregs(gobp_process *p, pid_t tid, const struct user_fpregs_struct *fp);
bool proc_thread_stopped(gobp_process *p, pid_t tid);
/* The file mapped at addr (/proc/PID/maps): its base name ("libc.so.6") and addr's offset in
 * it, for code outside the executable. 0 ok, -1 if addr is in no file mapping. */
int proc_mapping(gobp_process *p, uint64_t addr, char *name, size_t namelen, uint64_t *file_offset);

/* ---- memory (works while threads run, too) ---- */
/* Reads show the original bytes under int3 sites. 0 on success, -1 if any byte is unreadable. */
int proc_read(gobp_process *p, uint64_t addr, void *buf, size_t len);
int proc_write(gobp_process *p, uint64_t addr, const void *buf, size_t len);
/* gobp_mem_read_fn-compatible adapter (ctx = gobp_process*). */
int proc_mem_read_cb(void *ctx, uint64_t addr, void *buf, size_t len);
/* Data reads in batches (process_vm_readv with up to IOV_MAX requests a call): goroutine
 * structs and stack tops of 10 000 goroutines in a few syscalls. No breakpoint overlay: for
 * data, never for code. ctx is the process. */
void proc_read_many(void *ctx, gobp_mem_req *reqs, size_t n);

/* Allocates size bytes (8-aligned, zeroed, never freed) of read-write memory in the target,
 * outside the Go heap: strings and errors the debugger creates for the program live there, so
 * the garbage collector never sees a dangling pointer. tid must be a stopped thread (the
 * arena grows by injecting mmap in it). 0 on failure (sentence in err). */
uint64_t proc_alloc(gobp_process *p, pid_t tid, size_t size, char *err, size_t errlen);

/* Memory shared between the debugger and the program: a memfd the program creates (injected
 * calls in the stopped thread tid) and maps read-write, mapped here too; a forked child does
 * not inherit it, and no descriptor is left open in the program. Returns the debugger's view
 * (munmap(size) it) and the program's address in *remote; NULL with err. */
void *proc_map_shared(gobp_process *p, pid_t tid, size_t size, uint64_t *remote, char *err, size_t errlen);

/* ---- sites: physical int3 breakpoints, reference counted ---- */
/* Installs (or references) an int3 at addr and prepares its XOL slot (the displaced
 * instruction is decoded with Capstone; RIP-relative operands and relative branches/calls are
 * relocated or emulated). May be called while stopped or running. 0 ok, -1 err (sentence). */
int proc_site_add(gobp_process *p, uint64_t addr, char *err, size_t errlen);
/* Jump sites (jump.c): the site at addr is entered by a 5-byte JMP to a trampoline that runs a
 * check first, and traps (a hit, as the int3's) only when the check says so: calls the
 * debugger need not see never stop. emit writes the check's body for address at into out
 * (cap bytes) and returns its length: it starts with RAX, RCX, RDX and the flags saved at
 * [RSP+80], [RSP+72], [RSP+64] and [RSP+88] and 64 bytes of temporaries at [RSP] (the other
 * registers hold the program's values; the program's RSP is RSP+96), may use RAX, RCX, RDX,
 * the flags and the temporaries, but not push or pop, and ends by
 * jumping (rel32, the same length wherever it is put) to on_true (trap) or on_false (go on). A
 * load it makes may fault: the fault becomes a hit. emit NULL: back to an int3 site. Only
 * while every thread is stopped, not for an attached program. 0, or -1 with err (the site
 * keeps its int3: the instructions at addr cannot run from a copy, another site is within the
 * JMP's bytes, no room). The caller makes sure no code jumps into addr+1..addr+15. */
typedef int (*gobp_check_emit_fn)(void *ctx, uint64_t at, uint64_t on_true, uint64_t on_false, uint8_t *out, size_t cap);
int proc_site_set_check(gobp_process *p, uint64_t addr, gobp_check_emit_fn emit, void *ctx, char *err, size_t errlen);
int proc_site_remove(gobp_process *p, uint64_t addr);
bool proc_site_at(gobp_process *p, uint64_t addr);

/* Called when a thread traps on a site (regs->rip already rewound to the site address).
 * Return GOBP_HIT_CONTINUE to let this thread run on through the XOL slot (the others never
 * stopped), or GOBP_HIT_STOP to stop every thread and report a GOBP_EV_BREAKPOINT.
 * The callback may read/write memory and this thread's regs (proc_set_regs) before
 * returning: if it changed rip away from the site, the thread resumes at the new rip
 * (a forced return), not through XOL. */
typedef enum { GOBP_HIT_CONTINUE = 0, GOBP_HIT_STOP = 1 } gobp_hit_action;
typedef gobp_hit_action (*gobp_site_hit_fn)(void *ctx, gobp_process *p, pid_t tid, uint64_t addr);
void proc_set_hit_handler(gobp_process *p, gobp_site_hit_fn fn, void *ctx);

/* ---- injected calls: the program's own int3s, a thread's whole state (traps.c) ---- */
/* While the process catches traps, a SIGTRAP of any thread at no site (an int3 of the
 * program's code, such as the runtime's debugger call protocol: the call may move to another
 * thread when it blocks) goes to the trap handler instead of the program: PASS hands it to the
 * program as before, CONTINUE lets the thread run on (the others never stopped), STOP stops
 * every thread and reports GOBP_EV_TRAP. A trap that comes while the world is stopping is
 * taken again (rip back on the int3) at the next resume. */
typedef enum { GOBP_TRAP_PASS = 0, GOBP_TRAP_CONTINUE, GOBP_TRAP_STOP } gobp_trap_action;
typedef gobp_trap_action (*gobp_trap_fn)(void *ctx, gobp_process *p, pid_t tid);
void proc_set_trap_handler(gobp_process *p, gobp_trap_fn fn, void *ctx);
void proc_catch_traps(gobp_process *p, bool on);
/* Everything of a held thread that a call injected into it changes: its registers, float
 * registers, and whether it stands on a site it has already hit (then it goes through the
 * displaced instruction when resumed rather than hitting the site again). */
typedef struct {
    struct user_regs_struct regs;
    struct user_fpregs_struct fp;
    uint64_t consumed_site;
} proc_thread_state;
int proc_thread_save(gobp_process *p, pid_t tid, proc_thread_state *out);
/* Puts st back on tid, which may be another thread than the one it was saved from (a
 * goroutine that moved): tid keeps its own thread pointer (fs_base, gs_base). */
int proc_thread_restore(gobp_process *p, pid_t tid, const proc_thread_state *st);

/* ---- execution ---- */
typedef enum {
    GOBP_EV_NONE = 0,
    GOBP_EV_BREAKPOINT, /* tid stopped at site addr (all threads stopped) */
    GOBP_EV_PAUSED,     /* proc_stop_all completed (all threads stopped); tid = the main thread */
    GOBP_EV_STEPPED,    /* proc_singlestep completed */
    GOBP_EV_EXITED,     /* the process exited: exit_code */
    GOBP_EV_KILLED,     /* the process was killed by signo */
    GOBP_EV_WATCH,      /* tid wrote (or read) a watched address: signo = the watch slot
                         * (all threads stopped; the access has happened) */
    GOBP_EV_TRAP,       /* a thread catching traps stopped every thread (proc_catch_traps) */
    GOBP_EV_EXEC,       /* the program exec'd: its new image runs on untraced (detached, no
                         * threads, no sites, no memory access). Launched: its exit still
                         * comes as EXITED/KILLED; attached: nothing more comes. */
} gobp_event_kind;
/* Signals that are not the debugger's are always passed back to the program. */

typedef struct {
    gobp_event_kind kind;
    pid_t tid;
    uint64_t addr;
    int exit_code;
    int signo;
} gobp_event;

/* Hardware watchpoints (x86-64 debug registers, 4 slots), on every thread: addr aligned to
 * len (1, 2, 4 or 8 bytes), on writes, or on reads and writes. Returns the slot, -1 when none
 * is free or addr/len do not fit. A hit comes as GOBP_EV_WATCH. */
int proc_watch_set(gobp_process *p, uint64_t addr, int len, bool read);
void proc_watch_clear(gobp_process *p, int slot);
int proc_watch_free_slots(const gobp_process *p);

/* Resumes every thread (threads sitting on a site go through its XOL slot). */
int proc_resume(gobp_process *p);
/* Resumes only tid with PTRACE_SINGLESTEP (the others stay stopped); the result arrives as
 * GOBP_EV_STEPPED from proc_poll/proc_wait. A thread on a site steps the displaced instruction. */
int proc_singlestep(gobp_process *p, pid_t tid);
/* Asks every running thread to stop; completion arrives as GOBP_EV_PAUSED (or a breakpoint
 * event if one won the race). */
int proc_stop_all(gobp_process *p);
bool proc_running(const gobp_process *p);
/* Stops every thread and waits until they are (no event is reported). -1 when the program is gone. */
int proc_stop_all_sync(gobp_process *p);

/* Drains waitpid(-1, WNOHANG|__WALL) and handles internal events (new threads, signals to
 * pass on, continue-hits). Returns 1 and fills ev when something user-visible happened,
 * 0 when nothing did, -1 on error. Call it when SIGCHLD arrives (signalfd). */
int proc_poll(gobp_process *p, gobp_event *ev);
/* Blocking form for tests and the CLI: waits up to timeout_ms (-1: until an event, or until a
 * signal handler of the debugger interrupts the wait). 1 event, 0 timeout/interrupted. */
int proc_wait(gobp_process *p, gobp_event *ev, int timeout_ms);
/* The flag a signal handler of the front end sets (Ctrl-C, a timer): the blocking proc_wait
 * also ends with 0 when the signal came between two waitpid calls (a busy program, forks). */
void proc_set_interrupt(gobp_process *p, volatile sig_atomic_t *flag);
/* Whether that flag is set, or the program is gone: a wait would return at once. */
bool proc_wait_ends(const gobp_process *p);

#endif
