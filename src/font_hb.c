/* font_hb.c - see font.h. */
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

#include <hb-subset.h>
#include <hb-ot.h>
#include <hb.h>

/* The font file, mapped: a CJK font is tens of megabytes, of which a
 * report reads a few. */
typedef struct mapping {
    void *addr;
    size_t len;
} mapping;

struct font_face {
    char *path;
    hb_face_t *face;
    hb_font_t *font;
    unsigned upem;
    mapping *map; /* owned by the face's blob */
};

static void unmap(void *user)
{
    mapping *m = user;
    munmap(m->addr, m->len);
    free(m);
}

/* The file at path as a read-only blob of mapped pages, or NULL. */
static hb_blob_t *map_file(const char *path, mapping **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat sb;
    void *addr = MAP_FAILED;
    if (fstat(fd, &sb) != 0)
        ; /* errno says why */
    else if (sb.st_size == 0)
        errno = ENODATA;
    else if ((unsigned long long)sb.st_size >= 0xFFFFFFFFu) /* HarfBuzz's lengths are 32-bit */
        errno = EFBIG;
    else
        addr = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved = errno;
    close(fd);
    if (addr == MAP_FAILED) {
        errno = saved;
        return NULL;
    }
    mapping *m = xmalloc(sizeof *m);
    *m = (mapping){addr, (size_t)sb.st_size};
    *out = m;
    return hb_blob_create((const char *)addr, (unsigned)m->len, HB_MEMORY_MODE_READONLY, m, unmap);
}

static unsigned table_length(hb_face_t *face, hb_tag_t tag)
{
    hb_blob_t *b = hb_face_reference_table(face, tag);
    unsigned len = hb_blob_get_length(b);
    hb_blob_destroy(b);
    return len;
}

font_face *font_face_open(const char *path, int index, rg_diags *diags)
{
    mapping *map = NULL;
    errno = 0;
    hb_blob_t *blob = map_file(path, &map);
    if (!blob) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot read the font file: %s",
                    errno ? strerror(errno) : "unknown error");
        return NULL;
    }
    unsigned faces = hb_face_count(blob);
    if (faces == 0 || (unsigned)index >= faces) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    faces == 0 ? "this is not a font file libharu or HarfBuzz can read"
                               : "the file has %u faces; face %d does not exist",
                    faces, index);
        hb_blob_destroy(blob);
        return NULL;
    }
    hb_face_t *face = hb_face_create(blob, (unsigned)index);
    hb_blob_destroy(blob); /* the face keeps its own reference */
    /* The licence's word on embedding (OS/2 fsType): bit 1 forbids it, bit 8
     * forbids subsetting (and a whole CJK font is megabytes), bit 9 allows
     * bitmaps only. */
    hb_blob_t *os2 = hb_face_reference_table(face, HB_TAG('O', 'S', '/', '2'));
    unsigned os2_len = 0;
    const unsigned char *os2_data = (const unsigned char *)hb_blob_get_data(os2, &os2_len);
    unsigned fs_type = os2_len >= 10 ? (unsigned)(os2_data[8] << 8 | os2_data[9]) : 0;
    hb_blob_destroy(os2);
    const char *refusal = (fs_type & 0x000F) == 0x0002 ? "forbids embedding it in a document"
                          : fs_type & 0x0100          ? "forbids embedding a subset of it"
                          : fs_type & 0x0200          ? "allows embedding its bitmaps only"
                                                      : NULL;
    /* The PDF embeds TrueType outlines (FontFile2) only. */
    bool glyf = table_length(face, HB_TAG('g', 'l', 'y', 'f')) > 0 &&
                table_length(face, HB_TAG('l', 'o', 'c', 'a')) > 0;
    bool cff = table_length(face, HB_TAG('C', 'F', 'F', ' ')) > 0 ||
               table_length(face, HB_TAG('C', 'F', 'F', '2')) > 0;
    if (!glyf) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    cff ? "this font has CFF (PostScript) outlines, which are not embedded; name "
                          "a TrueType font (glyf outlines) in fonts.conf"
                        : "this font has no TrueType outlines (glyf) to embed; name a TrueType "
                          "font in fonts.conf");
        hb_face_destroy(face);
        return NULL;
    }
    if (refusal) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0,
                    "the font's licence %s (OS/2 fsType 0x%04X); name another font in fonts.conf",
                    refusal, fs_type);
        hb_face_destroy(face);
        return NULL;
    }
    font_face *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->face = face;
    f->map = map;
    f->upem = hb_face_get_upem(f->face);
    f->font = hb_font_create(f->face);
    hb_font_make_immutable(f->font);
    return f;
}

void font_face_close(font_face *f)
{
    if (!f)
        return;
    hb_font_destroy(f->font);
    hb_face_destroy(f->face);
    free(f->path);
    free(f);
}

bool font_face_has(const font_face *f, uint32_t cp)
{
    hb_codepoint_t gid;
    return hb_font_get_nominal_glyph(f->font, cp, &gid);
}

double font_face_advance(const font_face *f, uint32_t cp)
{
    hb_codepoint_t gid = 0;
    if (!hb_font_get_nominal_glyph(f->font, cp, &gid))
        gid = 0;
    hb_position_t adv = hb_font_get_glyph_h_advance(f->font, gid);
    /* The font's scale defaults to its units per em. */
    return f->upem ? (double)adv * 1000.0 / (double)f->upem : 0;
}

static int read_s16(const char *p)
{
    return (int16_t)((unsigned char)p[0] << 8 | (unsigned char)p[1]);
}

void font_face_describe(const font_face *f, font_description *out)
{
    memset(out, 0, sizeof *out);
    double scale = f->upem ? 1000.0 / f->upem : 1;
    hb_position_t v = 0;
    if (hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &v))
        out->ascent = (int)lround(v * scale);
    if (hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &v))
        out->descent = (int)lround(v * scale);
    if (hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_CAP_HEIGHT, &v))
        out->cap_height = (int)lround(v * scale);
    if (hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_X_HEIGHT, &v))
        out->x_height = (int)lround(v * scale);
    hb_blob_t *head = hb_face_reference_table(f->face, HB_TAG('h', 'e', 'a', 'd'));
    unsigned len = 0;
    const char *h = hb_blob_get_data(head, &len);
    if (len >= 44) /* xMin, yMin, xMax, yMax */
        for (int i = 0; i < 4; i++)
            out->bbox[i] = (int)lround(read_s16(h + 36 + 2 * i) * scale);
    hb_blob_destroy(head);
    hb_blob_t *post = hb_face_reference_table(f->face, HB_TAG('p', 'o', 's', 't'));
    const char *p = hb_blob_get_data(post, &len);
    if (len >= 8) /* a 16.16 fixed-point angle */
        out->italic_angle = read_s16(p + 4) + (double)(((unsigned char)p[6] << 8) | (unsigned char)p[7]) / 65536;
    hb_blob_destroy(post);
    /* At most 63 characters, as OpenType says; a PDF name keeps the ASCII
     * that is not a delimiter. */
    char name[64] = {0};
    unsigned size = sizeof name;
    hb_ot_name_get_utf8(f->face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &size, name);
    size_t n = 0;
    for (const char *c = name; *c && n < sizeof out->postscript_name - 1; c++)
        if (*c > ' ' && *c < 127 && !strchr("()<>[]{}/%#", *c))
            out->postscript_name[n++] = *c;
    if (n == 0)
        snprintf(out->postscript_name, sizeof out->postscript_name, "Font");
}

static void put16(unsigned char **p, unsigned v)
{
    (*p)[0] = (unsigned char)(v >> 8);
    (*p)[1] = (unsigned char)v;
    *p += 2;
}

/* A cmap with one (3,1) format-4 subtable: FONT_PUA_FIRST + i -> gids[i],
 * as segments of codes whose glyphs are consecutive too (the subset keeps
 * the font's glyph order, which mostly follows the code points), each
 * mapped by an offset alone. Codes without a glyph are left out. */
static hb_blob_t *pua_cmap(const hb_codepoint_t *gids, size_t n)
{
    size_t nseg = 1; /* the 0xFFFF end segment */
    for (size_t i = 0; i < n; i++)
        if (gids[i] && (i == 0 || gids[i] != gids[i - 1] + 1 || !gids[i - 1]))
            nseg++;
    size_t sub_len = 16 + nseg * 8, len = 12 + sub_len;
    unsigned char *data = xcalloc(len, 1), *p = data;
    unsigned search = 1, selector = 0;
    while (search * 2 <= nseg)
        search *= 2, selector++;
    put16(&p, 0), put16(&p, 1);                                /* version, one table */
    put16(&p, 3), put16(&p, 1), put16(&p, 0), put16(&p, 12);   /* Windows Unicode BMP at 12 */
    put16(&p, 4), put16(&p, (unsigned)sub_len), put16(&p, 0);
    put16(&p, (unsigned)nseg * 2), put16(&p, search * 2), put16(&p, selector);
    put16(&p, (unsigned)(nseg - search) * 2);
    unsigned char *end = p, *start = end + nseg * 2 + 2, *delta = start + nseg * 2;
    for (size_t i = 0; i < n;) {
        if (!gids[i]) {
            i++;
            continue;
        }
        size_t k = i + 1;
        while (k < n && gids[k] && gids[k] == gids[k - 1] + 1)
            k++;
        unsigned first = (unsigned)(FONT_PUA_FIRST + i);
        put16(&end, (unsigned)(FONT_PUA_FIRST + k - 1));
        put16(&start, first);
        put16(&delta, (unsigned)(gids[i] - first) & 0xFFFF);
        i = k;
    }
    put16(&end, 0xFFFF), put16(&start, 0xFFFF), put16(&delta, 1);
    /* reservedPad and the idRangeOffsets stay zero */
    return hb_blob_create((const char *)data, (unsigned)len, HB_MEMORY_MODE_WRITABLE, data, free);
}

/* The subset with its cmap replaced by the private-use one. */
static hb_face_t *renumbered(hb_face_t *sub, const uint32_t *cps, size_t n, uint16_t *glyphs)
{
    hb_font_t *font = hb_font_create(sub);
    hb_codepoint_t *gids = xcalloc(n ? n : 1, sizeof *gids);
    for (size_t i = 0; i < n; i++) {
        if (!hb_font_get_nominal_glyph(font, cps[i], &gids[i]) || gids[i] > 0xFFFF)
            gids[i] = 0;
        glyphs[i] = (uint16_t)gids[i];
    }
    hb_font_destroy(font);
    hb_face_t *builder = hb_face_builder_create();
    hb_tag_t tags[64];
    unsigned start = 0, count;
    do {
        count = sizeof tags / sizeof *tags;
        hb_face_get_table_tags(sub, start, &count, tags);
        for (unsigned i = 0; i < count; i++) {
            if (tags[i] == HB_TAG('c', 'm', 'a', 'p'))
                continue;
            hb_blob_t *table = hb_face_reference_table(sub, tags[i]);
            hb_face_builder_add_table(builder, tags[i], table);
            hb_blob_destroy(table);
        }
        start += count;
    } while (count == sizeof tags / sizeof *tags);
    hb_blob_t *cmap = pua_cmap(gids, n);
    hb_face_builder_add_table(builder, HB_TAG('c', 'm', 'a', 'p'), cmap);
    hb_blob_destroy(cmap);
    free(gids);
    return builder;
}

int font_face_subset(const font_face *f, const uint32_t *cps, size_t n, rg_buf *out,
                     uint16_t *glyphs, rg_diags *diags)
{
    if (n > FONT_PUA_MAX) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0,
                    "a report may use at most %d different characters of one font", FONT_PUA_MAX);
        return -1;
    }
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0, "out of memory subsetting the font");
        return -1;
    }
    hb_set_t *unicodes = hb_subset_input_unicode_set(in);
    for (size_t i = 0; i < n; i++)
        hb_set_add(unicodes, cps[i]);
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
    /* libharu sets text without shaping and writes none of these; dropping
     * the layout tables also keeps their alternates (vertical forms and the
     * like) out of the subset. */
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    static const char *const dropped[] = {"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "morx", "kern",
                                          "vhea", "vmtx", "VORG", "EBDT", "EBLC", "EBSC", "DSIG"};
    for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
        hb_set_add(drop, hb_tag_from_string(dropped[i], 4));
    hb_face_t *sub = hb_subset_or_fail(f->face, in);
    hb_subset_input_destroy(in);
    if (!sub) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0, "HarfBuzz cannot subset this font");
        return -1;
    }
    /* The subset is a face under construction, which cannot list its
     * tables: read it back as a font first. */
    hb_blob_t *plain = hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    hb_face_t *read_back = hb_face_create(plain, 0);
    hb_blob_destroy(plain);
    sub = renumbered(read_back, cps, n, glyphs);
    hb_face_destroy(read_back);
    hb_blob_t *blob = hb_face_reference_blob(sub);
    unsigned len = 0;
    const char *data = hb_blob_get_data(blob, &len);
    out->len = 0;
    rg_buf_append(out, data, len);
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    /* Subsetting read the glyphs from all over the file, and the kernel
     * mapped the pages around each too: megabytes the next document will
     * rarely need. They are clean copies of the file, read again if it does. */
    madvise(f->map->addr, f->map->len, MADV_DONTNEED);
    return 0;
}
