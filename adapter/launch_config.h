/* launch.json as one typed struct: the launch and attach arguments (Delve's attribute names,
 * plus gobp-dap's handlerBreakpoints, handlerTimeoutMs and trace), parsed and type-checked in
 * one place, so the request handlers read fields instead of JSON. */
#ifndef GOBP_LAUNCH_CONFIG_H
#define GOBP_LAUNCH_CONFIG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct { char *from, *to; } path_rule;            /* substitutePath: editor path, binary path */
typedef struct { char *name, *value; } env_setting;       /* env: value NULL unsets the variable */
typedef struct { char *function, *plugin, *config, *condition; } handler_spec; /* NULL when not given */

/* The "trace" attribute (README: Call tracing). */
typedef struct {
    char **functions, **packages, **exclude;  /* regular expressions, import paths, exclusions */
    int nfunctions, npackages, nexclude;
    char *output;                             /* trace file (relative to cwd), NULL: none */
    char *format;                             /* of the file: "jsonl" (default), "text", "chrome" */
    int max_string, max_depth;                /* 64, 1 */
    int64_t goroutine;                        /* 0: every goroutine */
    uint64_t sample, max_calls;               /* 0: every call, no limit */
    bool console, events;                     /* tree in the debug console, gobpTrace events */
} trace_config;

typedef struct {
    const char *command;            /* "launch" or "attach": the prefix of every error */
    char *program, *mode;           /* launch */
    char **args;                    /* launch: the program's arguments (argv[1..]) */
    int nargs;
    char *cwd;
    env_setting *env;               /* launch: applied over gobp-dap's own environment */
    int nenv;
    char **build_flags;             /* launch: a string is split on spaces, as Delve does */
    int nbuild_flags;
    bool stop_on_entry;
    char *stdin_from;               /* launch */
    bool disable_aslr;              /* launch: default true (Delve) */
    path_rule *substitute_path;
    int nsubstitute_path;
    handler_spec *handlers;         /* handlerBreakpoints */
    int nhandlers;
    int handler_timeout_ms;         /* 0: the target's default */
    int call_timeout_ms;            /* callTimeoutMs: a function call's limit (0: the default) */
    trace_config *trace;            /* NULL: no "trace" attribute */
    pid_t process_id;               /* attach */
    bool terminate_debuggee;        /* what disconnect does by default: launch true, attach false */
    bool hide_system_goroutines;    /* threads leaves out the runtime's own goroutines (Delve's name) */
    struct gobp_goroutine_filter *goroutine_filter; /* goroutineFilters (Delve's), parsed; NULL: none */
    char **pprof_labels;            /* showPprofLabels: label keys shown in thread names */
    int npprof_labels;
} launch_config;

/* Parses the arguments of command ("launch" or "attach") into cfg (zeroed first). Absent
 * and null attributes take their defaults; unknown ones are ignored (editors add their own).
 * -1 with a sentence in err, e.g. `launch: "args" must be an array of strings`; cfg is then
 * freed. */
int launch_config_parse(json_object *args, const char *command, launch_config *cfg, char *err, size_t errlen);
void launch_config_free(launch_config *cfg);

/* An array of {"function", "plugin", "config"}: attribute name of command (launch's
 * "handlerBreakpoints", setHandlerBreakpoints' "handlers"). A missing function or plugin stays
 * NULL (the handler comes back unverified); a wrong type is an error naming the item. */
int handler_specs_parse(json_object *list, const char *command, const char *name, handler_spec **out, int *n,
                        char *err, size_t errlen);
void handler_specs_free(handler_spec *specs, int n);

void path_rules_free(path_rule *rules, int n);
void trace_config_free(trace_config *t);

#endif
