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

/* A program value of the same type: its bytes copied. */
static int copy_value(gobp_target *t, const gobp_type *type, eval_result *r, unsigned char *out, char *err, size_t errlen)
{
    gobp_memview mv = target_memview(t);
    if (!r->value.type || r->value.type->size != type->size || strcmp(r->value.type->name, type->name) != 0) {
        snprintf(err, errlen, "cannot assign a %s to a %s", r->value.type ? r->value.type->name : "?", type->name);
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

/* Encodes r as a value of type t into out (t->size bytes). */
static int encode(gobp_target *t, pid_t tid, const gobp_type *type, eval_result *r, unsigned char *out,
                  char *err, size_t errlen)
{
    memset(out, 0, type->size);
    gobp_scalar sc;
    if (r->kind == EVAL_VALUE)
        return copy_value(t, type, r, out, err, errlen);
    if (r->kind == EVAL_NIL) {
        if (gobp_kind_is_nilable(type->kind))
            return 0;
        snprintf(err, errlen, "cannot assign nil to a %s", type->name);
        return -1;
    }
    if (scalar_of(r, &sc))
        return value_encode_scalar(type, sc, VALUE_ENCODE_CHECKED, out, err, errlen) == VALUE_ENCODE_OK ? 0 : -1;
    if (type->kind == GOBP_KIND_STRING && r->kind == EVAL_STRING)
        return place_string(t, tid, r->s, out, err, errlen);
    snprintf(err, errlen, "cannot assign this value to a %s", type->name);
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
    int rc = encode(t, tid, dst->type, &r, bytes, err, errlen);
    eval_result_free(&r);
    if (rc == 0 && proc_write(t->proc, dst->addr, bytes, dst->type->size) < 0) {
        snprintf(err, errlen, "cannot write the program's memory at 0x%llx", (unsigned long long)dst->addr);
        rc = -1;
    }
    free(bytes);
    return rc;
}
