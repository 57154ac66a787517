/* substitutePath, Delve's launch/attach attribute: source paths rewritten between the editor
 * ("from") and the binary's DWARF ("to"), editor->binary for setBreakpoints and binary->editor
 * for stack frames, breakpoint locations and disassembly; the first matching rule wins. */
#include "session.h"

#include <stdlib.h>
#include <string.h>

void session_path_rules_free(session *s)
{
    for (int i = 0; i < s->npath_rules; i++) {
        free(s->path_rules[i].from);
        free(s->path_rules[i].to);
    }
    free(s->path_rules);
    s->path_rules = NULL;
    s->npath_rules = 0;
}

int session_set_substitute_path(session *s, json_object *rules, char *err, size_t errlen)
{
    session_path_rules_free(s);
    if (!rules)
        return 0;
    if (!json_object_is_type(rules, json_type_array)) {
        snprintf(err, errlen, "substitutePath must be an array of {\"from\": \"/editor/path\", \"to\": \"/path/in/the/binary\"}");
        return -1;
    }
    size_t n = json_object_array_length(rules);
    s->path_rules = calloc(n ? n : 1, sizeof *s->path_rules);
    for (size_t i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(rules, i), *from = NULL, *to = NULL;
        if (!r || !json_object_is_type(r, json_type_object) || !json_object_object_get_ex(r, "from", &from) ||
            !json_object_object_get_ex(r, "to", &to) || !json_object_is_type(from, json_type_string) ||
            !json_object_is_type(to, json_type_string)) {
            snprintf(err, errlen, "substitutePath[%zu]: each rule is {\"from\": \"/editor/path\", \"to\": \"/path/in/the/binary\"} "
                     "with two strings", i);
            session_path_rules_free(s);
            return -1;
        }
        s->path_rules[i].from = strdup(json_object_get_string(from));
        s->path_rules[i].to = strdup(json_object_get_string(to));
        s->npath_rules++;
    }
    return 0;
}

/* path rewritten by the rule prefix -> replacement, or NULL if the rule does not apply: path
 * equals prefix, or starts with it at a '/' boundary; an empty prefix matches relative paths. */
static char *apply(const char *path, const char *prefix, const char *replacement)
{
    if (strcmp(path, prefix) == 0)
        return strdup(replacement);
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
        return strdup(rest);
    char *out = malloc(rl + strlen(rest) + 2);
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
    return path ? strdup(path) : NULL;
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
