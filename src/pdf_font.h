/* pdf_font.h - the PDF stage's fonts, inside the stage (pdf_font.c,
 * pdf_haru.c): the run's font files, a thread's cache, the characters a
 * document draws in each file, and each file's subset as PDF objects. */
#ifndef RG_PDF_FONT_H
#define RG_PDF_FONT_H

#include "flate.h"
#include "font.h"
#include "pdf.h"
#include "pdf_pack.h"

typedef struct pdf_font_file {
    char *path; /* .ttf, or .ttc with a face index */
    int index;
    font_face *face;
} pdf_font_file;

struct pdf_fonts {
    pdf_font_file files[PDF_NROLES]; /* each file once, however many roles it has */
    int nfiles;
    int role_file[PDF_NROLES]; /* index into files; -1: no fallback font */
};

/* A BMP character's metrics in one font file, looked up once: the layout
 * asks for every character it sets, and the cmap's look-up is a search. */
typedef struct bmp_metrics {
    float advance;
    signed char has; /* 0 not looked up yet, 1 no, 2 yes */
} bmp_metrics;

typedef struct pdf_subset pdf_subset;

/* Kept across a batch: the last subsets with their compressed bytes save
 * 7.4 ms of CPU a report in a batch of 200 copies of the seed (PDF only). */
struct pdf_cache {
    const pdf_fonts *fonts;
    bool small;
    pdf_subset *last[PDF_NROLES];      /* by file */
    bmp_metrics *bmp[PDF_NROLES][256]; /* by file and block of 256 */
};

struct pdf_subset {
    uint32_t *cps; /* the characters, ascending */
    size_t n;
    uint16_t *glyphs;  /* glyphs[i]: cps[i]'s glyph in the subset, 0 for none */
    size_t *by_glyph;  /* the indices of cps in the order of their glyphs */
    int *widths;       /* widths[i]: cps[i]'s advance in whole 1/1000 em */
    int dw;            /* the commonest of them, the PDF's default width */
    rg_buf ttf;        /* the subset font */
    rg_buf zlib;       /* ttf compressed, as the PDF holds it */
    rg_buf to_unicode; /* its ToUnicode map, compressed */
    char tag[7];       /* the subset's name prefix, from its characters */
    font_description desc;
    /* The index in cps of each BMP character, in blocks of 256 made for the
     * blocks the subset draws on: the pages look up every character. */
    uint16_t *index_block[256];
};

/* The code points one font file draws, each once. */
typedef struct used_chars {
    uint32_t *cps;
    size_t n, cap;
    unsigned char seen[0x10000 / 8]; /* a bit per BMP code point */
    unsigned char *seen_beyond;      /* and beyond, once one is used */
} used_chars;

void used_add(used_chars *u, uint32_t cp);
void used_add_text(used_chars *u, const char *s);
void used_fini(used_chars *u);

/* The file a layout font (a role) is set in; a role without one, the body's. */
int pdf_file_of(const pdf_fonts *f, int font);

/* The subset of file k for the characters u (ascending), made anew only
 * when they differ from the last document's; owned by c. NULL with an
 * error naming the font file. */
const pdf_subset *pdf_subset_of(pdf_cache *c, int k, const used_chars *u, rg_diags *diags);

/* The index in s->cps of cp, or 0 (the subset's first character) when s
 * lacks it. */
size_t pdf_subset_index(const pdf_subset *s, uint32_t cp);

/* Adds s as a Type 0 font (descendant, descriptor, program, ToUnicode map)
 * to p; returns the Type 0 font's object number. */
size_t pdf_subset_add(pdf_packer *p, const pdf_subset *s);

#endif
