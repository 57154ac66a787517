/* dap_framing.c — DAP base-protocol framing.
 * Reader: a small state machine (header lines, then Content-Length body bytes) fed with
 * arbitrary chunks. Writer: prefixes a JSON text with its Content-Length header. */
#include "alloc.h"
#include "dap_framing.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum reader_state { READING_HEADERS, READING_BODY, BROKEN };

struct dap_reader {
    size_t max_message;
    enum reader_state state;
    char line[DAP_MAX_HEADER_LINE + 2]; /* + '\r' kept until the '\n' arrives, + NUL */
    size_t line_len;
    size_t header_bytes;   /* bytes of the current header block so far */
    long long content_length; /* -1 until a Content-Length header is seen */
    char *body;            /* capacity body_cap, holds body_len of content_length bytes */
    size_t body_cap, body_len;
    char error[256];       /* the sentence repeated once BROKEN */
};

dap_reader *dap_reader_new(size_t max_message)
{
    dap_reader *reader = xcalloc(1, sizeof *reader);
    reader->max_message = max_message ? max_message : DAP_DEFAULT_MAX_MESSAGE;
    reader->state = READING_HEADERS;
    reader->content_length = -1;
    return reader;
}

void dap_reader_free(dap_reader *reader)
{
    if (!reader)
        return;
    free(reader->body);
    free(reader);
}

int dap_reader_idle(const dap_reader *reader)
{
    return reader->state == READING_HEADERS && reader->line_len == 0 &&
           reader->header_bytes == 0;
}

static int fail(dap_reader *reader, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(dap_reader *reader, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reader->error, sizeof reader->error, fmt, ap);
    va_end(ap);
    reader->state = BROKEN;
    return -1;
}

static void trim(const char **start, const char **end)
{
    while (*start < *end && (**start == ' ' || **start == '\t'))
        (*start)++;
    while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
        (*end)--;
}

/* Parses the value of a Content-Length header into reader->content_length. */
static int parse_content_length(dap_reader *reader, const char *value, const char *end)
{
    trim(&value, &end);
    if (value == end)
        return fail(reader, "Content-Length header has no value.");
    if (*value == '-')
        return fail(reader, "Content-Length %.*s is negative.", (int)(end - value), value);
    unsigned long long length = 0;
    for (const char *p = value; p < end; p++) {
        if (*p < '0' || *p > '9')
            return fail(reader, "Content-Length \"%.*s\" is not a number.",
                        (int)(end - value > 40 ? 40 : end - value), value);
        if (length > reader->max_message) /* stop before any overflow */
            break;
        length = length * 10 + (unsigned)(*p - '0');
    }
    if (length > reader->max_message)
        return fail(reader, "Content-Length %.*s exceeds the %zu byte message limit.",
                    (int)(end - value > 40 ? 40 : end - value), value, reader->max_message);
    reader->content_length = (long long)length;
    return 0;
}

/* One complete header line (no line ending). Headers other than Content-Length are
 * accepted and ignored (e.g. Content-Type). */
static int parse_header_line(dap_reader *reader)
{
    const char *line = reader->line;
    const char *colon = memchr(line, ':', reader->line_len);
    if (!colon)
        return fail(reader, "Header line \"%.*s\" has no ':'.",
                    (int)(reader->line_len > 60 ? 60 : reader->line_len), line);
    const char *name = line, *name_end = colon;
    trim(&name, &name_end);
    static const char content_length[] = "Content-Length";
    if ((size_t)(name_end - name) == sizeof content_length - 1 &&
        strncasecmp(name, content_length, sizeof content_length - 1) == 0)
        return parse_content_length(reader, colon + 1, line + reader->line_len);
    return 0;
}

static int reserve_body(dap_reader *reader, size_t need)
{
    if (need <= reader->body_cap)
        return 0;
    reader->body = xrealloc(reader->body, need);
    reader->body_cap = need;
    return 0;
}

static void start_next_message(dap_reader *reader)
{
    reader->state = READING_HEADERS;
    reader->line_len = 0;
    reader->header_bytes = 0;
    reader->content_length = -1;
    reader->body_len = 0;
}

static void deliver_body(dap_reader *reader, dap_message_fn on_message, void *ctx)
{
    size_t len = reader->body_len;
    reader->body[len] = '\0';
    start_next_message(reader);
    on_message(ctx, reader->body, len);
}

/* The blank line ending a header block: the body (maybe empty) comes next. */
static int end_of_headers(dap_reader *reader, dap_message_fn on_message, void *ctx)
{
    if (reader->content_length < 0)
        return fail(reader, "Message header has no Content-Length.");
    if (reserve_body(reader, (size_t)reader->content_length + 1) < 0)
        return -1;
    reader->state = READING_BODY;
    reader->body_len = 0;
    if (reader->content_length == 0)
        deliver_body(reader, on_message, ctx);
    return 0;
}

/* Consumes header bytes from buf; returns how many, or -1 on error. */
static long feed_headers(dap_reader *reader, const char *buf, size_t len,
                         dap_message_fn on_message, void *ctx)
{
    size_t used = 0;
    while (used < len && reader->state == READING_HEADERS) {
        char c = buf[used++];
        if (++reader->header_bytes > DAP_MAX_HEADER_BLOCK)
            return fail(reader, "Message header is longer than %d bytes.", DAP_MAX_HEADER_BLOCK);
        if (c != '\n') {
            if (reader->line_len > DAP_MAX_HEADER_LINE) /* room for one trailing '\r' */
                return fail(reader, "Header line is longer than %d bytes.", DAP_MAX_HEADER_LINE);
            reader->line[reader->line_len++] = c;
            continue;
        }
        if (reader->line_len > 0 && reader->line[reader->line_len - 1] == '\r')
            reader->line_len--;
        if (reader->line_len > DAP_MAX_HEADER_LINE)
            return fail(reader, "Header line is longer than %d bytes.", DAP_MAX_HEADER_LINE);
        int rc = reader->line_len == 0 ? end_of_headers(reader, on_message, ctx)
                                       : parse_header_line(reader);
        reader->line_len = 0;
        if (rc < 0)
            return -1;
    }
    return (long)used;
}

static size_t feed_body(dap_reader *reader, const char *buf, size_t len,
                        dap_message_fn on_message, void *ctx)
{
    size_t missing = (size_t)reader->content_length - reader->body_len;
    size_t take = len < missing ? len : missing;
    memcpy(reader->body + reader->body_len, buf, take);
    reader->body_len += take;
    if (reader->body_len == (size_t)reader->content_length)
        deliver_body(reader, on_message, ctx);
    return take;
}

int dap_reader_feed(dap_reader *reader, const char *buf, size_t len,
                    dap_message_fn on_message, void *ctx, char *err, size_t errlen)
{
    size_t pos = 0;
    while (reader->state != BROKEN && pos < len) {
        if (reader->state == READING_BODY) {
            pos += feed_body(reader, buf + pos, len - pos, on_message, ctx);
            continue;
        }
        long used = feed_headers(reader, buf + pos, len - pos, on_message, ctx);
        if (used < 0)
            break;
        pos += (size_t)used;
    }
    if (reader->state != BROKEN)
        return 0;
    if (err && errlen)
        snprintf(err, errlen, "%s", reader->error);
    return -1;
}

char *dap_frame(const char *json, size_t *len_out)
{
    size_t json_len = strlen(json);
    char header[48];
    int header_len = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n", json_len);
    size_t total = (size_t)header_len + json_len;
    char *framed = xmalloc(total + 1);
    memcpy(framed, header, (size_t)header_len);
    memcpy(framed + header_len, json, json_len + 1);
    if (len_out)
        *len_out = total;
    return framed;
}
