/* server.h — DAP transports: one session on stdin/stdout, or a TCP listener that
 * serves every connection in its own forked process (sessions never share ptrace
 * state or waitpid). */
#ifndef GOBP_SERVER_H
#define GOBP_SERVER_H

#include <stddef.h>

/* Runs one DAP session to completion, reading requests from in_fd and writing
 * responses/events to out_fd. Must not close the fds' owner's other state; return to end. */
typedef void (*session_fn)(int in_fd, int out_fd, void *ctx);

/* One session on fds 0/1. Ignores SIGPIPE so a vanished client gives EPIPE, not death. */
int server_run_stdio(session_fn session, void *ctx);

/* Parses a --listen value: "HOST:PORT", "[V6HOST]:PORT", ":PORT" or "PORT" (host then
 * defaults to 127.0.0.1). PORT is 0..65535 (0 = any free port). *host is malloc'd.
 * Returns 0, or -1 when s is malformed. */
int server_parse_listen(const char *s, char **host, int *port);

/* Listens (SO_REUSEADDR, backlog 16) on host:port (host NULL = 127.0.0.1). Returns the
 * socket and the real port in *bound_port (may be NULL), or -1 with err. */
int server_listen_tcp(const char *host, int port, int *bound_port, char *err, size_t errlen);

/* Accepts on listen_fd forever. Each connection runs session(fd, fd, ctx) in a forked
 * child that then _exit()s; the child gets SIGCHLD back at SIG_DFL. The parent reaps
 * children without blocking and keeps serving. Loopback peers whose socket belongs to
 * another uid (per /proc/net/tcp{,6}) are refused: closed at once, a line on stderr.
 * Returns -1 with err only if accept fails for good. */
int server_serve(int listen_fd, session_fn session, void *ctx, char *err, size_t errlen);

/* Accepts one connection that passes the same peer check, closes listen_fd (later clients
 * are refused), and runs session(fd, fd, ctx) in this process. Returns 0 when the session
 * ended, -1 with err when accept failed for good. */
int server_serve_one(int listen_fd, session_fn session, void *ctx, char *err, size_t errlen);

/* 1 when every address host (NULL = 127.0.0.1) resolves to is loopback (127.0.0.0/8, ::1,
 * ::ffff:127.x), 0 when one is not, -1 when it does not resolve. */
int server_host_is_loopback(const char *host);

typedef struct {
    int single_session;   /* serve one client in this process, then return (--single-session) */
} server_tcp_opts;

/* server_listen_tcp, then "gobp-dap listening at HOST:PORT" on stderr, then
 * server_serve. Returns -1 with err when it cannot listen. */
int server_run_tcp(const char *host, int port, session_fn session, void *ctx,
                   char *err, size_t errlen);
/* The same with options (NULL = defaults: serve every client until killed). */
int server_run_tcp_opts(const char *host, int port, const server_tcp_opts *opts,
                        session_fn session, void *ctx, char *err, size_t errlen);

/* The uid owning the TCP socket whose local port is local_port and remote port is
 * remote_port, per /proc/net/tcp and /proc/net/tcp6; -1 when not found. */
long server_socket_uid(int local_port, int remote_port);

#endif
