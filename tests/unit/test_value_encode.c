/* Unit tests of core/value_encode.c and the kind predicates in core/types.h: every integer
 * width, signed and unsigned, at and past its bounds in both modes (range-checked for
 * setVariable, wrapped for the plugin API); floats, bools, pointers; the error messages. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "value/value_encode.h"

static gobp_type T(gobp_type_kind k, const char *name, uint64_t size) { return (gobp_type){ .kind = k, .name = name, .size = size }; }

/* Encodes s into t; the bytes land in out (8 bytes, 0xAA past the size to catch overruns). */
static value_encode_status enc(gobp_type t, gobp_scalar s, value_encode_mode m, unsigned char out[16], char *err)
{
    memset(out, 0xAA, 16);
    if (err) err[0] = 0;
    return value_encode_scalar(&t, s, m, out, err, err ? 128 : 0);
}

/* The integer the first n bytes of b hold, little-endian, sign-extended when is_signed. */
static uint64_t word(const unsigned char *b, unsigned n, bool is_signed)
{
    uint64_t w = 0;
    for (unsigned i = 0; i < n; i++)
        w |= (uint64_t)b[i] << (8 * i);
    if (is_signed && n < 8 && (w >> (8 * n - 1)) & 1)
        w |= ~0ull << (8 * n);
    return w;
}

typedef struct { gobp_type_kind k; const char *name; unsigned size; } int_kind;
static const int_kind signed_kinds[] = { { GOBP_KIND_INT8, "int8", 1 }, { GOBP_KIND_INT16, "int16", 2 },
    { GOBP_KIND_INT32, "int32", 4 }, { GOBP_KIND_INT64, "int64", 8 }, { GOBP_KIND_INT, "int", 8 } };
static const int_kind unsigned_kinds[] = { { GOBP_KIND_UINT8, "uint8", 1 }, { GOBP_KIND_UINT16, "uint16", 2 },
    { GOBP_KIND_UINT32, "uint32", 4 }, { GOBP_KIND_UINT64, "uint64", 8 }, { GOBP_KIND_UINT, "uint", 8 },
    { GOBP_KIND_UINTPTR, "uintptr", 8 } };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int64_t smin(unsigned size) { return size == 8 ? INT64_MIN : -(INT64_C(1) << (size * 8 - 1)); }
static int64_t smax(unsigned size) { return size == 8 ? INT64_MAX : (INT64_C(1) << (size * 8 - 1)) - 1; }
static uint64_t umax(unsigned size) { return size == 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1; }

static void expect_ok(gobp_type t, gobp_scalar s, value_encode_mode m, uint64_t want, bool is_signed)
{
    unsigned char out[16];
    cr_assert_eq(enc(t, s, m, out, NULL), VALUE_ENCODE_OK, "%s", t.name);
    cr_assert_eq(word(out, (unsigned)t.size, is_signed), want, "%s: %#llx", t.name, (unsigned long long)want);
    cr_assert_eq(out[t.size], 0xAA, "%s: wrote past its size", t.name);
}

static void expect_range(gobp_type t, gobp_scalar s, const char *msg)
{
    unsigned char out[16];
    char err[128];
    cr_assert_eq(enc(t, s, VALUE_ENCODE_CHECKED, out, err), VALUE_ENCODE_RANGE, "%s", t.name);
    cr_assert_str_eq(err, msg);
}

Test(encode, signed_at_and_past_the_bounds_checked)
{
    for (size_t i = 0; i < N(signed_kinds); i++) {
        int_kind k = signed_kinds[i];
        gobp_type t = T(k.k, k.name, k.size);
        char msg[128];
        snprintf(msg, sizeof msg, "the value does not fit in a %s", k.name);
        expect_ok(t, gobp_scalar_int(smin(k.size)), VALUE_ENCODE_CHECKED, (uint64_t)smin(k.size), true);
        expect_ok(t, gobp_scalar_int(smax(k.size)), VALUE_ENCODE_CHECKED, (uint64_t)smax(k.size), true);
        expect_ok(t, gobp_scalar_int(-1), VALUE_ENCODE_CHECKED, UINT64_MAX, true);
        expect_ok(t, gobp_scalar_uint((uint64_t)smax(k.size)), VALUE_ENCODE_CHECKED, (uint64_t)smax(k.size), true);
        expect_range(t, gobp_scalar_uint((uint64_t)smax(k.size) + 1), msg);
        expect_range(t, gobp_scalar_uint(UINT64_MAX), msg);
        if (k.size < 8) {
            expect_range(t, gobp_scalar_int(smin(k.size) - 1), msg);
            expect_range(t, gobp_scalar_int(smax(k.size) + 1), msg);
        }
    }
}

Test(encode, unsigned_at_and_past_the_bounds_checked)
{
    for (size_t i = 0; i < N(unsigned_kinds); i++) {
        int_kind k = unsigned_kinds[i];
        gobp_type t = T(k.k, k.name, k.size);
        char msg[128], neg[128];
        snprintf(msg, sizeof msg, "the value does not fit in a %s", k.name);
        snprintf(neg, sizeof neg, "%s value does not fit in a %s", k.size == 8 ? "a negative" : "the", k.name);
        expect_ok(t, gobp_scalar_int(0), VALUE_ENCODE_CHECKED, 0, false);
        expect_ok(t, gobp_scalar_uint(umax(k.size)), VALUE_ENCODE_CHECKED, umax(k.size), false);
        expect_ok(t, gobp_scalar_int(k.size == 8 ? INT64_MAX : (int64_t)umax(k.size)), VALUE_ENCODE_CHECKED,
                  k.size == 8 ? (uint64_t)INT64_MAX : umax(k.size), false);
        expect_range(t, gobp_scalar_int(-1), neg);
        expect_range(t, gobp_scalar_int(INT64_MIN), neg);
        if (k.size < 8) {
            expect_range(t, gobp_scalar_uint(umax(k.size) + 1), msg);
            expect_range(t, gobp_scalar_int((int64_t)umax(k.size) + 1), msg);
        }
    }
}

Test(encode, integers_wrap_to_the_width)
{
    for (size_t i = 0; i < N(signed_kinds); i++) {
        int_kind k = signed_kinds[i];
        gobp_type t = T(k.k, k.name, k.size);
        uint64_t mask = umax(k.size);
        expect_ok(t, gobp_scalar_int(smin(k.size)), VALUE_ENCODE_WRAP, (uint64_t)smin(k.size), true);
        expect_ok(t, gobp_scalar_int(smax(k.size)), VALUE_ENCODE_WRAP, (uint64_t)smax(k.size), true);
        /* one past each bound wraps around to the other */
        expect_ok(t, gobp_scalar_uint((uint64_t)smax(k.size) + 1), VALUE_ENCODE_WRAP, (uint64_t)smin(k.size), true);
        if (k.size < 8)
            expect_ok(t, gobp_scalar_int(smin(k.size) - 1), VALUE_ENCODE_WRAP, (uint64_t)smax(k.size), true);
        expect_ok(t, gobp_scalar_uint(UINT64_MAX), VALUE_ENCODE_WRAP, UINT64_MAX, true);
        expect_ok(t, gobp_scalar_int(0x123456789abcdef0), VALUE_ENCODE_WRAP,
                  word((const unsigned char *)&(uint64_t){ 0x123456789abcdef0 & mask }, k.size, true), true);
    }
    for (size_t i = 0; i < N(unsigned_kinds); i++) {
        int_kind k = unsigned_kinds[i];
        gobp_type t = T(k.k, k.name, k.size);
        expect_ok(t, gobp_scalar_int(-1), VALUE_ENCODE_WRAP, umax(k.size), false);
        expect_ok(t, gobp_scalar_uint(umax(k.size)), VALUE_ENCODE_WRAP, umax(k.size), false);
        if (k.size < 8)
            expect_ok(t, gobp_scalar_uint(umax(k.size) + 1), VALUE_ENCODE_WRAP, 0, false);
        expect_ok(t, gobp_scalar_int(300), VALUE_ENCODE_WRAP, 300 & umax(k.size), false);
    }
}

Test(encode, plugin_header_examples)
{
    expect_ok(T(GOBP_KIND_UINT8, "uint8", 1), gobp_scalar_int(300), VALUE_ENCODE_WRAP, 44, false);
    expect_ok(T(GOBP_KIND_INT8, "int8", 1), gobp_scalar_uint(255), VALUE_ENCODE_WRAP, (uint64_t)-1, true);
}

static double as_double(const unsigned char *b) { double d; memcpy(&d, b, 8); return d; }
static float as_float(const unsigned char *b) { float f; memcpy(&f, b, 4); return f; }

Test(encode, floats)
{
    gobp_type f32 = T(GOBP_KIND_FLOAT32, "float32", 4), f64 = T(GOBP_KIND_FLOAT64, "float64", 8);
    unsigned char out[16];
    for (int m = VALUE_ENCODE_CHECKED; m <= VALUE_ENCODE_WRAP; m++) {
        cr_assert_eq(enc(f64, gobp_scalar_float(0.1), m, out, NULL), VALUE_ENCODE_OK);
        cr_assert_eq(as_double(out), 0.1);
        cr_assert_eq(enc(f32, gobp_scalar_float(0.1), m, out, NULL), VALUE_ENCODE_OK);
        cr_assert_eq(as_float(out), 0.1f);
        cr_assert_eq(out[4], 0xAA);
        cr_assert_eq(enc(f64, gobp_scalar_float(-DBL_MAX), m, out, NULL), VALUE_ENCODE_OK);
        cr_assert_eq(as_double(out), -DBL_MAX);
        cr_assert_eq(enc(f32, gobp_scalar_float(1e300), m, out, NULL), VALUE_ENCODE_OK);  /* as (float)1e300 */
        cr_assert(isinf(as_float(out)));
        cr_assert_eq(enc(f64, gobp_scalar_float(NAN), m, out, NULL), VALUE_ENCODE_OK);
        cr_assert(isnan(as_double(out)));
    }
    /* setVariable: an integer constant converts; the plugin's gobp_set_int does not write a float */
    cr_assert_eq(enc(f64, gobp_scalar_int(-3), VALUE_ENCODE_CHECKED, out, NULL), VALUE_ENCODE_OK);
    cr_assert_eq(as_double(out), -3.0);
    cr_assert_eq(enc(f32, gobp_scalar_uint(UINT64_MAX), VALUE_ENCODE_CHECKED, out, NULL), VALUE_ENCODE_OK);
    cr_assert_eq(as_float(out), 18446744073709551616.0f);
    cr_assert_eq(enc(f64, gobp_scalar_int(3), VALUE_ENCODE_WRAP, out, NULL), VALUE_ENCODE_KIND);
    cr_assert_eq(enc(f32, gobp_scalar_uint(3), VALUE_ENCODE_WRAP, out, NULL), VALUE_ENCODE_KIND);
    /* a float goes into no integer kind */
    char err[128];
    cr_assert_eq(enc(T(GOBP_KIND_INT, "int", 8), gobp_scalar_float(1.0), VALUE_ENCODE_CHECKED, out, err), VALUE_ENCODE_KIND);
    cr_assert_str_eq(err, "cannot assign this value to a int");
    cr_assert_eq(enc(T(GOBP_KIND_UINT8, "uint8", 1), gobp_scalar_float(1.0), VALUE_ENCODE_WRAP, out, NULL), VALUE_ENCODE_KIND);
}

Test(encode, bools)
{
    gobp_type b = T(GOBP_KIND_BOOL, "bool", 1);
    unsigned char out[16];
    char err[128];
    for (int m = VALUE_ENCODE_CHECKED; m <= VALUE_ENCODE_WRAP; m++) {
        cr_assert_eq(enc(b, gobp_scalar_bool(true), m, out, NULL), VALUE_ENCODE_OK);
        cr_assert_eq(out[0], 1);
        cr_assert_eq(out[1], 0xAA);
        cr_assert_eq(enc(b, gobp_scalar_bool(false), m, out, NULL), VALUE_ENCODE_OK);
        cr_assert_eq(out[0], 0);
        cr_assert_eq(enc(b, gobp_scalar_int(1), m, out, NULL), VALUE_ENCODE_KIND);
        cr_assert_eq(enc(b, gobp_scalar_float(1), m, out, NULL), VALUE_ENCODE_KIND);
        cr_assert_eq(enc(T(GOBP_KIND_INT, "int", 8), gobp_scalar_bool(true), m, out, err), VALUE_ENCODE_KIND);
    }
    cr_assert_str_eq(err, "cannot assign this value to a int");
}

Test(encode, pointers_take_an_address_only_from_the_plugin_api)
{
    gobp_type p = T(GOBP_KIND_PTR, "*main.T", 8), up = T(GOBP_KIND_UNSAFEPTR, "unsafe.Pointer", 8);
    unsigned char out[16];
    char err[128];
    cr_assert_eq(enc(p, gobp_scalar_uint(0xc000010000), VALUE_ENCODE_CHECKED, out, err), VALUE_ENCODE_KIND);
    cr_assert_str_eq(err, "cannot assign this value to a *main.T");
    cr_assert_eq(enc(up, gobp_scalar_int(0), VALUE_ENCODE_CHECKED, out, NULL), VALUE_ENCODE_KIND);
    expect_ok(p, gobp_scalar_uint(0xc000010000), VALUE_ENCODE_WRAP, 0xc000010000, false);
    expect_ok(up, gobp_scalar_int(-8), VALUE_ENCODE_WRAP, (uint64_t)-8, false);
    cr_assert_eq(enc(p, gobp_scalar_float(1), VALUE_ENCODE_WRAP, out, NULL), VALUE_ENCODE_KIND);
    cr_assert_eq(enc(p, gobp_scalar_bool(true), VALUE_ENCODE_WRAP, out, NULL), VALUE_ENCODE_KIND);
    /* uintptr is an unsigned integer in both modes */
    expect_ok(T(GOBP_KIND_UINTPTR, "uintptr", 8), gobp_scalar_uint(0xc000010000), VALUE_ENCODE_CHECKED, 0xc000010000, false);
}

Test(encode, other_kinds_and_no_type)
{
    unsigned char out[16];
    char err[128];
    gobp_type kinds[] = { T(GOBP_KIND_STRING, "string", 16), T(GOBP_KIND_STRUCT, "main.T", 8),
                          T(GOBP_KIND_MAP, "map[int]int", 8), T(GOBP_KIND_COMPLEX128, "complex128", 16),
                          T(GOBP_KIND_SLICE, "[]int", 24), T(GOBP_KIND_INTERFACE, "error", 16) };
    for (size_t i = 0; i < N(kinds); i++)
        for (int m = VALUE_ENCODE_CHECKED; m <= VALUE_ENCODE_WRAP; m++)
            cr_assert_eq(enc(kinds[i], gobp_scalar_int(1), m, out, NULL), VALUE_ENCODE_KIND, "%s", kinds[i].name);
    cr_assert_eq(value_encode_scalar(NULL, gobp_scalar_int(1), VALUE_ENCODE_WRAP, out, err, sizeof err), VALUE_ENCODE_KIND);
    cr_assert_str_eq(err, "cannot assign this value to a ?");
}

Test(kinds, predicates)
{
    for (int k = GOBP_KIND_INVALID; k <= GOBP_KIND_UNSAFEPTR; k++) {
        bool s = k >= GOBP_KIND_INT && k <= GOBP_KIND_INT64, u = k >= GOBP_KIND_UINT && k <= GOBP_KIND_UINTPTR;
        bool f = k == GOBP_KIND_FLOAT32 || k == GOBP_KIND_FLOAT64, p = k == GOBP_KIND_PTR || k == GOBP_KIND_UNSAFEPTR;
        cr_assert_eq(gobp_kind_is_signed(k), s, "%d", k);
        cr_assert_eq(gobp_kind_is_unsigned(k), u, "%d", k);
        cr_assert_eq(gobp_kind_is_integer(k), s || u, "%d", k);
        cr_assert_eq(gobp_kind_is_float(k), f, "%d", k);
        cr_assert_eq(gobp_kind_is_numeric(k), s || u || f, "%d", k);
        cr_assert_eq(gobp_kind_is_pointer(k), p, "%d", k);
        cr_assert_eq(gobp_kind_is_complex(k), k == GOBP_KIND_COMPLEX64 || k == GOBP_KIND_COMPLEX128, "%d", k);
    }
    cr_assert(!gobp_kind_is_unsigned(GOBP_KIND_PTR) && !gobp_kind_is_unsigned(GOBP_KIND_UNSAFEPTR));
    cr_assert(gobp_kind_is_unsigned(GOBP_KIND_UINTPTR));
    gobp_type_kind nilable[] = { GOBP_KIND_PTR, GOBP_KIND_UNSAFEPTR, GOBP_KIND_SLICE, GOBP_KIND_MAP,
                                 GOBP_KIND_CHAN, GOBP_KIND_FUNC, GOBP_KIND_INTERFACE };
    int n = 0;
    for (int k = GOBP_KIND_INVALID; k <= GOBP_KIND_UNSAFEPTR; k++)
        n += gobp_kind_is_nilable(k);
    cr_assert_eq(n, (int)N(nilable));
    for (size_t i = 0; i < N(nilable); i++)
        cr_assert(gobp_kind_is_nilable(nilable[i]));
}
