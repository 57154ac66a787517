/* gobp-dap's own requests for handler breakpoints: setHandlerBreakpoints (replace the set
 * while the program runs or is stopped) and gobpForceReturn (make the function stopped at its
 * entry return at once with zero results). Also the launch attribute handlerBreakpoints. */
#include "session.h"
#include "alloc.h"

#include <limits.h>
#include <stdlib.h>

void session_on_target_message(void *ctx, const char *category, const char *text)
{
    session_output(ctx, category, text);
}

static char *plugin_full_path(session *s, const char *plugin)
{
    char buf[PATH_MAX];
    if (plugin[0] == '/' || !s->cwd)
        snprintf(buf, sizeof buf, "%s", plugin);
    else
        snprintf(buf, sizeof buf, "%s/%s", s->cwd, plugin);
    return xstrdup(buf);
}

void session_set_handlers(session *s, const handler_spec *specs, int n, json_object *results, bool announce)
{
    gobp_breakpoint **old;
    int nold = target_breakpoints(s->target, BP_HANDLER, &old);
    for (int i = 0; i < nold; i++)
        target_break_delete(s->target, old[i]);
    free(old);
    for (int i = 0; i < n; i++) {
        const char *function = specs[i].function, *plugin = specs[i].plugin;
        gobp_breakpoint *bp = NULL;
        json_object *o;
        if (!function || !plugin) {
            o = json_object_new_object();
            json_object_object_add(o, "verified", json_object_new_boolean(0));
            json_object_object_add(o, "message", json_object_new_string("a handler needs \"function\" and \"plugin\""));
        } else {
            char *path = plugin_full_path(s, plugin);
            bp = target_handler_add(s->target, function, path, specs[i].config ? specs[i].config : "", specs[i].condition);
            free(path);
            o = session_breakpoint_json(s, bp, NULL);
        }
        if (announce && (!bp || !bp->verified)) {
            char text[1400];
            snprintf(text, sizeof text, "handler %s (plugin %s): %s\n", function ? function : "?", plugin ? plugin : "?",
                     bp ? bp->message : "a handler needs \"function\" and \"plugin\"");
            session_output(s, "stderr", text);
        }
        if (results)
            json_object_array_add(results, o);
        else
            json_object_put(o);
    }
}

DECLARE_REQUEST(req_set_handler_breakpoints)
{
    json_object *list = NULL;
    json_object_object_get_ex(args, "handlers", &list);
    if (!list || !json_object_is_type(list, json_type_array)) {
        session_respond_error(s, req, "setHandlerBreakpoints: arguments.handlers (an array of {function, plugin, config, condition}) is required");
        return;
    }
    handler_spec *specs;
    int n;
    char err[512];
    if (handler_specs_parse(list, "setHandlerBreakpoints", "handlers", &specs, &n, err, sizeof err) < 0) {
        session_respond_error(s, req, "%s", err);
        return;
    }
    json_object *results = json_object_new_array();
    session_set_handlers(s, specs, n, results, false);
    handler_specs_free(specs, n);
    session_respond_breakpoints(s, req, results);
}

DECLARE_REQUEST(req_force_return)
{
    int64_t thread = dap_get_int(args, "threadId", s->last_stop_goid);
    char err[256];
    if (target_force_return(s->target, session_thread_to_goid(s, thread), err, sizeof err) < 0) {
        session_respond_error(s, req, "gobpForceReturn: %s", err);
        return;
    }
    handles_clear(&s->handles);
    session_respond_ok(s, req, NULL);
    /* the stack changed under the editor: show the new top (the caller) */
    int64_t goid = session_thread_to_goid(s, thread);
    gobp_stop stop = { .reason = STOP_STEP, .goid = goid > 0 ? goid : 0, .tid = goid > 0 ? 0 : (pid_t)-goid };
    session_report_stop(s, &stop);
}
