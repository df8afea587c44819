/* model_input.c - see model_input.h. */
#include "model_input.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "model.h"

/* Reads the whole file; NULL with an error on failure. */
char *model_input_read(const char *path, size_t *len, rg_diags *diags)
{
    rg_buf b = {0};
    if (rg_read_file(path, MODEL_MAX_FILE_BYTES, &b) != 0) {
        int why = errno;
        if (why == EFBIG)
            rg_diag_add(diags, RG_ERROR, path, 0, 0,
                        "the input is larger than %d MiB; split it into one file per report",
                        MODEL_MAX_FILE_BYTES / (1024 * 1024));
        else if (why == EINVAL)
            rg_diag_add(diags, RG_ERROR, path, 0, 0,
                        "the input is not a regular file; give the path of an .xml file");
        else
            rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot open the input: %s",
                        strerror(why));
        rg_buf_fini(&b);
        return NULL;
    }
    *len = b.len;
    return rg_buf_take(&b);
}

/* The code point of a character reference's digits (after "&#"), or 0 when
 * they are not one (the parser then says so). */
static uint32_t char_reference(const char *s, size_t n)
{
    bool hex = n && s[0] == 'x';
    uint32_t cp = 0;
    for (size_t i = hex; i < n && s[i] != ';'; i++) {
        int d = s[i] >= '0' && s[i] <= '9'             ? s[i] - '0'
                : hex && s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
                : hex && s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10
                                                    : -1;
        if (d < 0 || cp > 0x10FFFF)
            return 0;
        cp = cp * (hex ? 16 : 10) + (uint32_t)d;
    }
    return cp;
}

static void refuse_control(const char *path, rg_diags *diags, int line, int col, uint32_t cp)
{
    const char *what = (cp >= 0x2028 && cp <= 0x2029)
                           ? "a line or paragraph separator: it breaks a name or a line where "
                             "no one sees it; use a space, or a new <p> for a new paragraph"
                       : cp == 0x061C || cp >= 0x200E
                           ? "a bidirectional control: invisible, it reorders the text shown "
                             "around it (digits included); delete it"
                           : "a control character: invisible, it would reach the documents, "
                             "the mail and the terminal; delete it";
    rg_diag_add(diags, RG_ERROR, path, line, col, "U+%04X is %s", (unsigned)cp, what);
}

/* Refuses what is not UTF-8, and every control character (rg_is_control)
 * but the tab and the line breaks, written as itself or as a character
 * reference, wherever it is: none belongs in a report, and the bidirectional
 * ones can make a figure read as another. */
int model_input_check_bytes(const char *path, const char *s, size_t len, rg_diags *diags)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    "the input is empty; it should hold a <report> element");
        return -1;
    }
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        rg_diag_add(diags, RG_ERROR, path, 1, 1,
                    "the input is UTF-16; save it as UTF-8");
        return -1;
    }
    /* One pass: every code point decoded once, its position kept as we go. */
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        if (u[i] >= ' ' && u[i] < 0x7F && u[i] != '&') { /* most of the bytes: markup */
            col++, i++;
            continue;
        }
        uint32_t cp;
        size_t k = rg_utf8_decode(s + i, len - i, &cp);
        if (k == 0) {
            rg_diag_add(diags, RG_ERROR, path, line, col,
                        "invalid UTF-8 (byte 0x%02X); save the file as UTF-8", u[i]);
            return -1;
        }
        if (cp == 0) {
            rg_diag_add(diags, RG_ERROR, path, line, col, "NUL byte in the input");
            return -1;
        }
        uint32_t shown = cp;
        if (cp == '&' && i + 2 < len && s[i + 1] == '#') /* &#8238; is U+202E too */
            shown = char_reference(s + i + 2, len - i - 2);
        if (shown != 0 && shown != '\t' && shown != '\n' && shown != '\r' &&
            rg_is_control(shown)) {
            refuse_control(path, diags, line, col, shown);
            return -1;
        }
        if (cp == '\n')
            line++, col = 1;
        else
            col++;
        i += k;
    }
    return 0;
}

/* The encoding named in the XML declaration must be UTF-8 (we read the bytes
 * as UTF-8; a declaration saying otherwise is a lie or a conversion left undone). */
int model_input_check_declaration(const char *path, const char *s, size_t len, rg_diags *diags)
{
    if (len < 5 || memcmp(s, "<?xml", 5) != 0)
        return 0;
    const char *end = memchr(s, '>', len);
    if (!end)
        return 0;
    rg_buf decl = {0};
    rg_buf_append(&decl, s, (size_t)(end - s));
    const char *enc = strstr(decl.data, "encoding");
    int rc = 0;
    if (enc) {
        const char *q = strpbrk(enc, "\"'");
        if (q) {
            const char *close = strchr(q + 1, *q);
            size_t n = close ? (size_t)(close - q - 1) : 0;
            if (!(n == 5 && strncasecmp(q + 1, "UTF-8", 5) == 0) &&
                !(n == 4 && strncasecmp(q + 1, "UTF8", 4) == 0)) {
                rg_diag_add(diags, RG_ERROR, path, 1, (int)(q - decl.data) + 2,
                            "the XML declaration says encoding \"%.*s\"; parkreport reads UTF-8 "
                            "only: convert the file to UTF-8 and declare encoding=\"UTF-8\"",
                            (int)n, q + 1);
                rc = -1;
            }
        }
    }
    rg_buf_fini(&decl);
    return rc;
}

