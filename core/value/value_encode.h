/* Turning a scalar (an integer, float or bool the debugger computed) into the bytes of a Go
 * value of a given type: the one encoder behind setVariable (target_assign.c) and the plugin
 * API's setters and forced results (plugin_host.c). */
#ifndef GOBP_VALUE_ENCODE_H
#define GOBP_VALUE_ENCODE_H

#include "binary/types.h"

#include <stddef.h>
#include <stdint.h>

/* A scalar as the caller has it, before it meets a Go type. */
typedef enum { GOBP_SCALAR_INT, GOBP_SCALAR_UINT, GOBP_SCALAR_FLOAT, GOBP_SCALAR_BOOL } gobp_scalar_kind;

typedef struct {
    gobp_scalar_kind kind;
    union {
        int64_t i;    /* GOBP_SCALAR_INT */
        uint64_t u;   /* GOBP_SCALAR_UINT */
        double f;     /* GOBP_SCALAR_FLOAT */
        bool b;       /* GOBP_SCALAR_BOOL */
    };
} gobp_scalar;

static inline gobp_scalar gobp_scalar_int(int64_t i) { return (gobp_scalar){ .kind = GOBP_SCALAR_INT, .i = i }; }
static inline gobp_scalar gobp_scalar_uint(uint64_t u) { return (gobp_scalar){ .kind = GOBP_SCALAR_UINT, .u = u }; }
static inline gobp_scalar gobp_scalar_float(double f) { return (gobp_scalar){ .kind = GOBP_SCALAR_FLOAT, .f = f }; }
static inline gobp_scalar gobp_scalar_bool(bool b) { return (gobp_scalar){ .kind = GOBP_SCALAR_BOOL, .b = b }; }

/* How a scalar meets the type.
 *
 * VALUE_ENCODE_CHECKED — Go's assignment of a constant, for setVariable: an integer goes into
 *   an integer kind only when it is in the kind's range; an integer or a float goes into a
 *   float kind; a bool into a bool. A pointer is not an integer and takes none of them.
 *
 * VALUE_ENCODE_WRAP — C's conversion of the argument, for the plugin API only. gobp_set_int,
 *   gobp_set_uint, gobp_return_int and gobp_return_uint take an int64_t/uint64_t for every
 *   integer width, so a plugin writes an int8 with an int64_t the way C code assigns one:
 *   the value wraps to the width (two's complement), it is not refused. The typed setter names
 *   the class: integers go into integer kinds, and into pointers and unsafe.Pointer as their
 *   address (the inverse of gobp_get_uint, which reads a pointer's address); floats into float
 *   kinds; bools into bools. An integer does not go into a float kind (there is gobp_set_float).
 *   core/include/gobp/plugin.h documents this for plugin authors. */
typedef enum { VALUE_ENCODE_CHECKED, VALUE_ENCODE_WRAP } value_encode_mode;

typedef enum {
    VALUE_ENCODE_OK = 0,
    VALUE_ENCODE_KIND = -1,    /* this class of scalar does not go into this kind */
    VALUE_ENCODE_RANGE = -2,   /* VALUE_ENCODE_CHECKED: the integer is outside the kind's range */
} value_encode_status;

/* Writes s as a value of type t into out (t->size bytes, at most 8; zeroed first). On failure
 * returns the reason and, when err is not NULL, writes setVariable's message: "cannot assign
 * this value to a int8", "the value does not fit in a uint8", and for a negative integer into
 * a 64-bit unsigned kind (where only the sign can be wrong) "a negative value does not fit in
 * a uint64". */
value_encode_status value_encode_scalar(const gobp_type *t, gobp_scalar s, value_encode_mode mode,
                                        unsigned char *out, char *err, size_t errlen);

#endif
