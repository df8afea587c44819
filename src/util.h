/* util.h - allocation, growable buffers, diagnostics, UTF-8 and decimals.
 *
 * Everything here is shared by every stage of the pipeline. Nothing is global:
 * diagnostics collect in an rg_diags owned by the caller, one per input.
 *
 * Ownership: rg_buf owns its data (rg_buf_fini frees it); pointers into
 * buf.data die on the next append. xmalloc and friends abort on exhaustion,
 * the only failure the program does not propagate.
 */
#ifndef RG_UTIL_H
#define RG_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RG_PRINTF(f, a) __attribute__((format(printf, f, a)))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *arr (of *cap elements of size elem) to hold at least need elements.
 * Inline, since it is called for nearly every element appended (the layout
 * alone makes 5,000 calls a report) and almost always has room already. */
void xgrow_to(void **arr, size_t *cap, size_t need, size_t elem);
static inline void xgrow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need > *cap)
        xgrow_to(arr, cap, need, elem);
}

/* Growable byte buffer, always NUL-terminated when data != NULL. */
typedef struct rg_buf {
    char *data;
    size_t len;
    size_t cap;
} rg_buf;

void rg_buf_append(rg_buf *b, const char *s, size_t n);
void rg_buf_puts(rg_buf *b, const char *s);
/* Inline: the pages' text is written a byte at a time. */
static inline void rg_buf_putc(rg_buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        void *data = b->data;
        xgrow_to(&data, &b->cap, b->len + 2, 1);
        b->data = data;
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
void rg_buf_printf(rg_buf *b, const char *fmt, ...) RG_PRINTF(2, 3);
void rg_buf_vprintf(rg_buf *b, const char *fmt, va_list ap) RG_PRINTF(2, 0);
/* Hands the string over to the caller (never NULL) and empties b. */
char *rg_buf_take(rg_buf *b);
void rg_buf_fini(rg_buf *b);

/* Appends the whole file at path to out, when it is a regular file of at
 * most max bytes (opened without blocking, so a FIFO or a device is refused
 * rather than waited on). 0, or -1 with errno set: EINVAL for what is not a
 * regular file, EFBIG for a file larger than max. */
int rg_read_file(const char *path, size_t max, rg_buf *out);
/* The largest configuration file read: a template, a style, fonts.conf,
 * ~/.netrc (docs/limits.md). */
#define RG_MAX_CONFIG_BYTES (1024 * 1024)
/* Writes the n bytes at data to path, opened with mode ("wb", or "r+b" for
 * an empty file already made), the closing flush checked. 0, or -1 with
 * errno set. */
int rg_write_file(const char *path, const char *mode, const void *data, size_t n);

/* Diagnostics: "FILE:LINE:COL: error: message". line/col 0 = unknown. */
typedef enum { RG_WARNING, RG_ERROR } rg_severity;

typedef struct rg_diag {
    rg_severity severity;
    char *file;
    int line;
    int col;
    char *msg;
    char *excerpt; /* the source line and a caret under the column, or NULL */
} rg_diag;

typedef struct rg_diags {
    rg_diag *items;
    size_t count;
    size_t cap;
    size_t errors;
    size_t warnings;
} rg_diags;

void rg_diag_add(rg_diags *d, rg_severity sev, const char *file, int line, int col,
                 const char *fmt, ...) RG_PRINTF(6, 7);
void rg_diag_vadd(rg_diags *d, rg_severity sev, const char *file, int line, int col,
                  const char *fmt, va_list ap);
/* Attaches to the last diagnostic the line of src holding byte offset `at`,
 * with a caret under it (indented by display width: a hanzi takes two
 * terminal columns), printed after the message as compilers do. */
void rg_diag_excerpt(rg_diags *d, const char *src, size_t len, size_t at);
/* Writes one diagnostic in GNU style, with a newline (and its excerpt). The
 * file name, message and excerpt come from users' data: every control
 * character in them (rg_is_control) and every byte that is not UTF-8 is
 * written escaped, \x1B or \u202E, so what is printed cannot move the
 * cursor, reorder a line or fake a line of its own. */
void rg_diag_format(const rg_diag *g, rg_buf *out);
/* Writes diagnostics from..count of d to f, as rg_diag_format does.
 * 0, or -1 when the write fails. */
int rg_diags_print(FILE *f, const rg_diags *d, size_t from);
/* Appends from's diagnostics to to's, leaving from empty. */
void rg_diags_move(rg_diags *to, rg_diags *from);
void rg_diags_fini(rg_diags *d);

/* UTF-8. rg_utf8_decode reads one code point at s (n bytes left); returns its
 * length, or 0 for an invalid, overlong or surrogate sequence. */
size_t rg_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* The code point at s[*i] (n bytes in all), moving *i past it; U+FFFD and
 * one byte for an invalid sequence, for text already checked as UTF-8.
 * Inline for ASCII and the three-byte sequences of Chinese text, nearly
 * all there is: the layout and the pages read every character. */
uint32_t rg_utf8_next_any(const char *s, size_t n, size_t *i);
static inline uint32_t rg_utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    if (*i < n && u[0] < 0x80) {
        *i += 1;
        return u[0];
    }
    if (n - *i >= 3 && (u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        uint32_t c = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
        if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
            *i += 3;
            return c;
        }
    }
    return rg_utf8_next_any(s, n, i);
}
/* Byte offset of the first invalid sequence, or (size_t)-1 when valid. */
size_t rg_utf8_invalid_at(const char *s, size_t n);
void rg_utf8_put(rg_buf *b, uint32_t cp);
/* True for a character that a terminal or a text's direction obeys rather
 * than shows: C0 controls (tab and line breaks included), DEL, C1 controls
 * (U+0080-U+009F, U+0085 among them), the bidirectional controls (U+061C,
 * U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and paragraph
 * separators U+2028 and U+2029. */
bool rg_is_control(uint32_t cp);
/* Line and column (1-based; columns count characters) of byte offset `at`. */
void rg_utf8_position(const char *s, size_t at, int *line, int *col);

/* Decimal number as written: value = coef / 10^scale. Keeps precision. */
#define RG_DEC_MAX_DIGITS 18
typedef struct rg_dec {
    int64_t coef;
    int scale;
} rg_dec;

/* Parses "-?[0-9]+(.[0-9]+)?" with at most RG_DEC_MAX_DIGITS digits.
 * Returns 0 on success, -1 when the text is not such a number. */
int rg_dec_parse(const char *s, rg_dec *out);
/* Significant digits as written: those from the first non-zero digit on,
 * trailing zeros included (0.0010 has 2, 1200 has 4, 0 has 1). */
int rg_dec_digits(rg_dec d);
/* a + b and a - b exactly; -1 on overflow. */
int rg_dec_add(rg_dec a, rg_dec b, rg_dec *out);
int rg_dec_sub(rg_dec a, rg_dec b, rg_dec *out);
/* a / b rounded once, half away from zero, to `decimals` places (0..18),
 * from the exact quotient. -1 when b is zero or the result does not fit
 * RG_DEC_MAX_DIGITS digits. */
int rg_dec_div(rg_dec a, rg_dec b, int decimals, rg_dec *out);
int rg_dec_cmp(rg_dec a, rg_dec b);
double rg_dec_to_double(rg_dec d);
void rg_dec_format(rg_dec d, rg_buf *out);
/* Rounds d half away from zero to `decimals` places (padding with zeros when
 * it has fewer); -1 on overflow. */
int rg_dec_round(rg_dec d, int decimals, rg_dec *out);
/* d * 10^k exactly (k may be negative); -1 on overflow. */
int rg_dec_shift(rg_dec d, int k, rg_dec *out);
/* The Chinese numeral of 0 <= n < 10^12 (零, 十一, 二十, 一百零五, 一万零一十);
 * other n in Arabic digits. */
void rg_cn_numeral(long long n, rg_buf *out);
/* Rounds x half away from zero to `decimals` places and appends it. */
void rg_format_fixed(double x, int decimals, rg_buf *out);

/* Seconds on the monotonic clock, for times of stages. */
double rg_seconds(void);

/* Appends s with what a terminal would act on shown escaped, as
 * rg_diag_format writes file names and messages (a tab stays). */
void rg_escape_for_terminal(const char *s, rg_buf *out);

/* Edits (insertions, deletions, substitutions of bytes) that turn the na
 * bytes at a into b, or limit + 1 when more than limit: enough to suggest
 * the name a mistyped one meant ("did you mean ...?"). */
size_t rg_edit_distance(const char *a, size_t na, const char *b, size_t limit);
/* The candidate nearest name, at most limit edits away (the first of equals),
 * or NULL. */
const char *rg_nearest(const char *name, const char *const *candidates, size_t n, size_t limit);

#endif
