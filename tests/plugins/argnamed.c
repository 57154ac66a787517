/* argnamed.so (test) — reads arguments by name on entry (gobp_arg_named), then the call runs.
 * Config: names separated by ','; "p.F" reads field F of argument p.
 * Logs "argnamed: FUNC NAME (TYPE) = FORMAT", a typed line for ints and strings
 * ("argnamed: typed NAME=VALUE"), or "argnamed: FUNC NAME: <gobp_last_error>". */
#include <gobp/plugin.h>
#include <inttypes.h>
#include <stdlib.h>

static char names[512];

int gobp_plugin_init(const char *config)
{
    snprintf(names, sizeof names, "%s", config ? config : "");
    return names[0] ? 0 : 1;
}

static void show(gobp_call *c, const char *name)
{
    char arg[128];
    snprintf(arg, sizeof arg, "%s", name);
    char *field = strchr(arg, '.');
    if (field) *field++ = 0;
    gobp_val *v = gobp_arg_named(c, arg);
    if (v && field) v = gobp_field(v, field);
    if (!v) {
        gobp_log(c, "argnamed: %s %s: %s", gobp_function(c), name, gobp_last_error(c));
        return;
    }
    gobp_log(c, "argnamed: %s %s (%s) = %s", gobp_function(c), name, gobp_type_name(v), gobp_format(v));
    int64_t i;
    char s[256];
    if (gobp_kind(v) == GOBP_INT && gobp_get_int(v, &i) == 0) gobp_log(c, "argnamed: typed %s=%" PRId64, name, i);
    if (gobp_kind(v) == GOBP_STRING && gobp_get_string(v, s, sizeof s) >= 0) gobp_log(c, "argnamed: typed %s=\"%s\"", name, s);
}

gobp_action gobp_on_enter(gobp_call *c)
{
    char list[512];
    snprintf(list, sizeof list, "%s", names);
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) show(c, tok);
    return GOBP_CONTINUE;
}
