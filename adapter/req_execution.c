/* Run control requests: continue, pause, next, stepIn, stepOut (by line, or by instruction with
 * granularity "instruction"). A resume clears the handle tables; the resulting stop arrives
 * later as a stopped event (session_report_stop). */
#include "session.h"

#include <string.h>

static void resume_body(session *s, json_object *req, bool continued)
{
    json_object *body = json_object_new_object();
    if (continued)
        json_object_object_add(body, "allThreadsContinued", json_object_new_boolean(1));
    session_respond_ok(s, req, continued ? body : (json_object_put(body), NULL));
}

DECLARE_REQUEST(req_continue)
{
    handles_clear(&s->handles);
    resume_body(s, req, true);
    target_continue(s->target);
}

DECLARE_REQUEST(req_pause)
{
    session_respond_ok(s, req, NULL);
    if (target_running(s->target))
        target_pause(s->target);
}

static void step(session *s, json_object *req, json_object *args, gobp_step_kind kind)
{
    int64_t goid = dap_get_int(args, "threadId", s->last_stop_goid);
    char err[256];
    handles_clear(&s->handles);
    const char *granularity = dap_get_string(args, "granularity", "line");
    int rc = strcmp(granularity, "instruction") == 0 ? target_step_instruction(s->target, goid, kind, err, sizeof err)
                                                     : target_step(s->target, goid, kind, err, sizeof err);
    if (rc < 0) {
        session_respond_error(s, req, "%s", err);
        return;
    }
    resume_body(s, req, false);
}

DECLARE_REQUEST(req_next) { step(s, req, args, STEP_OVER); }
DECLARE_REQUEST(req_step_in) { step(s, req, args, STEP_IN); }
DECLARE_REQUEST(req_step_out) { step(s, req, args, STEP_OUT); }
