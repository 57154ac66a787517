/* Logical breakpoints (line, function, internal step/return) and the table that owns them.
 * Each maps to one or more physical sites in the process (proc_site_add, refcounted), each
 * with a breaklet in the target's hit map (hitmap.h). */
#ifndef GOBP_BREAKPOINT_H
#define GOBP_BREAKPOINT_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    BP_LINE,       /* user: file:line */
    BP_FUNCTION,   /* user: function entry (after the stack check) */
    BP_STEP,       /* internal: next/step target, only for one goroutine in one frame */
    BP_HANDLER,    /* user: a handler breakpoint (a plugin decides on every call) */
    BP_EXCEPTION,  /* user: a panic / fatal error filter (on a runtime function) */
    BP_INSTRUCTION, /* user: one instruction's address (setInstructionBreakpoints) */
    BP_DATA,       /* user: memory watched by the debug registers (setDataBreakpoints) */
} gobp_bp_kind;

typedef struct gobp_breakpoint {
    int id;
    gobp_bp_kind kind;
    char *file;                 /* LINE: the file as requested */
    int line;                   /* LINE: requested line */
    int found_line;             /* where it really is (LINE and FUNCTION) */
    const char *found_file;     /* absolute path from DWARF */
    char *function;             /* FUNCTION: requested name */
    bool at_return;             /* FUNCTION "F:return": its sites are F's RET instructions */
    uint64_t address;           /* INSTRUCTION: the requested address; DATA: the first byte */
    uint64_t size;              /* DATA: bytes watched */
    bool read;                  /* DATA: on reads too (readWrite), not only writes */
    int watch_slots[4], nwatch_slots; /* DATA: the debug registers it holds */
    uint64_t *addrs;            /* its sites: one per copy of the code (a generic function's */
    int naddrs, addrs_cap;      /*   instantiations, a line in several functions) */
    struct breaklet **breaklets; /* beside addrs: each site's entry in the target's hit map */
    bool verified;
    char message[1024];         /* why it is not verified */
    /* BP_STEP conditions */
    int64_t goid;               /* only this goroutine (0: any) */
    bool step_into_call;        /* BP_STEP on an indirect call: step into whatever it calls */
    uint64_t frame_depth;       /* the frame key (frame_key) the hit must have (0: any) */
    const struct gobp_func *depth_func; /* when set, frame_depth is that of the first frame of this
                                   function in the hit's stack (a range-over-func body's enclosing
                                   function), not of the top frame */
    const struct gobp_func *returns_from; /* BP_STEP on a return address: the function whose
                                   results the stop shows (target_return_values) */
    uint64_t hits;
    char *condition;            /* stop only when this expression is true */
    char *hit_condition;        /* "5", "== 5", ">= 5", "% 5": on the hit count */
    char *log_message;          /* a log point: print this ({expr} interpolated), never stop */
    struct eval_expr *condition_expr;      /* condition, compiled when set */
    struct eval_template *log_template;    /* log_message, compiled when set */
    int hit_op;                 /* hit_condition parsed (target_conditions.c): an eval_count_test */
    uint64_t hit_n;
    bool condition_error_said;
    bool fast_note_said;        /* the console was told the condition stays in the debugger */
    bool fast_pending;          /* set while the program ran: its checks go in at the next stop */
    uint64_t hit_counter;       /* where the program counts the hits its checks let through (0: none) */
    struct gobp_handler *handler; /* BP_HANDLER: the plugin and the call layout */
} gobp_breakpoint;

typedef struct gobp_bp_table gobp_bp_table;

gobp_bp_table *bp_table_new(void);
void bp_table_free(gobp_bp_table *t);
gobp_breakpoint *bp_table_add(gobp_bp_table *t, gobp_bp_kind kind);
void bp_table_remove(gobp_bp_table *t, gobp_breakpoint *bp);
/* Appends a site address to bp (the arrays grow) with a zeroed breaklet for it, which the
 * caller fills and registers (target_bp_site_add). Returns the breaklet. */
struct breaklet *bp_add_addr(gobp_breakpoint *bp, uint64_t addr);
/* Forgets bp's addresses and frees their breaklets (unregistered by the caller first). */
void bp_clear_addrs(gobp_breakpoint *bp);
/* Iteration: returns the i-th breakpoint or NULL past the end. */
gobp_breakpoint *bp_table_get(gobp_bp_table *t, int i);
int bp_table_count(gobp_bp_table *t);

#endif
