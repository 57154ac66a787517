/* The one scalar encoder (value_encode.h): an integer, float or bool into the little-endian
 * bytes of a Go integer, float, bool or pointer, range-checked for setVariable or wrapped to
 * the width for the plugin API. No target access: the callers write the bytes where they go. */
#include "value_encode.h"

#include <stdio.h>
#include <string.h>

static bool scalar_is_integer(gobp_scalar s) { return s.kind == GOBP_SCALAR_INT || s.kind == GOBP_SCALAR_UINT; }

/* Largest value of an unsigned / signed integer of the given bit width (1..64). */
static uint64_t umax(unsigned bits) { return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1; }
static uint64_t smax(unsigned bits) { return umax(bits) >> 1; }

/* Whether integer s is in the range of integer kind k of the given width. */
static bool int_fits(gobp_type_kind k, unsigned bits, gobp_scalar s)
{
    if (s.kind == GOBP_SCALAR_UINT)
        return s.u <= (gobp_kind_is_signed(k) ? smax(bits) : umax(bits));
    if (s.i >= 0)
        return (uint64_t)s.i <= (gobp_kind_is_signed(k) ? smax(bits) : umax(bits));
    /* negative: only a signed kind, down to -smax-1 (computed unsigned: -(smax+1) as magnitude) */
    return gobp_kind_is_signed(k) && (uint64_t)-(s.i + 1) <= smax(bits);
}

static value_encode_status put_int(const gobp_type *t, gobp_scalar s, value_encode_mode mode, unsigned char *out)
{
    unsigned bits = (unsigned)t->size * 8;
    if (mode == VALUE_ENCODE_CHECKED && !int_fits(t->kind, bits, s))
        return VALUE_ENCODE_RANGE;
    uint64_t w = s.kind == GOBP_SCALAR_INT ? (uint64_t)s.i : s.u;
    for (unsigned i = 0; i < t->size; i++)    /* little-endian; wraps to the width */
        out[i] = (unsigned char)(w >> (8 * i));
    return VALUE_ENCODE_OK;
}

static value_encode_status put_float(const gobp_type *t, gobp_scalar s, value_encode_mode mode, unsigned char *out)
{
    if (s.kind != GOBP_SCALAR_FLOAT && !(mode == VALUE_ENCODE_CHECKED && scalar_is_integer(s)))
        return VALUE_ENCODE_KIND;
    double d = s.kind == GOBP_SCALAR_FLOAT ? s.f : s.kind == GOBP_SCALAR_INT ? (double)s.i : (double)s.u;
    if (t->kind == GOBP_KIND_FLOAT32) {
        float f = (float)d;
        memcpy(out, &f, 4);
    } else {
        memcpy(out, &d, 8);
    }
    return VALUE_ENCODE_OK;
}

/* Whether integer kind or pointer t has a width the encoder writes (1, 2, 4 or 8 bytes). */
static bool word_sized(const gobp_type *t) { return t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8; }

static value_encode_status encode(const gobp_type *t, gobp_scalar s, value_encode_mode mode, unsigned char *out)
{
    gobp_type_kind k = t->kind;
    if (gobp_kind_is_integer(k) && scalar_is_integer(s) && word_sized(t))
        return put_int(t, s, mode, out);
    if (gobp_kind_is_pointer(k) && mode == VALUE_ENCODE_WRAP && scalar_is_integer(s) && t->size == 8)
        return put_int(t, s, mode, out);
    if (gobp_kind_is_float(k) && t->size == (k == GOBP_KIND_FLOAT32 ? 4u : 8u))
        return put_float(t, s, mode, out);
    if (k == GOBP_KIND_BOOL && s.kind == GOBP_SCALAR_BOOL && t->size == 1) {
        out[0] = s.b;
        return VALUE_ENCODE_OK;
    }
    return VALUE_ENCODE_KIND;
}

static void explain(const gobp_type *t, gobp_scalar s, value_encode_status st, char *err, size_t errlen)
{
    const char *name = t && t->name ? t->name : "?";
    if (st == VALUE_ENCODE_KIND)
        snprintf(err, errlen, "cannot assign this value to a %s", name);
    else if (t->size == 8 && s.kind == GOBP_SCALAR_INT && s.i < 0 && gobp_kind_is_unsigned(t->kind))
        snprintf(err, errlen, "a negative value does not fit in a %s", name);
    else
        snprintf(err, errlen, "the value does not fit in a %s", name);
}

value_encode_status value_encode_scalar(const gobp_type *t, gobp_scalar s, value_encode_mode mode,
                                        unsigned char *out, char *err, size_t errlen)
{
    value_encode_status st = VALUE_ENCODE_KIND;
    if (t && t->size <= 8) {
        memset(out, 0, t->size);
        st = encode(t, s, mode, out);
    }
    if (st != VALUE_ENCODE_OK && err && errlen)
        explain(t, s, st, err, errlen);
    return st;
}
