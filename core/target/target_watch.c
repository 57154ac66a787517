/* Data breakpoints: a Go value's memory watched with the debug registers (proc/watch.c) in as
 * few aligned 1/2/4/8-byte pieces as cover it. Values on a goroutine stack are refused: Go
 * moves a stack to grow it, and the watch would stay on the old copy. */
#include "target_internal.h"

#include <inttypes.h>
#include <stdio.h>

int target_data_id(gobp_target *t, const gobp_value *v, char *id, size_t idlen, char *why, size_t whylen)
{
    if (v->unreadable || v->bytes || !v->addr || !v->type) {
        snprintf(why, whylen, "it is not in the program's memory (a register, or a value the debugger computed)");
        return -1;
    }
    if (!v->type->size) {
        snprintf(why, whylen, "a value of type %s has no bytes to watch", v->type->name);
        return -1;
    }
    const gobp_goroutine *gs;
    int n = target_goroutines(t, &gs);
    for (int i = 0; i < n; i++)
        if (v->addr >= gs[i].stack_lo && v->addr < gs[i].stack_hi) {
            snprintf(why, whylen, "it is on the stack of goroutine %" PRId64 ", which Go moves when it grows: watch a "
                     "global or a value on the heap (through a pointer)", gs[i].goid);
            return -1;
        }
    snprintf(id, idlen, "0x%" PRIx64 "/%" PRIu64, v->addr, v->type->size);
    return 0;
}

/* The next piece from addr up to end: the largest aligned 8/4/2/1 that fits. */
static int piece_len(uint64_t addr, uint64_t end)
{
    for (int len = 8; len > 1; len /= 2)
        if (addr % (uint64_t)len == 0 && addr + (uint64_t)len <= end)
            return len;
    return 1;
}

gobp_breakpoint *target_break_data(gobp_target *t, const char *data_id, bool read)
{
    gobp_breakpoint *bp = bp_table_add(t->bps, BP_DATA);
    uint64_t addr = 0, size = 0;
    if (sscanf(data_id, "0x%" SCNx64 "/%" SCNu64, &addr, &size) != 2 || !size || addr + size < addr) {
        snprintf(bp->message, sizeof bp->message, "dataId \"%s\" is not one dataBreakpointInfo gave", data_id);
        return bp;
    }
    bp->address = addr;
    bp->size = size;
    bp->read = read;
    int pieces = 0;
    for (uint64_t a = addr; a < addr + size && pieces <= 4; a += (uint64_t)piece_len(a, addr + size))
        pieces++;
    int free_slots = proc_watch_free_slots(t->proc);
    if (pieces > free_slots) {
        snprintf(bp->message, sizeof bp->message, "watching %" PRIu64 " bytes at 0x%" PRIx64 " takes %s%d of the 4 debug "
                 "registers of x86-64; %d %s free", size, addr, pieces > 4 ? "more than " : "", pieces > 4 ? 4 : pieces,
                 free_slots, free_slots == 1 ? "is" : "are");
        return bp;
    }
    for (uint64_t a = addr; a < addr + size;) {
        int len = piece_len(a, addr + size);
        bp->watch_slots[bp->nwatch_slots++] = proc_watch_set(t->proc, a, len, read);
        a += (uint64_t)len;
    }
    bp->verified = true;
    return bp;
}
