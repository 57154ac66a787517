/* Fault isolation for plugin code: fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT)
 * and a wall-clock limit (a watchdog thread sends SIGALRM when a call overstays) raised while
 * a plugin runs jump back to the guard, which reports what happened. No syscall per call:
 * the watchdog reads the call's deadline from memory. A plugin's exit()/_exit()/_Exit() comes
 * back to the guard the same way. Outside a guarded call all of these behave as usual. */
#include "plugin_loader.h"

#include <dlfcn.h>
#include <setjmp.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static __thread sigjmp_buf *guard_jump;   /* per thread: exit() on another thread is its own */
static const int guarded_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };

static void on_fatal(int sig)
{
    if (guard_jump)
        siglongjmp(*guard_jump, sig);
    if (sig == SIGALRM)      /* a watchdog signal that lost the race with the call's return */
        return;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* exit, _exit and _Exit of the whole process: a plugin that calls one while it runs would end
 * gobp-dap (and a launched program with it, PTRACE_O_EXITKILL). The executable exports these
 * three (Makefile: --export-dynamic-symbol), so a plugin's calls bind here; a guarded call
 * jumps back to its guard, anything else goes on to libc's. */
#define GUARD_EXIT_CALLED 0x10000    /* not a signal number: sigsetjmp's value for exit */
static int exit_status;

static void (*libc_exit[3])(int);   /* exit, _exit, _Exit: resolved once, before any fork */
static const char *const exit_names[3] = { "exit", "_exit", "_Exit" };

__attribute__((constructor)) static void resolve_libc_exits(void)
{
    for (int i = 0; i < 3; i++)
        libc_exit[i] = (void (*)(int))dlsym(RTLD_NEXT, exit_names[i]);
}

static _Noreturn void leave(int which, int status)
{
    if (guard_jump) {
        exit_status = status;
        siglongjmp(*guard_jump, GUARD_EXIT_CALLED);
    }
    if (libc_exit[which])
        libc_exit[which](status);
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

void exit(int status) { leave(0, status); }
void _exit(int status) { leave(1, status); }
void _Exit(int status) { leave(2, status); }

static void guard_install(void)
{
    static bool installed;
    if (installed)
        return;
    installed = true;
    static char altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof guarded_signals / sizeof guarded_signals[0]; i++)
        sigaction(guarded_signals[i], &sa, NULL);
}

static pthread_t guarded_thread;
static _Atomic uint64_t deadline_ns;     /* 0: no guarded call with a limit is running */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wakes every 5 ms; interrupts the guarded thread once its call is past the deadline. */
static void *watchdog(void *arg)
{
    for (;;) {
        struct timespec nap = { 0, 5 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        uint64_t d = atomic_load(&deadline_ns);
        if (d && monotonic_ns() > d && atomic_compare_exchange_strong(&deadline_ns, &d, 0))
            pthread_kill(guarded_thread, SIGALRM);
    }
    return NULL;
}

static void timer_set(int ms)
{
    static bool started;
    if (ms <= 0) {
        atomic_store(&deadline_ns, 0);
        return;
    }
    if (!started) {
        started = true;
        guarded_thread = pthread_self();
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);   /* the watchdog takes no signals */
        pthread_t tid;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_create(&tid, &attr, watchdog, NULL);
        pthread_attr_destroy(&attr);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    atomic_store(&deadline_ns, monotonic_ns() + (uint64_t)ms * 1000000ull);
}

int guard_run(void (*fn)(void *), void *arg, int timeout_ms, char *why, size_t whylen)
{
    guard_install();
    sigjmp_buf here;
    sigjmp_buf *outer = guard_jump;
    /* no mask saved (one syscall per call less): SA_NODEFER leaves nothing blocked */
    int sig = sigsetjmp(here, 0);
    if (sig == 0) {
        guard_jump = &here;
        if (timeout_ms > 0)
            timer_set(timeout_ms);
        fn(arg);
        if (timeout_ms > 0)
            timer_set(0);
        guard_jump = outer;
        return 0;
    }
    timer_set(0);
    guard_jump = outer;
    if (sig == GUARD_EXIT_CALLED)
        snprintf(why, whylen, "it called exit(%d)", exit_status);
    else if (sig == SIGALRM)
        snprintf(why, whylen, "it ran longer than %d ms", timeout_ms);
    else if (sig == SIGABRT)
        snprintf(why, whylen, "it aborted (SIGABRT)");
    else
        snprintf(why, whylen, "it crashed (%s)", strsignal(sig));
    return -1;
}
