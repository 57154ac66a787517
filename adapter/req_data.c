/* Data breakpoints: dataBreakpointInfo (which value a dataId watches, or why it cannot: a
 * variable of a scope or value, an expression, or an address with asAddress) and
 * setDataBreakpoints (the whole set, on writes or on reads and writes, x86-64's 4 debug
 * registers shared by all of them). */
#include "session.h"
#include "alloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void respond_info(session *s, json_object *req, const char *id, const char *description)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "dataId", id ? json_object_new_string(id) : NULL);
    json_object_object_add(body, "description", json_object_new_string(description));
    json_object *types = json_object_new_array();
    json_object_array_add(types, json_object_new_string("write"));
    json_object_array_add(types, json_object_new_string("readWrite"));
    json_object_object_add(body, "accessTypes", types);
    json_object_object_add(body, "canPersist", json_object_new_boolean(0));
    session_respond_ok(s, req, body);
}

/* The value name stands for: a child of variablesReference, else an expression in frameId's
 * frame (the last stop's top frame without one); asAddress: memory at that address. */
static int value_named(session *s, json_object *args, const char *name, gobp_value *v, char *why, size_t whylen)
{
    if (json_object_get_boolean(json_object_object_get(args, "asAddress"))) {
        uint64_t a = 0;
        int64_t bytes = dap_get_int(args, "bytes", 8);
        if (session_memory_reference(name, 0, &a) < 0 || !a || bytes <= 0 || bytes > 1 << 20) {
            snprintf(why, whylen, "\"%s\" with bytes %" PRId64 " is no address and size", name, bytes);
            return -1;
        }
        static gobp_type raw = { .kind = GOBP_KIND_UINT8, .name = "memory" };
        raw.size = (uint64_t)bytes;   /* only its size is used */
        *v = value_at(&raw, a);
        return 0;
    }
    handle *h = handles_get(&s->handles, dap_get_int(args, "variablesReference", 0));
    if (h && h->kind != HANDLE_FRAME) {
        if (session_find_variable(s, h, name, v) == 0)
            return 0;
        snprintf(why, whylen, "no variable %s there", name);
        return -1;
    }
    handle frame;
    if (!session_frame_for_expression(s, args, &frame)) {
        snprintf(why, whylen, "no frame to find %s in", name);
        return -1;
    }
    eval_result r;
    if (target_evaluate(s->target, frame.goid, &frame.frame, name, &r, why, whylen) < 0)
        return -1;
    if (r.kind != EVAL_VALUE) {
        eval_result_free(&r);
        snprintf(why, whylen, "%s is a computed value, not memory", name);
        return -1;
    }
    *v = r.value;
    r.value = (gobp_value){ 0 };
    eval_result_free(&r);
    return 0;
}

DECLARE_REQUEST(req_data_breakpoint_info)
{
    const char *name = dap_get_string(args, "name", NULL);
    if (!name || !*name) {
        session_respond_error(s, req, "dataBreakpointInfo: arguments.name is required");
        return;
    }
    gobp_value v;
    char why[600], id[64], desc[800];
    if (value_named(s, args, name, &v, why, sizeof why) < 0) {
        snprintf(desc, sizeof desc, "%s cannot be watched: %s", name, why);
        respond_info(s, req, NULL, desc);
        return;
    }
    bool ok = target_data_id(s->target, &v, id, sizeof id, why, sizeof why) == 0;
    if (ok)
        snprintf(desc, sizeof desc, "%s (%" PRIu64 " bytes at 0x%" PRIx64 ")", name, v.type->size, v.addr);
    else
        snprintf(desc, sizeof desc, "%s cannot be watched: %s", name, why);
    value_free(&v);
    respond_info(s, req, ok ? id : NULL, desc);
}

DECLARE_REQUEST(req_set_data_breakpoints)
{
    json_object *items = NULL;
    json_object_object_get_ex(args, "breakpoints", &items);
    if (!items || !json_object_is_type(items, json_type_array)) {
        session_respond_error(s, req, "setDataBreakpoints: arguments.breakpoints (an array) is required");
        return;
    }
    gobp_breakpoint **old;
    int nold = target_breakpoints(s->target, BP_DATA, &old);
    for (int i = 0; i < nold; i++)   /* the debug registers go back before the new set takes them */
        target_break_delete(s->target, old[i]);
    free(old);
    json_object *list = json_object_new_array();
    size_t n = json_object_array_length(items);
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(items, i);
        const char *access = dap_get_string(item, "accessType", "write");
        json_object *o = json_object_new_object();
        const char *refused = NULL;
        if (strcmp(access, "read") == 0)
            refused = "x86-64 debug registers cannot watch reads alone: use readWrite";
        else if (dap_get_string(item, "condition", NULL) || dap_get_string(item, "hitCondition", NULL))
            refused = "data breakpoints take no condition or hit condition here";
        if (refused) {
            json_object_object_add(o, "verified", json_object_new_boolean(0));
            json_object_object_add(o, "message", json_object_new_string(refused));
        } else {
            json_object_put(o);
            o = session_breakpoint_json(s, target_break_data(s->target, dap_get_string(item, "dataId", ""),
                                                             strcmp(access, "readWrite") == 0), NULL);
        }
        json_object_array_add(list, o);
    }
    session_respond_breakpoints(s, req, list);
}
