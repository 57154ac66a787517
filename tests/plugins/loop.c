/* loop.so (test) — gobp_on_enter never returns. */
#include <gobp/plugin.h>

gobp_action gobp_on_enter(gobp_call *c)
{
    (void)c;
    for (;;) __asm__ volatile("" ::: "memory");
}
