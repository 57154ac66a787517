/* What an expression evaluates to, and how the Variables view shows it: shared by the
 * evaluator (eval.h) and the core's facade (target.h: target_evaluate), so that neither
 * header needs the other. */
#ifndef GOBP_EVAL_RESULT_H
#define GOBP_EVAL_RESULT_H

#include "value/value.h"

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

void eval_result_free(eval_result *r);
/* Text and Go type name of a result, as the Variables view shows them (mv: the program's
 * memory, target_memview). malloc'd. */
char *eval_result_text(const gobp_memview *mv, const eval_result *r);
char *eval_result_type(const gobp_memview *mv, const eval_result *r);

#endif
