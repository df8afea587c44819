/* pdf_pack: finishes the skeleton libharu saves (version 1.3, objects 1 to
 * N-1 of generation 0, one cross-reference table, no updates, one flat page
 * tree) with the objects libharu's public API cannot make, and writes it as
 * PDF 1.5: every object that is not a stream goes into one compressed object
 * stream, and the cross-reference table becomes a compressed stream (8.6 KB,
 * 3.4% of the seed's report).
 *
 * The writer adds objects (fonts, maps, programs), sets keys of the catalog
 * and of each page's dictionary, and replaces each page's empty content
 * stream with its own. libharu's objects keep their numbers; added ones
 * follow. Pure: no file and no libharu call.
 *
 * Ownership: a packer borrows the saved file's bytes (they must stay as
 * they are until pdf_pack_free) and copies everything added to it. One
 * thread at a time.
 */
#ifndef RG_PDF_PACK_H
#define RG_PDF_PACK_H

#include <stddef.h>

#include "util.h"

typedef struct pdf_packer pdf_packer;

/* Reads len bytes of a PDF as libharu saves it. NULL with *why saying what
 * in it was not of libharu's shape. Free with pdf_pack_free. */
pdf_packer *pdf_pack_read(const char *pdf, size_t len, const char **why);
void pdf_pack_free(pdf_packer *p);

/* The number of pages, in the page tree's order. */
size_t pdf_pack_pages(const pdf_packer *p);

/* Adds an object and returns its number. Without stream (NULL), dict is
 * the whole object ("<< ... >>", "[ ... ]"); with it, dict is the stream's
 * dictionary entries ("/Filter /FlateDecode"), to which /Length is added,
 * and the len bytes at stream its data as the file holds them. */
size_t pdf_pack_add(pdf_packer *p, const char *dict, const void *stream, size_t len);

/* Sets the entry `key` (a name with its slash) to `value` (PDF syntax) in
 * the dictionary of page `page` (0-based), or of the catalog for
 * PDF_PACK_CATALOG. 0, or -1 with *why when there is no such page or the
 * dictionary cannot be read. */
#define PDF_PACK_CATALOG ((size_t)-1)
int pdf_pack_set(pdf_packer *p, size_t page, const char *key, const char *value, const char **why);

/* Replaces page `page`'s content stream with dict and the len bytes at
 * stream (as for pdf_pack_add). 0, or -1 with *why. */
int pdf_pack_set_contents(pdf_packer *p, size_t page, const char *dict, const void *stream,
                          size_t len, const char **why);

/* Writes the packed file to out (replacing its contents). 0, or -1 with
 * *why when memory runs out. */
int pdf_pack_write(pdf_packer *p, rg_buf *out, const char **why);

#endif
