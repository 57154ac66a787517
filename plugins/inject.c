/* inject.so — error injection: make chosen calls of a Go function return an error at once.
 *
 * The call returns immediately (the function body does not run) with the chosen error as its
 * LAST result and zero values for the others, as `return 0, err` would.
 *
 * Config (the handler's "config" string), ';'-separated key=value pairs:
 *   nth=N          only the Nth matching call (1 = the first)
 *   every=N        every Nth matching call (N, 2N, ...)
 *   match=TEXT     only calls whose first string argument contains TEXT
 *   error=MESSAGE  a new error (errors.New(MESSAGE)); the default is "injected by gobp"
 *   global=NAME    the value of a Go package variable instead, e.g. global=io.EOF
 * Without nth/every/match every call fails.
 *
 *   {"function": "main.lookup", "plugin": "./build/plugins/inject.so", "config": "nth=3;global=io.EOF"}
 */
#include <gobp/plugin.h>
#include <stdlib.h>

static unsigned long nth, every;
static char match[256];
static char message[512] = "injected by gobp";
static char global[256];
static unsigned long matching; /* calls that passed the match= filter */

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
        if (eq) {
            size_t klen = (size_t)(eq - p), vlen = len - klen - 1;
            const char *v = eq + 1;
            char num[32];
            copy(num, sizeof num, v, vlen);
            if (klen == 3 && !strncmp(p, "nth", 3)) nth = strtoul(num, NULL, 10);
            else if (klen == 5 && !strncmp(p, "every", 5)) every = strtoul(num, NULL, 10);
            else if (klen == 5 && !strncmp(p, "match", 5)) copy(match, sizeof match, v, vlen);
            else if (klen == 5 && !strncmp(p, "error", 5)) copy(message, sizeof message, v, vlen);
            else if (klen == 6 && !strncmp(p, "global", 6)) copy(global, sizeof global, v, vlen);
            else { fprintf(stderr, "inject: unknown config key in \"%s\"\n", config); return 1; }
        } else if (len) {
            fprintf(stderr, "inject: config entry without '=' in \"%s\"\n", config);
            return 1;
        }
        p += len + (end ? 1 : 0);
    }
    return 0;
}

/* Does the first string argument contain match? */
static int matches(gobp_call *c)
{
    if (!match[0]) return 1;
    for (int i = 0; i < gobp_arg_count(c); i++) {
        gobp_val *v = gobp_arg(c, i);
        if (!v || gobp_kind(v) != GOBP_STRING) continue;
        char buf[4096];
        if (gobp_get_string(v, buf, sizeof buf) < 0) return 0;
        return strstr(buf, match) != NULL;
    }
    return 0;
}

gobp_action gobp_on_enter(gobp_call *c)
{
    if (!matches(c)) return GOBP_CONTINUE;
    unsigned long n = __atomic_add_fetch(&matching, 1, __ATOMIC_SEQ_CST);
    if (nth && n != nth) return GOBP_CONTINUE;
    if (every && n % every) return GOBP_CONTINUE;

    int results = gobp_result_count(c);
    if (results < 1) {
        gobp_log(c, "inject: %s has no results, nothing to inject", gobp_function(c));
        return GOBP_CONTINUE;
    }
    int last = results - 1;
    int rc = global[0] ? gobp_return_global(c, last, global) : gobp_return_error(c, last, message);
    if (rc != 0) {
        gobp_log(c, "inject: %s: cannot set result %d (%s): %s", gobp_function(c), last,
                 gobp_result_type(c, last), gobp_last_error(c));
        return GOBP_CONTINUE;
    }
    if (global[0]) gobp_log(c, "inject: %s call %lu returns %s", gobp_function(c), n, global);
    else gobp_log(c, "inject: %s call %lu returns error \"%s\"", gobp_function(c), n, message);
    return GOBP_RETURN;
}
