/* The evaluator's scope (eval.h's callbacks) answered by the target: a frame's arguments and
 * locals, its package's globals, the binary's globals and types, the process's memory (also
 * target_evaluate, the front ends' way in); and the same names with their types only, for
 * checking an expression where a breakpoint is. */
#include "target_internal.h"
#include "alloc.h"

#include <stdio.h>
#include <string.h>

/* The global pkg.name of the package of func, else the global called name. */
static const gobp_global *scope_global(gobp_binary *bin, const gobp_func *func, const char *name)
{
    if (func) {
        char pkg[256];
        go_func_package(func->name, pkg, sizeof pkg);
        char *full = xmalloc(strlen(pkg) + strlen(name) + 2);
        sprintf(full, "%s.%s", pkg, name);
        const gobp_global *g = binary_global(bin, full);
        free(full);
        if (g)
            return g;
    }
    return binary_global(bin, name);
}

const gobp_var *target_scope_var(gobp_binary *bin, const gobp_func *func, uint64_t pc, const char *name)
{
    const gobp_var *vars;
    int n = func ? binary_func_vars(bin, func, pc, &vars) : 0;
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(vars[i].name, name) == 0)
            return &vars[i];
    return NULL;
}

static int frame_lookup(void *ctx, const char *name, gobp_value *out, char *err, size_t errlen)
{
    const target_scope *sc = ctx;
    const gobp_frame *fr = sc->frame;
    const gobp_func *func = fr ? fr->func : NULL;
    if (target_returned_lookup(sc->t, sc, name, out) == 0)   /* results as returned (ABI) */
        return 0;
    const gobp_var *v = target_scope_var(sc->t->bin, func, fr ? fr->lookup_pc : 0, name);
    if (v) {
        if (target_frame_var(sc->t, sc->goid, fr, v, out) == 0)
            return 0;
        snprintf(err, errlen, "cannot read %s", name);
        return -1;
    }
    const gobp_global *g = scope_global(sc->t->bin, func, name);
    if (!g)
        return 1;
    *out = value_at(g->type, g->addr);
    return 0;
}

static int binary_lookup_global(gobp_binary *bin, const char *name, gobp_value *out)
{
    const gobp_global *g = binary_global(bin, name);
    if (!g)
        return 1;
    *out = value_at(g->type, g->addr);
    return 0;
}

static int frame_global(void *ctx, const char *name, gobp_value *out)
{
    const target_scope *sc = ctx;
    return binary_lookup_global(sc->t->bin, name, out);
}

static gobp_type *frame_type(void *ctx, const char *name)
{
    const target_scope *sc = ctx;
    return binary_type_by_name(sc->t->bin, name);
}

eval_env target_eval_env(const target_scope *sc)
{
    return (eval_env){ .ctx = (void *)sc, .mem = target_memview(sc->t), .lookup = frame_lookup,
                       .global = frame_global, .type_named = frame_type };
}

static int frame_call(void *ctx, const eval_callee *callee, const eval_result *args, int nargs, eval_result *out,
                      char *err, size_t errlen)
{
    const target_scope *sc = ctx;
    return target_call_function(sc->t, sc, callee, args, nargs, out, err, errlen);
}

int target_evaluate(gobp_target *t, int64_t goid, const gobp_frame *fr, const char *expr, eval_result *out,
                    char *err, size_t errlen)
{
    target_scope sc = { .t = t, .goid = goid, .frame = fr };
    eval_env env = target_eval_env(&sc);
    env.call = frame_call;     /* evaluate may call functions; conditions and log points not */
    return eval_expression(&env, expr, out, err, errlen);
}

/* ---- names and types only (checking) ---- */

static int static_lookup(void *ctx, const char *name, gobp_value *out, char *err, size_t errlen)
{
    const target_static_scope *sc = ctx;
    const gobp_var *v = target_scope_var(sc->bin, sc->func, sc->pc, name);
    const gobp_global *g = v ? NULL : scope_global(sc->bin, sc->func, name);
    if (!v && !g)
        return 1;
    *out = (gobp_value){ .type = v ? v->type : g->type, .addr = g ? g->addr : 0, .unreadable = v != NULL };
    return 0;
}

static int static_global(void *ctx, const char *name, gobp_value *out)
{
    const target_static_scope *sc = ctx;
    return binary_lookup_global(sc->bin, name, out);
}

static gobp_type *static_type(void *ctx, const char *name)
{
    const target_static_scope *sc = ctx;
    return binary_type_by_name(sc->bin, name);
}

static int no_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    return -1;
}

eval_env target_static_env(const target_static_scope *sc)
{
    return (eval_env){ .ctx = (void *)sc, .mem = { no_memory, NULL, sc->bin }, .lookup = static_lookup,
                       .global = static_global, .type_named = static_type };
}
