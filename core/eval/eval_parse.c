/* The expression parser: Go-like text compiled once, by recursive descent, to the tree of
 * eval_internal.h (names stay names: they are resolved when the tree is checked or run). */
#include "eval_internal.h"
#include "alloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const eval_binary_text[] = { "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||" };

void eval_node_free(eval_node *n)
{
    if (!n)
        return;
    eval_node_free(n->a);
    eval_node_free(n->b);
    for (int i = 0; i < n->nargs; i++)
        eval_node_free(n->args[i]);
    free(n->args);
    free(n->name);
    free(n->lit.s);
    free(n);
}

static eval_node *node_new(node_kind kind, eval_node *a, eval_node *b)
{
    eval_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->a = a;
    n->b = b;
    return n;
}

typedef struct {
    const char *p;
    char *err;
    size_t errlen;
    bool failed;
    bool after_mul;          /* the primary being parsed is the right operand of * / % */
    bool no_paths;           /* parsing a package path's other reading (a / b.c) */
} parser;

static eval_node *parse_or(parser *ps);

static void *parse_fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void *parse_fail(parser *ps, const char *fmt, ...)
{
    if (!ps->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
        ps->failed = true;
    }
    return NULL;
}

static void *unexpected(parser *ps)
{
    return *ps->p ? parse_fail(ps, "unexpected \"%s\"", ps->p) : parse_fail(ps, "unexpected end of expression");
}

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

static bool ident_char(char c, bool first)
{
    unsigned char u = (unsigned char)c;
    return isalpha(u) || c == '_' || c == '~' || u >= 0x80 || (!first && isdigit(u));
}

static size_t ident_len(const char *p)
{
    size_t n = 0;
    if (!ident_char(p[0], true))
        return 0;
    while (ident_char(p[n], false))
        n++;
    return n;
}

static eval_node *literal(eval_kind kind)
{
    eval_node *n = node_new(N_LITERAL, NULL, NULL);
    n->lit.kind = kind;
    return n;
}

static eval_node *parse_number(parser *ps)
{
    const char *s = ps->p;
    char *end;
    bool is_float = false;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    for (const char *q = s; isalnum((unsigned char)*q) || *q == '.'; q++)
        if (*q == '.' || (!hex && (*q == 'e' || *q == 'E')))
            is_float = true;
    eval_node *n;
    if (is_float) {
        n = literal(EVAL_FLOAT);
        n->lit.f = strtod(s, &end);
    } else {
        unsigned long long u = strtoull(s, &end, 0);
        n = literal(u > INT64_MAX ? EVAL_UINT : EVAL_INT);
        n->lit.i = (int64_t)u;
        n->lit.u = u;
    }
    if (end == s || ident_char(*end, false)) {
        size_t len = 0;
        while (isalnum((unsigned char)s[len]) || s[len] == '.' || s[len] == '_')
            len++;
        eval_node_free(n);
        return parse_fail(ps, "bad number \"%.*s\"", (int)len, s);
    }
    ps->p = end;
    return n;
}

static eval_node *parse_string(parser *ps)
{
    char quote = *ps->p++;
    size_t cap = 64, n = 0;
    char *buf = xmalloc(cap);
    while (*ps->p && *ps->p != quote) {
        char c = *ps->p++;
        if (c == '\\' && quote != '`' && *ps->p) {
            char e = *ps->p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
        }
        if (n + 2 > cap)
            buf = xrealloc(buf, cap *= 2);
        buf[n++] = c;
    }
    buf[n] = 0;
    if (*ps->p != quote) {
        free(buf);
        return parse_fail(ps, "unterminated %s literal", quote == '\'' ? "rune" : "string");
    }
    ps->p++;
    if (quote == '\'') {    /* a rune: its code point (UTF-8 decoded) */
        const unsigned char *u = (const unsigned char *)buf;
        int64_t r = u[0];
        if (u[0] >= 0xf0) r = ((u[0] & 7) << 18) | ((u[1] & 63) << 12) | ((u[2] & 63) << 6) | (u[3] & 63);
        else if (u[0] >= 0xe0) r = ((u[0] & 15) << 12) | ((u[1] & 63) << 6) | (u[2] & 63);
        else if (u[0] >= 0xc0) r = ((u[0] & 31) << 6) | (u[1] & 63);
        free(buf);
        eval_node *lit = literal(EVAL_INT);
        lit->lit.i = r;
        return lit;
    }
    eval_node *lit = literal(EVAL_STRING);
    lit->lit.s = buf;
    return lit;
}

/* "net/http.DefaultClient.Timeout", "example.com/mod/pkg.Limit" at p: names joined by '.' and
 * '/' without spaces, with a '.' after the last '/'. Its length, 0 when the text is not one. */
static size_t package_path_len(const char *p)
{
    size_t len = 0;
    if (!ident_char(p[0], true))
        return 0;
    while (ident_char(p[len], false) || ((p[len] == '.' || p[len] == '/') && ident_char(p[len + 1], true)))
        len++;
    const char *slash = memrchr(p, '/', len);
    if (!slash || !memchr(slash, '.', len - (size_t)(slash - p)))
        return 0;                 /* a.b or a/b: selectors, a division */
    if (p[len] == '[' || (p[len] == '.' && p[len + 1] == '('))
        return 0;                 /* a/b.c[i] is a / (b.c[i]): parenthesize a path to index it */
    return len;
}

static eval_node *parse_primary(parser *ps)
{
    skip_space(ps);
    bool after_mul = ps->after_mul;
    ps->after_mul = false;
    if (accept(ps, "(")) {
        eval_node *n = parse_or(ps);
        if (n && !accept(ps, ")")) {
            eval_node_free(n);
            return parse_fail(ps, "missing )");
        }
        return n;
    }
    if (isdigit((unsigned char)*ps->p) || (*ps->p == '.' && isdigit((unsigned char)ps->p[1])))
        return parse_number(ps);
    if (*ps->p == '"' || *ps->p == '\'' || *ps->p == '`')
        return parse_string(ps);
    size_t n = ident_len(ps->p);
    if (n == 0)
        return unexpected(ps);
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)n, ps->p);
    const char *after = ps->p + n;
    while (isspace((unsigned char)*after))
        after++;
    if ((strcmp(name, "len") == 0 || strcmp(name, "cap") == 0) && *after == '(') {
        ps->p = after + 1;
        eval_node *arg = parse_or(ps);
        if (!arg)
            return NULL;
        if (!accept(ps, ")")) {
            eval_node_free(arg);
            return parse_fail(ps, "missing ) after the argument of %s", name);
        }
        return node_new(name[0] == 'l' ? N_LEN : N_CAP, arg, NULL);
    }
    if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
        ps->p += n;
        eval_node *lit = literal(EVAL_BOOL);
        lit->lit.b = name[0] == 't';
        return lit;
    }
    if (strcmp(name, "nil") == 0) {
        ps->p += n;
        return literal(EVAL_NIL);
    }
    size_t path = after_mul || ps->no_paths ? 0 : package_path_len(ps->p);
    if (path) {
        eval_node *node = node_new(N_PATH, NULL, NULL);
        node->name = xstrndup(ps->p, path);
        char ignored[64];
        parser sub = { .p = node->name, .err = ignored, .errlen = sizeof ignored, .no_paths = true };
        node->a = parse_or(&sub);     /* a / b.c when a is a name in scope */
        ps->p += path;
        return node;
    }
    ps->p += n;
    eval_node *node = node_new(N_NAME, NULL, NULL);
    node->name = xstrdup(name);
    return node;
}

/* The type of x.(T): the text up to the matching ')'. */
static eval_node *parse_assert(parser *ps, eval_node *operand)
{
    const char *start = ps->p;
    int depth = 0;
    for (; *ps->p && (depth || *ps->p != ')'); ps->p++)
        depth += (*ps->p == '(' || *ps->p == '[' || *ps->p == '{') - (*ps->p == ')' || *ps->p == ']' || *ps->p == '}');
    const char *end = ps->p;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    while (start < end && isspace((unsigned char)*start))
        start++;
    if (!*ps->p || start == end) {
        eval_node_free(operand);
        return parse_fail(ps, *ps->p ? "missing the type in .(T)" : "missing ) after the type in .(T)");
    }
    ps->p++;
    eval_node *n = node_new(N_ASSERT, operand, NULL);
    n->name = xstrndup(start, (size_t)(end - start));
    return n;
}

/* The arguments of a call, after its '(': expressions separated by commas up to ')'. */
static eval_node *parse_call(parser *ps, eval_node *fn)
{
    eval_node *n = node_new(N_CALL, fn, NULL);
    skip_space(ps);
    if (accept(ps, ")"))
        return n;
    for (;;) {
        eval_node *arg = parse_or(ps);
        if (!arg) {
            eval_node_free(n);
            return NULL;
        }
        n->args = xrealloc(n->args, (size_t)(n->nargs + 1) * sizeof *n->args);
        n->args[n->nargs++] = arg;
        if (accept(ps, ")"))
            return n;
        if (!accept(ps, ",")) {
            eval_node_free(n);
            return parse_fail(ps, "missing , or ) in the arguments of a call");
        }
    }
}

static eval_node *parse_postfix(parser *ps)
{
    eval_node *n = parse_primary(ps);
    while (n) {
        skip_space(ps);
        if (ps->p[0] == '.' && ps->p[1] == '(') {
            ps->p += 2;
            n = parse_assert(ps, n);
        } else if (*ps->p == '.' && ident_len(ps->p + 1)) {
            size_t len = ident_len(ps->p + 1);
            n = node_new(N_FIELD, n, NULL);
            n->name = xstrndup(ps->p + 1, len);
            ps->p += 1 + len;
        } else if (*ps->p == '[') {
            ps->p++;
            eval_node *idx = parse_or(ps);
            if (!idx || !accept(ps, "]")) {
                eval_node_free(idx);
                eval_node_free(n);
                return parse_fail(ps, "missing ]");
            }
            n = node_new(N_INDEX, n, idx);
        } else if (*ps->p == '(') {
            ps->p++;
            n = parse_call(ps, n);
        } else {
            break;
        }
    }
    return n;
}

static eval_node *parse_unary(parser *ps)
{
    skip_space(ps);
    char op = *ps->p;
    if (op == '*' || op == '-' || op == '!' || op == '+') {
        ps->p++;
        eval_node *a = parse_unary(ps);
        if (!a)
            return NULL;
        eval_node *n = node_new(N_UNARY, a, NULL);
        n->op = op;
        return n;
    }
    return parse_postfix(ps);
}

/* One level of left-associative arithmetic: next (op next)* for op in ops. */
static eval_node *arith_level(parser *ps, const char *ops, eval_node *(*next)(parser *))
{
    eval_node *n = next(ps);
    while (n) {
        skip_space(ps);
        char op = *ps->p;
        if (!op || !strchr(ops, op) || ps->p[1] == '=' || (op == ps->p[1] && op != '-'))
            break;    /* not "*=", "&&"-like doubles or the end */
        ps->p++;
        ps->after_mul = op == '*' || op == '/' || op == '%';
        eval_node *b = next(ps);
        if (!b) {
            eval_node_free(n);
            return NULL;
        }
        n = node_new(N_BINARY, n, b);
        n->op = op == '+' ? B_ADD : op == '-' ? B_SUB : op == '*' ? B_MUL : op == '/' ? B_DIV : B_MOD;
    }
    return n;
}

static eval_node *parse_mul(parser *ps) { return arith_level(ps, "*/%", parse_unary); }
static eval_node *parse_add(parser *ps) { return arith_level(ps, "+-", parse_mul); }

static eval_node *parse_cmp(parser *ps)
{
    static const binary_op ops[] = { B_EQ, B_NE, B_LE, B_GE, B_LT, B_GT };
    eval_node *n = parse_add(ps);
    while (n) {
        skip_space(ps);
        size_t i = 0;
        while (i < sizeof ops / sizeof ops[0] && strncmp(ps->p, eval_binary_text[ops[i]], strlen(eval_binary_text[ops[i]])) != 0)
            i++;
        if (i == sizeof ops / sizeof ops[0])
            break;
        ps->p += strlen(eval_binary_text[ops[i]]);
        eval_node *b = parse_add(ps);
        if (!b) {
            eval_node_free(n);
            return NULL;
        }
        n = node_new(N_BINARY, n, b);
        n->op = ops[i];
    }
    return n;
}

static eval_node *logic_level(parser *ps, binary_op op, eval_node *(*next)(parser *))
{
    eval_node *n = next(ps);
    while (n && accept(ps, eval_binary_text[op])) {
        eval_node *b = next(ps);
        if (!b) {
            eval_node_free(n);
            return NULL;
        }
        n = node_new(N_BINARY, n, b);
        n->op = op;
    }
    return n;
}

static eval_node *parse_and(parser *ps) { return logic_level(ps, B_AND, parse_cmp); }
static eval_node *parse_or(parser *ps) { return logic_level(ps, B_OR, parse_and); }

/* "call f(x)", as Delve's console spells a call: the call without the word. */
static eval_node *parse_delve_call(const char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    if (strncmp(text, "call", 4) != 0 || !isspace((unsigned char)text[4]))
        return NULL;
    char ignored[64];
    parser ps = { .p = text + 5, .err = ignored, .errlen = sizeof ignored };
    eval_node *root = parse_or(&ps);
    if (root) {
        skip_space(&ps);
        if (*ps.p || root->kind != N_CALL) {
            eval_node_free(root);
            root = NULL;
        }
    }
    return root;
}

eval_expr *eval_parse(const char *text, char *err, size_t errlen)
{
    parser ps = { .p = text, .err = err, .errlen = errlen };
    eval_node *root = parse_delve_call(text);
    if (!root && (root = parse_or(&ps))) {
        skip_space(&ps);
        if (*ps.p) {
            eval_node_free(root);
            root = unexpected(&ps);
        }
    }
    if (!root)
        return NULL;
    eval_expr *e = xmalloc(sizeof *e);
    e->text = xstrdup(text);
    e->root = root;
    return e;
}

void eval_expr_free(eval_expr *e)
{
    if (!e)
        return;
    eval_node_free(e->root);
    free(e->text);
    free(e);
}

const char *eval_expr_text(const eval_expr *e) { return e->text; }

