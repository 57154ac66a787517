/* C code that calls back into Go: from the goroutine that called C, and from threads C creates
 * (pthread_create), two C frames deep. cgo compiles it with gcc -g -O2. */
#include <pthread.h>
#include <stdint.h>
#include "_cgo_export.h"

__attribute__((noinline)) int c_inner(int n)
{
    return goCallback(n) + 1; /* C calls Go */
}

__attribute__((noinline)) int c_outer(int n)
{
    return c_inner(n * 2) + 1; /* C calls C */
}

int call_from_c(int n)
{
    return c_outer(n) + 1;
}

static void *thread_main(void *arg)
{
    c_outer((int)(intptr_t)arg); /* thread_main calls */
    return NULL;
}

int run_c_threads(int n)
{
    pthread_t t[8];
    if (n > 8)
        n = 8;
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)(100 + i));
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    return n;
}
