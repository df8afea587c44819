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
    LINE_PAGE_BREAK,
    LINE_FRAME /* items placed against the page (the 版头, the 版记), not the grid */
} line_kind;

typedef struct line {
    line_kind kind;
    size_t first_item, end_item; /* in the result, y unset until pagination */
    bool para_first, para_last;
    double size; /* largest size on the line */
    long header; /* a table row: the index of its table's header line, or -1 for the header */
    int keep;    /* how many lines go on its page with it: a chart's first line, the
                    line before a signature; the 版记: the lines it takes */
    bool foot;   /* the 版记: on the foot of an even page (place_foot) */
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
/* A copy of s kept as long as the result. */
char *keep_text(layout_result *r, const char *s, size_t len);
/* A bookmark for the block set from line `first_line` on (its page comes
 * with pagination). */
void add_mark(layout_result *r, int level, const char *text, size_t first_line);
/* The font that sets cp in text of `role`: its Latin font for letters and
 * digits, the fallback for a character the role's own font lacks. */
int font_for(const layout_style *st, const layout_font_role *role, uint32_t cp,
             const layout_metrics *mx);
/* Whether a long word is best cut after cp. */
bool cut_after(uint32_t cp);
/* Marks a line may not start with (，。、）” …) or end with (（“《 …). */
bool layout_no_line_start(uint32_t cp);
bool layout_no_line_end(uint32_t cp);

void set_table(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
               const layout_metrics *mx);
void set_chart(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
               const layout_metrics *mx);

/* layout_frame.c: the official document's frame. set_frame sets d's
 * DOC_FRAME block i and those of its group after it; returns the index of
 * the first block it did not set. place_foot puts the 版记 on the foot of
 * the next even page that has room, after a blank page if need be, and
 * moves *page and *slot past it. */
size_t set_frame(layout_result *r, lines *ls, const doc *d, size_t i, const layout_style *st,
                 const layout_metrics *mx);
void place_foot(layout_result *r, const line *ln, const layout_style *st, int per_page, int *page,
                int *slot);

#endif
