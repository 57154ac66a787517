/* Unit tests of core/eval.c against a fake scope: Go types built as the binary module builds
 * them, values in a fake target memory, names and globals answered by eval_env callbacks. No
 * process, no binary. Parsing, checking (names, fields, types), evaluation and log templates. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "fake_program.h"

TestSuite(eval, .init = fake_program_setup, .fini = fake_program_teardown);

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

/* found by fuzz_eval (fuzz/regressions/eval/mul-overflow-int128): a product past 2^127 was
 * signed overflow; results wrap to 64 bits as Go's int64 arithmetic does */
Test(eval, arithmetic_wraps_without_overflow)
{
    expect("18446744073709551615 * 18446744073709551615", "1", "int");
    expect("9223372036854775807 + 1", "-9223372036854775808", "int");
    expect("-9223372036854775807 - 2", "9223372036854775807", "int");
    expect("(0 - 9223372036854775807 - 1) / -1", "-9223372036854775808", "int");
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
    /* NaN (Inf - Inf) is unordered: only != holds, as in Go */
    expect("1e308 * 10 - 1e308 * 10 != 1e308 * 10 - 1e308 * 10", "true", "bool");
    expect("1e308 * 10 - 1e308 * 10 == 1e308 * 10 - 1e308 * 10", "false", "bool");
    expect("1e308 * 10 - 1e308 * 10 <= 1.5", "false", "bool");
    expect("1e308 * 10 - 1e308 * 10 >= 1.5", "false", "bool");
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

/* ---- function calls (the callee as the evaluator finds it; the target runs it) ---- */

static char call_log[512];

/* A fake env.call: logs what it was asked to call and with what, answers 42. */
static int fake_call(void *ctx, const eval_callee *c, const eval_result *args, int nargs, eval_result *out,
                     char *err, size_t errlen)
{
    size_t used = (size_t)snprintf(call_log, sizeof call_log, "%s", c->name ? c->name : c->method ? c->method : "fn");
    if (c->receiver)
        used += (size_t)snprintf(call_log + used, sizeof call_log - used, " on %s", c->receiver->type->name);
    for (int i = 0; i < nargs && used < sizeof call_log; i++)
        used += (size_t)snprintf(call_log + used, sizeof call_log - used, " %d", (int)args[i].kind);
    if (c->name && strcmp(c->name, "fails") == 0) {
        snprintf(err, errlen, "main.fails panicked: \"no\"");
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->kind = EVAL_INT;
    out->i = 42;
    return 0;
}

Test(eval, calls_find_the_callee_and_evaluate_arguments)
{
    env.call = fake_call;
    expect("add(1, n, \"s\")", "42", "int");
    cr_expect_str_eq(call_log, "add 1 0 5");
    expect("call add()", "42", "int");          /* Delve's spelling */
    cr_expect_str_eq(call_log, "add");
    expect("strings.ToUpper(\"x\") + 1", "43", "int");
    cr_expect_str_eq(call_log, "strings.ToUpper 5");
    expect("p.Greet(nil, true)", "42", "int");
    cr_expect_str_eq(call_log, "Greet on main.Person 6 4");
    expect("example.com/m/x.F(2)", "42", "int");
    cr_expect_str_eq(call_log, "example.com/m/x.F 1");
    expect_run_error("fails()", "panicked");
    env.call = NULL;
}

Test(eval, conditions_do_not_call)
{
    env.call = NULL;
    expect_check_error("add(1, 2) > 1", true, "conditions and log points do not call functions (add)");
    char err[512] = "";
    eval_result r;
    cr_expect_eq(eval_expression(&env, "len(p.Name) > 0 && check(p)", &r, err, sizeof err), -1);
    cr_expect(strstr(err, "do not call functions (check)"), "%s", err);
    expect_parse_error("add(1, 2", "missing , or )");
}
