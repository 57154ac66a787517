/* Fault isolation for plugin code: fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT)
 * and a wall-clock limit (a watchdog thread sends SIGALRM when a call overstays) raised while
 * a plugin runs jump back to the guard, which reports what happened. No syscall per call:
 * the watchdog reads the call's deadline from memory. Outside a guarded call the signals
 * behave as usual. */
#include "plugin_loader.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static sigjmp_buf *guard_jump;
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
    if (sig == SIGALRM)
        snprintf(why, whylen, "it ran longer than %d ms", timeout_ms);
    else if (sig == SIGABRT)
        snprintf(why, whylen, "it aborted (SIGABRT)");
    else
        snprintf(why, whylen, "it crashed (%s)", strsignal(sig));
    return -1;
}
