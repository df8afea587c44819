/* pdf_pack: rewrites a PDF as libharu 2.3.0 writes it (version 1.3, objects
 * 1 to N-1 of generation 0, one cross-reference table, no updates) as PDF
 * 1.5: every object that is not a stream goes into one compressed object
 * stream, and the cross-reference table becomes a compressed stream. The
 * dictionaries of the pages, the outline and the fonts, and the table, are
 * then compressed like the rest (8.6 KB, 3.4% of the seed's report).
 *
 * The streams are copied as they are; objects keep their numbers. Pure: no
 * file and no libharu call.
 */
#ifndef RG_PDF_PACK_H
#define RG_PDF_PACK_H

#include <stddef.h>

#include "flate.h"
#include "util.h"

/* Writes the packed file to out (replacing its contents). 0, or -1 with
 * *why saying what in the input was not of libharu's shape. */
int pdf_pack(flate *f, const char *pdf, size_t len, rg_buf *out, const char **why);

#endif
