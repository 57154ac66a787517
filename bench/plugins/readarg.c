/* readarg.so — bench handler: read argument 0 (a string) and continue. */
#include <gobp/plugin.h>

static volatile int64_t total;

gobp_action gobp_on_enter(gobp_call *c)
{
    char buf[64];
    gobp_val *v = gobp_arg(c, 0);
    if (v)
        total += gobp_get_string(v, buf, sizeof buf);
    return GOBP_CONTINUE;
}
