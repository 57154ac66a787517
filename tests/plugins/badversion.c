/* badversion.so (test) — built for plugin API 99. Does not include gobp/plugin.h (which
 * defines gobp_plugin_api_major = 1); it defines the version symbol itself. */
#include <stdint.h>

__attribute__((visibility("default"))) const uint32_t gobp_plugin_api_major = 99;

__attribute__((visibility("default"))) int gobp_on_enter(void *call)
{
    (void)call;
    return 0;
}
