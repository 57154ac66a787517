/* Changing a variable at a stop (setVariable): the new value is a Go expression evaluated in
 * the frame; scalars, strings (placed in the debugger's arena in the program), nil, and any
 * value of the same type are written where the variable lives in memory. */
#include "target_internal.h"
#include "alloc.h"
#include "value/value_encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The scalar an evaluated constant is, false when it is not one (a value, a string, nil). */
static bool scalar_of(const eval_result *r, gobp_scalar *s)
{
    switch (r->kind) {
    case EVAL_INT: *s = gobp_scalar_int(r->i); return true;
    case EVAL_UINT: *s = gobp_scalar_uint(r->u); return true;
    case EVAL_FLOAT: *s = gobp_scalar_float(r->f); return true;
    case EVAL_BOOL: *s = gobp_scalar_bool(r->b); return true;
    default: return false;
    }
}

/* The itab that makes a value of concrete type (its name and runtime type) an iface_type: a
 * symbol up to Go 1.26 (go:itab.*T,I from Go 1.20, go.itab. before), from Go 1.27 only in the
 * module's itablinks. 0 when the program has none. */
uint64_t target_itab(gobp_target *t, const gobp_type *iface_type, const char *concrete, uint64_t concrete_rtype)
{
    char *sym = xmalloc(strlen(concrete) + strlen(iface_type->name) + 16);
    sprintf(sym, "go:itab.%s,%s", concrete, iface_type->name);
    uint64_t a = binary_symbol_addr(t->bin, sym);
    sym[2] = '.';
    if (!a)
        a = binary_symbol_addr(t->bin, sym);
    free(sym);
    if (!a && iface_type->runtime_type && concrete_rtype)
        a = goruntime_find_itab(t->bin, proc_mem_read_cb, t->proc, iface_type->runtime_type, concrete_rtype);
    return a;
}

/* A value of another type in an interface of type to: the first word its runtime type (eface)
 * or itab, the second the value itself when pointer-shaped, else a copy placed in the arena. */
static int to_interface(gobp_target *t, pid_t tid, const gobp_type *to, const gobp_value *v, unsigned char *out,
                        char *err, size_t errlen)
{
    gobp_memview mv = target_memview(t);
    const gobp_type *from = v->type;
    uint64_t rtype = 0, data = 0, tab;
    const char *concrete = from->name;
    gobp_value dyn = { 0 };
    if (from->kind == GOBP_KIND_INTERFACE) {        /* an interface into another */
        if (value_iface_type_addr(&mv, v, &rtype) < 0 || value_read_word(&mv, v, 8, 8, &data) < 0) {
            snprintf(err, errlen, "unreadable %s value", from->name);
            return -1;
        }
        if (!rtype)
            return 0;                                /* nil stays nil */
        if (value_iface_dynamic(&mv, v, &dyn, NULL) == 0 && dyn.type)
            concrete = dyn.type->name;
    } else {
        rtype = from->runtime_type;
        if (!rtype) {
            snprintf(err, errlen, "this program has no runtime type for %s: it cannot be a %s", from->name, to->name);
            return -1;
        }
        if (value_type_is_pointer_shaped(from)) {
            if (value_read_word(&mv, v, 0, 8, &data) < 0) {
                snprintf(err, errlen, "unreadable %s value", from->name);
                return -1;
            }
        } else {
            unsigned char *copy = xcalloc(1, from->size + 1);
            int bad = value_read(&mv, v, 0, copy, from->size) < 0 ||
                      (from->size && (!(data = proc_alloc(t->proc, tid, from->size, err, errlen)) ||
                                      proc_write(t->proc, data, copy, from->size) < 0));
            free(copy);
            if (bad) {
                snprintf(err, errlen, "cannot place a %s value in the program", from->name);
                return -1;
            }
        }
    }
    tab = to->empty_interface ? rtype : target_itab(t, to, concrete, rtype);
    value_free(&dyn);
    if (!tab) {
        snprintf(err, errlen, "%s does not implement %s (or the program never uses it as one)", concrete, to->name);
        return -1;
    }
    memcpy(out, &tab, 8);
    memcpy(out + 8, &data, 8);
    return 0;
}

/* A program value: its bytes copied (the same type), or made an interface value. */
static int copy_value(gobp_target *t, pid_t tid, const gobp_type *type, const eval_result *r, unsigned char *out,
                      char *err, size_t errlen)
{
    gobp_memview mv = target_memview(t);
    const gobp_type *from = r->value.type;
    if (from && type->kind == GOBP_KIND_INTERFACE && strcmp(from->name, type->name) != 0)
        return to_interface(t, tid, type, &r->value, out, err, errlen);
    if (!from || from->size != type->size || strcmp(from->name, type->name) != 0) {
        snprintf(err, errlen, "cannot use a %s as a %s", from ? from->name : "?", type->name);
        return -1;
    }
    return value_read(&mv, &r->value, 0, out, type->size) < 0 ? (snprintf(err, errlen, "unreadable value"), -1) : 0;
}

/* A string header (ptr, len) for s copied into the debugger's arena in the program. */
static int place_string(gobp_target *t, pid_t tid, const char *s, unsigned char *out, char *err, size_t errlen)
{
    uint64_t len = strlen(s), ptr = 0;
    if (len && (!(ptr = proc_alloc(t->proc, tid, len, err, errlen)) || proc_write(t->proc, ptr, s, len) < 0))
        return -1;
    memcpy(out, &ptr, 8);
    memcpy(out + 8, &len, 8);
    return 0;
}

int target_encode(gobp_target *t, pid_t tid, const gobp_type *type, const eval_result *r, unsigned char *out,
                  char *err, size_t errlen)
{
    memset(out, 0, type->size);
    gobp_scalar sc;
    if (r->kind == EVAL_VALUE)
        return copy_value(t, tid, type, r, out, err, errlen);
    if (r->kind == EVAL_NIL) {
        if (gobp_kind_is_nilable(type->kind))
            return 0;
        snprintf(err, errlen, "cannot use nil as a %s", type->name);
        return -1;
    }
    if (scalar_of(r, &sc))
        return value_encode_scalar(type, sc, VALUE_ENCODE_CHECKED, out, err, errlen) == VALUE_ENCODE_OK ? 0 : -1;
    if (type->kind == GOBP_KIND_STRING && r->kind == EVAL_STRING)
        return place_string(t, tid, r->s, out, err, errlen);
    snprintf(err, errlen, "cannot use this value as a %s", type->name);
    return -1;
}

int target_assign(gobp_target *t, int64_t goid, const gobp_frame *fr, const gobp_value *dst, const char *expr,
                  char *err, size_t errlen)
{
    if (!dst->type || dst->unreadable) {
        snprintf(err, errlen, "this variable is not available here");
        return -1;
    }
    if (dst->bytes || !dst->addr) {
        snprintf(err, errlen, "this variable lives in registers at this point of the function: step to its next line and set it there");
        return -1;
    }
    eval_result r;
    if (target_evaluate(t, goid, fr, expr, &r, err, errlen) < 0)
        return -1;
    pid_t tid = proc_pid(t->proc);
    unsigned char *bytes = xcalloc(1, dst->type->size + 8);
    int rc = target_encode(t, tid, dst->type, &r, bytes, err, errlen);
    eval_result_free(&r);
    if (rc == 0 && proc_write(t->proc, dst->addr, bytes, dst->type->size) < 0) {
        snprintf(err, errlen, "cannot write the program's memory at 0x%llx", (unsigned long long)dst->addr);
        rc = -1;
    }
    free(bytes);
    return rc;
}
