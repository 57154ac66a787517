/* Capstone-backed x86-64 decoding (the only user of Capstone): one instruction for XOL,
 * classified (plain copy, conditional branch, emulated jmp/call) with its slot bytes
 * (RIP-relative disp32 fixed up, absolute jumps back to the original stream); and walks over
 * byte ranges with each instruction's kind, branch target and text. */
#include "insn.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

/* jmp qword ptr [rip+0] followed by the 8-byte destination: an encoding we emit. */
enum { ABS_JMP_LEN = 14 };

static void emit_abs_jmp(uint8_t *out, uint64_t dest)
{
    out[0] = 0xff;
    out[1] = 0x25;
    memset(out + 2, 0, 4);
    memcpy(out + 6, &dest, 8);
}

static csh capstone_handle(void)
{
    static csh handle;
    static bool ready;
    if (!ready) {
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
            return 0;
        cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
        ready = true;
    }
    return handle;
}

static bool in_group(const cs_insn *ci, int group)
{
    for (int i = 0; i < ci->detail->groups_count; i++)
        if (ci->detail->groups[i] == group)
            return true;
    return false;
}

static void classify_call(const cs_insn *ci, insn_info *out)
{
    const cs_x86_op *op = &ci->detail->x86.operands[0];
    if (op->type == X86_OP_IMM) {
        out->kind = INSN_CALL_REL;
        out->target = (uint64_t)op->imm;
        return;
    }
    out->kind = INSN_CALL_IND;
    if (op->type == X86_OP_REG) {
        out->op_is_reg = true;
        out->reg = op->reg;
    } else {
        out->base = op->mem.base;
        out->index = op->mem.index;
        out->scale = op->mem.scale;
        out->disp = op->mem.disp;
        out->segment = op->mem.segment;
    }
}

static void classify(const cs_insn *ci, insn_info *out)
{
    const cs_x86 *x = &ci->detail->x86;
    out->kind = INSN_COPY;
    for (int i = 0; i < x->op_count; i++)
        if (x->operands[i].type == X86_OP_MEM && x->operands[i].mem.base == X86_REG_RIP)
            out->rip_relative = true;
    out->disp_offset = x->encoding.disp_offset;
    out->imm_offset = x->encoding.imm_offset;
    out->imm_size = x->encoding.imm_size;
    if (ci->id == X86_INS_CALL) {
        classify_call(ci, out);
        return;
    }
    if (in_group(ci, X86_GRP_BRANCH_RELATIVE) && x->op_count == 1 &&
        x->operands[0].type == X86_OP_IMM) {
        out->target = (uint64_t)x->operands[0].imm;
        out->kind = ci->id == X86_INS_JMP ? INSN_JMP_REL : INSN_COND;
    }
}

int insn_decode(const uint8_t *code, size_t n, uint64_t addr, insn_info *out,
                char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    csh h = capstone_handle();
    cs_insn *ci = NULL;
    if (!h || cs_disasm(h, code, n, addr, 1, &ci) != 1) {
        snprintf(err, errlen, "cannot decode the instruction at 0x%llx", (unsigned long long)addr);
        return -1;
    }
    out->addr = addr;
    out->len = (uint8_t)ci->size;
    memcpy(out->bytes, code, ci->size);
    snprintf(out->text, sizeof out->text, "%s %s", ci->mnemonic, ci->op_str);
    classify(ci, out);
    cs_free(ci, 1);
    if (out->kind == INSN_COND && out->imm_offset == 0) {
        snprintf(err, errlen, "cannot relocate '%s' at 0x%llx", out->text, (unsigned long long)addr);
        return -1;
    }
    return 0;
}

int insn_length(const uint8_t *code, size_t n, uint64_t addr)
{
    csh h = capstone_handle();
    cs_insn *ci = NULL;
    if (!h || cs_disasm(h, code, n, addr, 1, &ci) != 1)
        return 0;
    int len = ci->size;
    cs_free(ci, 1);
    return len;
}

/* ---- walks ---- */

void insn_walk_begin(insn_walk *w, const uint8_t *code, size_t n, uint64_t addr)
{
    csh h = capstone_handle();
    w->code = code;
    w->left = n;
    w->addr = addr;
    w->decoder = h ? cs_malloc(h) : NULL;
}

/* DWARF number of a 64-bit register (0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
 * 8-15 r8-r15, 16 rip). */
static int dwarf_reg(int reg)
{
    static const int regs[] = { X86_REG_RAX, X86_REG_RDX, X86_REG_RCX, X86_REG_RBX, X86_REG_RSI, X86_REG_RDI,
                                X86_REG_RBP, X86_REG_RSP, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
                                X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15, X86_REG_RIP };
    if (reg == X86_REG_INVALID)
        return INSN_NO_REG;
    for (int i = 0; i < (int)(sizeof regs / sizeof regs[0]); i++)
        if (regs[i] == reg)
            return i;
    return INSN_OTHER_REG;
}

static insn_op walk_op(const cs_insn *ci, uint64_t *target)
{
    const cs_x86 *x = &ci->detail->x86;
    bool imm = x->op_count == 1 && x->operands[0].type == X86_OP_IMM;
    insn_op op = INSN_OP_OTHER;
    if (ci->id == X86_INS_CALL)
        op = imm ? INSN_OP_CALL : INSN_OP_CALL_INDIRECT;
    else if (ci->id == X86_INS_RET)
        op = INSN_OP_RET;
    else if (ci->id == X86_INS_JMP)
        op = INSN_OP_JMP;
    else if (in_group(ci, X86_GRP_JUMP))
        op = INSN_OP_JCC;
    else if (ci->id == X86_INS_CMP)
        op = INSN_OP_CMP;
    *target = imm && (op == INSN_OP_CALL || op == INSN_OP_JMP || op == INSN_OP_JCC) ? (uint64_t)x->operands[0].imm : 0;
    return op;
}

bool insn_walk_next(insn_walk *w, insn_step *out)
{
    if (w->left == 0)
        return false;
    memset(out, 0, sizeof *out);
    cs_insn *ci = w->decoder;
    const uint8_t *before = w->code;
    uint64_t addr = w->addr;
    if (ci && cs_disasm_iter(capstone_handle(), &w->code, &w->left, &w->addr, ci)) {
        out->addr = ci->address;
        out->len = (uint8_t)ci->size;
        memcpy(out->bytes, ci->bytes, ci->size);
        snprintf(out->text, sizeof out->text, "%s %s", ci->mnemonic, ci->op_str);
        out->op = walk_op(ci, &out->target);
        out->mem_base = INSN_NO_REG;
        const cs_x86 *x = &ci->detail->x86;
        for (int i = 0; i < x->op_count && !out->has_mem; i++)
            if (x->operands[i].type == X86_OP_MEM) {
                out->has_mem = true;
                out->mem_base = dwarf_reg(x->operands[i].mem.base);
                out->mem_disp = x->operands[i].mem.disp;
            }
        return true;
    }
    out->addr = addr;
    out->len = 1;
    out->bytes[0] = *before;
    out->op = INSN_OP_BAD;
    snprintf(out->text, sizeof out->text, "(bad)");
    w->code = before + 1;
    w->left--;
    w->addr = addr + 1;
    return true;
}

void insn_walk_end(insn_walk *w)
{
    if (w->decoder)
        cs_free(w->decoder, 1);
    w->decoder = NULL;
}

static int fix_rip_relative(uint8_t *copy, const insn_info *in, uint64_t slot_addr,
                            char *err, size_t errlen)
{
    int32_t disp;
    memcpy(&disp, copy + in->disp_offset, 4);
    int64_t moved = (int64_t)disp + (int64_t)(in->addr - slot_addr);
    if (moved < INT32_MIN || moved > INT32_MAX) {
        snprintf(err, errlen, "XOL slot too far from '%s' at 0x%llx", in->text,
                 (unsigned long long)in->addr);
        return -1;
    }
    disp = (int32_t)moved;
    memcpy(copy + in->disp_offset, &disp, 4);
    return 0;
}

/* The conditional branch keeps its form; its displacement now reaches the taken stub,
 * which sits right after the fallthrough jump. */
static void retarget_branch(uint8_t *copy, const insn_info *in)
{
    int32_t rel = ABS_JMP_LEN;
    if (in->imm_size == 1)
        copy[in->imm_offset] = (uint8_t)rel;
    else
        memcpy(copy + in->imm_offset, &rel, in->imm_size);
}

int insn_build_slot(const insn_info *in, uint64_t slot_addr, uint8_t *out, size_t cap,
                    insn_slot *layout, char *err, size_t errlen)
{
    if (cap < 64 || (in->kind != INSN_COPY && in->kind != INSN_COND)) {
        snprintf(err, errlen, "no XOL slot for '%s'", in->text);
        return -1;
    }
    memset(out, 0x90, cap);
    memcpy(out, in->bytes, in->len);
    if (in->rip_relative && in->disp_offset &&
        fix_rip_relative(out, in, slot_addr, err, errlen) < 0)
        return -1;
    layout->slot = slot_addr;
    layout->insn_end = in->len;
    emit_abs_jmp(out + in->len, in->addr + in->len);
    layout->len = in->len + ABS_JMP_LEN;
    layout->taken_off = 0;
    if (in->kind == INSN_COND) {
        retarget_branch(out, in);
        layout->taken_off = layout->len;
        emit_abs_jmp(out + layout->len, in->target);
        layout->len += ABS_JMP_LEN;
    }
    return layout->len;
}

static bool reg_value(int reg, const struct user_regs_struct *r, uint64_t next_rip, uint64_t *v)
{
    switch (reg) {
    case X86_REG_RAX: *v = r->rax; return true;
    case X86_REG_RBX: *v = r->rbx; return true;
    case X86_REG_RCX: *v = r->rcx; return true;
    case X86_REG_RDX: *v = r->rdx; return true;
    case X86_REG_RSI: *v = r->rsi; return true;
    case X86_REG_RDI: *v = r->rdi; return true;
    case X86_REG_RBP: *v = r->rbp; return true;
    case X86_REG_RSP: *v = r->rsp; return true;
    case X86_REG_R8:  *v = r->r8;  return true;
    case X86_REG_R9:  *v = r->r9;  return true;
    case X86_REG_R10: *v = r->r10; return true;
    case X86_REG_R11: *v = r->r11; return true;
    case X86_REG_R12: *v = r->r12; return true;
    case X86_REG_R13: *v = r->r13; return true;
    case X86_REG_R14: *v = r->r14; return true;
    case X86_REG_R15: *v = r->r15; return true;
    case X86_REG_RIP: *v = next_rip; return true;
    case X86_REG_INVALID: *v = 0; return true;
    default: return false;
    }
}

int insn_indirect_target(const insn_info *in, const struct user_regs_struct *regs,
                         int (*read)(void *ctx, uint64_t addr, void *buf, size_t len),
                         void *ctx, uint64_t *target)
{
    uint64_t next = in->addr + in->len, base, index;
    if (in->op_is_reg)
        return reg_value(in->reg, regs, next, target) ? 0 : -1;
    if (!reg_value(in->base, regs, next, &base) || !reg_value(in->index, regs, next, &index))
        return -1;
    uint64_t ea = base + index * (uint64_t)(in->scale ? in->scale : 1) + (uint64_t)in->disp;
    if (in->segment == X86_REG_FS)
        ea += regs->fs_base;
    else if (in->segment == X86_REG_GS)
        ea += regs->gs_base;
    return read(ctx, ea, target, 8);
}
