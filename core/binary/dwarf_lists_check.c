/* Checks the unit headers of .debug_rnglists and .debug_loclists before libdwarf reads them.
 * libdwarf 20210528 (Debian 12) frees memory twice when it cannot read one of these headers
 * (a bad length, version or address size): such a binary is refused here with the reason. */
#include "binary_internal.h"

#include <stdio.h>
#include <string.h>

static uint64_t read_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Every unit of one section: length (32- or 64-bit DWARF), version 5, address size 2/4/8,
 * the 8 header bytes inside the unit and the unit inside the section. */
static int check_section(gobp_binary *bin, const char *name, char *why, size_t whylen)
{
    size_t len;
    const unsigned char *d = bin_debug_section(bin, name, &len);
    if (!d)
        return 0;   /* absent (or unreadable: libdwarf says so itself) */
    for (size_t off = 0; off < len;) {
        size_t left = len - off, lsize = 4;
        if (left < 4)
            goto truncated;
        uint64_t unit = read_le(d + off, 4);
        if (unit == 0xffffffffu) {
            if (left < 12)
                goto truncated;
            unit = read_le(d + off + 4, 8);
            lsize = 12;
        } else if (unit >= 0xfffffff0u) {
            snprintf(why, whylen, "%s: unit at offset %#zx has the reserved length %#llx", name, off, (unsigned long long)unit);
            return -1;
        }
        if (unit < 8 || unit > left - lsize) {
            snprintf(why, whylen, "%s: unit at offset %#zx has length %llu, outside the %zu bytes left",
                     name, off, (unsigned long long)unit, left - lsize);
            return -1;
        }
        const unsigned char *h = d + off + lsize;
        unsigned version = (unsigned)read_le(h, 2), asize = h[2];
        if (version != 5 || (asize != 2 && asize != 4 && asize != 8)) {
            snprintf(why, whylen, "%s: unit at offset %#zx has version %u and address size %u (5 and 2, 4 or 8 expected)",
                     name, off, version, asize);
            return -1;
        }
        off += lsize + unit;
    }
    return 0;
truncated:
    snprintf(why, whylen, "%s: truncated unit header", name);
    return -1;
}

int bin_check_dwarf_lists(gobp_binary *bin, char *why, size_t whylen)
{
    if (check_section(bin, ".debug_rnglists", why, whylen) < 0)
        return -1;
    return check_section(bin, ".debug_loclists", why, whylen);
}
