/* layout_frame.c - the official document's frame, GB/T 9704-2012 section 7
 * (see layout_impl.h and docs/document-form.md): the 版头 above the title,
 * the 主送机关 after it, the 附件说明, the signature, date and 附注 after
 * the body, each attachment's first lines, and the 版记 on the foot of the
 * last, even page. Text of the frame is data, set as it reads; only the
 * labels (附件, 抄送, 签发人) and the numbers of attachments are added. */
#include "layout_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The top of an ideograph's em box over the baseline, in ems: GB/T 9704
 * measures the mark's distance from the block to the top of its characters. */
#define EM_ASCENT 0.88

static bool is_part(const doc *d, size_t i, doc_frame_part first, doc_frame_part last)
{
    return i < d->nblocks && d->blocks[i].kind == DOC_FRAME && d->blocks[i].part >= first &&
           d->blocks[i].part <= last;
}

/* Sets s on one line from x in `font`, a character it lacks in the fallback
 * font; only measures when !draw. Returns the width. */
static double put_text(layout_result *r, const layout_style *st, const layout_metrics *mx,
                       layout_font_role role, double x, const char *s, bool draw)
{
    size_t len = strlen(s);
    double start = x;
    for (size_t i = 0; i < len;) {
        size_t from = i;
        double from_x = x;
        int font = -1;
        while (i < len) {
            size_t at = i;
            uint32_t cp = rg_utf8_next(s, len, &i);
            int f = role.font;
            if (mx->has && st->fallback_font >= 0 && !mx->has(mx->ud, f, cp) &&
                mx->has(mx->ud, st->fallback_font, cp))
                f = st->fallback_font;
            if (font >= 0 && f != font) {
                i = at;
                break;
            }
            font = f;
            x += mx->advance(mx->ud, f, cp) * role.size / 1000;
        }
        if (draw)
            add_item(r, font, role.size, from_x, s + from, i - from);
    }
    return x - start;
}

/* Items [from, end) go to baseline y of a line whose own baseline is y0. */
static void rise_to(layout_result *r, size_t from, double y0, double y)
{
    for (size_t k = from; k < r->nitems; k++)
        r->items[k].rise = r->items[k].rise2 = y0 - y;
}

static void colour(layout_result *r, size_t from, uint32_t rgb)
{
    for (size_t k = from; k < r->nitems; k++)
        r->items[k].rgb = rgb;
}

/* A rule across the block at y, from a line whose baseline is y0. */
static void rule_at(layout_result *r, const layout_style *st, double y0, double y, double width,
                    uint32_t rgb)
{
    add_rule(r, st->margin_left, y0 - y, st->margin_left + st->block_w, y0 - y);
    r->items[r->nitems - 1].width = width;
    r->items[r->nitems - 1].rgb = rgb;
}

/* A line of the grid holding what was set from item `from` on. */
static line *grid_line(layout_result *r, lines *ls, size_t from, double size)
{
    line *ln = add_line(ls, LINE_BODY);
    ln->first_item = from;
    ln->end_item = r->nitems;
    ln->para_first = ln->para_last = true;
    ln->size = size;
    return ln;
}

/* The 版头: 份号, 密级, 紧急程度 on the first lines, top left; the red
 * 发文机关标志 centred issuer_top below the block's top; the 发文字号 two
 * lines below it (centred, or one character in from the left with 签发人
 * one character in from the right); the red rule red_rule_gap below; the
 * title two lines below the rule. */
static size_t set_head(layout_result *r, lines *ls, const doc *d, size_t i,
                       const layout_style *st, const layout_metrics *mx)
{
    const char *text[DOC_FRAME_COUNT] = {NULL};
    for (; is_part(d, i, DOC_FRAME_COPY_NUMBER, DOC_FRAME_SIGNER); i++)
        text[d->blocks[i].part] = d->blocks[i].runs[0].text;
    const layout_font_role body = st->role[DOC_STYLE_BODY];
    double em = body.size, pitch = st->line_pitch, y0 = st->margin_top + em;
    double left = st->margin_left, right = st->margin_left + st->block_w;
    add_line(ls, LINE_PAGE_BREAK); /* the 版头 heads a page */
    size_t first = r->nitems;
    int rows = 0;
    for (int p = DOC_FRAME_COPY_NUMBER; p <= DOC_FRAME_URGENCY; p++) {
        if (!text[p])
            continue;
        size_t at = r->nitems;
        put_text(r, st, mx, st->role[DOC_STYLE_H1], left, text[p], true);
        rise_to(r, at, y0, y0 + rows++ * pitch);
    }
    double bottom = rows ? y0 + (rows - 1) * pitch : st->margin_top; /* of what is set */
    /* The next element's top: the mark's, else the number's, on the next line. */
    double y = text[DOC_FRAME_ISSUER] ? st->margin_top + st->issuer_top
                                      : st->margin_top + rows * pitch;
    if (text[DOC_FRAME_ISSUER]) {
        layout_font_role mark = st->issuer;
        double w = put_text(r, st, mx, mark, 0, text[DOC_FRAME_ISSUER], false);
        if (w > st->block_w) { /* a long name is set smaller, never past the block */
            mark.size *= st->block_w / w;
            w = st->block_w;
        }
        size_t at = r->nitems;
        put_text(r, st, mx, mark, left + (st->block_w - w) / 2, text[DOC_FRAME_ISSUER], true);
        double base = y + EM_ASCENT * mark.size;
        rise_to(r, at, y0, base);
        colour(r, at, st->red);
        bottom = base + (1 - EM_ASCENT) * mark.size;
        y = bottom + 2 * pitch; /* two empty lines below the mark */
    }
    if (text[DOC_FRAME_NUMBER] || text[DOC_FRAME_SIGNER]) {
        double base = y + EM_ASCENT * em;
        size_t at = r->nitems;
        const char *number = text[DOC_FRAME_NUMBER];
        if (text[DOC_FRAME_SIGNER]) {
            /* An upward document: the number one character in from the left,
             * 签发人：NAME (the name in Kai) one character in from the right. */
            if (number)
                put_text(r, st, mx, body, left + em, number, true);
            const char *label = "签发人：";
            double name_w = put_text(r, st, mx, st->role[DOC_STYLE_H2], 0, text[DOC_FRAME_SIGNER],
                                     false);
            double label_w = put_text(r, st, mx, body, 0, label, false);
            double x = right - em - name_w;
            put_text(r, st, mx, body, x - label_w, label, true);
            put_text(r, st, mx, st->role[DOC_STYLE_H2], x, text[DOC_FRAME_SIGNER], true);
        } else {
            double w = put_text(r, st, mx, body, 0, number, false);
            put_text(r, st, mx, body, left + (st->block_w - w) / 2, number, true);
        }
        rise_to(r, at, y0, base);
        bottom = base + st->red_rule_gap;
        if (text[DOC_FRAME_ISSUER])
            rule_at(r, st, y0, bottom, st->red_rule_width, st->red);
    } else if (text[DOC_FRAME_ISSUER]) {
        bottom += st->red_rule_gap;
        rule_at(r, st, y0, bottom, st->red_rule_width, st->red);
    }
    line *ln = add_line(ls, LINE_FRAME);
    ln->first_item = first;
    ln->end_item = r->nitems;
    ln->size = em;
    /* The first line of the grid wholly below what is set stays empty, and
     * so does the next: the title comes two lines below the rule. */
    int free_slot = (int)ceil((bottom - y0 + em) / pitch - 1e-6);
    if (free_slot < 1)
        free_slot = 1;
    for (int k = 1; k < free_slot + 2; k++)
        add_line(ls, LINE_BLANK);
    return i;
}

/* 附件说明, one blank line below the body: "附件：1. NAME" two characters
 * in, the numbers under each other, a long name wrapping under its own
 * first character; one attachment has no number. */
static size_t set_attachments(layout_result *r, lines *ls, const doc *d, size_t i,
                              const layout_style *st, const layout_metrics *mx)
{
    size_t n = 0;
    while (is_part(d, i + n, DOC_FRAME_ATTACHMENT, DOC_FRAME_ATTACHMENT))
        n++;
    const layout_font_role body = st->role[DOC_STYLE_BODY];
    double em = body.size, x0 = st->margin_left + 2 * em;
    const char *label = "附件：";
    double number_x = x0 + put_text(r, st, mx, body, 0, label, false), number_w = 0;
    char num[32];
    for (size_t k = 0; n > 1 && k < n; k++) {
        snprintf(num, sizeof num, "%zu.", k + 1);
        double w = put_text(r, st, mx, body, 0, num, false);
        number_w = w > number_w ? w : number_w;
    }
    layout_style names = *st;
    names.margin_left = number_x + number_w;
    names.block_w = st->margin_left + st->block_w - names.margin_left;
    add_line(ls, LINE_BLANK);
    for (size_t k = 0; k < n; k++, i++) {
        size_t at = r->nitems, first_line = ls->n;
        if (k == 0)
            put_text(r, st, mx, body, x0, label, true);
        if (n > 1) {
            snprintf(num, sizeof num, "%zu.", k + 1);
            put_text(r, st, mx, body, number_x, num, true);
        }
        set_block(r, ls, &d->blocks[i], &names, mx, LINE_BODY, false, 0);
        ls->l[first_line].first_item = at; /* the label and number join its first line */
    }
    return i;
}

/* The signature two characters in from the right, one blank line below the
 * body or 附件说明; the date on the next line, its first character two
 * characters right of the signature's (or, when longer, two characters in
 * from the right, the signature moved left to match); the 附注 in its
 * parentheses two characters in on the line after. They go to a page
 * together with the last line before them. */
static size_t set_signature(layout_result *r, lines *ls, const doc *d, size_t i,
                            const layout_style *st, const layout_metrics *mx)
{
    const doc_block *part[DOC_FRAME_COUNT] = {NULL};
    for (; is_part(d, i, DOC_FRAME_SIGNATURE, DOC_FRAME_NOTE); i++)
        part[d->blocks[i].part] = &d->blocks[i];
    const layout_font_role body = st->role[DOC_STYLE_BODY];
    double em = body.size, right = st->margin_left + st->block_w;
    size_t before = ls->n;
    while (before > 0 && (ls->l[before - 1].kind == LINE_BLANK ||
                          ls->l[before - 1].kind == LINE_PAGE_BREAK))
        before--;
    const char *sig = part[DOC_FRAME_SIGNATURE] ? part[DOC_FRAME_SIGNATURE]->runs[0].text : NULL;
    const char *date = part[DOC_FRAME_DATE] ? part[DOC_FRAME_DATE]->runs[0].text : NULL;
    if (sig || date) {
        double sig_w = sig ? put_text(r, st, mx, body, 0, sig, false) : 0;
        double date_w = date ? put_text(r, st, mx, body, 0, date, false) : 0;
        double sig_x = right - 2 * em - sig_w, date_x = sig_x + 2 * em;
        if (!sig || date_x + date_w > right - 2 * em) {
            date_x = right - 2 * em - date_w;
            sig_x = date_x - 2 * em;
        }
        add_line(ls, LINE_BLANK);
        if (sig) {
            size_t at = r->nitems;
            put_text(r, st, mx, body, sig_x < st->margin_left ? st->margin_left : sig_x, sig, true);
            grid_line(r, ls, at, em);
        }
        if (date) {
            size_t at = r->nitems;
            put_text(r, st, mx, body, date_x < st->margin_left ? st->margin_left : date_x, date,
                     true);
            grid_line(r, ls, at, em);
        }
    }
    if (part[DOC_FRAME_NOTE])
        set_block(r, ls, part[DOC_FRAME_NOTE], st, mx, LINE_BODY, false, 2 * em);
    if (before > 0) {
        line *last = &ls->l[before - 1];
        int keep = (int)(ls->n - before) + 1;
        if (last->keep < keep)
            last->keep = keep;
    }
    return i;
}

/* An attachment's first page: "附件N" (or "附件" when there is one) flush
 * left in the level-1 heading's font on the first line, its title centred
 * on the third; a bookmark beside the title's. */
static size_t set_annex(layout_result *r, lines *ls, const doc *d, size_t i,
                        const layout_style *st, const layout_metrics *mx)
{
    size_t n = 0, index = 0;
    for (size_t k = 0; k < d->nblocks; k++)
        if (is_part(d, k, DOC_FRAME_ANNEX, DOC_FRAME_ANNEX))
            n++, index += k <= i;
    char label[32];
    if (n > 1)
        snprintf(label, sizeof label, "附件%zu", index);
    else
        snprintf(label, sizeof label, "附件");
    const doc_block *blk = &d->blocks[i];
    rg_buf mark = {0};
    rg_buf_printf(&mark, "%s　%s", label, blk->runs[0].text);
    add_line(ls, LINE_PAGE_BREAK);
    add_mark(r, 0, keep_text(r, mark.data, mark.len), ls->n);
    rg_buf_fini(&mark);
    size_t at = r->nitems;
    put_text(r, st, mx, st->role[DOC_STYLE_H1], st->margin_left, label, true);
    grid_line(r, ls, at, st->role[DOC_STYLE_H1].size)->kind = LINE_HEADING;
    add_line(ls, LINE_BLANK);
    doc_run title = {DOC_STYLE_TITLE, blk->runs[0].text};
    doc_block title_block = *blk;
    title_block.runs = &title;
    title_block.nruns = 1;
    set_block(r, ls, &title_block, st, mx, LINE_TITLE, true, 0);
    add_line(ls, LINE_BLANK);
    return i + 1;
}

/* The 版记, bottom up: 印发机关 one character in from the left and 印发日期
 * one character in from the right on the last line, 抄送：ORGANS above it
 * (wrapping under the first organ); a thick rule above and below them, a
 * thin one between. One LINE_FRAME line; place_foot puts it on a page. */
static size_t set_imprint(layout_result *r, lines *ls, const doc *d, size_t i,
                          const layout_style *st, const layout_metrics *mx)
{
    const layout_font_role type = st->imprint;
    double em = type.size, pitch = st->line_pitch;
    double left = st->margin_left + em, right = st->margin_left + st->block_w - em;
    double bottom = st->margin_top + st->block_h;
    const char *printer = NULL, *printed = NULL;
    size_t first = r->nitems;
    lines rows = {0};
    const char *label = "抄送：";
    double label_w = put_text(r, st, mx, type, 0, label, false);
    layout_style organs = *st;
    organs.role[DOC_STYLE_BODY] = type;
    organs.pitch = 0; /* 4号 text: not on the body's 16 pt grid */
    organs.margin_left = left + label_w;
    organs.block_w = right - organs.margin_left;
    size_t labelled = 0;
    for (; is_part(d, i, DOC_FRAME_COPY_TO, DOC_FRAME_PRINTED); i++) {
        const doc_block *blk = &d->blocks[i];
        if (blk->part == DOC_FRAME_PRINTER) {
            printer = blk->runs[0].text;
        } else if (blk->part == DOC_FRAME_PRINTED) {
            printed = blk->runs[0].text;
        } else {
            size_t at = r->nitems, first_row = rows.n;
            if (labelled++ == 0)
                put_text(r, st, mx, type, left, label, true);
            doc_run run = {DOC_STYLE_BODY, blk->runs[0].text};
            doc_block copy = *blk;
            copy.runs = &run;
            copy.nruns = 1;
            set_block(r, &rows, &copy, &organs, mx, LINE_BODY, false, 0);
            rows.l[first_row].first_item = at;
        }
    }
    int nrows = (int)rows.n + (printer || printed);
    /* Text sits in the middle of its row, between the rules. */
    double lift = (pitch - em) / 2 + (1 - EM_ASCENT) * em;
    for (size_t k = 0; k < rows.n; k++)
        for (size_t it = rows.l[k].first_item; it < rows.l[k].end_item; it++)
            r->items[it].rise = r->items[it].rise2 = (double)(nrows - (int)k - 1) * pitch + lift;
    free(rows.l);
    if (printer || printed) {
        size_t at = r->nitems;
        if (printer)
            put_text(r, st, mx, type, left, printer, true);
        if (printed)
            put_text(r, st, mx, type, right - put_text(r, st, mx, type, 0, printed, false),
                     printed, true);
        rise_to(r, at, bottom, bottom - lift);
    }
    rule_at(r, st, bottom, bottom - nrows * pitch, st->imprint_thick, 0);
    if (rows.n && (printer || printed))
        rule_at(r, st, bottom, bottom - pitch, st->imprint_thin, 0);
    rule_at(r, st, bottom, bottom, st->imprint_thick, 0);
    line *ln = add_line(ls, LINE_FRAME);
    ln->first_item = first;
    ln->end_item = r->nitems;
    ln->size = em;
    ln->keep = nrows;
    ln->foot = true;
    return i;
}

size_t set_frame(layout_result *r, lines *ls, const doc *d, size_t i, const layout_style *st,
                 const layout_metrics *mx)
{
    switch (d->blocks[i].part) {
    case DOC_FRAME_COPY_NUMBER:
    case DOC_FRAME_SECRECY:
    case DOC_FRAME_URGENCY:
    case DOC_FRAME_ISSUER:
    case DOC_FRAME_NUMBER:
    case DOC_FRAME_SIGNER:
        return set_head(r, ls, d, i, st, mx);
    case DOC_FRAME_TO: /* flush left, a long one wrapping flush left */
        set_block(r, ls, &d->blocks[i], st, mx, LINE_BODY, false, 0);
        return i + 1;
    case DOC_FRAME_ATTACHMENT:
        return set_attachments(r, ls, d, i, st, mx);
    case DOC_FRAME_SIGNATURE:
    case DOC_FRAME_DATE:
    case DOC_FRAME_NOTE:
        return set_signature(r, ls, d, i, st, mx);
    case DOC_FRAME_ANNEX:
        return set_annex(r, ls, d, i, st, mx);
    case DOC_FRAME_COPY_TO:
    case DOC_FRAME_PRINTER:
    case DOC_FRAME_PRINTED:
    case DOC_FRAME_COUNT:
        break;
    }
    return set_imprint(r, ls, d, i, st, mx);
}

void place_foot(layout_result *r, const line *ln, const layout_style *st, int per_page, int *page,
                int *slot)
{
    /* Pages are 0-based: an even page is an odd index. */
    int at = *page;
    bool blank = false;
    if (at % 2 == 1 && *slot + ln->keep > per_page) {
        at += 2, blank = true;
    } else if (at % 2 == 0) {
        blank = *slot == 0 && at > 0; /* this page stays empty */
        at += 1;
    }
    double bottom = st->margin_top + st->block_h;
    for (size_t k = ln->first_item; k < ln->end_item; k++) {
        layout_item *it = &r->items[k];
        it->page = at;
        it->y = bottom - it->rise;
        it->y2 = bottom - it->rise2;
    }
    r->unnumbered = blank ? 2 : 0;
    *page = at;
    *slot = per_page;
}
