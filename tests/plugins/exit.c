/* exit.so (test) — gobp_on_enter calls exit(3), as a plugin that gives up might: the guard must
 * turn it into a failure of the plugin, not the end of gobp-dap. */
#include <gobp/plugin.h>
#include <stdlib.h>

gobp_action gobp_on_enter(gobp_call *c)
{
    (void)c;
    exit(3);
}
