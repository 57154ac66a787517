/* gobp-dap's command line: DAP over stdio (default), over TCP (--port, --listen; a
 * non-loopback address only with --allow-remote; --single-session serves one client and
 * ends), with an optional message log (--log); --version and --help. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "server.h"
#include "session.h"

#ifndef GOBP_VERSION
#define GOBP_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "gobp-dap %s: a Debug Adapter Protocol server for Go programs (Linux x86-64)\n"
            "\n"
            "usage:\n"
            "  gobp-dap                       DAP over stdin/stdout (editors spawn it this way)\n"
            "  gobp-dap --port PORT           DAP over TCP on 127.0.0.1:PORT, one session per connection\n"
            "  gobp-dap --listen HOST:PORT    the same on another loopback address (127.x, localhost, [::1])\n"
            "  gobp-dap run [--handler-timeout MS] --handler FUNC=PLUGIN.so[:CONFIG] ... -- PROGRAM [ARGS...]\n"
            "                                 no editor: run PROGRAM with handler breakpoints, exit with its code\n"
            "  gobp-dap trace [OPTIONS] REGEXP... -- PROGRAM [ARGS...]   (or --pid PID)\n"
            "                                 no editor: trace calls (gobp-dap trace --help)\n"
            "  gobp-dap --version | --help\n"
            "\n"
            "options:\n"
            "  --log FILE          append every DAP message, both ways, to FILE\n"
            "  --single-session    with --port/--listen: serve one client, exit when it disconnects\n"
            "                      (for editors that start a server per debugging session)\n"
            "  --allow-remote      let --listen use an address that is not loopback. Connections are\n"
            "                      neither authenticated nor encrypted: whoever reaches the port can\n"
            "                      run programs as you. Prefer an SSH tunnel to a loopback --port.\n",
            GOBP_VERSION);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port", required_argument, NULL, 'p' },
        { "listen", required_argument, NULL, 'l' },
        { "log", required_argument, NULL, 'g' },
        { "single-session", no_argument, NULL, 's' },
        { "allow-remote", no_argument, NULL, 'r' },
        { "version", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    if (argc > 1 && strcmp(argv[1], "run") == 0)
        return cli_run(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "trace") == 0)
        return cli_trace(argc - 1, argv + 1);
    const char *listen = NULL, *log_path = NULL;
    char port_spec[32];
    bool single_session = false, allow_remote = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            snprintf(port_spec, sizeof port_spec, "127.0.0.1:%s", optarg);
            listen = port_spec;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'g':
            log_path = optarg;
            break;
        case 's':
            single_session = true;
            break;
        case 'r':
            allow_remote = true;
            break;
        case 'v':
            printf("gobp-dap %s\n", GOBP_VERSION);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "gobp-dap: unexpected argument \"%s\"\n\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (!listen && (single_session || allow_remote)) {
        fprintf(stderr, "gobp-dap: %s applies to a TCP server (--port or --listen); over stdio "
                "there is one session and no network\n",
                single_session ? "--single-session" : "--allow-remote");
        return 2;
    }
    if (!listen)
        return server_run_stdio(session_run, (void *)log_path) < 0 ? 1 : 0;
    char *host = NULL, err[256];
    int port = 0;
    if (server_parse_listen(listen, &host, &port) < 0) {
        fprintf(stderr, "gobp-dap: bad address \"%s\": expected HOST:PORT or PORT\n", listen);
        return 2;
    }
    /* -1 (does not resolve): server_run_tcp says so */
    if (server_host_is_loopback(host) == 0) {
        if (!allow_remote) {
            fprintf(stderr,
                    "gobp-dap: refusing to listen on %s: it is not a loopback address, and DAP "
                    "connections are neither authenticated nor encrypted (anyone who can reach "
                    "the port could run programs and change their memory as this user). Debug "
                    "remotely through an SSH tunnel to a loopback --port, or pass --allow-remote "
                    "to listen there anyway.\n", listen);
            free(host);
            return 2;
        }
        fprintf(stderr,
                "gobp-dap: WARNING: --allow-remote: listening on %s, which is not a loopback "
                "address. Connections are NOT authenticated and NOT encrypted: anyone who can "
                "reach this port can run programs and read or write their memory as uid %ld. "
                "The safe way to debug remotely is an SSH tunnel: run gobp-dap --port PORT on "
                "this host and `ssh -L PORT:127.0.0.1:PORT THIS-HOST` on yours.\n",
                listen, (long)getuid());
    }
    server_tcp_opts topts = {.single_session = single_session};
    int r = server_run_tcp_opts(host, port, &topts, session_run, (void *)log_path, err, sizeof err);
    if (r < 0)
        fprintf(stderr, "gobp-dap: %s\n", err);
    free(host);
    return r < 0 ? 1 : 0;
}
