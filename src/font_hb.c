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

int font_face_subset(const font_face *f, const uint32_t *cps, size_t n, const char *out_path,
                     rg_diags *diags)
{
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
