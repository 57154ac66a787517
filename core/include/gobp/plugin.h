/* gobp/plugin.h — the one header a gobp-dap handler plugin needs.
 *
 * A handler breakpoint sits on a Go function. On every call gobp-dap calls the plugin's
 * gobp_on_enter() with the call; the plugin answers GOBP_CONTINUE (the call runs, nothing
 * is shown), GOBP_STOP (the editor shows a stop at the function's entry) or GOBP_RETURN
 * (the function returns at once with the results the plugin chose; zero values for the
 * rest). No rebuild of the Go program.
 *
 * Build:  cc -shared -fPIC $(pkg-config --cflags gobp-plugin) -o my.so my.c
 *
 * Exports (only gobp_on_enter is required):
 *   gobp_action gobp_on_enter(gobp_call *call);
 *   void        gobp_on_exit(gobp_call *call);      the call returned: results readable and
 *                                                   writable before the caller sees them
 *   int         gobp_plugin_init(const char *config); nonzero refuses to load (config: the
 *                                                   handler's "config" string, "" if none)
 *   void        gobp_plugin_fini(void);
 *
 * Every function below is a static inline wrapper around a host function table that
 * gobp-dap passes in each call; a plugin links against nothing. Strings returned by the
 * host are valid until the callback returns. Values (gobp_val) are handles valid until
 * the callback returns.
 *
 * Example — make the 3rd call of a function return an error:
 *
 *   #include <gobp/plugin.h>
 *   gobp_action gobp_on_enter(gobp_call *call) {
 *       if (gobp_hit_count(call) != 3) return GOBP_CONTINUE;
 *       gobp_return_error(call, 0, "injected failure");  // result 0 of type error
 *       return GOBP_RETURN;
 *   }
 */
#ifndef GOBP_PLUGIN_H
#define GOBP_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A plugin built against another major version is refused at load time. */
#define GOBP_PLUGIN_API_MAJOR 1
#define GOBP_PLUGIN_API_MINOR 1

typedef enum { GOBP_CONTINUE = 0, GOBP_STOP = 1, GOBP_RETURN = 2 } gobp_action;

/* Go kinds (reflect.Kind numbering). */
typedef enum {
    GOBP_INVALID = 0, GOBP_BOOL = 1, GOBP_INT = 2, GOBP_INT8, GOBP_INT16, GOBP_INT32, GOBP_INT64,
    GOBP_UINT, GOBP_UINT8, GOBP_UINT16, GOBP_UINT32, GOBP_UINT64, GOBP_UINTPTR, GOBP_FLOAT32,
    GOBP_FLOAT64, GOBP_COMPLEX64, GOBP_COMPLEX128, GOBP_ARRAY, GOBP_CHAN, GOBP_FUNC, GOBP_INTERFACE,
    GOBP_MAP, GOBP_POINTER, GOBP_SLICE, GOBP_STRING, GOBP_STRUCT, GOBP_UNSAFE_POINTER
} gobp_kind_t;

typedef struct gobp_host_api gobp_host_api;

/* A value: an argument, result, field, element, pointee ... Allocated by the host (the
 * struct it hands out is larger); valid until the callback returns. */
typedef struct gobp_val {
    const gobp_host_api *host;
} gobp_val;

/* One call of the function. */
typedef struct gobp_call {
    const gobp_host_api *host;
    void *host_private;
} gobp_call;

/* The host function table. Append-only within a major version. */
struct gobp_host_api {
    uint32_t major, minor;
    /* the call */
    const char *(*function)(gobp_call *);
    const char *(*package)(gobp_call *);
    int64_t (*goroutine)(gobp_call *);
    uint64_t (*hit_count)(gobp_call *);
    /* arguments and results */
    int (*arg_count)(gobp_call *);
    const char *(*arg_name)(gobp_call *, int);
    const char *(*arg_type)(gobp_call *, int);
    gobp_val *(*arg)(gobp_call *, int);
    gobp_val *(*arg_named)(gobp_call *, const char *);
    int (*result_count)(gobp_call *);
    const char *(*result_name)(gobp_call *, int);
    const char *(*result_type)(gobp_call *, int);
    gobp_val *(*result)(gobp_call *, int);
    /* reading values */
    gobp_kind_t (*kind)(gobp_val *);
    const char *(*type_name)(gobp_val *);
    int (*get_int)(gobp_val *, int64_t *);
    int (*get_uint)(gobp_val *, uint64_t *);
    int (*get_float)(gobp_val *, double *);
    int (*get_bool)(gobp_val *, int *);
    int64_t (*get_string)(gobp_val *, char *, size_t);
    int64_t (*len)(gobp_val *);
    gobp_val *(*index)(gobp_val *, int64_t);
    gobp_val *(*field)(gobp_val *, const char *);
    gobp_val *(*deref)(gobp_val *);
    const char *(*dynamic_type)(gobp_val *);
    gobp_val *(*dynamic_value)(gobp_val *);
    gobp_val *(*map_string)(gobp_val *, const char *);
    gobp_val *(*map_int)(gobp_val *, int64_t);
    const char *(*format)(gobp_val *);
    uint64_t (*address)(gobp_val *);
    /* writing arguments (on entry) and results (on exit) */
    int (*set_int)(gobp_call *, gobp_val *, int64_t);
    int (*set_uint)(gobp_call *, gobp_val *, uint64_t);
    int (*set_float)(gobp_call *, gobp_val *, double);
    int (*set_bool)(gobp_call *, gobp_val *, int);
    int (*set_string)(gobp_call *, gobp_val *, const char *, size_t);
    /* forced return (on entry, with GOBP_RETURN) and result overwrite (on exit) */
    int (*return_int)(gobp_call *, int, int64_t);
    int (*return_uint)(gobp_call *, int, uint64_t);
    int (*return_float)(gobp_call *, int, double);
    int (*return_bool)(gobp_call *, int, int);
    int (*return_string)(gobp_call *, int, const char *, size_t);
    int (*return_nil)(gobp_call *, int);
    int (*return_global)(gobp_call *, int, const char *);
    int (*return_error)(gobp_call *, int, const char *);
    /* per-call data, memory, console */
    void (*set_data)(gobp_call *, uintptr_t);
    uintptr_t (*data)(gobp_call *);
    int (*read_memory)(gobp_call *, uint64_t, void *, size_t);
    void (*log)(gobp_call *, const char *);
    const char *(*last_error)(gobp_call *);
};

/* Exported by every plugin that includes this header (weak: one per .so), so the host can
 * refuse a plugin built for another major version. */
__attribute__((weak, visibility("default"))) const uint32_t gobp_plugin_api_major = GOBP_PLUGIN_API_MAJOR;
/* Set by the host when it loads the plugin (before gobp_plugin_init): gobp_log_plugin uses it. */
__attribute__((weak, visibility("default"))) const gobp_host_api *gobp_host = 0;

/* ---- the call ---- */
/* "main.(*Store).Get" */
static inline const char *gobp_function(gobp_call *c) { return c->host->function(c); }
/* "main", "net/http" */
static inline const char *gobp_package(gobp_call *c) { return c->host->package(c); }
static inline int64_t gobp_goroutine_id(gobp_call *c) { return c->host->goroutine(c); }
/* How many times this handler fired, this call included (1 on the first call). */
static inline uint64_t gobp_hit_count(gobp_call *c) { return c->host->hit_count(c); }

/* ---- arguments (receiver first for methods) and results ---- */
static inline int gobp_arg_count(gobp_call *c) { return c->host->arg_count(c); }
static inline const char *gobp_arg_name(gobp_call *c, int i) { return c->host->arg_name(c, i); }
/* Go type name: "string", "*main.T", "[]int", "error" */
static inline const char *gobp_arg_type(gobp_call *c, int i) { return c->host->arg_type(c, i); }
/* NULL when i is out of range / the name is unknown. */
static inline gobp_val *gobp_arg(gobp_call *c, int i) { return c->host->arg(c, i); }
static inline gobp_val *gobp_arg_named(gobp_call *c, const char *name) { return c->host->arg_named(c, name); }
/* Results: "~r0" for unnamed ones. gobp_result() is readable in gobp_on_exit only. */
static inline int gobp_result_count(gobp_call *c) { return c->host->result_count(c); }
static inline const char *gobp_result_name(gobp_call *c, int i) { return c->host->result_name(c, i); }
static inline const char *gobp_result_type(gobp_call *c, int i) { return c->host->result_type(c, i); }
static inline gobp_val *gobp_result(gobp_call *c, int i) { return c->host->result(c, i); }

/* ---- reading values: 0 on success, -1 on a kind mismatch or unreadable memory ---- */
static inline gobp_kind_t gobp_kind(gobp_val *v) { return v->host->kind(v); }
static inline const char *gobp_type_name(gobp_val *v) { return v->host->type_name(v); }
/* Any signed integer kind (int8 ... int64, int). */
static inline int gobp_get_int(gobp_val *v, int64_t *out) { return v->host->get_int(v, out); }
/* Any unsigned integer kind, uintptr, pointers (the address). */
static inline int gobp_get_uint(gobp_val *v, uint64_t *out) { return v->host->get_uint(v, out); }
static inline int gobp_get_float(gobp_val *v, double *out) { return v->host->get_float(v, out); }
static inline int gobp_get_bool(gobp_val *v, int *out) { return v->host->get_bool(v, out); }
/* Copies a string's bytes into buf (NUL-terminated, truncated to size-1); returns the
 * string's full length, -1 if v is not a string. */
static inline int64_t gobp_get_string(gobp_val *v, char *buf, size_t size) { return v->host->get_string(v, buf, size); }
/* Length of a string, slice, array, map or channel; -1 otherwise. */
static inline int64_t gobp_len(gobp_val *v) { return v->host->len(v); }
/* Element i of a slice or array (NULL when out of range). */
static inline gobp_val *gobp_index(gobp_val *v, int64_t i) { return v->host->index(v, i); }
/* Struct field by name (through pointers and embedded structs). */
static inline gobp_val *gobp_field(gobp_val *v, const char *name) { return v->host->field(v, name); }
/* What a pointer points to (NULL for nil). */
static inline gobp_val *gobp_deref(gobp_val *v) { return v->host->deref(v); }
/* An interface's dynamic type name ("*errors.errorString"; NULL for nil) and value. */
static inline const char *gobp_dynamic_type(gobp_val *v) { return v->host->dynamic_type(v); }
static inline gobp_val *gobp_dynamic_value(gobp_val *v) { return v->host->dynamic_value(v); }
/* Map lookup by a string or integer key (NULL when absent). */
static inline gobp_val *gobp_map_string(gobp_val *v, const char *key) { return v->host->map_string(v, key); }
static inline gobp_val *gobp_map_int(gobp_val *v, int64_t key) { return v->host->map_int(v, key); }
/* The value as the editor's Variables view shows it: 42, "abc", main.T {A: 1}, ... */
static inline const char *gobp_format(gobp_val *v) { return v->host->format(v); }
/* Address of the value in target memory, 0 when it lives in registers. */
static inline uint64_t gobp_address(gobp_val *v) { return v->host->address(v); }

/* ---- overwriting arguments (gobp_on_enter) and results (gobp_on_exit) ----
 * Scalars and strings; the new string's bytes live in memory gobp-dap maps into the program.
 * 0 on success, -1 on a kind mismatch (gobp_last_error says which). gobp_set_int/gobp_set_uint
 * (and gobp_return_int/gobp_return_uint) write any integer kind and convert as a C assignment
 * does: the value wraps to the width, it is not range-checked (gobp_set_int(c, v, 300) on a
 * uint8 writes 44, gobp_set_uint(c, v, 255) on an int8 writes -1). They also write a pointer or
 * unsafe.Pointer, the address (as gobp_get_uint reads it). gobp_set_float writes float32 and
 * float64 (no integer kinds), gobp_set_bool a bool (nonzero is true). */
static inline int gobp_set_int(gobp_call *c, gobp_val *v, int64_t x) { return c->host->set_int(c, v, x); }
static inline int gobp_set_uint(gobp_call *c, gobp_val *v, uint64_t x) { return c->host->set_uint(c, v, x); }
static inline int gobp_set_float(gobp_call *c, gobp_val *v, double x) { return c->host->set_float(c, v, x); }
static inline int gobp_set_bool(gobp_call *c, gobp_val *v, int x) { return c->host->set_bool(c, v, x); }
static inline int gobp_set_string(gobp_call *c, gobp_val *v, const char *s) { return c->host->set_string(c, v, s, strlen(s)); }

/* ---- results of a forced return (gobp_on_enter returning GOBP_RETURN) or of the real
 * return (gobp_on_exit). Result i not set stays zero (entry) or unchanged (exit). The scalar
 * ones convert as the setters above do (integers wrap to the result's width). ---- */
static inline int gobp_return_int(gobp_call *c, int i, int64_t x) { return c->host->return_int(c, i, x); }
static inline int gobp_return_uint(gobp_call *c, int i, uint64_t x) { return c->host->return_uint(c, i, x); }
static inline int gobp_return_float(gobp_call *c, int i, double x) { return c->host->return_float(c, i, x); }
static inline int gobp_return_bool(gobp_call *c, int i, int x) { return c->host->return_bool(c, i, x); }
static inline int gobp_return_string(gobp_call *c, int i, const char *s) { return c->host->return_string(c, i, s, strlen(s)); }
/* nil for a pointer, slice, map, chan, func or interface/error result. */
static inline int gobp_return_nil(gobp_call *c, int i) { return c->host->return_nil(c, i); }
/* The current value of a Go package variable: gobp_return_global(c, 1, "io.EOF"). */
static inline int gobp_return_global(gobp_call *c, int i, const char *name) { return c->host->return_global(c, i, name); }
/* A new error whose Error() is message (an *errors.errorString, as errors.New makes). */
static inline int gobp_return_error(gobp_call *c, int i, const char *message) { return c->host->return_error(c, i, message); }

/* ---- per-call data (set in gobp_on_enter, read in gobp_on_exit of the same call) ---- */
static inline void gobp_set_call_data(gobp_call *c, uintptr_t data) { c->host->set_data(c, data); }
static inline uintptr_t gobp_call_data(gobp_call *c) { return c->host->data(c); }

/* ---- target memory, the editor's debug console, errors ---- */
static inline int gobp_read_memory(gobp_call *c, uint64_t addr, void *buf, size_t len) { return c->host->read_memory(c, addr, buf, len); }
/* A line in the debug console (stderr in `gobp-dap run`). printf-style. */
static inline void gobp_log(gobp_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void gobp_log(gobp_call *c, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->host->log(c, line);
}
/* A line in the debug console from outside a call (gobp_plugin_init, gobp_plugin_fini:
 * a summary). printf-style. (API 1.1) */
static inline void gobp_log_plugin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void gobp_log_plugin(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (gobp_host && gobp_host->minor >= 1)
        gobp_host->log(NULL, line);
    else
        fprintf(stderr, "%s\n", line);
}
/* Why the last host call on this call failed ("" if it did not). */
static inline const char *gobp_last_error(gobp_call *c) { return c->host->last_error(c); }

#ifdef __cplusplus
}
#endif

#endif
