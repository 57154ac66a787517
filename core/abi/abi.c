/* Go's ABIInternal assignment of arguments and results to registers and stack on amd64,
 * following the algorithm of src/cmd/compile/abi-internal.md over gobp_type (from DWARF). */
#include "abi.h"

#include <string.h>

typedef struct {
    int ni, nf;          /* next integer / float register */
    uint64_t stack;      /* next free byte of the stack sequence, from RSP+8 at entry */
    bool bad_type;       /* a type the ABI cannot place: abi_assign fails */
} abi_state;

static uint64_t round_up(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) / a * a : v; }

uint64_t abi_type_align(const gobp_type *t)
{
    if (!t) return 1;
    switch (t->kind) {
    case GOBP_KIND_BOOL: case GOBP_KIND_INT8: case GOBP_KIND_UINT8: return 1;
    case GOBP_KIND_INT16: case GOBP_KIND_UINT16: return 2;
    case GOBP_KIND_INT32: case GOBP_KIND_UINT32: case GOBP_KIND_FLOAT32: case GOBP_KIND_COMPLEX64: return 4;
    case GOBP_KIND_ARRAY: return t->elem ? abi_type_align(t->elem) : 1;
    case GOBP_KIND_STRUCT: {
        uint64_t a = 1;
        for (int i = 0; i < t->nfields; i++) {
            uint64_t fa = abi_type_align(t->fields[i].type);
            if (fa > a) a = fa;
        }
        return a;
    }
    case GOBP_KIND_INVALID:
        return t->size >= 8 ? 8 : t->size >= 4 ? 4 : t->size >= 2 ? 2 : 1;
    default:
        return 8;  /* int, uint, int64, uint64, uintptr, float64, complex128, pointers, string, slice, interface */
    }
}

int abi_int_reg_dwarf(int i)
{
    static const int map[ABI_NINT_REGS] = {0, 3, 2, 5, 4, 8, 9, 10, 11};
    return i >= 0 && i < ABI_NINT_REGS ? map[i] : -1;
}

int abi_float_reg_dwarf(int i) { return i >= 0 && i < ABI_NFLOAT_REGS ? 17 + i : -1; }

static bool add_part(abi_value *v, abi_where where, int reg, uint64_t off, uint64_t size)
{
    if (v->nparts >= ABI_MAX_PARTS) return false;
    v->parts[v->nparts++] = (abi_part){.where = where, .reg = reg, .value_off = (uint32_t)off, .size = (uint32_t)size};
    return true;
}

static bool int_reg(abi_state *st, abi_value *v, uint64_t off, uint64_t size)
{
    if (st->ni >= ABI_NINT_REGS) return false;
    return add_part(v, ABI_INT_REG, st->ni++, off, size);
}

static bool float_reg(abi_state *st, abi_value *v, uint64_t off, uint64_t size)
{
    if (st->nf >= ABI_NFLOAT_REGS) return false;
    return add_part(v, ABI_FLOAT_REG, st->nf++, off, size);
}

/* Register-assigns the value of type t at byte off of the whole value; false when it does not fit
 * (out of registers, an array of length > 1) or t is unknown (st->bad_type). */
static bool reg_assign(abi_state *st, const gobp_type *t, uint64_t off, abi_value *v)
{
    if (!t) { st->bad_type = true; return false; }
    switch (t->kind) {
    case GOBP_KIND_BOOL: case GOBP_KIND_INT: case GOBP_KIND_INT8: case GOBP_KIND_INT16: case GOBP_KIND_INT32:
    case GOBP_KIND_INT64: case GOBP_KIND_UINT: case GOBP_KIND_UINT8: case GOBP_KIND_UINT16: case GOBP_KIND_UINT32:
    case GOBP_KIND_UINT64: case GOBP_KIND_UINTPTR: case GOBP_KIND_CHAN: case GOBP_KIND_FUNC: case GOBP_KIND_MAP:
    case GOBP_KIND_PTR: case GOBP_KIND_UNSAFEPTR:
        return int_reg(st, v, off, t->size ? t->size : 8);
    case GOBP_KIND_FLOAT32: case GOBP_KIND_FLOAT64:
        return float_reg(st, v, off, t->size);
    case GOBP_KIND_COMPLEX64: case GOBP_KIND_COMPLEX128:
        return float_reg(st, v, off, t->size / 2) && float_reg(st, v, off + t->size / 2, t->size / 2);
    case GOBP_KIND_STRING: case GOBP_KIND_INTERFACE:   /* (ptr,len) / (tab|_type,data) */
        return int_reg(st, v, off, 8) && int_reg(st, v, off + 8, 8);
    case GOBP_KIND_SLICE:                              /* (array,len,cap) */
        return int_reg(st, v, off, 8) && int_reg(st, v, off + 8, 8) && int_reg(st, v, off + 16, 8);
    case GOBP_KIND_STRUCT:
        for (int i = 0; i < t->nfields; i++)
            if (!reg_assign(st, t->fields[i].type, off + t->fields[i].offset, v)) return false;
        return true;
    case GOBP_KIND_ARRAY:
        if (t->len == 0) return true;
        if (t->len == 1) return reg_assign(st, t->elem, off, v);
        return false;
    default:
        st->bad_type = true;
        return false;
    }
}

/* Assigns one receiver, argument or result: registers if it fits entirely, else the stack. */
static int assign_one(abi_state *st, const gobp_type *t, abi_value *v)
{
    memset(v, 0, sizeof *v);
    if (!t) return -1;
    int ni = st->ni, nf = st->nf;
    if (t->size != 0) {
        if (reg_assign(st, t, 0, v)) return 0;
        if (st->bad_type) return -1;
    }
    st->ni = ni;
    st->nf = nf;
    memset(v, 0, sizeof *v);
    v->on_stack = true;
    st->stack = round_up(st->stack, abi_type_align(t));
    if (t->size != 0) {
        v->nparts = 1;
        v->parts[0] = (abi_part){.where = ABI_STACK, .reg = -1, .stack_off = st->stack, .size = (uint32_t)t->size};
    }
    st->stack += t->size;
    return 0;
}

int abi_assign(gobp_type *const *args, int nargs, gobp_type *const *results, int nresults,
               abi_value *arg_out, abi_value *result_out)
{
    abi_state st = {0};
    for (int i = 0; i < nargs; i++)
        if (assign_one(&st, args[i], &arg_out[i]) != 0) return -1;
    st.stack = round_up(st.stack, 8);
    st.ni = st.nf = 0;
    for (int i = 0; i < nresults; i++)
        if (assign_one(&st, results[i], &result_out[i]) != 0) return -1;
    return 0;
}
