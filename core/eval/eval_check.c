/* Checking a compiled expression against a scope without reading memory: the names it uses
 * exist, fields and indexes fit the static types, operators get operands they take, a
 * condition is a bool. What it lets through can still fail at run time (nil, out of range). */
#include "eval_internal.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the checker knows of a node's result: a category, and the program type when the
 * result is a program value whose type is known. */
typedef enum { C_UNKNOWN, C_NUM, C_STR, C_BOOL, C_NIL, C_OTHER } category;
typedef struct {
    category cat;
    gobp_type *type;
} shape;

static category category_of(const gobp_type *t)
{
    if (!t)
        return C_UNKNOWN;
    gobp_type_kind k = t->kind;
    if (gobp_kind_is_numeric(k))
        return C_NUM;
    return k == GOBP_KIND_BOOL ? C_BOOL : k == GOBP_KIND_STRING ? C_STR : C_OTHER;
}

static shape shape_of_type(gobp_type *t) { return (shape){ category_of(t), t }; }

static const char *category_name(shape s)
{
    if (s.type)
        return eval_type_name(s.type);
    static const char *const names[] = { "value", "number", "string", "bool", "nil", "value" };
    return names[s.cat];
}

static int check(eval_state *e, const eval_node *n, shape *out);

/* A name of the scope: 0 (its type in *out), 1 none. */
static int check_name(eval_state *e, const char *name, shape *out)
{
    char lerr[256];
    gobp_value v = { 0 };
    int rc = e->env->lookup(e->env->ctx, name, &v, lerr, sizeof lerr);
    *out = (shape){ C_UNKNOWN, NULL };
    if (rc > 0)
        return 1;
    if (rc == 0) {
        *out = shape_of_type(v.type);
        value_free(&v);
    }
    return 0;
}

static int check_field_of(eval_state *e, shape base, const char *field, shape *out)
{
    gobp_type *t = NULL;
    *out = (shape){ C_UNKNOWN, NULL };
    if (base.type) {
        if (!eval_static_field(base.type, field, 0, &t))
            return eval_fail(e, "%s has no field or method %s", eval_type_name(base.type), field);
        *out = shape_of_type(t);
    } else if (base.cat != C_UNKNOWN) {
        return eval_fail(e, "a %s has no field %s", category_name(base), field);
    }
    return 0;
}

static int check_global_path(eval_state *e, const char *path, shape *out)
{
    gobp_value v = { 0 };
    size_t end;
    if (eval_global_prefix(e->env, path, &v, &end) == 0) {
        *out = shape_of_type(v.type);
        value_free(&v);
        for (const char *p = path + end; *p == '.';) {
            size_t n = strcspn(p + 1, ".");
            char *field = xstrndup(p + 1, n);
            int rc = check_field_of(e, *out, field, out);
            free(field);
            if (rc < 0)
                return -1;
            p += 1 + n;
        }
        return 0;
    }
    return eval_fail(e, "could not find symbol value for %s", path);
}

static int check_index(eval_state *e, shape base, shape idx, shape *out)
{
    *out = (shape){ C_UNKNOWN, NULL };
    if (!base.type) {
        if (base.cat == C_STR)
            *out = (shape){ C_NUM, NULL };
        else if (base.cat != C_UNKNOWN)
            return eval_fail(e, "a %s cannot be indexed", category_name(base));
        return 0;
    }
    const gobp_type *t = eval_through_pointers(base.type);
    switch (t ? t->kind : GOBP_KIND_INVALID) {
    case GOBP_KIND_MAP:
        if (idx.cat != C_UNKNOWN && idx.cat != C_NUM && idx.cat != C_STR)
            return eval_fail(e, "a map key must be a string or an integer, not a %s", category_name(idx));
        if (t->key && idx.cat != C_UNKNOWN && category_of(t->key) != idx.cat &&
            (category_of(t->key) == C_STR || category_of(t->key) == C_NUM))
            return eval_fail(e, "%s has %s keys, not %s", eval_type_name(t), eval_type_name(t->key),
                        idx.cat == C_STR ? "strings" : "numbers");
        *out = shape_of_type(t->elem);
        return 0;
    case GOBP_KIND_SLICE:
    case GOBP_KIND_ARRAY:
    case GOBP_KIND_STRING:
        if (idx.cat != C_UNKNOWN && idx.cat != C_NUM)
            return eval_fail(e, "an index must be an integer, not a %s", category_name(idx));
        *out = t->kind == GOBP_KIND_STRING ? (shape){ C_NUM, NULL } : shape_of_type(t->elem);
        return 0;
    default:
        return eval_fail(e, "%s cannot be indexed", eval_type_name(base.type));
    }
}

static int check_length(eval_state *e, bool cap, shape arg)
{
    const char *fn = cap ? "cap" : "len";
    if (!arg.type)
        return arg.cat == C_UNKNOWN || (arg.cat == C_STR && !cap) ? 0
             : eval_fail(e, "invalid argument: a %s has no %s", category_name(arg), fn);
    switch (arg.type->kind) {
    case GOBP_KIND_ARRAY: case GOBP_KIND_SLICE: case GOBP_KIND_CHAN:
        return 0;
    case GOBP_KIND_STRING: case GOBP_KIND_MAP:
        if (!cap)
            return 0;
        /* fall through */
    default:
        return eval_fail(e, "invalid argument: %s has no %s", eval_type_name(arg.type), fn);
    }
}

static int check_unary(eval_state *e, char op, shape a, shape *out)
{
    *out = (shape){ C_UNKNOWN, NULL };
    if (op == '*') {
        if (a.type && a.type->kind == GOBP_KIND_PTR)
            *out = shape_of_type(a.type->elem);
        else if (a.type && a.type->kind != GOBP_KIND_INTERFACE)
            return eval_fail(e, "cannot dereference a %s", eval_type_name(a.type));
        else if (!a.type && a.cat != C_UNKNOWN)
            return eval_fail(e, "cannot dereference a %s", category_name(a));
        return 0;
    }
    category want = op == '!' ? C_BOOL : C_NUM;
    if (a.cat != C_UNKNOWN && a.cat != want)
        return eval_fail(e, "invalid operation: %c on a %s", op, category_name(a));
    out->cat = want;
    return 0;
}

static int check_binary(eval_state *e, binary_op op, shape a, shape b, shape *out)
{
    const char *text = eval_binary_text[op];
    *out = (shape){ op <= B_MOD ? C_NUM : C_BOOL, NULL };
    if (op == B_AND || op == B_OR) {
        if ((a.cat != C_UNKNOWN && a.cat != C_BOOL) || (b.cat != C_UNKNOWN && b.cat != C_BOOL))
            return eval_fail(e, "%s needs bools, not a %s", text, category_name(a.cat != C_BOOL && a.cat != C_UNKNOWN ? a : b));
        return 0;
    }
    if (op <= B_MOD) {
        if ((a.cat != C_UNKNOWN && a.cat != C_NUM) || (b.cat != C_UNKNOWN && b.cat != C_NUM))
            return eval_fail(e, "invalid operation: %s needs numbers, not a %s", text,
                        category_name(a.cat != C_NUM && a.cat != C_UNKNOWN ? a : b));
        return 0;
    }
    if (a.cat == C_NIL || b.cat == C_NIL) {
        shape v = a.cat == C_NIL ? b : a;
        if (op != B_EQ && op != B_NE)
            return eval_fail(e, "invalid comparison: %s with nil", text);
        if ((v.type && !gobp_kind_is_nilable(v.type->kind)) || (!v.type && v.cat != C_UNKNOWN && v.cat != C_NIL))
            return eval_fail(e, "invalid comparison: a %s is never nil", category_name(v));
        return 0;
    }
    if (a.cat == C_UNKNOWN || b.cat == C_UNKNOWN)
        return 0;
    if (eval_by_identity(a.type) && eval_by_identity(b.type) && a.type->kind == b.type->kind)
        return op == B_EQ || op == B_NE ? 0 : eval_fail(e, "invalid comparison: %s on a %s", text, category_name(a));
    if (a.cat == C_OTHER || b.cat == C_OTHER || a.cat != b.cat)
        return eval_fail(e, "invalid comparison: mismatched types %s and %s", category_name(a), category_name(b));
    if (a.cat == C_BOOL && op != B_EQ && op != B_NE)
        return eval_fail(e, "invalid comparison: %s on bools", text);
    return 0;
}

static int check(eval_state *e, const eval_node *n, shape *out)
{
    shape a, b;
    *out = (shape){ C_UNKNOWN, NULL };
    switch (n->kind) {
    case N_LITERAL:
        out->cat = n->lit.kind == EVAL_STRING ? C_STR : n->lit.kind == EVAL_BOOL ? C_BOOL
                 : n->lit.kind == EVAL_NIL ? C_NIL : C_NUM;
        return 0;
    case N_NAME:
        return check_name(e, n->name, out) > 0 ? eval_fail(e, "could not find symbol value for %s", n->name) : 0;
    case N_PATH: {
        char first[256];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(n->name, "/."), n->name);
        if (check_name(e, first, &a) == 0)
            return n->a ? check(e, n->a, out) : eval_fail(e, "could not find symbol value for %s", n->name);
        return check_global_path(e, n->name, out);
    }
    case N_FIELD:
        if (n->a->kind == N_NAME && check_name(e, n->a->name, &a) > 0) {
            char *full = xmalloc(strlen(n->a->name) + strlen(n->name) + 2);
            sprintf(full, "%s.%s", n->a->name, n->name);
            gobp_value v = { 0 };
            int rc = e->env->global(e->env->ctx, full, &v);
            free(full);
            if (rc != 0)
                return eval_fail(e, "could not find symbol value for %s", n->a->name);
            *out = shape_of_type(v.type);
            value_free(&v);
            return 0;
        }
        if (n->a->kind != N_NAME && check(e, n->a, &a) < 0)
            return -1;
        return check_field_of(e, a, n->name, out);
    case N_INDEX:
        if (check(e, n->a, &a) < 0 || check(e, n->b, &b) < 0)
            return -1;
        return check_index(e, a, b, out);
    case N_ASSERT: {
        if (check(e, n->a, &a) < 0)
            return -1;
        gobp_type *t = e->env->type_named(e->env->ctx, n->name);
        if (!t)
            return eval_fail(e, "no type %s in this program", n->name);
        if (a.type ? a.type->kind != GOBP_KIND_INTERFACE : a.cat != C_UNKNOWN)
            return eval_fail(e, "x.(%s) needs an interface value, not a %s", n->name, category_name(a));
        *out = shape_of_type(t);
        return 0;
    }
    case N_LEN:
    case N_CAP:
        if (check(e, n->a, &a) < 0 || check_length(e, n->kind == N_CAP, a) < 0)
            return -1;
        out->cat = C_NUM;
        return 0;
    case N_UNARY:
        return check(e, n->a, &a) < 0 ? -1 : check_unary(e, (char)n->op, a, out);
    case N_BINARY:
        if (check(e, n->a, &a) < 0 || check(e, n->b, &b) < 0)
            return -1;
        return check_binary(e, n->op, a, b, out);
    case N_CALL:   /* the results' types are the callee's: known only when it runs */
        if (!e->env->call)
            return eval_fail(e, EVAL_NO_CALLS, n->a->kind == N_NAME || n->a->kind == N_PATH ? n->a->name
                                               : n->a->kind == N_FIELD ? n->a->name : "a function value");
        for (int i = 0; i < n->nargs; i++)
            if (check(e, n->args[i], &a) < 0)
                return -1;
        return 0;
    }
    return 0;
}

int eval_check(const eval_expr *x, const eval_env *env, bool want_bool, char *err, size_t errlen)
{
    eval_state e = { .env = env, .err = err, .errlen = errlen };
    shape s;
    if (check(&e, x->root, &s) < 0)
        return -1;
    if (want_bool && s.cat != C_BOOL && s.cat != C_UNKNOWN) {
        snprintf(err, errlen, "not a bool but a %s", category_name(s));
        return -1;
    }
    return 0;
}

