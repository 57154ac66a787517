/* Tests of core/hitmap.c: breaklets run in kind order (trace, handler exits, then breakpoints
 * by id), a callback may remove itself or others and add new ones during a hit, HIT_DONE ends
 * the hit, and the table grows past many addresses. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "target/hitmap.h"

static char ran[64];
static int nran;
static hitmap *cur;
static breaklet *victim, *added;

static hit_verdict note(struct gobp_target *t, struct target_hit *h, breaklet *b)
{
    (void)t, (void)h;
    ran[nran++] = (char)(uintptr_t)b->owner;
    return HIT_NEXT;
}

static hit_verdict done(struct gobp_target *t, struct target_hit *h, breaklet *b)
{
    note(t, h, b);
    return HIT_DONE;
}

static hit_verdict remove_victim(struct gobp_target *t, struct target_hit *h, breaklet *b)
{
    note(t, h, b);
    hitmap_remove(cur, victim);
    hitmap_remove(cur, b);
    return HIT_NEXT;
}

static hit_verdict add_one(struct gobp_target *t, struct target_hit *h, breaklet *b)
{
    note(t, h, b);
    if (added)
        hitmap_add(cur, added);
    added = NULL;
    return HIT_NEXT;
}

static breaklet bk(uint64_t addr, breaklet_kind kind, uint64_t order, breaklet_hit_fn fn, char name)
{
    return (breaklet){ .addr = addr, .kind = kind, .order = order, .on_hit = fn, .owner = (void *)(uintptr_t)name };
}

static void run(uint64_t addr)
{
    nran = 0;
    memset(ran, 0, sizeof ran);
    hitmap_dispatch(cur, addr, NULL, NULL);
}

Test(hitmap, kind_order_then_breakpoint_ids)
{
    cur = hitmap_new();
    breaklet u2 = bk(0x1000, BREAKLET_USER, 2, note, 'c'), s1 = bk(0x1000, BREAKLET_STEP, 1, note, 'b');
    breaklet x = bk(0x1000, BREAKLET_HANDLER_EXIT, 0, note, 'x'), tr = bk(0x1000, BREAKLET_TRACE, 0, note, 't');
    breaklet h3 = bk(0x1000, BREAKLET_HANDLER, 3, note, 'd');
    hitmap_add(cur, &u2);
    hitmap_add(cur, &h3);
    hitmap_add(cur, &s1);
    hitmap_add(cur, &x);
    hitmap_add(cur, &tr);
    run(0x1000);
    cr_expect_str_eq(ran, "txbcd");
    cr_expect_not(hitmap_dispatch(cur, 0x2000, NULL, NULL));
    cr_expect_eq(hitmap_find(cur, 0x1000, BREAKLET_STEP), &s1);
    hitmap_free(cur);
}

Test(hitmap, done_ends_the_hit)
{
    cur = hitmap_new();
    breaklet a = bk(0x1000, BREAKLET_TRACE, 0, note, 'a'), b = bk(0x1000, BREAKLET_HANDLER_EXIT, 0, done, 'b');
    breaklet c = bk(0x1000, BREAKLET_USER, 1, note, 'c');
    hitmap_add(cur, &c);
    hitmap_add(cur, &a);
    hitmap_add(cur, &b);
    run(0x1000);
    cr_expect_str_eq(ran, "ab");
    hitmap_free(cur);
}

Test(hitmap, removals_and_additions_during_a_hit)
{
    cur = hitmap_new();
    breaklet a = bk(0x1000, BREAKLET_USER, 1, note, 'a'), r = bk(0x1000, BREAKLET_USER, 2, remove_victim, 'r');
    breaklet v = bk(0x1000, BREAKLET_USER, 3, note, 'v'), w = bk(0x1000, BREAKLET_USER, 4, add_one, 'w');
    breaklet z = bk(0x1000, BREAKLET_USER, 5, note, 'z'), n = bk(0x1000, BREAKLET_USER, 6, note, 'n');
    victim = &v;
    added = &n;
    hitmap_add(cur, &a);
    hitmap_add(cur, &r);
    hitmap_add(cur, &v);
    hitmap_add(cur, &w);
    hitmap_add(cur, &z);
    run(0x1000);
    cr_expect_str_eq(ran, "arwz");      /* r took v and itself out; n, added by w, runs next time */
    run(0x1000);
    cr_expect_str_eq(ran, "awzn");
    hitmap_free(cur);
}

Test(hitmap, grows_past_many_addresses)
{
    cur = hitmap_new();
    enum { N = 5000 };
    breaklet *bs = calloc(N, sizeof *bs);
    for (int i = 0; i < N; i++) {
        bs[i] = bk(0x400000 + 16 * (uint64_t)i, BREAKLET_TRACE, 0, note, 'a');
        hitmap_add(cur, &bs[i]);
    }
    for (int i = 0; i < N; i += 2)
        hitmap_remove(cur, &bs[i]);
    for (int i = 0; i < N; i++)
        cr_assert_eq(hitmap_at(cur, bs[i].addr), i % 2 ? &bs[i] : NULL);
    hitmap_free(cur);
    free(bs);
}
