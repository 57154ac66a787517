/* dap_framing.h — DAP base-protocol framing: "Content-Length: N\r\n\r\n" + body.
 * An incremental reader that turns arbitrary byte chunks into whole message bodies,
 * and a writer that frames one JSON text. Knows nothing about JSON or the debugger. */
#ifndef GOBP_DAP_FRAMING_H
#define GOBP_DAP_FRAMING_H

#include <stddef.h>

/* Longest single header line (without its line ending) the reader accepts. */
#define DAP_MAX_HEADER_LINE 1024
/* Longest header block (all header lines of one message) the reader accepts. */
#define DAP_MAX_HEADER_BLOCK 8192
/* Body size limit used when dap_reader_new() is given 0. */
#define DAP_DEFAULT_MAX_MESSAGE (64u * 1024 * 1024)

typedef struct dap_reader dap_reader;

/* Called once per complete message. body is NUL-terminated (body[len] == 0) and valid
 * only during the call. */
typedef void (*dap_message_fn)(void *ctx, const char *body, size_t len);

/* max_message: largest Content-Length accepted (0 = DAP_DEFAULT_MAX_MESSAGE).
 * Returns NULL only when out of memory. */
dap_reader *dap_reader_new(size_t max_message);
void dap_reader_free(dap_reader *reader);

/* Consumes len bytes; calls on_message for every body completed by them, in order.
 * Returns 0, or -1 with a sentence in err on broken framing (missing, garbage, negative
 * or too large Content-Length; header line or block too long). Once broken, the reader
 * stays broken: later calls return -1 with the same sentence. Bodies completed before
 * the broken part of the chunk have already been delivered. */
int dap_reader_feed(dap_reader *reader, const char *buf, size_t len,
                    dap_message_fn on_message, void *ctx, char *err, size_t errlen);

/* True when the reader is between messages (no partial header or body buffered):
 * useful to tell a clean EOF from a truncated message. */
int dap_reader_idle(const dap_reader *reader);

/* Returns a malloc'd, NUL-terminated "Content-Length: N\r\n\r\n<json>" and its length
 * (without the NUL) in *len_out (may be NULL). NULL when out of memory. */
char *dap_frame(const char *json, size_t *len_out);

#endif
