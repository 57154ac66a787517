/* Goroutines as threads, their stacks and the scopes of a frame: threads, stackTrace
 * (paged with startFrame/levels, totalFrames; C frames of cgo programs by symbol) and scopes
 * (Arguments, Locals, Globals). */
#include "session.h"
#include "dap_text.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

/* The body is written as JSON text: with 10 000 goroutines, json-c objects cost more than
 * reading the goroutines. */
/* "[Go 7] main.worker"; with showPprofLabels, the goroutine's values of those labels: one key
 * shows its value ("[Go 7 job-42] ..."), several show key:value pairs. */
static char *thread_name(session *s, const gobp_goroutine *g)
{
    dap_text labels = { 0 };
    gobp_label *l = NULL;
    int nl = s->npprof_labels ? target_goroutine_labels(s->target, g, &l) : 0;
    for (int k = 0; k < s->npprof_labels; k++)
        for (int i = 0; i < nl; i++)
            if (strcmp(l[i].key, s->pprof_labels[k]) == 0)
                s->npprof_labels == 1 ? dap_text_printf(&labels, " %s", l[i].value)
                                      : dap_text_printf(&labels, " %s:%s", l[i].key, l[i].value);
    target_labels_free(l, nl);
    const char *fn = target_goroutine_label(s->target, g);
    char *name = xmalloc(labels.len + strlen(fn) + 40);
    sprintf(name, "[Go %lld%s] %s", (long long)g->goid, labels.s ? labels.s : "", fn);
    dap_text_free(&labels);
    return name;
}

DECLARE_REQUEST(req_threads)
{
    dap_text body = {0};
    dap_text_cstr(&body, "{\"threads\":[");
    const gobp_goroutine *gs;
    int n = s->target && !target_running(s->target) ? target_goroutines(s->target, &gs) : 0;
    int listed = 0;
    for (int i = 0; i < n; i++) {
        /* hideSystemGoroutines and goroutineFilters: never the goroutine of the stop */
        if (gs[i].goid != s->last_stop_goid &&
            ((s->hide_system_goroutines && target_goroutine_is_system(s->target, &gs[i])) ||
             (s->goroutine_filter && !target_goroutine_filter_match(s->target, s->goroutine_filter, &gs[i]))))
            continue;
        char *name = thread_name(s, &gs[i]);
        dap_text_printf(&body, "%s{\"id\":%lld,\"name\":", listed++ ? "," : "", (long long)gs[i].goid);
        dap_text_string(&body, name);
        dap_text_cstr(&body, "}");
        free(name);
    }
    if (n == 0 && s->target) { /* running, or before the Go runtime started: OS threads */
        int nt = target_running(s->target) ? 0 : target_threads(s->target, NULL, 0);
        pid_t *tids = xcalloc((size_t)nt + 1, sizeof *tids);
        nt = nt ? target_threads(s->target, tids, nt) : 0;
        if (nt == 0) {
            tids[0] = target_pid(s->target);
            nt = 1;
        }
        for (int i = 0; i < nt; i++)
            dap_text_printf(&body, "%s{\"id\":%d,\"name\":\"Thread %d\"}", i ? "," : "", (int)tids[i], (int)tids[i]);
        free(tids);
    }
    dap_text_cstr(&body, "]}");
    session_respond_ok_text(s, req, body.s, body.len);
    dap_text_free(&body);
}

/* threadId is a goroutine id, or an OS thread id before the runtime has goroutines. */
int64_t session_thread_to_goid(session *s, int64_t thread_id)
{
    if (thread_id <= 0 || thread_id > INT32_MAX)
        return 0;   /* no goroutine and no thread: every target call says "unknown" */
    if (target_goroutine(s->target, thread_id))
        return thread_id;
    return -thread_id;
}

/* C code of a cgo program (gcc's symbols carry no Go package path), or code in no known
 * function (a shared library such as libc). */
static bool frame_is_c(const gobp_frame *fr)
{
    return !fr->func || !strchr(fr->func->name, '.');
}

static json_object *frame_json(session *s, int id, const gobp_frame *fr)
{
    json_object *o = json_object_new_object();
    char name[512], lib[256];
    uint64_t off;
    if (fr->func)
        snprintf(name, sizeof name, "%s", fr->func->name);
    else if (target_library_at(s->target, fr->pc, lib, sizeof lib, &off) == 0)
        snprintf(name, sizeof name, "%s+0x%llx", lib, (unsigned long long)off);   /* libc.so.6+0x891f5 */
    else
        snprintf(name, sizeof name, "0x%llx", (unsigned long long)fr->pc);
    json_object_object_add(o, "id", json_object_new_int(id));
    json_object_object_add(o, "name", json_object_new_string(name));
    if (fr->file) {
        char *file = session_path_to_editor(s, fr->file);   /* substitutePath */
        json_object_object_add(o, "source", session_source_json(file));
        free(file);
    } else {
        json_object_object_add(o, "presentationHint", json_object_new_string("subtle"));
    }
    json_object_object_add(o, "line", json_object_new_int(fr->line));
    json_object_object_add(o, "column", json_object_new_int(s->client_columns_start_at1 ? 1 : 0));
    json_object_object_add(o, "instructionPointerReference", session_address_json(fr->pc));
    return o;
}

DECLARE_REQUEST(req_stack_trace)
{
    int64_t thread = dap_get_int(args, "threadId", -1);
    int64_t start = dap_get_int(args, "startFrame", 0), levels = dap_get_int(args, "levels", 0);
    if (thread < 0) {
        session_respond_error(s, req, "stackTrace: arguments.threadId is required");
        return;
    }
    int64_t goid = session_thread_to_goid(s, thread);
    if (start < 0)
        start = 0;
    gobp_frame *frames;
    int total = 0, n;
    if (levels < 0)
        levels = 0;   /* as 0: all the frames (startFrame and levels are optional) */
    if (levels > 0 && start < STACK_MAX_DEPTH && levels < STACK_MAX_DEPTH - start) {
        /* a page: only the frames up to its end */
        frames = xcalloc((size_t)(start + levels), sizeof *frames);
        n = target_stack(s->target, goid, frames, (int)(start + levels), &total);
    } else {
        n = target_stack_all(s->target, goid, &frames, &total);
    }
    if (n < 0) {
        free(frames);
        session_respond_error(s, req, "unknown goroutine %lld", (long long)thread);
        return;
    }
    int64_t end = levels > 0 && levels < n - start ? start + levels : n;   /* no overflow */
    json_object *list = json_object_new_array();
    for (int64_t i = start; i < end; i++) {
        handle h = { .kind = HANDLE_FRAME, .goid = goid, .frame = frames[i] };
        json_object_array_add(list, frame_json(s, handles_add(&s->handles, h), &frames[i]));
    }
    free(frames);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "stackFrames", list);
    json_object_object_add(body, "totalFrames", json_object_new_int(total));
    session_respond_ok(s, req, body);
}

static json_object *scope_json(const char *name, const char *hint, int ref, bool expensive)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(name));
    if (hint)
        json_object_object_add(o, "presentationHint", json_object_new_string(hint));
    json_object_object_add(o, "variablesReference", json_object_new_int(ref));
    json_object_object_add(o, "expensive", json_object_new_boolean(expensive));
    return o;
}

DECLARE_REQUEST(req_scopes)
{
    handle *fh = handles_get(&s->handles, dap_get_int(args, "frameId", 0));
    if (!fh || fh->kind != HANDLE_FRAME) {
        session_respond_error(s, req, "scopes: unknown frameId %lld", (long long)dap_get_int(args, "frameId", 0));
        return;
    }
    handle frame = *fh;
    json_object *list = json_object_new_array();
    handle args_h = { .kind = HANDLE_SCOPE_ARGS, .goid = frame.goid, .frame = frame.frame };
    handle locals_h = { .kind = HANDLE_SCOPE_LOCALS, .goid = frame.goid, .frame = frame.frame };
    const char *func;
    const char *const *names;
    const gobp_value *vals;
    if (target_return_values(s->target, frame.goid, frame.frame.pc, &func, &names, &vals) > 0) {
        /* after a step out of func: its results, first (VS Code opens the first scope) */
        char name[300];
        snprintf(name, sizeof name, "Return values (%s)", func);
        handle returns_h = { .kind = HANDLE_SCOPE_RETURNS, .goid = frame.goid, .frame = frame.frame };
        json_object_array_add(list, scope_json(name, "returnValue", handles_add(&s->handles, returns_h), false));
    }
    json_object_array_add(list, scope_json("Arguments", "arguments", handles_add(&s->handles, args_h), false));
    json_object_array_add(list, scope_json("Locals", "locals", handles_add(&s->handles, locals_h), false));
    if (!frame_is_c(&frame.frame)) {
        char pkg[256], name[300];
        go_func_package(frame.frame.func->name, pkg, sizeof pkg);
        handle globals_h = { .kind = HANDLE_SCOPE_GLOBALS, .goid = frame.goid, .frame = frame.frame,
                             .package = xstrdup(pkg) };
        snprintf(name, sizeof name, "Globals (package %s)", pkg);
        json_object_array_add(list, scope_json(name, NULL, handles_add(&s->handles, globals_h), false));
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "scopes", list);
    session_respond_ok(s, req, body);
}
