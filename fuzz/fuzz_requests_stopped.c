/* libFuzzer harness of every request against a real Go program held at a breakpoint: one
 * session for the whole run launches fuzz/target (GOBP_FUZZ_PROGRAM) stopped in main.work; each
 * input's lines are fed as requests, answers are checked, and the program is brought back to
 * a stop (paused when it runs on, launched again when it is gone) before the next input. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_session.h"

static session s;
static fuzz_fed fed;
static const char *program;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to ms for the target to stop or end, polling it on SIGCHLD as the session loop does. */
static void wait_stop(int ms)
{
    int64_t end = now_ms() + ms;
    while (s.target && target_running(s.target) && now_ms() < end) {
        struct pollfd p = { s.sigchld_fd, POLLIN, 0 };
        poll(&p, 1, 10);
        struct signalfd_siginfo si;
        while (read(s.sigchld_fd, &si, sizeof si) == sizeof si)
            ;
        session_poll_target(&s);
    }
}

static void send_json(const char *fmt, const char *arg)
{
    char body[4096];
    int n = snprintf(body, sizeof body, fmt, arg);
    fuzz_session_feed(&s, body, (size_t)n, &fed);
}

/* A stopped program again: paused if it runs, launched again (stopped in main.work) if gone. */
static void ensure_stopped(void)
{
    wait_stop(100);
    if (s.target && target_running(s.target)) {
        send_json("{\"seq\":900000001,\"type\":\"request\",\"command\":\"pause\",\"arguments\":{\"threadId\":1}}%s", "");
        wait_stop(5000);
    }
    if (s.target && !target_running(s.target))
        return;
    if (s.quit || s.ended) {
        fuzz_session_check(&s, &fed);   /* this input's answers are in the session that ends */
        fuzz_session_close(&s);
        fuzz_session_open(&s, false);
        fed.seq_before = 0;
    }
    s.ended = false;
    send_json("{\"seq\":900000002,\"type\":\"request\",\"command\":\"initialize\",\"arguments\":{\"adapterID\":\"fuzz\"}}%s", "");
    send_json("{\"seq\":900000003,\"type\":\"request\",\"command\":\"launch\",\"arguments\":{\"mode\":\"exec\",\"program\":\"%s\"}}", program);
    send_json("{\"seq\":900000004,\"type\":\"request\",\"command\":\"setFunctionBreakpoints\",\"arguments\":{\"breakpoints\":[{\"name\":\"main.work\"}]}}%s", "");
    send_json("{\"seq\":900000005,\"type\":\"request\",\"command\":\"configurationDone\"}%s", "");
    wait_stop(20000);
    if (!s.target || target_running(s.target)) {
        fprintf(stderr, "fuzz_requests_stopped: %s did not stop in main.work; the session said:\n", program);
        char buf[65536];
        ssize_t n = pread(s.out_fd, buf, sizeof buf, 0);
        fprintf(stderr, "%.*s\n", n > 0 ? (int)n : 0, buf);
        exit(1);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    program = getenv("GOBP_FUZZ_PROGRAM");
    if (!program || !*program) {
        fprintf(stderr, "fuzz_requests_stopped: set GOBP_FUZZ_PROGRAM to fuzz/target built by Go (fuzz/run.sh does)\n");
        exit(1);
    }
    fuzz_session_open(&s, false);
    ensure_stopped();
    fuzz_session_check(&s, &fed);
    return 0;
}

/* The requests that end or replace the session are the no-program harness's. */
static bool session_ending(const char *line, size_t len)
{
    static const char *const names[] = { "\"disconnect\"", "\"terminate\"", "\"launch\"", "\"attach\"" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (memmem(line, len, names[i], strlen(names[i])))
            return true;
    return false;
}

static bool feed_line(void *ctx, const char *line, size_t len)
{
    if (session_ending(line, len))
        return true;
    fuzz_session_feed(&s, line, len, &fed);
    return !s.quit && s.target;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_each_line(data, size, feed_line, NULL);
    if (s.target && memmem(data, size, "reakpoints", 10))   /* main.work stops the program again */
        send_json("{\"seq\":900000006,\"type\":\"request\",\"command\":\"setFunctionBreakpoints\",\"arguments\":{\"breakpoints\":[{\"name\":\"main.work\"}]}}%s", "");
    ensure_stopped();
    fuzz_session_check(&s, &fed);
    return 0;
}
