/* Run control requests: continue, pause, next, stepIn (into one call of the line with a
 * stepInTargets targetId), stepOut, by line or by instruction (granularity "instruction"). A
 * resume clears the handle tables; the resulting stop arrives later as a stopped event
 * (session_report_stop). */
#include "session.h"

#include <stdlib.h>
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
    int64_t target_id = kind == STEP_IN ? dap_get_int(args, "targetId", 0) : 0;
    int rc;
    if (strcmp(granularity, "instruction") == 0)
        rc = target_step_instruction(s->target, goid, kind, err, sizeof err);
    else if (target_id > 0 && target_id <= s->nstep_in_targets)   /* one call of the line (stepInTargets) */
        rc = target_step_into(s->target, goid, s->step_in_targets[target_id - 1], err, sizeof err);
    else
        rc = target_step(s->target, goid, kind, err, sizeof err);
    if (rc < 0) {
        session_respond_error(s, req, "%s", err);
        return;
    }
    resume_body(s, req, false);
}

DECLARE_REQUEST(req_next) { step(s, req, args, STEP_OVER); }
DECLARE_REQUEST(req_step_in) { step(s, req, args, STEP_IN); }
DECLARE_REQUEST(req_step_out) { step(s, req, args, STEP_OUT); }

/* The calls of the frame's current line a stepIn can go into (targetId: position + 1). */
DECLARE_REQUEST(req_step_in_targets)
{
    handle *fh = handles_get(&s->handles, dap_get_int(args, "frameId", 0));
    if (!fh || fh->kind != HANDLE_FRAME) {
        session_respond_error(s, req, "stepInTargets: unknown frameId %lld", (long long)dap_get_int(args, "frameId", 0));
        return;
    }
    free(s->step_in_targets);
    s->nstep_in_targets = target_step_in_targets(s->target, &fh->frame, &s->step_in_targets);
    json_object *list = json_object_new_array();
    for (int i = 0; i < s->nstep_in_targets; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int(i + 1));
        json_object_object_add(o, "label", json_object_new_string(s->step_in_targets[i]->name));
        json_object_object_add(o, "line", json_object_new_int(fh->frame.line));
        json_object_array_add(list, o);
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "targets", list);
    session_respond_ok(s, req, body);
}
