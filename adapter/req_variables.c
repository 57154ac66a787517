/* Values in the editor: variables (scopes and expandable values, paged with
 * filter/start/count) and evaluate of a variable, field path, index or deref
 * (p.Name, pp.Home.City, s[3], m["k"], *ptr, main.counter). */
#include "alloc.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_indexed(const gobp_value *v)
{
    return v->type && (v->type->kind == GOBP_KIND_SLICE || v->type->kind == GOBP_KIND_ARRAY);
}

/* The memoryReference of a value: where a pointer points (nil: none), else where the value
 * itself is in memory (none for values held in registers or made by the debugger). */
static uint64_t memory_of(const gobp_memview *mv, const gobp_value *v)
{
    int64_t p;
    if (v->unreadable || !v->type)
        return 0;
    if (v->type->kind == GOBP_KIND_PTR)
        return value_int(mv, v, &p) == 0 ? (uint64_t)p : 0;
    return v->bytes ? 0 : v->addr;
}

/* A DAP Variable for value v (ownership of v passes to the handle table when expandable). */
static json_object *variable_json(session *s, const char *name, gobp_value *v, const char *eval_name,
                                  const char *value_key)
{
    gobp_memview mv = target_memview(s->target);
    uint64_t mem = memory_of(&mv, v);   /* before v is handed to the handle table */
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(name));
    char *text = v->unreadable ? xstrdup("<optimized out or not yet set>") : value_format(&mv, v, &gobp_format_default);
    char *type = v->type ? value_type_name(&mv, v) : xstrdup("");
    json_object_object_add(o, value_key, json_object_new_string(text ? text : "<unreadable>"));
    json_object_object_add(o, "type", json_object_new_string(type ? type : ""));
    free(text);
    free(type);
    int children = v->unreadable ? 0 : value_child_count(&mv, v);
    int ref = 0;
    if (children > 0) {
        handle h = { .kind = HANDLE_VALUE, .value = *v, .eval_name = eval_name ? xstrdup(eval_name) : NULL };
        ref = handles_add(&s->handles, h);
        if (is_indexed(v))
            json_object_object_add(o, "indexedVariables", json_object_new_int(children));
    } else {
        value_free(v);
    }
    json_object_object_add(o, "variablesReference", json_object_new_int(ref));
    if (mem)
        json_object_object_add(o, "memoryReference", session_address_json(mem));
    if (eval_name)
        json_object_object_add(o, "evaluateName", json_object_new_string(eval_name));
    return o;
}

static void frame_vars(session *s, handle *h, bool params, json_object *list)
{
    const gobp_var *vars;
    int n = target_frame_vars(s->target, &h->frame, &vars);
    handle frame = *h;
    for (int i = 0; i < n; i++) {
        bool is_arg = vars[i].is_param || vars[i].is_result;
        if (is_arg != params)
            continue;
        gobp_value v;
        if (target_frame_var(s->target, frame.goid, &frame.frame, &vars[i], &v) < 0)
            v = (gobp_value){ .type = vars[i].type, .unreadable = true };
        json_object_array_add(list, variable_json(s, vars[i].name, &v, vars[i].name, "value"));
    }
}

/* The results of the function a step came back from (names as it names them, ~r0 unnamed). */
static void return_vars(session *s, handle *h, json_object *list)
{
    const char *func;
    const char *const *names;
    const gobp_value *vals;
    int n = target_return_values(s->target, h->goid, h->frame.pc, &func, &names, &vals);
    for (int i = 0; i < n; i++) {
        gobp_value v = value_copy(&vals[i]);
        json_object_array_add(list, variable_json(s, names[i], &v, NULL, "value"));
    }
}

static void global_vars(session *s, const char *pkg, json_object *list)
{
    const gobp_global *gl;
    int n = target_package_globals(s->target, pkg, &gl);
    size_t plen = strlen(pkg);
    for (int i = 0; i < n; i++) {
        gobp_value v = value_at(gl[i].type, gl[i].addr);
        const char *short_name = strncmp(gl[i].name, pkg, plen) == 0 && gl[i].name[plen] == '.' ? gl[i].name + plen + 1 : gl[i].name;
        json_object_array_add(list, variable_json(s, short_name, &v, gl[i].name, "value"));
    }
}

static char *child_eval_name(const char *parent, const gobp_value *pv, const char *child)
{
    if (!parent)
        return NULL;
    char *out = NULL;
    gobp_type_kind k = pv->type ? pv->type->kind : GOBP_KIND_INVALID;
    if (k == GOBP_KIND_SLICE || k == GOBP_KIND_ARRAY || k == GOBP_KIND_MAP)
        asprintf(&out, child[0] == '[' ? "%s%s" : "%s[%s]", parent, child);
    else if (k == GOBP_KIND_PTR && child[0] == 0)
        asprintf(&out, "(*%s)", parent);
    else if (k == GOBP_KIND_STRUCT || k == GOBP_KIND_PTR)
        asprintf(&out, "%s.%s", parent, child);
    return out;
}

static void value_vars(session *s, handle *h, const char *filter, int64_t start, int64_t count, json_object *list)
{
    gobp_memview mv = target_memview(s->target);
    gobp_value parent = value_copy(&h->value);
    char *parent_name = h->eval_name ? xstrdup(h->eval_name) : NULL;
    bool indexed = is_indexed(&parent);
    if (filter && ((strcmp(filter, "named") == 0 && indexed) || (strcmp(filter, "indexed") == 0 && !indexed))) {
        value_free(&parent);
        free(parent_name);
        return;
    }
    int total = value_child_count(&mv, &parent);
    if (count <= 0 || start + count > total)
        count = total - start;
    if (count <= 0) {
        value_free(&parent);
        free(parent_name);
        return;
    }
    gobp_child *children = xcalloc((size_t)count, sizeof *children);
    int n = value_children(&mv, &parent, (int)start, (int)count, children);
    for (int i = 0; i < n; i++) {
        char *eval = child_eval_name(parent_name, &parent, children[i].name);
        const char *name = children[i].name[0] ? children[i].name : "";
        char *display = NULL;
        if (!name[0] && parent_name)
            asprintf(&display, "*%s", parent_name);
        json_object_array_add(list, variable_json(s, display ? display : (name[0] ? name : "*"), &children[i].value, eval, "value"));
        children[i].value = (gobp_value){ 0 };
        free(display);
        free(eval);
    }
    gobp_children_free(children, n);
    free(children);
    value_free(&parent);
    free(parent_name);
}

DECLARE_REQUEST(req_variables)
{
    int64_t ref = dap_get_int(args, "variablesReference", 0);
    handle *h = handles_get(&s->handles, ref);
    if (!h || h->kind == HANDLE_FRAME) {
        session_respond_error(s, req, "variables: unknown variablesReference %lld", (long long)ref);
        return;
    }
    json_object *list = json_object_new_array();
    handle copy = *h; /* the table may grow while we add children */
    switch (copy.kind) {
    case HANDLE_SCOPE_RETURNS:
        return_vars(s, &copy, list);
        break;
    case HANDLE_SCOPE_ARGS:
        frame_vars(s, &copy, true, list);
        break;
    case HANDLE_SCOPE_LOCALS:
        frame_vars(s, &copy, false, list);
        break;
    case HANDLE_SCOPE_GLOBALS:
        global_vars(s, copy.package, list);
        break;
    default:
        value_vars(s, &copy, dap_get_string(args, "filter", NULL), dap_get_int(args, "start", 0),
                   dap_get_int(args, "count", 0), list);
        break;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "variables", list);
    session_respond_ok(s, req, body);
}

/* ---- evaluate ---- */

bool session_frame_for_expression(session *s, json_object *args, handle *out)
{
    handle *fh = handles_get(&s->handles, dap_get_int(args, "frameId", 0));
    if (fh && fh->kind == HANDLE_FRAME) {
        *out = *fh;
        return true;
    }
    int64_t goid = session_thread_to_goid(s, s->last_stop_goid);
    int total;
    out->kind = HANDLE_FRAME;
    out->goid = goid;
    return target_stack(s->target, goid, &out->frame, 1, &total) == 1;
}

DECLARE_REQUEST(req_evaluate)
{
    const char *expr = dap_get_string(args, "expression", NULL);
    if (!expr) {
        session_respond_error(s, req, "evaluate: arguments.expression is required");
        return;
    }
    handle frame;
    char err[1024];
    eval_result r;
    if (!session_frame_for_expression(s, args, &frame)) {
        session_respond_error(s, req, "no frame to evaluate \"%s\" in", expr);
        return;
    }
    int rc = target_evaluate(s->target, frame.goid, &frame.frame, expr, &r, err, sizeof err);
    session_drain_output(s);     /* what a function call printed comes before its result */
    if (rc < 0) {
        session_respond_error(s, req, "%s", err);
        return;
    }
    json_object *var;
    if (r.kind == EVAL_VALUE) {
        var = variable_json(s, expr, &r.value, expr, "result");
        r.value = (gobp_value){ 0 };
    } else {
        gobp_memview mv = target_memview(s->target);
        char *text = eval_result_text(&mv, &r), *type = eval_result_type(&mv, &r);
        var = json_object_new_object();
        json_object_object_add(var, "result", json_object_new_string(text));
        json_object_object_add(var, "type", json_object_new_string(type));
        json_object_object_add(var, "variablesReference", json_object_new_int(0));
        free(text);
        free(type);
    }
    eval_result_free(&r);
    json_object *body = json_object_new_object();
    json_object_object_foreach(var, key, val) {
        if (strcmp(key, "name") == 0 || strcmp(key, "evaluateName") == 0)
            continue;
        json_object_object_add(body, key, json_object_get(val));
    }
    json_object_put(var);
    session_respond_ok(s, req, body);
}

/* ---- setVariable ---- */

/* The variable called name under handle h (a scope or an expandable value). 0 ok. */
int session_find_variable(session *s, handle *h, const char *name, gobp_value *out)
{
    if (h->kind == HANDLE_SCOPE_ARGS || h->kind == HANDLE_SCOPE_LOCALS) {
        const gobp_var *vars;
        int n = target_frame_vars(s->target, &h->frame, &vars);
        for (int i = n - 1; i >= 0; i--)
            if (strcmp(vars[i].name, name) == 0)
                return target_frame_var(s->target, h->goid, &h->frame, &vars[i], out);
        return -1;
    }
    if (h->kind == HANDLE_SCOPE_GLOBALS) {
        char full[600];
        snprintf(full, sizeof full, "%s.%s", h->package, name);
        const gobp_global *g = target_global(s->target, full);
        if (!g)
            return -1;
        *out = value_at(g->type, g->addr);
        return 0;
    }
    gobp_memview mv = target_memview(s->target);
    int n = value_child_count(&mv, &h->value);
    if (n <= 0)
        return -1;
    gobp_child *children = xcalloc((size_t)n, sizeof *children);
    int got = value_children(&mv, &h->value, 0, n, children), rc = -1;
    for (int i = 0; i < got && rc < 0; i++)
        if (strcmp(children[i].name, name) == 0 || (!children[i].name[0] && name[0] == '*')) {
            *out = children[i].value;
            children[i].value = (gobp_value){ 0 };
            rc = 0;
        }
    gobp_children_free(children, got);
    free(children);
    return rc;
}

DECLARE_REQUEST(req_set_variable)
{
    const char *name = dap_get_string(args, "name", NULL), *expr = dap_get_string(args, "value", NULL);
    handle *hp = handles_get(&s->handles, dap_get_int(args, "variablesReference", 0));
    if (!name || !expr || !hp || hp->kind == HANDLE_FRAME) {
        session_respond_error(s, req, "setVariable: needs a known variablesReference, a name and a value");
        return;
    }
    handle h = *hp;
    gobp_value dst;
    if (session_find_variable(s, &h, name, &dst) < 0) {
        session_respond_error(s, req, "setVariable: no variable %s here", name);
        return;
    }
    handle frame = h;
    if (h.kind == HANDLE_VALUE || h.kind == HANDLE_SCOPE_GLOBALS)
        session_frame_for_expression(s, args, &frame);
    char err[512];
    if (target_assign(s->target, frame.goid, &frame.frame, &dst, expr, err, sizeof err) < 0) {
        value_free(&dst);
        session_respond_error(s, req, "setVariable %s = %s: %s", name, expr, err);
        return;
    }
    gobp_value now = value_at(dst.type, dst.addr);
    value_free(&dst);
    json_object *var = variable_json(s, name, &now, NULL, "value");
    json_object *body = json_object_new_object();
    json_object_object_foreach(var, key, val) {
        if (strcmp(key, "name") != 0)
            json_object_object_add(body, key, json_object_get(val));
    }
    json_object_put(var);
    session_respond_ok(s, req, body);
}
