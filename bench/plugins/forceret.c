/* forceret.so — bench handler: force the function to return 0 at once. */
#include <gobp/plugin.h>

gobp_action gobp_on_enter(gobp_call *c)
{
    gobp_return_int(c, 0, 0);
    return GOBP_RETURN;
}
