/* The launch/attach arguments parsed into a launch_config: every attribute read and
 * type-checked here, with one wording for type errors ("launch: \"args\" must be an array of
 * strings"), so a mistyped launch.json fails clearly instead of being half ignored. */
#include "launch_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "target/target.h"

/* Where errors go, and the request they are about. */
typedef struct {
    const char *command;
    char *err;
    size_t errlen;
} errors;

static int type_error(const errors *e, const char *name, const char *expected)
{
    snprintf(e->err, e->errlen, "%s: \"%s\" must be %s", e->command, name, expected);
    return -1;
}

/* obj's key; NULL when absent or null (the default applies). */
static json_object *member(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!obj || !json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

/* An array; {} counts as an empty one: Lua's JSON (nvim-dap's launch configurations) encodes
 * an empty table as an object. */
static bool is_array(json_object *v)
{
    return json_object_is_type(v, json_type_array) ||
           (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0);
}

static size_t array_length(json_object *v)
{
    return json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

static int read_string(const errors *e, json_object *v, const char *name, char **out)
{
    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return type_error(e, name, "a string");
    *out = xstrdup(json_object_get_string(v));
    return 0;
}

static int read_bool(const errors *e, json_object *v, const char *name, bool *out)
{
    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_boolean))
        return type_error(e, name, "true or false");
    *out = json_object_get_boolean(v);
    return 0;
}

/* An integer (a JSON number without a fraction). */
static int read_int(const errors *e, json_object *v, const char *name, const char *expected, int64_t *out)
{
    if (!v)
        return 0;
    if (json_object_is_type(v, json_type_int)) {
        *out = json_object_get_int64(v);
        return 0;
    }
    if (json_object_is_type(v, json_type_double)) {
        double d = json_object_get_double(v);
        if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
            *out = (int64_t)d;
            return 0;
        }
    }
    return type_error(e, name, expected);
}

static int read_strings(const errors *e, json_object *v, const char *name, char ***out, int *n)
{
    if (!v)
        return 0;
    if (!is_array(v))
        return type_error(e, name, "an array of strings");
    size_t len = array_length(v);
    for (size_t i = 0; i < len; i++)
        if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
            return type_error(e, name, "an array of strings");
    *out = xcalloc(len + 1, sizeof **out);
    for (size_t i = 0; i < len; i++)
        (*out)[i] = xstrdup(json_object_get_string(json_object_array_get_idx(v, i)));
    *n = (int)len;
    return 0;
}

static void strings_free(char **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* buildFlags: a string (split on spaces and tabs, as Delve does) or an array of strings. */
static int read_build_flags(const errors *e, json_object *v, launch_config *cfg)
{
    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        if (read_strings(e, v, "buildFlags", &cfg->build_flags, &cfg->nbuild_flags) < 0)
            return type_error(e, "buildFlags", "a string or an array of strings");
        return 0;
    }
    char *copy = xstrdup(json_object_get_string(v));
    cfg->build_flags = xcalloc(strlen(copy) / 2 + 2, sizeof *cfg->build_flags);
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        cfg->build_flags[cfg->nbuild_flags++] = xstrdup(w);
    free(copy);
    return 0;
}

/* env: {"NAME": "value", "OTHER": null} (null unsets the variable). */
static int read_env(const errors *e, json_object *v, launch_config *cfg)
{
    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_object))
        return type_error(e, "env", "an object of strings (null unsets a variable)");
    cfg->env = xcalloc((size_t)json_object_object_length(v) + 1, sizeof *cfg->env);
    json_object_object_foreach(v, key, val) {
        if (val && !json_object_is_type(val, json_type_null) && !json_object_is_type(val, json_type_string)) {
            char name[300];
            snprintf(name, sizeof name, "env.%s", key);
            return type_error(e, name, "a string or null");
        }
        env_setting *s = &cfg->env[cfg->nenv++];
        s->name = xstrdup(key);
        s->value = val && json_object_is_type(val, json_type_string) ? xstrdup(json_object_get_string(val)) : NULL;
    }
    return 0;
}

static int read_substitute_path(const errors *e, json_object *v, launch_config *cfg)
{
    static const char rule[] = "{\"from\": \"/editor/path\", \"to\": \"/path/in/the/binary\"}";
    if (!v)
        return 0;
    char expected[160];
    if (!is_array(v)) {
        snprintf(expected, sizeof expected, "an array of %s", rule);
        return type_error(e, "substitutePath", expected);
    }
    size_t n = array_length(v);
    cfg->substitute_path = xcalloc(n + 1, sizeof *cfg->substitute_path);
    for (size_t i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(v, i), *from = NULL, *to = NULL;
        if (!r || !json_object_is_type(r, json_type_object) || !json_object_object_get_ex(r, "from", &from) ||
            !json_object_object_get_ex(r, "to", &to) || !json_object_is_type(from, json_type_string) ||
            !json_object_is_type(to, json_type_string)) {
            char name[40];
            snprintf(name, sizeof name, "substitutePath[%zu]", i);
            snprintf(expected, sizeof expected, "%s with two strings", rule);
            return type_error(e, name, expected);
        }
        cfg->substitute_path[i].from = xstrdup(json_object_get_string(from));
        cfg->substitute_path[i].to = xstrdup(json_object_get_string(to));
        cfg->nsubstitute_path++;
    }
    return 0;
}

static int read_trace(const errors *e, json_object *v, launch_config *cfg)
{
    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_object))
        return type_error(e, "trace", "an object such as {\"functions\": [\"main\\\\..*\"]} (README: Call tracing)");
    trace_config *t = cfg->trace = xcalloc(1, sizeof *t);
    t->max_string = 64;
    t->max_depth = 1;
    t->console = t->events = true;
    int64_t max_string = t->max_string, max_depth = t->max_depth, sample = 0, max_calls = 0;
    const char *integer = "an integer";
    if (read_strings(e, member(v, "functions"), "trace.functions", &t->functions, &t->nfunctions) < 0 ||
        read_strings(e, member(v, "packages"), "trace.packages", &t->packages, &t->npackages) < 0 ||
        read_strings(e, member(v, "exclude"), "trace.exclude", &t->exclude, &t->nexclude) < 0 ||
        read_string(e, member(v, "output"), "trace.output", &t->output) < 0 ||
        read_string(e, member(v, "format"), "trace.format", &t->format) < 0 ||
        read_int(e, member(v, "maxString"), "trace.maxString", integer, &max_string) < 0 ||
        read_int(e, member(v, "maxDepth"), "trace.maxDepth", integer, &max_depth) < 0 ||
        read_int(e, member(v, "goroutine"), "trace.goroutine", integer, &t->goroutine) < 0 ||
        read_int(e, member(v, "sample"), "trace.sample", integer, &sample) < 0 ||
        read_int(e, member(v, "maxCalls"), "trace.maxCalls", integer, &max_calls) < 0 ||
        read_bool(e, member(v, "console"), "trace.console", &t->console) < 0 ||
        read_bool(e, member(v, "events"), "trace.events", &t->events) < 0)
        return -1;
    t->max_string = (int)max_string;
    t->max_depth = (int)max_depth;
    t->sample = (uint64_t)sample;
    t->max_calls = (uint64_t)max_calls;
    return 0;
}

int handler_specs_parse(json_object *list, const char *command, const char *name, handler_spec **out, int *n,
                        char *err, size_t errlen)
{
    static const char shape[] = "{\"function\", \"plugin\", \"config\", \"condition\"}";
    *out = NULL;
    *n = 0;
    if (!list)
        return 0;
    if (!is_array(list)) {
        snprintf(err, errlen, "%s: \"%s\" must be an array of %s", command, name, shape);
        return -1;
    }
    size_t len = array_length(list);
    handler_spec *specs = xcalloc(len + 1, sizeof *specs);
    for (size_t i = 0; i < len; i++) {
        json_object *item = json_object_array_get_idx(list, i);
        if (!item || !json_object_is_type(item, json_type_object)) {
            snprintf(err, errlen, "%s: \"%s[%zu]\" must be an object %s", command, name, i, shape);
            handler_specs_free(specs, (int)i);
            return -1;
        }
        static const char *const keys[] = { "function", "plugin", "config", "condition" };
        char **fields[] = { &specs[i].function, &specs[i].plugin, &specs[i].config, &specs[i].condition };
        for (int k = 0; k < 4; k++) {
            json_object *v = member(item, keys[k]);
            if (v && !json_object_is_type(v, json_type_string)) {
                snprintf(err, errlen, "%s: \"%s[%zu].%s\" must be a string", command, name, i, keys[k]);
                handler_specs_free(specs, (int)i + 1);
                return -1;
            }
            *fields[k] = v ? xstrdup(json_object_get_string(v)) : NULL;
        }
    }
    *out = specs;
    *n = (int)len;
    return 0;
}

/* goroutineFilters: Delve's goroutine filter text, parsed once (target_goroutine_filter_parse). */
static int read_goroutine_filters(const errors *e, json_object *v, launch_config *cfg)
{
    char *text = NULL, why[400];
    if (read_string(e, v, "goroutineFilters", &text) < 0)
        return -1;
    if (!text)
        return 0;
    cfg->goroutine_filter = target_goroutine_filter_parse(text, why, sizeof why);
    free(text);
    if (!cfg->goroutine_filter) {
        snprintf(e->err, e->errlen, "%s: goroutineFilters: %s", e->command, why);
        return -1;
    }
    return 0;
}

int launch_config_parse(json_object *args, const char *command, launch_config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->command = command;
    cfg->disable_aslr = true;   /* as Delve: the same addresses every run */
    bool attach = strcmp(command, "attach") == 0;
    cfg->terminate_debuggee = !attach;
    errors e = { command, err, errlen };
    int64_t timeout = 0, call_timeout = 0, pid = 0;
    if (read_string(&e, member(args, "program"), "program", &cfg->program) < 0 ||
        read_string(&e, member(args, "mode"), "mode", &cfg->mode) < 0 ||
        read_strings(&e, member(args, "args"), "args", &cfg->args, &cfg->nargs) < 0 ||
        read_string(&e, member(args, "cwd"), "cwd", &cfg->cwd) < 0 ||
        read_env(&e, member(args, "env"), cfg) < 0 ||
        read_build_flags(&e, member(args, "buildFlags"), cfg) < 0 ||
        read_bool(&e, member(args, "stopOnEntry"), "stopOnEntry", &cfg->stop_on_entry) < 0 ||
        read_string(&e, member(args, "stdinFrom"), "stdinFrom", &cfg->stdin_from) < 0 ||
        read_bool(&e, member(args, "disableASLR"), "disableASLR", &cfg->disable_aslr) < 0 ||
        read_substitute_path(&e, member(args, "substitutePath"), cfg) < 0 ||
        handler_specs_parse(member(args, "handlerBreakpoints"), command, "handlerBreakpoints", &cfg->handlers, &cfg->nhandlers, err, errlen) < 0 ||
        read_int(&e, member(args, "handlerTimeoutMs"), "handlerTimeoutMs", "an integer (milliseconds)", &timeout) < 0 ||
        read_int(&e, member(args, "callTimeoutMs"), "callTimeoutMs", "an integer (milliseconds)", &call_timeout) < 0 ||
        read_trace(&e, member(args, "trace"), cfg) < 0 ||
        read_int(&e, member(args, "processId"), "processId", "a process id (a positive integer)", &pid) < 0 ||
        read_bool(&e, member(args, "terminateDebuggee"), "terminateDebuggee", &cfg->terminate_debuggee) < 0 ||
        read_bool(&e, member(args, "hideSystemGoroutines"), "hideSystemGoroutines", &cfg->hide_system_goroutines) < 0 ||
        read_strings(&e, member(args, "showPprofLabels"), "showPprofLabels", &cfg->pprof_labels, &cfg->npprof_labels) < 0 ||
        read_goroutine_filters(&e, member(args, "goroutineFilters"), cfg) < 0) {
        launch_config_free(cfg);
        return -1;
    }
    if (pid < 0 || pid > INT32_MAX) {
        type_error(&e, "processId", "a process id (a positive integer)");
        launch_config_free(cfg);
        return -1;
    }
    cfg->handler_timeout_ms = timeout > 0 && timeout <= INT32_MAX ? (int)timeout : 0;
    cfg->call_timeout_ms = call_timeout > 0 && call_timeout <= INT32_MAX ? (int)call_timeout : 0;
    cfg->process_id = (pid_t)pid;
    return 0;
}

void handler_specs_free(handler_spec *specs, int n)
{
    for (int i = 0; i < n; i++) {
        free(specs[i].function);
        free(specs[i].plugin);
        free(specs[i].config);
        free(specs[i].condition);
    }
    free(specs);
}

void path_rules_free(path_rule *rules, int n)
{
    for (int i = 0; i < n; i++) {
        free(rules[i].from);
        free(rules[i].to);
    }
    free(rules);
}

void trace_config_free(trace_config *t)
{
    if (!t)
        return;
    strings_free(t->functions, t->nfunctions);
    strings_free(t->packages, t->npackages);
    strings_free(t->exclude, t->nexclude);
    free(t->output);
    free(t->format);
    free(t);
}

void launch_config_free(launch_config *cfg)
{
    target_goroutine_filter_free(cfg->goroutine_filter);
    strings_free(cfg->pprof_labels, cfg->npprof_labels);
    free(cfg->program);
    free(cfg->mode);
    strings_free(cfg->args, cfg->nargs);
    free(cfg->cwd);
    for (int i = 0; i < cfg->nenv; i++) {
        free(cfg->env[i].name);
        free(cfg->env[i].value);
    }
    free(cfg->env);
    strings_free(cfg->build_flags, cfg->nbuild_flags);
    free(cfg->stdin_from);
    path_rules_free(cfg->substitute_path, cfg->nsubstitute_path);
    handler_specs_free(cfg->handlers, cfg->nhandlers);
    trace_config_free(cfg->trace);
    const char *command = cfg->command;
    memset(cfg, 0, sizeof *cfg);
    cfg->command = command;
}
