/* A recursive-descent evaluator for Go-like expressions over a stopped (or trapped) frame:
 * names, selectors, indexes, derefs, len/cap, literals, arithmetic, comparisons and logic.
 * Program values stay gobp_values until an operator needs their scalar. */
#include "eval.h"
#include "target_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const eval_scope *scope;
    const char *p;
    char *err;
    size_t errlen;
    bool failed;
} parser;

static int parse_or(parser *ps, eval_result *out);

static int fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *ps, const char *fmt, ...)
{
    if (!ps->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
        ps->failed = true;
    }
    return -1;
}

void eval_result_free(eval_result *r)
{
    if (r->kind == EVAL_VALUE)
        value_free(&r->value);
    free(r->s);
    memset(r, 0, sizeof *r);
}

static gobp_memview memview(parser *ps) { return target_memview(ps->scope->t); }

static void skip_space(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static bool accept(parser *ps, const char *tok)
{
    skip_space(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static size_t ident_len(const char *p)
{
    size_t n = 0;
    if (!isalpha((unsigned char)p[0]) && p[0] != '_' && p[0] != '~' && (unsigned char)p[0] < 0x80)
        return 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '~' || (unsigned char)p[n] >= 0x80)
        n++;
    return n;
}

/* ---- program values as scalars ---- */

static bool value_is_nil(parser *ps, const gobp_value *v, bool *is_nil)
{
    gobp_memview mv = memview(ps);
    uint64_t w = 0;
    switch (v->type ? v->type->kind : GOBP_KIND_INVALID) {
    case GOBP_KIND_PTR: case GOBP_KIND_UNSAFEPTR: case GOBP_KIND_MAP: case GOBP_KIND_CHAN:
    case GOBP_KIND_FUNC: case GOBP_KIND_SLICE: case GOBP_KIND_INTERFACE:
        if (value_read_word(&mv, v, 0, 8, &w) < 0)
            return false;
        *is_nil = w == 0;
        return true;
    default:
        return false;
    }
}

/* Turns a program value into a computed scalar when it is one (ints, floats, bools, strings). */
static int to_scalar(parser *ps, eval_result *r)
{
    if (r->kind != EVAL_VALUE)
        return 0;
    gobp_memview mv = memview(ps);
    gobp_value *v = &r->value;
    if (v->unreadable)
        return fail(ps, "the value is not available here (optimized out or not yet set)");
    gobp_type_kind k = v->type ? v->type->kind : GOBP_KIND_INVALID;
    eval_result s = { 0 };
    if (k >= GOBP_KIND_INT && k <= GOBP_KIND_INT64) {
        s.kind = EVAL_INT;
        if (value_int(&mv, v, &s.i) < 0)
            return fail(ps, "unreadable integer");
    } else if ((k >= GOBP_KIND_UINT && k <= GOBP_KIND_UINTPTR)) {
        s.kind = EVAL_UINT;
        if (value_uint(&mv, v, &s.u) < 0)
            return fail(ps, "unreadable integer");
    } else if (k == GOBP_KIND_FLOAT32 || k == GOBP_KIND_FLOAT64) {
        s.kind = EVAL_FLOAT;
        if (value_float(&mv, v, &s.f) < 0)
            return fail(ps, "unreadable float");
    } else if (k == GOBP_KIND_BOOL) {
        unsigned char b;
        if (value_read(&mv, v, 0, &b, 1) < 0)
            return fail(ps, "unreadable bool");
        s.kind = EVAL_BOOL;
        s.b = b != 0;
    } else if (k == GOBP_KIND_STRING) {
        size_t len;
        s.kind = EVAL_STRING;
        s.s = value_string(&mv, v, 1 << 20, &len);
        if (!s.s)
            return fail(ps, "unreadable string");
    } else {
        return 0;   /* stays a program value (pointers, structs, ...) */
    }
    eval_result_free(r);
    *r = s;
    return 0;
}

/* ---- primary expressions ---- */

static int lookup(parser *ps, const char *name, eval_result *out)
{
    const eval_scope *sc = ps->scope;
    gobp_binary *bin = target_binary(sc->t);
    const gobp_frame *fr = sc->frame;
    memset(out, 0, sizeof *out);
    out->kind = EVAL_VALUE;
    if (fr && fr->func) {
        const gobp_var *vars;
        uint64_t pc = fr->lookup_pc;
        int n = binary_func_vars(bin, fr->func, pc, &vars);
        for (int i = n - 1; i >= 0; i--)
            if (strcmp(vars[i].name, name) == 0)
                return target_frame_var(sc->t, sc->goid, fr, &vars[i], &out->value) < 0
                           ? fail(ps, "cannot read %s", name) : 0;
        char pkg[256], full[600];
        go_func_package(fr->func->name, pkg, sizeof pkg);
        snprintf(full, sizeof full, "%s.%s", pkg, name);
        const gobp_global *g = binary_global(bin, full);
        if (g) {
            out->value = value_at(g->type, g->addr);
            return 0;
        }
    }
    const gobp_global *g = binary_global(bin, name);
    if (g) {
        out->value = value_at(g->type, g->addr);
        return 0;
    }
    return 1;   /* not found */
}

/* A package-qualified global: "io.EOF", "net/http.DefaultClient". */
static int qualified_global(parser *ps, eval_result *out)
{
    const char *start = ps->p;
    const char *q = start;
    while (*q && (isalnum((unsigned char)*q) || *q == '_' || *q == '/' || *q == '.' || (unsigned char)*q >= 0x80))
        q++;
    /* try the longest "pkg.Name" prefix that is a global */
    for (const char *end = q; end > start; end--) {
        if (*end && *end != '.' && end != q)
            continue;
        char name[512];
        snprintf(name, sizeof name, "%.*s", (int)(end - start), start);
        if (!strchr(name, '.'))
            break;
        const gobp_global *g = binary_global(target_binary(ps->scope->t), name);
        if (g) {
            memset(out, 0, sizeof *out);
            out->kind = EVAL_VALUE;
            out->value = value_at(g->type, g->addr);
            ps->p = end;
            return 0;
        }
    }
    return 1;
}

static int length_of(parser *ps, eval_result *arg, bool cap, eval_result *out)
{
    if (arg->kind == EVAL_STRING && !cap) {
        *out = (eval_result){ .kind = EVAL_INT, .i = (int64_t)strlen(arg->s) };
        return 0;
    }
    if (arg->kind != EVAL_VALUE || !arg->value.type)
        return fail(ps, "invalid argument for %s", cap ? "cap" : "len");
    gobp_memview mv = memview(ps);
    gobp_value *v = &arg->value;
    uint64_t n = 0;
    switch (v->type->kind) {
    case GOBP_KIND_ARRAY:
        n = (uint64_t)v->type->len;
        break;
    case GOBP_KIND_SLICE:
        if (value_read_word(&mv, v, cap ? 16 : 8, 8, &n) < 0)
            return fail(ps, "unreadable slice");
        break;
    case GOBP_KIND_STRING:
        if (cap || value_read_word(&mv, v, 8, 8, &n) < 0)
            return fail(ps, "invalid argument for cap");
        break;
    case GOBP_KIND_MAP: {
        int64_t m = value_map_len(&mv, v);
        if (cap || m < 0)
            return fail(ps, "invalid argument for %s", cap ? "cap" : "len");
        n = (uint64_t)m;
        break;
    }
    case GOBP_KIND_CHAN: {
        uint64_t hchan = 0;
        if (value_read_word(&mv, v, 0, 8, &hchan) < 0 || !v->type->runtime)
            return fail(ps, "unreadable channel");
        if (hchan) {
            gobp_value h = value_at(v->type->runtime, hchan);
            if (value_field_word(&mv, &h, cap ? "dataqsiz" : "qcount", 0, &n) < 0)
                return fail(ps, "unreadable channel");
        }
        break;
    }
    default:
        return fail(ps, "invalid argument: %s has no %s", v->type->name, cap ? "cap" : "len");
    }
    *out = (eval_result){ .kind = EVAL_INT, .i = (int64_t)n };
    return 0;
}

static int parse_number(parser *ps, eval_result *out)
{
    char *end;
    const char *s = ps->p;
    memset(out, 0, sizeof *out);
    bool is_float = false;
    for (const char *q = s; isalnum((unsigned char)*q) || *q == '.'; q++)
        if (*q == '.' || ((*q == 'e' || *q == 'E') && !(s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))))
            is_float = true;
    if (is_float) {
        out->kind = EVAL_FLOAT;
        out->f = strtod(s, &end);
    } else {
        out->kind = EVAL_INT;
        unsigned long long u = strtoull(s, &end, 0);
        out->i = (int64_t)u;
        if (u > INT64_MAX) {
            out->kind = EVAL_UINT;
            out->u = u;
        }
    }
    if (end == s)
        return fail(ps, "bad number");
    ps->p = end;
    return 0;
}

static int parse_string(parser *ps, eval_result *out)
{
    char quote = *ps->p++;
    size_t cap = 64, n = 0;
    char *buf = malloc(cap);
    while (*ps->p && *ps->p != quote) {
        char c = *ps->p++;
        if (c == '\\' && *ps->p) {
            char e = *ps->p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
        }
        if (n + 2 > cap)
            buf = realloc(buf, cap *= 2);
        buf[n++] = c;
    }
    buf[n] = 0;
    if (*ps->p != quote) {
        free(buf);
        return fail(ps, "unterminated literal");
    }
    ps->p++;
    memset(out, 0, sizeof *out);
    if (quote == '\'') {    /* a rune: its code point (UTF-8 decoded) */
        const unsigned char *u = (const unsigned char *)buf;
        int64_t r = u[0];
        if (u[0] >= 0xf0) r = ((u[0] & 7) << 18) | ((u[1] & 63) << 12) | ((u[2] & 63) << 6) | (u[3] & 63);
        else if (u[0] >= 0xe0) r = ((u[0] & 15) << 12) | ((u[1] & 63) << 6) | (u[2] & 63);
        else if (u[0] >= 0xc0) r = ((u[0] & 31) << 6) | (u[1] & 63);
        free(buf);
        out->kind = EVAL_INT;
        out->i = r;
        return 0;
    }
    out->kind = EVAL_STRING;
    out->s = buf;
    return 0;
}

static int parse_primary(parser *ps, eval_result *out)
{
    skip_space(ps);
    memset(out, 0, sizeof *out);
    if (accept(ps, "(")) {
        if (parse_or(ps, out) < 0)
            return -1;
        return accept(ps, ")") ? 0 : fail(ps, "missing )");
    }
    if (isdigit((unsigned char)*ps->p) || (*ps->p == '.' && isdigit((unsigned char)ps->p[1])))
        return parse_number(ps, out);
    if (*ps->p == '"' || *ps->p == '\'' || *ps->p == '`')
        return parse_string(ps, out);
    size_t n = ident_len(ps->p);
    if (n == 0)
        return fail(ps, "unexpected \"%s\"", *ps->p ? ps->p : "end of expression");
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)n, ps->p);
    const char *after = ps->p + n;
    while (isspace((unsigned char)*after))
        after++;
    if ((strcmp(name, "len") == 0 || strcmp(name, "cap") == 0) && *after == '(') {
        ps->p = after + 1;
        eval_result arg;
        if (parse_or(ps, &arg) < 0)
            return -1;
        int rc = accept(ps, ")") ? length_of(ps, &arg, name[0] == 'c', out) : fail(ps, "missing )");
        eval_result_free(&arg);
        return rc;
    }
    if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
        ps->p += n;
        *out = (eval_result){ .kind = EVAL_BOOL, .b = name[0] == 't' };
        return 0;
    }
    if (strcmp(name, "nil") == 0) {
        ps->p += n;
        out->kind = EVAL_NIL;
        return 0;
    }
    int rc = lookup(ps, name, out);
    if (rc <= 0) {
        if (rc == 0)
            ps->p += n;
        return rc;
    }
    if (qualified_global(ps, out) == 0)
        return 0;
    return fail(ps, "could not find symbol value for %s", name);
}

/* ---- postfix: .field, [index] ---- */

static int parse_postfix(parser *ps, eval_result *out)
{
    if (parse_primary(ps, out) < 0)
        return -1;
    gobp_memview mv = memview(ps);
    for (;;) {
        skip_space(ps);
        gobp_value next = { 0 };
        if (*ps->p == '.' && ident_len(ps->p + 1)) {
            ps->p++;
            size_t n = ident_len(ps->p);
            char field[256];
            snprintf(field, sizeof field, "%.*s", (int)n, ps->p);
            ps->p += n;
            if (out->kind != EVAL_VALUE || value_field(&mv, &out->value, field, &next) < 0)
                return fail(ps, "%s has no field or method %s",
                            out->kind == EVAL_VALUE && out->value.type ? out->value.type->name : "this value", field);
        } else if (*ps->p == '[') {
            ps->p++;
            eval_result idx;
            if (parse_or(ps, &idx) < 0)
                return -1;
            if (!accept(ps, "]")) {
                eval_result_free(&idx);
                return fail(ps, "missing ]");
            }
            if (out->kind == EVAL_STRING && idx.kind == EVAL_INT) {
                if (idx.i < 0 || (size_t)idx.i >= strlen(out->s))
                    return fail(ps, "index %lld out of range", (long long)idx.i);
                uint64_t byte = (unsigned char)out->s[idx.i];
                eval_result_free(out);
                *out = (eval_result){ .kind = EVAL_UINT, .u = byte };
                continue;
            }
            if (to_scalar(ps, &idx) < 0 || out->kind != EVAL_VALUE)
                return fail(ps, "this value cannot be indexed");
            int rc;
            if (out->value.type && out->value.type->kind == GOBP_KIND_MAP)
                rc = idx.kind == EVAL_STRING ? value_map_lookup_string(&mv, &out->value, idx.s, &next)
                     : idx.kind == EVAL_INT ? value_map_lookup_int(&mv, &out->value, idx.i, &next)
                     : idx.kind == EVAL_UINT ? value_map_lookup_int(&mv, &out->value, (int64_t)idx.u, &next) : -1;
            else
                rc = idx.kind == EVAL_INT || idx.kind == EVAL_UINT
                         ? value_index(&mv, &out->value, idx.kind == EVAL_INT ? idx.i : (int64_t)idx.u, &next) : -1;
            if (rc < 0) {
                int r = idx.kind == EVAL_STRING ? fail(ps, "key \"%s\" not found", idx.s)
                        : fail(ps, "index %lld out of range or not indexable", (long long)idx.i);
                eval_result_free(&idx);
                return r;
            }
            eval_result_free(&idx);
        } else {
            return 0;
        }
        value_free(&out->value);
        out->value = next;
    }
}

/* ---- unary ---- */

static int parse_unary(parser *ps, eval_result *out)
{
    skip_space(ps);
    if (*ps->p == '*' || *ps->p == '-' || *ps->p == '!' || *ps->p == '+') {
        char op = *ps->p++;
        if (parse_unary(ps, out) < 0)
            return -1;
        if (op == '*') {
            gobp_memview mv = memview(ps);
            gobp_value d;
            if (out->kind != EVAL_VALUE || value_deref(&mv, &out->value, &d) < 0)
                return fail(ps, "cannot dereference this value (nil or not a pointer)");
            value_free(&out->value);
            out->value = d;
            return 0;
        }
        if (to_scalar(ps, out) < 0)
            return -1;
        if (op == '!' && out->kind == EVAL_BOOL)
            out->b = !out->b;
        else if (op == '-' && out->kind == EVAL_INT)
            out->i = -out->i;
        else if (op == '-' && out->kind == EVAL_FLOAT)
            out->f = -out->f;
        else if (op == '-' && out->kind == EVAL_UINT)
            out->u = -out->u;
        else if (op != '+')
            return fail(ps, "invalid operation: %c on this value", op);
        return 0;
    }
    return parse_postfix(ps, out);
}

/* ---- binary operators ---- */

static double as_double(const eval_result *r)
{
    return r->kind == EVAL_FLOAT ? r->f : r->kind == EVAL_UINT ? (double)r->u : (double)r->i;
}

static bool numeric(const eval_result *r)
{
    return r->kind == EVAL_INT || r->kind == EVAL_UINT || r->kind == EVAL_FLOAT;
}

static int arith(parser *ps, char op, eval_result *a, eval_result *b)
{
    if (to_scalar(ps, a) < 0 || to_scalar(ps, b) < 0)
        return -1;
    if (!numeric(a) || !numeric(b))
        return fail(ps, "invalid operation: %c needs numbers", op);
    if (a->kind == EVAL_FLOAT || b->kind == EVAL_FLOAT) {
        double x = as_double(a), y = as_double(b);
        a->kind = EVAL_FLOAT;
        a->f = op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : op == '/' ? x / y : fmod(x, y);
        return 0;
    }
    __int128 x = a->kind == EVAL_UINT ? (__int128)a->u : a->i, y = b->kind == EVAL_UINT ? (__int128)b->u : b->i;
    if ((op == '/' || op == '%') && y == 0)
        return fail(ps, "division by zero");
    __int128 r = op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : op == '/' ? x / y : x % y;
    a->kind = EVAL_INT;
    a->i = (int64_t)r;
    return 0;
}

static int compare(parser *ps, const char *op, eval_result *a, eval_result *b)
{
    int cmp = 0;
    bool ordered = true;
    if (a->kind == EVAL_NIL || b->kind == EVAL_NIL) {
        eval_result *v = a->kind == EVAL_NIL ? b : a;
        bool is_nil = true;
        if (v->kind != EVAL_NIL && (v->kind != EVAL_VALUE || !value_is_nil(ps, &v->value, &is_nil)))
            return fail(ps, "invalid comparison with nil");
        cmp = is_nil ? 0 : 1;
        ordered = false;
    } else {
        if (to_scalar(ps, a) < 0 || to_scalar(ps, b) < 0)
            return -1;
        if (numeric(a) && numeric(b)) {
            if (a->kind == EVAL_FLOAT || b->kind == EVAL_FLOAT) {
                double x = as_double(a), y = as_double(b);
                cmp = x < y ? -1 : x > y;
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
            return fail(ps, "invalid comparison: mismatched types");
        }
    }
    if (!ordered && op[0] != '=' && op[0] != '!')
        return fail(ps, "invalid comparison: %s is not defined here", op);
    bool r = strcmp(op, "==") == 0 ? cmp == 0 : strcmp(op, "!=") == 0 ? cmp != 0 : strcmp(op, "<") == 0 ? cmp < 0
           : strcmp(op, "<=") == 0 ? cmp <= 0 : strcmp(op, ">") == 0 ? cmp > 0 : cmp >= 0;
    eval_result_free(a);
    *a = (eval_result){ .kind = EVAL_BOOL, .b = r };
    return 0;
}

/* One level of left-associative arithmetic: next (op next)* for op in ops. */
static int arith_level(parser *ps, eval_result *out, const char *ops, int (*next)(parser *, eval_result *))
{
    if (next(ps, out) < 0)
        return -1;
    for (;;) {
        skip_space(ps);
        char op = *ps->p;
        if (!op || !strchr(ops, op) || ps->p[1] == '=' || (op == ps->p[1] && op != '-'))
            return 0;    /* not "*=", "&&"-like doubles or the end */
        ps->p++;
        eval_result b;
        if (next(ps, &b) < 0)
            return -1;
        int rc = arith(ps, op, out, &b);
        eval_result_free(&b);
        if (rc < 0)
            return -1;
    }
}

static int parse_mul(parser *ps, eval_result *out) { return arith_level(ps, out, "*/%", parse_unary); }
static int parse_add(parser *ps, eval_result *out) { return arith_level(ps, out, "+-", parse_mul); }

static int parse_cmp(parser *ps, eval_result *out)
{
    if (parse_add(ps, out) < 0)
        return -1;
    static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
    skip_space(ps);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strncmp(ps->p, ops[i], strlen(ops[i])) == 0) {
            ps->p += strlen(ops[i]);
            eval_result b;
            if (parse_add(ps, &b) < 0)
                return -1;
            int rc = compare(ps, ops[i], out, &b);
            eval_result_free(&b);
            return rc;
        }
    }
    return 0;
}

static int logic(parser *ps, const char *op, int (*next)(parser *, eval_result *), eval_result *out)
{
    if (next(ps, out) < 0)
        return -1;
    while (accept(ps, op)) {
        eval_result b;
        if (to_scalar(ps, out) < 0 || out->kind != EVAL_BOOL)
            return fail(ps, "%s needs bools", op);
        if (next(ps, &b) < 0 || to_scalar(ps, &b) < 0)
            return -1;
        if (b.kind != EVAL_BOOL)
            return fail(ps, "%s needs bools", op);
        out->b = op[0] == '&' ? out->b && b.b : out->b || b.b;
        eval_result_free(&b);
    }
    return 0;
}

static int parse_and(parser *ps, eval_result *out) { return logic(ps, "&&", parse_cmp, out); }
static int parse_or(parser *ps, eval_result *out) { return logic(ps, "||", parse_and, out); }

int eval_expression(const eval_scope *scope, const char *expr, eval_result *out, char *err, size_t errlen)
{
    parser ps = { .scope = scope, .p = expr, .err = err, .errlen = errlen };
    memset(out, 0, sizeof *out);
    if (parse_or(&ps, out) < 0) {
        eval_result_free(out);
        return -1;
    }
    skip_space(&ps);
    if (*ps.p) {
        eval_result_free(out);
        snprintf(err, errlen, "cannot evaluate \"%s\": unexpected \"%s\"", expr, ps.p);
        return -1;
    }
    return 0;
}

int eval_truth(gobp_target *t, const eval_result *r, char *err, size_t errlen)
{
    if (r->kind == EVAL_BOOL)
        return r->b;
    if (r->kind == EVAL_VALUE && r->value.type && r->value.type->kind == GOBP_KIND_BOOL) {
        gobp_memview mv = target_memview(t);
        unsigned char b = 0;
        if (value_read(&mv, &r->value, 0, &b, 1) < 0) {
            snprintf(err, errlen, "the condition's value is unreadable");
            return -1;
        }
        return b != 0;
    }
    snprintf(err, errlen, "the condition is not a bool");
    return -1;
}

char *eval_result_text(gobp_target *t, const eval_result *r)
{
    char buf[64];
    switch (r->kind) {
    case EVAL_VALUE: {
        gobp_memview mv = target_memview(t);
        return r->value.unreadable ? strdup("<optimized out or not yet set>") : value_format(&mv, &r->value, &gobp_format_default);
    }
    case EVAL_INT: snprintf(buf, sizeof buf, "%lld", (long long)r->i); break;
    case EVAL_UINT: snprintf(buf, sizeof buf, "%llu", (unsigned long long)r->u); break;
    case EVAL_FLOAT: go_format_float(r->f, 64, buf, sizeof buf); break;
    case EVAL_BOOL: return strdup(r->b ? "true" : "false");
    case EVAL_NIL: return strdup("nil");
    case EVAL_STRING: {
        char *out = malloc(strlen(r->s) * 4 + 3);
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
    return strdup(buf);
}

char *eval_result_type(gobp_target *t, const eval_result *r)
{
    static const char *const names[] = { [EVAL_INT] = "int", [EVAL_UINT] = "uint", [EVAL_FLOAT] = "float64",
                                         [EVAL_BOOL] = "bool", [EVAL_STRING] = "string", [EVAL_NIL] = "nil" };
    if (r->kind == EVAL_VALUE) {
        gobp_memview mv = target_memview(t);
        return r->value.type ? value_type_name(&mv, &r->value) : strdup("");
    }
    return strdup(names[r->kind]);
}

int target_evaluate(gobp_target *t, int64_t goid, const gobp_frame *fr, const char *expr, eval_result *out,
                    char *err, size_t errlen)
{
    eval_scope scope = { .t = t, .goid = goid, .frame = fr };
    return eval_expression(&scope, expr, out, err, errlen);
}
