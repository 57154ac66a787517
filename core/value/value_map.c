/* Walking a Go map, every layout taken from DWARF: runtime.hmap up to Go 1.23 (buckets,
 * overflow chains, the old buckets of a growing map; hash<K,V>, bucket<K,V>) and the Swiss
 * tables of Go 1.24+ (map<K,V>: a single group, or a directory of tables of groups; table<K,V>,
 * groupReference<K,V>, group[K]V). Yields each live entry's key and value. */
#include "value_internal.h"


enum { BUCKET_SLOTS = 8, MIN_TOPHASH = 5, SAME_SIZE_GROW = 8 };
enum { MAX_CHAIN = 1 << 16 };

typedef struct {
    const gobp_memview *mv;
    gobp_type *key_type, *val_type;     /* the map's K and V */
    gobp_type *slot_key, *slot_val;     /* what a bucket stores: K or *K when indirect */
    uint64_t tophash_off, keys_off, vals_off, overflow_off, bucket_size;
    gobp_map_entry_fn fn;
    void *ctx;
    int visited;
    bool stop;
} map_walk;

/* The hmap address of a map value: 0 for nil; -1 unreadable. */
static int map_header_addr(const gobp_memview *mv, const gobp_value *v, uint64_t *out)
{
    return value_read_word(mv, v, 0, 8, out);
}

/* Go 1.24+ Swiss-table maps have map<K,V>.dirPtr where the hmap had buckets. */
static bool map_is_swiss(const gobp_type *t)
{
    return t && t->runtime && value_field_named(t->runtime, "dirPtr") != NULL;
}

int64_t value_map_len(const gobp_memview *mv, const gobp_value *v)
{
    uint64_t h, count;
    if (map_header_addr(mv, v, &h) != 0)
        return -1;
    if (h == 0)
        return 0;
    gobp_value hv = value_at(v->type->runtime, h);
    if (value_field_word(mv, &hv, map_is_swiss(v->type) ? "used" : "count", 0, &count) != 0)
        return -1;
    return (int64_t)count;
}

static int slot_size(const gobp_type *array, uint64_t *out)
{
    if (!array || !array->elem)
        return -1;
    *out = array->elem->size;
    return 0;
}

/* Fills the bucket layout from the bucket<K,V> type. */
static int walk_layout(map_walk *w, const gobp_type *bucket)
{
    const gobp_type_field *th = value_field_named(bucket, "tophash");
    const gobp_type_field *ks = value_field_named(bucket, "keys");
    const gobp_type_field *vs = value_field_named(bucket, "values");
    const gobp_type_field *ov = value_field_named(bucket, "overflow");
    if (!th || !ks || !vs || !ov || !ks->type || !vs->type)
        return -1;
    w->tophash_off = th->offset;
    w->keys_off = ks->offset;
    w->vals_off = vs->offset;
    w->overflow_off = ov->offset;
    w->bucket_size = bucket->size;
    w->slot_key = ks->type->elem;
    w->slot_val = vs->type->elem;
    uint64_t dummy;
    if (slot_size(ks->type, &dummy) != 0 || slot_size(vs->type, &dummy) != 0)
        return -1;
    return 0;
}

/* A slot that holds *K although the map's key type K is not a pointer: a big key stored indirectly. */
static bool slot_is_indirect(const gobp_type *slot, const gobp_type *want)
{
    return slot && want && slot != want && slot->kind == GOBP_KIND_PTR &&
           (want->kind != GOBP_KIND_PTR || slot->elem == want);
}

static gobp_value slot_value(const map_walk *w, gobp_type *slot, gobp_type *want, uint64_t addr)
{
    if (slot_is_indirect(slot, want)) {
        uint64_t p = 0;
        if (!w->mv->read || w->mv->read(w->mv->ctx, addr, &p, 8) != 0 || p == 0) {
            gobp_value u = { .type = want, .unreadable = true };
            return u;
        }
        return value_at(want, p);
    }
    return value_at(want, addr);
}

/* Yields the live entries of one bucket; returns its overflow pointer (0 at the end). */
static uint64_t walk_bucket(map_walk *w, uint64_t b)
{
    unsigned char tophash[BUCKET_SLOTS];
    const gobp_memview *mv = w->mv;
    if (mv->read(mv->ctx, b + w->tophash_off, tophash, sizeof tophash) != 0)
        return 0;
    for (int i = 0; i < BUCKET_SLOTS && !w->stop; i++) {
        if (tophash[i] < MIN_TOPHASH)
            continue;
        gobp_value k = slot_value(w, w->slot_key, w->key_type, b + w->keys_off + i * w->slot_key->size);
        gobp_value v = slot_value(w, w->slot_val, w->val_type, b + w->vals_off + i * w->slot_val->size);
        w->visited++;
        if (w->fn && w->fn(w->ctx, &k, &v))
            w->stop = true;
    }
    uint64_t next = 0;
    if (mv->read(mv->ctx, b + w->overflow_off, &next, 8) != 0)
        return 0;
    return next;
}

static void walk_buckets(map_walk *w, uint64_t base, uint64_t n)
{
    for (uint64_t i = 0; i < n && !w->stop; i++) {
        uint64_t b = base + i * w->bucket_size;
        for (int chain = 0; b != 0 && !w->stop && chain < MAX_CHAIN; chain++)
            b = walk_bucket(w, b);
    }
}

/* ---- Swiss tables (Go 1.24+) ---- */

enum { GROUP_SLOTS = 8, MAX_DIR = 1 << 24, MAX_GROUPS = 1 << 26 };

typedef struct {
    uint64_t groups_off;                /* table<K,V>.groups: {data, lengthMask} */
    uint64_t group_size;                /* bytes of one group[K]V */
    uint64_t ctrl_off, slots_off, slot_size, key_off, elem_off;
    gobp_type *slot_key, *slot_elem;    /* K or *K (indirect), V or *V */
} swiss_layout;

static const gobp_type *deref_type(const gobp_type *t)
{
    return t && t->kind == GOBP_KIND_PTR ? t->elem : NULL;
}

/* The group[K]V struct (ctrl word, then 8 slots {key, elem}), reached from the directory's
 * **table<K,V> type: table.groups is a groupReference whose data points at groups. */
static int swiss_layout_of(const gobp_type *maptype, swiss_layout *l)
{
    const gobp_type_field *dir = value_field_named(maptype, "dirPtr");
    const gobp_type *table = dir ? deref_type(deref_type(dir->type)) : NULL;
    const gobp_type_field *groups = table ? value_field_named(table, "groups") : NULL;
    const gobp_type_field *data = groups && groups->type ? value_field_named(groups->type, "data") : NULL;
    const gobp_type *group = data ? deref_type(data->type) : NULL;
    const gobp_type_field *ctrl = group ? value_field_named(group, "ctrl") : NULL;
    const gobp_type_field *slots = group ? value_field_named(group, "slots") : NULL;
    const gobp_type *slot = slots && slots->type ? slots->type->elem : NULL;
    const gobp_type_field *k = slot ? value_field_named(slot, "key") : NULL;
    const gobp_type_field *e = slot ? value_field_named(slot, "elem") : NULL;
    if (!ctrl || !k || !e || !k->type || !e->type || !slot->size)
        return -1;
    *l = (swiss_layout){groups->offset, group->size ? group->size : slots->offset + GROUP_SLOTS * slot->size,
                        ctrl->offset, slots->offset, slot->size, k->offset, e->offset, k->type, e->type};
    return 0;
}

/* Yields the full slots of the group at g (a control byte with the high bit clear is full). */
static void swiss_walk_group(map_walk *w, const swiss_layout *l, uint64_t g)
{
    uint64_t ctrl = 0;
    if (w->mv->read(w->mv->ctx, g + l->ctrl_off, &ctrl, 8) != 0)
        return;
    for (int i = 0; i < GROUP_SLOTS && !w->stop; i++) {
        if ((ctrl >> (8 * i)) & 0x80)
            continue;
        uint64_t slot = g + l->slots_off + (uint64_t)i * l->slot_size;
        gobp_value k = slot_value(w, l->slot_key, w->key_type, slot + l->key_off);
        gobp_value v = slot_value(w, l->slot_elem, w->val_type, slot + l->elem_off);
        w->visited++;
        if (w->fn && w->fn(w->ctx, &k, &v))
            w->stop = true;
    }
}

static void swiss_walk_table(map_walk *w, const swiss_layout *l, uint64_t t)
{
    uint64_t data = 0, mask = 0;
    const gobp_memview *mv = w->mv;
    if (mv->read(mv->ctx, t + l->groups_off, &data, 8) != 0 || mv->read(mv->ctx, t + l->groups_off + 8, &mask, 8) != 0 ||
        mask >= MAX_GROUPS)
        return;
    for (uint64_t i = 0; i <= mask && !w->stop; i++)
        swiss_walk_group(w, l, data + i * l->group_size);
}

static int swiss_map_each(map_walk *w, const gobp_type *maptype, uint64_t m)
{
    swiss_layout l;
    if (swiss_layout_of(maptype, &l) != 0)
        return -1;
    gobp_value mv = value_at((gobp_type *)maptype, m);
    uint64_t dir = 0, dirlen = 0;
    if (value_field_word(w->mv, &mv, "dirPtr", 16, &dir) != 0 || value_field_word(w->mv, &mv, "dirLen", 24, &dirlen) != 0)
        return -1;
    if (dir == 0)
        return 0;
    if (dirlen == 0) {             /* a small map: dirPtr is its one group */
        swiss_walk_group(w, &l, dir);
        return w->visited;
    }
    if (dirlen > MAX_DIR)
        return -1;
    uint64_t prev = 0;
    for (uint64_t i = 0; i < dirlen && !w->stop; i++) {
        uint64_t t = 0;
        if (w->mv->read(w->mv->ctx, dir + 8 * i, &t, 8) != 0)
            return -1;
        if (t == 0 || t == prev)   /* a table covers 2^(globalDepth-localDepth) consecutive entries */
            continue;
        prev = t;
        swiss_walk_table(w, &l, t);
    }
    return w->visited;
}

int value_map_each(const gobp_memview *mv, const gobp_value *v, gobp_map_entry_fn fn, void *ctx)
{
    uint64_t h, buckets, oldbuckets = 0, B, flags = 0;
    if (!mv || !mv->read || map_header_addr(mv, v, &h) != 0)
        return -1;
    if (h == 0)
        return 0;
    if (map_is_swiss(v->type)) {
        map_walk sw = { .mv = mv, .key_type = v->type->key, .val_type = v->type->elem, .fn = fn, .ctx = ctx };
        return sw.key_type && sw.val_type ? swiss_map_each(&sw, v->type->runtime, h) : -1;
    }
    const gobp_type *hmap = v->type->runtime;
    const gobp_type_field *bf = value_field_named(hmap, "buckets");
    if (!hmap || !bf || !bf->type || !bf->type->elem)
        return -1;
    map_walk w = { .mv = mv, .key_type = v->type->key, .val_type = v->type->elem, .fn = fn, .ctx = ctx };
    if (walk_layout(&w, bf->type->elem) != 0 || !w.key_type || !w.val_type)
        return -1;
    gobp_value hv = value_at((gobp_type *)hmap, h);
    if (value_field_word(mv, &hv, "buckets", 0, &buckets) != 0 || value_field_word(mv, &hv, "B", 9, &B) != 0)
        return -1;
    value_field_word(mv, &hv, "oldbuckets", 0, &oldbuckets);
    value_field_word(mv, &hv, "flags", 8, &flags);
    if (B > 24)
        return -1;
    uint64_t n = 1ull << B;
    if (buckets)
        walk_buckets(&w, buckets, n);
    if (oldbuckets && !w.stop) {
        uint64_t old_n = (flags & SAME_SIZE_GROW) || n == 1 ? n : n / 2;
        walk_buckets(&w, oldbuckets, old_n);
    }
    return w.visited;
}
