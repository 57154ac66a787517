/* force.so (test) — every call (or the when=N-th) returns at once with the results of the
 * config (spec.h); logs "force: FUNC returns (N results set, F failed)". */
#include "spec.h"

int gobp_plugin_init(const char *config) { return spec_parse(config) ? 1 : 0; }

gobp_action gobp_on_enter(gobp_call *c)
{
    if (spec_when && gobp_hit_count(c) != spec_when) return GOBP_CONTINUE;
    int failed = spec_apply(c, "force");
    gobp_log(c, "force: %s returns (%d results set, %d failed)", gobp_function(c), nspec - failed, failed);
    return GOBP_RETURN;
}
