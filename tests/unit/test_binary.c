/* Tests of core/binary*.c on real Go binaries: tests/programs/values, binlines and escaped are built
 * with every installed Go toolchain before the tests run (values also as a PIE), then functions,
 * lines, frames, types, variables and globals are checked against the sources. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binary/binary.h"
#include "proc/insn.h"

#include "go_toolchains.h"
#define NGO go_toolchain_count()

static const char *root(void)
{
    const char *r = getenv("GOBP_ROOT");
    return r && *r ? r : ".";
}

static const char *out_dir(void)
{
    static char dir[128];
    snprintf(dir, sizeof dir, "/tmp/gobp-test-binary-%d", (int)getuid());
    return dir;
}

static void out_path(char *buf, size_t n, const char *prog, size_t gi, const char *suffix)
{
    snprintf(buf, n, "%s/%s-%zu%s", out_dir(), prog, gi, suffix);
}

static bool have_go(size_t gi) { return access(go_toolchain(gi), X_OK) == 0; }

static void go_build(size_t gi, const char *prog, const char *flags, const char *suffix)
{
    char out[512], cmd[2048];
    out_path(out, sizeof out, prog, gi, suffix);
    snprintf(cmd, sizeof cmd, "cd %s/tests/programs/%s && %s build %s -o %s . 2>&1", root(), prog, go_toolchain(gi), flags, out);
    if (system(cmd) != 0) fprintf(stderr, "build failed: %s\n", cmd);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    mkdir(out_dir(), 0755);
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        go_build(gi, "values", "-gcflags=all='-N -l'", "");
        go_build(gi, "binlines", "-gcflags=all='-N -l'", "");
        go_build(gi, "escaped", "-gcflags=all='-N -l'", "");
    }
    go_build(0, "values", "-ldflags='-s -w'", "-stripped");
    go_build(0, "values", "-buildmode=pie -gcflags=all='-N -l'", "-pie");        /* the oldest and */
    go_build(NGO - 1, "values", "-buildmode=pie -gcflags=all='-N -l'", "-pie");  /* the newest Go */
    char cmdgo[512], cmd[1024];
    snprintf(cmdgo, sizeof cmdgo, "%s/cmdgo", out_dir());
    if (access(cmdgo, R_OK) != 0) {
        const char *go = go_toolchain(NGO - 1);   /* the newest */
        snprintf(cmd, sizeof cmd, "cd $(GOTOOLCHAIN=local %s env GOROOT)/src/cmd/go && GOTOOLCHAIN=local %s build -gcflags=all='-N -l' -o %s . 2>&1",
                 go, go, cmdgo);
        if (system(cmd) != 0) fprintf(stderr, "cmd/go build failed\n");
    }
}

static gobp_binary *open_built(const char *prog, size_t gi)
{
    char path[512], err[512];
    out_path(path, sizeof path, prog, gi, "");
    gobp_binary *bin = binary_open(path, err, sizeof err);
    cr_assert_not_null(bin, "open %s: %s", path, err);
    return bin;
}

/* Line number of the first source line of prog/main.go containing text. */
static int source_line(const char *prog, const char *text)
{
    char path[512], buf[1024];
    snprintf(path, sizeof path, "%s/tests/programs/%s/main.go", root(), prog);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    int n = 0, found = 0;
    while (!found && fgets(buf, sizeof buf, f)) {
        n++;
        if (strstr(buf, text)) found = n;
    }
    fclose(f);
    cr_assert(found, "no line with '%s' in %s", text, path);
    return found;
}

static void expect_open_error(const char *path, const char *phrase)
{
    char err[512] = "";
    gobp_binary *bin = binary_open(path, err, sizeof err);
    cr_assert_null(bin, "%s opened", path);
    cr_assert(strstr(err, phrase), "error for %s: '%s' lacks '%s'", path, err, phrase);
}

Test(binary, open_errors)
{
    expect_open_error("/nonexistent/prog", "cannot open");
    char text[512];
    snprintf(text, sizeof text, "%s/tests/programs/values/main.go", root());
    expect_open_error(text, "not an ELF");
    expect_open_error("/bin/true", "not a Go program");
    char stripped[512];
    out_path(stripped, sizeof stripped, "values", 0, "-stripped");
    expect_open_error(stripped, "stripped binary");
}

Test(binary, go_version_and_package)
{
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        gobp_binary *bin = open_built("values", gi);
        cr_assert(strncmp(binary_go_version(bin), "go1.", 4) == 0, "version '%s'", binary_go_version(bin));
        cr_assert_neq(binary_entry(bin), 0);
        cr_assert_neq(binary_symbol_addr(bin, "runtime.allgs"), 0);
        binary_close(bin);
    }
    char buf[128];
    cr_assert_str_eq(go_func_package("main.(*T).M", buf, sizeof buf), "main");
    cr_assert_str_eq(go_func_package("net/http.(*Server).Serve", buf, sizeof buf), "net/http");
    cr_assert_str_eq(go_func_package("main.main.func1", buf, sizeof buf), "main");
    cr_assert_str_eq(go_func_package("main.Map[...]", buf, sizeof buf), "main");
    cr_assert_str_eq(go_func_package("github.com/x/y.F", buf, sizeof buf), "github.com/x/y");
}

/* body_pc must be at or after the end of the stack check's jbe (decoded here by insn.c).
 * Go's linker maps the text segment at file offset = vaddr - 0x400000. */
static void check_body_pc_after_jbe(const char *exe, const gobp_func *f)
{
    FILE *fp = fopen(exe, "rb");
    cr_assert_not_null(fp);
    unsigned char code[64];
    cr_assert_eq(fseek(fp, (long)(f->lowpc - 0x400000), SEEK_SET), 0);
    cr_assert_eq(fread(code, 1, sizeof code, fp), sizeof code);
    fclose(fp);
    insn_walk w;
    insn_step in, prev = {0};
    uint64_t after_jbe = 0;
    insn_walk_begin(&w, code, sizeof code, f->lowpc);
    while (!after_jbe && insn_walk_next(&w, &in) && in.op != INSN_OP_BAD) {
        if (in.op == INSN_OP_JCC && strncmp(in.text, "jbe ", 4) == 0 && strstr(prev.text, "r14"))
            after_jbe = in.addr + in.len;
        prev = in;
    }
    insn_walk_end(&w);
    cr_assert_neq(after_jbe, 0, "%s: no stack check found", f->name);
    cr_assert_geq(f->body_pc, after_jbe, "%s: body_pc %#lx before the jbe end %#lx", f->name, f->body_pc, after_jbe);
}

Test(binary, functions_and_body_pc)
{
    const char *names[] = {"main.main", "main.decide", "main.(*Counter).Inc", "main.main.func1", "main.values"};
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        char exe[512];
        out_path(exe, sizeof exe, "values", gi, "");
        gobp_binary *bin = open_built("values", gi);
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            const gobp_func *f = binary_func_by_name(bin, names[k]);
            cr_assert_not_null(f, "%s missing (go %zu)", names[k], gi);
            cr_assert_str_eq(f->name, names[k]);
            cr_assert(f->lowpc < f->highpc);
            cr_assert(f->body_pc >= f->lowpc && f->body_pc < f->highpc, "%s body_pc outside", names[k]);
            cr_assert_neq(f->die_offset, 0, "%s has no DIE", names[k]);
            cr_assert(f->file && strstr(f->file, "values/main.go"), "%s file %s", names[k], f->file);
            cr_assert_gt(f->line, 0);
            cr_assert_eq(binary_func_by_pc(bin, f->lowpc + 1), f);
        }
        check_body_pc_after_jbe(exe, binary_func_by_name(bin, "main.main"));
        check_body_pc_after_jbe(exe, binary_func_by_name(bin, "main.values"));
        cr_assert_null(binary_func_by_name(bin, "main.nosuch"));
        binary_close(bin);

        out_path(exe, sizeof exe, "binlines", gi, "");
        bin = open_built("binlines", gi);
        const gobp_func *area = binary_func_by_name(bin, "main.Circle.Area");
        cr_assert_not_null(area);
        check_body_pc_after_jbe(exe, binary_func_by_name(bin, "main.depth"));
        binary_close(bin);
    }
}

Test(binary, lines)
{
    int half = source_line("values", "half := n / 2");
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        gobp_binary *bin = open_built("values", gi);
        uint64_t pcs[8];
        int found = 0;
        int n = binary_line_to_pcs(bin, "values/main.go", half, pcs, 8, &found);
        cr_assert_eq(n, 1);
        cr_assert_eq(found, half);
        const gobp_func *decide = binary_func_by_name(bin, "main.decide");
        cr_assert(pcs[0] >= decide->body_pc && pcs[0] < decide->highpc);
        const char *file;
        int line;
        cr_assert_eq(binary_pc_to_line(bin, pcs[0], &file, &line), 0);
        cr_assert_eq(line, half);
        cr_assert(strstr(file, "/tests/programs/values/main.go"), "file %s", file);
        cr_assert_eq(binary_line_to_pcs(bin, file, half, pcs, 8, &found), 1, "absolute path");
        cr_assert_eq(binary_line_to_pcs(bin, "alues/main.go", half, pcs, 8, &found), -1, "suffix not on a component");
        cr_assert_eq(binary_line_to_pcs(bin, "nosuch.go", 1, pcs, 8, &found), -1);
        gobp_line_row *rows;
        int nr = binary_line_rows(bin, decide->lowpc, decide->highpc, &rows);
        cr_assert_gt(nr, 2);
        for (int i = 0; i < nr; i++) {
            cr_assert(rows[i].pc >= decide->lowpc && rows[i].pc < decide->highpc);
            if (i) cr_assert_geq(rows[i].pc, rows[i - 1].pc);
        }
        /* pc -> line (binary search): every byte of the function has a line of its file, and
         * the first is_stmt row's pc maps to a line of the function */
        for (uint64_t pc = decide->lowpc; pc < decide->highpc; pc++) {
            cr_assert_eq(binary_pc_to_line(bin, pc, &file, &line), 0, "pc %#lx", (unsigned long)pc);
            cr_assert(strstr(file, "/tests/programs/values/main.go"), "file %s", file);
            cr_assert_gt(line, 0);
        }
        cr_assert_eq(binary_pc_to_line(bin, rows[nr - 1].pc, &file, &line), 0);
        cr_assert_eq(line, rows[nr - 1].line);
        cr_assert_eq(binary_pc_to_line(bin, 1, &file, &line), -1, "no code at pc 1");
        free(rows);
        binary_close(bin);

        bin = open_built("binlines", gi);
        int blank = source_line("binlines", "a comment line") - 1;
        int zline = source_line("binlines", "z := y + 1");
        for (int l = blank; l <= blank + 1; l++) {
            cr_assert_eq(binary_line_to_pcs(bin, "main.go", l, pcs, 8, &found), 1, "line %d", l);
            cr_assert_eq(found, zline);
            cr_assert_eq(binary_func_by_pc(bin, pcs[0]), binary_func_by_name(bin, "main.work"));
        }
        int body = source_line("binlines", "LINE closure body");
        cr_assert_eq(binary_line_to_pcs(bin, "main.go", body, pcs, 8, &found), 1);
        cr_assert_str_eq(binary_func_by_pc(bin, pcs[0])->name, "main.work.func1");
        int between = source_line("binlines", "func main()") - 1;   /* blank line between functions */
        cr_assert_eq(binary_line_to_pcs(bin, "main.go", between, pcs, 8, &found), 0);
        binary_close(bin);
    }
}

Test(binary, cfa)
{
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        gobp_binary *bin = open_built("values", gi);
        const gobp_func *f = binary_func_by_name(bin, "main.main");
        int64_t off = 0;
        cr_assert_eq(binary_cfa_offset(bin, f->lowpc, &off), 0);
        cr_assert_eq(off, 8);
        cr_assert_eq(binary_cfa_offset(bin, f->body_pc, &off), 0);
        cr_assert(off == 8 || off == 16, "cfa at body_pc %ld", off);
        uint64_t pcs[2];
        int found;
        int line = source_line("values", "\tvalues()");
        cr_assert_eq(binary_line_to_pcs(bin, "values/main.go", line, pcs, 2, &found), 1);
        cr_assert_eq(binary_cfa_offset(bin, pcs[0], &off), 0);
        cr_assert_gt(off, 16, "frame set up inside the body");
        int64_t again = 0;
        cr_assert_eq(binary_cfa_offset(bin, pcs[0], &again), 0, "cached answer");
        cr_assert_eq(again, off);
        cr_assert_eq(binary_cfa_offset(bin, f->lowpc, &again), 0);
        cr_assert_eq(again, 8);
        cr_assert_eq(binary_cfa_offset(bin, 1, &again), -1, "no FDE");
        cr_assert_eq(binary_cfa_offset(bin, 1, &again), -1, "no FDE (cached)");
        binary_close(bin);
    }
}

Test(binary, types)
{
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        gobp_binary *bin = open_built("values", gi);
        gobp_type *g = binary_type_by_name(bin, "runtime.g");
        cr_assert_not_null(g);
        cr_assert_eq(g->kind, GOBP_KIND_STRUCT);
        const char *gf[] = {"goid", "atomicstatus", "sched", "stack", "m"};
        for (int i = 0; i < 5; i++) cr_assert_not_null(type_field(g, gf[i]), "runtime.g.%s", gf[i]);
        cr_assert_eq(type_field(g, "m")->type->kind, GOBP_KIND_PTR);

        gobp_type *p = binary_type_by_name(bin, "main.Person");
        cr_assert_eq(p->kind, GOBP_KIND_STRUCT);
        cr_assert_eq(p->size, 56);
        cr_assert_eq(type_field(p, "Name")->offset, 0);
        cr_assert_eq(type_field(p, "Name")->type->kind, GOBP_KIND_STRING);
        cr_assert_eq(type_field(p, "Age")->offset, 16);
        cr_assert_eq(type_field(p, "Home")->offset, 24);
        cr_assert_str_eq(type_field(p, "Home")->type->name, "*main.Address");
        cr_assert_eq(type_field(p, "Tags")->offset, 32);
        cr_assert_eq(type_field(p, "Tags")->type->kind, GOBP_KIND_SLICE);
        cr_assert_str_eq(type_field(p, "Tags")->type->elem->name, "string");
        cr_assert_eq(binary_type_by_runtime_addr(bin, p->runtime_type), p);

        gobp_type *m = binary_type_by_name(bin, "map[string]int");
        cr_assert_eq(m->kind, GOBP_KIND_MAP);
        cr_assert_eq(m->size, 8);
        cr_assert_str_eq(m->key->name, "string");
        cr_assert_str_eq(m->elem->name, "int");
        cr_assert_not_null(m->runtime);
        cr_assert_eq(m->runtime->kind, GOBP_KIND_STRUCT);
        cr_assert(type_field(m->runtime, "buckets") || type_field(m->runtime, "dirPtr"), "hmap.buckets or Swiss map.dirPtr");

        gobp_type *e = binary_type_by_name(bin, "main.Employee");
        cr_assert(type_field(e, "Base")->embedded);
        cr_assert_eq(binary_type_by_name(bin, "interface {}")->empty_interface, true);
        gobp_type *err = binary_type_by_name(bin, "error");
        cr_assert_eq(err->kind, GOBP_KIND_INTERFACE);
        cr_assert_eq(err->empty_interface, false);
        cr_assert_str_eq(err->fields[0].name, "tab");
        cr_assert_eq(binary_type_by_name(bin, "unsafe.Pointer")->kind, GOBP_KIND_UNSAFEPTR);
        gobp_type *ch = binary_type_by_name(bin, "chan int");
        cr_assert_eq(ch->kind, GOBP_KIND_CHAN);
        cr_assert_str_eq(ch->elem->name, "int");
        cr_assert_not_null(type_field(ch->runtime, "qcount"));
        gobp_type *arr = binary_type_by_name(bin, "[3]int");
        cr_assert_eq(arr->kind, GOBP_KIND_ARRAY);
        cr_assert_eq(arr->len, 3);
        cr_assert_eq(binary_type_by_name(bin, "int")->kind, GOBP_KIND_INT);
        binary_close(bin);
    }
}

static const struct { const char *name, *type; } expected_locals[] = {
    {"i8", "int8"}, {"i16", "int16"}, {"i32", "int32"}, {"i64", "int64"}, {"u8", "uint8"}, {"u16", "uint16"},
    {"u32", "uint32"}, {"u64", "uint64"}, {"up", "uintptr"}, {"f32", "float32"}, {"f64", "float64"},
    {"c128", "complex128"}, {"b", "bool"}, {"s", "string"}, {"r", "int32"}, {"bs", "[]uint8"}, {"sl", "[]int"},
    {"arr", "[3]int"}, {"m", "map[string]int"}, {"p", "main.Person"}, {"pp", "*main.Person"},
    {"sh", "main.Shape"}, {"any", "interface {}"}, {"err", "error"}, {"ch", "chan int"},
    {"uptr", "unsafe.Pointer"}, {"e", "main.Employee"}, {"ptr", "*int"}, {"fn", "func(int, string) bool"},
};

Test(binary, variables)
{
    int brk = source_line("values", "// BREAK values");
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        gobp_binary *bin = open_built("values", gi);
        uint64_t pcs[2];
        int found;
        cr_assert_eq(binary_line_to_pcs(bin, "values/main.go", brk, pcs, 2, &found), 1);
        const gobp_func *f = binary_func_by_pc(bin, pcs[0]);
        cr_assert_str_eq(f->name, "main.values");
        const gobp_var *vars;
        int n = binary_func_vars(bin, f, pcs[0], &vars);
        for (size_t k = 0; k < sizeof expected_locals / sizeof expected_locals[0]; k++) {
            int i;
            for (i = 0; i < n && strcmp(vars[i].name, expected_locals[k].name) != 0; i++) {}
            cr_assert_lt(i, n, "local %s missing", expected_locals[k].name);
            cr_assert_not_null(vars[i].type);
            cr_assert_str_eq(vars[i].type->name, expected_locals[k].type, "type of %s", vars[i].name);
            gobp_location loc;
            uint64_t regs[17] = {0};
            cr_assert_eq(binary_var_location(bin, &vars[i], pcs[0], 0x7000, regs, &loc), 0);
            cr_assert_eq(loc.npieces, 1, "%s location", vars[i].name);
            cr_assert_eq(loc.pieces[0].kind, GOBP_PIECE_MEM);
            cr_assert(loc.pieces[0].addr < 0x7000, "%s is in the frame", vars[i].name);
            binary_location_free(&loc);
        }

        const gobp_func *d = binary_func_by_name(bin, "main.decide");
        n = binary_func_vars(bin, d, d->body_pc, &vars);
        cr_assert_geq(n, 3);
        cr_assert_str_eq(vars[0].name, "n");
        cr_assert_str_eq(vars[1].name, "label");
        cr_assert(vars[0].is_param && vars[1].is_param && !vars[0].is_result);
        bool saw_result = false;
        for (int i = 0; i < n; i++) saw_result |= vars[i].is_result;
        cr_assert(saw_result, "~r0 is a result");
        uint64_t regs[17] = {0};
        gobp_location loc;
        cr_assert_eq(binary_var_location(bin, &vars[0], d->body_pc, 0x7000, regs, &loc), 0);
        cr_assert_geq(loc.npieces, 1, "n has a location at body_pc");
        binary_location_free(&loc);
        /* at entry the string label arrives in RBX:RCX (DWARF 3 and 2) */
        cr_assert_eq(binary_var_location(bin, &vars[1], d->lowpc, 0x7000, regs, &loc), 0);
        cr_assert_eq(loc.npieces, 2);
        cr_assert_eq(loc.pieces[0].kind, GOBP_PIECE_REG);
        cr_assert_eq(loc.pieces[0].reg, 3);
        cr_assert_eq(loc.pieces[1].reg, 2);
        cr_assert_eq(loc.pieces[1].size, 8);
        binary_location_free(&loc);
        binary_close(bin);
    }
}

static const gobp_var *var_named(const gobp_var *vars, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(vars[i].name, name) == 0) return &vars[i];
    return NULL;
}

/* The location of v at the first address of line (in f): 0 ok. Free it (binary_location_free). */
static gobp_location location_at_line(gobp_binary *bin, const gobp_var *v, int line)
{
    uint64_t pcs[2];
    int found;
    cr_assert_eq(binary_line_to_pcs(bin, "escaped/main.go", line, pcs, 2, &found), 1);
    uint64_t regs[17] = {0};
    gobp_location loc;
    cr_assert_eq(binary_var_location(bin, v, pcs[0], 0x7000, regs, &loc), 0);
    return loc;
}

/* "&p" (moved to the heap) is listed as p of the pointee's type and read through the pointer
 * from the line after its allocation; an escaped argument stays one argument. */
Test(binary, escaped_variables)
{
    int before = source_line("escaped", "// LOCALS BEFORE"), brk = source_line("escaped", "// LOCALS BREAK");
    int visit_end = source_line("escaped", "// VISIT END"), closure = source_line("escaped", "// CLOSURE");
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        gobp_binary *bin = open_built("escaped", gi);
        const gobp_func *f = binary_func_by_name(bin, "main.visit");
        cr_assert_not_null(f);
        const gobp_var *vars;
        int n = binary_func_vars(bin, f, f->body_pc, &vars);
        const char *names[] = {"p", "n", "s", "~r0"}, *types[] = {"main.Person", "int", "string", "int"};
        cr_assert_eq(n, 4, "visit: the arguments and the result once each, no \"&p\" locals (%d vars)", n);
        for (int i = 0; i < 4; i++) {
            cr_assert_str_eq(vars[i].name, names[i]);
            cr_assert_str_eq(vars[i].type->name, types[i]);
            cr_assert(vars[i].is_param);
            cr_assert_eq(vars[i].heap_die != 0, i < 3, "%s moved to the heap", names[i]);
            cr_assert_neq(vars[i].die_offset, 0);
        }
        /* at entry: the argument's own place; in the body: the pointer to the heap copy */
        uint64_t regs[17] = {0};
        gobp_location loc;
        cr_assert_eq(binary_var_location(bin, &vars[0], f->lowpc, 0x7000, regs, &loc), 0);
        cr_assert(!loc.deref);
        cr_assert_eq(loc.npieces, 3, "p arrives in three registers");
        cr_assert_eq(loc.pieces[0].kind, GOBP_PIECE_REG);
        binary_location_free(&loc);
        loc = location_at_line(bin, &vars[0], visit_end);
        cr_assert(loc.deref);
        cr_assert_eq(loc.npieces, 1);
        cr_assert_eq(loc.pieces[0].kind, GOBP_PIECE_MEM);
        cr_assert(loc.pieces[0].addr < 0x7000, "the pointer is in the frame");
        binary_location_free(&loc);

        f = binary_func_by_name(bin, "main.locals");
        n = binary_func_vars(bin, f, f->body_pc, &vars);
        for (int i = 0; i < 3; i++) {
            const gobp_var *v = var_named(vars, n, names[i]);
            cr_assert_not_null(v, "locals: %s listed", names[i]);
            cr_assert_str_eq(v->type->name, types[i]);
            cr_assert(!v->is_param);
            cr_assert_eq(v->die_offset, 0);
            cr_assert_neq(v->heap_die, 0);
            cr_assert_gt(v->heap_line, before);
            loc = location_at_line(bin, v, before);
            cr_assert_eq(loc.npieces, 0, "%s before its allocation: no location", names[i]);
            binary_location_free(&loc);
            loc = location_at_line(bin, v, brk);
            cr_assert(loc.deref && loc.npieces == 1 && loc.pieces[0].kind == GOBP_PIECE_MEM, "%s after its allocation", names[i]);
            binary_location_free(&loc);
        }
        for (int i = 0; i < n; i++) cr_assert_neq(vars[i].name[0], '&', "%s", vars[i].name);

        f = binary_func_by_name(bin, "main.locals.func1");
        n = binary_func_vars(bin, f, f->body_pc, &vars);
        const gobp_var *total = var_named(vars, n, "total");
        cr_assert_not_null(total, "the closure's by-reference capture is total");
        cr_assert_str_eq(total->type->name, "int");
        cr_assert(location_at_line(bin, total, closure).deref);
        binary_close(bin);
    }
}

Test(binary, globals)
{
    for (size_t gi = 0; gi < NGO; gi++) {
        if (!have_go(gi)) continue;
        gobp_binary *bin = open_built("values", gi);
        const gobp_global *gs;
        int n = binary_globals_of_package(bin, "main", &gs);
        int i;
        for (i = 0; i < n && strcmp(gs[i].name, "main.counter") != 0; i++) {}
        cr_assert_lt(i, n, "main.counter listed");
        cr_assert_neq(gs[i].addr, 0);
        cr_assert_str_eq(gs[i].type->name, "int");
        cr_assert_eq(binary_global(bin, "main.counter")->addr, gs[i].addr);
        const gobp_global *eof = binary_global(bin, "io.EOF");
        cr_assert_not_null(eof);
        cr_assert_str_eq(eof->type->name, "error");
        cr_assert_not_null(binary_global(bin, "os.ErrNotExist"));
        cr_assert_null(binary_global(bin, "main.nosuch"));
        /* cached per package: the same array, no growth on repeated calls */
        for (int k = 0; k < 3; k++) {
            const gobp_global *again;
            cr_assert_eq(binary_globals_of_package(bin, "main", &again), n);
            cr_assert_eq(again, gs, "same array on call %d", k);
            cr_assert_eq(binary_globals_of_package(bin, "no/such/pkg", &again), 0);
            cr_assert_null(again);
        }
        const gobp_global *osg;
        int nos = binary_globals_of_package(bin, "os", &osg);
        cr_assert_gt(nos, 0);
        for (int k = 0; k < nos; k++) cr_assert(strncmp(osg[k].name, "os.", 3) == 0, "%s", osg[k].name);
        binary_close(bin);
    }
}

/* A PIE (ET_DYN, linked at 0x400000): after binary_set_load_bias_from_entry every address
 * that comes out is a runtime one (link + bias), and runtime pcs going in find their
 * functions, lines, FDEs and location-list entries. */
Test(binary, pie_load_bias)
{
    const uint64_t bias = 0x555555154000ULL;   /* where Linux puts it without ASLR */
    size_t gis[2] = {0, NGO - 1};
    int half = source_line("values", "half := n / 2");
    for (int k = 0; k < 2; k++) {
        size_t gi = gis[k];
        if (!have_go(gi)) continue;
        char path[512], err[512];
        out_path(path, sizeof path, "values", gi, "-pie");
        gobp_binary *bin = binary_open(path, err, sizeof err);
        cr_assert_not_null(bin, "open %s: %s", path, err);
        cr_assert(binary_is_pie(bin));
        uint64_t link_entry = binary_entry(bin);
        uint64_t link_allgs = binary_symbol_addr(bin, "runtime.allgs");
        cr_assert(link_entry > 0x400000 && link_entry < 0x1000000, "linked at 0x400000: entry %#lx", link_entry);
        cr_assert_eq(binary_set_load_bias_from_entry(bin, link_entry + bias), 0);
        cr_assert_eq(binary_load_bias(bin), bias);
        cr_assert_eq(binary_entry(bin), link_entry + bias);
        cr_assert_eq(binary_symbol_addr(bin, "runtime.allgs"), link_allgs + bias);

        const gobp_func *d = binary_func_by_name(bin, "main.decide");
        cr_assert_not_null(d);
        cr_assert(d->lowpc > bias + 0x400000 && d->highpc < bias + 0x1000000, "decide at %#lx", d->lowpc);
        gobp_func linked = *binary_func_by_name(bin, "main.values");   /* decoded from the file's text */
        linked.lowpc -= bias;
        linked.body_pc -= bias;
        check_body_pc_after_jbe(path, &linked);
        cr_assert_eq(binary_func_by_pc(bin, d->lowpc + 1), d);
        cr_assert_null(binary_func_by_pc(bin, d->lowpc - bias), "link-time pcs are not runtime pcs");
        uint64_t pcs[2];
        int found;
        cr_assert_eq(binary_line_to_pcs(bin, "values/main.go", half, pcs, 2, &found), 1);
        cr_assert(pcs[0] >= d->body_pc && pcs[0] < d->highpc);
        const char *file;
        int line;
        cr_assert_eq(binary_pc_to_line(bin, pcs[0], &file, &line), 0);
        cr_assert_eq(line, half);
        gobp_line_row *rows;
        int nr = binary_line_rows(bin, d->lowpc, d->highpc, &rows);
        cr_assert_gt(nr, 2);
        free(rows);
        int64_t off;
        cr_assert_eq(binary_cfa_offset(bin, d->lowpc, &off), 0, "FDE found at a runtime pc");
        cr_assert_eq(off, 8);
        cr_assert_eq(binary_cfa_offset(bin, pcs[0], &off), 0);
        cr_assert_gt(off, 8);

        const gobp_var *vars;
        int n = binary_func_vars(bin, d, d->lowpc, &vars);
        cr_assert_geq(n, 2);
        cr_assert_str_eq(vars[1].name, "label");
        uint64_t regs[17] = {0};
        gobp_location loc;
        cr_assert_eq(binary_var_location(bin, &vars[1], d->lowpc, 0x7000, regs, &loc), 0);
        cr_assert_eq(loc.npieces, 2, "location list entry found at the runtime entry pc");
        cr_assert_eq(loc.pieces[0].reg, 3);
        binary_location_free(&loc);

        const gobp_global *g = binary_global(bin, "main.counter");
        cr_assert_not_null(g);
        cr_assert(g->addr > bias + 0x400000 && g->addr < bias + 0x1000000, "main.counter at %#lx", g->addr);
        gobp_type *p = binary_type_by_name(bin, "main.Person");
        cr_assert(p->runtime_type > bias + 0x400000, "runtime type at %#lx", p->runtime_type);
        cr_assert_eq(binary_type_by_runtime_addr(bin, p->runtime_type), p);

        cr_assert_eq(binary_set_load_bias_from_entry(bin, link_entry + bias), 0, "the same bias again");
        cr_assert_eq(binary_set_load_bias_from_entry(bin, link_entry + bias + 0x1000), -1, "tables already built");
        binary_close(bin);
    }
    gobp_binary *exe = open_built("values", 0);
    cr_assert(!binary_is_pie(exe));
    cr_assert_eq(binary_set_load_bias_from_entry(exe, binary_entry(exe)), 0);
    cr_assert_eq(binary_set_load_bias_from_entry(exe, binary_entry(exe) + 0x1000), -1, "a fixed-address executable does not move");
    cr_assert_eq(binary_load_bias(exe), 0);
    binary_close(exe);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(binary, timing_cmd_go)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/cmdgo", out_dir());
    double t0 = now();
    gobp_binary *bin = binary_open(path, err, sizeof err);
    cr_assert_not_null(bin, "%s", err);
    const gobp_func *f = binary_func_by_name(bin, "main.main");
    cr_assert_not_null(f);
    uint64_t pcs[4];
    int found;
    int n = binary_line_to_pcs(bin, "cmd/go/main.go", f->line + 1, pcs, 4, &found);
    double t1 = now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("cmd/go: open + func_by_name + line_to_pcs (%d pcs) in %.3f s, max RSS %ld MB\n", n, t1 - t0, ru.ru_maxrss / 1024);
    binary_close(bin);
}
