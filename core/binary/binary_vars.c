/* Variables: a function's parameters and locals (by lexical block; "&p" moved to the heap shown
 * as p), their DWARF locations (expressions and location lists, pieces) evaluated at a pc, and
 * package-level globals. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "binary_internal.h"

typedef struct var_entry {
    gobp_var var;
    pc_range *block;        /* innermost lexical block's ranges; NULL = whole function */
    int nblock;
} var_entry;

typedef struct visible_set {
    struct visible_set *next;
    unsigned char *mask;    /* one byte per var_entry */
    gobp_var *vars;
    int nvars;
} visible_set;

typedef struct var_cache {
    var_entry *entries;
    int n, cap;
    visible_set *sets;
} var_cache;

static void add_var(gobp_binary *bin, var_cache *vc, Dwarf_Die die, Dwarf_Half tag, pc_range *block, int nblock)
{
    if (vc->n == vc->cap) {
        vc->cap = vc->cap ? vc->cap * 2 : 16;
        vc->entries = xrealloc(vc->entries, sizeof *vc->entries * (size_t)vc->cap);
    }
    var_entry *e = &vc->entries[vc->n++];
    memset(e, 0, sizeof *e);
    const char *name = die_name(bin, die);
    e->var.name = name ? name : "";
    e->var.is_param = tag == DW_TAG_formal_parameter;
    Dwarf_Unsigned v;
    e->var.is_result = die_udata(die, DW_AT_variable_parameter, &v) && v;
    if (die_udata(die, DW_AT_decl_line, &v)) e->var.decl_line = (int)v;
    Dwarf_Off off;
    if (dwarf_dieoffset(die, &off, NULL) == DW_DLV_OK) e->var.die_offset = off;
    if (die_ref(die, DW_AT_type, &off)) e->var.type = binary_type_by_die(bin, off);
    e->block = block;
    e->nblock = nblock;
}

/* Locals the compiler makes up (".autotmp_12", ".closureptr", "#yield1" of range-over-func
 * loops, "#state1"): no Go developer wrote them, so they are not listed, as in Delve.
 * Parameters stay (a generic function's ".dict" takes an ABI register). */
static bool compiler_temporary(Dwarf_Die die)
{
    char *name = NULL;
    return dwarf_diename(die, &name, NULL) == DW_DLV_OK && name && (name[0] == '.' || name[0] == '#');
}

static void walk_scope(gobp_binary *bin, var_cache *vc, Dwarf_Die parent, uint64_t base, pc_range *block, int nblock)
{
    Dwarf_Die child, next;
    int rc = dwarf_child(parent, &child, NULL);
    while (rc == DW_DLV_OK) {
        Dwarf_Half tag;
        if (dwarf_tag(child, &tag, NULL) == DW_DLV_OK) {
            if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) {
                if (tag == DW_TAG_formal_parameter || !compiler_temporary(child))
                    add_var(bin, vc, child, tag, block, nblock);
            } else if (tag == DW_TAG_lexical_block) {
                pc_range *r;
                int n = die_ranges(bin, child, base, &r);
                pc_range *kept = bin_alloc(bin, sizeof *r * (size_t)(n ? n : 1));
                if (n) memcpy(kept, r, sizeof *r * (size_t)n);
                free(r);
                walk_scope(bin, vc, child, base, kept, n);
            }
        }
        rc = dwarf_siblingof_b(bin->dbg, child, true, &next, NULL);
        dwarf_dealloc_die(child);
        child = next;
    }
}

/* The compiler moves a variable whose address escapes to the heap and describes it as "&p",
 * a pointer to the heap copy (a closure's by-reference captures too). It becomes p with the
 * pointee's type, read through the pointer. An argument or result p moved this way is also in
 * DWARF as itself (its ABI place at entry): that entry takes the heap copy's location and the
 * "&p" entry goes (measured on Go 1.19-1.27: the parameter "p" plus a function-level "&p"). */
static void fold_heap_vars(var_cache *vc, const gobp_func *f)
{
    bool drop[vc->n ? vc->n : 1];
    for (int i = 0; i < vc->n; i++) {
        gobp_var *v = &vc->entries[i].var;
        drop[i] = false;
        if (v->name[0] != '&' || !v->name[1] || !v->type || v->type->kind != GOBP_KIND_PTR || !v->type->elem)
            continue;
        v->name++;
        v->type = v->type->elem;
        v->heap_die = v->die_offset;
        /* declared before the function's first line: a closure's (or range-over-func body's)
         * capture, whose pointer the prologue loads from the closure: valid on every line */
        v->heap_line = f->line > 0 && v->decl_line < f->line ? 0 : v->decl_line;
        v->die_offset = 0;
        for (int j = 0; j < vc->n && !vc->entries[i].block; j++) {
            gobp_var *p = &vc->entries[j].var;
            if (p->is_param && !vc->entries[j].block && strcmp(p->name, v->name) == 0) {
                p->heap_die = v->heap_die;
                p->heap_line = v->heap_line;
                drop[i] = true;
                break;
            }
        }
    }
    int kept = 0;
    for (int i = 0; i < vc->n; i++)
        if (!drop[i]) vc->entries[kept++] = vc->entries[i];
    vc->n = kept;
}

static var_cache *load_vars(gobp_binary *bin, const gobp_func *f)
{
    func_extra *x = &bin->fextra[f - bin->funcs];
    if (x->vars) return x->vars;
    x->vars = xcalloc(1, sizeof *x->vars);
    Dwarf_Die die;
    if (!f->die_offset || dwarf_offdie_b(bin->dbg, f->die_offset, true, &die, NULL) != DW_DLV_OK) return x->vars;
    cu_info *cu = cu_by_pc(bin, f->lowpc);
    walk_scope(bin, x->vars, die, cu ? cu->base : 0, NULL, 0);
    fold_heap_vars(x->vars, f);
    dwarf_dealloc_die(die);
    return x->vars;
}

static bool in_block(const var_entry *e, uint64_t pc)
{
    if (!e->block) return true;
    for (int i = 0; i < e->nblock; i++)
        if (pc >= e->block[i].lo && pc < e->block[i].hi) return true;
    return false;
}

int binary_func_vars(gobp_binary *bin, const gobp_func *f, uint64_t pc, const gobp_var **vars)
{
    *vars = NULL;
    if (!f || f < bin->funcs || f >= bin->funcs + bin->nfuncs) return 0;
    var_cache *vc = load_vars(bin, f);
    unsigned char mask[vc->n ? vc->n : 1];
    for (int i = 0; i < vc->n; i++) mask[i] = in_block(&vc->entries[i], pc);
    for (visible_set *s = vc->sets; s; s = s->next)
        if (memcmp(s->mask, mask, (size_t)vc->n) == 0) { *vars = s->vars; return s->nvars; }
    visible_set *s = xcalloc(1, sizeof *s);
    s->mask = xmalloc((size_t)vc->n + 1);
    memcpy(s->mask, mask, (size_t)vc->n);
    s->vars = xmalloc(sizeof *s->vars * (size_t)(vc->n ? vc->n : 1));
    for (int pass = 0; pass < 2; pass++)          /* parameters first, then locals */
        for (int i = 0; i < vc->n; i++)
            if (mask[i] && vc->entries[i].var.is_param == (pass == 0)) s->vars[s->nvars++] = vc->entries[i].var;
    s->next = vc->sets;
    vc->sets = s;
    *vars = s->vars;
    return s->nvars;
}

/* ---- location expressions ---- */

typedef struct {
    uint64_t stack[32];
    int sp;
    int reg;            /* pending DW_OP_regN, -1 if none */
    bool stack_value;
    bool overflow;      /* deeper than stack[]: the expression is refused, not misread */
} expr_state;

static void push(expr_state *st, uint64_t v)
{
    if (st->sp < (int)(sizeof st->stack / sizeof st->stack[0])) st->stack[st->sp++] = v;
    else st->overflow = true;
}
static uint64_t pop(expr_state *st) { return st->sp ? st->stack[--st->sp] : 0; }

/* Ends a piece (DW_OP_piece or the end of the expression) from what the expression left. */
static void emit_piece(expr_state *st, gobp_location *loc, uint32_t size)
{
    if (loc->npieces == loc->cap) {
        loc->cap = loc->cap ? loc->cap * 2 : 4;
        loc->pieces = xrealloc(loc->pieces, (size_t)loc->cap * sizeof *loc->pieces);
    }
    gobp_piece *p = &loc->pieces[loc->npieces++];
    memset(p, 0, sizeof *p);
    p->size = size;
    if (st->reg >= 0) { p->kind = GOBP_PIECE_REG; p->reg = st->reg; }
    else if (st->sp && st->stack_value) { p->kind = GOBP_PIECE_VALUE; p->addr = pop(st); }
    else if (st->sp) { p->kind = GOBP_PIECE_MEM; p->addr = pop(st); }
    else p->kind = GOBP_PIECE_MISSING;
    st->reg = -1;
    st->sp = 0;
    st->stack_value = false;
}

static int eval_op(gobp_binary *bin, expr_state *st, gobp_location *loc, Dwarf_Small op, Dwarf_Unsigned a1,
                   Dwarf_Unsigned a2, uint64_t cfa, const uint64_t *regs)
{
    (void)a2;
    if (op >= DW_OP_lit0 && op <= DW_OP_lit31) { push(st, op - DW_OP_lit0); return 0; }
    if (op >= DW_OP_reg0 && op <= DW_OP_reg31) { st->reg = op - DW_OP_reg0; return 0; }
    if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
        int r = op - DW_OP_breg0;
        if (!regs || r > 16) return -1;
        push(st, regs[r] + (int64_t)a1);
        return 0;
    }
    switch (op) {
    case DW_OP_addr: push(st, rt_addr(bin, a1)); return 0;
    case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u:
    case DW_OP_constu: case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s:
    case DW_OP_consts:
        push(st, a1); return 0;
    case DW_OP_regx: st->reg = (int)a1; return 0;
    case DW_OP_fbreg: push(st, cfa + (int64_t)a1); return 0;
    case DW_OP_call_frame_cfa: push(st, cfa); return 0;
    case DW_OP_plus_uconst: push(st, pop(st) + a1); return 0;
    case DW_OP_plus: { uint64_t b = pop(st); push(st, pop(st) + b); return 0; }
    case DW_OP_minus: { uint64_t b = pop(st); push(st, pop(st) - b); return 0; }
    case DW_OP_stack_value: st->stack_value = true; return 0;
    case DW_OP_piece: emit_piece(st, loc, (uint32_t)a1); return 0;
    case DW_OP_nop: return 0;
    default: return -1;
    }
}

static int eval_locdesc(gobp_binary *bin, Dwarf_Locdesc_c desc, Dwarf_Unsigned nops, uint64_t cfa,
                        const uint64_t *regs, uint32_t whole_size, gobp_location *loc)
{
    expr_state st = {.reg = -1};
    bool pieced = false;
    for (Dwarf_Unsigned i = 0; i < nops; i++) {
        Dwarf_Small op;
        Dwarf_Unsigned a1, a2, a3, br;
        if (dwarf_get_location_op_value_c(desc, i, &op, &a1, &a2, &a3, &br, NULL) != DW_DLV_OK) return -1;
        if (op == DW_OP_piece) pieced = true;
        if (eval_op(bin, &st, loc, op, a1, a2, cfa, regs) != 0 || st.overflow) return -1;
    }
    if (!pieced && nops) emit_piece(&st, loc, whole_size);
    return 0;
}

static int die_location(gobp_binary *bin, const gobp_var *v, uint64_t pc, uint64_t cfa,
                        const uint64_t *regs, gobp_location *loc)
{
    memset(loc, 0, sizeof *loc);
    Dwarf_Die die;
    if (dwarf_offdie_b(bin->dbg, v->die_offset, true, &die, NULL) != DW_DLV_OK) return -1;
    Dwarf_Attribute a;
    int rc = dwarf_attr(die, DW_AT_location, &a, NULL);
    if (rc != DW_DLV_OK) { dwarf_dealloc_die(die); return 0; }
    Dwarf_Loc_Head_c head;
    Dwarf_Unsigned count;
    rc = dwarf_get_loclist_c(a, &head, &count, NULL);   /* needs the DIE alive */
    dwarf_dealloc_attribute(a);
    dwarf_dealloc_die(die);
    if (rc != DW_DLV_OK) return -1;
    uint32_t size = v->type ? (uint32_t)v->type->size : 8;
    cu_info *cu = cu_by_pc(bin, pc);
    uint64_t base = cu ? cu->base : 0;  /* DWARF 4 list entries are offsets from the CU base */
    pc = link_addr(bin, pc);            /* list entries cover link-time addresses */
    int result = 0;
    for (Dwarf_Unsigned i = 0; i < count; i++) {
        Dwarf_Small lle, source;
        Dwarf_Unsigned rawlo, rawhi;
        Dwarf_Bool noaddr = 0;
        Dwarf_Addr lo, hi;
        Dwarf_Unsigned nops, exproff, descoff;
        Dwarf_Locdesc_c desc;
        if (dwarf_get_locdesc_entry_d(head, i, &lle, &rawlo, &rawhi, &noaddr, &lo, &hi, &nops, &desc, &source,
                                      &exproff, &descoff, NULL) != DW_DLV_OK)
            continue;
        if (source == DW_LKIND_loclists) {
            /* DWARF 5 (Go 1.25+): libdwarf applies base addresses and .debug_addr ("cooked") */
            if (noaddr || lle == DW_LLE_base_address || lle == DW_LLE_base_addressx || lle == DW_LLE_end_of_list) continue;
            if (pc < lo || pc >= hi) continue;
        } else if (source == DW_LKIND_loclist) {
            lo = rawlo, hi = rawhi;
            if (lle == DW_LLE_base_address) { base = hi; continue; }
            if (lle == DW_LLE_offset_pair) { lo += base; hi += base; }
            if (pc < lo || pc >= hi) continue;
        }
        result = eval_locdesc(bin, desc, nops, cfa, regs, size, loc);
        break;
    }
    dwarf_loc_head_c_dealloc(head);
    if (result < 0) binary_location_free(loc);
    return result;
}

void binary_location_free(gobp_location *loc)
{
    free(loc->pieces);
    loc->pieces = NULL;
    loc->npieces = loc->cap = 0;
}

/* A variable moved to the heap: its pointer is set by the code of heap_line (the declaration,
 * or for an argument the function's first line, before the body), and holds stack garbage
 * before, so it is read from the next line on. */
int binary_var_location(gobp_binary *bin, const gobp_var *v, uint64_t pc, uint64_t cfa,
                        const uint64_t *regs, gobp_location *loc)
{
    int line;
    if (v->heap_die && binary_pc_to_line(bin, pc, NULL, &line) == 0 && line > v->heap_line) {
        gobp_var ptr = { .die_offset = v->heap_die };  /* no type: one 8-byte pointer */
        int rc = die_location(bin, &ptr, pc, cfa, regs, loc);
        loc->deref = true;
        return rc;
    }
    if (!v->die_offset) {   /* only on the heap, not yet allocated */
        memset(loc, 0, sizeof *loc);
        return 0;
    }
    return die_location(bin, v, pc, cfa, regs, loc);
}

/* ---- globals ---- */

/* The address of a CU-level variable whose location is a single DW_OP_addr. */
static bool global_addr(gobp_binary *bin, Dwarf_Die die, uint64_t *addr)
{
    Dwarf_Attribute a;
    if (dwarf_attr(die, DW_AT_location, &a, NULL) != DW_DLV_OK) return false;
    Dwarf_Loc_Head_c head;
    Dwarf_Unsigned count;
    bool ok = false;
    if (dwarf_get_loclist_c(a, &head, &count, NULL) == DW_DLV_OK) {
        Dwarf_Small lle, source, op;
        Dwarf_Addr lo, hi;
        Dwarf_Unsigned nops, e1, e2, a1, a2, a3, br;
        Dwarf_Locdesc_c desc;
        if (count == 1 && dwarf_get_locdesc_entry_c(head, 0, &lle, &lo, &hi, &nops, &desc, &source, &e1, &e2, NULL) == DW_DLV_OK &&
            nops >= 1 && dwarf_get_location_op_value_c(desc, 0, &op, &a1, &a2, &a3, &br, NULL) == DW_DLV_OK && op == DW_OP_addr) {
            *addr = rt_addr(bin, a1);
            ok = true;
        }
        dwarf_loc_head_c_dealloc(head);
    }
    dwarf_dealloc_attribute(a);
    return ok;
}

static int cmp_global(const void *a, const void *b)
{
    const global_entry *x = *(global_entry *const *)a, *y = *(global_entry *const *)b;
    return strcmp(x->g.name, y->g.name);
}

static const gobp_global *global_typed(gobp_binary *bin, global_entry *g)
{
    if (!g->type_done) {
        g->type_done = true;
        g->g.type = binary_type_by_die(bin, g->type_die);
    }
    return &g->g;
}

struct pkg_globals { int n; gobp_global *globals; };

/* The package-level variables of pkg, read from its compile unit(s) on first use: a package's
 * globals live in its own CU, so the Globals scope of main never walks the runtime's. */
static struct pkg_globals *package_globals(gobp_binary *bin, const char *pkg)
{
    struct pkg_globals *cached = strmap_get(&bin->pkg_globals, pkg);
    if (cached) return cached;
    cached = bin_alloc(bin, sizeof *cached);
    strmap_put(&bin->pkg_globals, bin_strdup(bin, pkg), cached);
    if (cus_load(bin) != 0) return cached;
    global_entry **found = NULL;
    size_t n = 0, cap = 0;
    for (int c = 0; c < bin->ncus; c++) {
        if (!bin->cus[c].name || strcmp(bin->cus[c].name, pkg) != 0) continue;
        Dwarf_Die cudie, child, next;
        if (dwarf_offdie_b(bin->dbg, bin->cus[c].die_offset, true, &cudie, NULL) != DW_DLV_OK) continue;
        int rc = dwarf_child(cudie, &child, NULL);
        dwarf_dealloc_die(cudie);
        while (rc == DW_DLV_OK) {
            Dwarf_Half tag;
            uint64_t addr;
            const char *name;
            if (dwarf_tag(child, &tag, NULL) == DW_DLV_OK && tag == DW_TAG_variable && (name = die_name(bin, child)) &&
                global_addr(bin, child, &addr)) {
                if (n == cap) found = xrealloc(found, sizeof *found * (cap = cap ? cap * 2 : 64));
                global_entry *g = bin_alloc(bin, sizeof *g);
                g->g.name = name;
                g->g.addr = addr;
                die_ref(child, DW_AT_type, &g->type_die);
                found[n++] = g;
            }
            rc = dwarf_siblingof_b(bin->dbg, child, true, &next, NULL);
            dwarf_dealloc_die(child);
            child = next;
        }
    }
    if (n > 1) qsort(found, n, sizeof *found, cmp_global); /* found is NULL when n == 0 */
    cached->n = (int)n;
    cached->globals = bin_alloc(bin, sizeof *cached->globals * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        strmap_put(&bin->global_names, found[i]->g.name, found[i]);
        cached->globals[i] = *global_typed(bin, found[i]);
    }
    free(found);
    return cached;
}

const gobp_global *binary_global(gobp_binary *bin, const char *name)
{
    char pkg[256];
    package_globals(bin, go_func_package(name, pkg, sizeof pkg));
    global_entry *g = strmap_get(&bin->global_names, name);
    return g ? global_typed(bin, g) : NULL;
}

int binary_globals_of_package(gobp_binary *bin, const char *pkg, const gobp_global **globals)
{
    struct pkg_globals *p = package_globals(bin, pkg);
    *globals = p->n ? p->globals : NULL;
    return p->n;
}

void vars_free(gobp_binary *bin)
{
    for (size_t i = 0; bin->fextra && i < bin->nfuncs; i++) {
        var_cache *vc = bin->fextra[i].vars;
        if (!vc) continue;
        while (vc->sets) {
            visible_set *s = vc->sets;
            vc->sets = s->next;
            free(s->mask);
            free(s->vars);
            free(s);
        }
        free(vc->entries);
        free(vc);
    }
    strmap_free(&bin->global_names);
    strmap_free(&bin->pkg_globals);
}
