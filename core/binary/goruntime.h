/* The Go runtime's own data read from the target: goroutines (runtime.allgs), their state,
 * stacks bounds, saved registers, the thread running each, and the current g of a thread.
 * Field offsets come from DWARF (runtime.g, runtime.m, runtime.gobuf), never hard-coded. */
#ifndef GOBP_GORUNTIME_H
#define GOBP_GORUNTIME_H

#include "binary.h"
#include "mem.h"

/* runtime2.go goroutine states (without the _Gscan bit). */
enum { G_IDLE = 0, G_RUNNABLE = 1, G_RUNNING = 2, G_SYSCALL = 3, G_WAITING = 4, G_DEAD = 6,
       G_COPYSTACK = 8, G_PREEMPTED = 9 };

typedef struct gobp_goroutine {
    int64_t goid;
    uint64_t g_addr;
    uint32_t status;          /* without _Gscan */
    uint8_t wait_reason;
    uint64_t sched_pc, sched_sp, sched_bp;
    uint64_t syscall_pc, syscall_sp;
    uint64_t stack_lo, stack_hi;
    uint64_t start_pc;        /* the function of the go statement */
    uint64_t go_pc;           /* where the go statement is */
    uint64_t labels;          /* g.labels: its pprof labels (a *runtime/pprof.labelMap), 0 for none */
    uint64_t m_addr;
    int64_t m_procid;         /* thread id of the M running it, 0 if none */
    uint64_t m_curg;          /* the user goroutine of that M (m.curg): for a g0 or gsignal
                               * running on behalf of a goroutine, that goroutine's g */
} gobp_goroutine;

typedef struct gobp_goruntime gobp_goruntime;

/* Resolves the runtime layouts from DWARF once. NULL (with err) if the binary lacks them. */
gobp_goruntime *goruntime_new(gobp_binary *bin, char *err, size_t errlen);
void goruntime_free(gobp_goruntime *rt);

/* Reads every goroutine that is not dead (idle/dead skipped). *out malloc'd. Returns count, -1
 * on read failure (e.g. before the runtime initialised allgs: returns 0). readv (may be NULL)
 * reads the g structs in batches. */
int goruntime_goroutines(gobp_goruntime *rt, gobp_mem_read_fn read, gobp_mem_readv_fn readv, void *ctx,
                         gobp_goroutine **out);
/* Reads one g at g_addr. 0 ok. */
int goruntime_read_g(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t g_addr, gobp_goroutine *g);
/* Just the goroutine id and stack.hi of the g at g_addr (one small read: the hot path of
 * handler and trace hits). 0 ok. */
int goruntime_g_ids(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t g_addr,
                    int64_t *goid, uint64_t *stack_hi);
/* Where goid, stack.hi and stackguard0 sit in a g (code in the program reads them through
 * R14). 0 ok. */
int goruntime_g_offsets(const gobp_goruntime *rt, int64_t *goid_off, int64_t *stack_hi_off, int64_t *stackguard0_off);
/* stackguard0 of a g between runtime_BeforeFork and runtime_AfterFork: the code running on it
 * then may be a vfork child's (runtime's stackFork). */
#define GORUNTIME_STACK_FORK 0xfffffffffffffb2eULL
/* The g running on a thread, from its TLS slot (fs_base - 8). 0 if none / g0-only. */
uint64_t goruntime_thread_g(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t fs_base);
/* The cgo links of the M at m_addr: g0.sched.sp (where runtime.cgocallback left the thread's
 * system stack when C called back into Go: the C frames lie above it) and curg (the goroutine
 * it runs, also while that goroutine is in C). 0 ok (0 values: unknown). */
int goruntime_m_cgo(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint64_t m_addr,
                    uint64_t *g0_sched_sp, uint64_t *curg);
/* Text of a wait reason ("chan receive", "select", "sync.Mutex.Lock", ...) read from the
 * target's runtime.waitReasonStrings; "" when unknown. Returns buf. */
char *goruntime_wait_reason(gobp_goruntime *rt, gobp_mem_read_fn read, void *ctx, uint8_t reason,
                            char *buf, size_t buflen);

/* The itab that makes concrete_type an iface_type (both runtime type addresses), found in
 * runtime.firstmoduledata.itablinks: Go 1.27's linker no longer names itab symbols
 * (go:itab.*T,I). 0 when the program has none. */
uint64_t goruntime_find_itab(gobp_binary *bin, gobp_mem_read_fn read, void *ctx, uint64_t iface_type,
                             uint64_t concrete_type);

#endif
