/* Small hash maps used by the binary indexes: string -> pointer and uint64 -> pointer,
 * open addressing with linear probing. Keys are not copied. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "binary_internal.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint64_t hash_u64(uint64_t k)
{
    k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33;
    return k;
}

static void strmap_grow(strmap *m)
{
    size_t oldcap = m->cap;
    const char **oldk = m->keys;
    void **oldv = m->vals;
    m->cap = oldcap ? oldcap * 2 : 64;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xcalloc(m->cap, sizeof *m->vals);
    m->n = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (oldk[i]) strmap_put(m, oldk[i], oldv[i]);
    free(oldk);
    free(oldv);
}

void strmap_put(strmap *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) strmap_grow(m);
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) { m->vals[i] = val; return; }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
}

void *strmap_get(const strmap *m, const char *key)
{
    if (!m->cap) return NULL;
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

void strmap_free(strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static void u64map_grow(u64map *m)
{
    size_t oldcap = m->cap;
    uint64_t *oldk = m->keys;
    void **oldv = m->vals;
    m->cap = oldcap ? oldcap * 2 : 64;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xcalloc(m->cap, sizeof *m->vals);
    m->n = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (oldk[i]) u64map_put(m, oldk[i], oldv[i]);
    free(oldk);
    free(oldv);
}

void u64map_put(u64map *m, uint64_t key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) u64map_grow(m);
    size_t i = hash_u64(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (m->keys[i] == key) { m->vals[i] = val; return; }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
}

void *u64map_get(const u64map *m, uint64_t key)
{
    if (!m->cap) return NULL;
    size_t i = hash_u64(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (m->keys[i] == key) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

void u64map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
