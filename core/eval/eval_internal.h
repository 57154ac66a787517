/* What the expression modules share (eval_parse.c, eval_check.c, eval.c): the tree the parser
 * builds, the state of a check or a run, and questions about types both ask. Not for others. */
#ifndef GOBP_EVAL_INTERNAL_H
#define GOBP_EVAL_INTERNAL_H

#include "eval.h"

/* ---- the tree ---- */

typedef enum {
    N_LITERAL,   /* lit */
    N_NAME,      /* name */
    N_PATH,      /* name: "net/http.DefaultClient(.Field)*", a global of a package path; a: the
                    same text as an expression (a / b.c), taken when its first name is in scope */
    N_FIELD,     /* a.name */
    N_INDEX,     /* a[b] */
    N_ASSERT,    /* a.(name) */
    N_LEN,       /* len(a) */
    N_CAP,       /* cap(a) */
    N_UNARY,     /* op a: * - + ! */
    N_BINARY,    /* a op b */
    N_CALL,      /* a(args...): a function call (evaluate only) */
} node_kind;

typedef enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MOD, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_AND, B_OR } binary_op;
extern const char *const eval_binary_text[];   /* "+", ..., "||" */

typedef struct eval_node {
    node_kind kind;
    int op;                  /* UNARY: the character; BINARY: a binary_op */
    char *name;
    eval_result lit;         /* LITERAL: a computed value (never EVAL_VALUE) */
    struct eval_node *a, *b;
    struct eval_node **args; /* CALL: the arguments */
    int nargs;
} eval_node;

struct eval_expr {
    char *text;
    eval_node *root;
};

/* A check or a run: its scope and its first error. */
typedef struct {
    const eval_env *env;
    char *err;
    size_t errlen;
    bool failed;
} eval_state;

/* Says the first error (later ones are consequences); returns -1. */
int eval_fail(eval_state *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* t, or what it points to through up to a few pointers (as field and index lookups follow them). */
const gobp_type *eval_through_pointers(const gobp_type *t);
/* Whether a value of type t has field name (directly, or in embedded structs, also through
 * pointers: as value_field finds it); *type is its type. */
bool eval_static_field(const gobp_type *t, const char *name, int depth, gobp_type **type);
/* Kinds compared by identity (== and != only): pointers, channels, interfaces. */
bool eval_by_identity(const gobp_type *t);
const char *eval_type_name(const gobp_type *t);
/* The global named by the longest prefix of path that is one: "net/http.DefaultClient" of
 * "net/http.DefaultClient.Timeout". 0 (*end: the prefix's length), 1 none. */
int eval_global_prefix(const eval_env *env, const char *path, gobp_value *v, size_t *end);

void eval_node_free(eval_node *n);

#endif
