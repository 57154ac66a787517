/* What the value readers share among themselves and nothing outside core/value/ uses, plus the
 * unit tests' seam that stands in for the binary's runtime-type and function lookups. */
#ifndef GOBP_VALUE_INTERNAL_H
#define GOBP_VALUE_INTERNAL_H

#include "value.h"

/* A part of a value as a value of its own: bytes are copied when v has bytes, else the
 * address is v->addr + off. */
gobp_value value_sub(const gobp_value *v, gobp_type *type, uint64_t off);
/* The text of a value without its leading type (map keys, elements): "a", 1, {X: 1}. malloc'd. */
char *value_format_short(const gobp_memview *mv, const gobp_value *v, const gobp_format_opts *opts);
/* The function at pc (through the test seam when one is set). */
const gobp_func *value_lookup_func(gobp_binary *bin, uint64_t pc);

/* Map entries in bucket order: calls fn with the key and value of each live entry; stops
 * when fn returns nonzero. Returns the number of entries visited, -1 if unreadable. */
typedef int (*gobp_map_entry_fn)(void *ctx, const gobp_value *key, const gobp_value *val);
int value_map_each(const gobp_memview *mv, const gobp_value *v, gobp_map_entry_fn fn, void *ctx);

/* Test seam (process-global, for the unit tests only): replace binary_type_by_runtime_addr /
 * binary_func_by_pc (NULL restores them). */
typedef gobp_type *(*gobp_type_by_rtaddr_fn)(gobp_binary *bin, uint64_t addr);
typedef const gobp_func *(*gobp_func_by_pc_fn)(gobp_binary *bin, uint64_t pc);
void value_set_binary_hooks(gobp_type_by_rtaddr_fn type_by_rtaddr, gobp_func_by_pc_fn func_by_pc);

#endif
