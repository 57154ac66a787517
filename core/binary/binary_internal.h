/* Private state of gobp_binary shared by the binary_*.c files (ELF, functions, lines,
 * frames, types, variables). Nothing outside core/binary*.c includes this header. */
#ifndef GOBP_BINARY_INTERNAL_H
#define GOBP_BINARY_INTERNAL_H

#include <libelf.h>
#include <gelf.h>
#include <dwarf.h>
#include <libdwarf.h>

#include "binary.h"

/* ---- small hash maps (open addressing, keys owned by the caller) ---- */
typedef struct { const char **keys; void **vals; size_t cap, n; } strmap;
typedef struct { uint64_t *keys; void **vals; size_t cap, n; } u64map;
void strmap_put(strmap *m, const char *key, void *val);
void *strmap_get(const strmap *m, const char *key);
void strmap_free(strmap *m);
void u64map_put(u64map *m, uint64_t key, void *val);   /* key 0 is not allowed */
void *u64map_get(const u64map *m, uint64_t key);
void u64map_free(u64map *m);

typedef struct { uint64_t lo, hi; } pc_range;

typedef struct {
    uint64_t pc;        /* runtime address */
    int line;
    int file;           /* index into the CU's files */
    unsigned is_stmt : 1, prologue_end : 1, end_seq : 1;
} line_row;

typedef struct cu_info {
    Dwarf_Off die_offset;
    const char *name;           /* package path ("main", "net/http") */
    uint64_t stmt_list;         /* offset of its line program in .debug_line */
    const char *comp_dir;       /* DW_AT_comp_dir ("." for Go) */
    bool has_stmt_list;
    uint64_t base;              /* DW_AT_low_pc, link-time: base of range/location list entries */
    pc_range *ranges;           /* runtime addresses */
    int nranges;
    bool files_loaded, rows_loaded, subs_loaded;
    bool rows_sorted;           /* rows' pcs non-decreasing (sequences reordered at load) */
    char **files;               /* line-table file names, index 0 = file 1 of DWARF 4 */
    int nfiles;
    line_row *rows;             /* in line-table order (sequences sorted by address) */
    int nrows;
} cu_info;

/* Per-function lazy state kept next to the public gobp_func. */
typedef struct func_extra {
    bool resolved;
    struct var_cache *vars;     /* binary_vars.c */
} func_extra;

typedef struct global_entry {
    gobp_global g;
    Dwarf_Off type_die;
    bool type_done;
} global_entry;

struct gobp_binary {
    char *path;
    int fd;
    Elf *elf;
    Dwarf_Debug dbg;
    uint64_t entry;             /* e_entry (link-time) */
    bool pie;                   /* ET_DYN: loaded at a base of the kernel's choosing */
    uint64_t load_bias;         /* runtime address - link-time address (0 unless pie) */
    char go_version[64];
    bool go_version_done;

    /* symbols: every named symbol (name -> link-time address+1), functions sorted by lowpc
       (runtime addresses, like everything in gobp_func) */
    strmap symbols;
    gobp_func *funcs;
    func_extra *fextra;
    size_t nfuncs;
    strmap func_by_name;        /* name -> gobp_func* */

    /* the file's read-only data segments (no write, no exec), link-time (binary_read_const) */
    struct const_seg { uint64_t vaddr, filesz, offset; } *const_segs;
    int nconst_segs;
    bool const_segs_done;

    /* .text bytes for prologue decoding */
    uint64_t text_addr, text_off, text_size;

    /* debug sections we read ourselves (binary_lineprog.c), decompressed once */
    strmap debug_sections;      /* name -> struct debug_section* */
    struct line_prefetch *line_prefetch; /* .debug_line being inflated on its own thread */

    /* compile units */
    bool cus_loaded;
    cu_info *cus;
    int ncus;
    struct cu_span { uint64_t lo, hi; int cu; } *cu_spans;   /* every CU range, sorted by lo */
    int ncu_spans;

    /* .debug_frame */
    bool frames_loaded;
    Dwarf_Cie *cies;
    Dwarf_Fde *fdes;
    Dwarf_Signed ncies, nfdes;
    Dwarf_Cie *eh_cies;         /* .eh_frame: C code linked in by cgo (gcc writes no .debug_frame) */
    Dwarf_Fde *eh_fdes;
    Dwarf_Signed eh_ncies, eh_nfdes;
    u64map cfa_cache;           /* pc -> encoded binary_cfa_offset result (bounded) */

    /* types */
    u64map types;               /* die offset -> gobp_type* */
    bool type_index_done;
    strmap type_names;          /* name -> die offset (as pointer-sized int) */
    u64map type_runtime;        /* DW_AT_go_runtime_type (offset from runtime.types) -> die offset */

    /* globals */
    strmap global_names;        /* name -> global_entry* of the packages read so far */
    strmap pkg_globals;         /* package -> struct pkg_globals* (read once per package) */

    /* strings owned by the binary (arena of malloc'd blocks) */
    struct str_block *strs;
};

/* ---- addresses ----
 * ELF and DWARF hold link-time addresses; a PIE runs at link-time + load_bias. Every address
 * the binary stores in its tables (functions, CU ranges, line rows, lexical blocks, globals,
 * runtime types) and gives out is a runtime address: DWARF values are converted by rt_addr
 * where they are read, and runtime pcs by link_addr where libdwarf or the file is asked
 * (location lists, FDEs, text bytes). These two are the only conversions. */
static inline uint64_t rt_addr(const gobp_binary *bin, uint64_t link) { return link + bin->load_bias; }
static inline uint64_t link_addr(const gobp_binary *bin, uint64_t rt) { return rt - bin->load_bias; }

/* binary_elf.c */
char *bin_strdup(gobp_binary *bin, const char *s);
void *bin_alloc(gobp_binary *bin, size_t size);   /* zeroed, freed with the binary */
int bin_read_text(gobp_binary *bin, uint64_t addr, void *buf, size_t len);   /* addr: runtime */

/* binary_funcs.c */
int funcs_load_symtab(gobp_binary *bin, Elf_Scn *symtab_scn, GElf_Shdr *shdr);
void funcs_free(gobp_binary *bin);

/* binary_lineprog.c: the rows of the line program at off in a .debug_line section. 0 ok. */
int lineprog_decode(const unsigned char *sec, size_t seclen, uint64_t off, line_row **rows, int *nrows);
/* Its file names (index 0 = DWARF 5's file 0, DWARF 4's file 1), in the binary's arena. 0 ok. */
int lineprog_files(gobp_binary *bin, const unsigned char *sec, size_t seclen, uint64_t off, const char *comp_dir,
                   char ***files, int *nfiles);

/* binary_elf.c: the contents of a debug section (decompressed), NULL if absent or unreadable. */
const unsigned char *bin_debug_section(gobp_binary *bin, const char *name, size_t *len);
/* dwarf_lists_check.c: -1 (why says which unit) when a .debug_rnglists or .debug_loclists unit
 * header is one libdwarf 20210528 would free memory twice on */
int bin_check_dwarf_lists(gobp_binary *bin, char *why, size_t whylen);

/* binary_lines.c */
int cus_load(gobp_binary *bin);
cu_info *cu_by_pc(gobp_binary *bin, uint64_t pc);
/* Index of the first row of cu (rows loaded, sequences sorted) whose pc >= pc. */
int cu_row_lower_bound(const cu_info *cu, uint64_t pc);
int cu_load_rows(gobp_binary *bin, cu_info *cu);
void cus_free(gobp_binary *bin);

/* binary_frame.c */
void frames_free(gobp_binary *bin);

/* binary_types.c */
void types_free(gobp_binary *bin);

/* binary_vars.c */
void vars_free(gobp_binary *bin);

/* DWARF helpers (binary_funcs.c) */
bool die_udata(Dwarf_Die die, Dwarf_Half attr, Dwarf_Unsigned *out);
bool die_ref(Dwarf_Die die, Dwarf_Half attr, Dwarf_Off *out);
const char *die_name(gobp_binary *bin, Dwarf_Die die); /* copied into the binary's arena */
bool die_pc_range(Dwarf_Die die, uint64_t *lo, uint64_t *hi);   /* link-time */
/* The pc ranges of a DIE (low/high pc or DW_AT_ranges relative to base, link-time) as runtime
 * addresses; malloc'd. */
int die_ranges(gobp_binary *bin, Dwarf_Die die, uint64_t base, pc_range **out);

#endif
