/* Fault isolation for plugin code: fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT)
 * and a wall-clock limit (SIGALRM from setitimer) raised while a plugin runs jump back to
 * the guard, which reports what happened. Outside a guarded call the signals behave as usual. */
#include "plugin.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static sigjmp_buf *guard_jump;
static const int guarded_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };

static void on_fatal(int sig)
{
    if (guard_jump)
        siglongjmp(*guard_jump, sig);
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

static void timer_set(int ms)
{
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

int guard_run(void (*fn)(void *), void *arg, int timeout_ms, char *why, size_t whylen)
{
    guard_install();
    sigjmp_buf here;
    sigjmp_buf *outer = guard_jump;
    int sig = sigsetjmp(here, 1);
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
