/* dap_message.c — DAP messages on json-c: checking parsed bodies, building responses,
 * events and reverse requests with increasing seq, reading fields with defaults,
 * and writing framed messages to a file descriptor. */
#include "dap_message.h"
#include "dap_framing.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t dap_seq_next(dap_seq *seq)
{
    return ++seq->last;
}

static json_object *parse_error(json_object *obj, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static json_object *parse_error(json_object *obj, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    json_object_put(obj);
    return NULL;
}

static bool only_whitespace(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Whole body to one json value; NULL with err when malformed, truncated or trailed. */
static json_object *parse_json(const char *body, size_t len, char *err, size_t errlen)
{
    if (len > INT32_MAX)
        return parse_error(NULL, err, errlen, "Message body is too large to parse.");
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return parse_error(NULL, err, errlen, "Out of memory parsing a message.");
    json_object *obj = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t consumed = tok->char_offset;
    json_tokener_free(tok);
    if (jerr == json_tokener_continue)
        return parse_error(obj, err, errlen, "Message body is incomplete JSON.");
    if (jerr != json_tokener_success)
        return parse_error(obj, err, errlen, "Message body is not valid JSON: %s.",
                           json_tokener_error_desc(jerr));
    if (consumed < len && !only_whitespace(body + consumed, len - consumed))
        return parse_error(obj, err, errlen,
                           "Message body has data after the JSON value (offset %zu).", consumed);
    return obj;
}

static bool has_string(json_object *obj, const char *key)
{
    json_object *value;
    return json_object_object_get_ex(obj, key, &value) && json_object_is_type(value, json_type_string);
}

json_object *dap_parse(const char *body, size_t len, char *err, size_t errlen)
{
    json_object *msg = parse_json(body, len, err, errlen);
    if (!msg)
        return NULL;
    if (!json_object_is_type(msg, json_type_object))
        return parse_error(msg, err, errlen, "Message is not a JSON object.");
    json_object *seq;
    if (!json_object_object_get_ex(msg, "seq", &seq) || !json_object_is_type(seq, json_type_int))
        return parse_error(msg, err, errlen, "Message has no integer \"seq\".");
    if (json_object_get_int64(seq) < 0)
        return parse_error(msg, err, errlen, "Message \"seq\" is negative.");
    const char *type = dap_get_string(msg, "type", NULL);
    if (!type)
        return parse_error(msg, err, errlen, "Message has no string \"type\".");
    bool is_request = strcmp(type, "request") == 0, is_response = strcmp(type, "response") == 0;
    if (!is_request && !is_response && strcmp(type, "event") != 0)
        return parse_error(msg, err, errlen, "Message type \"%.40s\" is not request, response or event.", type);
    if ((is_request || is_response) && !has_string(msg, "command"))
        return parse_error(msg, err, errlen, "The %s has no string \"command\".", type);
    if (!is_request && !is_response && !has_string(msg, "event"))
        return parse_error(msg, err, errlen, "The event has no string \"event\".");
    json_object *arguments;
    if (json_object_object_get_ex(msg, "arguments", &arguments) && arguments &&
        !json_object_is_type(arguments, json_type_object))
        return parse_error(msg, err, errlen, "Request \"arguments\" is not an object.");
    return msg;
}

static json_object *new_message(dap_seq *seq, const char *type)
{
    json_object *msg = json_object_new_object();
    json_object_object_add(msg, "seq", json_object_new_int64(dap_seq_next(seq)));
    json_object_object_add(msg, "type", json_object_new_string(type));
    return msg;
}

static json_object *error_message(const char *text)
{
    json_object *error = json_object_new_object();
    json_object_object_add(error, "id", json_object_new_int(1));
    json_object_object_add(error, "format", json_object_new_string(text));
    json_object_object_add(error, "showUser", json_object_new_boolean(1));
    return error;
}

json_object *dap_response(dap_seq *seq, json_object *request, bool success, const char *message)
{
    const char *command = request ? dap_command(request) : NULL;
    if (!command)
        command = "unknown";
    json_object *msg = new_message(seq, "response");
    json_object_object_add(msg, "request_seq", json_object_new_int64(dap_seq_of(request)));
    json_object_object_add(msg, "success", json_object_new_boolean(success));
    json_object_object_add(msg, "command", json_object_new_string(command));
    json_object *body = json_object_new_object();
    if (!success) {
        char fallback[160];
        if (!message) {
            snprintf(fallback, sizeof fallback, "%.100s failed", command);
            message = fallback;
        }
        json_object_object_add(msg, "message", json_object_new_string(message));
        json_object_object_add(body, "error", error_message(message));
    }
    json_object_object_add(msg, "body", body);
    return msg;
}

json_object *dap_event(dap_seq *seq, const char *event)
{
    json_object *msg = new_message(seq, "event");
    json_object_object_add(msg, "event", json_object_new_string(event));
    json_object_object_add(msg, "body", json_object_new_object());
    return msg;
}

json_object *dap_request(dap_seq *seq, const char *command)
{
    json_object *msg = new_message(seq, "request");
    json_object_object_add(msg, "command", json_object_new_string(command));
    json_object_object_add(msg, "arguments", json_object_new_object());
    return msg;
}

static json_object *get_object(json_object *obj, const char *key)
{
    json_object *value;
    if (!obj || !json_object_object_get_ex(obj, key, &value) ||
        !json_object_is_type(value, json_type_object))
        return NULL;
    return value;
}

const char *dap_type(json_object *msg) { return dap_get_string(msg, "type", NULL); }
const char *dap_command(json_object *req) { return dap_get_string(req, "command", NULL); }
const char *dap_event_name(json_object *msg) { return dap_get_string(msg, "event", NULL); }
int64_t dap_seq_of(json_object *msg) { return dap_get_int(msg, "seq", 0); }
json_object *dap_arguments(json_object *req) { return get_object(req, "arguments"); }
json_object *dap_body(json_object *msg) { return get_object(msg, "body"); }

const char *dap_get_string(json_object *obj, const char *key, const char *def)
{
    json_object *value;
    if (!obj || !json_object_object_get_ex(obj, key, &value) ||
        !json_object_is_type(value, json_type_string))
        return def;
    return json_object_get_string(value);
}

int64_t dap_get_int(json_object *obj, const char *key, int64_t def)
{
    json_object *value;
    if (!obj || !json_object_object_get_ex(obj, key, &value))
        return def;
    if (json_object_is_type(value, json_type_int))
        return json_object_get_int64(value);
    if (json_object_is_type(value, json_type_double)) {
        double d = json_object_get_double(value);
        if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18)
            return (int64_t)d;
    }
    return def;
}

bool dap_get_bool(json_object *obj, const char *key, bool def)
{
    json_object *value;
    if (!obj || !json_object_object_get_ex(obj, key, &value) ||
        !json_object_is_type(value, json_type_boolean))
        return def;
    return json_object_get_boolean(value);
}

char *dap_frame_message(json_object *msg, size_t *len_out)
{
    const char *json = json_object_to_json_string_ext(
        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return json ? dap_frame(json, len_out) : NULL;
}

int dap_write_message(int fd, json_object *msg)
{
    const char *json = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return json ? dap_write_text(fd, json) : -1;
}

int dap_write_text(int fd, const char *json)
{
    size_t len;
    char *framed = dap_frame(json, &len);
    if (!framed) {
        errno = ENOMEM;
        return -1;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, framed + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            free(framed);
            errno = n < 0 ? saved : EIO;
            return -1;
        }
        done += (size_t)n;
    }
    free(framed);
    return 0;
}
