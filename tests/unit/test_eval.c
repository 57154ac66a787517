/* Unit tests of core/eval.c against a fake scope: Go types built as the binary module builds
 * them, values in a fake target memory, names and globals answered by eval_env callbacks. No
 * process, no binary. Parsing, checking (names, fields, types), evaluation and log templates. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void setup(void)
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

static void teardown(void)
{
    fake_go_teardown();
    free(vars);
    free(globals);
    vars = globals = NULL;
    vars_cap = globals_cap = 0;
    value_set_binary_hooks(NULL, NULL);
}

TestSuite(eval, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* expr evaluates to text (as the Variables view shows it) of Go type type. */
static void expect(const char *expr, const char *text, const char *type)
{
    char err[512] = "";
    eval_result r;
    cr_assert_eq(eval_expression(&env, expr, &r, err, sizeof err), 0, "%s: %s", expr, err);
    char *got = eval_result_text(&env.mem, &r), *gtype = eval_result_type(&env.mem, &r);
    cr_expect_str_eq(got, text, "%s: got %s", expr, got);
    if (type)
        cr_expect_str_eq(gtype, type, "%s: type", expr);
    free(got);
    free(gtype);
    eval_result_free(&r);
}

/* expr parses and checks, but evaluating it fails with a message containing want. */
static void expect_run_error(const char *expr, const char *want)
{
    char err[512] = "";
    eval_expr *x = eval_parse(expr, err, sizeof err);
    cr_assert(x, "%s: %s", expr, err);
    cr_expect_eq(eval_check(x, &env, false, err, sizeof err), 0, "%s checks: %s", expr, err);
    eval_result r;
    cr_expect_eq(eval_run(x, &env, &r, err, sizeof err), -1, "%s must fail", expr);
    cr_expect(strstr(err, want), "%s: \"%s\" does not say \"%s\"", expr, err, want);
    eval_expr_free(x);
}

/* expr parses but its check (want_bool: as a condition) fails with a message containing want. */
static void expect_check_error(const char *expr, bool want_bool, const char *want)
{
    char err[512] = "";
    eval_expr *x = eval_parse(expr, err, sizeof err);
    cr_assert(x, "%s: %s", expr, err);
    cr_expect_eq(eval_check(x, &env, want_bool, err, sizeof err), -1, "%s must not check", expr);
    cr_expect(strstr(err, want), "%s: \"%s\" does not say \"%s\"", expr, err, want);
    eval_expr_free(x);
}

static void expect_parse_error(const char *expr, const char *want)
{
    char err[512] = "";
    eval_expr *x = eval_parse(expr, err, sizeof err);
    cr_expect_null(x, "%s must not parse", expr);
    eval_expr_free(x);
    cr_expect(strstr(err, want), "%s: \"%s\" does not say \"%s\"", expr, err, want);
}

/* ---- tests ---- */

Test(eval, literals)
{
    expect("42", "42", "int");
    expect("0x10", "16", "int");
    expect("1.5", "1.5", "float64");
    expect("1e3", "1000", "float64");
    expect("18446744073709551615", "18446744073709551615", "uint");
    expect("\"a\\\"b\"", "\"a\\\"b\"", "string");
    expect("`raw\\n`", "\"raw\\\\n\"", "string");
    expect("'é'", "233", "int");
    expect("true", "true", "bool");
    expect("nil", "nil", "nil");
}

Test(eval, arithmetic)
{
    expect("n * 2 + 1", "11", "int");
    expect("(n + 1) * 2", "12", "int");
    expect("-n", "-5", "int");
    expect("7 / 2", "3", "int");
    expect("7 % 4", "3", "int");
    expect("1.5 + 1", "2.5", "float64");
    expect("f * 2", "3", "float64");
    expect("n - -1", "6", "int");
    expect("arr[1] / 4", "5", NULL);
}

Test(eval, comparisons_and_logic)
{
    expect("n > 3", "true", "bool");
    expect("n == 5 && label == \"x\"", "true", "bool");
    expect("n < 5 || f >= 1.5", "true", "bool");
    expect("!b", "false", "bool");
    expect("label < \"y\"", "true", "bool");
    expect("label != \"x\"", "false", "bool");
    expect("b == true", "true", "bool");
    expect("1 < 2 == true", "true", "bool");
    /* short-circuit: the right side is not evaluated when the left decides */
    expect("nilp != nil && nilp.Age > 1", "false", "bool");
    expect("nilp == nil || nilp.Age > 1", "true", "bool");
}

Test(eval, selectors_index_and_maps)
{
    expect("p.Name", "\"Ann\"", "string");
    expect("p.Age > 40 && p.Name == \"Ann\"", "true", NULL);
    expect("pp.Home.City", "\"Oslo\"", "string");
    expect("p.Tags[1]", "\"b\"", "string");
    expect("e.ID", "9", "int");              /* through the embedded Base */
    expect("sl[2] + sl[0]", "4", "int");
    expect("arr[2]", "30", "int");
    expect("m[\"two\"] * 10", "20", "int");
    expect("mi[20]", "\"twenty\"", "string");
    expect("label[0]", "120", NULL);
    expect("\"abc\"[1]", "98", "uint");
    expect("*pp", "main.Person {Name: \"Ann\", Age: 42, Home: *main.Address {City: \"Oslo\", Zip: 0}, Tags: []string len: 2, cap: 2, [\"a\",\"b\"]}", "main.Person");
}

Test(eval, len_and_cap)
{
    expect("len(sl)", "3", "int");
    expect("cap(sl)", "4", "int");
    expect("len(arr)", "3", "int");
    expect("len(m)", "2", "int");
    expect("len(label)", "1", "int");
    expect("len(\"héllo\")", "6", "int");
    expect("len(p.Tags) == 2", "true", "bool");
}

Test(eval, globals_paths_and_nil)
{
    expect("main.counter + 1", "8", "int");
    expect("counter", "7", "int");                          /* a global of the scope's package */
    expect("example.com/mod/pkg.Limit * 2", "18", "int");   /* a package path */
    expect("(example.com/mod/pkg.Limit)", "9", "int");
    expect("total/q.Count", "2", "int");                    /* total is in scope: a division */
    expect("3*total/q.Count", "7", "int");                  /* (3*total)/q.Count, as Go reads it */
    expect("nilp == nil", "true", "bool");
    expect("pp != nil", "true", "bool");
    expect("nilerr == nil", "true", "bool");
    expect("err != nil", "true", "bool");
}

Test(eval, interfaces)
{
    expect("err == err2", "true", "bool");       /* the same pointer */
    expect("err == other", "false", "bool");     /* another pointer: not equal, as in Go */
    expect("err != nilerr", "true", "bool");
    expect("err.(*errors.errorString).s == \"boom\"", "true", "bool");
    expect("*err", "*errors.errorString {s: \"boom\"}", NULL);
}

Test(eval, run_time_errors)
{
    expect_run_error("nilp.Name", "nil pointer dereference");
    expect_run_error("*nilp", "nil pointer dereference");
    expect_run_error("sl[5]", "out of range");
    expect_run_error("m[\"zz\"] == 1", "key \"zz\" not found");
    expect_run_error("n / 0", "division by zero");
    expect_run_error("n / (n - 5)", "division by zero");
    expect_run_error("unread + 1", "not available");
    expect_run_error("err.(*main.Person)", "error is *errors.errorString, not *main.Person");
    expect_run_error("nilerr.(*errors.errorString)", "is nil");
}

Test(eval, parse_errors)
{
    expect_parse_error("n >", "unexpected end of expression");
    expect_parse_error("1 +", "unexpected end of expression");
    expect_parse_error("(n", "missing )");
    expect_parse_error("sl[1", "missing ]");
    expect_parse_error("\"abc", "unterminated string");
    expect_parse_error("n @ 1", "unexpected \"@ 1\"");
    expect_parse_error("0x", "bad number");
    expect_parse_error("len(n", "missing )");
    expect_parse_error("err.(", "missing ) after the type");
    expect_parse_error("", "unexpected end of expression");
    char err[128];
    eval_result r;
    cr_expect_eq(eval_expression(&env, "n >", &r, err, sizeof err), -1);
}

Test(eval, check_errors_name_the_problem)
{
    expect_check_error("nosuch == 1", true, "could not find symbol value for nosuch");
    expect_check_error("nosuch.Field", false, "could not find symbol value for nosuch");
    expect_check_error("p.Nope > 1", true, "main.Person has no field or method Nope");
    expect_check_error("pp.Home.Street", false, "main.Address has no field or method Street");
    expect_check_error("n", true, "not a bool but a int");
    expect_check_error("n + 1", true, "not a bool but a number");
    expect_check_error("n + label", false, "+ needs numbers, not a string");
    expect_check_error("label == 1", true, "mismatched types string and number");
    expect_check_error("n && b", true, "&& needs bools, not a int");
    expect_check_error("len(n)", false, "int has no len");
    expect_check_error("cap(m)", false, "has no cap");
    expect_check_error("sl[\"a\"]", false, "an index must be an integer");
    expect_check_error("m[1]", false, "map[string]int has string keys, not numbers");
    expect_check_error("n[0]", false, "int cannot be indexed");
    expect_check_error("*n", false, "cannot dereference a int");
    expect_check_error("!n", true, "! on a int");
    expect_check_error("n == nil", true, "a int is never nil");
    expect_check_error("err.(main.Nope)", false, "no type main.Nope");
    expect_check_error("n.(int)", false, "needs an interface value");
    expect_check_error("p < pp", true, "mismatched types");
    expect_check_error("pp < pp", true, "< on a *main.Person");
    expect_check_error("example.com/mod/pkg.Nope", false, "could not find symbol value for example.com/mod/pkg.Nope");
}

Test(eval, checks_pass_where_the_scope_fits)
{
    const char *ok[] = { "n > 3 && label == \"x\"", "p.Age > 3", "pp.Home.City == \"Oslo\"", "e.ID == 9", "len(m) == 2",
                         "m[\"one\"] == 1", "mi[10] == \"ten\"", "nilp == nil", "err == err2", "err != nil",
                         "err.(*errors.errorString).s == \"boom\"", "main.counter > 1", "counter > 1", "(*err).s == \"boom\"",
                         "example.com/mod/pkg.Limit > 1", "total/q.Count == 2", "unread > 1", "b", "!b || sl[0] == 1" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char err[512] = "";
        eval_expr *x = eval_parse(ok[i], err, sizeof err);
        cr_assert(x, "%s: %s", ok[i], err);
        cr_expect_eq(eval_check(x, &env, true, err, sizeof err), 0, "%s: %s", ok[i], err);
        cr_expect_str_eq(eval_expr_text(x), ok[i]);
        eval_expr_free(x);
    }
}

Test(eval, compiled_once_run_against_current_memory)
{
    char err[256];
    eval_expr *x = eval_parse("n % 10 == 3", err, sizeof err);
    cr_assert(x, "%s", err);
    for (uint64_t v = 0; v < 25; v++) {
        tword(n_addr, v);
        eval_result r;
        cr_assert_eq(eval_run(x, &env, &r, err, sizeof err), 0, "%s", err);
        cr_expect_eq(eval_truth(&env.mem, &r, err, sizeof err), v % 10 == 3);
        eval_result_free(&r);
    }
    eval_expr_free(x);
}

Test(eval, truth_of_program_bools_and_non_bools)
{
    char err[128];
    eval_result r;
    cr_assert_eq(eval_expression(&env, "b", &r, err, sizeof err), 0);
    cr_expect_eq(r.kind, EVAL_VALUE);
    cr_expect_eq(eval_truth(&env.mem, &r, err, sizeof err), 1);
    eval_result_free(&r);
    cr_assert_eq(eval_expression(&env, "n", &r, err, sizeof err), 0);
    cr_expect_eq(eval_truth(&env.mem, &r, err, sizeof err), -1);
    cr_expect_str_eq(err, "the condition is not a bool");
    eval_result_free(&r);
}

Test(eval, log_templates)
{
    char err[256] = "";
    eval_template *t = eval_template_parse("n={n} name={p.Name} bad={nilp.Name} {unclosed", err, sizeof err);
    cr_assert(t, "%s", err);
    cr_expect_eq(eval_template_check(t, &env, err, sizeof err), 0, "%s", err);
    char *text = eval_template_render(t, &env);
    cr_expect_str_eq(text, "n=5 name=\"Ann\" bad={nilp.Name: cannot read .Name: nil pointer dereference (a *main.Person)} {unclosed\n");
    free(text);
    tword(n_addr, 6);
    text = eval_template_render(t, &env);
    cr_expect(strncmp(text, "n=6 ", 4) == 0, "%s", text);
    free(text);
    eval_template_free(t);

    cr_expect_null(eval_template_parse("x={n >}", err, sizeof err));
    cr_expect_str_eq(err, "{n >}: unexpected end of expression");
    t = eval_template_parse("x={nosuch} y={n}", err, sizeof err);
    cr_assert(t);
    cr_expect_eq(eval_template_check(t, &env, err, sizeof err), -1);
    cr_expect_str_eq(err, "{nosuch}: could not find symbol value for nosuch");
    eval_template_free(t);
    t = eval_template_parse("no braces", err, sizeof err);
    text = eval_template_render(t, &env);
    cr_expect_str_eq(text, "no braces\n");
    free(text);
    eval_template_free(t);
}
