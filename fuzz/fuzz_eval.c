/* libFuzzer harness of the expression language: the input's first line is an expression (or a
 * log-message template), parsed, checked as a value and as a condition, run and formatted
 * against the unit tests' fake Go program, whose memory the rest of the input overwrites, so
 * hostile lengths, pointers and map headers reach the value readers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_GO_CHECK(cond) do { if (!(cond)) abort(); } while (0)
#include "fake_program.h"

static void run_expression(const char *text)
{
    char err[512];
    eval_expr *x = eval_parse(text, err, sizeof err);
    if (!x) {
        if (!err[0])
            abort();                   /* a parse failure says why */
        return;
    }
    (void)eval_expr_text(x);
    if (eval_check(x, &env, true, err, sizeof err) == 0 || eval_check(x, &env, false, err, sizeof err) == 0) {
        eval_result r;
        if (eval_run(x, &env, &r, err, sizeof err) == 0) {
            free(eval_result_text(&env.mem, &r));
            free(eval_result_type(&env.mem, &r));
            (void)eval_truth(&env.mem, &r, err, sizeof err);
            eval_result_free(&r);
        } else if (!err[0]) {
            abort();
        }
    }
    eval_expr_free(x);
}

static void run_template(const char *text)
{
    char err[512];
    eval_template *t = eval_template_parse(text, err, sizeof err);
    if (!t)
        return;
    if (eval_template_check(t, &env, err, sizeof err) == 0)
        free(eval_template_render(t, &env));
    eval_template_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - data) : size;
    if (tlen > 4096)
        return 0;
    char *text = malloc(tlen + 1);
    memcpy(text, data, tlen);
    text[tlen] = 0;
    fake_program_setup();
    if (nl) {   /* the rest overwrites the program's memory from its first variable on */
        size_t n = size - tlen - 1, room = ARENA_SIZE - 0x1000;
        memcpy(arena + 0x1000, nl + 1, n < room ? n : room);
    }
    run_expression(text);
    run_template(text);
    fake_program_teardown();
    free(text);
    return 0;
}
