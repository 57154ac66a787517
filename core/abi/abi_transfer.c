/* Reads and writes Go values in the places the register ABI gives them: the integer
 * registers of a user_regs_struct, the xmm registers of an fpregs area, and stack slots
 * in target memory. Used for forced results (plugins) and for traced arguments/results. */
#include "abi_transfer.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

unsigned long long *user_reg_by_dwarf(struct user_regs_struct *r, int dw)
{
    unsigned long long *const map[17] = { &r->rax, &r->rdx, &r->rcx, &r->rbx, &r->rsi, &r->rdi, &r->rbp, &r->rsp,
                                          &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15, &r->rip };
    return dw >= 0 && dw < 17 ? map[dw] : NULL;
}

bool abi_uses_float(const abi_value *a)
{
    for (int k = 0; k < a->nparts; k++)
        if (a->parts[k].where == ABI_FLOAT_REG)
            return true;
    return false;
}

int abi_transfer(const abi_value *a, struct user_regs_struct *regs, unsigned char *xmm, gobp_process *p,
                 uint64_t stack_base, unsigned char *val, bool store)
{
    for (int k = 0; k < a->nparts; k++) {
        const abi_part *part = &a->parts[k];
        unsigned char *bytes = val + part->value_off;
        if (part->where == ABI_INT_REG) {
            unsigned long long *r = user_reg_by_dwarf(regs, abi_int_reg_dwarf(part->reg));
            if (!r)
                return -1;
            if (store) {
                *r = 0;
                memcpy(r, bytes, part->size);
            } else {
                memcpy(bytes, r, part->size);
            }
        } else if (part->where == ABI_FLOAT_REG) {
            if (!xmm)
                return -1;
            unsigned char *x = xmm + 16 * part->reg;
            if (store) {
                memset(x, 0, 16);
                memcpy(x, bytes, part->size);
            } else {
                memcpy(bytes, x, part->size);
            }
        } else {
            uint64_t at = stack_base + part->stack_off;
            if ((store ? proc_write(p, at, bytes, part->size) : proc_read(p, at, bytes, part->size)) < 0)
                return -1;
        }
    }
    return 0;
}

int abi_value_read(const abi_value *a, gobp_type *type, struct user_regs_struct *regs, unsigned char *xmm,
                   gobp_process *p, uint64_t stack_base, gobp_value *out)
{
    *out = (gobp_value){ .type = type, .unreadable = true };
    if (!type)
        return -1;
    unsigned char *buf = xcalloc(1, type->size ? type->size : 1);
    if (abi_transfer(a, regs, xmm, p, stack_base, buf, false) < 0) {
        free(buf);
        return -1;
    }
    *out = value_of_bytes(type, buf, type->size);
    free(buf);
    return 0;
}
