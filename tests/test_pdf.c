/* Unit tests of the PDF stage's own parts (pdf.h): fonts.conf read with
 * errors at their places that quote no more than the word at fault, the
 * metrics the layout gets, the characters no font has, and pdf_write's
 * bytes: a PDF 1.5 file, the same for the same document from a kept cache
 * or a new one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "font.h"
#include "pdf.h"

static char dir[] = "/tmp/test_pdf.XXXXXX";

static void write_conf(const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "%s/fonts.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* All the messages, one a line. */
static void messages(const rg_diags *d, rg_buf *out)
{
    out->len = 0;
    for (size_t i = 0; i < d->count; i++)
        rg_buf_printf(out, "%d:%d: %s\n", d->items[i].line, d->items[i].col, d->items[i].msg);
    rg_buf_putc(out, '\0');
}

/* The default fonts.conf's fonts (fonts/fonts.conf). */
static pdf_fonts *default_fonts(rg_diags *d)
{
    write_conf("body /usr/share/fonts/truetype/arphic/uming.ttc 0\n"
               "title /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc\n"
               "heading1 /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc 0\n"
               "heading2 /usr/share/fonts/truetype/arphic/ukai.ttc\n"
               "fallback /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc 0\n");
    return pdf_fonts_load(dir, d);
}

static void test_fonts_conf_errors(void **state)
{
    (void)state;
    rg_diags d = {0};
    rg_buf m = {0};
    write_conf("# comment\nbody /usr/share/fonts/truetype/nothing.ttf\n"
               "heading x.ttf\n"
               "root:x:0:0:root:/root:/bin/bash x\n"
               "title /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc 1 2\n");
    assert_null(pdf_fonts_load(dir, &d));
    messages(&d, &m);
    assert_non_null(strstr(m.data, "2:6: cannot open the body font"));
    assert_non_null(strstr(m.data, "3:1: not a role; did you mean heading1?"));
    assert_non_null(strstr(m.data, "4:1: not a role (the roles")); /* nothing of it quoted */
    assert_null(strstr(m.data, "root"));
    rg_diags_fini(&d);

    /* A file that is not one: given up after three errors. */
    write_conf("a\nb\nc\nd\ne\nf\n");
    assert_null(pdf_fonts_load(dir, &d));
    messages(&d, &m);
    assert_int_equal(d.count, 4);
    assert_non_null(strstr(m.data, "stopped reading after 3 errors"));
    assert_null(strstr(m.data, "\"d\""));
    rg_diags_fini(&d);

    /* A role left out. */
    write_conf("body /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc\n");
    assert_null(pdf_fonts_load(dir, &d));
    messages(&d, &m);
    assert_non_null(strstr(m.data, "no font is named for the role title"));
    rg_diags_fini(&d);
    rg_buf_fini(&m);
}

static void test_metrics_and_missing_characters(void **state)
{
    (void)state;
    rg_diags d = {0};
    pdf_fonts *fonts = default_fonts(&d);
    assert_non_null(fonts);
    pdf_cache *c = pdf_cache_new(fonts, false);
    layout_metrics mx = pdf_cache_metrics(c);
    font_face *song = font_face_open("/usr/share/fonts/truetype/arphic/uming.ttc", 0, &d);
    assert_non_null(song);
    for (uint32_t cp = 0x4E00; cp < 0x4F00; cp++) { /* twice: looked up, then kept */
        assert_true(mx.advance(mx.ud, PDF_ROLE_BODY, cp) == (float)font_face_advance(song, cp));
        assert_true(mx.advance(mx.ud, PDF_ROLE_BODY, cp) == (float)font_face_advance(song, cp));
        assert_int_equal(mx.has(mx.ud, PDF_ROLE_BODY, cp), font_face_has(song, cp));
    }
    font_face_close(song);
    assert_false(mx.has(mx.ud, PDF_ROLE_FALLBACK, 0x9FCF)); /* 鿏: no default font has it */

    char body[] = "园区\xE9\xBF\x8F a \xE9\xBF\x8F", fallback[] = "\xF0\xA0\xAE\xB7\xE9\xBF\x8F"; /* 𠮷鿏 */
    char heading[] = "园区";
    layout_item items[3] = {
        {.font = PDF_ROLE_BODY, .size = 16, .text = body},
        {.font = PDF_ROLE_FALLBACK, .size = 16, .text = fallback},
        {.font = PDF_ROLE_H1, .size = 16, .text = heading},
    };
    layout_result r = {.items = items, .nitems = 3, .npages = 1};
    uint32_t *cps = NULL;
    assert_int_equal(pdf_missing_chars(c, &r, &cps), 2);
    assert_int_equal(cps[0], 0x9FCF);
    assert_int_equal(cps[1], 0x20BB7);
    free(cps);
    pdf_cache_free(c);
    pdf_fonts_free(fonts);
    rg_diags_fini(&d);
}

static void test_write(void **state)
{
    (void)state;
    rg_diags d = {0};
    pdf_fonts *fonts = default_fonts(&d);
    assert_non_null(fonts);
    layout_style st;
    layout_style_gbt9704(&st);
    char title[] = "工业园区", body[] = "园区(a)\\b", other[] = "园区和企业", heading[] = "一、问题";
    layout_item items[] = {
        {.page = 0, .font = PDF_ROLE_TITLE, .size = 22, .x = 100, .y = 150, .text = title},
        {.page = 0, .font = PDF_ROLE_BODY, .size = 16, .x = 80, .y = 200, .text = body, .spacing = 0.5},
        {.page = 1, .font = PDF_ROLE_H1, .size = 16, .x = 80, .y = 200, .text = heading},
        {.page = 1, .x = 80, .y = 210, .x2 = 300, .y2 = 210},            /* a rule */
        {.page = 1, .x = 80, .y = 220, .x2 = 300, .y2 = 230, .fill = 0.5}, /* a bar */
    };
    layout_mark marks[] = {{0, "工业园区", 0, 150}, {1, "一、问题", 1, 200}};
    layout_result r = {.items = items, .nitems = 5, .npages = 2, .marks = marks, .nmarks = 2};
    pdf_meta meta = {.name = "test.pdf", .title = "工业园区", .author = "园区", .subject = NULL,
                     .created = 1703980800};
    pdf_cache *kept = pdf_cache_new(fonts, false), *fresh = pdf_cache_new(fonts, false);
    rg_buf a = {0}, b = {0}, c = {0};
    assert_int_equal(pdf_write(kept, &r, &st, &meta, &a, &d), 0);
    assert_int_equal(pdf_write(kept, &r, &st, &meta, &b, &d), 0);
    assert_int_equal(pdf_write(fresh, &r, &st, &meta, &c, &d), 0);
    assert_int_equal(d.count, 0);
    assert_true(a.len > 1000);
    assert_memory_equal(a.data, "%PDF-1.5\n", 9);
    assert_memory_equal(a.data + a.len - 6, "%%EOF\n", 6);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(a.len, c.len);
    assert_memory_equal(a.data, c.data, a.len);
    /* Another document: other subsets, other bytes. */
    items[1].text = other;
    assert_int_equal(pdf_write(kept, &r, &st, &meta, &b, &d), 0);
    assert_true(b.len != a.len || memcmp(a.data, b.data, a.len) != 0);
    rg_buf_fini(&a), rg_buf_fini(&b), rg_buf_fini(&c);
    pdf_cache_free(kept), pdf_cache_free(fresh);
    pdf_fonts_free(fonts);
    rg_diags_fini(&d);
}

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "%s/fonts.conf", dir);
    unlink(path);
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fonts_conf_errors),
        cmocka_unit_test(test_metrics_and_missing_characters),
        cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
