/* Call tracing in the editor: the launch/attach attribute "trace", tracepoints (function
 * breakpoints whose condition is "trace", and the custom request setTracepoints). Calls show
 * in the debug console as the text tree, each finished call as a "gobpTrace" event; at the end
 * the summary is printed and the trace file (text, jsonl, chrome) is complete. */
#include "alloc.h"
#include "session.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void console_line(void *ctx, const char *text)
{
    session_output(ctx, "console", text);
}

static void file_line(void *ctx, const char *text)
{
    fputs(text, ctx);
}

static json_object *values_json(const gobp_trace_value *v, int n)
{
    json_object *o = json_object_new_object();
    for (int i = 0; i < n; i++)
        json_object_object_add(o, v[i].name, json_object_new_string(v[i].value));
    return o;
}

static void event_exit(void *ctx, const gobp_trace_record *r)
{
    session *s = ctx;
    json_object *ev = session_event(s, "gobpTrace");
    json_object *b = dap_body(ev);
    json_object_object_add(b, "id", json_object_new_int64((int64_t)r->id));
    json_object_object_add(b, "parent", json_object_new_int64((int64_t)r->parent));
    json_object_object_add(b, "goroutine", json_object_new_int64(r->goid));
    json_object_object_add(b, "depth", json_object_new_int(r->depth));
    json_object_object_add(b, "function", json_object_new_string(r->function));
    json_object_object_add(b, "args", values_json(r->args, r->nargs));
    json_object_object_add(b, "results", values_json(r->results, r->nresults));
    json_object_object_add(b, "startNs", json_object_new_int64((int64_t)r->start_ns));
    json_object_object_add(b, "durationNs", json_object_new_int64((int64_t)(r->end_ns - r->start_ns)));
    json_object_object_add(b, "end", json_object_new_string(trace_end_name(r->end)));
    session_send(s, ev);
}

/* Text tree to the console and records as events: one sink. */
typedef struct {
    session *s;
    gobp_trace_sink text;
    bool console, events;
} dap_sink;

static void dap_enter(void *ctx, const gobp_trace_record *r)
{
    dap_sink *d = ctx;
    if (d->console)
        d->text.enter(d->text.ctx, r);
}

static void dap_exit(void *ctx, const gobp_trace_record *r)
{
    dap_sink *d = ctx;
    if (d->console)
        d->text.exit(d->text.ctx, r);
    if (d->events)
        event_exit(d->s, r);
}

static void dap_finish(void *ctx)
{
    dap_sink *d = ctx;
    d->text.finish(d->text.ctx);
}

static bool trace_configured(session *s)
{
    return s->trace || s->ntracepoints > 0 || s->nfb_tracepoints > 0;
}

/* Tracepoints without the "trace" attribute: its defaults. */
static const trace_config trace_defaults = { .max_string = 64, .max_depth = 1, .console = true, .events = true };

static const trace_config *trace_settings(session *s)
{
    return s->trace ? s->trace : &trace_defaults;
}

static void sinks_open(session *s)
{
    if (s->ntrace_sinks)
        return;
    const trace_config *cfg = trace_settings(s);
    dap_sink *d = xcalloc(1, sizeof *d);
    d->s = s;
    d->text = trace_text_sink(console_line, s);
    d->console = cfg->console;
    d->events = cfg->events;
    s->trace_sinks[s->ntrace_sinks++] = (gobp_trace_sink){ dap_enter, dap_exit, dap_finish, d };
    const char *output = cfg->output;
    const char *format = cfg->format ? cfg->format : "jsonl";
    if (output) {
        char path[PATH_MAX];
        if (output[0] == '/' || !s->cwd)
            snprintf(path, sizeof path, "%s", output);
        else
            snprintf(path, sizeof path, "%s/%s", s->cwd, output);
        s->trace_file = fopen(path, "w");
        if (!s->trace_file) {
            char text[PATH_MAX + 128];
            snprintf(text, sizeof text, "trace: cannot write %s: %s\n", path, strerror(errno));
            session_output(s, "stderr", text);
        } else if (strcmp(format, "chrome") == 0) {
            s->trace_sinks[s->ntrace_sinks++] = trace_chrome_sink(s->trace_file);
        } else if (strcmp(format, "text") == 0) {
            s->trace_sinks[s->ntrace_sinks++] = trace_text_sink(file_line, s->trace_file);
        } else {
            s->trace_sinks[s->ntrace_sinks++] = trace_jsonl_sink(s->trace_file);
        }
    }
    s->trace_summary = trace_summary_new();
}

/* A function name as an exact regular expression: ^main\.\(\*T\)\.M$ */
static char *exact_regex(const char *name)
{
    size_t len = strlen(name);
    char *out = xmalloc(len * 2 + 3), *p = out;
    *p++ = '^';
    for (const char *c = name; *c; c++) {
        if (strchr(".[]()*+?{}|^$\\", *c))
            *p++ = '\\';
        *p++ = *c;
    }
    *p++ = '$';
    *p = 0;
    return out;
}

static void push(const char ***list, int *n, const char *v)
{
    *list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
    (*list)[(*n)++] = v;
}

static void strings_of(char *const *strings, int count, const char ***list, int *n)
{
    for (int i = 0; i < count; i++)
        push(list, n, strings[i]);
}

/* (Re)starts the tracer on the union of the "trace" attribute and the tracepoints.
 * Returns the number of functions traced, -1 with a message sent to the console. */
int session_trace_apply(session *s)
{
    if (!s->target)
        return -1;
    target_trace_stop(s->target);
    if (!trace_configured(s))
        return 0;
    sinks_open(s);
    gobp_trace_selection sel = { 0 };
    const trace_config *cfg = trace_settings(s);
    strings_of(cfg->functions, cfg->nfunctions, &sel.patterns, &sel.npatterns);
    strings_of(cfg->packages, cfg->npackages, &sel.packages, &sel.npackages);
    strings_of(cfg->exclude, cfg->nexclude, &sel.excludes, &sel.nexcludes);
    int nexact = s->ntracepoints + s->nfb_tracepoints;
    char **exact = xcalloc((size_t)nexact + 1, sizeof *exact);
    for (int i = 0; i < nexact; i++) {
        exact[i] = exact_regex(i < s->ntracepoints ? s->tracepoints[i] : s->fb_tracepoints[i - s->ntracepoints]);
        push(&sel.patterns, &sel.npatterns, exact[i]);
    }
    gobp_trace_opts opts = {
        .max_string = cfg->max_string, .max_depth = cfg->max_depth, .goroutine = cfg->goroutine,
        .sample = cfg->sample, .max_calls = cfg->max_calls,
    };
    const gobp_func **fs = NULL;
    char err[512], text[700];
    int n = sel.npatterns + sel.npackages ? target_trace_select(s->target, &sel, &fs, err, sizeof err) : 0;
    if (n < 0) {
        snprintf(text, sizeof text, "trace: %s\n", err);
    } else if (n == 0 && sel.npatterns + sel.npackages) {
        snprintf(text, sizeof text, "trace: no function matches the trace selection\n");
        n = -1;
    } else if (n > 0) {
        n = target_trace_start(s->target, fs, n, &opts, s->trace_sinks, s->ntrace_sinks, s->trace_summary, err, sizeof err);
        if (n < 0)
            snprintf(text, sizeof text, "trace: %s\n", err);
        else
            snprintf(text, sizeof text, "trace: tracing %d function%s\n", n, n == 1 ? "" : "s");
    }
    session_trace_reading(s);
    uint64_t fast, slow;
    if (n > 0 && target_trace_fast(s->target, &fast, &slow)) {
        char note[200];
        snprintf(note, sizeof note, "trace: %llu of %llu entry and return sites record calls in the program, without a stop\n",
                 (unsigned long long)fast, (unsigned long long)(fast + slow));
        session_output(s, "console", text);
        snprintf(text, sizeof text, "%s", note);
    }
    if (n != 0)
        session_output(s, n < 0 ? "stderr" : "console", text);
    for (int i = 0; i < nexact; i++)
        free(exact[i]);
    free(exact);
    free(fs);
    free(sel.patterns);
    free(sel.packages);
    free(sel.excludes);
    return n;
}

void session_trace_configure(session *s, trace_config *cfg)
{
    if (!cfg)
        return;
    trace_config_free(s->trace);
    s->trace = cfg;
    session_trace_apply(s);
}

static void on_trace_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    session *s = w->data;
    if (s->target)
        target_trace_drain(s->target);
}

void session_trace_reading(session *s)
{
    uint64_t fast, slow;
    bool reading = s->target && target_trace_fast(s->target, &fast, &slow);
    if (reading && !ev_is_active(&s->trace_timer)) {
        ev_timer_init(&s->trace_timer, on_trace_timer, 0.005, 0.005);
        s->trace_timer.data = s;
        ev_timer_start(s->loop, &s->trace_timer);
    } else if (!reading && ev_is_active(&s->trace_timer)) {
        ev_timer_stop(s->loop, &s->trace_timer);
    }
}

void session_trace_finish(session *s)
{
    if (s->target)
        target_trace_stop(s->target);
    session_trace_reading(s);
    if (!s->ntrace_sinks)
        return;
    for (int i = 0; i < s->ntrace_sinks; i++) {
        s->trace_sinks[i].finish(s->trace_sinks[i].ctx);
        if (s->trace_sinks[i].enter == dap_enter) {
            dap_sink *d = s->trace_sinks[i].ctx;
            trace_sink_free(&d->text);
            free(d);
        } else {
            trace_sink_free(&s->trace_sinks[i]);
        }
    }
    s->ntrace_sinks = 0;
    if (s->trace_summary && trace_summary_calls(s->trace_summary) > 0)
        trace_summary_write(s->trace_summary, console_line, s);
    trace_summary_free(s->trace_summary);
    s->trace_summary = NULL;
    if (s->trace_file)
        fclose(s->trace_file);
    s->trace_file = NULL;
}

void session_set_tracepoints(session *s, const char **names, int n, bool from_breakpoints)
{
    char ***list = from_breakpoints ? &s->fb_tracepoints : &s->tracepoints;
    int *count = from_breakpoints ? &s->nfb_tracepoints : &s->ntracepoints;
    for (int i = 0; i < *count; i++)
        free((*list)[i]);
    free(*list);
    *list = xcalloc((size_t)n + 1, sizeof **list);
    *count = n;
    for (int i = 0; i < n; i++)
        (*list)[i] = xstrdup(names[i]);
    session_trace_apply(s);
}

DECLARE_REQUEST(req_set_tracepoints)
{
    json_object *list = NULL;
    if (!json_object_object_get_ex(args, "functions", &list) || !json_object_is_type(list, json_type_array)) {
        session_respond_error(s, req, "setTracepoints: arguments.functions (an array of Go function names) is required");
        return;
    }
    size_t n = json_object_array_length(list);
    const char **names = xcalloc(n + 1, sizeof *names);
    json_object *results = json_object_new_array();
    int good = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(list, i));
        bool found = target_has_function(s->target, name);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "verified", json_object_new_boolean(found));
        if (!found) {
            char msg[300];
            snprintf(msg, sizeof msg, "function %s not found in this program", name ? name : "?");
            json_object_object_add(o, "message", json_object_new_string(msg));
        } else {
            names[good++] = name;
        }
        json_object_array_add(results, o);
    }
    session_set_tracepoints(s, names, good, false);
    free(names);
    session_respond_breakpoints(s, req, results);
}
