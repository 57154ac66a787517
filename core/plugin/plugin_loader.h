/* Loading handler plugins (dlopen) and calling them under a guard: a plugin that crashes,
 * aborts or runs past its time limit is stopped and reported instead of taking gobp-dap down. */
#ifndef GOBP_PLUGIN_INTERNAL_H
#define GOBP_PLUGIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "gobp/plugin.h"

typedef struct gobp_plugin gobp_plugin;

/* Where gobp_log lines go when a plugin logs outside a call (init, fini). */
typedef void (*plugin_log_fn)(void *ctx, const char *line);

/* Loads path, checks its API version and gobp_on_enter, runs gobp_plugin_init(config) under
 * the guard. Every handler gets its own instance: a path already loaded is loaded again from
 * a private copy, so two handlers with one .so and two configs do not share globals.
 * NULL with a sentence in err naming the plugin. */
gobp_plugin *plugin_load(const char *path, const char *config, int timeout_ms, plugin_log_fn log, void *log_ctx,
                         char *err, size_t errlen);
/* Runs gobp_plugin_fini (guarded) and dlcloses. 0, or -1 with why (may be NULL) when fini crashed,
 * hung or called exit. */
int plugin_unload(gobp_plugin *p, char *why, size_t whylen);
const char *plugin_path(const gobp_plugin *p);
bool plugin_has_exit(const gobp_plugin *p);

/* Guarded calls: 0 on success; -1 when the plugin crashed or timed out (why says which). */
int plugin_call_enter(gobp_plugin *p, gobp_call *call, gobp_action *action, char *why, size_t whylen);
int plugin_call_exit(gobp_plugin *p, gobp_call *call, char *why, size_t whylen);

/* gobp_log(NULL, ...) from the plugin now running (init, fini, or a call). */
void plugin_log_current(const char *line);

/* The guard itself: runs fn(arg) with fatal signals and a timer caught. 0, or -1 with why. */
int guard_run(void (*fn)(void *), void *arg, int timeout_ms, char *why, size_t whylen);

#endif
