/* A Go program's executable as the debugger reads it: ELF (libelf) and DWARF (libdwarf).
 * Functions, line tables, call-frame info, types, variables and globals, indexed lazily:
 * binary_open does only what every session needs; the rest is built on first use. */
#ifndef GOBP_BINARY_H
#define GOBP_BINARY_H

#include "types.h"

#include <stddef.h>

typedef struct gobp_binary gobp_binary;

/* Opens an ELF executable (fixed-address or position-independent). Fails with a sentence in
 * err for: a missing/unreadable file, not an ELF, not x86-64, not a Go program (no
 * .go.buildinfo / runtime.main), or no DWARF ("stripped binary: no DWARF debug information ..."). */
gobp_binary *binary_open(const char *path, char *err, size_t errlen);
void binary_close(gobp_binary *bin);
const char *binary_path(const gobp_binary *bin);

/* ---- load address ----
 * A position-independent executable (-buildmode=pie, ET_DYN) runs wherever the kernel put it
 * (random with ASLR); its load bias is that place minus the address it was linked at. Every
 * address this module gives out or takes (functions, symbols, lines, frames, variables,
 * globals, runtime types, the entry point) is a runtime address: link-time + bias. The bias
 * is 0 until set, and always 0 for a fixed-address executable. */
bool binary_is_pie(const gobp_binary *bin);
/* Sets the bias from where the process has its entry point (AT_ENTRY of /proc/PID/auxv).
 * Call it once the process exists, before any other lookup: once tables are built from
 * DWARF (lines, types, globals, resolved functions), a different bias is refused with -1.
 * A fixed-address executable keeps bias 0 (-1 if runtime_entry is not its e_entry). */
int binary_set_load_bias_from_entry(gobp_binary *bin, uint64_t runtime_entry);
uint64_t binary_load_bias(const gobp_binary *bin);
/* Whether the DWARF describes Go code (a compile unit of package runtime): a cgo program
 * linked with -ldflags=-w keeps gcc's DWARF of its C code only. */
bool binary_has_go_dwarf(gobp_binary *bin);
/* Go version that built it, e.g. "go1.21.13" (from .go.buildinfo or runtime.buildVersion); "" if unknown. */
const char *binary_go_version(gobp_binary *bin);

/* ---- functions ---- */
typedef struct gobp_func {
    const char *name;      /* "main.main", "main.(*T).M", "main.main.func1", "net/http.(*Server).Serve" */
    uint64_t lowpc, highpc;/* [lowpc, highpc) */
    uint64_t body_pc;      /* first instruction after the stack-check prologue (DWARF prologue_end,
                              else the first is_stmt row after the morestack check) */
    uint64_t entry_pc;     /* first instruction after the stack check (lowpc when there is none):
                              no frame yet (CFA = RSP+8), arguments in their ABI registers,
                              and morestack re-entry never reaches it twice for one call */
    uint64_t die_offset;   /* DW_TAG_subprogram DIE; 0 if the function has no DWARF (asm) */
    const char *file;      /* declaration file (absolute path as in DWARF), may be NULL */
    int line;              /* line of the first statement, 0 if unknown */
} gobp_func;

const gobp_func *binary_func_by_name(gobp_binary *bin, const char *name);
const gobp_func *binary_func_by_pc(gobp_binary *bin, uint64_t pc);
/* The same from the symbol table alone: name, lowpc and highpc are set, the DWARF fields
 * (body_pc, entry_pc, file, line, die_offset) only if something resolved the function before.
 * For walking thousands of stacks without reading the line tables of the runtime. */
const gobp_func *binary_func_symbol_by_pc(gobp_binary *bin, uint64_t pc);
/* Calls fn for every function whose name matches (for tracing and completion); stops early if fn returns nonzero. */
void binary_funcs_each(gobp_binary *bin, int (*fn)(void *ctx, const gobp_func *f), void *ctx);
/* Functions whose name passes keep (cheap: only the kept ones are resolved). Returns how many
 * matched (may exceed max; out gets the first max). */
int binary_funcs_filter(gobp_binary *bin, bool (*keep)(void *ctx, const char *name), void *ctx,
                        const gobp_func **out, int max);
/* The function called name, or every instantiation of a generic one ("main.Max" ->
 * "main.Max[go.shape.int_0]", "main.Max[go.shape.float64_0]"). Returns the count (may exceed
 * max; out gets the first max). */
int binary_funcs_named(gobp_binary *bin, const char *name, const gobp_func **out, int max);
/* True when the compiler inlined the function into some callers (an optimized build): those
 * calls never reach its out-of-line copy. */
bool binary_func_inlined(gobp_binary *bin, const char *name);
/* Address of an ELF symbol (functions or data, e.g. "runtime.allgs"), 0 if absent. */
uint64_t binary_symbol_addr(gobp_binary *bin, const char *name);
/* Reads len bytes at runtime address addr when they lie in a read-only data segment of the
 * file (string literals, type names): the same bytes the program has, without asking it.
 * 0, or -1 when they are not all there. */
int binary_read_const(gobp_binary *bin, uint64_t addr, void *buf, size_t len);
/* Entry point (e_entry + bias). */
uint64_t binary_entry(gobp_binary *bin);

/* ---- lines ---- */
/* file: an absolute path, or a path suffix ("main.go", "cmd/x/main.go") matched on whole path
 * components. Finds the first line >= line (within the same function as the requested line
 * would be, and at most 20 lines further) that has an is_stmt row; fills its addresses (one per
 * function/instance, the lowest is_stmt address of that line in each function), sets *found_line.
 * Returns the number of addresses, which may exceed max (pcs gets the first max; 0: no code at
 * or after that line, -1: file unknown). */
int binary_line_to_pcs(gobp_binary *bin, const char *file, int line, uint64_t *pcs, int max, int *found_line);
/* The lines in [from, to] of file (as binary_line_to_pcs names it) that have an is_stmt row
 * (where a breakpoint can go), ascending, malloc'd into *lines (free it). Returns the count, -1
 * when the file is unknown. */
int binary_stmt_lines(gobp_binary *bin, const char *file, int from, int to, int **lines);
/* Every source file the line tables name (absolute paths as in DWARF, the binary's strings),
 * sorted, in a malloc'd array (free it). Returns the count. */
int binary_source_files(gobp_binary *bin, const char ***files);
/* The source position of pc: file (absolute path as in DWARF) and line. 0 on success. */
int binary_pc_to_line(gobp_binary *bin, uint64_t pc, const char **file, int *line);
/* Every is_stmt address in [lo,hi) with its line, sorted by address (for stepping). Caller frees *rows. */
typedef struct { uint64_t pc; int line; const char *file; } gobp_line_row;
int binary_line_rows(gobp_binary *bin, uint64_t lo, uint64_t hi, gobp_line_row **rows);

/* ---- call frames (.debug_frame) ---- */
/* The canonical frame address at pc is rsp + *rsp_offset; the return address is at CFA-8
 * and the caller's rsp is CFA. 0 on success, -1 if pc has no FDE. */
int binary_cfa_offset(gobp_binary *bin, uint64_t pc, int64_t *rsp_offset);

/* ---- types ---- */
gobp_type *binary_type_by_name(gobp_binary *bin, const char *name);        /* "runtime.g", "main.T", "int" */
gobp_type *binary_type_by_runtime_addr(gobp_binary *bin, uint64_t addr);   /* interface dynamic types */
gobp_type *binary_type_by_die(gobp_binary *bin, uint64_t die_offset);
const gobp_type_field *type_field(const gobp_type *t, const char *name);      /* NULL if absent */

/* ---- variables ---- */
/* A location is a list of pieces (DW_OP_piece); a value with no pieces is optimized out. */
typedef enum { GOBP_PIECE_MEM, GOBP_PIECE_REG, GOBP_PIECE_VALUE, GOBP_PIECE_MISSING } gobp_piece_kind;
typedef struct {
    gobp_piece_kind kind;
    uint64_t addr;     /* MEM: address; VALUE: the literal (DW_OP_stack_value) */
    int reg;           /* REG: DWARF register number (0 rax,1 rdx,2 rcx,3 rbx,4 rsi,5 rdi,6 rbp,7 rsp,
                          8-15 r8-r15, 16 rip, 17-32 xmm0-15) */
    uint32_t size;     /* bytes covered by this piece (the whole value if there is one piece) */
} gobp_piece;
typedef struct {
    int npieces, cap;
    gobp_piece *pieces; /* binary_var_location allocates them: binary_location_free */
    bool deref;        /* the pieces hold the value's address (a variable moved to the heap) */
} gobp_location;
void binary_location_free(gobp_location *loc);

/* A variable whose address escapes is moved to the heap; DWARF describes it as "&p", a pointer
 * to the heap copy. It is listed as p with the pointee's type, and its location reads through
 * the pointer (deref) once the pointer is set; an argument or result moved this way keeps its
 * own entry (its ABI place at entry), which reads the heap copy from then on. */
typedef struct gobp_var {
    const char *name;  /* Go name: "p" for DWARF's "&p" */
    gobp_type *type;   /* the value's type ("main.Person" for "&p" of type *main.Person) */
    bool is_param;     /* DW_TAG_formal_parameter */
    bool is_result;    /* DW_AT_variable_parameter = true ("~r0", named results) */
    int decl_line;
    uint64_t die_offset; /* the value's own location; 0 when it lives only on the heap */
    uint64_t heap_die; /* "&p": where the pointer to the heap copy is; 0 if not moved */
    int heap_line;     /* the pointer is set by the code of this line: read from a later line */
} gobp_var;

/* Parameters (in declaration order) then locals visible at pc (lexical blocks containing pc;
 * locals declared after the current line are still listed, as Delve does). Owned by bin. */
int binary_func_vars(gobp_binary *bin, const gobp_func *f, uint64_t pc, const gobp_var **vars);
/* Evaluates the variable's DW_AT_location (expression or location list) at pc, with the frame
 * base = CFA (Go uses DW_OP_call_frame_cfa). regs[] holds DWARF regs 0..16 of the frame.
 * For a variable moved to the heap, from the line after heap_line: the location of the pointer,
 * with loc->deref; before it, its own location (an argument) or none (not yet allocated).
 * 0 on success (npieces may be 0: no location at this pc; free the pieces with
 * binary_location_free), -1 with no pieces. */
int binary_var_location(gobp_binary *bin, const gobp_var *v, uint64_t pc, uint64_t cfa,
                        const uint64_t *regs, gobp_location *loc);

/* Package-level variables. binary_globals_of_package lists those of one package ("main",
 * "net/http"); binary_global finds one by full name ("main.counter", "io.EOF"). Owned by bin. */
typedef struct gobp_global {
    const char *name;  /* full name "main.counter" */
    gobp_type *type;
    uint64_t addr;
} gobp_global;
int binary_globals_of_package(gobp_binary *bin, const char *pkg, const gobp_global **globals);
const gobp_global *binary_global(gobp_binary *bin, const char *name);

/* The package of a Go function name: "main.(*T).M" -> "main", "net/http.(*S).F" -> "net/http".
 * Writes into buf (NUL-terminated); returns buf. */
char *go_func_package(const char *funcname, char *buf, size_t buflen);

#endif
