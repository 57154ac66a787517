/* Formatting Go values as one line of text, the way Delve shows them in the Variables view:
 * scalars, quoted strings, slices/arrays/maps/structs with limits on depth and elements,
 * pointers, interfaces with their dynamic type, channels, funcs. Also value_type_name. */
#include "alloc.h"
#include "value_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const gobp_format_opts gobp_format_default = { .max_depth = 2, .max_string = 512, .max_elems = 8 };

enum { MAX_RECURSION = 64 };

typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_put(sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_putn(b, tmp, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_putn(b, big, (size_t)n);
    free(big);
}

static const char *type_name(const gobp_type *t)
{
    return t && t->name ? t->name : "?";
}

/* ---- strings: strconv.Quote ---- */

/* Length of the valid UTF-8 sequence at s (1..4) and its code point, or 0 when invalid. */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    int len;
    uint32_t c;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        c = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        c = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if ((size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min_for_len[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (c < min_for_len[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Code points that Go's strconv.IsPrint rejects, approximately: controls, non-ASCII spaces,
 * format marks, private use. (Unassigned code points are kept as they are.) */
static bool rune_is_printable(uint32_t c)
{
    if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad)
        return false;
    if (c == 0x1680 || c == 0x205f || c == 0x3000)   /* space separators (Zs) */
        return false;
    if ((c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f))
        return false;
    if (c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000)
        return false;
    return true;
}

static void quote_rune(sbuf *b, uint32_t c)
{
    switch (c) {
    case '\a': sb_put(b, "\\a"); return;
    case '\b': sb_put(b, "\\b"); return;
    case '\f': sb_put(b, "\\f"); return;
    case '\n': sb_put(b, "\\n"); return;
    case '\r': sb_put(b, "\\r"); return;
    case '\t': sb_put(b, "\\t"); return;
    case '\v': sb_put(b, "\\v"); return;
    case '\\': sb_put(b, "\\\\"); return;
    case '"': sb_put(b, "\\\""); return;
    }
    if (c < 0x80 && c >= 0x20 && c != 0x7f) {
        char ch = (char)c;
        sb_putn(b, &ch, 1);
    } else if (c < 0x80) {
        sb_printf(b, "\\x%02x", c);
    } else if (c < 0x10000) {
        sb_printf(b, "\\u%04x", c);
    } else {
        sb_printf(b, "\\U%08x", c);
    }
}

static void quote_go_string(sbuf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    sb_put(b, "\"");
    for (size_t i = 0; i < n;) {
        uint32_t c;
        int len = utf8_decode(u + i, n - i, &c);
        if (len == 0) {
            sb_printf(b, "\\x%02x", u[i]);
            i++;
        } else if (len > 1 && rune_is_printable(c)) {
            sb_putn(b, s + i, (size_t)len);
            i += (size_t)len;
        } else {
            quote_rune(b, c);
            i += (size_t)len;
        }
    }
    sb_put(b, "\"");
}

/* ---- the formatter ---- */

typedef struct {
    const gobp_memview *mv;
    const gobp_format_opts *opts;
    sbuf out;
    int recursion;
} formatter;

static void format_value(formatter *f, const gobp_value *v, int depth, bool with_type);

static void put_unreadable(formatter *f, const gobp_value *v)
{
    if (v->unreadable)
        sb_put(&f->out, "(unreadable optimized out)");
    else
        sb_printf(&f->out, "(unreadable could not read memory at %#" PRIx64 ")", v->addr);
}

static void format_integer(formatter *f, const gobp_value *v)
{
    if (gobp_kind_is_unsigned(v->type->kind)) {
        uint64_t u;
        if (value_uint(f->mv, v, &u) != 0)
            return put_unreadable(f, v);
        sb_printf(&f->out, "%" PRIu64, u);
    } else {
        int64_t i;
        if (value_int(f->mv, v, &i) != 0)
            return put_unreadable(f, v);
        sb_printf(&f->out, "%" PRId64, i);
    }
}

static void format_bool(formatter *f, const gobp_value *v)
{
    uint64_t b;
    if (value_read_word(f->mv, v, 0, 1, &b) != 0)
        return put_unreadable(f, v);
    sb_put(&f->out, b ? "true" : "false");
}

static void format_float(formatter *f, const gobp_value *v)
{
    double d;
    char buf[64];
    if (value_float(f->mv, v, &d) != 0)
        return put_unreadable(f, v);
    go_format_float(d, v->type->kind == GOBP_KIND_FLOAT32 ? 32 : 64, buf, sizeof buf);
    sb_put(&f->out, buf);
}

static void format_complex(formatter *f, const gobp_value *v)
{
    double re, im;
    int bits = v->type->kind == GOBP_KIND_COMPLEX64 ? 32 : 64;
    if (bits == 32) {
        float p[2];
        if (value_read(f->mv, v, 0, p, sizeof p) != 0)
            return put_unreadable(f, v);
        re = p[0];
        im = p[1];
    } else {
        double p[2];
        if (value_read(f->mv, v, 0, p, sizeof p) != 0)
            return put_unreadable(f, v);
        re = p[0];
        im = p[1];
    }
    char rb[64], ib[64];
    go_format_float(re, bits, rb, sizeof rb);
    go_format_float(im, bits, ib, sizeof ib);
    sb_printf(&f->out, "(%s + %si)", rb, ib);
}

static void format_string(formatter *f, const gobp_value *v)
{
    size_t len = 0;
    size_t max = f->opts->max_string;
    char *s = value_string(f->mv, v, max, &len);
    if (!s)
        return put_unreadable(f, v);
    size_t shown = len < max ? len : max;
    quote_go_string(&f->out, s, shown);
    if (shown < len)
        sb_printf(&f->out, "...+%zu more", len - shown);
    free(s);
}

/* Elements [0, n) of a slice or array whose first element is at base (or part of v). */
static void format_elements(formatter *f, const gobp_value *v, gobp_type *elem, uint64_t base,
                            bool in_value, int64_t len, int depth)
{
    if (len > 0 && depth >= f->opts->max_depth) {
        sb_put(&f->out, "[...]");
        return;
    }
    int64_t shown = len < f->opts->max_elems ? len : f->opts->max_elems;
    sb_put(&f->out, "[");
    for (int64_t i = 0; i < shown; i++) {
        gobp_value e = in_value ? value_sub(v, elem, (uint64_t)i * elem->size)
                                : value_at(elem, base + (uint64_t)i * elem->size);
        if (i > 0)
            sb_put(&f->out, ",");
        format_value(f, &e, depth + 1, false);
        value_free(&e);
    }
    if (shown < len)
        sb_printf(&f->out, ",...+%" PRId64 " more", len - shown);
    sb_put(&f->out, "]");
}

static void format_slice(formatter *f, const gobp_value *v, int depth, bool with_type)
{
    uint64_t base, len, cap;
    if (value_field_word(f->mv, v, "array", 0, &base) != 0 || value_field_word(f->mv, v, "len", 8, &len) != 0 ||
        value_field_word(f->mv, v, "cap", 16, &cap) != 0)
        return put_unreadable(f, v);
    if (with_type)
        sb_printf(&f->out, "%s len: %" PRId64 ", cap: %" PRId64 ", ", type_name(v->type), (int64_t)len, (int64_t)cap);
    if (base == 0 && len == 0) {
        sb_put(&f->out, "nil");
        return;
    }
    if (!v->type->elem || (int64_t)len < 0 || len > cap)
        return put_unreadable(f, v);
    format_elements(f, v, v->type->elem, base, false, (int64_t)len, depth);
}

static void format_array(formatter *f, const gobp_value *v, int depth, bool with_type)
{
    if (with_type)
        sb_printf(&f->out, "%s ", type_name(v->type));
    if (!v->type->elem)
        return put_unreadable(f, v);
    format_elements(f, v, v->type->elem, 0, true, v->type->len, depth);
}

static void format_struct(formatter *f, const gobp_value *v, int depth, bool with_type)
{
    const gobp_type *t = v->type;
    if (t->tuple) {       /* a call's results: "1, nil" */
        for (int i = 0; i < t->nfields; i++) {
            gobp_value fv = value_sub(v, t->fields[i].type, t->fields[i].offset);
            sb_put(&f->out, i > 0 ? ", " : "");
            format_value(f, &fv, depth, false);
            value_free(&fv);
        }
        return;
    }
    if (with_type)
        sb_printf(&f->out, "%s ", type_name(t));
    if (t->nfields > 0 && depth >= f->opts->max_depth) {
        sb_put(&f->out, "{...}");
        return;
    }
    int shown = t->nfields < f->opts->max_elems ? t->nfields : f->opts->max_elems;
    sb_put(&f->out, "{");
    for (int i = 0; i < shown; i++) {
        const gobp_type_field *fld = &t->fields[i];
        gobp_value fv = value_sub(v, fld->type, fld->offset);
        if (i > 0)
            sb_put(&f->out, ", ");
        sb_printf(&f->out, "%s: ", fld->name ? fld->name : "?");
        format_value(f, &fv, depth + 1, true);
        value_free(&fv);
    }
    if (shown < t->nfields)
        sb_printf(&f->out, ",...+%d more", t->nfields - shown);
    sb_put(&f->out, "}");
}

static void format_pointer(formatter *f, const gobp_value *v, int depth, bool with_type)
{
    uint64_t p;
    if (value_read_word(f->mv, v, 0, 8, &p) != 0)
        return put_unreadable(f, v);
    if (p == 0) {
        if (with_type)
            sb_printf(&f->out, "%s nil", type_name(v->type));
        else
            sb_put(&f->out, "nil");
        return;
    }
    if (!v->type->elem || v->type->elem->kind == GOBP_KIND_INVALID) {
        sb_printf(&f->out, "(%s)(%#" PRIx64 ")", type_name(v->type), p);
        return;
    }
    unsigned char probe;
    gobp_value target = value_at(v->type->elem, p);
    if (v->type->elem->size > 0 && value_read(f->mv, &target, 0, &probe, 1) != 0) {
        sb_printf(&f->out, "(%s)(%#" PRIx64 ")", type_name(v->type), p);
        return;
    }
    sb_put(&f->out, "*");
    format_value(f, &target, depth, with_type);
}

static void format_chan(formatter *f, const gobp_value *v, bool with_type)
{
    uint64_t p, qcount, dataqsiz;
    if (value_read_word(f->mv, v, 0, 8, &p) != 0)
        return put_unreadable(f, v);
    if (p == 0) {
        if (with_type)
            sb_printf(&f->out, "%s nil", type_name(v->type));
        else
            sb_put(&f->out, "nil");
        return;
    }
    gobp_value h = value_at(v->type->runtime, p);
    if (!v->type->runtime || value_field_word(f->mv, &h, "qcount", 0, &qcount) != 0 ||
        value_field_word(f->mv, &h, "dataqsiz", 8, &dataqsiz) != 0) {
        sb_printf(&f->out, "%s %#" PRIx64, type_name(v->type), p);
        return;
    }
    sb_printf(&f->out, "%s %" PRIu64 "/%" PRIu64, type_name(v->type), qcount, dataqsiz);
}

static void format_func(formatter *f, const gobp_value *v)
{
    uint64_t closure, pc;
    if (value_read_word(f->mv, v, 0, 8, &closure) != 0)
        return put_unreadable(f, v);
    if (closure == 0) {
        sb_put(&f->out, "nil");
        return;
    }
    gobp_value fv = value_at(NULL, closure);
    if (value_read_word(f->mv, &fv, 0, 8, &pc) != 0)
        return put_unreadable(f, &fv);
    const gobp_func *fn = value_lookup_func(f->mv ? f->mv->bin : NULL, pc);
    if (fn && fn->name)
        sb_put(&f->out, fn->name);
    else
        sb_printf(&f->out, "func@%#" PRIx64, pc);
}

static void format_map(formatter *f, const gobp_value *v, int depth, bool with_type);

static void format_interface(formatter *f, const gobp_value *v, int depth, bool with_type)
{
    uint64_t taddr;
    if (value_iface_type_addr(f->mv, v, &taddr) != 0)
        return put_unreadable(f, v);
    if (taddr == 0) {
        if (with_type)
            sb_printf(&f->out, "%s nil", type_name(v->type));
        else
            sb_put(&f->out, "nil");
        return;
    }
    gobp_value dyn;
    if (value_iface_dynamic(f->mv, v, &dyn, NULL) != 0) {
        uint64_t data = 0;
        value_field_word(f->mv, v, "data", 8, &data);
        if (with_type)
            sb_printf(&f->out, "%s(<unknown type %#" PRIx64 ">) ", type_name(v->type), taddr);
        sb_printf(&f->out, "%#" PRIx64, data);
        return;
    }
    if (with_type)
        sb_printf(&f->out, "%s(%s) ", type_name(v->type), type_name(dyn.type));
    format_value(f, &dyn, depth, !with_type);
    value_free(&dyn);
}

static void format_unsafe_pointer(formatter *f, const gobp_value *v)
{
    uint64_t p;
    if (value_read_word(f->mv, v, 0, 8, &p) != 0)
        return put_unreadable(f, v);
    if (p == 0)
        sb_put(&f->out, "unsafe.Pointer(nil)");
    else
        sb_printf(&f->out, "unsafe.Pointer(%#" PRIx64 ")", p);
}

static void format_value(formatter *f, const gobp_value *v, int depth, bool with_type)
{
    if (!v->type) {
        sb_put(&f->out, "(unreadable no type)");
        return;
    }
    if (v->unreadable)
        return put_unreadable(f, v);
    if (++f->recursion > MAX_RECURSION) {
        sb_put(&f->out, "...");
        f->recursion--;
        return;
    }
    switch (v->type->kind) {
    case GOBP_KIND_BOOL: format_bool(f, v); break;
    case GOBP_KIND_INT: case GOBP_KIND_INT8: case GOBP_KIND_INT16: case GOBP_KIND_INT32:
    case GOBP_KIND_INT64: case GOBP_KIND_UINT: case GOBP_KIND_UINT8: case GOBP_KIND_UINT16:
    case GOBP_KIND_UINT32: case GOBP_KIND_UINT64: case GOBP_KIND_UINTPTR:
        format_integer(f, v);
        break;
    case GOBP_KIND_FLOAT32: case GOBP_KIND_FLOAT64: format_float(f, v); break;
    case GOBP_KIND_COMPLEX64: case GOBP_KIND_COMPLEX128: format_complex(f, v); break;
    case GOBP_KIND_STRING: format_string(f, v); break;
    case GOBP_KIND_SLICE: format_slice(f, v, depth, with_type); break;
    case GOBP_KIND_ARRAY: format_array(f, v, depth, with_type); break;
    case GOBP_KIND_STRUCT: format_struct(f, v, depth, with_type); break;
    case GOBP_KIND_PTR: format_pointer(f, v, depth, with_type); break;
    case GOBP_KIND_UNSAFEPTR: format_unsafe_pointer(f, v); break;
    case GOBP_KIND_CHAN: format_chan(f, v, with_type); break;
    case GOBP_KIND_FUNC: format_func(f, v); break;
    case GOBP_KIND_INTERFACE: format_interface(f, v, depth, with_type); break;
    case GOBP_KIND_MAP: format_map(f, v, depth, with_type); break;
    default: sb_printf(&f->out, "(unknown kind %d)", (int)v->type->kind); break;
    }
    f->recursion--;
}

/* ---- maps ---- */

typedef struct {
    formatter *f;
    int depth;
    int shown;
} map_format_state;

static int format_map_entry(void *ctx, const gobp_value *key, const gobp_value *val)
{
    map_format_state *st = ctx;
    if (st->shown >= st->f->opts->max_elems)
        return 1;
    format_value(st->f, key, st->depth + 1, false);
    sb_put(&st->f->out, ": ");
    format_value(st->f, val, st->depth + 1, false);
    sb_put(&st->f->out, ", ");
    st->shown++;
    return 0;
}

static void format_map(formatter *f, const gobp_value *v, int depth, bool with_type)
{
    uint64_t h;
    if (with_type)
        sb_printf(&f->out, "%s ", type_name(v->type));
    if (value_read_word(f->mv, v, 0, 8, &h) != 0)
        return put_unreadable(f, v);
    if (h == 0) {
        sb_put(&f->out, "nil");
        return;
    }
    int64_t count = value_map_len(f->mv, v);
    if (count < 0)
        return put_unreadable(f, v);
    if (count > 0 && depth >= f->opts->max_depth) {
        sb_put(&f->out, "[...]");
        return;
    }
    map_format_state st = { .f = f, .depth = depth };
    sb_put(&f->out, "[");
    if (value_map_each(f->mv, v, format_map_entry, &st) < 0)
        sb_put(&f->out, "(unreadable buckets)");
    if (st.shown < count)
        sb_printf(&f->out, "...+%" PRId64 " more", count - st.shown);
    sb_put(&f->out, "]");
}

/* ---- public ---- */

char *value_format(const gobp_memview *mv, const gobp_value *v, const gobp_format_opts *opts)
{
    formatter f = { .mv = mv, .opts = opts ? opts : &gobp_format_default };
    format_value(&f, v, 0, true);
    return f.out.s ? f.out.s : xstrdup("");
}

/* The text of a value without its type prefix (map keys as children's names). */
char *value_format_short(const gobp_memview *mv, const gobp_value *v, const gobp_format_opts *opts)
{
    formatter f = { .mv = mv, .opts = opts ? opts : &gobp_format_default };
    format_value(&f, v, 0, false);
    return f.out.s ? f.out.s : xstrdup("");
}

char *value_type_name(const gobp_memview *mv, const gobp_value *v)
{
    const char *name = type_name(v->type);
    if (!v->type || v->type->kind != GOBP_KIND_INTERFACE || v->unreadable)
        return xstrdup(name);
    gobp_value dyn;
    if (value_iface_dynamic(mv, v, &dyn, NULL) != 0)
        return xstrdup(name);
    sbuf b = { 0 };
    sb_printf(&b, "%s(%s)", name, type_name(dyn.type));
    value_free(&dyn);
    return b.s ? b.s : xstrdup(name);
}
