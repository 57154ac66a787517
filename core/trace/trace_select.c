/* Which functions a trace covers: POSIX extended regular expressions on Go function names,
 * whole packages, exclusions. The runtime's own functions (and internal/) are never traced
 * unless their package is asked for by name: they run inside the scheduler and signal paths. */
#include "alloc.h"
#include "trace.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const gobp_trace_selection *sel;
    regex_t *patterns, *excludes;
} select_ctx;

static bool runtime_internal(const char *pkg)
{
    return strcmp(pkg, "runtime") == 0 || strncmp(pkg, "runtime/", 8) == 0 || strncmp(pkg, "internal/", 9) == 0 ||
           strcmp(pkg, "sync/atomic") == 0 || strcmp(pkg, "unsafe") == 0;
}

static bool keep(void *arg, const char *name)
{
    select_ctx *c = arg;
    const gobp_trace_selection *sel = c->sel;
    char pkg[256];
    go_func_package(name, pkg, sizeof pkg);
    bool by_package = false, matched = false;
    for (int i = 0; i < sel->npackages && !by_package; i++)
        by_package = strcmp(pkg, sel->packages[i]) == 0;
    for (int i = 0; i < sel->npatterns && !matched && !by_package; i++)
        matched = regexec(&c->patterns[i], name, 0, NULL, 0) == 0;
    if (!matched && !by_package)
        return false;
    if (!by_package && runtime_internal(pkg))
        return false;
    for (int i = 0; i < sel->nexcludes; i++)
        if (regexec(&c->excludes[i], name, 0, NULL, 0) == 0)
            return false;
    return true;
}

static int compile_all(const char **src, int n, regex_t *out, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        int rc = regcomp(&out[i], src[i], REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &out[i], why, sizeof why);
            snprintf(err, errlen, "bad regular expression \"%s\": %s", src[i], why);
            for (int k = 0; k < i; k++)
                regfree(&out[k]);
            return -1;
        }
    }
    return 0;
}

int trace_select(gobp_binary *bin, const gobp_trace_selection *sel, const gobp_func ***out, char *err, size_t errlen)
{
    select_ctx c = { .sel = sel };
    c.patterns = xcalloc((size_t)sel->npatterns + 1, sizeof *c.patterns);
    c.excludes = xcalloc((size_t)sel->nexcludes + 1, sizeof *c.excludes);
    int n = -1;
    if (compile_all(sel->patterns, sel->npatterns, c.patterns, err, errlen) == 0) {
        if (compile_all(sel->excludes, sel->nexcludes, c.excludes, err, errlen) == 0) {
            int total = binary_funcs_filter(bin, keep, &c, NULL, 0);
            const gobp_func **all = xcalloc((size_t)total + 1, sizeof *all);
            binary_funcs_filter(bin, keep, &c, all, total);
            n = 0;
            for (int i = 0; i < total; i++)     /* only functions with DWARF (not assembly) */
                if (all[i] && all[i]->die_offset)
                    all[n++] = all[i];
            *out = all;
            for (int i = 0; i < sel->nexcludes; i++)
                regfree(&c.excludes[i]);
        }
        for (int i = 0; i < sel->npatterns; i++)
            regfree(&c.patterns[i]);
    }
    free(c.patterns);
    free(c.excludes);
    return n;
}
