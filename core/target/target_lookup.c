/* The facade's lookups for front ends: functions, source lines, shared objects, memory,
 * threads, frame variables, globals and disassembly of the program, answered from the target's binary and
 * process (which front ends never reach themselves). */
#include "target_internal.h"
#include "alloc.h"
#include "proc/insn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const gobp_func *target_function_at(gobp_target *t, uint64_t pc)
{
    return binary_func_by_pc(t->bin, pc);
}

bool target_has_function(gobp_target *t, const char *name)
{
    const gobp_func *fs[1];
    return name && binary_funcs_named(t->bin, name, fs, 1) > 0;
}

int target_source_line(gobp_target *t, uint64_t pc, const char **file, int *line)
{
    return binary_pc_to_line(t->bin, pc, file, line);
}

const char *target_source_recorded_as(gobp_target *t, const char *path, int line)
{
    uint64_t pcs[1];   /* one place of the line is enough to learn its recorded path */
    int found;
    if (!path || path[0] != '/')
        return NULL;
    for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        const char *file = NULL;
        int fline;
        if (binary_line_to_pcs(t->bin, p + 1, line, pcs, 1, &found) > 0 &&
            binary_pc_to_line(t->bin, pcs[0], &file, &fline) == 0 && file)
            return file;
    }
    return NULL;
}

int target_library_at(gobp_target *t, uint64_t addr, char *name, size_t namelen, uint64_t *offset)
{
    return proc_mapping(t->proc, addr, name, namelen, offset);
}

int target_read_memory(gobp_target *t, uint64_t addr, void *buf, size_t len)
{
    return proc_read(t->proc, addr, buf, len);
}

int target_write_memory(gobp_target *t, uint64_t addr, const void *buf, size_t len)
{
    target_invalidate(t);   /* goroutines, stacks and labels are read again */
    return proc_write(t->proc, addr, buf, len);
}

int target_threads(gobp_target *t, pid_t *tids, int max)
{
    return proc_threads(t->proc, tids, max);
}

int target_frame_vars(gobp_target *t, const gobp_frame *fr, const gobp_var **vars)
{
    if (!fr->func)
        return 0;
    return binary_func_vars(t->bin, fr->func, fr->lookup_pc, vars);
}

int target_package_globals(gobp_target *t, const char *pkg, const gobp_global **out)
{
    return binary_globals_of_package(t->bin, pkg, out);
}

const gobp_global *target_global(gobp_target *t, const char *name)
{
    return binary_global(t->bin, name);
}

int target_code_each(gobp_target *t, uint64_t lo, uint64_t hi, size_t max_len,
                     bool (*fn)(void *ctx, const insn_step *in), void *ctx)
{
    size_t len = hi > lo ? hi - lo : 0;
    if (len > max_len)
        return -1;
    unsigned char *code = xmalloc(len ? len : 1);
    if (target_read_memory(t, lo, code, len) < 0) {
        free(code);
        return -1;
    }
    insn_walk w;
    insn_step in;
    insn_walk_begin(&w, code, len, lo);
    while (insn_walk_next(&w, &in) && fn(ctx, &in))
        ;
    insn_walk_end(&w);
    free(code);
    return 0;
}

typedef struct { insn_step **out; int *n, *cap; } disassembly;

static bool append_insn(void *ctx, const insn_step *in)
{
    disassembly *d = ctx;
    if (*d->n == *d->cap)
        *d->out = xrealloc(*d->out, (size_t)(*d->cap = *d->cap ? *d->cap * 2 : 256) * sizeof **d->out);
    (*d->out)[(*d->n)++] = *in;
    return true;
}

int target_disassemble(gobp_target *t, uint64_t from, uint64_t to, insn_step **out, int *n, int *cap)
{
    disassembly d = { out, n, cap };
    return target_code_each(t, from, to, SIZE_MAX, append_insn, &d);
}

typedef struct { uint64_t *addrs; int n, cap; } ret_list;

static bool add_ret(void *ctx, const insn_step *in)
{
    ret_list *r = ctx;
    if (in->op == INSN_OP_RET) {
        if (r->n == r->cap)
            r->addrs = xrealloc(r->addrs, (size_t)(r->cap = r->cap ? r->cap * 2 : 8) * sizeof *r->addrs);
        r->addrs[r->n++] = in->addr;
    }
    return true;
}

/* RET instructions of f (undecodable bytes skipped), malloc'd into *rets; returns the count. */
int target_func_rets(gobp_target *t, const gobp_func *f, uint64_t **rets)
{
    ret_list r = { 0 };
    target_code_each(t, f->lowpc, f->highpc, 1u << 20, add_ret, &r);
    *rets = r.addrs;
    return r.n;
}

int target_breakpoint_lines(gobp_target *t, const char *file, int from, int to, int **lines)
{
    return binary_stmt_lines(t->bin, file, from, to, lines);
}

int target_source_files(gobp_target *t, const char ***files)
{
    return binary_source_files(t->bin, files);
}

bool target_goroutine_is_system(gobp_target *t, const gobp_goroutine *g)
{
    const gobp_func *f = binary_func_by_pc(t->bin, g->start_pc);
    return f && strncmp(f->name, "runtime.", 8) == 0 && strcmp(f->name, "runtime.main") != 0;
}

static bool has_prefix(void *ctx, const char *name)
{
    return strncmp(name, ctx, strlen(ctx)) == 0;
}

int target_functions_prefixed(gobp_target *t, const char *prefix, const gobp_func ***out)
{
    int n = binary_funcs_filter(t->bin, has_prefix, (void *)prefix, NULL, 0);
    *out = xcalloc((size_t)(n > 0 ? n : 1), sizeof **out);
    return n > 0 ? binary_funcs_filter(t->bin, has_prefix, (void *)prefix, *out, n) : 0;
}
