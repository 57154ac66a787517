/* Appending JSON text: the growable buffer, string escaping as JSON requires (quotes,
 * backslashes, control characters; UTF-8 passes through), printf-style pieces. */
#include "alloc.h"
#include "dap_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(dap_text *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + more + 1)
        cap *= 2;
    t->s = xrealloc(t->s, cap);
    t->cap = cap;
}

void dap_text_raw(dap_text *t, const char *s, size_t n)
{
    reserve(t, n);
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = 0;
}

void dap_text_cstr(dap_text *t, const char *s)
{
    dap_text_raw(t, s, strlen(s));
}

void dap_text_string(dap_text *t, const char *s)
{
    dap_text_raw(t, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            dap_text_raw(t, esc, 2);
        } else if (*p < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            dap_text_raw(t, esc, 6);
        } else {
            dap_text_raw(t, (const char *)p, 1);
        }
    }
    dap_text_raw(t, "\"", 1);
}

void dap_text_printf(dap_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    reserve(t, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void dap_text_free(dap_text *t)
{
    free(t->s);
    t->s = NULL;
    t->len = t->cap = 0;
}
