/* Jump sites: a site whose int3 is replaced by a 5-byte JMP to a trampoline in the scratch
 * page. The trampoline runs a check built by the caller (a condition compiled to machine
 * code) and only when it says so traps, as an int3 site's hit; otherwise the displaced
 * instructions run from a relocated copy and the program goes on without a stop.
 *
 *   tramp:  pushfq; push rax; push rcx; push rdx; lea rsp, [rsp-64]   the check's frame
 *           <check body>                            jumps to on_true or on_false (RSP fixed)
 *   true:   lea rsp, [rsp+64]; pop rdx; pop rcx; pop rax; popfq
 *   hit:    int3                                    a hit of the site (registers as at addr)
 *   false:  lea rsp, [rsp+64]; pop rdx; pop rcx; pop rax; popfq
 *   pass:   <the displaced instructions, relocated>  byte for byte: pass+k is addr+k
 *   back:   jmp addr+len
 *
 * No thread is ever seen inside a trampoline: at every all-stop each one is single-stepped out
 * (to the hit int3, which is put back on the site, or out through the jump back). A fault of
 * the check (a bad pointer) unwinds its frame and goes to hit: the debugger then evaluates the
 * condition itself and says why it failed. Trampolines are never reused: a thread may still be
 * in one of a removed site. */
#include "alloc.h"
#include "proc_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

enum { JMP_LEN = 5, TEMPS = 64, FRAME = 32 + TEMPS, TRAMP_MAX = 1024, STEP_OUT_MAX = 20000 };

/* pushfq; push rax; push rcx; push rdx; lea rsp, [rsp-64] (the check's temporaries) */
static const uint8_t PROLOGUE[] = { 0x9c, 0x50, 0x51, 0x52, 0x48, 0x8d, 0x64, 0x24, 0xc0 };
/* lea rsp, [rsp+64]; pop rdx; pop rcx; pop rax; popfq */
static const uint8_t EPILOGUE[] = { 0x48, 0x8d, 0x64, 0x24, 0x40, 0x5a, 0x59, 0x58, 0x9d };

static void put_rel32(uint8_t *at, uint64_t from_next, uint64_t to)
{
    int32_t rel = (int32_t)(int64_t)(to - from_next);
    memcpy(at, &rel, 4);
}

/* The instructions at addr that the JMP covers (whole ones, >= 5 bytes), relocated for
 * pass: every one must run anywhere (no branch, call, or a RIP-relative operand out of
 * reach) and keep its length. Returns the bytes covered, -1 with err. */
static int displaced_copy(gobp_process *p, const uint8_t *orig, size_t n, uint64_t addr, uint64_t pass,
                          uint8_t *out, char *err, size_t errlen)
{
    size_t k = 0;
    while (k < JMP_LEN) {
        insn_info in;
        uint8_t slot[64];
        insn_slot layout;
        if (insn_decode(orig + k, n - k, addr + k, &in, err, errlen) < 0)
            return -1;
        if (in.kind != INSN_COPY || strncmp(in.text, "ret", 3) == 0 || strncmp(in.text, "jmp", 3) == 0 ||
            strncmp(in.text, "int", 3) == 0 || strncmp(in.text, "ud", 2) == 0 || strncmp(in.text, "hlt", 3) == 0) {
            snprintf(err, errlen, "%s at 0x%llx leaves or ends the code the jump would cover", in.text,
                     (unsigned long long)(addr + k));
            return -1;
        }
        if (insn_build_slot(&in, pass + k, slot, sizeof slot, &layout, err, errlen) < 0)
            return -1;
        if (layout.insn_end != in.len) {
            snprintf(err, errlen, "%s at 0x%llx changes length when moved", in.text, (unsigned long long)(addr + k));
            return -1;
        }
        memcpy(out + k, slot, in.len);
        k += in.len;
    }
    return (int)k;
}

/* Another site within [addr+1, addr+len): it would be covered by the JMP. */
static bool site_within(gobp_process *p, uint64_t addr, int len)
{
    for (int i = 1; i < len; i++)
        if (site_find(p, addr + i, true))
            return true;
    return false;
}

/* Builds the trampoline of s in the scratch page; fills its addresses. */
static int build_trampoline(gobp_process *p, proc_site *s, const uint8_t *orig, size_t n, gobp_check_emit_fn emit,
                            void *ctx, char *err, size_t errlen)
{
    uint8_t code[TRAMP_MAX];
    uint64_t at = p->scratch + p->scratch_used;
    size_t used = 0;
    memcpy(code, PROLOGUE, sizeof PROLOGUE);
    used = sizeof PROLOGUE;
    /* the body first at a provisional place for its length, then again with the labels */
    uint8_t probe[TRAMP_MAX];
    int body = emit(ctx, at + used, at, at, probe, sizeof probe - 64);
    if (body < 0 || used + (size_t)body + 2 * sizeof EPILOGUE + 1 + sizeof s->jump_orig + JMP_LEN > sizeof code) {
        snprintf(err, errlen, "the condition's code does not fit a trampoline");
        return -1;
    }
    uint64_t on_true = at + used + (size_t)body;
    uint64_t hit = on_true + sizeof EPILOGUE;
    uint64_t on_false = hit + 1;
    uint64_t pass = on_false + sizeof EPILOGUE;
    if (emit(ctx, at + used, on_true, on_false, code + used, sizeof code - used) != body) {
        snprintf(err, errlen, "the condition's code changed length");
        return -1;
    }
    used += (size_t)body;
    memcpy(code + used, EPILOGUE, sizeof EPILOGUE);
    used += sizeof EPILOGUE;
    code[used++] = 0xcc;
    memcpy(code + used, EPILOGUE, sizeof EPILOGUE);
    used += sizeof EPILOGUE;
    int len = displaced_copy(p, orig, n, s->addr, pass, code + used, err, errlen);
    if (len < 0)
        return -1;
    if (site_within(p, s->addr, len)) {
        snprintf(err, errlen, "another breakpoint is within the %d bytes the jump covers", len);
        return -1;
    }
    used += (size_t)len;
    code[used] = 0xe9;
    put_rel32(code + used + 1, at + used + JMP_LEN, s->addr + (uint64_t)len);
    used += JMP_LEN;
    size_t chunks = (used + SLOT_SIZE_BYTES - 1) / SLOT_SIZE_BYTES;
    if (!p->scratch || p->scratch_used + chunks * SLOT_SIZE_BYTES > p->scratch_size) {
        snprintf(err, errlen, "no room left for a trampoline");
        return -1;
    }
    if (proc_raw_write(p, at, code, used) < 0) {
        snprintf(err, errlen, "cannot write the trampoline at 0x%llx", (unsigned long long)at);
        return -1;
    }
    if (!p->slot_sites)
        p->slot_sites = xcalloc(p->scratch_size / SLOT_SIZE_BYTES, sizeof *p->slot_sites);
    for (size_t c = 0; c < chunks; c++)
        p->slot_sites[p->scratch_used / SLOT_SIZE_BYTES + c] = s;
    p->scratch_used += chunks * SLOT_SIZE_BYTES;
    s->tramp = at;
    s->tramp_hit = hit;
    s->tramp_pass = pass;
    s->tramp_end = pass + (uint64_t)len + JMP_LEN;
    s->jump_len = (uint8_t)len;
    memcpy(s->jump_orig, orig, (size_t)len);
    s->jump_orig[0] = s->orig;
    return 0;
}

/* Threads of the program between addr+1 and addr+len would resume in the middle of the JMP:
 * they go on from the same place in the copy. */
static void move_threads_into_copy(gobp_process *p, proc_site *s)
{
    for (proc_thread *t = p->threads; t; t = t->next) {
        struct user_regs_struct regs;
        if (t->stopped && thread_regs_get(t, &regs) == 0 && regs.rip > s->addr && regs.rip < s->addr + s->jump_len) {
            regs.rip = s->tramp_pass + (regs.rip - s->addr);
            thread_regs_set(t, &regs);
        }
    }
}

static int write_jump(gobp_process *p, proc_site *s)
{
    uint8_t jmp[JMP_LEN] = { 0xe9 };
    put_rel32(jmp + 1, s->addr + JMP_LEN, s->tramp);
    /* the int3 stays until the rest is written: a thread can only meet a whole instruction */
    if (proc_raw_write(p, s->addr + 1, jmp + 1, JMP_LEN - 1) < 0 || proc_raw_write(p, s->addr, jmp, 1) < 0)
        return -1;
    return 0;
}

int proc_site_set_check(gobp_process *p, uint64_t addr, gobp_check_emit_fn emit, void *ctx, char *err, size_t errlen)
{
    proc_site *s = site_find(p, addr, true);
    if (!s) {
        snprintf(err, errlen, "no breakpoint at 0x%llx", (unsigned long long)addr);
        return -1;
    }
    if (!emit) {
        if (s->jump)
            jump_undo(p, s);
        return 0;
    }
    if (s->refs != 1) {
        snprintf(err, errlen, "another breakpoint or trace shares the address");
        return -1;
    }
    if (p->guard) {
        snprintf(err, errlen, "attached: a jump left in the program would outlive the debugger");
        return -1;
    }
    if (!p->world_stopped || p->stopping) {
        snprintf(err, errlen, "the program runs: jumps are placed while it is stopped");
        return -1;
    }
    uint8_t orig[32];
    if (proc_raw_read(p, addr, orig, sizeof orig) < 0) {
        snprintf(err, errlen, "cannot read the code at 0x%llx", (unsigned long long)addr);
        return -1;
    }
    orig[0] = s->orig;   /* under our int3 */
    site_overlay_original(p, addr + 1, orig + 1, sizeof orig - 1);
    if (s->jump)
        jump_undo(p, s);
    if (build_trampoline(p, s, orig, sizeof orig, emit, ctx, err, errlen) < 0)
        return -1;
    move_threads_into_copy(p, s);
    if (write_jump(p, s) < 0) {
        snprintf(err, errlen, "cannot write the jump at 0x%llx", (unsigned long long)addr);
        return -1;
    }
    s->jump = true;
    p->njump++;
    return 0;
}

/* Back to an int3 site. Stopped: the original bytes after the first, the int3 on it. Running:
 * only the int3 (one byte, atomic: a CPU sees the JMP or the int3), because another CPU could
 * execute the JMP half rewritten (the kernel serializes every CPU between such writes; a
 * debugger cannot); the JMP's other bytes stay until the next all-stop, and meanwhile a thread
 * at the int3 runs the displaced instructions from the trampoline's copy (jump_copy_of). */
void jump_undo(gobp_process *p, proc_site *s)
{
    uint8_t int3 = 0xcc;
    proc_raw_write(p, s->addr, &int3, 1);
    s->jump = false;
    s->jump_tail = true;
    if (p->world_stopped && !p->stopping)
        jump_finish_undo(p);
}

void jump_finish_undo(gobp_process *p)
{
    for (proc_site *s = p->njump ? p->sites : NULL; s; s = s->next) {
        if (!s->jump_tail)
            continue;
        uint8_t tail[sizeof s->jump_orig];
        memcpy(tail, s->jump_orig, s->jump_len);
        for (int k = 1; k < s->jump_len; k++)   /* a site added there meanwhile keeps its int3 */
            if (site_find(p, s->addr + (uint64_t)k, true))
                tail[k] = 0xcc;
        proc_raw_write(p, s->addr + 1, tail + 1, (size_t)s->jump_len - 1);
        if (s->refs == 0)
            proc_raw_write(p, s->addr, &s->orig, 1);   /* removed meanwhile: the original byte */
        s->jump_tail = false;
    }
}

uint64_t jump_copy_of(const proc_site *s)
{
    return s->jump || s->jump_tail ? s->tramp_pass : 0;
}

/* ---- threads and trampolines ---- */

proc_site *jump_site_at(gobp_process *p, uint64_t pc)
{
    if (!p->scratch || pc < p->scratch || pc >= p->scratch + p->scratch_used || !p->slot_sites)
        return NULL;
    proc_site *s = p->slot_sites[(pc - p->scratch) / SLOT_SIZE_BYTES];
    return s && s->tramp && pc >= s->tramp && pc < s->tramp_end ? s : NULL;
}

proc_site *jump_site_by_hit(gobp_process *p, uint64_t pc)
{
    proc_site *s = jump_site_at(p, pc);
    return s && pc == s->tramp_hit ? s : NULL;
}

/* Runs t (held) one instruction; 0, or -1 when it is gone. Signals that come are kept. */
static int step_one(gobp_process *p, proc_thread *t)
{
    thread_regs_flush(t);
    thread_regs_forget(t);
    for (;;) {
        int status;
        if (ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0) < 0 || proc_wait_thread_stop(p, t->tid, &status) < 0)
            return -1;
        int sig = WSTOPSIG(status);
        if (sig == SIGTRAP)
            return 0;
        if (sig == SIGSTOP && t->sigstops_expected > 0)
            t->sigstops_expected--;
        else if (status >> 16 == 0)
            proc_keep_signal(t, sig, false);
    }
}

void jump_evacuate(gobp_process *p, proc_thread *t)
{
    struct user_regs_struct regs;
    for (int n = 0; n < STEP_OUT_MAX; n++) {
        proc_site *s;
        if (thread_regs_get(t, &regs) < 0 || !(s = jump_site_at(p, regs.rip)))
            return;
        if (regs.rip == s->tramp_hit) {   /* about to trap: the check runs again at the resume */
            regs.rip = s->addr;
            thread_regs_set(t, &regs);
            return;
        }
        if (step_one(p, t) < 0)
            return;
    }
}

bool jump_check_faulted(gobp_process *p, proc_thread *t, int sig)
{
    struct user_regs_struct regs;
    proc_site *s;
    if ((sig != SIGSEGV && sig != SIGBUS) || thread_regs_get(t, &regs) < 0 || !(s = jump_site_at(p, regs.rip)) ||
        regs.rip < s->tramp + sizeof PROLOGUE || regs.rip >= s->tramp_hit)
        return false;
    uint64_t frame[4];
    if (proc_raw_read(p, regs.rsp + TEMPS, frame, sizeof frame) < 0)
        return false;
    regs.rdx = frame[0];
    regs.rcx = frame[1];
    regs.rax = frame[2];
    regs.eflags = frame[3];
    regs.rsp += FRAME;
    regs.rip = s->tramp_hit;   /* a hit: the debugger evaluates the condition and says why */
    thread_regs_set(t, &regs);
    return true;
}

bool jump_fault_in_copy(gobp_process *p, proc_thread *t)
{
    struct user_regs_struct regs;
    proc_site *s;
    if (thread_regs_get(t, &regs) < 0 || !(s = jump_site_at(p, regs.rip)) || regs.rip < s->tramp_pass ||
        regs.rip >= s->tramp_pass + s->jump_len)
        return false;
    regs.rip = s->addr + (regs.rip - s->tramp_pass);   /* the program's handler sees its own pc */
    thread_regs_set(t, &regs);
    return true;
}
