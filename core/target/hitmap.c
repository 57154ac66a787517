/* The address map of breaklets: open addressing on the address (at most half full), each
 * bucket the head of the address's breaklets in run order, and the dispatch of one hit. */
#include "hitmap.h"
#include "alloc.h"

typedef struct { uint64_t addr; breaklet *head; } bucket;   /* head NULL: reusable for addr */

struct hitmap {
    bucket *b;
    size_t cap, used;        /* used: buckets with an address, empty heads included */
    uint64_t serial;         /* dispatches so far */
    uint64_t removals;       /* breaklets removed so far: a dispatch's saved next may be gone */
};

hitmap *hitmap_new(void)
{
    hitmap *m = xcalloc(1, sizeof *m);
    m->cap = 256;
    m->b = xcalloc(m->cap, sizeof *m->b);
    return m;
}

void hitmap_free(hitmap *m)
{
    if (!m)
        return;
    free(m->b);
    free(m);
}

static bucket *slot(bucket *b, size_t cap, uint64_t addr)
{
    size_t i = (size_t)((addr * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
    while (b[i].addr && b[i].addr != addr)
        i = (i + 1) & (cap - 1);
    return &b[i];
}

/* Rebuilds the table with room for one more address, dropping addresses with no breaklet. */
static void rehash(hitmap *m)
{
    size_t live = 0;
    for (size_t i = 0; i < m->cap; i++)
        live += m->b[i].head != NULL;
    size_t cap = 256;
    while ((live + 1) * 4 > cap)
        cap *= 2;
    bucket *nb = xcalloc(cap, sizeof *nb);
    for (size_t i = 0; i < m->cap; i++)
        if (m->b[i].head)
            *slot(nb, cap, m->b[i].addr) = m->b[i];
    free(m->b);
    m->b = nb;
    m->cap = cap;
    m->used = live;
}

static bucket *bucket_for(hitmap *m, uint64_t addr)
{
    bucket *s = slot(m->b, m->cap, addr);
    if (s->addr)
        return s;
    if ((m->used + 1) * 2 > m->cap) {
        rehash(m);
        s = slot(m->b, m->cap, addr);
    }
    s->addr = addr;
    m->used++;
    return s;
}

static unsigned rank(const breaklet *b)
{
    return b->kind < BREAKLET_STEP ? (unsigned)b->kind : (unsigned)BREAKLET_STEP;
}

static bool runs_before(const breaklet *a, const breaklet *b)
{
    return rank(a) < rank(b) || (rank(a) == rank(b) && a->order <= b->order);
}

void hitmap_add(hitmap *m, breaklet *b)
{
    breaklet **pp = &bucket_for(m, b->addr)->head;
    while (*pp && runs_before(*pp, b))
        pp = &(*pp)->next;
    b->seen = m->serial;     /* a dispatch running now does not run it */
    b->next = *pp;
    *pp = b;
}

void hitmap_remove(hitmap *m, breaklet *b)
{
    bucket *s = slot(m->b, m->cap, b->addr);
    for (breaklet **pp = &s->head; *pp; pp = &(*pp)->next)
        if (*pp == b) {
            *pp = b->next;
            b->next = NULL;
            m->removals++;
            return;
        }
}

breaklet *hitmap_at(hitmap *m, uint64_t addr)
{
    return slot(m->b, m->cap, addr)->head;
}

breaklet *hitmap_find(hitmap *m, uint64_t addr, breaklet_kind kind)
{
    breaklet *b = hitmap_at(m, addr);
    while (b && b->kind != kind)
        b = b->next;
    return b;
}

static breaklet *unseen(breaklet *b, uint64_t serial)
{
    while (b && b->seen == serial)
        b = b->next;
    return b;
}

bool hitmap_dispatch(hitmap *m, uint64_t addr, struct gobp_target *t, struct target_hit *h)
{
    uint64_t serial = ++m->serial;
    breaklet *b = hitmap_at(m, addr);
    if (!b)
        return false;
    while (b) {
        uint64_t removals = m->removals;
        breaklet *next = b->next;
        b->seen = serial;
        if (b->on_hit(t, h, b) == HIT_DONE)
            break;
        /* a removal may have freed next: start over at the head, past those already run */
        b = unseen(m->removals == removals ? next : hitmap_at(m, addr), serial);
    }
    return true;
}
