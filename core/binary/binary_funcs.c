/* The function index: Go functions from .symtab (names and [lowpc,highpc)), each resolved
 * lazily to its DWARF subprogram, declaration file/line and body_pc (after the stack check). */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "binary_internal.h"
#include "proc/insn.h"

bool die_udata(Dwarf_Die die, Dwarf_Half attr, Dwarf_Unsigned *out)
{
    Dwarf_Attribute a;
    if (dwarf_attr(die, attr, &a, NULL) != DW_DLV_OK) return false;
    bool ok = dwarf_formudata(a, out, NULL) == DW_DLV_OK;
    if (!ok) {
        Dwarf_Signed s;
        ok = dwarf_formsdata(a, &s, NULL) == DW_DLV_OK;
        if (ok) *out = (Dwarf_Unsigned)s;
    }
    if (!ok) {
        Dwarf_Bool b;
        ok = dwarf_formflag(a, &b, NULL) == DW_DLV_OK;
        if (ok) *out = b;
    }
    dwarf_dealloc_attribute(a);
    return ok;
}

bool die_ref(Dwarf_Die die, Dwarf_Half attr, Dwarf_Off *out)
{
    Dwarf_Attribute a;
    if (dwarf_attr(die, attr, &a, NULL) != DW_DLV_OK) return false;
    bool ok = dwarf_global_formref(a, out, NULL) == DW_DLV_OK;
    dwarf_dealloc_attribute(a);
    return ok;
}

const char *die_name(gobp_binary *bin, Dwarf_Die die)
{
    (void)bin;
    char *name = NULL;
    if (dwarf_diename(die, &name, NULL) != DW_DLV_OK) return NULL;
    return name;   /* points into libdwarf's section data, valid until dwarf_finish */
}

bool die_pc_range(Dwarf_Die die, uint64_t *lo, uint64_t *hi)
{
    Dwarf_Addr l, h;
    Dwarf_Half form;
    enum Dwarf_Form_Class cls;
    if (dwarf_lowpc(die, &l, NULL) != DW_DLV_OK) return false;
    if (dwarf_highpc_b(die, &h, &form, &cls, NULL) != DW_DLV_OK) return false;
    *lo = l;
    *hi = cls == DW_FORM_CLASS_CONSTANT ? l + h : h;
    return true;
}

static int cmp_func_lowpc(const void *a, const void *b)
{
    const gobp_func *x = a, *y = b;
    return x->lowpc < y->lowpc ? -1 : x->lowpc > y->lowpc;
}

int funcs_load_symtab(gobp_binary *bin, Elf_Scn *scn, GElf_Shdr *sh)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || !sh->sh_entsize) return -1;
    size_t n = sh->sh_size / sh->sh_entsize;
    bin->funcs = xcalloc(n ? n : 1, sizeof *bin->funcs);
    for (size_t i = 0; i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(data, (int)i, &sym) || !sym.st_name) continue;
        const char *name = elf_strptr(bin->elf, sh->sh_link, sym.st_name);
        if (!name || !*name) continue;
        if (sym.st_value) strmap_put(&bin->symbols, name, (void *)(uintptr_t)(sym.st_value + 1));
        if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_size) continue;
        gobp_func *f = &bin->funcs[bin->nfuncs++];
        f->name = name;
        f->lowpc = rt_addr(bin, sym.st_value);
        f->highpc = f->lowpc + sym.st_size;
    }
    qsort(bin->funcs, bin->nfuncs, sizeof *bin->funcs, cmp_func_lowpc);
    bin->fextra = xcalloc(bin->nfuncs ? bin->nfuncs : 1, sizeof *bin->fextra);
    for (size_t i = 0; i < bin->nfuncs; i++) strmap_put(&bin->func_by_name, bin->funcs[i].name, &bin->funcs[i]);
    return 0;
}

void funcs_free(gobp_binary *bin)
{
    free(bin->funcs);
    free(bin->fextra);
    strmap_free(&bin->func_by_name);
}

static gobp_func *func_containing(gobp_binary *bin, uint64_t pc)
{
    size_t lo = 0, hi = bin->nfuncs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (bin->funcs[mid].lowpc <= pc) lo = mid + 1; else hi = mid;
    }
    if (lo == 0) return NULL;
    gobp_func *f = &bin->funcs[lo - 1];
    return pc < f->highpc ? f : NULL;
}

/* Records the DIE offset of every top-level subprogram of the CU in the function index. */
static void cu_index_subprograms(gobp_binary *bin, cu_info *cu)
{
    cu->subs_loaded = true;
    Dwarf_Die cudie, child, next;
    if (dwarf_offdie_b(bin->dbg, cu->die_offset, true, &cudie, NULL) != DW_DLV_OK) return;
    if (dwarf_child(cudie, &child, NULL) != DW_DLV_OK) { dwarf_dealloc(bin->dbg, cudie, DW_DLA_DIE); return; }
    dwarf_dealloc(bin->dbg, cudie, DW_DLA_DIE);
    for (;;) {
        Dwarf_Half tag;
        uint64_t lo, hi;
        if (dwarf_tag(child, &tag, NULL) == DW_DLV_OK && tag == DW_TAG_subprogram && die_pc_range(child, &lo, &hi)) {
            lo = rt_addr(bin, lo);
            gobp_func *f = func_containing(bin, lo);
            Dwarf_Off off;
            if (f && f->lowpc == lo && dwarf_dieoffset(child, &off, NULL) == DW_DLV_OK) f->die_offset = off;
        }
        int rc = dwarf_siblingof_b(bin->dbg, child, true, &next, NULL);
        dwarf_dealloc(bin->dbg, child, DW_DLA_DIE);
        if (rc != DW_DLV_OK) break;
        child = next;
    }
}

/* Address just after the stack-bound check's conditional jump (cmp ...,[reg+0x10]; jbe/jb),
 * or 0 when the function has no stack check in its first instructions. */
static uint64_t after_stack_check(gobp_binary *bin, const gobp_func *f)
{
    unsigned char code[96];
    size_t len = f->highpc - f->lowpc < sizeof code ? f->highpc - f->lowpc : sizeof code;
    if (bin_read_text(bin, f->lowpc, code, len) != 0) return 0;
    insn_walk w;
    insn_step in;
    uint64_t after = 0;
    bool saw_guard_cmp = false;
    insn_walk_begin(&w, code, len, f->lowpc);
    for (int i = 0; i < 10 && !after && insn_walk_next(&w, &in) && in.op != INSN_OP_BAD; i++) {
        if (in.op == INSN_OP_CMP) {
            if (in.has_mem && in.mem_disp == 0x10 && in.mem_base != INSN_NO_REG && in.mem_base != 7 /* rsp */)
                saw_guard_cmp = true;
        } else if (saw_guard_cmp && in.op == INSN_OP_JCC && (!strncmp(in.text, "jbe ", 4) || !strncmp(in.text, "jb ", 3))) {
            after = in.addr + in.len;
        } else if (in.op == INSN_OP_CALL || in.op == INSN_OP_CALL_INDIRECT || in.op == INSN_OP_RET) {
            break;
        }
    }
    insn_walk_end(&w);
    return after;
}

/* body_pc: prologue_end if the line table has one after the stack check, else the first
 * is_stmt row after the check, else the check's end (or lowpc). Also fills file/line. */
static void resolve_body(gobp_binary *bin, gobp_func *f, cu_info *cu)
{
    uint64_t after = after_stack_check(bin, f);
    f->body_pc = after ? after : f->lowpc;
    f->entry_pc = f->body_pc;
    if (!cu || cu_load_rows(bin, cu) != 0) return;
    const line_row *pe = NULL, *stmt = NULL, *first = NULL;
    for (int i = cu_row_lower_bound(cu, f->lowpc); i < cu->nrows; i++) {
        const line_row *r = &cu->rows[i];
        if (cu->rows_sorted && r->pc >= f->highpc) break;
        if (r->end_seq || r->pc < f->lowpc || r->pc >= f->highpc) continue;
        if (!first) first = r;
        if (r->pc < f->body_pc) continue;
        if (r->prologue_end && !pe) pe = r;
        if (r->is_stmt && !stmt) stmt = r;
    }
    const line_row *body = pe ? pe : stmt;
    if (body) f->body_pc = body->pc;
    const line_row *where = body ? body : first;
    if (where) {
        f->file = where->file >= 0 && where->file < cu->nfiles ? cu->files[where->file] : NULL;
        f->line = where->line;
    }
}

static const gobp_func *resolve(gobp_binary *bin, gobp_func *f)
{
    if (!f) return NULL;
    func_extra *x = &bin->fextra[f - bin->funcs];
    if (x->resolved) return f;
    x->resolved = true;
    cu_info *cu = cu_by_pc(bin, f->lowpc);
    if (cu && !cu->subs_loaded) cu_index_subprograms(bin, cu);
    resolve_body(bin, f, cu);
    return f;
}

const gobp_func *binary_func_by_name(gobp_binary *bin, const char *name)
{
    return resolve(bin, strmap_get(&bin->func_by_name, name));
}

const gobp_func *binary_func_by_pc(gobp_binary *bin, uint64_t pc)
{
    return resolve(bin, func_containing(bin, pc));
}

const gobp_func *binary_func_symbol_by_pc(gobp_binary *bin, uint64_t pc)
{
    return func_containing(bin, pc);
}

void binary_funcs_each(gobp_binary *bin, int (*fn)(void *ctx, const gobp_func *f), void *ctx)
{
    for (size_t i = 0; i < bin->nfuncs; i++)
        if (fn(ctx, resolve(bin, &bin->funcs[i]))) return;
}

int binary_funcs_filter(gobp_binary *bin, bool (*keep)(void *ctx, const char *name), void *ctx,
                        const gobp_func **out, int max)
{
    int n = 0;
    for (size_t i = 0; i < bin->nfuncs; i++) {
        if (!keep(ctx, bin->funcs[i].name))
            continue;
        if (n < max)
            out[n] = resolve(bin, &bin->funcs[i]);
        n++;
    }
    return n;
}

static bool is_instance_of(void *ctx, const char *name)
{
    size_t len = strlen(ctx);
    return strncmp(name, ctx, len) == 0 && name[len] == '[';
}

int binary_funcs_named(gobp_binary *bin, const char *name, const gobp_func **out, int max)
{
    const gobp_func *f = binary_func_by_name(bin, name);
    if (f) {
        if (max > 0)
            out[0] = f;
        return 1;
    }
    return binary_funcs_filter(bin, is_instance_of, (void *)name, out, max);
}

/* Go writes an abstract subprogram (DW_AT_inline) at the top of its package's CU for every
 * function it inlined somewhere: finding one is enough to know calls may bypass the
 * out-of-line copy. */
bool binary_func_inlined(gobp_binary *bin, const char *name)
{
    char pkg[256];
    go_func_package(name, pkg, sizeof pkg);
    if (cus_load(bin) != 0)
        return false;
    for (int i = 0; i < bin->ncus; i++) {
        if (!bin->cus[i].name || strcmp(bin->cus[i].name, pkg) != 0)
            continue;
        Dwarf_Die cudie, child, next;
        if (dwarf_offdie_b(bin->dbg, bin->cus[i].die_offset, true, &cudie, NULL) != DW_DLV_OK)
            continue;
        int rc = dwarf_child(cudie, &child, NULL);
        dwarf_dealloc(bin->dbg, cudie, DW_DLA_DIE);
        bool found = false;
        while (rc == DW_DLV_OK && !found) {
            Dwarf_Half tag;
            Dwarf_Unsigned inl;
            if (dwarf_tag(child, &tag, NULL) == DW_DLV_OK && tag == DW_TAG_subprogram &&
                die_udata(child, DW_AT_inline, &inl)) {
                const char *n = die_name(bin, child);
                found = n && strcmp(n, name) == 0;
            }
            rc = dwarf_siblingof_b(bin->dbg, child, true, &next, NULL);
            dwarf_dealloc(bin->dbg, child, DW_DLA_DIE);
            child = next;
        }
        if (rc == DW_DLV_OK)
            dwarf_dealloc(bin->dbg, child, DW_DLA_DIE);
        if (found)
            return true;
    }
    return false;
}
