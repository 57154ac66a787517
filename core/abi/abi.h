/* Go's ABIInternal on amd64 (src/cmd/compile/abi-internal.md): where each argument and result
 * of a Go function lives at entry and at exit — integer registers, float registers or the
 * stack. Used to place forced return values and to read/write results at function exit. */
#ifndef GOBP_ABI_H
#define GOBP_ABI_H

#include <stdbool.h>
#include <stdint.h>

#include "binary/types.h"

#define ABI_NINT_REGS 9     /* RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11 */
#define ABI_NFLOAT_REGS 15  /* X0..X14 (X15 is the fixed zero register) */
/* A register-assigned value has one part per register it takes, a stack-assigned one a single
 * part: no value has more parts than there are registers. */
#define ABI_MAX_PARTS (ABI_NINT_REGS + ABI_NFLOAT_REGS)

/* One piece of a value: bytes [value_off, value_off+size) of the value live in an integer
 * register (reg = index into RAX,RBX,RCX,RDI,RSI,R8,R9,R10,R11), a float register (reg = n of Xn),
 * or on the stack at byte offset stack_off from RSP+8 at function entry (the first stack
 * arg/result). A stack-assigned value is one ABI_STACK part covering the whole value (reg = -1).
 * A register part holds the low `size` bytes of the register (the rest is garbage on entry). */
typedef enum { ABI_INT_REG, ABI_FLOAT_REG, ABI_STACK } abi_where;
typedef struct {
    abi_where where;
    int reg;
    uint64_t stack_off;
    uint32_t value_off;
    uint32_t size;
} abi_part;
/* The parts of one argument or result, in increasing value_off order. on_stack: the value is
 * stack-assigned (parts[0] is the ABI_STACK part). A zero-size value is on_stack with nparts 0
 * (it occupies nothing, as the spec puts zero-size values in the stack sequence). */
typedef struct {
    int nparts;
    abi_part parts[ABI_MAX_PARTS];
    bool on_stack;
} abi_value;

/* Assigns args (receiver first) then results exactly as the Go compiler does: registers from
 * I=0/FP=0 for args; results again from I=0/FP=0; stack-assigned args first, then align to 8,
 * stack results, each value aligned to its type's alignment. arg_out has nargs entries,
 * result_out nresults (either may be NULL when its count is 0).
 * 0 on success; -1 for a NULL type or a kind the ABI cannot place (GOBP_KIND_INVALID). */
int abi_assign(gobp_type *const *args, int nargs, gobp_type *const *results, int nresults,
               abi_value *arg_out, abi_value *result_out);

/* DWARF register numbers of the ABI's integer and float sequences (for converting to
 * user_regs_struct / DWARF pieces). -1 when i is out of range. */
int abi_int_reg_dwarf(int i);   /* RAX=0, RBX=3, RCX=2, RDI=5, RSI=4, R8..R11=8..11 */
int abi_float_reg_dwarf(int i); /* X0..X14 = 17..31 */

/* Go's alignment of a type on amd64 (1, 2, 4 or 8); a struct: its largest field's; an array: its element's. */
uint64_t abi_type_align(const gobp_type *t);

#endif
