/* model_input.c - see model_input.h. */
#include "model_input.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"

void model_input_tags(const char *s, size_t len, model_tag_pos **tags, size_t *ntags)
{
    static const struct {
        const char *open, *close;
    } skip[] = {{"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<?", "?>"}, {"<!", ">"}, {"</", ">"}};
    size_t cap = 0;
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        if (s[i] == '<') {
            size_t k = 0;
            while (k < sizeof skip / sizeof *skip &&
                   strncmp(s + i, skip[k].open, strlen(skip[k].open)) != 0)
                k++;
            if (k == sizeof skip / sizeof *skip) {
                void *arr = *tags;
                xgrow(&arr, &cap, *ntags + 1, sizeof **tags);
                *tags = arr;
                (*tags)[(*ntags)++] = (model_tag_pos){i, line, col};
            } else {
                /* Skip to the end of what is not a start tag, counting its lines. */
                const char *close = strstr(s + i + strlen(skip[k].open), skip[k].close);
                size_t stop = close ? (size_t)(close - s) + strlen(skip[k].close) : len;
                for (; i < stop; i++) {
                    if (s[i] == '\n')
                        line++, col = 1;
                    else if (((unsigned char)s[i] & 0xC0) != 0x80)
                        col++;
                }
                continue;
            }
        }
        if (s[i] == '\n')
            line++, col = 1;
        else if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
        i++;
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void model_input_attr_pos(const char *s, size_t len, const model_tag_pos *t, const char *name,
                          int *line, int *col)
{
    size_t i = t->at + 1, end = len, k = strlen(name), found = 0;
    while (i < end && !is_blank(s[i]) && s[i] != '>' && s[i] != '/')
        i++; /* the element's name */
    while (i < end && !found) {
        while (i < end && is_blank(s[i]))
            i++;
        if (i >= end || s[i] == '>' || s[i] == '/')
            break;
        size_t at = i;
        while (i < end && s[i] != '=' && !is_blank(s[i]) && s[i] != '>')
            i++;
        if (i - at == k && memcmp(s + at, name, k) == 0)
            found = at;
        while (i < end && s[i] != '"' && s[i] != '\'' && s[i] != '>')
            i++; /* to the value's quote */
        if (i < end && s[i] != '>') {
            const char *close = memchr(s + i + 1, s[i], end - i - 1);
            i = close ? (size_t)(close - s) + 1 : end;
        }
    }
    if (!found)
        return;
    for (size_t p = t->at; p < found; p++) {
        if (s[p] == '\n')
            ++*line, *col = 1;
        else if (((unsigned char)s[p] & 0xC0) != 0x80)
            ++*col;
    }
}

char *model_input_one_line(char *s)
{
    size_t w = 0, n = strlen(s);
    for (size_t i = 0; i < n;) {
        if (!is_blank(s[i])) {
            s[w++] = s[i++];
            continue;
        }
        size_t run = i;
        bool fold = false;
        for (; i < n && is_blank(s[i]); i++)
            fold = fold || s[i] != ' ';
        if (run == 0 || i == n)
            continue;
        if (fold) {
            s[w++] = ' ';
        } else {
            memmove(s + w, s + run, i - run);
            w += i - run;
        }
    }
    s[w] = '\0';
    return s;
}

char *model_input_clean_prose(const char *s)
{
    rg_buf b = {0};
    rg_buf_append(&b, "", 0);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t ws = strspn(s + i, " \t\r\n");
        if (ws == 0) {
            rg_buf_putc(&b, s[i++]);
            continue;
        }
        if (memchr(s + i, '\n', ws) == NULL)
            rg_buf_append(&b, s + i, ws);
        i += ws;
    }
    return rg_buf_take(&b);
}

/* libxml2 names a failed pattern or type; a clerk needs to know what to write. */
static const struct {
    const char *pattern, *hint;
} pattern_hints[] = {
    {"'-?(0|[1-9][0-9]*)(\\.[0-9]+)?|待填'", "is not a number: write digits with an optional minus "
                                              "sign and decimal point, e.g. 124.2 (no leading "
                                              "zeros, units, exponents or separators), or 待填 "
                                              "while it is still to be filled"},
    {"'(0|[1-9][0-9]*)|待填'", "is not a count: write a whole number, 0 or more, without leading "
                              "zeros, or 待填"},
    {"'[12][0-9]{3}'", "is not a year: write four digits, e.g. 2023"},
    {"'[12][0-9]{3}-[0-9]{2}-[0-9]{2}'", "is not a date: write YYYY-MM-DD, e.g. 2023-12-20, with "
                                         "a year from 1000 to 2999 and no time zone"},
    {"'[a-z][a-z0-9]*(-[a-z0-9]+)*'", "is not an id: write lower-case letters, digits and "
                                      "hyphens, e.g. infra-investment"},
};

static const struct {
    const char *type, *hint;
} type_hints[] = {
    {"'xs:date'", "is not a date: write YYYY-MM-DD, e.g. 2023-12-20"},
    {"'day'", "is not a date: write YYYY-MM-DD, a day that exists, e.g. 2023-12-20"},
    {"'xs:boolean'", "is not true or false: write true or false"},
    {"'xs:nonNegativeInteger'", "is not a whole number: write 0, 1, 2 …"},
};

bool model_input_explain(const char *msg, rg_buf *out)
{
    const char *atomic = strstr(msg, "' is not a valid value of the atomic type ");
    const char *quote = atomic ? strstr(msg, ": '") : NULL;
    for (size_t i = 0; quote && quote < atomic && i < sizeof type_hints / sizeof *type_hints; i++)
        if (strstr(atomic, type_hints[i].type)) {
            rg_buf_printf(out, "%.*s %s", (int)(atomic + 1 - msg), msg, type_hints[i].hint);
            return true;
        }
    if (strstr(msg, "[facet 'maxInclusive']") && strstr(msg, "'decimals'")) {
        rg_buf_puts(out, "decimals=\"…\" is more than 6: write 0 to 6 decimals");
        return true;
    }
    /* One of a set: the set in words, and the member the value most
     * likely meant. */
    const char *en = strstr(msg, "[facet 'enumeration'] The value '");
    const char *in_set = en ? strstr(en, "' is not an element of the set {") : NULL;
    if (in_set) {
        const char *value = en + strlen("[facet 'enumeration'] The value '");
        char *wrong = xstrndup(value, (size_t)(in_set - value));
        const char *p = in_set + strlen("' is not an element of the set {");
        rg_buf members = {0};
        const char *best = NULL;
        size_t best_len = 0;
        int best_edits = 3;
        rg_buf_append(&members, "", 0);
        while (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end)
                break;
            char *member = xstrndup(p + 1, (size_t)(end - p - 1));
            int e = (int)rg_edit_distance(wrong, strlen(wrong), member, 2);
            if (e < best_edits)
                best = p + 1, best_len = (size_t)(end - p - 1), best_edits = e;
            rg_buf_printf(&members, "%s%s", members.len ? ", " : "", member);
            free(member);
            p = end + 1;
            p += strspn(p, ", ");
        }
        rg_buf_printf(out, "%.*s\"%s\" is not one of %s", (int)(en - msg), msg, wrong, members.data);
        if (best)
            rg_buf_printf(out, "; did you mean %.*s?", (int)best_len, best);
        free(wrong);
        rg_buf_fini(&members);
        return true;
    }
    const char *facet = strstr(msg, "[facet 'pattern'] The value '");
    const char *accepted = facet ? strstr(facet, "' is not accepted by the pattern ") : NULL;
    if (!accepted)
        return false;
    const char *pattern = accepted + strlen("' is not accepted by the pattern ");
    for (size_t i = 0; i < sizeof pattern_hints / sizeof *pattern_hints; i++) {
        if (strncmp(pattern, pattern_hints[i].pattern, strlen(pattern_hints[i].pattern)) != 0)
            continue;
        const char *value = facet + strlen("[facet 'pattern'] The value ");
        rg_buf_printf(out, "%.*s%.*s %s", (int)(facet - msg), msg, (int)(accepted + 1 - value),
                      value, pattern_hints[i].hint);
        return true;
    }
    return false;
}

/* Position of "<name>" in an order ("<a>, <b>, …"), or -1. */
static long order_index(const char *order, const char *name)
{
    rg_buf tag = {0};
    rg_buf_printf(&tag, "<%s>", name);
    const char *at = strstr(order, tag.data);
    rg_buf_fini(&tag);
    if (!at)
        return -1;
    long k = 0;
    for (const char *p = order; p < at; p++)
        k += *p == '<';
    return k;
}

bool model_input_explain_unexpected(const char *name, const char *parent, const char *order,
                                    const model_sibling *before, size_t nbefore, rg_buf *out)
{
    long at = order_index(order, name);
    for (size_t i = 0; at >= 0 && i < nbefore; i++)
        if (order_index(order, before[i].name) > at) {
            rg_buf_printf(out, "<%s> is out of order: it goes before <%s> (line %d); in <%s> the "
                               "order is %s",
                          name, before[i].name, before[i].line, parent, order);
            return true;
        }
    for (size_t i = nbefore; at >= 0 && i-- > 0;)
        if (strcmp(before[i].name, name) == 0) {
            rg_buf_printf(out, "a second <%s> in <%s> (the first is on line %d): it may be "
                               "written once here",
                          name, parent, before[i].line);
            return true;
        }
    if (at >= 0)
        return false;
    /* The nearest known name, by edit distance over the order. */
    const char **names = NULL;
    size_t k = 0, cap = 0;
    char *copy = xstrdup(order);
    for (char *p = copy; (p = strchr(p, '<')) != NULL;) {
        void *arr = names;
        xgrow(&arr, &cap, k + 1, sizeof *names);
        names = arr;
        names[k++] = ++p;
        p += strcspn(p, ">");
        if (*p)
            *p++ = '\0';
    }
    const char *near = model_nearest(name, names, k);
    rg_buf_printf(out, "<%s> is not an element of <%s>; ", name, parent);
    if (near)
        rg_buf_printf(out, "did you mean <%s>? ", near);
    rg_buf_printf(out, "<%s> may hold %s", parent, order);
    free(copy);
    free(names);
    return true;
}

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

