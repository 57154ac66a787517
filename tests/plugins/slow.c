/* slow.so (test) — gobp_on_enter sleeps "ms=N" milliseconds (default 500), logs
 * "slow: FUNC done after N ms" and continues. "mark=PATH" (last in the config) creates the
 * file PATH when a call starts, so a test knows a plugin call is in flight. */
#include <gobp/plugin.h>
#include <stdlib.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static long ms = 500;
static char mark[1024];

int gobp_plugin_init(const char *config)
{
    const char *m = strstr(config, "ms=");
    if (m) ms = strtol(m + 3, NULL, 10);
    const char *k = strstr(config, "mark=");
    if (k) snprintf(mark, sizeof mark, "%s", k + 5);
    return 0;
}

gobp_action gobp_on_enter(gobp_call *c)
{
    if (mark[0]) close(open(mark, O_WRONLY | O_CREAT, 0644));
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
    gobp_log(c, "slow: %s done after %ld ms", gobp_function(c), ms);
    return GOBP_CONTINUE;
}
