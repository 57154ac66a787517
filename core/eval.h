/* The expression language of evaluate, watch, hover, breakpoint conditions and log points:
 * Go-like expressions over the variables of a frame and package globals. */
#ifndef GOBP_EVAL_H
#define GOBP_EVAL_H

#include "target.h"

/* A result: a Go value from the program, or a value computed by the expression. */
typedef enum { EVAL_VALUE, EVAL_INT, EVAL_UINT, EVAL_FLOAT, EVAL_BOOL, EVAL_STRING, EVAL_NIL } eval_kind;

typedef struct {
    eval_kind kind;
    gobp_value value;     /* EVAL_VALUE (owned) */
    int64_t i;
    uint64_t u;
    double f;
    bool b;
    char *s;              /* EVAL_STRING (owned) */
} eval_result;

/* Where names are looked up: a frame of a goroutine (or of a thread: goid = -tid). */
typedef struct {
    gobp_target *t;
    int64_t goid;
    const gobp_frame *frame;
} eval_scope;

/* Evaluates expr. Supported: names (locals, arguments, package globals, pkg.Name), field
 * selectors (through pointers), indexes (slices, arrays, strings, maps with int/string keys),
 * unary * & - !, len(x) and cap(x), integer/float/string/rune literals, true false nil,
 * arithmetic + - * / %, comparisons == != < <= > >=, && || and parentheses.
 * 0 ok; -1 with a sentence in err. */
int eval_expression(const eval_scope *scope, const char *expr, eval_result *out, char *err, size_t errlen);
void eval_result_free(eval_result *r);
/* The result's truth for a condition: -1 (with err) when it is not a bool. */
int eval_truth(gobp_target *t, const eval_result *r, char *err, size_t errlen);
/* Text and Go type name of a result, as the Variables view shows them. malloc'd. */
char *eval_result_text(gobp_target *t, const eval_result *r);
char *eval_result_type(gobp_target *t, const eval_result *r);

/* Assigns the value of expr (evaluated in sc) to dst, a value in program memory (setVariable):
 * numbers (range-checked), bools, strings, nil, or a value of the same type. 0, or -1 with err. */
int target_assign(gobp_target *t, const eval_scope *sc, const gobp_value *dst, const char *expr, char *err, size_t errlen);

#endif
