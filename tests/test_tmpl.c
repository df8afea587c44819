/* Unit tests of the template engine: each tag kind, the standalone-line
 * rule, strictness, and every error with its line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"
#include "tmpl.h"

static tval *sample(void)
{
    tval *root = tval_map();
    tval_set(root, "park", tval_string("工业园区"));
    tval_set(root, "yes", tval_bool(true));
    tval_set(root, "no", tval_bool(false));
    tval_set(root, "nothing_here", tval_null());
    tval_set(root, "empty", tval_list());
    tval_set(root, "html", tval_string("<a & \"b\">"));
    tval_set(root, "asked", tval_string("加快建设？"));
    tval_set(root, "stopped", tval_string("a2。"));
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
    tval *one = tval_set(root, "one", tval_list());
    tval_push(one, tval_string("甲"));
    tval *n = tval_set(root, "n", tval_map());
    tval_set(n, "output", tval_number("124.2", "亿元"));
    tval_set(n, "growth", tval_number("16.33", "%"));
    tval_set(n, "fall", tval_number("-3.2", "%"));
    tval_set(n, "tiny", tval_number("0.004", "%"));
    tval_set(n, "yuan", tval_number("1520000000", "元"));
    tval_set(n, "bare", tval_number("2675", NULL));
    tval_set(n, "wan", tval_number("15200", "万元"));
    tval_set(n, "firms", tval_number("34", "户"));
    tval_set(n, "half", tval_number("2.675", NULL));
    tval_set(n, "neg_half", tval_number("-2.675", NULL));
    tval_set(n, "eleven", tval_number("11", NULL));
    tval_set(n, "frac", tval_number("1.5", NULL));
    tval_set(n, "text", tval_string("n/a"));
    tval_set(n, "numtext", tval_string("7.25"));
    return root;
}

/* Partials for the tests, by name. */
static char *test_partial(void *ctx, const char *name, size_t *len, char **display)
{
    (void)ctx;
    static const char *const table[][2] = {
        {"item", "<{{name}}>"},
        {"lines", "a\nb {{park}}\n"},
        {"page", "[{{$body}}default{{/body}}]"},
        {"forever", "{{>forever}}"},
        {"broken", "line one\n{{#x}}"},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(table[i][0], name) == 0) {
            *len = strlen(table[i][1]);
            rg_buf d = {0};
            rg_buf_printf(&d, "%s.mustache", name);
            *display = rg_buf_take(&d);
            return xstrdup(table[i][1]);
        }
    return NULL;
}

static const tmpl_loader partials = {.load = test_partial};

static tmpl *compile_with(const char *src, const tmpl_options *opt, rg_diags *d)
{
    return tmpl_compile("t.mustache", src, strlen(src), &partials, opt, d);
}

/* Renders src against the sample data (in the given mode) and compares. */
static void expect_render_mode(const char *src, const tmpl_options *opt, const char *want)
{
    rg_diags d = {0};
    tmpl *t = compile_with(src, opt, &d);
    if (!t)
        fail_msg("does not compile: %s", d.count ? d.items[0].msg : "?");
    tval *data = sample();
    rg_buf out = {0};
    if (tmpl_render(t, data, &out, &d) != 0)
        fail_msg("does not render: %s", d.items[0].msg);
    assert_string_equal(out.data, want);
    assert_int_equal(d.count, 0);
    rg_buf_fini(&out);
    tval_free(data);
    tmpl_free(t);
    rg_diags_fini(&d);
}

static void expect_render(const char *src, const char *want)
{
    expect_render_mode(src, NULL, want);
}

/* Compiling (or, when it compiles, rendering) must fail at line:col with a
 * message containing `want`; returns nothing, the diagnostic is checked. */
static void expect_error_in(const char *src, const char *file, int line, int col, const char *want)
{
    rg_diags d = {0};
    tmpl *t = compile_with(src, NULL, &d);
    if (t) {
        tval *data = sample();
        rg_buf out = {0};
        assert_int_equal(tmpl_render(t, data, &out, &d), -1);
        rg_buf_fini(&out);
        tval_free(data);
        tmpl_free(t);
    }
    assert_int_equal(d.errors, 1);
    if (!strstr(d.items[0].msg, want) || d.items[0].line != line || d.items[0].col != col ||
        strcmp(d.items[0].file, file) != 0)
        fail_msg("expected %s:%d:%d \"%s\", got %s:%d:%d \"%s\"", file, line, col, want,
                 d.items[0].file, d.items[0].line, d.items[0].col, d.items[0].msg);
    assert_non_null(d.items[0].excerpt); /* every template error shows its line */
    rg_diags_fini(&d);
}

static void expect_error(const char *src, int line, int col, const char *want)
{
    expect_error_in(src, "t.mustache", line, col, want);
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

static void test_numbers_print_as_written(void **state)
{
    (void)state;
    expect_render("{{n.output}}|{{n.growth}}|{{n.fall}}|{{n.wan}}", "124.2|16.33|-3.2|15200");
}

static void test_delimiters(void **state)
{
    (void)state;
    expect_render("{{=<% %>=}}<%park%>{{park}}<%={{ }}=%>{{park}}", "工业园区{{park}}工业园区");
    expect_render("a\n{{=| |=}}\n|park|\n", "a\n工业园区\n"); /* standalone: the line goes */
    expect_error("x {{=| =}}", 1, 3, "names two delimiters");
}

static void test_partials(void **state)
{
    (void)state;
    expect_render("{{#items}}{{>item}}{{/items}}", "<甲><乙><丙>");
    /* A standalone partial is indented by the blanks before it, line by line. */
    expect_render("x\n  {{>lines}}\ny", "x\n  a\n  b 工业园区\ny");
    expect_error("\n  {{>nowhere}}", 2, 3, "there is no partial \"nowhere\"");
    expect_error_in("{{>broken}}", "broken.mustache", 2, 1, "{{#x}} is never closed");
    expect_error_in("{{>forever}}", "forever.mustache", 1, 1, "partials nested more than 64 deep");
    expect_error("{{>../etc/passwd}}", 1, 4, "is not a partial name");
    tmpl_options lenient = {.lenient = true};
    expect_render_mode("[{{>nowhere}}]", &lenient, "[]");
}

static void test_inheritance(void **state)
{
    (void)state;
    expect_render("{{<page}}{{/page}}", "[default]");
    expect_render("{{<page}}{{$body}}{{park}}{{/body}}{{/page}}", "[工业园区]");
    expect_render("{{$body}}own{{/body}}", "own");
}

static void test_loop_names(void **state)
{
    (void)state;
    expect_render("{{#items}}{{@index}}{{@number}}{{name}}{{#@first}}F{{/@first}}"
                  "{{#@last}}L{{/@last}};{{/items}}",
                  "01甲F;12乙;23丙L;");
    expect_render("{{#items}}{{name}}{{^@last}}、{{/@last}}{{/items}}", "甲、乙、丙");
    expect_render("{{#items}}{{#meta}}{{@number}}{{/meta}}{{/items}}", "123");
    expect_error("a{{@first}}", 1, 2, "@first is defined only inside a section over a list");
}

static void test_escaping_and_modes(void **state)
{
    (void)state;
    expect_render("{{html}}", "<a & \"b\">"); /* the report mode never escapes */
    tmpl_options spec = {.escape = tmpl_escape_html, .lenient = true};
    expect_render_mode("{{html}}|{{{html}}}|{{&html}}", &spec,
                       "&lt;a &amp; &quot;b&quot;&gt;|<a & \"b\">|<a & \"b\">");
    expect_render_mode("[{{missing}}{{nothing_here}}{{#missing}}x{{/missing}}]", &spec, "[]");
}

static void test_number_filters(void **state)
{
    (void)state;
    expect_render("{{n.output | fixed 2}} {{n.half|fixed 2}} {{n.neg_half|fixed 2}} "
                  "{{n.tiny | fixed 2}} {{n.numtext | fixed 1}}",
                  "124.20 2.68 -2.68 0.00 7.3");
    expect_render("{{n.yuan | yi 2}} {{n.wan | yi 3}} {{n.output | yi 1}} {{n.bare | yi 2}}",
                  "15.20 1.520 124.2 0.00");
    expect_render("{{n.yuan | wan 0}} {{n.output | wan 0}} {{n.wan | wan 1}}",
                  "152000 1242000 15200.0");
    expect_render("{{n.growth | pct 1}} {{n.fall | pct 0}}", "16.3% -3%");
    expect_render("{{n.output | abs}} {{n.fall | abs}}{{n.fall|abs|unit}}", "124.2 3.2%");
    expect_render("{{n.output | yi 1 | unit}} {{n.wan | yi 2 | unit}}", "亿元 亿元");
    /* Without decimals a number keeps its written precision. */
    expect_render("{{n.yuan | yi}} {{n.wan | yi}} {{n.output | wan}} {{n.growth | pct}} "
                  "{{n.fall | growth}} {{n.growth | pp}}",
                  "15.2 1.52 1242000 16.33% 下降3.2% 提高16.33个百分点");
    expect_render("{{n.output | with_unit}} {{n.yuan | yi 1 | with_unit}} {{n.bare | with_unit}}",
                  "124.2亿元 15.2亿元 2675");
    expect_render("{{n.eleven | cn}} {{n.firms | cn}}", "十一 三十四");
}

static void test_growth_and_points(void **state)
{
    (void)state;
    expect_render("同比{{n.growth | growth 2}}，{{n.fall | growth 1}}，{{n.tiny | growth 2}}",
                  "同比增长16.33%，下降3.2%，持平");
    expect_render("{{n.tiny | growth 3}}", "增长0.004%"); /* flat is decided on the rounded value */
    expect_render("{{n.growth | pp 1}}，{{n.fall | pp 1 \"加快\" \"回落\"}}，"
                  "{{n.tiny | pp 1 \"加快\" \"回落\" \"持平\"}}",
                  "提高16.3个百分点，回落3.2个百分点，持平");
}

static void test_list_filters(void **state)
{
    (void)state;
    expect_render("{{items | map \"name\" | join}}", "甲、乙和丙");
    expect_render("{{items | map \"name\" | join \"，\"}}", "甲，乙，丙");
    expect_render("{{items | map \"name\" | join \"、\" \"及\"}}", "甲、乙及丙");
    expect_render("{{words | join}}|{{one | join}}|{{empty | join}}", "a和b|甲|");
    expect_render("{{items | count}} {{items | count | cn}}", "3 三");
}

static void test_default_and_predicates(void **state)
{
    (void)state;
    expect_render("{{missing | default \"—\"}} {{nothing_here | default \"无\"}} "
                  "{{park | default \"x\"}} {{n.missing | default 0}}",
                  "— 无 工业园区 0");
    expect_render("{{#n.growth | pos}}up{{/n.growth|pos}}{{#n.fall | neg}} down{{/n.fall | neg}}"
                  "{{^n.fall | pos}} not-up{{/n.fall | pos}}",
                  "up down not-up");
    expect_render("{{#n.tiny | zero 2}}zero{{/n.tiny | zero 2}}{{^n.tiny | zero 3}} "
                  "not at 3{{/n.tiny | zero 3}}",
                  "zero not at 3");
    expect_render("{{#n.output | gt 100}}>100{{/n.output | gt 100}}"
                  "{{#n.output | lt 100}}<100{{/n.output | lt 100}}",
                  ">100");
}

/* exists: a section on a name that may be missing writes a clause only for
 * data that is there; the name is not an error then. */
static void test_exists(void **state)
{
    (void)state;
    expect_render("{{#park | exists}}有{{/park | exists}}{{#missing | exists}}无{{/missing | exists}}"
                  "{{^n.missing | exists}}缺{{/n.missing | exists}}{{#empty | exists}}空{{/empty | exists}}"
                  "{{#nothing_here | exists}}没有{{/nothing_here | exists}}",
                  "有缺");
    expect_render("{{missing | exists}} {{park | exists}}", "false true");
}

/* stop: a run-in heading ends in one full stop, never 。。 or ？。 */
static void test_stop(void **state)
{
    (void)state;
    expect_render("{{park | stop}}|{{asked | stop}}|{{stopped | stop}}", "工业园区。|加快建设？|a2。");
}

static bool collect_missing(void *ud, const char *name, const char *where, rg_diags *diags)
{
    (void)diags;
    rg_buf_printf(ud, "%s@%s;", name, where);
    return strcmp(name, "d") != 0; /* d is left to the template's own error */
}

/* tmpl_render_collect: every missing name told once, in order, and the
 * render fails at the end. */
static void test_missing_names_collected(void **state)
{
    (void)state;
    rg_diags d = {0};
    const char *src = "{{a.b}}{{park}}{{#c}}x{{/c}}\n{{a.b}}{{^d}}y{{/d}}";
    tmpl *t = tmpl_compile("t.mustache", src, strlen(src), NULL, NULL, &d);
    assert_non_null(t);
    tval *data = sample();
    rg_buf out = {0}, told = {0};
    assert_int_equal(tmpl_render_collect(t, data, &out, collect_missing, &told, &d), -1);
    assert_string_equal(told.data, "a.b@t.mustache:1:1;c@t.mustache:1:16;d@t.mustache:2:8;");
    assert_string_equal(out.data, "工业园区\ny");
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].file, "t.mustache");
    assert_int_equal(d.items[0].line, 2);
    assert_int_equal(d.items[0].col, 8);
    rg_buf_fini(&out), rg_buf_fini(&told);
    tval_free(data);
    tmpl_free(t);
    rg_diags_fini(&d);
}

static void test_missing_name_is_an_error(void **state)
{
    (void)state;
    expect_error("第一行\n产值{{output}}亿元", 2, 3, "\"output\" is not in the data");
    expect_error("{{meta.month}}", 1, 1, "\"meta.month\" is not in the data");
    expect_error("{{#nothing}}x{{/nothing}}", 1, 1, "\"nothing\" is not in the data");
    expect_error("{{items}}", 1, 1, "is a list: write it with a section");
    expect_error("{{meta}}", 1, 1, "is a group of values, not text");
    expect_error("x{{nothing_here}}", 1, 2, "\"nothing_here\" is empty here");
}

static void test_filter_errors(void **state)
{
    (void)state;
    expect_error("产值{{ n.output | yl 1 }}", 1, 17, "unknown filter 'yl'; did you mean 'yi'?");
    expect_error("{{n.output | frobnicate}}", 1, 14, "unknown filter 'frobnicate'");
    expect_error("{{n.output | fixed}}", 1, 14, "filter 'fixed' takes 1 argument, not 0");
    expect_error("{{n.output | yi 1 2}}", 1, 14, "filter 'yi' takes 0 to 1 arguments, not 2");
    expect_error("{{n.output | growth 1 \"a\" \"b\" \"c\" \"d\"}}", 1, 14,
                 "takes 0 to 4 arguments, not 5");
    expect_error("{{n.output | yi 12}}", 1, 14, "a number of decimals, 0 to 9");
    expect_error("{{n.output | yi \"1\"}}", 1, 14, "a number of decimals");
    expect_error("{{n.output | gt \"1\"}}", 1, 14, "is a number, not \"1\"");
    expect_error("{{items | map name}}", 1, 15, "\"name\" is not an argument");
    expect_error("{{items | join \"、}}", 1, 16, "without its closing \"");
    expect_error("{{n.output |}}", 1, 13, "a filter name is missing");
    expect_error("{{n.output yi}}", 1, 12, "filters are written | name");
    /* Errors found while rendering: the data does not fit the filter. */
    expect_error("\n  {{items | yi 1}}", 2, 13, "filter 'yi' needs a number, got a list (items)");
    expect_error("{{n.firms | yi 1}}", 1, 13, "needs an amount in 元, 万元 or 亿元, got one in 户");
    expect_error("{{n.text | pct 1}}", 1, 12, "needs a number, got \"n/a\"");
    expect_error("{{n.frac | cn}}", 1, 12, "needs a whole number");
    expect_error("{{park | join}}", 1, 10, "needs a list, got text");
    expect_error("{{words | map \"name\"}}", 1, 11, "found no \"name\" in item 1");
    expect_error("{{meta | join}}", 1, 10, "needs a list");
    expect_error("{{park | unit}}", 1, 10, "needs a number with a unit");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("ab\n  {{#items}}{{name}}", 2, 3,
                 "{{#items}} is never closed: add {{/items}} where it ends");
    expect_error("{{#items}}\n{{/meta}}", 2, 1,
                 "{{/meta}} does not match {{#items}}, opened at 1:1");
    expect_error("x\ny {{/items}}", 2, 3, "{{/items}} closes a section that was never opened");
    expect_error("{{#n.growth | pos}}x{{/n.growth}}", 1, 21, "does not match");
    expect_error("園區{{park", 1, 3, "never closed with }}");
    expect_error("{{a b}}", 1, 5, "filters are written | name");
    expect_error("{{}}", 1, 1, "an empty tag");
    expect_error("{{a..b}}", 1, 3, "is not a name");
    expect_error("ok\n\xFF", 2, 1, "invalid UTF-8");
}

static void test_error_excerpt(void **state)
{
    (void)state;
    rg_diags d = {0};
    const char *src = "第一行\n产值{{ n.output | yl 1 }}亿元\n";
    assert_null(compile_with(src, NULL, &d));
    rg_buf out = {0};
    rg_diag_format(&d.items[0], &out);
    /* The caret sits under the column: 产值 is four terminal columns wide. */
    assert_string_equal(out.data,
                        "t.mustache:2:17: error: unknown filter 'yl'; did you mean 'yi'?\n"
                        " 2 | 产值{{ n.output | yl 1 }}亿元\n"
                        "   |                   ^\n");
    rg_buf_fini(&out);
    rg_diags_fini(&d);
}

static void test_depth_limit(void **state)
{
    (void)state;
    rg_buf src = {0};
    for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
        rg_buf_puts(&src, "{{#yes}}");
    rg_diags d = {0};
    assert_null(tmpl_compile("t", src.data, src.len, NULL, NULL, &d));
    assert_non_null(strstr(d.items[0].msg, "nested more than 64 deep"));
    rg_diags_fini(&d);
    rg_buf_fini(&src);
}


/* An escape that shows where it was applied. */
static void bracket(const char *s, size_t n, rg_buf *out)
{
    rg_buf_putc(out, '[');
    rg_buf_append(out, s, n);
    rg_buf_putc(out, ']');
}

static void test_escape_hook(void **state)
{
    (void)state;
    tmpl_options opt = {.escape = bracket};
    /* {{x}} and a filter's result go through it; {{{x}}}, {{& x}} and the
     * template's own text never do. */
    expect_render_mode("# {{park}}|{{{park}}}|{{& park}}|{{n.output | fixed 2}}|{{#items}}{{name}}{{/items}}",
                       &opt, "# [工业园区]|工业园区|工业园区|[124.20]|[甲][乙][丙]");
    tmpl_options doc_form = {.escape = doc_escape};
    tval *data = tval_map();
    tval_set(data, "x", tval_string("#page\n| a |"));
    rg_diags d = {0};
    tmpl *t = compile_with("#1 {{x}}\n{{x}}\n| {{x}} |\n", &doc_form, &d);
    rg_buf out = {0};
    assert_int_equal(tmpl_render(t, data, &out, &d), 0);
    assert_string_equal(out.data, "#1 \\#page \\| a \\|\n\\#page \\| a \\|\n| \\#page \\| a \\| |\n");
    rg_buf_fini(&out);
    tmpl_free(t);
    tval_free(data);
    rg_diags_fini(&d);
}

/* {s: text_len bytes, l: a list of n empty maps}: a section over l inside
 * another finds l in the outer context, so nesting multiplies. */
static tval *repeated(size_t n, size_t text_len)
{
    tval *root = tval_map();
    char *s = xcalloc(1, text_len + 1);
    memset(s, 'x', text_len);
    tval_set(root, "s", tval_string_take(s));
    tval *l = tval_set(root, "l", tval_list());
    for (size_t i = 0; i < n; i++)
        tval_push(l, tval_map());
    return root;
}

static void expect_bounded(const char *src, tval *data, int col)
{
    rg_diags d = {0};
    tmpl *t = compile_with(src, NULL, &d);
    rg_buf out = {0};
    assert_int_equal(tmpl_render(t, data, &out, &d), -1);
    assert_true(out.len <= TMPL_MAX_OUTPUT + 1000);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].line, 1);
    assert_int_equal(d.items[0].col, col);
    assert_non_null(strstr(d.items[0].msg, "the template's output passes 20 MB, or its tags are "
                                           "rendered more than 16 million times, here"));
    rg_buf_fini(&out);
    tmpl_free(t);
    tval_free(data);
    rg_diags_fini(&d);
}

static void test_output_bounded(void **state)
{
    (void)state;
    /* 64^3 x 1000 bytes would be 262 MB: it stops at the tag that passes 20 MB. */
    expect_bounded("{{#l}}{{#l}}{{#l}}{{s}}{{/l}}{{/l}}{{/l}}", repeated(64, 1000), 19);
    /* 300^4 empty iterations write nothing: the walk's steps bound them. */
    expect_bounded("{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}", repeated(300, 1), 19);
}

static void test_compiled_once_rendered_many(void **state)
{
    (void)state;
    rg_diags d = {0};
    const char *src = "{{#items}}{{name}}{{/items}}";
    tmpl *t = tmpl_compile("t", src, strlen(src), NULL, NULL, &d);
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
        cmocka_unit_test(test_numbers_print_as_written),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_inheritance),
        cmocka_unit_test(test_loop_names),
        cmocka_unit_test(test_escaping_and_modes),
        cmocka_unit_test(test_number_filters),
        cmocka_unit_test(test_growth_and_points),
        cmocka_unit_test(test_list_filters),
        cmocka_unit_test(test_default_and_predicates),
        cmocka_unit_test(test_exists),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_missing_names_collected),
        cmocka_unit_test(test_missing_name_is_an_error),
        cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_error_excerpt),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_compiled_once_rendered_many),
        cmocka_unit_test(test_escape_hook),
        cmocka_unit_test(test_output_bounded),
    };
    return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
