/* latency.so — how long each call takes, measured at the function's entry and return.
 *
 * gobp_on_enter stores a monotonic timestamp as the call's data; gobp_on_exit logs
 * "FUNC took N us" (a debug console line; stderr in `gobp-dap run`). When the plugin is
 * unloaded it prints a per-function summary (calls, total, max) on stderr.
 *
 * Config: "min_us=N" logs only calls that took at least N microseconds (all by default);
 *         "quiet" logs nothing per call, only the summary.
 * The time includes gobp-dap's own overhead of the two stops (some microseconds).
 *
 *   {"function": "main.compute", "plugin": "./build/plugins/latency.so", "config": "min_us=0"}
 */
#include <gobp/plugin.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static uint64_t min_us;
static int quiet;

struct stat_entry { char name[256]; uint64_t calls, total_ns, max_ns; };
static struct stat_entry stats[64];
static int nstats;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int gobp_plugin_init(const char *config)
{
    const char *m = config ? strstr(config, "min_us=") : NULL;
    if (m) min_us = strtoull(m + 7, NULL, 10);
    quiet = config && strstr(config, "quiet") != NULL;
    return 0;
}

gobp_action gobp_on_enter(gobp_call *c)
{
    gobp_set_call_data(c, (uintptr_t)now_ns());
    return GOBP_CONTINUE;
}

void gobp_on_exit(gobp_call *c)
{
    uint64_t start = (uint64_t)gobp_call_data(c);
    if (!start) return; /* entered before the plugin was loaded */
    uint64_t ns = now_ns() - start;
    const char *fn = gobp_function(c);

    pthread_mutex_lock(&lock);
    int i;
    for (i = 0; i < nstats && strcmp(stats[i].name, fn); i++) {}
    if (i == nstats && nstats < (int)(sizeof stats / sizeof stats[0])) {
        snprintf(stats[i].name, sizeof stats[i].name, "%s", fn);
        nstats++;
    }
    if (i < nstats) {
        stats[i].calls++;
        stats[i].total_ns += ns;
        if (ns > stats[i].max_ns) stats[i].max_ns = ns;
    }
    pthread_mutex_unlock(&lock);

    if (!quiet && ns / 1000 >= min_us)
        gobp_log(c, "%s took %llu us (goroutine %lld)", fn, (unsigned long long)(ns / 1000),
                 (long long)gobp_goroutine_id(c));
}

void gobp_plugin_fini(void)
{
    for (int i = 0; i < nstats; i++)
        gobp_log_plugin("latency: %s: %llu calls, total %llu us, mean %llu us, max %llu us", stats[i].name,
                (unsigned long long)stats[i].calls, (unsigned long long)(stats[i].total_ns / 1000),
                (unsigned long long)(stats[i].total_ns / 1000 / stats[i].calls),
                (unsigned long long)(stats[i].max_ns / 1000));
}
