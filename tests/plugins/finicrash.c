/* finicrash.so (test) — continues every call; gobp_plugin_fini dereferences NULL (SIGSEGV) when
 * the handler is removed or the session ends. */
#include <gobp/plugin.h>

int *volatile fini_target;

gobp_action gobp_on_enter(gobp_call *c)
{
    (void)c;
    return GOBP_CONTINUE;
}

void gobp_plugin_fini(void)
{
    *fini_target = 1;
}
