/* Go values: reading them from target memory (or register pieces) and formatting them the
 * way Go developers read them, the same text in the Variables view, evaluate, hover, plugins
 * and traces. Children (struct fields, elements, map entries, deref) for expandable values. */
#ifndef GOBP_VALUE_H
#define GOBP_VALUE_H

#include "binary/binary.h"
#include "mem.h"

/* Where values come from: target memory plus the binary (for interface dynamic types). */
typedef struct {
    gobp_mem_read_fn read;
    void *ctx;
    gobp_binary *bin;
} gobp_memview;

/* A value: its type, and either an address in target memory (bytes == NULL) or its bytes
 * (assembled from registers, or a computed result). */
typedef struct gobp_value {
    gobp_type *type;
    uint64_t addr;          /* valid when bytes == NULL; 0 = unknown */
    unsigned char *bytes;   /* owned by the value when non-NULL (value_free releases) */
    size_t nbytes;
    bool unreadable;        /* optimized out / no location */
} gobp_value;

/* Builds a value from a location (pieces) and the frame's registers. regs: DWARF regs 0..16;
 * xmm: 16 x 16 bytes (may be NULL). loc->deref: the pieces hold the value's address (a nil
 * one gives an unreadable value: the heap copy is not allocated yet). */
int value_from_location(const gobp_memview *mv, gobp_type *type, const gobp_location *loc,
                        const uint64_t *regs, const unsigned char *xmm, gobp_value *out);
gobp_value value_at(gobp_type *type, uint64_t addr);
void value_free(gobp_value *v);
gobp_value value_copy(const gobp_value *v);

/* Reads len bytes at byte offset off of the value (from bytes or memory). 0 ok, -1 unreadable. */
int value_read(const gobp_memview *mv, const gobp_value *v, uint64_t off, void *buf, size_t len);
/* Scalars: integers of any size/signedness, bool, pointers, uintptr. 0 ok. */
int value_int(const gobp_memview *mv, const gobp_value *v, int64_t *out);
int value_uint(const gobp_memview *mv, const gobp_value *v, uint64_t *out);
int value_float(const gobp_memview *mv, const gobp_value *v, double *out);
/* Go string contents (malloc'd, NUL-terminated, at most max bytes; *len_out the real length). */
char *value_string(const gobp_memview *mv, const gobp_value *v, size_t max, size_t *len_out);

/* Formatting limits. */
typedef struct {
    int max_depth;          /* nesting shown inline (struct in struct ...): default 2 */
    size_t max_string;      /* bytes of a string shown: default 512 */
    int max_elems;          /* elements/fields/entries shown inline: default 8 (then "...") */
} gobp_format_opts;
extern const gobp_format_opts gobp_format_default;

/* The text shown for a value, e.g. 42, 0.1, "héllo", []int len: 3, cap: 3, [1,2,3],
 * main.Point {X: 1, Y: 2}, *main.Point {X: 1, Y: 2}, nil, map[string]int ["a": 1, ],
 * error(*errors.errorString) *{s: "boom"}, chan int 0/5, main.main.func1, unsafe.Pointer(0xc000010000).
 * Delve's formatting is the reference. malloc'd. */
char *value_format(const gobp_memview *mv, const gobp_value *v, const gobp_format_opts *opts);
/* The type shown in the Variables view: the static name, or for a non-nil interface
 * "main.Shape(main.Circle)" / "error(*errors.errorString)". malloc'd. */
char *value_type_name(const gobp_memview *mv, const gobp_value *v);

/* Children for expanding a value. value_child_count: how many there are (0: a leaf;
 * slices/arrays: elements, maps: entries, structs: fields, pointers: 1 (the pointee) unless
 * nil, interfaces: 1 (the dynamic value, named after its type) unless nil, strings: 0).
 * value_children fills out[0..n) for indices [start, start+count) and returns n. Names:
 * "[3]" for elements, field names, map entries are named by the formatted key ("\"a\"", "1")
 * when the key is a scalar/string, else "[k0]"/"[v0]" pairs are not used: the child is the
 * value and its name the formatted key. A pointer's child is named "*name" by the caller; here
 * it is "". */
typedef struct { char *name; gobp_value value; } gobp_child;
int value_child_count(const gobp_memview *mv, const gobp_value *v);
int value_children(const gobp_memview *mv, const gobp_value *v, int start, int count, gobp_child *out);
void gobp_children_free(gobp_child *c, int n);

/* Expression helpers for evaluate: field (also through pointers and embedded structs),
 * index (slices, arrays, strings -> byte, maps with int/string keys), deref. 0 ok, -1 with err. */
int value_field(const gobp_memview *mv, const gobp_value *v, const char *name, gobp_value *out);
int value_index(const gobp_memview *mv, const gobp_value *v, int64_t idx, gobp_value *out);
int value_map_lookup_string(const gobp_memview *mv, const gobp_value *v, const char *key, gobp_value *out);
int value_map_lookup_int(const gobp_memview *mv, const gobp_value *v, int64_t key, gobp_value *out);
int value_deref(const gobp_memview *mv, const gobp_value *v, gobp_value *out);

/* Go's strconv.FormatFloat(f, 'g', -1, bits): 0.1, 1e+21, 3.14, -0, +Inf, NaN. */
void go_format_float(double f, int bits, char *buf, size_t buflen);

/* ---- lower-level readers (the evaluator and the plugin host build on these) ---- */

/* A value made of the given bytes (copied). */
gobp_value value_of_bytes(gobp_type *type, const void *bytes, size_t n);

/* Interfaces: the dynamic value (type from the runtime _type / itab), 0 ok; -1 when nil or
 * unknown (*dyn_type_addr tells the runtime type address, 0 for nil). */
int value_iface_dynamic(const gobp_memview *mv, const gobp_value *v, gobp_value *out,
                        uint64_t *dyn_type_addr);

/* Number of entries (hmap.count), 0 for nil, -1 unreadable. */
int64_t value_map_len(const gobp_memview *mv, const gobp_value *v);

/* Runtime type and field lookups; raw words of a value or of one of its fields. */
gobp_type *value_lookup_runtime_type(gobp_binary *bin, uint64_t addr);
const gobp_type_field *value_field_named(const gobp_type *t, const char *name);
/* Reads an unsigned little-endian word of size 1..8 bytes at off. 0 ok. */
int value_read_word(const gobp_memview *mv, const gobp_value *v, uint64_t off, size_t size, uint64_t *out);
/* Reads the word of field name (at off_default when the type lacks that field). 0 ok. */
int value_field_word(const gobp_memview *mv, const gobp_value *v, const char *name,
                     uint64_t off_default, uint64_t *out);
/* Stored directly in an interface's data word (ptr, map, chan, func, 1-element wrappers). */
bool value_type_is_pointer_shaped(const gobp_type *t);
/* The runtime type address of an interface value, 0 for nil. 0 ok. */
int value_iface_type_addr(const gobp_memview *mv, const gobp_value *v, uint64_t *out);

#endif
