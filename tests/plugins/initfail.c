/* initfail.so (test) — gobp_plugin_init refuses to load (returns 1). */
#include <gobp/plugin.h>

int gobp_plugin_init(const char *config) { (void)config; return 1; }
gobp_action gobp_on_enter(gobp_call *c) { (void)c; return GOBP_CONTINUE; }
