/* doc.h - the document: what the template produces and the layout sets.
 *
 * Pipeline stage 3: template text -> document. The template writes a plain
 * line-based form (documented in docs/document-form.md):
 *
 *     = TITLE            the document title
 *     #1 TEXT            a heading of level 1-4, numbered 一、 （一） 1. （1）
 *     #2> TEXT           a heading run in to the start of the next paragraph
 *     #page              a page break
 *     #table CAPTION     a table; its rows follow, the first the header:
 *     | cell | cell |    one row (\| is a literal bar in a cell)
 *     #chart CAPTION     a bar chart of the rows that follow: a header
 *                        (axis title, series names), then a label and
 *                        numbers per row
 *     (blank line)       ends a paragraph; lines of one paragraph are joined
 *                        with no space between them (Chinese has none)
 *     #issuer TEXT       an element of the official document's frame
 *                        (GB/T 9704-2012): see doc_frame_part
 *     \X                 the character X as text, anywhere: data comes
 *                        escaped (doc_escape), so it is never a marker
 *
 * Section numbers come from the structure, so moving a section renumbers the
 * rest. doc_parse returns NULL with errors (NAME:LINE:COL) on a bad line.
 */
#ifndef RG_DOC_H
#define RG_DOC_H

#include <stddef.h>

#include "util.h"

#define DOC_MAX_LEVEL 4

typedef enum {
    DOC_TITLE,
    DOC_HEADING,
    DOC_PARAGRAPH,
    DOC_PAGE_BREAK,
    DOC_TABLE,
    DOC_CHART, /* its data in table, as a table's */
    DOC_FRAME  /* an element of the official document's frame: part, its text in runs[0] */
} doc_block_kind;

/* The frame's elements, each a line "#MARKER TEXT" (doc_frame_marker); the
 * layout places them (docs/document-form.md). */
typedef enum {
    DOC_FRAME_COPY_NUMBER, /* #copy-number  份号 */
    DOC_FRAME_SECRECY,     /* #secrecy      密级和保密期限 */
    DOC_FRAME_URGENCY,     /* #urgency      紧急程度 */
    DOC_FRAME_ISSUER,      /* #issuer       发文机关标志 */
    DOC_FRAME_NUMBER,      /* #number       发文字号 */
    DOC_FRAME_SIGNER,      /* #signer       签发人 (the name) */
    DOC_FRAME_TO,          /* #to           主送机关 */
    DOC_FRAME_ATTACHMENT,  /* #attachment   附件说明: one attachment's name */
    DOC_FRAME_SIGNATURE,   /* #signature    发文机关署名 */
    DOC_FRAME_DATE,        /* #date         成文日期 */
    DOC_FRAME_NOTE,        /* #note         附注 */
    DOC_FRAME_ANNEX,       /* #annex        an attachment's first page: its title */
    DOC_FRAME_COPY_TO,     /* #copy-to      抄送: the organs */
    DOC_FRAME_PRINTER,     /* #printer      印发机关 */
    DOC_FRAME_PRINTED,     /* #printed      印发日期 */
    DOC_FRAME_COUNT
} doc_frame_part;

/* The marker of a part without its #: "copy-number". */
const char *doc_frame_marker(doc_frame_part part);

/* What a run of text is set as; the style file maps these to fonts. */
typedef enum {
    DOC_STYLE_BODY,
    DOC_STYLE_TITLE,
    DOC_STYLE_H1,
    DOC_STYLE_H2,
    DOC_STYLE_H3,
    DOC_STYLE_H4,
    DOC_STYLE_COUNT
} doc_style;

typedef struct doc_run {
    doc_style style;
    char *text;
} doc_run;

/* A table: nrows x ncols cells, row by row; row 0 is the header, repeated
 * on every page the table runs onto. */
typedef struct doc_table {
    char **cells;
    size_t nrows, ncols;
} doc_table;

typedef struct doc_block {
    doc_block_kind kind;
    int level; /* headings: 1-4 */
    doc_frame_part part; /* DOC_FRAME */
    doc_run *runs; /* a table's caption, when it has one */
    size_t nruns;
    doc_table table;
    int line; /* in the template output, for messages */
} doc_block;

typedef struct doc {
    doc_block *blocks;
    size_t nblocks;
} doc;

doc *doc_parse(const char *name, const char *text, size_t len, rg_diags *diags);
void doc_free(doc *d);

/* Appends the n bytes of data at s to out so that the document form reads
 * them back as exactly that text wherever they stand: a `\` before every
 * `\` and `|`, before a leading # = or U+3000 and before blanks at either
 * end; a line break (LF, CR or CR LF) becomes a space. The template engine
 * escapes {{x}} in the report with it. */
void doc_escape(const char *s, size_t n, rg_buf *out);

/* The number of the n-th (1-based) heading of a level: "一、", "（一）", "1.",
 * "（1）". Appends to out. */
void doc_heading_number(int level, int n, rg_buf *out);
/* Writes the document back in its line form, numbers included (for --emit-doc). */
void doc_write(const doc *d, rg_buf *out);

#endif
