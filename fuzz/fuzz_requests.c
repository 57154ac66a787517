/* libFuzzer harness of request decoding without a program: each input is a fresh session fed
 * one JSON message per line, through the real request table (launch and attach check their
 * arguments and start nothing); every request must get exactly one well-formed response. */
#include <stdlib.h>

#include "fuzz_session.h"

typedef struct {
    session *s;
    fuzz_fed *fed;
} feeding;

static bool feed_line(void *ctx, const char *line, size_t len)
{
    feeding *f = ctx;
    fuzz_session_feed(f->s, line, len, f->fed);
    return !f->s->quit;         /* disconnect, or framing broken: the session is over */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static session s;
    static fuzz_fed fed;
    fuzz_session_open(&s, true);
    fed.seq_before = 0;
    feeding f = { &s, &fed };
    fuzz_each_line(data, size, feed_line, &f);
    fuzz_session_check(&s, &fed);
    fuzz_session_close(&s);
    return 0;
}
