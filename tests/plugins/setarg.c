/* setarg.so (test) — overwrites one argument on entry, then the call runs.
 * Config: "NAME=KIND:VALUE" with KIND int | uint | float | bool | string.
 * Logs "setarg: FUNC NAME was OLD" and "setarg: FUNC NAME set" (or the host's error). */
#include <gobp/plugin.h>
#include <stdlib.h>

static char name[128], kind[16], value[512];

int gobp_plugin_init(const char *config)
{
    const char *eq = strchr(config, '='), *colon = eq ? strchr(eq, ':') : NULL;
    if (!eq || !colon) return 1;
    snprintf(name, sizeof name, "%.*s", (int)(eq - config), config);
    snprintf(kind, sizeof kind, "%.*s", (int)(colon - eq - 1), eq + 1);
    snprintf(value, sizeof value, "%s", colon + 1);
    return 0;
}

gobp_action gobp_on_enter(gobp_call *c)
{
    gobp_val *v = gobp_arg_named(c, name);
    if (!v) { gobp_log(c, "setarg: %s has no argument %s", gobp_function(c), name); return GOBP_CONTINUE; }
    gobp_log(c, "setarg: %s %s was %s", gobp_function(c), name, gobp_format(v));
    int rc;
    if (!strcmp(kind, "int")) rc = gobp_set_int(c, v, strtoll(value, NULL, 0));
    else if (!strcmp(kind, "uint")) rc = gobp_set_uint(c, v, strtoull(value, NULL, 0));
    else if (!strcmp(kind, "float")) rc = gobp_set_float(c, v, strtod(value, NULL));
    else if (!strcmp(kind, "bool")) rc = gobp_set_bool(c, v, atoi(value));
    else rc = gobp_set_string(c, v, value);
    if (rc) gobp_log(c, "setarg: %s %s: %s", gobp_function(c), name, gobp_last_error(c));
    else gobp_log(c, "setarg: %s %s set", gobp_function(c), name);
    return GOBP_CONTINUE;
}
