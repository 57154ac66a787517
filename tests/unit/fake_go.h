/* A fake Go target for the unit tests of core/value and core/eval: target memory in one arena
 * at a Go-heap-like address, and Go types built as binary_types.c builds them from DWARF.
 * fake_go_setup() before a test, fake_go_teardown() after it releases all it built. */
#ifndef GOBP_TESTS_FAKE_GO_H
#define GOBP_TESTS_FAKE_GO_H

#include <stdlib.h>
#include <string.h>

#include "value/value_internal.h"

/* A broken promise of the fake itself: a Criterion assertion in the unit tests; a driver without
 * Criterion (the eval fuzz harness) defines FAKE_GO_CHECK before including this header. */
#ifndef FAKE_GO_CHECK
#include <criterion/criterion.h>
#define FAKE_GO_CHECK(cond) cr_assert(cond)
#endif

/* ---- fake target memory: one arena at a Go-heap-like address ---- */

#define ARENA_BASE 0xc000000000ull
#define ARENA_SIZE (1u << 20)
static unsigned char *arena;
static uint64_t arena_next;

static inline int arena_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr < ARENA_BASE || addr - ARENA_BASE > ARENA_SIZE || len > ARENA_SIZE - (addr - ARENA_BASE))
        return -1;
    memcpy(buf, arena + (addr - ARENA_BASE), len);
    return 0;
}

static inline uint64_t talloc(size_t n)
{
    uint64_t a = arena_next;
    arena_next += (n + 15) & ~15ull;
    FAKE_GO_CHECK(arena_next - ARENA_BASE <= ARENA_SIZE);
    return a;
}

static inline void twrite(uint64_t addr, const void *data, size_t n)
{
    memcpy(arena + (addr - ARENA_BASE), data, n);
}

static inline void tword(uint64_t addr, uint64_t w) { twrite(addr, &w, 8); }

/* Writes a Go string header at addr pointing to a copy of s (n bytes). */
static inline void tstring_n(uint64_t addr, const char *s, size_t n)
{
    uint64_t data = n ? talloc(n) : 0;
    if (n)
        twrite(data, s, n);
    tword(addr, data);
    tword(addr + 8, n);
}

static inline void tstring(uint64_t addr, const char *s) { tstring_n(addr, s, strlen(s)); }

/* ---- growing arrays of a test ---- */

/* arr (capacity *cap elements of size bytes) with room for need; the new room is zeroed. */
static inline void *tgrow(void *arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return arr;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    char *q = realloc(arr, ncap * size);
    FAKE_GO_CHECK(q != NULL);
    memset(q + *cap * size, 0, (ncap - *cap) * size);
    *cap = ncap;
    return q;
}

/* Every type and field table of a test, released by fake_go_teardown. */
static void **owned;
static size_t nowned, owned_cap;

static inline void *own(void *p)
{
    FAKE_GO_CHECK(p != NULL);
    owned = tgrow(owned, &owned_cap, nowned + 1, sizeof *owned);
    owned[nowned++] = p;
    return p;
}

/* ---- types, built as binary_types.c builds them ---- */

static inline gobp_type *tnew(gobp_type_kind kind, const char *name, uint64_t size)
{
    gobp_type *t = own(calloc(1, sizeof *t));
    t->kind = kind;
    t->name = name;
    t->size = size;
    return t;
}

static inline void tfields(gobp_type *t, int n, const gobp_type_field *f)
{
    t->nfields = n;
    t->fields = own(calloc((size_t)n + 1, sizeof *f));
    if (n)
        memcpy(t->fields, f, (size_t)n * sizeof *f);
}

static gobp_type *T_int, *T_int8, *T_int16, *T_int32, *T_int64, *T_uint8, *T_uint16, *T_uint32,
    *T_uint64, *T_uintptr, *T_bool, *T_f32, *T_f64, *T_c64, *T_c128, *T_string, *T_unsafe;

static inline gobp_type *ptr_to(gobp_type *elem, const char *name)
{
    gobp_type *t = tnew(GOBP_KIND_PTR, name, 8);
    t->elem = elem;
    return t;
}

static inline gobp_type *slice_of(gobp_type *elem, const char *name)
{
    gobp_type *t = tnew(GOBP_KIND_SLICE, name, 24);
    t->elem = elem;
    gobp_type_field f[] = { { "array", 0, ptr_to(elem, "*"), false }, { "len", 8, T_int, false }, { "cap", 16, T_int, false } };
    tfields(t, 3, f);
    return t;
}

static inline gobp_type *array_of(gobp_type *elem, int64_t len, const char *name)
{
    gobp_type *t = tnew(GOBP_KIND_ARRAY, name, (uint64_t)len * elem->size);
    t->elem = elem;
    t->len = len;
    return t;
}

static inline gobp_type *struct_of(const char *name, uint64_t size, int n, const gobp_type_field *f)
{
    gobp_type *t = tnew(GOBP_KIND_STRUCT, name, size);
    tfields(t, n, f);
    return t;
}

static inline void make_basic_types(void)
{
    T_int = tnew(GOBP_KIND_INT, "int", 8);
    T_int8 = tnew(GOBP_KIND_INT8, "int8", 1);
    T_int16 = tnew(GOBP_KIND_INT16, "int16", 2);
    T_int32 = tnew(GOBP_KIND_INT32, "int32", 4);
    T_int64 = tnew(GOBP_KIND_INT64, "int64", 8);
    T_uint8 = tnew(GOBP_KIND_UINT8, "uint8", 1);
    T_uint16 = tnew(GOBP_KIND_UINT16, "uint16", 2);
    T_uint32 = tnew(GOBP_KIND_UINT32, "uint32", 4);
    T_uint64 = tnew(GOBP_KIND_UINT64, "uint64", 8);
    T_uintptr = tnew(GOBP_KIND_UINTPTR, "uintptr", 8);
    T_bool = tnew(GOBP_KIND_BOOL, "bool", 1);
    T_f32 = tnew(GOBP_KIND_FLOAT32, "float32", 4);
    T_f64 = tnew(GOBP_KIND_FLOAT64, "float64", 8);
    T_c64 = tnew(GOBP_KIND_COMPLEX64, "complex64", 8);
    T_c128 = tnew(GOBP_KIND_COMPLEX128, "complex128", 16);
    T_unsafe = tnew(GOBP_KIND_UNSAFEPTR, "unsafe.Pointer", 8);
    T_string = tnew(GOBP_KIND_STRING, "string", 16);
    gobp_type_field sf[] = { { "str", 0, ptr_to(T_uint8, "*uint8"), false }, { "len", 8, T_int, false } };
    tfields(T_string, 2, sf);
}

/* main.Address, main.Person and *errors.errorString, as tests/programs/values declares them. */
static gobp_type *T_address, *T_person, *T_person_ptr, *T_errstr_ptr;

static inline void make_person_types(void)
{
    gobp_type_field af[] = { { "City", 0, T_string, false }, { "Zip", 16, T_int, false } };
    T_address = struct_of("main.Address", 24, 2, af);
    gobp_type_field pf[] = {
        { "Name", 0, T_string, false }, { "Age", 16, T_int, false },
        { "Home", 24, ptr_to(T_address, "*main.Address"), false },
        { "Tags", 32, slice_of(T_string, "[]string"), false },
    };
    T_person = struct_of("main.Person", 56, 4, pf);
    T_person_ptr = ptr_to(T_person, "*main.Person");
    gobp_type_field ef[] = { { "s", 0, T_string, false } };
    T_errstr_ptr = ptr_to(struct_of("errors.errorString", 16, 1, ef), "*errors.errorString");
}

/* map[K]V with hash<K,V> / bucket<K,V> as the Go linker describes them (Go <= 1.23 layout). */
static inline gobp_type *map_of(gobp_type *key, gobp_type *val, const char *name)
{
    gobp_type *t = tnew(GOBP_KIND_MAP, name, 8);
    t->key = key;
    t->elem = val;
    uint64_t keys_off = 8, vals_off = keys_off + 8 * key->size, ovf_off = vals_off + 8 * val->size;
    gobp_type *bucket = tnew(GOBP_KIND_STRUCT, "bucket<K,V>", ovf_off + 8);
    gobp_type_field bf[] = {
        { "tophash", 0, array_of(T_uint8, 8, "[8]uint8"), false },
        { "keys", keys_off, array_of(key, 8, "[8]K"), false },
        { "values", vals_off, array_of(val, 8, "[8]V"), false },
        { "overflow", ovf_off, ptr_to(bucket, "*bucket<K,V>"), false },
    };
    tfields(bucket, 4, bf);
    gobp_type *pb = ptr_to(bucket, "*bucket<K,V>");
    gobp_type_field hf[] = {
        { "count", 0, T_int, false }, { "flags", 8, T_uint8, false }, { "B", 9, T_uint8, false },
        { "noverflow", 10, T_uint16, false }, { "hash0", 12, T_uint32, false },
        { "buckets", 16, pb, false }, { "oldbuckets", 24, pb, false },
        { "nevacuate", 32, T_uintptr, false }, { "extra", 40, T_unsafe, false },
    };
    t->runtime = struct_of("hash<K,V>", 48, 9, hf);
    return t;
}

/* ---- map values ---- */

/* Fake hmap: B, buckets and old buckets allocated zeroed; hmap is the map word's target. */
typedef struct { uint64_t hmap, buckets, oldbuckets; const gobp_type *bucket; } fake_map;

static inline fake_map tmap_new(const gobp_type *mt, int B, int old_n)
{
    fake_map m;
    m.bucket = value_field_named(mt->runtime, "buckets")->type->elem;
    m.hmap = talloc(48);
    m.buckets = talloc((1u << B) * m.bucket->size);
    m.oldbuckets = old_n ? talloc((size_t)old_n * m.bucket->size) : 0;
    unsigned char b = (unsigned char)B;
    twrite(m.hmap + 9, &b, 1);
    tword(m.hmap + 16, m.buckets);
    tword(m.hmap + 24, m.oldbuckets);
    return m;
}

/* Puts an entry in slot of bucket b (an address); the key/value writers fill the slots. */
static inline void tmap_slot(const fake_map *m, uint64_t b, int slot, unsigned char tophash,
                             uint64_t *key_addr, uint64_t *val_addr)
{
    const gobp_type_field *k = value_field_named(m->bucket, "keys");
    const gobp_type_field *v = value_field_named(m->bucket, "values");
    twrite(b + (uint64_t)slot, &tophash, 1);
    *key_addr = b + k->offset + (uint64_t)slot * k->type->elem->size;
    *val_addr = b + v->offset + (uint64_t)slot * v->type->elem->size;
}

static inline void tmap_count(const fake_map *m, uint64_t n) { tword(m->hmap, n); }

/* ---- a test's life ---- */

/* A zeroed arena and the basic types. */
static inline void fake_go_setup(void)
{
    arena = calloc(1, ARENA_SIZE);
    FAKE_GO_CHECK(arena != NULL);
    arena_next = ARENA_BASE + 0x1000;
    make_basic_types();
}

static inline void fake_go_teardown(void)
{
    free(arena);
    arena = NULL;
    while (nowned > 0)
        free(owned[--nowned]);
    free(owned);
    owned = NULL;
    owned_cap = 0;
}

#endif
