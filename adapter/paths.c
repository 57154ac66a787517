/* substitutePath, Delve's launch/attach attribute: source paths rewritten between the editor
 * ("from") and the binary's DWARF ("to"), editor->binary for setBreakpoints and binary->editor
 * for stack frames, breakpoint locations and disassembly; the first matching rule wins. And
 * the DAP Source object of an editor path. */
#include "alloc.h"
#include "session.h"

#include <string.h>

void session_path_rules_free(session *s)
{
    path_rules_free(s->path_rules, s->npath_rules);
    s->path_rules = NULL;
    s->npath_rules = 0;
}

void session_set_path_rules(session *s, path_rule *rules, int n)
{
    session_path_rules_free(s);
    s->path_rules = rules;
    s->npath_rules = n;
}

/* path rewritten by the rule prefix -> replacement, or NULL if the rule does not apply: path
 * equals prefix, or starts with it at a '/' boundary; an empty prefix matches relative paths. */
static char *apply(const char *path, const char *prefix, const char *replacement)
{
    if (strcmp(path, prefix) == 0)
        return xstrdup(replacement);
    size_t pl = strlen(prefix);
    const char *rest;
    if (pl == 0) {
        if (path[0] == '/')
            return NULL;
        rest = path;
    } else {
        if (strncmp(path, prefix, pl) != 0 || (prefix[pl - 1] != '/' && path[pl] != '/'))
            return NULL;
        rest = path + pl;
    }
    while (*rest == '/')
        rest++;
    size_t rl = strlen(replacement);
    if (rl == 0)
        return xstrdup(rest);
    char *out = xmalloc(rl + strlen(rest) + 2);
    bool slash = replacement[rl - 1] == '/' || !*rest;
    sprintf(out, "%s%s%s", replacement, slash ? "" : "/", rest);
    return out;
}

static char *map(session *s, const char *path, bool to_binary)
{
    for (int i = 0; path && i < s->npath_rules; i++) {
        const path_rule *r = &s->path_rules[i];
        char *out = to_binary ? apply(path, r->from, r->to) : apply(path, r->to, r->from);
        if (out)
            return out;
    }
    return path ? xstrdup(path) : NULL;
}

char *session_path_to_binary(session *s, const char *editor_path)
{
    return map(s, editor_path, true);
}

/* A relative DWARF directory is relative to the compile directory, "." for Go: a -trimpath
 * build's files come out as ./example.com/mod/main.go; Delve (and the rules users copy from
 * its documentation) name them example.com/mod/main.go. */
const char *session_path_clean(const char *binary_path)
{
    while (binary_path && binary_path[0] == '.' && binary_path[1] == '/')
        binary_path += 2;
    return binary_path;
}

char *session_path_to_editor(session *s, const char *binary_path)
{
    return map(s, session_path_clean(binary_path), false);
}

json_object *session_source_json(const char *path)
{
    json_object *src = json_object_new_object();
    const char *base = strrchr(path, '/');
    json_object_object_add(src, "name", json_object_new_string(base ? base + 1 : path));
    json_object_object_add(src, "path", json_object_new_string(path));
    return src;
}
