/* abort.so (test) — gobp_on_enter calls abort() (SIGABRT). */
#include <gobp/plugin.h>
#include <stdlib.h>

gobp_action gobp_on_enter(gobp_call *c)
{
    (void)c;
    abort();
}
