/* Decodes a compile unit's DWARF line program (versions 2 to 5) straight from .debug_line into
 * rows: libdwarf's reader makes one object per row, which costs tens of milliseconds on the
 * runtime's tables at the first stack of a stop. Anything unexpected returns -1 (libdwarf then). */
#include <string.h>

#include "alloc.h"
#include "binary_internal.h"

typedef struct { const unsigned char *p, *end; bool bad; } cursor;

static uint64_t rd(cursor *c, int n)
{
    if (c->end - c->p < n) { c->bad = true; c->p = c->end; return 0; }
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)c->p[i] << (8 * i);
    c->p += n;
    return v;
}

static uint64_t uleb(cursor *c)
{
    uint64_t v = 0;
    for (int shift = 0; c->p < c->end; shift += 7) {
        unsigned char b = *c->p++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    c->bad = true;
    return v;
}

/* Built unsigned: a 10-byte value shifts bits past bit 63 (fuzz/regressions/elf/sleb-shift-overflow). */
static int64_t sleb(cursor *c)
{
    uint64_t v = 0;
    int shift = 0;
    unsigned char b = 0x80;
    while (c->p < c->end && (b & 0x80)) {
        b = *c->p++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    }
    if (b & 0x80) c->bad = true;
    if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
    return (int64_t)v;
}

static const char *cstr(cursor *c)
{
    const unsigned char *z = memchr(c->p, 0, (size_t)(c->end - c->p));
    if (!z) { c->bad = true; c->p = c->end; return ""; }
    const char *s = (const char *)c->p;
    c->p = z + 1;
    return s;
}

/* A NUL-terminated string at off of a strings section, "" when out of it. */
static const char *section_str(const unsigned char *sec, size_t len, uint64_t off)
{
    return sec && off < len && memchr(sec + off, 0, len - off) ? (const char *)sec + off : "";
}

/* One v5 entry attribute: a string (DW_LNCT_path) or a number (DW_LNCT_directory_index...). */
static void v5_value(gobp_binary *bin, cursor *c, uint64_t form, int offset_size, const char **str, uint64_t *num)
{
    size_t len;
    const unsigned char *sec;
    switch (form) {
    case DW_FORM_string: *str = cstr(c); break;
    case DW_FORM_line_strp:
        sec = bin_debug_section(bin, ".debug_line_str", &len);
        *str = section_str(sec, len, rd(c, offset_size));
        break;
    case DW_FORM_strp:
        sec = bin_debug_section(bin, ".debug_str", &len);
        *str = section_str(sec, len, rd(c, offset_size));
        break;
    case DW_FORM_udata: *num = uleb(c); break;
    case DW_FORM_data1: *num = rd(c, 1); break;
    case DW_FORM_data2: *num = rd(c, 2); break;
    case DW_FORM_data4: *num = rd(c, 4); break;
    case DW_FORM_data8: *num = rd(c, 8); break;
    case DW_FORM_data16: rd(c, 8); rd(c, 8); break;
    case DW_FORM_block: { uint64_t n = uleb(c); if ((uint64_t)(c->end - c->p) < n) c->bad = true; else c->p += n; break; }
    default: c->bad = true;
    }
}

typedef struct { const char *path; uint64_t dir; } lp_entry;

/* A v5 directory or file table. */
static lp_entry *v5_table(gobp_binary *bin, cursor *c, int offset_size, int *n_out)
{
    unsigned nformats = (unsigned)rd(c, 1);
    uint64_t types[16], forms[16];
    if (nformats > 16) { c->bad = true; return NULL; }
    for (unsigned i = 0; i < nformats; i++) { types[i] = uleb(c); forms[i] = uleb(c); }
    uint64_t count = uleb(c);
    if (c->bad || count > (uint64_t)(c->end - c->p)) { c->bad = true; return NULL; }
    lp_entry *t = xcalloc(count ? count : 1, sizeof *t);
    for (uint64_t k = 0; k < count && !c->bad; k++) {
        t[k].path = "";
        for (unsigned i = 0; i < nformats; i++) {
            const char *str = NULL;
            uint64_t num = 0;
            v5_value(bin, c, forms[i], offset_size, &str, &num);
            if (types[i] == DW_LNCT_path && str) t[k].path = str;
            if (types[i] == DW_LNCT_directory_index) t[k].dir = num;
        }
    }
    *n_out = (int)count;
    return t;
}

/* dir/name as libdwarf joins them: absolute names stay, others under their (relative
 * directories under the compile directory). */
static char *join_path(gobp_binary *bin, const char *comp_dir, const char *dir, const char *name)
{
    char buf[4096];
    if (name[0] == '/') snprintf(buf, sizeof buf, "%s", name);
    else if (!dir || !*dir) snprintf(buf, sizeof buf, "%s/%s", comp_dir, name);
    else if (dir[0] == '/') snprintf(buf, sizeof buf, "%s/%s", dir, name);
    else snprintf(buf, sizeof buf, "%s/%s/%s", comp_dir, dir, name);
    return bin_strdup(bin, buf);
}

/* A line program's header up to its directory table. */
typedef struct {
    cursor c;                   /* at the directory table, bounded by the unit */
    const unsigned char *prog;  /* the first opcode */
    int version, offset_size;
    unsigned min_inst, max_ops, line_range, opcode_base;
    int line_base;
    bool default_stmt;
    unsigned char std_len[256]; /* operands of each standard opcode */
} lp_header;

static int read_header(const unsigned char *sec, size_t seclen, uint64_t off, lp_header *h)
{
    if (off >= seclen) return -1;
    memset(h, 0, sizeof *h);
    cursor *c = &h->c;
    *c = (cursor){sec + off, sec + seclen, false};
    h->offset_size = 4;
    uint64_t unit_len = rd(c, 4);
    if (unit_len == 0xffffffff) { h->offset_size = 8; unit_len = rd(c, 8); }
    if (c->bad || unit_len > (uint64_t)(c->end - c->p)) return -1;
    c->end = c->p + unit_len;
    h->version = (int)rd(c, 2);
    if (h->version < 2 || h->version > 5) return -1;
    if (h->version >= 5) { rd(c, 1); rd(c, 1); }    /* address size, segment selector size */
    uint64_t header_len = rd(c, h->offset_size);
    h->prog = c->p + header_len;
    h->min_inst = (unsigned)rd(c, 1);
    h->max_ops = h->version >= 4 ? (unsigned)rd(c, 1) : 1;
    h->default_stmt = rd(c, 1) != 0;
    h->line_base = (int)(signed char)rd(c, 1);
    h->line_range = (unsigned)rd(c, 1);
    h->opcode_base = (unsigned)rd(c, 1);
    for (unsigned i = 1; i < h->opcode_base; i++) h->std_len[i] = (unsigned char)rd(c, 1);
    return c->bad || h->prog > c->end ? -1 : 0;
}

int lineprog_files(gobp_binary *bin, const unsigned char *sec, size_t seclen, uint64_t off, const char *comp_dir,
                   char ***files_out, int *nfiles_out)
{
    lp_header h;
    if (read_header(sec, seclen, off, &h) != 0) return -1;
    cursor c = h.c;
    int version = h.version, offset_size = h.offset_size;
    lp_entry *dirs = NULL, *files = NULL;
    int ndirs = 0, nfiles = 0;
    if (version >= 5) {
        dirs = v5_table(bin, &c, offset_size, &ndirs);
        if (!c.bad) files = v5_table(bin, &c, offset_size, &nfiles);
    } else {
        int cap = 16;
        dirs = xcalloc((size_t)cap, sizeof *dirs);
        dirs[ndirs++].path = "";                             /* 0: the compile directory */
        for (const char *d; !c.bad && *(d = cstr(&c));) {
            if (ndirs == cap) dirs = xrealloc(dirs, sizeof *dirs * (size_t)(cap *= 2));
            dirs[ndirs++].path = d;
        }
        cap = 64;
        files = xcalloc((size_t)cap, sizeof *files);
        for (const char *f; !c.bad && *(f = cstr(&c));) {
            if (nfiles == cap) files = xrealloc(files, sizeof *files * (size_t)(cap *= 2));
            files[nfiles].path = f;
            files[nfiles++].dir = uleb(&c);
            uleb(&c);
            uleb(&c);
        }
    }
    if (c.bad) {
        free(dirs);
        free(files);
        return -1;
    }
    char **out = bin_alloc(bin, sizeof *out * (size_t)(nfiles ? nfiles : 1));
    for (int i = 0; i < nfiles; i++)
        out[i] = join_path(bin, comp_dir, files[i].dir < (uint64_t)ndirs ? dirs[files[i].dir].path : "", files[i].path);
    free(dirs);
    free(files);
    *files_out = out;
    *nfiles_out = nfiles;
    return 0;
}

typedef struct { line_row *rows; int n, cap; } row_buf;

static void emit(row_buf *b, uint64_t pc, int64_t line, uint64_t file, bool stmt, bool pe, bool end, int version)
{
    if (b->n == b->cap) b->rows = xrealloc(b->rows, sizeof *b->rows * (size_t)(b->cap = b->cap ? b->cap * 2 : 1024));
    line_row *r = &b->rows[b->n++];
    r->pc = pc;
    r->line = (int)line;
    r->file = version >= 5 ? (int)file : (int)file - 1;
    r->is_stmt = stmt;
    r->prologue_end = pe;
    r->end_seq = end;
}

int lineprog_decode(const unsigned char *sec, size_t seclen, uint64_t off, line_row **rows_out, int *nrows_out)
{
    lp_header h;
    if (read_header(sec, seclen, off, &h) != 0) return -1;
    int version = h.version, line_base = h.line_base;
    unsigned min_inst = h.min_inst, line_range = h.line_range, opcode_base = h.opcode_base;
    bool default_stmt = h.default_stmt;
    const unsigned char *std_len = h.std_len;
    if (line_range == 0 || h.max_ops != 1 || opcode_base == 0) return -1;
    cursor c = h.c;
    c.p = h.prog;   /* the directory and file tables are lineprog_files' */

    row_buf b = {0};
    uint64_t addr = 0, file = 1;
    int64_t line = 1;
    bool stmt = default_stmt, pe = false;
    while (c.p < c.end && !c.bad) {
        unsigned op = (unsigned)rd(&c, 1);
        if (op >= opcode_base) {
            unsigned adj = op - opcode_base;
            addr += (uint64_t)(adj / line_range) * min_inst;
            line += line_base + (int)(adj % line_range);
            emit(&b, addr, line, file, stmt, pe, false, version);
            pe = false;
            continue;
        }
        switch (op) {
        case 0: {                                       /* extended */
            uint64_t len = uleb(&c);
            if (len == 0 || len > (uint64_t)(c.end - c.p)) { c.bad = true; break; }
            const unsigned char *next = c.p + len;
            unsigned sub = (unsigned)rd(&c, 1);
            if (sub == DW_LNE_end_sequence) {
                emit(&b, addr, line, file, stmt, pe, true, version);
                addr = 0, file = 1, line = 1, stmt = default_stmt, pe = false;
            } else if (sub == DW_LNE_set_address) {
                addr = rd(&c, (int)(len - 1 < 8 ? len - 1 : 8));
            }
            c.p = next;                                 /* define_file, set_discriminator, others */
            break;
        }
        case DW_LNS_copy: emit(&b, addr, line, file, stmt, pe, false, version); pe = false; break;
        case DW_LNS_advance_pc: addr += uleb(&c) * min_inst; break;
        case DW_LNS_advance_line: line += sleb(&c); break;
        case DW_LNS_set_file: file = uleb(&c); break;
        case DW_LNS_set_column: uleb(&c); break;
        case DW_LNS_negate_stmt: stmt = !stmt; break;
        case DW_LNS_set_basic_block: break;
        case DW_LNS_const_add_pc: addr += (uint64_t)((255 - opcode_base) / line_range) * min_inst; break;
        case DW_LNS_fixed_advance_pc: addr += rd(&c, 2); break;
        case DW_LNS_set_prologue_end: pe = true; break;
        case DW_LNS_set_epilogue_begin: break;
        case DW_LNS_set_isa: uleb(&c); break;
        default:
            for (unsigned i = 0; i < std_len[op]; i++) uleb(&c);
        }
    }
    if (c.bad) {
        free(b.rows);
        return -1;
    }
    *rows_out = b.rows;
    *nrows_out = b.n;
    return 0;
}
