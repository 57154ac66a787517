/* test_server.c — unit tests for adapter/server.c: --listen parsing, the TCP server
 * with one forked session per client (concurrency, keeps serving after a disconnect),
 * the /proc/net/tcp uid check, and the stdio transport. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dap_framing.h"
#include "server.h"

#define REPLY_TIMEOUT_MS 5000

/* ---- a session that answers every framed body with {"pid":PID,"echo":BODY} ---- */

typedef struct {
    int out_fd;
} echo_state;

static void echo_one(void *ctx, const char *body, size_t len)
{
    echo_state *state = ctx;
    char *json = NULL;
    if (asprintf(&json, "{\"pid\":%d,\"echo\":%.*s}", (int)getpid(), (int)len, body) < 0)
        return;
    size_t framed_len;
    char *framed = dap_frame(json, &framed_len);
    ssize_t written = write(state->out_fd, framed, framed_len);
    (void)written;
    free(framed);
    free(json);
}

static void echo_session(int in_fd, int out_fd, void *ctx)
{
    (void)ctx;
    echo_state state = {out_fd};
    dap_reader *reader = dap_reader_new(0);
    char buf[4096], err[200];
    ssize_t n;
    while ((n = read(in_fd, buf, sizeof buf)) > 0)
        if (dap_reader_feed(reader, buf, (size_t)n, echo_one, &state, err, sizeof err) < 0)
            break;
    dap_reader_free(reader);
}

/* ---- the server under test, in a forked child with its stderr on a pipe ---- */

static pid_t server_pid;
static int server_port;
static int server_stderr = -1;

/* Reads stderr of the server until a line containing needle; 0 when seen. */
static int wait_for_stderr(const char *needle, char *line, size_t size)
{
    size_t used = 0;
    line[0] = '\0';
    while (used + 1 < size) {
        struct pollfd pfd = {server_stderr, POLLIN, 0};
        if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0)
            return -1;
        ssize_t n = read(server_stderr, line + used, 1);
        if (n <= 0)
            return -1;
        used += (size_t)n;
        line[used] = '\0';
        if (line[used - 1] == '\n') {
            if (strstr(line, needle))
                return 0;
            used = 0;
        }
    }
    return -1;
}

static void start_server(void)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    /* sessions outliving the killed server are reparented to us, and reaped in stop_server */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    server_pid = fork();
    cr_assert_geq(server_pid, 0);
    if (server_pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        char err[200];
        server_run_tcp(NULL, 0, echo_session, NULL, err, sizeof err);
        fprintf(stderr, "server_run_tcp returned: %s\n", err);
        _exit(1);
    }
    close(pipefd[1]);
    server_stderr = pipefd[0];
    char line[256];
    cr_assert_eq(wait_for_stderr("listening", line, sizeof line), 0, "no listening line");
    cr_assert_eq(sscanf(line, "gobp-dap listening at 127.0.0.1:%d", &server_port), 1,
                 "unexpected line: %s", line);
    cr_assert_gt(server_port, 0);
}

static void stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
    }
    while (waitpid(-1, NULL, 0) > 0) /* orphaned sessions end once their client closed */
        ;
    if (server_stderr >= 0)
        close(server_stderr);
    server_pid = 0;
    server_stderr = -1;
}

/* ---- clients ---- */

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        return -1;
    return fd;
}

static void send_body(int fd, const char *json)
{
    size_t len;
    char *framed = dap_frame(json, &len);
    cr_assert_eq(write(fd, framed, len), (ssize_t)len);
    free(framed);
}

typedef struct {
    char body[512];
    int got;
} one_reply;

static void keep_reply(void *ctx, const char *body, size_t len)
{
    one_reply *reply = ctx;
    snprintf(reply->body, sizeof reply->body, "%.*s", (int)len, body);
    reply->got++;
}

/* Waits for one framed reply; returns the pid in it and checks the echo. */
static int read_reply_pid(int fd, const char *sent)
{
    dap_reader *reader = dap_reader_new(0);
    one_reply reply = {.got = 0};
    char buf[512], err[200];
    while (!reply.got) {
        struct pollfd pfd = {fd, POLLIN, 0};
        cr_assert_gt(poll(&pfd, 1, REPLY_TIMEOUT_MS), 0, "no reply in time");
        ssize_t n = read(fd, buf, sizeof buf);
        cr_assert_gt(n, 0, "connection closed before a reply");
        cr_assert_eq(dap_reader_feed(reader, buf, (size_t)n, keep_reply, &reply, err, sizeof err), 0);
    }
    dap_reader_free(reader);
    int pid = 0, echo_at = 0;
    cr_assert_eq(sscanf(reply.body, "{\"pid\":%d,\"echo\":%n", &pid, &echo_at), 1, "%s", reply.body);
    cr_assert(strncmp(reply.body + echo_at, sent, strlen(sent)) == 0, "%s", reply.body);
    return pid;
}

static int round_trip(int fd, const char *json)
{
    send_body(fd, json);
    return read_reply_pid(fd, json);
}

/* True when the server closes fd without sending anything. */
static bool closed_by_peer(int fd)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0)
        return false;
    char c;
    ssize_t n = read(fd, &c, 1);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* ---- tests ---- */

TestSuite(server_tcp, .init = start_server, .fini = stop_server, .timeout = 30);

Test(server_tcp, concurrent_clients_get_their_own_session)
{
    int c1 = connect_to(server_port), c2 = connect_to(server_port);
    cr_assert_geq(c1, 0);
    cr_assert_geq(c2, 0);
    int p1 = round_trip(c1, "{\"seq\":0,\"who\":1}");
    int p2 = round_trip(c2, "{\"seq\":0,\"who\":2}");
    cr_assert_neq(p1, p2, "two clients share a session process");
    cr_assert_neq(p1, server_pid);
    cr_assert_neq(p2, server_pid);
    cr_assert_neq(p1, getpid());
    /* each connection keeps its own session */
    cr_assert_eq(round_trip(c1, "{\"seq\":1,\"who\":1}"), p1);
    cr_assert_eq(round_trip(c2, "{\"seq\":1,\"who\":2}"), p2);
    close(c1);
    close(c2);
}

Test(server_tcp, keeps_accepting_after_a_client_disconnects)
{
    int c1 = connect_to(server_port);
    int p1 = round_trip(c1, "{\"n\":1}");
    close(c1);
    /* the session child ends on EOF and is reaped by the server */
    bool reaped = false;
    for (int i = 0; i < 100 && !reaped; i++) {
        reaped = kill(p1, 0) < 0 && errno == ESRCH;
        if (!reaped)
            usleep(20 * 1000);
    }
    cr_assert(reaped, "session %d was not reaped (zombie or still running)", p1);
    for (int i = 0; i < 3; i++) {
        int c = connect_to(server_port);
        cr_assert_geq(c, 0);
        int p = round_trip(c, "{\"n\":2}");
        cr_assert_neq(p, p1);
        close(c);
    }
}

Test(server_tcp, refuses_loopback_clients_of_another_user)
{
    if (getuid() != 0)
        cr_skip_test("needs root to connect as another uid");
    pid_t client = fork();
    cr_assert_geq(client, 0);
    if (client == 0) {
        if (setuid(65534) < 0)
            _exit(2);
        int fd = connect_to(server_port);
        if (fd < 0)
            _exit(3);
        send_body(fd, "{\"seq\":1}");
        _exit(closed_by_peer(fd) ? 0 : 4);
    }
    int status;
    cr_assert_eq(waitpid(client, &status, 0), client);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "other user's client status %d", status);
    char line[256];
    cr_assert_eq(wait_for_stderr("refused", line, sizeof line), 0);
    cr_assert(strstr(line, "uid 65534"), "%s", line);
    /* and our own user is still served */
    int c = connect_to(server_port);
    cr_assert_gt(round_trip(c, "{\"ok\":true}"), 0);
    close(c);
}

Test(server_tcp, socket_uid_of_a_loopback_client_is_ours)
{
    int c = connect_to(server_port);
    struct sockaddr_in local;
    socklen_t len = sizeof local;
    cr_assert_eq(getsockname(c, (struct sockaddr *)&local, &len), 0);
    cr_assert_eq(server_socket_uid(ntohs(local.sin_port), server_port), (long)getuid());
    cr_assert_eq(server_socket_uid(ntohs(local.sin_port), server_port == 1 ? 2 : 1), -1);
    close(c);
}

Test(server, listen_reports_real_port_and_busy_port_errors)
{
    char err[200] = "";
    int port = -1;
    int fd = server_listen_tcp("127.0.0.1", 0, &port, err, sizeof err);
    cr_assert_geq(fd, 0, "%s", err);
    cr_assert_gt(port, 0);
    cr_assert_eq(server_listen_tcp(NULL, port, NULL, err, sizeof err), -1);
    cr_assert(strstr(err, "Cannot listen on 127.0.0.1:"), "%s", err);
    close(fd);
    /* SO_REUSEADDR: the port can be listened on again at once */
    fd = server_listen_tcp("127.0.0.1", port, NULL, err, sizeof err);
    cr_assert_geq(fd, 0, "%s", err);
    close(fd);
}

Test(server, parse_listen)
{
    char *host = NULL;
    int port = -1;
    cr_assert_eq(server_parse_listen("127.0.0.1:4711", &host, &port), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 4711);
    free(host);
    cr_assert_eq(server_parse_listen("0.0.0.0:0", &host, &port), 0);
    cr_assert_str_eq(host, "0.0.0.0");
    cr_assert_eq(port, 0);
    free(host);
    cr_assert_eq(server_parse_listen(":38697", &host, &port), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 38697);
    free(host);
    cr_assert_eq(server_parse_listen("4711", &host, &port), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    free(host);
    cr_assert_eq(server_parse_listen("[::1]:65535", &host, &port), 0);
    cr_assert_str_eq(host, "::1");
    cr_assert_eq(port, 65535);
    free(host);
    cr_assert_eq(server_parse_listen("localhost:80", &host, &port), 0);
    cr_assert_str_eq(host, "localhost");
    free(host);
    const char *bad[] = {"", "host:", "host:65536", "host:-1", "host:12a", "::1:80",
                         "[::1:80", "host:123456", "host: 80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(server_parse_listen(bad[i], &host, &port), -1, "accepted \"%s\"", bad[i]);
}

static void record_fds(int in_fd, int out_fd, void *ctx)
{
    int *fds = ctx;
    fds[0] = in_fd;
    fds[1] = out_fd;
}

Test(server, stdio_runs_the_session_on_fds_0_and_1)
{
    int fds[2] = {-1, -1};
    cr_assert_eq(server_run_stdio(record_fds, fds), 0);
    cr_assert_eq(fds[0], 0);
    cr_assert_eq(fds[1], 1);
}
