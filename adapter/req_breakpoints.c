/* Breakpoint requests: setBreakpoints (source lines, per file), setFunctionBreakpoints
 * (Go names), setInstructionBreakpoints (addresses), setExceptionBreakpoints (panic and fatal
 * filters). Each replaces its whole set
 * (a breakpoint sent again unchanged is kept, with its hit count) and answers one Breakpoint
 * per requested item, unverified ones with a message. */
#include "session.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

json_object *session_breakpoint_json(session *s, const gobp_breakpoint *bp, const char *fallback_path)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(bp->id));
    json_object_object_add(o, "verified", json_object_new_boolean(bp->verified));
    if (!bp->verified)
        json_object_object_add(o, "message", json_object_new_string(bp->message));
    int line = bp->verified ? bp->found_line : bp->line;
    if (line > 0)
        json_object_object_add(o, "line", json_object_new_int(line));
    char *mapped = bp->found_file ? session_path_to_editor(s, bp->found_file) : NULL;
    const char *path = mapped ? mapped : fallback_path;
    if (path)
        json_object_object_add(o, "source", session_source_json(path));
    free(mapped);
    return o;
}

static json_object *not_launched_json(int line, const char *path)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "verified", json_object_new_boolean(0));
    json_object_object_add(o, "message", json_object_new_string(NO_PROGRAM_MESSAGE));
    if (line > 0)
        json_object_object_add(o, "line", json_object_new_int(line));
    if (path)
        json_object_object_add(o, "source", session_source_json(path));
    return o;
}

void session_respond_breakpoints(session *s, json_object *req, json_object *list)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "breakpoints", list);
    session_respond_ok(s, req, body);
}

/* condition / hitCondition / logMessage of a requested breakpoint; a malformed one, or one
 * that names what is not in scope there, leaves the breakpoint unverified with the reason
 * (never an unconditional stop). */
static void apply_conditions(session *s, gobp_breakpoint *bp, json_object *item)
{
    char err[1024];
    if (bp->verified)
        target_break_set_conditions(s->target, bp, dap_get_string(item, "condition", NULL),
                                    dap_get_string(item, "hitCondition", NULL),
                                    dap_get_string(item, "logMessage", NULL), err, sizeof err);
}

/* The breakpoint of old[0..n) that item asks for again unchanged (same place, condition, hit
 * condition and log message; verified), taken out of old so it is matched once; NULL if none. */
static gobp_breakpoint *take_unchanged(gobp_breakpoint **old, int n, json_object *item, int line, const char *function)
{
    for (int i = 0; i < n; i++) {
        gobp_breakpoint *bp = old[i];
        if (bp && bp->verified && (function ? strcmp(bp->function, function) == 0 : bp->line == line) &&
            target_break_same_conditions(bp, dap_get_string(item, "condition", NULL), dap_get_string(item, "hitCondition", NULL),
                                         dap_get_string(item, "logMessage", NULL))) {
            old[i] = NULL;
            return bp;
        }
    }
    return NULL;
}

/* An editor path the binary does not know: when the binary records the file under another
 * directory (a -trimpath build: example.com/mod/main.go), o's message says so and suggests
 * the rule. */
static void suggest_substitute_path(session *s, const gobp_breakpoint *bp, const char *path, int line, json_object *o)
{
    if (bp->verified || path[0] != '/' || !strstr(bp->message, "is not a source file"))
        return;
    const char *file = session_path_clean(target_source_recorded_as(s->target, path, line));
    if (!file)
        return;
    const char *fslash = strrchr(file, '/'), *pslash = strrchr(path, '/');
    char msg[2048];
    snprintf(msg, sizeof msg, "%s is not a source file of this program, which records it as %s "
             "(a -trimpath build?): map the directories with substitutePath: [{\"from\": \"%.*s\", \"to\": \"%.*s\"}]",
             path, file, (int)(pslash - path), path, fslash ? (int)(fslash - file) : 0, file);
    json_object_object_add(o, "message", json_object_new_string(msg));
}

DECLARE_REQUEST(req_set_breakpoints)
{
    json_object *source = NULL, *items = NULL;
    json_object_object_get_ex(args, "source", &source);
    const char *path = dap_get_string(source, "path", NULL);
    if (!path) {
        session_respond_error(s, req, "setBreakpoints: arguments.source.path is required");
        return;
    }
    json_object_object_get_ex(args, "breakpoints", &items);
    size_t n = items && json_object_is_type(items, json_type_array) ? json_object_array_length(items) : 0;
    json_object *list = json_object_new_array();
    if (!s->target) {
        for (size_t i = 0; i < n; i++)
            json_object_array_add(list, not_launched_json((int)dap_get_int(json_object_array_get_idx(items, i), "line", 0), path));
        session_respond_breakpoints(s, req, list);
        return;
    }
    char *bin_path = session_path_to_binary(s, path);   /* substitutePath */
    gobp_breakpoint **old, **kept = xcalloc(n, sizeof *kept);
    int nold = 0, nall = target_breakpoints(s->target, BP_LINE, &old);
    for (int i = 0; i < nall; i++)
        if (strcmp(old[i]->file, bin_path) == 0)
            old[nold++] = old[i];
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(items, i);
        int line = (int)dap_get_int(item, "line", 0) + !s->client_lines_start_at1;
        kept[i] = take_unchanged(old, nold, item, line, NULL);
    }
    for (int i = 0; i < nold; i++)
        if (old[i])
            target_break_delete(s->target, old[i]);
    free(old);
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(items, i);
        int line = (int)dap_get_int(item, "line", 0) + !s->client_lines_start_at1;
        gobp_breakpoint *bp = kept[i];
        if (!bp) {
            bp = target_break_line(s->target, bin_path, line);
            apply_conditions(s, bp, item);
        }
        json_object *o = session_breakpoint_json(s, bp, path);
        suggest_substitute_path(s, bp, bin_path, line, o);
        json_object_array_add(list, o);
    }
    free(kept);
    free(bin_path);
    session_respond_breakpoints(s, req, list);
}

DECLARE_REQUEST(req_set_function_breakpoints)
{
    json_object *items = NULL;
    json_object_object_get_ex(args, "breakpoints", &items);
    if (!items || !json_object_is_type(items, json_type_array)) {
        session_respond_error(s, req, "setFunctionBreakpoints: arguments.breakpoints (an array) is required");
        return;
    }
    size_t n = json_object_array_length(items);
    json_object *list = json_object_new_array();
    if (!s->target) {
        for (size_t i = 0; i < n; i++)
            json_object_array_add(list, not_launched_json(0, NULL));
        session_respond_breakpoints(s, req, list);
        return;
    }
    gobp_breakpoint **old, **kept = xcalloc(n, sizeof *kept);
    int nold = target_breakpoints(s->target, BP_FUNCTION, &old);
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(items, i);
        const char *cond = dap_get_string(item, "condition", NULL);
        if (!cond || strcmp(cond, "trace") != 0)
            kept[i] = take_unchanged(old, nold, item, 0, dap_get_string(item, "name", ""));
    }
    for (int i = 0; i < nold; i++)
        if (old[i])
            target_break_delete(s->target, old[i]);
    free(old);
    const char **tracepoints = xcalloc(n + 1, sizeof *tracepoints);
    int ntrace = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(items, i);
        const char *name = dap_get_string(item, "name", "");
        const char *cond = dap_get_string(item, "condition", NULL);
        if (kept[i]) {
            json_object_array_add(list, session_breakpoint_json(s, kept[i], NULL));
            continue;
        }
        if (cond && strcmp(cond, "trace") == 0) {   /* a tracepoint: calls are traced, nothing stops */
            bool found = target_has_function(s->target, name);
            json_object *o = not_launched_json(0, NULL);
            json_object_object_add(o, "verified", json_object_new_boolean(found));
            json_object_object_add(o, "message", json_object_new_string(found ? "tracepoint: calls are traced in the debug console"
                                                                              : "function not found in this program"));
            if (found)
                tracepoints[ntrace++] = name;
            json_object_array_add(list, o);
            continue;
        }
        gobp_breakpoint *bp = target_break_function(s->target, name);
        apply_conditions(s, bp, item);
        json_object_array_add(list, session_breakpoint_json(s, bp, NULL));
    }
    if (ntrace || s->nfb_tracepoints)
        session_set_tracepoints(s, tracepoints, ntrace, true);
    free(tracepoints);
    free(kept);
    session_respond_breakpoints(s, req, list);
}

/* instructionReference ("0x4a1b20", or decimal) plus offset (bytes): 0 when it is no address. */
static uint64_t instruction_address(json_object *item)
{
    uint64_t addr;
    return session_memory_reference(dap_get_string(item, "instructionReference", NULL), dap_get_int(item, "offset", 0),
                                     &addr) == 0 ? addr : 0;
}

DECLARE_REQUEST(req_set_instruction_breakpoints)
{
    json_object *items = NULL;
    json_object_object_get_ex(args, "breakpoints", &items);
    if (!items || !json_object_is_type(items, json_type_array)) {
        session_respond_error(s, req, "setInstructionBreakpoints: arguments.breakpoints (an array) is required");
        return;
    }
    size_t n = json_object_array_length(items);
    gobp_breakpoint **old;
    int nold = target_breakpoints(s->target, BP_INSTRUCTION, &old);
    json_object *list = json_object_new_array();
    gobp_breakpoint **made = xcalloc(n + 1, sizeof *made);
    uint64_t *addrs = xcalloc(n + 1, sizeof *addrs);
    for (size_t i = 0; i < n; i++) {   /* one sent again unchanged keeps its hit count */
        json_object *item = json_object_array_get_idx(items, i);
        uint64_t addr = addrs[i] = instruction_address(item);
        for (int k = 0; k < nold && addr; k++)
            if (old[k] && old[k]->verified && old[k]->address == addr &&
                target_break_same_conditions(old[k], dap_get_string(item, "condition", NULL),
                                             dap_get_string(item, "hitCondition", NULL), NULL)) {
                made[i] = old[k];
                old[k] = NULL;
                break;
            }
    }
    for (int k = 0; k < nold; k++)
        if (old[k])
            target_break_delete(s->target, old[k]);
    free(old);
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(items, i);
        gobp_breakpoint *bp = made[i];
        if (!bp && addrs[i]) {
            bp = target_break_address(s->target, addrs[i]);
            apply_conditions(s, bp, item);
        }
        json_object *o;
        if (bp) {
            o = session_breakpoint_json(s, bp, NULL);
            json_object_object_add(o, "instructionReference", session_address_json(bp->address));
        } else {
            o = json_object_new_object();
            json_object_object_add(o, "verified", json_object_new_boolean(0));
            json_object_object_add(o, "message", json_object_new_string("instructionReference is not an address (\"0x...\")"));
        }
        json_object_array_add(list, o);
    }
    free(made);
    free(addrs);
    session_respond_breakpoints(s, req, list);
}

/* The exception filters gobp-dap offers (initialize lists them; setExceptionBreakpoints takes them). */
const exception_filter exception_filters[] = {
    { "panic", "Unrecovered panics", "Stop when a panic is about to crash the program", true, EXC_UNRECOVERED_PANIC },
    { "all-panics", "All panics", "Stop at every panic, recovered or not", false, EXC_ANY_PANIC },
    { "fatal", "Fatal runtime errors", "Stop at runtime fatal errors (throw): deadlocks, concurrent map writes, ...", true, EXC_FATAL },
    { NULL, NULL, NULL, false, 0 },
};

DECLARE_REQUEST(req_set_exception_breakpoints)
{
    json_object *filters = NULL;
    json_object_object_get_ex(args, "filters", &filters);
    json_object *list = json_object_new_array();
    if (s->target) {
        gobp_breakpoint **old;
        int nold = target_breakpoints(s->target, BP_EXCEPTION, &old);
        for (int i = 0; i < nold; i++)
            target_break_delete(s->target, old[i]);
        free(old);
    }
    size_t n = filters && json_object_is_type(filters, json_type_array) ? json_object_array_length(filters) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = json_object_get_string(json_object_array_get_idx(filters, i));
        const exception_filter *f = exception_filters;
        while (f->id && (!id || strcmp(f->id, id) != 0))
            f++;
        json_object *o = json_object_new_object();
        if (!f->id) {
            json_object_object_add(o, "verified", json_object_new_boolean(0));
            json_object_object_add(o, "message", json_object_new_string("unknown exception filter"));
        } else if (!s->target) {
            json_object_object_add(o, "verified", json_object_new_boolean(0));
            json_object_object_add(o, "message", json_object_new_string(NO_PROGRAM_MESSAGE));
        } else {
            gobp_breakpoint *bp = target_break_exception(s->target, f->kind);
            json_object_object_add(o, "id", json_object_new_int(bp->id));
            json_object_object_add(o, "verified", json_object_new_boolean(bp->verified));
            if (!bp->verified)
                json_object_object_add(o, "message", json_object_new_string(bp->message));
        }
        json_object_array_add(list, o);
    }
    session_respond_breakpoints(s, req, list);
}

DECLARE_REQUEST(req_exception_info)
{
    int64_t thread = dap_get_int(args, "threadId", s->last_stop_goid);
    char kind[64], msg[1024];
    if (target_exception_info(s->target, session_thread_to_goid(s, thread), kind, sizeof kind, msg, sizeof msg) < 0) {
        session_respond_error(s, req, "exceptionInfo: goroutine %lld is not stopped at a panic or fatal error", (long long)thread);
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "exceptionId", json_object_new_string(kind));
    json_object_object_add(body, "description", json_object_new_string(msg));
    json_object_object_add(body, "breakMode", json_object_new_string("unhandled"));
    json_object *details = json_object_new_object();
    json_object_object_add(details, "message", json_object_new_string(msg));
    json_object_object_add(details, "typeName", json_object_new_string(kind));
    json_object_object_add(body, "details", details);
    session_respond_ok(s, req, body);
}
