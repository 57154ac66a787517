/* Opening a Go executable: ELF checks with libelf, the DWARF handle (libdwarf), symbols,
 * the Go version from .go.buildinfo, the load bias of a PIE, and ownership of everything the
 * binary allocates. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <zlib.h>
#include <unistd.h>

#include "alloc.h"
#include "binary_internal.h"

struct str_block { struct str_block *next; size_t used, cap; char data[]; };

void *bin_alloc(gobp_binary *bin, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    struct str_block *b = bin->strs;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        b->next = bin->strs;
        bin->strs = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *bin_strdup(gobp_binary *bin, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bin_alloc(bin, n);
    if (p) memcpy(p, s, n);
    return p;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Reads bytes of the file image at a link-time address (any allocated section with file data). */
static int read_vaddr(gobp_binary *bin, uint64_t addr, void *buf, size_t len)
{
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    while ((scn = elf_nextscn(bin->elf, scn))) {
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC)) continue;
        if (addr >= sh.sh_addr && addr + len <= sh.sh_addr + sh.sh_size)
            return pread(bin->fd, buf, len, (off_t)(sh.sh_offset + (addr - sh.sh_addr))) == (ssize_t)len ? 0 : -1;
    }
    return -1;
}

int bin_read_text(gobp_binary *bin, uint64_t rt, void *buf, size_t len)
{
    uint64_t addr = link_addr(bin, rt);
    if (addr >= bin->text_addr && addr + len <= bin->text_addr + bin->text_size)
        return pread(bin->fd, buf, len, (off_t)(bin->text_off + (addr - bin->text_addr))) == (ssize_t)len ? 0 : -1;
    return read_vaddr(bin, addr, buf, len);
}

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *out)
{
    size_t shstrndx;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0) return NULL;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        if (!gelf_getshdr(scn, out)) continue;
        const char *n = elf_strptr(elf, shstrndx, out->sh_name);
        if (n && strcmp(n, name) == 0) return scn;
    }
    return NULL;
}

/* A debug section's bytes, decompressed when SHF_COMPRESSED (Elf64_Chdr + zlib, Go 1.20+ and
 * the newer linkers) or stored as .zdebug_* ("ZLIB" + big-endian size + zlib, older Go). Kept
 * in the binary's arena; NULL when absent or unreadable. */
/* A debug section as stored in the file: where its bytes are, and how to get them. */
typedef struct {
    const unsigned char *raw;   /* in the file mapping */
    size_t rawlen, hdr;         /* compressed: the zlib stream starts at raw + hdr */
    uint64_t size;              /* its size once decompressed; 0 when stored plain */
} stored_section;

/* Finds name (or .zname) and reads its compression header. -1 when absent or unreadable. */
static int locate_section(gobp_binary *bin, const char *name, stored_section *out)
{
    GElf_Shdr sh;
    char zname[64];
    snprintf(zname, sizeof zname, ".z%s", name + 1);
    bool gnu = false;
    Elf_Scn *scn = find_section(bin->elf, name, &sh);
    if (!scn && (scn = find_section(bin->elf, zname, &sh))) gnu = true;
    Elf_Data *d = scn ? elf_rawdata(scn, NULL) : NULL;
    if (!d || !d->d_buf || sh.sh_type == SHT_NOBITS) return -1;
    *out = (stored_section){d->d_buf, d->d_size, 0, 0};
    if (sh.sh_flags & SHF_COMPRESSED) {
        Elf64_Chdr ch;
        if (out->rawlen < sizeof ch) return -1;
        memcpy(&ch, out->raw, sizeof ch);
        if (ch.ch_type != ELFCOMPRESS_ZLIB) return -1;
        out->size = ch.ch_size;
        out->hdr = sizeof ch;
    } else if (gnu) {
        if (out->rawlen < 12 || memcmp(out->raw, "ZLIB", 4) != 0) return -1;
        for (int i = 4; i < 12; i++) out->size = out->size << 8 | out->raw[i];
        out->hdr = 12;
        if (!out->size) return -1;
    }
    return out->size > (1ull << 32) ? -1 : 0;
}

/* The section's bytes: decompressed into a malloc'd buffer (*owned set), or the stored ones.
 * Touches no libelf or libdwarf state, so it may run on another thread. */
static const unsigned char *inflate_section(const stored_section *st, size_t *len, unsigned char **owned)
{
    *owned = NULL;
    if (!st->size) {
        *len = st->rawlen;
        return st->raw;
    }
    /* zlib cannot expand more than 1032:1: a larger claimed size is a corrupt header, and
     * allocating it would take memory the file never had */
    if (st->rawlen <= st->hdr || st->size / 1032 > st->rawlen - st->hdr + 64)
        return NULL;
    unsigned char *out = xmalloc(st->size);
    uLongf outlen = (uLongf)st->size;
    if (uncompress(out, &outlen, st->raw + st->hdr, (uLong)(st->rawlen - st->hdr)) != Z_OK || outlen != st->size) {
        free(out);
        return NULL;
    }
    *len = st->size;
    return *owned = out;
}

struct debug_section { const unsigned char *data; size_t len; unsigned char *owned; };

/* .debug_line is inflated on a thread of its own from binary_open on: the program starts
 * meanwhile, and the first stack of a stop (the runtime's line table) no longer waits for it. */
struct line_prefetch { pthread_t thread; stored_section st; struct debug_section out; };

static void *prefetch_main(void *arg)
{
    struct line_prefetch *lp = arg;
    lp->out.data = inflate_section(&lp->st, &lp->out.len, &lp->out.owned);
    return NULL;
}

static void prefetch_debug_line(gobp_binary *bin)
{
    struct line_prefetch *lp = xcalloc(1, sizeof *lp);
    if (locate_section(bin, ".debug_line", &lp->st) != 0 || !lp->st.size ||
        pthread_create(&lp->thread, NULL, prefetch_main, lp) != 0) {
        free(lp);
        return;
    }
    bin->line_prefetch = lp;
}

const unsigned char *bin_debug_section(gobp_binary *bin, const char *name, size_t *len)
{
    struct debug_section *d = strmap_get(&bin->debug_sections, name);
    if (!d) {
        d = xcalloc(1, sizeof *d);
        struct line_prefetch *lp = bin->line_prefetch;
        stored_section st;
        if (lp && strcmp(name, ".debug_line") == 0) {
            pthread_join(lp->thread, NULL);
            *d = lp->out;
            free(lp);
            bin->line_prefetch = NULL;
        } else if (locate_section(bin, name, &st) == 0) {
            d->data = inflate_section(&st, &d->len, &d->owned);
        }
        strmap_put(&bin->debug_sections, bin_strdup(bin, name), d);
    }
    *len = d->len;
    return d->data;
}

static void debug_sections_free(gobp_binary *bin)
{
    size_t len;
    if (bin->line_prefetch) bin_debug_section(bin, ".debug_line", &len);   /* joins the thread */
    for (size_t i = 0; i < bin->debug_sections.cap; i++) {
        struct debug_section *d = bin->debug_sections.vals ? bin->debug_sections.vals[i] : NULL;
        if (bin->debug_sections.keys[i] && d) {
            free(d->owned);
            free(d);
        }
    }
    strmap_free(&bin->debug_sections);
}

/* libdwarf calls this for errors reported to callers that passed no Dwarf_Error:
 * the call then just returns DW_DLV_ERROR, which the callers check. The error object is
 * the handler's to free: with the allocation record off (open_dwarf), dwarf_finish would
 * not free it either (LeakSanitizer found thousands per session, from dwarf_formudata on
 * attributes of another form). */
static void ignore_dwarf_error(Dwarf_Error e, Dwarf_Ptr arg)
{
    gobp_binary *bin = arg;
    dwarf_dealloc(bin->dbg, e, DW_DLA_ERROR);
}

static int open_dwarf(gobp_binary *bin, char *err, size_t errlen)
{
    Dwarf_Error derr = NULL;
    /* libdwarf's record of every allocation (a tree searched on each one) is half the cost of
     * reading a line table; every object we get from libdwarf is freed where it is used. */
    dwarf_set_de_alloc_flag(0);
    char why[200];
    if (bin_check_dwarf_lists(bin, why, sizeof why) < 0) {
        set_err(err, errlen, "%s: cannot read DWARF: %s", bin->path, why);
        return -1;
    }
    int rc = dwarf_init_b(bin->fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, ignore_dwarf_error, bin, &bin->dbg, &derr);
    if (rc == DW_DLV_OK) return 0;
    if (rc == DW_DLV_NO_ENTRY)
        set_err(err, errlen, "%s: stripped binary: no DWARF debug information (build without -ldflags=-w)", bin->path);
    else
        set_err(err, errlen, "%s: cannot read DWARF: %s", bin->path, dwarf_errmsg(derr));
    if (derr)   /* returned through derr, not the handler; without a dbg (fuzz_elf found it leak) */
        dwarf_dealloc_error(NULL, derr);
    bin->dbg = NULL;
    return -1;
}

/* Checks the ELF header and sections; fills text/symbols. */
static int check_elf(gobp_binary *bin, char *err, size_t errlen)
{
    if (elf_kind(bin->elf) != ELF_K_ELF) {
        set_err(err, errlen, "%s: not an ELF executable", bin->path);
        return -1;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(bin->elf, &eh)) {
        set_err(err, errlen, "%s: not an ELF executable (bad header)", bin->path);
        return -1;
    }
    if (eh.e_machine != EM_X86_64 || eh.e_ident[EI_CLASS] != ELFCLASS64) {
        set_err(err, errlen, "%s: not an x86-64 executable (only linux/amd64 Go programs are supported)", bin->path);
        return -1;
    }
    bin->entry = eh.e_entry;
    GElf_Shdr sh;
    bool is_go = find_section(bin->elf, ".go.buildinfo", &sh) || find_section(bin->elf, ".gopclntab", &sh);
    if (!is_go) {
        set_err(err, errlen, "%s: not a Go program (no .go.buildinfo or .gopclntab section)", bin->path);
        return -1;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        set_err(err, errlen, "%s: not an executable (ELF type %d)", bin->path, (int)eh.e_type);
        return -1;
    }
    bin->pie = eh.e_type == ET_DYN;
    if (!find_section(bin->elf, ".debug_info", &sh) && !find_section(bin->elf, ".zdebug_info", &sh)) {
        bool symtab = find_section(bin->elf, ".symtab", &sh) != NULL;   /* -w keeps it, -s drops both */
        set_err(err, errlen, "%s: stripped binary: no DWARF debug information (%s). Breakpoints, stacks and "
                "variables need it: rebuild without -s and -w in -ldflags (and do not strip it), e.g. "
                "go build -gcflags=all='-N -l'", bin->path,
                symtab ? "built with -ldflags=-w" : "built with -ldflags=-s, or stripped");
        return -1;
    }
    if (find_section(bin->elf, ".text", &sh)) {
        bin->text_addr = sh.sh_addr;
        bin->text_off = sh.sh_offset;
        bin->text_size = sh.sh_size;
    }
    Elf_Scn *symtab = find_section(bin->elf, ".symtab", &sh);
    if (!symtab) {
        set_err(err, errlen, "%s: stripped binary: no symbol table (rebuild without -ldflags=-s)", bin->path);
        return -1;
    }
    if (funcs_load_symtab(bin, symtab, &sh) != 0) {
        set_err(err, errlen, "%s: cannot read the symbol table", bin->path);
        return -1;
    }
    return 0;
}

gobp_binary *binary_open(const char *path, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    gobp_binary *bin = xcalloc(1, sizeof *bin);
    bin->fd = fd;
    bin->path = xstrdup(path);
    elf_version(EV_CURRENT);
    bin->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!bin->elf) {
        set_err(err, errlen, "%s: not an ELF executable", path);
        binary_close(bin);
        return NULL;
    }
    if (check_elf(bin, err, errlen) != 0 || open_dwarf(bin, err, errlen) != 0) {
        binary_close(bin);
        return NULL;
    }
    prefetch_debug_line(bin);
    return bin;
}

void binary_close(gobp_binary *bin)
{
    if (!bin) return;
    vars_free(bin);
    types_free(bin);
    frames_free(bin);
    cus_free(bin);
    funcs_free(bin);
    strmap_free(&bin->symbols);
    free(bin->const_segs);
    debug_sections_free(bin);
    if (bin->dbg) dwarf_finish(bin->dbg, NULL);
    if (bin->elf) elf_end(bin->elf);
    if (bin->fd >= 0) close(bin->fd);
    while (bin->strs) {
        struct str_block *next = bin->strs->next;
        free(bin->strs);
        bin->strs = next;
    }
    free(bin->path);
    free(bin);
}

const char *binary_path(const gobp_binary *bin) { return bin->path; }
uint64_t binary_entry(gobp_binary *bin) { return rt_addr(bin, bin->entry); }
bool binary_is_pie(const gobp_binary *bin) { return bin->pie; }
uint64_t binary_load_bias(const gobp_binary *bin) { return bin->load_bias; }

int binary_set_load_bias_from_entry(gobp_binary *bin, uint64_t runtime_entry)
{
    uint64_t bias = runtime_entry - bin->entry;
    if (bias == bin->load_bias) return 0;
    if (!bin->pie) return -1;
    /* Tables built from DWARF hold runtime addresses of the old bias: only the function
     * index and the compile units' ranges (read by binary_has_go_dwarf) may exist yet. */
    if (bin->pkg_globals.n || bin->types.n) return -1;
    for (int c = 0; c < bin->ncus; c++)
        if (bin->cus[c].rows_loaded || bin->cus[c].subs_loaded) return -1;
    uint64_t delta = bias - bin->load_bias;
    for (size_t i = 0; i < bin->nfuncs; i++) {   /* unresolved: body_pc/entry_pc not set yet */
        bin->funcs[i].lowpc += delta;
        bin->funcs[i].highpc += delta;
    }
    for (int c = 0; c < bin->ncus; c++)
        for (int k = 0; k < bin->cus[c].nranges; k++) {
            bin->cus[c].ranges[k].lo += delta;
            bin->cus[c].ranges[k].hi += delta;
        }
    for (int k = 0; k < bin->ncu_spans; k++) {
        bin->cu_spans[k].lo += delta;
        bin->cu_spans[k].hi += delta;
    }
    u64map_free(&bin->cfa_cache);   /* keyed by runtime pc */
    bin->load_bias = bias;
    return 0;
}

static void load_const_segs(gobp_binary *bin)
{
    size_t n = 0;
    bin->const_segs_done = true;
    if (elf_getphdrnum(bin->elf, &n) != 0)
        return;
    bin->const_segs = xcalloc(n + 1, sizeof *bin->const_segs);
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(bin->elf, (int)i, &ph) && ph.p_type == PT_LOAD && !(ph.p_flags & (PF_W | PF_X)))
            bin->const_segs[bin->nconst_segs++] = (struct const_seg){ ph.p_vaddr, ph.p_filesz, ph.p_offset };
    }
}

int binary_read_const(gobp_binary *bin, uint64_t addr, void *buf, size_t len)
{
    if (!bin->const_segs_done)
        load_const_segs(bin);
    size_t size = 0;
    const char *file = bin->nconst_segs ? elf_rawfile(bin->elf, &size) : NULL;
    uint64_t at = addr - bin->load_bias;
    for (int i = 0; file && i < bin->nconst_segs; i++) {
        const struct const_seg *c = &bin->const_segs[i];
        if (at >= c->vaddr && at - c->vaddr <= c->filesz && len <= c->filesz - (at - c->vaddr) &&
            c->offset + (at - c->vaddr) + len <= size) {
            memcpy(buf, file + c->offset + (at - c->vaddr), len);
            return 0;
        }
    }
    return -1;
}

uint64_t binary_symbol_addr(gobp_binary *bin, const char *name)
{
    uintptr_t v = (uintptr_t)strmap_get(&bin->symbols, name);
    return v ? rt_addr(bin, (uint64_t)(v - 1)) : 0;
}

static uint64_t read_uvarint(const unsigned char *p, size_t n, size_t *used)
{
    uint64_t v = 0;
    int shift = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << shift;
        if (!(p[i] & 0x80)) { *used = i + 1; return v; }
        shift += 7;
    }
    *used = 0;
    return 0;
}

/* Go >= 1.18 .go.buildinfo: 16-byte header, flags bit 2 = inline varint-prefixed strings. */
static bool version_from_buildinfo(gobp_binary *bin)
{
    GElf_Shdr sh;
    if (!find_section(bin->elf, ".go.buildinfo", &sh) || sh.sh_size < 32) return false;
    unsigned char buf[32 + 10 + 64];
    size_t n = sh.sh_size < sizeof buf ? sh.sh_size : sizeof buf;
    if (pread(bin->fd, buf, n, (off_t)sh.sh_offset) != (ssize_t)n) return false;
    if (memcmp(buf, "\xff Go buildinf:", 14) != 0 || !(buf[15] & 2)) return false;
    size_t used;
    uint64_t len = read_uvarint(buf + 32, n - 32, &used);
    if (!used || len == 0 || len >= sizeof bin->go_version || 32 + used + len > n) return false;
    memcpy(bin->go_version, buf + 32 + used, len);
    bin->go_version[len] = 0;
    return true;
}

/* runtime.buildVersion is a Go string header {ptr, len} in the data segment. */
static bool version_from_runtime_symbol(gobp_binary *bin)
{
    uint64_t addr = binary_symbol_addr(bin, "runtime.buildVersion");
    uint64_t hdr[2];
    if (!addr || bin_read_text(bin, addr, hdr, sizeof hdr) != 0) return false;
    if (hdr[1] == 0 || hdr[1] >= sizeof bin->go_version) return false;
    if (bin_read_text(bin, rt_addr(bin, hdr[0]), bin->go_version, hdr[1]) != 0) return false;  /* a link-time pointer */
    bin->go_version[hdr[1]] = 0;
    return true;
}

const char *binary_go_version(gobp_binary *bin)
{
    if (!bin->go_version_done) {
        bin->go_version_done = true;
        if (!version_from_buildinfo(bin) && !version_from_runtime_symbol(bin)) bin->go_version[0] = 0;
    }
    return bin->go_version;
}

/* The package is everything up to the first '.' after the last '/' (generic brackets aside). */
char *go_func_package(const char *funcname, char *buf, size_t buflen)
{
    if (!buflen) return buf;
    const char *end = funcname + strcspn(funcname, "[");
    const char *slash = NULL;
    for (const char *p = funcname; p < end; p++)
        if (*p == '/') slash = p;
    const char *start = slash ? slash + 1 : funcname;
    const char *dot = memchr(start, '.', (size_t)(end - start));
    size_t n = dot ? (size_t)(dot - funcname) : (size_t)(end - funcname);
    if (n >= buflen) n = buflen - 1;
    memcpy(buf, funcname, n);
    buf[n] = 0;
    return buf;
}
