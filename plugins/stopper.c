/* stopper.so — a conditional breakpoint written in C: stop only when an argument has a value.
 *
 * Config: "arg=NAME;equals=VALUE". The call stops in the editor (a normal breakpoint stop at
 * the function's entry, arguments in the Variables view) when argument NAME equals VALUE:
 * strings compare as text, integers/floats as numbers, bools as true/false. Every other call
 * runs on without a stop. Without arg= every call stops. In `gobp-dap run` (no editor) a
 * stop is logged and the program goes on.
 *
 *   {"function": "main.lookup", "plugin": "./build/plugins/stopper.so", "config": "arg=key;equals=k3"}
 */
#include <gobp/plugin.h>
#include <stdlib.h>

static char arg[128];
static char equals[1024];

static void copy(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size) len = size - 1;
    memcpy(dst, src, len);
    dst[len] = 0;
}

int gobp_plugin_init(const char *config)
{
    const char *p = config ? config : "";
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq && len) { fprintf(stderr, "stopper: bad config \"%s\"\n", config); return 1; }
        if (eq) {
            size_t klen = (size_t)(eq - p);
            if (klen == 3 && !strncmp(p, "arg", 3)) copy(arg, sizeof arg, eq + 1, len - klen - 1);
            else if (klen == 6 && !strncmp(p, "equals", 6)) copy(equals, sizeof equals, eq + 1, len - klen - 1);
            else { fprintf(stderr, "stopper: unknown key in \"%s\"\n", config); return 1; }
        }
        p += len + (end ? 1 : 0);
    }
    return 0;
}

static int equal(gobp_val *v)
{
    char *end;
    switch (gobp_kind(v)) {
    case GOBP_STRING: {
        char buf[sizeof equals + 1];
        int64_t n = gobp_get_string(v, buf, sizeof buf);
        return n >= 0 && (size_t)n == strlen(equals) && strcmp(buf, equals) == 0;
    }
    case GOBP_INT: case GOBP_INT8: case GOBP_INT16: case GOBP_INT32: case GOBP_INT64: {
        int64_t x, want = strtoll(equals, &end, 0);
        return *end == 0 && gobp_get_int(v, &x) == 0 && x == want;
    }
    case GOBP_UINT: case GOBP_UINT8: case GOBP_UINT16: case GOBP_UINT32: case GOBP_UINT64: case GOBP_UINTPTR: {
        uint64_t x, want = strtoull(equals, &end, 0);
        return *end == 0 && gobp_get_uint(v, &x) == 0 && x == want;
    }
    case GOBP_FLOAT32: case GOBP_FLOAT64: {
        double x, want = strtod(equals, &end);
        return *end == 0 && gobp_get_float(v, &x) == 0 && x == want;
    }
    case GOBP_BOOL: {
        int x;
        return gobp_get_bool(v, &x) == 0 && (x ? !strcmp(equals, "true") : !strcmp(equals, "false"));
    }
    default: /* anything else: compare with the Variables-view text */
        return strcmp(gobp_format(v), equals) == 0;
    }
}

gobp_action gobp_on_enter(gobp_call *c)
{
    if (!arg[0]) return GOBP_STOP;
    gobp_val *v = gobp_arg_named(c, arg);
    if (!v) {
        if (gobp_hit_count(c) == 1) gobp_log(c, "stopper: %s has no argument named %s", gobp_function(c), arg);
        return GOBP_CONTINUE;
    }
    if (!equal(v)) return GOBP_CONTINUE;
    gobp_log(c, "stopper: %s stops: %s == %s (goroutine %lld)", gobp_function(c), arg, equals,
             (long long)gobp_goroutine_id(c));
    return GOBP_STOP;
}
