/* Function calls in expressions (evaluate): the Go runtime's debugger call protocol
 * (runtime.debugCallV2, src/runtime/asm_amd64.s) on the stopped goroutine's thread while the
 * program runs; arguments placed by the register ABI, results read back, panics and refusals
 * told in words, a call that does not return in time abandoned to finish on its own. */
#include "target_internal.h"
#include "abi/abi_transfer.h"
#include "abi/call_layout.h"
#include "alloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* R12 at the runtime's int3s: the frame is ready, the function returned, it panicked, the
 * runtime refused the call (the reason at SP), the registers are to be restored. */
enum { DC_READY = 0, DC_RETURNED = 1, DC_PANICKED = 2, DC_REFUSED = 8, DC_RESTORE = 16 };

typedef enum { CALL_STARTED, CALL_RUNNING, CALL_RETURNED, CALL_PANICKED, CALL_REFUSED } call_phase;

struct target_call {
    pid_t tid;
    int64_t goid;
    const gobp_func *fn;
    call_layout layout;
    unsigned char **args;        /* per ABI argument (layout.arg_abi), its bytes */
    int nargs;
    uint64_t closure;            /* RDX: the funcval of a closure call, 0 for a plain function */
    proc_thread_state saved;     /* the thread before the call, put back at DC_RESTORE */
    call_phase phase;
    bool done;                   /* DC_RESTORE came: the goroutine is back where it stopped */
    bool abandoned;              /* timed out: it finishes when the program runs on */
    char why[1024];              /* REFUSED / PANICKED: the runtime's reason, the panic value */
    gobp_value result;           /* RETURNED: one result, or a tuple of them */
    int skipped;                 /* stops of other goroutines not made while it ran */
};

static void call_free(target_call *c)
{
    for (int i = 0; c->args && i < c->nargs; i++)
        free(c->args[i]);
    free(c->args);
    call_layout_free(&c->layout);
    value_free(&c->result);
    free(c);
}

/* ---- what to call ---- */

/* A method's function name: "main.T.M" or "main.(*T).M" for the type name "main.T"
 * ("example.com/m/x.T": the package is up to the first '.' after the last '/'). */
static char *method_name(const char *type_name, const char *method, bool pointer)
{
    const char *slash = strrchr(type_name, '/');
    const char *dot = strchr(slash ? slash : type_name, '.');
    if (!dot)
        return NULL;
    char *out = xmalloc(strlen(type_name) + strlen(method) + 8);
    sprintf(out, pointer ? "%.*s.(*%s).%s" : "%.*s.%s.%s", (int)(dot - type_name), type_name, dot + 1, method);
    return out;
}

/* The function of a name as written: the scope's package first for a bare name. */
static const gobp_func *function_named(gobp_target *t, const target_scope *sc, const char *name)
{
    if (!strchr(name, '.') && sc->frame && sc->frame->func) {
        char pkg[256];
        go_func_package(sc->frame->func->name, pkg, sizeof pkg);
        char *full = xmalloc(strlen(pkg) + strlen(name) + 2);
        sprintf(full, "%s.%s", pkg, name);
        const gobp_func *f = binary_func_by_name(t->bin, full);
        free(full);
        if (f)
            return f;
    }
    return binary_func_by_name(t->bin, name);
}

/* The receiver of a method call: a value (T.M), or an address ((*T).M). */
typedef struct {
    bool present, by_addr;
    uint64_t addr;
    eval_result value;
} call_receiver;

/* The method m of value v (not a pointer or interface), found as "T.M" (taking the value) or
 * "(*T).M" (taking its address). */
static const gobp_func *method_of(gobp_target *t, const gobp_value *v, const char *m, call_receiver *recv,
                                  char *err, size_t errlen)
{
    for (int pointer = 0; pointer < 2; pointer++) {
        char *name = method_name(v->type->name, m, pointer);
        const gobp_func *f = name ? binary_func_by_name(t->bin, name) : NULL;
        free(name);
        if (!f)
            continue;
        if (pointer && (v->bytes || !v->addr)) {
            snprintf(err, errlen, "%s has a pointer receiver and this %s value has no address", f->name, v->type->name);
            return NULL;
        }
        *recv = (call_receiver){ .present = true, .by_addr = pointer, .addr = v->addr,
                                 .value = { .kind = EVAL_VALUE, .value = value_copy(v) } };
        return f;
    }
    snprintf(err, errlen, "%s has no method %s (or the linker left it out: it is never called)", v->type->name, m);
    return NULL;
}

/* The function, closure context and receiver of the callee. */
static const gobp_func *resolve(gobp_target *t, const target_scope *sc, const eval_callee *ce, uint64_t *closure,
                                call_receiver *recv, char *err, size_t errlen)
{
    gobp_memview mv = target_memview(t);
    *closure = 0;
    if (ce->name) {
        const gobp_func *f = function_named(t, sc, ce->name);
        if (!f)
            snprintf(err, errlen, "no function %s in this program (or the linker left it out: it is never called)", ce->name);
        return f;
    }
    if (ce->fn) {
        uint64_t fv, pc;
        if (!ce->fn->type || ce->fn->type->kind != GOBP_KIND_FUNC) {
            snprintf(err, errlen, "cannot call a %s: it is not a function", ce->fn->type ? ce->fn->type->name : "value");
            return NULL;
        }
        if (value_read_word(&mv, ce->fn, 0, 8, &fv) < 0 || (fv && proc_read(t->proc, fv, &pc, 8) < 0)) {
            snprintf(err, errlen, "the function value is unreadable");
            return NULL;
        }
        const gobp_func *f = fv ? binary_func_by_pc(t->bin, pc) : NULL;
        if (!fv)
            snprintf(err, errlen, "cannot call a nil function");
        else if (!f || f->lowpc != pc)
            snprintf(err, errlen, "the function value points to 0x%llx, which starts no function", (unsigned long long)pc);
        *closure = fv;
        return f && f->lowpc == pc ? f : NULL;
    }
    /* x.M: through pointers, and an interface's dynamic value */
    gobp_value v = value_copy(ce->receiver), next;
    const gobp_func *f = NULL;
    for (int depth = 0; depth < 4 && v.type; depth++) {
        if (v.type->kind == GOBP_KIND_INTERFACE) {
            if (value_iface_dynamic(&mv, &v, &next, NULL) < 0) {
                snprintf(err, errlen, "cannot call %s on a nil %s", ce->method, v.type->name);
                break;
            }
        } else if (v.type->kind == GOBP_KIND_PTR && v.type->elem) {
            char *pm = method_name(v.type->elem->name, ce->method, true);
            const gobp_func *pf = pm ? binary_func_by_name(t->bin, pm) : NULL;
            free(pm);
            if (pf) {               /* (*T).M takes the pointer itself */
                *recv = (call_receiver){ .present = true, .value = { .kind = EVAL_VALUE, .value = value_copy(&v) } };
                f = pf;
                break;
            }
            if (value_deref(&mv, &v, &next) < 0) {
                snprintf(err, errlen, "cannot call %s through a nil %s", ce->method, v.type->name);
                break;
            }
        } else {
            f = method_of(t, &v, ce->method, recv, err, errlen);
            break;
        }
        value_free(&v);
        v = next;
    }
    value_free(&v);
    return f;
}

/* ---- arguments ---- */

/* The argument's bytes for parameter type pt; a receiver taken by address is that address. */
static int encode_arg(gobp_target *t, pid_t tid, const gobp_type *pt, const eval_result *r,
                      const call_receiver *recv, unsigned char *out, char *err, size_t errlen)
{
    if (recv && recv->by_addr) {
        memcpy(out, &recv->addr, 8);
        return 0;
    }
    return target_encode(t, tid, pt, r, out, err, errlen);
}

/* A pointer into the goroutine's stack must not reach a function that may keep it (Go moves
 * stacks; the runtime's protocol cannot check escapes). */
static bool points_into_stack(const gobp_type *pt, const unsigned char *bytes, const gobp_goroutine *g)
{
    uint64_t p;
    if (pt->kind != GOBP_KIND_PTR && pt->kind != GOBP_KIND_UNSAFEPTR)
        return false;
    memcpy(&p, bytes, 8);
    return p >= g->stack_lo && p < g->stack_hi;
}

static int place_args(gobp_target *t, target_call *c, const gobp_goroutine *g, const call_receiver *recv,
                      const eval_result *args, int nargs, char *err, size_t errlen)
{
    call_layout *l = &c->layout;
    int given = nargs + (recv ? 1 : 0);
    if (l->nparams != given) {
        snprintf(err, errlen, "%s takes %d argument%s%s, not %d", c->fn->name, l->nparams - (recv ? 1 : 0),
                 l->nparams - (recv ? 1 : 0) == 1 ? "" : "s", recv ? " besides its receiver" : "", nargs);
        return -1;
    }
    c->args = xcalloc((size_t)c->nargs + 1, sizeof *c->args);
    for (int i = 0; i < c->nargs; i++)
        c->args[i] = xcalloc(1, 16);
    for (int i = 0; i < l->nparams; i++) {
        const gobp_var *pv = l->params[i];
        const eval_result *r = recv && i == 0 ? &recv->value : &args[i - (recv ? 1 : 0)];
        int k = l->param_abi[i];
        free(c->args[k]);
        c->args[k] = xcalloc(1, pv->type->size + 16);
        char why[512] = "";
        if (encode_arg(t, c->tid, pv->type, r, recv && i == 0 ? recv : NULL, c->args[k], why, sizeof why) < 0) {
            snprintf(err, errlen, "%s of %s: %s", recv && i == 0 ? "the receiver" : pv->name, c->fn->name, why);
            return -1;
        }
        if (points_into_stack(pv->type, c->args[k], g)) {
            snprintf(err, errlen, "%s of %s would point into goroutine %lld's stack, which Go may move: only heap "
                     "values and globals can be passed by pointer", recv && i == 0 ? "the receiver" : pv->name,
                     c->fn->name, (long long)c->goid);
            return -1;
        }
    }
    return 0;
}

/* The argument frame debugCallV2 opens: stack arguments and results, and the spill slots of
 * the register arguments. */
static uint64_t frame_size(const call_layout *l, int nargs)
{
    uint64_t end = 0, spill = 0;
    const abi_value *sets[2] = { l->arg_abi, l->result_abi };
    int counts[2] = { nargs, l->nresults };
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < counts[s]; i++)
            for (int k = 0; k < sets[s][i].nparts; k++) {
                const abi_part *pt = &sets[s][i].parts[k];
                if (pt->where == ABI_STACK && pt->stack_off + pt->size > end)
                    end = pt->stack_off + pt->size;
                else if (pt->where != ABI_STACK && s == 0)
                    spill += 8;
            }
    return ((end + 7) & ~7ULL) + spill + 64;
}

/* A struct type for several results, shown as "1, nil" (types.h: tuple), owned by the
 * target until it ends. */
static gobp_type *tuple_type(gobp_target *t, const gobp_var *const *results, const uint64_t *offs, int n)
{
    gobp_type *tt = xcalloc(1, sizeof *tt);
    tt->kind = GOBP_KIND_STRUCT;
    tt->tuple = true;
    tt->nfields = n;
    tt->fields = xcalloc((size_t)n + 1, sizeof *tt->fields);
    size_t len = 3;
    for (int i = 0; i < n; i++) {
        tt->fields[i] = (gobp_type_field){ .name = results[i]->name, .offset = offs[i], .type = results[i]->type };
        len += strlen(results[i]->type->name) + 2;
        tt->size = offs[i] + results[i]->type->size;
    }
    char *name = xmalloc(len);
    strcpy(name, "(");
    for (int i = 0; i < n; i++)
        sprintf(name + strlen(name), "%s%s", i ? ", " : "", results[i]->type->name);
    strcat(name, ")");
    tt->name = name;
    t->made_types = xrealloc(t->made_types, (size_t)(t->nmade_types + 1) * sizeof *t->made_types);
    t->made_types[t->nmade_types++] = tt;
    return tt;
}

/* ---- the protocol's traps ---- */

static void read_refusal(gobp_target *t, target_call *c, uint64_t sp)
{
    uint64_t hdr[2] = { 0, 0 };
    char reason[256] = "the runtime refused it";
    if (proc_read(t->proc, sp, hdr, sizeof hdr) == 0 && hdr[0] && hdr[1] && hdr[1] < sizeof reason) {
        memset(reason, 0, sizeof reason);
        if (proc_read(t->proc, hdr[0], reason, hdr[1]) < 0)
            snprintf(reason, sizeof reason, "the runtime refused it");
    }
    snprintf(c->why, sizeof c->why, "cannot call %s on goroutine %lld here: %s", c->fn->name, (long long)c->goid,
             reason);
    c->phase = CALL_REFUSED;
}

static void write_args(gobp_target *t, target_call *c, struct user_regs_struct *regs)
{
    struct user_fpregs_struct fp;
    proc_get_fpregs(t->proc, c->tid, &fp);
    unsigned char *xmm = (unsigned char *)fp.xmm_space;
    for (int i = 0; i < c->nargs; i++)
        abi_transfer(&c->layout.arg_abi[i], regs, xmm, t->proc, regs->rsp, c->args[i], true);
    memset(xmm + 15 * 16, 0, 16);                     /* X15: ABIInternal's zero register */
    uint64_t ret = regs->rip;                          /* back to the runtime's next int3 */
    regs->rsp -= 8;
    proc_write(t->proc, regs->rsp, &ret, 8);
    regs->rip = c->fn->lowpc;
    regs->rdx = c->closure;
    regs->r14 = goruntime_thread_g(t->rt, proc_mem_read_cb, t->proc, regs->fs_base);   /* g */
    proc_set_fpregs(t->proc, c->tid, &fp);
    proc_set_regs(t->proc, c->tid, regs);
    c->phase = CALL_RUNNING;
}

/* The results as one value: the only one, or a tuple of all of them (none: an empty tuple). */
static void read_results(gobp_target *t, target_call *c, struct user_regs_struct *regs)
{
    call_layout *l = &c->layout;
    struct user_fpregs_struct fp;
    proc_get_fpregs(t->proc, c->tid, &fp);
    unsigned char *buf = xcalloc(1, l->results_size + 8);
    for (int i = 0; i < l->nresults; i++)
        abi_transfer(&l->result_abi[i], regs, (unsigned char *)fp.xmm_space, t->proc, regs->rsp,
                     buf + l->result_off[i], false);
    if (l->nresults == 1) {
        c->result = value_of_bytes(l->results[0]->type, buf, l->results[0]->type->size);
    } else {
        gobp_type *tuple = tuple_type(t, l->results, l->result_off, l->nresults);
        c->result = value_of_bytes(tuple, buf, l->results_size);
    }
    free(buf);
    c->phase = CALL_RETURNED;
}

static void read_panic(gobp_target *t, target_call *c, uint64_t sp)
{
    unsigned char eface[16];
    gobp_type *any = binary_type_by_name(t->bin, "interface {}");
    char *text = NULL;
    if (any && proc_read(t->proc, sp, eface, 16) == 0) {
        gobp_memview mv = target_memview(t);
        gobp_value v = value_of_bytes(any, eface, 16), dyn;
        if (value_iface_dynamic(&mv, &v, &dyn, NULL) == 0) {
            text = value_format(&mv, &dyn, &gobp_format_default);
            value_free(&dyn);
        }
        value_free(&v);
    }
    snprintf(c->why, sizeof c->why, "%s panicked: %s (the call is undone: the program goes on as if it had not "
             "been made)", c->fn->name, text ? text : "(a value that cannot be read)");
    free(text);
    c->phase = CALL_PANICKED;
}

/* Every int3 of the thread running a call (proc_catch_traps). */
static gobp_trap_action call_trap(void *ctx, gobp_process *p, pid_t tid)
{
    gobp_target *t = ctx;
    target_call *c = t->call;
    struct user_regs_struct regs;
    if (!c || proc_get_regs(p, tid, &regs) < 0)
        return GOBP_TRAP_PASS;
    const gobp_func *at = binary_func_by_pc(t->bin, regs.rip - 1);
    if (at && !strstr(at->name, "debugCall"))   /* runtime.debugCallV2, debugCall128, ... */
        return GOBP_TRAP_PASS;     /* the called code's own int3 (runtime.Breakpoint) */
    /* Up to Go 1.20 the call runs on another thread once it blocks, and the calling goroutine
     * resumes on whichever thread the scheduler gives it: every thread's trap is the call's. */
    c->tid = tid;
    switch (regs.r12) {
    case DC_REFUSED: read_refusal(t, c, regs.rsp); break;
    case DC_READY: write_args(t, c, &regs); break;
    case DC_RETURNED: read_results(t, c, &regs); break;
    case DC_PANICKED: read_panic(t, c, regs.rsp); break;
    case DC_RESTORE:
        proc_thread_restore(p, tid, &c->saved);
        proc_catch_traps(p, false);
        c->done = true;
        if (!c->abandoned)
            return GOBP_TRAP_STOP;  /* every thread stops: the evaluation is complete */
        char msg[1200];
        snprintf(msg, sizeof msg, "the abandoned call of %s has %s; goroutine %lld goes on from where it stopped\n",
                 c->fn->name, c->phase == CALL_PANICKED ? c->why : "returned", (long long)c->goid);
        target_message(t, "console", msg);
        call_free(c);
        t->call = NULL;
        break;
    default: break;
    }
    return GOBP_TRAP_CONTINUE;
}

/* ---- running it ---- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The goroutine must run on a thread, in Go code, with room on its stack. */
static int check_goroutine(gobp_target *t, target_call *c, gobp_goroutine *g, struct user_regs_struct *regs,
                           char *err, size_t errlen)
{
    uint64_t g_addr;
    const gobp_goroutine *gi = c->goid > 0 ? target_goroutine(t, c->goid) : NULL;
    if (c->goid <= 0 || !gi) {
        snprintf(err, errlen, "a call needs a goroutine: this stop is on no goroutine");
        return -1;
    }
    if (!c->tid) {
        char buf[128] = "";
        const char *why = goruntime_wait_reason(t->rt, proc_mem_read_cb, t->proc, gi->wait_reason, buf, sizeof buf);
        snprintf(err, errlen, "goroutine %lld is not running (%s): a call runs on a goroutine stopped while it "
                 "runs, at a breakpoint, a step or a panic", (long long)c->goid,
                 gi->status == G_WAITING && why && why[0] ? why : gi->status == G_SYSCALL ? "in a system call"
                 : gi->status == G_RUNNABLE ? "runnable, waiting for a thread" : "parked");
        return -1;
    }
    if (target_thread_g(t, c->tid, &g_addr, g) < 0 || g->goid != c->goid || g->status != G_RUNNING ||
        proc_get_regs(t->proc, c->tid, regs) < 0) {
        snprintf(err, errlen, "cannot call on goroutine %lld here: %s", (long long)c->goid,
                 g->status == G_SYSCALL ? "it is in a system call"
                                        : "its thread is in the Go runtime (on a system stack), not in the goroutine's code");
        return -1;
    }
    if (!binary_func_by_pc(t->bin, regs->rip)) {
        snprintf(err, errlen, "cannot call on goroutine %lld here: it stopped at 0x%llx, outside Go code",
                 (long long)c->goid, (unsigned long long)regs->rip);
        return -1;
    }
    if (regs->rsp < g->stack_lo + 256 + 128) {
        snprintf(err, errlen, "cannot call on goroutine %lld here: fewer than 256 bytes are free on its stack",
                 (long long)c->goid);
        return -1;
    }
    return 0;
}

/* Runs the program until the call is done or times out. 0 done, 1 timed out, -1 the program
 * ended (its end is kept for target_poll). */
static int run_call(gobp_target *t, target_call *c)
{
    long deadline = now_ms() + t->call_timeout_ms;
    target_invalidate(t);
    proc_resume(t->proc);
    for (;;) {
        long left = deadline - now_ms();
        gobp_event ev;
        int r = left > 0 ? proc_wait(t->proc, &ev, (int)left) : 0;
        if (r < 0)
            return -1;
        if (r == 0 && now_ms() >= deadline)
            return 1;
        if (r == 0)
            continue;
        switch (ev.kind) {
        case GOBP_EV_TRAP:
            if (c->done)
                return 0;
            proc_resume(t->proc);
            break;
        case GOBP_EV_EXITED: case GOBP_EV_KILLED: case GOBP_EV_EXEC:
            target_keep_stop(t, &ev);
            return -1;
        default:                /* another goroutine's stop: not while a call runs */
            c->skipped++;
            proc_resume(t->proc);
            break;
        }
    }
}

static int finish(gobp_target *t, target_call *c, eval_result *out, char *err, size_t errlen)
{
    if (c->skipped) {
        char msg[300];
        snprintf(msg, sizeof msg, "%d stop%s of other goroutines (breakpoints, data breakpoints) did not happen while "
                 "%s ran: the program does not stop during a call\n", c->skipped, c->skipped == 1 ? "" : "s",
                 c->fn->name);
        target_message(t, "console", msg);
    }
    if (c->phase == CALL_RETURNED) {
        memset(out, 0, sizeof *out);
        out->kind = EVAL_VALUE;
        out->value = c->result;
        c->result = (gobp_value){ 0 };
        return 0;
    }
    snprintf(err, errlen, "%s", c->phase == CALL_STARTED || c->phase == CALL_RUNNING
                                    ? "the call ended without a result" : c->why);
    return -1;
}

static int call_start(gobp_target *t, target_call *c, struct user_regs_struct *regs, char *err, size_t errlen)
{
    uint64_t entry = binary_symbol_addr(t->bin, "runtime.debugCallV2");
    if (!entry) {
        snprintf(err, errlen, "this program has no runtime.debugCallV2: Go %s cannot take calls from a debugger",
                 binary_go_version(t->bin));
        return -1;
    }
    if (proc_thread_save(t->proc, c->tid, &c->saved) < 0) {
        snprintf(err, errlen, "cannot read the registers of thread %d", (int)c->tid);
        return -1;
    }
    uint64_t pc = regs->rip, size = frame_size(&c->layout, c->nargs);
    regs->rsp -= 8;
    if (proc_write(t->proc, regs->rsp, &pc, 8) < 0 || proc_write(t->proc, regs->rsp - 16, &size, 8) < 0) {
        snprintf(err, errlen, "cannot write goroutine %lld's stack", (long long)c->goid);
        return -1;
    }
    regs->rip = entry;
    proc_set_regs(t->proc, c->tid, regs);
    proc_set_trap_handler(t->proc, call_trap, t);
    proc_catch_traps(t->proc, true);
    return 0;
}

int target_call_function(gobp_target *t, const target_scope *sc, const eval_callee *ce, const eval_result *args,
                         int nargs, eval_result *out, char *err, size_t errlen)
{
    if (t->call) {
        snprintf(err, errlen, "the call of %s on goroutine %lld has not returned yet: one call at a time",
                 t->call->fn->name, (long long)t->call->goid);
        return -1;
    }
    target_call *c = xcalloc(1, sizeof *c);
    c->goid = sc->goid;
    c->tid = sc->goid > 0 ? target_goroutine_thread(t, sc->goid) : 0;
    call_receiver recv = { 0 };
    gobp_goroutine g;
    struct user_regs_struct regs;
    int rc = -1;
    if (check_goroutine(t, c, &g, &regs, err, errlen) < 0 ||
        !(c->fn = resolve(t, sc, ce, &c->closure, &recv, err, errlen)))
        goto out;
    call_layout_init(t->bin, c->fn, &c->layout);
    for (int i = 0; c->layout.arg_abi && i < c->layout.nparams; i++)
        c->nargs = c->layout.param_abi[i] + 1 > c->nargs ? c->layout.param_abi[i] + 1 : c->nargs;
    if (!c->layout.arg_abi || c->nargs != c->layout.nparams) {
        snprintf(err, errlen, c->layout.arg_abi ? "%s is generic: calls of generic functions are not supported"
                                                : "cannot place the arguments of %s", c->fn->name);
        goto out;
    }
    if (place_args(t, c, &g, recv.present ? &recv : NULL, args, nargs, err, errlen) < 0 ||
        call_start(t, c, &regs, err, errlen) < 0)
        goto out;
    t->call = c;
    t->call_skipped_stops = 0;
    int ran = run_call(t, c);
    c->skipped += t->call_skipped_stops;
    target_invalidate(t);
    if (ran > 0) {
        c->abandoned = true;
        proc_stop_all_sync(t->proc);
        target_invalidate(t);
        snprintf(err, errlen, "%s did not return within %d ms: the call is abandoned. It goes on when the program "
                 "continues, and goroutine %lld resumes where it stopped once it returns", c->fn->name,
                 t->call_timeout_ms, (long long)c->goid);
        c = NULL;       /* the trap handler owns it now */
        goto out;
    }
    t->call = NULL;
    if (ran < 0)
        snprintf(err, errlen, "the program ended while %s ran", c->fn->name);
    else
        rc = finish(t, c, out, err, errlen);
out:
    eval_result_free(&recv.value);
    if (c)
        call_free(c);
    return rc;
}

void target_call_settle(gobp_target *t)
{
    if (!t->call)
        return;
    target_message(t, "stderr", "waiting for the abandoned call to return before detaching\n");
    long deadline = now_ms() + 30000;
    while (t->call && now_ms() < deadline) {
        gobp_event ev;
        proc_resume(t->proc);
        if (proc_wait(t->proc, &ev, 1000) > 0 && (ev.kind == GOBP_EV_EXITED || ev.kind == GOBP_EV_KILLED ||
                                                  ev.kind == GOBP_EV_EXEC))
            return;
    }
    proc_stop_all_sync(t->proc);
    if (t->call)
        target_message(t, "stderr", "the abandoned call has not returned: when it does, the program stops with SIGTRAP "
                                    "(the Go runtime's call protocol needs the debugger)\n");
}

bool target_call_running(gobp_target *t)
{
    return t->call && !t->call->abandoned && !t->call->done;
}

void target_call_forget(gobp_target *t)
{
    if (t->call)
        call_free(t->call);
    t->call = NULL;
    for (int i = 0; i < t->nmade_types; i++) {
        free((char *)t->made_types[i]->name);
        free(t->made_types[i]->fields);
        free(t->made_types[i]);
    }
    free(t->made_types);
    t->made_types = NULL;
    t->nmade_types = 0;
}
