/* How the core reads target memory without knowing who owns it: one read, or many in a batch.
 * The process module implements both; values, the unwinder and the runtime readers ask them. */
#ifndef GOBP_MEM_H
#define GOBP_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads target memory: 0 on success, -1 when any byte is unreadable. */
typedef int (*gobp_mem_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);
/* Many reads at once (one syscall per batch): each request's ok says whether it was read. */
typedef struct { uint64_t addr; void *buf; size_t len; bool ok; } gobp_mem_req;
typedef void (*gobp_mem_readv_fn)(void *ctx, gobp_mem_req *reqs, size_t n);

#endif
