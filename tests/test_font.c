/* Unit tests of the font subset, with the real fonts the report uses: each
 * character's glyph in the subset, reached through the private-use cmap,
 * has the outline (every point, as HarfBuzz draws it) and the advance of the
 * character's glyph in the font, composite glyphs included; the subset
 * holds those glyphs and no others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <hb.h>

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
    hb_font_get_glyph_shape(font, gid, f, out);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subset_glyphs_are_the_fonts),
        cmocka_unit_test(test_missing_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
