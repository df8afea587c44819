/* Unit tests of the document form: numbering from structure, run-in
 * headings, paragraph joining, escapes and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"

static doc *parse(const char *text)
{
    rg_diags d = {0};
    doc *out = doc_parse("t", text, strlen(text), &d);
    assert_non_null(out);
    assert_int_equal(d.count, 0);
    rg_diags_fini(&d);
    return out;
}

static void test_numerals(void **state)
{
    (void)state;
    long long n[] = {0, 1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 110, 1001, 1010, 10000,
                     10010, 100000, 10000001, 123456789012LL, -1};
    const char *want[] = {"零", "一", "九", "十", "十一", "十九", "二十", "二十一", "九十九",
                          "一百", "一百零一", "一百一十", "一千零一", "一千零一十", "一万",
                          "一万零一十", "十万", "一千万零一", "一千二百三十四亿五千六百七十八万九千零一十二", "-1"};
    for (size_t i = 0; i < sizeof n / sizeof *n; i++) {
        rg_buf b = {0};
        rg_cn_numeral(n[i], &b);
        assert_string_equal(b.data, want[i]);
        rg_buf_fini(&b);
    }
    const char *levels[] = {"三、", "（三）", "3.", "（3）"};
    for (int level = 1; level <= 4; level++) {
        rg_buf b = {0};
        doc_heading_number(level, 3, &b);
        assert_string_equal(b.data, levels[level - 1]);
        rg_buf_fini(&b);
    }
}

static void test_structure_and_numbering(void **state)
{
    (void)state;
    doc *d = parse("= 标题\n\n#1 甲\n\n#2 子一\n\n#2 子二\n\n#1 乙\n\n#2 子三\n#3 细目\n#page\n");
    assert_int_equal(d->nblocks, 8);
    assert_int_equal(d->blocks[0].kind, DOC_TITLE);
    assert_string_equal(d->blocks[0].runs[0].text, "标题");
    assert_string_equal(d->blocks[1].runs[0].text, "一、甲");
    assert_string_equal(d->blocks[2].runs[0].text, "（一）子一");
    assert_string_equal(d->blocks[3].runs[0].text, "（二）子二");
    assert_string_equal(d->blocks[4].runs[0].text, "二、乙");
    assert_string_equal(d->blocks[5].runs[0].text, "（一）子三"); /* restarts under 二、 */
    assert_int_equal(d->blocks[5].runs[0].style, DOC_STYLE_H2);
    assert_string_equal(d->blocks[6].runs[0].text, "1.细目");
    assert_int_equal(d->blocks[7].kind, DOC_PAGE_BREAK);
    doc_free(d);
}

static void test_paragraphs_and_run_in(void **state)
{
    (void)state;
    doc *d = parse("#1 主要工作\n\n#2> 实施行动。\n按照部署，\n  优化布局。\n\n第二段\n\n#2> 没有正文\n");
    assert_int_equal(d->nblocks, 4);
    assert_int_equal(d->blocks[1].kind, DOC_PARAGRAPH);
    assert_int_equal(d->blocks[1].nruns, 2);
    assert_int_equal(d->blocks[1].runs[0].style, DOC_STYLE_H2);
    assert_string_equal(d->blocks[1].runs[0].text, "（一）实施行动。");
    /* Lines of one paragraph join with no space. */
    assert_string_equal(d->blocks[1].runs[1].text, "按照部署，优化布局。");
    assert_int_equal(d->blocks[2].nruns, 1);
    assert_string_equal(d->blocks[2].runs[0].text, "第二段");
    /* A run-in heading with nothing after it stands alone. */
    assert_int_equal(d->blocks[3].kind, DOC_HEADING);
    assert_string_equal(d->blocks[3].runs[0].text, "（二）没有正文");
    doc_free(d);
}

static void test_escapes_and_indent(void **state)
{
    (void)state;
    doc *d = parse("\\# 不是标题\n\n\xE3\x80\x80\xE3\x80\x80缩进由排版决定\n");
    assert_string_equal(d->blocks[0].runs[0].text, "# 不是标题");
    assert_string_equal(d->blocks[1].runs[0].text, "缩进由排版决定");
    rg_buf out = {0};
    doc_write(d, &out);
    assert_string_equal(out.data, "\\# 不是标题\n\n缩进由排版决定\n\n");
    rg_buf_fini(&out);
    doc_free(d);
}

static void test_bad_marker(void **state)
{
    (void)state;
    rg_diags d = {0};
    const char *text = "= 标题\n\n  #7 太深\n";
    assert_null(doc_parse("report.mustache", text, strlen(text), &d));
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.items[0].line, 3);
    assert_int_equal(d.items[0].col, 3);
    assert_non_null(strstr(d.items[0].msg, "unknown line marker \"#7\": headings are #1 to #4"));
    rg_diags_fini(&d);
}

static void test_tables(void **state)
{
    (void)state;
    doc *d = parse("段落\n#table 表一　目标\n| 指标 | 值 |\n|甲\\|乙| 1.5|\n\n| 单 | 2 |\n");
    assert_int_equal(d->nblocks, 3);
    const doc_block *t = &d->blocks[1];
    assert_int_equal(t->kind, DOC_TABLE);
    assert_string_equal(t->runs[0].text, "表一　目标");
    assert_int_equal(t->table.nrows, 2);
    assert_int_equal(t->table.ncols, 2);
    assert_string_equal(t->table.cells[0], "指标");
    assert_string_equal(t->table.cells[2], "甲|乙"); /* \\| is a bar inside a cell */
    assert_string_equal(t->table.cells[3], "1.5");
    /* A blank line ends a table; rows after it start another, without a caption. */
    assert_int_equal(d->blocks[2].kind, DOC_TABLE);
    assert_int_equal(d->blocks[2].nruns, 0);
    rg_buf out = {0};
    doc_write(d, &out);
    assert_non_null(strstr(out.data, "#table 表一　目标\n| 指标 | 值 |\n| 甲\\|乙 | 1.5 |\n\n"));
    rg_buf_fini(&out);
    doc_free(d);

    rg_diags g = {0};
    const char *bad = "#table\n| a | b |\n  | 1 | 2 | 3 |\n";
    assert_null(doc_parse("t", bad, strlen(bad), &g));
    assert_int_equal(g.items[0].line, 3);
    assert_int_equal(g.items[0].col, 3);
    assert_non_null(strstr(g.items[0].msg, "this row has 3 cells, the header 2"));
    rg_diags_fini(&g);
    bad = "#chart 图\n| 亿元 | 产值 |\n| 甲 | 很多 |\n";
    assert_null(doc_parse("t", bad, strlen(bad), &g));
    assert_int_equal(g.items[0].line, 3);
    assert_non_null(strstr(g.items[0].msg, "\"很多\" is not a number"));
    rg_diags_fini(&g);
    bad = "| a | b |\n| 1 |\n";
    assert_null(doc_parse("t", bad, strlen(bad), &g));
    assert_non_null(strstr(g.items[0].msg, "this row has 1 cell, the header 2"));
    rg_diags_fini(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numerals),
        cmocka_unit_test(test_structure_and_numbering),
        cmocka_unit_test(test_paragraphs_and_run_in),
        cmocka_unit_test(test_escapes_and_indent),
        cmocka_unit_test(test_bad_marker),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests_name("doc", tests, NULL, NULL);
}
