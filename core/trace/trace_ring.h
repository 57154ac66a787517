/* Tracing without stops: the ring of fixed-size records shared with the program (a memfd it
 * maps), the machine code a jump site runs to write one (trace_ring.c), and the reader that
 * takes them back in order. The program waits (traps) when the ring is full: nothing is lost. */
#ifndef GOBP_TRACE_RING_H
#define GOBP_TRACE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/proc.h"

enum { RING_WORDS = 10, RING_STACK = 384, RING_SLOTS = 1 << 14 };

/* One record (512 bytes), written by the program at a traced function's entry or return. */
typedef struct {
    uint64_t seq;            /* the slot's state: index (free) or index+1 (written) */
    uint32_t site;           /* which site wrote it (the tracer's numbering) */
    uint32_t taken;          /* read out of order already (the reader's mark) */
    int64_t goid;
    uint64_t stack_hi;       /* of the goroutine, as the record was written */
    uint64_t sp;             /* the program's RSP at the function's entry, or at its RET */
    uint64_t tsc;            /* the time stamp counter */
    uint64_t words[RING_WORDS];  /* the registers of the capture, in its order */
    uint8_t stack[RING_STACK];   /* the stack from sp up (at most to stack.hi): what the values
                                  * point to in the caller's frame is gone once it returns */
} ring_record;

/* How many bytes of stack a record holds: from sp up to stack.hi, at most RING_STACK, whole words. */
size_t ring_stack_len(const ring_record *rec);

/* What a site's code records: integer registers by ABI index (RAX RBX RCX RDI RSI R8..R11),
 * then the low 8 bytes of float registers X0..X14, into words[0..nint+nflt). */
typedef struct ring_capture_s {
    uint32_t site;
    int nint, nflt;
    int8_t ints[RING_WORDS], flts[RING_WORDS];
    int64_t sp_adjust;       /* added to the RSP at the site: the RSP at the RET */
    int64_t goid_off, stack_hi_off, stackguard0_off;   /* in runtime.g, read through R14 */
    uint64_t ring;           /* the ring's address in the program */
} ring_capture;

typedef struct trace_ring {
    unsigned char *local;
    uint64_t remote;
    uint64_t tail;           /* the next record to read */
    uint64_t tsc0, ns0;      /* a pair of readings of the TSC and CLOCK_MONOTONIC (ns) */
    double ns_per_tick;
} trace_ring;

/* Shares a ring with the program (tid: a stopped thread). 0, or -1 with err. */
int ring_open(trace_ring *r, gobp_process *p, pid_t tid, char *err, size_t errlen);
void ring_close(trace_ring *r);
/* gobp_check_emit_fn for a ring_capture: writes a record and goes on (on_false), or traps
 * (on_true) when the ring is full. */
int ring_emit_capture(void *capture, uint64_t at, uint64_t on_true, uint64_t on_false, uint8_t *out, size_t cap);
/* The oldest record not read yet, NULL when it is still being written (or none is). Its
 * slot is the program's again after ring_release. */
ring_record *ring_next(trace_ring *r);
void ring_release(trace_ring *r);
/* Calls fn on each written record past the oldest unread one that keep() accepts, in order,
 * and marks them read: the records of one goroutine when an older one of another is still
 * being written. */
void ring_take_ahead(trace_ring *r, bool (*keep)(void *ctx, const ring_record *rec),
                     void (*fn)(void *ctx, const ring_record *rec), void *ctx);
/* CLOCK_MONOTONIC nanoseconds of a record's TSC. */
uint64_t ring_time_ns(const trace_ring *r, uint64_t tsc);
/* Now, on the same clock. */
uint64_t ring_now_ns(const trace_ring *r);

#endif
