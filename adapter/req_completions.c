/* completions in the debug console: after "x." the fields of x (through pointers) or, when x
 * names a package, its globals and functions; otherwise the frame's arguments and locals, its
 * package's globals and functions, and the builtins the expressions know. */
#include "session.h"
#include "alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    json_object *list;
    const char *partial;   /* what the user typed of the name */
    size_t plen;
    char **seen;
    int nseen, cap;
} targets;

static void add(targets *t, const char *label, const char *type)
{
    if (!label || !*label || strncmp(label, t->partial, t->plen) != 0 || strchr(label, '.') || label[0] == '~' ||
        strchr(label, '[') || strchr(label, '&'))
        return;
    for (int i = 0; i < t->nseen; i++)
        if (strcmp(t->seen[i], label) == 0)
            return;
    if (t->nseen == t->cap)
        t->seen = xrealloc(t->seen, sizeof *t->seen * (size_t)(t->cap = t->cap ? t->cap * 2 : 32));
    t->seen[t->nseen++] = xstrdup(label);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "label", json_object_new_string(label));
    json_object_object_add(o, "type", json_object_new_string(type));
    json_object_array_add(t->list, o);
}

/* Globals and functions of package pkg ("main", "example.com/m/pkg"), by their short names. */
static void package_members(session *s, targets *t, const char *pkg)
{
    size_t plen = strlen(pkg);
    const gobp_global *gl;
    int n = target_package_globals(s->target, pkg, &gl);
    for (int i = 0; i < n; i++)
        if (strncmp(gl[i].name, pkg, plen) == 0 && gl[i].name[plen] == '.')
            add(t, gl[i].name + plen + 1, "variable");
    char *prefix = xmalloc(plen + 2 + t->plen);
    memcpy(prefix, pkg, plen);
    prefix[plen] = '.';
    memcpy(prefix + plen + 1, t->partial, t->plen + 1);
    const gobp_func **fs;
    n = target_functions_prefixed(s->target, prefix, &fs);
    for (int i = 0; i < n; i++)
        add(t, fs[i]->name + plen + 1, "function");   /* methods and closures have a '.' more: left out */
    free(fs);
    free(prefix);
}

/* The fields of the value of expr (followed through pointers): 0, -1 when it has none. */
static int fields_of(session *s, targets *t, handle *frame, const char *expr)
{
    eval_result r;
    char err[256];
    if (target_evaluate(s->target, frame->goid, &frame->frame, expr, &r, err, sizeof err) < 0)
        return -1;
    int rc = -1;
    if (r.kind == EVAL_VALUE && r.value.type) {
        gobp_type *ty = r.value.type;
        while (ty && ty->kind == GOBP_KIND_PTR)
            ty = ty->elem;
        if (ty && ty->kind == GOBP_KIND_STRUCT) {
            for (int i = 0; i < ty->nfields; i++)
                add(t, ty->fields[i].name, "field");
            rc = 0;
        }
    }
    eval_result_free(&r);
    return rc;
}

DECLARE_REQUEST(req_completions)
{
    const char *text = dap_get_string(args, "text", "");
    int64_t column = dap_get_int(args, "column", (int64_t)strlen(text) + 1);
    size_t len = strlen(text), cut = column < 1 ? 0 : (size_t)column - 1;
    if (cut > len)
        cut = len;
    if (!s->client_columns_start_at1 && column >= 0)
        cut = (size_t)column > len ? len : (size_t)column;
    /* the name being typed ends at the cursor; an expression and a dot may come before it */
    size_t start = cut;
    while (start > 0 && (isalnum((unsigned char)text[start - 1]) || text[start - 1] == '_'))
        start--;
    char *partial = xstrndup(text + start, cut - start);
    targets t = { json_object_new_array(), partial, strlen(partial), NULL, 0, 0 };
    handle frame = { 0 };
    bool have_frame = session_frame_for_expression(s, args, &frame) && frame.frame.func;
    if (start > 0 && text[start - 1] == '.') {
        size_t b = start - 1;   /* the operand: identifiers, dots, and balanced brackets */
        int depth = 0;
        while (b > 0) {
            char c = text[b - 1];
            if (c == ']' || c == ')') depth++;
            else if ((c == '[' || c == '(') && depth > 0) depth--;
            else if (depth == 0 && !(isalnum((unsigned char)c) || c == '_' || c == '.' || c == '*'))
                break;
            b--;
        }
        char *operand = xstrndup(text + b, start - 1 - b);
        if (!have_frame || fields_of(s, &t, &frame, operand) < 0)
            package_members(s, &t, operand);   /* main.x, fmt.Sp... */
        free(operand);
    } else if (have_frame) {
        const gobp_var *vars;
        int n = target_frame_vars(s->target, &frame.frame, &vars);
        for (int i = n - 1; i >= 0; i--)
            add(&t, vars[i].name, "variable");
        char pkg[256];
        go_func_package(frame.frame.func->name, pkg, sizeof pkg);
        package_members(s, &t, pkg);
        static const char *const builtins[] = { "len", "cap", "nil", "true", "false" };
        for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
            add(&t, builtins[i], "keyword");
    }
    for (int i = 0; i < t.nseen; i++)
        free(t.seen[i]);
    free(t.seen);
    free(partial);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "targets", t.list);
    session_respond_ok(s, req, body);
}
