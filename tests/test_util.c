/* Unit tests of util: decimals keep their written precision, UTF-8 decoding,
 * rounding for display, diagnostics formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void dec_roundtrip(const char *text)
{
    rg_dec d;
    assert_int_equal(rg_dec_parse(text, &d), 0);
    rg_buf b = {0};
    rg_dec_format(d, &b);
    assert_string_equal(b.data, text);
    rg_buf_fini(&b);
    assert_true(rg_dec_to_double(d) == strtod(text, NULL));
}

static void test_dec_keeps_written_form(void **state)
{
    (void)state;
    dec_roundtrip("124.2");
    dec_roundtrip("16.33");
    dec_roundtrip("140");
    dec_roundtrip("0.46");
    dec_roundtrip("124.20");
    dec_roundtrip("-3.1");
    dec_roundtrip("0");
    dec_roundtrip("123456789012345678");
}

static void test_dec_rejects(void **state)
{
    (void)state;
    rg_dec d;
    const char *bad[] = {"", "-", "1.", ".5", "1e999", "NaN", "0x10", "1,000", "1.2.3", " 1",
                         "1 ", "+1", "1234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(rg_dec_parse(bad[i], &d), -1);
}

static void test_dec_sum_is_exact(void **state)
{
    (void)state;
    const char *parts[] = {"45.3", "34.4", "135.8", "30.3", "2.1"};
    rg_dec sum = {0, 0}, d;
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(rg_dec_parse(parts[i], &d), 0);
        assert_int_equal(rg_dec_add(sum, d, &sum), 0);
    }
    rg_buf b = {0};
    rg_dec_format(sum, &b);
    assert_string_equal(b.data, "247.9");
    rg_buf_fini(&b);
    rg_dec stated;
    rg_dec_parse("246.5", &stated);
    assert_int_equal(rg_dec_cmp(sum, stated), 1);
    rg_dec_parse("247.90", &stated);
    assert_int_equal(rg_dec_cmp(sum, stated), 0);
}

static void test_dec_overflow(void **state)
{
    (void)state;
    rg_dec a, b, out;
    rg_dec_parse("999999999999999999", &a);
    rg_dec_parse("0.1", &b);
    assert_int_equal(rg_dec_add(a, b, &out), -1);
}

static void test_format_fixed_rounds_half_away(void **state)
{
    (void)state;
    struct {
        double x;
        int d;
        const char *want;
    } cases[] = {{2.675, 2, "2.68"}, {-2.675, 2, "-2.68"}, {0.05, 1, "0.1"},
                 {88.71428, 1, "88.7"}, {-0.04, 1, "0.0"}, {5, 1, "5.0"}, {42.857142, 0, "43"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_buf b = {0};
        rg_format_fixed(cases[i].x, cases[i].d, &b);
        assert_string_equal(b.data, cases[i].want);
        rg_buf_fini(&b);
    }
}

static void test_utf8(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(rg_utf8_decode("\xE5\x9B\xAD", 3, &cp), 3);
    assert_int_equal(cp, 0x56ED);
    assert_int_equal(rg_utf8_decode("\xF0\xA0\xAE\xB7", 4, &cp), 4);
    assert_int_equal(cp, 0x20BB7);
    assert_int_equal(rg_utf8_decode("\xC0\xAF", 2, &cp), 0);         /* overlong */
    assert_int_equal(rg_utf8_decode("\xED\xA0\x80", 3, &cp), 0);     /* surrogate */
    assert_int_equal(rg_utf8_decode("\xE5\x9B", 2, &cp), 0);         /* truncated */
    assert_int_equal(rg_utf8_invalid_at("ab\xD4\xB0\xB0", 5), 4);    /* GBK-ish bytes */
    assert_int_equal(rg_utf8_invalid_at("园区", strlen("园区")), (size_t)-1);
    rg_buf b = {0};
    rg_utf8_put(&b, 0x56ED);
    rg_utf8_put(&b, 0x20BB7);
    assert_string_equal(b.data, "园\xF0\xA0\xAE\xB7");
    rg_buf_fini(&b);
}

/* rg_utf8_next reads what rg_utf8_decode reads, and steps over a bad byte
 * as U+FFFD, on its inline paths (ASCII, three bytes) and off them. */
static void test_utf8_next(void **state)
{
    (void)state;
    static const char text[] = "a\xE5\x9B\xAD\xC3\xA9\xF0\xA0\xAE\xB7"
                               "\xED\xA0\x80"  /* a surrogate */
                               "\xE0\x80\x80"  /* overlong */
                               "\xEF\xBF\xBD"  /* a real U+FFFD */
                               "\xE5\x9B";      /* cut short at the end */
    static const uint32_t want[] = {'a', 0x56ED, 0xE9, 0x20BB7, 0xFFFD, 0xFFFD, 0xFFFD,
                                    0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD};
    static const size_t at[] = {1, 4, 6, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21};
    size_t n = sizeof text - 1, i = 0, k = 0;
    while (i < n) {
        assert_true(k < sizeof want / sizeof *want);
        assert_int_equal(rg_utf8_next(text, n, &i), want[k]);
        assert_int_equal(i, at[k]);
        k++;
    }
    assert_int_equal(k, sizeof want / sizeof *want);
    i = 0; /* a three-byte sequence that n cuts short is not read past n */
    assert_int_equal(rg_utf8_next("\xE5\x9B\xAD", 2, &i), 0xFFFD);
    assert_int_equal(i, 1);
}

static void test_diag_format(void **state)
{
    (void)state;
    rg_diags d = {0};
    rg_diag_add(&d, RG_ERROR, "a.xml", 3, 7, "bad %s", "thing");
    rg_diag_add(&d, RG_WARNING, "a.xml", 4, 0, "odd");
    rg_diag_add(&d, RG_ERROR, "b.xml", 0, 0, "missing");
    rg_buf b = {0};
    for (size_t i = 0; i < d.count; i++)
        rg_diag_format(&d.items[i], &b);
    assert_string_equal(b.data, "a.xml:3:7: error: bad thing\n"
                                "a.xml:4: warning: odd\n"
                                "b.xml: error: missing\n");
    assert_int_equal(d.errors, 2);
    assert_int_equal(d.warnings, 1);
    rg_buf_fini(&b);
    rg_diags_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dec_keeps_written_form),
        cmocka_unit_test(test_dec_rejects),
        cmocka_unit_test(test_dec_sum_is_exact),
        cmocka_unit_test(test_dec_overflow),
        cmocka_unit_test(test_format_fixed_rounds_half_away),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_next),
        cmocka_unit_test(test_diag_format),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
