/* The expression language of evaluate, watch, hover, breakpoint conditions and log points:
 * Go-like expressions over the variables of a frame and package globals. */
#ifndef GOBP_EVAL_H
#define GOBP_EVAL_H

#include "target.h"

/* eval_result, eval_result_free/text/type and the front ends' entry points (target_evaluate,
 * target_assign) are in target.h. */

/* Where names are looked up: a frame of a goroutine (or of a thread: goid = -tid). */
typedef struct {
    gobp_target *t;
    int64_t goid;
    const gobp_frame *frame;
} eval_scope;

/* Evaluates expr in scope (the language: target_evaluate). 0 ok; -1 with a sentence in err. */
int eval_expression(const eval_scope *scope, const char *expr, eval_result *out, char *err, size_t errlen);
/* The result's truth for a condition: -1 (with err) when it is not a bool. */
int eval_truth(gobp_target *t, const eval_result *r, char *err, size_t errlen);

#endif
