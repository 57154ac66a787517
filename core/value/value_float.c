/* Go's strconv.FormatFloat(f, 'g', -1, bits) in C: the shortest decimal that reads back
 * as the same float64 (or float32), laid out with Go's %e-vs-%f rule and exponent style. */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest decimal digits: digits (no dot, no leading zeros) and the decimal exponent of the
 * first digit (value = 0.d1d2d3... * 10^(exp+1), i.e. d1.d2d3... * 10^exp). */
typedef struct {
    char digits[32];
    int ndigits;
    int exp;
} decimal;

static bool round_trips(const char *text, double f, int bits)
{
    if (bits == 32)
        return strtof(text, NULL) == (float)f;
    return strtod(text, NULL) == f;
}

/* Parses "d.ddde±x" as printed by %.*e into a decimal. */
static void parse_e(const char *s, decimal *d)
{
    d->ndigits = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            d->digits[d->ndigits++] = *s;
    d->digits[d->ndigits] = 0;
    d->exp = *s == 'e' ? atoi(s + 1) : 0;
}

static void decimal_text(const decimal *d, char *buf, size_t n)
{
    snprintf(buf, n, "%c.%se%d", d->digits[0], d->digits + 1, d->exp);
}

/* Adds delta (+1/-1) to the last digit, carrying; false when the result changes length. */
static bool decimal_step(decimal *d, int delta)
{
    for (int i = d->ndigits - 1; i >= 0; i--) {
        int c = d->digits[i] - '0' + delta;
        if (c >= 0 && c <= 9) {
            d->digits[i] = (char)('0' + c);
            return d->digits[0] != '0';
        }
        d->digits[i] = delta > 0 ? '0' : '9';
    }
    return false;
}

/* Tries the neighbour of the nearest p-digit decimal, which can round-trip when the nearest
 * does not (the interval is uneven at powers of two). */
static bool try_neighbour(const decimal *nearest, int delta, double f, int bits, decimal *out)
{
    decimal n = *nearest;
    char text[64];
    if (!decimal_step(&n, delta))
        return false;
    decimal_text(&n, text, sizeof text);
    if (!round_trips(text, f, bits))
        return false;
    *out = n;
    return true;
}

static void shortest_decimal(double f, int bits, decimal *d)
{
    int maxp = bits == 32 ? 9 : 17;
    char text[64];
    for (int p = 1; p <= maxp; p++) {
        snprintf(text, sizeof text, "%.*e", p - 1, f);
        parse_e(text, d);
        if (round_trips(text, f, bits))
            break;
        decimal nearest = *d;
        if (try_neighbour(&nearest, +1, f, bits, d) || try_neighbour(&nearest, -1, f, bits, d))
            break;
        *d = nearest;
    }
    while (d->ndigits > 1 && d->digits[d->ndigits - 1] == '0')
        d->digits[--d->ndigits] = 0;
}

static void append(char *buf, size_t buflen, size_t *pos, const char *s)
{
    size_t n = strlen(s);
    if (*pos + n >= buflen)
        n = *pos < buflen ? buflen - 1 - *pos : 0;
    memcpy(buf + *pos, s, n);
    *pos += n;
    buf[*pos] = 0;
}

static void format_exponent(const decimal *d, char *buf, size_t buflen, size_t *pos)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%c", d->digits[0]);
    append(buf, buflen, pos, tmp);
    if (d->ndigits > 1) {
        append(buf, buflen, pos, ".");
        append(buf, buflen, pos, d->digits + 1);
    }
    int e = d->exp;
    snprintf(tmp, sizeof tmp, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    append(buf, buflen, pos, tmp);
}

static void format_fixed(const decimal *d, char *buf, size_t buflen, size_t *pos)
{
    char tmp[64];
    size_t t = 0;
    int point = d->exp + 1; /* digits before the decimal point */
    if (point <= 0) {
        tmp[t++] = '0';
        tmp[t++] = '.';
        for (int i = 0; i < -point; i++)
            tmp[t++] = '0';
        for (int i = 0; i < d->ndigits; i++)
            tmp[t++] = d->digits[i];
    } else {
        for (int i = 0; i < point; i++)
            tmp[t++] = i < d->ndigits ? d->digits[i] : '0';
        if (d->ndigits > point) {
            tmp[t++] = '.';
            for (int i = point; i < d->ndigits; i++)
                tmp[t++] = d->digits[i];
        }
    }
    tmp[t] = 0;
    append(buf, buflen, pos, tmp);
}

void go_format_float(double f, int bits, char *buf, size_t buflen)
{
    size_t pos = 0;
    if (!buf || buflen == 0)
        return;
    buf[0] = 0;
    if (isnan(f)) {
        append(buf, buflen, &pos, "NaN");
        return;
    }
    if (isinf(f)) {
        append(buf, buflen, &pos, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (bits == 32)
        f = (float)f;
    if (signbit(f))
        append(buf, buflen, &pos, "-");
    f = fabs(f);
    if (f == 0) {
        append(buf, buflen, &pos, "0");
        return;
    }
    decimal d;
    shortest_decimal(f, bits, &d);
    /* strconv 'g' with the shortest precision decides with precision 6. */
    if (d.exp < -4 || d.exp >= 6)
        format_exponent(&d, buf, buflen, &pos);
    else
        format_fixed(&d, buf, buflen, &pos);
}
