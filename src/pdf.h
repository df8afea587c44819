/* pdf.h - draws a laid-out document into a PDF file; the only user of libharu.
 *
 * Pipeline stage 5: document -> layout -> PDF. pdf_write loads the fonts,
 * lays the document out with their real metrics (layout.h), draws every
 * page with its page number, and saves to `path`. Fonts are embedded as
 * subsets. The file is written only by this call; the caller renames it
 * into place (see cli).
 *
 * Returns 0, or -1 with an error in diags (a font that cannot be loaded is
 * named with its path).
 */
#ifndef RG_PDF_H
#define RG_PDF_H

#include <time.h>

#include "doc.h"
#include "layout.h"

#define PDF_MAX_FONTS 4

typedef struct pdf_font_file {
    char *path; /* .ttf, or .ttc with a face index; owned by the options */
    int index;
} pdf_font_file;

typedef struct pdf_options {
    pdf_font_file fonts[PDF_MAX_FONTS]; /* indexed by layout font number */
    int nfonts;
    const char *title, *author;
    time_t created; /* (time_t)-1: no date */
} pdf_options;

/* Font roles, in the order of layout font numbers. */
#define PDF_FONT_BODY 0
#define PDF_FONT_HEADING 1

/* Reads DIR/fonts.conf: lines "ROLE FILE [FACE]" with roles body and
 * heading; relative FILEs are relative to DIR. Returns 0, or -1 with errors
 * (FILE:LINE:COL) in diags. Free the paths with pdf_options_fini. */
int pdf_fonts_load(pdf_options *opt, const char *dir, rg_diags *diags);
void pdf_options_fini(pdf_options *opt);

int pdf_write(const doc *d, const layout_style *st, const pdf_options *opt, const char *path,
              rg_diags *diags);

#endif
