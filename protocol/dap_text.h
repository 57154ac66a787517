/* JSON text built by appending, for DAP bodies too big to build as json-c objects (10 000
 * threads): raw pieces, escaped strings, formatted numbers. Aborts when out of memory. */
#ifndef GOBP_DAP_TEXT_H
#define GOBP_DAP_TEXT_H

#include <stddef.h>

typedef struct { char *s; size_t len, cap; } dap_text;

void dap_text_raw(dap_text *t, const char *s, size_t n);
void dap_text_cstr(dap_text *t, const char *s);           /* raw, NUL-terminated */
void dap_text_string(dap_text *t, const char *s);         /* a JSON string: quoted, escaped */
void dap_text_printf(dap_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dap_text_free(dap_text *t);

#endif
