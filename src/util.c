/* util.c - see util.h. */
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

/* The one place that decides what running out of memory means. */
static void out_of_memory(size_t n)
{
    fprintf(stderr, "parkreport: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

void xgrow_to(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            out_of_memory(SIZE_MAX);
        n *= 2;
    }
    *arr = xrealloc(*arr, n * elem);
    *cap = n;
}

void rg_buf_append(rg_buf *b, const char *s, size_t n)
{
    void *data = b->data;
    xgrow(&data, &b->cap, b->len + n + 1, 1);
    b->data = data;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void rg_buf_puts(rg_buf *b, const char *s)
{
    rg_buf_append(b, s, strlen(s));
}

void rg_buf_vprintf(rg_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    void *data = b->data;
    xgrow(&data, &b->cap, b->len + (size_t)n + 1, 1);
    b->data = data;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void rg_buf_printf(rg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rg_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *rg_buf_take(rg_buf *b)
{
    char *s = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void rg_buf_fini(rg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void rg_diag_vadd(rg_diags *d, rg_severity sev, const char *file, int line, int col,
                  const char *fmt, va_list ap)
{
    void *items = d->items;
    xgrow(&items, &d->cap, d->count + 1, sizeof *d->items);
    d->items = items;
    rg_buf msg = {0};
    rg_buf_vprintf(&msg, fmt, ap);
    rg_diag *g = &d->items[d->count++];
    g->severity = sev;
    g->file = xstrdup(file ? file : "");
    g->line = line;
    g->col = col;
    g->msg = rg_buf_take(&msg);
    g->excerpt = NULL;
    if (sev == RG_ERROR)
        d->errors++;
    else
        d->warnings++;
}

void rg_diag_add(rg_diags *d, rg_severity sev, const char *file, int line, int col,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rg_diag_vadd(d, sev, file, line, col, fmt, ap);
    va_end(ap);
}

bool rg_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Appends n bytes of s with controls and bytes that are not UTF-8 escaped.
 * A tab stays: it moves the cursor only along the line, and excerpts need it
 * to keep their caret aligned. */
/* Characters a terminal shows as nothing, which would hide what a message
 * names: zero-width ones, the byte-order mark, soft hyphen, interlinear
 * annotation marks, variation selectors. */
static bool invisible(uint32_t cp)
{
    return cp == 0x00AD || cp == 0x180E || (cp >= 0x200B && cp <= 0x200D) ||
           (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

static void put_printable(rg_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rg_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            rg_buf_printf(out, "\\x%02X", (unsigned char)s[i]), k = 1;
        else if (cp != '\t' && (rg_is_control(cp) || invisible(cp)))
            rg_buf_printf(out, cp < 0x80 ? "\\x%02X" : "\\u%04X", (unsigned)cp);
        else
            rg_buf_append(out, s + i, k);
        i += k;
    }
}

void rg_diag_format(const rg_diag *g, rg_buf *out)
{
    const char *file = g->file[0] ? g->file : "parkreport";
    put_printable(out, file, strlen(file));
    if (g->line > 0) {
        rg_buf_printf(out, ":%d", g->line);
        if (g->col > 0)
            rg_buf_printf(out, ":%d", g->col);
    }
    rg_buf_printf(out, ": %s: ", g->severity == RG_ERROR ? "error" : "warning");
    put_printable(out, g->msg, strlen(g->msg));
    rg_buf_putc(out, '\n');
    if (g->excerpt)
        rg_buf_puts(out, g->excerpt); /* made safe by rg_diag_excerpt */
}

int rg_diags_print(FILE *f, const rg_diags *d, size_t from)
{
    rg_buf out = {0};
    for (size_t i = from; i < d->count; i++)
        rg_diag_format(&d->items[i], &out);
    int rc = out.len && fputs(out.data, f) == EOF ? -1 : 0;
    rg_buf_fini(&out);
    return rc;
}

/* Terminal columns of a code point: East Asian wide and full-width take two. */
static int display_width(uint32_t cp)
{
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

void rg_diag_excerpt(rg_diags *d, const char *src, size_t len, size_t at)
{
    if (d->count == 0 || at > len)
        return;
    rg_diag *g = &d->items[d->count - 1];
    size_t start = at, end = at;
    while (start > 0 && src[start - 1] != '\n')
        start--;
    while (end < len && src[end] != '\n' && src[end] != '\r')
        end++;
    rg_buf b = {0};
    char number[24];
    int width = snprintf(number, sizeof number, "%d", g->line > 0 ? g->line : 0);
    rg_buf_printf(&b, " %s | ", number);
    put_printable(&b, src + start, end - start);
    rg_buf_printf(&b, "\n %*s | ", width, "");
    rg_buf escaped = {0};
    for (size_t i = start; i < at;) {
        size_t from = i;
        uint32_t cp = rg_utf8_next(src, at, &i);
        int w = display_width(cp);
        if (cp == '\t') {
            rg_buf_putc(&b, '\t'); /* keeps the caret aligned whatever the tab width */
            continue;
        }
        escaped.len = 0;
        put_printable(&escaped, src + from, i - from);
        if (escaped.len != i - from || memcmp(escaped.data, src + from, escaped.len) != 0)
            w = (int)escaped.len; /* shown as \x1B or \u202E above */
        for (; w > 0; w--)
            rg_buf_putc(&b, ' ');
    }
    rg_buf_fini(&escaped);
    rg_buf_puts(&b, "^\n");
    free(g->excerpt);
    g->excerpt = rg_buf_take(&b);
}

void rg_diags_move(rg_diags *to, rg_diags *from)
{
    if (from->count == 0) {
        rg_diags_fini(from);
        return;
    }
    void *items = to->items;
    xgrow(&items, &to->cap, to->count + from->count, sizeof *to->items);
    to->items = items;
    memcpy(to->items + to->count, from->items, from->count * sizeof *from->items);
    to->count += from->count;
    to->errors += from->errors;
    to->warnings += from->warnings;
    free(from->items);
    memset(from, 0, sizeof *from);
}

void rg_diags_fini(rg_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].msg);
        free(d->items[i].excerpt);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

uint32_t rg_utf8_next_any(const char *s, size_t n, size_t *i)
{
    uint32_t cp;
    size_t k = rg_utf8_decode(s + *i, n - *i, &cp);
    if (k == 0)
        cp = 0xFFFD, k = 1;
    *i += k;
    return cp;
}

int rg_read_file(const char *path, size_t max, rg_buf *out)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    int refused = fstat(fd, &sb) != 0 ? errno
                  : !S_ISREG(sb.st_mode)           ? EINVAL
                  : (uintmax_t)sb.st_size > max    ? EFBIG
                                                   : 0;
    if (refused) {
        close(fd);
        errno = refused;
        return -1;
    }
    size_t start = out->len, got = 0;
    int failed = 0;
    char chunk[65536];
    for (;;) { /* read to the end, which may come before or after st_size */
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            failed = errno;
            break;
        }
        if (n == 0)
            break;
        if (got + (size_t)n > max) { /* grew while read */
            failed = EFBIG;
            break;
        }
        rg_buf_append(out, chunk, (size_t)n);
        got += (size_t)n;
    }
    close(fd);
    if (failed) {
        out->len = start;
        rg_buf_append(out, "", 0);
        errno = failed;
        return -1;
    }
    rg_buf_append(out, "", 0); /* data is never NULL, even for an empty file */
    return 0;
}

int rg_write_file(const char *path, const char *mode, const void *data, size_t n)
{
    FILE *f = fopen(path, mode);
    if (!f)
        return -1;
    bool ok = fwrite(data, 1, n, f) == n;
    int saved = errno;
    if (fclose(f) != 0 && ok)
        ok = false, saved = errno;
    errno = saved ? saved : EIO;
    return ok ? 0 : -1;
}

size_t rg_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, c = s[0] & 0x1F, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, c = s[0] & 0x0F, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

size_t rg_utf8_invalid_at(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = rg_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return i;
        i += k;
    }
    return (size_t)-1;
}

void rg_utf8_position(const char *s, size_t at, int *line, int *col)
{
    *line = 1, *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '\n')
            (*line)++, *col = 1;
        else if (((unsigned char)s[i] & 0xC0) != 0x80)
            (*col)++;
    }
}

void rg_utf8_put(rg_buf *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    rg_buf_append(b, t, n);
}

int rg_dec_parse(const char *s, rg_dec *out)
{
    int neg = 0, digits = 0, scale = 0, in_frac = 0;
    int64_t coef = 0;
    if (*s == '-')
        neg = 1, s++;
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s; s++) {
        if (*s == '.' && !in_frac) {
            in_frac = 1;
            if (s[1] < '0' || s[1] > '9')
                return -1;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        if (coef != 0 || *s != '0' || in_frac)
            digits++;
        if (digits > RG_DEC_MAX_DIGITS)
            return -1;
        coef = coef * 10 + (*s - '0');
        if (in_frac)
            scale++;
    }
    out->coef = neg ? -coef : coef;
    out->scale = scale;
    return 0;
}

static const int64_t pow10_table[RG_DEC_MAX_DIGITS + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
    10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
    1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000,
};

/* Brings a and b to the same scale; -1 on overflow. */
static int align(rg_dec *a, rg_dec *b)
{
    rg_dec *lo = a->scale < b->scale ? a : b;
    const rg_dec *hi = a->scale < b->scale ? b : a;
    int k = hi->scale - lo->scale;
    if (k == 0)
        return 0;
    if (k > RG_DEC_MAX_DIGITS)
        return -1;
    int64_t m;
    if (__builtin_mul_overflow(lo->coef, pow10_table[k], &m))
        return -1;
    lo->coef = m;
    lo->scale = hi->scale;
    return 0;
}

int rg_dec_digits(rg_dec d)
{
    uint64_t mag = d.coef < 0 ? (uint64_t)0 - (uint64_t)d.coef : (uint64_t)d.coef;
    int n = 1;
    while (mag >= 10)
        mag /= 10, n++;
    return n;
}

int rg_dec_sub(rg_dec a, rg_dec b, rg_dec *out)
{
    if (align(&a, &b) != 0)
        return -1;
    int64_t s;
    if (__builtin_sub_overflow(a.coef, b.coef, &s))
        return -1;
    out->coef = s;
    out->scale = a.scale;
    return 0;
}

/* 10^k as a 128-bit number, or 0 when it does not fit. */
static unsigned __int128 pow10_wide(int k)
{
    unsigned __int128 p = 1;
    for (; k > 0; k--)
        if (__builtin_mul_overflow(p, 10, &p))
            return 0;
    return p;
}

int rg_dec_div(rg_dec a, rg_dec b, int decimals, rg_dec *out)
{
    if (b.coef == 0 || decimals < 0 || decimals > RG_DEC_MAX_DIGITS)
        return -1;
    /* a/b to `decimals` places is round(a.coef * 10^e / b.coef), e = b.scale
     * - a.scale + decimals; 128 bits hold both sides exactly. */
    int e = b.scale - a.scale + decimals;
    unsigned __int128 num = a.coef < 0 ? (uint64_t)0 - (uint64_t)a.coef : (uint64_t)a.coef;
    unsigned __int128 den = b.coef < 0 ? (uint64_t)0 - (uint64_t)b.coef : (uint64_t)b.coef;
    unsigned __int128 p = pow10_wide(e < 0 ? -e : e);
    if (p == 0 || __builtin_mul_overflow(e < 0 ? den : num, p, e < 0 ? &den : &num))
        return -1;
    unsigned __int128 q = num / den, r = num % den;
    if (r >= den - r)
        q++;
    if (q >= (unsigned __int128)pow10_table[RG_DEC_MAX_DIGITS])
        return -1;
    out->coef = (a.coef < 0) != (b.coef < 0) ? -(int64_t)q : (int64_t)q;
    out->scale = decimals;
    return 0;
}

int rg_dec_add(rg_dec a, rg_dec b, rg_dec *out)
{
    if (align(&a, &b) != 0)
        return -1;
    int64_t s;
    if (__builtin_add_overflow(a.coef, b.coef, &s))
        return -1;
    out->coef = s;
    out->scale = a.scale;
    return 0;
}

int rg_dec_cmp(rg_dec a, rg_dec b)
{
    if (align(&a, &b) != 0) {
        double x = rg_dec_to_double(a), y = rg_dec_to_double(b);
        return (x > y) - (x < y);
    }
    return (a.coef > b.coef) - (a.coef < b.coef);
}

double rg_dec_to_double(rg_dec d)
{
    /* Both operands are exact doubles, so the quotient is correctly rounded:
     * the same double strtod gives for the written text. */
    return (double)d.coef / (double)pow10_table[d.scale];
}

void rg_dec_format(rg_dec d, rg_buf *out)
{
    uint64_t mag = d.coef < 0 ? (uint64_t)0 - (uint64_t)d.coef : (uint64_t)d.coef;
    uint64_t p = (uint64_t)pow10_table[d.scale];
    if (d.coef < 0)
        rg_buf_putc(out, '-');
    rg_buf_printf(out, "%" PRIu64, mag / p);
    if (d.scale > 0)
        rg_buf_printf(out, ".%0*" PRIu64, d.scale, mag % p);
}

int rg_dec_shift(rg_dec d, int k, rg_dec *out)
{
    int scale = d.scale - k;
    if (scale >= 0) {
        if (scale > RG_DEC_MAX_DIGITS)
            return -1;
        out->coef = d.coef, out->scale = scale;
        return 0;
    }
    if (-scale > RG_DEC_MAX_DIGITS || __builtin_mul_overflow(d.coef, pow10_table[-scale], &out->coef))
        return -1;
    out->scale = 0;
    return 0;
}

int rg_dec_round(rg_dec d, int decimals, rg_dec *out)
{
    if (decimals < 0 || decimals > RG_DEC_MAX_DIGITS)
        return -1;
    if (decimals >= d.scale) {
        if (__builtin_mul_overflow(d.coef, pow10_table[decimals - d.scale], &out->coef))
            return -1;
        out->scale = decimals;
        return 0;
    }
    int64_t p = pow10_table[d.scale - decimals];
    int64_t q = d.coef / p, r = d.coef % p;
    /* |r| >= p/2 rounds away from zero; written without overflow. */
    if (r >= p - r)
        q++;
    else if (-r >= p + r)
        q--;
    out->coef = q;
    out->scale = decimals;
    return 0;
}

void rg_cn_numeral(long long n, rg_buf *out)
{
    static const char *const digit[10] = {"零", "一", "二", "三", "四",
                                          "五", "六", "七", "八", "九"};
    static const char *const place[4] = {"千", "百", "十", ""};
    static const char *const group_name[3] = {"", "万", "亿"};
    if (n < 0 || n >= 1000000000000LL) {
        rg_buf_printf(out, "%lld", n);
        return;
    }
    if (n == 0) {
        rg_buf_puts(out, digit[0]);
        return;
    }
    int groups[3];
    for (int i = 0; i < 3; i++, n /= 10000)
        groups[i] = (int)(n % 10000);
    bool started = false, zero_pending = false;
    for (int gi = 2; gi >= 0; gi--) {
        int g = groups[gi];
        if (g == 0) {
            zero_pending = started;
            continue;
        }
        int d[4] = {g / 1000, g / 100 % 10, g / 10 % 10, g % 10};
        for (int k = 0; k < 4; k++) {
            if (d[k] == 0) {
                zero_pending = zero_pending || started;
                continue;
            }
            if (zero_pending)
                rg_buf_puts(out, digit[0]);
            zero_pending = false;
            if (!(d[k] == 1 && k == 2 && !started)) /* 十一, not 一十一 */
                rg_buf_puts(out, digit[d[k]]);
            rg_buf_puts(out, place[k]);
            started = true;
        }
        rg_buf_puts(out, group_name[gi]);
    }
}

void rg_format_fixed(double x, int decimals, rg_buf *out)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    double scale = (double)pow10_table[decimals];
    /* Round the scaled value, half away from zero, so that 2.675 is 2.68. */
    double r = round(x * scale * (1 + 1e-12)) / scale;
    if (r == 0)
        r = 0; /* no "-0.0" */
    rg_buf_printf(out, "%.*f", decimals, r);
}

void rg_escape_for_terminal(const char *s, rg_buf *out)
{
    put_printable(out, s, strlen(s));
    rg_buf_append(out, "", 0);
}

size_t rg_edit_distance(const char *a, size_t na, const char *b, size_t limit)
{
    size_t nb = strlen(b);
    if ((na > nb ? na - nb : nb - na) > limit) /* a long word of any file costs nothing */
        return limit + 1;
    size_t *row = xcalloc(nb + 1, sizeof *row);
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[nb];
    free(row);
    return d <= limit ? d : limit + 1;
}

const char *rg_nearest(const char *name, const char *const *candidates, size_t n, size_t limit)
{
    const char *found = NULL;
    size_t best = limit + 1, len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        size_t d = rg_edit_distance(name, len, candidates[i], limit);
        if (d < best)
            best = d, found = candidates[i];
    }
    return found;
}

double rg_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
