/* Evaluating a compiled expression against a scope (eval_env: names, globals, types,
 * memory): program values stay gobp_values until an operator needs their scalar; && and ||
 * short-circuit. Also the results' text and type, and log-message templates. */
#include "eval_internal.h"
#include "alloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eval_result_free(eval_result *r)
{
    if (r->kind == EVAL_VALUE)
        value_free(&r->value);
    free(r->s);
    memset(r, 0, sizeof *r);
}

/* ---- types, shared with the checker ---- */

enum { MAX_AUTO_DEREF = 4, MAX_EMBED_DEPTH = 8 };

const gobp_type *eval_through_pointers(const gobp_type *t)
{
    for (int i = 0; i < MAX_AUTO_DEREF && t && t->kind == GOBP_KIND_PTR; i++)
        t = t->elem;
    return t;
}

bool eval_static_field(const gobp_type *t, const char *name, int depth, gobp_type **type)
{
    t = eval_through_pointers(t);
    if (!t || t->kind != GOBP_KIND_STRUCT || depth > MAX_EMBED_DEPTH)
        return false;
    const gobp_type_field *f = value_field_named(t, name);
    if (f) {
        *type = f->type;
        return true;
    }
    for (int i = 0; i < t->nfields; i++)
        if (t->fields[i].embedded && eval_static_field(t->fields[i].type, name, depth + 1, type))
            return true;
    return false;
}

const char *eval_type_name(const gobp_type *t) { return t && t->name ? t->name : "?"; }

bool eval_by_identity(const gobp_type *t)
{
    return t && (gobp_kind_is_pointer(t->kind) || t->kind == GOBP_KIND_CHAN || t->kind == GOBP_KIND_INTERFACE);
}

int eval_global_prefix(const eval_env *env, const char *path, gobp_value *v, size_t *end)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        slash = path;
    for (size_t n = strlen(path); n > 0; n--) {
        if ((path[n] && path[n] != '.') || path + n < slash || !memchr(slash, '.', (size_t)(path + n - slash)))
            continue;
        char *name = xstrndup(path, n);
        int rc = env->global(env->ctx, name, v);
        free(name);
        if (rc == 0) {
            *end = n;
            return 0;
        }
    }
    return 1;
}

/* ---- evaluation ---- */

static int ev(eval_state *e, const eval_node *n, eval_result *out);

int eval_fail(eval_state *e, const char *fmt, ...)
{
    if (!e->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->err, e->errlen, fmt, ap);
        va_end(ap);
        e->failed = true;
    }
    return -1;
}

static const gobp_memview *mem(eval_state *e) { return &e->env->mem; }

static bool value_is_nil(eval_state *e, const gobp_value *v, bool *is_nil)
{
    uint64_t w = 0;
    if (!v->type || !gobp_kind_is_nilable(v->type->kind) || value_read_word(mem(e), v, 0, 8, &w) < 0)
        return false;
    *is_nil = w == 0;
    return true;
}

/* Turns a program value into a computed scalar when it is one (ints, floats, bools, strings). */
static int to_scalar(eval_state *e, eval_result *r)
{
    if (r->kind != EVAL_VALUE)
        return 0;
    gobp_value *v = &r->value;
    if (v->unreadable)
        return eval_fail(e, "the value is not available here (optimized out or not yet set)");
    gobp_type_kind k = v->type ? v->type->kind : GOBP_KIND_INVALID;
    eval_result s = { 0 };
    if (gobp_kind_is_signed(k)) {
        s.kind = EVAL_INT;
        if (value_int(mem(e), v, &s.i) < 0)
            return eval_fail(e, "unreadable integer");
    } else if (gobp_kind_is_unsigned(k)) {
        s.kind = EVAL_UINT;
        if (value_uint(mem(e), v, &s.u) < 0)
            return eval_fail(e, "unreadable integer");
    } else if (gobp_kind_is_float(k)) {
        s.kind = EVAL_FLOAT;
        if (value_float(mem(e), v, &s.f) < 0)
            return eval_fail(e, "unreadable float");
    } else if (k == GOBP_KIND_BOOL) {
        unsigned char b;
        if (value_read(mem(e), v, 0, &b, 1) < 0)
            return eval_fail(e, "unreadable bool");
        s.kind = EVAL_BOOL;
        s.b = b != 0;
    } else if (k == GOBP_KIND_STRING) {
        size_t len;
        s.kind = EVAL_STRING;
        s.s = value_string(mem(e), v, 1 << 20, &len);
        if (!s.s)
            return eval_fail(e, "unreadable string");
    } else {
        return 0;   /* stays a program value (pointers, structs, ...) */
    }
    eval_result_free(r);
    *r = s;
    return 0;
}

static int as_value(eval_state *e, eval_result *out, gobp_value v)
{
    memset(out, 0, sizeof *out);
    out->kind = EVAL_VALUE;
    out->value = v;
    return 0;
}

/* A name of the scope; 1 when there is none (nothing said yet). */
static int lookup(eval_state *e, const char *name, eval_result *out)
{
    char lerr[256] = "";
    gobp_value v = { 0 };
    int rc = e->env->lookup(e->env->ctx, name, &v, lerr, sizeof lerr);
    if (rc < 0)
        return eval_fail(e, "%s", lerr[0] ? lerr : "cannot read the variable");
    if (rc > 0)
        return 1;
    return as_value(e, out, v);
}

static int apply_field(eval_state *e, eval_result *base, const char *field, eval_result *out)
{
    gobp_value next;
    gobp_type *ftype;
    if (base->kind != EVAL_VALUE)
        return eval_fail(e, "a computed value has no field %s", field);
    if (value_field(mem(e), &base->value, field, &next) < 0) {
        if (base->value.unreadable)
            return eval_fail(e, "the value is not available here (optimized out or not yet set)");
        if (eval_static_field(base->value.type, field, 0, &ftype))
            return eval_fail(e, "cannot read .%s: nil pointer dereference (a %s)", field, eval_type_name(base->value.type));
        return eval_fail(e, "%s has no field or method %s", eval_type_name(base->value.type), field);
    }
    return as_value(e, out, next);
}

/* A package path's global, then the fields that follow (".Timeout"). */
static int ev_global_path(eval_state *e, const char *path, eval_result *out)
{
    gobp_value v;
    size_t end;
    if (eval_global_prefix(e->env, path, &v, &end) == 0) {
        as_value(e, out, v);
        for (const char *p = path + end; *p == '.';) {
            size_t n = strcspn(p + 1, ".");
            char *field = xstrndup(p + 1, n);
            eval_result next;
            int rc = apply_field(e, out, field, &next);
            free(field);
            eval_result_free(out);
            if (rc < 0)
                return -1;
            *out = next;
            p += 1 + n;
        }
        return 0;
    }
    return 1;
}

static int ev_path(eval_state *e, const eval_node *n, eval_result *out)
{
    char first[256];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(n->name, "/."), n->name);
    int rc = lookup(e, first, out);
    if (rc < 0)
        return -1;
    if (rc == 0) {            /* a / b.c */
        eval_result_free(out);
        return n->a ? ev(e, n->a, out) : eval_fail(e, "could not find symbol value for %s", n->name);
    }
    rc = ev_global_path(e, n->name, out);
    return rc > 0 ? eval_fail(e, "could not find symbol value for %s", n->name) : rc;
}

static int ev_field(eval_state *e, const eval_node *n, eval_result *out)
{
    eval_result base;
    if (n->a->kind == N_NAME) {    /* x.f, or the global pkg.Name */
        int rc = lookup(e, n->a->name, &base);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            char *full = xmalloc(strlen(n->a->name) + strlen(n->name) + 2);
            sprintf(full, "%s.%s", n->a->name, n->name);
            gobp_value v;
            rc = e->env->global(e->env->ctx, full, &v);
            free(full);
            if (rc != 0)
                return eval_fail(e, "could not find symbol value for %s", n->a->name);
            return as_value(e, out, v);
        }
    } else if (ev(e, n->a, &base) < 0) {
        return -1;
    }
    int rc = apply_field(e, &base, n->name, out);
    eval_result_free(&base);
    return rc;
}

static int ev_index(eval_state *e, const eval_node *n, eval_result *out)
{
    eval_result base, idx;
    if (ev(e, n->a, &base) < 0)
        return -1;
    if (ev(e, n->b, &idx) < 0 || to_scalar(e, &idx) < 0) {
        eval_result_free(&base);
        eval_result_free(&idx);
        return -1;
    }
    int rc = -1;
    bool integer = idx.kind == EVAL_INT || idx.kind == EVAL_UINT;
    int64_t i = idx.kind == EVAL_UINT ? (int64_t)idx.u : idx.i;
    gobp_value next;
    const gobp_type *t = base.kind == EVAL_VALUE ? eval_through_pointers(base.value.type) : NULL;
    if (base.kind == EVAL_STRING) {
        if (!integer)
            rc = eval_fail(e, "a string index must be an integer");
        else if (i < 0 || (uint64_t)i >= strlen(base.s))
            rc = eval_fail(e, "index %lld out of range [0, %zu)", (long long)i, strlen(base.s));
        else
            *out = (eval_result){ .kind = EVAL_UINT, .u = (unsigned char)base.s[i] }, rc = 0;
    } else if (base.kind != EVAL_VALUE) {
        rc = eval_fail(e, "this value cannot be indexed");
    } else if (base.value.unreadable) {
        rc = eval_fail(e, "the value is not available here (optimized out or not yet set)");
    } else if (t && t->kind == GOBP_KIND_MAP) {
        gobp_value m = value_copy(&base.value), d;
        while (m.type && m.type->kind == GOBP_KIND_PTR && value_deref(mem(e), &m, &d) == 0) {
            value_free(&m);
            m = d;
        }
        if (m.type != t)
            rc = eval_fail(e, "nil pointer dereference (a nil %s)", eval_type_name(base.value.type));
        else if (idx.kind == EVAL_STRING)
            rc = value_map_lookup_string(mem(e), &m, idx.s, &next);
        else if (integer)
            rc = value_map_lookup_int(mem(e), &m, i, &next);
        else
            rc = eval_fail(e, "a map key must be a string or an integer");
        value_free(&m);
        if (rc == 0)
            as_value(e, out, next);
        else if (!e->failed)
            rc = idx.kind == EVAL_STRING ? eval_fail(e, "key \"%s\" not found", idx.s)
                                         : eval_fail(e, "key %lld not found", (long long)i);
    } else if (!integer) {
        rc = eval_fail(e, "an index must be an integer");
    } else if (value_index(mem(e), &base.value, i, &next) == 0) {
        rc = as_value(e, out, next);
    } else if (t && (t->kind == GOBP_KIND_SLICE || t->kind == GOBP_KIND_ARRAY || t->kind == GOBP_KIND_STRING)) {
        rc = eval_fail(e, "index %lld out of range (a %s)", (long long)i, eval_type_name(base.value.type));
    } else {
        rc = eval_fail(e, "%s cannot be indexed", eval_type_name(base.value.type));
    }
    eval_result_free(&base);
    eval_result_free(&idx);
    return rc;
}

static bool same_type(const gobp_type *a, const gobp_type *b)
{
    return a == b || (a->die_offset && a->die_offset == b->die_offset) || (a->name && b->name && strcmp(a->name, b->name) == 0);
}

static int ev_assert(eval_state *e, const eval_node *n, eval_result *out)
{
    eval_result base;
    if (ev(e, n->a, &base) < 0)
        return -1;
    int rc;
    gobp_type *want = e->env->type_named(e->env->ctx, n->name);
    gobp_value dyn;
    uint64_t taddr = 0;
    if (!want)
        rc = eval_fail(e, "no type %s in this program", n->name);
    else if (base.kind != EVAL_VALUE || !base.value.type || base.value.type->kind != GOBP_KIND_INTERFACE)
        rc = eval_fail(e, "x.(%s) needs an interface value", n->name);
    else if (value_iface_dynamic(mem(e), &base.value, &dyn, &taddr) < 0)
        rc = taddr ? eval_fail(e, "interface conversion: the dynamic type of this %s is unknown", eval_type_name(base.value.type))
                   : eval_fail(e, "interface conversion: %s is nil, not %s", eval_type_name(base.value.type), n->name);
    else if (!same_type(dyn.type, want)) {
        rc = eval_fail(e, "interface conversion: %s is %s, not %s", eval_type_name(base.value.type), eval_type_name(dyn.type), n->name);
        value_free(&dyn);
    } else {
        rc = as_value(e, out, dyn);
    }
    eval_result_free(&base);
    return rc;
}

static int length_of(eval_state *e, eval_result *arg, bool cap, eval_result *out)
{
    const char *fn = cap ? "cap" : "len";
    if (arg->kind == EVAL_STRING && !cap) {
        *out = (eval_result){ .kind = EVAL_INT, .i = (int64_t)strlen(arg->s) };
        return 0;
    }
    if (arg->kind != EVAL_VALUE || !arg->value.type)
        return eval_fail(e, "invalid argument for %s", fn);
    gobp_value *v = &arg->value;
    if (v->unreadable)
        return eval_fail(e, "the value is not available here (optimized out or not yet set)");
    uint64_t n = 0;
    switch (v->type->kind) {
    case GOBP_KIND_ARRAY:
        n = (uint64_t)v->type->len;
        break;
    case GOBP_KIND_SLICE:
        if (value_read_word(mem(e), v, cap ? 16 : 8, 8, &n) < 0)
            return eval_fail(e, "unreadable slice");
        break;
    case GOBP_KIND_STRING:
        if (cap)
            return eval_fail(e, "invalid argument: string has no cap");
        if (value_read_word(mem(e), v, 8, 8, &n) < 0)
            return eval_fail(e, "unreadable string");
        break;
    case GOBP_KIND_MAP: {
        int64_t m = cap ? -1 : value_map_len(mem(e), v);
        if (cap)
            return eval_fail(e, "invalid argument: %s has no cap", eval_type_name(v->type));
        if (m < 0)
            return eval_fail(e, "unreadable map");
        n = (uint64_t)m;
        break;
    }
    case GOBP_KIND_CHAN: {
        uint64_t hchan = 0;
        if (value_read_word(mem(e), v, 0, 8, &hchan) < 0 || !v->type->runtime)
            return eval_fail(e, "unreadable channel");
        if (hchan) {
            gobp_value h = value_at(v->type->runtime, hchan);
            if (value_field_word(mem(e), &h, cap ? "dataqsiz" : "qcount", 0, &n) < 0)
                return eval_fail(e, "unreadable channel");
        }
        break;
    }
    default:
        return eval_fail(e, "invalid argument: %s has no %s", eval_type_name(v->type), fn);
    }
    *out = (eval_result){ .kind = EVAL_INT, .i = (int64_t)n };
    return 0;
}

static int ev_unary(eval_state *e, const eval_node *n, eval_result *out)
{
    if (ev(e, n->a, out) < 0)
        return -1;
    char op = (char)n->op;
    if (op == '*') {
        gobp_value d;
        if (out->kind != EVAL_VALUE || !out->value.type)
            return eval_fail(e, "cannot dereference a computed value");
        gobp_type_kind k = out->value.type->kind;
        if (value_deref(mem(e), &out->value, &d) < 0) {
            bool is_nil = false;
            if (k != GOBP_KIND_PTR && k != GOBP_KIND_INTERFACE)
                return eval_fail(e, "cannot dereference a %s", eval_type_name(out->value.type));
            if (value_is_nil(e, &out->value, &is_nil) && is_nil)
                return eval_fail(e, "nil pointer dereference (a nil %s)", eval_type_name(out->value.type));
            return eval_fail(e, "cannot dereference this %s", eval_type_name(out->value.type));
        }
        value_free(&out->value);
        out->value = d;
        return 0;
    }
    if (to_scalar(e, out) < 0)
        return -1;
    if (op == '!' && out->kind == EVAL_BOOL)
        out->b = !out->b;
    else if (op == '-' && out->kind == EVAL_INT)
        out->i = -out->i;
    else if (op == '-' && out->kind == EVAL_FLOAT)
        out->f = -out->f;
    else if (op == '-' && out->kind == EVAL_UINT)
        out->u = -out->u;
    else if (op != '+' || (out->kind != EVAL_INT && out->kind != EVAL_UINT && out->kind != EVAL_FLOAT))
        return eval_fail(e, "invalid operation: %c on this value", op);
    return 0;
}

static double as_double(const eval_result *r)
{
    return r->kind == EVAL_FLOAT ? r->f : r->kind == EVAL_UINT ? (double)r->u : (double)r->i;
}

static bool numeric(const eval_result *r)
{
    return r->kind == EVAL_INT || r->kind == EVAL_UINT || r->kind == EVAL_FLOAT;
}

static int arith(eval_state *e, binary_op op, eval_result *a, eval_result *b)
{
    if (to_scalar(e, a) < 0 || to_scalar(e, b) < 0)
        return -1;
    if (!numeric(a) || !numeric(b))
        return eval_fail(e, "invalid operation: %s needs numbers", eval_binary_text[op]);
    if (a->kind == EVAL_FLOAT || b->kind == EVAL_FLOAT) {
        double x = as_double(a), y = as_double(b);
        a->kind = EVAL_FLOAT;
        a->f = op == B_ADD ? x + y : op == B_SUB ? x - y : op == B_MUL ? x * y : op == B_DIV ? x / y : fmod(x, y);
        return 0;
    }
    __int128 x = a->kind == EVAL_UINT ? (__int128)a->u : a->i, y = b->kind == EVAL_UINT ? (__int128)b->u : b->i;
    if ((op == B_DIV || op == B_MOD) && y == 0)
        return eval_fail(e, "division by zero");
    /* the operands fit in 65 bits, so / and % cannot overflow; + - * wrap in unsigned 128-bit
     * arithmetic (a product of two 64-bit magnitudes overflows a signed __int128), and the
     * result keeps its low 64 bits, as Go's int64 arithmetic does */
    unsigned __int128 ux = (unsigned __int128)x, uy = (unsigned __int128)y;
    unsigned __int128 r = op == B_ADD ? ux + uy : op == B_SUB ? ux - uy : op == B_MUL ? ux * uy
                        : (unsigned __int128)(op == B_DIV ? x / y : x % y);
    a->kind = EVAL_INT;
    a->i = (int64_t)(uint64_t)r;
    return 0;
}

/* a == b for two pointers, channels or interfaces (err == io.EOF): the same address, or for
 * interfaces the same dynamic type and the same pointer (or equal bytes of a value stored
 * behind the data word). 0/1, -1 unreadable. */
static int identical(eval_state *e, const gobp_value *a, const gobp_value *b)
{
    uint64_t wa, wb, ta, tb;
    if (a->type->kind != GOBP_KIND_INTERFACE) {
        if (value_read_word(mem(e), a, 0, 8, &wa) < 0 || value_read_word(mem(e), b, 0, 8, &wb) < 0)
            return -1;
        return wa == wb;
    }
    if (value_iface_type_addr(mem(e), a, &ta) < 0 || value_iface_type_addr(mem(e), b, &tb) < 0 ||
        value_field_word(mem(e), a, "data", 8, &wa) < 0 || value_field_word(mem(e), b, "data", 8, &wb) < 0)
        return -1;
    if (ta != tb)
        return 0;
    if (wa == wb || !ta)
        return 1;
    gobp_type *dyn = value_lookup_runtime_type(mem(e)->bin, ta);
    if (!dyn || value_type_is_pointer_shaped(dyn) || !dyn->size || dyn->size > 4096)
        return 0;
    unsigned char *x = xmalloc(dyn->size * 2);
    int same = mem(e)->read(mem(e)->ctx, wa, x, dyn->size) == 0 && mem(e)->read(mem(e)->ctx, wb, x + dyn->size, dyn->size) == 0 &&
               memcmp(x, x + dyn->size, dyn->size) == 0;
    free(x);
    return same;
}

static int compare(eval_state *e, binary_op op, eval_result *a, eval_result *b)
{
    int cmp = 0;
    bool ordered = true, nan = false;
    if (a->kind == EVAL_VALUE && b->kind == EVAL_VALUE && eval_by_identity(a->value.type) && eval_by_identity(b->value.type)) {
        if (a->value.type->kind != b->value.type->kind)
            return eval_fail(e, "invalid comparison: mismatched types %s and %s", eval_type_name(a->value.type),
                        eval_type_name(b->value.type));
        int same = identical(e, &a->value, &b->value);
        if (same < 0)
            return eval_fail(e, "unreadable %s", eval_type_name(a->value.type));
        cmp = !same;
        ordered = false;
    } else if (a->kind == EVAL_NIL || b->kind == EVAL_NIL) {
        eval_result *v = a->kind == EVAL_NIL ? b : a;
        bool is_nil = true;
        if (v->kind != EVAL_NIL && (v->kind != EVAL_VALUE || !value_is_nil(e, &v->value, &is_nil)))
            return eval_fail(e, "invalid comparison with nil");
        cmp = is_nil ? 0 : 1;
        ordered = false;
    } else {
        if (to_scalar(e, a) < 0 || to_scalar(e, b) < 0)
            return -1;
        if (numeric(a) && numeric(b)) {
            if (a->kind == EVAL_FLOAT || b->kind == EVAL_FLOAT) {
                double x = as_double(a), y = as_double(b);
                cmp = x < y ? -1 : x > y;
                nan = x != x || y != y;   /* unordered: only != holds */
            } else {
                __int128 x = a->kind == EVAL_UINT ? (__int128)a->u : a->i, y = b->kind == EVAL_UINT ? (__int128)b->u : b->i;
                cmp = x < y ? -1 : x > y;
            }
        } else if (a->kind == EVAL_STRING && b->kind == EVAL_STRING) {
            cmp = strcmp(a->s, b->s);
            cmp = cmp < 0 ? -1 : cmp > 0;
        } else if (a->kind == EVAL_BOOL && b->kind == EVAL_BOOL) {
            cmp = a->b != b->b;
            ordered = false;
        } else {
            return eval_fail(e, "invalid comparison: mismatched types");
        }
    }
    if (!ordered && op != B_EQ && op != B_NE)
        return eval_fail(e, "invalid comparison: %s is not defined here", eval_binary_text[op]);
    bool r = op == B_EQ ? cmp == 0 : op == B_NE ? cmp != 0 : op == B_LT ? cmp < 0 : op == B_LE ? cmp <= 0
           : op == B_GT ? cmp > 0 : cmp >= 0;
    if (nan)
        r = op == B_NE;
    eval_result_free(a);
    *a = (eval_result){ .kind = EVAL_BOOL, .b = r };
    return 0;
}

/* x && y, x || y: y only when x does not decide. */
static int ev_logic(eval_state *e, const eval_node *n, eval_result *out)
{
    const char *op = eval_binary_text[n->op];
    if (ev(e, n->a, out) < 0 || to_scalar(e, out) < 0)
        return -1;
    if (out->kind != EVAL_BOOL)
        return eval_fail(e, "%s needs bools", op);
    if (out->b == (n->op == B_OR))
        return 0;
    eval_result_free(out);
    if (ev(e, n->b, out) < 0 || to_scalar(e, out) < 0)
        return -1;
    return out->kind == EVAL_BOOL ? 0 : eval_fail(e, "%s needs bools", op);
}

static int ev_binary(eval_state *e, const eval_node *n, eval_result *out)
{
    if (n->op == B_AND || n->op == B_OR)
        return ev_logic(e, n, out);
    eval_result b;
    if (ev(e, n->a, out) < 0)
        return -1;
    if (ev(e, n->b, &b) < 0)
        return -1;
    int rc = n->op <= B_MOD ? arith(e, n->op, out, &b) : compare(e, n->op, out, &b);
    eval_result_free(&b);
    return rc;
}

/* ---- calls ---- */

/* The text of a callee for messages: "f", "x.M", "pkg/path.F", else "a function value". */
static void callee_text(const eval_node *n, char *buf, size_t len)
{
    if (n->kind == N_NAME || n->kind == N_PATH)
        snprintf(buf, len, "%s", n->name);
    else if (n->kind == N_FIELD && n->a->kind == N_NAME)
        snprintf(buf, len, "%s.%s", n->a->name, n->name);
    else if (n->kind == N_FIELD)
        snprintf(buf, len, "….%s", n->name);
    else
        snprintf(buf, len, "a function value");
}

/* What the callee node names: *held owns the value the callee points into. 0, or -1. */
static int find_callee(eval_state *e, const eval_node *n, eval_callee *c, eval_result *held, char **name)
{
    memset(c, 0, sizeof *c);
    memset(held, 0, sizeof *held);
    *name = NULL;
    if (n->kind == N_NAME || n->kind == N_PATH) {
        int rc = n->kind == N_NAME ? lookup(e, n->name, held) : 1;
        if (rc < 0)
            return -1;
        if (rc == 0) {           /* a variable: it must hold a func */
            c->fn = &held->value;
            return 0;
        }
        c->name = *name = xstrdup(n->name);
        return 0;
    }
    if (n->kind == N_FIELD) {
        eval_result base;
        int rc = n->a->kind == N_NAME ? lookup(e, n->a->name, &base) : ev(e, n->a, &base);
        if (rc < 0)
            return -1;
        if (rc > 0) {            /* pkg.F */
            *name = xmalloc(strlen(n->a->name) + strlen(n->name) + 2);
            sprintf(*name, "%s.%s", n->a->name, n->name);
            c->name = *name;
            return 0;
        }
        if (base.kind != EVAL_VALUE) {
            eval_result_free(&base);
            return eval_fail(e, "a computed value has no method %s", n->name);
        }
        gobp_value field;        /* a func-typed field (x.handler(...)), else a method */
        if (value_field(mem(e), &base.value, n->name, &field) == 0 && field.type &&
            field.type->kind == GOBP_KIND_FUNC) {
            eval_result_free(&base);
            as_value(e, held, field);
            c->fn = &held->value;
            return 0;
        }
        *held = base;
        c->receiver = &held->value;
        c->method = n->name;
        return 0;
    }
    if (ev(e, n, held) < 0)
        return -1;
    if (held->kind != EVAL_VALUE) {   /* found by fuzz_requests_stopped: "x"() leaked the "x" */
        eval_result_free(held);
        return eval_fail(e, "cannot call a computed value");
    }
    c->fn = &held->value;
    return 0;
}

static int ev_call(eval_state *e, const eval_node *n, eval_result *out)
{
    char what[300];
    callee_text(n->a, what, sizeof what);
    if (!e->env->call)
        return eval_fail(e, EVAL_NO_CALLS, what);
    eval_callee c;
    eval_result held;
    char *name;
    if (find_callee(e, n->a, &c, &held, &name) < 0)
        return -1;
    eval_result *args = xcalloc((size_t)n->nargs + 1, sizeof *args);
    int rc = 0, got = 0;
    for (; got < n->nargs && rc == 0; got++)
        rc = ev(e, n->args[got], &args[got]);
    if (rc == 0) {
        char cerr[1024] = "";
        rc = e->env->call(e->env->ctx, &c, args, n->nargs, out, cerr, sizeof cerr);
        if (rc < 0)
            eval_fail(e, "%s", cerr[0] ? cerr : "the call failed");
    }
    for (int i = 0; i < got; i++)
        eval_result_free(&args[i]);
    free(args);
    eval_result_free(&held);
    free(name);
    return rc < 0 ? -1 : 0;
}

/* Evaluates node n into out; on failure out holds nothing. */
static int ev_node(eval_state *e, const eval_node *n, eval_result *out)
{
    int rc;
    switch (n->kind) {
    case N_LITERAL:
        *out = n->lit;
        out->s = n->lit.s ? xstrdup(n->lit.s) : NULL;
        return 0;
    case N_NAME:
        rc = lookup(e, n->name, out);
        return rc > 0 ? eval_fail(e, "could not find symbol value for %s", n->name) : rc;
    case N_PATH:
        return ev_path(e, n, out);
    case N_FIELD:
        return ev_field(e, n, out);
    case N_INDEX:
        return ev_index(e, n, out);
    case N_ASSERT:
        return ev_assert(e, n, out);
    case N_LEN:
    case N_CAP: {
        eval_result arg;
        if (ev(e, n->a, &arg) < 0)
            return -1;
        rc = length_of(e, &arg, n->kind == N_CAP, out);
        eval_result_free(&arg);
        return rc;
    }
    case N_UNARY:
        return ev_unary(e, n, out);
    case N_BINARY:
        return ev_binary(e, n, out);
    case N_CALL:
        return ev_call(e, n, out);
    }
    return eval_fail(e, "unknown expression");
}

static int ev(eval_state *e, const eval_node *n, eval_result *out)
{
    memset(out, 0, sizeof *out);
    if (ev_node(e, n, out) == 0)
        return 0;
    eval_result_free(out);
    return -1;
}

int eval_run(const eval_expr *x, const eval_env *env, eval_result *out, char *err, size_t errlen)
{
    eval_state e = { .env = env, .err = err, .errlen = errlen };
    if (ev(&e, x->root, out) < 0) {
        eval_result_free(out);
        if (!e.failed)
            snprintf(err, errlen, "cannot evaluate \"%s\"", x->text);
        return -1;
    }
    return 0;
}

int eval_expression(const eval_env *env, const char *text, eval_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    eval_expr *x = eval_parse(text, err, errlen);
    if (!x)
        return -1;
    int rc = eval_run(x, env, out, err, errlen);
    eval_expr_free(x);
    return rc;
}

/* ---- results ---- */

int eval_truth(const gobp_memview *mv, const eval_result *r, char *err, size_t errlen)
{
    if (r->kind == EVAL_BOOL)
        return r->b;
    if (r->kind == EVAL_VALUE && r->value.type && r->value.type->kind == GOBP_KIND_BOOL) {
        unsigned char b = 0;
        if (value_read(mv, &r->value, 0, &b, 1) < 0) {
            snprintf(err, errlen, "the condition's value is unreadable");
            return -1;
        }
        return b != 0;
    }
    snprintf(err, errlen, "the condition is not a bool");
    return -1;
}

char *eval_result_text(const gobp_memview *mv, const eval_result *r)
{
    char buf[64];
    switch (r->kind) {
    case EVAL_VALUE:
        return r->value.unreadable ? xstrdup("<optimized out or not yet set>") : value_format(mv, &r->value, &gobp_format_default);
    case EVAL_INT: snprintf(buf, sizeof buf, "%lld", (long long)r->i); break;
    case EVAL_UINT: snprintf(buf, sizeof buf, "%llu", (unsigned long long)r->u); break;
    case EVAL_FLOAT: go_format_float(r->f, 64, buf, sizeof buf); break;
    case EVAL_BOOL: return xstrdup(r->b ? "true" : "false");
    case EVAL_NIL: return xstrdup("nil");
    case EVAL_STRING: {
        char *out = xmalloc(strlen(r->s) * 2 + 3);
        char *p = out;
        *p++ = '"';
        for (const char *c = r->s; *c; c++) {
            if (*c == '"' || *c == '\\')
                *p++ = '\\';
            *p++ = *c;
        }
        *p++ = '"';
        *p = 0;
        return out;
    }
    }
    return xstrdup(buf);
}

char *eval_result_type(const gobp_memview *mv, const eval_result *r)
{
    static const char *const names[] = { [EVAL_INT] = "int", [EVAL_UINT] = "uint", [EVAL_FLOAT] = "float64",
                                         [EVAL_BOOL] = "bool", [EVAL_STRING] = "string", [EVAL_NIL] = "nil" };
    if (r->kind == EVAL_VALUE)
        return r->value.type ? value_type_name(mv, &r->value) : xstrdup("");
    return xstrdup(names[r->kind]);
}

/* ---- log message templates ---- */

typedef struct {
    char *text;              /* literal text, or NULL */
    eval_expr *expr;         /* {expr}, or NULL */
} template_part;

struct eval_template {
    template_part *parts;
    int n;
};

void eval_template_free(eval_template *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++) {
        free(t->parts[i].text);
        eval_expr_free(t->parts[i].expr);
    }
    free(t->parts);
    free(t);
}

static void template_add(eval_template *t, char *text, eval_expr *expr)
{
    t->parts = xrealloc(t->parts, (size_t)(t->n + 1) * sizeof *t->parts);
    t->parts[t->n++] = (template_part){ text, expr };
}

eval_template *eval_template_parse(const char *text, char *err, size_t errlen)
{
    eval_template *t = xcalloc(1, sizeof *t);
    const char *lit = text;
    for (const char *p = text; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            p++;
            continue;
        }
        if (p > lit)
            template_add(t, xstrndup(lit, (size_t)(p - lit)), NULL);
        char *src = xstrndup(p + 1, (size_t)(close - p - 1));
        char perr[256];
        eval_expr *x = eval_parse(src, perr, sizeof perr);
        if (!x) {
            snprintf(err, errlen, "{%s}: %s", src, perr);
            free(src);
            eval_template_free(t);
            return NULL;
        }
        free(src);
        template_add(t, NULL, x);
        p = lit = close + 1;
    }
    if (*lit)
        template_add(t, xstrdup(lit), NULL);
    return t;
}

int eval_template_check(const eval_template *t, const eval_env *env, char *err, size_t errlen)
{
    for (int i = 0; i < t->n; i++) {
        char cerr[256];
        if (t->parts[i].expr && eval_check(t->parts[i].expr, env, false, cerr, sizeof cerr) < 0) {
            snprintf(err, errlen, "{%s}: %s", t->parts[i].expr->text, cerr);
            return -1;
        }
    }
    return 0;
}

char *eval_template_render(const eval_template *t, const eval_env *env)
{
    size_t cap = 256, n = 0;
    char *out = xmalloc(cap);
    for (int i = 0; i < t->n; i++) {
        char *piece;
        if (t->parts[i].expr) {
            char err[256];
            eval_result r;
            if (eval_run(t->parts[i].expr, env, &r, err, sizeof err) == 0) {
                piece = eval_result_text(&env->mem, &r);
                eval_result_free(&r);
            } else {
                piece = xmalloc(strlen(t->parts[i].expr->text) + strlen(err) + 5);
                sprintf(piece, "{%s: %s}", t->parts[i].expr->text, err);
            }
        } else {
            piece = xstrdup(t->parts[i].text);
        }
        size_t len = strlen(piece);
        if (n + len + 2 > cap)
            out = xrealloc(out, cap = (n + len + 2) * 2);
        memcpy(out + n, piece, len);
        n += len;
        free(piece);
    }
    out[n++] = '\n';
    out[n] = 0;
    return out;
}
