/* disassemble: the editor's disassembly view. Instructions are decoded (target_disassemble) from the
 * start of the enclosing function (x86 cannot be decoded backwards), with their source line
 * and the original bytes under breakpoints. */
#include "session.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

typedef insn_step decoded;

static json_object *instruction_json(session *s, const decoded *d, bool first_of_func, const gobp_func *f)
{
    json_object *o = json_object_new_object();
    char bytes[64] = "";
    json_object_object_add(o, "address", session_address_json(d->addr));
    for (int i = 0; i < d->len && strlen(bytes) + 4 < sizeof bytes; i++)
        snprintf(bytes + strlen(bytes), sizeof bytes - strlen(bytes), "%s%02x", i ? " " : "", d->bytes[i]);
    json_object_object_add(o, "instructionBytes", json_object_new_string(bytes));
    const gobp_func *callee = d->op == INSN_OP_CALL ? target_function_at(s->target, d->target) : NULL;
    if (callee && callee->lowpc == d->target) {   /* a direct call names its function, as Delve does */
        char *text;
        if (asprintf(&text, "%s <%s>", d->text, callee->name) >= 0) {
            json_object_object_add(o, "instruction", json_object_new_string(text));
            free(text);
        }
    } else {
        json_object_object_add(o, "instruction", json_object_new_string(d->text));
    }
    if (first_of_func && f)
        json_object_object_add(o, "symbol", json_object_new_string(f->name));
    const char *file;
    int line;
    if (target_source_line(s->target, d->addr, &file, &line) == 0 && file) {
        char *mapped = session_path_to_editor(s, file);   /* substitutePath */
        json_object_object_add(o, "location", session_source_json(mapped));
        free(mapped);
        json_object_object_add(o, "line", json_object_new_int(line));
    }
    return o;
}

static json_object *filler_json(uint64_t addr)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "address", session_address_json(addr));
    json_object_object_add(o, "instruction", json_object_new_string("??"));
    json_object_object_add(o, "presentationHint", json_object_new_string("invalid"));
    return o;
}

/* Hard limits of one request (README): the instructions returned, and how far from the
 * memory reference the window may start. */
enum { DISASSEMBLE_MAX_COUNT = 100000, DISASSEMBLE_MAX_OFFSET = 1000000 };

DECLARE_REQUEST(req_disassemble)
{
    const char *ref = dap_get_string(args, "memoryReference", NULL);
    int64_t count = dap_get_int(args, "instructionCount", 0);
    if (!ref || count <= 0) {
        session_respond_error(s, req, "disassemble: memoryReference and a positive instructionCount are required");
        return;
    }
    if (count > DISASSEMBLE_MAX_COUNT) {
        session_respond_error(s, req, "disassemble: instructionCount %lld is over the limit of %d instructions per request",
                              (long long)count, DISASSEMBLE_MAX_COUNT);
        return;
    }
    int64_t ioff = dap_get_int(args, "instructionOffset", 0);
    if (ioff < -DISASSEMBLE_MAX_OFFSET || ioff > DISASSEMBLE_MAX_OFFSET) {
        session_respond_error(s, req, "disassemble: instructionOffset %lld is beyond the limit of +-%d instructions",
                              (long long)ioff, DISASSEMBLE_MAX_OFFSET);
        return;
    }
    uint64_t addr = strtoull(ref, NULL, 0) + (uint64_t)dap_get_int(args, "offset", 0);
    const gobp_func *f = target_function_at(s->target, addr);
    /* Decode whole functions around addr until the window [ioff, ioff+count) is covered. */
    decoded *insns = NULL;
    int n = 0, cap = 0;
    uint64_t lo = f ? f->lowpc : addr, hi = f ? f->highpc : addr + 16 * (uint64_t)count;
    target_disassemble(s->target, lo, hi, &insns, &n, &cap);
    int at = 0;
    while (at < n && insns[at].addr < addr)
        at++;
    for (const gobp_func *g = f; g && at + ioff + count > n;) {       /* more after: the next functions */
        const gobp_func *next = target_function_at(s->target, g->highpc);
        if (!next || next == g)
            break;
        target_disassemble(s->target, next->lowpc, next->highpc, &insns, &n, &cap);
        g = next;
    }
    json_object *list = json_object_new_array();
    for (int64_t k = at + ioff; k < at + ioff + count; k++) {
        if (k < 0 || k >= n) {
            json_object_array_add(list, filler_json(k < 0 ? lo : (n ? insns[n - 1].addr + insns[n - 1].len : addr)));
            continue;
        }
        const gobp_func *fk = target_function_at(s->target, insns[k].addr);
        json_object_array_add(list, instruction_json(s, &insns[k], fk && fk->lowpc == insns[k].addr, fk));
    }
    free(insns);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "instructions", list);
    session_respond_ok(s, req, body);
}
