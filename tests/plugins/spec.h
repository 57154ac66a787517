/* spec.h — the result mini-language shared by the test plugins force.c and onexit.c.
 *
 * Config: ';'-separated entries INDEX=KIND[:VALUE], applied in order to result INDEX:
 *   0=int:-5  0=uint:7  0=float:2.5  1=bool:1  1=string:text  1=nil  1=global:io.EOF
 *   1=error:message
 * plus "when=N": apply (and force) only on the handler's Nth hit; other calls continue.
 * An empty config sets nothing (a forced return gives zero values). Every result write that
 * fails is logged as "spec: result I: <gobp_last_error>". */
#include <gobp/plugin.h>
#include <stdlib.h>

#define SPEC_MAX 32
struct spec_entry { int index; char kind[16]; char value[256]; };
static struct spec_entry spec[SPEC_MAX];
static int nspec;
static unsigned long spec_when;

static int spec_parse(const char *config)
{
    const char *p = config ? config : "";
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[300];
        if (len >= sizeof item) return -1;
        memcpy(item, p, len);
        item[len] = 0;
        p += len + (end ? 1 : 0);
        if (!len) continue;
        if (!strncmp(item, "when=", 5)) { spec_when = strtoul(item + 5, NULL, 10); continue; }
        char *eq = strchr(item, '=');
        if (!eq || nspec == SPEC_MAX) return -1;
        *eq = 0;
        struct spec_entry *e = &spec[nspec++];
        e->index = atoi(item);
        char *colon = strchr(eq + 1, ':');
        if (colon) *colon = 0;
        snprintf(e->kind, sizeof e->kind, "%s", eq + 1);
        snprintf(e->value, sizeof e->value, "%s", colon ? colon + 1 : "");
    }
    return 0;
}

/* Applies every entry; returns the number of failures. */
static int spec_apply(gobp_call *c, const char *who)
{
    int failed = 0;
    for (int i = 0; i < nspec; i++) {
        struct spec_entry *e = &spec[i];
        int rc;
        if (!strcmp(e->kind, "int")) rc = gobp_return_int(c, e->index, strtoll(e->value, NULL, 0));
        else if (!strcmp(e->kind, "uint")) rc = gobp_return_uint(c, e->index, strtoull(e->value, NULL, 0));
        else if (!strcmp(e->kind, "float")) rc = gobp_return_float(c, e->index, strtod(e->value, NULL));
        else if (!strcmp(e->kind, "bool")) rc = gobp_return_bool(c, e->index, atoi(e->value));
        else if (!strcmp(e->kind, "string")) rc = gobp_return_string(c, e->index, e->value);
        else if (!strcmp(e->kind, "nil")) rc = gobp_return_nil(c, e->index);
        else if (!strcmp(e->kind, "global")) rc = gobp_return_global(c, e->index, e->value);
        else if (!strcmp(e->kind, "error")) rc = gobp_return_error(c, e->index, e->value);
        else { gobp_log(c, "%s: unknown kind %s", who, e->kind); failed++; continue; }
        if (rc) { gobp_log(c, "%s: result %d: %s", who, e->index, gobp_last_error(c)); failed++; }
    }
    return failed;
}
