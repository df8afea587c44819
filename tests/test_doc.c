/* Unit tests of the document form: numbering from structure, run-in
 * headings, paragraph joining, escapes and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"
#include "model.h"
#include "model_tmpl.h"
#include "tmpl.h"

#define SEED TEST_SOURCE_DIR "/input/park-2023.xml"

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


/* What data may hold that the document form would otherwise read as
 * structure, or drop: every marker, at a line's start and inside. */
static const char *const hostile[] = {
    "#page",
    "= 伪标题",
    "#1 伪章节",
    "#2> 伪接排",
    "#table 伪表",
    "#chart 伪图",
    "| a | b |",
    "a | b",
    "#3号厂房已建成投产。",
    "\\",
    "\\|",
    "末尾\\",
    "\\\\#",
    "=",
    "#",
    "|",
    "\xE3\x80\x80\xE3\x80\x80缩进",
    "  前后空格  ",
    "\t",
    "行一\n#page\n行二",
    "行一\r\n= 标题\r行二\n",
    "\n#1 x",
    "（ 括号 ）",
};

/* The text the document holds for data s: line breaks become spaces. */
static char *folded(const char *s)
{
    rg_buf b = {0};
    rg_buf_append(&b, "", 0);
    for (; *s; s++) {
        if (s[0] == '\r' && s[1] == '\n')
            continue;
        rg_buf_putc(&b, *s == '\r' || *s == '\n' ? ' ' : *s);
    }
    return rg_buf_take(&b);
}

static void test_escape_exact(void **state)
{
    (void)state;
    const char *in[] = {"#page", "a|b\\c", "a#b=c", "\xE3\x80\x80x", "  x\t", "a\r\nb\rc\nd", "\n#"};
    const char *want[] = {"\\#page", "a\\|b\\\\c", "a#b=c", "\\\xE3\x80\x80x", "\\ \\ x\\\t",
                          "a b c d", "\\ #"};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        rg_buf b = {0};
        doc_escape(in[i], strlen(in[i]), &b);
        assert_string_equal(b.data, want[i]);
        rg_buf_fini(&b);
    }
}

/* Each hostile string in each place a template puts data comes back as
 * text, the same text, and the structure stays the template's. */
static void test_escaped_data_in_every_position(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        const char *h = hostile[i];
        char *want = folded(h);
        rg_buf src = {0};
        rg_buf_puts(&src, "= ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "\n\n#1 ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "\n\n#2> ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "。\n");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "\n\n#table ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "\n| 指标 | ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, " |\n|");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "|");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "\n\n#chart ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, "\n| 亿元 | ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, " |\n| ");
        doc_escape(h, strlen(h), &src);
        rg_buf_puts(&src, " | 1.5 |\n");
        for (int pass = 0; pass < 2; pass++) {
            doc *d = parse(src.data);
            assert_int_equal(d->nblocks, 5);
            assert_int_equal(d->blocks[0].kind, DOC_TITLE);
            assert_string_equal(d->blocks[0].runs[0].text, want);
            assert_int_equal(d->blocks[1].kind, DOC_HEADING);
            assert_int_equal(d->blocks[1].level, 1);
            rg_buf b = {0};
            rg_buf_printf(&b, "%s%s", pass ? "一、一、" : "一、", want);
            assert_string_equal(d->blocks[1].runs[0].text, b.data);
            rg_buf_fini(&b);
            assert_int_equal(d->blocks[2].kind, DOC_PARAGRAPH);
            assert_int_equal(d->blocks[2].nruns, 2);
            assert_int_equal(d->blocks[2].runs[0].style, DOC_STYLE_H2);
            rg_buf_printf(&b, "%s%s。", pass ? "（一）（一）" : "（一）", want);
            assert_string_equal(d->blocks[2].runs[0].text, b.data);
            rg_buf_fini(&b);
            assert_string_equal(d->blocks[2].runs[1].text, want);
            for (size_t k = 3; k < 5; k++) {
                const doc_block *t = &d->blocks[k];
                assert_int_equal(t->kind, k == 3 ? DOC_TABLE : DOC_CHART);
                assert_string_equal(t->runs[0].text, want);
                assert_int_equal(t->table.nrows, 2);
                assert_int_equal(t->table.ncols, 2);
                assert_string_equal(t->table.cells[1], want);
                assert_string_equal(t->table.cells[2], k == 3 ? want : want);
                assert_string_equal(t->table.cells[3], k == 3 ? want : "1.5");
            }
            /* --emit-doc writes it back in a form that reads the same. */
            rg_buf_fini(&src);
            doc_write(d, &src);
            doc_free(d);
        }
        rg_buf_fini(&src);
        free(want);
    }
}

static char *replace(char *old, const char *s)
{
    free(old);
    return xstrdup(s);
}

/* The blocks' kinds and heading levels: what data must never change. */
static void outline(const doc *d, rg_buf *out)
{
    for (size_t i = 0; i < d->nblocks; i++)
        rg_buf_printf(out, "%d.%d.%zu ", (int)d->blocks[i].kind, d->blocks[i].level,
                      d->blocks[i].nruns);
}

static doc *render_report(const model *m)
{
    rg_diags g = {0};
    tmpl_options opt = {.escape = doc_escape};
    tmpl *t = tmpl_load(TEST_SOURCE_DIR "/templates", "report.mustache", &opt, &g);
    assert_non_null(t);
    tval *data = model_tmpl_data(m);
    rg_buf text = {0};
    assert_int_equal(tmpl_render(t, data, &text, &g), 0);
    doc *d = doc_parse("report", text.data, text.len, &g);
    for (size_t i = 0; i < g.count; i++)
        fprintf(stderr, "%s:%d:%d: %s\n", g.items[i].file, g.items[i].line, g.items[i].col,
                g.items[i].msg);
    assert_int_equal(g.count, 0);
    assert_non_null(d);
    rg_buf_fini(&text);
    tval_free(data);
    tmpl_free(t);
    rg_diags_fini(&g);
    return d;
}

static bool has_cell(const doc_block *blk, const char *want)
{
    for (size_t k = 0; k < blk->table.nrows * blk->table.ncols; k++)
        if (strcmp(blk->table.cells[k], want) == 0)
            return true;
    return false;
}

/* The real template on the seed's model with each field made hostile: the
 * park, period, title, section titles, a paragraph, indicator names and
 * units, sector names. The outline stays the seed's; each string is there. */
static void test_report_fields_never_structure(void **state)
{
    model_loader *ld = *state;
    rg_diags g = {0};
    model *seed = model_load(ld, SEED, &g);
    assert_non_null(seed);
    doc *plain = render_report(seed);
    rg_buf want_outline = {0};
    outline(plain, &want_outline);
    doc_free(plain);
    model_free(seed);
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        const char *h = hostile[i];
        char *want = folded(h);
        model *m = model_load(ld, SEED, &g);
        m->park = replace(m->park, h);
        m->period = replace(m->period, h);
        m->title = replace(m->title, h);
        for (size_t s = 0; s < m->nsections; s++) {
            m->sections[s].title = replace(m->sections[s].title, h);
            for (size_t k = 0; k < m->sections[s].nsections; k++)
                m->sections[s].sections[k].title = replace(m->sections[s].sections[k].title, h);
        }
        model_inline *part = m->intro[0].parts;
        while (part->kind != MODEL_INLINE_TEXT)
            part++;
        part->text = replace(part->text, h);
        for (size_t k = 0; k < m->nindicators; k++) {
            m->indicators[k].name = replace(m->indicators[k].name, h);
            m->indicators[k].unit = replace(m->indicators[k].unit, h);
            free(m->indicators[k].plan_name);
            m->indicators[k].plan_name = NULL;
        }
        for (size_t k = 0; k < m->nsectors; k++)
            m->sectors[k].name = replace(m->sectors[k].name, h);
        doc *d = render_report(m);
        rg_buf got = {0};
        outline(d, &got);
        assert_string_equal(got.data, want_outline.data);
        rg_buf_fini(&got);
        assert_string_equal(d->blocks[0].runs[0].text, want);
        size_t headings = 0, tables = 0;
        bool intro_seen = false;
        for (size_t k = 0; k < d->nblocks; k++) {
            const doc_block *blk = &d->blocks[k];
            const char *text = blk->nruns ? blk->runs[0].text : "";
            if (blk->kind == DOC_HEADING || (blk->kind == DOC_PARAGRAPH && blk->nruns == 2)) {
                /* after the number: 一、 or （一） */
                const char *after = strstr(text, blk->kind == DOC_HEADING ? "、" : "）");
                assert_non_null(after);
                after += strlen(blk->kind == DOC_HEADING ? "、" : "）");
                assert_memory_equal(after, want, strlen(want));
                headings++;
            }
            if (blk->kind == DOC_PARAGRAPH && !intro_seen) {
                intro_seen = true;
                assert_non_null(strstr(text, want));
            }
            if (blk->kind == DOC_TABLE || blk->kind == DOC_CHART) {
                if (blk->kind == DOC_CHART)
                    assert_non_null(strstr(text, want)); /* the period */
                assert_true(has_cell(blk, want));
                tables++;
            }
        }
        assert_true(headings >= m->nsections);
        assert_int_equal(tables, 3);
        doc_free(d);
        model_free(m);
        free(want);
    }
    rg_buf_fini(&want_outline);
    rg_diags_fini(&g);
}

static void test_backslash_anywhere(void **state)
{
    (void)state;
    /* \X is X anywhere; escaped blanks survive trimming; a last \ stays. */
    doc *d = parse("a\\#b\\\\c\\ \n\n| \\ x\\\\| y\\|\n\n末\\\n");
    assert_string_equal(d->blocks[0].runs[0].text, "a#b\\c ");
    assert_string_equal(d->blocks[1].table.cells[0], " x\\");
    assert_string_equal(d->blocks[1].table.cells[1], "y|");
    assert_string_equal(d->blocks[2].runs[0].text, "末\\");
    doc_free(d);
}

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numerals),
        cmocka_unit_test(test_structure_and_numbering),
        cmocka_unit_test(test_paragraphs_and_run_in),
        cmocka_unit_test(test_escapes_and_indent),
        cmocka_unit_test(test_bad_marker),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_escape_exact),
        cmocka_unit_test(test_escaped_data_in_every_position),
        cmocka_unit_test(test_backslash_anywhere),
        cmocka_unit_test_setup_teardown(test_report_fields_never_structure, setup_loader,
                                        teardown_loader),
    };
    return cmocka_run_group_tests_name("doc", tests, NULL, NULL);
}
