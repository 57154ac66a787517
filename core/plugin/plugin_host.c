/* The plugin API as the host implements it (gobp_host_api v1): a call's function, goroutine
 * and hit count; arguments read through DWARF locations and written back to their registers
 * or stack slots; results placed by the Go register ABI for forced returns and exits; values
 * created in memory gobp-dap maps into the program (never in the Go heap). */
#include "abi/abi_transfer.h"
#include "alloc.h"
#include "handler_internal.h"
#include "value/value_encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct host_val {
    gobp_val pub;                 /* first: the plugin sees this */
    host_call *call;
    gobp_value v;
    int arg;                      /* argument index (its ABI place) when this is an argument, else -1 */
    int result;                   /* result index when this is a result, else -1 */
    char *text;                   /* cached format / type name */
    char *type_text;
    struct host_val *next;
};

static host_call *call_of(gobp_call *c) { return (host_call *)c; }

static void fail(host_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(host_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static gobp_memview memview(host_call *c) { return target_memview(c->t); }

static host_val *new_val(host_call *c, gobp_value v)
{
    host_val *hv = xcalloc(1, sizeof *hv);
    hv->pub.host = &gobp_host_api_v1;
    hv->call = c;
    hv->v = v;
    hv->result = -1;
    hv->arg = -1;
    hv->next = c->vals;
    c->vals = hv;
    return hv;
}

static host_val *hval(gobp_val *v) { return (host_val *)v; }

/* ---- registers ---- */


int host_fp_load(host_call *c)
{
    if (c->fp_loaded)
        return 0;
    if (proc_get_fpregs(target_process(c->t), c->tid, &c->fp) < 0)
        return -1;
    c->fp_loaded = true;
    return 0;
}

void host_call_init(host_call *c, gobp_target *t, gobp_handler *h, pid_t tid, bool at_exit, uint64_t hit)
{
    memset(c, 0, sizeof *c);
    c->pub.host = &gobp_host_api_v1;
    c->pub.host_private = c;
    c->t = t;
    c->h = h;
    c->tid = tid;
    c->at_exit = at_exit;
    c->hit = hit;
    c->goid = -1;
    proc_get_regs(target_process(t), tid, &c->regs);
    target_dwarf_regs(&c->regs, c->dwregs);
}

void host_call_finish(host_call *c)
{
    while (c->vals) {
        host_val *n = c->vals->next;
        value_free(&c->vals->v);
        free(c->vals->text);
        free(c->vals->type_text);
        free(c->vals);
        c->vals = n;
    }
    for (int i = 0; i < c->nstrings; i++)
        free(c->strings[i]);
    free(c->strings);
    free(c->results);
}

int host_call_apply(host_call *c)
{
    gobp_process *p = target_process(c->t);
    if (c->regs_dirty && proc_set_regs(p, c->tid, &c->regs) < 0)
        return -1;
    if (c->fp_dirty && proc_set_fpregs(p, c->tid, &c->fp) < 0)
        return -1;
    c->regs_dirty = c->fp_dirty = false;
    return 0;
}

/* ---- results through the ABI ---- */

static int results_transfer(host_call *c, uint64_t stack_base, bool store)
{
    gobp_handler *h = c->h;
    if (!h->layout.result_abi)
        return -1;
    for (int i = 0; i < h->layout.nresults; i++) {
        const abi_value *a = &h->layout.result_abi[i];
        bool fp = abi_uses_float(a);
        if (fp && host_fp_load(c) < 0)
            return -1;
        if (abi_transfer(a, &c->regs, fp ? (unsigned char *)c->fp.xmm_space : NULL, target_process(c->t),
                         stack_base, c->results + h->layout.result_off[i], store) < 0)
            return -1;
        if (store) {
            c->regs_dirty = true;
            c->fp_dirty |= fp;
        }
    }
    if (store)
        target_dwarf_regs(&c->regs, c->dwregs);
    return 0;
}

int host_results_load(host_call *c)
{
    if (c->results_loaded)
        return 0;
    c->results = xcalloc(1, c->h->layout.results_size + 8);
    c->results_loaded = true;
    /* after RET, RSP = entry RSP + 8: the stack results start at RSP */
    return c->at_exit ? results_transfer(c, c->regs.rsp, false) : 0;
}

int host_results_store(host_call *c, uint64_t stack_base)
{
    if (!c->results_loaded && host_results_load(c) < 0)
        return -1;
    return results_transfer(c, stack_base, true);
}

/* ---- the call ---- */

static const char *api_function(gobp_call *pc) { return call_of(pc)->h->func->name; }
static const char *api_package(gobp_call *pc) { return call_of(pc)->h->package; }
static uint64_t api_hit_count(gobp_call *pc) { return call_of(pc)->hit; }

static int64_t api_goroutine(gobp_call *pc)
{
    host_call *c = call_of(pc);
    uint64_t hi;
    /* R14 holds the g in Go code (entry and return): one small read, no TLS walk */
    if (c->goid < 0 && (!c->t->rt || goruntime_g_ids(c->t->rt, proc_mem_read_cb, target_process(c->t), c->regs.r14,
                                                      &c->goid, &hi) < 0))
        c->goid = target_thread_goid(c->t, c->tid);
    return c->goid;
}

/* ---- arguments and results ---- */

static int api_arg_count(gobp_call *pc) { return call_of(pc)->h->layout.nparams; }

static const gobp_var *param(host_call *c, int i)
{
    if (i < 0 || i >= c->h->layout.nparams) {
        fail(c, "argument %d out of range (the function has %d)", i, c->h->layout.nparams);
        return NULL;
    }
    return c->h->layout.params[i];
}

static const char *api_arg_name(gobp_call *pc, int i)
{
    const gobp_var *v = param(call_of(pc), i);
    return v ? v->name : NULL;
}

static const char *api_arg_type(gobp_call *pc, int i)
{
    const gobp_var *v = param(call_of(pc), i);
    return v && v->type ? v->type->name : NULL;
}

/* An argument's bytes from its ABI registers / stack slots (no DWARF work per call). */
static gobp_val *api_arg(gobp_call *pc, int i)
{
    host_call *c = call_of(pc);
    const gobp_var *var = param(c, i);
    if (!var)
        return NULL;
    if (c->at_exit) {
        fail(c, "arguments are readable in gobp_on_enter only");
        return NULL;
    }
    const abi_value *a = c->h->layout.arg_abi ? &c->h->layout.arg_abi[c->h->layout.param_abi[i]] : NULL;
    if (!a || !var->type) {
        fail(c, "argument %s cannot be placed (unsupported layout)", var->name);
        return NULL;
    }
    bool fp = abi_uses_float(a);
    if (fp && host_fp_load(c) < 0)
        return NULL;
    unsigned char *bytes = xcalloc(1, var->type->size + 8);
    if (abi_transfer(a, &c->regs, fp ? (unsigned char *)c->fp.xmm_space : NULL, target_process(c->t),
                     c->regs.rsp + 8, bytes, false) < 0) {
        free(bytes);
        fail(c, "argument %s is unreadable", var->name);
        return NULL;
    }
    host_val *hv = new_val(c, value_of_bytes(var->type, bytes, var->type->size));
    free(bytes);
    hv->arg = i;
    return &hv->pub;
}

static gobp_val *api_arg_named(gobp_call *pc, const char *name)
{
    host_call *c = call_of(pc);
    for (int i = 0; i < c->h->layout.nparams; i++)
        if (strcmp(c->h->layout.params[i]->name, name) == 0)
            return api_arg(pc, i);
    fail(c, "%s has no argument named %s", c->h->func->name, name);
    return NULL;
}

static int api_result_count(gobp_call *pc) { return call_of(pc)->h->layout.nresults; }

static const gobp_var *result_var(host_call *c, int i)
{
    if (i < 0 || i >= c->h->layout.nresults) {
        fail(c, "result %d out of range (the function has %d)", i, c->h->layout.nresults);
        return NULL;
    }
    return c->h->layout.results[i];
}

static const char *api_result_name(gobp_call *pc, int i)
{
    const gobp_var *v = result_var(call_of(pc), i);
    return v ? v->name : NULL;
}

static const char *api_result_type(gobp_call *pc, int i)
{
    const gobp_var *v = result_var(call_of(pc), i);
    return v && v->type ? v->type->name : NULL;
}

static gobp_val *api_result(gobp_call *pc, int i)
{
    host_call *c = call_of(pc);
    const gobp_var *var = result_var(c, i);
    if (!var)
        return NULL;
    if (!c->at_exit) {
        fail(c, "results are readable in gobp_on_exit only");
        return NULL;
    }
    if (host_results_load(c) < 0) {
        fail(c, "the results of %s cannot be placed (unsupported layout)", c->h->func->name);
        return NULL;
    }
    host_val *hv = new_val(c, value_of_bytes(var->type, c->results + c->h->layout.result_off[i], var->type->size));
    hv->result = i;
    return &hv->pub;
}

/* ---- reading values ---- */

static gobp_kind_t api_kind(gobp_val *v)
{
    const gobp_type *t = hval(v)->v.type;
    return t ? (gobp_kind_t)t->kind : GOBP_INVALID;
}

static const char *api_type_name(gobp_val *v)
{
    host_val *hv = hval(v);
    if (!hv->type_text) {
        gobp_memview mv = memview(hv->call);
        hv->type_text = value_type_name(&mv, &hv->v);
    }
    return hv->type_text;
}

/* gobp_get_uint reads unsigned integers and, as plugin.h promises, a pointer's address. */
static bool uint_readable(gobp_type_kind k) { return gobp_kind_is_unsigned(k) || gobp_kind_is_pointer(k); }

static int api_get_int(gobp_val *v, int64_t *out)
{
    host_val *hv = hval(v);
    gobp_memview mv = memview(hv->call);
    if (!hv->v.type || !gobp_kind_is_signed(hv->v.type->kind)) {
        fail(hv->call, "gobp_get_int: %s is not a signed integer", hv->v.type ? hv->v.type->name : "?");
        return -1;
    }
    return value_int(&mv, &hv->v, out);
}

static int api_get_uint(gobp_val *v, uint64_t *out)
{
    host_val *hv = hval(v);
    gobp_memview mv = memview(hv->call);
    if (!hv->v.type || !uint_readable(hv->v.type->kind)) {
        fail(hv->call, "gobp_get_uint: %s is not an unsigned integer or pointer", hv->v.type ? hv->v.type->name : "?");
        return -1;
    }
    return value_uint(&mv, &hv->v, out);
}

static int api_get_float(gobp_val *v, double *out)
{
    host_val *hv = hval(v);
    gobp_memview mv = memview(hv->call);
    if (!hv->v.type || !gobp_kind_is_float(hv->v.type->kind)) {
        fail(hv->call, "gobp_get_float: not a float");
        return -1;
    }
    return value_float(&mv, &hv->v, out);
}

static int api_get_bool(gobp_val *v, int *out)
{
    host_val *hv = hval(v);
    gobp_memview mv = memview(hv->call);
    unsigned char b;
    if (!hv->v.type || hv->v.type->kind != GOBP_KIND_BOOL || value_read(&mv, &hv->v, 0, &b, 1) < 0) {
        fail(hv->call, "gobp_get_bool: not a readable bool");
        return -1;
    }
    *out = b != 0;
    return 0;
}

static int64_t api_get_string(gobp_val *v, char *buf, size_t size)
{
    host_val *hv = hval(v);
    gobp_memview mv = memview(hv->call);
    if (!hv->v.type || hv->v.type->kind != GOBP_KIND_STRING) {
        fail(hv->call, "gobp_get_string: not a string");
        return -1;
    }
    size_t len = 0;
    char *s = value_string(&mv, &hv->v, size ? size - 1 : 0, &len);
    if (!s) {
        fail(hv->call, "gobp_get_string: unreadable");
        return -1;
    }
    if (size) {
        size_t n = strlen(s) < size - 1 ? strlen(s) : size - 1;
        memcpy(buf, s, n);
        buf[n] = 0;
    }
    free(s);
    return (int64_t)len;
}

static int64_t api_len(gobp_val *v)
{
    host_val *hv = hval(v);
    gobp_memview mv = memview(hv->call);
    const gobp_type *t = hv->v.type;
    uint64_t n = 0;
    if (!t)
        return -1;
    switch (t->kind) {
    case GOBP_KIND_ARRAY:
        return t->len;
    case GOBP_KIND_STRING:
    case GOBP_KIND_SLICE:
        return value_read_word(&mv, &hv->v, 8, 8, &n) == 0 ? (int64_t)n : -1;
    case GOBP_KIND_MAP:
        return value_map_len(&mv, &hv->v);
    case GOBP_KIND_CHAN: {
        uint64_t hchan = 0;
        if (value_read_word(&mv, &hv->v, 0, 8, &hchan) < 0 || !t->runtime)
            return -1;
        if (!hchan)
            return 0;
        gobp_value h = value_at(t->runtime, hchan);
        return value_field_word(&mv, &h, "qcount", 0, &n) == 0 ? (int64_t)n : -1;
    }
    default:
        fail(hv->call, "gobp_len: %s has no length", t->name);
        return -1;
    }
}

typedef int (*derive_fn)(const gobp_memview *, const gobp_value *, gobp_value *);

static gobp_val *derive(gobp_val *v, int rc, gobp_value out, const char *what)
{
    host_val *hv = hval(v);
    if (rc < 0) {
        fail(hv->call, "%s failed on %s", what, hv->v.type ? hv->v.type->name : "?");
        return NULL;
    }
    return &new_val(hv->call, out)->pub;
}

static gobp_val *api_index(gobp_val *v, int64_t i)
{
    gobp_memview mv = memview(hval(v)->call);
    gobp_value out = { 0 };
    int rc = value_index(&mv, &hval(v)->v, i, &out);
    return derive(v, rc, out, "gobp_index");
}

static gobp_val *api_field(gobp_val *v, const char *name)
{
    gobp_memview mv = memview(hval(v)->call);
    gobp_value out = { 0 };
    int rc = value_field(&mv, &hval(v)->v, name, &out);
    return derive(v, rc, out, "gobp_type_field");
}

static gobp_val *api_deref(gobp_val *v)
{
    gobp_memview mv = memview(hval(v)->call);
    gobp_value out = { 0 };
    int rc = value_deref(&mv, &hval(v)->v, &out);
    return derive(v, rc, out, "gobp_deref");
}

static gobp_val *api_dynamic_value(gobp_val *v)
{
    gobp_memview mv = memview(hval(v)->call);
    gobp_value out = { 0 };
    uint64_t addr = 0;
    int rc = value_iface_dynamic(&mv, &hval(v)->v, &out, &addr);
    return derive(v, rc, out, "gobp_dynamic_value");
}

static const char *api_dynamic_type(gobp_val *v)
{
    host_val *hv = hval(v);
    gobp_memview mv = memview(hv->call);
    gobp_value out = { 0 };
    uint64_t addr = 0;
    if (!hv->v.type || hv->v.type->kind != GOBP_KIND_INTERFACE || value_iface_dynamic(&mv, &hv->v, &out, &addr) < 0)
        return NULL;
    const char *name = out.type ? out.type->name : NULL;
    value_free(&out);
    return name;
}

static gobp_val *api_map_string(gobp_val *v, const char *key)
{
    gobp_memview mv = memview(hval(v)->call);
    gobp_value out = { 0 };
    int rc = value_map_lookup_string(&mv, &hval(v)->v, key, &out);
    return derive(v, rc, out, "gobp_map_string");
}

static gobp_val *api_map_int(gobp_val *v, int64_t key)
{
    gobp_memview mv = memview(hval(v)->call);
    gobp_value out = { 0 };
    int rc = value_map_lookup_int(&mv, &hval(v)->v, key, &out);
    return derive(v, rc, out, "gobp_map_int");
}

static const char *api_format(gobp_val *v)
{
    host_val *hv = hval(v);
    if (!hv->text) {
        gobp_memview mv = memview(hv->call);
        hv->text = value_format(&mv, &hv->v, &gobp_format_default);
    }
    return hv->text;
}

static uint64_t api_address(gobp_val *v)
{
    return hval(v)->v.bytes ? 0 : hval(v)->v.addr;
}

/* ---- writing ---- */

/* Writes an argument's new bytes to its ABI registers / stack slots. */
static int arg_write(host_call *c, int i, const unsigned char *bytes, size_t n)
{
    const abi_value *a = &c->h->layout.arg_abi[c->h->layout.param_abi[i]];
    bool fp = abi_uses_float(a);
    if (fp && host_fp_load(c) < 0)
        return -1;
    unsigned char *val = xcalloc(1, n + 8);
    memcpy(val, bytes, n);
    int rc = abi_transfer(a, &c->regs, fp ? (unsigned char *)c->fp.xmm_space : NULL, target_process(c->t),
                          c->regs.rsp + 8, val, true);
    free(val);
    c->regs_dirty = true;
    c->fp_dirty |= fp;
    target_dwarf_regs(&c->regs, c->dwregs);
    return rc;
}

/* Stores new bytes of a value wherever it lives: an argument's location, a result, memory. */
static int value_store(host_call *c, host_val *hv, const unsigned char *bytes, size_t n)
{
    int rc;
    if (hv->arg >= 0)
        rc = arg_write(c, hv->arg, bytes, n);
    else if (hv->result >= 0) {
        memcpy(c->results + c->h->layout.result_off[hv->result], bytes, n);
        c->results_dirty = true;
        rc = 0;
    } else if (!hv->v.bytes && hv->v.addr)
        rc = proc_write(target_process(c->t), hv->v.addr, bytes, n);
    else
        rc = -1;
    if (rc < 0) {
        fail(c, "cannot write this value");
        return -1;
    }
    if (hv->v.bytes && hv->v.nbytes >= n)
        memcpy(hv->v.bytes, bytes, n);
    free(hv->text);
    hv->text = NULL;
    return 0;
}

/* The plugin API writes with VALUE_ENCODE_WRAP (value_encode.h): its setters take an int64_t
 * or uint64_t for every width and, like a C assignment, wrap it to the width of the Go integer
 * rather than refuse it; they also write a pointer's address. plugin.h says so to plugin authors. */
static int set_scalar(gobp_call *pc, gobp_val *v, gobp_scalar s, const char *what)
{
    host_call *c = call_of(pc);
    host_val *hv = hval(v);
    unsigned char buf[8];
    if (value_encode_scalar(hv->v.type, s, VALUE_ENCODE_WRAP, buf, NULL, 0) != VALUE_ENCODE_OK) {
        fail(c, "%s: the value is a %s", what, hv->v.type ? hv->v.type->name : "?");
        return -1;
    }
    return value_store(c, hv, buf, hv->v.type->size);
}

static int api_set_int(gobp_call *c, gobp_val *v, int64_t x) { return set_scalar(c, v, gobp_scalar_int(x), "gobp_set_int"); }
static int api_set_uint(gobp_call *c, gobp_val *v, uint64_t x) { return set_scalar(c, v, gobp_scalar_uint(x), "gobp_set_uint"); }
static int api_set_float(gobp_call *c, gobp_val *v, double x) { return set_scalar(c, v, gobp_scalar_float(x), "gobp_set_float"); }
static int api_set_bool(gobp_call *c, gobp_val *v, int x) { return set_scalar(c, v, gobp_scalar_bool(x != 0), "gobp_set_bool"); }

/* A Go string header (ptr, len) for bytes copied into the program's debugger arena. */
static int make_string(host_call *c, const char *s, size_t n, unsigned char hdr[16])
{
    uint64_t ptr = 0;
    if (n) {
        char err[128];
        ptr = proc_alloc(target_process(c->t), c->tid, n, err, sizeof err);
        if (!ptr || proc_write(target_process(c->t), ptr, s, n) < 0) {
            fail(c, "cannot place a string in the program: %s", err);
            return -1;
        }
    }
    uint64_t len = n;
    memcpy(hdr, &ptr, 8);
    memcpy(hdr + 8, &len, 8);
    return 0;
}

static int api_set_string(gobp_call *pc, gobp_val *v, const char *s, size_t n)
{
    host_call *c = call_of(pc);
    host_val *hv = hval(v);
    unsigned char hdr[16];
    if (!hv->v.type || hv->v.type->kind != GOBP_KIND_STRING) {
        fail(c, "gobp_set_string: the value is a %s", hv->v.type ? hv->v.type->name : "?");
        return -1;
    }
    return make_string(c, s, n, hdr) < 0 ? -1 : value_store(c, hv, hdr, 16);
}

/* ---- forced return / result overwrite ---- */

static unsigned char *result_slot(host_call *c, int i, const gobp_type **t)
{
    const gobp_var *var = result_var(c, i);
    if (!var)
        return NULL;
    if (!c->h->layout.result_abi || host_results_load(c) < 0) {
        fail(c, "the results of %s cannot be placed (unsupported layout)", c->h->func->name);
        return NULL;
    }
    *t = var->type;
    c->results_dirty = true;
    return c->results + c->h->layout.result_off[i];
}

static int return_scalar(gobp_call *pc, int i, gobp_scalar s, const char *what)
{
    host_call *c = call_of(pc);
    const gobp_type *t;
    unsigned char *slot = result_slot(c, i, &t);
    unsigned char buf[8];
    if (!slot)
        return -1;
    if (value_encode_scalar(t, s, VALUE_ENCODE_WRAP, buf, NULL, 0) != VALUE_ENCODE_OK) {
        fail(c, "%s: result %d is a %s", what, i, t ? t->name : "?");
        return -1;
    }
    memcpy(slot, buf, t->size);
    return 0;
}

static int api_return_int(gobp_call *c, int i, int64_t x) { return return_scalar(c, i, gobp_scalar_int(x), "gobp_return_int"); }
static int api_return_uint(gobp_call *c, int i, uint64_t x) { return return_scalar(c, i, gobp_scalar_uint(x), "gobp_return_uint"); }
static int api_return_float(gobp_call *c, int i, double x) { return return_scalar(c, i, gobp_scalar_float(x), "gobp_return_float"); }
static int api_return_bool(gobp_call *c, int i, int x) { return return_scalar(c, i, gobp_scalar_bool(x != 0), "gobp_return_bool"); }

static int api_return_string(gobp_call *pc, int i, const char *s, size_t n)
{
    host_call *c = call_of(pc);
    const gobp_type *t;
    unsigned char *slot = result_slot(c, i, &t);
    if (!slot)
        return -1;
    if (t->kind != GOBP_KIND_STRING) {
        fail(c, "gobp_return_string: result %d is a %s", i, t->name);
        return -1;
    }
    return make_string(c, s, n, slot);
}

static int api_return_nil(gobp_call *pc, int i)
{
    host_call *c = call_of(pc);
    const gobp_type *t;
    unsigned char *slot = result_slot(c, i, &t);
    if (!slot)
        return -1;
    if (!gobp_kind_is_nilable(t->kind)) {
        fail(c, "gobp_return_nil: result %d is a %s, which cannot be nil", i, t->name);
        return -1;
    }
    memset(slot, 0, t->size);
    return 0;
}

/* Copies an interface value into a result of interface type: the same representation, or an
 * iface (itab) into an eface (the itab's type). */
static int iface_convert(host_call *c, const gobp_type *to, const gobp_type *from, const unsigned char *src, unsigned char *dst)
{
    if (to->empty_interface == from->empty_interface) {
        if (!to->empty_interface && strcmp(to->name, from->name) != 0 && memcmp(src, "\0\0\0\0\0\0\0\0", 8) != 0) {
            fail(c, "a %s value cannot be returned as %s (different interface)", from->name, to->name);
            return -1;
        }
        memcpy(dst, src, 16);
        return 0;
    }
    if (!to->empty_interface) {
        fail(c, "an interface {} value cannot be returned as %s", to->name);
        return -1;
    }
    gobp_memview mv = memview(c);
    gobp_value v = value_of_bytes((gobp_type *)from, src, 16);
    uint64_t type_addr = 0;
    int rc = value_iface_type_addr(&mv, &v, &type_addr);
    value_free(&v);
    if (rc < 0)
        return -1;
    memcpy(dst, &type_addr, 8);
    memcpy(dst + 8, src + 8, 8);
    return 0;
}

static int api_return_global(gobp_call *pc, int i, const char *name)
{
    host_call *c = call_of(pc);
    const gobp_type *t;
    unsigned char *slot = result_slot(c, i, &t);
    if (!slot)
        return -1;
    const gobp_global *g = binary_global(target_binary(c->t), name);
    if (!g || !g->type) {
        fail(c, "gobp_return_global: no package variable %s in this program", name);
        return -1;
    }
    unsigned char *buf = xmalloc(g->type->size);
    int rc = 0;
    if (proc_read(target_process(c->t), g->addr, buf, g->type->size) < 0) {
        fail(c, "gobp_return_global: %s is unreadable", name);
        rc = -1;
    } else if (t->kind == GOBP_KIND_INTERFACE && g->type->kind == GOBP_KIND_INTERFACE) {
        rc = iface_convert(c, t, g->type, buf, slot);
    } else if (t->size != g->type->size || t->kind != g->type->kind) {
        fail(c, "gobp_return_global: %s is a %s, result %d is a %s", name, g->type->name, i, t->name);
        rc = -1;
    } else {
        memcpy(slot, buf, t->size);
    }
    free(buf);
    return rc;
}

/* The itab of *errors.errorString for error. */
static uint64_t error_string_itab(gobp_target *t)
{
    gobp_binary *bin = target_binary(t);
    gobp_type *err = binary_type_by_name(bin, "error"), *es = binary_type_by_name(bin, "*errors.errorString");
    return err ? target_itab(t, err, "*errors.errorString", es ? es->runtime_type : 0) : 0;
}

static int api_return_error(gobp_call *pc, int i, const char *message)
{
    host_call *c = call_of(pc);
    const gobp_type *t;
    unsigned char *slot = result_slot(c, i, &t);
    if (!slot)
        return -1;
    if (t->kind != GOBP_KIND_INTERFACE) {
        fail(c, "gobp_return_error: result %d is a %s, not an error", i, t->name);
        return -1;
    }
    gobp_binary *bin = target_binary(c->t);
    uint64_t tab = 0;
    if (t->empty_interface) {
        gobp_type *pt = binary_type_by_name(bin, "*errors.errorString");
        tab = pt ? pt->runtime_type : 0;
    } else if (strcmp(t->name, "error") == 0) {
        tab = error_string_itab(c->t);
    }
    if (!tab) {
        fail(c, "gobp_return_error: this program has no *errors.errorString as %s (it never uses errors.New)", t->name);
        return -1;
    }
    unsigned char hdr[16];
    char err[128];
    uint64_t obj = proc_alloc(target_process(c->t), c->tid, 16, err, sizeof err);
    if (!obj || make_string(c, message, strlen(message), hdr) < 0 ||
        proc_write(target_process(c->t), obj, hdr, 16) < 0) {
        fail(c, "gobp_return_error: cannot place the error in the program");
        return -1;
    }
    memcpy(slot, &tab, 8);
    memcpy(slot + 8, &obj, 8);
    return 0;
}

/* ---- per-call data, memory, console ---- */

static void api_set_data(gobp_call *pc, uintptr_t d) { call_of(pc)->data = d; }
static uintptr_t api_data(gobp_call *pc) { return call_of(pc)->data; }

static int api_read_memory(gobp_call *pc, uint64_t addr, void *buf, size_t len)
{
    return proc_read(target_process(call_of(pc)->t), addr, buf, len);
}

static void api_log(gobp_call *pc, const char *line)
{
    if (!pc) {          /* gobp_log_plugin: outside a call */
        plugin_log_current(line);
        return;
    }
    host_call *c = call_of(pc);
    const char *path = plugin_path(c->h->plugin);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char text[1300];
    snprintf(text, sizeof text, "[%s] %s%s", base, line, line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
    target_message(c->t, "console", text);
}

static const char *api_last_error(gobp_call *pc) { return call_of(pc)->err; }

const gobp_host_api gobp_host_api_v1 = {
    .major = GOBP_PLUGIN_API_MAJOR,
    .minor = GOBP_PLUGIN_API_MINOR,
    .function = api_function,
    .package = api_package,
    .goroutine = api_goroutine,
    .hit_count = api_hit_count,
    .arg_count = api_arg_count,
    .arg_name = api_arg_name,
    .arg_type = api_arg_type,
    .arg = api_arg,
    .arg_named = api_arg_named,
    .result_count = api_result_count,
    .result_name = api_result_name,
    .result_type = api_result_type,
    .result = api_result,
    .kind = api_kind,
    .type_name = api_type_name,
    .get_int = api_get_int,
    .get_uint = api_get_uint,
    .get_float = api_get_float,
    .get_bool = api_get_bool,
    .get_string = api_get_string,
    .len = api_len,
    .index = api_index,
    .field = api_field,
    .deref = api_deref,
    .dynamic_type = api_dynamic_type,
    .dynamic_value = api_dynamic_value,
    .map_string = api_map_string,
    .map_int = api_map_int,
    .format = api_format,
    .address = api_address,
    .set_int = api_set_int,
    .set_uint = api_set_uint,
    .set_float = api_set_float,
    .set_bool = api_set_bool,
    .set_string = api_set_string,
    .return_int = api_return_int,
    .return_uint = api_return_uint,
    .return_float = api_return_float,
    .return_bool = api_return_bool,
    .return_string = api_return_string,
    .return_nil = api_return_nil,
    .return_global = api_return_global,
    .return_error = api_return_error,
    .set_data = api_set_data,
    .data = api_data,
    .read_memory = api_read_memory,
    .log = api_log,
    .last_error = api_last_error,
};
