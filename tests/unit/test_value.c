/* Unit tests of core/value*.c: Go types built exactly as the binary module builds them from
 * DWARF, values placed in a fake target memory, and the exact text, children and lookups
 * checked for every kind. Interface types and func names come from test doubles (hooks). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_go.h"

static gobp_memview mv = { .read = arena_read, .bin = NULL };

/* ---- test doubles of the binary module: runtime types and functions ---- */

#define RT_CIRCLE 0x4a0000ull
#define RT_INT 0x4a0100ull
#define RT_ERRSTR_PTR 0x4a0200ull
#define RT_PERSON_PTR 0x4a0300ull
#define PC_DECIDE 0x49b000ull

static gobp_type *T_circle;

static gobp_type *fake_type_by_rtaddr(gobp_binary *bin, uint64_t addr)
{
    (void)bin;
    switch (addr) {
    case RT_CIRCLE: return T_circle;
    case RT_INT: return T_int;
    case RT_ERRSTR_PTR: return T_errstr_ptr;
    case RT_PERSON_PTR: return T_person_ptr;
    default: return NULL;
    }
}

static const gobp_func decide_func = { .name = "main.decide", .lowpc = PC_DECIDE, .highpc = PC_DECIDE + 0x100 };

static const gobp_func *fake_func_by_pc(gobp_binary *bin, uint64_t pc)
{
    (void)bin;
    return pc >= decide_func.lowpc && pc < decide_func.highpc ? &decide_func : NULL;
}

static void make_program_types(void)
{
    make_person_types();
    gobp_type_field cf[] = { { "R", 0, T_f64, false } };
    T_circle = struct_of("main.Circle", 8, 1, cf);
}

static void setup(void)
{
    fake_go_setup();
    make_program_types();
    value_set_binary_hooks(fake_type_by_rtaddr, fake_func_by_pc);
}

static void teardown(void)
{
    fake_go_teardown();
    value_set_binary_hooks(NULL, NULL);
}

TestSuite(value, .init = setup, .fini = teardown);

/* Formats v and compares with want. */
static void expect_format_opts(const gobp_value *v, const gobp_format_opts *o, const char *want)
{
    char *got = value_format(&mv, v, o);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, want);
    free(got);
}

static void expect_format(const gobp_value *v, const char *want) { expect_format_opts(v, NULL, want); }

/* Formats v showing at most max_elems elements and compares with want. */
static void expect_format_max(const gobp_value *v, int max_elems, const char *want)
{
    gobp_format_opts o = gobp_format_default;
    o.max_elems = max_elems;
    expect_format_opts(v, &o, want);
}

/* v reads as the integer want. */
static void expect_int(const gobp_value *v, int64_t want)
{
    int64_t got;
    cr_assert_eq(value_int(&mv, v, &got), 0);
    cr_expect_eq(got, want);
}

/* v has count children; a page of at most max from from holds those named names (n of them),
 * the last of which reads as the integer last. */
static void expect_page(const gobp_value *v, int count, int from, int max, const char *const *names, int n,
                        int64_t last)
{
    cr_expect_eq(value_child_count(&mv, v), count);
    gobp_child *c = calloc((size_t)max, sizeof *c);
    cr_assert_not_null(c);
    int got = value_children(&mv, v, from, max, c);
    cr_assert_eq(got, n);
    for (int i = 0; i < n; i++)
        cr_expect_str_eq(c[i].name, names[i], "child %d", i);
    expect_int(&c[n - 1].value, last);
    gobp_children_free(c, got);
    free(c);
}

/* A fresh variable of type t in target memory holding n bytes of data. */
static gobp_value tvar(gobp_type *t, const void *data, size_t n)
{
    uint64_t a = talloc(t->size);
    if (data)
        twrite(a, data, n);
    return value_at(t, a);
}

/* ---- scalars ---- */

Test(value, integers_of_every_size)
{
    int8_t i8 = -8; int16_t i16 = -16; int32_t i32 = -32; int64_t i64 = -64;
    uint8_t u8 = 200; uint16_t u16 = 65535; uint32_t u32 = 4000000000u; uint64_t u64 = UINT64_MAX;
    uint64_t up = 0x1234;
    gobp_value v = tvar(T_int8, &i8, 1);
    expect_format(&v, "-8");
    v = tvar(T_int16, &i16, 2); expect_format(&v, "-16");
    v = tvar(T_int32, &i32, 4); expect_format(&v, "-32");
    v = tvar(T_int64, &i64, 8); expect_format(&v, "-64");
    v = tvar(T_uint8, &u8, 1); expect_format(&v, "200");
    v = tvar(T_uint16, &u16, 2); expect_format(&v, "65535");
    v = tvar(T_uint32, &u32, 4); expect_format(&v, "4000000000");
    v = tvar(T_uint64, &u64, 8); expect_format(&v, "18446744073709551615");
    v = tvar(T_uintptr, &up, 8); expect_format(&v, "4660");
    v = tvar(T_int8, &i8, 1);
    expect_int(&v, -8);
    cr_expect_eq(value_child_count(&mv, &v), 0);
}

Test(value, rune_bool_and_floats)
{
    int32_t r = 233;
    bool t = true, f = false;
    float f32 = 0.25f;
    double f64 = 0.1;
    gobp_value v = tvar(T_int32, &r, 4);
    expect_format(&v, "233");
    v = tvar(T_bool, &t, 1); expect_format(&v, "true");
    v = tvar(T_bool, &f, 1); expect_format(&v, "false");
    v = tvar(T_f32, &f32, 4); expect_format(&v, "0.25");
    v = tvar(T_f64, &f64, 8); expect_format(&v, "0.1");
    float f32b = 0.1f;
    v = tvar(T_f32, &f32b, 4); expect_format(&v, "0.1");
    double big = 1234.5;
    v = tvar(T_f64, &big, 8); expect_format(&v, "1234.5");
}

Test(value, complex_numbers)
{
    double c128[2] = { 1.5, -2 };
    float c64[2] = { 0.1f, 3 };
    gobp_value v = tvar(T_c128, c128, 16);
    expect_format(&v, "(1.5 + -2i)");
    v = tvar(T_c64, c64, 8);
    expect_format(&v, "(0.1 + 3i)");
}

Test(value, unsafe_pointer)
{
    uint64_t p = 0xc000091b98, z = 0;
    gobp_value v = tvar(T_unsafe, &p, 8);
    expect_format(&v, "unsafe.Pointer(0xc000091b98)");
    v = tvar(T_unsafe, &z, 8);
    expect_format(&v, "unsafe.Pointer(nil)");
}

/* ---- strings ---- */

Test(value, strings_quoted_like_go)
{
    gobp_value v = tvar(T_string, NULL, 0);
    tstring(v.addr, "héllo, 世界");
    expect_format(&v, "\"héllo, 世界\"");
    tstring(v.addr, "a\n\"b\"\\\t\x01\x7f");
    expect_format(&v, "\"a\\n\\\"b\\\"\\\\\\t\\x01\\x7f\"");
    tstring_n(v.addr, "\xff" "ok\xc3", 4);
    expect_format(&v, "\"\\xffok\\xc3\"");
    tstring(v.addr, "\xc2\x85"); /* U+0085, a C1 control */
    expect_format(&v, "\"\\u0085\"");
    tstring(v.addr, "a\xc2\xa0" "b\xe2\x80\x8b\xef\xbf\xbd"); /* NBSP, zero-width space, U+FFFD */
    expect_format(&v, "\"a\\u00a0b\\u200b\xef\xbf\xbd\"");
    tstring(v.addr, "");
    expect_format(&v, "\"\"");
    cr_expect_eq(value_child_count(&mv, &v), 0);
}

Test(value, long_string_truncated)
{
    gobp_value v = tvar(T_string, NULL, 0);
    tstring(v.addr, "abcdefgh");
    gobp_format_opts o = gobp_format_default;
    o.max_string = 3;
    expect_format_opts(&v, &o, "\"abc\"...+5 more");
    size_t len;
    char *s = value_string(&mv, &v, 5, &len);
    cr_expect_str_eq(s, "abcde");
    cr_expect_eq(len, 8);
    free(s);
}

Test(value, unreadable_string_data)
{
    gobp_value v = tvar(T_string, NULL, 0);
    tword(v.addr, 0x10);   /* outside the target's memory */
    tword(v.addr + 8, 3);
    char *got = value_format(&mv, &v, NULL);
    cr_expect(strncmp(got, "(unreadable", 11) == 0, "got %s", got);
    free(got);
}

/* ---- slices and arrays ---- */

static gobp_value int_slice(gobp_type *st, const int64_t *elems, int64_t len, int64_t cap)
{
    uint64_t data = cap ? talloc((size_t)cap * 8) : 0;
    if (len)
        twrite(data, elems, (size_t)len * 8);
    gobp_value v = tvar(st, NULL, 0);
    tword(v.addr, data);
    tword(v.addr + 8, (uint64_t)len);
    tword(v.addr + 16, (uint64_t)cap);
    return v;
}

Test(value, slices_format_and_page)
{
    gobp_type *st = slice_of(T_int, "[]int");
    int64_t e[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    gobp_value v = int_slice(st, e, 12, 12);
    expect_format(&v, "[]int len: 12, cap: 12, [1,2,3,4,5,6,7,8,...+4 more]");
    expect_format_max(&v, 64, "[]int len: 12, cap: 12, [1,2,3,4,5,6,7,8,9,10,11,12]");
    expect_page(&v, 12, 10, 5, (const char *[]){ "[10]", "[11]" }, 2, 12);
    gobp_value el;
    cr_assert_eq(value_index(&mv, &v, 3, &el), 0);
    expect_int(&el, 4);
    cr_expect_neq(value_index(&mv, &v, 12, &el), 0);
}

Test(value, nil_and_empty_slices)
{
    gobp_type *st = slice_of(T_int, "[]int");
    gobp_value nil = int_slice(st, NULL, 0, 0);
    expect_format(&nil, "[]int len: 0, cap: 0, nil");
    cr_expect_eq(value_child_count(&mv, &nil), 0);
    gobp_value empty = int_slice(st, NULL, 0, 0);
    tword(empty.addr, talloc(8)); /* a non-nil base */
    expect_format(&empty, "[]int len: 0, cap: 0, []");
}

Test(value, byte_and_string_slices)
{
    gobp_type *bt = slice_of(T_uint8, "[]uint8");
    uint64_t data = talloc(3);
    twrite(data, "abc", 3);
    gobp_value v = tvar(bt, NULL, 0);
    tword(v.addr, data); tword(v.addr + 8, 3); tword(v.addr + 16, 3);
    expect_format(&v, "[]uint8 len: 3, cap: 3, [97,98,99]");
    gobp_type *sst = slice_of(T_string, "[]string");
    uint64_t sd = talloc(32);
    tstring(sd, "a");
    tstring(sd + 16, "b");
    gobp_value s = tvar(sst, NULL, 0);
    tword(s.addr, sd); tword(s.addr + 8, 2); tword(s.addr + 16, 4);
    expect_format(&s, "[]string len: 2, cap: 4, [\"a\",\"b\"]");
}

Test(value, arrays)
{
    gobp_type *at = array_of(T_int, 3, "[3]int");
    int64_t e[3] = { 10, 20, 30 };
    gobp_value v = tvar(at, e, sizeof e);
    expect_format(&v, "[3]int [10,20,30]");
    cr_expect_eq(value_child_count(&mv, &v), 3);
    gobp_child c[3];
    int n = value_children(&mv, &v, 0, 3, c);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(c[2].name, "[2]");
    cr_expect_eq(c[2].value.addr, v.addr + 16);
    gobp_children_free(c, n);
    gobp_type *empty = array_of(T_int, 0, "[0]int");
    gobp_value ev = tvar(empty, NULL, 0);
    expect_format(&ev, "[0]int []");
}

/* ---- structs and pointers ---- */

/* Person{Name: "Ann", Age: 42, Home: &Address{"Oslo", 150}, Tags: {"a","b"}} at addr. */
static void write_person(uint64_t p)
{
    uint64_t home = talloc(24);
    tstring(home, "Oslo");
    tword(home + 16, 150);
    tstring(p, "Ann");
    tword(p + 16, 42);
    tword(p + 24, home);
    uint64_t tags = talloc(32);
    tstring(tags, "a");
    tstring(tags + 16, "b");
    tword(p + 32, tags); tword(p + 40, 2); tword(p + 48, 2);
}

#define PERSON_TEXT "main.Person {Name: \"Ann\", Age: 42, Home: *main.Address {City: \"Oslo\", Zip: 150}, " \
                    "Tags: []string len: 2, cap: 2, [\"a\",\"b\"]}"

Test(value, struct_with_pointer_and_slice)
{
    gobp_value p = tvar(T_person, NULL, 0);
    write_person(p.addr);
    expect_format(&p, PERSON_TEXT);
    cr_expect_eq(value_child_count(&mv, &p), 4);
    gobp_child c[4];
    int n = value_children(&mv, &p, 0, 4, c);
    cr_assert_eq(n, 4);
    cr_expect_str_eq(c[0].name, "Name");
    cr_expect_str_eq(c[3].name, "Tags");
    cr_expect_eq(c[1].value.addr, p.addr + 16);
    cr_expect_eq(c[2].value.type->kind, GOBP_KIND_PTR);
    gobp_children_free(c, n);
    char *tn = value_type_name(&mv, &p);
    cr_expect_str_eq(tn, "main.Person");
    free(tn);
}

Test(value, pointers)
{
    gobp_value p = tvar(T_person, NULL, 0);
    write_person(p.addr);
    gobp_value pp = tvar(T_person_ptr, &p.addr, 8);
    expect_format(&pp, "*" PERSON_TEXT);
    cr_expect_eq(value_child_count(&mv, &pp), 1);
    gobp_child c[1];
    cr_assert_eq(value_children(&mv, &pp, 0, 1, c), 1);
    cr_expect_str_eq(c[0].name, "");
    cr_expect_eq(c[0].value.addr, p.addr);
    cr_expect_eq(c[0].value.type, T_person);
    gobp_children_free(c, 1);
    uint64_t zero = 0;
    gobp_value nil = tvar(T_person_ptr, &zero, 8);
    expect_format(&nil, "*main.Person nil");
    cr_expect_eq(value_child_count(&mv, &nil), 0);
    gobp_value d;
    cr_expect_neq(value_deref(&mv, &nil, &d), 0);
    uint64_t wild = 0x10;
    gobp_value bad = tvar(T_person_ptr, &wild, 8);
    expect_format(&bad, "(*main.Person)(0x10)");
    int64_t seven = 7;
    gobp_value iv = tvar(T_int, &seven, 8);
    gobp_value ip = tvar(ptr_to(T_int, "*int"), &iv.addr, 8);
    expect_format(&ip, "*7");
    cr_assert_eq(value_deref(&mv, &ip, &d), 0);
    cr_expect_eq(d.addr, iv.addr);
}

Test(value, embedded_fields_depth_and_field_lookup)
{
    gobp_type_field bf[] = { { "ID", 0, T_int, false } };
    gobp_type *base = struct_of("main.Base", 8, 1, bf);
    gobp_type_field ef[] = { { "Base", 0, base, true }, { "Person", 8, T_person, false }, { "Salary", 64, T_f64, false } };
    gobp_type *emp = struct_of("main.Employee", 72, 3, ef);
    gobp_value e = tvar(emp, NULL, 0);
    tword(e.addr, 9);
    write_person(e.addr + 8);
    double salary = 1234.5;
    twrite(e.addr + 64, &salary, 8);
    expect_format(&e, "main.Employee {Base: main.Base {ID: 9}, Person: main.Person {Name: \"Ann\", Age: 42, "
                      "Home: *main.Address {...}, Tags: []string len: 2, cap: 2, [...]}, Salary: 1234.5}");
    gobp_format_opts o = gobp_format_default;
    o.max_depth = 1;
    expect_format_opts(&e, &o, "main.Employee {Base: main.Base {...}, Person: main.Person {...}, Salary: 1234.5}");
    o.max_depth = 0;
    expect_format_opts(&e, &o, "main.Employee {...}");
    expect_format_max(&e, 2, "main.Employee {Base: main.Base {ID: 9}, Person: main.Person {Name: \"Ann\", Age: 42,...+2 more},...+1 more}");

    gobp_value f;
    cr_assert_eq(value_field(&mv, &e, "ID", &f), 0);    /* promoted through Base */
    expect_int(&f, 9);
    cr_assert_eq(value_field(&mv, &e, "Salary", &f), 0);
    cr_expect_eq(f.addr, e.addr + 64);
    cr_expect_neq(value_field(&mv, &e, "Nope", &f), 0);
    gobp_value pp = tvar(T_person_ptr, (uint64_t[]){ e.addr + 8 }, 8);
    cr_assert_eq(value_field(&mv, &pp, "Age", &f), 0);   /* through the pointer */
    expect_int(&f, 42);
}

Test(value, empty_struct)
{
    gobp_type *t = struct_of("struct {}", 0, 0, NULL);
    gobp_value v = value_at(t, talloc(8));
    expect_format(&v, "struct {} {}");
    cr_expect_eq(value_child_count(&mv, &v), 0);
}

/* ---- interfaces ---- */

static gobp_type *iface_type(const char *name, bool itab_go122)
{
    gobp_type *t = tnew(GOBP_KIND_INTERFACE, name, 16);
    /* runtime.itab (Go <= 1.21): inter @0, _type @8; internal/abi.ITab (1.22): Inter @0, Type @8.
       Here the 1.22 layout puts Type at 16 to prove the offset comes from the field. */
    gobp_type_field old_itab[] = { { "inter", 0, T_uintptr, false }, { "_type", 8, T_uintptr, false }, { "hash", 16, T_uint32, false } };
    gobp_type_field new_itab[] = { { "Inter", 0, T_uintptr, false }, { "Hash", 8, T_uint32, false }, { "Type", 16, T_uintptr, false } };
    gobp_type *itab = itab_go122 ? struct_of("internal/abi.ITab", 32, 3, new_itab)
                                 : struct_of("runtime.itab", 32, 3, old_itab);
    gobp_type_field f[] = { { "tab", 0, ptr_to(itab, "*runtime.itab"), false }, { "data", 8, T_unsafe, false } };
    tfields(t, 2, f);
    return t;
}

static gobp_type *eface_type(void)
{
    gobp_type *t = tnew(GOBP_KIND_INTERFACE, "interface {}", 16);
    t->empty_interface = true;
    gobp_type_field f[] = { { "_type", 0, T_uintptr, false }, { "data", 8, T_unsafe, false } };
    tfields(t, 2, f);
    return t;
}

static gobp_value iface_value(gobp_type *it, uint64_t type_off, uint64_t rtype, uint64_t data)
{
    uint64_t tab = talloc(32);
    tword(tab + type_off, rtype);
    gobp_value v = tvar(it, NULL, 0);
    tword(v.addr, tab);
    tword(v.addr + 8, data);
    return v;
}

/* A main.Shape holding main.Circle{R: r} (itab of Go 1.22 or older); *data is the circle's address. */
static gobp_value circle_shape(bool go122, double r, uint64_t *data)
{
    *data = talloc(8);
    twrite(*data, &r, 8);
    return iface_value(iface_type("main.Shape", go122), go122 ? 16 : 8, RT_CIRCLE, *data);
}

Test(value, interface_with_struct)
{
    uint64_t data;
    gobp_value v = circle_shape(false, 2, &data);
    expect_format(&v, "main.Shape(main.Circle) {R: 2}");
    char *tn = value_type_name(&mv, &v);
    cr_expect_str_eq(tn, "main.Shape(main.Circle)");
    free(tn);
    cr_expect_eq(value_child_count(&mv, &v), 1);
    gobp_child c[1];
    cr_assert_eq(value_children(&mv, &v, 0, 1, c), 1);
    cr_expect_str_eq(c[0].name, "main.Circle");
    cr_expect_eq(c[0].value.addr, data);
    gobp_children_free(c, 1);
}

Test(value, interface_go122_itab_layout)
{
    uint64_t data;
    gobp_value v = circle_shape(true, 3, &data);
    expect_format(&v, "main.Shape(main.Circle) {R: 3}");
}

Test(value, empty_interface_and_nil)
{
    gobp_type *any = eface_type();
    int64_t n = 42;
    uint64_t data = talloc(8);
    twrite(data, &n, 8);
    gobp_value v = tvar(any, (uint64_t[]){ RT_INT, data }, 16);
    expect_format(&v, "interface {}(int) 42");
    char *tn = value_type_name(&mv, &v);
    cr_expect_str_eq(tn, "interface {}(int)");
    free(tn);
    gobp_value nil = tvar(any, (uint64_t[]){ 0, 0 }, 16);
    expect_format(&nil, "interface {} nil");
    cr_expect_eq(value_child_count(&mv, &nil), 0);
    gobp_value nil_shape = tvar(iface_type("main.Shape", false), (uint64_t[]){ 0, 0 }, 16);
    expect_format(&nil_shape, "main.Shape nil");
    tn = value_type_name(&mv, &nil_shape);
    cr_expect_str_eq(tn, "main.Shape");
    free(tn);
}

Test(value, error_with_pointer_dynamic_type)
{
    gobp_type *err = iface_type("error", false);
    uint64_t es = talloc(16);
    tstring(es, "boom");
    gobp_value v = iface_value(err, 8, RT_ERRSTR_PTR, es); /* data word IS the pointer */
    expect_format(&v, "error(*errors.errorString) *{s: \"boom\"}");
    gobp_child c[1];
    cr_assert_eq(value_children(&mv, &v, 0, 1, c), 1);
    cr_expect_str_eq(c[0].name, "*errors.errorString");
    cr_expect_eq(c[0].value.type, T_errstr_ptr);
    gobp_value s;
    cr_assert_eq(value_field(&mv, &c[0].value, "s", &s), 0);
    expect_format(&s, "\"boom\"");
    gobp_children_free(c, 1);
    gobp_value nil = tvar(err, (uint64_t[]){ 0, 0 }, 16);
    expect_format(&nil, "error nil");
}

Test(value, interface_unknown_dynamic_type)
{
    gobp_type *any = eface_type();
    gobp_value v = tvar(any, (uint64_t[]){ 0x999, 0xc0 }, 16);
    expect_format(&v, "interface {}(<unknown type 0x999>) 0xc0");
    cr_expect_eq(value_child_count(&mv, &v), 0);
}

Test(value, slice_of_interfaces_shows_dynamic_types)
{
    gobp_type *any = eface_type();
    gobp_type *st = slice_of(any, "[]interface {}");
    uint64_t data = talloc(32), n = talloc(8);
    tword(n, 5);
    tword(data, RT_INT); tword(data + 8, n);
    gobp_value v = tvar(st, (uint64_t[]){ data, 2, 2 }, 24);
    expect_format(&v, "[]interface {} len: 2, cap: 2, [5,nil]");
}

/* ---- maps ---- */

Test(value, map_with_buckets_and_overflow)
{
    gobp_type *mt = map_of(T_string, T_int, "map[string]int");
    fake_map m = tmap_new(mt, 1, 0);          /* 2 buckets */
    uint64_t ovf = talloc(m.bucket->size);
    const char *keys[] = { "one", "two", "three", "four" };
    uint64_t k, v;
    tmap_slot(&m, m.buckets, 0, 0x80, &k, &v); tstring(k, keys[0]); tword(v, 1);
    tmap_slot(&m, m.buckets, 1, 1, &k, &v);    /* emptyOne: skipped */
    tmap_slot(&m, m.buckets, 3, 0x81, &k, &v); tstring(k, keys[1]); tword(v, 2);
    tmap_slot(&m, m.buckets + m.bucket->size, 7, 0x90, &k, &v); tstring(k, keys[2]); tword(v, 3);
    tword(m.buckets + m.bucket->size + value_field_named(m.bucket, "overflow")->offset, ovf);
    tmap_slot(&m, ovf, 0, 0x91, &k, &v); tstring(k, keys[3]); tword(v, 4);
    tmap_count(&m, 4);
    gobp_value mv_ = tvar(mt, &m.hmap, 8);
    expect_format(&mv_, "map[string]int [\"one\": 1, \"two\": 2, \"three\": 3, \"four\": 4, ]");
    expect_format_max(&mv_, 2, "map[string]int [\"one\": 1, \"two\": 2, ...+2 more]");
    expect_page(&mv_, 4, 1, 4, (const char *[]){ "\"two\"", "\"three\"", "\"four\"" }, 3, 4);
    gobp_value got;
    cr_assert_eq(value_map_lookup_string(&mv, &mv_, "three", &got), 0);
    expect_int(&got, 3);
    cr_expect_neq(value_map_lookup_string(&mv, &mv_, "five", &got), 0);
    cr_expect_neq(value_map_lookup_int(&mv, &mv_, 1, &got), 0);  /* wrong key kind */
}

Test(value, map_int_keys_growing)
{
    gobp_type *mt = map_of(T_int, T_string, "map[int]string");
    fake_map m = tmap_new(mt, 1, 1);          /* growing from 1 old bucket to 2 */
    uint64_t k, v;
    tmap_slot(&m, m.buckets, 2, 0x77, &k, &v); tword(k, 10); tstring(v, "ten");
    tmap_slot(&m, m.oldbuckets, 0, 2, &k, &v); tword(k, 10); tstring(v, "ten"); /* evacuatedX */
    tmap_slot(&m, m.oldbuckets, 1, 0x55, &k, &v); tword(k, 20); tstring(v, "twenty");
    tmap_count(&m, 2);
    gobp_value mv_ = tvar(mt, &m.hmap, 8);
    expect_format(&mv_, "map[int]string [10: \"ten\", 20: \"twenty\", ]");
    gobp_value got;
    cr_assert_eq(value_map_lookup_int(&mv, &mv_, 20, &got), 0);
    expect_format(&got, "\"twenty\"");
    cr_assert_eq(value_index(&mv, &mv_, 10, &got), 0);
    expect_format(&got, "\"ten\"");
    gobp_child c[2];
    cr_assert_eq(value_children(&mv, &mv_, 0, 2, c), 2);
    cr_expect_str_eq(c[1].name, "20");
    gobp_children_free(c, 2);
}

Test(value, nil_and_empty_maps)
{
    gobp_type *mt = map_of(T_string, T_int, "map[string]int");
    uint64_t zero = 0;
    gobp_value nil = tvar(mt, &zero, 8);
    expect_format(&nil, "map[string]int nil");
    cr_expect_eq(value_child_count(&mv, &nil), 0);
    fake_map m = tmap_new(mt, 0, 0);
    gobp_value empty = tvar(mt, &m.hmap, 8);
    expect_format(&empty, "map[string]int []");
    gobp_format_opts o = gobp_format_default;
    o.max_depth = 0;
    tmap_count(&m, 1);
    uint64_t k, v;
    tmap_slot(&m, m.buckets, 0, 9, &k, &v); tstring(k, "x"); tword(v, 1);
    expect_format_opts(&empty, &o, "map[string]int [...]");
}

/* ---- channels and funcs ---- */

static gobp_type *chan_of_int(void)
{
    gobp_type *t = tnew(GOBP_KIND_CHAN, "chan int", 8);
    t->elem = T_int;
    gobp_type_field hf[] = { { "qcount", 0, T_uint64, false }, { "dataqsiz", 8, T_uint64, false },
                        { "buf", 16, T_unsafe, false }, { "elemsize", 24, T_uint16, false },
                        { "closed", 28, T_uint32, false } };
    t->runtime = struct_of("hchan<int>", 32, 5, hf);
    return t;
}

Test(value, channels)
{
    gobp_type *ct = chan_of_int();
    uint64_t h = talloc(32);
    tword(h, 1);
    tword(h + 8, 5);
    gobp_value c = tvar(ct, &h, 8);
    expect_format(&c, "chan int 1/5");
    cr_expect_eq(value_child_count(&mv, &c), 5);
    gobp_child kids[5];
    int n = value_children(&mv, &c, 0, 5, kids);
    cr_assert_eq(n, 5);
    cr_expect_str_eq(kids[0].name, "qcount");
    expect_format(&kids[1].value, "5");
    gobp_children_free(kids, n);
    uint64_t zero = 0;
    gobp_value nil = tvar(ct, &zero, 8);
    expect_format(&nil, "chan int nil");
    cr_expect_eq(value_child_count(&mv, &nil), 0);
}

Test(value, funcs)
{
    gobp_type *ft = tnew(GOBP_KIND_FUNC, "func(int, string) bool", 8);
    uint64_t funcval = talloc(8);
    tword(funcval, PC_DECIDE);
    gobp_value f = tvar(ft, &funcval, 8);
    expect_format(&f, "main.decide");
    uint64_t zero = 0;
    gobp_value nil = tvar(ft, &zero, 8);
    expect_format(&nil, "nil");
    cr_expect_eq(value_child_count(&mv, &f), 0);
}

/* ---- values in registers ---- */

Test(value, string_in_registers)
{
    uint64_t data = talloc(5);
    twrite(data, "hello", 5);
    uint64_t regs[17] = { 0 };
    regs[3] = data;   /* rbx */
    regs[2] = 5;      /* rcx */
    gobp_piece pieces[2];
    gobp_location loc = { .npieces = 2, .pieces = pieces };
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_REG, .reg = 3, .size = 8 };
    loc.pieces[1] = (gobp_piece){ .kind = GOBP_PIECE_REG, .reg = 2, .size = 8 };
    gobp_value v;
    cr_assert_eq(value_from_location(&mv, T_string, &loc, regs, NULL, &v), 0);
    cr_expect_not_null(v.bytes);
    expect_format(&v, "\"hello\"");
    value_free(&v);
}

Test(value, float_in_xmm_and_small_ints)
{
    unsigned char xmm[16 * 16] = { 0 };
    double d = 2.5;
    memcpy(xmm + 16 * 1, &d, 8);   /* xmm1 = DWARF 18 */
    gobp_piece pieces[1];
    gobp_location loc = { .npieces = 1, .pieces = pieces };
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_REG, .reg = 18, .size = 8 };
    gobp_value v;
    cr_assert_eq(value_from_location(&mv, T_f64, &loc, (uint64_t[17]){ 0 }, xmm, &v), 0);
    expect_format(&v, "2.5");
    value_free(&v);
    uint64_t regs[17] = { 0 };
    regs[0] = 0xffffffffffffff80ull;  /* rax holds -128 in its low byte */
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_REG, .reg = 0, .size = 1 };
    cr_assert_eq(value_from_location(&mv, T_int8, &loc, regs, NULL, &v), 0);
    expect_format(&v, "-128");
    value_free(&v);
}

Test(value, struct_from_mixed_pieces_has_children)
{
    gobp_type_field f[] = { { "X", 0, T_int, false }, { "Y", 8, T_int, false } };
    gobp_type *pt = struct_of("main.Point", 16, 2, f);
    int64_t x = 11;
    uint64_t xa = talloc(8);
    twrite(xa, &x, 8);
    gobp_piece pieces[2];
    gobp_location loc = { .npieces = 2, .pieces = pieces };
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_MEM, .addr = xa, .size = 8 };
    loc.pieces[1] = (gobp_piece){ .kind = GOBP_PIECE_VALUE, .addr = 22, .size = 8 };
    gobp_value v;
    cr_assert_eq(value_from_location(&mv, pt, &loc, (uint64_t[17]){ 0 }, NULL, &v), 0);
    expect_format(&v, "main.Point {X: 11, Y: 22}");
    gobp_child c[2];
    cr_assert_eq(value_children(&mv, &v, 0, 2, c), 2);
    expect_format(&c[1].value, "22");
    gobp_children_free(c, 2);
    gobp_value copy = value_copy(&v);
    cr_expect_neq(copy.bytes, v.bytes);
    expect_format(&copy, "main.Point {X: 11, Y: 22}");
    value_free(&copy);
    value_free(&v);
}

Test(value, heap_moved_variable_reads_through_its_pointer)
{
    gobp_type_field f[] = { { "X", 0, T_int, false }, { "Y", 8, T_int, false } };
    gobp_type *pt = struct_of("main.Point", 16, 2, f);
    uint64_t obj = talloc(16), slot = talloc(8);
    int64_t xy[2] = { 3, 4 };
    twrite(obj, xy, 16);
    tword(slot, obj);
    /* the pointer in a stack slot */
    gobp_piece pieces[1];
    gobp_location loc = { .npieces = 1, .pieces = pieces, .deref = true };
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_MEM, .addr = slot, .size = 8 };
    gobp_value v;
    cr_assert_eq(value_from_location(&mv, pt, &loc, NULL, NULL, &v), 0);
    cr_expect_null(v.bytes);
    cr_expect_eq(v.addr, obj, "the value is the heap object (writes go there)");
    expect_format(&v, "main.Point {X: 3, Y: 4}");
    cr_expect_eq(value_child_count(&mv, &v), 2);
    /* the pointer in a register */
    uint64_t regs[17] = { 0 };
    regs[0] = obj;
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_REG, .reg = 0, .size = 8 };
    cr_assert_eq(value_from_location(&mv, pt, &loc, regs, NULL, &v), 0);
    cr_expect_eq(v.addr, obj);
    /* nil: not allocated yet, unreadable but no error */
    tword(slot, 0);
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_MEM, .addr = slot, .size = 8 };
    cr_assert_eq(value_from_location(&mv, pt, &loc, NULL, NULL, &v), 0);
    cr_expect(v.unreadable);
    cr_expect_eq(value_child_count(&mv, &v), 0);
    /* an unreadable pointer slot */
    loc.pieces[0].addr = 0x1000;
    cr_expect_neq(value_from_location(&mv, pt, &loc, NULL, NULL, &v), 0);
    cr_expect(v.unreadable);
}

Test(value, single_memory_piece_is_an_address_and_no_pieces_unreadable)
{
    gobp_piece pieces[1];
    gobp_location loc = { .npieces = 1, .pieces = pieces };
    loc.pieces[0] = (gobp_piece){ .kind = GOBP_PIECE_MEM, .addr = 0xc000001234, .size = 8 };
    gobp_value v;
    cr_assert_eq(value_from_location(&mv, T_int, &loc, NULL, NULL, &v), 0);
    cr_expect_null(v.bytes);
    cr_expect_eq(v.addr, 0xc000001234);
    gobp_location none = { .npieces = 0 };
    cr_expect_neq(value_from_location(&mv, T_int, &none, NULL, NULL, &v), 0);
    cr_expect(v.unreadable);
    expect_format(&v, "(unreadable optimized out)");
    cr_expect_eq(value_child_count(&mv, &v), 0);
}

/* ---- go_format_float against Go's strconv.FormatFloat(f, 'g', -1, bits) ---- */

/* Generated by `go run` (Go 1.19) printing strconv.FormatFloat for each value. */
static const struct { double f; int bits; const char *want; } float_cases[] = {
    { 0x0p+00, 64, "0" }, { -0x0p+00, 64, "-0" }, { 0x1.999999999999ap-04, 64, "0.1" },
    { 0x1p-02, 64, "0.25" }, { 0x1.34ap+10, 64, "1234.5" }, { 0x1.b1ae4d6e2ef5p+69, 64, "1e+21" },
    { 0x1.5af1d78b58c4p+66, 64, "1e+20" }, { 0x1.d6f3454p+26, 64, "1.23456789e+08" }, { 0x1.91eb851eb851fp+01, 64, "3.14" },
    { -0x1p+01, 64, "-2" }, { 0x1.8p+00, 64, "1.5" }, { 0x1.86ap+16, 64, "100000" },
    { 0x1.e848p+19, 64, "1e+06" }, { 0x1.e847ep+19, 64, "999999" }, { 0x1.2d687p+20, 64, "1.234567e+06" },
    { 0x1.a36e2eb1c432dp-14, 64, "0.0001" }, { 0x1.4f8b588e368f1p-17, 64, "1e-05" }, { 0x1.01f31f46ed246p-13, 64, "0.000123" },
    { 0x1.ad7f29abcaf48p-24, 64, "1e-07" }, { 0x1p-1074, 64, "5e-324" }, { 0x1.fffffffffffffp+1023, 64, "1.7976931348623157e+308" },
    { 0x1p-1022, 64, "2.2250738585072014e-308" }, { 0x1.5555555555555p-02, 64, "0.3333333333333333" }, { 0x1.5555555555555p-01, 64, "0.6666666666666666" },
    { 0x1.52d02c7e14af6p+76, 64, "1e+23" }, { 0x1p+53, 64, "9.007199254740992e+15" }, { 0x1.e24p+16, 64, "123456" },
    { 0x1.78c29cp+23, 64, "1.2345678e+07" }, { 0x1.3333333333333p-02, 64, "0.3" }, { 0x1.249ad2594c37dp+332, 64, "1e+100" },
    { 0x1.bff2ee48e053p-333, 64, "1e-100" }, { 0x1.1666666666666p+02, 64, "4.35" }, { 0x1.0a66666666666p+05, 64, "33.3" },
    { 0x1.c7e83209e90b2p+72, 64, "8.41e+21" }, { 0x1.a36e2eb1c432dp-15, 64, "5e-05" }, { 0x1p-20, 64, "9.5367431640625e-07" },
    { 0x1.921fb54442d18p+01, 64, "3.141592653589793" }, { 0x1.5bf0a8b145769p+01, 64, "2.718281828459045" }, { -0x1.b7cdfd9d7bdbbp-34, 64, "-1e-10" },
    { 0x1.9p+06, 64, "100" }, { 0x1.c6bf52634p+49, 64, "1e+15" }, { 0x1.1c37937e08p+53, 64, "1e+16" },
    { 0x1p+62, 64, "4.611686018427388e+18" }, { 0x1p+63, 64, "9.223372036854776e+18" }, { 0x1.5798ee2308c3ap-27, 64, "1e-08" },
    { 0x1.99999ap-04, 32, "0.1" }, { 0x1.555556p-02, 32, "0.33333334" }, { 0x1p+24, 32, "1.6777216e+07" },
    { 0x1.fffffep+127, 32, "3.4028235e+38" }, { 0x1p-149, 32, "1e-45" }, { 0x1p-126, 32, "1.1754944e-38" },
    { 0x1.333334p-02, 32, "0.3" }, { 0x1.34ap+10, 32, "1234.5" }, { 0x1.2a05f2p+33, 32, "1e+10" },
    { 0x1.e240b4p+16, 32, "123456.7" }, { 0x1.4p+01, 32, "2.5" }, { 0x1.4f8b58p-17, 32, "1e-05" },
    { 0x1.921fap+01, 32, "3.14159" }, { 0x1.19999ap+00, 32, "1.1" },
    { INFINITY, 64, "+Inf" }, { -INFINITY, 64, "-Inf" }, { NAN, 64, "NaN" },
};

Test(value, go_format_float_table)
{
    for (size_t i = 0; i < sizeof float_cases / sizeof float_cases[0]; i++) {
        char buf[64];
        go_format_float(float_cases[i].f, float_cases[i].bits, buf, sizeof buf);
        cr_expect_str_eq(buf, float_cases[i].want, "%a/%d", float_cases[i].f, float_cases[i].bits);
    }
    char tiny[4];
    go_format_float(1234.5, 64, tiny, sizeof tiny);   /* truncated, still terminated */
    cr_expect_str_eq(tiny, "123");
}

/* Runs a generated Go program over random bit patterns (and powers of two) and compares
 * every line. Skipped when no Go toolchain is installed. */
Test(value, go_format_float_matches_go_run, .timeout = 120)
{
    if (system("command -v go >/dev/null 2>&1") != 0)
        cr_skip_test("no go toolchain");
    char dir[] = "/tmp/gobp-float-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], cmd[512];
    snprintf(path, sizeof path, "%s/main.go", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("package main\nimport (\"fmt\"; \"math\"; \"math/rand\"; \"strconv\")\n"
          "func main() {\n r := rand.New(rand.NewSource(7))\n"
          " for i := 0; i < 3000; i++ {\n"
          "  b := r.Uint64(); f := math.Float64frombits(b)\n"
          "  if !math.IsNaN(f) { fmt.Printf(\"64 %x %s\\n\", b, strconv.FormatFloat(f, 'g', -1, 64)) }\n"
          "  c := r.Uint32(); g := math.Float32frombits(c)\n"
          "  if g == g { fmt.Printf(\"32 %x %s\\n\", c, strconv.FormatFloat(float64(g), 'g', -1, 32)) }\n"
          "  p := math.Ldexp(1, r.Intn(2000)-1000)\n"
          "  fmt.Printf(\"64 %x %s\\n\", math.Float64bits(p), strconv.FormatFloat(p, 'g', -1, 64))\n"
          "  d := float64(r.Intn(100000)) / 1000\n"
          "  fmt.Printf(\"64 %x %s\\n\", math.Float64bits(d), strconv.FormatFloat(d, 'g', -1, 64))\n"
          " }\n}\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd %s && GOCACHE=%s/cache GOFLAGS= go run main.go 2>&1", dir, dir);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[256];
    int lines = 0, bad = 0;
    while (fgets(line, sizeof line, p)) {
        int bits;
        unsigned long long raw;
        char want[128], got[64];
        if (sscanf(line, "%d %llx %127s", &bits, &raw, want) != 3)
            continue;
        double d;
        if (bits == 32) {
            uint32_t r32 = (uint32_t)raw;
            float fl;
            memcpy(&fl, &r32, 4);
            d = fl;
        } else {
            memcpy(&d, &raw, 8);
        }
        go_format_float(d, bits, got, sizeof got);
        lines++;
        if (strcmp(got, want) != 0 && bad++ < 10)
            cr_log_error("%d-bit %llx: got %s, Go says %s", bits, raw, got, want);
    }
    pclose(p);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", dir);
    if (lines == 0)   /* e.g. go itself run under valgrind --trace-children */
        cr_skip_test("go run produced no output");
    cr_expect_gt(lines, 9000, "go run produced %d lines", lines);
    cr_expect_eq(bad, 0);
}

/* ---- integration: the real binary module and a real process (tests/programs/values) ---- */

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/proc.h"

#include "go_toolchains.h"

static const char *repo_root(void)
{
    const char *r = getenv("GOBP_ROOT");
    return r && *r ? r : ".";
}

/* Builds tests/programs/values with toolchain number gi into out; false when it cannot. */
static bool build_values(size_t gi, char *out, size_t n)
{
    char dir[128], cmd[1024];
    snprintf(dir, sizeof dir, "/tmp/gobp-test-value-%d", (int)getuid());
    mkdir(dir, 0755);
    snprintf(out, n, "%s/values-%zu", dir, gi);
    snprintf(cmd, sizeof cmd, "cd %s/tests/programs/values && GOFLAGS=-mod=mod %s build -gcflags=all='-N -l' -o %s . >/dev/null 2>&1",
             repo_root(), go_toolchain(gi), out);
    return system(cmd) == 0;
}

/* DWARF register numbers 0..16 from ptrace's user_regs_struct. */
static void dwarf_regs(const struct user_regs_struct *r, uint64_t *d)
{
    const uint64_t v[17] = { r->rax, r->rdx, r->rcx, r->rbx, r->rsi, r->rdi, r->rbp, r->rsp,
                             r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip };
    memcpy(d, v, sizeof v);
}

static const struct { const char *name, *want; } values_locals[] = {
    { "i8", "-8" }, { "i16", "-16" }, { "i32", "-32" }, { "i64", "-64" }, { "u8", "8" }, { "u16", "16" },
    { "u32", "32" }, { "u64", "64" }, { "up", "4660" }, { "f32", "0.25" }, { "f64", "0.1" },
    { "c128", "(1.5 + -2i)" }, { "b", "true" }, { "s", "\"héllo, 世界\"" }, { "r", "233" },
    { "bs", "[]uint8 len: 3, cap: 3, [97,98,99]" },
    { "sl", "[]int len: 12, cap: 12, [1,2,3,4,5,6,7,8,...+4 more]" },
    { "nilSlice", "[]int len: 0, cap: 0, nil" }, { "empty", "[]int len: 0, cap: 0, []" },
    { "arr", "[3]int [10,20,30]" }, { "p", PERSON_TEXT }, { "pp", "*" PERSON_TEXT },
    { "nilPtr", "*main.Person nil" }, { "sh", "main.Shape(main.Circle) {R: 2}" },
    { "nilIface", "main.Shape nil" }, { "any", "interface {}(int) 42" },
    { "err", "error(*errors.errorString) *{s: \"boom\"}" }, { "nilErr", "error nil" },
    { "ch", "chan int 1/5" }, { "fn", "main.decide" }, { "ptr", "*7" },
    { "e", "main.Employee {Base: main.Base {ID: 9}, Person: main.Person {Name: \"Ann\", Age: 42, "
           "Home: *main.Address {...}, Tags: []string len: 2, cap: 2, [...]}, Salary: 1234.5}" },
};

/* Checks one local of the stopped values(): its text (maps: every entry, any order). */
static void check_local(const gobp_memview *m, const char *name, const gobp_value *v, int *checked)
{
    char *got = value_format(m, v, NULL);
    for (size_t i = 0; i < sizeof values_locals / sizeof values_locals[0]; i++) {
        if (strcmp(values_locals[i].name, name) == 0) {
            cr_expect_str_eq(got, values_locals[i].want, "local %s", name);
            (*checked)++;
        }
    }
    if (strcmp(name, "m") == 0) {
        cr_expect(strncmp(got, "map[string]int [", 16) == 0 && strstr(got, "\"one\": 1, ") &&
                  strstr(got, "\"two\": 2, ") && strstr(got, "\"three\": 3, "), "m = %s", got);
        gobp_value three;
        cr_expect_eq(value_map_lookup_string(m, v, "three", &three), 0);
        cr_expect_eq(value_child_count(m, v), 3);
        (*checked)++;
    }
    if (strcmp(name, "sh") == 0 || strcmp(name, "err") == 0) {
        char *tn = value_type_name(m, v);
        cr_expect_str_eq(tn, name[0] == 's' ? "main.Shape(main.Circle)" : "error(*errors.errorString)");
        free(tn);
        gobp_child c[1];
        cr_assert_eq(value_children(m, v, 0, 1, c), 1);
        char *inner = value_format(m, &c[0].value, NULL);
        cr_expect_str_eq(inner, name[0] == 's' ? "main.Circle {R: 2}" : "*errors.errorString {s: \"boom\"}");
        free(inner);
        gobp_children_free(c, 1);
    }
    if (strcmp(name, "uptr") == 0) {
        /* the heap object p (Go 1.26+ randomizes the heap's base: no fixed 0xc000... prefix) */
        cr_expect(strncmp(got, "unsafe.Pointer(0x", 17) == 0 && strlen(got) > 24, "uptr = %s", got);
        (*checked)++;
    }
    free(got);
}

/* The line of tests/programs/values/main.go that holds text (1-based), 0 if none. */
static int values_line(const char *text)
{
    char path[512], buf[1024];
    snprintf(path, sizeof path, "%s/tests/programs/values/main.go", repo_root());
    FILE *f = fopen(path, "r");
    int n = 0, found = 0;
    while (f && !found && fgets(buf, sizeof buf, f))
        if (++n, strstr(buf, text))
            found = n;
    if (f)
        fclose(f);
    return found;
}

static void check_values_program(size_t gi)
{
    char exe[256], err[256];
    const char *go = go_toolchain(gi);
    if (access(go, X_OK) != 0)
        return;
    cr_assert(build_values(gi, exe, sizeof exe), "%s build failed", go);
    gobp_binary *bin = binary_open(exe, err, sizeof err);
    cr_assert_not_null(bin, "%s", err);
    char *argv[] = { exe, NULL };
    extern char **environ;
    gobp_launch_opts lo = { .path = exe, .argv = argv, .envp = environ, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
    gobp_process *p = proc_launch(&lo, err, sizeof err);
    cr_assert_not_null(p, "%s", err);
    uint64_t pcs[4];
    int line = 0;
    cr_assert_gt(binary_line_to_pcs(bin, "tests/programs/values/main.go", values_line("// BREAK values"), pcs, 4, &line), 0);
    cr_assert_eq(proc_site_add(p, pcs[0], err, sizeof err), 0, "%s", err);
    cr_assert_eq(proc_resume(p), 0);
    gobp_event ev;
    cr_assert_eq(proc_wait(p, &ev, 20000), 1);
    cr_assert_eq(ev.kind, GOBP_EV_BREAKPOINT, "%s: event %d", go, ev.kind);
    struct user_regs_struct r;
    cr_assert_eq(proc_get_regs(p, ev.tid, &r), 0);
    uint64_t regs[17];
    dwarf_regs(&r, regs);
    int64_t cfa_off;
    cr_assert_eq(binary_cfa_offset(bin, r.rip, &cfa_off), 0);
    const gobp_func *f = binary_func_by_pc(bin, r.rip);
    cr_assert_not_null(f);
    const gobp_var *vars;
    int n = binary_func_vars(bin, f, r.rip, &vars);
    gobp_memview m = { .read = proc_mem_read_cb, .ctx = p, .bin = bin };
    int checked = 0;
    for (int i = 0; i < n; i++) {
        gobp_location loc;
        gobp_value v;
        if (binary_var_location(bin, &vars[i], r.rip, r.rsp + (uint64_t)cfa_off, regs, &loc) != 0)
            continue;
        int rc = value_from_location(&m, vars[i].type, &loc, regs, NULL, &v);
        binary_location_free(&loc);
        if (rc != 0)
            continue;
        check_local(&m, vars[i].name, &v, &checked);
        value_free(&v);
    }
    cr_expect_eq(checked, (int)(sizeof values_locals / sizeof values_locals[0]) + 2, "%s: %d locals checked", go, checked);
    proc_kill(p);
    binary_close(bin);
}

Test(value_live, values_program_locals_like_delve, .timeout = 300)
{
    for (size_t i = 0; i < go_toolchain_count(); i++)
        check_values_program(i);
}
