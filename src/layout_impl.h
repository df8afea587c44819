/* layout_impl.h - what layout.c (paragraphs, pages) and layout_table.c
 * (tables, charts) share. Not a public header. */
#ifndef RG_LAYOUT_IMPL_H
#define RG_LAYOUT_IMPL_H

#include "layout.h"

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

line *add_line(lines *ls, line_kind kind);
/* Items of the result: text (copied), a rule, a bar. */
void add_item(layout_result *r, int font, double size, double x, const char *text, size_t len);
void add_rule(layout_result *r, double x, double rise, double x2, double rise2);
void add_bar(layout_result *r, double x, double rise, double x2, double rise2, double grey);
/* Breaks a block's runs into lines of `kind`, justified or centred, the
 * first shortened by indent. */
void set_block(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
               const layout_metrics *mx, line_kind kind, bool centred, double indent);
/* The font that sets cp in text of `role`: its Latin font for letters and
 * digits, the fallback for a character the role's own font lacks. */
int font_for(const layout_style *st, const layout_font_role *role, uint32_t cp,
             const layout_metrics *mx);
/* Whether a long word is best cut after cp. */
bool cut_after(uint32_t cp);

void set_table(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
               const layout_metrics *mx);
void set_chart(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
               const layout_metrics *mx);

#endif
