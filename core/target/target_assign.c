/* Changing a variable at a stop (setVariable): the new value is a Go expression evaluated in
 * the frame; scalars, strings (placed in the debugger's arena in the program), nil, and any
 * value of the same type are written where the variable lives in memory. */
#include "target_internal.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_signed_kind(gobp_type_kind k) { return k >= GOBP_KIND_INT && k <= GOBP_KIND_INT64; }
static bool is_unsigned_kind(gobp_type_kind k) { return k >= GOBP_KIND_UINT && k <= GOBP_KIND_UINTPTR; }

/* Encodes r as a value of type t into out (t->size bytes). */
static int encode(gobp_target *t, pid_t tid, const gobp_type *type, eval_result *r, unsigned char *out,
                  char *err, size_t errlen)
{
    gobp_type_kind k = type->kind;
    memset(out, 0, type->size);
    if (r->kind == EVAL_VALUE) {    /* a program value of the same type: copy it */
        gobp_memview mv = target_memview(t);
        if (!r->value.type || r->value.type->size != type->size || strcmp(r->value.type->name, type->name) != 0) {
            snprintf(err, errlen, "cannot assign a %s to a %s", r->value.type ? r->value.type->name : "?", type->name);
            return -1;
        }
        return value_read(&mv, &r->value, 0, out, type->size) < 0 ? (snprintf(err, errlen, "unreadable value"), -1) : 0;
    }
    if (r->kind == EVAL_NIL) {
        if (k == GOBP_KIND_PTR || k == GOBP_KIND_SLICE || k == GOBP_KIND_MAP || k == GOBP_KIND_CHAN ||
            k == GOBP_KIND_FUNC || k == GOBP_KIND_INTERFACE || k == GOBP_KIND_UNSAFEPTR)
            return 0;
        snprintf(err, errlen, "cannot assign nil to a %s", type->name);
        return -1;
    }
    if ((is_signed_kind(k) || is_unsigned_kind(k)) && (r->kind == EVAL_INT || r->kind == EVAL_UINT)) {
        uint64_t v = r->kind == EVAL_INT ? (uint64_t)r->i : r->u;
        unsigned bits = (unsigned)type->size * 8;
        if (bits < 64) {
            bool fits = is_signed_kind(k) ? (r->kind == EVAL_INT ? r->i >= -(1LL << (bits - 1)) && r->i < (1LL << (bits - 1))
                                                                 : r->u < (1ULL << (bits - 1)))
                                          : (r->kind == EVAL_INT ? r->i >= 0 && (uint64_t)r->i < (1ULL << bits) : r->u < (1ULL << bits));
            if (!fits) {
                snprintf(err, errlen, "the value does not fit in a %s", type->name);
                return -1;
            }
        } else if (is_unsigned_kind(k) && r->kind == EVAL_INT && r->i < 0) {
            snprintf(err, errlen, "a negative value does not fit in a %s", type->name);
            return -1;
        }
        memcpy(out, &v, type->size);
        return 0;
    }
    if ((k == GOBP_KIND_FLOAT32 || k == GOBP_KIND_FLOAT64) && (r->kind == EVAL_FLOAT || r->kind == EVAL_INT || r->kind == EVAL_UINT)) {
        double d = r->kind == EVAL_FLOAT ? r->f : r->kind == EVAL_INT ? (double)r->i : (double)r->u;
        if (k == GOBP_KIND_FLOAT32) {
            float f = (float)d;
            memcpy(out, &f, 4);
        } else {
            memcpy(out, &d, 8);
        }
        return 0;
    }
    if (k == GOBP_KIND_BOOL && r->kind == EVAL_BOOL) {
        out[0] = r->b;
        return 0;
    }
    if (k == GOBP_KIND_STRING && r->kind == EVAL_STRING) {
        uint64_t len = strlen(r->s), ptr = 0;
        if (len && (!(ptr = proc_alloc(t->proc, tid, len, err, errlen)) || proc_write(t->proc, ptr, r->s, len) < 0))
            return -1;
        memcpy(out, &ptr, 8);
        memcpy(out + 8, &len, 8);
        return 0;
    }
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
