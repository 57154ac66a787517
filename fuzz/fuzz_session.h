/* What the request fuzz harnesses share: a real adapter session whose output goes to a memory
 * file, messages fed to it one line of the fuzz input at a time (each line one JSON body,
 * framed here), and the check of everything the session wrote back. */
#ifndef GOBP_FUZZ_SESSION_H
#define GOBP_FUZZ_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* Opens s writing to a fresh memory file; no_spawn: launch and attach only check arguments. */
void fuzz_session_open(session *s, bool no_spawn);
void fuzz_session_close(session *s);

/* The messages of one fuzz input, as fed, for the check: each one's seq (0: none) and whether
 * the decoder took it as a request. */
typedef struct {
    int64_t *seqs;
    bool *request;
    size_t n, cap;
    int64_t seq_before;   /* the session's last seq before this input's output */
} fuzz_fed;

/* Frames body, feeds it and records it in fed. */
void fuzz_session_feed(session *s, const char *body, size_t len, fuzz_fed *fed);

/* Calls fn for each line of data (without its newline), until fn returns false. */
void fuzz_each_line(const uint8_t *data, size_t size, bool (*fn)(void *ctx, const char *line, size_t len), void *ctx);

/* Reads back all s wrote since the last check and aborts when it is not well-formed DAP:
 * framing, JSON objects of type response or event, seq rising by one, and exactly one response
 * for every request in fed (at least one when messages shared its seq). Then forgets it. */
void fuzz_session_check(session *s, fuzz_fed *fed);

#endif
