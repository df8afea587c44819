/* Unit tests of the font reader, with HarfBuzz as the judge.
 *
 * Its reading of the fonts the report uses: for every code point of every
 * face, whether the face has it and its advance, and what the PDF's font
 * descriptor says, as HarfBuzz reads them; and of small fonts made here
 * with the cmap formats those fonts lack.
 *
 * The subset: each character's glyph in it, reached through the
 * private-use cmap, has the outline (every point, as HarfBuzz draws it) and
 * the advance of the character's glyph in the font, composite glyphs
 * included; the subset holds those glyphs and no others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <hb-ot.h>
#include <hb.h>
#include <math.h>

#include "font.h"

#define UMING "/usr/share/fonts/truetype/arphic/uming.ttc"

/* The outline of a glyph as text: one line per drawing call. */
static void move_to(hb_draw_funcs_t *d, void *out, hb_draw_state_t *st, float x, float y, void *u)
{
    (void)d, (void)st, (void)u;
    rg_buf_printf(out, "M %g %g\n", x, y);
}

static void line_to(hb_draw_funcs_t *d, void *out, hb_draw_state_t *st, float x, float y, void *u)
{
    (void)d, (void)st, (void)u;
    rg_buf_printf(out, "L %g %g\n", x, y);
}

static void quad_to(hb_draw_funcs_t *d, void *out, hb_draw_state_t *st, float cx, float cy, float x,
                    float y, void *u)
{
    (void)d, (void)st, (void)u;
    rg_buf_printf(out, "Q %g %g %g %g\n", cx, cy, x, y);
}

static void close_path(hb_draw_funcs_t *d, void *out, hb_draw_state_t *st, void *u)
{
    (void)d, (void)st, (void)u;
    rg_buf_puts(out, "Z\n");
}

typedef struct drawn {
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;
} drawn;

static drawn open_blob(hb_blob_t *blob, unsigned index)
{
    drawn d = {blob, hb_face_create(blob, index), NULL};
    d.font = hb_font_create(d.face);
    return d;
}

static void close_drawn(drawn *d)
{
    hb_font_destroy(d->font);
    hb_face_destroy(d->face);
    hb_blob_destroy(d->blob);
}

static void outline(hb_font_t *font, hb_codepoint_t gid, rg_buf *out)
{
    hb_draw_funcs_t *f = hb_draw_funcs_create();
    hb_draw_funcs_set_move_to_func(f, move_to, NULL, NULL);
    hb_draw_funcs_set_line_to_func(f, line_to, NULL, NULL);
    hb_draw_funcs_set_quadratic_to_func(f, quad_to, NULL, NULL);
    hb_draw_funcs_set_close_path_func(f, close_path, NULL, NULL);
    out->len = 0;
    rg_buf_puts(out, "");
#if HB_VERSION_ATLEAST(7, 0, 0) /* Debian 13; the older name is deprecated there */
    hb_font_draw_glyph(font, gid, f, out);
#else /* Debian 12's HarfBuzz 6 */
    hb_font_get_glyph_shape(font, gid, f, out);
#endif
    hb_draw_funcs_destroy(f);
}

static void test_subset_glyphs_are_the_fonts(void **state)
{
    (void)state;
    if (access(UMING, R_OK) != 0) {
        skip(); /* fonts-arphic-uming, installed by scripts/setup.sh */
        return;
    }
    /* Ideographs, punctuation, digits, a space; ǖ and ⅰ are composite
     * glyphs in UMing (ǖ of ü and a macron, ü of u and a diaeresis). */
    const uint32_t cps[] = {' ', '0', '9', 0x3001, 0x201C, 0x4E00, 0x56ED, 0x533A, 0x7ECF,
                            0x01D6, 0x01DC, 0x2170, 0x2178, 0x33A1, 0x9F98};
    size_t n = sizeof cps / sizeof *cps;
    rg_diags d = {0};
    font_face *face = font_face_open(UMING, 0, &d);
    assert_non_null(face);
    rg_buf sub = {0};
    uint16_t glyphs[sizeof cps / sizeof *cps];
    assert_int_equal(font_face_subset(face, cps, n, &sub, glyphs, &d), 0);
    assert_int_equal(d.count, 0);

    drawn font = open_blob(hb_blob_create_from_file(UMING), 0);
    drawn part = open_blob(hb_blob_create(sub.data, (unsigned)sub.len, HB_MEMORY_MODE_READONLY,
                                          NULL, NULL),
                           0);
    assert_int_equal(hb_face_get_upem(part.face), hb_face_get_upem(font.face));
    unsigned composites = 0;
    rg_buf a = {0}, b = {0};
    for (size_t i = 0; i < n; i++) {
        hb_codepoint_t old = 0, now = 0;
        assert_true(hb_font_get_nominal_glyph(font.font, cps[i], &old));
        assert_true(hb_font_get_nominal_glyph(part.font, FONT_PUA_FIRST + (hb_codepoint_t)i, &now));
        assert_int_equal(now, glyphs[i]);
        assert_true(now > 0);
        assert_int_equal(hb_font_get_glyph_h_advance(part.font, now),
                         hb_font_get_glyph_h_advance(font.font, old));
        outline(font.font, old, &a);
        outline(part.font, now, &b);
        assert_string_equal(a.data, b.data);
        hb_glyph_extents_t ea, eb;
        assert_true(hb_font_get_glyph_extents(font.font, old, &ea));
        assert_true(hb_font_get_glyph_extents(part.font, now, &eb));
        assert_memory_equal(&ea, &eb, sizeof ea);
        composites += cps[i] == 0x01D6 || cps[i] == 0x2170;
    }
    assert_int_equal(composites, 2);
    /* .notdef, the 15 characters' glyphs, and the parts of the composite
     * ones: more than 16, far fewer than the font's 27,000. */
    unsigned count = hb_face_get_glyph_count(part.face);
    assert_true(count > 16 && count < 40);
    /* The whole file sums to 0xB1B0AFBA, as head's checkSumAdjustment says. */
    uint32_t sum = 0;
    for (size_t i = 0; i < sub.len; i += 4) {
        uint32_t w = 0;
        for (size_t k = 0; k < 4; k++)
            w = w << 8 | (i + k < sub.len ? (unsigned char)sub.data[i + k] : 0);
        sum += w;
    }
    assert_int_equal(sum, 0xB1B0AFBAu);
    rg_buf_fini(&a), rg_buf_fini(&b);
    close_drawn(&font);
    close_drawn(&part);
    rg_buf_fini(&sub);
    font_face_close(face);
    rg_diags_fini(&d);
}

/* A character the font lacks has glyph 0 and no private-use code. */
static void test_missing_character(void **state)
{
    (void)state;
    if (access(UMING, R_OK) != 0) {
        skip();
        return;
    }
    const uint32_t cps[] = {0x4E00, 0x20BB7, 0x4E01};
    rg_diags d = {0};
    font_face *face = font_face_open(UMING, 0, &d);
    assert_non_null(face);
    rg_buf sub = {0};
    uint16_t glyphs[3];
    assert_int_equal(font_face_subset(face, cps, 3, &sub, glyphs, &d), 0);
    assert_true(glyphs[0] > 0 && glyphs[2] == glyphs[0] + 1);
    assert_int_equal(glyphs[1], 0);
    drawn part = open_blob(hb_blob_create(sub.data, (unsigned)sub.len, HB_MEMORY_MODE_READONLY,
                                          NULL, NULL),
                           0);
    hb_codepoint_t g;
    assert_false(hb_font_get_nominal_glyph(part.font, FONT_PUA_FIRST + 1, &g));
    assert_true(hb_font_get_nominal_glyph(part.font, FONT_PUA_FIRST + 2, &g));
    assert_int_equal(g, glyphs[2]);
    assert_int_equal(hb_face_get_glyph_count(part.face), 3);
    close_drawn(&part);
    rg_buf_fini(&sub);
    font_face_close(face);
    rg_diags_fini(&d);
}


/* The code points a face is checked at: the BMP and the ideographs of
 * planes 2 and 3. */
static bool next_cp(uint32_t *cp)
{
    ++*cp;
    if (*cp == 0x10000)
        *cp = 0x20000;
    return *cp < 0x32000;
}

/* What font_face says of every code point and of its metrics is what
 * HarfBuzz says, for the face in `blob`; the number of code points it has. */
static unsigned same_as_harfbuzz(const char *path, hb_blob_t *blob, unsigned index)
{
    rg_diags d = {0};
    font_face *face = font_face_open(path, (int)index, &d);
    if (!face)
        fail_msg("%s", d.items[0].msg);
    drawn hb = open_blob(hb_blob_reference(blob), index);
    unsigned upem = hb_face_get_upem(hb.face), nglyphs = hb_face_get_glyph_count(hb.face), has = 0;
    for (uint32_t cp = 0; next_cp(&cp);) {
        hb_codepoint_t g = 0;
        bool there = hb_font_get_nominal_glyph(hb.font, cp, &g) && g != 0 && g < nglyphs;
        if (!there)
            g = 0;
        if (font_face_has(face, cp) != there)
            fail_msg("%s face %u: U+%04X: has %d, HarfBuzz %d", path, index, cp, !there, there);
        double want = hb_font_get_glyph_h_advance(hb.font, g) * 1000.0 / upem;
        if (font_face_advance(face, cp) != want)
            fail_msg("%s face %u: U+%04X: advance %g, HarfBuzz %g", path, index, cp,
                     font_face_advance(face, cp), want);
        has += there;
    }
    font_description desc;
    font_face_describe(face, &desc);
    hb_position_t v = 0;
    double scale = 1000.0 / upem;
    assert_true(hb_ot_metrics_get_position(hb.font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &v));
    assert_int_equal(desc.ascent, (int)lround(v * scale));
    assert_true(hb_ot_metrics_get_position(hb.font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &v));
    assert_int_equal(desc.descent, (int)lround(v * scale));
    v = 0;
    (void)hb_ot_metrics_get_position(hb.font, HB_OT_METRICS_TAG_CAP_HEIGHT, &v);
    assert_int_equal(desc.cap_height, (int)lround(v * scale));
    v = 0;
    (void)hb_ot_metrics_get_position(hb.font, HB_OT_METRICS_TAG_X_HEIGHT, &v);
    assert_int_equal(desc.x_height, (int)lround(v * scale));
    char name[64] = {0};
    unsigned size = sizeof name;
    hb_ot_name_get_utf8(hb.face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &size, name);
    assert_string_equal(desc.postscript_name, name[0] ? name : "Font");
    close_drawn(&hb);
    font_face_close(face);
    assert_int_equal(d.count, 0);
    rg_diags_fini(&d);
    return has;
}

static void test_fonts_read_as_harfbuzz_reads_them(void **state)
{
    (void)state;
    static const char *const fonts[] = {
        UMING, "/usr/share/fonts/truetype/arphic/ukai.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"}; /* scripts/setup.sh installs them */
    unsigned faces_read = 0;
    for (size_t i = 0; i < sizeof fonts / sizeof *fonts; i++) {
        if (access(fonts[i], R_OK) != 0)
            continue;
        hb_blob_t *blob = hb_blob_create_from_file(fonts[i]);
        unsigned faces = hb_face_count(blob);
        assert_true(faces > 0);
        for (unsigned k = 0; k < faces; k++, faces_read++)
            assert_true(same_as_harfbuzz(fonts[i], blob, k) > 1000);
        /* One past the last face is refused by name. */
        rg_diags d = {0};
        assert_null(font_face_open(fonts[i], (int)faces, &d));
        assert_int_equal(d.count, 1);
        assert_non_null(strstr(d.items[0].msg, "does not exist"));
        rg_diags_fini(&d);
        hb_blob_destroy(blob);
    }
    if (faces_read == 0)
        skip();
}

/* --- small fonts made here, for the cmap formats the real ones lack ------ */

static void put16(rg_buf *b, unsigned v)
{
    rg_buf_putc(b, (char)(v >> 8));
    rg_buf_putc(b, (char)v);
}

static void put32(rg_buf *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xFFFF);
}

#define NGLYPHS 40

/* A font of NGLYPHS empty glyphs, glyph g advancing 100 + g units of 1000,
 * with the cmap subtable `sub` under (platform, encoding). */
static void make_font(const rg_buf *sub, unsigned platform, unsigned encoding, rg_buf *out)
{
    rg_buf t[9] = {{0}};
    const char *tags[9] = {"OS/2", "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "post"};
    for (int i = 0; i < 78; i++) /* OS/2 version 0, fsType 0 */
        rg_buf_putc(&t[0], 0);
    put16(&t[1], 0), put16(&t[1], 1), put16(&t[1], platform), put16(&t[1], encoding), put32(&t[1], 12);
    rg_buf_append(&t[1], sub->data, sub->len);
    put32(&t[2], 0); /* glyf: padding only, every glyph empty */
    put32(&t[3], 0x00010000), put32(&t[3], 0x00010000), put32(&t[3], 0), put32(&t[3], 0x5F0F3CF5);
    put16(&t[3], 0), put16(&t[3], 1000);
    for (int i = 20; i < 54; i++)
        rg_buf_putc(&t[3], 0); /* dates, box, style, long loca 0, glyph format 0 */
    put32(&t[4], 0x00010000), put16(&t[4], 800), put16(&t[4], (unsigned)-200 & 0xFFFF);
    for (int i = 8; i < 34; i++)
        rg_buf_putc(&t[4], 0);
    put16(&t[4], NGLYPHS);
    for (unsigned g = 0; g < NGLYPHS; g++)
        put16(&t[5], 100 + g), put16(&t[5], 0);
    for (unsigned g = 0; g <= NGLYPHS; g++)
        put16(&t[6], 0);
    put32(&t[7], 0x00005000), put16(&t[7], NGLYPHS);
    put32(&t[8], 0x00030000);
    for (int i = 4; i < 32; i++)
        rg_buf_putc(&t[8], 0);
    put32(out, 0x00010000), put16(out, 9), put16(out, 128), put16(out, 3), put16(out, 16);
    size_t at = 12 + 16 * 9;
    for (int i = 0; i < 9; i++) {
        put32(out, (uint32_t)tags[i][0] << 24 | (uint32_t)tags[i][1] << 16 | (uint32_t)tags[i][2] << 8 |
                       (uint32_t)tags[i][3]);
        put32(out, 0), put32(out, (uint32_t)at), put32(out, (uint32_t)t[i].len);
        at += (t[i].len + 3) & ~(size_t)3;
    }
    for (int i = 0; i < 9; i++) {
        rg_buf_append(out, t[i].data, t[i].len);
        while (out->len & 3)
            rg_buf_putc(out, 0);
        rg_buf_fini(&t[i]);
    }
}

/* The font made of `sub` is read as HarfBuzz reads it; the number of code
 * points it has. */
static unsigned check_made_font(const rg_buf *sub, unsigned platform, unsigned encoding)
{
    rg_buf font = {0};
    make_font(sub, platform, encoding, &font);
    char path[] = "/tmp/test_font_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, font.data, font.len), (ssize_t)font.len);
    close(fd);
    hb_blob_t *blob = hb_blob_create(font.data, (unsigned)font.len, HB_MEMORY_MODE_READONLY, NULL, NULL);
    unsigned has = same_as_harfbuzz(path, blob, 0);
    hb_blob_destroy(blob);
    unlink(path);
    rg_buf_fini(&font);
    return has;
}

static void test_cmap_formats(void **state)
{
    (void)state;
    rg_buf sub = {0};
    /* Format 4: glyphs through idRangeOffset (one of them 0: none) with a
     * delta added, a segment of a delta alone, and the end segment. */
    put16(&sub, 4), put16(&sub, 16 + 3 * 8 + 8), put16(&sub, 0);
    put16(&sub, 6), put16(&sub, 4), put16(&sub, 1), put16(&sub, 2);
    put16(&sub, 0x4E03), put16(&sub, 0x6000), put16(&sub, 0xFFFF); /* ends */
    put16(&sub, 0);
    put16(&sub, 0x4E00), put16(&sub, 0x5FF0), put16(&sub, 0xFFFF); /* starts */
    put16(&sub, 2), put16(&sub, (0x10000 - 0x5FF0 + 5) & 0xFFFF), put16(&sub, 1); /* deltas */
    put16(&sub, 6), put16(&sub, 0), put16(&sub, 0); /* idRangeOffsets: the first into the array */
    put16(&sub, 7), put16(&sub, 0), put16(&sub, 9), put16(&sub, 30); /* glyphIdArray */
    assert_int_equal(check_made_font(&sub, 3, 1), 3 + 17);
    /* Format 6: U+0041 on. */
    sub.len = 0;
    put16(&sub, 6), put16(&sub, 10 + 2 * 5), put16(&sub, 0), put16(&sub, 0x41), put16(&sub, 5);
    for (unsigned g = 1; g <= 5; g++)
        put16(&sub, g == 3 ? 0 : g);
    assert_int_equal(check_made_font(&sub, 3, 1), 4);
    /* Format 12, beyond the BMP; the last group names glyphs past the end. */
    sub.len = 0;
    put16(&sub, 12), put16(&sub, 0), put32(&sub, 16 + 3 * 12), put32(&sub, 0), put32(&sub, 3);
    put32(&sub, 0x4E00), put32(&sub, 0x4E09), put32(&sub, 1);
    put32(&sub, 0x20BB7), put32(&sub, 0x20BB7), put32(&sub, 20);
    put32(&sub, 0x30000), put32(&sub, 0x30010), put32(&sub, 30);
    assert_int_equal(check_made_font(&sub, 3, 10), 10 + 1 + 10); /* glyphs 30 to 39 */
    /* A symbol font: its U+F041 is also reached as U+0041. */
    sub.len = 0;
    put16(&sub, 4), put16(&sub, 16 + 2 * 8), put16(&sub, 0);
    put16(&sub, 4), put16(&sub, 4), put16(&sub, 1), put16(&sub, 0);
    put16(&sub, 0xF05A), put16(&sub, 0xFFFF), put16(&sub, 0);
    put16(&sub, 0xF041), put16(&sub, 0xFFFF);
    put16(&sub, (0x10000 - 0xF041 + 1) & 0xFFFF), put16(&sub, 1), put16(&sub, 0), put16(&sub, 0);
    assert_int_equal(check_made_font(&sub, 3, 0), 2 * 26);
    rg_buf_fini(&sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subset_glyphs_are_the_fonts),
        cmocka_unit_test(test_missing_character),
        cmocka_unit_test(test_fonts_read_as_harfbuzz_reads_them),
        cmocka_unit_test(test_cmap_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
