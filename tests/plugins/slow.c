/* slow.so (test) — gobp_on_enter sleeps "ms=N" milliseconds (default 500), logs
 * "slow: FUNC done after N ms" and continues. */
#include <gobp/plugin.h>
#include <stdlib.h>
#include <time.h>

static long ms = 500;

int gobp_plugin_init(const char *config)
{
    const char *m = strstr(config, "ms=");
    if (m) ms = strtol(m + 3, NULL, 10);
    return 0;
}

gobp_action gobp_on_enter(gobp_call *c)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
    gobp_log(c, "slow: %s done after %ld ms", gobp_function(c), ms);
    return GOBP_CONTINUE;
}
