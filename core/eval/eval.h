/* The expression language of evaluate, watch, hover, breakpoint conditions and log points:
 * Go-like expressions compiled once to a tree, then evaluated against a scope that the
 * caller supplies as callbacks (the target for a frame, a test for a fake one). */
#ifndef GOBP_EVAL_H
#define GOBP_EVAL_H

#include "eval_result.h"

/* eval_result and eval_result_free/text/type: eval_result.h (shared with target.h, whose
 * target_evaluate and target_assign are the front ends' way in). */

/* The function of a call expression, as the evaluator found it: a function value (a closure
 * held in a variable or field), a method of a value (x.M: through pointers and interfaces), or
 * a function by the name written ("add", "main.add", "strings.ToUpper", "example.com/m/x.F":
 * a name without a package is looked up in the scope's package first). */
typedef struct {
    const gobp_value *fn;         /* a func value, or NULL */
    const gobp_value *receiver;   /* x of x.M, or NULL */
    const char *method;
    const char *name;             /* a function's name, or NULL */
} eval_callee;

/* What the evaluator asks of the program it looks at. */
typedef struct eval_env {
    void *ctx;
    /* Reads memory (and finds interface dynamic types through mem.bin, which may be NULL). */
    gobp_memview mem;
    /* A name of the current scope: an argument or local, else a global of the scope's package,
     * else a global by its full name. 0 found (*out owned by the caller), 1 no such name, -1
     * with a sentence in err (the name exists but cannot be read). */
    int (*lookup)(void *ctx, const char *name, gobp_value *out, char *err, size_t errlen);
    /* A package-level variable by full name ("io.EOF", "net/http.DefaultClient"): 0 found, 1 not. */
    int (*global)(void *ctx, const char *name, gobp_value *out);
    /* A type by its Go name ("int", "*main.T", "main.Shape"), NULL if the program has none. */
    gobp_type *(*type_named)(void *ctx, const char *name);
    /* Calls a function in the program with these arguments: its result (several results come
     * as one value whose children are the results), 0, or -1 with a sentence in err. NULL where
     * calls are not allowed (breakpoint conditions and log points): a call is then an error. */
    int (*call)(void *ctx, const eval_callee *callee, const eval_result *args, int nargs, eval_result *out,
                char *err, size_t errlen);
} eval_env;

/* Why a call is refused where env->call is NULL. */
#define EVAL_NO_CALLS "conditions and log points do not call functions (%s): calls run only in evaluate (the debug console, watch and hover)"

/* A compiled expression. Supported: names (arguments, locals, package globals, pkg.Name,
 * path/to/pkg.Name), field selectors (through pointers and embedded structs), indexes (slices,
 * arrays, strings, maps with int/string keys), type assertions x.(T), unary * - + !, len(x)
 * and cap(x), integer/float/string/rune literals, true false nil, arithmetic + - * / %,
 * comparisons == != < <= > >=, && || (short-circuit), parentheses, and function calls f(a, b)
 * (also spelled "call f(a, b)", as in Delve) where env->call allows them. */
typedef struct eval_expr eval_expr;

/* Parses text (syntax only: names are resolved when it is checked or run). NULL with a
 * sentence in err when it does not parse. */
eval_expr *eval_parse(const char *text, char *err, size_t errlen);
void eval_expr_free(eval_expr *e);
const char *eval_expr_text(const eval_expr *e);
/* Checks e against a scope without reading memory: every name must exist, field selectors
 * and indexes must fit the static types, operators their operands. env->lookup and
 * env->global answer with typed values that are never read (a value's type, or NULL when it
 * is unknown). want_bool: the result must be a bool (a condition). 0, or -1 with err. */
int eval_check(const eval_expr *e, const eval_env *env, bool want_bool, char *err, size_t errlen);
/* Evaluates e in env. 0, or -1 with a sentence in err. */
int eval_run(const eval_expr *e, const eval_env *env, eval_result *out, char *err, size_t errlen);
/* Parse and run at once (evaluate, hover, setVariable). */
int eval_expression(const eval_env *env, const char *text, eval_result *out, char *err, size_t errlen);
/* The result's truth for a condition: -1 (with err) when it is not a bool. */
int eval_truth(const gobp_memview *mv, const eval_result *r, char *err, size_t errlen);

/* ---- conditions as machine code (eval_x86.c): the check of a jump site ---- */
/* Where the 8 bytes at off of a variable live at the site: a register (DWARF number) or the
 * stack, at rsp_off from the program's RSP. */
typedef struct { bool in_reg; int reg; int64_t rsp_off; } eval_x86_loc;
typedef struct {
    void *ctx;
    int (*type_of)(void *ctx, const char *name, gobp_type **type);                  /* 0 ok */
    int (*locate)(void *ctx, const char *name, uint64_t off, eval_x86_loc *loc);     /* 0 ok */
} eval_x86_env;
/* The check body of condition x placed at address at (proc.h: gobp_check_emit_fn's contract):
 * its length, or -1 with why when x is not made of what the compiler takes (integers, bools,
 * pointers and nil of the frame in registers or stack slots, len/cap of strings and slices, a
 * field through a pointer, + - * comparisons ! && ||). */
int eval_compile_x86(const eval_expr *x, const eval_x86_env *env, uint64_t at, uint64_t on_true, uint64_t on_false,
                     uint8_t *out, size_t cap, char *why, size_t whylen);

/* How a hit count is tested (breakpoints' hitCondition): == n, >= n, > n, < n, <= n, every nth. */
typedef enum { EVAL_COUNT_NONE, EVAL_COUNT_EQ, EVAL_COUNT_GE, EVAL_COUNT_GT, EVAL_COUNT_LT, EVAL_COUNT_LE,
               EVAL_COUNT_MOD } eval_count_test;
/* The rest of a check that counts: adds 1 to the 8-byte count at address counter in the program
 * (lock xadd) and goes to on_true when the new count passes test against n, else to on_false.
 * Its length (the same wherever it is placed), -1 when cap is too small. */
int eval_compile_x86_count(uint64_t counter, eval_count_test test, uint64_t n, uint64_t at, uint64_t on_true,
                           uint64_t on_false, uint8_t *out, size_t cap);

/* A log message with {expr} parts ("n={n} name={p.Name}"), each expression compiled once. A
 * '{' without a closing '}' is text. */
typedef struct eval_template eval_template;
/* NULL with err ("{n >}: unexpected end of expression") when an expression does not parse. */
eval_template *eval_template_parse(const char *text, char *err, size_t errlen);
void eval_template_free(eval_template *t);
/* eval_check of every expression of the template. */
int eval_template_check(const eval_template *t, const eval_env *env, char *err, size_t errlen);
/* The message with every {expr} replaced by its value's text ({expr: error} when it fails),
 * ending with a newline. malloc'd. */
char *eval_template_render(const eval_template *t, const eval_env *env);

#endif
