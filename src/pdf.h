/* pdf.h - draws a laid-out document into a PDF file; the only user of
 * libharu.
 *
 * Pipeline stage 5: document -> layout -> PDF. pdf_write lays the document
 * out with the fonts' real metrics (layout.h), embeds of each font a subset
 * holding only the characters the document uses (font.h), compressed once
 * by libdeflate (flate.h) and kept for the next document
 * of a batch that uses the same characters (pdf_cache), draws every page
 * with its page number, and saves to `path`: an empty file the caller has
 * made (its temporary name), written only by this call and renamed into
 * place by the caller.
 *
 * Returns 0, or -1 with an error in diags (a font that cannot be used is
 * named with its path).
 */
#ifndef RG_PDF_H
#define RG_PDF_H

#include <time.h>

#include "doc.h"
#include "font.h"
#include "layout.h"

/* Font roles; their numbers are the layout's font numbers. */
enum { PDF_ROLE_BODY, PDF_ROLE_TITLE, PDF_ROLE_H1, PDF_ROLE_H2, PDF_ROLE_FALLBACK, PDF_NROLES };

typedef struct pdf_font_file {
    char *path; /* .ttf, or .ttc with a face index */
    int index;
    font_face *face;
} pdf_font_file;

/* The last subset made of each font file, kept while the next document
 * draws the same characters: a batch of similar reports subsets and
 * compresses each font once. pdf_write changes it, so the options (copies
 * of them share it) serve one thread at a time. */
typedef struct pdf_cache pdf_cache;

typedef struct pdf_options {
    pdf_font_file files[PDF_NROLES]; /* each file once, however many roles it has */
    int nfiles;
    int role_file[PDF_NROLES];       /* index into files; -1: no fallback font */
    pdf_cache *cache;                /* owned */
    const char *title, *author, *subject;
    time_t created; /* (time_t)-1: no date */
    /* Called once for each character that no font has (drawn as an empty
     * box); NULL: not told. */
    void (*missing)(void *ud, uint32_t cp);
    void *missing_ud;
    double *layout_seconds; /* set to the time the layout took, when not NULL */
    /* Compress the fonts hardest (libdeflate's strongest level: 2.5%
     * smaller, but about 45 ms of CPU for the seed's Song subset against 6 ms
     * at its default level); paid by each report of a batch of different
     * reports. */
    bool small_compression;
    /* Threads that compress a large font's pieces side by side (1: this
     * one only); the bytes are the same for any number. */
    int threads;
} pdf_options;

/* Reads DIR/fonts.conf: lines "ROLE FILE [FACE]" with the roles body,
 * title, heading1, heading2 and fallback (which may be left out); relative
 * FILEs are relative to DIR. Opens each file once. Returns 0, or -1 with
 * errors (FILE:LINE:COL) in diags. Free with pdf_options_fini. */
int pdf_fonts_load(pdf_options *opt, const char *dir, rg_diags *diags);
void pdf_options_fini(pdf_options *opt);

int pdf_write(const doc *d, const layout_style *st, const pdf_options *opt, const char *path,
              rg_diags *diags);

#endif
