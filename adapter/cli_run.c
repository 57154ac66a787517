/* `gobp-dap run`: no editor. Runs a Go program with handler breakpoints and exits with its
 * exit code; plugin log lines and handler problems go to stderr. This is how a CI job injects
 * faults into an unmodified binary. */
#include "alloc.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/target.h"

extern char **environ;

static void run_usage(FILE *out)
{
    fprintf(out, "usage: gobp-dap run [--handler-timeout MS] --handler FUNC=PLUGIN.so[:CONFIG] [--condition EXPR] ... "
                 "-- PROGRAM [ARGS...]\n"
                 "  --condition EXPR: the handler before it runs only on the calls where EXPR (a Go bool\n"
                 "                    expression over the function's arguments) holds\n");
}

static void to_stderr(void *ctx, const char *category, const char *text)
{
    fputs(text, stderr);
}

typedef struct {
    char *function, *plugin, *config, *condition;
} handler_arg;

/* FUNC=PLUGIN.so[:CONFIG] */
static int parse_handler(const char *spec, handler_arg *out)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        return -1;
    out->function = xstrndup(spec, (size_t)(eq - spec));
    const char *colon = strchr(eq + 1, ':');
    out->plugin = colon ? xstrndup(eq + 1, (size_t)(colon - eq - 1)) : xstrdup(eq + 1);
    out->config = xstrdup(colon ? colon + 1 : "");
    return 0;
}

static int run_program(char **argv, handler_arg *handlers, int nhandlers, int timeout_ms)
{
    char err[1024];
    gobp_launch_opts opts = { .path = argv[0], .argv = argv, .envp = environ, .stdin_fd = 0,
                              .stdout_fd = 1, .stderr_fd = 2 };
    gobp_target *t = target_launch(&opts, err, sizeof err);
    if (!t) {
        fprintf(stderr, "gobp-dap run: %s\n", err);
        return 2;
    }
    target_set_message_fn(t, to_stderr, NULL);
    if (timeout_ms > 0)
        target_set_handler_timeout(t, timeout_ms);
    for (int i = 0; i < nhandlers; i++) {
        gobp_breakpoint *bp = target_handler_add(t, handlers[i].function, handlers[i].plugin, handlers[i].config,
                                                 handlers[i].condition);
        if (!bp->verified) {
            fprintf(stderr, "gobp-dap run: handler %s=%s: %s\n", handlers[i].function, handlers[i].plugin, bp->message);
            target_end(t, true);
            return 2;
        }
    }
    target_continue(t);
    for (;;) {
        gobp_stop stop;
        if (target_wait(t, &stop, -1) < 0) {
            fprintf(stderr, "gobp-dap run: lost the program\n");
            target_end(t, true);
            return 2;
        }
        if (stop.reason == STOP_EXITED || stop.reason == STOP_KILLED) {
            int code = stop.reason == STOP_EXITED ? stop.exit_code : 128 + stop.exit_code;
            target_end(t, false);
            return code;
        }
        if (stop.reason == STOP_EXEC)
            fprintf(stderr, "gobp-dap run: the program replaced itself (exec); the new image runs without handlers\n");
        if (stop.reason == STOP_BREAKPOINT)
            fprintf(stderr, "gobp-dap run: a plugin asked to stop goroutine %lld; there is no editor in run mode, continuing\n",
                    (long long)stop.goid);
        target_continue(t);
    }
}

int cli_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "handler", required_argument, NULL, 'H' },
        { "handler-timeout", required_argument, NULL, 'T' },
        { "condition", required_argument, NULL, 'C' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    handler_arg *handlers = xcalloc((size_t)argc, sizeof *handlers);
    int nhandlers = 0, timeout_ms = 0, c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'H' && parse_handler(optarg, &handlers[nhandlers]) == 0) {
            nhandlers++;
        } else if (c == 'C' && nhandlers > 0 && !handlers[nhandlers - 1].condition) {
            handlers[nhandlers - 1].condition = xstrdup(optarg);
        } else if (c == 'T' && atoi(optarg) > 0) {
            timeout_ms = atoi(optarg);
        } else if (c == 'h') {
            run_usage(stdout);
            free(handlers);
            return 0;
        } else {
            if (c == 'H')
                fprintf(stderr, "gobp-dap run: bad --handler \"%s\": expected FUNC=PLUGIN.so[:CONFIG]\n", optarg);
            if (c == 'C')
                fprintf(stderr, "gobp-dap run: --condition \"%s\" belongs after the --handler it is for (one each)\n", optarg);
            run_usage(stderr);
            free(handlers);
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "gobp-dap run: no program given\n");
        run_usage(stderr);
        rc = 2;
    } else {
        rc = run_program(argv + optind, handlers, nhandlers, timeout_ms);
    }
    for (int i = 0; i < nhandlers; i++) {
        free(handlers[i].function);
        free(handlers[i].plugin);
        free(handlers[i].config);
        free(handlers[i].condition);
    }
    free(handlers);
    return rc;
}
