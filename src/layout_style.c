/* layout_style.c - the page and type of a layout (see layout.h): GB/T
 * 9704's values and the style file that changes them. */
#include "layout.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MM (72.0 / 25.4)

void layout_style_gbt9704(layout_style *st)
{
    memset(st, 0, sizeof *st);
    st->page_w = 210 * MM;
    st->page_h = 297 * MM;
    st->margin_left = 28 * MM;
    st->margin_top = 37 * MM;
    st->block_w = 156 * MM;
    st->block_h = 225 * MM;
    /* 22 lines: the first baseline one body size below the top, the last at the bottom. */
    st->line_pitch = (st->block_h - 16) / 21;
    st->pitch = st->block_w / 28; /* 每行28个字 */
    /* Latin letters and digits in a Times-like serif beside Song and Kai,
     * as offices set them, and in an Arial-like sans beside Hei. */
    enum { SERIF = 5, SANS = 6 };
    for (int i = 0; i < DOC_STYLE_COUNT; i++)
        st->role[i] = (layout_font_role){0, 16, SERIF};
    st->role[DOC_STYLE_TITLE] = (layout_font_role){1, 22, SANS};
    st->role[DOC_STYLE_H1] = (layout_font_role){2, 16, SANS};
    st->role[DOC_STYLE_H2] = (layout_font_role){3, 16, SERIF};
    st->fallback_font = 4;
    st->page_number = (layout_font_role){0, 14, SERIF};
    st->table = (layout_font_role){0, 12, SERIF};
    st->page_number_gap = 7 * MM + 14;
    st->page_number_outside = true;
    st->issuer = (layout_font_role){1, 36, SANS};
    st->issuer_top = 35 * MM;
    st->red_rule_gap = 4 * MM;
    st->red_rule_width = 0.35 * MM;
    st->red = 0xFF0000;
    st->imprint = (layout_font_role){0, 14, SERIF};
    st->imprint_thick = 0.35 * MM;
    st->imprint_thin = 0.25 * MM;
}

/* A length: a number and its unit, mm or pt. */
static int parse_length(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0) || v > 10000)
        return -1;
    if (strcmp(end, "mm") == 0)
        v *= MM;
    else if (strcmp(end, "pt") != 0)
        return -1;
    *out = v;
    return 0;
}

int layout_style_parse(const char *name, const char *text, size_t len, layout_style *st,
                       rg_diags *diags)
{
    layout_style_gbt9704(st);
    static const struct {
        const char *key;
        int values; /* lengths after the key; 0: a word */
    } keys[] = {
        {"page", 2},     {"margin-left", 1}, {"margin-top", 1},     {"block", 2},
        {"lines", 0},    {"body", 1},        {"title", 1},          {"heading1", 1},
        {"heading2", 1}, {"heading3", 1},    {"heading4", 1},       {"table", 1},
        {"page-number", 1}, {"page-number-gap", 1}, {"page-number-at", 0},
        {"issuer", 1},   {"issuer-top", 1},  {"red-rule-gap", 1},   {"red-rule-width", 1},
        {"red", 0},      {"imprint", 1},     {"imprint-rules", 2},
        {"characters", 0},
    };
    size_t errors = diags->errors;
    int lines = 22;
    int characters = 0; /* no grid unless the file asks for one */
    int characters_line = 0, characters_col = 0;
    double gap = 7 * MM;
    int line = 0;
    for (size_t i = 0; i < len;) {
        /* A file that is not a style is given up after a few errors, so that
         * its lines are not told back one by one. */
        if (diags->errors - errors >= 3) {
            rg_diag_add(diags, RG_ERROR, name, line, 0,
                        "stopped reading after 3 errors: is this a style file?");
            break;
        }
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *ln = xstrndup(text + i, end - i);
        i = end + 1;
        line++;
        char *hash = strchr(ln, '#');
        if (hash)
            *hash = '\0';
        char *word[4] = {NULL};
        size_t col[4] = {0};
        int nw = 0;
        for (char *c = ln; *c && nw < 4;) {
            while (*c == ' ' || *c == '\t' || *c == '\r')
                *c++ = '\0';
            if (!*c)
                break;
            word[nw] = c;
            col[nw++] = (size_t)(c - ln) + 1;
            while (*c && *c != ' ' && *c != '\t' && *c != '\r')
                c++;
        }
        if (nw == 0) {
            free(ln);
            continue;
        }
        size_t k = 0;
        while (k < sizeof keys / sizeof *keys && strcmp(keys[k].key, word[0]) != 0)
            k++;
        if (k == sizeof keys / sizeof *keys) {
            /* The word itself is not quoted: the file may be anything. */
            const char *names[sizeof keys / sizeof *keys];
            for (size_t j = 0; j < sizeof keys / sizeof *keys; j++)
                names[j] = keys[j].key;
            const char *near = rg_nearest(word[0], names, sizeof keys / sizeof *keys, 2);
            if (near)
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[0],
                            "not a style key; did you mean %s?", near);
            else
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[0],
                            "not a style key (the keys are listed in gbt9704.style)");
            free(ln);
            continue;
        }
        int want = keys[k].values ? keys[k].values : 1;
        if (nw - 1 != want) {
            rg_diag_add(diags, RG_ERROR, name, line, (int)col[0], "\"%s\" takes %d value%s",
                        word[0], want, want == 1 ? "" : "s");
            free(ln);
            continue;
        }
        double v[2] = {0, 0};
        bool ok = true;
        for (int w = 0; keys[k].values && w < want && ok; w++)
            if (parse_length(word[1 + w], &v[w]) != 0) {
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[1 + w],
                            "\"%s\" needs a length: write a number with mm or pt, as in 28mm",
                            word[0]);
                ok = false;
            }
        const char *key = word[0];
        if (!ok) {
        } else if (strcmp(key, "page") == 0) {
            st->page_w = v[0], st->page_h = v[1];
        } else if (strcmp(key, "margin-left") == 0) {
            st->margin_left = v[0];
        } else if (strcmp(key, "margin-top") == 0) {
            st->margin_top = v[0];
        } else if (strcmp(key, "block") == 0) {
            st->block_w = v[0], st->block_h = v[1];
        } else if (strcmp(key, "lines") == 0) {
            char *e;
            long n = strtol(word[1], &e, 10);
            if (*e || n < 2 || n > 200)
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[1],
                            "\"lines\" is the number of lines on a page, 2 to 200");
            else
                lines = (int)n;
        } else if (strcmp(key, "characters") == 0) {
            char *e;
            long n = strtol(word[1], &e, 10);
            if (*e || n < 0 || n > 400)
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[1],
                            "\"characters\" is the number of characters on a line of the grid, "
                            "or 0 for none");
            else
                characters = (int)n, characters_line = line, characters_col = (int)col[1];
        } else if (strcmp(key, "page-number-at") == 0) {
            if (strcmp(word[1], "outside") == 0 || strcmp(word[1], "centre") == 0)
                st->page_number_outside = word[1][0] == 'o';
            else
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[1],
                            "\"page-number-at\" is outside (odd pages right, even left) or "
                            "centre");
        } else if (strcmp(key, "red") == 0) {
            char *e;
            unsigned long rgb = strtoul(word[1], &e, 16);
            if (strlen(word[1]) != 6 || *e || word[1][0] == '-' || word[1][0] == '+')
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[1],
                            "\"red\" is a colour in six hexadecimal digits RRGGBB, as in "
                            "FF0000 (a # would start a comment)");
            else
                st->red = (uint32_t)rgb;
        } else if (strcmp(key, "issuer") == 0) {
            st->issuer.size = v[0];
        } else if (strcmp(key, "issuer-top") == 0) {
            st->issuer_top = v[0];
        } else if (strcmp(key, "red-rule-gap") == 0) {
            st->red_rule_gap = v[0];
        } else if (strcmp(key, "red-rule-width") == 0) {
            st->red_rule_width = v[0];
        } else if (strcmp(key, "imprint") == 0) {
            st->imprint.size = v[0];
        } else if (strcmp(key, "imprint-rules") == 0) {
            st->imprint_thick = v[0], st->imprint_thin = v[1];
        } else if (strcmp(key, "page-number-gap") == 0) {
            gap = v[0];
        } else if (strcmp(key, "page-number") == 0) {
            st->page_number.size = v[0];
        } else if (strcmp(key, "table") == 0) {
            st->table.size = v[0];
        } else {
            static const char *const sized[] = {"body", "title", "heading1", "heading2",
                                                "heading3", "heading4"};
            static const doc_style role[] = {DOC_STYLE_BODY, DOC_STYLE_TITLE, DOC_STYLE_H1,
                                             DOC_STYLE_H2, DOC_STYLE_H3, DOC_STYLE_H4};
            for (size_t r = 0; r < sizeof sized / sizeof *sized; r++)
                if (strcmp(key, sized[r]) == 0)
                    st->role[role[r]].size = v[0];
        }
        free(ln);
    }
    double body = st->role[DOC_STYLE_BODY].size;
    /* Sizes a page can hold: every role from 4 pt, at most a tenth of the
     * block's width (so a line holds ten characters), the body at most the
     * line pitch (so lines do not overlap). */
    const layout_font_role *sized_roles[] = {
        &st->role[DOC_STYLE_BODY], &st->role[DOC_STYLE_TITLE], &st->role[DOC_STYLE_H1],
        &st->role[DOC_STYLE_H2], &st->role[DOC_STYLE_H3], &st->role[DOC_STYLE_H4], &st->table,
        &st->page_number, &st->issuer, &st->imprint};
    for (size_t r = 0; diags->errors == errors && r < sizeof sized_roles / sizeof *sized_roles; r++) {
        double size = sized_roles[r]->size;
        if (size < 4 || (size > st->block_w / 10 && sized_roles[r] != &st->issuer) ||
            size > st->block_w)
            rg_diag_add(diags, RG_ERROR, name, 0, 0,
                        "a type size of %.1f pt does not fit the text block: give sizes from 4 pt "
                        "to a tenth of the block's width (%.1f pt)", size, st->block_w / 10);
    }
    if (diags->errors == errors && (body <= 0 || st->block_h <= body || st->block_w <= 2 * body ||
                                    st->margin_left + st->block_w > st->page_w ||
                                    st->margin_top + st->block_h > st->page_h)) {
        rg_diag_add(diags, RG_ERROR, name, 0, 0,
                    "the text block does not fit on the page, or the body size in the block");
    }
    /* The grid squeezes the pitch a little, never the glyphs much: 28 of 16 pt
     * in 156 mm is 98.7% of the size. */
    st->pitch = characters ? st->block_w / characters : 0;
    if (diags->errors == errors && characters &&
        (st->pitch < 0.9 * body || st->pitch > 1.1 * body))
        rg_diag_add(diags, RG_ERROR, name, characters_line, characters_col,
                    "%d characters a line put %.1f pt characters %.2f pt apart: choose a number "
                    "near the block's width divided by the body size (%.0f), or 0 for no grid",
                    characters, body, st->pitch, st->block_w / body);
    /* The first baseline one body size below the block's top, the last on its bottom. */
    st->line_pitch = (st->block_h - body) / (lines - 1);
    if (diags->errors == errors && st->line_pitch > 0 && body > st->line_pitch + 0.01)
        rg_diag_add(diags, RG_ERROR, name, 0, 0,
                    "the body size (%.1f pt) is larger than the distance between lines (%.1f pt): "
                    "give fewer lines or a smaller body", body, st->line_pitch);
    st->page_number_gap = gap + st->page_number.size;
    return diags->errors == errors ? 0 : -1;
}
