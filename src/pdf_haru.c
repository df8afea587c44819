/* pdf_haru.c - see pdf.h. libharu's error handler records into a context
 * passed as user data (no global jmp_buf); every step checks it. */
#include "pdf.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <hpdf.h>

#include "flate.h"
#include "pdf_pack.h"

typedef struct haru_ctx {
    HPDF_STATUS error;
    HPDF_STATUS detail;
} haru_ctx;

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
    haru_ctx *c = user;
    if (!c->error) {
        c->error = error;
        c->detail = detail;
    }
}

typedef struct pdf_subset {
    uint32_t *cps; /* the characters, ascending */
    size_t n;
    uint16_t *glyphs;  /* glyphs[i]: cps[i]'s glyph in the subset, 0 for none */
    size_t *by_glyph;  /* the indices of cps in the order of their glyphs */
    rg_buf ttf;  /* the subset font */
    rg_buf zlib; /* ttf compressed, as the PDF holds it */
    rg_buf to_unicode; /* its ToUnicode map, compressed */
    char tag[7]; /* the subset's name prefix, from its characters */
    int *widths;       /* widths[i]: cps[i]'s advance in whole 1/1000 em, as the PDF states it */
    int dw;            /* the commonest of them, the PDF's default width */
    font_description desc; /* the font's metrics and name, for its descriptor */
    /* The index in cps of each BMP character, in blocks of 256 made for the
     * blocks the subset draws on: the pages look up every character they
     * set, and a search for each was 4% of a report's share of a batch. */
    uint16_t *index_block[256];
} pdf_subset;

/* A BMP character's metrics in one font file, looked up once: the layout
 * asks for every character it sets, and the cmap's look-up is a search.
 * Kept in blocks of 256 characters, made when first used: a report draws on
 * a few dozen. */
typedef struct bmp_metrics {
    float advance;
    signed char has; /* 0 not looked up yet, 1 no, 2 yes */
} bmp_metrics;

struct pdf_cache {
    flate *flate;
    flate *side_flate; /* for the subsets made on a thread beside (pdf_write) */
    pdf_subset *last[PDF_NROLES];      /* by file */
    bmp_metrics *bmp[PDF_NROLES][256]; /* by file and block */
};

static void subset_free(pdf_subset *s);

static const char *const role_names[PDF_NROLES] = {
    [PDF_ROLE_BODY] = "body", [PDF_ROLE_TITLE] = "title", [PDF_ROLE_H1] = "heading1",
    [PDF_ROLE_H2] = "heading2", [PDF_ROLE_FALLBACK] = "fallback"};

/* The next blank-separated word of s at *i, or NULL at the end. */
static char *next_word(const char *s, size_t *i, size_t *at)
{
    while (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r')
        (*i)++;
    if (!s[*i])
        return NULL;
    *at = *i;
    while (s[*i] && s[*i] != ' ' && s[*i] != '\t' && s[*i] != '\r')
        (*i)++;
    return xstrndup(s + *at, *i - *at);
}

/* The file of a role, opened once however many roles name it. */
static int add_file(pdf_options *opt, const char *path, int face, const char *conf, int lineno,
                    int col, const char *role, rg_diags *diags)
{
    for (int k = 0; k < opt->nfiles; k++)
        if (strcmp(opt->files[k].path, path) == 0 && opt->files[k].index == face)
            return k;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        rg_diag_add(diags, RG_ERROR, conf, lineno, col, "cannot open the %s font %s: %s", role,
                    path, strerror(errno));
        return -1;
    }
    fclose(probe);
    font_face *ff = font_face_open(path, face, diags);
    if (!ff)
        return -1;
    pdf_font_file *f = &opt->files[opt->nfiles];
    f->path = xstrdup(path);
    f->index = face;
    f->face = ff;
    return opt->nfiles++;
}

int pdf_fonts_load(pdf_options *opt, const char *dir, rg_diags *diags)
{
    for (int r = 0; r < PDF_NROLES; r++)
        opt->role_file[r] = -1;
    opt->cache = xcalloc(1, sizeof *opt->cache);
    opt->cache->flate = flate_new();
    opt->cache->side_flate = flate_new();
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/fonts.conf", dir);
    FILE *f = fopen(path.data, "r");
    if (!f) {
        rg_diag_add(diags, RG_ERROR, path.data, 0, 0,
                    "cannot open the font configuration: %s (name another folder with --fonts)",
                    strerror(errno));
        rg_buf_fini(&path);
        return -1;
    }
    size_t errors = diags->errors;
    rg_buf line = {0};
    int lineno = 0, c;
    bool more = true;
    while (more) {
        line.len = 0;
        rg_buf_append(&line, "", 0);
        while ((c = fgetc(f)) != EOF && c != '\n')
            rg_buf_putc(&line, (char)c);
        more = c != EOF;
        lineno++;
        char *s = line.data, *hash = strchr(s, '#');
        if (hash)
            *hash = '\0';
        size_t i = 0, role_at = 0, file_at = 0, face_at = 0;
        char *role = next_word(s, &i, &role_at);
        if (!role)
            continue; /* blank or comment */
        char *file = next_word(s, &i, &file_at);
        char *face_text = file ? next_word(s, &i, &face_at) : NULL;
        char *extra = face_text ? next_word(s, &i, &face_at) : NULL;
        int r = 0;
        while (r < PDF_NROLES && strcmp(role, role_names[r]) != 0)
            r++;
        int face = 0;
        char *end = NULL;
        long v = face_text ? strtol(face_text, &end, 10) : 0;
        if (r == PDF_NROLES) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)role_at + 1,
                        "unknown role \"%s\" (the roles are body, title, heading1, heading2 and "
                        "fallback)", role);
        } else if (!file) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)role_at + 1,
                        "expected ROLE FILE [FACE]");
        } else if (face_text && (*end || v < 0 || v > 255 || extra)) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)face_at + 1,
                        "the face index must be a number from 0 to 255, and nothing may follow it");
        } else {
            face = (int)v;
            rg_buf full = {0};
            if (file[0] == '/')
                rg_buf_puts(&full, file);
            else
                rg_buf_printf(&full, "%s/%s", dir, file);
            int k = add_file(opt, full.data, face, path.data, lineno, (int)file_at + 1, role, diags);
            if (k >= 0)
                opt->role_file[r] = k;
            rg_buf_fini(&full);
        }
        free(role);
        free(file);
        free(face_text);
        free(extra);
    }
    fclose(f);
    for (int r = 0; r < PDF_NROLES && diags->errors == errors; r++)
        if (opt->role_file[r] < 0 && r != PDF_ROLE_FALLBACK)
            rg_diag_add(diags, RG_ERROR, path.data, 0, 0, "no font is named for the role %s",
                        role_names[r]);
    rg_buf_fini(&line);
    rg_buf_fini(&path);
    return diags->errors == errors ? 0 : -1;
}

void pdf_options_fini(pdf_options *opt)
{
    for (int i = 0; i < opt->nfiles; i++) {
        free(opt->files[i].path);
        font_face_close(opt->files[i].face);
        subset_free(opt->cache ? opt->cache->last[i] : NULL);
        for (int b = 0; opt->cache && b < 256; b++)
            free(opt->cache->bmp[i][b]);
    }
    if (opt->cache) {
        flate_free(opt->cache->flate);
        flate_free(opt->cache->side_flate);
    }
    free(opt->cache);
    opt->cache = NULL;
    opt->nfiles = 0;
}

/* The code points each font file draws, in ascending order once collected
 * (the same characters give the same subset whatever order they come in):
 * cps[i] is drawn as its glyph's number in the subset, the CID (the fonts'
 * CIDToGIDMap is Identity). */
typedef struct used_chars {
    uint32_t *cps;
    size_t n, cap;
    unsigned char seen[0x10000 / 8]; /* a bit per BMP code point */
    unsigned char *seen_beyond;      /* and beyond, once one is used */
} used_chars;

static void use(used_chars *u, uint32_t cp)
{
    if (cp > 0x10FFFF)
        return;
    unsigned char *seen = u->seen;
    uint32_t bit = cp;
    if (cp > 0xFFFF) {
        if (!u->seen_beyond)
            u->seen_beyond = xcalloc(0x100000 / 8, 1);
        seen = u->seen_beyond;
        bit = cp - 0x10000;
    }
    if (seen[bit >> 3] & (1u << (bit & 7)))
        return;
    seen[bit >> 3] |= (unsigned char)(1u << (bit & 7));
    void *arr = u->cps;
    xgrow(&arr, &u->cap, u->n + 1, sizeof *u->cps);
    u->cps = arr;
    u->cps[u->n++] = cp;
}

static void use_text(used_chars *u, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;)
        use(u, rg_utf8_next(s, n, &i));
}

static int by_cp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}


static void subset_free(pdf_subset *s)
{
    if (!s)
        return;
    free(s->cps);
    free(s->glyphs);
    free(s->by_glyph);
    free(s->widths);
    for (int b = 0; b < 256; b++)
        free(s->index_block[b]);
    rg_buf_fini(&s->ttf);
    rg_buf_fini(&s->zlib);
    rg_buf_fini(&s->to_unicode);
    free(s);
}

/* The fonts, most of a report's bytes, at libdeflate's level 5: the seed's
 * Song subset (390 KB) takes 5.8 ms (6.8 ms at level 6, 1.2 KB smaller;
 * level 4 is slower than 5 on it), against 45 ms at its strongest level,
 * which makes the file 3% smaller (pdf_options.small_compression).
 * Either is paid once in a batch of similar reports (pdf_cache), and shared
 * between threads in pieces of at most FONT_PIECE bytes (which costs 0.4%
 * of its size). The pages, compressed for every document, at the fastest
 * level: 224 bytes more than at level 6 for the seed's report, and 1.3 M
 * fewer instructions, 3% of a report's share of a batch. */
enum { FONT_DEFLATE_LEVEL = 5, SMALL_FONT_DEFLATE_LEVEL = 12, STREAM_DEFLATE_LEVEL = 1 };
#define FONT_PIECE ((size_t)256 * 1024)

/* cp in UTF-16: one unit, or a surrogate pair beyond U+FFFF; the count. */
static int utf16_units(uint32_t cp, unsigned units[2])
{
    if (cp <= 0xFFFF) {
        units[0] = cp;
        return 1;
    }
    units[0] = 0xD800 + ((cp - 0x10000) >> 10);
    units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
    return 2;
}

/* The ToUnicode map: each glyph back to its character, in blocks of
 * consecutive glyphs that share their first byte, as bfrange requires.
 * (libharu 2.3.0's own is invalid, a CID range with Ordering "Identity-H",
 * which poppler warns about and other extractors may not read.) */
static void to_unicode_map(const pdf_subset *s, rg_buf *cmap)
{
    rg_buf_puts(cmap, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (size_t i = 0, k; i < s->n; i = k) {
        unsigned g = s->glyphs[s->by_glyph[i]];
        k = i + 1;
        if (g == 0)
            continue;
        while (k < s->n && k - i < 100 && s->glyphs[s->by_glyph[k]] == g + (k - i) &&
               (s->glyphs[s->by_glyph[k]] >> 8) == (g >> 8))
            k++;
        rg_buf_printf(cmap, "1 beginbfrange\n<%04X> <%04X> [", g, g + (unsigned)(k - i - 1));
        for (size_t m = i; m < k; m++) {
            unsigned units[2];
            int n = utf16_units(s->cps[s->by_glyph[m]], units);
            rg_buf_putc(cmap, '<');
            for (int u = 0; u < n; u++)
                rg_buf_printf(cmap, "%04X", units[u]);
            rg_buf_putc(cmap, '>');
        }
        rg_buf_puts(cmap, "]\nendbfrange\n");
    }
    rg_buf_puts(cmap, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

typedef struct glyph_of {
    uint16_t glyph;
    size_t index; /* into the subset's characters */
} glyph_of;

static int by_glyph(const void *a, const void *b)
{
    const glyph_of *x = a, *y = b;
    if (x->glyph != y->glyph)
        return x->glyph < y->glyph ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The subset of font file k for the characters u, made anew only when they
 * differ from the last document's; NULL after an error. Its program is
 * compressed with z, here or, given `pending`, on threads begun here
 * (*pending: what to end before its bytes are read; NULL when none). */
static const pdf_subset *subset_of(const pdf_options *opt, int k, const used_chars *u, flate *z,
                                   flate_job **pending, rg_diags *diags)
{
    const pdf_font_file *f = &opt->files[k];
    pdf_subset **last = &opt->cache->last[k];
    pdf_subset *s = *last;
    if (pending)
        *pending = NULL;
    if (s && s->n == u->n && memcmp(s->cps, u->cps, u->n * sizeof *u->cps) == 0)
        return s;
    subset_free(s);
    *last = NULL;
    s = xcalloc(1, sizeof *s);
    s->n = u->n;
    s->cps = xmalloc((u->n ? u->n : 1) * sizeof *s->cps);
    memcpy(s->cps, u->cps, u->n * sizeof *u->cps);
    for (size_t i = 0; i < u->n && u->cps[i] < 0x10000; i++) {
        uint16_t **block = &s->index_block[u->cps[i] >> 8];
        if (!*block)
            *block = xcalloc(256, sizeof **block);
        (*block)[u->cps[i] & 0xFF] = (uint16_t)i;
    }
    s->glyphs = xcalloc(u->n ? u->n : 1, sizeof *s->glyphs);
    s->by_glyph = xcalloc(u->n ? u->n : 1, sizeof *s->by_glyph);
    if (font_face_subset(f->face, u->cps, u->n, &s->ttf, s->glyphs, diags) != 0) {
        subset_free(s);
        return NULL;
    }
    glyph_of *order = xcalloc(u->n ? u->n : 1, sizeof *order);
    for (size_t i = 0; i < u->n; i++)
        order[i] = (glyph_of){s->glyphs[i], i};
    qsort(order, u->n, sizeof *order, by_glyph);
    for (size_t i = 0; i < u->n; i++)
        s->by_glyph[i] = order[i].index;
    free(order);
    /* The widths as the layout measured them; the commonest is the default
     * (1000, an ideograph's): the majority, when there is one (Boyer-Moore). */
    s->widths = xcalloc(u->n ? u->n : 1, sizeof *s->widths);
    s->dw = 1000;
    for (size_t i = 0, votes = 0; i < u->n; i++) {
        s->widths[i] = (int)lround(font_face_advance(f->face, u->cps[i]));
        if (votes == 0)
            s->dw = s->widths[i];
        votes = s->widths[i] == s->dw ? votes + 1 : votes - 1;
    }
    font_face_describe(f->face, &s->desc);
    rg_buf map = {0};
    to_unicode_map(s, &map);
    int level = opt->small_compression ? SMALL_FONT_DEFLATE_LEVEL : FONT_DEFLATE_LEVEL;
    bool failed = flate_zlib(z, level, map.data, map.len, 0, 1, &s->to_unicode) != 0;
    rg_buf_fini(&map);
    if (!failed && pending)
        failed = !(*pending = flate_zlib_begin(z, level, s->ttf.data, s->ttf.len, FONT_PIECE,
                                               opt->threads > 1 ? opt->threads : 0, &s->zlib));
    else if (!failed)
        failed = flate_zlib(z, level, s->ttf.data, s->ttf.len, FONT_PIECE, opt->threads,
                            &s->zlib) != 0;
    if (failed) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0, "out of memory compressing the font subset");
        subset_free(s);
        return NULL;
    }
    /* A subset's name starts with six capitals and "+"; taken from its
     * characters and font (FNV-1a), two different subsets get different
     * names. Not from its compressed bytes, which may not be made yet. */
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < s->n; i++)
        for (int b = 0; b < 32; b += 8)
            h = (h ^ ((s->cps[i] >> b) & 0xFF)) * 1099511628211u;
    for (const char *c = s->desc.postscript_name; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    for (int i = 0; i < 6; i++, h /= 26)
        s->tag[i] = (char)('A' + h % 26);
    *last = s;
    return s;
}

/* The subsets of files 1 and on, with diagnostics of their own. */
typedef struct side_subsets {
    const pdf_options *opt;
    const used_chars *used;
    const pdf_subset **out;
    rg_diags diags;
} side_subsets;

static void *make_side_subsets(void *arg)
{
    side_subsets *s = arg;
    for (int k = 1; k < s->opt->nfiles; k++)
        if (!(s->out[k] = subset_of(s->opt, k, &s->used[k], s->opt->cache->side_flate, NULL,
                                    &s->diags)))
            break;
    return NULL;
}

typedef struct pdf_job {
    HPDF_Doc pdf;
    haru_ctx err;
    HPDF_Font fonts[PDF_NROLES]; /* by file: the Type 0 font objects */
    const pdf_subset *subsets[PDF_NROLES]; /* by file */
    struct blob **blobs; /* what stream objects read at saving time */
    size_t nblobs, blobs_cap;
    struct blob *programs[PDF_NROLES]; /* by file: the font programs' */
    flate *pages_flate; /* what compresses the pages */
    const pdf_options *opt;
    const char *path;
    rg_diags *diags;
} pdf_job;

static int fail(pdf_job *j, const char *what)
{
    rg_diag_add(j->diags, RG_ERROR, j->path, 0, 0,
                "cannot write the PDF: %s (libharu error 0x%04X, detail %u)", what,
                (unsigned)j->err.error, (unsigned)j->err.detail);
    return -1;
}

/* libharu writes a stream's /Filter only for the filters it applies itself. */
static HPDF_STATUS flate_filter(HPDF_Dict obj, HPDF_Stream out)
{
    (void)obj;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* Compressed bytes that a stream object reads when the file is saved, in
 * place of a copy in one of libharu's memory streams (which copy byte by
 * byte, twice). */
typedef struct blob {
    const unsigned char *data;
    size_t len, pos;
    unsigned char *owned; /* freed with the job, or NULL */
} blob;

/* The saved file, appended to the rg_buf the stream was made with. */
static HPDF_STATUS collect(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT size)
{
    rg_buf_append(s->attr, (const char *)ptr, size);
    return HPDF_OK;
}

static HPDF_STATUS blob_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *size)
{
    blob *b = s->attr;
    size_t n = b->len - b->pos < *size ? b->len - b->pos : *size;
    memcpy(ptr, b->data + b->pos, n);
    b->pos += n;
    HPDF_STATUS st = n < *size ? HPDF_STREAM_EOF : HPDF_OK;
    *size = (HPDF_UINT)n;
    return st;
}

static HPDF_STATUS blob_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    blob *b = s->attr;
    long long at = mode == HPDF_SEEK_SET ? pos : mode == HPDF_SEEK_CUR ? (long long)b->pos + pos
                                                                        : (long long)b->len + pos;
    if (at < 0 || at > (long long)b->len)
        return HPDF_STREAM_EOF;
    b->pos = (size_t)at;
    return HPDF_OK;
}

static HPDF_INT32 blob_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((blob *)s->attr)->pos;
}

static HPDF_UINT32 blob_size(HPDF_Stream s)
{
    return (HPDF_UINT32)((blob *)s->attr)->len;
}

/* Makes len bytes of zlib data (owned by the caller, or handed over with
 * `owned`) the content of stream object d, with /Filter /FlateDecode. */
static HPDF_STATUS set_compressed(pdf_job *j, HPDF_Dict d, const void *data, size_t len,
                                  unsigned char *owned)
{
    blob *b = xcalloc(1, sizeof *b);
    *b = (blob){data, len, 0, owned};
    void *arr = j->blobs;
    xgrow(&arr, &j->blobs_cap, j->nblobs + 1, sizeof *j->blobs);
    j->blobs = arr;
    j->blobs[j->nblobs++] = b;
    HPDF_Stream reader = HPDF_CallbackReader_New(j->pdf->mmgr, blob_read, blob_seek, blob_tell,
                                                 blob_size, b);
    if (!reader)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Stream_Free(d->stream);
    d->stream = reader;
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = flate_filter;
    return HPDF_OK;
}

/* Waits for the program of file k's subset begun by subset_of, and gives
 * its bytes to the stream that holds it; 0, or -1 (the subset is then
 * forgotten, not used again). */
static int end_pending_program(pdf_job *j, int k, flate_job *pending)
{
    if (flate_zlib_end(pending) == 0) {
        if (j->programs[k]) {
            j->programs[k]->data = (const unsigned char *)j->subsets[k]->zlib.data;
            j->programs[k]->len = j->subsets[k]->zlib.len;
        }
        return 0;
    }
    rg_diag_add(j->diags, RG_ERROR, j->opt->files[k].path, 0, 0,
                "out of memory compressing the font subset");
    subset_free(j->opt->cache->last[k]);
    j->opt->cache->last[k] = NULL;
    j->subsets[k] = NULL;
    return -1;
}

/* The subset's widths: the default (/DW), and /W listing only runs of
 * glyphs with other widths. */
static HPDF_STATUS add_widths(HPDF_Doc pdf, HPDF_Dict cid_font, const pdf_subset *s)
{
    const int *w = s->widths;
    int dw = s->dw;
    HPDF_Array widths = HPDF_Array_New(pdf->mmgr), run = NULL;
    HPDF_STATUS st = widths ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
    unsigned next = 0; /* the glyph that would continue the run */
    for (size_t i = 0; i < s->n && st == HPDF_OK; i++) {
        size_t c = s->by_glyph[i];
        unsigned g = s->glyphs[c];
        if (g == 0 || w[c] == dw || (run && g != next)) {
            run = NULL;
            if (g == 0 || w[c] == dw)
                continue;
        }
        if (!run) {
            run = HPDF_Array_New(pdf->mmgr);
            st = run ? HPDF_Array_AddNumber(widths, (HPDF_INT32)g) : HPDF_FAILD_TO_ALLOC_MEM;
            if (st == HPDF_OK)
                st = HPDF_Array_Add(widths, run);
        }
        if (st == HPDF_OK)
            st = HPDF_Array_AddNumber(run, w[c]);
        next = g + 1;
    }
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(cid_font, "W", widths);
    if (st == HPDF_OK)
        st = HPDF_Dict_AddNumber(cid_font, "DW", dw);
    return st;
}

/* A new indirect dictionary of /Type `type`. */
static HPDF_Dict new_object(HPDF_Doc pdf, const char *type, HPDF_STATUS *st)
{
    HPDF_Dict d = *st == HPDF_OK ? HPDF_Dict_New(pdf->mmgr) : NULL;
    if (*st == HPDF_OK)
        *st = d ? HPDF_Xref_Add(pdf->xref, d) : HPDF_FAILD_TO_ALLOC_MEM;
    if (*st == HPDF_OK)
        *st = HPDF_Dict_AddName(d, "Type", type);
    return *st == HPDF_OK ? d : NULL;
}

/* Font file k's subset s as a Type 0 font of the document, made here with
 * libharu's object functions rather than by libharu's font loader: 2.3.0
 * parses the font again, looks up all 65,536 BMP code points in its cmap,
 * writes a 128 KB CID-to-glyph map and a width array naming every code from
 * ASCII to the last private-use one, deflates the font program for every
 * document, and writes an invalid ToUnicode map. Here the CIDs are the
 * subset's glyph numbers (/CIDToGIDMap /Identity), the program is s's
 * compressed bytes, shared by a batch, and the ToUnicode map is valid. */
static int add_font(pdf_job *j, int k, const pdf_subset *s)
{
    HPDF_Doc pdf = j->pdf;
    const font_description fd = s->desc;
    char base_font[sizeof fd.postscript_name + 8]; /* TAG+NAME */
    snprintf(base_font, sizeof base_font, "%s+%s", s->tag, fd.postscript_name);
    HPDF_STATUS st = HPDF_OK;
    HPDF_Dict font = new_object(pdf, "Font", &st);
    HPDF_Dict cid = new_object(pdf, "Font", &st);
    HPDF_Dict desc = new_object(pdf, "FontDescriptor", &st);
    HPDF_Dict program = st == HPDF_OK ? HPDF_DictStream_New(pdf->mmgr, pdf->xref) : NULL;
    HPDF_Array descendants = st == HPDF_OK ? HPDF_Array_New(pdf->mmgr) : NULL;
    HPDF_Dict info = st == HPDF_OK ? HPDF_Dict_New(pdf->mmgr) : NULL;
    if (st == HPDF_OK && (!program || !descendants || !info))
        st = HPDF_FAILD_TO_ALLOC_MEM;
    if (st == HPDF_OK) {
        HPDF_Box bbox = {(HPDF_REAL)fd.bbox[0], (HPDF_REAL)fd.bbox[1], (HPDF_REAL)fd.bbox[2],
                         (HPDF_REAL)fd.bbox[3]};
        st += HPDF_Dict_AddName(font, "Subtype", "Type0");
        st += HPDF_Dict_AddName(font, "BaseFont", base_font);
        st += HPDF_Dict_AddName(font, "Encoding", "Identity-H");
        st += HPDF_Array_Add(descendants, cid);
        st += HPDF_Dict_Add(font, "DescendantFonts", descendants);
        st += HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
        st += HPDF_Dict_AddName(cid, "BaseFont", base_font);
        st += HPDF_Dict_Add(info, "Registry", HPDF_String_New(pdf->mmgr, "Adobe", NULL));
        st += HPDF_Dict_Add(info, "Ordering", HPDF_String_New(pdf->mmgr, "Identity", NULL));
        st += HPDF_Dict_AddNumber(info, "Supplement", 0);
        st += HPDF_Dict_Add(cid, "CIDSystemInfo", info);
        st += HPDF_Dict_Add(cid, "FontDescriptor", desc);
        st += HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity");
        st += HPDF_Dict_AddName(desc, "FontName", base_font);
        st += HPDF_Dict_AddNumber(desc, "Flags", 32); /* nonsymbolic, as libharu writes */
        st += HPDF_Dict_Add(desc, "FontBBox", HPDF_Box_Array_New(pdf->mmgr, bbox));
        st += HPDF_Dict_AddReal(desc, "ItalicAngle", (HPDF_REAL)fd.italic_angle);
        st += HPDF_Dict_AddNumber(desc, "Ascent", fd.ascent);
        st += HPDF_Dict_AddNumber(desc, "Descent", fd.descent);
        st += HPDF_Dict_AddNumber(desc, "CapHeight", fd.cap_height);
        st += HPDF_Dict_AddNumber(desc, "XHeight", fd.x_height);
        st += HPDF_Dict_AddNumber(desc, "StemV", 80); /* required; TrueType has no such value */
        st += set_compressed(j, program, s->zlib.data, s->zlib.len, NULL);
        j->programs[k] = j->blobs[j->nblobs - 1];
        st += HPDF_Dict_AddNumber(program, "Length1", (HPDF_INT32)s->ttf.len);
        st += HPDF_Dict_Add(desc, "FontFile2", program);
    }
    if (st == HPDF_OK)
        st = add_widths(pdf, cid, s);
    HPDF_Dict to_unicode = st == HPDF_OK ? HPDF_DictStream_New(pdf->mmgr, pdf->xref) : NULL;
    if (st == HPDF_OK)
        st = to_unicode ? set_compressed(j, to_unicode, s->to_unicode.data, s->to_unicode.len, NULL)
                        : HPDF_FAILD_TO_ALLOC_MEM;
    if (st == HPDF_OK)
        st = HPDF_Dict_Add(font, "ToUnicode", to_unicode);
    if (st != HPDF_OK || j->err.error)
        return fail(j, "cannot add a font");
    j->fonts[k] = font;
    return 0;
}

/* The file a layout font (a role) is set in; a role without one, the body's. */
static int file_of(const pdf_options *opt, int font)
{
    int k = font >= 0 && font < PDF_NROLES ? opt->role_file[font] : -1;
    return k >= 0 ? k : opt->role_file[PDF_ROLE_BODY];
}

static const font_face *role_face(const pdf_options *opt, int font)
{
    return opt->files[file_of(opt, font)].face;
}

static const bmp_metrics *metrics_of(const pdf_options *opt, int font, uint32_t cp)
{
    int k = file_of(opt, font);
    bmp_metrics **block = &opt->cache->bmp[k][cp >> 8];
    if (!*block)
        *block = xcalloc(256, sizeof **block);
    bmp_metrics *m = &(*block)[cp & 0xFF];
    if (!m->has) {
        m->advance = (float)font_face_advance(opt->files[k].face, cp);
        m->has = font_face_has(opt->files[k].face, cp) ? 2 : 1;
    }
    return m;
}

static double advance(void *ud, int font, uint32_t cp)
{
    if (cp > 0xFFFF)
        return font_face_advance(role_face(ud, font), cp);
    return metrics_of(ud, font, cp)->advance;
}

static bool has(void *ud, int font, uint32_t cp)
{
    const pdf_options *opt = ud;
    if (font == PDF_ROLE_FALLBACK && opt->role_file[PDF_ROLE_FALLBACK] < 0)
        return false;
    if (cp > 0xFFFF)
        return font_face_has(role_face(opt, font), cp);
    return metrics_of(opt, font, cp)->has == 2;
}

/* s (UTF-8) as a PDF text string: UTF-16BE after a byte-order mark, as text
 * beyond Latin-1 must be. (libharu's UTF-8 encoder does the same, but
 * setting it up costs more than a document's outline.) */
static HPDF_Binary text_string(pdf_job *j, const char *s)
{
    rg_buf b = {0};
    rg_buf_append(&b, "\xFE\xFF", 2);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned units[2];
        int count = utf16_units(rg_utf8_next(s, n, &i), units);
        for (int u = 0; u < count; u++) {
            rg_buf_putc(&b, (char)(units[u] >> 8));
            rg_buf_putc(&b, (char)(units[u] & 0xFF));
        }
    }
    HPDF_Binary v = HPDF_Binary_New(j->pdf->mmgr, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
    rg_buf_fini(&b);
    return v;
}

static void set_info(pdf_job *j, const pdf_options *opt)
{
    HPDF_SetInfoAttr(j->pdf, HPDF_INFO_CREATOR, "parkreport"); /* makes the Info dictionary */
    const char *const keys[3] = {"Title", "Author", "Subject"};
    const char *const values[3] = {opt->title, opt->author, opt->subject};
    for (int i = 0; i < 3 && j->pdf->info; i++)
        if (values[i])
            HPDF_Dict_Add(j->pdf->info, keys[i], text_string(j, values[i]));
    /* The document's language, for screen readers and search: the catalog's
     * /Lang, which libharu has no function for. */
    HPDF_Dict_Add(j->pdf->catalog, "Lang", HPDF_String_New(j->pdf->mmgr, "zh-CN", NULL));
    if (opt->created != (time_t)-1) {
        struct tm tm;
        gmtime_r(&opt->created, &tm);
        HPDF_Date date = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec, 'Z', 0, 0};
        HPDF_SetInfoDateAttr(j->pdf, HPDF_INFO_CREATION_DATE, date);
        HPDF_SetInfoDateAttr(j->pdf, HPDF_INFO_MOD_DATE, date);
    }
}

/* Text is written as PDF operators directly, one TJ array a line: libharu
 * 2.3.0 has TextOut only, which writes a Td and a Tj for every run of
 * characters, and a Tc for every change of spacing (the justification
 * changes it twice for each mark that is not spaced). */
typedef struct text_pos {
    double x, y;   /* where the last Td put the line start */
    int file;      /* the font file set, -1 none */
    double size;
    double spacing; /* Tc */
} text_pos;

/* The characters of the items of one line as subset codes: item i's are
 * codes[first[i]] to codes[first[i + 1]]. Reused from line to line. */
typedef struct line_codes {
    uint32_t *codes;
    size_t *first;
    size_t cap_codes, cap_first;
} line_codes;

/* x rounded to `decimals` places (at most 4), without trailing zeros. */
static void put_number(rg_buf *b, double x, int decimals)
{
    long long scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    long long v = llround(x * (double)scale);
    if (v < 0)
        rg_buf_putc(b, '-'), v = -v;
    char digits[32];
    int n = 0;
    long long whole = v / scale, frac = v % scale;
    do
        digits[n++] = (char)('0' + whole % 10);
    while ((whole /= 10) > 0);
    while (n > 0)
        rg_buf_putc(b, digits[--n]);
    if (frac) {
        rg_buf_putc(b, '.');
        for (long long unit = scale / 10; frac; unit /= 10) {
            rg_buf_putc(b, (char)('0' + frac / unit));
            frac %= unit;
        }
    }
}

/* n coordinates (to a thousandth of a point), then the operator op. */
static void put_coords(rg_buf *b, const double *xs, size_t n, const char *op)
{
    for (size_t i = 0; i < n; i++) {
        put_number(b, xs[i], 3);
        rg_buf_putc(b, ' ');
    }
    rg_buf_puts(b, op);
}

static double rounded(double x, double unit)
{
    return (double)llround(x / unit) * unit;
}

static bool same_line(const pdf_options *opt, const layout_item *a, const layout_item *b)
{
    return b->text && b->y == a->y && b->size == a->size &&
           file_of(opt, b->font) == file_of(opt, a->font);
}

/* Appends the subset code of each character of an item's text to lc->codes
 * from index n; returns the new count. */
static size_t item_codes(const pdf_job *j, const layout_item *it, line_codes *lc, size_t n)
{
    const pdf_subset *u = j->subsets[file_of(j->opt, it->font)];
    size_t len = strlen(it->text);
    void *arr = lc->codes;
    xgrow(&arr, &lc->cap_codes, n + len, sizeof *lc->codes); /* a character takes a byte or more */
    lc->codes = arr;
    for (size_t i = 0; i < len;) {
        uint32_t cp = rg_utf8_next(it->text, len, &i);
        const uint32_t *e;
        if (cp < 0x10000) { /* the blocks hold every BMP character of the subset */
            const uint16_t *block = u->index_block[cp >> 8];
            e = block && u->cps[block[cp & 0xFF]] == cp ? u->cps + block[cp & 0xFF] : NULL;
        } else {
            e = bsearch(&cp, u->cps, u->n, sizeof *u->cps, by_cp);
        }
        lc->codes[n++] = e ? (uint32_t)(e - u->cps) : 0;
    }
    return n;
}

static double text_width(const pdf_job *j, const layout_item *it, line_codes *lc)
{
    size_t n = item_codes(j, it, lc, 0);
    const int *w = j->subsets[file_of(j->opt, it->font)]->widths;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[lc->codes[i]] * it->size / 1000;
    return total;
}

/* A two-byte code in a literal string: raw bytes (they compress better
 * than hex), with the string's delimiters, the escape and the line ends
 * (which a reader would change) escaped. */
static void put_code(rg_buf *out, uint32_t code)
{
    for (int shift = 8; shift >= 0; shift -= 8) {
        unsigned char b = (unsigned char)(code >> shift);
        if (b == '(' || b == ')' || b == '\\')
            rg_buf_putc(out, '\\'), rg_buf_putc(out, (char)b);
        else if (b == '\r' || b == '\n')
            rg_buf_puts(out, b == '\r' ? "\\r" : "\\n");
        else
            rg_buf_putc(out, (char)b);
    }
}

/* The TJ array of items[order[0..n)] with Tc = tc, starting at x: each
 * item's characters advance by their widths plus tc, and a number (a move
 * left, in thousandths of the size) puts each item at its x and gives its
 * characters its own spacing where that is not tc. An item more than an em
 * to the right (a table's next cell) is left for a TJ of its own, so that
 * text extraction keeps cells apart. Appends to out unless it is NULL, and
 * then only counts, up to `limit`; returns the count of numbers, and the
 * items set in *used. */
static size_t tj_array(const pdf_job *j, const layout_item *items, const size_t *order, size_t n,
                       const line_codes *lc, double x, double tc, rg_buf *out, size_t limit,
                       size_t *used)
{
    const layout_item *first = &items[order[0]];
    double size = first->size, unit = size / 1000; /* a thousandth of an em */
    int file = file_of(j->opt, first->font);
    const int *w = j->subsets[file]->widths;
    const uint16_t *glyphs = j->subsets[file]->glyphs;
    size_t numbers = 0, i = 0;
    double pen = x; /* where the next character goes, as a viewer computes it */
    bool open = false;
    if (out)
        rg_buf_putc(out, '[');
    for (; i < n; i++) {
        const layout_item *it = &items[order[i]];
        if (i > 0 && it->x - pen > size)
            break;
        for (size_t c = lc->first[i]; c < lc->first[i + 1]; c++) {
            double want = c == lc->first[i] ? it->x : pen + it->spacing - tc;
            if (fabs(pen - want) >= 0.001) { /* a thousandth of a point: invisible */
                double adjust = rounded((pen - want) * 1000 / size, 0.01);
                if (++numbers >= limit && !out) {
                    *used = i;
                    return numbers;
                }
                if (out) {
                    if (open)
                        rg_buf_putc(out, ')');
                    put_number(out, adjust, 2);
                }
                open = false;
                pen -= adjust * size / 1000;
            }
            if (out) {
                if (!open)
                    rg_buf_putc(out, '(');
                put_code(out, glyphs[lc->codes[c]]);
            }
            open = true;
            pen += w[lc->codes[c]] * unit + tc; /* not "/ 1000": a division a character */
        }
    }
    if (out)
        rg_buf_puts(out, open ? ")] TJ\n" : "] TJ\n");
    *used = i;
    return numbers;
}

/* Sets items of one baseline, font and size as one TJ (see tj_array), with
 * whichever of their spacings as Tc needs the fewest numbers. Returns how
 * many items were set. */
static size_t put_line(pdf_job *j, HPDF_Page page, const layout_style *st, const layout_item *items,
                       const size_t *order, size_t n, text_pos *pos, line_codes *lc, rg_buf *out)
{
    const layout_item *first = &items[order[0]];
    int file = file_of(j->opt, first->font);
    double size = first->size;
    void *arr = lc->first;
    xgrow(&arr, &lc->cap_first, n + 1, sizeof *lc->first);
    lc->first = arr;
    lc->first[0] = 0;
    for (size_t i = 0; i < n; i++)
        lc->first[i + 1] = item_codes(j, &items[order[i]], lc, lc->first[i]);
    double dx = rounded(first->x - pos->x, 0.001), dy = rounded(st->page_h - first->y - pos->y, 0.001);
    double x = pos->x + dx, best = pos->spacing;
    size_t used, best_cost = tj_array(j, items, order, n, lc, x, best, NULL, SIZE_MAX, &used);
    for (size_t c = 0; c < n && best_cost > 1; c++) {
        double tc = items[order[c]].spacing;
        bool tried = tc == best || tc == pos->spacing; /* counted already */
        for (size_t p = 0; p < c && !tried; p++)
            tried = items[order[p]].spacing == tc;
        if (tried) /* the same spacing gives the same count */
            continue;
        /* Counted only as far as it could win: a change of Tc costs about a
         * number, so it must save two. */
        size_t cost = tj_array(j, items, order, n, lc, x, tc, NULL, best_cost - 1, &used);
        if (cost + 1 < best_cost)
            best = tc, best_cost = cost;
    }
    if (file != pos->file || size != pos->size) {
        rg_buf_printf(out, "/%s ", HPDF_Page_GetLocalFontName(page, j->fonts[file]));
        put_number(out, size, 3);
        rg_buf_puts(out, " Tf\n");
        pos->file = file, pos->size = size;
    }
    if (best != pos->spacing) {
        put_number(out, best, 4);
        rg_buf_puts(out, " Tc\n");
        pos->spacing = best;
    }
    put_coords(out, (const double[]){dx, dy}, 2, "Td\n");
    pos->x = x, pos->y += dy;
    tj_array(j, items, order, n, lc, x, best, out, SIZE_MAX, &used);
    return used;
}

static int draw_pages(pdf_job *j, const layout_result *r, const layout_style *st)
{
    rg_buf text = {0}; /* a page's text operators */
    line_codes codes = {0};
    int rc = 0;
    /* The items of each page, in their order: a counting sort, since the
     * repeated table headers are appended after the rest. */
    size_t *first = xcalloc((size_t)r->npages + 1, sizeof *first);
    size_t *order = xcalloc(r->nitems ? r->nitems : 1, sizeof *order);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].page >= 0 && r->items[i].page < r->npages)
            first[r->items[i].page + 1]++;
    for (int pg = 0; pg < r->npages; pg++)
        first[pg + 1] += first[pg];
    size_t *fill_at = xcalloc((size_t)r->npages + 1, sizeof *fill_at);
    memcpy(fill_at, first, ((size_t)r->npages + 1) * sizeof *first);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].page >= 0 && r->items[i].page < r->npages)
            order[fill_at[r->items[i].page]++] = i;
    free(fill_at);
    for (int page = 0; page < r->npages && rc == 0; page++) {
        HPDF_Page p = HPDF_AddPage(j->pdf);
        if (!p || j->err.error) {
            rc = fail(j, "cannot add a page");
            break;
        }
        HPDF_Page_SetWidth(p, (HPDF_REAL)st->page_w);
        HPDF_Page_SetHeight(p, (HPDF_REAL)st->page_h);
        /* The page's content is written here, not through libharu's page
         * operators and stream (which format numbers slowly and copy byte
         * by byte): the shaded cells, the text, then the rules. */
        text.len = 0;
        for (size_t n = first[page]; n < first[page + 1]; n++) {
            const layout_item *it = &r->items[order[n]];
            if (it->text || it->fill <= 0)
                continue;
            put_number(&text, it->fill, 4);
            rg_buf_puts(&text, " g\n");
            put_coords(&text,
                       (const double[]){it->x, st->page_h - it->y2, it->x2 - it->x, it->y2 - it->y},
                       4, "re f\n");
        }
        rg_buf_puts(&text, "0 g\nBT\n");
        text_pos pos = {.file = -1};
        for (size_t n = first[page], e; n < first[page + 1]; n = e) {
            e = n + 1;
            if (!r->items[order[n]].text)
                continue;
            while (e < first[page + 1] && same_line(j->opt, &r->items[order[n]], &r->items[order[e]]))
                e++;
            e = n + put_line(j, p, st, r->items, order + n, e - n, &pos, &codes, &text);
        }
        /* Page number "— N —" below the text block: one character in from its
         * right edge on odd pages, from its left edge on even ones (or centred). */
        char num[48];
        snprintf(num, sizeof num, "\xE2\x80\x94 %d \xE2\x80\x94", page + 1);
        layout_item number = {.font = st->page_number.font, .size = st->page_number.size, .text = num};
        double w = text_width(j, &number, &codes), em = st->page_number.size;
        number.x = !st->page_number_outside ? (st->page_w - w) / 2
                   : page % 2 == 0          ? st->margin_left + st->block_w - em - w
                                            : st->margin_left + em;
        number.y = st->margin_top + st->block_h + st->page_number_gap;
        const layout_item *items = &number;
        size_t only = 0;
        put_line(j, p, st, items, &only, 1, &pos, &codes, &text);
        rg_buf_puts(&text, "ET\n");
        bool ruled = false;
        for (size_t n = first[page]; n < first[page + 1]; n++) {
            const layout_item *it = &r->items[order[n]];
            if (it->text || it->fill > 0)
                continue;
            if (!ruled)
                rg_buf_puts(&text, "0.75 w\n");
            ruled = true;
            put_coords(&text, (const double[]){it->x, st->page_h - it->y}, 2, "m ");
            put_coords(&text, (const double[]){it->x2, st->page_h - it->y2}, 2, "l\n");
        }
        if (ruled)
            rg_buf_puts(&text, "S\n");
        rg_buf z = {0};
        bool compressed = !j->err.error &&
            flate_zlib(j->pages_flate, STREAM_DEFLATE_LEVEL, text.data, text.len, 0, 1, &z) == 0;
        if (!compressed)
            rg_buf_fini(&z);
        if (!compressed || set_compressed(j, ((HPDF_PageAttr)p->attr)->contents, z.data, z.len,
                                          (unsigned char *)z.data) != HPDF_OK) /* z is the job's */
            rc = fail(j, "cannot draw the page");
    }
    rg_buf_fini(&text);
    free(codes.codes);
    free(codes.first);
    free(first);
    free(order);
    return rc;
}

/* The PDF's outline: the title, and under it every heading, nested by level. */
static int add_outline(pdf_job *j, const layout_result *r, const layout_style *st)
{
    HPDF_Outline parent[DOC_MAX_LEVEL + 1] = {NULL};
    HPDF_Page pages[1];
    for (size_t i = 0; i < r->nmarks; i++) {
        const layout_mark *mk = &r->marks[i];
        int level = mk->level < 0 ? 0 : mk->level > DOC_MAX_LEVEL ? DOC_MAX_LEVEL : mk->level;
        HPDF_Outline up = NULL;
        for (int k = level - 1; k >= 0 && !up; k--)
            up = parent[k];
        HPDF_Outline o = HPDF_CreateOutline(j->pdf, up, "", NULL);
        pages[0] = HPDF_GetPageByIndex(j->pdf, (HPDF_UINT)mk->page);
        if (!o || !pages[0] || HPDF_Dict_Add(o, "Title", text_string(j, mk->text)) != HPDF_OK)
            return fail(j, "cannot add a bookmark");
        /* The destination [page /FitH top] inside the bookmark, where
         * libharu's would be an object of its own. */
        HPDF_Array dst = HPDF_Array_New(j->pdf->mmgr);
        if (!dst || HPDF_Array_Add(dst, pages[0]) != HPDF_OK ||
            HPDF_Array_AddName(dst, "FitH") != HPDF_OK ||
            HPDF_Array_AddReal(dst, (HPDF_REAL)(st->page_h - mk->y + 24)) != HPDF_OK ||
            HPDF_Dict_Add(o, "Dest", dst) != HPDF_OK || HPDF_Outline_SetOpened(o, level < 1) != HPDF_OK)
            return fail(j, "cannot point a bookmark at its page");
        parent[level] = o;
        for (int k = level + 1; k <= DOC_MAX_LEVEL; k++)
            parent[k] = NULL;
    }
    return j->err.error ? fail(j, "cannot add the bookmarks") : 0;
}

/* Characters set in a font that lacks them: the fallback lacks them too.
 * Each file's distinct characters are checked once, and each character is
 * told once however many fonts lack it. */
static void report_missing(const pdf_options *opt, const used_chars *used)
{
    uint32_t *told = NULL;
    size_t ntold = 0, cap = 0;
    for (int k = 0; k < opt->nfiles; k++)
        for (size_t i = 0; i < used[k].n; i++) {
            uint32_t cp = used[k].cps[i];
            if (cp <= ' ' || font_face_has(opt->files[k].face, cp))
                continue;
            size_t t = 0;
            while (t < ntold && told[t] != cp)
                t++;
            if (t < ntold)
                continue;
            void *arr = told;
            xgrow(&arr, &cap, ntold + 1, sizeof *told);
            told = arr;
            told[ntold++] = cp;
            opt->missing(opt->missing_ud, cp);
        }
    free(told);
}

int pdf_write(const doc *d, const layout_style *st, const pdf_options *opt, const char *path,
              rg_diags *diags)
{
    layout_metrics mx = {(void *)opt, advance, has};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    layout_result *r = layout_run(d, st, &mx);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (opt->layout_seconds)
        *opt->layout_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    used_chars *used = xcalloc(PDF_NROLES, sizeof *used);
    pdf_job j = {.path = path, .diags = diags, .opt = opt, .pages_flate = opt->cache->flate};
    flate_job *body_program = NULL;
    int rc = -1;
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].text)
            use_text(&used[file_of(opt, r->items[i].font)], r->items[i].text);
    if (opt->missing)
        report_missing(opt, used);
    use_text(&used[file_of(opt, st->page_number.font)], "\xE2\x80\x94 0123456789");
    for (int k = 0; k < opt->nfiles; k++) {
        if (used[k].n == 0)
            use(&used[k], ' ');
        qsort(used[k].cps, used[k].n, sizeof *used[k].cps, by_cp);
    }
    /* The first file's subset (the body's, most of the characters) here,
     * the others' on a thread beside when a processor is spare: in a trace
     * of the seed's report they took 4.3 ms after the body's. */
    side_subsets side = {.opt = opt, .used = used, .out = j.subsets};
    pthread_t beside;
    bool threaded = opt->threads > 1 && opt->nfiles > 1 &&
                    pthread_create(&beside, NULL, make_side_subsets, &side) == 0;
    /* The body's program (390 KB for the seed's report, most of a report's
     * compressing) is compressed while the pages are drawn, which need only
     * the subset's glyph numbers: on threads begun here, with the body's
     * compressor, while the pages take the side subsets' once those are
     * made. */
    j.subsets[0] = subset_of(opt, 0, &used[0], opt->cache->flate, &body_program, diags);
    if (body_program)
        j.pages_flate = opt->cache->side_flate;
    if (threaded)
        pthread_join(beside, NULL);
    else
        make_side_subsets(&side);
    rg_diags_move(diags, &side.diags);
    for (int k = 0; k < opt->nfiles; k++)
        if (!j.subsets[k])
            goto done;
    j.pdf = HPDF_New(on_error, &j.err);
    if (!j.pdf) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot start a PDF document (out of memory?)");
        goto done;
    }
    if (HPDF_SetCompressionMode(j.pdf, HPDF_COMP_ALL) != HPDF_OK) {
        fail(&j, "cannot set up compression");
        goto done;
    }
    for (int k = 0; k < opt->nfiles; k++)
        if (add_font(&j, k, j.subsets[k]) != 0)
            goto done;
    set_info(&j, opt);
    if (draw_pages(&j, r, st) != 0 || add_outline(&j, r, st) != 0)
        goto done;
    if (body_program) {
        flate_job *ending = body_program;
        body_program = NULL;
        if (end_pending_program(&j, 0, ending) != 0)
            goto done;
    }
    /* Saved to memory and written here: libharu's file errors do not say
     * what went wrong (a full disk is "error 0x1016, detail 1"), and it does
     * not check the closing flush. Saved through a stream of ours rather
     * than into its memory stream, which copies byte by byte: 2.1 M
     * instructions for the seed's PDF, 5% of a report's share of a batch. */
    rg_buf saved_pdf = {0}, packed = {0};
    j.pdf->stream = HPDF_CallbackWriter_New(j.pdf->mmgr, collect, &saved_pdf);
    if (!j.pdf->stream || HPDF_SaveToStream(j.pdf) != HPDF_OK || j.err.error) {
        fail(&j, "cannot save the file");
        rg_buf_fini(&saved_pdf);
        goto done;
    }
    const char *why = NULL;
    if (pdf_pack(opt->cache->flate, saved_pdf.data, saved_pdf.len, &packed, &why) != 0) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot pack the PDF's objects: %s",
                    why ? why : "unknown error");
        rg_buf_fini(&saved_pdf), rg_buf_fini(&packed);
        goto done;
    }
    rg_buf_fini(&saved_pdf);
    /* The caller's empty temporary file, not truncated again: on ext4 that
     * cost 0.07 ms a file. */
    int written = rg_write_file(path, "r+b", packed.data, packed.len);
    rg_buf_fini(&packed);
    if (written != 0) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot write the PDF: %s", strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (body_program) /* given up on before its bytes were needed */
        end_pending_program(&j, 0, body_program);
    for (int k = 0; k < opt->nfiles; k++) {
        free(used[k].cps);
        free(used[k].seen_beyond);
    }
    free(used);
    for (size_t i = 0; i < j.nblobs; i++) {
        free(j.blobs[i]->owned);
        free(j.blobs[i]);
    }
    free(j.blobs);
    layout_free(r);
    if (j.pdf)
        HPDF_Free(j.pdf);
    return rc;
}
