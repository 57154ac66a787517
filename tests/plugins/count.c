/* count.so (test) — counts gobp_on_enter calls per function (thread-safe; one .so may serve
 * several handlers). A call whose first integer argument equals the sentinel (config
 * "sentinel=N", default -1) is not counted; it logs "count: FUNC N calls, hit H" (H = the
 * host's gobp_hit_count, which includes the sentinel call).
 * "out=PATH": gobp_plugin_fini writes "FUNC N" lines to PATH. */
#include <gobp/plugin.h>
#include <pthread.h>
#include <stdlib.h>

static int64_t sentinel = -1;
static char out[1024];
static struct { char name[256]; uint64_t n; } fns[64];
static int nfns;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int gobp_plugin_init(const char *config)
{
    const char *s = strstr(config, "sentinel=");
    if (s) sentinel = strtoll(s + 9, NULL, 10);
    const char *o = strstr(config, "out=");
    if (o) snprintf(out, sizeof out, "%.*s", (int)strcspn(o + 4, ";"), o + 4);
    return 0;
}

static int slot(const char *fn)
{
    int i;
    for (i = 0; i < nfns && strcmp(fns[i].name, fn); i++) {}
    if (i == nfns) {
        if (nfns == 64) return -1;
        snprintf(fns[i].name, sizeof fns[i].name, "%s", fn);
        nfns++;
    }
    return i;
}

gobp_action gobp_on_enter(gobp_call *c)
{
    const char *fn = gobp_function(c);
    int is_sentinel = 0;
    for (int i = 0; i < gobp_arg_count(c); i++) {
        gobp_val *v = gobp_arg(c, i);
        int64_t x;
        if (v && gobp_get_int(v, &x) == 0) { is_sentinel = x == sentinel; break; }
    }
    pthread_mutex_lock(&lock);
    int i = slot(fn);
    uint64_t n = 0;
    if (i >= 0) { if (!is_sentinel) fns[i].n++; n = fns[i].n; }
    pthread_mutex_unlock(&lock);
    if (is_sentinel)
        gobp_log(c, "count: %s %llu calls, hit %llu", fn, (unsigned long long)n, (unsigned long long)gobp_hit_count(c));
    return GOBP_CONTINUE;
}

void gobp_plugin_fini(void)
{
    if (!out[0]) return;
    FILE *f = fopen(out, "w");
    if (!f) return;
    for (int i = 0; i < nfns; i++) fprintf(f, "%s %llu\n", fns[i].name, (unsigned long long)fns[i].n);
    fclose(f);
}
