/* libFuzzer harness of the ELF/DWARF readers on mutated Go binaries: the input is a list of
 * patches (bytes written into one section or header, absurd sizes, a truncation) applied to
 * fuzz/target as Go built it (GOBP_FUZZ_PROGRAM, and GOBP_FUZZ_PROGRAM_RAW with uncompressed
 * DWARF), which is then opened and asked for functions, lines, frames, types and variables. */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "binary/binary.h"

typedef struct { uint64_t off, size; } region;
typedef struct {
    unsigned char *bytes;
    size_t size;
    region *regions;    /* 0: the ELF header, 1: the section headers, then every section's data */
    size_t nregions;
} base_image;

static base_image bases[2];
static size_t nbases;
static unsigned char *work;
static size_t work_cap;

static void load_base(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
        fprintf(stderr, "fuzz_elf: cannot read %s\n", path);
        exit(1);
    }
    base_image *b = &bases[nbases++];
    b->size = (size_t)st.st_size;
    b->bytes = xmalloc(b->size);
    if (pread(fd, b->bytes, b->size, 0) != (ssize_t)b->size)
        exit(1);
    close(fd);
    Elf64_Ehdr eh;
    memcpy(&eh, b->bytes, sizeof eh);
    b->regions = xcalloc((size_t)eh.e_shnum + 2, sizeof *b->regions);
    b->regions[b->nregions++] = (region){ 0, sizeof eh };
    b->regions[b->nregions++] = (region){ eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) };
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, b->bytes + eh.e_shoff + i * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_NOBITS && sh.sh_size > 0 && sh.sh_offset + sh.sh_size <= b->size)
            b->regions[b->nregions++] = (region){ sh.sh_offset, sh.sh_size };
    }
    if (b->size > work_cap)
        work = xrealloc(work, work_cap = b->size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *paths[] = { getenv("GOBP_FUZZ_PROGRAM"), getenv("GOBP_FUZZ_PROGRAM_RAW") };
    for (int i = 0; i < 2; i++)
        if (paths[i] && *paths[i])
            load_base(paths[i]);
    if (!nbases) {
        fprintf(stderr, "fuzz_elf: set GOBP_FUZZ_PROGRAM (fuzz/target built by Go; fuzz/run.sh does)\n");
        exit(1);
    }
    return 0;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Applies the patches: byte 0 picks the base image; then records [region][offset:4][n][n bytes]
 * write into a region (its offset taken modulo its size), region 0xff truncates the file, and
 * region 0xfe writes an absurd 8-byte value (all ones, 2^31, 2^32-1) at the offset. */
static size_t apply(const uint8_t *data, size_t size, const base_image **used)
{
    const base_image *b = &bases[size ? data[0] % nbases : 0];
    *used = b;
    memcpy(work, b->bytes, b->size);
    size_t len = b->size;
    for (size_t i = 1; i + 6 <= size;) {
        uint8_t which = data[i];
        uint64_t off = rd32(data + i + 1);
        size_t n = data[i + 5];
        i += 6;
        if (which == 0xff) {
            len = len ? off % len : 0;
            continue;
        }
        if (which == 0xfe) {
            static const uint64_t absurd[] = { UINT64_MAX, 1ull << 31, UINT32_MAX, 1ull << 62 };
            const region *r = &b->regions[n % b->nregions];
            if (r->size >= 8) {
                uint64_t at = r->off + off % (r->size - 7);
                if (at + 8 <= len)
                    memcpy(work + at, &absurd[off % 4], 8);
            }
            continue;
        }
        const region *r = &b->regions[which % b->nregions];
        if (n > size - i)
            n = size - i;
        uint64_t at = r->off + off % r->size;
        for (size_t k = 0; k < n && at + k < len; k++)
            work[at + k] = data[i + k];
        i += n;
    }
    return len;
}

/* What a session asks of a binary, in the order a launch and a first stop ask it. */
static void ask(gobp_binary *bin)
{
    if (!binary_has_go_dwarf(bin))
        return;
    (void)binary_go_version(bin);
    const gobp_func *f = binary_func_by_name(bin, "main.work");
    const gobp_func *m = binary_func_by_name(bin, "main.main");
    uint64_t pcs[8];
    int found;
    (void)binary_line_to_pcs(bin, "fuzz/target/main.go", 41, pcs, 8, &found);
    (void)binary_symbol_addr(bin, "runtime.allgs");
    (void)binary_type_by_name(bin, "main.Person");
    (void)binary_type_by_name(bin, "runtime.g");
    const gobp_global *globals;
    (void)binary_globals_of_package(bin, "main", &globals);
    (void)binary_global(bin, "main.label");
    for (const gobp_func *g = f; g; g = g == f ? m : NULL) {
        const char *file;
        int line;
        int64_t cfa;
        (void)binary_pc_to_line(bin, g->entry_pc, &file, &line);
        (void)binary_cfa_offset(bin, g->body_pc, &cfa);
        (void)binary_func_symbol_by_pc(bin, g->lowpc);
        (void)binary_func_by_pc(bin, g->body_pc);
        gobp_line_row *rows = NULL;
        int n = binary_line_rows(bin, g->lowpc, g->highpc, &rows);
        free(rows);
        (void)n;
        const gobp_var *vars;
        int nv = binary_func_vars(bin, g, g->body_pc, &vars);
        uint64_t regs[17] = { 0 };
        for (int i = 0; i < nv; i++) {
            gobp_location loc = { 0 };
            if (binary_var_location(bin, &vars[i], g->body_pc, 0xc000100000ull, regs, &loc) == 0)
                binary_location_free(&loc);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const base_image *b;
    size_t len = apply(data, size, &b);
    int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
    if (fd < 0 || (len && write(fd, work, len) != (ssize_t)len))
        abort();
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    gobp_binary *bin = binary_open(path, err, sizeof err);
    if (bin) {
        ask(bin);
        binary_close(bin);
    } else if (!err[0]) {
        abort();                  /* a binary refused says why */
    }
    close(fd);
    return 0;
}
