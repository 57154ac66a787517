/* The DAP session loop: reads framed requests on a libev loop, dispatches them to the
 * handler table, sends responses/events (logging both ways with --log), turns SIGCHLD into
 * target polls and forwards the program's stdout/stderr as output events. */
#include "session.h"
#include "alloc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void log_message(session *s, const char *dir, const char *text, size_t len)
{
    if (!s->log)
        return;
    fprintf(s->log, "%s %.*s\n", dir, (int)len, text);
    fflush(s->log);
}

/* Writes one serialised message (and logs it). */
static void send_text(session *s, const char *text, size_t len)
{
    log_message(s, "<-", text, len);
    if (dap_write_text(s->out_fd, text) < 0)
        s->quit = true;
}

void session_send(session *s, json_object *msg)
{
    size_t len = 0;
    const char *text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    send_text(s, text, len);
    json_object_put(msg);
}

void session_respond_ok_text(session *s, json_object *req, const char *body, size_t body_len)
{
    json_object *resp = dap_response(&s->seq, req, true, NULL);
    size_t len = 0;
    const char *head = json_object_to_json_string_length(resp, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *text = xmalloc(len + body_len + 16);
    size_t n = len - 1;                       /* without the closing brace */
    memcpy(text, head, n);
    memcpy(text + n, ",\"body\":", 8);
    memcpy(text + n + 8, body, body_len);
    memcpy(text + n + 8 + body_len, "}", 2);
    send_text(s, text, n + 9 + body_len);
    free(text);
    json_object_put(resp);
}

void session_respond_ok(session *s, json_object *req, json_object *body)
{
    json_object *resp = dap_response(&s->seq, req, true, NULL);
    if (body)
        json_object_object_add(resp, "body", body);
    session_send(s, resp);
}

void session_respond_error(session *s, json_object *req, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    session_send(s, dap_response(&s->seq, req, false, msg));
}

json_object *session_event(session *s, const char *event)
{
    return dap_event(&s->seq, event);
}

void session_output(session *s, const char *category, const char *text)
{
    json_object *ev = session_event(s, "output");
    json_object_object_add(dap_body(ev), "category", json_object_new_string(category));
    json_object_object_add(dap_body(ev), "output", json_object_new_string(text));
    session_send(s, ev);
}

/* ---- the program's output ---- */

static bool output_read_once(session *s, int i)
{
    char buf[65536];
    ssize_t n = read(s->output_fd[i], buf, sizeof buf - 1);
    if (n < 0 && errno == EINTR)
        return true;
    if (n < 0 && errno == EAGAIN)
        return false;
    if (n <= 0) {
        ev_io_stop(s->loop, &s->output_watcher[i]);
        close(s->output_fd[i]);
        s->output_fd[i] = -1;
        return false;
    }
    buf[n] = 0;
    session_output(s, i == 0 ? "stdout" : "stderr", buf);
    return true;
}

static void on_output(struct ev_loop *loop, ev_io *w, int revents)
{
    session *s = w->data;
    output_read_once(s, w == &s->output_watcher[0] ? 0 : 1);
}

void session_watch_output(session *s, int out_fd, int err_fd)
{
    int fds[2] = { out_fd, err_fd };
    for (int i = 0; i < 2; i++) {
        s->output_fd[i] = fds[i];
        ev_io_init(&s->output_watcher[i], on_output, fds[i], EV_READ);
        s->output_watcher[i].data = s;
        ev_io_start(s->loop, &s->output_watcher[i]);
    }
}

/* After the program exited every write end is closed: read both pipes to EOF. */
void session_drain_output(session *s)
{
    for (int i = 0; i < 2; i++)
        while (s->output_fd[i] >= 0 && output_read_once(s, i))
            ;
}

/* ---- ending ---- */

void session_end_debuggee(session *s, bool kill)
{
    session_trace_finish(s);
    if (s->target) {
        target_end(s->target, kill);
        s->target = NULL;
    }
    handles_clear(&s->handles);
    session_drain_output(s);
    if (s->built_binary) {
        unlink(s->built_binary);
        free(s->built_binary);
        s->built_binary = NULL;
    }
    if (s->built_dir) {
        rmdir(s->built_dir);
        free(s->built_dir);
        s->built_dir = NULL;
    }
}

static void send_exit_events(session *s, int code)
{
    session_drain_output(s);
    json_object *ev = session_event(s, "exited");
    json_object_object_add(dap_body(ev), "exitCode", json_object_new_int(code));
    session_send(s, ev);
    session_send(s, session_event(s, "terminated"));
    s->ended = true;
}

void session_report_stop(session *s, const gobp_stop *stop)
{
    handles_clear(&s->handles);
    session_trace_reading(s);   /* a trace started while the program ran may record now */
    if (stop->reason == STOP_EXITED || stop->reason == STOP_KILLED) {
        session_drain_output(s);
        session_trace_finish(s);
        target_end(s->target, false);
        s->target = NULL;
        send_exit_events(s, stop->reason == STOP_EXITED ? stop->exit_code : 128 + stop->exit_code);
        return;
    }
    if (stop->reason == STOP_EXEC) {
        session_output(s, "console", s->attached
            ? "The program replaced itself (exec): the debugger detached, the new image runs on.\n"
            : "The program replaced itself (exec): the new image runs without the debugger "
              "(no breakpoints, no pause); its exit ends the session.\n");
        if (s->attached) {
            session_end_debuggee(s, false);
            session_send(s, session_event(s, "terminated"));
            s->ended = true;
        }
        return;
    }
    static const char *const reasons[] = {
        [STOP_ENTRY] = "entry", [STOP_BREAKPOINT] = "breakpoint", [STOP_STEP] = "step",
        [STOP_PAUSE] = "pause", [STOP_DATA] = "data breakpoint",
    };
    json_object *ev = session_event(s, "stopped");
    json_object *body = dap_body(ev);
    json_object_object_add(body, "reason", json_object_new_string(stop->exception ? "exception"
                                                                   : reasons[stop->reason] ? reasons[stop->reason] : "pause"));
    char kind[64], msg[1024];
    if (stop->exception && target_exception_info(s->target, stop->goid, kind, sizeof kind, msg, sizeof msg) == 0) {
        char text[1100];
        snprintf(text, sizeof text, "%s: %s", kind, msg);
        json_object_object_add(body, "description", json_object_new_string(kind[0] == 'p' ? "Panic" : "Fatal error"));
        json_object_object_add(body, "text", json_object_new_string(text));
    }
    int64_t thread = stop->goid > 0 ? stop->goid : stop->tid;
    s->last_stop_goid = thread;
    json_object_object_add(body, "threadId", json_object_new_int64(thread));
    json_object_object_add(body, "allThreadsStopped", json_object_new_boolean(1));
    if (stop->nbp > 0) {
        json_object *ids = json_object_new_array();
        for (int i = 0; i < stop->nbp; i++)
            json_object_array_add(ids, json_object_new_int(stop->bp_ids[i]));
        json_object_object_add(body, "hitBreakpointIds", ids);
    }
    session_send(s, ev);
}

/* ---- the loop ---- */

void session_poll_target(session *s)
{
    gobp_stop stop;
    while (s->target && target_poll(s->target, &stop) == 1)
        session_report_stop(s, &stop);
}

static void on_sigchld(struct ev_loop *loop, ev_io *w, int revents)
{
    session *s = w->data;
    struct signalfd_siginfo si;
    while (read(s->sigchld_fd, &si, sizeof si) == sizeof si)
        ;
    session_poll_target(s);
}

static void dispatch(session *s, json_object *msg)
{
    if (strcmp(dap_type(msg), "request") != 0)
        return; /* responses to reverse requests: none sent */
    const char *command = dap_command(msg);
    const request_entry *e = request_lookup(command);
    if (!e) {
        session_respond_error(s, msg, "unknown request \"%s\"", command);
        return;
    }
    const char *unmet = request_unmet_need(e->needs, s->target != NULL, s->target && target_running(s->target));
    if (unmet) {
        session_respond_error(s, msg, "%s: %s", command, unmet);
        return;
    }
    e->handler(s, msg, dap_arguments(msg));
}

/* A message we cannot act on: an error response when it names a request we can answer,
 * otherwise an output event saying what was wrong. The session goes on either way. */
static void reject_message(session *s, const char *body, const char *err)
{
    json_object *partial = json_tokener_parse(body);
    char text[512];
    if (partial && json_object_is_type(partial, json_type_object) && dap_get_int(partial, "seq", 0) >= 1 &&
        dap_get_string(partial, "command", NULL)) {
        session_send(s, dap_response(&s->seq, partial, false, err));
    } else {
        snprintf(text, sizeof text, "gobp-dap: ignored a malformed DAP message: %s\n", err);
        session_output(s, "stderr", text);
    }
    json_object_put(partial);
}

static void on_message(void *ctx, const char *body, size_t len)
{
    session *s = ctx;
    char err[256];
    log_message(s, "->", body, len);
    json_object *msg = dap_parse(body, len, err, sizeof err);
    if (!msg) {
        reject_message(s, body, err);
        return;
    }
    dispatch(s, msg);
    json_object_put(msg);
}

int session_feed(session *s, const char *buf, size_t n)
{
    char err[256];
    if (dap_reader_feed(s->reader, buf, n, on_message, s, err, sizeof err) < 0) {
        /* the client hears why before the connection closes (as does stderr) */
        char text[320];
        snprintf(text, sizeof text, "gobp-dap: closing the connection: %s\n", err);
        session_output(s, "important", text);
        fputs(text, stderr);
        if (s->log)
            fprintf(s->log, "!! %s\n", err);
        s->quit = true;
        return -1;
    }
    return 0;
}

static void on_input(struct ev_loop *loop, ev_io *w, int revents)
{
    session *s = w->data;
    char buf[65536];
    ssize_t n = read(s->in_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {           /* EOF acts as disconnect (nvim-dap closes without one) */
        s->quit = true;
        ev_break(loop, EVBREAK_ALL);
        return;
    }
    session_feed(s, buf, (size_t)n);
    if (s->quit)
        ev_break(loop, EVBREAK_ALL);
}

void session_open(session *s, int in_fd, int out_fd, const char *log_path)
{
    memset(s, 0, sizeof *s);
    s->in_fd = in_fd;
    s->out_fd = out_fd;
    s->output_fd[0] = s->output_fd[1] = -1;
    s->client_lines_start_at1 = s->client_columns_start_at1 = true;
    if (log_path)
        s->log = fopen(log_path, "a");
    s->reader = dap_reader_new(0);
    s->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_BLOCK, &set, NULL);
    s->sigchld_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    ev_io_init(&s->sigchld_watcher, on_sigchld, s->sigchld_fd, EV_READ);
    s->sigchld_watcher.data = s;
    ev_io_start(s->loop, &s->sigchld_watcher);
    ev_io_init(&s->in_watcher, on_input, in_fd, EV_READ);
    s->in_watcher.data = s;
    ev_io_start(s->loop, &s->in_watcher);
}

void session_close(session *s)
{
    session_end_debuggee(s, false);
    for (int i = 0; i < 2; i++)
        if (s->output_fd[i] >= 0)
            close(s->output_fd[i]);
    close(s->sigchld_fd);
    free(s->cwd);
    target_goroutine_filter_free(s->goroutine_filter);
    for (int i = 0; i < s->npprof_labels; i++)
        free(s->pprof_labels[i]);
    free(s->pprof_labels);
    session_path_rules_free(s);
    free(s->step_in_targets);
    trace_config_free(s->trace);
    for (int i = 0; i < s->ntracepoints; i++)
        free(s->tracepoints[i]);
    free(s->tracepoints);
    for (int i = 0; i < s->nfb_tracepoints; i++)
        free(s->fb_tracepoints[i]);
    free(s->fb_tracepoints);
    ev_loop_destroy(s->loop);
    dap_reader_free(s->reader);
    if (s->log)
        fclose(s->log);
}

void session_run(int in_fd, int out_fd, void *ctx)
{
    session s;
    session_open(&s, in_fd, out_fd, ctx);
    while (!s.quit)
        ev_run(s.loop, EVRUN_ONCE);
    session_close(&s);
}
