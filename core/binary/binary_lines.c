/* Compile units and their line tables: CU pc ranges (read once), file lists and rows
 * (loaded per CU on first use); file:line -> pcs, pc -> file:line, rows for stepping. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "binary_internal.h"

/* DWARF 5 (Go 1.25+): DW_AT_ranges is an offset into .debug_rnglists (DW_FORM_sec_offset) or an
 * index (DW_FORM_rnglistx); libdwarf applies base addresses and .debug_addr (cooked values). */
static int rnglists_ranges(gobp_binary *bin, Dwarf_Attribute a, pc_range **out)
{
    Dwarf_Half form = 0;
    Dwarf_Unsigned val = 0, count = 0, setoff = 0;
    if (dwarf_whatform(a, &form, NULL) != DW_DLV_OK) return 0;
    if (dwarf_formudata(a, &val, NULL) != DW_DLV_OK) {
        Dwarf_Off goff = 0;
        if (dwarf_global_formref(a, &goff, NULL) != DW_DLV_OK) return 0;
        val = goff;
    }
    /* libdwarf (20210528) dereferences NULL on a base_addressx entry when .debug_addr is
     * missing or empty (fuzz_elf, fuzz/regressions/elf/rnglists-without-debug-addr) */
    size_t addr_len = 0;
    if (!bin_debug_section(bin, ".debug_addr", &addr_len) || addr_len == 0) return 0;
    Dwarf_Rnglists_Head head;
    /* libdwarf reads *error when an index lookup fails (a .debug_addr of the wrong size):
     * never NULL here (fuzz/regressions/elf/rnglists-index-error-null) */
    Dwarf_Error derr = NULL;
    int rc = dwarf_rnglists_get_rle_head(a, form, val, &head, &count, &setoff, &derr);
    if (derr)
        dwarf_dealloc(bin->dbg, derr, DW_DLA_ERROR);
    if (rc != DW_DLV_OK) return 0;
    *out = xmalloc(sizeof **out * (size_t)(count ? count : 1));
    int n = 0;
    for (Dwarf_Unsigned i = 0; i < count; i++) {
        unsigned len = 0, kind = 0;
        Dwarf_Unsigned raw1, raw2, lo, hi;
        Dwarf_Bool noaddr = 0;
        if (dwarf_get_rnglists_entry_fields_a(head, i, &len, &kind, &raw1, &raw2, &noaddr, &lo, &hi, NULL) != DW_DLV_OK)
            break;
        if (noaddr || kind == DW_RLE_end_of_list || kind == DW_RLE_base_address || kind == DW_RLE_base_addressx)
            continue;
        if (hi > lo) (*out)[n++] = (pc_range){lo, hi};
    }
    dwarf_dealloc_rnglists_head(head);
    return n;
}

static int die_link_ranges(gobp_binary *bin, Dwarf_Die die, uint64_t base, pc_range **out)
{
    *out = NULL;
    Dwarf_Attribute a;
    if (dwarf_attr(die, DW_AT_ranges, &a, NULL) != DW_DLV_OK) {
        uint64_t lo, hi;
        if (!die_pc_range(die, &lo, &hi)) return 0;
        *out = xmalloc(sizeof **out);
        (*out)[0] = (pc_range){lo, hi};
        return 1;
    }
    Dwarf_Half version = 0, offset_size = 0;
    if (dwarf_get_version_of_die(die, &version, &offset_size) == DW_DLV_OK && version >= 5) {
        int n = rnglists_ranges(bin, a, out);
        dwarf_dealloc(bin->dbg, a, DW_DLA_ATTR);
        return n;
    }
    Dwarf_Unsigned off = 0;
    Dwarf_Off goff = 0;
    if (dwarf_formudata(a, &off, NULL) != DW_DLV_OK && dwarf_global_formref(a, &goff, NULL) == DW_DLV_OK) off = goff;
    dwarf_dealloc(bin->dbg, a, DW_DLA_ATTR);
    Dwarf_Ranges *r;
    Dwarf_Signed n;
    Dwarf_Unsigned bytes;
    if (dwarf_get_ranges_a(bin->dbg, off, die, &r, &n, &bytes, NULL) != DW_DLV_OK) return 0;
    *out = xmalloc(sizeof **out * (size_t)(n ? n : 1));
    int count = 0;
    for (Dwarf_Signed i = 0; i < n; i++) {
        if (r[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) base = r[i].dwr_addr2;
        else if (r[i].dwr_type == DW_RANGES_ENTRY && r[i].dwr_addr1 != r[i].dwr_addr2)
            (*out)[count++] = (pc_range){base + r[i].dwr_addr1, base + r[i].dwr_addr2};
    }
    dwarf_ranges_dealloc(bin->dbg, r, n);
    return count;
}

int die_ranges(gobp_binary *bin, Dwarf_Die die, uint64_t base, pc_range **out)
{
    int n = die_link_ranges(bin, die, base, out);
    for (int i = 0; i < n; i++)
        (*out)[i] = (pc_range){rt_addr(bin, (*out)[i].lo), rt_addr(bin, (*out)[i].hi)};
    return n;
}

static void cu_read_ranges(gobp_binary *bin, Dwarf_Die cudie, cu_info *cu)
{
    Dwarf_Addr base = 0;
    dwarf_lowpc(cudie, &base, NULL);
    cu->base = base;
    pc_range *r;
    cu->nranges = die_ranges(bin, cudie, base, &r);
    cu->ranges = bin_alloc(bin, sizeof *r * (size_t)(cu->nranges ? cu->nranges : 1));
    if (cu->nranges) memcpy(cu->ranges, r, sizeof *r * (size_t)cu->nranges);
    free(r);
}

static int cmp_span(const void *a, const void *b)
{
    const struct cu_span *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    return x->cu - y->cu;
}

static void cu_spans_build(gobp_binary *bin)
{
    int n = 0;
    for (int i = 0; i < bin->ncus; i++) n += bin->cus[i].nranges;
    bin->cu_spans = xmalloc(sizeof *bin->cu_spans * (size_t)(n ? n : 1));
    for (int i = 0; i < bin->ncus; i++)
        for (int k = 0; k < bin->cus[i].nranges; k++)
            bin->cu_spans[bin->ncu_spans++] = (struct cu_span){bin->cus[i].ranges[k].lo, bin->cus[i].ranges[k].hi, i};
    qsort(bin->cu_spans, (size_t)bin->ncu_spans, sizeof *bin->cu_spans, cmp_span);
}

int cus_load(gobp_binary *bin)
{
    if (bin->cus_loaded) return bin->ncus ? 0 : -1;
    bin->cus_loaded = true;
    int cap = 64;
    bin->cus = xcalloc((size_t)cap, sizeof *bin->cus);
    for (;;) {
        Dwarf_Unsigned hlen, typeoff, next;
        Dwarf_Half ver, asz, lsz, esz, cutype;
        Dwarf_Off abbr;
        Dwarf_Sig8 sig;
        if (dwarf_next_cu_header_d(bin->dbg, true, &hlen, &ver, &abbr, &asz, &lsz, &esz, &sig, &typeoff,
                                   &next, &cutype, NULL) != DW_DLV_OK)
            break;
        Dwarf_Die cudie;
        if (dwarf_siblingof_b(bin->dbg, NULL, true, &cudie, NULL) != DW_DLV_OK) continue;
        if (bin->ncus == cap) {
            cap *= 2;
            bin->cus = xrealloc(bin->cus, sizeof *bin->cus * (size_t)cap);
        }
        cu_info *cu = &bin->cus[bin->ncus];
        memset(cu, 0, sizeof *cu);
        dwarf_dieoffset(cudie, &cu->die_offset, NULL);
        cu->name = die_name(bin, cudie);
        char *cd = NULL;
        Dwarf_Attribute cda;
        if (dwarf_attr(cudie, DW_AT_comp_dir, &cda, NULL) == DW_DLV_OK) {
            if (dwarf_formstring(cda, &cd, NULL) == DW_DLV_OK && cd) cu->comp_dir = bin_strdup(bin, cd);
            dwarf_dealloc(bin->dbg, cda, DW_DLA_ATTR);
        }
        Dwarf_Attribute sl;
        if (dwarf_attr(cudie, DW_AT_stmt_list, &sl, NULL) == DW_DLV_OK) {
            Dwarf_Off o = 0;
            Dwarf_Unsigned u = 0;
            if (dwarf_global_formref(sl, &o, NULL) == DW_DLV_OK) cu->stmt_list = o, cu->has_stmt_list = true;
            else if (dwarf_formudata(sl, &u, NULL) == DW_DLV_OK) cu->stmt_list = u, cu->has_stmt_list = true;
            dwarf_dealloc(bin->dbg, sl, DW_DLA_ATTR);
        }
        cu_read_ranges(bin, cudie, cu);
        dwarf_dealloc(bin->dbg, cudie, DW_DLA_DIE);
        bin->ncus++;
    }
    cu_spans_build(bin);
    return bin->ncus ? 0 : -1;
}

bool binary_has_go_dwarf(gobp_binary *bin)
{
    if (cus_load(bin) != 0) return false;
    for (int i = 0; i < bin->ncus; i++)
        if (bin->cus[i].name && strcmp(bin->cus[i].name, "runtime") == 0) return true;
    return false;
}

/* The CU containing pc: binary search over every CU range (called for every stack frame). */
cu_info *cu_by_pc(gobp_binary *bin, uint64_t pc)
{
    if (cus_load(bin) != 0) return NULL;
    int lo = 0, hi = bin->ncu_spans;   /* first span with lo > pc */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (bin->cu_spans[mid].lo <= pc) lo = mid + 1; else hi = mid;
    }
    /* Ranges do not overlap in Go binaries; still, look back over spans starting at or before pc
     * in case one does (the first CU in DWARF order wins, as the linear scan did). */
    int best = -1;
    for (int i = lo - 1; i >= 0 && i >= lo - 4; i--)
        if (pc < bin->cu_spans[i].hi && (best < 0 || bin->cu_spans[i].cu < best)) best = bin->cu_spans[i].cu;
    return best >= 0 ? &bin->cus[best] : NULL;
}

static const unsigned char *debug_line(gobp_binary *bin, size_t *len)
{
    return bin_debug_section(bin, ".debug_line", len);
}

static int cu_load_files(gobp_binary *bin, cu_info *cu)
{
    if (cu->files_loaded) return cu->nfiles ? 0 : -1;
    cu->files_loaded = true;
    size_t len;
    const unsigned char *sec = debug_line(bin, &len);
    if (cu->has_stmt_list && sec &&
        lineprog_files(bin, sec, len, cu->stmt_list, cu->comp_dir ? cu->comp_dir : ".", &cu->files, &cu->nfiles) == 0)
        return cu->nfiles ? 0 : -1;
    /* Our reader reads every line table version (2 to 5) Go and gcc write: one it refuses is
     * corrupt, and libdwarf 20210528 can allocate without bound on such a header (fuzz_elf,
     * fuzz/regressions/elf/srcfiles-unbounded-alloc). libdwarf only to compare the readers. */
    if (getenv("GOBP_LIBDWARF_LINES") == NULL)
        return -1;
    Dwarf_Die cudie;
    if (dwarf_offdie_b(bin->dbg, cu->die_offset, true, &cudie, NULL) != DW_DLV_OK) return -1;
    char **files;
    Dwarf_Signed n;
    if (dwarf_srcfiles(cudie, &files, &n, NULL) == DW_DLV_OK) {
        cu->files = bin_alloc(bin, sizeof *cu->files * (size_t)(n ? n : 1));
        for (Dwarf_Signed i = 0; i < n; i++) {
            cu->files[i] = bin_strdup(bin, files[i]);
            dwarf_dealloc(bin->dbg, files[i], DW_DLA_STRING);
        }
        dwarf_dealloc(bin->dbg, files, DW_DLA_LIST);
        cu->nfiles = (int)n;
    }
    dwarf_dealloc(bin->dbg, cudie, DW_DLA_DIE);
    return cu->nfiles ? 0 : -1;
}

static bool rows_monotonic(const line_row *rows, int n)
{
    for (int i = 0; i + 1 < n; i++)
        if (rows[i + 1].pc < rows[i].pc) return false;
    return true;
}

typedef struct { uint64_t pc; int start, len; } seq_ref;

static int cmp_seq(const void *a, const void *b)
{
    const seq_ref *x = a, *y = b;
    if (x->pc != y->pc) return x->pc < y->pc ? -1 : 1;
    return x->start - y->start;
}

/* Puts the line table's sequences in address order so that pc lookups can binary search.
 * Rows inside a sequence keep their order; rows_sorted tells whether the result is monotonic. */
static void rows_sort_sequences(cu_info *cu)
{
    cu->rows_sorted = rows_monotonic(cu->rows, cu->nrows);
    if (cu->rows_sorted || cu->nrows < 2) return;
    int nseq = 0;
    for (int i = 0; i < cu->nrows; i++)
        if (cu->rows[i].end_seq || i == cu->nrows - 1) nseq++;
    seq_ref *seqs = xmalloc(sizeof *seqs * (size_t)nseq);
    line_row *sorted = xmalloc(sizeof *sorted * (size_t)cu->nrows);
    int k = 0, start = 0;
    for (int i = 0; i < cu->nrows; i++)
        if (cu->rows[i].end_seq || i == cu->nrows - 1) {
            seqs[k++] = (seq_ref){cu->rows[start].pc, start, i - start + 1};
            start = i + 1;
        }
    qsort(seqs, (size_t)nseq, sizeof *seqs, cmp_seq);
    int n = 0;
    for (int s = 0; s < nseq; s++) {
        memcpy(sorted + n, cu->rows + seqs[s].start, sizeof *sorted * (size_t)seqs[s].len);
        n += seqs[s].len;
    }
    free(cu->rows);
    cu->rows = sorted;
    free(seqs);
    cu->rows_sorted = rows_monotonic(cu->rows, cu->nrows);
}

/* The rows from our own decoder of .debug_line (fast); false when it cannot (libdwarf then). */
static bool cu_decode_rows(gobp_binary *bin, cu_info *cu)
{
    size_t len;
    const unsigned char *sec = debug_line(bin, &len);
    line_row *rows;
    int n;
    if (!cu->has_stmt_list || !sec || lineprog_decode(sec, len, cu->stmt_list, &rows, &n) != 0)
        return false;
    for (int i = 0; i < n; i++) rows[i].pc = rt_addr(bin, rows[i].pc);
    cu->rows = rows;
    cu->nrows = n;
    return true;
}

int cu_load_rows(gobp_binary *bin, cu_info *cu)
{
    if (cu->rows_loaded) return cu->nrows ? 0 : -1;
    cu->rows_loaded = true;
    cu_load_files(bin, cu);
    /* GOBP_LIBDWARF_LINES=1 reads the rows with libdwarf instead, to compare the two readers */
    if (getenv("GOBP_LIBDWARF_LINES") == NULL) {   /* a table our reader refuses is corrupt (above) */
        if (!cu_decode_rows(bin, cu))
            return -1;
        rows_sort_sequences(cu);
        return cu->nrows ? 0 : -1;
    }
    Dwarf_Die cudie;
    if (dwarf_offdie_b(bin->dbg, cu->die_offset, true, &cudie, NULL) != DW_DLV_OK) return -1;
    Dwarf_Unsigned ver;
    Dwarf_Small tables;
    Dwarf_Line_Context ctx;
    int rc = dwarf_srclines_b(cudie, &ver, &tables, &ctx, NULL);
    dwarf_dealloc(bin->dbg, cudie, DW_DLA_DIE);
    if (rc != DW_DLV_OK) return -1;
    Dwarf_Line *lines;
    Dwarf_Signed n;
    if (dwarf_srclines_from_linecontext(ctx, &lines, &n, NULL) == DW_DLV_OK && n > 0) {
        cu->rows = xmalloc(sizeof *cu->rows * (size_t)n);
        for (Dwarf_Signed i = 0; i < n; i++) {
            Dwarf_Addr pc = 0;
            Dwarf_Unsigned lineno = 0, fileno = 0, isa, disc;
            Dwarf_Bool stmt = 0, endseq = 0, pe = 0, eb;
            dwarf_lineaddr(lines[i], &pc, NULL);
            dwarf_lineno(lines[i], &lineno, NULL);
            dwarf_line_srcfileno(lines[i], &fileno, NULL);
            dwarf_linebeginstatement(lines[i], &stmt, NULL);
            dwarf_lineendsequence(lines[i], &endseq, NULL);
            dwarf_prologue_end_etc(lines[i], &pe, &eb, &isa, &disc, NULL);
            line_row *r = &cu->rows[cu->nrows++];
            r->pc = rt_addr(bin, pc);
            r->line = (int)lineno;
            r->file = ver >= 5 ? (int)fileno : (int)fileno - 1;
            r->is_stmt = stmt != 0;
            r->end_seq = endseq != 0;
            r->prologue_end = pe != 0;
        }
    }
    dwarf_srclines_dealloc_b(ctx);
    rows_sort_sequences(cu);
    return cu->nrows ? 0 : -1;
}

int cu_row_lower_bound(const cu_info *cu, uint64_t pc)
{
    if (!cu->rows_sorted) return 0;
    int lo = 0, hi = cu->nrows;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cu->rows[mid].pc < pc) lo = mid + 1; else hi = mid;
    }
    return lo;
}

void cus_free(gobp_binary *bin)
{
    for (int i = 0; i < bin->ncus; i++) free(bin->cus[i].rows);
    free(bin->cus);
    free(bin->cu_spans);
}

/* file matches name when equal, or when name is a suffix starting at a path component. */
static bool file_matches(const char *file, const char *name)
{
    size_t fl = strlen(file), nl = strlen(name);
    if (nl > fl) return false;
    if (strcmp(file + fl - nl, name) != 0) return false;
    return nl == fl || name[0] == '/' || file[fl - nl - 1] == '/';
}

static int find_file(gobp_binary *bin, cu_info *cu, const char *name)
{
    if (cu_load_files(bin, cu) != 0) return -1;
    for (int i = 0; i < cu->nfiles; i++)
        if (file_matches(cu->files[i], name)) return i;
    return -1;
}

/* Smallest line among the rows of function f that come from file fi of cu. */
static int func_first_line(const cu_info *cu, const gobp_func *f, int fi)
{
    int best = 0;
    for (int i = cu_row_lower_bound(cu, f->lowpc); i < cu->nrows; i++) {
        const line_row *r = &cu->rows[i];
        if (cu->rows_sorted && r->pc >= f->highpc) break;
        if (r->end_seq || r->file != fi || r->pc < f->lowpc || r->pc >= f->highpc) continue;
        if (!best || r->line < best) best = r->line;
    }
    return best;
}

/* The lowest is_stmt pc per function, growing. */
typedef struct { uint64_t *pcs; int n, cap; } pc_list;

/* Adds the lowest is_stmt pc per function for rows of (cu, fi, line). */
static void collect_line(gobp_binary *bin, cu_info *cu, int fi, int line, int asked, pc_list *out)
{
    for (int i = 0; i < cu->nrows; i++) {
        const line_row *r = &cu->rows[i];
        if (r->end_seq || !r->is_stmt || r->file != fi || r->line != line) continue;
        const gobp_func *f = binary_func_by_pc(bin, r->pc);
        if (!f || (line != asked && func_first_line(cu, f, fi) > asked)) continue;
        int k;
        for (k = 0; k < out->n; k++) {
            if (binary_func_by_pc(bin, out->pcs[k]) == f) {
                if (r->pc < out->pcs[k]) out->pcs[k] = r->pc;
                break;
            }
        }
        if (k < out->n) continue;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 16;
            out->pcs = xrealloc(out->pcs, (size_t)out->cap * sizeof *out->pcs);
        }
        out->pcs[out->n++] = r->pc;
    }
}

int binary_line_to_pcs(gobp_binary *bin, const char *file, int line, uint64_t *pcs, int max, int *found_line)
{
    if (cus_load(bin) != 0) return -1;
    bool known = false;
    int fidx[bin->ncus];
    for (int c = 0; c < bin->ncus; c++) {
        fidx[c] = find_file(bin, &bin->cus[c], file);
        if (fidx[c] >= 0) known = true;
    }
    if (!known) return -1;
    pc_list found = {0};
    for (int l = line; l <= line + 20 && found.n == 0; l++) {
        for (int c = 0; c < bin->ncus; c++) {
            if (fidx[c] < 0 || cu_load_rows(bin, &bin->cus[c]) != 0) continue;
            collect_line(bin, &bin->cus[c], fidx[c], l, line, &found);
        }
        if (found.n > 0 && found_line) *found_line = l;
    }
    if (found.n > 0 && max > 0) memcpy(pcs, found.pcs, (size_t)(found.n < max ? found.n : max) * sizeof *pcs);
    free(found.pcs);
    return found.n;
}

int binary_pc_to_line(gobp_binary *bin, uint64_t pc, const char **file, int *line)
{
    cu_info *cu = cu_by_pc(bin, pc);
    if (!cu || cu_load_rows(bin, cu) != 0) return -1;
    const line_row *best = NULL;
    if (cu->rows_sorted) {
        /* The row that covers pc is the last one with row.pc <= pc (its successor starts
         * after pc), unless it ends a sequence. */
        int i = cu_row_lower_bound(cu, pc + 1) - 1;
        if (i >= 0 && i + 1 < cu->nrows && !cu->rows[i].end_seq) best = &cu->rows[i];
    } else {
        for (int i = 0; i + 1 < cu->nrows; i++) {
            const line_row *r = &cu->rows[i];
            if (r->end_seq || r->pc > pc || cu->rows[i + 1].pc <= pc) continue;
            best = r;
        }
    }
    if (!best) return -1;
    if (file) *file = best->file >= 0 && best->file < cu->nfiles ? cu->files[best->file] : NULL;
    if (line) *line = best->line;
    return 0;
}

static int cmp_row_pc(const void *a, const void *b)
{
    const gobp_line_row *x = a, *y = b;
    return x->pc < y->pc ? -1 : x->pc > y->pc;
}

int binary_line_rows(gobp_binary *bin, uint64_t lo, uint64_t hi, gobp_line_row **rows)
{
    *rows = NULL;
    cu_info *cu = cu_by_pc(bin, lo);
    if (!cu || cu_load_rows(bin, cu) != 0) return 0;
    int n = 0;
    int first = cu_row_lower_bound(cu, lo);
    gobp_line_row *out = xmalloc(sizeof *out * (size_t)(cu->nrows - first + 1));
    for (int i = first; i < cu->nrows; i++) {
        const line_row *r = &cu->rows[i];
        if (cu->rows_sorted && r->pc >= hi) break;
        if (r->end_seq || !r->is_stmt || r->pc < lo || r->pc >= hi) continue;
        out[n++] = (gobp_line_row){r->pc, r->line, r->file >= 0 && r->file < cu->nfiles ? cu->files[r->file] : NULL};
    }
    qsort(out, (size_t)n, sizeof *out, cmp_row_pc);
    *rows = out;
    return n;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int binary_stmt_lines(gobp_binary *bin, const char *file, int from, int to, int **lines)
{
    *lines = NULL;
    if (cus_load(bin) != 0) return -1;
    bool known = false;
    int n = 0, cap = 0;
    for (int c = 0; c < bin->ncus; c++) {
        cu_info *cu = &bin->cus[c];
        int fi = find_file(bin, cu, file);
        if (fi < 0) continue;
        known = true;
        if (cu_load_rows(bin, cu) != 0) continue;
        for (int i = 0; i < cu->nrows; i++) {
            const line_row *r = &cu->rows[i];
            if (r->end_seq || !r->is_stmt || r->file != fi || r->line < from || r->line > to) continue;
            if (n == cap) *lines = xrealloc(*lines, sizeof **lines * (size_t)(cap = cap ? cap * 2 : 64));
            (*lines)[n++] = r->line;
        }
    }
    if (!known) return -1;
    if (n == 0) return 0;
    qsort(*lines, (size_t)n, sizeof **lines, cmp_int);
    int k = 1;
    for (int i = 1; i < n; i++)
        if ((*lines)[i] != (*lines)[k - 1]) (*lines)[k++] = (*lines)[i];
    return k;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int binary_source_files(gobp_binary *bin, const char ***files)
{
    *files = NULL;
    if (cus_load(bin) != 0) return -1;
    strmap seen = {0};
    int n = 0, cap = 0;
    for (int c = 0; c < bin->ncus; c++) {
        cu_info *cu = &bin->cus[c];
        if (cu_load_files(bin, cu) != 0) continue;
        for (int i = 0; i < cu->nfiles; i++) {
            const char *f = cu->files[i];
            if (!f || strmap_get(&seen, f)) continue;
            strmap_put(&seen, f, (void *)1);
            if (n == cap) *files = xrealloc(*files, sizeof **files * (size_t)(cap = cap ? cap * 2 : 256));
            (*files)[n++] = f;
        }
    }
    strmap_free(&seen);
    if (n > 1) qsort(*files, (size_t)n, sizeof **files, cmp_str);
    return n;
}
