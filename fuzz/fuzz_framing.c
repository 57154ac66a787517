/* libFuzzer harness of the DAP base protocol: arbitrary bytes through the framing reader, fed
 * whole and in chunks the input itself chooses; both feeds must agree on every body and on the
 * error, each body goes through the JSON message decoder, and a re-framed body reads back. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dap_framing.h"
#include "dap_message.h"

typedef struct {
    char *bodies;       /* every body delivered: its length (a size_t), then its bytes */
    size_t len, cap;
    int count;
} delivered;

static void collect(void *ctx, const char *body, size_t len)
{
    delivered *d = ctx;
    if (body[len] != 0)
        abort();                      /* the reader promises a NUL-terminated body */
    if (d->len + sizeof len + len > d->cap) {
        d->cap = (d->len + sizeof len + len) * 2;
        d->bodies = xrealloc(d->bodies, d->cap);
    }
    memcpy(d->bodies + d->len, &len, sizeof len);
    memcpy(d->bodies + d->len + sizeof len, body, len);
    d->len += sizeof len + len;
    d->count++;
    char err[256];
    json_object *msg = dap_parse(body, len, err, sizeof err);
    if (msg) {
        (void)dap_type(msg);
        (void)dap_command(msg);
        (void)dap_arguments(msg);
        json_object_put(msg);
    } else if (!err[0]) {
        abort();                      /* a rejected message must say why */
    }
}

/* Feeds data with a reader limited to max bytes a body; chunk sizes from the byte stream when
 * chunked. Returns the feed's result; the error sentence in err. */
static int feed(const uint8_t *data, size_t size, size_t max, bool chunked, delivered *d, char *err, size_t errlen)
{
    dap_reader *r = dap_reader_new(max);
    int rc = 0;
    err[0] = 0;
    for (size_t off = 0; off < size && rc == 0;) {
        size_t n = chunked ? 1 + data[off] % 17 : size;
        if (n > size - off)
            n = size - off;
        rc = dap_reader_feed(r, (const char *)data + off, n, collect, d, err, errlen);
        off += n;
    }
    dap_reader_free(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max = size > 0 ? 64 + data[0] * 16 : 64;   /* small limits reach the too-large path */
    delivered whole = { 0 }, chunks = { 0 };
    char err1[256], err2[256];
    int rc1 = feed(data, size, max, false, &whole, err1, sizeof err1);
    int rc2 = feed(data, size, max, true, &chunks, err2, sizeof err2);
    if (rc1 != rc2 || whole.count != chunks.count || whole.len != chunks.len ||
        (whole.len && memcmp(whole.bodies, chunks.bodies, whole.len) != 0))
        abort();                      /* how bytes arrive must not change what is read */
    if (rc1 < 0 && (!err1[0] || strcmp(err1, err2) != 0))
        abort();
    /* every body delivered (without a NUL of its own) frames back into itself */
    for (size_t off = 0; off < whole.len;) {
        size_t blen;
        memcpy(&blen, whole.bodies + off, sizeof blen);
        char *body = xmalloc(blen + 1);
        memcpy(body, whole.bodies + off + sizeof blen, blen);
        body[blen] = 0;
        if (strlen(body) == blen) {
            size_t flen = 0;
            char *framed = dap_frame(body, &flen);
            delivered again = { 0 };
            char err[256];
            if (feed((const uint8_t *)framed, flen, 0, false, &again, err, sizeof err) != 0 || again.count != 1 ||
                again.len != sizeof blen + blen || memcmp(again.bodies + sizeof blen, body, blen) != 0)
                abort();
            free(again.bodies);
            free(framed);
        }
        free(body);
        off += sizeof blen + blen;
    }
    free(whole.bodies);
    free(chunks.bodies);
    return 0;
}
