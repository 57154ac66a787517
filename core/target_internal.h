/* The target's private state, shared by target.c (facade, hits) and target_step.c. */
#ifndef GOBP_TARGET_INTERNAL_H
#define GOBP_TARGET_INTERNAL_H

#include "target.h"

typedef struct { pid_t tid; uint64_t g_addr; int64_t goid; } target_thread;

struct gobp_target {
    gobp_binary *bin;
    gobp_process *proc;
    gobp_goruntime *rt;
    gobp_bp_table *bps;
    bool launched;
    /* caches valid while stopped */
    gobp_goroutine *gs;
    int ngs;
    bool gs_valid;
    target_thread *threads;
    int nthreads;
    /* the last hit, filled by the hit callback */
    int hit_bp_ids[8];
    int hit_nbp;
    bool hit_is_step;
};

void target_invalidate(gobp_target *t);
void target_step_clear(gobp_target *t);
void target_dwarf_regs(const struct user_regs_struct *r, uint64_t out[17]);

#endif
