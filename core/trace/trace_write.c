/* Trace writers: the text tree (lines through a callback, so files and the editor share it),
 * JSON lines (one object per finished call) and Chrome trace events (one track per
 * goroutine). Each keeps only what open calls need. */
#include "alloc.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared ---- */

void trace_json_string(FILE *out, const char *text)
{
    putc_unlocked('"', out);
    const unsigned char *run = (const unsigned char *)text, *p = run;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;   /* written with the rest of its run */
        fwrite_unlocked(run, 1, (size_t)(p - run), out);
        run = p + 1;
        switch (*p) {
        case '"': fputs_unlocked("\\\"", out); break;
        case '\\': fputs_unlocked("\\\\", out); break;
        case '\n': fputs_unlocked("\\n", out); break;
        case '\r': fputs_unlocked("\\r", out); break;
        case '\t': fputs_unlocked("\\t", out); break;
        default: fprintf(out, "\\u%04x", *p);
        }
    }
    fwrite_unlocked(run, 1, (size_t)(p - run), out);
    putc_unlocked('"', out);
}

/* Go's time.Duration spelling, rounded: 120ns, 85.3µs, 2.3ms, 1.25s. */
static void format_duration(uint64_t ns, char *buf, size_t len)
{
    if (ns < 1000)
        snprintf(buf, len, "%lluns", (unsigned long long)ns);
    else if (ns < 1000000)
        snprintf(buf, len, "%.1fµs", ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, len, "%.1fms", ns / 1e6);
    else
        snprintf(buf, len, "%.2fs", ns / 1e9);
}

/* "name=value, name=value" into a growing buffer. */
static char *join_values(const gobp_trace_value *v, int n)
{
    size_t cap = 64, used = 0;
    char *out = xmalloc(cap);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        size_t need = strlen(v[i].name) + strlen(v[i].value) + 4;
        if (used + need + 1 > cap) {
            cap = (used + need + 1) * 2;
            out = xrealloc(out, cap);
        }
        used += (size_t)snprintf(out + used, cap - used, "%s%s=%s", i ? ", " : "", v[i].name, v[i].value);
    }
    return out;
}

/* ---- text tree ---- */

typedef struct pending_line {
    int64_t goid;
    uint64_t id;
    int depth;
    char *call;                  /* "main.find(id=123)" */
    struct pending_line *next;
} pending_line;

typedef struct {
    void (*line)(void *ctx, const char *text);
    void *ctx;
    pending_line *pending;       /* per goroutine: an entry not printed yet (maybe a leaf) */
} text_sink;

static void indent(char *buf, size_t len, int levels)
{
    buf[0] = 0;
    for (int i = 0; i < levels && strlen(buf) + 8 < len; i++)
        strcat(buf, "│  ");
}

static pending_line **pending_of(text_sink *ts, int64_t goid)
{
    pending_line **pp = &ts->pending;
    while (*pp && (*pp)->goid != goid)
        pp = &(*pp)->next;
    return pp;
}

static void emit(text_sink *ts, int64_t goid, const char *prefix, const char *rest)
{
    size_t len = strlen(prefix) + strlen(rest) + 32;
    char *text = xmalloc(len);
    snprintf(text, len, "[G%lld] %s%s\n", (long long)goid, prefix, rest);
    ts->line(ts->ctx, text);
    free(text);
}

/* Prints a held entry line as the start of a subtree. */
static void flush_pending(text_sink *ts, int64_t goid)
{
    pending_line **pp = pending_of(ts, goid);
    pending_line *p = *pp;
    if (!p)
        return;
    char pre[256];
    indent(pre, sizeof pre, p->depth - 1);
    if (p->depth > 0)
        strcat(pre, "├─ ");
    emit(ts, goid, pre, p->call);
    *pp = p->next;
    free(p->call);
    free(p);
}

static void text_enter(void *ctx, const gobp_trace_record *r)
{
    text_sink *ts = ctx;
    flush_pending(ts, r->goid);
    char *args = join_values(r->args, r->nargs);
    pending_line *p = xcalloc(1, sizeof *p);
    size_t len = strlen(r->function) + strlen(args) + 4;
    p->call = xmalloc(len);
    snprintf(p->call, len, "%s(%s)", r->function, args);
    free(args);
    p->goid = r->goid;
    p->id = r->id;
    p->depth = r->depth;
    p->next = ts->pending;
    ts->pending = p;
}

static char *exit_text(const gobp_trace_record *r)
{
    char dur[32];
    format_duration(r->end_ns - r->start_ns, dur, sizeof dur);
    char *results = join_values(r->results, r->nresults);
    size_t len = strlen(results) + 64;
    char *out = xmalloc(len);
    if (r->end == TRACE_END_RETURN)
        snprintf(out, len, "=> (%s)  %s", results, dur);
    else
        snprintf(out, len, "=> <%s>  %s", trace_end_name(r->end), dur);
    free(results);
    return out;
}

static void text_exit(void *ctx, const gobp_trace_record *r)
{
    text_sink *ts = ctx;
    pending_line **pp = pending_of(ts, r->goid);
    char pre[256];
    char *tail = exit_text(r);
    if (*pp && (*pp)->id == r->id) {      /* a leaf: entry and exit on one line */
        pending_line *p = *pp;
        indent(pre, sizeof pre, r->depth - 1);
        if (r->depth > 0)
            strcat(pre, "└─ ");
        size_t len = strlen(p->call) + strlen(tail) + 2;
        char *text = xmalloc(len);
        snprintf(text, len, "%s %s", p->call, tail);
        emit(ts, r->goid, pre, text);
        free(text);
        *pp = p->next;
        free(p->call);
        free(p);
    } else {
        flush_pending(ts, r->goid);
        indent(pre, sizeof pre, r->depth);
        emit(ts, r->goid, pre, tail);
    }
    free(tail);
}

static void text_finish(void *ctx)
{
    text_sink *ts = ctx;
    while (ts->pending)
        flush_pending(ts, ts->pending->goid);
}

gobp_trace_sink trace_text_sink(void (*line)(void *ctx, const char *text), void *ctx)
{
    text_sink *ts = xcalloc(1, sizeof *ts);
    ts->line = line;
    ts->ctx = ctx;
    return (gobp_trace_sink){ text_enter, text_exit, text_finish, ts };
}

/* ---- JSON lines ---- */

static void json_values(FILE *out, const gobp_trace_value *v, int n)
{
    fputc('{', out);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        trace_json_string(out, v[i].name);
        fputc(':', out);
        trace_json_string(out, v[i].value);
    }
    fputc('}', out);
}

static void jsonl_exit(void *ctx, const gobp_trace_record *r)
{
    FILE *out = ctx;
    uint64_t dur = r->end_ns - r->start_ns;
    fprintf(out, "{\"id\":%llu,\"parent\":%llu,\"goroutine\":%lld,\"depth\":%d,\"function\":",
            (unsigned long long)r->id, (unsigned long long)r->parent, (long long)r->goid, r->depth);
    trace_json_string(out, r->function);
    fputs(",\"args\":", out);
    json_values(out, r->args, r->nargs);
    fputs(",\"results\":", out);
    json_values(out, r->results, r->nresults);
    fprintf(out, ",\"start_ns\":%llu,\"duration_ns\":%llu,\"self_ns\":%llu,\"end\":\"%s\"}\n",
            (unsigned long long)r->start_ns, (unsigned long long)dur,
            (unsigned long long)(dur > r->child_ns ? dur - r->child_ns : 0), trace_end_name(r->end));
}

static void file_flush(void *ctx)
{
    fflush((FILE *)ctx);
}

gobp_trace_sink trace_jsonl_sink(FILE *out)
{
    return (gobp_trace_sink){ NULL, jsonl_exit, file_flush, out };
}

/* ---- Chrome trace events ---- */

typedef struct seen_g {
    int64_t goid;
    struct seen_g *next;
} seen_g;

typedef struct {
    FILE *out;
    bool any;
    seen_g *seen;
} chrome_sink;

static void chrome_event_start(chrome_sink *cs)
{
    fputs(cs->any ? ",\n" : "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", cs->out);
    cs->any = true;
}

static void chrome_exit(void *ctx, const gobp_trace_record *r)
{
    chrome_sink *cs = ctx;
    bool known = false;
    for (seen_g *s = cs->seen; s && !known; s = s->next)
        known = s->goid == r->goid;
    if (!known) {
        seen_g *s = xcalloc(1, sizeof *s);
        s->goid = r->goid;
        s->next = cs->seen;
        cs->seen = s;
        chrome_event_start(cs);
        fprintf(cs->out, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%lld,\"args\":{\"name\":\"G%lld\"}}",
                (long long)r->goid, (long long)r->goid);
    }
    chrome_event_start(cs);
    fputs("{\"name\":", cs->out);
    trace_json_string(cs->out, r->function);
    fprintf(cs->out, ",\"cat\":\"go\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":1,\"tid\":%lld,\"args\":{\"args\":",
            r->start_ns / 1e3, (r->end_ns - r->start_ns) / 1e3, (long long)r->goid);
    json_values(cs->out, r->args, r->nargs);
    fputs(",\"results\":", cs->out);
    json_values(cs->out, r->results, r->nresults);
    fprintf(cs->out, ",\"end\":\"%s\",\"id\":%llu,\"parent\":%llu}}", trace_end_name(r->end),
            (unsigned long long)r->id, (unsigned long long)r->parent);
}

static void chrome_finish(void *ctx)
{
    chrome_sink *cs = ctx;
    if (!cs->any)
        fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", cs->out);
    fputs("\n]}\n", cs->out);
    fflush(cs->out);
    while (cs->seen) {
        seen_g *n = cs->seen->next;
        free(cs->seen);
        cs->seen = n;
    }
}

gobp_trace_sink trace_chrome_sink(FILE *out)
{
    chrome_sink *cs = xcalloc(1, sizeof *cs);
    cs->out = out;
    return (gobp_trace_sink){ NULL, chrome_exit, chrome_finish, cs };
}

void trace_sink_free(gobp_trace_sink *s)
{
    if (s->enter == text_enter) {
        text_sink *ts = s->ctx;
        text_finish(ts);
        free(ts);
    } else if (s->exit == chrome_exit) {
        free(s->ctx);
    }
    s->ctx = NULL;
}
