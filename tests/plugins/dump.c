/* dump.so (test) — logs everything the host tells about a call, then continues:
 *   dump: FUNC pkg=PKG goroutine=G hit=H args=N results=M
 *   dump: arg I NAME (TYPE) = FORMAT
 *   dump: typed NAME=VALUE      (int, uint, float, bool, string; len for slices/strings/maps)
 *   dump: result I NAME (TYPE) */
#include <gobp/plugin.h>
#include <inttypes.h>

gobp_action gobp_on_enter(gobp_call *c)
{
    int n = gobp_arg_count(c), m = gobp_result_count(c);
    gobp_log(c, "dump: %s pkg=%s goroutine=%" PRId64 " hit=%" PRIu64 " args=%d results=%d", gobp_function(c),
             gobp_package(c), gobp_goroutine_id(c), gobp_hit_count(c), n, m);
    for (int i = 0; i < n; i++) {
        gobp_val *v = gobp_arg(c, i);
        const char *name = gobp_arg_name(c, i);
        gobp_log(c, "dump: arg %d %s (%s) = %s", i, name, gobp_arg_type(c, i), v ? gobp_format(v) : "(unreadable)");
        if (!v) continue;
        int64_t si; uint64_t ui; double d; int b; char s[256];
        switch (gobp_kind(v)) {
        case GOBP_INT: case GOBP_INT8: case GOBP_INT16: case GOBP_INT32: case GOBP_INT64:
            if (gobp_get_int(v, &si) == 0) gobp_log(c, "dump: typed %s=%" PRId64, name, si);
            break;
        case GOBP_UINT: case GOBP_UINT8: case GOBP_UINT16: case GOBP_UINT32: case GOBP_UINT64: case GOBP_UINTPTR:
            if (gobp_get_uint(v, &ui) == 0) gobp_log(c, "dump: typed %s=%" PRIu64, name, ui);
            break;
        case GOBP_FLOAT32: case GOBP_FLOAT64:
            if (gobp_get_float(v, &d) == 0) gobp_log(c, "dump: typed %s=%g", name, d);
            break;
        case GOBP_BOOL:
            if (gobp_get_bool(v, &b) == 0) gobp_log(c, "dump: typed %s=%s", name, b ? "true" : "false");
            break;
        case GOBP_STRING:
            if (gobp_get_string(v, s, sizeof s) >= 0) gobp_log(c, "dump: typed %s=\"%s\"", name, s);
            break;
        case GOBP_SLICE: case GOBP_MAP: case GOBP_ARRAY:
            gobp_log(c, "dump: typed len(%s)=%" PRId64, name, gobp_len(v));
            break;
        default:
            break;
        }
    }
    for (int i = 0; i < m; i++) gobp_log(c, "dump: result %d %s (%s)", i, gobp_result_name(c, i), gobp_result_type(c, i));
    return GOBP_CONTINUE;
}
