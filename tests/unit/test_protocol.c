/* test_protocol.c — unit tests for protocol/: DAP framing (chunking at every byte,
 * several messages per chunk, broken headers) and json-c message parsing/building. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "dap_base64.h"
#include "dap_framing.h"
#include "dap_message.h"

/* ---- framing ---- */

#define MAX_COLLECTED 16

typedef struct {
    int count;
    char *bodies[MAX_COLLECTED];
    size_t lens[MAX_COLLECTED];
} collected;

static void collect(void *ctx, const char *body, size_t len)
{
    collected *c = ctx;
    cr_assert_lt(c->count, MAX_COLLECTED);
    cr_assert_eq(body[len], '\0', "body must be NUL-terminated");
    c->bodies[c->count] = strndup(body, len);
    c->lens[c->count++] = len;
}

static void collected_free(collected *c)
{
    for (int i = 0; i < c->count; i++)
        free(c->bodies[i]);
    c->count = 0;
}

static const char two_messages[] =
    "Content-Length: 11\r\n\r\n{\"seq\":123}"
    "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:  2 \r\n\r\n{}";

Test(framing, one_message_in_one_chunk)
{
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    const char *msg = "Content-Length: 7\r\n\r\n{\"a\":1}";
    cr_assert_eq(dap_reader_feed(r, msg, strlen(msg), collect, &c, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.count, 1);
    cr_assert_str_eq(c.bodies[0], "{\"a\":1}");
    cr_assert(dap_reader_idle(r));
    collected_free(&c);
    dap_reader_free(r);
}

Test(framing, two_messages_split_at_every_boundary)
{
    size_t len = strlen(two_messages);
    for (size_t split = 0; split <= len; split++) {
        dap_reader *r = dap_reader_new(0);
        collected c = {0};
        char err[200] = "";
        cr_assert_eq(dap_reader_feed(r, two_messages, split, collect, &c, err, sizeof err), 0, "%s", err);
        cr_assert_eq(dap_reader_feed(r, two_messages + split, len - split, collect, &c, err, sizeof err), 0);
        cr_assert_eq(c.count, 2, "split at %zu", split);
        cr_assert_str_eq(c.bodies[0], "{\"seq\":123}");
        cr_assert_str_eq(c.bodies[1], "{}");
        cr_assert(dap_reader_idle(r));
        collected_free(&c);
        dap_reader_free(r);
    }
}

Test(framing, byte_by_byte)
{
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    for (size_t i = 0; i < strlen(two_messages); i++) {
        cr_assert_eq(dap_reader_feed(r, two_messages + i, 1, collect, &c, err, sizeof err), 0);
        if (i + 1 < strlen(two_messages))
            cr_assert(!dap_reader_idle(r) || c.count == 1);
    }
    cr_assert_eq(c.count, 2);
    cr_assert_str_eq(c.bodies[1], "{}");
    collected_free(&c);
    dap_reader_free(r);
}

Test(framing, many_messages_in_one_chunk_and_bare_newlines)
{
    char buf[1024] = "";
    for (int i = 0; i < 10; i++) {
        char body[32], framed[96];
        snprintf(body, sizeof body, "{\"seq\":%d}", i);
        snprintf(framed, sizeof framed, "Content-Length: %zu\n\n%s", strlen(body), body);
        strcat(buf, framed);
    }
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    cr_assert_eq(dap_reader_feed(r, buf, strlen(buf), collect, &c, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.count, 10);
    cr_assert_str_eq(c.bodies[9], "{\"seq\":9}");
    collected_free(&c);
    dap_reader_free(r);
}

Test(framing, body_may_contain_header_like_bytes)
{
    const char *msg = "Content-Length: 24\r\n\r\nContent-Length: 5\r\n\r\nabc";
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    cr_assert_eq(dap_reader_feed(r, msg, strlen(msg), collect, &c, err, sizeof err), 0);
    cr_assert_eq(c.count, 1);
    cr_assert_eq(c.lens[0], 24);
    collected_free(&c);
    dap_reader_free(r);
}

static void expect_framing_error(const char *input, const char *needle)
{
    dap_reader *r = dap_reader_new(1000);
    collected c = {0};
    char err[200] = "";
    cr_assert_eq(dap_reader_feed(r, input, strlen(input), collect, &c, err, sizeof err), -1,
                 "accepted: %s", input);
    cr_assert(strstr(err, needle), "error \"%s\" lacks \"%s\"", err, needle);
    cr_assert_eq(c.count, 0);
    /* stays broken */
    char err2[200] = "";
    cr_assert_eq(dap_reader_feed(r, "Content-Length: 2\r\n\r\n{}", 23, collect, &c, err2, sizeof err2), -1);
    cr_assert_str_eq(err2, err);
    cr_assert_eq(c.count, 0);
    dap_reader_free(r);
}

Test(framing, bad_headers_are_errors)
{
    expect_framing_error("Content-Type: x\r\n\r\n{}", "no Content-Length");
    expect_framing_error("\r\n", "no Content-Length");
    expect_framing_error("Content-Length: abc\r\n\r\n", "not a number");
    expect_framing_error("Content-Length: 12x\r\n\r\n", "not a number");
    expect_framing_error("Content-Length: \r\n\r\n", "no value");
    expect_framing_error("Content-Length: -5\r\n\r\n", "negative");
    expect_framing_error("Content-Length: 1001\r\n\r\n", "limit");
    expect_framing_error("Content-Length: 99999999999999999999999999999\r\n\r\n", "limit");
    expect_framing_error("{\"seq\":1}\r\n\r\n", "no Content-Length");
    expect_framing_error("hello\r\n\r\n", "no ':'");
}

Test(framing, too_long_header_line_is_an_error_before_its_end)
{
    char line[DAP_MAX_HEADER_LINE + 10];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    cr_assert_eq(dap_reader_feed(r, line, strlen(line), collect, &c, err, sizeof err), -1);
    cr_assert(strstr(err, "longer than"), "%s", err);
    dap_reader_free(r);

    /* exactly the limit (with \r\n) is fine */
    char ok[DAP_MAX_HEADER_LINE + 64];
    int n = snprintf(ok, sizeof ok, "X-Pad: ");
    memset(ok + n, 'p', DAP_MAX_HEADER_LINE - (size_t)n);
    strcpy(ok + DAP_MAX_HEADER_LINE, "\r\nContent-Length: 2\r\n\r\n{}");
    r = dap_reader_new(0);
    cr_assert_eq(dap_reader_feed(r, ok, strlen(ok), collect, &c, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.count, 1);
    collected_free(&c);
    dap_reader_free(r);
}

Test(framing, endless_headers_are_an_error)
{
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    const char *header = "X-Filler: 0123456789\r\n";
    int rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++)
        rc = dap_reader_feed(r, header, strlen(header), collect, &c, err, sizeof err);
    cr_assert_eq(rc, -1);
    cr_assert(strstr(err, "header is longer"), "%s", err);
    dap_reader_free(r);
}

Test(framing, messages_before_the_error_are_delivered)
{
    const char *input = "Content-Length: 2\r\n\r\n{}Content-Length: nope\r\n\r\n";
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    cr_assert_eq(dap_reader_feed(r, input, strlen(input), collect, &c, err, sizeof err), -1);
    cr_assert_eq(c.count, 1);
    collected_free(&c);
    dap_reader_free(r);
}

Test(framing, zero_length_body_is_delivered_empty)
{
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    cr_assert_eq(dap_reader_feed(r, "Content-Length: 0\r\n\r\n", 21, collect, &c, err, sizeof err), 0);
    cr_assert_eq(c.count, 1);
    cr_assert_eq(c.lens[0], 0);
    collected_free(&c);
    dap_reader_free(r);
}

Test(framing, frame_round_trips_through_reader)
{
    size_t len = 0;
    char *framed = dap_frame("{\"x\":\"é\"}", &len);
    cr_assert_str_eq(framed, "Content-Length: 10\r\n\r\n{\"x\":\"é\"}");
    cr_assert_eq(len, strlen(framed));
    dap_reader *r = dap_reader_new(0);
    collected c = {0};
    char err[200] = "";
    cr_assert_eq(dap_reader_feed(r, framed, len, collect, &c, err, sizeof err), 0);
    cr_assert_str_eq(c.bodies[0], "{\"x\":\"é\"}");
    collected_free(&c);
    dap_reader_free(r);
    free(framed);
}

/* ---- messages ---- */

static json_object *parse_ok(const char *body)
{
    char err[200] = "";
    json_object *msg = dap_parse(body, strlen(body), err, sizeof err);
    cr_assert_not_null(msg, "rejected %s: %s", body, err);
    return msg;
}

static void expect_parse_error(const char *body, const char *needle)
{
    char err[200] = "";
    cr_assert_null(dap_parse(body, strlen(body), err, sizeof err), "accepted %s", body);
    cr_assert(strstr(err, needle), "error \"%s\" lacks \"%s\"", err, needle);
}

Test(message, parse_errors_say_what_is_wrong)
{
    expect_parse_error("{\"seq\":1,", "incomplete");
    expect_parse_error("{seq:1}", "not valid JSON");
    expect_parse_error("", "incomplete");
    expect_parse_error("{\"seq\":1,\"type\":\"request\",\"command\":\"x\"} junk", "after the JSON");
    expect_parse_error("[1,2]", "not a JSON object");
    expect_parse_error("\"request\"", "not a JSON object");
    expect_parse_error("{\"type\":\"request\",\"command\":\"threads\"}", "\"seq\"");
    expect_parse_error("{\"seq\":\"1\",\"type\":\"request\",\"command\":\"threads\"}", "\"seq\"");
    expect_parse_error("{\"seq\":1.5,\"type\":\"request\",\"command\":\"threads\"}", "\"seq\"");
    expect_parse_error("{\"seq\":-1,\"type\":\"request\",\"command\":\"threads\"}", "negative");
    expect_parse_error("{\"seq\":1,\"command\":\"threads\"}", "\"type\"");
    expect_parse_error("{\"seq\":1,\"type\":\"req\",\"command\":\"threads\"}", "not request");
    expect_parse_error("{\"seq\":1,\"type\":\"request\"}", "\"command\"");
    expect_parse_error("{\"seq\":1,\"type\":\"request\",\"command\":7}", "\"command\"");
    expect_parse_error("{\"seq\":1,\"type\":\"event\"}", "\"event\"");
    expect_parse_error("{\"seq\":1,\"type\":\"request\",\"command\":\"next\",\"arguments\":[1]}",
                       "arguments");
}

Test(message, accepts_seq_zero_and_missing_arguments)
{
    json_object *req = parse_ok(" {\"seq\":0,\"type\":\"request\",\"command\":\"threads\"}\n");
    cr_assert_str_eq(dap_command(req), "threads");
    cr_assert_str_eq(dap_type(req), "request");
    cr_assert_eq(dap_seq_of(req), 0);
    cr_assert_null(dap_arguments(req));
    json_object_put(req);

    json_object *resp = parse_ok("{\"seq\":4,\"type\":\"response\",\"request_seq\":2,"
                                 "\"command\":\"runInTerminal\",\"success\":true}");
    cr_assert_str_eq(dap_command(resp), "runInTerminal");
    json_object_put(resp);

    json_object *ev = parse_ok("{\"seq\":4,\"type\":\"event\",\"event\":\"x\"}");
    cr_assert_str_eq(dap_event_name(ev), "x");
    json_object_put(ev);
}

Test(message, getters_fall_back_to_defaults)
{
    json_object *req = parse_ok(
        "{\"seq\":3,\"type\":\"request\",\"command\":\"launch\",\"arguments\":"
        "{\"program\":\"/tmp/p\",\"stopOnEntry\":true,\"threadId\":7,\"levels\":20.0,"
        "\"bad\":\"7\",\"frac\":1.5,\"big\":9007199254740993}}");
    json_object *args = dap_arguments(req);
    cr_assert_not_null(args);
    cr_assert_str_eq(dap_get_string(args, "program", NULL), "/tmp/p");
    cr_assert_str_eq(dap_get_string(args, "missing", "dflt"), "dflt");
    cr_assert_str_eq(dap_get_string(args, "threadId", "dflt"), "dflt");
    cr_assert_eq(dap_get_bool(args, "stopOnEntry", false), true);
    cr_assert_eq(dap_get_bool(args, "noDebug", false), false);
    cr_assert_eq(dap_get_bool(args, "program", true), true);
    cr_assert_eq(dap_get_int(args, "threadId", -1), 7);
    cr_assert_eq(dap_get_int(args, "levels", -1), 20);
    cr_assert_eq(dap_get_int(args, "bad", -1), -1);
    cr_assert_eq(dap_get_int(args, "frac", -1), -1);
    cr_assert_eq(dap_get_int(args, "big", -1), 9007199254740993LL);
    cr_assert_eq(dap_get_int(NULL, "x", 5), 5);
    cr_assert_null(dap_get_string(NULL, "x", NULL));
    cr_assert_null(dap_arguments(NULL));
    json_object_put(req);
}

Test(message, response_echoes_request_and_seq_increments)
{
    dap_seq seq = {0};
    json_object *req = parse_ok("{\"seq\":0,\"type\":\"request\",\"command\":\"initialize\","
                                "\"arguments\":{\"clientID\":\"neovim\"}}");
    json_object *resp = dap_response(&seq, req, true, "ignored");
    cr_assert_eq(dap_get_int(resp, "seq", -1), 1);
    cr_assert_str_eq(dap_get_string(resp, "type", NULL), "response");
    cr_assert_eq(dap_get_int(resp, "request_seq", -1), 0);
    cr_assert(json_object_object_get_ex(resp, "request_seq", NULL));
    cr_assert_eq(dap_get_bool(resp, "success", false), true);
    cr_assert_str_eq(dap_get_string(resp, "command", NULL), "initialize");
    cr_assert_null(dap_get_string(resp, "message", NULL));
    json_object *body = dap_body(resp);
    cr_assert_not_null(body);
    json_object_object_add(body, "supportsConfigurationDoneRequest", json_object_new_boolean(1));

    json_object *ev = dap_event(&seq, "initialized");
    cr_assert_eq(dap_get_int(ev, "seq", -1), 2);
    cr_assert_str_eq(dap_get_string(ev, "type", NULL), "event");
    cr_assert_str_eq(dap_get_string(ev, "event", NULL), "initialized");
    cr_assert_not_null(dap_body(ev));

    json_object *rev = dap_request(&seq, "runInTerminal");
    cr_assert_eq(dap_seq_of(rev), 3);
    cr_assert_str_eq(dap_command(rev), "runInTerminal");
    cr_assert_not_null(dap_arguments(rev));

    size_t len;
    char *framed = dap_frame_message(resp, &len);
    cr_assert_str_eq(framed,
                     "Content-Length: 130\r\n\r\n"
                     "{\"seq\":1,\"type\":\"response\",\"request_seq\":0,\"success\":true,"
                     "\"command\":\"initialize\",\"body\":{\"supportsConfigurationDoneRequest\":true}}");
    free(framed);
    json_object_put(rev);
    json_object_put(ev);
    json_object_put(resp);
    json_object_put(req);
}

Test(message, error_response_has_message_and_body_error)
{
    dap_seq seq = {0};
    json_object *req = parse_ok("{\"seq\":9,\"type\":\"request\",\"command\":\"evaluate\"}");
    json_object *resp = dap_response(&seq, req, false, "no variable \"x/y\"");
    cr_assert_eq(dap_get_int(resp, "request_seq", -1), 9);
    cr_assert_eq(dap_get_bool(resp, "success", true), false);
    cr_assert_str_eq(dap_get_string(resp, "message", NULL), "no variable \"x/y\"");
    json_object *error;
    cr_assert(json_object_object_get_ex(dap_body(resp), "error", &error));
    cr_assert_eq(dap_get_int(error, "id", -1), 1);
    cr_assert_str_eq(dap_get_string(error, "format", NULL), "no variable \"x/y\"");
    json_object_put(resp);

    resp = dap_response(&seq, req, false, NULL);
    cr_assert_eq(dap_seq_of(resp), 2);
    cr_assert_str_eq(dap_get_string(resp, "message", NULL), "evaluate failed");
    json_object_put(resp);

    resp = dap_response(&seq, NULL, false, "bad message");
    cr_assert_eq(dap_get_int(resp, "request_seq", -1), 0);
    cr_assert_str_eq(dap_command(resp), "unknown");
    json_object_put(resp);
    json_object_put(req);
}

Test(message, write_message_writes_one_frame)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    dap_seq seq = {0};
    json_object *ev = dap_event(&seq, "terminated");
    cr_assert_eq(dap_write_message(fds[1], ev), 0);
    close(fds[1]);
    char buf[256] = "";
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    cr_assert_gt(n, 0);
    cr_assert_str_eq(buf, "Content-Length: 55\r\n\r\n"
                          "{\"seq\":1,\"type\":\"event\",\"event\":\"terminated\",\"body\":{}}");
    json_object_put(ev);
}

Test(base64, round_trips_and_refuses_what_is_not_base64)
{
    const char *cases[][2] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foobar", "Zm9vYmFy" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *enc = dap_base64_encode(cases[i][0], strlen(cases[i][0]));
        cr_assert_str_eq(enc, cases[i][1]);
        unsigned char *dec;
        size_t len;
        cr_assert_eq(dap_base64_decode(enc, &dec, &len), 0);
        cr_assert_eq(len, strlen(cases[i][0]));
        cr_assert_eq(memcmp(dec, cases[i][0], len), 0);
        free(dec);
        free(enc);
    }
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    char *enc = dap_base64_encode(all, sizeof all);
    unsigned char *dec;
    size_t len;
    cr_assert_eq(dap_base64_decode(enc, &dec, &len), 0);
    cr_assert_eq(len, sizeof all);
    cr_assert_eq(memcmp(dec, all, len), 0);
    free(dec);
    free(enc);
    cr_assert_eq(dap_base64_decode("Zm9v!", &dec, &len), -1, "a character outside the alphabet");
    cr_assert_eq(dap_base64_decode("Z", &dec, &len), -1, "one character left over");
    cr_assert_eq(dap_base64_decode("Zg===", &dec, &len), -1, "too much padding");
    cr_assert_eq(dap_base64_decode("Zm8", &dec, &len), 0, "padding is optional");
    cr_assert_eq(len, 2);
    free(dec);
}
