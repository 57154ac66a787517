/* What the threads list shows of goroutines beyond their ids: their pprof labels (read
 * through DWARF's runtime/pprof.labelMap: a map[string]string up to Go 1.23, a struct holding
 * a list of key/value pairs since), and Delve's goroutine filters (goroutineFilters: -with /
 * -without userloc, curloc, goloc, startloc, label, running, user), parsed once. */
#include "target_internal.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pprof labels ---- */

static char *unquoted(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && s[0] == '"' && s[n - 1] == '"' ? xstrndup(s + 1, n - 2) : xstrdup(s);
}

static void label_add(gobp_label **out, int *n, char *key, char *value)
{
    *out = xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
    (*out)[(*n)++] = (gobp_label){ key, value };
}

/* A list of {Key, Value string} (Go 1.24+): reached through the struct's first fields. */
static void labels_of_list(const gobp_memview *mv, gobp_value v, gobp_label **out, int *n)
{
    gobp_value next;
    for (int depth = 0; depth < 4 && v.type && v.type->kind == GOBP_KIND_STRUCT && v.type->nfields > 0; depth++) {
        if (value_field(mv, &v, v.type->fields[0].name, &next) < 0)
            break;
        value_free(&v);
        v = next;
    }
    int count = v.type && v.type->kind == GOBP_KIND_SLICE ? value_child_count(mv, &v) : 0;
    for (int i = 0; i < count && i < 4096; i++) {
        gobp_value el, k, val;
        if (value_index(mv, &v, i, &el) < 0)
            break;
        if (el.type && el.type->nfields >= 2 && value_field(mv, &el, el.type->fields[0].name, &k) == 0) {
            if (value_field(mv, &el, el.type->fields[1].name, &val) == 0) {
                size_t kl, vl;
                label_add(out, n, value_string(mv, &k, 256, &kl), value_string(mv, &val, 1024, &vl));
                value_free(&val);
            }
            value_free(&k);
        }
        value_free(&el);
    }
    value_free(&v);
}

int target_goroutine_labels(gobp_target *t, const gobp_goroutine *g, gobp_label **out)
{
    *out = NULL;
    int n = 0;
    gobp_type *lt = g->labels ? binary_type_by_name(t->bin, "runtime/pprof.labelMap") : NULL;
    if (!lt)
        return 0;
    gobp_memview mv = target_memview(t);
    gobp_value v = value_at(lt, g->labels);
    if (lt->kind != GOBP_KIND_MAP) {
        labels_of_list(&mv, v, out, &n);
        return n;
    }
    int count = value_child_count(&mv, &v);
    gobp_child *kids = count > 0 ? xcalloc((size_t)count, sizeof *kids) : NULL;
    int got = count > 0 ? value_children(&mv, &v, 0, count, kids) : 0;
    for (int i = 0; i < got; i++) {
        size_t vl;
        label_add(out, &n, unquoted(kids[i].name), value_string(&mv, &kids[i].value, 1024, &vl));
    }
    gobp_children_free(kids, got);
    free(kids);
    value_free(&v);
    return n;
}

void target_labels_free(gobp_label *l, int n)
{
    for (int i = 0; i < n; i++) {
        free(l[i].key);
        free(l[i].value);
    }
    free(l);
}

/* ---- filters ---- */

typedef enum { GF_USERLOC, GF_CURLOC, GF_GOLOC, GF_STARTLOC, GF_LABEL, GF_RUNNING, GF_USER } gf_kind;

typedef struct {
    gf_kind kind;
    bool without;
    char *arg;        /* LOC: the substring; LABEL: the key */
    char *value;      /* LABEL key=value: the value, else NULL */
} gf_rule;

struct gobp_goroutine_filter {
    gf_rule *rules;
    int n;
};

static const char *const gf_names[] = { "userloc", "curloc", "goloc", "startloc", "label", "running", "user" };

void target_goroutine_filter_free(gobp_goroutine_filter *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++) {
        free(f->rules[i].arg);
        free(f->rules[i].value);
    }
    free(f->rules);
    free(f);
}

static char *next_word(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
    if (!**p)
        return NULL;
    const char *start = *p;
    if (*start == '"') {                       /* "a quoted expr" */
        const char *end = strchr(start + 1, '"');
        if (end) {
            *p = end + 1;
            return xstrndup(start + 1, (size_t)(end - start - 1));
        }
    }
    while (**p && **p != ' ' && **p != '\t')
        (*p)++;
    return xstrndup(start, (size_t)(*p - start));
}

gobp_goroutine_filter *target_goroutine_filter_parse(const char *text, char *err, size_t errlen)
{
    gobp_goroutine_filter *f = xcalloc(1, sizeof *f);
    const char *p = text;
    char *w;
    while ((w = next_word(&p))) {
        gf_rule r = { .without = strcmp(w, "-without") == 0 || strcmp(w, "-wo") == 0 };
        bool with = strcmp(w, "-with") == 0 || strcmp(w, "-w") == 0;
        char *kind = with || r.without ? next_word(&p) : NULL;
        int k = 0;
        while (kind && k < (int)(sizeof gf_names / sizeof gf_names[0]) && strcmp(kind, gf_names[k]) != 0)
            k++;
        if (!kind || k == (int)(sizeof gf_names / sizeof gf_names[0])) {
            snprintf(err, errlen, "\"%s%s%s\" is not a goroutine filter: use -with or -without (-w, -wo) followed by "
                     "userloc, curloc, goloc or startloc and a text, label KEY[=VALUE], running or user",
                     w, kind ? " " : "", kind ? kind : "");
            free(w);
            free(kind);
            target_goroutine_filter_free(f);
            return NULL;
        }
        r.kind = (gf_kind)k;
        if (r.kind <= GF_LABEL) {
            r.arg = next_word(&p);
            if (!r.arg) {
                snprintf(err, errlen, "goroutine filter \"%s %s\" needs %s", w, kind,
                         r.kind == GF_LABEL ? "a label KEY or KEY=VALUE" : "a text to look for");
                free(w);
                free(kind);
                target_goroutine_filter_free(f);
                return NULL;
            }
            char *eq = r.kind == GF_LABEL ? strchr(r.arg, '=') : NULL;
            if (eq) {
                r.value = xstrdup(eq + 1);
                *eq = 0;
            }
        }
        free(w);
        free(kind);
        f->rules = xrealloc(f->rules, (size_t)(f->n + 1) * sizeof *f->rules);
        f->rules[f->n++] = r;
    }
    return f;
}

/* "file:line function" of pc (or of the call before a return address), for substring tests. */
static void location_text(gobp_target *t, uint64_t pc, char *buf, size_t len)
{
    const char *file = "";
    int line = 0;
    const gobp_func *f = binary_func_by_pc(t->bin, pc);
    binary_pc_to_line(t->bin, pc, &file, &line);
    snprintf(buf, len, "%s:%d %s", file ? file : "", line, f ? f->name : "");
}

/* The goroutine's top frame (curloc) or topmost frame in user code (userloc). */
static void frame_location(gobp_target *t, const gobp_goroutine *g, bool user, char *buf, size_t len)
{
    gobp_frame frames[64];
    int total = 0, n = target_stack(t, g->goid, frames, 64, &total);
    buf[0] = 0;
    for (int i = 0; i < n; i++)
        if (!user || (frames[i].func && target_is_user_function(frames[i].func->name))) {
            location_text(t, frames[i].lookup_pc, buf, len);
            return;
        }
}

static bool rule_holds(gobp_target *t, const gf_rule *r, const gobp_goroutine *g)
{
    char loc[1024] = "";
    switch (r->kind) {
    case GF_USERLOC:
    case GF_CURLOC:
        frame_location(t, g, r->kind == GF_USERLOC, loc, sizeof loc);
        return strstr(loc, r->arg) != NULL;
    case GF_GOLOC:
    case GF_STARTLOC:
        location_text(t, r->kind == GF_GOLOC ? g->go_pc : g->start_pc, loc, sizeof loc);
        return strstr(loc, r->arg) != NULL;
    case GF_RUNNING:
        return g->status == G_RUNNING || g->status == G_SYSCALL;
    case GF_USER:
        return !target_goroutine_is_system(t, g);
    case GF_LABEL: {
        gobp_label *l;
        int n = target_goroutine_labels(t, g, &l);
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = strcmp(l[i].key, r->arg) == 0 && (!r->value || strcmp(l[i].value, r->value) == 0);
        target_labels_free(l, n);
        return found;
    }
    }
    return true;
}

bool target_goroutine_filter_match(gobp_target *t, const gobp_goroutine_filter *f, const gobp_goroutine *g)
{
    for (int i = 0; f && i < f->n; i++)
        if (rule_holds(t, &f->rules[i], g) == f->rules[i].without)
            return false;
    return true;
}
