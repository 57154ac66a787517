/* overflow.so (test) — gobp_on_enter recurses without end and overflows its stack (SIGSEGV on
 * the guard page, handled on the guard's alternate stack). */
#include <gobp/plugin.h>

static volatile int sink, depth_limit = -1;   /* -1: no end (a volatile the compiler cannot see through) */

static int deeper(int n)
{
    volatile char pad[256];
    pad[n & 255] = (char)n;
    if (n == depth_limit)
        return 0;
    return deeper(n + 1) + pad[(n + 1) & 255];
}

gobp_action gobp_on_enter(gobp_call *c)
{
    (void)c;
    sink = deeper(0);
    return GOBP_CONTINUE;
}
