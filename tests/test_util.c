/* Unit tests of util: decimals keep their written precision, UTF-8 decoding,
 * rounding for display, diagnostics formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static char *dec_text(rg_dec d)
{
    rg_buf b = {0};
    rg_dec_format(d, &b);
    return rg_buf_take(&b);
}

/* a / b to `decimals` places, as text, or NULL when it cannot be given. */
static char *quotient(const char *a, const char *b, int decimals)
{
    rg_dec x, y, q;
    assert_int_equal(rg_dec_parse(a, &x), 0);
    assert_int_equal(rg_dec_parse(b, &y), 0);
    return rg_dec_div(x, y, decimals, &q) == 0 ? dec_text(q) : NULL;
}

static void expect_quotient(const char *a, const char *b, int decimals, const char *want)
{
    char *got = quotient(a, b, decimals);
    if (!want) {
        if (got)
            fail_msg("%s / %s to %d places: expected no result, got %s", a, b, decimals, got);
        return;
    }
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s / %s to %d places: expected %s, got %s", a, b, decimals, want,
                 got ? got : "no result");
    free(got);
}

static void test_dec_div_rounds_once(void **state)
{
    (void)state;
    expect_quotient("124.2", "140", 3, "0.887");  /* 0.88714... */
    expect_quotient("200", "140", 4, "1.4286");   /* 1.428571... */
    expect_quotient("43.55", "124.2", 3, "0.351"); /* 0.350644... */
    expect_quotient("1", "3", 6, "0.333333");
    expect_quotient("2", "3", 0, "1");
    expect_quotient("-2", "3", 2, "-0.67");
    expect_quotient("2", "-3", 2, "-0.67");
    expect_quotient("-1", "3", 0, "0");
    /* Ties go away from zero, from the exact quotient: no binary 0.8875. */
    expect_quotient("88.75", "100", 3, "0.888");
    expect_quotient("-88.75", "100", 3, "-0.888");
    /* Rounded once: 0.88745 to three places is 0.887 (twice would be 0.888). */
    expect_quotient("88.745", "100", 3, "0.887");
    /* The whole range of figures, exactly. */
    expect_quotient("999999999999999", "999999999999998", 15, "1.000000000000001");
    expect_quotient("0.000000000001", "3", 14, "0.00000000000033");
    expect_quotient("999999999999999", "1", 3, "999999999999999.000");
    expect_quotient("88183420723192256", "1", 1, "88183420723192256.0");
    /* No result: a zero divisor, one that does not fit 18 digits. */
    expect_quotient("1", "0", 2, NULL);
    expect_quotient("999999999999999", "0.000000000001", 0, NULL);
    expect_quotient("999999999999999999", "1", 1, NULL);
    expect_quotient("1", "7", 19, NULL);
}

static void test_dec_digits_and_difference(void **state)
{
    (void)state;
    const struct {
        const char *text;
        int digits;
    } cases[] = {{"0", 1},     {"124.2", 4},   {"124.20", 5}, {"0.0010", 2}, {"1200", 4},
                 {"-3.1", 2},  {"0.000000000001", 1},         {"999999999999999", 15},
                 {"1234567890123456", 16},     {"123456789012345678", 18}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_dec d;
        assert_int_equal(rg_dec_parse(cases[i].text, &d), 0);
        assert_int_equal(rg_dec_digits(d), cases[i].digits);
    }
    rg_dec a, b, diff;
    rg_dec_parse("43", &a);
    rg_dec_parse("23.14", &b);
    assert_int_equal(rg_dec_sub(a, b, &diff), 0);
    char *text = dec_text(diff);
    assert_string_equal(text, "19.86");
    free(text);
    assert_int_equal(rg_dec_sub(b, a, &diff), 0);
    text = dec_text(diff);
    assert_string_equal(text, "-19.86");
    free(text);
    rg_dec_parse("-999999999999999999", &a);
    rg_dec_parse("0.1", &b);
    assert_int_equal(rg_dec_sub(a, b, &diff), -1); /* -9999999999999999991 tenths */
}

static void test_controls(void **state)
{
    (void)state;
    const uint32_t controls[] = {0x00, 0x09, 0x0A, 0x0D, 0x1B, 0x7F, 0x80, 0x85, 0x9F, 0x061C,
                                 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202E, 0x2066, 0x2069};
    const uint32_t shown[] = {' ', 'a', '~', 0xA0, 0xE9, 0x56ED, 0x200B, 0x200D, 0x2030,
                              0x2065, 0x206A, 0x3000, 0xFF05, 0x20BB7};
    for (size_t i = 0; i < sizeof controls / sizeof *controls; i++)
        if (!rg_is_control(controls[i]))
            fail_msg("U+%04X should be a control", (unsigned)controls[i]);
    for (size_t i = 0; i < sizeof shown / sizeof *shown; i++)
        if (rg_is_control(shown[i]))
            fail_msg("U+%04X should not be a control", (unsigned)shown[i]);
}

/* What data puts in a message is printed escaped: it cannot reorder the
 * line (U+202E), move the cursor (ESC), or fake a line of its own. */
static void test_diag_format_escapes_controls(void **state)
{
    (void)state;
    rg_diags d = {0};
    rg_diag_add(&d, RG_WARNING, "in\xE2\x80\xAE" "lmx.xml", 2, 5,
                "name \"a\x1B[2Jb\" \xC2\x85 then\nfake.xml:1: error: c\tend \xFF");
    rg_diag_add(&d, RG_ERROR, "园区.xml", 1, 3, "甲乙 kept");
    rg_buf b = {0};
    for (size_t i = 0; i < d.count; i++)
        rg_diag_format(&d.items[i], &b);
    assert_string_equal(b.data,
                        "in\\u202Elmx.xml:2:5: warning: name \"a\\x1B[2Jb\" \\u0085 then"
                        "\\x0Afake.xml:1: error: c\tend \\xFF\n"
                        "园区.xml:1:3: error: 甲乙 kept\n");
    rg_buf_fini(&b);
    /* Characters a terminal shows as nothing are named too. */
    rg_diags z = {0};
    rg_diag_add(&z, RG_WARNING, "z.xml", 1, 1, "no font has \xE2\x80\x8B, \xEF\xBB\xBF or \xEF\xB8\x8F");
    rg_diag_format(&z.items[0], &b);
    assert_string_equal(b.data, "z.xml:1:1: warning: no font has \\u200B, \\uFEFF or \\uFE0F\n");
    rg_buf_fini(&b);
    rg_diags_fini(&z);

    /* rg_diags_print writes the same, from the index asked for. */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(rg_diags_print(f, &d, 1), 0);
    rewind(f);
    char line[128] = {0};
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "园区.xml:1:3: error: 甲乙 kept\n");
    assert_null(fgets(line, sizeof line, f));
    fclose(f);
    rg_diags_fini(&d);
}

/* An excerpt shows its source line escaped, and the caret stays under the
 * character it points at. */
static void test_excerpt_escapes_controls(void **state)
{
    (void)state;
    const char src[] = "{{ a\xE2\x80\xAE\x1B }}园x\n";
    rg_diags d = {0};
    rg_diag_add(&d, RG_ERROR, "t.mustache", 1, 11, "here");
    rg_diag_excerpt(&d, src, sizeof src - 1, strlen("{{ a\xE2\x80\xAE\x1B }}园"));
    rg_buf b = {0};
    rg_diag_format(&d.items[0], &b);
    assert_string_equal(b.data, "t.mustache:1:11: error: here\n"
                                " 1 | {{ a\\u202E\\x1B }}园x\n"
                                "   |                    ^\n");
    rg_buf_fini(&b);
    rg_diags_fini(&d);
}

/* Edits up to a limit, and the nearest name within it. */
static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(rg_edit_distance("margin-lef", 10, "margin-left", 2), 1);
    assert_int_equal(rg_edit_distance("leadng", 6, "leading", 2), 1);
    assert_int_equal(rg_edit_distance("abc", 3, "abc", 2), 0);
    assert_int_equal(rg_edit_distance("abcdef", 6, "uvwxyz", 2), 3); /* past the limit */
    assert_int_equal(rg_edit_distance("a", 1, "abcdefgh", 2), 3);    /* lengths alone say so */
    const char *const roles[] = {"body", "title", "heading1", "heading2"};
    assert_string_equal(rg_nearest("heading", roles, 4, 2), "heading1"); /* the first of equals */
    assert_string_equal(rg_nearest("tilte", roles, 4, 2), "title");
    assert_null(rg_nearest("root:x:0:0", roles, 4, 2));
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
        cmocka_unit_test(test_dec_div_rounds_once),
        cmocka_unit_test(test_dec_digits_and_difference),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_diag_format_escapes_controls),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_excerpt_escapes_controls),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
