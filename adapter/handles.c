/* The handle table: ids for frames, scopes and expandable values of the current stop,
 * cleared on every resume so a stale id can never read a moved stack. */
#include "alloc.h"
#include "handles.h"

#include <stdlib.h>

int handles_add(handle_table *t, handle h)
{
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->items = xrealloc(t->items, (size_t)t->cap * sizeof *t->items);
    }
    t->items[t->count++] = h;
    return t->count;
}

handle *handles_get(handle_table *t, int64_t id)
{
    return id >= 1 && id <= t->count ? &t->items[id - 1] : NULL;
}

void handles_clear(handle_table *t)
{
    for (int i = 0; i < t->count; i++) {
        free(t->items[i].package);
        free(t->items[i].eval_name);
        value_free(&t->items[i].value);
    }
    free(t->items);
    t->items = NULL;
    t->count = t->cap = 0;
}
