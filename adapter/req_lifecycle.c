/* Session lifecycle requests: initialize (capabilities derived from the request table),
 * configurationDone (starts the program), disconnect and terminate. */
#include "session.h"

DECLARE_REQUEST(req_initialize)
{
    s->client_lines_start_at1 = dap_get_bool(args, "linesStartAt1", true);
    s->client_columns_start_at1 = dap_get_bool(args, "columnsStartAt1", true);
    s->client_supports_variable_type = dap_get_bool(args, "supportsVariableType", false);
    json_object *caps = json_object_new_object();
    for (const request_entry *e = request_table; e->command; e++)
        for (int i = 0; i < 4 && e->capabilities[i]; i++)
            json_object_object_add(caps, e->capabilities[i], json_object_new_boolean(1));
    json_object *filters = json_object_new_array();
    for (const exception_filter *f = exception_filters; f->id; f++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "filter", json_object_new_string(f->id));
        json_object_object_add(o, "label", json_object_new_string(f->label));
        json_object_object_add(o, "description", json_object_new_string(f->description));
        json_object_object_add(o, "default", json_object_new_boolean(f->on_by_default));
        json_object_array_add(filters, o);
    }
    json_object_object_add(caps, "exceptionBreakpointFilters", filters);
    session_respond_ok(s, req, caps);
}

DECLARE_REQUEST(req_configuration_done)
{
    s->configured = true;
    session_respond_ok(s, req, NULL);
    if (!s->target)
        return;
    if (s->stop_on_entry) {
        gobp_stop stop = { .reason = STOP_ENTRY, .tid = target_pid(s->target) };
        stop.goid = 0;
        session_report_stop(s, &stop);
        return;
    }
    target_continue(s->target);
}

DECLARE_REQUEST(req_disconnect)
{
    bool kill = dap_get_bool(args, "terminateDebuggee", s->terminate_debuggee);
    if (s->target) {
        session_end_debuggee(s, kill);
        if (!s->ended && kill) {
            /* the program did not get to exit on its own */
            session_send(s, session_event(s, "terminated"));
            s->ended = true;
        }
    }
    session_respond_ok(s, req, NULL);
    s->quit = true;
    ev_break(s->loop, EVBREAK_ALL);
}

DECLARE_REQUEST(req_terminate)
{
    session_respond_ok(s, req, NULL);
    if (s->target)
        target_terminate(s->target);
}
