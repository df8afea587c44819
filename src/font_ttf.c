/* font_ttf.c - see font.h. */
#include "font.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

/* A table of the face: bytes of the mapped file, empty when the face has
 * none or its directory points outside the file. */
typedef struct table {
    const unsigned char *data;
    size_t len;
} table;

struct font_face {
    char *path;
    unsigned char *file; /* mapped read-only: a CJK font is tens of megabytes, of which a report reads a few */
    size_t file_len;
    int fd; /* the glyphs are read with pread (read_glyph) */
    const unsigned char *dir; /* the face's table records */
    unsigned ntables;
    unsigned upem, nglyphs, nmetrics;
    table hmtx, cmap; /* cmap: the subtable characters are looked up in */
    unsigned cmap_format;
    bool symbol; /* a (3,0) subtable, which puts characters at U+F0xx */
};

#define TAG(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static unsigned rd16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Opens and maps the file at path; false with errno set. */
static bool map_file(const char *path, int *fd_out, unsigned char **addr, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
    if (fd < 0)
        return false;
    struct stat sb;
    void *a = MAP_FAILED;
    if (fstat(fd, &sb) != 0)
        ; /* errno says why */
    else if (!S_ISREG(sb.st_mode))
        errno = EINVAL;
    else if (sb.st_size == 0)
        errno = ENODATA;
    else if ((unsigned long long)sb.st_size > FONT_MAX_FILE_BYTES)
        errno = EFBIG;
    else
        a = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (a == MAP_FAILED) {
        int saved = errno;
        close(fd);
        errno = saved;
        return false;
    }
    *fd_out = fd;
    *addr = a;
    *len = (size_t)sb.st_size;
    return true;
}

static table get_table(const font_face *f, uint32_t tag)
{
    for (unsigned i = 0; i < f->ntables; i++) {
        const unsigned char *r = f->dir + 16 * (size_t)i;
        if (rd32(r) != tag)
            continue;
        size_t at = rd32(r + 8), len = rd32(r + 12);
        if (at > f->file_len || len > f->file_len - at)
            break;
        return (table){f->file + at, len};
    }
    return (table){NULL, 0};
}

/* The faces of a file: a collection's count, 1 for a single font, 0 for
 * what is neither. */
static unsigned face_count(const unsigned char *d, size_t len)
{
    if (len < 12)
        return 0;
    uint32_t v = rd32(d);
    if (v == TAG('t', 't', 'c', 'f')) {
        uint32_t n = rd32(d + 8);
        return n <= (len - 12) / 4 ? (unsigned)n : 0;
    }
    return v == 0x00010000 || v == TAG('t', 'r', 'u', 'e') || v == TAG('O', 'T', 'T', 'O') ? 1 : 0;
}

/* The face's table directory; false when it runs past the file. */
static bool find_directory(font_face *f, unsigned index)
{
    size_t at = rd32(f->file) == TAG('t', 't', 'c', 'f') ? rd32(f->file + 12 + 4 * (size_t)index) : 0;
    if (at > f->file_len || f->file_len - at < 12)
        return false;
    f->ntables = rd16(f->file + at + 4);
    f->dir = f->file + at + 12;
    return 16 * (size_t)f->ntables <= f->file_len - at - 12;
}

/* The subtable characters are looked up in, chosen as HarfBuzz chooses it:
 * symbol first, then the 32-bit Unicode ones, then the BMP ones. */
static void choose_cmap(font_face *f)
{
    static const unsigned ids[][2] = {{3, 0}, {3, 10}, {0, 6}, {0, 4}, {3, 1},
                                      {0, 3}, {0, 2},  {0, 1}, {0, 0}};
    table c = get_table(f, TAG('c', 'm', 'a', 'p'));
    size_t count = c.len >= 4 ? rd16(c.data + 2) : 0;
    if (count > (c.len - 4) / 8)
        count = 0;
    for (size_t k = 0; k < sizeof ids / sizeof *ids; k++)
        for (size_t i = 0; i < count; i++) {
            const unsigned char *r = c.data + 4 + 8 * i;
            size_t at = rd32(r + 4);
            if (rd16(r) != ids[k][0] || rd16(r + 2) != ids[k][1] || at > c.len || c.len - at < 4)
                continue;
            unsigned format = rd16(c.data + at);
            /* Lengths are 16-bit in formats 4 and 6, 32-bit in 12; a
             * length past the table's end (some fonts have one) is cut. */
            size_t len = format == 12 ? (c.len - at >= 8 ? rd32(c.data + at + 4) : 0) : rd16(c.data + at + 2);
            if (len > c.len - at)
                len = c.len - at;
            if (!((format == 4 && len >= 16) || (format == 6 && len >= 10) || (format == 12 && len >= 16)))
                continue;
            f->cmap = (table){c.data + at, len};
            f->cmap_format = format;
            f->symbol = k == 0;
            return;
        }
}

static unsigned lookup4(const table *t, uint32_t cp)
{
    if (cp > 0xFFFF)
        return 0;
    const unsigned char *d = t->data;
    size_t segs = rd16(d + 6) / 2;
    if (16 + 8 * segs > t->len)
        segs = (t->len - 16) / 8;
    const unsigned char *ends = d + 14, *starts = ends + 2 * segs + 2, *deltas = starts + 2 * segs,
                        *ranges = deltas + 2 * segs;
    size_t lo = 0, hi = segs; /* the first segment ending at or after cp */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rd16(ends + 2 * mid) < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == segs || rd16(starts + 2 * lo) > cp)
        return 0;
    unsigned delta = rd16(deltas + 2 * lo), range = rd16(ranges + 2 * lo);
    if (range == 0)
        return (cp + delta) & 0xFFFF;
    size_t at = (size_t)(ranges - d) + 2 * lo + range + 2 * (cp - rd16(starts + 2 * lo));
    if (at + 2 > t->len)
        return 0;
    unsigned g = rd16(d + at);
    return g ? (g + delta) & 0xFFFF : 0;
}

static unsigned lookup6(const table *t, uint32_t cp)
{
    unsigned first = rd16(t->data + 6), count = rd16(t->data + 8);
    if (cp < first || cp - first >= count || 10 + 2 * (size_t)(cp - first) + 2 > t->len)
        return 0;
    return rd16(t->data + 10 + 2 * (size_t)(cp - first));
}

static unsigned lookup12(const table *t, uint32_t cp)
{
    size_t groups = rd32(t->data + 12);
    if (groups > (t->len - 16) / 12)
        groups = (t->len - 16) / 12;
    const unsigned char *g = t->data + 16;
    size_t lo = 0, hi = groups; /* the first group ending at or after cp */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rd32(g + 12 * mid + 4) < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == groups || rd32(g + 12 * lo) > cp)
        return 0;
    uint32_t gid = rd32(g + 12 * lo + 8) + (cp - rd32(g + 12 * lo));
    return gid <= 0xFFFF ? (unsigned)gid : 0;
}

static unsigned lookup(const font_face *f, uint32_t cp)
{
    switch (f->cmap_format) {
    case 4: return lookup4(&f->cmap, cp);
    case 6: return lookup6(&f->cmap, cp);
    case 12: return lookup12(&f->cmap, cp);
    default: return 0;
    }
}

/* The glyph of cp, 0 when the face has none (or names one it lacks). */
static unsigned glyph_of(const font_face *f, uint32_t cp)
{
    unsigned g = lookup(f, cp);
    if (!g && f->symbol && cp <= 0xFF)
        g = lookup(f, 0xF000 + cp);
    return g < f->nglyphs ? g : 0;
}

font_face *font_face_open(const char *path, int index, rg_diags *diags)
{
    font_face *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->fd = -1;
    errno = 0;
    if (!map_file(path, &f->fd, &f->file, &f->file_len)) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot read the font file: %s",
                    errno == EINVAL  ? "not a regular file"
                    : errno == EFBIG ? "larger than " FONT_MAX_FILE_TEXT " (docs/limits.md)"
                    : errno          ? strerror(errno)
                                     : "unknown error");
        font_face_close(f);
        return NULL;
    }
    unsigned faces = face_count(f->file, f->file_len);
    if (faces == 0 || index < 0 || (unsigned)index >= faces || !find_directory(f, (unsigned)index)) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    faces == 0 ? "this is not a TrueType or OpenType font file"
                    : (unsigned)index >= faces ? "the file has %u faces; face %d does not exist"
                                               : "the font's table directory runs past its end",
                    faces, index);
        font_face_close(f);
        return NULL;
    }
    /* The licence's word on embedding (OS/2 fsType): bit 1 forbids it, bit 8
     * forbids subsetting (and a whole CJK font is megabytes), bit 9 allows
     * bitmaps only. */
    table os2 = get_table(f, TAG('O', 'S', '/', '2'));
    unsigned fs_type = os2.len >= 10 ? rd16(os2.data + 8) : 0;
    const char *refusal = (fs_type & 0x000F) == 0x0002 ? "forbids embedding it in a document"
              : fs_type & 0x0100          ? "forbids embedding a subset of it"
              : fs_type & 0x0200          ? "allows embedding its bitmaps only"
                                          : NULL;
    /* The PDF embeds TrueType outlines (FontFile2) only. */
    bool glyf = get_table(f, TAG('g', 'l', 'y', 'f')).len > 0 && get_table(f, TAG('l', 'o', 'c', 'a')).len > 0;
    bool cff = get_table(f, TAG('C', 'F', 'F', ' ')).len > 0 || get_table(f, TAG('C', 'F', 'F', '2')).len > 0;
    table head = get_table(f, TAG('h', 'e', 'a', 'd')), hhea = get_table(f, TAG('h', 'h', 'e', 'a')),
          maxp = get_table(f, TAG('m', 'a', 'x', 'p'));
    f->hmtx = get_table(f, TAG('h', 'm', 't', 'x'));
    if (head.len >= 54 && hhea.len >= 36 && maxp.len >= 6) {
        f->nglyphs = rd16(maxp.data + 4);
        f->nmetrics = rd16(hhea.data + 34);
        f->upem = rd16(head.data + 18);
        if (f->upem < 16 || f->upem > 16384) /* as HarfBuzz takes a broken one */
            f->upem = 1000;
    }
    bool metrics = f->nglyphs > 0 && f->nmetrics > 0 && f->nmetrics <= f->nglyphs &&
                   f->hmtx.len >= 4 * (size_t)f->nmetrics;
    if (!glyf) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    cff ? "this font has CFF (PostScript) outlines, which are not embedded; name "
                          "a TrueType font (glyf outlines) in fonts.conf"
                        : "this font has no TrueType outlines (glyf) to embed; name a TrueType "
                          "font in fonts.conf");
    } else if (refusal) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    "the font's licence %s (OS/2 fsType 0x%04X); name another font in fonts.conf",
                    refusal, fs_type);
    } else if (!metrics) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    "the font's head, hhea, maxp or hmtx table is missing or too short; "
                    "name another font in fonts.conf");
    } else {
        choose_cmap(f);
        return f;
    }
    font_face_close(f);
    return NULL;
}

void font_face_close(font_face *f)
{
    if (!f)
        return;
    if (f->file)
        munmap(f->file, f->file_len);
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f);
}

bool font_face_has(const font_face *f, uint32_t cp)
{
    return glyph_of(f, cp) != 0;
}

double font_face_advance(const font_face *f, uint32_t cp)
{
    unsigned g = glyph_of(f, cp);
    unsigned adv = rd16(f->hmtx.data + 4 * (size_t)(g < f->nmetrics ? g : f->nmetrics - 1));
    return (double)adv * 1000.0 / (double)f->upem;
}

/* The PostScript name (name 6), Windows' US English first, as bytes of
 * ASCII; "" when the font has none. */
static void postscript_name(const font_face *f, char *out, size_t size)
{
    table t = get_table(f, TAG('n', 'a', 'm', 'e'));
    size_t count = t.len >= 6 ? rd16(t.data + 2) : 0, storage = count ? rd16(t.data + 4) : 0;
    if (6 + 12 * count > t.len || storage > t.len)
        count = 0;
    const unsigned char *best = NULL;
    int best_rank = 0;
    for (size_t i = 0; i < count; i++) {
        const unsigned char *r = t.data + 6 + 12 * i;
        unsigned platform = rd16(r), encoding = rd16(r + 2), language = rd16(r + 4);
        if (rd16(r + 6) != 6 || storage + rd16(r + 10) + rd16(r + 8) > t.len)
            continue;
        int rank = platform == 3 && encoding == 1 && language == 0x409 ? 4
                   : platform == 3 && (encoding == 1 || encoding == 0) ? 3
                   : platform == 1 && encoding == 0 && language == 0  ? 2
                   : platform == 0                                     ? 1
                                                                       : 0;
        if (rank > best_rank)
            best = r, best_rank = rank;
    }
    size_t n = 0;
    if (best) {
        const unsigned char *s = t.data + storage + rd16(best + 10);
        size_t len = rd16(best + 8), step = best_rank == 2 ? 1 : 2; /* Mac Roman, or UTF-16BE */
        for (size_t i = 0; i + step <= len && n + 1 < size; i += step) {
            unsigned c = step == 1 ? s[i] : rd16(s + i);
            if (c < 128)
                out[n++] = (char)c;
        }
    }
    out[n] = '\0';
}

void font_face_describe(const font_face *f, font_description *out)
{
    memset(out, 0, sizeof *out);
    double scale = 1000.0 / f->upem;
    table hhea = get_table(f, TAG('h', 'h', 'e', 'a')), os2 = get_table(f, TAG('O', 'S', '/', '2'));
    /* HarfBuzz's reading, which the layout was measured with: OS/2's typo
     * ascender and descender when its USE_TYPO_METRICS bit is set, else
     * hhea's; the ascender positive and the descender negative. */
    bool os2_ok = os2.len >= 78, typo = os2_ok && (rd16(os2.data + 62) & 0x80);
    int asc = (int16_t)rd16(typo ? os2.data + 68 : hhea.data + 4);
    int desc = (int16_t)rd16(typo ? os2.data + 70 : hhea.data + 6);
    out->ascent = (int)lround(abs(asc) * scale);
    out->descent = -(int)lround(abs(desc) * scale);
    if (os2_ok && rd16(os2.data) >= 2 && os2.len >= 96) {
        out->x_height = (int)lround((int16_t)rd16(os2.data + 86) * scale);
        out->cap_height = (int)lround((int16_t)rd16(os2.data + 88) * scale);
    }
    table head = get_table(f, TAG('h', 'e', 'a', 'd'));
    for (int i = 0; i < 4; i++) /* xMin, yMin, xMax, yMax */
        out->bbox[i] = (int)lround((int16_t)rd16(head.data + 36 + 2 * i) * scale);
    table post = get_table(f, TAG('p', 'o', 's', 't'));
    if (post.len >= 8) /* a 16.16 fixed-point angle */
        out->italic_angle = (int16_t)rd16(post.data + 4) + rd16(post.data + 6) / 65536.0;
    /* At most 63 characters, as OpenType says; a PDF name keeps the ASCII
     * that is not a delimiter. */
    char name[64];
    postscript_name(f, name, sizeof name);
    size_t n = 0;
    for (const char *c = name; *c && n < sizeof out->postscript_name - 1; c++)
        if (*c > ' ' && *c < 127 && !strchr("()<>[]{}/%#", *c))
            out->postscript_name[n++] = *c;
    if (n == 0)
        snprintf(out->postscript_name, sizeof out->postscript_name, "Font");
}

/* --- the subset ------------------------------------------------------------
 *
 * Made here from the face's tables rather than by HarfBuzz's subsetter,
 * which for the seed's Song subset took 11 M instructions and 3 MB of memory
 * (and 3.7 M for the 30 glyphs of the Kai subset), most of it for tables and
 * cases a PDF's TrueType font has no use for. The subset keeps the glyphs
 * drawn and those they are built from, in the font's order, without their
 * hinting instructions; their advances; head, hhea, maxp and OS/2 as the
 * font has them (with the counts changed); names 0-6; post without glyph
 * names; gasp; and a private-use cmap. */

static void put16(rg_buf *b, unsigned v)
{
    rg_buf_putc(b, (char)(v >> 8));
    rg_buf_putc(b, (char)v);
}

static void put32(rg_buf *b, uint32_t v)
{
    put16(b, (unsigned)(v >> 16));
    put16(b, (unsigned)(v & 0xFFFF));
}

static void set16(rg_buf *b, size_t at, unsigned v)
{
    b->data[at] = (char)(v >> 8);
    b->data[at + 1] = (char)v;
}

static void set32(rg_buf *b, size_t at, uint32_t v)
{
    set16(b, at, (unsigned)(v >> 16));
    set16(b, at + 2, (unsigned)(v & 0xFFFF));
}

typedef struct source {
    table head, hhea, maxp, hmtx, loca, glyf, os2, post, name, gasp;
    unsigned nglyphs, nmetrics;
    bool long_loca;
} source;

/* The tables a subset is made of; false when one it needs is too short
 * for what it says. */
static bool source_init(source *s, const font_face *f)
{
    s->head = get_table(f, TAG('h', 'e', 'a', 'd'));
    s->hhea = get_table(f, TAG('h', 'h', 'e', 'a'));
    s->maxp = get_table(f, TAG('m', 'a', 'x', 'p'));
    s->hmtx = f->hmtx;
    s->loca = get_table(f, TAG('l', 'o', 'c', 'a'));
    s->glyf = get_table(f, TAG('g', 'l', 'y', 'f'));
    s->os2 = get_table(f, TAG('O', 'S', '/', '2'));
    s->post = get_table(f, TAG('p', 'o', 's', 't'));
    s->name = get_table(f, TAG('n', 'a', 'm', 'e'));
    s->gasp = get_table(f, TAG('g', 'a', 's', 'p'));
    s->nglyphs = f->nglyphs;
    s->nmetrics = f->nmetrics;
    s->long_loca = rd16(s->head.data + 50) != 0;
    return s->hmtx.len >= 4 * (size_t)s->nmetrics + 2 * (size_t)(s->nglyphs - s->nmetrics) &&
           s->loca.len >= (s->long_loca ? 4 : 2) * ((size_t)s->nglyphs + 1);
}

static size_t loca_at(const source *s, unsigned g)
{
    return s->long_loca ? rd32(s->loca.data + 4 * (size_t)g) : 2 * (size_t)rd16(s->loca.data + 2 * (size_t)g);
}

/* Reads glyph g's bytes onto the end of store, noting where (*at) and how
 * many (*len). Read, not touched in the mapping: a report's glyphs lie all
 * over a CJK font's glyf table, and the kernel maps the 16 pages around
 * each one touched, a score of megabytes for the body font that took as
 * long to unmap again. 0; -1 with errno 0 when loca points outside glyf,
 * else with errno set. */
static int read_glyph(const font_face *f, const source *s, unsigned g, rg_buf *store,
                      size_t *at, size_t *len)
{
    size_t from = loca_at(s, g), to = loca_at(s, g + 1);
    if (from > to || to > s->glyf.len) {
        errno = 0;
        return -1;
    }
    size_t n = to - from, got = 0;
    void *data = store->data;
    xgrow(&data, &store->cap, store->len + n + 1, 1);
    store->data = data;
    off_t where = (off_t)(s->glyf.data - f->file) + (off_t)from;
    while (got < n) {
        ssize_t r = pread(f->fd, store->data + store->len + got, n - got, where + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0) /* the file was cut short since it was opened */
                errno = ENODATA;
            return -1;
        }
        got += (size_t)r;
    }
    *at = store->len;
    *len = n;
    store->len += n;
    store->data[store->len] = '\0';
    return 0;
}

enum {
    ARG_WORDS = 0x0001,
    HAVE_SCALE = 0x0008,
    MORE_COMPONENTS = 0x0020,
    HAVE_XY_SCALE = 0x0040,
    HAVE_2X2 = 0x0080,
    HAVE_INSTRUCTIONS = 0x0100
};

/* Bytes of a composite glyph's component record with these flags. */
static size_t component_size(unsigned flags)
{
    return 4 + (flags & ARG_WORDS ? 4 : 2) +
           (flags & HAVE_SCALE ? 2 : flags & HAVE_XY_SCALE ? 4 : flags & HAVE_2X2 ? 8 : 0);
}

/* Calls back (unless `each` is NULL) for each component of composite glyph
 * data g (len bytes, at least 10); the number of bytes up to the
 * instructions, or 0 when the records run past the glyph. */
static size_t walk_components(const unsigned char *g, size_t len,
                              void (*each)(void *ud, size_t at, unsigned gid), void *ud)
{
    size_t at = 10;
    unsigned flags;
    do {
        if (at + 4 > len)
            return 0;
        flags = rd16(g + at);
        size_t size = component_size(flags);
        if (at + size > len)
            return 0;
        if (each)
            each(ud, at, rd16(g + at + 2));
        at += size;
    } while (flags & MORE_COMPONENTS);
    return at;
}

/* Where a simple glyph's instructions start (after the header and the
 * contours' ends) and how long they are; false when they run past the
 * glyph. The flags and coordinates follow them to the glyph's end. */
static bool simple_instructions(const unsigned char *g, size_t len, unsigned contours,
                                size_t *at, size_t *count)
{
    *at = 10 + 2 * (size_t)contours;
    if (*at + 2 > len)
        return false;
    *count = rd16(g + *at);
    return *at + 2 + *count <= len;
}

typedef struct kept_glyph {
    uint16_t old;  /* its number in the font */
    size_t at, len; /* its bytes in the subset's store (read_glyph) */
} kept_glyph;

typedef struct glyph_set {
    unsigned char *in;   /* a bit per glyph of the font */
    kept_glyph *list;    /* the glyphs kept, ascending once sorted: new number i */
    size_t n, cap;
    bool broken;         /* a composite glyph that runs past its end */
} glyph_set;

static void keep(glyph_set *k, unsigned g)
{
    if (k->in[g >> 3] & (1u << (g & 7)))
        return;
    k->in[g >> 3] |= (unsigned char)(1u << (g & 7));
    void *arr = k->list;
    xgrow(&arr, &k->cap, k->n + 1, sizeof *k->list);
    k->list = arr;
    k->list[k->n++] = (kept_glyph){.old = (uint16_t)g};
}

typedef struct closure_ctx {
    glyph_set *set;
    unsigned nglyphs;
} closure_ctx;

static void keep_component(void *ud, size_t at, unsigned gid)
{
    (void)at;
    closure_ctx *c = ud;
    if (gid < c->nglyphs)
        keep(c->set, gid);
    else
        c->set->broken = true;
}

static int by_old_number(const void *a, const void *b)
{
    return (int)((const kept_glyph *)a)->old - (int)((const kept_glyph *)b)->old;
}

/* The new number of glyph g (which is kept). */
static unsigned new_number(const glyph_set *k, unsigned g)
{
    size_t lo = 0, hi = k->n;
    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (k->list[mid].old <= g)
            lo = mid;
        else
            hi = mid;
    }
    return (unsigned)lo;
}

typedef struct remap_ctx {
    const glyph_set *set;
    unsigned char *out; /* the component records, copied */
} remap_ctx;

static void remap_component(void *ud, size_t at, unsigned gid)
{
    remap_ctx *r = ud;
    unsigned flags = rd16(r->out + at) & ~(unsigned)HAVE_INSTRUCTIONS;
    unsigned to = new_number(r->set, gid);
    r->out[at] = (unsigned char)(flags >> 8), r->out[at + 1] = (unsigned char)flags;
    r->out[at + 2] = (unsigned char)(to >> 8), r->out[at + 3] = (unsigned char)to;
}

/* glyf and loca of the kept glyphs, whose bytes are in store; false for a
 * glyph that runs past its end. */
static bool build_glyf(const glyph_set *k, const rg_buf *store, rg_buf *glyf, rg_buf *loca,
                       bool *long_loca)
{
    size_t *at = xmalloc((k->n + 1) * sizeof *at);
    bool ok = true;
    for (size_t i = 0; i < k->n && ok; i++) {
        at[i] = glyf->len;
        const unsigned char *g = (const unsigned char *)store->data + k->list[i].at;
        size_t len = k->list[i].len;
        if (len == 0)
            continue;
        ok = len >= 10;
        int contours = ok ? (int16_t)rd16(g) : 0;
        if (ok && contours >= 0) {
            size_t ins_at = 0, ins_len = 0;
            ok = simple_instructions(g, len, (unsigned)contours, &ins_at, &ins_len);
            if (ok) {
                rg_buf_append(glyf, (const char *)g, ins_at);
                put16(glyf, 0);
                rg_buf_append(glyf, (const char *)g + ins_at + 2 + ins_len, len - ins_at - 2 - ins_len);
            }
        } else if (ok) { /* copied, then renumbered, without instructions */
            size_t end = walk_components(g, len, NULL, NULL);
            ok = end != 0;
            if (ok) {
                size_t base = glyf->len;
                rg_buf_append(glyf, (const char *)g, end);
                remap_ctx r = {k, (unsigned char *)glyf->data + base};
                walk_components(g, len, remap_component, &r);
            }
        }
    }
    if (!ok) {
        free(at);
        return false;
    }
    at[k->n] = glyf->len;
    /* Short offsets count words: each glyph then starts at an even offset. */
    size_t odd = 0;
    for (size_t i = 0; i < k->n; i++)
        odd += (at[i + 1] - at[i]) & 1;
    *long_loca = glyf->len + odd > 0x1FFFE;
    if (!*long_loca && odd) {
        rg_buf padded = {0};
        for (size_t i = 0; i < k->n; i++) {
            size_t from = at[i];
            at[i] = padded.len;
            rg_buf_append(&padded, glyf->data + from, at[i + 1] - from);
            if (padded.len & 1)
                rg_buf_putc(&padded, 0);
        }
        at[k->n] = padded.len;
        rg_buf_fini(glyf);
        *glyf = padded;
    }
    for (size_t i = 0; i <= k->n; i++) {
        if (*long_loca)
            put32(loca, (uint32_t)at[i]);
        else
            put16(loca, (unsigned)(at[i] / 2));
    }
    free(at);
    return ok;
}

/* hmtx of the kept glyphs, the advances of a trailing run of equal ones
 * written once (as hhea's numberOfHMetrics says). */
static unsigned build_hmtx(const source *s, const glyph_set *k, rg_buf *hmtx)
{
    unsigned *adv = xmalloc(k->n * sizeof *adv);
    int *lsb = xmalloc(k->n * sizeof *lsb);
    for (size_t i = 0; i < k->n; i++) {
        unsigned g = k->list[i].old, m = g < s->nmetrics ? g : s->nmetrics - 1;
        adv[i] = rd16(s->hmtx.data + 4 * (size_t)m);
        lsb[i] = g < s->nmetrics ? (int)rd16(s->hmtx.data + 4 * (size_t)g + 2)
                                 : (int)rd16(s->hmtx.data + 4 * (size_t)s->nmetrics +
                                             2 * (size_t)(g - s->nmetrics));
    }
    size_t metrics = k->n;
    while (metrics > 1 && adv[metrics - 2] == adv[metrics - 1])
        metrics--;
    for (size_t i = 0; i < k->n; i++) {
        if (i < metrics)
            put16(hmtx, adv[i]);
        put16(hmtx, (unsigned)lsb[i]);
    }
    free(adv);
    free(lsb);
    return (unsigned)metrics;
}

/* The name table with names 0-6 (copyright to PostScript name) in US
 * English for Windows only, as HarfBuzz's subsetter keeps them. */
static void build_name(const table *name, rg_buf *out)
{
    const unsigned char *d = name->data;
    size_t count = name->len >= 6 ? rd16(d + 2) : 0, storage = count ? rd16(d + 4) : 0;
    if (6 + 12 * count > name->len || storage > name->len)
        count = 0;
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        const unsigned char *r = d + 6 + 12 * i;
        size_t at = storage + rd16(r + 10), len = rd16(r + 8);
        if (rd16(r) == 3 && rd16(r + 4) == 0x0409 && rd16(r + 6) <= 6 && at + len <= name->len)
            kept++;
    }
    put16(out, 0), put16(out, (unsigned)kept), put16(out, (unsigned)(6 + 12 * kept));
    rg_buf strings = {0};
    for (size_t i = 0; i < count; i++) {
        const unsigned char *r = d + 6 + 12 * i;
        size_t at = storage + rd16(r + 10), len = rd16(r + 8);
        if (rd16(r) != 3 || rd16(r + 4) != 0x0409 || rd16(r + 6) > 6 || at + len > name->len)
            continue;
        rg_buf_append(out, (const char *)r, 8); /* platform, encoding, language, name */
        put16(out, (unsigned)len), put16(out, (unsigned)strings.len);
        rg_buf_append(&strings, (const char *)d + at, len);
    }
    rg_buf_append(out, strings.data ? strings.data : "", strings.len);
    rg_buf_fini(&strings);
}

/* A cmap with one (3,1) format-4 subtable: FONT_PUA_FIRST + i -> gids[i],
 * as segments of codes whose glyphs are consecutive too (the subset keeps
 * the font's glyph order, which mostly follows the code points), each
 * mapped by an offset alone. Codes without a glyph are left out. */
static void build_cmap(const uint16_t *gids, size_t n, rg_buf *out)
{
    size_t nseg = 1; /* the 0xFFFF end segment */
    for (size_t i = 0; i < n; i++)
        if (gids[i] && (i == 0 || gids[i] != gids[i - 1] + 1 || !gids[i - 1]))
            nseg++;
    unsigned search = 1, selector = 0;
    while (search * 2 <= nseg)
        search *= 2, selector++;
    put16(out, 0), put16(out, 1);                             /* version, one table */
    put16(out, 3), put16(out, 1), put32(out, 12);             /* Windows Unicode BMP at 12 */
    put16(out, 4), put16(out, (unsigned)(16 + nseg * 8)), put16(out, 0);
    put16(out, (unsigned)nseg * 2), put16(out, search * 2), put16(out, selector);
    put16(out, (unsigned)(nseg - search) * 2);
    for (int pass = 0; pass < 3; pass++) { /* the segments' ends, starts, deltas */
        if (pass == 1)
            put16(out, 0); /* reservedPad */
        for (size_t i = 0; i < n;) {
            if (!gids[i]) {
                i++;
                continue;
            }
            size_t k = i + 1;
            while (k < n && gids[k] && gids[k] == gids[k - 1] + 1)
                k++;
            unsigned first = (unsigned)(FONT_PUA_FIRST + i);
            put16(out, pass == 0 ? (unsigned)(FONT_PUA_FIRST + k - 1)
                       : pass == 1 ? first
                                   : ((unsigned)gids[i] - first) & 0xFFFF);
            i = k;
        }
        put16(out, pass == 2 ? 1 : 0xFFFF);
    }
    for (size_t i = 0; i < nseg; i++)
        put16(out, 0); /* idRangeOffsets */
}

/* The sum of big-endian 32-bit words, the last padded with zeros. */
static uint32_t checksum(const unsigned char *d, size_t len)
{
    uint32_t sum = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        sum += rd32(d + i);
    if (i < len) {
        unsigned char last[4] = {0};
        memcpy(last, d + i, len - i);
        sum += rd32(last);
    }
    return sum;
}

typedef struct out_table {
    uint32_t tag;
    rg_buf data;
} out_table;

static int by_tag(const void *a, const void *b)
{
    uint32_t x = ((const out_table *)a)->tag, y = ((const out_table *)b)->tag;
    return (x > y) - (x < y);
}

/* The font file: the table directory, then the tables, each padded to four
 * bytes; head's checkSumAdjustment makes the whole sum 0xB1B0AFBA. */
static void assemble(out_table *t, size_t n, rg_buf *out)
{
    qsort(t, n, sizeof *t, by_tag);
    unsigned search = 1, selector = 0;
    while (search * 2 <= n)
        search *= 2, selector++;
    out->len = 0;
    put32(out, 0x00010000), put16(out, (unsigned)n);
    put16(out, search * 16), put16(out, selector), put16(out, (unsigned)(n - search) * 16);
    size_t at = 12 + 16 * n, head_at = 0;
    uint32_t sum = 0; /* of the whole file: the directory's and the tables' */
    for (size_t i = 0; i < n; i++) {
        uint32_t table_sum = checksum((const unsigned char *)t[i].data.data, t[i].data.len);
        put32(out, t[i].tag);
        put32(out, table_sum);
        put32(out, (uint32_t)at), put32(out, (uint32_t)t[i].data.len);
        if (t[i].tag == TAG('h', 'e', 'a', 'd'))
            head_at = at;
        at += (t[i].data.len + 3) & ~(size_t)3;
        sum += table_sum;
    }
    sum += checksum((const unsigned char *)out->data, out->len);
    for (size_t i = 0; i < n; i++) {
        rg_buf_append(out, t[i].data.data ? t[i].data.data : "", t[i].data.len);
        while (out->len & 3)
            rg_buf_putc(out, 0);
    }
    set32(out, head_at + 8, 0xB1B0AFBAu - sum);
}

int font_face_subset(const font_face *f, const uint32_t *cps, size_t n, rg_buf *out,
                     uint16_t *glyphs, rg_diags *diags)
{
    if (n > FONT_PUA_MAX) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0,
                    "a report may use at most %d different characters of one font", FONT_PUA_MAX);
        return -1;
    }
    source s = {0};
    if (!source_init(&s, f)) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0,
                    "the font's hmtx or loca table is too short for its glyphs; "
                    "name another font in fonts.conf");
        return -1;
    }
    /* The glyphs drawn, .notdef, and what composite glyphs are built of
     * (a queue: `done` is where the next composite to open is). */
    glyph_set k = {.in = xcalloc(0x10000 / 8, 1)};
    keep(&k, 0);
    uint16_t *old_of = xcalloc(n ? n : 1, sizeof *old_of);
    for (size_t i = 0; i < n; i++) {
        unsigned g = glyph_of(f, cps[i]);
        if (g) {
            old_of[i] = (uint16_t)g;
            keep(&k, g);
        }
    }
    closure_ctx cc = {&k, s.nglyphs};
    rg_buf store = {0}; /* the kept glyphs' bytes, as read */
    int read_errno = 0;
    for (size_t done = 0; done < k.n && !k.broken; done++) {
        kept_glyph *kg = &k.list[done];
        if (read_glyph(f, &s, kg->old, &store, &kg->at, &kg->len) != 0) {
            read_errno = errno;
            k.broken = true;
            break;
        }
        const unsigned char *g = (const unsigned char *)store.data + kg->at;
        size_t len = kg->len; /* keep_component may move the list, and kg with it */
        if (len >= 10 && (int16_t)rd16(g) < 0 && walk_components(g, len, keep_component, &cc) == 0)
            k.broken = true;
    }
    qsort(k.list, k.n, sizeof *k.list, by_old_number);
    out_table t[11] = {{0}};
    size_t nt = 0;
    bool long_loca = false;
    bool ok = !k.broken;
    if (ok) {
        t[nt].tag = TAG('g', 'l', 'y', 'f');
        t[nt + 1].tag = TAG('l', 'o', 'c', 'a');
        ok = build_glyf(&k, &store, &t[nt].data, &t[nt + 1].data, &long_loca);
        nt += 2;
    }
    rg_buf_fini(&store);
    if (ok) {
        t[nt].tag = TAG('h', 'm', 't', 'x');
        unsigned metrics = build_hmtx(&s, &k, &t[nt++].data);
        t[nt].tag = TAG('h', 'h', 'e', 'a');
        rg_buf_append(&t[nt].data, (const char *)s.hhea.data, 36);
        set16(&t[nt++].data, 34, metrics);
        t[nt].tag = TAG('m', 'a', 'x', 'p');
        rg_buf_append(&t[nt].data, (const char *)s.maxp.data, s.maxp.len >= 32 ? 32 : 6);
        set16(&t[nt++].data, 4, (unsigned)k.n);
        t[nt].tag = TAG('h', 'e', 'a', 'd');
        rg_buf_append(&t[nt].data, (const char *)s.head.data, 54);
        set32(&t[nt].data, 8, 0);
        set16(&t[nt++].data, 50, long_loca);
        t[nt].tag = TAG('p', 'o', 's', 't'); /* version 3: no glyph names */
        put32(&t[nt].data, 0x00030000);
        for (size_t i = 4; i < 32; i++)
            rg_buf_putc(&t[nt].data, i < 16 && i < s.post.len ? (char)s.post.data[i] : 0);
        nt++;
        t[nt].tag = TAG('n', 'a', 'm', 'e');
        build_name(&s.name, &t[nt++].data);
        if (s.os2.len) {
            t[nt].tag = TAG('O', 'S', '/', '2');
            rg_buf_append(&t[nt++].data, (const char *)s.os2.data, s.os2.len);
        }
        if (s.gasp.len) {
            t[nt].tag = TAG('g', 'a', 's', 'p');
            rg_buf_append(&t[nt++].data, (const char *)s.gasp.data, s.gasp.len);
        }
        for (size_t i = 0; i < n; i++)
            glyphs[i] = old_of[i] ? (uint16_t)new_number(&k, old_of[i]) : 0;
        t[nt].tag = TAG('c', 'm', 'a', 'p');
        build_cmap(glyphs, n, &t[nt++].data);
        assemble(t, nt, out);
    } else if (read_errno) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0, "cannot read the font file: %s",
                    strerror(read_errno));
    } else {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0,
                    "a glyph of the font runs past its end; name another font in fonts.conf");
    }
    for (size_t i = 0; i < nt; i++)
        rg_buf_fini(&t[i].data);
    free(old_of);
    free(k.in);
    free(k.list);
    return ok ? 0 : -1;
}
