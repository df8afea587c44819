/* Unit tests of the model: loading the seed's data, derived figures, the
 * consistency checks, and one test per kind of bad input, each asserting the
 * message and its line (and column where the parser gives one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model.h"
#include "model_tmpl.h"
#include "tmpl.h"

#define SEED TEST_SOURCE_DIR "/input/park-2023.xml"

static int setup_loader(void **state)
{
    *state = model_loader_new();
    return *state ? 0 : -1;
}

static int teardown_loader(void **state)
{
    model_loader_free(*state);
    return 0;
}

static model *load_seed(model_loader *ld, rg_diags *d)
{
    model *m = model_load(ld, SEED, d);
    assert_non_null(m);
    return m;
}

static char *diags_text(const rg_diags *d)
{
    rg_buf b = {0};
    rg_buf_append(&b, "", 0);
    for (size_t i = 0; i < d->count; i++)
        rg_diag_format(&d->items[i], &b);
    return rg_buf_take(&b);
}

static void test_seed_loads(void **state)
{
    rg_diags d = {0};
    model *m = load_seed(*state, &d);
    assert_int_equal(d.errors, 0);
    assert_int_equal(m->year, 2023);
    assert_int_equal(m->plan_year, 2024);
    assert_string_equal(m->park, "工业园区");
    assert_string_equal(m->period, "1-11月");

    const model_figure *f = model_figure_find(m, "output.actual");
    assert_non_null(f);
    assert_string_equal(f->text, "124.2");
    assert_string_equal(f->unit, "亿元");
    assert_int_equal(f->value.coef, 1242);
    assert_int_equal(f->value.scale, 1);
    assert_string_equal(model_figure_find(m, "output.actual-growth")->unit, "%");
    assert_string_equal(model_figure_find(m, "sectors.food.growth")->text, "22.62");
    assert_string_equal(model_figure_find(m, "promotion.battery.amount")->text, "135.8");
    assert_string_equal(model_figure_find(m, "land-quota-urban")->text, "2224");
    /* ref="…" takes the number from the figure it names. */
    const model_figure *attracted = model_figure_find(m, "projects-attracted.actual");
    assert_string_equal(attracted->text, "25");
    assert_string_equal(model_figure_find(m, "cultivated-firms.actual")->text, "6");
    assert_string_equal(model_figure_find(m, "cultivated-firms.actual")->unit, "户");
    assert_null(model_figure_find(m, "no-such-figure"));

    assert_int_equal(m->nsections, 3);
    assert_int_equal(m->sections[0].nsections, 7);
    assert_int_equal(m->sections[1].nsections, 5);
    assert_int_equal(m->sections[2].nsections, 6);
    assert_int_equal(m->nintro, 1);
    rg_buf text = {0};
    model_paragraph_write(&m->intro[0], &text);
    assert_true(strncmp(text.data, "2023年，园区紧紧围绕", strlen("2023年，园区紧紧围绕")) == 0);
    assert_string_equal(model_figure_find(m, "plan-year")->text, "2024");
    /* The headline figures are the template's (templates/headline.mustache). */
    assert_non_null(strstr(text.data, "全力推动园区高质量、超常规发展。"));
    rg_buf_fini(&text);
    /* Lists are joined with 、 and bare figures leave their unit to the prose. */
    model_paragraph_write(&m->sections[0].sections[4].paragraphs[0], &text);
    assert_non_null(strstr(text.data, "协调会110余次"));
    assert_non_null(strstr(text.data, "安吉纳、锦鑫泰、优利克、九源芯、良沃屠宰、台沃香、盛皓宇、鸿星尔克、伟创力9个项目建成投产"));
    rg_buf_fini(&text);
    model_free(m);
    rg_diags_fini(&d);
}

static void test_seed_derived_figures(void **state)
{
    rg_diags d = {0};
    model *m = load_seed(*state, &d);
    const model_indicator *output = NULL, *share = NULL, *plan_only = NULL;
    for (size_t i = 0; i < m->nindicators; i++) {
        if (strcmp(m->indicators[i].id, "output") == 0)
            output = &m->indicators[i];
        if (strcmp(m->indicators[i].id, "leading-share") == 0)
            share = &m->indicators[i];
        if (strcmp(m->indicators[i].id, "billion-firms") == 0)
            plan_only = &m->indicators[i];
    }
    assert_non_null(output);
    double v;
    assert_true(model_completion(output, &v));
    assert_true(v == 124.2 / 140.0);
    assert_ptr_equal(model_completion_base(output), output->slot[MODEL_FORECAST]);
    assert_true(model_growth_needed(output, &v));
    assert_true(v == 200.0 / 140.0 - 1);
    assert_false(model_points_needed(output, &v));
    /* A rate's change is in percentage points, never a relative growth; and
     * only from a full-year figure: the share is of 1-11月. */
    assert_false(model_growth_needed(share, &v));
    assert_false(model_points_needed(share, &v));
    assert_string_equal(model_plan_base_missing(share), "无全年数");
    assert_false(model_growth_needed(plan_only, &v));
    assert_false(model_completion(plan_only, &v));
    assert_true(model_sector_share(m, &m->sectors[0], &v));
    assert_true(v == 43.55 / 124.2);
    assert_false(model_sector_share(m, &m->sectors[2], &v)); /* no output given */
    rg_dec projects, amount;
    assert_true(model_promotion_sum(m, &projects, &amount));
    assert_int_equal(projects.coef, 25);
    assert_int_equal(amount.coef, 2479);
    assert_int_equal(amount.scale, 1);
    model_free(m);
    rg_diags_fini(&d);
}

static void test_seed_checks(void **state)
{
    rg_diags d = {0};
    model *m = load_seed(*state, &d);
    model_check(m, &d);
    char *text = diags_text(&d);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 2);
    assert_non_null(strstr(text, "warning: the stated investment is 246.5亿元, but the parts "
                                 "(lines 88-92) add up to 247.9亿元"));
    assert_non_null(strstr(text, "is 15.44亿元 here but 15.43亿元 as infra-investment.actual"));
    /* Both name a line of the input. */
    assert_true(d.items[0].line > 0 && d.items[1].line > 0);
    free(text);
    model_free(m);
    rg_diags_fini(&d);
}

/* --- a small valid input and its variations -------------------------- */

static const char *const minimal =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                              /* 1 */
    "<report year=\"2023\" plan-year=\"2024\" period=\"1-11月\">\n"             /* 2 */
    "  <park>测试园区</park>\n"                                                 /* 3 */
    "  <indicators>\n"                                                          /* 4 */
    "    <indicator id=\"output\" name=\"工业总产值\" unit=\"亿元\">\n"         /* 5 */
    "      <previous>100</previous>\n"                                          /* 6 */
    "      <actual>124.2</actual>\n"                                            /* 7 */
    "      <actual-growth>24.2</actual-growth>\n"                               /* 8 */
    "      <forecast>140</forecast>\n"                                          /* 9 */
    "    </indicator>\n"                                                        /* 10 */
    "  </indicators>\n"                                                         /* 11 */
    "  <sectors><sector id=\"food\" name=\"食品\"><firms>3</firms></sector></sectors>\n" /* 12 */
    "  <promotion><projects>2</projects><amount>3.5</amount>\n"                 /* 13 */
    "    <category id=\"a\" name=\"甲\"><projects>1</projects><amount>1.5</amount></category>\n" /* 14 */
    "    <category id=\"b\" name=\"乙\"><projects>1</projects><amount>2</amount></category>\n" /* 15 */
    "  </promotion>\n"                                                          /* 16 */
    "  <groups><group id=\"done\" status=\"投产\"><count>2</count><item>甲</item><item>乙</item></group></groups>\n" /* 17 */
    "  <narrative><section title=\"一\"><p>产值<v ref=\"output.actual\"/>，<list ref=\"groups.done\"/>。</p></section></narrative>\n" /* 18 */
    "</report>\n";

/* Writes `text` to a temporary file and loads it. */
static model *load_text(model_loader *ld, const char *text, size_t len, rg_diags *d, char *path)
{
    strcpy(path, "/tmp/parkreport-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    model *m = model_load(ld, path, d);
    unlink(path);
    return m;
}

/* The minimal input with `from` replaced by `to`. */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(minimal, from);
    assert_non_null(at);
    rg_buf b = {0};
    rg_buf_append(&b, minimal, (size_t)(at - minimal));
    rg_buf_puts(&b, to);
    rg_buf_puts(&b, at + strlen(from));
    return rg_buf_take(&b);
}

/* Loading must fail with exactly one error at line:col whose text has `want`. */
static void expect_error(model_loader *ld, const char *text, size_t len, int line, int col,
                         const char *want)
{
    rg_diags d = {0};
    char path[64];
    model *m = load_text(ld, text, len, &d, path);
    char *all = diags_text(&d);
    if (m || d.errors == 0 || !strstr(d.items[0].msg, want) || d.items[0].line != line ||
        d.items[0].col != col)
        fail_msg("expected %d:%d \"%s\", got:\n%s", line, col, want, all);
    assert_string_equal(d.items[0].file, path);
    free(all);
    model_free(m);
    rg_diags_fini(&d);
}

static void expect_variant_error(model_loader *ld, const char *from, const char *to, int line,
                                 int col, const char *want)
{
    char *text = variant(from, to);
    expect_error(ld, text, strlen(text), line, col, want);
    free(text);
}

static void test_minimal_loads_and_checks_growth(void **state)
{
    rg_diags d = {0};
    char path[64];
    model *m = load_text(*state, minimal, strlen(minimal), &d, path);
    assert_non_null(m);
    model_check(m, &d);
    assert_int_equal(d.count, 0); /* 124.2 over 100 is indeed 24.2% */
    model_free(m);
    rg_diags_fini(&d);

    char *text = variant("<actual-growth>24.2<", "<actual-growth>21.2<");
    m = load_text(*state, text, strlen(text), &d, path);
    assert_non_null(m);
    model_check(m, &d);
    assert_int_equal(d.warnings, 1);
    assert_int_equal(d.items[0].line, 8);
    assert_non_null(strstr(d.items[0].msg, "grew by 24.2% from 100亿元 (line 6) to 124.2亿元 (line "
                                           "7), but the stated growth is 21.2%"));
    free(text);
    model_free(m);
    rg_diags_fini(&d);
}

static void test_checks_count_and_totals(void **state)
{
    rg_diags d = {0};
    char path[64];
    char *text = variant("<count>2</count>", "<count>3</count>");
    model *m = load_text(*state, text, strlen(text), &d, path);
    assert_non_null(m);
    model_check(m, &d);
    assert_int_equal(d.warnings, 1);
    assert_int_equal(d.items[0].line, 17);
    assert_non_null(strstr(d.items[0].msg, "states 3个 but lists 2 items"));
    free(text);
    model_free(m);
    rg_diags_fini(&d);

    text = variant("<projects>2</projects><amount>3.5</amount>", "<projects>5</projects><amount>3.5</amount>");
    m = load_text(*state, text, strlen(text), &d, path);
    model_check(m, &d);
    assert_int_equal(d.warnings, 1);
    assert_int_equal(d.items[0].line, 13);
    assert_int_equal(d.items[0].col, 14);
    assert_string_equal(d.items[0].msg, "the stated number of projects is 5个, but the parts (lines 14-15) add up to 2个");
    free(text);
    model_free(m);
    rg_diags_fini(&d);
}

static void test_missing_file(void **state)
{
    rg_diags d = {0};
    model *m = model_load(*state, "/nonexistent/park.xml", &d);
    assert_null(m);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].file, "/nonexistent/park.xml");
    assert_non_null(strstr(d.items[0].msg, "cannot open the input: No such file or directory"));
    rg_diags_fini(&d);
}

static void test_empty_file(void **state)
{
    expect_error(*state, "", 0, 0, 0, "the input is empty");
}

static void test_not_xml(void **state)
{
    const char *text = "年度报告\n这不是XML\n";
    expect_error(*state, text, strlen(text), 1, 1, "Start tag expected");
}

static void test_not_well_formed(void **state)
{
    expect_variant_error(*state, "<park>测试园区</park>", "<park>测试园区</prak>", 3, 20,
                         "Opening and ending tag mismatch: park");
}

static void test_unknown_element(void **state)
{
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>140</forecast><budget>1</budget>",
                         9, 31, "<budget> is not an element of <indicator>; <indicator> may hold "
                                "<previous>, <target>, <actual>");
    expect_variant_error(*state, "<forecast>140</forecast>", "<forcast>140</forcast>", 9, 7,
                         "<forcast> is not an element of <indicator>; did you mean <forecast>?");
}

/* An element out of order names the one it goes before; a second one is said so. */
static void test_element_order(void **state)
{
    expect_variant_error(*state, "<actual-growth>24.2</actual-growth>",
                         "<actual-growth>24.2</actual-growth><previous>1</previous>", 8, 42,
                         "<previous> is out of order: it goes before <actual> (line 7); in "
                         "<indicator> the order is <previous>, <target>, <actual>");
    expect_variant_error(*state, "<forecast>140</forecast>",
                         "<forecast>140</forecast><forecast>141</forecast>", 9, 31,
                         "a second <forecast> in <indicator> (the first is on line 9)");
}

/* A value outside a set, and an attribute the element does not take: said
 * with what would do, and the nearest. */
static void test_did_you_mean(void **state)
{
    expect_variant_error(*state, "<sector id=\"food\"", "<sector id=\"food\" role=\"leadng\"", 12,
                         30, "\"leadng\" is not one of leading, featured, other; did you mean leading?");
    expect_variant_error(*state, "unit=\"亿元\">", "unit=\"亿元\" untit=\"万元\">", 5, 51,
                         "<indicator> takes no attribute \"untit\"; did you mean unit? (it takes id, "
                         "name, unit)");
}

/* Values without a pattern are explained in words too. */
static void test_type_errors_in_words(void **state)
{
    expect_variant_error(*state, "period=\"1-11月\">", "period=\"1-11月\" date=\"2023-6-1\">", 2,
                         53, "'2023-6-1' is not a date: write YYYY-MM-DD");
    /* A date the workbook and the PDF would disagree on: refused too. */
    expect_variant_error(*state, "period=\"1-11月\">", "period=\"1-11月\" date=\"0999-01-01\">", 2,
                         53, "'0999-01-01' is not a date: write YYYY-MM-DD, e.g. 2023-12-20, with "
                             "a year from 1000 to 2999 and no time zone");
    expect_variant_error(*state, "period=\"1-11月\">", "period=\"1-11月\" date=\"2023-12-20+14:00\">",
                         2, 53, "'2023-12-20+14:00' is not a date");
    expect_variant_error(*state, "<v ref=\"output.actual\"/>", "<v ref=\"output.actual\" bare=\"yes\"/>",
                         18, 61, "is not true or false: write true or false");
}

static void test_missing_required_figure(void **state)
{
    expect_variant_error(*state, "<item>甲</item><item>乙</item>", "", 17, 11,
                         "Missing child element(s). Expected is");
}

static void test_text_where_number_belongs(void **state)
{
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>一百四十</forecast>", 9, 7,
                         "Element 'forecast': '一百四十' is not a number: write digits");
    /* An actual may instead be a reference, so the model checks its text. */
    expect_variant_error(*state, "<actual>124.2</actual>", "<actual>约124</actual>", 7, 7,
                         "\"约124\" is not a number");
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>1e999</forecast>", 9, 7,
                         "'1e999' is not a number");
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>1,400</forecast>", 9, 7,
                         "'1,400' is not a number");
}

static void test_odd_numbers(void **state)
{
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>NaN</forecast>", 9, 7,
                         "'NaN' is not a number");
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>0x10</forecast>", 9, 7,
                         "'0x10' is not a number");
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>-0</forecast>", 9, 7,
                         "\"-0\" is minus zero; write 0");
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>-0.00</forecast>", 9, 7,
                         "is minus zero");
    expect_variant_error(*state, "<forecast>140</forecast>",
                         "<forecast>1234567890123456789.5</forecast>", 9, 7,
                         "at most 18 digits");
    /* 00012 would show as written in the PDF and as 12 in the workbook. */
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>00140</forecast>", 9, 7,
                         "'00140' is not a number");
    expect_variant_error(*state, "<forecast>140</forecast>", "<forecast>-007.5</forecast>", 9, 7,
                         "'-007.5' is not a number");
    expect_variant_error(*state, "<actual>124.2</actual>", "<actual>0124.2</actual>", 7, 7,
                         "\"0124.2\" has leading zeros; write it without them");
}

static void test_byte_order_mark_is_read(void **state)
{
    /* Notepad writes one; it says nothing that the XML declaration does not. */
    rg_buf text = {0};
    rg_buf_puts(&text, "\xEF\xBB\xBF");
    rg_buf_puts(&text, minimal);
    rg_diags d = {0};
    char path[64];
    model *m = load_text(*state, text.data, text.len, &d, path);
    assert_non_null(m);
    assert_int_equal(d.count, 0);
    model_free(m);
    rg_diags_fini(&d);
    rg_buf_fini(&text);
}

static void test_limits(void **state)
{
    /* 10,000 nested elements: refused by the parser, with what to do. */
    rg_buf deep = {0};
    for (int i = 0; i < 10000; i++)
        rg_buf_puts(&deep, "<section title=\"x\">");
    for (int i = 0; i < 10000; i++)
        rg_buf_puts(&deep, "</section>");
    rg_buf_puts(&deep, "</narrative>");
    expect_variant_error(*state, "</narrative>", deep.data, 18, 4948,
                         "elements nested more than 256 deep; a report nests sections at most 4");
    rg_buf_fini(&deep);
    /* Too many elements: refused before the schema is checked. */
    rg_buf many = {0};
    rg_buf_puts(&many, "<item>甲</item>");
    for (int i = 0; i < MODEL_MAX_ELEMENTS; i++)
        rg_buf_puts(&many, "<item>乙</item>");
    expect_variant_error(*state, "<item>甲</item>", many.data, 17, 0,
                         "more than 50000 elements: a report holds fewer; split the input");
    rg_buf_fini(&many);
    /* More than 16 MB (a 100 MB text node, say): refused as it is read. */
    rg_buf big = {0};
    rg_buf_puts(&big, "<p>");
    while (big.len < MODEL_MAX_FILE_BYTES + 1024)
        rg_buf_puts(&big, "文字文字文字文字文字文字文字文字文字文字文字文字文字文字文字文字");
    rg_buf_puts(&big, "</p>");
    char *text = variant("<p>", big.data);
    rg_diags d = {0};
    assert_null(model_load_buffer(*state, "big.xml", text, strlen(text), &d));
    assert_non_null(strstr(d.items[0].msg, "larger than 16 MB"));
    rg_diags_fini(&d);
    free(text);
    rg_buf_fini(&big);
}

static void test_negative_count(void **state)
{
    expect_variant_error(*state, "<firms>3</firms>", "<firms>-3</firms>", 12, 40,
                         "Element 'firms': '-3' is not a count: write a whole number, 0 or more");
}

static void test_invalid_utf8(void **state)
{
    /* 测试 in GBK, in a file that says it is UTF-8. */
    expect_variant_error(*state, "<park>测试园区</park>", "<park>\xB2\xE2\xCA\xD4</park>", 3, 9,
                         "invalid UTF-8 (byte 0xB2)");
}

/* A character beyond U+FFFF is kept: the PDF draws it when a font has it
 * (and warns, at its place, when none has: see e2e). */
static void test_beyond_the_bmp_is_kept(void **state)
{
    rg_diags d = {0};
    char path[64];
    char *text = variant("<park>测试园区</park>", "<park>测试\xF0\xA0\xAE\xB7园区</park>");
    model *m = load_text(*state, text, strlen(text), &d, path);
    assert_non_null(m);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 0);
    assert_string_equal(m->park, "测试\xF0\xA0\xAE\xB7园区");
    free(text);
    model_free(m);
    rg_diags_fini(&d);
}

static void test_utf16(void **state)
{
    const char text[] = "\xFF\xFE<\0r\0";
    expect_error(*state, text, sizeof text - 1, 1, 1, "the input is UTF-16");
}

static void test_encoding_declared_otherwise(void **state)
{
    expect_variant_error(*state, "encoding=\"UTF-8\"", "encoding=\"GBK\"", 1, 31,
                         "the XML declaration says encoding \"GBK\"");
}

static void test_doctype_with_entities(void **state)
{
    expect_variant_error(*state, "<report ",
                         "<!DOCTYPE report [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<report ",
                         2, 1, "a DOCTYPE is not allowed");
}

static void test_external_entity_never_read(void **state)
{
    rg_diags d = {0};
    char path[64];
    char *text = variant("<report ", "<!DOCTYPE report [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<report ");
    char *with_ref = NULL;
    {
        const char *at = strstr(text, "测试园区");
        rg_buf b = {0};
        rg_buf_append(&b, text, (size_t)(at - text));
        rg_buf_puts(&b, "&x;");
        rg_buf_puts(&b, at + strlen("测试园区"));
        with_ref = rg_buf_take(&b);
    }
    model *m = load_text(*state, with_ref, strlen(with_ref), &d, path);
    assert_null(m);
    char *all = diags_text(&d);
    assert_non_null(strstr(all, "a DOCTYPE is not allowed"));
    assert_null(strstr(all, "root:")); /* nothing of /etc/passwd */
    free(all);
    free(text);
    free(with_ref);
    rg_diags_fini(&d);
}

static void test_unknown_reference(void **state)
{
    expect_variant_error(*state, "<v ref=\"output.actual\"/>", "<v ref=\"output.actaul\"/>", 18, 41,
                         "ref=\"output.actaul\": no figure has that id; did you mean "
                         "\"output.actual\"?");
    expect_variant_error(*state, "<list ref=\"groups.done\"/>", "<list ref=\"groups.none\"/>", 18, 69,
                         "no group has that id (write groups.ID); did you mean \"groups.done\"?");
}

static void test_duplicate_id(void **state)
{
    expect_variant_error(*state, "<sector id=\"food\"", "<sector id=\"food\" name=\"x\"/><sector id=\"food\"",
                         12, 48, "two sectors have the id \"food\"");
    expect_variant_error(*state, "  <groups>",
                         "  <figures><figure id=\"a\" name=\"x\" unit=\"个\">1</figure>\n"
                         "  <figure id=\"a\" name=\"y\" unit=\"个\">2</figure></figures>\n  <groups>",
                         18, 3, "the figure id \"a\" is used twice (also on line 17)");
}

static void test_plan_year(void **state)
{
    expect_variant_error(*state, "plan-year=\"2024\"", "plan-year=\"2025\"", 2, 21,
                         "plan-year=\"2025\" should be the year after year=\"2023\"");
}

/* Renders the real templates/ on the seed's data. */

/* --- any park: units, phrasing, derived names, periods ----------------- */

/* Loads the minimal input with each `from` replaced by its `to` (pairs,
 * ended by NULL); the model, with model_check run, and its diagnostics. */
static model *load_variants(model_loader *ld, rg_diags *d, ...)
{
    va_list ap;
    va_start(ap, d);
    char *text = xstrdup(minimal);
    const char *from;
    while ((from = va_arg(ap, const char *)) != NULL) {
        const char *to = va_arg(ap, const char *);
        const char *at = strstr(text, from);
        if (!at)
            fail_msg("no \"%s\" in the input", from);
        rg_buf b = {0};
        rg_buf_append(&b, text, (size_t)(at - text));
        rg_buf_puts(&b, to);
        rg_buf_puts(&b, at + strlen(from));
        free(text);
        text = rg_buf_take(&b);
    }
    va_end(ap);
    char path[64];
    model *m = load_text(ld, text, strlen(text), d, path);
    free(text);
    if (m)
        model_check(m, d);
    return m;
}

static char *first_paragraph(const model *m)
{
    rg_buf b = {0};
    model_paragraph_write(&m->sections[0].paragraphs[0], &b);
    return rg_buf_take(&b);
}

/* The prose says 增长 or 下降 by the data's sign, and 持平 on the rounded value. */
static void test_phrasing_by_sign(void **state)
{
    const char *cases[][2] = {
        {"<v ref=\"output.actual-growth\" as=\"growth\"/>", "增长24.2%"},
        {"<v ref=\"output.actual-change\" as=\"change\"/>", "增加24.2亿元"},
        {"<v ref=\"output.actual-growth\" as=\"growth\" decimals=\"0\"/>", "增长24%"},
        {"<v ref=\"output.actual\" in=\"万元\"/>", "1242000万元"},
        {"<v ref=\"output.actual-growth\" as=\"points\" words=\"加快,回落\"/>", "加快24.2个百分点"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_diags d = {0};
        model *m = load_variants(*state, &d, "<v ref=\"output.actual\"/>", cases[i][0], NULL);
        assert_non_null(m);
        char *text = first_paragraph(m);
        if (!strstr(text, cases[i][1]))
            fail_msg("%s: got %s, want %s", cases[i][0], text, cases[i][1]);
        free(text);
        model_free(m);
        rg_diags_fini(&d);
    }
    /* A fall, and a flat growth decided on the rounded value. */
    const char *falls[][3] = {{"-14.21", "", "下降14.21%"}, {"0.04", " decimals=\"1\"", "持平"}};
    for (size_t i = 0; i < 2; i++) {
        rg_diags d = {0};
        char growth[64], ref[96];
        snprintf(growth, sizeof growth, "<actual-growth>%s</actual-growth>", falls[i][0]);
        snprintf(ref, sizeof ref, "同比<v ref=\"output.actual-growth\" as=\"growth\"%s/>", falls[i][1]);
        model *m = load_variants(*state, &d, "<actual-growth>24.2</actual-growth>", growth,
                                 "<previous>100</previous>", "", "<v ref=\"output.actual\"/>", ref,
                                 NULL);
        assert_non_null(m);
        char *text = first_paragraph(m);
        char want[64];
        snprintf(want, sizeof want, "同比%s", falls[i][2]);
        if (!strstr(text, want))
            fail_msg("got %s, want %s", text, want);
        assert_int_equal(d.warnings, 0);
        free(text);
        model_free(m);
        rg_diags_fini(&d);
    }
}

/* A direction word before a figure whose sign contradicts it is a warning at
 * the reference. */
static void test_direction_word_warned(void **state)
{
    rg_diags d = {0};
    model *m = load_variants(*state, &d, "<actual-growth>24.2</actual-growth>",
                             "<actual-growth>-14.21</actual-growth>", "<previous>100</previous>", "",
                             "<p>产值<v ref=\"output.actual\"/>",
                             "<p>同比增长<v ref=\"output.actual-growth\"/>，又下降<v ref=\"output.actual-growth\"/>，"
                             "又增长<v ref=\"output.actual-growth\" as=\"growth\"/>，产值<v ref=\"output.actual\"/>",
                             NULL);
    assert_non_null(m);
    char *all = diags_text(&d);
    if (d.warnings != 3)
        fail_msg("%s", all);
    assert_non_null(strstr(all, ":18:40: warning: \"增长\" is written before output.actual-growth, which "
                                "is -14.21 (line 8): the report would say 增长-14.21%"));
    assert_non_null(strstr(all, "\"下降\" is written before output.actual-growth"));
    assert_non_null(strstr(all, "\"增长\" is written before <v ref=\"output.actual-growth\" as=\"…\">"));
    free(all);
    model_free(m);
    rg_diags_fini(&d);
}

/* Derived figures by name, in the prose; a restated one is checked at its
 * own precision. */
static void test_derived_names(void **state)
{
    rg_diags d = {0};
    model *m = load_variants(*state, &d, "<forecast>140</forecast>",
                             "<forecast>140</forecast><plan>200</plan>",
                             "<v ref=\"output.actual\"/>",
                             "<v ref=\"output.completion\"/>、<v ref=\"output.growth-needed\"/>、"
                             "<v ref=\"promotion-total.amount\"/>、<v ref=\"promotion.b.share\"/>",
                             "  <groups>",
                             "  <figures><figure id=\"stated\" name=\"完成率\" unit=\"%\" "
                             "same-as=\"output.completion\">88.71</figure>"
                             "<figure id=\"wrong\" name=\"完成率\" unit=\"%\" "
                             "same-as=\"output.completion\">88.8</figure></figures>\n  <groups>",
                             NULL);
    assert_non_null(m);
    char *text = first_paragraph(m);
    assert_string_equal(text, "产值88.7%、42.9%、3.5亿元、57.1%，甲、乙。");
    free(text);
    char *all = diags_text(&d);
    assert_int_equal(d.warnings, 1); /* 88.71 agrees with 88.714…%; 88.8 does not */
    assert_non_null(strstr(all, "完成率 is stated as 88.8% here, but output.completion computed from "
                                "the data is 88.7%"));
    free(all);
    model_free(m);
    rg_diags_fini(&d);
}

/* Units convert where figures are compared; a pair that does not is an
 * error naming both. */
static void test_units_convert(void **state)
{
    rg_diags d = {0};
    model *m = load_variants(*state, &d, "<indicator id=\"output\" name=\"工业总产值\" unit=\"亿元\">",
                             "<indicator id=\"output\" name=\"工业总产值\" unit=\"万元\">",
                             "<previous>100</previous>", "<target unit=\"亿元\">1.69</target>",
                             "<actual>124.2</actual>", "<actual>10770.3</actual>",
                             "<actual-growth>24.2</actual-growth>", "", NULL);
    assert_non_null(m);
    const model_figure *c = model_figure_find(m, "output.completion");
    assert_non_null(c);
    assert_string_equal(c->text, "63.7"); /* 10770.3 / 16900 = 63.73% */
    rg_dec v;
    assert_true(model_figure_in(model_figure_find(m, "output.target"), "万元", &v));
    assert_int_equal(v.coef, 16900);
    assert_int_equal(v.scale, 0);
    model_free(m);
    rg_diags_fini(&d);

    expect_variant_error(*state, "<previous>100</previous>", "<target unit=\"户\">2</target>", 7, 7,
                         "工业总产值: output.actual is in 亿元 but output.target (line 6) is in 户, "
                         "and the two do not convert");
    expect_variant_error(*state, "<v ref=\"output.actual\"/>", "<v ref=\"output.growth-needed\"/>",
                         18, 41, "ref=\"output.growth-needed\": no figure has that id: it is "
                                 "computed only from a <plan> and a full-year base");
    expect_variant_error(*state, "<v ref=\"output.actual\"/>", "<v ref=\"output.actual\" in=\"吨\"/>",
                         18, 61, "in=\"吨\": output.actual is in 亿元 (line 7), which does not convert to 吨");
}

/* Growth needed only from a full-year base; a part-year estimate has its period. */
static void test_periods(void **state)
{
    rg_diags d = {0};
    model *m = load_variants(*state, &d, "<forecast>140</forecast>",
                             "<estimate period=\"上半年\">70</estimate><plan>200</plan>", NULL);
    assert_non_null(m);
    const model_indicator *ind = &m->indicators[0];
    assert_string_equal(ind->estimate_period, "上半年");
    assert_string_equal(model_figure_find(m, "output.estimate")->text, "70");
    rg_dec v;
    assert_false(model_growth_needed_percent(ind, &v)); /* 1-11月 is not the year */
    assert_null(model_figure_find(m, "output.growth-needed"));
    assert_string_equal(model_plan_base_missing(ind), "无全年数");
    model_free(m);
    rg_diags_fini(&d);

    m = load_variants(*state, &d, "period=\"1-11月\"", "period=\"全年\"", "<forecast>140</forecast>",
                      "<plan>200</plan>", NULL);
    assert_non_null(m);
    assert_true(m->full_year);
    assert_true(model_growth_needed_percent(&m->indicators[0], &v)); /* 200 / 124.2 - 1 */
    assert_string_equal(model_figure_find(m, "output.growth-needed")->text, "61.0");
    model_free(m);
    rg_diags_fini(&d);
}

/* Categories that overlap are not summed against the totals; amounts in
 * another unit are converted before they are. */
static void test_promotion_breakdowns(void **state)
{
    rg_diags d = {0};
    model *m = load_variants(*state, &d, "<promotion><projects>2</projects><amount>3.5</amount>",
                             "<promotion additive=\"false\"><amount>3</amount>", NULL);
    assert_non_null(m);
    assert_int_equal(d.warnings, 0);
    assert_false(m->promotion.additive);
    model_free(m);
    rg_diags_fini(&d);

    m = load_variants(*state, &d, "<amount>1.5</amount>", "<amount unit=\"万元\">15000</amount>", NULL);
    assert_non_null(m);
    assert_int_equal(d.warnings, 0); /* 1.5 亿元 + 2 亿元 = 3.5 亿元 */
    model_free(m);
    rg_diags_fini(&d);
    m = load_variants(*state, &d, "<amount>1.5</amount>", "<amount unit=\"万元\">1500</amount>", NULL);
    assert_non_null(m);
    assert_int_equal(d.warnings, 1);
    model_free(m);
    rg_diags_fini(&d);
}

/* A name a template needs and the input lacks is told against the input,
 * at the indicator it belongs to, every one at once. */
static void test_missing_names_told_against_the_input(void **state)
{
    rg_diags d = {0};
    model *m = load_variants(*state, &d, NULL);
    assert_non_null(m);
    const char *src = "{{fig.output.plan}}{{fig.output.plan}}{{fig.tax.actual}}{{fig.area}}";
    tmpl *t = tmpl_compile("r.mustache", src, strlen(src), NULL, NULL, &d);
    assert_non_null(t);
    tval *data = model_tmpl_data(m);
    rg_buf out = {0};
    assert_int_equal(tmpl_render_collect(t, data, &out, model_tmpl_missing, m, &d), -1);
    assert_int_equal(d.errors, 3);
    char *all = diags_text(&d);
    assert_non_null(strstr(all, ":5:5: error: the template needs fig.output.plan (r.mustache:1:1), "
                                "which this input does not have: add <plan> to <indicator "
                                "id=\"output\">"));
    assert_non_null(strstr(all, "add <indicator id=\"tax\"> with <actual> under <indicators>"));
    assert_non_null(strstr(all, "add <figure id=\"area\"> under <figures>"));
    free(all);
    rg_buf_fini(&out);
    tval_free(data);
    tmpl_free(t);
    model_free(m);
    rg_diags_fini(&d);
}

static char *render_report(const tval *data)
{
    rg_diags d = {0};
    tmpl *t = tmpl_load(TEST_SOURCE_DIR "/templates", "report.mustache", NULL, &d);
    assert_non_null(t);
    rg_buf out = {0};
    assert_int_equal(tmpl_render(t, data, &out, &d), 0);
    tmpl_free(t);
    rg_diags_fini(&d);
    return rg_buf_take(&out);
}

static tval *data_at(tval *v, const char *path)
{
    for (const char *part = path; v && *part;) {
        const char *dot = strchr(part, '.');
        size_t n = dot ? (size_t)(dot - part) : strlen(part);
        v = (tval *)tval_get(v, part, n);
        part += n + (dot != NULL);
    }
    assert_non_null(v);
    return v;
}

static void test_template_data_and_headline(void **state)
{
    rg_diags d = {0};
    model *m = load_seed(*state, &d);
    tval *data = model_tmpl_data(m);
    tval *growth = data_at(data, "fig.output.actual-growth");
    assert_int_equal(growth->kind, TVAL_NUMBER);
    assert_string_equal(growth->s, "16.33");
    assert_string_equal(growth->unit, "%");
    /* "a" and "a.b" both figures: the number of "a" is a.value. */
    assert_string_equal(data_at(data, "fig.promotion.large-projects.value")->s, "6");
    assert_string_equal(data_at(data, "fig.promotion.large-projects.threshold")->s, "5");
    assert_string_equal(data_at(data, "groups.completed.count")->s, "9");
    assert_int_equal(data_at(data, "groups.completed.items")->n, 9);
    assert_int_equal(data_at(data, "title")->kind, TVAL_NULL);

    char *text = render_report(data);
    assert_true(strncmp(text, "= 工业园区2023年度工作总结和2024年工作计划\n\n", 10) == 0);
    assert_non_null(strstr(text, "超常规发展。\n1-11月，园区规上企业34户，实现工业总产值124.2亿元，"
                                 "同比增长16.33%。\n"));
    assert_non_null(strstr(text, "预计全年园区规上企业44户，实现工业总产值140亿元，同比增长21.2%。"));
    free(text);

    /* The words follow the data: a fall is written as one. */
    free(growth->s);
    growth->s = xstrdup("-3.2");
    assert_int_equal(rg_dec_parse(growth->s, &growth->dec), 0);
    text = render_report(data);
    assert_non_null(strstr(text, "实现工业总产值124.2亿元，同比下降3.2%。"));
    free(text);
    tval_free(data);
    model_free(m);
    rg_diags_fini(&d);
}

static char *dec_text(rg_dec d)
{
    rg_buf b = {0};
    rg_dec_format(d, &b);
    return rg_buf_take(&b);
}

static const model_indicator *indicator(const model *m, const char *id)
{
    for (size_t i = 0; i < m->nindicators; i++)
        if (strcmp(m->indicators[i].id, id) == 0)
            return &m->indicators[i];
    fail_msg("no indicator %s", id);
    return NULL;
}

#define assert_dec(d, want)                                                                      \
    do {                                                                                         \
        char *got_ = dec_text(d);                                                                \
        assert_string_equal(got_, want);                                                         \
        free(got_);                                                                              \
    } while (0)

/* What the report, the mail and the workbook show: exact, rounded once. */
static void test_seed_derived_figures_exact(void **state)
{
    rg_diags d = {0};
    model *m = load_seed(*state, &d);
    const model_indicator *output = indicator(m, "output"), *share = indicator(m, "leading-share");
    rg_dec v;
    assert_true(model_completion_percent(output, &v)); /* 124.2 / 140 = 88.714...% */
    assert_dec(v, "88.7");
    assert_true(model_growth_needed_percent(output, &v)); /* 200 / 140 - 1 = 42.857...% */
    assert_dec(v, "42.9");
    assert_false(model_points_needed_exact(output, &v));
    assert_false(model_growth_needed_percent(share, &v));
    assert_false(model_points_needed_exact(share, &v)); /* 1-11月 is not a full-year base */
    assert_false(model_completion_percent(indicator(m, "billion-firms"), &v));
    assert_true(model_sector_share_percent(m, &m->sectors[0], &v)); /* 43.55 / 124.2 */
    assert_dec(v, "35.1");
    assert_false(model_sector_share_percent(m, &m->sectors[2], &v));
    model_free(m);
    rg_diags_fini(&d);
}

/* The minimal input with its output's actual and forecast replaced. */
static model *load_output(model_loader *ld, const char *actual, const char *forecast,
                          rg_diags *d)
{
    rg_buf b = {0};
    rg_buf_printf(&b, "<actual>%s</actual>\n"
                      "      <actual-growth>24.2</actual-growth>\n"
                      "      <forecast>%s</forecast>", actual, forecast);
    char *text = variant("<actual>124.2</actual>\n"
                         "      <actual-growth>24.2</actual-growth>\n"
                         "      <forecast>140</forecast>", b.data);
    char path[64];
    model *m = load_text(ld, text, strlen(text), d, path);
    free(text);
    rg_buf_fini(&b);
    return m;
}

static void test_derived_figures_round_once(void **state)
{
    const struct {
        const char *actual, *forecast, *completion;
    } cases[] = {
        {"88.745", "100", "88.7"},   /* 88.745 once, not 88.75 and then 88.8 */
        {"88.75", "100", "88.8"},    /* a tie goes away from zero */
        {"-88.75", "100", "-88.8"},
        {"0.000000000001", "0.000000000003", "33.3"},
        {"999999999999999", "999999999999998", "100.0"},
        {"999999999999999", "0.000000000001", NULL}, /* more than 15 digits: not given */
        {"88183420723192", "0.01", NULL},
        {"1", "0", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_diags d = {0};
        model *m = load_output(*state, cases[i].actual, cases[i].forecast, &d);
        assert_non_null(m);
        const model_indicator *output = indicator(m, "output");
        /* Figures keep their written precision, however small or large. */
        assert_string_equal(output->slot[MODEL_ACTUAL]->text, cases[i].actual);
        rg_dec v;
        bool ok = model_completion_percent(output, &v);
        tval *data = model_tmpl_data(m);
        const tval *shown = tval_get(data_at(data, "indicators")->items[0], "completion",
                                     strlen("completion"));
        assert_non_null(shown);
        double ratio;
        assert_int_equal(model_completion(output, &ratio), ok); /* the workbook's cell too */
        if (!cases[i].completion) {
            assert_false(ok);
            assert_int_equal(shown->kind, TVAL_NULL);
        } else {
            assert_true(ok);
            assert_dec(v, cases[i].completion);
            assert_int_equal(shown->kind, TVAL_NUMBER);
            assert_string_equal(shown->s, cases[i].completion);
            assert_string_equal(shown->unit, "%");
        }
        tval_free(data);
        model_free(m);
        rg_diags_fini(&d);
    }
}

/* Excel keeps 15 significant digits: a figure with more is refused where it
 * is written, whether in an element or an attribute. */
static void test_more_than_15_digits(void **state)
{
    expect_variant_error(*state, "<actual>124.2</actual>", "<actual>1234567890123456</actual>", 7,
                         7, "<actual> of output.actual: 1234567890123456 has 16 significant "
                            "digits, more than the 15 a spreadsheet keeps; round it, or write it "
                            "in a larger unit");
    expect_variant_error(*state, "<actual>124.2</actual>",
                         "<actual>999999999999999999</actual>", 7, 7, "has 18 significant digits");
    expect_variant_error(*state, "<forecast>140</forecast>",
                         "<forecast>0.1234567890123456</forecast>", 9, 7, "has 16 significant");
    expect_variant_error(*state, "<amount>3.5</amount>\n",
                         "<amount>3.5</amount><large-projects threshold=\"12345678901234567\">1"
                         "</large-projects>\n",
                         13, 72, "12345678901234567 has 17 significant digits");
    /* Leading zeros are not significant, trailing ones are written precision. */
    rg_diags d = {0};
    model *m = load_output(*state, "0.000000000000001", "999999999999999", &d);
    assert_non_null(m);
    assert_int_equal(d.errors, 0);
    model_free(m);
    rg_diags_fini(&d);
}

/* Names printed on one line hold no line break; paragraphs keep theirs. */
static void test_names_on_one_line(void **state)
{
    rg_diags d = {0};
    char path[64];
    char *text = variant("<park>测试园区</park>", "<park>\n    测试\n    园区\n  </park>");
    char *text2 = NULL;
    {
        char *t = text;
        const char *at = strstr(t, "<section title=\"一\">");
        rg_buf b = {0};
        rg_buf_append(&b, t, (size_t)(at - t));
        rg_buf_puts(&b, "<section title=\"一&#10;二&#13;&#10;  三\tfour  five\">");
        rg_buf_puts(&b, at + strlen("<section title=\"一\">"));
        text2 = rg_buf_take(&b);
    }
    char *text3 = NULL;
    {
        const char *at = strstr(text2, "<item>甲</item>");
        rg_buf b = {0};
        rg_buf_append(&b, text2, (size_t)(at - text2));
        rg_buf_puts(&b, "<item>\t甲\n\t</item>");
        rg_buf_puts(&b, at + strlen("<item>甲</item>"));
        text3 = rg_buf_take(&b);
    }
    model *m = load_text(*state, text3, strlen(text3), &d, path);
    assert_non_null(m);
    assert_int_equal(d.count, 0);
    assert_string_equal(m->park, "测试 园区");
    /* &#10; is a line break too; blanks without one stay as written. */
    assert_string_equal(m->sections[0].title, "一 二 三 four  five");
    assert_string_equal(m->groups[0].items[0], "甲");
    model_free(m);
    rg_diags_fini(&d);
    free(text), free(text2), free(text3);

    expect_variant_error(*state, "<park>测试园区</park>", "<park> \n  </park>", 3, 3,
                         "<park> is blank; write its text");
    expect_variant_error(*state, "name=\"食品\"", "name=\"&#10;\"", 12, 30,
                         "name=\"\" is blank; write the text");
}

/* Control characters are refused where they are, written or referenced. */
static void test_controls_refused(void **state)
{
    expect_variant_error(*state, "<park>测试园区</park>", "<park>测试\xE2\x80\xAE园区</park>", 3, 11,
                         "U+202E is a bidirectional control: invisible, it reorders the text "
                         "shown around it (digits included); delete it");
    expect_variant_error(*state, "<park>测试园区</park>", "<park>测试&#x202e;园区</park>", 3, 11,
                         "U+202E is a bidirectional control");
    expect_variant_error(*state, "<park>测试园区</park>", "<park>测试&#8238;园区</park>", 3, 11,
                         "U+202E is a bidirectional control");
    expect_variant_error(*state, "title=\"一\"", "title=\"一&#x2066;\"", 18, 31,
                         "U+2066 is a bidirectional control");
    expect_variant_error(*state, "name=\"食品\"", "name=\"食\xE2\x80\x8F品\"", 12, 37,
                         "U+200F is a bidirectional control");
    expect_variant_error(*state, "。</p>", "\xC2\x85。</p>", 18, 88,
                         "U+0085 is a control character: invisible, it would reach the "
                         "documents, the mail and the terminal; delete it");
    expect_variant_error(*state, "。</p>", "&#133;。</p>", 18, 88, "U+0085 is a control character");
    expect_variant_error(*state, "<park>测试园区</park>", "<park>测\x7F试园区</park>", 3, 10,
                         "U+007F is a control character");
    expect_variant_error(*state, "<item>甲</item>", "<item>甲\xE2\x80\xA8</item>", 17, 63,
                         "U+2028 is a line or paragraph separator");
    /* A paragraph keeps its tabs and line breaks (and folds the breaks). */
    rg_diags d = {0};
    char path[64];
    char *text = variant("<p>产值", "<p>产\t值\n   ");
    model *m = load_text(*state, text, strlen(text), &d, path);
    assert_non_null(m);
    assert_string_equal(m->sections[0].paragraphs[0].parts[0].text, "产\t值");
    model_free(m);
    rg_diags_fini(&d);
    free(text);
}

/* Messages point at the attribute or element at fault, not at the first of
 * its name on the line. */
static void test_columns_point_at_the_offender(void **state)
{
    expect_variant_error(*state, "<list ref=\"groups.done\"/>", "<v ref=\"Output\"/>", 18, 66,
                         "Element 'v', attribute 'ref': [facet 'pattern'] The value 'Output'");
    expect_variant_error(*state, "<sector id=\"food\" name=\"食品\">",
                         "<sector id=\"food\" name=\"食品\"><firms>1</firms></sector>"
                         "<sector id=\"b\" name=\"乙\" colour=\"red\">",
                         12, 89, "<sector> takes no attribute \"colour\" (it takes id, name, role)");
    /* An attribute on a line after its element's. */
    expect_variant_error(*state, "<sector id=\"food\"",
                         "<sector id=\"food\" name=\"x\"/><sector\n     id=\"food\"", 13, 6,
                         "two sectors have the id \"food\" (also on line 12)");

    /* Each figure has its own column, however many share the line. */
    rg_diags d = {0};
    char path[64];
    char *text = variant("</category>\n    <category id=\"b\"", "</category><category id=\"b\"");
    model *m = load_text(*state, text, strlen(text), &d, path);
    assert_non_null(m);
    assert_int_equal(model_figure_find(m, "promotion.a.projects")->col, 31);
    assert_int_equal(model_figure_find(m, "promotion.a.amount")->col, 53);
    assert_int_equal(model_figure_find(m, "promotion.b.projects")->line, 14);
    assert_int_equal(model_figure_find(m, "promotion.b.projects")->col, 110);
    model_free(m);
    rg_diags_fini(&d);
    free(text);

    /* 2,000 figures on one line (a minified file): each where it is. */
    rg_buf line = {0};
    size_t at[2000];
    rg_buf_puts(&line, "  <figures>");
    for (int i = 0; i < 2000; i++) {
        at[i] = line.len;
        rg_buf_printf(&line, "<!-- <figure> --><figure id=\"f%d\" name=\"图%d\" unit=\"个\">%d</figure>",
                      i, i, i);
    }
    rg_buf_puts(&line, "</figures>\n  <groups>");
    text = variant("  <groups>", line.data);
    m = load_text(*state, text, strlen(text), &d, path);
    assert_non_null(m);
    for (int i = 0; i < 2000; i++) {
        char id[16];
        snprintf(id, sizeof id, "f%d", i);
        const model_figure *f = model_figure_find(m, id);
        assert_int_equal(f->line, 17);
        /* A column per character: each figure before it has two of three bytes (图, 个). */
        int col = (int)(at[i] + strlen("<!-- <figure> -->")) + 1 - 4 * i;
        if (f->col != col)
            fail_msg("%s at column %d, expected %d", id, f->col, col);
    }
    model_free(m);
    rg_diags_fini(&d);
    free(text);
    rg_buf_fini(&line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_loads),
        cmocka_unit_test(test_odd_numbers),
        cmocka_unit_test(test_byte_order_mark_is_read),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_template_data_and_headline),
        cmocka_unit_test(test_seed_derived_figures),
        cmocka_unit_test(test_seed_checks),
        cmocka_unit_test(test_minimal_loads_and_checks_growth),
        cmocka_unit_test(test_checks_count_and_totals),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_not_xml),
        cmocka_unit_test(test_not_well_formed),
        cmocka_unit_test(test_unknown_element),
        cmocka_unit_test(test_element_order),
        cmocka_unit_test(test_phrasing_by_sign),
        cmocka_unit_test(test_direction_word_warned),
        cmocka_unit_test(test_derived_names),
        cmocka_unit_test(test_units_convert),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_promotion_breakdowns),
        cmocka_unit_test(test_missing_names_told_against_the_input),
        cmocka_unit_test(test_type_errors_in_words),
        cmocka_unit_test(test_did_you_mean),
        cmocka_unit_test(test_missing_required_figure),
        cmocka_unit_test(test_text_where_number_belongs),
        cmocka_unit_test(test_negative_count),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_beyond_the_bmp_is_kept),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_encoding_declared_otherwise),
        cmocka_unit_test(test_doctype_with_entities),
        cmocka_unit_test(test_external_entity_never_read),
        cmocka_unit_test(test_unknown_reference),
        cmocka_unit_test(test_duplicate_id),
        cmocka_unit_test(test_plan_year),
        cmocka_unit_test(test_seed_derived_figures_exact),
        cmocka_unit_test(test_derived_figures_round_once),
        cmocka_unit_test(test_more_than_15_digits),
        cmocka_unit_test(test_names_on_one_line),
        cmocka_unit_test(test_controls_refused),
        cmocka_unit_test(test_columns_point_at_the_offender),
    };
    return cmocka_run_group_tests_name("model", tests, setup_loader, teardown_loader);
}
