/* pdf_haru.c - see pdf.h. libharu makes the skeleton (pages, outline,
 * information) through its public API; the text, the fonts and the
 * catalog's /Lang are added to the saved skeleton by pdf_pack.h. libharu's
 * error handler records into a context passed as user data (no global
 * jmp_buf); every step checks it. */
#include "pdf.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <hpdf.h>

#include "pdf_font.h"

/* The pages' text, compressed for every document, at the fastest level:
 * 224 bytes more than at level 6 for the seed's report, and 1.3 M fewer
 * instructions, 3% of a report's share of a batch. */
enum { STREAM_DEFLATE_LEVEL = 1 };

typedef struct haru_ctx {
    HPDF_STATUS error;
    HPDF_STATUS detail;
} haru_ctx;

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
    haru_ctx *c = user;
    if (!c->error) {
        c->error = error;
        c->detail = detail;
    }
}

typedef struct pdf_job {
    const pdf_fonts *fonts;
    const pdf_subset *subsets[PDF_NROLES]; /* by file */
} pdf_job;

/* Text is written as PDF operators directly, one TJ array a line: libharu
 * 2.3.0 has TextOut only, which writes a Td and a Tj for every run of
 * characters, and a Tc for every change of spacing (the justification
 * changes it twice for each mark that is not spaced). */
typedef struct text_pos {
    double x, y;   /* where the last Td put the line start */
    int file;      /* the font file set, -1 none */
    double size;
    double spacing; /* Tc */
} text_pos;

/* The characters of the items of one line as subset codes: item i's are
 * codes[first[i]] to codes[first[i + 1]]. Reused from line to line. */
typedef struct line_codes {
    uint32_t *codes;
    size_t *first;
    size_t cap_codes, cap_first;
} line_codes;

/* x rounded to `decimals` places (at most 4), without trailing zeros. */
static void put_number(rg_buf *b, double x, int decimals)
{
    long long scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    long long v = llround(x * (double)scale);
    if (v < 0)
        rg_buf_putc(b, '-'), v = -v;
    char digits[32];
    int n = 0;
    long long whole = v / scale, frac = v % scale;
    do
        digits[n++] = (char)('0' + whole % 10);
    while ((whole /= 10) > 0);
    while (n > 0)
        rg_buf_putc(b, digits[--n]);
    if (frac) {
        rg_buf_putc(b, '.');
        for (long long unit = scale / 10; frac; unit /= 10) {
            rg_buf_putc(b, (char)('0' + frac / unit));
            frac %= unit;
        }
    }
}

/* n coordinates (to a thousandth of a point), then the operator op. */
static void put_coords(rg_buf *b, const double *xs, size_t n, const char *op)
{
    for (size_t i = 0; i < n; i++) {
        put_number(b, xs[i], 3);
        rg_buf_putc(b, ' ');
    }
    rg_buf_puts(b, op);
}

/* A colour 0xRRGGBB as the three numbers of op (rg: fill, RG: stroke). */
static void put_rgb(rg_buf *b, uint32_t rgb, const char *op)
{
    const double c[3] = {(rgb >> 16 & 0xFF) / 255.0, (rgb >> 8 & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0};
    for (int i = 0; i < 3; i++) {
        put_number(b, c[i], 3);
        rg_buf_putc(b, ' ');
    }
    rg_buf_puts(b, op);
}

static double rounded(double x, double unit)
{
    return (double)llround(x / unit) * unit;
}

static bool same_line(const pdf_fonts *fonts, const layout_item *a, const layout_item *b)
{
    return b->text && b->y == a->y && b->size == a->size && b->rgb == a->rgb &&
           pdf_file_of(fonts, b->font) == pdf_file_of(fonts, a->font);
}

/* Appends the subset code of each character of an item's text to lc->codes
 * from index n; returns the new count. */
static size_t item_codes(const pdf_job *j, const layout_item *it, line_codes *lc, size_t n)
{
    const pdf_subset *u = j->subsets[pdf_file_of(j->fonts, it->font)];
    size_t len = strlen(it->text);
    void *arr = lc->codes;
    xgrow(&arr, &lc->cap_codes, n + len, sizeof *lc->codes); /* a character takes a byte or more */
    lc->codes = arr;
    for (size_t i = 0; i < len;)
        lc->codes[n++] = (uint32_t)pdf_subset_index(u, rg_utf8_next(it->text, len, &i));
    return n;
}

static double text_width(const pdf_job *j, const layout_item *it, line_codes *lc)
{
    size_t n = item_codes(j, it, lc, 0);
    const int *w = j->subsets[pdf_file_of(j->fonts, it->font)]->widths;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[lc->codes[i]] * it->size / 1000;
    return total;
}

/* A two-byte code in a literal string: raw bytes (they compress better
 * than hex), with the string's delimiters, the escape and the line ends
 * (which a reader would change) escaped. */
static void put_code(rg_buf *out, uint32_t code)
{
    for (int shift = 8; shift >= 0; shift -= 8) {
        unsigned char b = (unsigned char)(code >> shift);
        if (b == '(' || b == ')' || b == '\\')
            rg_buf_putc(out, '\\'), rg_buf_putc(out, (char)b);
        else if (b == '\r' || b == '\n')
            rg_buf_puts(out, b == '\r' ? "\\r" : "\\n");
        else
            rg_buf_putc(out, (char)b);
    }
}

/* The TJ array of items[order[0..n)] with Tc = tc, starting at x: each
 * item's characters advance by their widths plus tc, and a number (a move
 * left, in thousandths of the size) puts each item at its x and gives its
 * characters its own spacing where that is not tc. An item more than an em
 * to the right (a table's next cell) is left for a TJ of its own, so that
 * text extraction keeps cells apart. Appends to out unless it is NULL, and
 * then only counts, up to `limit`; returns the count of numbers, and the
 * items set in *used. */
static size_t tj_array(const pdf_job *j, const layout_item *items, const uint32_t *order, size_t n,
                       const line_codes *lc, double x, double tc, rg_buf *out, size_t limit,
                       size_t *used)
{
    const layout_item *first = &items[order[0]];
    double size = first->size, unit = size / 1000; /* a thousandth of an em */
    int file = pdf_file_of(j->fonts, first->font);
    const int *w = j->subsets[file]->widths;
    const uint16_t *glyphs = j->subsets[file]->glyphs;
    size_t numbers = 0, i = 0;
    double pen = x; /* where the next character goes, as a viewer computes it */
    bool open = false;
    if (out)
        rg_buf_putc(out, '[');
    for (; i < n; i++) {
        const layout_item *it = &items[order[i]];
        if (i > 0 && it->x - pen > size)
            break;
        for (size_t c = lc->first[i]; c < lc->first[i + 1]; c++) {
            double want = c == lc->first[i] ? it->x : pen + it->spacing - tc;
            if (fabs(pen - want) >= 0.001) { /* a thousandth of a point: invisible */
                double adjust = rounded((pen - want) * 1000 / size, 0.01);
                if (++numbers >= limit && !out) {
                    *used = i;
                    return numbers;
                }
                if (out) {
                    if (open)
                        rg_buf_putc(out, ')');
                    put_number(out, adjust, 2);
                }
                open = false;
                pen -= adjust * size / 1000;
            }
            if (out) {
                if (!open)
                    rg_buf_putc(out, '(');
                put_code(out, glyphs[lc->codes[c]]);
            }
            open = true;
            pen += w[lc->codes[c]] * unit + tc; /* not "/ 1000": a division a character */
        }
    }
    if (out)
        rg_buf_puts(out, open ? ")] TJ\n" : "] TJ\n");
    *used = i;
    return numbers;
}

/* Sets items of one baseline, font and size as one TJ (see tj_array), with
 * whichever of their spacings as Tc needs the fewest numbers. Returns how
 * many items were set. */
static size_t put_line(const pdf_job *j, const layout_style *st, const layout_item *items,
                       const uint32_t *order, size_t n, text_pos *pos, line_codes *lc, rg_buf *out)
{
    const layout_item *first = &items[order[0]];
    int file = pdf_file_of(j->fonts, first->font);
    double size = first->size;
    void *arr = lc->first;
    xgrow(&arr, &lc->cap_first, n + 1, sizeof *lc->first);
    lc->first = arr;
    lc->first[0] = 0;
    for (size_t i = 0; i < n; i++)
        lc->first[i + 1] = item_codes(j, &items[order[i]], lc, lc->first[i]);
    double dx = rounded(first->x - pos->x, 0.001), dy = rounded(st->page_h - first->y - pos->y, 0.001);
    double x = pos->x + dx, best = pos->spacing;
    size_t used, best_cost = tj_array(j, items, order, n, lc, x, best, NULL, SIZE_MAX, &used);
    for (size_t c = 0; c < n && best_cost > 1; c++) {
        double tc = items[order[c]].spacing;
        bool tried = tc == best || tc == pos->spacing; /* counted already */
        for (size_t p = 0; p < c && !tried; p++)
            tried = items[order[p]].spacing == tc;
        if (tried) /* the same spacing gives the same count */
            continue;
        /* Counted only as far as it could win: a change of Tc costs about a
         * number, so it must save two. */
        size_t cost = tj_array(j, items, order, n, lc, x, tc, NULL, best_cost - 1, &used);
        if (cost + 1 < best_cost)
            best = tc, best_cost = cost;
    }
    if (file != pos->file || size != pos->size) {
        rg_buf_printf(out, "/F%d ", file);
        put_number(out, size, 3);
        rg_buf_puts(out, " Tf\n");
        pos->file = file, pos->size = size;
    }
    if (best != pos->spacing) {
        put_number(out, best, 4);
        rg_buf_puts(out, " Tc\n");
        pos->spacing = best;
    }
    put_coords(out, (const double[]){dx, dy}, 2, "Td\n");
    pos->x = x, pos->y += dy;
    tj_array(j, items, order, n, lc, x, best, out, SIZE_MAX, &used);
    return used;
}

/* A page's rules, stroked together while their width and colour stay. */
static void draw_rules(const layout_result *r, const layout_style *st, const uint32_t *order,
                       size_t from, size_t to, rg_buf *text)
{
    bool ruled = false;
    double width = 0;
    uint32_t rgb = 0;
    for (size_t n = from; n < to; n++) {
        const layout_item *it = &r->items[order[n]];
        if (it->text || it->fill > 0)
            continue;
        double w = it->width > 0 ? it->width : 0.75;
        if (!ruled || w != width || it->rgb != rgb) {
            if (ruled)
                rg_buf_puts(text, "S\n");
            if (!ruled || w != width) {
                put_number(text, w, 3);
                rg_buf_puts(text, " w\n");
            }
            if (it->rgb != rgb)
                put_rgb(text, it->rgb, "RG\n");
            width = w, rgb = it->rgb;
        }
        ruled = true;
        put_coords(text, (const double[]){it->x, st->page_h - it->y}, 2, "m ");
        put_coords(text, (const double[]){it->x2, st->page_h - it->y2}, 2, "l\n");
    }
    if (ruled)
        rg_buf_puts(text, "S\n");
}

/* The page's content: the shaded cells, the text, the page number, then
 * the rules. */
static void draw_page(const pdf_job *j, const layout_result *r, const layout_style *st, int page,
                      const uint32_t *order, size_t from, size_t to, line_codes *codes, rg_buf *text)
{
    text->len = 0;
    for (size_t n = from; n < to; n++) {
        const layout_item *it = &r->items[order[n]];
        if (it->text || it->fill <= 0)
            continue;
        put_number(text, it->fill, 4);
        rg_buf_puts(text, " g\n");
        put_coords(text, (const double[]){it->x, st->page_h - it->y2, it->x2 - it->x, it->y2 - it->y},
                   4, "re f\n");
    }
    rg_buf_puts(text, "0 g\nBT\n");
    text_pos pos = {.file = -1};
    uint32_t fill = 0; /* the text's colour */
    for (size_t n = from, e; n < to; n = e) {
        e = n + 1;
        if (!r->items[order[n]].text)
            continue;
        if (r->items[order[n]].rgb != fill) {
            fill = r->items[order[n]].rgb;
            put_rgb(text, fill, "rg\n");
        }
        while (e < to && same_line(j->fonts, &r->items[order[n]], &r->items[order[e]]))
            e++;
        e = n + put_line(j, st, r->items, order + n, e - n, &pos, codes, text);
    }
    if (fill != 0)
        rg_buf_puts(text, "0 g\n");
    /* The blank page before the 版记 and the 版记's page have no number. */
    if (page >= r->npages - r->unnumbered) {
        rg_buf_puts(text, "ET\n");
        draw_rules(r, st, order, from, to, text);
        return;
    }
    /* Page number "— N —" below the text block: one character in from its
     * right edge on odd pages, from its left edge on even ones (or centred). */
    /* The digits in the role's Latin font (Times-like beside Song), the
     * dashes in its own: three items side by side. */
    char digits[24], before[] = "\xE2\x80\x94 ", after[] = " \xE2\x80\x94";
    snprintf(digits, sizeof digits, "%d", page + 1);
    const layout_font_role *role = &st->page_number;
    int digit_font = role->latin > 0 ? role->latin : role->font;
    layout_item parts[3] = {
        {.font = role->font, .size = role->size, .text = before},
        {.font = digit_font, .size = role->size, .text = digits},
        {.font = role->font, .size = role->size, .text = after},
    };
    double widths[3], w = 0, em = role->size;
    for (int k = 0; k < 3; k++)
        w += widths[k] = text_width(j, &parts[k], codes);
    double x = !st->page_number_outside ? (st->page_w - w) / 2
               : page % 2 == 0          ? st->margin_left + st->block_w - em - w
                                        : st->margin_left + em;
    for (int k = 0; k < 3; k++) {
        parts[k].x = x;
        parts[k].y = st->margin_top + st->block_h + st->page_number_gap;
        x += widths[k];
    }
    const uint32_t in_order[3] = {0, 1, 2};
    for (size_t k = 0; k < 3; k++) /* put_line sets items of one font */
        put_line(j, st, parts, in_order + k, 1, &pos, codes, text);
    rg_buf_puts(text, "ET\n");
    draw_rules(r, st, order, from, to, text);
}

/* Draws every page into p, with one resources dictionary naming every
 * font (/F0 is file 0). 0, or -1 with *why. */
static int draw_pages(const pdf_job *j, const layout_result *r,
                      const layout_style *st, pdf_packer *p, const char **why)
{
    rg_buf b = {0};
    rg_buf_puts(&b, "<<\n/Font <<");
    for (int k = 0; k < j->fonts->nfiles; k++)
        rg_buf_printf(&b, " /F%d %zu 0 R", k, pdf_subset_add(p, j->subsets[k]));
    rg_buf_puts(&b, " >>\n>>");
    size_t resources = pdf_pack_add(p, b.data, NULL, 0);
    b.len = 0;
    rg_buf_printf(&b, "%zu 0 R", resources);
    /* The items of each page, in their order: a counting sort, since the
     * repeated table headers are appended after the rest. 4 bytes an item. */
    size_t *first = xcalloc((size_t)r->npages + 2, sizeof *first);
    uint32_t *order = xcalloc(r->nitems ? r->nitems : 1, sizeof *order);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].page >= 0 && r->items[i].page < r->npages)
            first[r->items[i].page + 2]++;
    for (int pg = 0; pg < r->npages; pg++)
        first[pg + 2] += first[pg + 1];
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].page >= 0 && r->items[i].page < r->npages)
            order[first[r->items[i].page + 1]++] = (uint32_t)i;
    rg_buf text = {0}, z = {0};
    line_codes codes = {0};
    int rc = 0;
    for (int page = 0; page < r->npages && rc == 0; page++) {
        draw_page(j, r, st, page, order, first[page], first[page + 1], &codes, &text);
        if (flate_zlib(STREAM_DEFLATE_LEVEL, text.data, text.len, &z) != 0) {
            *why = "out of memory compressing a page";
            rc = -1;
        } else if (pdf_pack_set_contents(p, (size_t)page, "/Filter /FlateDecode", z.data, z.len,
                                         why) != 0 ||
                   pdf_pack_set(p, (size_t)page, "/Resources", b.data, why) != 0) {
            rc = -1;
        }
    }
    rg_buf_fini(&text), rg_buf_fini(&z), rg_buf_fini(&b);
    free(codes.codes);
    free(codes.first);
    free(first);
    free(order);
    return rc;
}

/* The skeleton: the pages, the outline (the title, and under it every
 * heading, nested by level) and the information dictionary, saved into
 * *saved. Text strings go through libharu's UTF-8 encoder, which writes
 * them as UTF-16 (characters beyond U+FFFF become spaces: 2.3.0 keeps
 * 16 bits). NULL, or what failed. */
static const char *skeleton(const layout_result *r, const layout_style *st, const pdf_meta *meta,
                            rg_buf *saved, haru_ctx *err)
{
    HPDF_Doc pdf = HPDF_New(on_error, err);
    if (!pdf)
        return "cannot start a PDF document (out of memory?)";
    const char *why = NULL;
    HPDF_Encoder utf8 = NULL;
    if (HPDF_UseUTFEncodings(pdf) != HPDF_OK || HPDF_SetCurrentEncoder(pdf, "UTF-8") != HPDF_OK ||
        !(utf8 = HPDF_GetEncoder(pdf, "UTF-8")))
        why = "cannot set up UTF-8 text";
    for (int page = 0; page < r->npages && !why; page++) {
        HPDF_Page p = HPDF_AddPage(pdf);
        if (!p || HPDF_Page_SetWidth(p, (HPDF_REAL)st->page_w) != HPDF_OK ||
            HPDF_Page_SetHeight(p, (HPDF_REAL)st->page_h) != HPDF_OK)
            why = "cannot add a page";
    }
    HPDF_Outline parent[DOC_MAX_LEVEL + 1] = {NULL};
    for (size_t i = 0; i < r->nmarks && !why; i++) {
        const layout_mark *mk = &r->marks[i];
        int level = mk->level < 0 ? 0 : mk->level > DOC_MAX_LEVEL ? DOC_MAX_LEVEL : mk->level;
        HPDF_Outline up = NULL;
        for (int k = level - 1; k >= 0 && !up; k--)
            up = parent[k];
        HPDF_Outline o = HPDF_CreateOutline(pdf, up, mk->text, utf8);
        HPDF_Page p = HPDF_GetPageByIndex(pdf, (HPDF_UINT)mk->page);
        HPDF_Destination dst = o && p ? HPDF_Page_CreateDestination(p) : NULL;
        if (!dst || HPDF_Destination_SetFitH(dst, (HPDF_REAL)(st->page_h - mk->y + 24)) != HPDF_OK ||
            HPDF_Outline_SetDestination(o, dst) != HPDF_OK ||
            HPDF_Outline_SetOpened(o, level < 1) != HPDF_OK)
            why = "cannot add a bookmark";
        parent[level] = o;
        for (int k = level + 1; k <= DOC_MAX_LEVEL; k++)
            parent[k] = NULL;
    }
    const HPDF_InfoType keys[3] = {HPDF_INFO_TITLE, HPDF_INFO_AUTHOR, HPDF_INFO_SUBJECT};
    const char *const values[3] = {meta->title, meta->author, meta->subject};
    for (int i = 0; i < 3 && !why; i++)
        if (values[i] && HPDF_SetInfoAttr(pdf, keys[i], values[i]) != HPDF_OK)
            why = "cannot set the document's information";
    if (!why && HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "parkreport") != HPDF_OK)
        why = "cannot set the document's information";
    if (!why && meta->created != (time_t)-1) {
        struct tm tm;
        gmtime_r(&meta->created, &tm);
        HPDF_Date date = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec, 'Z', 0, 0};
        if (HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, date) != HPDF_OK ||
            HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, date) != HPDF_OK)
            why = "cannot set the document's dates";
    }
    /* Saved to libharu's memory stream and read back whole. */
    if (!why && HPDF_SaveToStream(pdf) != HPDF_OK)
        why = "cannot save the document";
    if (!why) {
        HPDF_UINT32 size = HPDF_GetStreamSize(pdf), got = size;
        saved->data = xrealloc(saved->data, (size_t)size + 1);
        saved->cap = (size_t)size + 1;
        HPDF_STATUS st_read = HPDF_ReadFromStream(pdf, (HPDF_BYTE *)saved->data, &got);
        saved->len = got;
        if ((st_read != HPDF_OK && st_read != HPDF_STREAM_EOF) || got != size)
            why = "cannot read the saved document back";
    }
    if (!why && err->error)
        why = "libharu reported an error";
    HPDF_Free(pdf);
    return why;
}

static int by_cp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int pdf_write(pdf_cache *c, const layout_result *r, const layout_style *st, const pdf_meta *meta,
              rg_buf *out, rg_diags *diags)
{
    const pdf_fonts *fonts = c->fonts;
    pdf_job j = {.fonts = fonts};
    used_chars *used = xcalloc(PDF_NROLES, sizeof *used);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].text)
            used_add_text(&used[pdf_file_of(fonts, r->items[i].font)], r->items[i].text);
    used_add_text(&used[pdf_file_of(fonts, st->page_number.font)], "\xE2\x80\x94 0123456789");
    if (st->page_number.latin > 0)
        used_add_text(&used[pdf_file_of(fonts, st->page_number.latin)], "0123456789");
    int rc = -1;
    for (int k = 0; k < fonts->nfiles; k++) {
        if (used[k].n == 0)
            used_add(&used[k], ' ');
        qsort(used[k].cps, used[k].n, sizeof *used[k].cps, by_cp);
        if (!(j.subsets[k] = pdf_subset_of(c, k, &used[k], diags)))
            goto done;
    }
    haru_ctx err = {0};
    rg_buf saved = {0};
    const char *why = skeleton(r, st, meta, &saved, &err);
    pdf_packer *p = why ? NULL : pdf_pack_read(saved.data, saved.len, &why);
    if (p && draw_pages(&j, r, st, p, &why) == 0 &&
        pdf_pack_set(p, PDF_PACK_CATALOG, "/Lang", "(zh-CN)", &why) == 0 &&
        pdf_pack_write(p, out, &why) == 0)
        rc = 0;
    if (rc != 0)
        rg_diag_add(diags, RG_ERROR, meta->name, 0, 0,
                    "cannot write the PDF: %s (libharu error 0x%04X, detail %u)", why,
                    (unsigned)err.error, (unsigned)err.detail);
    pdf_pack_free(p);
    rg_buf_fini(&saved);
done:
    for (int k = 0; k < PDF_NROLES; k++)
        used_fini(&used[k]);
    free(used);
    return rc;
}
