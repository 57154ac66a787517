/* The trace ring shared with the program: a bounded multi-producer queue of fixed-size
 * records (a slot's seq says whether it is free or written, as in Vyukov's queue), the x86-64
 * code a jump site runs to reserve a slot and fill it, and the debugger's in-order reader.
 *
 *   page 0: head (the next index to reserve, taken by lock cmpxchg)
 *   then:   RING_SLOTS records of sizeof(ring_record) bytes
 */
#include "trace_ring.h"
#include "alloc.h"
#include "binary/goruntime.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <x86intrin.h>

enum { HDR = 4096, SHIFT = 9, FRAME = 96, SAVED_RAX = 80, SAVED_RCX = 72 };
_Static_assert(sizeof(ring_record) == 1 << SHIFT, "a record is 512 bytes");

#define RING_SIZE ((size_t)HDR + (size_t)RING_SLOTS * sizeof(ring_record))

static ring_record *slot(const trace_ring *r, uint64_t i)
{
    return (ring_record *)(r->local + HDR) + (i & (RING_SLOTS - 1));
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A TSC and clock reading taken together (the clock read between two TSC reads). */
static void clock_pair(uint64_t *tsc, uint64_t *ns)
{
    uint64_t a = __rdtsc();
    *ns = mono_ns();
    *tsc = a + (__rdtsc() - a) / 2;
}

int ring_open(trace_ring *r, gobp_process *p, pid_t tid, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->local = proc_map_shared(p, tid, RING_SIZE, &r->remote, err, errlen);
    if (!r->local)
        return -1;
    for (uint64_t i = 0; i < RING_SLOTS; i++)
        slot(r, i)->seq = i;
    uint64_t tsc1, ns1;
    clock_pair(&r->tsc0, &r->ns0);
    do
        clock_pair(&tsc1, &ns1);
    while (ns1 - r->ns0 < 2000000 || tsc1 == r->tsc0);   /* 2 ms: the tick's length to 1e-6 */
    r->ns_per_tick = (double)(ns1 - r->ns0) / (double)(tsc1 - r->tsc0);
    return 0;
}

void ring_close(trace_ring *r)
{
    if (r->local)
        munmap(r->local, RING_SIZE);
    r->local = NULL;
}

size_t ring_stack_len(const ring_record *rec)
{
    int64_t room = (int64_t)(rec->stack_hi - rec->sp);
    return room <= 0 ? 0 : (size_t)(room < RING_STACK ? room : RING_STACK) & ~(size_t)7;
}

uint64_t ring_time_ns(const trace_ring *r, uint64_t tsc)
{
    return r->ns0 + (uint64_t)(int64_t)((double)(int64_t)(tsc - r->tsc0) * r->ns_per_tick);
}

uint64_t ring_now_ns(const trace_ring *r)
{
    return ring_time_ns(r, __rdtsc());
}

/* ---- reading ---- */

ring_record *ring_next(trace_ring *r)
{
    for (;;) {
        ring_record *rec = slot(r, r->tail);
        if (__atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE) != r->tail + 1)
            return NULL;
        if (!rec->taken)
            return rec;
        ring_release(r);
    }
}

void ring_release(trace_ring *r)
{
    ring_record *rec = slot(r, r->tail);
    rec->taken = 0;
    __atomic_store_n(&rec->seq, r->tail + RING_SLOTS, __ATOMIC_RELEASE);
    r->tail++;
}

void ring_take_ahead(trace_ring *r, bool (*keep)(void *ctx, const ring_record *rec),
                     void (*fn)(void *ctx, const ring_record *rec), void *ctx)
{
    uint64_t head = __atomic_load_n((uint64_t *)r->local, __ATOMIC_ACQUIRE);
    for (uint64_t i = r->tail + 1; i < head && i - r->tail < RING_SLOTS; i++) {
        ring_record *rec = slot(r, i);
        if (__atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE) == i + 1 && !rec->taken && keep(ctx, rec)) {
            fn(ctx, rec);
            rec->taken = 1;
        }
    }
}

/* ---- the code that writes a record ---- */

typedef struct {
    uint8_t *out;
    size_t cap, len;
} code;

static void put(code *c, const void *bytes, size_t n)
{
    if (c->len + n <= c->cap)
        memcpy(c->out + c->len, bytes, n);
    c->len += n;
}

static void put32(code *c, uint32_t v) { put(c, &v, 4); }

/* mov [rsi + off], reg (x86 number 0..15) */
static void store_slot(code *c, int reg, int32_t off)
{
    uint8_t insn[3] = { (uint8_t)(0x48 | (reg >= 8 ? 0x04 : 0)), 0x89, (uint8_t)(0x80 | ((reg & 7) << 3) | 6) };
    put(c, insn, 3);
    put32(c, (uint32_t)off);
}

/* mov rax, [rsp + off]; mov [rsi + to], rax */
static void copy_saved(code *c, int32_t off, int32_t to)
{
    put(c, "\x48\x8b\x84\x24", 4);
    put32(c, (uint32_t)off);
    store_slot(c, 0, to);
}

/* mov rax, [r14 + off]; mov [rsi + to], rax */
static void copy_g_field(code *c, int64_t off, int32_t to)
{
    put(c, "\x49\x8b\x86", 3);
    put32(c, (uint32_t)off);
    store_slot(c, 0, to);
}

/* jmp/jcc rel32 to target from the end of this instruction */
static void branch(code *c, const char *op, size_t oplen, uint64_t at, uint64_t target)
{
    put(c, op, oplen);
    put32(c, (uint32_t)(target - (at + c->len + 4)));
}

/* The stack from the program's RSP (as at the entry or RET) up, at most RING_STACK bytes and
 * never past stack.hi, into the record: as ring_stack_len says. */
static void copy_stack(code *c, const ring_capture *rc)
{
    put(c, "\x48\x8d\x94\x24", 4);                /* lea rdx, [rsp + FRAME + sp_adjust] */
    put32(c, (uint32_t)(FRAME + rc->sp_adjust));
    put(c, "\x49\x8b\x8e", 3);                    /* mov rcx, [r14 + stack.hi] */
    put32(c, (uint32_t)rc->stack_hi_off);
    put(c, "\x48\x29\xd1\x7e\x26", 5);            /* sub rcx, rdx; jle done */
    put(c, "\x48\x81\xf9", 3);                    /* cmp rcx, RING_STACK */
    put32(c, RING_STACK);
    put(c, "\x76\x05\xb9", 3);                    /* jbe +5; mov ecx, RING_STACK */
    put32(c, RING_STACK);
    put(c, "\x48\xc1\xe9\x03\x74\x12", 6);        /* shr rcx, 3; jz done */
    put(c, "\x48\x8b\x44\xca\xf8", 5);            /* loop: mov rax, [rdx + rcx*8 - 8] */
    put(c, "\x48\x89\x84\xce", 4);                /* mov [rsi + rcx*8 + stack - 8], rax */
    put32(c, (uint32_t)(offsetof(ring_record, stack) - 8));
    put(c, "\x48\xff\xc9\x75\xee", 5);            /* dec rcx; jnz loop */
}                                                  /* done: */

#define WORD(i) ((int32_t)offsetof(ring_record, words) + 8 * (int32_t)(i))

int ring_emit_capture(void *ctx, uint64_t at, uint64_t on_true, uint64_t on_false, uint8_t *out, size_t cap)
{
    const ring_capture *rc = ctx;
    static const int abi_x86[9] = { 0, 3, 1, 7, 6, 8, 9, 10, 11 };   /* RAX RBX RCX RDI RSI R8..R11 */
    code c = { out, cap, 0 };
    put(&c, "\x48\x89\x3c\x24", 4);                  /* mov [rsp], rdi */
    put(&c, "\x48\x89\x74\x24\x08", 5);              /* mov [rsp+8], rsi */
    put(&c, "\x49\x81\xbe", 3);                      /* cmp qword [r14 + stackguard0], stackFork */
    put32(&c, (uint32_t)rc->stackguard0_off);
    put32(&c, (uint32_t)GORUNTIME_STACK_FORK);
    size_t forking = c.len;
    put(&c, "\x0f\x84\0\0\0\0", 6);                  /* je full: a vfork child may run it, the debugger tells */
    put(&c, "\x48\xbf", 2);                          /* movabs rdi, ring */
    uint64_t ring = rc->ring;
    put(&c, &ring, 8);
    size_t retry = c.len;
    put(&c, "\x48\x8b\x07", 3);                      /* mov rax, [rdi]       head */
    put(&c, "\x89\xc6\x81\xe6", 4);                  /* mov esi, eax; and esi, slots-1 */
    put32(&c, RING_SLOTS - 1);
    put(&c, "\x48\xc1\xe6", 3);                      /* shl rsi, 7 */
    put(&c, (uint8_t[]){ SHIFT }, 1);
    put(&c, "\x48\x8d\xb4\x37", 4);                  /* lea rsi, [rdi + rsi + HDR]  the slot */
    put32(&c, HDR);
    put(&c, "\x48\x39\x06", 3);                      /* cmp [rsi], rax */
    put(&c, "\x74\x08", 2);                          /* je cas */
    size_t full = c.len;
    put(&c, "\x0f\x8c\0\0\0\0", 6);                  /* jl full (patched below): not read yet */
    put(&c, "\xeb", 1);                              /* jmp retry: another thread took it */
    put(&c, (uint8_t[]){ (uint8_t)(retry - (c.len + 1)) }, 1);
    put(&c, "\x48\x8d\x48\x01", 4);                  /* cas: lea rcx, [rax+1] */
    put(&c, "\xf0\x48\x0f\xb1\x0f", 5);              /* lock cmpxchg [rdi], rcx */
    put(&c, "\x75", 1);                              /* jne retry */
    put(&c, (uint8_t[]){ (uint8_t)(retry - (c.len + 1)) }, 1);
    put(&c, "\x48\x89\x4c\x24\x10", 5);              /* mov [rsp+16], rcx   the seq to publish */
    put(&c, "\xc7\x46\x08", 3);                      /* mov dword [rsi+8], site */
    put32(&c, rc->site);
    put(&c, "\xc7\x46\x0c\0\0\0\0", 7);              /* mov dword [rsi+12], 0 */
    copy_g_field(&c, rc->goid_off, offsetof(ring_record, goid));
    copy_g_field(&c, rc->stack_hi_off, offsetof(ring_record, stack_hi));
    put(&c, "\x48\x8d\x84\x24", 4);                  /* lea rax, [rsp + FRAME + sp_adjust] */
    put32(&c, (uint32_t)(FRAME + rc->sp_adjust));
    store_slot(&c, 0, offsetof(ring_record, sp));
    put(&c, "\x0f\x31\x48\xc1\xe2\x20\x48\x09\xd0", 9);   /* rdtsc; shl rdx, 32; or rax, rdx */
    store_slot(&c, 0, offsetof(ring_record, tsc));
    for (int i = 0; i < rc->nint; i++) {
        int reg = abi_x86[rc->ints[i]];
        if (reg == 0)
            copy_saved(&c, SAVED_RAX, WORD(i));
        else if (reg == 1)
            copy_saved(&c, SAVED_RCX, WORD(i));
        else if (reg == 7)
            copy_saved(&c, 0, WORD(i));
        else if (reg == 6)
            copy_saved(&c, 8, WORD(i));
        else
            store_slot(&c, reg, WORD(i));
    }
    for (int i = 0; i < rc->nflt; i++) {             /* movq [rsi + w], xmmN */
        int x = rc->flts[i];
        if (x >= 8)
            put(&c, "\x66\x44\x0f\xd6", 4);
        else
            put(&c, "\x66\x0f\xd6", 3);
        put(&c, (uint8_t[]){ (uint8_t)(0x80 | ((x & 7) << 3) | 6) }, 1);
        put32(&c, (uint32_t)WORD(rc->nint + i));
    }
    copy_stack(&c, rc);
    put(&c, "\x48\x8b\x44\x24\x10\x48\x89\x06", 8);  /* mov rax, [rsp+16]; mov [rsi], rax  publish */
    put(&c, "\x48\x8b\x3c\x24\x48\x8b\x74\x24\x08", 9);   /* restore rdi, rsi */
    branch(&c, "\xe9", 1, at, on_false);
    size_t full_at = c.len;
    put(&c, "\x48\x8b\x3c\x24\x48\x8b\x74\x24\x08", 9);
    branch(&c, "\xe9", 1, at, on_true);
    if (c.len > c.cap || rc->nint + rc->nflt > RING_WORDS)
        return -1;
    int32_t rel = (int32_t)(full_at - (full + 6));
    memcpy(out + full + 2, &rel, 4);
    rel = (int32_t)(full_at - (forking + 6));
    memcpy(out + forking + 2, &rel, 4);
    return (int)c.len;
}
