/* Moving values between their ABI places (integer registers, float registers, stack slots) and
 * byte buffers in the debugger: reading arguments/results and writing forced results. */
#ifndef GOBP_ABI_TRANSFER_H
#define GOBP_ABI_TRANSFER_H

#include <sys/user.h>

#include "abi.h"
#include "proc/proc.h"
#include "value/value.h"

/* The user_regs_struct field of a DWARF register number 0..16, NULL otherwise. */
unsigned long long *user_reg_by_dwarf(struct user_regs_struct *r, int dwarf_reg);
/* Whether any part of the value sits in a float register (the caller then loads fpregs). */
bool abi_uses_float(const abi_value *a);
/* Copies the value between val (its bytes) and its places: stack parts at stack_base +
 * stack_off, float parts in xmm (16 bytes per register, may be NULL when none is used).
 * store=false reads into val, store=true writes val out (registers zero-extended).
 * 0 on success. */
int abi_transfer(const abi_value *a, struct user_regs_struct *regs, unsigned char *xmm, gobp_process *p,
                 uint64_t stack_base, unsigned char *val, bool store);
/* The value of type in its ABI places (as abi_transfer reads it), its bytes owned by *out:
 * 0, or -1 with *out unreadable. */
int abi_value_read(const abi_value *a, gobp_type *type, struct user_regs_struct *regs, unsigned char *xmm,
                   gobp_process *p, uint64_t stack_base, gobp_value *out);

#endif
