/* The fake Go program of the eval tests and the eval fuzz harness: variables of every kind
 * (ints, strings, structs, pointers, slices, arrays, maps, errors, an unreadable one) and
 * globals in fake_go.h's arena, answered through an eval_env (env) as the target answers. */
#ifndef GOBP_TESTS_FAKE_PROGRAM_H
#define GOBP_TESTS_FAKE_PROGRAM_H

#include <stdio.h>

#include "eval/eval.h"
#include "fake_go.h"

/* ---- maps ---- */

/* A map of one bucket holding n entries; the writers fill key and value slots. */
static uint64_t tmap(const gobp_type *mt, int n, void (*fill)(int i, uint64_t key, uint64_t val))
{
    fake_map m = tmap_new(mt, 0, 0);
    tmap_count(&m, (uint64_t)n);
    for (int i = 0; i < n; i++) {
        uint64_t k, v;
        tmap_slot(&m, m.buckets, i, (unsigned char)(0x80 + i), &k, &v);
        fill(i, k, v);
    }
    return m.hmap;
}

static void fill_string_int(int i, uint64_t key, uint64_t val)
{
    tstring(key, i ? "two" : "one");
    tword(val, (uint64_t)i + 1);
}

static void fill_int_string(int i, uint64_t key, uint64_t val)
{
    tword(key, 10 + (uint64_t)i * 10);
    tstring(val, i ? "twenty" : "ten");
}

/* ---- the fake program: types, runtime types of interfaces, variables, globals ---- */

#define RT_ERRSTR_PTR 0x4a0200ull
static gobp_type *T_error, *T_employee, *T_count;

static gobp_type *fake_type_by_rtaddr(gobp_binary *bin, uint64_t addr)
{
    (void)bin;
    return addr == RT_ERRSTR_PTR ? T_errstr_ptr : NULL;
}

typedef struct {
    const char *name;
    gobp_value value;
} fake_var;

static fake_var *vars, *globals;
static size_t nvars, nglobals, vars_cap, globals_cap;
static uint64_t n_addr;   /* where n lives: tests change it */

static gobp_value var(const char *name, gobp_type *t, uint64_t addr)
{
    vars = tgrow(vars, &vars_cap, nvars + 1, sizeof *vars);
    vars[nvars++] = (fake_var){ name, value_at(t, addr) };
    return vars[nvars - 1].value;
}

static uint64_t word_var(const char *name, gobp_type *t, uint64_t w)
{
    uint64_t a = talloc(8);
    tword(a, w);
    var(name, t, a);
    return a;
}

static void global(const char *name, gobp_type *t, uint64_t w)
{
    uint64_t a = talloc(8);
    tword(a, w);
    globals = tgrow(globals, &globals_cap, nglobals + 1, sizeof *globals);
    globals[nglobals++] = (fake_var){ name, value_at(t, a) };
}

static int fake_global(void *ctx, const char *name, gobp_value *out)
{
    (void)ctx;
    for (size_t i = 0; i < nglobals; i++)
        if (strcmp(globals[i].name, name) == 0) {
            *out = globals[i].value;
            return 0;
        }
    return 1;
}

/* Arguments and locals, then the globals of package main, then globals by full name. */
static int fake_lookup(void *ctx, const char *name, gobp_value *out, char *err, size_t errlen)
{
    for (size_t i = 0; i < nvars; i++)
        if (strcmp(vars[i].name, name) == 0) {
            *out = vars[i].value;
            return 0;
        }
    char full[256];
    snprintf(full, sizeof full, "main.%s", name);
    return fake_global(ctx, full, out) == 0 ? 0 : fake_global(ctx, name, out);
}

static gobp_type *fake_type_named(void *ctx, const char *name)
{
    (void)ctx;
    gobp_type *known[] = { T_int, T_string, T_person, T_person_ptr, T_errstr_ptr, T_error };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i]->name, name) == 0)
            return known[i];
    return NULL;
}

static eval_env env;

static void make_types(void)
{
    make_person_types();
    gobp_type_field bf[] = { { "ID", 0, T_int, false } };
    gobp_type_field ef[] = { { "Base", 0, struct_of("main.Base", 8, 1, bf), true }, { "Salary", 8, T_f64, false } };
    T_employee = struct_of("main.Employee", 16, 2, ef);
    T_error = tnew(GOBP_KIND_INTERFACE, "error", 16);
    gobp_type *itab = struct_of("runtime.itab", 32, 0, NULL);
    gobp_type_field itf[] = { { "_type", 8, T_uintptr, false } };
    tfields(itab, 1, itf);
    gobp_type_field ifs[] = { { "tab", 0, ptr_to(itab, "*runtime.itab"), false }, { "data", 8, T_unsafe, false } };
    tfields(T_error, 2, ifs);
    gobp_type_field cf[] = { { "Count", 0, T_int, false } };
    T_count = struct_of("main.Q", 8, 1, cf);
}

/* An error interface holding *errors.errorString{s}: its itab (once) and its pointer. */
static uint64_t errstr_itab;
static void error_var(const char *name, uint64_t ptr)
{
    uint64_t a = talloc(16);
    if (!errstr_itab) {
        errstr_itab = talloc(32);
        tword(errstr_itab + 8, RT_ERRSTR_PTR);
    }
    tword(a, ptr ? errstr_itab : 0);
    tword(a + 8, ptr);
    var(name, T_error, a);
}

static void make_program(void)
{
    n_addr = word_var("n", T_int, 5);
    word_var("total", T_int, 10);
    word_var("q", T_count, 4);    /* main.Q{Count: 4} */
    uint64_t a = talloc(16);
    tstring(a, "x");
    var("label", T_string, a);
    double f = 1.5;
    a = talloc(8);
    twrite(a, &f, 8);
    var("f", T_f64, a);
    a = talloc(1);
    arena[a - ARENA_BASE] = 1;
    var("b", T_bool, a);
    /* p, pp, nilp */
    uint64_t home = talloc(24), tags = talloc(32), p = talloc(56);
    tstring(home, "Oslo");
    tstring(tags, "a");
    tstring(tags + 16, "b");
    tstring(p, "Ann");
    tword(p + 16, 42);
    tword(p + 24, home);
    tword(p + 32, tags);
    tword(p + 40, 2);
    tword(p + 48, 2);
    var("p", T_person, p);
    word_var("pp", T_person_ptr, p);
    word_var("nilp", T_person_ptr, 0);
    /* sl []int{1,2,3} cap 4, arr [3]int{10,20,30} */
    uint64_t data = talloc(32);
    for (int i = 0; i < 3; i++)
        tword(data + 8 * (uint64_t)i, (uint64_t)i + 1);
    a = talloc(24);
    tword(a, data);
    tword(a + 8, 3);
    tword(a + 16, 4);
    var("sl", slice_of(T_int, "[]int"), a);
    a = talloc(24);
    for (int i = 0; i < 3; i++)
        tword(a + 8 * (uint64_t)i, 10 * ((uint64_t)i + 1));
    var("arr", array_of(T_int, 3, "[3]int"), a);
    gobp_type *msi = map_of(T_string, T_int, "map[string]int"), *mis = map_of(T_int, T_string, "map[int]string");
    word_var("m", msi, tmap(msi, 2, fill_string_int));
    word_var("mi", mis, tmap(mis, 2, fill_int_string));
    a = talloc(16);
    tword(a, 9);
    var("e", T_employee, a);
    /* err and err2: the same *errors.errorString; other: another one with the same text */
    uint64_t es = talloc(16), es2 = talloc(16);
    tstring(es, "boom");
    tstring(es2, "boom");
    error_var("err", es);
    error_var("err2", es);
    error_var("other", es2);
    error_var("nilerr", 0);
    var("unread", T_int, 0);
    vars[nvars - 1].value.unreadable = true;    /* optimized out, or not yet allocated */
    global("main.counter", T_int, 7);
    global("example.com/mod/pkg.Limit", T_int, 9);
}

static inline void fake_program_setup(void)
{
    fake_go_setup();
    nvars = nglobals = 0;
    errstr_itab = 0;
    make_types();
    make_program();
    value_set_binary_hooks(fake_type_by_rtaddr, NULL);
    env = (eval_env){ .ctx = NULL, .mem = { arena_read, NULL, NULL }, .lookup = fake_lookup, .global = fake_global,
                      .type_named = fake_type_named };
}

static inline void fake_program_teardown(void)
{
    fake_go_teardown();
    free(vars);
    free(globals);
    vars = globals = NULL;
    vars_cap = globals_cap = 0;
    value_set_binary_hooks(NULL, NULL);
}


#endif
