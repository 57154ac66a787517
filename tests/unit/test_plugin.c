/* Unit tests of plugin loading and the fault guard: plugins compiled here with only
 * gobp/plugin.h; every refusal names the plugin and the reason; a plugin that crashes,
 * aborts or hangs is stopped by the guard and the host can go on calling others. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/plugin_loader.h"

static char dir[256];

static const char *root(void)
{
    const char *r = getenv("GOBP_ROOT");
    return r ? r : ".";
}

/* Compiles source into DIR/name.so; returns the path (static buffer per call site). */
static char *build_plugin(const char *name, const char *source, bool with_header)
{
    char src[512], cmd[2048];
    static char out[16][512];
    static int next;
    char *so = out[next++ % 16];
    snprintf(src, sizeof src, "%s/%s.c", dir, name);
    snprintf(so, 512, "%s/%s.so", dir, name);
    FILE *f = fopen(src, "w");
    cr_assert(f);
    if (with_header)
        fputs("#include <gobp/plugin.h>\n", f);
    fputs(source, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cc -shared -fPIC -Wall -I%s/core/include -o %s %s", root(), so, src);
    cr_assert_eq(system(cmd), 0, "cannot compile %s", src);
    return so;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gobp-test-plugin-%d", (int)getpid());
    mkdir(dir, 0700);
}

TestSuite(plugin, .init = setup);

static gobp_plugin *load(const char *path, const char *config, int timeout, char *err)
{
    return plugin_load(path, config, timeout, NULL, NULL, err, 512);
}

Test(plugin, refusals_name_the_plugin_and_the_reason)
{
    char err[512];
    cr_assert_null(load("/nonexistent/x.so", "", 1000, err));
    cr_assert(strstr(err, "/nonexistent/x.so") && strstr(err, "does not exist"), "%s", err);

    char *noenter = build_plugin("noenter", "int unrelated(void) { return 1; }\n", true);
    cr_assert_null(load(noenter, "", 1000, err));
    cr_assert(strstr(err, "noenter.so") && strstr(err, "does not export gobp_on_enter"), "%s", err);

    char *noheader = build_plugin("noheader", "int gobp_on_enter(void *c) { return 0; }\n", false);
    cr_assert_null(load(noheader, "", 1000, err));
    cr_assert(strstr(err, "not built with gobp/plugin.h"), "%s", err);

    char *v99 = build_plugin("v99", "const unsigned gobp_plugin_api_major = 99;\nint gobp_on_enter(void *c) { return 0; }\n", false);
    cr_assert_null(load(v99, "", 1000, err));
    cr_assert(strstr(err, "plugin API 99") && strstr(err, "supports 1"), "%s", err);

    char *notso = build_plugin("notso", "", true);
    FILE *f = fopen(notso, "w");
    fputs("not an ELF", f);
    fclose(f);
    cr_assert_null(load(notso, "", 1000, err));
    cr_assert(strstr(err, "cannot load"), "%s", err);

    char *refuse = build_plugin("refuse",
        "#include <string.h>\n"
        "int gobp_plugin_init(const char *config) { return strcmp(config, \"ok\") != 0; }\n"
        "gobp_action gobp_on_enter(gobp_call *c) { return GOBP_CONTINUE; }\n", true);
    cr_assert_null(load(refuse, "bad", 1000, err));
    cr_assert(strstr(err, "refused its configuration"), "%s", err);
    gobp_plugin *p = load(refuse, "ok", 1000, err);
    cr_assert_not_null(p, "%s", err);
    cr_assert_eq(plugin_unload(p, NULL, 0), 0);
}

Test(plugin, guard_stops_crashes_aborts_and_hangs)
{
    char err[512], why[256];
    char *bad = build_plugin("bad",
        "#include <stdlib.h>\n#include <string.h>\n"
        "static const char *mode;\n"
        "int gobp_plugin_init(const char *config) { mode = strdup(config); return 0; }\n"
        "gobp_action gobp_on_enter(gobp_call *c) {\n"
        "  if (!strcmp(mode, \"segv\")) { volatile int *p = 0; *p = 1; }\n"
        "  if (!strcmp(mode, \"abort\")) abort();\n"
        "  if (!strcmp(mode, \"loop\")) for (volatile int i = 0;; i++) ;\n"
        "  if (!strcmp(mode, \"weird\")) return (gobp_action)7;\n"
        "  return GOBP_STOP; }\n", true);
    gobp_call call = { 0 };
    gobp_action action;
    const char *modes[] = { "segv", "abort", "loop", "weird" };
    const char *expect[] = { "crashed", "aborted", "longer than 200 ms", "not GOBP_CONTINUE" };
    for (int i = 0; i < 4; i++) {
        /* each load of the same path shares the library: give each mode its own copy */
        char copy[600], cmd[1300];
        snprintf(copy, sizeof copy, "%s/bad-%s.so", dir, modes[i]);
        snprintf(cmd, sizeof cmd, "cp %s %s", bad, copy);
        cr_assert_eq(system(cmd), 0);
        gobp_plugin *p = load(copy, modes[i], 200, err);
        cr_assert_not_null(p, "%s", err);
        cr_assert_eq(plugin_call_enter(p, &call, &action, why, sizeof why), -1, "mode %s", modes[i]);
        cr_assert(strstr(why, expect[i]), "mode %s: %s", modes[i], why);
        cr_assert_eq(plugin_unload(p, NULL, 0), 0);
    }
    /* after all that, a good plugin still runs normally */
    char *good = build_plugin("good", "gobp_action gobp_on_enter(gobp_call *c) { return GOBP_RETURN; }\n", true);
    gobp_plugin *p = load(good, "", 200, err);
    cr_assert_not_null(p, "%s", err);
    cr_assert_eq(plugin_call_enter(p, &call, &action, why, sizeof why), 0);
    cr_assert_eq(action, GOBP_RETURN);
    cr_assert(!plugin_has_exit(p));
    cr_assert_eq(plugin_unload(p, NULL, 0), 0);
}

static void add_one(void *arg) { ++*(int *)arg; }

Test(plugin, guard_runs_good_code_and_nests)
{
    int n = 0;
    char why[128];
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(guard_run(add_one, &n, 100, why, sizeof why), 0);
    cr_assert_eq(n, 1000);
}
