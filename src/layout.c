/* layout.c - see layout.h. Paragraphs become atoms (the smallest pieces a
 * line may not split), atoms fill lines greedily, lines are justified, and
 * lines are then laid on pages. Everything is linear in the text. */
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
    for (int i = 0; i < DOC_STYLE_COUNT; i++)
        st->role[i] = (layout_font_role){0, 16};
    st->role[DOC_STYLE_TITLE] = (layout_font_role){1, 22};
    st->role[DOC_STYLE_H1] = (layout_font_role){2, 16};
    st->role[DOC_STYLE_H2] = (layout_font_role){3, 16};
    st->fallback_font = 4;
    st->page_number = (layout_font_role){0, 14};
    st->table = (layout_font_role){0, 12};
    st->page_number_gap = 7 * MM + 14;
    st->page_number_outside = true;
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
    };
    size_t errors = diags->errors;
    int lines = 22;
    double gap = 7 * MM;
    int line = 0;
    for (size_t i = 0; i < len;) {
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
            rg_diag_add(diags, RG_ERROR, name, line, (int)col[0],
                        "unknown style key \"%s\" (the keys are listed in gbt9704.style)",
                        word[0]);
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
                            "\"%s\" is not a length: write a number with mm or pt, as in 28mm",
                            word[1 + w]);
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
        } else if (strcmp(key, "page-number-at") == 0) {
            if (strcmp(word[1], "outside") == 0 || strcmp(word[1], "centre") == 0)
                st->page_number_outside = word[1][0] == 'o';
            else
                rg_diag_add(diags, RG_ERROR, name, line, (int)col[1],
                            "\"page-number-at\" is outside (odd pages right, even left) or "
                            "centre");
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
    if (diags->errors == errors && (body <= 0 || st->block_h <= body || st->block_w <= 2 * body ||
                                    st->margin_left + st->block_w > st->page_w ||
                                    st->margin_top + st->block_h > st->page_h)) {
        rg_diag_add(diags, RG_ERROR, name, 0, 0,
                    "the text block does not fit on the page, or the body size in the block");
    }
    /* The first baseline one body size below the block's top, the last on its bottom. */
    st->line_pitch = (st->block_h - body) / (lines - 1);
    st->page_number_gap = gap + st->page_number.size;
    return diags->errors == errors ? 0 : -1;
}

/* --- character classes ------------------------------------------------ */

typedef enum { CL_HAN, CL_OPEN, CL_CLOSE, CL_ALNUM, CL_INSEP, CL_SPACE } char_class;

static bool in_list(uint32_t cp, const uint32_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == cp)
            return true;
    return false;
}

static const uint32_t no_start[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x203C, 0x2047, 0x2048,
    0x2049, 0x201D, 0x2019, 0x300D, 0x300F, 0xFF09, 0xFF3D, 0xFF5D, 0x3015, 0x3011, 0x3017,
    0x300B, 0x3009, 0x2013, 0xFF5E, 0x007E, 0x301C, 0x00B7, 0x30FB, 0x2027, '!', ')', ',',
    '.', ':', ';', '?', ']', '}', 0x0025, 0xFF05, 0x2030, 0x2103, 0x00B0, 0x2032, 0x2033,
};
static const uint32_t no_end[] = {
    0x201C, 0x2018, 0x300C, 0x300E, 0xFF08, 0xFF3B, 0xFF5B, 0x3014, 0x3010, 0x3016, 0x300A,
    0x3008, '(', '[', '{', 0x00A5, 0xFFE5, '$', 0xFF04, 0x2212, 0x00B1,
};
/* Full-width marks whose blank half may be dropped at a line end. */
static const uint32_t half_at_end[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x201D, 0x2019, 0xFF09, 0x300B,
    0x3011, 0x300D, 0x300F,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_alnum(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
}

static char_class classify(uint32_t cp)
{
    if (cp >= 0x3400 && cp <= 0x9FFF) /* ideographs, most of the text: in no list */
        return CL_HAN;
    if (cp == ' ' || cp == '\t')
        return CL_SPACE;
    if (is_alnum(cp) || cp == '_' || cp == '&' || cp == '@' || cp == '#')
        return CL_ALNUM;
    if (cp == 0x2014 || cp == 0x2026 || cp == 0x22EF || cp == 0x2E3A)
        return CL_INSEP;
    if (in_list(cp, no_start, COUNT(no_start)))
        return CL_CLOSE;
    if (in_list(cp, no_end, COUNT(no_end)))
        return CL_OPEN;
    return CL_HAN;
}

/* Inside a run of letters and digits these keep the run whole: 124.2, 1:500,
 * 2024-01-15, 1+1+X, 5.2%. */
static bool joins_alnum(uint32_t cp, uint32_t next)
{
    return (cp == '.' || cp == ',' || cp == ':' || cp == '/' || cp == '-' || cp == '+') &&
           is_alnum(next);
}

/* --- paragraphs to atoms --------------------------------------------- */

/* A glyph and an atom are kept for every character of a paragraph while it
 * is set, so they are small: 20 and 24 bytes. Indices fit 32 bits because a
 * document is at most TMPL_MAX_OUTPUT bytes. */
typedef struct glyph {
    float w;
    uint32_t cp;
    uint32_t off;  /* byte offset in the run's text */
    uint16_t run;
    int8_t font;   /* the run's, or the fallback for a character it lacks */
    uint8_t len;   /* bytes */
    uint8_t cl;    /* char_class */
} glyph;

typedef struct atom {
    double w;            /* natural width */
    uint32_t first, end; /* glyph range */
    float squeeze;       /* width that may be dropped at a line end */
    bool space;          /* a space: a break, never drawn at a line's edges */
} atom;

typedef struct para {
    glyph *g;
    size_t ng, gcap;
    atom *a;
    size_t na, acap;
} para;

static void add_glyphs(para *p, const doc_run *run, int run_index, const layout_style *st,
                       const layout_metrics *mx)
{
    const layout_font_role *role = &st->role[run->style];
    size_t len = strlen(run->text);
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = rg_utf8_next(run->text, len, &i);
        void *arr = p->g;
        xgrow(&arr, &p->gcap, p->ng + 1, sizeof *p->g);
        p->g = arr;
        glyph *g = &p->g[p->ng++];
        g->cp = cp;
        g->off = (uint32_t)at;
        g->len = (uint8_t)(i - at);
        g->run = (uint16_t)run_index;
        g->font = (int8_t)role->font;
        if (mx->has && st->fallback_font >= 0 && !mx->has(mx->ud, role->font, cp) &&
            mx->has(mx->ud, st->fallback_font, cp))
            g->font = (int8_t)st->fallback_font;
        g->w = (float)(mx->advance(mx->ud, g->font, cp) * role->size / 1000.0);
        g->cl = (uint8_t)classify(cp);
    }
}

static atom *new_atom(para *p, size_t first)
{
    void *arr = p->a;
    xgrow(&arr, &p->acap, p->na + 1, sizeof *p->a);
    p->a = arr;
    atom *a = &p->a[p->na++];
    memset(a, 0, sizeof *a);
    a->first = a->end = (uint32_t)first;
    return a;
}

static bool is_magnitude(uint32_t cp)
{
    return cp == 0x4E07 /* 万 */ || cp == 0x4EBF /* 亿 */ || cp == 0x5143 /* 元 */;
}

/* A measure word keeps to its number: 25个, 9户, 536亩, 2023年. */
static bool is_measure(uint32_t cp)
{
    static const uint32_t words[] = {
        0x4E2A /* 个 */, 0x6237 /* 户 */, 0x9879 /* 项 */, 0x5B97 /* 宗 */, 0x4EA9 /* 亩 */,
        0x4EBA /* 人 */, 0x6B21 /* 次 */, 0x4EF6 /* 件 */, 0x5BB6 /* 家 */, 0x540D /* 名 */,
        0x5904 /* 处 */, 0x6761 /* 条 */, 0x5EA7 /* 座 */, 0x5E74 /* 年 */, 0x6708 /* 月 */,
        0x65E5 /* 日 */, 0x500D /* 倍 */, 0x5428 /* 吨 */, 0x7C73 /* 米 */,
    };
    return in_list(cp, words, COUNT(words));
}

/* Length in glyphs of 平方米 or 平方公里 at i, else 0. */
static size_t area_unit(const para *p, size_t i)
{
    static const uint32_t sq_m[] = {0x5E73, 0x65B9, 0x7C73}, sq_km[] = {0x5E73, 0x65B9, 0x516C, 0x91CC};
    const uint32_t *units[] = {sq_km, sq_m};
    const size_t lens[] = {4, 3};
    for (int u = 0; u < 2; u++) {
        size_t k = 0;
        while (k < lens[u] && i + k < p->ng && p->g[i + k].cp == units[u][k])
            k++;
        if (k == lens[u])
            return k;
    }
    return 0;
}

static void build_atoms(para *p)
{
    bool glue_next = false; /* the previous atom ended with an opening mark */
    for (size_t i = 0; i < p->ng;) {
        glyph *g = &p->g[i];
        size_t end = i + 1;
        if (g->cl == CL_ALNUM) {
            while (end < p->ng && (p->g[end].cl == CL_ALNUM ||
                                   (end + 1 < p->ng && joins_alnum(p->g[end].cp, p->g[end + 1].cp))))
                end++;
            /* A number keeps its percent sign and its magnitude: 5.2%, 124.2亿元. */
            if (p->g[end - 1].cp >= '0' && p->g[end - 1].cp <= '9') {
                while (end < p->ng && (p->g[end].cp == '%' || is_magnitude(p->g[end].cp)))
                    end++;
                size_t area = area_unit(p, end);
                if (area)
                    end += area;
                else if (end < p->ng && is_measure(p->g[end].cp))
                    end++;
            }
        } else if (g->cl == CL_INSEP) {
            while (end < p->ng && p->g[end].cp == g->cp)
                end++;
        }
        atom *prev = p->na ? &p->a[p->na - 1] : NULL;
        bool attach = prev && !prev->space && (glue_next || g->cl == CL_CLOSE);
        /* Marks like 。” or ）。 stick together whatever their classes say;
         * blanks after an opening mark join it, which stays visible and
         * glued to the word after them: "( x". */
        atom *a = attach ? prev : new_atom(p, i);
        for (size_t k = i; k < end; k++)
            a->w += p->g[k].w;
        a->end = (uint32_t)end;
        if (!attach)
            a->space = g->cl == CL_SPACE;
        glyph *last = &p->g[end - 1];
        /* Every such mark is a closing one (no_start), which ideographs are not. */
        a->squeeze = last->cl == CL_CLOSE && in_list(last->cp, half_at_end, COUNT(half_at_end))
                         ? last->w / 2
                         : 0;
        glue_next = last->cl == CL_OPEN || (attach && glue_next && last->cl == CL_SPACE);
        i = end;
    }
}

/* --- lines ------------------------------------------------------------ */

typedef enum {
    LINE_TITLE,
    LINE_HEADING,
    LINE_BODY,
    LINE_TABLE_ROW,
    LINE_CHART,
    LINE_BLANK,
    LINE_PAGE_BREAK
} line_kind;

typedef struct line {
    line_kind kind;
    size_t first_item, end_item; /* in the result, y unset until pagination */
    bool para_first, para_last;
    double size; /* largest size on the line */
    long header; /* a table row: the index of its table's header line, or -1 for the header */
    int keep;    /* the first line of a chart: how many lines go on its page with it */
} line;

typedef struct lines {
    line *l;
    size_t n, cap;
} lines;

static line *add_line(lines *ls, line_kind kind)
{
    void *arr = ls->l;
    xgrow(&arr, &ls->cap, ls->n + 1, sizeof *ls->l);
    ls->l = arr;
    line *ln = &ls->l[ls->n++];
    memset(ln, 0, sizeof *ln);
    ln->kind = kind;
    return ln;
}

/* The items' texts, copied into blocks freed with the result: a report
 * lays out some 1,500 items, and a malloc and a free for each was 1.5% of a
 * report's share of a batch. */
typedef struct layout_text {
    struct layout_text *next;
    size_t used, cap;
    char data[];
} layout_text;

/* The last block, with room for n more bytes. */
static layout_text *text_room(layout_result *r, size_t n)
{
    layout_text *b = r->texts;
    if (!b || b->cap - b->used < n) {
        size_t cap = n < 16384 ? 16384 : n;
        layout_text *fresh = xmalloc(sizeof *fresh + cap);
        *fresh = (layout_text){.next = b, .cap = cap};
        r->texts = b = fresh;
    }
    return b;
}

static char *keep_text(layout_result *r, const char *s, size_t len)
{
    layout_text *b = text_room(r, len + 1);
    char *t = b->data + b->used;
    memcpy(t, s, len);
    t[len] = '\0';
    b->used += len + 1;
    return t;
}

/* Appends s to its text: in place when that text is the last kept and the
 * block has room, else after a copy of it where there is. */
static void extend_text(layout_result *r, layout_item *it, const char *s, size_t len)
{
    size_t old = strlen(it->text);
    layout_text *b = r->texts;
    if (it->text + old + 1 != b->data + b->used || b->cap - b->used < len) {
        const char *from = it->text;
        b = text_room(r, old + len + 1);
        it->text = memcpy(b->data + b->used, from, old);
        b->used += old + 1;
    }
    memcpy(it->text + old, s, len);
    it->text[old + len] = '\0';
    b->used += len;
}

static void add_item(layout_result *r, int font, double size, double x, const char *text,
                     size_t len)
{
    void *arr = r->items;
    xgrow(&arr, &r->cap, r->nitems + 1, sizeof *r->items);
    r->items = arr;
    layout_item *it = &r->items[r->nitems++];
    it->page = 0;
    it->font = font;
    it->size = size;
    it->x = x;
    it->y = 0;
    it->text = keep_text(r, text, len);
    it->x2 = it->y2 = it->rise = it->rise2 = it->fill = it->spacing = 0;
}

static void add_rule(layout_result *r, double x, double rise, double x2, double rise2)
{
    add_item(r, 0, 0, x, "", 0);
    layout_item *it = &r->items[r->nitems - 1];
    it->text = NULL;
    it->x2 = x2;
    it->rise = rise;
    it->rise2 = rise2;
}

static void add_bar(layout_result *r, double x, double rise, double x2, double rise2, double grey)
{
    add_rule(r, x, rise, x2, rise2);
    r->items[r->nitems - 1].fill = grey;
}

/* Emits atoms [a0, a1) as one line starting at x, spreading `gap` between
 * atoms; consecutive glyphs of one run inside an atom share one item. */
static void emit_line(layout_result *r, const para *p, const doc_block *blk,
                      const layout_style *st, size_t a0, size_t a1, double x, double gap, line *ln)
{
    ln->first_item = r->nitems;
    /* A run of one-character atoms of one run and font becomes one item whose
     * characters are spaced by `gap`: one text operator instead of one for
     * each character, so the PDF stays small. */
    bool spacing_open = false; /* the last item may take the next atom */
    int open_run = -1;
    for (size_t ai = a0; ai < a1; ai++) {
        const atom *a = &p->a[ai];
        const glyph *g = &p->g[a->first];
        bool single = a->end == a->first + 1;
        layout_item *last = r->nitems ? &r->items[r->nitems - 1] : NULL;
        /* A space between such characters joins their item too ("a a a"):
         * with the gap after it, as an atom of its own has. */
        bool joins = single && g->run == open_run && last->font == g->font &&
                     (!a->space || g->cp == ' ');
        if (a->space && !(spacing_open && joins)) {
            spacing_open = false;
            x += a->w + gap;
            continue;
        }
        if (spacing_open && joins) {
            const char *src = blk->runs[g->run].text + g->off;
            extend_text(r, last, src, g->len);
            last->spacing = gap;
            x += g->w + gap;
            continue;
        }
        for (size_t k = a->first; k < a->end;) {
            size_t e = k + 1;
            double w = p->g[k].w;
            while (e < a->end && p->g[e].run == p->g[k].run && p->g[e].font == p->g[k].font)
                w += p->g[e++].w;
            const doc_run *run = &blk->runs[p->g[k].run];
            const layout_font_role *role = &st->role[run->style];
            size_t off = p->g[k].off;
            add_item(r, p->g[k].font, role->size, x, run->text + off,
                     p->g[e - 1].off + p->g[e - 1].len - off);
            if (role->size > ln->size)
                ln->size = role->size;
            x += w;
            k = e;
        }
        spacing_open = single;
        open_run = g->run;
        x += gap;
    }
    ln->end_item = r->nitems;
}

/* The first atom of each line. */
typedef struct line_breaks {
    size_t *at;
    size_t n, cap;
} line_breaks;

/* Greedy fill at measure `width` (the first line shortened by `indent`)
 * into b. Returns the number of lines. */
static size_t fill_lines(const para *p, double width, double indent, line_breaks *b)
{
    size_t a = 0;
    b->n = 0;
    while (a < p->na) {
        while (a < p->na && p->a[a].space) /* no space at a line start */
            a++;
        if (a >= p->na)
            break;
        void *arr = b->at;
        xgrow(&arr, &b->cap, b->n + 1, sizeof *b->at);
        b->at = arr;
        b->at[b->n++] = a;
        double avail = width - (b->n == 1 ? indent : 0);
        double w = 0;
        size_t start = a;
        while (a < p->na) {
            double aw = p->a[a].w;
            if (w + aw <= avail + 0.01 || a == start) {
                w += aw;
                a++;
            } else if (w + aw - p->a[a].squeeze <= avail + 0.01) {
                a++; /* push in: the mark's blank half goes past the edge */
                break;
            } else {
                break;
            }
        }
    }
    return b->n;
}

/* After these a long word is best cut: the parts of a URL or a path. */
static bool cut_after(uint32_t cp)
{
    return cp == '/' || cp == '.' || cp == '-' || cp == '_' || cp == '?' || cp == '&' ||
           cp == '=';
}

/* Cuts each atom wider than the line into pieces that fit: after the last
 * / . - _ ? & = that fits, else after the last character that does. The
 * line is `width` wide, the first `indent` less. */
static void cut_wide_atoms(para *p, double width, double indent)
{
    size_t wide = 0;
    for (size_t i = 0; i < p->na; i++)
        wide += p->a[i].w > width - (i == 0 ? indent : 0) + 0.01;
    if (!wide)
        return;
    atom *old = p->a;
    size_t nold = p->na;
    p->a = NULL;
    p->na = p->acap = 0;
    for (size_t i = 0; i < nold; i++) {
        double measure = width - (i == 0 ? indent : 0);
        if (old[i].w <= measure + 0.01) {
            *new_atom(p, 0) = old[i];
            continue;
        }
        for (size_t g = old[i].first; g < old[i].end; measure = width) {
            size_t fit = g, cut = 0;
            double w = 0, cut_w = 0;
            while (fit < old[i].end && (fit == g || w + p->g[fit].w <= measure + 0.01)) {
                w += p->g[fit].w;
                fit++;
                if (fit < old[i].end && cut_after(p->g[fit - 1].cp))
                    cut = fit, cut_w = w;
            }
            if (fit < old[i].end && cut > g)
                fit = cut, w = cut_w;
            atom *a = new_atom(p, g);
            a->end = (uint32_t)fit;
            a->w = w;
            a->squeeze = fit == old[i].end ? old[i].squeeze : 0;
            g = fit;
        }
    }
    free(old);
}

/* A two-line title reads best broken after a conjunction (…工作总结和 /
 * 2024年工作计划) rather than inside a word (…工作 / 总结…): the nearest
 * atom after 和, 及, 与 or 暨 to the balanced break `at`, if both lines fit. */
static size_t title_break(const para *p, size_t at, double width)
{
    size_t best = at, best_dist = (size_t)-1;
    for (size_t a = 1; a < p->na; a++) {
        uint32_t before = p->g[p->a[a - 1].end - 1].cp;
        if (before != 0x548C && before != 0x53CA && before != 0x4E0E && before != 0x66A8)
            continue;
        double left = 0, right = 0;
        for (size_t k = 0; k < p->na; k++)
            *(k < a ? &left : &right) += p->a[k].w;
        if (left - p->a[a - 1].squeeze > width + 0.01 || right > width + 0.01)
            continue;
        size_t dist = a > at ? a - at : at - a;
        if (dist < best_dist)
            best = a, best_dist = dist;
    }
    return best;
}

/* Breaks a paragraph or heading into lines. align: 0 justified, 1 centred. */
static void set_block(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
                      const layout_metrics *mx, line_kind kind, bool centred, double indent)
{
    para p = {0};
    for (size_t i = 0; i < blk->nruns; i++)
        add_glyphs(&p, &blk->runs[i], (int)i, st, mx);
    build_atoms(&p);
    cut_wide_atoms(&p, st->block_w, indent);

    line_breaks br = {0};
    size_t nbreaks = fill_lines(&p, st->block_w, indent, &br);
    if (centred && nbreaks > 1) {
        /* A title of several lines is balanced: the narrowest measure that
         * still needs no more lines, so the last line is not a stub. */
        double lo = 0, hi = st->block_w;
        for (int i = 0; i < 24; i++) {
            double mid = (lo + hi) / 2;
            if (fill_lines(&p, mid, 0, &br) == nbreaks)
                hi = mid;
            else
                lo = mid;
        }
        nbreaks = fill_lines(&p, hi, 0, &br);
        if (nbreaks == 2)
            br.at[1] = title_break(&p, br.at[1], st->block_w);
    }
    /* A paragraph never ends on a line of one character: pull one atom down. */
    if (nbreaks >= 2 && !centred) {
        size_t last = br.at[nbreaks - 1];
        size_t chars = 0;
        for (size_t k = p.a[last].first; k < p.ng; k++)
            chars += p.g[k].cl == CL_HAN || p.g[k].cl == CL_ALNUM;
        if (chars <= 1 && last - br.at[nbreaks - 2] >= 3)
            br.at[nbreaks - 1] = last - 1;
    }

    for (size_t k = 0; k < nbreaks; k++) {
        size_t a0 = br.at[k], a1 = k + 1 < nbreaks ? br.at[k + 1] : p.na;
        while (a1 > a0 && p.a[a1 - 1].space)
            a1--;
        double x0 = st->margin_left + (k == 0 ? indent : 0);
        double avail = st->block_w - (k == 0 ? indent : 0);
        double natural = 0;
        for (size_t i = a0; i < a1; i++)
            natural += p.a[i].w;
        bool last = k + 1 == nbreaks;
        double gap = 0;
        if (centred) {
            x0 = st->margin_left + (st->block_w - natural) / 2;
        } else if (!last && a1 - a0 > 1) {
            double fill = natural - p.a[a1 - 1].squeeze;
            gap = (avail - fill) / (double)(a1 - a0 - 1);
            if (gap < 0)
                gap = 0;
        }
        line *ln = add_line(ls, kind);
        ln->para_first = k == 0;
        ln->para_last = last;
        emit_line(r, &p, blk, st, a0, a1, x0, gap, ln);
    }
    free(br.at);
    free(p.g);
    free(p.a);
}

/* --- tables ----------------------------------------------------------- */

static double text_width(const char *s, size_t n, int font, double size, const layout_metrics *mx)
{
    double w = 0;
    for (size_t i = 0; i < n;)
        w += mx->advance(mx->ud, font, rg_utf8_next(s, n, &i)) * size / 1000;
    return w;
}

/* A cell of a column of numbers: digits with an optional bound, sign,
 * decimal point and per cent sign (124.2, -3.2, 16.33%, ≥11). */
static bool numeric_cell(const char *s)
{
    if (strncmp(s, "\xE2\x89\xA5", 3) == 0 || strncmp(s, "\xE2\x89\xA4", 3) == 0) /* ≥ ≤ */
        s += 3;
    if (*s == '-' || *s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return false;
    while ((*s >= '0' && *s <= '9') || *s == '.')
        s++;
    return *s == '\0' || strcmp(s, "%") == 0;
}

/* Bytes of a numeric cell before its decimal point (all of it when none). */
static size_t int_part(const char *s)
{
    const char *dot = strchr(s, '.');
    if (dot)
        return (size_t)(dot - s);
    size_t n = strlen(s);
    return n && s[n - 1] == '%' ? n - 1 : n;
}

/* A table's or chart's caption, centred, after a blank line; a long one
 * is broken and balanced as a title is. */
static void add_caption(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
                        const layout_metrics *mx)
{
    if (ls->n > 0)
        add_line(ls, LINE_BLANK); /* it stands apart from the text before it */
    if (blk->nruns)
        set_block(r, ls, blk, st, mx, LINE_HEADING, true, 0);
}

/* Bytes of s (n bytes) that fit `avail` at least one character: up to the
 * last blank, / . - _ ? & = that fits, else the last character that does. */
static size_t cell_piece(const char *s, size_t n, double avail, int font, double size,
                         const layout_metrics *mx)
{
    size_t fit = 0, cut = 0;
    double w = 0;
    while (fit < n) {
        size_t next = fit;
        uint32_t cp = rg_utf8_next(s, n, &next);
        double cw = mx->advance(mx->ud, font, cp) * size / 1000;
        if (fit > 0 && w + cw > avail + 0.01)
            break;
        w += cw;
        fit = next;
        if (fit < n && (cp == ' ' || cut_after(cp)))
            cut = fit;
    }
    return fit < n && cut ? cut : fit;
}

/* The lines a cell takes at measure `avail`. */
static size_t cell_line_count(const char *cell, double avail, int font, double size,
                              const layout_metrics *mx)
{
    size_t n = strlen(cell), at = 0, count = 1;
    for (;;) {
        at += cell_piece(cell + at, n - at, avail, font, size, mx);
        while (at < n && cell[at] == ' ') /* no line of a cell starts with a blank */
            at++;
        if (at >= n)
            return count;
        count++;
    }
}

/* A table too wide for the block is set smaller, down to this; past it its
 * widest columns are narrowed and their cells take several lines. */
#define TABLE_MIN_SCALE 0.75

static void set_table(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
                      const layout_metrics *mx)
{
    const doc_table *t = &blk->table;
    if (t->nrows == 0 || t->ncols == 0)
        return;
    int font = st->table.font;
    double size = st->table.size;
    double pad = size / 2;
    double *width = xcalloc(t->ncols, sizeof *width);
    double *int_w = xcalloc(t->ncols, sizeof *int_w);
    double *frac_w = xcalloc(t->ncols, sizeof *frac_w);
    bool *numeric = xcalloc(t->ncols, sizeof *numeric);
    for (size_t c = 0; c < t->ncols; c++) {
        numeric[c] = t->nrows > 1;
        for (size_t row = 0; row < t->nrows; row++) {
            const char *cell = t->cells[row * t->ncols + c];
            double w = text_width(cell, strlen(cell), font, size, mx);
            if (w > width[c])
                width[c] = w;
            if (row == 0)
                continue;
            if (numeric_cell(cell)) {
                size_t ip = int_part(cell);
                double iw = text_width(cell, ip, font, size, mx);
                double fw = text_width(cell + ip, strlen(cell) - ip, font, size, mx);
                int_w[c] = iw > int_w[c] ? iw : int_w[c];
                frac_w[c] = fw > frac_w[c] ? fw : frac_w[c];
            } else if (*cell && strcmp(cell, "\xE2\x80\x94") != 0) { /* — marks no value */
                numeric[c] = false;
            }
        }
    }
    double natural = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        if (numeric[c] && int_w[c] + frac_w[c] > width[c])
            width[c] = int_w[c] + frac_w[c];
        width[c] += 2 * pad;
        natural += width[c];
    }
    /* The table spans the block: spare room goes to every column alike; a
     * table too wide for the block is set smaller, then its widest columns
     * narrowed to `cap`, the most that lets the rest fit. */
    double scale = natural > st->block_w ? st->block_w / natural : 1;
    if (scale < TABLE_MIN_SCALE) {
        scale = TABLE_MIN_SCALE;
        double room = st->block_w / scale, lo = 0, hi = 0;
        for (size_t c = 0; c < t->ncols; c++)
            hi = width[c] > hi ? width[c] : hi;
        for (int k = 0; k < 40; k++) {
            double cap = (lo + hi) / 2, sum = 0;
            for (size_t c = 0; c < t->ncols; c++)
                sum += width[c] < cap ? width[c] : cap;
            *(sum <= room ? &lo : &hi) = cap;
        }
        natural = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            if (width[c] > lo) {
                width[c] = lo;
                numeric[c] = false; /* its cells are broken, set flush left */
            }
            natural += width[c];
        }
    }
    double spare = natural * scale < st->block_w ? (st->block_w / scale - natural) / (double)t->ncols : 0;
    size *= scale, pad *= scale;
    /* Rows sit on the grid; the rules are centred on the text's body. */
    double mid = 0.38 * size, half = st->line_pitch / 2;
    add_caption(r, ls, blk, st, mx);
    long header = (long)ls->n;
    size_t *at = xcalloc(t->ncols, sizeof *at); /* bytes of each cell set */
    for (size_t row = 0; row < t->nrows; row++) {
        const char *const *cells = (const char *const *)t->cells + row * t->ncols;
        size_t nlines = 1;
        for (size_t c = 0; c < t->ncols; c++) {
            size_t k = cell_line_count(cells[c], (width[c] + spare) * scale - 2 * pad, font,
                                       size, mx);
            nlines = k > nlines ? k : nlines;
            at[c] = 0;
        }
        for (size_t k = 0; k < nlines; k++) {
            line *ln = add_line(ls, LINE_TABLE_ROW);
            ln->header = row == 0 ? -1 : header;
            ln->para_first = row == 0 && k == 0;
            ln->para_last = row + 1 == t->nrows && k + 1 == nlines;
            ln->size = size;
            ln->first_item = r->nitems;
            double x = st->margin_left;
            if (k == 0)
                add_rule(r, x, mid + half, x + st->block_w, mid + half);
            if (k + 1 == nlines)
                add_rule(r, x, mid - half, x + st->block_w, mid - half);
            add_rule(r, x, mid + half, x, mid - half);
            for (size_t c = 0; c < t->ncols; c++) {
                double cw = (width[c] + spare) * scale;
                const char *cell = cells[c] + at[c];
                size_t left = strlen(cell);
                size_t n = cell_piece(cell, left, cw - 2 * pad, font, size, mx);
                at[c] += n;
                while (cells[c][at[c]] == ' ')
                    at[c]++;
                double w = text_width(cell, n, font, size, mx);
                double x_at;
                if (row > 0 && numeric[c] && numeric_cell(cell)) {
                    /* The decimal points of a column line up, the numbers centred. */
                    double block = (int_w[c] + frac_w[c]) * scale;
                    double point = x + (cw - block) / 2 + int_w[c] * scale;
                    x_at = point - text_width(cell, int_part(cell), font, size, mx);
                } else if (row > 0 && !numeric[c]) {
                    x_at = x + pad;
                } else {
                    x_at = x + (cw - w) / 2;
                }
                if (n)
                    add_item(r, font, size, x_at, cell, n);
                x += cw;
                add_rule(r, x, mid + half, x, mid - half);
            }
            ln->end_item = r->nitems;
        }
    }
    free(at);
    free(width);
    free(int_w);
    free(frac_w);
    free(numeric);
}

/* A chart's value: the number before an optional %. */
static double chart_value(const char *cell)
{
    rg_dec d = {0, 0};
    size_t n = strlen(cell);
    char *number = xstrndup(cell, n && cell[n - 1] == '%' ? n - 1 : n);
    if (rg_dec_parse(number, &d) != 0)
        d.coef = 0; /* doc_parse let only numbers through */
    free(number);
    return rg_dec_to_double(d);
}

/* Horizontal bars: a line per bar, its label on the left (on the first bar
 * of a row), the value as written at the bar's end, the series in greys. */
static void set_chart(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
                      const layout_metrics *mx)
{
    const doc_table *t = &blk->table;
    if (t->nrows < 2 || t->ncols < 2)
        return;
    int font = st->table.font;
    double size = st->table.size, pad = size / 2;
    size_t nseries = t->ncols - 1;
    double label_w = 0, value_w = 0, lo = 0, hi = 0;
    for (size_t row = 1; row < t->nrows; row++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[row * t->ncols + c];
            double w = text_width(cell, strlen(cell), font, size, mx);
            if (c == 0) {
                label_w = w > label_w ? w : label_w;
                continue;
            }
            value_w = w > value_w ? w : value_w;
            double v = chart_value(cell);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    bool percent = true;
    for (size_t row = 1; row < t->nrows; row++)
        for (size_t c = 1; c < t->ncols; c++) {
            const char *cell = t->cells[row * t->ncols + c];
            percent = percent && *cell && cell[strlen(cell) - 1] == '%';
        }
    if (percent && hi < 100)
        hi = 100; /* shares and completion rates are read against the whole */
    if (hi == lo)
        hi = lo + 1;
    double x_plot = st->margin_left + label_w + 2 * pad;
    double plot_w = st->block_w - label_w - value_w - 4 * pad;
    if (plot_w < st->block_w / 4)
        plot_w = st->block_w / 4;
    double zero = x_plot + (0 - lo) / (hi - lo) * plot_w;
    double mid = 0.38 * size, half = st->line_pitch / 2, bar = 0.3 * st->line_pitch;
    add_caption(r, ls, blk, st, mx);
    size_t first = ls->n;
    for (size_t row = 1; row < t->nrows; row++)
        for (size_t s = 0; s < nseries; s++) {
            line *ln = add_line(ls, LINE_CHART);
            ln->size = size;
            ln->first_item = r->nitems;
            const char *label = t->cells[row * t->ncols];
            if (s == 0 && *label)
                add_item(r, font, size, x_plot - pad - text_width(label, strlen(label), font,
                                                                   size, mx),
                         label, strlen(label));
            const char *cell = t->cells[row * t->ncols + 1 + s];
            double x = x_plot + (chart_value(cell) - lo) / (hi - lo) * plot_w;
            double grey = nseries == 1 ? 0.45 : 0.25 + 0.5 * (double)s / (double)(nseries - 1);
            add_bar(r, zero < x ? zero : x, mid + bar, zero < x ? x : zero, mid - bar, grey);
            add_item(r, font, size, (x > zero ? x : zero) + pad, cell, strlen(cell));
            add_rule(r, zero, mid + half, zero, mid - half); /* the axis */
            ln->end_item = r->nitems;
        }
    /* The axis title and, for several series, a key: one more line. */
    line *key = add_line(ls, LINE_CHART);
    key->size = size;
    key->first_item = r->nitems;
    const char *axis = t->cells[0];
    double x = x_plot;
    if (*axis) {
        add_item(r, font, size, x, axis, strlen(axis));
        x += text_width(axis, strlen(axis), font, size, mx) + 2 * size;
    }
    for (size_t s = 0; nseries > 1 && s < nseries; s++) {
        double grey = 0.25 + 0.5 * (double)s / (double)(nseries - 1);
        add_bar(r, x, mid + bar, x + size, mid - bar, grey);
        x += size + pad;
        const char *name = t->cells[1 + s];
        add_item(r, font, size, x, name, strlen(name));
        x += text_width(name, strlen(name), font, size, mx) + 2 * size;
    }
    key->end_item = r->nitems;
    ls->l[first].keep = (int)(ls->n - first);
}

/* --- pages ------------------------------------------------------------ */

static void place(layout_result *r, const line *ln, int page, double y)
{
    for (size_t i = ln->first_item; i < ln->end_item; i++) {
        layout_item *it = &r->items[i];
        it->page = page;
        it->y = y - it->rise;
        it->y2 = y - it->rise2;
    }
}

/* A table's header again, at the top of a page the table runs onto. */
static void repeat_header(layout_result *r, const line *header, int page, double y)
{
    for (size_t i = header->first_item; i < header->end_item; i++) {
        layout_item copy = r->items[i];
        const char *text = copy.text;
        add_item(r, copy.font, copy.size, copy.x, text ? text : "", text ? strlen(text) : 0);
        layout_item *it = &r->items[r->nitems - 1];
        if (!text)
            it->text = NULL;
        it->x2 = copy.x2;
        it->fill = copy.fill;
        it->spacing = copy.spacing;
        it->rise = copy.rise;
        it->rise2 = copy.rise2;
        it->page = page;
        it->y = y - it->rise;
        it->y2 = y - it->rise2;
    }
}

static void paginate(layout_result *r, const lines *ls, const layout_style *st)
{
    int per_page = (int)((st->block_h - st->role[DOC_STYLE_BODY].size) / st->line_pitch + 1e-6) + 1;
    int page = 0, slot = 0;
    for (size_t i = 0; i < ls->n; i++) {
        const line *ln = &ls->l[i];
        if (ln->kind == LINE_PAGE_BREAK) {
            if (slot > 0)
                page++, slot = 0;
            continue;
        }
        if (ln->kind == LINE_BLANK) {
            if (slot > 0)
                slot++;
            continue;
        }
        int need = 1;
        if (ln->kind == LINE_HEADING && ln->para_first) {
            /* Keep a heading with its own lines and two lines of what follows. */
            size_t k = i + 1;
            while (k < ls->n && ls->l[k].kind == LINE_HEADING && !ls->l[k].para_first)
                k++, need++;
            for (int extra = 0; extra < 2 && k < ls->n &&
                                (ls->l[k].kind == LINE_BODY || ls->l[k].kind == LINE_TABLE_ROW ||
                                 ls->l[k].kind == LINE_CHART);
                 extra++, k++)
                need++;
        }
        if (ln->kind == LINE_HEADING && ln->para_first) {
            size_t k = i + 1; /* past the caption's own lines */
            while (k < ls->n && ls->l[k].kind == LINE_HEADING && !ls->l[k].para_first)
                k++;
            if (k < ls->n && ls->l[k].keep)
                need = (int)(k - i) + ls->l[k].keep; /* a caption stays with its chart */
        }
        if (ln->keep > need)
            need = ln->keep; /* a chart is not split */
        if (ln->kind == LINE_TABLE_ROW && ln->header < 0 && i + 1 < ls->n &&
            ls->l[i + 1].kind == LINE_TABLE_ROW && ls->l[i + 1].header >= 0)
            need = 2; /* a header never ends a page */
        if (slot + need > per_page && slot > 0) {
            page++, slot = 0;
        } else if (slot == per_page) {
            page++, slot = 0;
        }
        /* No page starts with a paragraph's lone last line: take one more along. */
        if (slot == 0 && page > 0 && ln->kind == LINE_BODY && ln->para_last && !ln->para_first &&
            i >= 2 && !ls->l[i - 1].para_first) {
            const line *prev = &ls->l[i - 1];
            place(r, prev, page, st->margin_top + st->role[DOC_STYLE_BODY].size);
            slot = 1;
        }
        if (slot == 0 && page > 0 && ln->kind == LINE_TABLE_ROW && ln->header >= 0) {
            repeat_header(r, &ls->l[ln->header], page,
                          st->margin_top + st->role[DOC_STYLE_BODY].size);
            slot = 1;
        }
        double y = st->margin_top + st->role[DOC_STYLE_BODY].size + slot * st->line_pitch;
        place(r, ln, page, y);
        slot++;
    }
    r->npages = page + 1;
}

/* Records a heading set from line `line` on; its page comes with pagination. */
static void add_mark(layout_result *r, int level, const char *text, size_t first_line)
{
    void *arr = r->marks;
    xgrow(&arr, &r->mcap, r->nmarks + 1, sizeof *r->marks);
    r->marks = arr;
    r->marks[r->nmarks++] = (layout_mark){.level = level, .text = text, .page = (int)first_line};
}

layout_result *layout_run(const doc *d, const layout_style *st, const layout_metrics *mx)
{
    layout_result *r = xcalloc(1, sizeof *r);
    lines ls = {0};
    double em = st->role[DOC_STYLE_BODY].size;
    for (size_t i = 0; i < d->nblocks; i++) {
        const doc_block *blk = &d->blocks[i];
        if (blk->kind == DOC_TITLE && blk->nruns)
            add_mark(r, 0, blk->runs[0].text, ls.n);
        else if ((blk->kind == DOC_HEADING || blk->kind == DOC_PARAGRAPH) && blk->nruns &&
                 blk->runs[0].style >= DOC_STYLE_H1)
            add_mark(r, (int)(blk->runs[0].style - DOC_STYLE_H1) + 1, blk->runs[0].text, ls.n);
        switch (blk->kind) {
        case DOC_TITLE:
            set_block(r, &ls, blk, st, mx, LINE_TITLE, true, 0);
            add_line(&ls, LINE_BLANK);
            break;
        case DOC_HEADING:
            set_block(r, &ls, blk, st, mx, LINE_HEADING, false, 2 * em);
            break;
        case DOC_PARAGRAPH:
            set_block(r, &ls, blk, st, mx, LINE_BODY, false, 2 * em);
            break;
        case DOC_PAGE_BREAK:
            add_line(&ls, LINE_PAGE_BREAK);
            break;
        case DOC_TABLE:
            set_table(r, &ls, blk, st, mx);
            break;
        case DOC_CHART:
            set_chart(r, &ls, blk, st, mx);
            break;
        }
    }
    paginate(r, &ls, st);
    /* Each mark held its first line's index; give it that line's place. */
    for (size_t i = 0; i < r->nmarks; i++) {
        size_t at = (size_t)r->marks[i].page;
        const layout_item *it = at < ls.n && ls.l[at].first_item < ls.l[at].end_item
                                    ? &r->items[ls.l[at].first_item]
                                    : NULL;
        r->marks[i].page = it ? it->page : 0;
        r->marks[i].y = it ? it->y : st->margin_top;
    }
    free(ls.l);
    return r;
}

void layout_free(layout_result *r)
{
    if (!r)
        return;
    while (r->texts) {
        layout_text *next = r->texts->next;
        free(r->texts);
        r->texts = next;
    }
    free(r->items);
    free(r->marks);
    free(r);
}
