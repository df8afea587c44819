/* model_frame.c - the official document's frame in the model (model.h):
 * <frame>'s elements taken in, the 发文字号 checked, the dates printed. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What is wrong with a 发文字号 (机关代字〔YYYY〕N号), with *at the index of
 * the character at fault; NULL when nothing is. */
static const char *number_fault(const char *s, size_t *at)
{
    size_t len = strlen(s), i = 0, n = 0;
    uint32_t *cp = xcalloc(len + 1, sizeof *cp);
    while (i < len)
        cp[n++] = rg_utf8_next(s, len, &i);
    const char *why = NULL;
    size_t k = 0;
    while (k < n && cp[k] != 0x3014 /* 〔 */ && !(cp[k] >= '0' && cp[k] <= '9'))
        k++;
    *at = k;
    if (k == n || cp[k] != 0x3014) {
        why = k > 0 && k < n && (cp[k - 1] == '[' || cp[k - 1] == '(' || cp[k - 1] == 0xFF08 ||
                                 cp[k - 1] == 0x3010 || cp[k - 1] == 0xFF3B || cp[k - 1] == 0x3016)
                  ? (*at = k - 1, "the year goes in 〔〕 (U+3014 and U+3015), not in other brackets")
                  : "the year is missing: it goes in 〔〕 after the issuer's code";
    } else if (k == 0) {
        why = "the issuer's code (机关代字) is missing before 〔";
    } else {
        size_t y = ++k;
        while (k < n && cp[k] >= '0' && cp[k] <= '9')
            k++;
        *at = y;
        if (k - y != 4 || (cp[y] != '1' && cp[y] != '2')) {
            why = "the year in 〔〕 is written in full, four digits";
        } else if (k == n || cp[k] != 0x3015) {
            *at = k;
            why = "the year is closed by 〕 (U+3015)";
        } else {
            size_t d = ++k;
            while (k < n && cp[k] >= '0' && cp[k] <= '9')
                k++;
            *at = d;
            if (k == d)
                why = "the serial number is missing after 〕";
            else if (cp[d] == '0')
                why = "the serial number has no leading zeros";
            else if (k + 1 != n || cp[k] != 0x53F7 /* 号 */)
                *at = k, why = "the serial number is followed by 号, which ends it";
        }
    }
    free(cp);
    return why;
}

/* The width of s in characters, ASCII counting half: what a line of the
 * frame can hold is counted so. */
static double width_of(const char *s)
{
    size_t len = strlen(s), i = 0;
    double w = 0;
    while (i < len)
        w += rg_utf8_next(s, len, &i) < 0x80 ? 0.5 : 1;
    return w;
}

/* Elements set on one line, and how many characters of the GB/T 9704 page
 * that line has room for (28 a line, less the distances from its edges and
 * what shares it); 抄送 wraps, but stays within one page's 版记. */
static const struct {
    const char *element;
    double max;
} widths[] = {
    {"copy-number", 26}, {"secrecy", 26}, {"urgency", 26}, {"number", 20}, {"signer", 6},
    {"signature", 24},   {"printer", 18}, {"copy-to", 400},
};

static void replace_text(char **field, char *text)
{
    free(*field);
    *field = text;
}

void model_frame_add(model_frame *f, const char *path, const char *element, int line, int col,
                     char *text, char *attribute, rg_diags *diags)
{
    bool organ = strcmp(element, "copy-to") == 0;
    for (size_t i = 0; text && i < sizeof widths / sizeof *widths; i++) {
        if (strcmp(element, widths[i].element) != 0)
            continue;
        double w = width_of(text) + (organ ? f->copies_width : 0);
        if (w > widths[i].max)
            rg_diag_add(diags, RG_ERROR, path, line, col,
                        "<%s> is %g characters wide%s; %g fit: shorten it (docs/limits.md)",
                        element, w, organ ? " with the organs before it" : "", widths[i].max);
        if (organ)
            f->copies_width = w;
    }
    static const char *const names[] = {"copy-number", "secrecy", "urgency", "issuer", "number",
                                        "signer",      "to",      "signature", "note"};
    char **fields[] = {&f->copy_number, &f->secrecy, &f->urgency, &f->issuer, &f->number,
                       &f->signer,      &f->to,      &f->signature, &f->note};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(element, names[i]) == 0)
            replace_text(fields[i], text), text = NULL;
    if (strcmp(element, "number") == 0) {
        size_t at;
        const char *why = number_fault(f->number, &at);
        if (why) /* the text starts after "<number>" */
            rg_diag_add(diags, RG_ERROR, path, line, col + (int)strlen(element) + 2 + (int)at,
                        "发文字号 \"%s\": %s; write it as 园管发〔2023〕12号", f->number, why);
    } else if (strcmp(element, "attachment") == 0) {
        f->attachments = xrealloc(f->attachments, (f->nattachments + 1) * sizeof *f->attachments);
        f->attachments[f->nattachments++] =
            (model_attachment){.title = text, .targets = attribute && strcmp(attribute, "targets") == 0};
        text = NULL;
    } else if (strcmp(element, "copy-to") == 0) {
        f->copies_to = xrealloc(f->copies_to, (f->ncopies_to + 1) * sizeof *f->copies_to);
        f->copies_to[f->ncopies_to++] = text;
        text = NULL;
    } else if (strcmp(element, "printer") == 0) {
        replace_text(&f->printer, text), text = NULL;
        replace_text(&f->printed, attribute), attribute = NULL;
    }
    free(text);
    free(attribute);
}

/* "2023-12-20" (the schema's xs:date) as 2023年12月20日; NULL stays NULL. */
static char *printed_date(const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
        return NULL;
    rg_buf b = {0};
    rg_buf_printf(&b, "%d年%d月%d日", y, m, d);
    return rg_buf_take(&b);
}

void model_frame_finish(model_frame *f, const char *date, int year)
{
    if (!f)
        return;
    char fallback[32];
    snprintf(fallback, sizeof fallback, "%d-12-31", year);
    f->date = printed_date(date ? date : fallback);
    char *printed = printed_date(f->printed);
    free(f->printed);
    f->printed = printed;
}

void model_frame_free(model_frame *f)
{
    if (!f)
        return;
    free(f->copy_number), free(f->secrecy), free(f->urgency), free(f->issuer), free(f->number);
    free(f->signer), free(f->to), free(f->signature), free(f->note), free(f->date);
    for (size_t i = 0; i < f->nattachments; i++)
        free(f->attachments[i].title);
    free(f->attachments);
    for (size_t i = 0; i < f->ncopies_to; i++)
        free(f->copies_to[i]);
    free(f->copies_to);
    free(f->printer), free(f->printed);
    free(f);
}
