/* x86-64 instruction decoding, the one place that uses Capstone: for out-of-line execution
 * (the length of the displaced instruction, its kind: plain, RIP-relative, relative/indirect
 * branch or call, and the bytes of its XOL slot), and a walk over a byte range for everyone
 * else (calls and RETs of a function, the disassembly view). */
#ifndef GOBP_INSN_H
#define GOBP_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

typedef enum {
    INSN_COPY,       /* runs in the slot (RIP-relative operands fixed up) */
    INSN_COND,       /* conditional relative branch: slot with a taken stub */
    INSN_JMP_REL,    /* emulated: rip = target */
    INSN_CALL_REL,   /* emulated: push addr+len, rip = target */
    INSN_CALL_IND,   /* emulated: target from a register or memory operand */
} insn_kind;

typedef struct {
    uint64_t addr;
    uint8_t len;
    uint8_t bytes[16];
    insn_kind kind;
    uint64_t target;          /* relative branches/calls */
    bool rip_relative;
    uint8_t disp_offset;      /* RIP-relative disp32 position */
    uint8_t imm_offset, imm_size; /* branch displacement position */
    /* indirect call operand */
    bool op_is_reg;
    int reg, base, index, scale, segment;
    int64_t disp;
    char text[200];           /* "mnemonic operands" for messages */
} insn_info;

typedef struct {
    uint64_t slot;            /* slot address */
    uint8_t len;              /* bytes used */
    uint8_t insn_end;         /* offset just after the copied instruction (fallthrough jmp) */
    uint8_t taken_off;        /* INSN_COND: offset of the taken stub */
} insn_slot;

/* Decodes the instruction at code[0..n) located at addr. 0 ok, -1 with a sentence in err. */
int insn_decode(const uint8_t *code, size_t n, uint64_t addr, insn_info *out,
                char *err, size_t errlen);
/* Builds the XOL slot bytes for an INSN_COPY/INSN_COND instruction placed at slot_addr.
 * Returns the length written to out (cap >= 64) or -1 (a RIP-relative operand out of range). */
int insn_build_slot(const insn_info *in, uint64_t slot_addr, uint8_t *out, size_t cap,
                    insn_slot *layout, char *err, size_t errlen);
/* Target of an INSN_CALL_IND given the thread's registers; read reads target memory.
 * 0 ok, -1 when the operand cannot be evaluated or read. */
int insn_indirect_target(const insn_info *in, const struct user_regs_struct *regs,
                         int (*read)(void *ctx, uint64_t addr, void *buf, size_t len),
                         void *ctx, uint64_t *target);
/* Length of the instruction at code (0 if undecodable). */
int insn_length(const uint8_t *code, size_t n, uint64_t addr);

/* ---- a walk over a byte range ---- */
typedef enum {
    INSN_OP_OTHER,
    INSN_OP_CALL,            /* direct call: target */
    INSN_OP_CALL_INDIRECT,   /* call through a register or memory */
    INSN_OP_RET,
    INSN_OP_JMP,             /* unconditional jump: target when direct, 0 when indirect */
    INSN_OP_JCC,             /* conditional jump: target */
    INSN_OP_CMP,
    INSN_OP_BAD,             /* a byte that starts no instruction (len 1, text "(bad)") */
} insn_op;

typedef struct {
    uint64_t addr;
    uint8_t len;
    uint8_t bytes[16];
    insn_op op;
    uint64_t target;
    bool has_mem;            /* a memory operand [base + index*scale + disp] (the first one): */
    int mem_base;            /*   its base as a DWARF register number (7 rsp, 16 rip), */
    int64_t mem_disp;        /*   INSN_NO_REG for none, INSN_OTHER_REG for one without a number */
    char text[192];          /* "mnemonic operands", as the disassembly view shows it */
} insn_step;
enum { INSN_NO_REG = -1, INSN_OTHER_REG = -2 };

typedef struct {
    const uint8_t *code;
    size_t left;
    uint64_t addr;
    void *decoder;           /* the decoder's instruction buffer (insn.c's business) */
} insn_walk;

/* Walks code[0..n), located at addr, one instruction per insn_walk_next; undecodable bytes
 * come one at a time as INSN_OP_BAD. insn_walk_end frees what the walk holds. */
void insn_walk_begin(insn_walk *w, const uint8_t *code, size_t n, uint64_t addr);
bool insn_walk_next(insn_walk *w, insn_step *out);   /* false at the end */
void insn_walk_end(insn_walk *w);

#endif
