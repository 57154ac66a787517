/* Go types as the debugger sees them, built from DWARF by binary_*.c and read by value/ and eval/.
 * One struct for every Go kind; field layouts always come from DWARF, never per Go version. */
#ifndef GOBP_TYPES_H
#define GOBP_TYPES_H


#include <stdbool.h>
#include <stdint.h>

/* Same numbering as reflect.Kind and DWARF's DW_AT_go_kind (0x2900). */
typedef enum {
    GOBP_KIND_INVALID = 0,
    GOBP_KIND_BOOL = 1,
    GOBP_KIND_INT = 2,
    GOBP_KIND_INT8 = 3,
    GOBP_KIND_INT16 = 4,
    GOBP_KIND_INT32 = 5,
    GOBP_KIND_INT64 = 6,
    GOBP_KIND_UINT = 7,
    GOBP_KIND_UINT8 = 8,
    GOBP_KIND_UINT16 = 9,
    GOBP_KIND_UINT32 = 10,
    GOBP_KIND_UINT64 = 11,
    GOBP_KIND_UINTPTR = 12,
    GOBP_KIND_FLOAT32 = 13,
    GOBP_KIND_FLOAT64 = 14,
    GOBP_KIND_COMPLEX64 = 15,
    GOBP_KIND_COMPLEX128 = 16,
    GOBP_KIND_ARRAY = 17,
    GOBP_KIND_CHAN = 18,
    GOBP_KIND_FUNC = 19,
    GOBP_KIND_INTERFACE = 20,
    GOBP_KIND_MAP = 21,
    GOBP_KIND_PTR = 22,
    GOBP_KIND_SLICE = 23,
    GOBP_KIND_STRING = 24,
    GOBP_KIND_STRUCT = 25,
    GOBP_KIND_UNSAFEPTR = 26,
} gobp_type_kind;

/* What a kind is, answered once for the whole core (the value reader, formatter, evaluator,
 * encoder and plugin host all ask these). Pointers: *T and unsafe.Pointer are pointers, not
 * unsigned integers, as in Go (an address becomes an integer only through uintptr, which is
 * an unsigned integer). Code that also accepts an address where it accepts an unsigned integer
 * (the plugin API's gobp_get_uint/gobp_set_uint) asks gobp_kind_is_pointer as well, explicitly. */
static inline bool gobp_kind_is_signed(gobp_type_kind k) { return k >= GOBP_KIND_INT && k <= GOBP_KIND_INT64; }
static inline bool gobp_kind_is_unsigned(gobp_type_kind k) { return k >= GOBP_KIND_UINT && k <= GOBP_KIND_UINTPTR; }
static inline bool gobp_kind_is_integer(gobp_type_kind k) { return gobp_kind_is_signed(k) || gobp_kind_is_unsigned(k); }
static inline bool gobp_kind_is_float(gobp_type_kind k) { return k == GOBP_KIND_FLOAT32 || k == GOBP_KIND_FLOAT64; }
static inline bool gobp_kind_is_complex(gobp_type_kind k) { return k == GOBP_KIND_COMPLEX64 || k == GOBP_KIND_COMPLEX128; }
static inline bool gobp_kind_is_numeric(gobp_type_kind k) { return gobp_kind_is_integer(k) || gobp_kind_is_float(k); }
static inline bool gobp_kind_is_pointer(gobp_type_kind k) { return k == GOBP_KIND_PTR || k == GOBP_KIND_UNSAFEPTR; }
/* Kinds whose zero value is nil: pointers, slices, maps, channels, funcs, interfaces. */
static inline bool gobp_kind_is_nilable(gobp_type_kind k)
{
    return gobp_kind_is_pointer(k) || k == GOBP_KIND_SLICE || k == GOBP_KIND_MAP || k == GOBP_KIND_CHAN ||
           k == GOBP_KIND_FUNC || k == GOBP_KIND_INTERFACE;
}

typedef struct gobp_type gobp_type;

typedef struct gobp_type_field {
    const char *name;     /* Go field name ("Name", "str", "len", "tab", ...) */
    uint64_t offset;      /* DW_AT_data_member_location */
    gobp_type *type;
    bool embedded;        /* DW_AT_go_embedded_field */
} gobp_type_field;

/* Types are owned by their gobp_binary and live as long as it does. */
struct gobp_type {
    gobp_type_kind kind;
    const char *name;     /* Go spelling: "int", "main.Shape", "map[string]int", "*main.T",
                             "[]int", "[3]int", "interface {}", "error", "chan int", "func(int) string" */
    uint64_t size;        /* byte size of a value of this type (a map/chan/func/ptr: 8) */
    gobp_type *elem;      /* ptr/slice/array/chan: element; map: value type */
    gobp_type *key;       /* map: key type */
    int64_t len;          /* array: number of elements */
    int nfields;          /* struct, and the runtime representation of string (str,len),
                             slice (array,len,cap), interface (tab,data | _type,data),
                             complex (real,imag) */
    gobp_type_field *fields;
    gobp_type *runtime;   /* map: the hash<K,V> struct (runtime.hmap layout, Go <= 1.23) or
                             map<K,V> (Swiss tables, internal/runtime/maps.Map, Go 1.24+);
                             chan: the hchan<T> struct; otherwise NULL */
    bool empty_interface; /* interface {} (eface: _type,data) rather than iface (tab,data) */
    bool tuple;           /* a struct made by the debugger for a call's several results: shown
                             as "1, nil", its fields named as the function names its results */
    uint64_t runtime_type;/* DW_AT_go_runtime_type (0x2904): address of the runtime._type, or 0 */
    uint64_t die_offset;  /* global DIE offset, for identity/caching */
};


#endif
