/* One DAP session: its libev loop, message I/O, the request handler table, the debugger
 * target it drives, and the handle tables (frame ids, variablesReference) valid while stopped. */
#ifndef GOBP_SESSION_H
#define GOBP_SESSION_H

#include <ev.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "dap_framing.h"
#include "dap_message.h"
#include "handles.h"
#include "launch_config.h"
#include "target/target.h"

typedef struct session {
    struct ev_loop *loop;
    int in_fd, out_fd;
    dap_reader *reader;
    dap_seq seq;
    FILE *log;
    ev_io in_watcher;
    ev_io sigchld_watcher;
    int sigchld_fd;
    ev_io output_watcher[2];   /* the program's stdout, stderr */
    int output_fd[2];
    /* client */
    bool client_lines_start_at1, client_columns_start_at1;
    bool client_supports_variable_type;
    /* the debuggee */
    gobp_target *target;
    char *built_binary;        /* temporary binary we built (removed at the end) */
    char *built_dir;
    char *cwd;                 /* launch cwd: relative plugin paths are resolved against it */
    path_rule *path_rules;     /* substitutePath (paths.c) */
    int npath_rules;
    bool attached;
    bool stop_on_entry;
    bool terminate_debuggee;   /* disconnect's default: launch/attach attribute terminateDebuggee */
    bool hide_system_goroutines; /* launch/attach attribute hideSystemGoroutines */
    gobp_goroutine_filter *goroutine_filter; /* goroutineFilters (NULL: every goroutine) */
    char **pprof_labels;         /* showPprofLabels: the label keys thread names show */
    int npprof_labels;
    bool configured;
    bool ended;                /* exited/terminated sent */
    bool quit;                 /* leave the loop */
    bool no_spawn;             /* launch and attach check their arguments, then refuse (fuzzing) */
    int64_t last_stop_goid;    /* goroutine of the last stop (threadId) */
    /* tracing (req_trace.c) */
    trace_config *trace;        /* the launch "trace" attribute (NULL: none) */
    char **tracepoints;         /* setTracepoints */
    int ntracepoints;
    char **fb_tracepoints;      /* function breakpoints whose condition is "trace" */
    int nfb_tracepoints;
    gobp_trace_sink trace_sinks[2];
    int ntrace_sinks;
    FILE *trace_file;
    ev_timer trace_timer;       /* reads the records of a trace without stops */
    gobp_trace_summary *trace_summary;
    handle_table handles;
    const gobp_func **step_in_targets;  /* the last stepInTargets answer: targetId i+1 is entry i */
    int nstep_in_targets;
} session;

/* Runs a session on in_fd/out_fd to completion (server.h session_fn). ctx: const char *log path. */
void session_run(int in_fd, int out_fd, void *ctx);
/* session_run in parts, for a driver with its own loop (the fuzz harnesses): open (log_path may
 * be NULL), feed bytes as read from the client (-1 once the framing is broken: s->quit is set),
 * poll the target for stops and exits (what SIGCHLD triggers), close (ends the debuggee). */
void session_open(session *s, int in_fd, int out_fd, const char *log_path);
int session_feed(session *s, const char *buf, size_t n);
void session_poll_target(session *s);
void session_close(session *s);

/* Sending. */
void session_send(session *s, json_object *msg);           /* takes ownership */
void session_respond_ok(session *s, json_object *req, json_object *body); /* body may be NULL; owned */
/* The same with a body already serialised as JSON (big lists built without json-c objects). */
void session_respond_ok_text(session *s, json_object *req, const char *body, size_t body_len);
void session_respond_error(session *s, json_object *req, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
json_object *session_event(session *s, const char *event); /* build; fill dap_body(); session_send */
void session_output(session *s, const char *category, const char *text);

/* Breakpoint results (req_breakpoints.c): a DAP Breakpoint for bp (source: its file as the
 * editor names it, else fallback_path), and the {"breakpoints": list} response every
 * set*Breakpoints request gives. */
json_object *session_breakpoint_json(session *s, const gobp_breakpoint *bp, const char *fallback_path);
void session_respond_breakpoints(session *s, json_object *req, json_object *list);

/* substitutePath (paths.c): the rules of the launch/attach attribute (the session takes
 * them over); paths mapped editor->binary and binary->editor (malloc'd; unchanged when no
 * rule matches; NULL for NULL). */
void session_set_path_rules(session *s, path_rule *rules, int n);
void session_path_rules_free(session *s);
char *session_path_to_binary(session *s, const char *editor_path);
char *session_path_to_editor(session *s, const char *binary_path);
const char *session_path_clean(const char *binary_path);   /* "./example.com/m/f.go" -> "example.com/m/f.go" */

/* Target events: a stop or exit shown to the client. */
void session_report_stop(session *s, const gobp_stop *stop);
void session_end_debuggee(session *s, bool kill);
/* Start watching the program's stdout/stderr pipes (read ends). */
void session_watch_output(session *s, int out_fd, int err_fd);
void session_drain_output(session *s);

/* A DAP threadId as the core's goroutine id (or -tid for an OS thread before the runtime runs). */
int64_t session_thread_to_goid(session *s, int64_t thread_id);
/* The frame an expression of a request is evaluated in: frameId, else the top frame of the last
 * stop (req_variables.c). false when there is none. */
bool session_frame_for_expression(session *s, json_object *args, handle *out);
/* A DAP Source for a path as the editor names it: {name: its last component, path} (paths.c). */
json_object *session_source_json(const char *editor_path);
/* An address as memory and instruction references carry it: "0x4a1b20" (req_memory.c). */
json_object *session_address_json(uint64_t addr);
/* The variable called name under handle h (a scope or an expandable value): 0 with its value. */
int session_find_variable(session *s, handle *h, const char *name, gobp_value *out);
/* A memory reference as variables, frames and the client write it ("0x4a1b20", or decimal)
 * plus offset: 0 with the address, -1 when ref is no address (req_memory.c). */
int session_memory_reference(const char *ref, int64_t offset, uint64_t *addr);

/* Handler breakpoints (req_handlers.c): replaces the whole set; fills results (may be NULL)
 * with one Breakpoint per spec; problems also go to the debug console when announce is true. */
void session_set_handlers(session *s, const handler_spec *specs, int n, json_object *results, bool announce);
void session_on_target_message(void *ctx, const char *category, const char *text);

/* Tracing (req_trace.c): the launch attribute (the session takes cfg over), tracepoints, the
 * end of the trace. */
void session_trace_configure(session *s, trace_config *cfg);
int session_trace_apply(session *s);
/* from_breakpoints: the set made by function breakpoints (condition "trace"); else the set of
 * setTracepoints. The two sets are independent: each request replaces only its own. */
void session_set_tracepoints(session *s, const char **names, int n, bool from_breakpoints);
void session_trace_finish(session *s);
/* Reads a trace's records every 5 ms while it records in the program; stops when it does not. */
void session_trace_reading(session *s);

/* Exception filters (req_breakpoints.c): advertised by initialize. */
typedef struct {
    const char *id, *label, *description;
    bool on_by_default;
    gobp_exception_kind kind;
} exception_filter;
extern const exception_filter exception_filters[];

/* Request handlers: one per DAP command, grouped by family in req_*.c. */
typedef void (*request_handler)(session *s, json_object *req, json_object *args);
/* What a request needs before its handler runs; dispatch answers "<command>: <why not>"
 * otherwise, so handlers never check it themselves. */
typedef enum {
    NEEDS_NOTHING,
    NEEDS_NO_PROGRAM,  /* launch, attach: no program in this session yet */
    NEEDS_PROGRAM,     /* a launched or attached program, running or stopped */
    NEEDS_STOPPED,     /* a program that is stopped */
} request_needs;
typedef struct {
    const char *command;
    request_handler handler;
    request_needs needs;
    const char *capabilities[4]; /* the initialize capabilities this handler backs */
} request_entry;
extern const request_entry request_table[];
const request_entry *request_lookup(const char *command);
/* Why a request with these needs cannot run now (the sentence after "<command>: "), or NULL. */
const char *request_unmet_need(request_needs needs, bool have_program, bool running);
/* The sentence of NEEDS_PROGRAM, for requests that answer without a program but say why
 * (breakpoints set before launch come back unverified with it). */
#define NO_PROGRAM_MESSAGE "no program is being debugged (launch or attach first)"

#define DECLARE_REQUEST(name) void name(session *s, json_object *req, json_object *args)
DECLARE_REQUEST(req_initialize);
DECLARE_REQUEST(req_configuration_done);
DECLARE_REQUEST(req_disconnect);
DECLARE_REQUEST(req_terminate);
DECLARE_REQUEST(req_launch);
DECLARE_REQUEST(req_attach);
DECLARE_REQUEST(req_set_breakpoints);
DECLARE_REQUEST(req_set_function_breakpoints);
DECLARE_REQUEST(req_set_instruction_breakpoints);
DECLARE_REQUEST(req_set_exception_breakpoints);
DECLARE_REQUEST(req_continue);
DECLARE_REQUEST(req_pause);
DECLARE_REQUEST(req_next);
DECLARE_REQUEST(req_step_in);
DECLARE_REQUEST(req_step_out);
DECLARE_REQUEST(req_step_in_targets);
DECLARE_REQUEST(req_threads);
DECLARE_REQUEST(req_stack_trace);
DECLARE_REQUEST(req_scopes);
DECLARE_REQUEST(req_breakpoint_locations);
DECLARE_REQUEST(req_loaded_sources);
DECLARE_REQUEST(req_read_memory);
DECLARE_REQUEST(req_completions);
DECLARE_REQUEST(req_data_breakpoint_info);
DECLARE_REQUEST(req_set_data_breakpoints);
DECLARE_REQUEST(req_write_memory);
DECLARE_REQUEST(req_variables);
DECLARE_REQUEST(req_evaluate);
DECLARE_REQUEST(req_set_handler_breakpoints);
DECLARE_REQUEST(req_force_return);
DECLARE_REQUEST(req_set_tracepoints);
DECLARE_REQUEST(req_exception_info);
DECLARE_REQUEST(req_set_variable);
DECLARE_REQUEST(req_disassemble);

#endif
