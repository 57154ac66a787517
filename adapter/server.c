/* server.c — DAP transports: a session on stdin/stdout, or a TCP accept loop that forks
 * one process per connection, reaps finished ones, and refuses loopback connections
 * from other users (same check as Delve: the peer socket's uid in /proc/net/tcp); or, with
 * --single-session, one connection served in this process, which then ends. Non-loopback
 * addresses are refused unless --allow-remote (main.c). */
#include "alloc.h"
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#define DEFAULT_HOST "127.0.0.1"
#define LISTEN_BACKLOG 16

int server_run_stdio(session_fn session, void *ctx)
{
    signal(SIGPIPE, SIG_IGN);
    session(STDIN_FILENO, STDOUT_FILENO, ctx);
    return 0;
}

static int parse_port(const char *s, int *port)
{
    if (!*s || strlen(s) > 5)
        return -1;
    int value = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        value = value * 10 + (*p - '0');
    }
    if (value > 65535)
        return -1;
    *port = value;
    return 0;
}

int server_parse_listen(const char *s, char **host, int *port)
{
    const char *colon = strrchr(s, ':');
    const char *host_start = s, *host_end = colon ? colon : s;
    if (colon && *s == '[') { /* [v6]:port */
        if (colon == s || colon[-1] != ']')
            return -1;
        host_start = s + 1;
        host_end = colon - 1;
    } else if (colon && memchr(s, ':', (size_t)(colon - s))) {
        return -1; /* bare IPv6 without brackets is ambiguous */
    }
    if (parse_port(colon ? colon + 1 : s, port) < 0)
        return -1;
    *host = host_end > host_start ? xstrndup(host_start, (size_t)(host_end - host_start))
                                  : xstrdup(DEFAULT_HOST);
    return *host ? 0 : -1;
}

static int open_listener(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return -1;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int socket_port(int fd, bool peer)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int rc = peer ? getpeername(fd, (struct sockaddr *)&addr, &len)
                  : getsockname(fd, (struct sockaddr *)&addr, &len);
    if (rc < 0)
        return -1;
    if (addr.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return -1;
}

int server_listen_tcp(const char *host, int port, int *bound_port, char *err, size_t errlen)
{
    if (!host)
        host = DEFAULT_HOST;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *list;
    int gai = getaddrinfo(host, service, &hints, &list);
    if (gai != 0) {
        snprintf(err, errlen, "Cannot resolve listen address %s: %s.", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
        fd = open_listener(ai);
        saved = errno;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        snprintf(err, errlen, "Cannot listen on %s:%d: %s.", host, port, strerror(saved));
        return -1;
    }
    if (bound_port)
        *bound_port = socket_port(fd, false);
    return fd;
}

/* One /proc/net/tcp{,6} line: "sl: LOCALADDR:PORT REMADDR:PORT st tx:rx tr:when retr uid ..." */
static long uid_in_line(const char *line, int local_port, int remote_port)
{
    char local[64], remote[64];
    unsigned state, uid;
    if (sscanf(line, " %*[0-9]: %63s %63s %x %*s %*s %*s %u", local, remote, &state, &uid) != 4)
        return -1;
    char *local_colon = strrchr(local, ':'), *remote_colon = strrchr(remote, ':');
    if (!local_colon || !remote_colon)
        return -1;
    if ((int)strtol(local_colon + 1, NULL, 16) != local_port ||
        (int)strtol(remote_colon + 1, NULL, 16) != remote_port)
        return -1;
    return uid;
}

static long uid_in_file(const char *path, int local_port, int remote_port)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char line[512];
    long uid = -1;
    if (fgets(line, sizeof line, f)) /* header */
        while (uid < 0 && fgets(line, sizeof line, f))
            uid = uid_in_line(line, local_port, remote_port);
    fclose(f);
    return uid;
}

long server_socket_uid(int local_port, int remote_port)
{
    long uid = uid_in_file("/proc/net/tcp", local_port, remote_port);
    return uid >= 0 ? uid : uid_in_file("/proc/net/tcp6", local_port, remote_port);
}

static bool is_loopback(const struct sockaddr_storage *addr);

int server_host_is_loopback(const char *host)
{
    if (!host)
        host = DEFAULT_HOST;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *list;
    if (getaddrinfo(host, "0", &hints, &list) != 0)
        return -1;
    int loopback = 1;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        struct sockaddr_storage ss = {0};
        memcpy(&ss, ai->ai_addr, ai->ai_addrlen < sizeof ss ? ai->ai_addrlen : sizeof ss);
        if (!is_loopback(&ss))
            loopback = 0;
    }
    freeaddrinfo(list);
    return loopback;
}

static bool is_loopback(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr) >> 24) == 127;
    if (addr->ss_family != AF_INET6)
        return false;
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(a6))
        return true;
    return IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127;
}

/* True when the connection may be served: not loopback (cannot check), or the peer's
 * socket is owned by our uid. Explains a refusal on stderr. */
static bool peer_allowed(int conn_fd, const struct sockaddr_storage *peer)
{
    if (!is_loopback(peer))
        return true;
    int peer_port = socket_port(conn_fd, true), our_port = socket_port(conn_fd, false);
    long uid = server_socket_uid(peer_port, our_port);
    if (uid == (long)getuid())
        return true;
    if (uid < 0)
        fprintf(stderr, "gobp-dap: refused connection from port %d: its owner is unknown\n",
                peer_port);
    else
        fprintf(stderr, "gobp-dap: refused connection from port %d: it belongs to uid %ld, not %ld\n",
                peer_port, uid, (long)getuid());
    return false;
}

static void reap_children(int signo)
{
    (void)signo;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved;
}

static void install_reaper(void)
{
    struct sigaction sa = {.sa_handler = reap_children, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void run_session_child(int listen_fd, int conn_fd, session_fn session, void *ctx)
{
    signal(SIGCHLD, SIG_DFL); /* the session waits for its own debuggees */
    close(listen_fd);
    session(conn_fd, conn_fd, ctx);
    fflush(NULL);
#ifdef __SANITIZE_ADDRESS__
    __lsan_do_leak_check(); /* _exit skips LeakSanitizer's exit check: a TCP session is checked too */
#endif
    _exit(0);
}

/* One write per message, and a response is often followed at once by an event (next ->
 * stopped): with Nagle the second waits for the client's delayed ACK, 40 ms a time. */
static void set_nodelay(int conn_fd)
{
    int one = 1;
    setsockopt(conn_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void serve_connection(int listen_fd, int conn_fd, session_fn session, void *ctx)
{
    set_nodelay(conn_fd);
    fflush(NULL); /* the child must not inherit and repeat buffered output */
    pid_t pid = fork();
    if (pid == 0)
        run_session_child(listen_fd, conn_fd, session, ctx);
    if (pid < 0)
        fprintf(stderr, "gobp-dap: cannot fork a session: %s\n", strerror(errno));
    close(conn_fd);
}

static bool accept_error_is_transient(int e)
{
    return e == EINTR || e == ECONNABORTED || e == EPROTO || e == EMFILE || e == ENFILE ||
           e == ENOBUFS || e == ENOMEM || e == EAGAIN || e == ENETDOWN || e == EHOSTUNREACH ||
           e == ENONET || e == ENETUNREACH || e == EOPNOTSUPP || e == ETIMEDOUT;
}

/* Accepts the next connection that passes the peer check; -1 with err when accept fails
 * for good. */
static int accept_allowed(int listen_fd, char *err, size_t errlen)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof peer;
        int conn_fd = accept4(listen_fd, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
        if (conn_fd < 0) {
            if (accept_error_is_transient(errno)) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                    usleep(100 * 1000);
                continue;
            }
            snprintf(err, errlen, "accept failed: %s.", strerror(errno));
            return -1;
        }
        if (peer_allowed(conn_fd, &peer))
            return conn_fd;
        close(conn_fd);
    }
}

int server_serve(int listen_fd, session_fn session, void *ctx, char *err, size_t errlen)
{
    install_reaper();
    for (;;) {
        int conn_fd = accept_allowed(listen_fd, err, errlen);
        if (conn_fd < 0)
            return -1;
        serve_connection(listen_fd, conn_fd, session, ctx);
    }
}

int server_serve_one(int listen_fd, session_fn session, void *ctx, char *err, size_t errlen)
{
    signal(SIGPIPE, SIG_IGN);
    int conn_fd = accept_allowed(listen_fd, err, errlen);
    close(listen_fd);   /* nobody else connects: later clients are refused by the kernel */
    if (conn_fd < 0)
        return -1;
    set_nodelay(conn_fd);
    session(conn_fd, conn_fd, ctx);
    close(conn_fd);
    return 0;
}

static void print_listening(const char *host, int port)
{
    bool v6 = strchr(host, ':') != NULL;
    fprintf(stderr, "gobp-dap listening at %s%s%s:%d\n", v6 ? "[" : "", host, v6 ? "]" : "", port);
    fflush(stderr);
}

int server_run_tcp_opts(const char *host, int port, const server_tcp_opts *opts,
                        session_fn session, void *ctx, char *err, size_t errlen)
{
    if (!host)
        host = DEFAULT_HOST;
    int bound_port;
    int fd = server_listen_tcp(host, port, &bound_port, err, errlen);
    if (fd < 0)
        return -1;
    print_listening(host, bound_port);
    if (opts && opts->single_session)
        return server_serve_one(fd, session, ctx, err, errlen);   /* closes fd */
    int rc = server_serve(fd, session, ctx, err, errlen);
    close(fd);
    return rc;
}

int server_run_tcp(const char *host, int port, session_fn session, void *ctx,
                   char *err, size_t errlen)
{
    return server_run_tcp_opts(host, port, NULL, session, ctx, err, errlen);
}
