/* crash.so (test) — gobp_on_enter dereferences NULL (SIGSEGV). */
#include <gobp/plugin.h>

int *volatile crash_target;

gobp_action gobp_on_enter(gobp_call *c)
{
    (void)c;
    *crash_target = 42;
    return GOBP_CONTINUE;
}
