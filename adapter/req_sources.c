/* Source requests: breakpointLocations (the lines of a range of a file where a breakpoint can
 * go: lines with a statement) and loadedSources (every source file the program's line tables
 * name), paths mapped by substitutePath both ways. */
#include "session.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

DECLARE_REQUEST(req_breakpoint_locations)
{
    json_object *source = NULL;
    json_object_object_get_ex(args, "source", &source);
    const char *path = dap_get_string(source, "path", NULL);
    int64_t line = dap_get_int(args, "line", 0), end = dap_get_int(args, "endLine", line);
    if (!path || line < 1) {
        session_respond_error(s, req, "breakpointLocations: arguments.source.path and a line >= 1 are required");
        return;
    }
    if (end < line || end > INT32_MAX) {
        session_respond_error(s, req, "breakpointLocations: endLine %lld is before line %lld or past the int32 range",
                              (long long)end, (long long)line);
        return;
    }
    char *bin_path = session_path_to_binary(s, path);
    int *lines;
    int n = target_breakpoint_lines(s->target, bin_path, (int)line, (int)end, &lines);
    free(bin_path);
    json_object *list = json_object_new_array();
    for (int i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "line", json_object_new_int(lines[i]));
        json_object_array_add(list, o);
    }
    free(lines);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "breakpoints", list);   /* none: a file the program does not have */
    session_respond_ok(s, req, body);
}

DECLARE_REQUEST(req_loaded_sources)
{
    const char **files;
    int n = target_source_files(s->target, &files);
    json_object *list = json_object_new_array();
    for (int i = 0; i < n; i++) {
        char *path = session_path_to_editor(s, files[i]);
        json_object_array_add(list, session_source_json(path ? path : files[i]));
        free(path);
    }
    free(files);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "sources", list);
    session_respond_ok(s, req, body);
}
