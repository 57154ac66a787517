/* Base64 (RFC 4648, with padding) for the data of readMemory and writeMemory. */
#ifndef GOBP_DAP_BASE64_H
#define GOBP_DAP_BASE64_H

#include <stddef.h>

/* The text of len bytes (NUL-terminated, malloc'd; aborts when out of memory). */
char *dap_base64_encode(const void *data, size_t len);
/* Decodes text (whitespace not allowed, padding optional) into a malloc'd buffer: 0 with
 * out and len set, -1 when text is not base64. */
int dap_base64_decode(const char *text, unsigned char **out, size_t *len);

#endif
