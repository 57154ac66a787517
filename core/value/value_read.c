/* Reading Go values: building them from addresses or DWARF location pieces (registers,
 * memory, literals, the pointer to a heap-moved variable), reading their bytes, scalars and
 * strings, and resolving an interface's dynamic value. No formatting here. */
#include "alloc.h"
#include "value_internal.h"

#include <stdlib.h>
#include <string.h>

static gobp_type_by_rtaddr_fn hook_type_by_rtaddr;
static gobp_func_by_pc_fn hook_func_by_pc;

void value_set_binary_hooks(gobp_type_by_rtaddr_fn type_by_rtaddr, gobp_func_by_pc_fn func_by_pc)
{
    hook_type_by_rtaddr = type_by_rtaddr;
    hook_func_by_pc = func_by_pc;
}

gobp_type *value_lookup_runtime_type(gobp_binary *bin, uint64_t addr)
{
    if (hook_type_by_rtaddr)
        return hook_type_by_rtaddr(bin, addr);
    return bin ? binary_type_by_runtime_addr(bin, addr) : NULL;
}

const gobp_func *value_lookup_func(gobp_binary *bin, uint64_t pc)
{
    if (hook_func_by_pc)
        return hook_func_by_pc(bin, pc);
    return bin ? binary_func_by_pc(bin, pc) : NULL;
}

gobp_value value_at(gobp_type *type, uint64_t addr)
{
    gobp_value v = { .type = type, .addr = addr };
    return v;
}

gobp_value value_of_bytes(gobp_type *type, const void *bytes, size_t n)
{
    gobp_value v = { .type = type };
    v.bytes = xmalloc(n ? n : 1);
    memcpy(v.bytes, bytes, n);
    v.nbytes = n;
    return v;
}

void value_free(gobp_value *v)
{
    if (!v)
        return;
    free(v->bytes);
    v->bytes = NULL;
    v->nbytes = 0;
}

gobp_value value_copy(const gobp_value *v)
{
    if (!v->bytes)
        return *v;
    gobp_value c = value_of_bytes(v->type, v->bytes, v->nbytes);
    c.addr = v->addr;
    c.unreadable = v->unreadable;
    return c;
}

gobp_value value_sub(const gobp_value *v, gobp_type *type, uint64_t off)
{
    size_t size = type ? (size_t)type->size : 0;
    if (v->unreadable) {
        gobp_value u = { .type = type, .unreadable = true };
        return u;
    }
    if (!v->bytes)
        return value_at(type, v->addr ? v->addr + off : 0);
    if (off > v->nbytes || size > v->nbytes - off) {
        gobp_value u = { .type = type, .unreadable = true };
        return u;
    }
    return value_of_bytes(type, v->bytes + off, size);
}

int value_read(const gobp_memview *mv, const gobp_value *v, uint64_t off, void *buf, size_t len)
{
    if (v->unreadable)
        return -1;
    if (v->bytes) {
        if (off > v->nbytes || len > v->nbytes - off)
            return -1;
        memcpy(buf, v->bytes + off, len);
        return 0;
    }
    if (v->addr == 0 || !mv || !mv->read)
        return -1;
    return mv->read(mv->ctx, v->addr + off, buf, len) == 0 ? 0 : -1;
}

/* Reads an unsigned word of 1..8 bytes (little-endian) at off. */
int value_read_word(const gobp_memview *mv, const gobp_value *v, uint64_t off, size_t size, uint64_t *out)
{
    unsigned char b[8] = { 0 };
    if (size == 0 || size > 8 || value_read(mv, v, off, b, size) != 0)
        return -1;
    uint64_t w = 0;
    for (size_t i = 0; i < size; i++)
        w |= (uint64_t)b[i] << (8 * i);
    *out = w;
    return 0;
}

int value_uint(const gobp_memview *mv, const gobp_value *v, uint64_t *out)
{
    if (!v->type)
        return -1;
    return value_read_word(mv, v, 0, (size_t)v->type->size, out);
}

int value_int(const gobp_memview *mv, const gobp_value *v, int64_t *out)
{
    uint64_t w;
    if (value_uint(mv, v, &w) != 0)
        return -1;
    size_t size = (size_t)v->type->size;
    if (gobp_kind_is_signed(v->type->kind) && size < 8) {
        uint64_t sign = 1ull << (size * 8 - 1);
        if (w & sign)
            w |= ~((sign << 1) - 1);
    }
    *out = (int64_t)w;
    return 0;
}

int value_float(const gobp_memview *mv, const gobp_value *v, double *out)
{
    if (!v->type)
        return -1;
    if (v->type->kind == GOBP_KIND_FLOAT32 || v->type->size == 4) {
        float f;
        if (value_read(mv, v, 0, &f, 4) != 0)
            return -1;
        *out = f;
        return 0;
    }
    if (v->type->kind == GOBP_KIND_FLOAT64 || v->type->size == 8) {
        double d;
        if (value_read(mv, v, 0, &d, 8) != 0)
            return -1;
        *out = d;
        return 0;
    }
    int64_t i;
    if (value_int(mv, v, &i) != 0)
        return -1;
    *out = (double)i;
    return 0;
}

const gobp_type_field *value_field_named(const gobp_type *t, const char *name)
{
    if (!t)
        return NULL;
    for (int i = 0; i < t->nfields; i++)
        if (t->fields[i].name && strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

/* Reads the word of field name (of at most 8 bytes); off_default when the type has no such field. */
int value_field_word(const gobp_memview *mv, const gobp_value *v, const char *name,
                     uint64_t off_default, uint64_t *out)
{
    const gobp_type_field *f = value_field_named(v->type, name);
    uint64_t off = f ? f->offset : off_default;
    size_t size = f && f->type && f->type->size && f->type->size <= 8 ? (size_t)f->type->size : 8;
    return value_read_word(mv, v, off, size, out);
}

char *value_string(const gobp_memview *mv, const gobp_value *v, size_t max, size_t *len_out)
{
    uint64_t ptr, len;
    if (value_field_word(mv, v, "str", 0, &ptr) != 0 || value_field_word(mv, v, "len", 8, &len) != 0)
        return NULL;
    if ((int64_t)len < 0)
        return NULL;
    size_t n = len < max ? (size_t)len : max;
    char *s = xmalloc(n + 1);
    if (n > 0 && (ptr == 0 || !mv || !mv->read || mv->read(mv->ctx, ptr, s, n) != 0)) {
        free(s);
        return NULL;
    }
    s[n] = 0;
    if (len_out)
        *len_out = (size_t)len;
    return s;
}

/* ---- locations ---- */

/* Copies the low n bytes of register reg into dst; -1 if the register is not available. */
static int copy_register(int reg, const uint64_t *regs, const unsigned char *xmm,
                         unsigned char *dst, size_t n)
{
    if (reg >= 0 && reg <= 16 && regs) {
        uint64_t r = regs[reg];
        for (size_t i = 0; i < n; i++)
            dst[i] = i < 8 ? (unsigned char)(r >> (8 * i)) : 0;
        return 0;
    }
    if (reg >= 17 && reg <= 32 && xmm) {
        memcpy(dst, xmm + 16 * (reg - 17), n < 16 ? n : 16);
        return 0;
    }
    return -1;
}

static int copy_piece(const gobp_memview *mv, const gobp_piece *p, const uint64_t *regs,
                      const unsigned char *xmm, unsigned char *dst, size_t n)
{
    switch (p->kind) {
    case GOBP_PIECE_REG:
        return copy_register(p->reg, regs, xmm, dst, n);
    case GOBP_PIECE_MEM:
        if (!mv || !mv->read)
            return -1;
        return mv->read(mv->ctx, p->addr, dst, n) == 0 ? 0 : -1;
    case GOBP_PIECE_VALUE:
        for (size_t i = 0; i < n; i++)
            dst[i] = i < 8 ? (unsigned char)(p->addr >> (8 * i)) : 0;
        return 0;
    case GOBP_PIECE_MISSING:
        memset(dst, 0, n);
        return 0;
    }
    return -1;
}

int value_from_location(const gobp_memview *mv, gobp_type *type, const gobp_location *loc,
                        const uint64_t *regs, const unsigned char *xmm, gobp_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    if (!loc || loc->npieces <= 0 || !type) {
        out->unreadable = true;
        return -1;
    }
    if (loc->deref) {   /* a variable moved to the heap: the pieces hold its address */
        static gobp_type ptr_type = { .kind = GOBP_KIND_UINTPTR, .name = "uintptr", .size = 8 };
        gobp_location ploc = *loc;
        ploc.deref = false;
        gobp_value ptr;
        uint64_t addr = 0;
        int rc = value_from_location(mv, &ptr_type, &ploc, regs, xmm, &ptr);
        if (rc == 0)
            rc = value_read(mv, &ptr, 0, &addr, 8);
        value_free(&ptr);
        out->unreadable = rc != 0 || addr == 0;   /* nil: not allocated yet */
        out->addr = addr;
        return rc;
    }
    if (loc->npieces == 1 && loc->pieces[0].kind == GOBP_PIECE_MEM) {
        out->addr = loc->pieces[0].addr;
        return 0;
    }
    size_t size = (size_t)type->size;
    if (size > (1u << 20)) {     /* assembled from pieces: no real Go value this large is */
        out->unreadable = true;
        return -1;
    }
    unsigned char *buf = xcalloc(size ? size : 1, 1);
    size_t pos = 0;
    for (int i = 0; i < loc->npieces && pos < size; i++) {
        const gobp_piece *p = &loc->pieces[i];
        size_t n = p->size ? p->size : size - pos;
        if (n > size - pos)
            n = size - pos;
        if (copy_piece(mv, p, regs, xmm, buf + pos, n) != 0) {
            free(buf);
            out->unreadable = true;
            return -1;
        }
        pos += n;
    }
    out->bytes = buf;
    out->nbytes = size;
    return 0;
}

/* ---- interfaces ---- */

/* A dynamic type whose value is stored directly in the interface's data word. */
bool value_type_is_pointer_shaped(const gobp_type *t)
{
    for (int depth = 0; t && depth < 16; depth++) {
        switch (t->kind) {
        case GOBP_KIND_PTR: case GOBP_KIND_UNSAFEPTR: case GOBP_KIND_MAP:
        case GOBP_KIND_CHAN: case GOBP_KIND_FUNC:
            return true;
        case GOBP_KIND_STRUCT:
            if (t->nfields != 1)
                return false;
            t = t->fields[0].type;
            break;
        case GOBP_KIND_ARRAY:
            if (t->len != 1)
                return false;
            t = t->elem;
            break;
        default:
            return false;
        }
    }
    return false;
}

/* The runtime type address of an interface value (0 for a nil interface). */
int value_iface_type_addr(const gobp_memview *mv, const gobp_value *v, uint64_t *out)
{
    if (v->type->empty_interface)
        return value_field_word(mv, v, "_type", 0, out);
    uint64_t tab;
    if (value_field_word(mv, v, "tab", 0, &tab) != 0)
        return -1;
    *out = 0;
    if (tab == 0)
        return 0;
    const gobp_type_field *tabf = value_field_named(v->type, "tab");
    const gobp_type *itab = tabf && tabf->type ? tabf->type->elem : NULL;
    const gobp_type_field *tf = value_field_named(itab, "_type");
    if (!tf)
        tf = value_field_named(itab, "Type");
    uint64_t off = tf ? tf->offset : 8;
    if (!mv || !mv->read || mv->read(mv->ctx, tab + off, out, 8) != 0)
        return -1;
    return 0;
}

int value_iface_dynamic(const gobp_memview *mv, const gobp_value *v, gobp_value *out,
                        uint64_t *dyn_type_addr)
{
    uint64_t taddr = 0, data = 0;
    memset(out, 0, sizeof *out);
    if (dyn_type_addr)
        *dyn_type_addr = 0;
    if (value_iface_type_addr(mv, v, &taddr) != 0)
        return -1;
    if (dyn_type_addr)
        *dyn_type_addr = taddr;
    if (taddr == 0)
        return -1;
    gobp_type *dyn = value_lookup_runtime_type(mv ? mv->bin : NULL, taddr);
    if (!dyn || value_field_word(mv, v, "data", 8, &data) != 0)
        return -1;
    if (value_type_is_pointer_shaped(dyn))
        *out = value_of_bytes(dyn, &data, 8);
    else
        *out = value_at(dyn, data);
    return 0;
}
