/* font.h - one face of a TrueType font file (.ttf or .ttc), for measuring
 * and subsetting, read from the font's own tables: cmap (formats 4, 6 and
 * 12), hmtx, head, hhea, OS/2, post and name. HarfBuzz did this before, and
 * loading it and the six libraries it brings took 1.3 ms of each run's
 * start, a tenth of the report.
 *
 * The layout measures text with the face's own advances, and the PDF embeds
 * a subset of it holding only the characters the document uses: libharu
 * 2.3.0, left to embed the font itself, copies whole font tables and a width
 * map of the whole BMP, which made a report over 1 MB.
 *
 * Ownership: a font_face is opened once per run and only read afterwards,
 * so several documents, in several threads, may use it at once.
 */
#ifndef RG_FONT_H
#define RG_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct font_face font_face;

/* The largest font file opened (mapped, not read: only the tables a report
 * uses are paged in). The largest CJK TrueType collections are about 40 MB. */
#define FONT_MAX_FILE_BYTES (256u * 1024 * 1024)
#define FONT_MAX_FILE_TEXT "256 MB"

/* Opens face `index` of a .ttf or .ttc file: a regular file of at most
 * FONT_MAX_FILE_BYTES. NULL with an error naming the file when it cannot be
 * read or holds no such face. */
font_face *font_face_open(const char *path, int index, rg_diags *diags);
void font_face_close(font_face *f);

/* Whether the face has a glyph for cp. */
bool font_face_has(const font_face *f, uint32_t cp);
/* Advance of cp in 1/1000 em (the missing glyph's when there is none). */
double font_face_advance(const font_face *f, uint32_t cp);

/* What a PDF's font descriptor says of a face, in 1/1000 em. */
typedef struct font_description {
    char postscript_name[64];
    int ascent, descent, cap_height, x_height;
    int bbox[4]; /* xMin, yMin, xMax, yMax */
    double italic_angle;
} font_description;

void font_face_describe(const font_face *f, font_description *out);

/* The private-use code points a subset's cmap gives its characters:
 * cps[i] is FONT_PUA_FIRST + i. */
#define FONT_PUA_FIRST 0xE000
#define FONT_PUA_MAX 6400 /* U+E000 to U+F8FF: characters of one font in a report */

/* Puts in `out` a TrueType font with the glyphs of the n code points cps
 * only (and what they are built from), without hinting, glyph names or
 * layout tables, and each glyph's number in glyphs[i] (0: the font has
 * none). The PDF draws by glyph number and never reads the subset's cmap,
 * but a font should have one: it maps FONT_PUA_FIRST + i to the glyph of
 * cps[i], in a few segments (the glyphs follow the code points), where the
 * font's own would map the scattered characters one by one, 1 KB more in the
 * seed's PDF. n <= FONT_PUA_MAX. Returns 0, or -1 with an error naming the
 * font file. */
int font_face_subset(const font_face *f, const uint32_t *cps, size_t n, rg_buf *out,
                     uint16_t *glyphs, rg_diags *diags);

#endif
