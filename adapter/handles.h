/* Handle tables of a stopped session: DAP frame ids and variablesReference numbers map to
 * frames, scopes and values here. All handles die when the program resumes. */
#ifndef GOBP_HANDLES_H
#define GOBP_HANDLES_H

#include "target/target.h"

typedef enum { HANDLE_FRAME, HANDLE_SCOPE_RETURNS, HANDLE_SCOPE_ARGS, HANDLE_SCOPE_LOCALS, HANDLE_SCOPE_GLOBALS, HANDLE_VALUE } handle_kind;

typedef struct {
    handle_kind kind;
    int64_t goid;          /* FRAME, scopes */
    gobp_frame frame;      /* FRAME, scopes */
    char *package;         /* SCOPE_GLOBALS */
    gobp_value value;      /* VALUE (owned) */
    char *eval_name;       /* VALUE: expression that evaluates to it, or NULL */
} handle;

typedef struct {
    handle *items;
    int count, cap;
} handle_table;

/* Adds a handle (takes ownership of its strings and value) and returns its id (>= 1). */
int handles_add(handle_table *t, handle h);
handle *handles_get(handle_table *t, int64_t id);
void handles_clear(handle_table *t);

#endif
