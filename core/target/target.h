/* The debugger as one object: a Go binary, its traced process, breakpoints, goroutines,
 * stacks, values and run control (continue, pause, next/step in/step out). Front ends (the
 * DAP adapter, the run/trace CLI) talk to this and only this; it knows nothing of DAP or JSON.
 * The types it hands out (breakpoints, goroutines, frames, functions, variables, values,
 * trace sinks) come from the headers below; their functions stay the core's own. */
#ifndef GOBP_TARGET_H
#define GOBP_TARGET_H

#include "binary/binary.h"
#include "breakpoint.h"
#include "eval/eval_result.h"
#include "binary/goruntime.h"
#include "proc/insn.h"
#include "proc/proc.h"
#include "binary/stack.h"
#include "trace/trace.h"
#include "value/value.h"

typedef struct gobp_target gobp_target;

/* Opens the binary first (clear errors for non-Go, stripped, missing), then launches it
 * stopped at its first instruction. */
gobp_target *target_launch(const gobp_launch_opts *opts, char *err, size_t errlen);
/* Attaches to a running Go process (binary from /proc/PID/exe); returns it stopped. */
gobp_target *target_attach(pid_t pid, char *err, size_t errlen);
/* Ends the session: kill (launched, or kill=true) or detach; frees the target. */
void target_end(gobp_target *t, bool kill);

gobp_memview target_memview(gobp_target *t);
pid_t target_pid(gobp_target *t);
/* Kills the program at once (DAP terminate); its end arrives from target_poll as STOP_KILLED. */
void target_terminate(gobp_target *t);

/* ---- the program's code, symbols and memory (target_lookup.c) ---- */
/* The function whose code holds pc (NULL if none). */
const gobp_func *target_function_at(gobp_target *t, uint64_t pc);
/* Whether the program has a function of this Go name (a generic's name covers every
 * instantiation). */
bool target_has_function(gobp_target *t, const char *name);
/* Source file (DWARF's name, owned by the target) and line of pc. 0 ok, -1 if none. */
int target_source_line(gobp_target *t, uint64_t pc, const char **file, int *line);
/* A file the binary records under another directory than path says (a -trimpath build
 * records example.com/mod/main.go for /home/me/mod/main.go): the binary's name of the file
 * path ends with, when it has code at or after line; NULL if there is none. */
const char *target_source_recorded_as(gobp_target *t, const char *path, int line);
/* The shared object mapped at addr ("libc.so.6") and addr's offset in it, for code outside
 * the executable. 0 ok, -1 if addr is in no file mapping. */
int target_library_at(gobp_target *t, uint64_t addr, char *name, size_t namelen, uint64_t *offset);
/* Lines of file in [from, to] that take a breakpoint, and the program's source files
 * (binary_stmt_lines, binary_source_files). */
int target_breakpoint_lines(gobp_target *t, const char *file, int from, int to, int **lines);
int target_source_files(gobp_target *t, const char ***files);
/* Reads the program's memory as the program sees it (the original bytes under breakpoints).
 * 0 ok, -1 if any byte is unreadable. */
int target_read_memory(gobp_target *t, uint64_t addr, void *buf, size_t len);
/* Writes the program's memory (our breakpoints stay in place: the bytes under them are what
 * changes). 0, or -1 when it is not writable. */
int target_write_memory(gobp_target *t, uint64_t addr, const void *buf, size_t len);
/* Decodes the target's code in [from, to) (original bytes under breakpoints), appending to
 * *out (grown, *n used of *cap); bytes that start no instruction come as one-byte "(bad)". */
int target_disassemble(gobp_target *t, uint64_t from, uint64_t to, insn_step **out, int *n, int *cap);
/* The program's OS threads (while stopped). Returns the count (may exceed max). */
int target_threads(gobp_target *t, pid_t *tids, int max);

/* ---- breakpoints (owned by the target; valid until deleted) ---- */
/* Always returns a breakpoint: verified with its real line, or unverified with a message. */
gobp_breakpoint *target_break_line(gobp_target *t, const char *file, int line);
gobp_breakpoint *target_break_function(gobp_target *t, const char *name);
/* A breakpoint on the instruction at addr: unverified (with the reason) when addr is in no
 * function or not where an instruction starts. */
gobp_breakpoint *target_break_address(gobp_target *t, uint64_t addr);
/* Data breakpoints (target_watch.c). The dataId of value v ("0xADDR/SIZE"), or -1 with the
 * reason it cannot be watched (not in memory, on a goroutine stack: Go moves stacks). */
int target_data_id(gobp_target *t, const gobp_value *v, char *id, size_t idlen, char *why, size_t whylen);
/* Watches the memory of a dataId (writes; read: reads too), on every thread: unverified with
 * the reason when it needs more debug registers than are free (x86-64 has 4). A hit stops
 * every thread after the access (STOP_DATA, bp_ids this breakpoint). */
gobp_breakpoint *target_break_data(gobp_target *t, const char *data_id, bool read);
void target_break_delete(gobp_target *t, gobp_breakpoint *bp);
/* Condition (a bool expression), hit condition ("5", "== 5", ">= 5", "% 5") and log message
 * ("x is {x}": a log point) of a line or function breakpoint; NULL or "" for none. They are
 * compiled here, once, and checked against the names and types where the breakpoint is (every
 * location); at a hit the compiled forms are evaluated without stopping the other threads.
 * A malformed hit condition, a condition or {expr} that does not parse or does not fit the
 * scope (an unknown name, a field the type lacks, not a bool): -1 with err, and the
 * breakpoint is unverified with err as its message (its sites removed). */
int target_break_set_conditions(gobp_target *t, gobp_breakpoint *bp, const char *condition,
                                const char *hit_condition, const char *log_message, char *err, size_t errlen);
/* Whether bp was set with these condition, hit condition and log message (NULL and "" alike):
 * a breakpoint sent again unchanged keeps its hit count. */
bool target_break_same_conditions(const gobp_breakpoint *bp, const char *condition, const char *hit_condition,
                                  const char *log_message);
/* Every breakpoint of a kind (to replace a set), malloc'd into *out (free it). Returns the count. */
int target_breakpoints(gobp_target *t, gobp_bp_kind kind, gobp_breakpoint ***out);

/* ---- panics and fatal errors (target_exception.c) ---- */
typedef enum { EXC_UNRECOVERED_PANIC, EXC_ANY_PANIC, EXC_FATAL } gobp_exception_kind;
/* A stop at the runtime function behind kind (runtime.fatalpanic, runtime.gopanic,
 * runtime.throw/fatal). Always returns a breakpoint (unverified with a message if absent). */
gobp_breakpoint *target_break_exception(gobp_target *t, gobp_exception_kind kind);
/* At an exception stop of goroutine goid: "panic" / "fatal error" and the message
 * ("boom", "runtime error: index out of range [5] with length 3"). 0 ok. */
int target_exception_info(gobp_target *t, int64_t goid, char *kind, size_t kindlen, char *msg, size_t msglen);

/* ---- handler breakpoints (plugin/handler.c) ---- */
/* Where plugin log lines ("console") and handler problems ("stderr") go. */
typedef void (*gobp_message_fn)(void *ctx, const char *category, const char *text);
void target_set_message_fn(gobp_target *t, gobp_message_fn fn, void *ctx);
/* Time limit of a function call in an expression (default 5000 ms): then it is abandoned. */
void target_set_call_timeout(gobp_target *t, int ms);
/* Time limit of one plugin call (default 1000 ms). */
void target_set_handler_timeout(gobp_target *t, int ms);
/* A handler on function (after its stack check): plugin_path is loaded with config. With a
 * condition (a bool expression over the arguments, as a breakpoint's; NULL or "" for none) the
 * plugin runs only on the calls where it holds. Always returns a breakpoint: verified, or
 * unverified with the reason in message (a condition that does not fit the function too). */
gobp_breakpoint *target_handler_add(gobp_target *t, const char *function, const char *plugin_path,
                                    const char *config, const char *condition);
/* At a stop in a function's entry (a handler stop): the function returns at once with zero
 * results. -1 with err when goroutine goid is not stopped at a handler entry. */
int target_force_return(gobp_target *t, int64_t goid, char *err, size_t errlen);

/* ---- call tracing (trace/tracer.c) ---- */
/* The functions a selection of the program's functions names (regular expressions,
 * packages, exclusions): *out (malloc'd) and the count, -1 with err for a bad expression. */
int target_trace_select(gobp_target *t, const gobp_trace_selection *sel, const gobp_func ***out,
                        char *err, size_t errlen);
/* Traces calls of fs (entry and RET sites, non-stop): records stream to the sinks, and into
 * summary when given. Returns how many functions got sites, -1 with err. */
int target_trace_start(gobp_target *t, const gobp_func *const *fs, int n, const gobp_trace_opts *opts,
                       gobp_trace_sink *sinks, int nsinks, gobp_trace_summary *summary, char *err, size_t errlen);
/* Closes the open calls (unfinished, or panic) and removes the sites. The sinks stay the
 * caller's: finish them when the trace output is complete (a trace may be restarted with
 * other functions into the same sinks). */
void target_trace_stop(gobp_target *t);
bool target_tracing(gobp_target *t);
/* Started while the program was stopped, a trace puts its sites where it can on jump sites
 * that write records into a ring in the program's memory (trace/trace_fast.c): those calls
 * never stop it. The records reach the sinks when this reads them: call it every few
 * milliseconds while the program runs (target_wait does), and the hits read them first. */
void target_trace_drain(gobp_target *t);
/* Whether the trace runs so; how many entry and return sites record in the program, and how
 * many trap. */
bool target_trace_fast(gobp_target *t, uint64_t *fast_sites, uint64_t *slow_sites);

/* ---- run control ---- */
/* STOP_EXEC is no stop: the program exec'd (syscall.Exec) and its new image runs on without
 * the debugger (no breakpoints, no tracing, no pause). A launched program's exit still comes
 * (STOP_EXITED/KILLED, the exec'd program's code); an attached one is gone for the debugger:
 * end the session. */
typedef enum {
    STOP_NONE = 0, STOP_ENTRY, STOP_BREAKPOINT, STOP_STEP, STOP_PAUSE, STOP_EXITED, STOP_KILLED,
    STOP_EXEC, STOP_DATA
} gobp_stop_reason;

typedef struct {
    gobp_stop_reason reason;
    int64_t goid;            /* goroutine that stopped (0 if none: before the runtime runs) */
    pid_t tid;
    const int *bp_ids;       /* BREAKPOINT: the breakpoints that stop it (owned by the target, */
    int nbp;                 /*   valid until the next stop) */
    bool exception;          /* BREAKPOINT at a panic / fatal error filter */
    int exit_code;           /* EXITED: code; KILLED: signal */
} gobp_stop;

int target_continue(gobp_target *t);
int target_pause(gobp_target *t);
typedef enum { STEP_OVER, STEP_IN, STEP_OUT } gobp_step_kind;
/* Steps goroutine goid; the completion arrives as STOP_STEP from target_poll. -1 + err. */
int target_step(gobp_target *t, int64_t goid, gobp_step_kind kind, char *err, size_t errlen);
/* The functions the current line of frame fr calls directly and that a step in stops in (Go
 * code with a source), in call order, each once, malloc'd into *out (free it); the count. */
int target_step_in_targets(gobp_target *t, const gobp_frame *fr, const gobp_func ***out);
/* A step in that stops only on entering f (one of the line's targets), otherwise as next. */
int target_step_into(gobp_target *t, int64_t goid, const gobp_func *f, char *err, size_t errlen);
/* The same one machine instruction at a time (DAP granularity "instruction"): the goroutine's
 * thread runs one instruction while the others stay stopped; over a CALL, next runs the call
 * (every thread runs) to the instruction after it; out is as by line. The goroutine must be on
 * a thread (not parked). */
int target_step_instruction(gobp_target *t, int64_t goid, gobp_step_kind kind, char *err, size_t errlen);
bool target_running(gobp_target *t);
/* Handles what happened since (SIGCHLD); 1 and *stop filled when a stop/exit is to be shown. */
int target_poll(gobp_target *t, gobp_stop *stop);
/* Blocking form (CLI, tests). */
int target_wait(gobp_target *t, gobp_stop *stop, int timeout_ms);
/* The front end's Ctrl-C/timer flag: a blocking target_wait returns 0 once it is set. */
void target_set_interrupt(gobp_target *t, volatile sig_atomic_t *flag);

/* ---- goroutines and stacks (while stopped; cached until the next resume) ---- */
/* Every live goroutine; the array is owned by the target. Before the runtime has started,
 * returns 0. */
int target_goroutines(gobp_target *t, const gobp_goroutine **out);
const gobp_goroutine *target_goroutine(gobp_target *t, int64_t goid);
/* The goroutine a thread runs (0 if none), and the thread that runs a goroutine (0 if parked). */
int64_t target_thread_goid(gobp_target *t, pid_t tid);
pid_t target_goroutine_thread(gobp_target *t, int64_t goid);
/* A goroutine the runtime started for itself (its go statement's function is in package
 * runtime, runtime.main excepted), as Go's own tracebacks tell them apart. */
bool target_goroutine_is_system(gobp_target *t, const gobp_goroutine *g);
/* Display name of a goroutine's entry function ("main.worker"; "main.main" for the main g). */
const char *target_goroutine_label(gobp_target *t, const gobp_goroutine *g);
/* A goroutine's pprof labels (runtime/pprof.SetGoroutineLabels, pprof.Do), malloc'd into *out
 * (target_labels_free); the count (target_goroutine_views.c). */
typedef struct { char *key, *value; } gobp_label;
int target_goroutine_labels(gobp_target *t, const gobp_goroutine *g, gobp_label **out);
void target_labels_free(gobp_label *l, int n);
/* Delve's goroutine filters ("-with user -without curloc runtime.gopark -w label job=42"):
 * -with/-without (-w/-wo) followed by userloc|curloc|goloc|startloc TEXT (the location
 * "file:line function" contains TEXT), label KEY[=VALUE], running (on a thread) or user (not
 * a goroutine of the runtime's own); all must hold. NULL with err for a malformed text. */
typedef struct gobp_goroutine_filter gobp_goroutine_filter;
gobp_goroutine_filter *target_goroutine_filter_parse(const char *text, char *err, size_t errlen);
bool target_goroutine_filter_match(gobp_target *t, const gobp_goroutine_filter *f, const gobp_goroutine *g);
void target_goroutine_filter_free(gobp_goroutine_filter *f);
/* Stack of a goroutine (goid > 0) or of a thread (goid <= 0: -tid). */
int target_stack(gobp_target *t, int64_t goid, gobp_frame *frames, int max, int *total);
/* The same, every frame (up to STACK_MAX_DEPTH), malloc'd into *frames (free it, also on -1). */
int target_stack_all(gobp_target *t, int64_t goid, gobp_frame **frames, int *total);

/* ---- variables of a frame, globals ---- */
/* The variables in scope at frame fr (arguments, results and locals; owned by the target).
 * Returns the count (0 for a frame in no known function). */
/* After a step that came back from a function (stepOut, or next/stepIn past its return): its
 * results, when goroutine goid stands at pc, the return address it stopped at. Returns their
 * count (0: none there); names (~r0 for unnamed results) and values live until the program
 * runs on. */
int target_return_values(gobp_target *t, int64_t goid, uint64_t pc, const char **func, const char *const **names,
                         const gobp_value **vals);
int target_frame_vars(gobp_target *t, const gobp_frame *fr, const gobp_var **vars);
/* Reads variable v of frame fr (frame 0 of a thread has registers). */
int target_frame_var(gobp_target *t, int64_t goid, const gobp_frame *fr, const gobp_var *v, gobp_value *out);
/* The package-level variables of package pkg ("main", "example.com/m/x"); the count. */
int target_package_globals(gobp_target *t, const char *pkg, const gobp_global **out);
/* The global of this full name ("main.counter"), NULL if none. */
const gobp_global *target_global(gobp_target *t, const char *name);
/* The functions whose full name starts with prefix ("main.", "main.ha"), malloc'd into *out
 * (free it); returns how many, all of them. */
int target_functions_prefixed(gobp_target *t, const char *prefix, const gobp_func ***out);

/* ---- expressions (target_eval.c, target_assign.c) ---- */
/* eval_result, eval_result_free/text/type: eval_result.h (text and type read memory through
 * target_memview). */

/* Evaluates expr in frame fr of goroutine goid (a thread's frame: goid = -tid). Supported:
 * names (arguments, locals, package globals, pkg.Name, path/to/pkg.Name), field selectors
 * (through pointers and embedded structs), indexes (slices, arrays, strings, maps with
 * int/string keys), type assertions x.(T), unary * - + !, len(x) and cap(x),
 * integer/float/string/rune literals, true false nil, arithmetic + - * / %, comparisons
 * == != < <= > >=, && || (short-circuit) and parentheses. 0 ok; -1 with a sentence in err. */
int target_evaluate(gobp_target *t, int64_t goid, const gobp_frame *fr, const char *expr, eval_result *out,
                    char *err, size_t errlen);
/* Assigns the value of expr (evaluated in frame fr of goroutine goid) to dst, a value in
 * program memory (setVariable): numbers (range-checked), bools, strings, nil, or a value of
 * the same type. 0, or -1 with err. */
int target_assign(gobp_target *t, int64_t goid, const gobp_frame *fr, const gobp_value *dst, const char *expr,
                  char *err, size_t errlen);

#endif
