/* onexit.so (test) — the call runs; on return logs every result as
 * "onexit: FUNC NAME (TYPE) = FORMAT", then overwrites results per the config (spec.h). */
#include "spec.h"

int gobp_plugin_init(const char *config) { return spec_parse(config) ? 1 : 0; }

gobp_action gobp_on_enter(gobp_call *c)
{
    gobp_set_call_data(c, 0x5eed);
    return GOBP_CONTINUE;
}

void gobp_on_exit(gobp_call *c)
{
    if (gobp_call_data(c) != 0x5eed) gobp_log(c, "onexit: call data lost (%#lx)", (unsigned long)gobp_call_data(c));
    for (int i = 0; i < gobp_result_count(c); i++) {
        gobp_val *v = gobp_result(c, i);
        gobp_log(c, "onexit: %s %s (%s) = %s", gobp_function(c), gobp_result_name(c, i), gobp_result_type(c, i),
                 v ? gobp_format(v) : "(unreadable)");
    }
    if (spec_when && gobp_hit_count(c) != spec_when) return;
    int failed = spec_apply(c, "onexit");
    gobp_log(c, "onexit: %s overwritten (%d set, %d failed)", gobp_function(c), nspec - failed, failed);
}
