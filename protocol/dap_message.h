/* dap_message.h — DAP messages as json-c objects: parse and check an incoming body,
 * build responses, events and reverse requests with our own increasing seq, and read
 * fields with defaults. Knows nothing about the debugger. */
#ifndef GOBP_DAP_MESSAGE_H
#define GOBP_DAP_MESSAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Our outgoing seq counter. Zero-initialise it (dap_seq seq = {0};): the first message
 * built with it gets seq 1. */
typedef struct dap_seq {
    int64_t last;
} dap_seq;

/* Next outgoing seq (1, 2, 3, ...). */
int64_t dap_seq_next(dap_seq *seq);

/* Parses one message body. Returns a new object (json_object_put it), or NULL with a
 * sentence in err when the body is not JSON, not an object, or lacks a valid "type"
 * ("request" | "response" | "event"), an integer "seq" >= 0 (nvim-dap starts at 0),
 * "command" (requests and responses), "event" (events), or has a non-object
 * "arguments". A missing "arguments" is fine. */
json_object *dap_parse(const char *body, size_t len, char *err, size_t errlen);

/* Response to request: seq, type, request_seq (= request.seq, also 0), success,
 * command, and an empty "body" object to fill (dap_body()). When !success, "message"
 * is message (or "<command> failed" if NULL) and body.error = {id: 1, format: message,
 * showUser: true}. message is ignored when success. request may be NULL (request_seq 0,
 * command "unknown"). */
json_object *dap_response(dap_seq *seq, json_object *request, bool success, const char *message);

/* Event: seq, type "event", event, and an empty "body" object. */
json_object *dap_event(dap_seq *seq, const char *event);

/* Reverse request (e.g. "runInTerminal"): seq, type "request", command, and an empty
 * "arguments" object to fill (dap_arguments()). */
json_object *dap_request(dap_seq *seq, const char *command);

/* The "type" of a parsed message ("request", "response", "event"), or NULL. */
const char *dap_type(json_object *msg);
/* The "command" of a request or response, or NULL. */
const char *dap_command(json_object *req);
/* The "event" name of an event, or NULL. */
const char *dap_event_name(json_object *msg);
/* The "seq" of a message (0 when missing). */
int64_t dap_seq_of(json_object *msg);
/* The "arguments" object, or NULL when the client omitted it (threads,
 * configurationDone ...). Borrowed reference. */
json_object *dap_arguments(json_object *req);
/* The "body" object of a built message, or NULL. Borrowed reference. */
json_object *dap_body(json_object *msg);

/* Field readers: obj may be NULL; a missing key or a value of another type gives def.
 * dap_get_int also accepts a double with an integral value. Strings are borrowed. */
const char *dap_get_string(json_object *obj, const char *key, const char *def);
int64_t dap_get_int(json_object *obj, const char *key, int64_t def);
bool dap_get_bool(json_object *obj, const char *key, bool def);

/* Frames an already serialised message and writes it all to fd. 0 ok, -1 with errno. */
int dap_write_text(int fd, const char *json);
/* Serialises msg (plain, no slash escaping) and frames it. malloc'd, see dap_frame. */
char *dap_frame_message(json_object *msg, size_t *len_out);

/* Writes msg framed to fd, retrying short writes and EINTR. 0, or -1 with errno. */
int dap_write_message(int fd, json_object *msg);

#endif
