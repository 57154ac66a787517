/* Function-call tracing: which functions to trace, the call records (arguments on entry,
 * results on exit, duration, parent call, how the call ended) and the sinks that consume
 * them (text tree, JSON lines, Chrome trace events, the editor). Records are streamed: memory
 * holds only the calls still open. */
#ifndef GOBP_TRACE_H
#define GOBP_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "binary/binary.h"

typedef enum {
    TRACE_END_RETURN = 0,   /* returned normally */
    TRACE_END_PANIC,        /* left by a panic (recovered further up or not) */
    TRACE_END_GOEXIT,       /* left by runtime.Goexit */
    TRACE_END_UNFINISHED,   /* still running when the trace ended */
} gobp_trace_end;

const char *trace_end_name(gobp_trace_end end);

typedef struct {
    const char *name;
    char *value;            /* formatted like the Variables view, bounded */
} gobp_trace_value;

/* One call. Valid during the sink callback only. */
typedef struct gobp_trace_record {
    uint64_t id;            /* 1, 2, ... in entry order */
    uint64_t parent;        /* the enclosing traced call on the same goroutine, 0 if none */
    int64_t goid;
    int depth;              /* traced calls open under it on this goroutine */
    const char *function;
    gobp_trace_value *args;
    int nargs;
    gobp_trace_value *results; /* on exit */
    int nresults;
    uint64_t start_ns;      /* since the trace started */
    uint64_t end_ns;
    uint64_t child_ns;      /* time spent in traced calls under it */
    gobp_trace_end end;
} gobp_trace_record;

typedef struct gobp_trace_sink {
    void (*enter)(void *ctx, const gobp_trace_record *r);
    void (*exit)(void *ctx, const gobp_trace_record *r);
    void (*finish)(void *ctx);
    void *ctx;
} gobp_trace_sink;

typedef struct {
    int max_string;         /* bytes of a string argument shown (default 64) */
    int max_depth;          /* nesting shown in a value (default 1) */
    int64_t goroutine;      /* only this goroutine (0: all) */
    uint64_t sample;        /* one call in N (per function; 0/1: all) */
    uint64_t max_calls;     /* stop recording after N calls (0: no limit) */
    bool no_fast_path;      /* every call traps to the debugger (no records in the program) */
} gobp_trace_opts;

/* ---- selection ---- */
typedef struct {
    const char **patterns;  /* POSIX extended regular expressions on Go function names */
    int npatterns;
    const char **packages;  /* import paths: every function of the package */
    int npackages;
    const char **excludes;  /* regular expressions to leave out */
    int nexcludes;
} gobp_trace_selection;

/* Functions to trace (with DWARF, not the runtime's own). *out malloc'd. Returns the count,
 * -1 with err for a bad regular expression. */
int trace_select(gobp_binary *bin, const gobp_trace_selection *sel, const gobp_func ***out, char *err, size_t errlen);

/* ---- summary ---- */
typedef struct {
    const char *function;
    uint64_t calls;
    uint64_t total_ns, self_ns, max_ns;
} gobp_trace_func_stats;

typedef struct gobp_trace_summary gobp_trace_summary;
gobp_trace_summary *trace_summary_new(void);
void trace_summary_add(gobp_trace_summary *s, const gobp_trace_record *r);
/* Writes "N calls, M functions" and a table sorted by total time. */
void trace_summary_write(const gobp_trace_summary *s, void (*line)(void *ctx, const char *text), void *ctx);
uint64_t trace_summary_calls(const gobp_trace_summary *s);
void trace_summary_free(gobp_trace_summary *s);

/* ---- writers (trace_write.c) ---- */
/* The text tree, one line at a time through line(): [G1] ├─ main.find(id=123) ... */
gobp_trace_sink trace_text_sink(void (*line)(void *ctx, const char *text), void *ctx);
/* One JSON object per finished call (schema in README "Tracing"). */
gobp_trace_sink trace_jsonl_sink(FILE *out);
/* Chrome trace event JSON (Perfetto, chrome://tracing): one track per goroutine. */
gobp_trace_sink trace_chrome_sink(FILE *out);
/* Frees what a sink allocated (after finish). */
void trace_sink_free(gobp_trace_sink *s);

/* JSON string escaping shared by the writers: appends "text" with quotes to out. */
void trace_json_string(FILE *out, const char *text);

#endif
