/* Tests of core/abi.c: Go's ABIInternal assignment on hand-built signatures, then on real code —
 * tests/programs/abi built with every installed Go, each function's register/stack parameters
 * at entry (DWARF location lists) must match abi_assign's parts exactly. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/abi.h"
#include "binary/binary.h"

/* ---- hand-built types ---- */

static gobp_type t_bool = {.kind = GOBP_KIND_BOOL, .name = "bool", .size = 1};
static gobp_type t_int = {.kind = GOBP_KIND_INT, .name = "int", .size = 8};
static gobp_type t_int8 = {.kind = GOBP_KIND_INT8, .name = "int8", .size = 1};
static gobp_type t_int16 = {.kind = GOBP_KIND_INT16, .name = "int16", .size = 2};
static gobp_type t_int32 = {.kind = GOBP_KIND_INT32, .name = "int32", .size = 4};
static gobp_type t_int64 = {.kind = GOBP_KIND_INT64, .name = "int64", .size = 8};
static gobp_type t_uint8 = {.kind = GOBP_KIND_UINT8, .name = "uint8", .size = 1};
static gobp_type t_float32 = {.kind = GOBP_KIND_FLOAT32, .name = "float32", .size = 4};
static gobp_type t_float64 = {.kind = GOBP_KIND_FLOAT64, .name = "float64", .size = 8};
static gobp_type t_complex64 = {.kind = GOBP_KIND_COMPLEX64, .name = "complex64", .size = 8};
static gobp_type t_complex128 = {.kind = GOBP_KIND_COMPLEX128, .name = "complex128", .size = 16};
static gobp_type t_ptr = {.kind = GOBP_KIND_PTR, .name = "*int", .size = 8, .elem = &t_int};
static gobp_type t_map = {.kind = GOBP_KIND_MAP, .name = "map[int]int", .size = 8};
static gobp_type t_string = {.kind = GOBP_KIND_STRING, .name = "string", .size = 16};
static gobp_type t_error = {.kind = GOBP_KIND_INTERFACE, .name = "error", .size = 16};
static gobp_type t_slice = {.kind = GOBP_KIND_SLICE, .name = "[]int", .size = 24, .elem = &t_int};
static gobp_type t_arr0 = {.kind = GOBP_KIND_ARRAY, .name = "[0]int", .size = 0, .elem = &t_int, .len = 0};
static gobp_type t_arr1 = {.kind = GOBP_KIND_ARRAY, .name = "[1]float64", .size = 8, .elem = &t_float64, .len = 1};
static gobp_type t_arr2 = {.kind = GOBP_KIND_ARRAY, .name = "[2]int", .size = 16, .elem = &t_int, .len = 2};
static gobp_type t_arr3i8 = {.kind = GOBP_KIND_ARRAY, .name = "[3]int8", .size = 3, .elem = &t_int8, .len = 3};
static gobp_type t_empty = {.kind = GOBP_KIND_STRUCT, .name = "struct {}", .size = 0};

/* struct {a int8; b float64; c string} */
static gobp_type_field small_fields[] = {{"a", 0, &t_int8, false}, {"b", 8, &t_float64, false}, {"c", 16, &t_string, false}};
static gobp_type t_small = {.kind = GOBP_KIND_STRUCT, .name = "main.Small", .size = 32, .nfields = 3, .fields = small_fields};
/* struct {x int32; e struct{}; z [0]int; y int16; f [1]float64} */
static gobp_type_field mixed_fields[] = {{"x", 0, &t_int32, false}, {"e", 4, &t_empty, false}, {"z", 8, &t_arr0, false},
                                    {"y", 8, &t_int16, false}, {"f", 16, &t_arr1, false}};
static gobp_type t_mixed = {.kind = GOBP_KIND_STRUCT, .name = "main.Mixed", .size = 24, .nfields = 5, .fields = mixed_fields};
/* struct {n int; a [2]int} */
static gobp_type_field witharr_fields[] = {{"n", 0, &t_int, false}, {"a", 8, &t_arr2, false}};
static gobp_type t_witharr = {.kind = GOBP_KIND_STRUCT, .name = "main.WithArray", .size = 24, .nfields = 2, .fields = witharr_fields};
/* struct {a int8; b int16} — alignment 2 */
static gobp_type_field al2_fields[] = {{"a", 0, &t_int8, false}, {"b", 2, &t_int16, false}};
static gobp_type t_al2 = {.kind = GOBP_KIND_STRUCT, .name = "main.Al2", .size = 4, .nfields = 2, .fields = al2_fields};

static abi_value args[32], results[32];

static void run(gobp_type *const *a, int na, gobp_type *const *r, int nr)
{
    memset(args, 0xAB, sizeof args);
    memset(results, 0xAB, sizeof results);
    cr_assert_eq(abi_assign(a, na, r, nr, args, results), 0);
}

static void expect_part(const abi_value *v, int i, abi_where where, int reg, uint64_t stack_off, uint32_t value_off, uint32_t size)
{
    cr_assert_lt(i, v->nparts, "part %d of %d", i, v->nparts);
    const abi_part *p = &v->parts[i];
    cr_expect_eq(p->where, where, "part %d: where %d, want %d", i, p->where, where);
    cr_expect_eq(p->reg, reg, "part %d: reg %d, want %d", i, p->reg, reg);
    if (where == ABI_STACK) cr_expect_eq(p->stack_off, stack_off, "part %d: stack_off %lu, want %lu", i, (unsigned long)p->stack_off, (unsigned long)stack_off);
    cr_expect_eq(p->value_off, value_off, "part %d: value_off %u, want %u", i, p->value_off, value_off);
    cr_expect_eq(p->size, size, "part %d: size %u, want %u", i, p->size, size);
}

static void expect_regs(const abi_value *v, int nparts)
{
    cr_expect_not(v->on_stack);
    cr_expect_eq(v->nparts, nparts, "nparts %d, want %d", v->nparts, nparts);
}

static void expect_stack(const abi_value *v, uint64_t off, uint32_t size)
{
    cr_expect(v->on_stack);
    cr_assert_eq(v->nparts, 1);
    expect_part(v, 0, ABI_STACK, -1, off, 0, size);
}

Test(abi_synthetic, int_string_float__int_error)
{
    gobp_type *a[] = {&t_int, &t_string, &t_float64}, *r[] = {&t_int, &t_error};
    run(a, 3, r, 2);
    expect_regs(&args[0], 1);
    expect_part(&args[0], 0, ABI_INT_REG, 0, 0, 0, 8);
    expect_regs(&args[1], 2);
    expect_part(&args[1], 0, ABI_INT_REG, 1, 0, 0, 8);
    expect_part(&args[1], 1, ABI_INT_REG, 2, 0, 8, 8);
    expect_regs(&args[2], 1);
    expect_part(&args[2], 0, ABI_FLOAT_REG, 0, 0, 0, 8);
    expect_regs(&results[0], 1);
    expect_part(&results[0], 0, ABI_INT_REG, 0, 0, 0, 8);
    expect_regs(&results[1], 2);
    expect_part(&results[1], 0, ABI_INT_REG, 1, 0, 0, 8);
    expect_part(&results[1], 1, ABI_INT_REG, 2, 0, 8, 8);
}

Test(abi_synthetic, struct_fields_recursive)
{
    gobp_type *a[] = {&t_small, &t_mixed};
    run(a, 2, NULL, 0);
    expect_regs(&args[0], 4);
    expect_part(&args[0], 0, ABI_INT_REG, 0, 0, 0, 1);
    expect_part(&args[0], 1, ABI_FLOAT_REG, 0, 0, 8, 8);
    expect_part(&args[0], 2, ABI_INT_REG, 1, 0, 16, 8);
    expect_part(&args[0], 3, ABI_INT_REG, 2, 0, 24, 8);
    /* zero-size fields take nothing; [1]float64 is its element */
    expect_regs(&args[1], 3);
    expect_part(&args[1], 0, ABI_INT_REG, 3, 0, 0, 4);
    expect_part(&args[1], 1, ABI_INT_REG, 4, 0, 8, 2);
    expect_part(&args[1], 2, ABI_FLOAT_REG, 1, 0, 16, 8);
}

Test(abi_synthetic, arrays_go_to_stack_whole)
{
    /* [2]int on the stack; the int after it still gets RAX; a struct containing [2]int goes
     * entirely to the stack and releases the register it had taken. */
    gobp_type *a[] = {&t_arr2, &t_int, &t_witharr, &t_string, &t_arr0, &t_arr1};
    run(a, 6, NULL, 0);
    expect_stack(&args[0], 0, 16);
    expect_regs(&args[1], 1);
    expect_part(&args[1], 0, ABI_INT_REG, 0, 0, 0, 8);
    expect_stack(&args[2], 16, 24);
    expect_regs(&args[3], 2);
    expect_part(&args[3], 0, ABI_INT_REG, 1, 0, 0, 8);
    expect_part(&args[3], 1, ABI_INT_REG, 2, 0, 8, 8);
    cr_expect(args[4].on_stack);       /* zero size: in the stack sequence, no bytes */
    cr_expect_eq(args[4].nparts, 0);
    expect_regs(&args[5], 1);
    expect_part(&args[5], 0, ABI_FLOAT_REG, 0, 0, 0, 8);
}

Test(abi_synthetic, ten_int_args)
{
    gobp_type *a[10];
    for (int i = 0; i < 10; i++) a[i] = &t_int;
    gobp_type *r[] = {&t_int};
    run(a, 10, r, 1);
    for (int i = 0; i < 9; i++) {
        expect_regs(&args[i], 1);
        expect_part(&args[i], 0, ABI_INT_REG, i, 0, 0, 8);
    }
    expect_stack(&args[9], 0, 8);
    expect_regs(&results[0], 1);
    expect_part(&results[0], 0, ABI_INT_REG, 0, 0, 0, 8);
}

Test(abi_synthetic, string_does_not_fit_in_last_register)
{
    /* 8 ints then a string: 1 register left, the string goes to the stack, the next int takes R11 */
    gobp_type *a[10];
    for (int i = 0; i < 8; i++) a[i] = &t_int;
    a[8] = &t_string;
    a[9] = &t_bool;
    run(a, 10, NULL, 0);
    expect_stack(&args[8], 0, 16);
    expect_regs(&args[9], 1);
    expect_part(&args[9], 0, ABI_INT_REG, 8, 0, 0, 1);
}

Test(abi_synthetic, complex_and_floats)
{
    gobp_type *a[] = {&t_complex128, &t_complex64, &t_float32}, *r[] = {&t_complex128};
    run(a, 3, r, 1);
    expect_regs(&args[0], 2);
    expect_part(&args[0], 0, ABI_FLOAT_REG, 0, 0, 0, 8);
    expect_part(&args[0], 1, ABI_FLOAT_REG, 1, 0, 8, 8);
    expect_regs(&args[1], 2);
    expect_part(&args[1], 0, ABI_FLOAT_REG, 2, 0, 0, 4);
    expect_part(&args[1], 1, ABI_FLOAT_REG, 3, 0, 4, 4);
    expect_regs(&args[2], 1);
    expect_part(&args[2], 0, ABI_FLOAT_REG, 4, 0, 0, 4);
    expect_regs(&results[0], 2);
    expect_part(&results[0], 0, ABI_FLOAT_REG, 0, 0, 0, 8);
    expect_part(&results[0], 1, ABI_FLOAT_REG, 1, 0, 8, 8);
}

Test(abi_synthetic, sixteen_floats)
{
    gobp_type *a[17];
    for (int i = 0; i < 16; i++) a[i] = &t_float64;
    a[16] = &t_complex64;
    run(a, 17, NULL, 0);
    for (int i = 0; i < 15; i++) expect_part(&args[i], 0, ABI_FLOAT_REG, i, 0, 0, 8);
    expect_stack(&args[15], 0, 8);
    expect_stack(&args[16], 8, 8);
}

Test(abi_synthetic, results_int_string_error)
{
    gobp_type *a[] = {&t_int, &t_int, &t_int}, *r[] = {&t_int, &t_string, &t_error};
    run(a, 3, r, 3);
    expect_part(&results[0], 0, ABI_INT_REG, 0, 0, 0, 8);
    expect_part(&results[1], 0, ABI_INT_REG, 1, 0, 0, 8);
    expect_part(&results[1], 1, ABI_INT_REG, 2, 0, 8, 8);
    expect_part(&results[2], 0, ABI_INT_REG, 3, 0, 0, 8);
    expect_part(&results[2], 1, ABI_INT_REG, 4, 0, 8, 8);
    cr_expect_eq(abi_int_reg_dwarf(0), 0);
    cr_expect_eq(abi_int_reg_dwarf(1), 3);
    cr_expect_eq(abi_int_reg_dwarf(2), 2);
    cr_expect_eq(abi_int_reg_dwarf(3), 5);
    cr_expect_eq(abi_int_reg_dwarf(4), 4);
    cr_expect_eq(abi_int_reg_dwarf(5), 8);
    cr_expect_eq(abi_int_reg_dwarf(8), 11);
    cr_expect_eq(abi_int_reg_dwarf(9), -1);
    cr_expect_eq(abi_float_reg_dwarf(0), 17);
    cr_expect_eq(abi_float_reg_dwarf(14), 31);
    cr_expect_eq(abi_float_reg_dwarf(15), -1);
}

Test(abi_synthetic, many_results_and_stack_args)
{
    /* args: [3]int8 on the stack (0..3), int8 in RAX; results: 11 ints, the last 2 on the stack
     * after the stack args, aligned to 8. */
    gobp_type *a[] = {&t_arr3i8, &t_int8}, *r[11];
    for (int i = 0; i < 11; i++) r[i] = &t_int;
    run(a, 2, r, 11);
    expect_stack(&args[0], 0, 3);
    expect_part(&args[1], 0, ABI_INT_REG, 0, 0, 0, 1);
    for (int i = 0; i < 9; i++) expect_part(&results[i], 0, ABI_INT_REG, i, 0, 0, 8);
    expect_stack(&results[9], 8, 8);   /* 3 bytes of args, aligned to 8 */
    expect_stack(&results[10], 16, 8);
}

Test(abi_synthetic, stack_alignment)
{
    /* 9 ints fill the registers; then int8, int64, int8, int16, struct{int8;int16}, [3]int8, int32
     * go to the stack each aligned to its own alignment. */
    gobp_type *a[16];
    int n = 0;
    for (int i = 0; i < 9; i++) a[n++] = &t_int;
    a[n++] = &t_int8;    /* 0 */
    a[n++] = &t_int64;   /* 8 */
    a[n++] = &t_int8;    /* 16 */
    a[n++] = &t_al2;     /* 18 */
    a[n++] = &t_arr3i8;  /* 22 */
    a[n++] = &t_int32;   /* 28 */
    a[n++] = &t_uint8;   /* 32 */
    gobp_type *r[] = {&t_int16, &t_arr2};
    run(a, n, r, 2);
    expect_stack(&args[9], 0, 1);
    expect_stack(&args[10], 8, 8);
    expect_stack(&args[11], 16, 1);
    expect_stack(&args[12], 18, 4);
    expect_stack(&args[13], 22, 3);
    expect_stack(&args[14], 28, 4);
    expect_stack(&args[15], 32, 1);
    expect_part(&results[0], 0, ABI_INT_REG, 0, 0, 0, 2);
    expect_stack(&results[1], 40, 16);
}

Test(abi_synthetic, pointers_maps_slices)
{
    /* exactly 9 integer registers: *int, map, []int, []int, bool; then one more int spills */
    gobp_type *a[] = {&t_ptr, &t_map, &t_slice, &t_slice, &t_bool, &t_int}, *r[] = {&t_slice};
    run(a, 6, r, 1);
    expect_part(&args[0], 0, ABI_INT_REG, 0, 0, 0, 8);
    expect_part(&args[1], 0, ABI_INT_REG, 1, 0, 0, 8);
    expect_regs(&args[2], 3);
    expect_part(&args[2], 0, ABI_INT_REG, 2, 0, 0, 8);
    expect_part(&args[2], 1, ABI_INT_REG, 3, 0, 8, 8);
    expect_part(&args[2], 2, ABI_INT_REG, 4, 0, 16, 8);
    expect_regs(&args[3], 3);
    expect_part(&args[3], 2, ABI_INT_REG, 7, 0, 16, 8);
    expect_part(&args[4], 0, ABI_INT_REG, 8, 0, 0, 1);
    expect_stack(&args[5], 0, 8);
    expect_regs(&results[0], 3);
    expect_part(&results[0], 0, ABI_INT_REG, 0, 0, 0, 8);
    expect_part(&results[0], 2, ABI_INT_REG, 2, 0, 16, 8);
}

Test(abi_synthetic, alignment_of_types)
{
    cr_expect_eq(abi_type_align(&t_int8), 1);
    cr_expect_eq(abi_type_align(&t_int16), 2);
    cr_expect_eq(abi_type_align(&t_complex64), 4);
    cr_expect_eq(abi_type_align(&t_small), 8);
    cr_expect_eq(abi_type_align(&t_al2), 2);
    cr_expect_eq(abi_type_align(&t_arr3i8), 1);
    cr_expect_eq(abi_type_align(&t_empty), 1);
    cr_expect_eq(abi_type_align(&t_string), 8);
}

Test(abi_synthetic, bad_types_fail)
{
    gobp_type bad = {.kind = GOBP_KIND_INVALID, .size = 8};
    gobp_type *a[] = {&bad}, *b[] = {NULL};
    cr_expect_eq(abi_assign(a, 1, NULL, 0, args, results), -1);
    cr_expect_eq(abi_assign(b, 1, NULL, 0, args, results), -1);
}

/* ---- against the Go compiler ---- */

#include "go_toolchains.h"
#define NGO go_toolchain_count()

static const char *root(void)
{
    const char *r = getenv("GOBP_ROOT");
    return r && *r ? r : ".";
}

static void out_path(char *buf, size_t n, size_t gi)
{
    snprintf(buf, n, "/tmp/gobp-test-abi-%d/abi-%zu", (int)getuid(), gi);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    char dir[128], out[256], cmd[1024];
    snprintf(dir, sizeof dir, "/tmp/gobp-test-abi-%d", (int)getuid());
    mkdir(dir, 0755);
    for (size_t gi = 0; gi < NGO; gi++) {
        if (access(go_toolchain(gi), X_OK) != 0) continue;
        out_path(out, sizeof out, gi);
        snprintf(cmd, sizeof cmd, "cd %s/tests/programs/abi && %s build -gcflags=all='-N -l' -o %s . 2>&1", root(), go_toolchain(gi), out);
        if (system(cmd) != 0) fprintf(stderr, "build failed: %s\n", cmd);
    }
}

static const char *abi_funcs[] = {
    "main.fMixed", "main.fStruct", "main.fArray", "main.fTenInts", "main.fComplex", "main.fResults",
    "main.fIface", "main.fSmallStack", "main.fStructArray", "main.(*Recv).Method", "main.Recv.ValMethod",
    "main.fFloats", "main.fBig", "main.fPtrs", "main.fSlices", "main.fBigResults", "main.fStackResults",
    "main.fArgsAndResults",
};
#define NFUNCS (sizeof abi_funcs / sizeof abi_funcs[0])

#define FAKE_CFA 0x7000000ull

/* A stack-assigned value's DWARF location must be CFA + its ABI stack offset (Go gives stack
 * results, which live in the caller's frame, that location too). 1 if checked. */
static int check_stack(const gobp_location *loc, const gobp_var *v, const abi_value *av, const char *ctx)
{
    if (av->nparts == 0) return 0;  /* zero-size: nothing to compare */
    cr_assert_eq(loc->npieces, 1, "%s %s: stack value with %d pieces", ctx, v->name, loc->npieces);
    cr_assert_eq(loc->pieces[0].kind, GOBP_PIECE_MEM, "%s %s: stack value not in memory (kind %d)", ctx, v->name, loc->pieces[0].kind);
    cr_expect_eq(loc->pieces[0].addr - FAKE_CFA, av->parts[0].stack_off, "%s %s: DWARF stack offset %ld, ABI %lu", ctx, v->name,
                 (long)(loc->pieces[0].addr - FAKE_CFA), (unsigned long)av->parts[0].stack_off);
    return 1;
}

static void entry_location(gobp_binary *bin, const gobp_func *f, const gobp_var *v, gobp_location *loc, const char *ctx)
{
    uint64_t regs[17] = {0};
    regs[7] = FAKE_CFA - 8;
    cr_assert_eq(binary_var_location(bin, v, f->lowpc, FAKE_CFA, regs, loc), 0, "%s: location of %s", ctx, v->name);
}

/* Compares one parameter's DWARF location at entry with its ABI parts; returns the number of
 * pieces checked. */
static int check_param(gobp_binary *bin, const gobp_func *f, const gobp_var *v, const abi_value *av, const char *ctx)
{
    gobp_location loc;
    entry_location(bin, f, v, &loc, ctx);
    if (av->on_stack) {
        int checked = check_stack(&loc, v, av, ctx);
        binary_location_free(&loc);
        return checked;
    }
    int k = 0;
    for (int i = 0; i < loc.npieces; i++) {
        const gobp_piece *p = &loc.pieces[i];
        if (p->kind == GOBP_PIECE_MISSING) continue;   /* Go emits padding pieces */
        cr_assert_eq(p->kind, GOBP_PIECE_REG, "%s %s: piece %d kind %d, want a register", ctx, v->name, i, p->kind);
        cr_assert_lt(k, av->nparts, "%s %s: DWARF has more register pieces than the ABI's %d", ctx, v->name, av->nparts);
        const abi_part *a = &av->parts[k++];
        int want = a->where == ABI_INT_REG ? abi_int_reg_dwarf(a->reg) : abi_float_reg_dwarf(a->reg);
        cr_expect_eq(p->reg, want, "%s %s: piece %d in DWARF reg %d, ABI says %d", ctx, v->name, i, p->reg, want);
        cr_expect_eq(p->size, a->size, "%s %s: piece %d size %u, ABI %u", ctx, v->name, i, p->size, a->size);
    }
    cr_expect_eq(k, av->nparts, "%s %s: DWARF has %d register pieces, ABI %d", ctx, v->name, k, av->nparts);
    binary_location_free(&loc);
    return k;
}

Test(abi_real, params_match_compiler_dwarf, .timeout = 120)
{
    int binaries = 0;
    for (size_t gi = 0; gi < NGO; gi++) {
        if (access(go_toolchain(gi), X_OK) != 0) continue;
        char path[256], err[512];
        out_path(path, sizeof path, gi);
        gobp_binary *bin = binary_open(path, err, sizeof err);
        cr_assert_not_null(bin, "open %s: %s", path, err);
        binaries++;
        int stack_params = 0, reg_pieces = 0, stack_results = 0;
        for (size_t fi = 0; fi < NFUNCS; fi++) {
            char ctx[128];
            snprintf(ctx, sizeof ctx, "%s %s", binary_go_version(bin), abi_funcs[fi]);
            const gobp_func *f = binary_func_by_name(bin, abi_funcs[fi]);
            cr_assert_not_null(f, "%s: no function", ctx);
            const gobp_var *vars;
            int nv = binary_func_vars(bin, f, f->lowpc, &vars);
            gobp_type *at[32], *rt[32];
            const gobp_var *av[32], *rv[32];
            int na = 0, nr = 0;
            for (int i = 0; i < nv; i++) {
                if (!vars[i].is_param) continue;
                if (vars[i].is_result) { cr_assert_lt(nr, 32); rv[nr] = &vars[i]; rt[nr++] = vars[i].type; }
                else { cr_assert_lt(na, 32); av[na] = &vars[i]; at[na++] = vars[i].type; }
            }
            cr_assert_gt(na + nr, 0, "%s: no parameters", ctx);
            abi_value *ao = calloc(32, sizeof *ao), *ro = calloc(32, sizeof *ro);
            cr_assert_eq(abi_assign(at, na, rt, nr, ao, ro), 0, "%s: abi_assign failed", ctx);
            for (int i = 0; i < na; i++) {
                int n = check_param(bin, f, av[i], &ao[i], ctx);
                if (ao[i].on_stack) stack_params += n; else reg_pieces += n;
            }
            for (int i = 0; i < nr; i++)
                if (ro[i].on_stack) {
                    gobp_location loc;
                    entry_location(bin, f, rv[i], &loc, ctx);
                    stack_results += check_stack(&loc, rv[i], &ro[i], ctx);
                    binary_location_free(&loc);
                }
            if (strcmp(abi_funcs[fi], "main.fBigResults") == 0) {
                cr_expect_eq(nr, 10);
                cr_expect(ro[9].on_stack, "%s: 10th result on the stack", ctx);
                cr_expect_eq(ro[9].parts[0].stack_off, 0);
            }
            free(ao);
            free(ro);
        }
        /* e.g. fArray.a, fTenInts.j, fSmallStack x,y,z,w, fStructArray.w, fFloats.p, fBig.b, fStackResults.a,c */
        cr_log_info("%s: %d stack params, %d register pieces, %d stack results match", binary_go_version(bin),
                    stack_params, reg_pieces, stack_results);
        cr_expect_geq(stack_results, 6, "%s: only %d stack results checked", path, stack_results);
        cr_expect_geq(stack_params, 9, "%s: only %d stack params checked", path, stack_params);
        cr_expect_geq(reg_pieces, 60, "%s: only %d register pieces checked", path, reg_pieces);
        binary_close(bin);
    }
    cr_assert_gt(binaries, 0, "no Go toolchain built tests/programs/abi");
}
