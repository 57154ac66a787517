/* The one allocation helper of gobp-dap: malloc/calloc/realloc/strdup that abort with a message
 * naming the size instead of returning NULL (a debugger that runs out of memory cannot go on
 * safely; a NULL it forgot to check would corrupt the session instead). */
#ifndef GOBP_ALLOC_H
#define GOBP_ALLOC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void *gobp_oom(size_t size)
{
    fprintf(stderr, "gobp-dap: out of memory (allocating %zu bytes)\n", size);
    abort();
}
static inline void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    return p ? p : gobp_oom(size);
}
static inline void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : gobp_oom(n * size);
}
static inline void *xrealloc(void *old, size_t size)
{
    void *p = realloc(old, size ? size : 1);
    return p ? p : gobp_oom(size);
}
static inline char *xstrdup(const char *s)
{
    char *p = strdup(s);
    return p ? p : gobp_oom(strlen(s) + 1);
}
static inline char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    return p ? p : gobp_oom(n + 1);
}

#endif
