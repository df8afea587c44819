/* layout.h - line breaking, justification and pagination; pure, no PDF calls.
 *
 * Pipeline stage 4: document -> positioned text. Text widths come from a
 * metrics interface, so tests use fake metrics and the PDF stage supplies
 * the real fonts'. Rules (docs/typesetting.md): no line starts with a closing
 * mark or ends with an opening one; numbers with their decimal point, percent
 * sign and 万/亿/元, and Latin words, are never split; —— and …… stay whole;
 * full-width characters sit on the style's character pitch; each paragraph's
 * breaks are chosen together, to keep the worst line (then all of them)
 * nearest the grid, compressing punctuation (a line-end mark set half width,
 * adjacent marks to 1.5 em, a line-start opening mark's blank half) before
 * stretching the gaps between characters; lines are justified except a
 * paragraph's last; paragraphs start with a two-character indent and never
 * end on a line of one character; headings stay with two lines of the text
 * after them; a paragraph's first line never ends a page alone, its last
 * never starts one (the page ends a line short instead). Tables are ruled, a row a
 * line, their columns as wide as their text; columns of numbers align on
 * the decimal point; the header row is repeated on each page. Charts are
 * horizontal bars, a bar a line, kept on one page.
 *
 * Ownership: layout_run returns a result the caller frees with layout_free.
 */
#ifndef RG_LAYOUT_H
#define RG_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"

typedef struct layout_metrics {
    void *ud;
    /* Advance of code point cp in font `font`, in 1/1000 em. */
    double (*advance)(void *ud, int font, uint32_t cp);
    /* Whether font `font` has cp; NULL: every font has every character. */
    bool (*has)(void *ud, int font, uint32_t cp);
} layout_metrics;

typedef struct layout_font_role {
    int font;    /* an index the metrics and the renderer understand */
    double size; /* pt */
    int latin;   /* the font of ASCII and Latin letters and digits, where it has
                    them; 0: the role's own font */
} layout_font_role;

typedef struct layout_style {
    double page_w, page_h;          /* pt */
    double margin_left, margin_top; /* pt, to the text block */
    double block_w, block_h;        /* pt */
    double line_pitch;              /* pt, baseline to baseline */
    /* pt from one full-width character of body size to the next (the grid's
     * characters a line: block_w / 28 in GB/T 9704, glyphs of 16 pt on a
     * pitch of 15.79 pt, as the Word/WPS document grid sets them); 0: each
     * character at its own advance. */
    double pitch;
    layout_font_role role[DOC_STYLE_COUNT];
    layout_font_role table;         /* table cells; a table's caption is set as H1 */
    int fallback_font;              /* for a character the run's font lacks; -1: none */
    layout_font_role page_number;
    double page_number_gap; /* pt from the bottom of the block to the number's baseline */
    bool page_number_outside; /* odd pages right, even left (GB/T 9704); else centred */
    /* The official document's frame (GB/T 9704-2012 section 7), used only
     * by a document that has one (doc.h's DOC_FRAME blocks). */
    layout_font_role issuer;  /* 发文机关标志: the title's font; narrowed to the block */
    double issuer_top;        /* pt from the block's top to the mark's top edge */
    double red_rule_gap;      /* pt from the 发文字号's baseline to the red rule */
    double red_rule_width;    /* pt */
    uint32_t red;             /* the mark's and the rule's colour, 0xRRGGBB */
    layout_font_role imprint; /* 版记's text */
    double imprint_thick, imprint_thin; /* pt: its first and last rules, those between */
} layout_style;

/* GB/T 9704-2012: A4, 156 x 225 mm block 37 mm from the top and 28 mm from
 * the left, 22 lines of 28 characters of 16 pt, title 22 pt; tables in 12 pt,
 * a row on each line of the grid. Fonts: 0 body (Song), 1 title (Xiaobiaosong
 * or Hei), 2 level-1 headings (Hei), 3 level-2 headings (Kai), 4 fallback,
 * 5 Latin beside Song and Kai (a Times-like serif), 6 Latin beside Hei (an
 * Arial-like sans); the renderer maps them to files. */
void layout_style_gbt9704(layout_style *st);

/* Reads a style file (templates/gbt9704.style documents the keys): the
 * GB/T 9704 values, changed by each "KEY VALUE..." line of text. Returns 0,
 * or -1 with errors (NAME:LINE:COL) in diags. */
int layout_style_parse(const char *name, const char *text, size_t len, layout_style *st,
                       rg_diags *diags);

typedef struct layout_item {
    int page;     /* 0-based */
    int font;
    double size;
    double x, y;  /* pt from the page's left and top edges; y is the baseline */
    char *text;   /* UTF-8; NULL for a rule or a bar */
    double spacing; /* pt added after each character (justification) */
    /* A rule (a table's lines, a chart's axis): from (x, y) to (x2, y2). A
     * bar (fill > 0): the rectangle between them, filled with that grey
     * (0 black, 1 white). rise and rise2 are the heights of y and y2 over the
     * baseline of the line they belong to. */
    double x2, y2, rise, rise2;
    double fill;
    double width;  /* a rule's line width in pt; 0: the default, 0.75 */
    uint32_t rgb;  /* colour of the text or rule, 0xRRGGBB; 0: black */
} layout_item;

/* Where a heading was set, for the PDF's bookmarks. */
typedef struct layout_mark {
    int level; /* 0 the title or an attachment (附件), 1-4 headings */
    const char *text; /* the heading with its number; lives as long as the result */
    int page;
    double y; /* the baseline of its first line */
} layout_mark;

typedef struct layout_result {
    layout_item *items;
    size_t nitems, cap;
    int npages;
    layout_mark *marks;
    size_t nmarks, mcap;
    struct layout_text *texts; /* where the items' texts are kept */
    int unnumbered; /* the last this many pages carry no page number: a blank
                       page before the 版记 and the 版记's page */
} layout_result;

layout_result *layout_run(const doc *d, const layout_style *st, const layout_metrics *mx);
void layout_free(layout_result *r);

#endif
