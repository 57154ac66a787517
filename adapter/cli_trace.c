/* `gobp-dap trace`: no editor. Traces the calls of the selected Go functions in a program it
 * launches (or a running process, --pid, detaching at the end) and writes a text tree, JSON
 * lines or Chrome trace events, then a summary. */
#include "alloc.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "target/target.h"

extern char **environ;

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = 1;
}

/* Ctrl-C, SIGTERM and the --duration alarm interrupt the blocking wait (no SA_RESTART). */
static void catch_signal(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void trace_usage(FILE *out)
{
    fprintf(out,
            "usage: gobp-dap trace [OPTIONS] REGEXP... -- PROGRAM [ARGS...]\n"
            "       gobp-dap trace [OPTIONS] --pid PID REGEXP...\n"
            "\n"
            "Traces calls of the Go functions whose names match a REGEXP (POSIX extended):\n"
            "arguments on entry, results on exit, duration, the call tree per goroutine.\n"
            "\n"
            "options:\n"
            "  --pkg IMPORT/PATH     every function of a package (repeatable)\n"
            "  --exclude REGEXP      leave matching functions out (repeatable)\n"
            "  --goroutine ID        only calls on this goroutine\n"
            "  --sample N            record one call in N (per function)\n"
            "  --max-calls N         stop recording after N calls\n"
            "  --max-string N        bytes of a string shown (default 64)\n"
            "  --max-depth N         nesting of values shown (default 1)\n"
            "  --format FMT          text (default), jsonl, chrome\n"
            "  -o, --output FILE     write the trace to FILE (default: stderr)\n"
            "  --pid PID             trace a running process; detach at the end (Ctrl-C or --duration)\n"
            "  --duration SECONDS    stop tracing after this long\n"
            "  --no-summary          no summary at the end\n"
            "  --no-fast-path        every call stops the program for the debugger (no records\n"
            "                        written by the program itself)\n");
}

typedef struct {
    gobp_trace_selection sel;
    gobp_trace_opts opts;
    const char *format, *output;
    pid_t pid;
    double duration;
    bool summary;
    char **program;
} trace_args;

static void line_to_file(void *ctx, const char *text)
{
    fputs(text, (FILE *)ctx);
}

static gobp_trace_sink make_sink(const char *format, FILE *out)
{
    if (strcmp(format, "jsonl") == 0)
        return trace_jsonl_sink(out);
    if (strcmp(format, "chrome") == 0)
        return trace_chrome_sink(out);
    return trace_text_sink(line_to_file, out);
}

static gobp_target *start_target(const trace_args *a, char *err, size_t errlen)
{
    if (a->pid)
        return target_attach(a->pid, err, errlen);
    gobp_launch_opts lo = { .path = a->program[0], .argv = a->program, .envp = environ, .stdin_fd = 0,
                            .stdout_fd = 1, .stderr_fd = 2 };
    return target_launch(&lo, err, errlen);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Runs until the program ends, Ctrl-C or --duration; returns the exit code to use. */
static int trace_loop(gobp_target *t, const trace_args *a, bool *ended)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (a->duration > 0) {
        struct itimerval it = { { 0, 0 }, { (time_t)a->duration, (suseconds_t)((a->duration - (time_t)a->duration) * 1e6) } };
        catch_signal(SIGALRM);
        setitimer(ITIMER_REAL, &it, NULL);
    }
    target_continue(t);
    for (;;) {
        gobp_stop stop;
        int r = target_wait(t, &stop, -1);
        if (r < 0)
            return 2;
        if (r == 1 && (stop.reason == STOP_EXITED || stop.reason == STOP_KILLED)) {
            *ended = true;
            return stop.reason == STOP_EXITED ? stop.exit_code : 128 + stop.exit_code;
        }
        if (r == 1 && stop.reason == STOP_EXEC) {
            fprintf(stderr, "gobp-dap trace: the program replaced itself (exec); the new image runs untraced\n");
            if (a->pid) {   /* attached: its end cannot be seen */
                *ended = true;
                return 0;
            }
            continue;   /* launched: its exit code is still ours */
        }
        if (r == 1)
            target_continue(t);
        if (interrupted || (a->duration > 0 && seconds_since(&t0) >= a->duration))
            return a->pid ? 0 : 130;
    }
}

static int run_trace(trace_args *a)
{
    char err[1024];
    gobp_target *t = start_target(a, err, sizeof err);
    if (!t) {
        fprintf(stderr, "gobp-dap trace: %s\n", err);
        return 2;
    }
    const gobp_func **fs = NULL;
    int n = target_trace_select(t, &a->sel, &fs, err, sizeof err);
    if (n <= 0) {
        if (n == 0)
            fprintf(stderr, "gobp-dap trace: no function matches %s%s (runtime and internal/ functions are traced only with --pkg)\n",
                    a->sel.npatterns ? a->sel.patterns[0] : a->sel.packages[0], a->sel.npatterns + a->sel.npackages > 1 ? " or the other patterns" : "");
        else
            fprintf(stderr, "gobp-dap trace: %s\n", err);
        free(fs);
        target_end(t, a->pid == 0);
        return 2;
    }
    FILE *out = a->output ? fopen(a->output, "w") : stderr;
    if (!out) {
        fprintf(stderr, "gobp-dap trace: cannot write %s: %s\n", a->output, strerror(errno));
        free(fs);
        target_end(t, a->pid == 0);
        return 2;
    }
    gobp_trace_sink sink = make_sink(a->format, out);
    gobp_trace_summary *summary = trace_summary_new();
    int placed = target_trace_start(t, fs, n, &a->opts, &sink, 1, summary, err, sizeof err);
    fprintf(stderr, "gobp-dap trace: tracing %d function%s%s\n", placed, placed == 1 ? "" : "s",
            placed < 0 ? "" : "");
    free(fs);
    if (placed < 0) {
        fprintf(stderr, "gobp-dap trace: %s\n", err);
        target_end(t, a->pid == 0);
        return 2;
    }
    uint64_t fast, slow;
    if (target_trace_fast(t, &fast, &slow))
        fprintf(stderr, "gobp-dap trace: %llu of %llu entry and return sites record calls in the program, without a stop\n",
                (unsigned long long)fast, (unsigned long long)(fast + slow));
    target_set_interrupt(t, &interrupted);
    catch_signal(SIGINT);
    catch_signal(SIGTERM);
    bool ended = false;
    int code = trace_loop(t, a, &ended);
    target_trace_stop(t);
    sink.finish(sink.ctx);
    trace_sink_free(&sink);
    if (a->summary) {
        trace_summary_write(summary, line_to_file, stderr);
        if (out != stderr && strcmp(a->format, "text") == 0)
            trace_summary_write(summary, line_to_file, out);
    }
    trace_summary_free(summary);
    if (out != stderr)
        fclose(out);
    target_end(t, !ended && a->pid == 0);
    return code;
}

static int add_string(const char ***list, int *n, const char *s)
{
    *list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
    (*list)[(*n)++] = s;
    return 0;
}

int cli_trace(int argc, char **argv)
{
    static const struct option opts[] = {
        { "pkg", required_argument, NULL, 'P' }, { "exclude", required_argument, NULL, 'X' },
        { "goroutine", required_argument, NULL, 'g' }, { "sample", required_argument, NULL, 's' },
        { "max-calls", required_argument, NULL, 'm' }, { "max-string", required_argument, NULL, 'S' },
        { "max-depth", required_argument, NULL, 'D' }, { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' }, { "pid", required_argument, NULL, 'p' },
        { "duration", required_argument, NULL, 'd' }, { "no-summary", no_argument, NULL, 'N' },
        { "no-fast-path", no_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    trace_args a = { .format = "text", .summary = true };
    int c, rc = 2;
    /* options and REGEXPs in any order before "--"; the program and its arguments after it */
    int dashdash = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            dashdash = i;
            break;
        }
    optind = 1;
    while ((c = getopt_long(dashdash, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 'P': add_string(&a.sel.packages, &a.sel.npackages, optarg); break;
        case 'X': add_string(&a.sel.excludes, &a.sel.nexcludes, optarg); break;
        case 'g': a.opts.goroutine = atoll(optarg); break;
        case 's': a.opts.sample = strtoull(optarg, NULL, 10); break;
        case 'm': a.opts.max_calls = strtoull(optarg, NULL, 10); break;
        case 'S': a.opts.max_string = atoi(optarg); break;
        case 'D': a.opts.max_depth = atoi(optarg); break;
        case 'f': a.format = optarg; break;
        case 'o': a.output = optarg; break;
        case 'p': a.pid = (pid_t)atoi(optarg); break;
        case 'd': a.duration = atof(optarg); break;
        case 'N': a.summary = false; break;
        case 'F': a.opts.no_fast_path = true; break;
        case 'h': trace_usage(stdout); return 0;
        default: trace_usage(stderr); goto out;
        }
    }
    for (; optind < dashdash; optind++)   /* getopt moved the REGEXPs after the options */
        add_string(&a.sel.patterns, &a.sel.npatterns, argv[optind]);
    a.program = dashdash + 1 < argc ? argv + dashdash + 1 : NULL;
    if (strcmp(a.format, "text") && strcmp(a.format, "jsonl") && strcmp(a.format, "chrome")) {
        fprintf(stderr, "gobp-dap trace: unknown --format %s (text, jsonl, chrome)\n", a.format);
    } else if (a.sel.npatterns + a.sel.npackages == 0) {
        fprintf(stderr, "gobp-dap trace: give at least one REGEXP or --pkg\n");
        trace_usage(stderr);
    } else if (!a.pid == !a.program) {
        fprintf(stderr, "gobp-dap trace: give either -- PROGRAM [ARGS...] or --pid PID\n");
        trace_usage(stderr);
    } else {
        rc = run_trace(&a);
    }
out:
    free(a.sel.patterns);
    free(a.sel.packages);
    free(a.sel.excludes);
    return rc;
}
