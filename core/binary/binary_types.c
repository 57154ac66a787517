/* Go types from DWARF: one gobp_type per type DIE (cached, registered before its members so
 * recursive types work), a name index and a runtime-type-address index built on first use. */
#include <string.h>

#include "binary_internal.h"

#define DW_AT_go_kind 0x2900
#define DW_AT_go_key 0x2901
#define DW_AT_go_elem 0x2902
#define DW_AT_go_embedded_field 0x2903
#define DW_AT_go_runtime_type 0x2904

/* moduledata.types: DW_AT_go_runtime_type values are offsets from it. */
static uint64_t types_base(gobp_binary *bin)
{
    uint64_t a = binary_symbol_addr(bin, "runtime.types");
    if (!a) a = binary_symbol_addr(bin, "type:*");
    if (!a) a = binary_symbol_addr(bin, "type.*");
    return a;
}

static bool die_go_attr(Dwarf_Die die, Dwarf_Half attr, Dwarf_Unsigned *out)
{
    Dwarf_Attribute a;
    if (dwarf_attr(die, attr, &a, NULL) != DW_DLV_OK) return false;
    Dwarf_Addr addr;
    bool ok = dwarf_formudata(a, out, NULL) == DW_DLV_OK;
    if (!ok && dwarf_formaddr(a, &addr, NULL) == DW_DLV_OK) { *out = addr; ok = true; }
    dwarf_dealloc_attribute(a);
    return ok;
}

static gobp_type *new_type(gobp_binary *bin, gobp_type_kind kind, const char *name, uint64_t size)
{
    gobp_type *t = bin_alloc(bin, sizeof *t);
    t->kind = kind;
    t->name = name ? name : "";
    t->size = size;
    return t;
}

static gobp_type_kind kind_of_base(const char *name, Dwarf_Unsigned enc, Dwarf_Unsigned size)
{
    switch (enc) {
    case DW_ATE_boolean: return GOBP_KIND_BOOL;
    case DW_ATE_float: return size == 4 ? GOBP_KIND_FLOAT32 : GOBP_KIND_FLOAT64;
    case DW_ATE_complex_float: return size == 8 ? GOBP_KIND_COMPLEX64 : GOBP_KIND_COMPLEX128;
    case DW_ATE_signed:
        if (strcmp(name, "int") == 0) return GOBP_KIND_INT;
        return size == 1 ? GOBP_KIND_INT8 : size == 2 ? GOBP_KIND_INT16 : size == 4 ? GOBP_KIND_INT32 : GOBP_KIND_INT64;
    default:
        if (strcmp(name, "uint") == 0) return GOBP_KIND_UINT;
        if (strcmp(name, "uintptr") == 0) return GOBP_KIND_UINTPTR;
        return size == 1 ? GOBP_KIND_UINT8 : size == 2 ? GOBP_KIND_UINT16 : size == 4 ? GOBP_KIND_UINT32 : GOBP_KIND_UINT64;
    }
}

static gobp_type *type_ref(gobp_binary *bin, Dwarf_Die die, Dwarf_Half attr)
{
    Dwarf_Off off;
    return die_ref(die, attr, &off) ? binary_type_by_die(bin, off) : NULL;
}

/* Members of a struct-like DIE (DW_TAG_member children). */
static void read_members(gobp_binary *bin, Dwarf_Die die, gobp_type *t)
{
    Dwarf_Die child, next;
    int cap = 0;
    if (dwarf_child(die, &child, NULL) != DW_DLV_OK) return;
    for (;;) {
        Dwarf_Half tag;
        if (dwarf_tag(child, &tag, NULL) == DW_DLV_OK && tag == DW_TAG_member) {
            if (t->nfields == cap) {
                cap = cap ? cap * 2 : 8;
                gobp_type_field *nf = bin_alloc(bin, sizeof *nf * (size_t)cap);
                if (t->nfields) memcpy(nf, t->fields, sizeof *nf * (size_t)t->nfields);
                t->fields = nf;
            }
            gobp_type_field *f = &t->fields[t->nfields++];
            const char *n = die_name(bin, child);
            f->name = n ? n : "";
            Dwarf_Unsigned v = 0;
            if (die_udata(child, DW_AT_data_member_location, &v)) f->offset = v;
            if (die_udata(child, DW_AT_go_embedded_field, &v)) f->embedded = v != 0;
            f->type = type_ref(bin, child, DW_AT_type);
        }
        int rc = dwarf_siblingof_b(bin->dbg, child, true, &next, NULL);
        dwarf_dealloc_die(child);
        if (rc != DW_DLV_OK) break;
        child = next;
    }
}

static int64_t array_len(gobp_binary *bin, Dwarf_Die die)
{
    Dwarf_Die child;
    int64_t len = 0;
    if (dwarf_child(die, &child, NULL) != DW_DLV_OK) return 0;
    Dwarf_Unsigned v;
    if (die_udata(child, DW_AT_count, &v)) len = (int64_t)v;
    else if (die_udata(child, DW_AT_upper_bound, &v)) len = (int64_t)v + 1;
    dwarf_dealloc_die(child);
    (void)bin;
    return len;
}

static void add_complex_fields(gobp_binary *bin, gobp_type *t)
{
    bool c64 = t->kind == GOBP_KIND_COMPLEX64;
    gobp_type *part = new_type(bin, c64 ? GOBP_KIND_FLOAT32 : GOBP_KIND_FLOAT64, c64 ? "float32" : "float64", t->size / 2);
    t->nfields = 2;
    t->fields = bin_alloc(bin, 2 * sizeof *t->fields);
    t->fields[0] = (gobp_type_field){"real", 0, part, false};
    t->fields[1] = (gobp_type_field){"imag", t->size / 2, part, false};
}

/* A typedef carrying DW_AT_go_kind: maps, channels, interfaces and named types. */
static void fill_go_typedef(gobp_binary *bin, Dwarf_Die die, gobp_type *t, gobp_type *target)
{
    if (t->kind == GOBP_KIND_MAP || t->kind == GOBP_KIND_CHAN) {
        t->size = 8;
        t->elem = type_ref(bin, die, DW_AT_go_elem);
        if (t->kind == GOBP_KIND_MAP) t->key = type_ref(bin, die, DW_AT_go_key);
        t->runtime = target && target->kind == GOBP_KIND_PTR ? target->elem : target;
        return;
    }
    if (!target) return;
    gobp_type_kind k = t->kind;
    const char *name = t->name;
    uint64_t rt = t->runtime_type, off = t->die_offset;
    *t = *target;
    t->kind = k;
    t->name = name;
    t->runtime_type = rt;
    t->die_offset = off;
    if (k == GOBP_KIND_INTERFACE)
        t->empty_interface = strcmp(target->name, "runtime.eface") == 0 || (t->nfields && strcmp(t->fields[0].name, "_type") == 0);
}

/* Fills t (already registered in the cache) from its DIE. Returns the type to use (an alias
 * typedef without go_kind returns its target). */
static gobp_type *build_type(gobp_binary *bin, Dwarf_Die die, Dwarf_Half tag, gobp_type *t)
{
    Dwarf_Unsigned v;
    bool has_kind = die_go_attr(die, DW_AT_go_kind, &v) && v != 0;  /* 0: synthesized runtime type */
    if (has_kind) t->kind = (gobp_type_kind)v;
    if (die_udata(die, DW_AT_byte_size, &v)) t->size = v;
    if (die_go_attr(die, DW_AT_go_runtime_type, &v) && v) t->runtime_type = types_base(bin) + v;
    switch (tag) {
    case DW_TAG_base_type:
        if (!has_kind && die_udata(die, DW_AT_encoding, &v)) t->kind = kind_of_base(t->name, v, t->size);
        if (t->kind == GOBP_KIND_COMPLEX64 || t->kind == GOBP_KIND_COMPLEX128) add_complex_fields(bin, t);
        break;
    case DW_TAG_pointer_type:
        t->size = 8;
        t->elem = type_ref(bin, die, DW_AT_type);
        if (!has_kind) t->kind = t->elem ? GOBP_KIND_PTR : GOBP_KIND_UNSAFEPTR;
        if (strcmp(t->name, "unsafe.Pointer") == 0) t->kind = GOBP_KIND_UNSAFEPTR;
        break;
    case DW_TAG_structure_type:
        if (!has_kind) t->kind = strcmp(t->name, "string") == 0 ? GOBP_KIND_STRING
                               : strncmp(t->name, "[]", 2) == 0 ? GOBP_KIND_SLICE : GOBP_KIND_STRUCT;
        read_members(bin, die, t);
        if (t->kind == GOBP_KIND_SLICE) {
            t->elem = type_ref(bin, die, DW_AT_go_elem);
            if (!t->elem && t->nfields && t->fields[0].type) t->elem = t->fields[0].type->elem;
        }
        break;
    case DW_TAG_array_type:
        t->kind = GOBP_KIND_ARRAY;
        t->elem = type_ref(bin, die, DW_AT_type);
        t->len = array_len(bin, die);
        break;
    case DW_TAG_subroutine_type:
        t->kind = GOBP_KIND_FUNC;
        t->size = 8;
        break;
    case DW_TAG_typedef: {
        gobp_type *target = type_ref(bin, die, DW_AT_type);
        if (!has_kind) return target ? target : t;
        fill_go_typedef(bin, die, t, target);
        break;
    }
    default:
        break;
    }
    return t;
}

static bool is_type_tag(Dwarf_Half tag)
{
    return tag == DW_TAG_base_type || tag == DW_TAG_pointer_type || tag == DW_TAG_structure_type ||
           tag == DW_TAG_array_type || tag == DW_TAG_subroutine_type || tag == DW_TAG_typedef;
}

gobp_type *binary_type_by_die(gobp_binary *bin, uint64_t off)
{
    if (!off) return NULL;
    gobp_type *t = u64map_get(&bin->types, off);
    if (t) return t;
    Dwarf_Die die;
    Dwarf_Half tag;
    if (dwarf_offdie_b(bin->dbg, off, true, &die, NULL) != DW_DLV_OK) return NULL;
    if (dwarf_tag(die, &tag, NULL) != DW_DLV_OK || !is_type_tag(tag)) { dwarf_dealloc_die(die); return NULL; }
    t = new_type(bin, GOBP_KIND_INVALID, die_name(bin, die), 0);
    t->die_offset = off;
    u64map_put(&bin->types, off, t);   /* before members: recursive types find it */
    gobp_type *r = build_type(bin, die, tag, t);
    if (r != t) u64map_put(&bin->types, off, r);
    dwarf_dealloc_die(die);
    return r;
}

/* One pass over every CU's top-level type DIEs: names and runtime type offsets. */
static void build_type_index(gobp_binary *bin)
{
    bin->type_index_done = true;
    if (cus_load(bin) != 0) return;
    for (int c = 0; c < bin->ncus; c++) {
        Dwarf_Die cudie, child, next;
        if (dwarf_offdie_b(bin->dbg, bin->cus[c].die_offset, true, &cudie, NULL) != DW_DLV_OK) continue;
        int rc = dwarf_child(cudie, &child, NULL);
        dwarf_dealloc_die(cudie);
        while (rc == DW_DLV_OK) {
            Dwarf_Half tag;
            Dwarf_Off off;
            if (dwarf_tag(child, &tag, NULL) == DW_DLV_OK && is_type_tag(tag) && dwarf_dieoffset(child, &off, NULL) == DW_DLV_OK) {
                const char *name = die_name(bin, child);
                if (name && !strmap_get(&bin->type_names, name)) strmap_put(&bin->type_names, name, (void *)(uintptr_t)off);
                Dwarf_Unsigned rt;
                if (die_go_attr(child, DW_AT_go_runtime_type, &rt) && rt && !u64map_get(&bin->type_runtime, rt))
                    u64map_put(&bin->type_runtime, rt, (void *)(uintptr_t)off);
            }
            rc = dwarf_siblingof_b(bin->dbg, child, true, &next, NULL);
            dwarf_dealloc_die(child);
            child = next;
        }
    }
}

gobp_type *binary_type_by_name(gobp_binary *bin, const char *name)
{
    if (!bin->type_index_done) build_type_index(bin);
    uintptr_t off = (uintptr_t)strmap_get(&bin->type_names, name);
    return off ? binary_type_by_die(bin, off) : NULL;
}

gobp_type *binary_type_by_runtime_addr(gobp_binary *bin, uint64_t addr)
{
    if (!bin->type_index_done) build_type_index(bin);
    uint64_t base = types_base(bin);
    if (!addr || addr <= base) return NULL;
    uintptr_t off = (uintptr_t)u64map_get(&bin->type_runtime, addr - base);
    return off ? binary_type_by_die(bin, off) : NULL;
}

const gobp_type_field *type_field(const gobp_type *t, const char *name)
{
    if (!t) return NULL;
    for (int i = 0; i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0) return &t->fields[i];
    return NULL;
}

void types_free(gobp_binary *bin)
{
    u64map_free(&bin->types);
    u64map_free(&bin->type_runtime);
    strmap_free(&bin->type_names);
}
