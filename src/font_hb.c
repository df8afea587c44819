/* font_hb.c - see font.h. */
#include "font.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hb-subset.h>
#include <hb.h>

struct font_face {
    char *path;
    hb_face_t *face;
    hb_font_t *font;
    unsigned upem;
};

font_face *font_face_open(const char *path, int index, rg_diags *diags)
{
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
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
    font_face *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->face = hb_face_create(blob, (unsigned)index);
    hb_blob_destroy(blob); /* the face keeps its own reference */
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

static void put16(unsigned char **p, unsigned v)
{
    (*p)[0] = (unsigned char)(v >> 8);
    (*p)[1] = (unsigned char)v;
    *p += 2;
}

/* A cmap with one (3,1) format-4 subtable: FONT_PUA_FIRST + i -> gids[i]. */
static hb_blob_t *pua_cmap(const hb_codepoint_t *gids, size_t n)
{
    enum { SEGMENTS = 2 }; /* the range, and the 0xFFFF end segment */
    size_t sub_len = 14 + SEGMENTS * 2 + 2 + SEGMENTS * 6 + n * 2;
    size_t len = 12 + sub_len;
    unsigned char *data = xcalloc(len, 1), *p = data;
    put16(&p, 0), put16(&p, 1);                /* version, one table */
    put16(&p, 3), put16(&p, 1), put16(&p, 0), put16(&p, 12); /* Windows Unicode BMP at 12 */
    put16(&p, 4), put16(&p, (unsigned)sub_len), put16(&p, 0);
    put16(&p, SEGMENTS * 2), put16(&p, 4), put16(&p, 1), put16(&p, 0);
    put16(&p, (unsigned)(FONT_PUA_FIRST + n - 1)), put16(&p, 0xFFFF); /* endCode */
    put16(&p, 0);                                                  /* reservedPad */
    put16(&p, FONT_PUA_FIRST), put16(&p, 0xFFFF);                   /* startCode */
    put16(&p, 0), put16(&p, 1);                                    /* idDelta */
    put16(&p, SEGMENTS * 2), put16(&p, 0); /* idRangeOffset: the glyph array follows */
    for (size_t i = 0; i < n; i++)
        put16(&p, (unsigned)gids[i]);
    return hb_blob_create((const char *)data, (unsigned)len, HB_MEMORY_MODE_WRITABLE, data, free);
}

/* The subset with its cmap replaced by the private-use one. */
static hb_face_t *renumbered(hb_face_t *sub, const uint32_t *cps, size_t n)
{
    hb_font_t *font = hb_font_create(sub);
    hb_codepoint_t *gids = xcalloc(n ? n : 1, sizeof *gids);
    for (size_t i = 0; i < n; i++)
        if (!hb_font_get_nominal_glyph(font, cps[i], &gids[i]))
            gids[i] = 0;
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

int font_face_subset(const font_face *f, const uint32_t *cps, size_t n, const char *out_path,
                     rg_diags *diags)
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
    sub = renumbered(read_back, cps, n);
    hb_face_destroy(read_back);
    hb_blob_t *blob = hb_face_reference_blob(sub);
    unsigned len = 0;
    const char *data = hb_blob_get_data(blob, &len);
    int rc = 0;
    FILE *out = fopen(out_path, "wb");
    bool written = out && (len == 0 || fwrite(data, 1, len, out) == len);
    if (out && fclose(out) != 0)
        written = false;
    if (!written) {
        rg_diag_add(diags, RG_ERROR, out_path, 0, 0, "cannot write the font subset: %s",
                    strerror(errno));
        if (out)
            remove(out_path);
        rc = -1;
    }
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    return rc;
}
