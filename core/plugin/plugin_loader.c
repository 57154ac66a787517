/* Handler plugins: dlopen, API version check, the required and optional exports, and
 * guarded calls to gobp_plugin_init / gobp_on_enter / gobp_on_exit / gobp_plugin_fini. */
#include "alloc.h"
#include "handler_internal.h"
#include "plugin_loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef gobp_action (*enter_fn)(gobp_call *);
typedef void (*exit_fn)(gobp_call *);
typedef int (*init_fn)(const char *);
typedef void (*fini_fn)(void);

struct gobp_plugin {
    char *path;
    char *copy;               /* private copy loaded instead of path (path already loaded) */
    void *dl;
    plugin_log_fn log;
    void *log_ctx;
    enter_fn on_enter;
    exit_fn on_exit;
    fini_fn fini;
    int timeout_ms;
};

static gobp_plugin *current;   /* the plugin whose code runs now */
static struct loaded_path { char *path; int refs; struct loaded_path *next; } *loaded;

static int loaded_ref(const char *path, int delta)
{
    struct loaded_path **pp = &loaded;
    while (*pp && strcmp((*pp)->path, path) != 0)
        pp = &(*pp)->next;
    if (!*pp && delta > 0) {
        *pp = xcalloc(1, sizeof **pp);
        (*pp)->path = xstrdup(path);
    }
    if (!*pp)
        return 0;
    int before = (*pp)->refs;
    (*pp)->refs += delta;
    if ((*pp)->refs <= 0) {
        struct loaded_path *gone = *pp;
        *pp = gone->next;
        free(gone->path);
        free(gone);
    }
    return before;
}

/* A private copy of path (dlopen would hand back the instance already loaded). */
static char *private_copy(const char *path, char *err, size_t errlen)
{
    char tmpl[] = "/tmp/gobp-plugin-XXXXXX";
    int out = mkstemp(tmpl);
    FILE *in = fopen(path, "rb");
    if (out < 0 || !in) {
        snprintf(err, errlen, "plugin %s: cannot make a private copy: %s", path, strerror(errno));
        if (out >= 0)
            close(out);
        if (in)
            fclose(in);
        return NULL;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (write(out, buf, n) != (ssize_t)n)
            break;
    fclose(in);
    close(out);
    return xstrdup(tmpl);
}

void plugin_log_current(const char *line)
{
    if (current && current->log)
        current->log(current->log_ctx, line);
    else
        fprintf(stderr, "%s\n", line);
}

typedef struct {
    gobp_plugin *p;
    gobp_call *call;
    const char *config;
    gobp_action action;
    int init_rc;
} guarded_call;

static int guarded(gobp_plugin *p, void (*fn)(void *), void *arg, char *why, size_t whylen)
{
    gobp_plugin *outer = current;
    current = p;
    int rc = guard_run(fn, arg, p->timeout_ms, why, whylen);
    current = outer;
    return rc;
}

static void run_init(void *arg)
{
    guarded_call *g = arg;
    init_fn init = (init_fn)dlsym(g->p->dl, "gobp_plugin_init");
    g->init_rc = init ? init(g->config) : 0;
}

gobp_plugin *plugin_load(const char *path, const char *config, int timeout_ms, plugin_log_fn log, void *log_ctx,
                         char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        snprintf(err, errlen, "plugin %s does not exist", path);
        return NULL;
    }
    char *copy = NULL;
    if (loaded_ref(path, 0) > 0 && !(copy = private_copy(path, err, errlen)))
        return NULL;
    void *dl = dlopen(copy ? copy : path, RTLD_NOW | RTLD_LOCAL);
    if (copy)
        unlink(copy);   /* the mapping stays; nothing is left behind */
    free(copy);
    if (!dl) {
        snprintf(err, errlen, "plugin %s: cannot load: %s", path, dlerror());
        return NULL;
    }
    const uint32_t *major = dlsym(dl, "gobp_plugin_api_major");
    if (!major) {
        snprintf(err, errlen, "plugin %s was not built with gobp/plugin.h (no gobp_plugin_api_major)", path);
        dlclose(dl);
        return NULL;
    }
    if (*major != GOBP_PLUGIN_API_MAJOR) {
        snprintf(err, errlen, "plugin %s was built for plugin API %u, gobp-dap supports %d", path, *major,
                 GOBP_PLUGIN_API_MAJOR);
        dlclose(dl);
        return NULL;
    }
    enter_fn on_enter = (enter_fn)dlsym(dl, "gobp_on_enter");
    if (!on_enter) {
        snprintf(err, errlen, "plugin %s does not export gobp_on_enter", path);
        dlclose(dl);
        return NULL;
    }
    const gobp_host_api **host_slot = dlsym(dl, "gobp_host");
    if (host_slot)
        *host_slot = &gobp_host_api_v1;
    gobp_plugin *p = xcalloc(1, sizeof *p);
    p->path = xstrdup(path);
    p->dl = dl;
    p->log = log;
    p->log_ctx = log_ctx;
    loaded_ref(path, +1);
    p->on_enter = on_enter;
    p->on_exit = (exit_fn)dlsym(dl, "gobp_on_exit");
    p->fini = (fini_fn)dlsym(dl, "gobp_plugin_fini");
    p->timeout_ms = timeout_ms;
    guarded_call g = { .p = p, .config = config ? config : "" };
    char why[256];
    if (guarded(p, run_init, &g, why, sizeof why) < 0 || g.init_rc != 0) {
        if (g.init_rc != 0)
            snprintf(err, errlen, "plugin %s refused its configuration (gobp_plugin_init returned %d)", path, g.init_rc);
        else
            snprintf(err, errlen, "plugin %s failed in gobp_plugin_init: %s", path, why);
        p->fini = NULL;
        plugin_unload(p, NULL, 0);
        return NULL;
    }
    return p;
}

static void run_fini(void *arg)
{
    ((gobp_plugin *)arg)->fini();
}

int plugin_unload(gobp_plugin *p, char *why, size_t whylen)
{
    if (!p)
        return 0;
    char unused[128];
    if (!why)
        why = unused, whylen = sizeof unused;
    int rc = p->fini ? guarded(p, run_fini, p, why, whylen) : 0;
    /* A plugin that crashed may have left its code running state behind: keep it mapped
     * rather than unmap code a stray pointer might still reach. */
    loaded_ref(p->path, -1);
    free(p->path);
    free(p);
    return rc;
}

const char *plugin_path(const gobp_plugin *p) { return p->path; }
bool plugin_has_exit(const gobp_plugin *p) { return p->on_exit != NULL; }

static void run_enter(void *arg)
{
    guarded_call *g = arg;
    g->action = g->p->on_enter(g->call);
}

static void run_exit(void *arg)
{
    guarded_call *g = arg;
    g->p->on_exit(g->call);
}

int plugin_call_enter(gobp_plugin *p, gobp_call *call, gobp_action *action, char *why, size_t whylen)
{
    guarded_call g = { .p = p, .call = call, .action = GOBP_CONTINUE };
    if (guarded(p, run_enter, &g, why, whylen) < 0)
        return -1;
    if (g.action != GOBP_CONTINUE && g.action != GOBP_STOP && g.action != GOBP_RETURN) {
        snprintf(why, whylen, "gobp_on_enter returned %d, which is not GOBP_CONTINUE, GOBP_STOP or GOBP_RETURN", (int)g.action);
        return -1;
    }
    *action = g.action;
    return 0;
}

int plugin_call_exit(gobp_plugin *p, gobp_call *call, char *why, size_t whylen)
{
    guarded_call g = { .p = p, .call = call };
    return p->on_exit ? guarded(p, run_exit, &g, why, whylen) : 0;
}
