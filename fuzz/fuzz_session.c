/* The request fuzz harnesses' session driver: a real session writing to a memory file, fuzz
 * input lines framed and fed as DAP messages, and the check that every well-formed request
 * got exactly one response in a well-formed output stream. */
#include "fuzz_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "dap_framing.h"
#include "dap_message.h"

static int in_pipe[2] = { -1, -1 };

void fuzz_session_open(session *s, bool no_spawn)
{
    if (in_pipe[0] < 0 && pipe(in_pipe) < 0)
        abort();
    int out = memfd_create("fuzz-dap-out", MFD_CLOEXEC);
    if (out < 0)
        abort();
    session_open(s, in_pipe[0], out, NULL);
    s->no_spawn = no_spawn;
}

void fuzz_session_close(session *s)
{
    int out = s->out_fd;
    session_close(s);
    close(out);
}

void fuzz_session_feed(session *s, const char *body, size_t len, fuzz_fed *fed)
{
    char err[256];
    json_object *msg = dap_parse(body, len, err, sizeof err);
    if (fed->n == fed->cap) {
        fed->cap = fed->cap ? fed->cap * 2 : 16;
        fed->seqs = xrealloc(fed->seqs, fed->cap * sizeof *fed->seqs);
        fed->request = xrealloc(fed->request, fed->cap * sizeof *fed->request);
    }
    if (msg) {
        fed->request[fed->n] = strcmp(dap_type(msg), "request") == 0;
    } else {            /* a malformed message may still be answered, when it has a seq */
        char *text = strndup(body, len);
        msg = json_tokener_parse(text);
        free(text);
        fed->request[fed->n] = false;
    }
    fed->seqs[fed->n++] = msg && json_object_is_type(msg, json_type_object) ? dap_get_int(msg, "seq", 0) : 0;
    json_object_put(msg);
    char head[64];
    int hn = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
    if (session_feed(s, head, (size_t)hn) == 0)
        session_feed(s, body, len);
}

void fuzz_each_line(const uint8_t *data, size_t size, bool (*fn)(void *ctx, const char *line, size_t len), void *ctx)
{
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 0 && !fn(ctx, p, len))
            return;
        p += len + 1;
    }
}

typedef struct {
    fuzz_fed *fed;
    size_t *answers;     /* responses seen per fed request */
    int64_t last_seq;
} output_check;

static void check_message(void *ctx, const char *body, size_t len)
{
    output_check *c = ctx;
    json_object *msg = json_tokener_parse(body);
    if (!msg || !json_object_is_type(msg, json_type_object))
        abort();                                  /* every message is a JSON object */
    int64_t seq = dap_get_int(msg, "seq", -1);
    if (seq != c->last_seq + 1)
        abort();                                  /* seq rises by one */
    c->last_seq = seq;
    const char *type = dap_get_string(msg, "type", "");
    if (strcmp(type, "response") == 0) {     /* counted at the first line with its seq */
        json_object *success;
        if (!json_object_object_get_ex(msg, "success", &success) || !json_object_is_type(success, json_type_boolean) ||
            !dap_get_string(msg, "command", NULL))
            abort();
        if (!json_object_get_boolean(success) && !dap_get_string(msg, "message", NULL))
            abort();                              /* a failure says why */
        int64_t req = dap_get_int(msg, "request_seq", -1);
        for (size_t i = 0; i < c->fed->n; i++)
            if (c->fed->seqs[i] == req) {
                c->answers[i]++;
                break;
            }
    } else if (strcmp(type, "event") != 0 || !dap_get_string(msg, "event", NULL)) {
        abort();
    }
    json_object_put(msg);
}

void fuzz_session_check(session *s, fuzz_fed *fed)
{
    off_t size = lseek(s->out_fd, 0, SEEK_END);
    char *out = xmalloc((size_t)size + 1);
    if (pread(s->out_fd, out, (size_t)size, 0) != size)
        abort();
    output_check c = { fed, xcalloc(fed->n + 1, sizeof *c.answers), fed->seq_before };
    dap_reader *r = dap_reader_new(0);
    char err[256];
    if (dap_reader_feed(r, out, (size_t)size, check_message, &c, err, sizeof err) < 0 || !dap_reader_idle(r))
        abort();                                  /* the output is framed DAP */
    for (size_t i = 0; i < fed->n; i++) {
        if (!fed->request[i])
            continue;
        size_t same = 0;
        for (size_t j = 0; j < fed->n; j++)
            same += fed->seqs[j] == fed->seqs[i];
        size_t first = 0;
        while (fed->seqs[first] != fed->seqs[i])
            first++;
        if (same == 1 ? c.answers[first] != 1 : c.answers[first] < 1) {
            fprintf(stderr, "fuzz_session: request seq %lld (message %zu of the input) was answered %zu times\n",
                    (long long)fed->seqs[i], i + 1, c.answers[first]);
            abort();                              /* every request is answered, once */
        }
    }
    dap_reader_free(r);
    free(c.answers);
    free(out);
    if (c.last_seq != s->seq.last)
        abort();                                  /* everything sent was written */
    fed->n = 0;
    fed->seq_before = s->seq.last;
    if (ftruncate(s->out_fd, 0) < 0 || lseek(s->out_fd, 0, SEEK_SET) < 0)
        abort();
}
