/* Walking a Go map (runtime.hmap up to Go 1.23): buckets, overflow chains and the old
 * buckets of a map that is growing, with every layout taken from the DWARF hash<K,V> and
 * bucket<K,V> types. Yields each live entry's key and value. */
#include "value.h"

#include <string.h>

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

int64_t value_map_len(const gobp_memview *mv, const gobp_value *v)
{
    uint64_t h, count;
    if (map_header_addr(mv, v, &h) != 0)
        return -1;
    if (h == 0)
        return 0;
    gobp_value hv = value_at(v->type->runtime, h);
    if (value_field_word(mv, &hv, "count", 0, &count) != 0)
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

int value_map_each(const gobp_memview *mv, const gobp_value *v, gobp_map_entry_fn fn, void *ctx)
{
    uint64_t h, buckets, oldbuckets = 0, B, flags = 0;
    if (!mv || !mv->read || map_header_addr(mv, v, &h) != 0)
        return -1;
    if (h == 0)
        return 0;
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
