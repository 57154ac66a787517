/* noenter.so (test) — a plugin that forgot gobp_on_enter (it has only gobp_on_exit). */
#include <gobp/plugin.h>

void gobp_on_exit(gobp_call *c) { (void)c; }
