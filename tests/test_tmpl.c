/* Unit tests of the template engine: each tag kind, the standalone-line
 * rule, strictness, and every error with its line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tmpl.h"

static tval *sample(void)
{
    tval *root = tval_map();
    tval_set(root, "park", tval_string("工业园区"));
    tval_set(root, "yes", tval_bool(true));
    tval_set(root, "no", tval_bool(false));
    tval_set(root, "empty", tval_list());
    tval *meta = tval_set(root, "meta", tval_map());
    tval_set(meta, "year", tval_string("2023"));
    tval *items = tval_set(root, "items", tval_list());
    const char *names[] = {"甲", "乙", "丙"};
    for (int i = 0; i < 3; i++) {
        tval *it = tval_push(items, tval_map());
        tval_set(it, "name", tval_string(names[i]));
    }
    tval *words = tval_set(root, "words", tval_list());
    tval_push(words, tval_string("a"));
    tval_push(words, tval_string("b"));
    return root;
}

/* Renders src against the sample data and compares. */
static void expect_render(const char *src, const char *want)
{
    rg_diags d = {0};
    tmpl *t = tmpl_compile("t.mustache", src, strlen(src), &d);
    assert_non_null(t);
    tval *data = sample();
    rg_buf out = {0};
    assert_int_equal(tmpl_render(t, data, &out, &d), 0);
    assert_string_equal(out.data, want);
    assert_int_equal(d.count, 0);
    rg_buf_fini(&out);
    tval_free(data);
    tmpl_free(t);
    rg_diags_fini(&d);
}

/* Compiling (or, when it compiles, rendering) must fail at line:col. */
static void expect_error(const char *src, int line, int col, const char *want)
{
    rg_diags d = {0};
    tmpl *t = tmpl_compile("t.mustache", src, strlen(src), &d);
    if (t) {
        tval *data = sample();
        rg_buf out = {0};
        assert_int_equal(tmpl_render(t, data, &out, &d), -1);
        rg_buf_fini(&out);
        tval_free(data);
        tmpl_free(t);
    }
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].file, "t.mustache");
    if (!strstr(d.items[0].msg, want) || d.items[0].line != line || d.items[0].col != col)
        fail_msg("expected %d:%d \"%s\", got %d:%d \"%s\"", line, col, want, d.items[0].line,
                 d.items[0].col, d.items[0].msg);
    rg_diags_fini(&d);
}

static void test_variables(void **state)
{
    (void)state;
    expect_render("{{park}}{{meta.year}}年", "工业园区2023年");
    expect_render("{{ park }}|{{{park}}}|{{&park}}", "工业园区|工业园区|工业园区");
    expect_render("no tags at all", "no tags at all");
    expect_render("", "");
}

static void test_sections(void **state)
{
    (void)state;
    expect_render("{{#items}}{{name}}、{{/items}}", "甲、乙、丙、");
    expect_render("{{#words}}<{{.}}>{{/words}}", "<a><b>");
    expect_render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#empty}}E{{/empty}}", "Y");
    expect_render("{{^no}}not{{/no}}{{^empty}} none{{/empty}}{{^yes}}X{{/yes}}", "not none");
    expect_render("{{#meta}}{{year}}{{park}}{{/meta}}", "2023工业园区"); /* outer names stay visible */
    expect_render("{{#items}}{{#meta}}{{name}}{{/meta}}{{/items}}", "甲乙丙");
}

static void test_comments_and_standalone_lines(void **state)
{
    (void)state;
    expect_render("a{{! a comment }}b", "ab");
    expect_render("a\n{{! whole line }}\nb\n", "a\nb\n");
    expect_render("{{#items}}\n  {{name}}\n{{/items}}\n", "  甲\n  乙\n  丙\n");
    expect_render("a\n  {{! indented }}  \r\nb", "a\nb");
    expect_render("a {{#yes}}b{{/yes}} c\n", "a b c\n"); /* not alone on its line: kept */
}

static void test_missing_name_is_an_error(void **state)
{
    (void)state;
    expect_error("第一行\n产值{{output}}亿元", 2, 3, "\"output\" is not in the data");
    expect_error("{{meta.month}}", 1, 1, "\"meta.month\" is not in the data");
    expect_error("{{#nothing}}x{{/nothing}}", 1, 1, "\"nothing\" is not in the data");
    expect_error("{{items}}", 1, 1, "is a list, not text");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("ab\n  {{#items}}{{name}}", 2, 3, "section \"items\" is never closed");
    expect_error("{{#items}}\n{{/meta}}", 2, 1, "{{/meta}} does not match the open section (opened on line 1)");
    expect_error("x\ny {{/items}}", 2, 3, "{{/items}} closes a section that was never opened");
    expect_error("園區{{park", 1, 3, "unclosed tag");
    expect_error("{{a b}}", 1, 1, "\"a b\" is not a valid name");
    expect_error("{{}}", 1, 1, "is not a valid name");
    expect_error("\xFF", 1, 1, "invalid UTF-8");
}

static void test_depth_limit(void **state)
{
    (void)state;
    rg_buf src = {0};
    for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
        rg_buf_puts(&src, "{{#yes}}");
    rg_diags d = {0};
    assert_null(tmpl_compile("t", src.data, src.len, &d));
    assert_non_null(strstr(d.items[0].msg, "nested too deeply"));
    rg_diags_fini(&d);
    rg_buf_fini(&src);
}

static void test_compiled_once_rendered_many(void **state)
{
    (void)state;
    rg_diags d = {0};
    const char *src = "{{#items}}{{name}}{{/items}}";
    tmpl *t = tmpl_compile("t", src, strlen(src), &d);
    for (int i = 0; i < 3; i++) {
        tval *data = sample();
        rg_buf out = {0};
        assert_int_equal(tmpl_render(t, data, &out, &d), 0);
        assert_string_equal(out.data, "甲乙丙");
        rg_buf_fini(&out);
        tval_free(data);
    }
    tmpl_free(t);
    rg_diags_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_comments_and_standalone_lines),
        cmocka_unit_test(test_missing_name_is_an_error),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_compiled_once_rendered_many),
    };
    return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
