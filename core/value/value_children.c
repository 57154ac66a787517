/* Expanding Go values: children (elements, fields, map entries, pointee, dynamic value,
 * channel internals) with paging, and the expression helpers field / index / map lookup /
 * deref that evaluate builds on. */
#include "alloc.h"
#include "value_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_EMBED_DEPTH = 8, MAX_AUTO_DEREF = 4 };

static char *dup_printf_index(int64_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "[%" PRId64 "]", i);
    return xstrdup(buf);
}

static int slice_header(const gobp_memview *mv, const gobp_value *v, uint64_t *base, int64_t *len)
{
    uint64_t l;
    if (value_field_word(mv, v, "array", 0, base) != 0 || value_field_word(mv, v, "len", 8, &l) != 0)
        return -1;
    if ((int64_t)l < 0)
        return -1;
    *len = (int64_t)l;
    return 0;
}

/* The hchan value a non-nil channel points to; -1 when nil or unknown. */
static int chan_header(const gobp_memview *mv, const gobp_value *v, gobp_value *out)
{
    uint64_t p;
    if (!v->type->runtime || value_read_word(mv, v, 0, 8, &p) != 0 || p == 0)
        return -1;
    *out = value_at(v->type->runtime, p);
    return 0;
}

int value_child_count(const gobp_memview *mv, const gobp_value *v)
{
    if (!v->type || v->unreadable)
        return 0;
    uint64_t w, base;
    int64_t len;
    gobp_value h;
    switch (v->type->kind) {
    case GOBP_KIND_SLICE:
        if (slice_header(mv, v, &base, &len) != 0)
            return 0;
        return len > INT32_MAX ? INT32_MAX : (int)len;
    case GOBP_KIND_ARRAY:
        return v->type->len > INT32_MAX ? INT32_MAX : (int)v->type->len;
    case GOBP_KIND_STRUCT:
    case GOBP_KIND_COMPLEX64:
    case GOBP_KIND_COMPLEX128:
        return v->type->nfields;
    case GOBP_KIND_PTR:
        return v->type->elem && value_read_word(mv, v, 0, 8, &w) == 0 && w != 0 ? 1 : 0;
    case GOBP_KIND_INTERFACE: {
        gobp_value dyn;
        if (value_iface_dynamic(mv, v, &dyn, NULL) != 0)
            return 0;
        value_free(&dyn);
        return 1;
    }
    case GOBP_KIND_MAP: {
        int64_t n = value_map_len(mv, v);
        return n < 0 ? 0 : n > INT32_MAX ? INT32_MAX : (int)n;
    }
    case GOBP_KIND_CHAN:
        return chan_header(mv, v, &h) == 0 ? h.type->nfields : 0;
    default:
        return 0;
    }
}

/* Children [start, end) of the fields of type t, read from v. */
static int field_children(const gobp_value *v, const gobp_type *t, int start, int end, gobp_child *out)
{
    int n = 0;
    for (int i = start; i < end && i < t->nfields; i++, n++) {
        const gobp_type_field *f = &t->fields[i];
        out[n].name = xstrdup(f->name ? f->name : "?");
        out[n].value = value_sub(v, f->type, f->offset);
    }
    return n;
}

static int element_children(const gobp_value *v, gobp_type *elem, uint64_t base, bool in_value,
                            int64_t len, int start, int end, gobp_child *out)
{
    int n = 0;
    if (!elem)
        return 0;
    for (int64_t i = start; i < end && i < len; i++, n++) {
        uint64_t off = (uint64_t)i * elem->size;
        out[n].name = dup_printf_index(i);
        out[n].value = in_value ? value_sub(v, elem, off) : value_at(elem, base + off);
    }
    return n;
}

typedef struct {
    const gobp_memview *mv;
    int start, end, index, n;
    gobp_child *out;
} map_children_state;

static int collect_map_child(void *ctx, const gobp_value *key, const gobp_value *val)
{
    map_children_state *st = ctx;
    if (st->index >= st->end)
        return 1;
    if (st->index++ < st->start)
        return 0;
    gobp_format_opts opts = gobp_format_default;
    opts.max_depth = 1;
    opts.max_string = 128;
    gobp_child *c = &st->out[st->n++];
    c->name = value_format_short(st->mv, key, &opts);
    c->value = value_copy(val);
    return 0;
}

static int map_children(const gobp_memview *mv, const gobp_value *v, int start, int end, gobp_child *out)
{
    map_children_state st = { .mv = mv, .start = start, .end = end, .out = out };
    if (value_map_each(mv, v, collect_map_child, &st) < 0)
        return st.n;
    return st.n;
}

static int single_child(gobp_child *out, int start, const char *name, gobp_value value)
{
    if (start > 0) {
        value_free(&value);
        return 0;
    }
    out[0].name = xstrdup(name);
    out[0].value = value;
    return 1;
}

int value_children(const gobp_memview *mv, const gobp_value *v, int start, int count, gobp_child *out)
{
    if (!v->type || v->unreadable || start < 0 || count <= 0)
        return 0;
    int end = count > INT32_MAX - start ? INT32_MAX : start + count;
    uint64_t base, w;
    int64_t len;
    gobp_value h;
    switch (v->type->kind) {
    case GOBP_KIND_SLICE:
        if (slice_header(mv, v, &base, &len) != 0)
            return 0;
        return element_children(v, v->type->elem, base, false, len, start, end, out);
    case GOBP_KIND_ARRAY:
        return element_children(v, v->type->elem, 0, true, v->type->len, start, end, out);
    case GOBP_KIND_STRUCT:
    case GOBP_KIND_COMPLEX64:
    case GOBP_KIND_COMPLEX128:
        return field_children(v, v->type, start, end, out);
    case GOBP_KIND_PTR:
        if (!v->type->elem || value_read_word(mv, v, 0, 8, &w) != 0 || w == 0)
            return 0;
        return single_child(out, start, "", value_at(v->type->elem, w));
    case GOBP_KIND_INTERFACE: {
        gobp_value dyn;
        if (value_iface_dynamic(mv, v, &dyn, NULL) != 0)
            return 0;
        return single_child(out, start, dyn.type->name ? dyn.type->name : "?", dyn);
    }
    case GOBP_KIND_MAP:
        return map_children(mv, v, start, end, out);
    case GOBP_KIND_CHAN:
        if (chan_header(mv, v, &h) != 0)
            return 0;
        return field_children(&h, h.type, start, end, out);
    default:
        return 0;
    }
}

void gobp_children_free(gobp_child *c, int n)
{
    for (int i = 0; c && i < n; i++) {
        free(c[i].name);
        c[i].name = NULL;
        value_free(&c[i].value);
    }
}

/* ---- expression helpers ---- */

int value_deref(const gobp_memview *mv, const gobp_value *v, gobp_value *out)
{
    uint64_t p;
    if (!v->type)
        return -1;
    if (v->type->kind == GOBP_KIND_INTERFACE)
        return value_iface_dynamic(mv, v, out, NULL);
    if (v->type->kind != GOBP_KIND_PTR || !v->type->elem)
        return -1;
    if (value_read_word(mv, v, 0, 8, &p) != 0 || p == 0)
        return -1;
    *out = value_at(v->type->elem, p);
    return 0;
}

/* Follows pointers until a non-pointer value (at most a few levels). out is owned. */
static int auto_deref(const gobp_memview *mv, const gobp_value *v, gobp_value *out)
{
    gobp_value cur = value_copy(v);
    for (int i = 0; i < MAX_AUTO_DEREF && cur.type && cur.type->kind == GOBP_KIND_PTR; i++) {
        gobp_value next;
        if (value_deref(mv, &cur, &next) != 0) {
            value_free(&cur);
            return -1;
        }
        value_free(&cur);
        cur = next;
    }
    *out = cur;
    return 0;
}

/* Finds name in struct v or, breadth-last, in its embedded fields (also through pointers). */
static int struct_field(const gobp_memview *mv, const gobp_value *v, const char *name, int depth, gobp_value *out)
{
    const gobp_type *t = v->type;
    if (!t || t->kind != GOBP_KIND_STRUCT || depth > MAX_EMBED_DEPTH)
        return -1;
    const gobp_type_field *f = value_field_named(t, name);
    if (f) {
        *out = value_sub(v, f->type, f->offset);
        return 0;
    }
    for (int i = 0; i < t->nfields; i++) {
        if (!t->fields[i].embedded)
            continue;
        gobp_value inner = value_sub(v, t->fields[i].type, t->fields[i].offset), target;
        int rc = auto_deref(mv, &inner, &target);
        value_free(&inner);
        if (rc != 0)
            continue;
        rc = struct_field(mv, &target, name, depth + 1, out);
        value_free(&target);
        if (rc == 0)
            return 0;
    }
    return -1;
}

int value_field(const gobp_memview *mv, const gobp_value *v, const char *name, gobp_value *out)
{
    gobp_value target;
    if (auto_deref(mv, v, &target) != 0)
        return -1;
    int rc = struct_field(mv, &target, name, 0, out);
    value_free(&target);
    return rc;
}

static int index_string(const gobp_memview *mv, const gobp_value *v, int64_t idx, gobp_value *out)
{
    uint64_t base, len;
    const gobp_type_field *str = value_field_named(v->type, "str");
    if (!str || !str->type || !str->type->elem)
        return -1;
    if (value_field_word(mv, v, "str", 0, &base) != 0 || value_field_word(mv, v, "len", 8, &len) != 0)
        return -1;
    if (idx < 0 || (uint64_t)idx >= len)
        return -1;
    *out = value_at(str->type->elem, base + (uint64_t)idx);
    return 0;
}

int value_index(const gobp_memview *mv, const gobp_value *v, int64_t idx, gobp_value *out)
{
    gobp_value target;
    uint64_t base;
    int64_t len;
    int rc = -1;
    if (!v->type || auto_deref(mv, v, &target) != 0)
        return -1;
    gobp_type *t = target.type;
    switch (t ? t->kind : GOBP_KIND_INVALID) {
    case GOBP_KIND_SLICE:
        if (t->elem && slice_header(mv, &target, &base, &len) == 0 && idx >= 0 && idx < len) {
            *out = value_at(t->elem, base + (uint64_t)idx * t->elem->size);
            rc = 0;
        }
        break;
    case GOBP_KIND_ARRAY:
        if (t->elem && idx >= 0 && idx < t->len) {
            *out = value_sub(&target, t->elem, (uint64_t)idx * t->elem->size);
            rc = 0;
        }
        break;
    case GOBP_KIND_STRING:
        rc = index_string(mv, &target, idx, out);
        break;
    case GOBP_KIND_MAP:
        rc = value_map_lookup_int(mv, &target, idx, out);
        break;
    default:
        break;
    }
    value_free(&target);
    return rc;
}

typedef struct {
    const gobp_memview *mv;
    const char *skey;
    int64_t ikey;
    bool is_string;
    bool found;
    gobp_value result;
} map_lookup_state;

static bool key_matches(map_lookup_state *st, const gobp_value *key)
{
    if (st->is_string) {
        size_t len = 0, want = strlen(st->skey);
        char *s = value_string(st->mv, key, want + 1, &len);
        bool eq = s && len == want && memcmp(s, st->skey, want) == 0;
        free(s);
        return eq;
    }
    int64_t i;
    return value_int(st->mv, key, &i) == 0 && i == st->ikey;
}

static int lookup_entry(void *ctx, const gobp_value *key, const gobp_value *val)
{
    map_lookup_state *st = ctx;
    if (!key_matches(st, key))
        return 0;
    st->result = value_copy(val);
    st->found = true;
    return 1;
}

static int map_lookup(const gobp_memview *mv, const gobp_value *v, map_lookup_state *st, gobp_value *out)
{
    if (!v->type || v->type->kind != GOBP_KIND_MAP || !v->type->key)
        return -1;
    gobp_type_kind kk = v->type->key->kind;
    bool key_is_string = kk == GOBP_KIND_STRING;
    bool key_is_int = gobp_kind_is_integer(kk);
    if (st->is_string ? !key_is_string : !key_is_int)
        return -1;
    st->mv = mv;
    if (value_map_each(mv, v, lookup_entry, st) < 0 || !st->found)
        return -1;
    *out = st->result;
    return 0;
}

int value_map_lookup_string(const gobp_memview *mv, const gobp_value *v, const char *key, gobp_value *out)
{
    map_lookup_state st = { .skey = key, .is_string = true };
    return map_lookup(mv, v, &st, out);
}

int value_map_lookup_int(const gobp_memview *mv, const gobp_value *v, int64_t key, gobp_value *out)
{
    map_lookup_state st = { .ikey = key };
    return map_lookup(mv, v, &st, out);
}
