/* Memory requests: readMemory and writeMemory on a memoryReference ("0x..." as variables,
 * evaluate results and stack frames give them) plus offset, data in base64. A read answers the
 * readable prefix and counts the rest as unreadableBytes; a count over the per-request limit is
 * an error that says so. */
#include "session.h"
#include "alloc.h"
#include "dap_base64.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum { MEMORY_MAX = 16 << 20, PAGE = 4096 };   /* bytes per request */

int session_memory_reference(const char *ref, int64_t offset, uint64_t *addr)
{
    char *end;
    errno = 0;
    unsigned long long a = ref ? strtoull(ref, &end, 0) : 0;
    if (!ref || !*ref || *end || errno)
        return -1;
    *addr = (uint64_t)a + (uint64_t)offset;
    return 0;
}

/* The address of memoryReference + offset: 0, or -1 after an error response. */
static int memory_address(session *s, json_object *req, json_object *args, const char *command, uint64_t *addr)
{
    const char *ref = dap_get_string(args, "memoryReference", NULL);
    if (session_memory_reference(ref, dap_get_int(args, "offset", 0), addr) < 0) {
        session_respond_error(s, req, "%s: memoryReference \"%s\" is not an address (\"0x...\")", command, ref ? ref : "");
        return -1;
    }
    return 0;
}

json_object *session_address_json(uint64_t addr)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)addr);
    return json_object_new_string(buf);
}

DECLARE_REQUEST(req_read_memory)
{
    uint64_t addr;
    if (memory_address(s, req, args, "readMemory", &addr) < 0)
        return;
    int64_t count = dap_get_int(args, "count", -1);
    if (count < 0 || count > MEMORY_MAX) {
        session_respond_error(s, req, "readMemory: count %lld is not between 0 and the limit of %d bytes per request",
                              (long long)count, MEMORY_MAX);
        return;
    }
    unsigned char *buf = xmalloc((size_t)count + 1);
    size_t got = 0;
    while (got < (size_t)count) {   /* page by page: the readable prefix */
        size_t chunk = PAGE - (size_t)((addr + got) % PAGE);
        if (chunk > (size_t)count - got)
            chunk = (size_t)count - got;
        if (target_read_memory(s->target, addr + got, buf + got, chunk) < 0)
            break;
        got += chunk;
    }
    char *data = dap_base64_encode(buf, got);
    free(buf);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "address", session_address_json(addr));
    if (got < (size_t)count)
        json_object_object_add(body, "unreadableBytes", json_object_new_int64(count - (int64_t)got));
    json_object_object_add(body, "data", json_object_new_string(data));
    free(data);
    session_respond_ok(s, req, body);
}

DECLARE_REQUEST(req_write_memory)
{
    uint64_t addr;
    if (memory_address(s, req, args, "writeMemory", &addr) < 0)
        return;
    const char *text = dap_get_string(args, "data", NULL);
    unsigned char *bytes;
    size_t len;
    if (!text || dap_base64_decode(text, &bytes, &len) < 0) {
        session_respond_error(s, req, "writeMemory: data is not base64");
        return;
    }
    int rc = len > MEMORY_MAX ? -2 : target_write_memory(s->target, addr, bytes, len);
    free(bytes);
    if (rc == -2) {
        session_respond_error(s, req, "writeMemory: %zu bytes is over the limit of %d bytes per request", len, MEMORY_MAX);
        return;
    }
    if (rc < 0) {
        session_respond_error(s, req, "writeMemory: cannot write %zu bytes at 0x%llx: not writable memory", len,
                              (unsigned long long)addr);
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "bytesWritten", json_object_new_int64((int64_t)len));
    session_respond_ok(s, req, body);
}
