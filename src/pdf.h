/* pdf.h - draws a laid-out document into a PDF; the only user of libharu.
 *
 * Pipeline stage 5: positioned text (layout.h) -> PDF bytes. The caller
 * loads the fonts once (pdf_fonts_load), makes a cache for each thread that
 * writes (pdf_cache_new), lays each document out with the cache's metrics
 * (pdf_cache_metrics, layout_run) and hands the result to pdf_write, which
 * embeds of each font a subset holding only the characters the document
 * uses, draws every page with its page number and returns the file's bytes.
 * libharu makes the document's skeleton through its public API (pages,
 * outline, information); pdf_pack.h adds the fonts and the pages' text and
 * writes PDF 1.5.
 */
#ifndef RG_PDF_H
#define RG_PDF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "layout.h"
#include "util.h"

/* Font roles; their numbers are the layout's font numbers (layout.h).
 * LATIN sets letters and digits beside Song and Kai, LATIN_SANS beside Hei. */
enum {
    PDF_ROLE_BODY,
    PDF_ROLE_TITLE,
    PDF_ROLE_H1,
    PDF_ROLE_H2,
    PDF_ROLE_FALLBACK,
    PDF_ROLE_LATIN,
    PDF_ROLE_LATIN_SANS,
    PDF_NROLES
};

/* The font files of a run, read once and only read afterwards: any number
 * of threads may use them at once. */
typedef struct pdf_fonts pdf_fonts;

/* Reads DIR/fonts.conf (at most RG_MAX_CONFIG_BYTES): lines
 * "ROLE FILE [FACE]" with the roles body, title, heading1, heading2,
 * fallback, latin and latin-sans (the last three may be left out: then no
 * fallback, and letters and digits in each role's own font); relative FILEs
 * are relative to DIR. A role named on several lines takes the first file
 * that exists; none existing is an error at the first.
 * Opens each file once (regular files of at most FONT_MAX_FILE_BYTES).
 * Returns the fonts (free with pdf_fonts_free), or NULL with errors
 * (FILE:LINE:COL, quoting no more of the file than the word at fault) in
 * diags. */
pdf_fonts *pdf_fonts_load(const char *dir, rg_diags *diags);
void pdf_fonts_free(pdf_fonts *f);

/* What one thread keeps from document to document: the fonts' metrics as
 * looked up, and the last subset of each font file with its compressed
 * bytes, so that a batch of similar reports subsets and compresses each
 * font once. Mutable: one thread at a time. `small` compresses the fonts
 * at libdeflate's strongest level (--pdf-compression small). Borrows
 * fonts, which must outlive it. Never fails (memory: xmalloc). */
typedef struct pdf_cache pdf_cache;
pdf_cache *pdf_cache_new(const pdf_fonts *fonts, bool small);
void pdf_cache_free(pdf_cache *c);

/* The fonts' metrics for layout_run, by role; they use (and fill) c, so
 * they serve c's thread only, while c lives. */
layout_metrics pdf_cache_metrics(pdf_cache *c);

/* The characters that the laid-out document sets in a font that lacks them
 * (the layout has tried the fallback already), each once, in the order first
 * met; they are drawn as empty boxes. Returns their count and puts them in
 * *cps (owned by the caller, free(); NULL when none). */
size_t pdf_missing_chars(pdf_cache *c, const layout_result *r, uint32_t **cps);

/* One document's information dictionary. */
typedef struct pdf_meta {
    const char *name; /* the output's name, for messages */
    const char *title, *author, *subject; /* UTF-8; NULL: left out */
    time_t created; /* (time_t)-1: no date */
} pdf_meta;

/* Draws the laid-out document r (made with st and c's metrics) as a PDF
 * into out (replacing its contents). Returns 0, or -1 with an error in
 * diags (a font that cannot be used is named with its path, anything else
 * with meta->name); out's contents are then undefined. */
int pdf_write(pdf_cache *c, const layout_result *r, const layout_style *st, const pdf_meta *meta,
              rg_buf *out, rg_diags *diags);

#endif
