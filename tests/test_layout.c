/* Unit tests of the layout with fake metrics: every CJK character is 1 em,
 * every ASCII character 1/2 em. A 10-em measure and 5 lines per page make
 * the cases small enough to reason about by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"

#define EM 16.0

static double fake_advance(void *ud, int font, uint32_t cp)
{
    (void)ud, (void)font;
    return cp < 0x80 ? 500 : 1000;
}

static void small_style(layout_style *st)
{
    layout_style_gbt9704(st);
    st->margin_left = 50;
    st->margin_top = 60;
    st->block_w = 10 * EM;
    st->line_pitch = 20;
    st->block_h = 4 * 20 + EM; /* 5 lines */
    st->pitch = 0; /* characters at their own width unless a test sets a grid */
}

typedef struct text_line {
    int page;
    double y, x0, x1; /* x1: right edge of the last item */
    char text[512];
} text_line;

typedef struct laid {
    text_line lines[64];
    int n;
    int npages;
} laid;

static double width_of(const char *s)
{
    double w = 0;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;)
        w += fake_advance(NULL, 0, rg_utf8_next(s, n, &i)) * EM / 1000;
    return w;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Lays out the document form `src` in style st and collects its lines in
 * order. */
static void lay_in(const char *src, const layout_style *st, laid *out)
{
    rg_diags d = {0};
    doc *document = doc_parse("t", src, strlen(src), &d);
    assert_non_null(document);
    layout_metrics mx = {.advance = fake_advance};
    layout_result *r = layout_run(document, st, &mx);
    memset(out, 0, sizeof *out);
    out->npages = r->npages;
    for (size_t i = 0; i < r->nitems; i++) {
        const layout_item *it = &r->items[i];
        if (!it->text)
            continue; /* a table's rule */
        text_line *ln = out->n ? &out->lines[out->n - 1] : NULL;
        if (!ln || ln->page != it->page || ln->y != it->y) {
            assert_true(out->n < 64);
            ln = &out->lines[out->n++];
            ln->page = it->page;
            ln->y = it->y;
            ln->x0 = it->x;
        }
        /* Items run left to right; a mark's blank half may lie under the next. */
        assert_true(it->x >= ln->x1 - EM / 2 - 0.001);
        strcat(ln->text, it->text);
        ln->x1 = it->x + width_of(it->text) * it->size / EM +
                 it->spacing * (double)(chars(it->text) - 1);
    }
    layout_free(r);
    doc_free(document);
    rg_diags_fini(&d);
}

static void lay(const char *src, laid *out)
{
    layout_style st;
    small_style(&st);
    lay_in(src, &st, out);
}

static const char *const no_start[] = {"，", "。", "、", "；", "：", "？", "！", "）", "》", "”", "%"};
static const char *const no_end[] = {"（", "《", "“"};

static bool starts_with(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *p)
{
    size_t n = strlen(s), k = strlen(p);
    return n >= k && strcmp(s + n - k, p) == 0;
}

/* The rules every paragraph's lines must keep. */
static void check_rules(const laid *l, const char *const *whole, size_t nwhole)
{
    double right = 50 + 10 * EM;
    for (int i = 0; i < l->n; i++) {
        const text_line *ln = &l->lines[i];
        for (size_t k = 0; k < sizeof no_start / sizeof *no_start; k++)
            if (starts_with(ln->text, no_start[k]))
                fail_msg("line %d starts with %s: %s", i, no_start[k], ln->text);
        for (size_t k = 0; k < sizeof no_end / sizeof *no_end; k++)
            if (ends_with(ln->text, no_end[k]))
                fail_msg("line %d ends with %s: %s", i, no_end[k], ln->text);
        /* Never past the edge, except the blank half of a line-end mark. */
        assert_true(ln->x1 <= right + EM / 2 + 0.01);
    }
    /* The unbreakable pieces appear whole on some line. */
    for (size_t k = 0; k < nwhole; k++) {
        bool found = false;
        for (int i = 0; i < l->n && !found; i++)
            found = strstr(l->lines[i].text, whole[k]) != NULL;
        if (!found)
            fail_msg("\"%s\" was split", whole[k]);
    }
}

static void test_fill_indent_and_justify(void **state)
{
    (void)state;
    laid l;
    lay("一二三四五六七八九十一二三四五六七八九十一二三四五\n", &l);
    assert_int_equal(l.n, 3);
    assert_int_equal(chars(l.lines[0].text), 8); /* two-character indent */
    assert_int_equal(chars(l.lines[1].text), 10);
    assert_int_equal(chars(l.lines[2].text), 7);
    assert_true(l.lines[0].x0 == 50 + 2 * EM);
    assert_true(l.lines[1].x0 == 50); /* continuation lines flush left */
    assert_true(l.lines[1].y - l.lines[0].y == 20);
}

static void test_justified_to_both_edges(void **state)
{
    (void)state;
    laid l;
    /* Half-width digits leave slack that justification must spread. */
    lay("园区2023年实现工业总产值124.2亿元同比增长16.33%实缴税收1.52亿元完成基础设施投资。\n", &l);
    assert_true(l.n >= 3);
    for (int i = 0; i < l.n - 1; i++)
        assert_true(l.lines[i].x1 >= 50 + 10 * EM - 0.01 && l.lines[i].x1 <= 50 + 10 * EM + EM / 2 + 0.01);
    /* The last line keeps natural spacing. */
    assert_true(l.lines[l.n - 1].x1 - l.lines[l.n - 1].x0 ==
                width_of(l.lines[l.n - 1].text));
    const char *whole[] = {"2023", "124.2亿元", "16.33%", "1.52亿元"};
    check_rules(&l, whole, 4);
}

static void test_no_closing_mark_starts_a_line(void **state)
{
    (void)state;
    laid l;
    /* The 9th character is a comma: a naive breaker puts it at line 2's start. */
    lay("一二三四五六七八，九十一二三四五六七八九。\n", &l);
    assert_false(starts_with(l.lines[1].text, "，"));
    assert_true(ends_with(l.lines[0].text, "七") || ends_with(l.lines[0].text, "，"));
    check_rules(&l, NULL, 0);
}

static void test_push_in_half_width_mark(void **state)
{
    (void)state;
    laid l;
    /* 0.5 + 6 + 2 = 8.5 em on an 8-em first line: the 。 goes in at half width. */
    lay("1一二三四五六七。八九\n", &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.lines[0].text, "1一二三四五六七。");
    assert_string_equal(l.lines[1].text, "八九");
}

static void test_opening_marks_and_dashes(void **state)
{
    (void)state;
    const char *texts[] = {
        "一二三四五六七《关于提升园区基础承载力的实施意见》。",
        "一二三四五六“园区提质”“企业满园”行动，按照县委“1355”发展战略。",
        "园区——全市工业的主阵地，等等……还有（括号里的话）和更多的文字。",
        "一二三四五六七八九十“一二三四五六七八九十（一二三四五六七八九十）”。",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char src[512];
        snprintf(src, sizeof src, "%s\n", texts[i]);
        laid l;
        lay(src, &l);
        const char *whole[] = {"——", "……", "1355"};
        check_rules(&l, i == 2 ? whole : i == 1 ? whole + 2 : NULL, i == 2 ? 2 : i == 1 ? 1 : 0);
    }
}

static void test_every_break_position(void **state)
{
    (void)state;
    /* Slide a number and marks across every position of the line. */
    for (int shift = 0; shift < 12; shift++) {
        char src[512] = "";
        for (int i = 0; i < shift; i++)
            strcat(src, "园");
        strcat(src, "产值124.2亿元，增长16.33%（预计）。“提质”——园区……");
        strcat(src, "\n");
        laid l;
        lay(src, &l);
        const char *whole[] = {"124.2亿元", "16.33%", "——", "……"};
        check_rules(&l, whole, 4);
    }
}

static void test_no_one_character_last_line(void **state)
{
    (void)state;
    laid l;
    lay("一二三四五六七八九十一二三四五六七八九\n", &l); /* 8 + 10 + 1 */
    assert_int_equal(l.n, 3);
    assert_int_equal(chars(l.lines[1].text), 9);
    assert_int_equal(chars(l.lines[2].text), 2);
}

static void test_no_lone_last_line_atop_a_page(void **state)
{
    (void)state;
    laid l;
    char src[512] = "";
    for (int i = 0; i < 8 + 10 * 4 + 5; i++) /* 6 lines; 5 fit on a page */
        strcat(src, "园");
    strcat(src, "\n");
    lay(src, &l);
    assert_int_equal(l.n, 6);
    assert_int_equal(l.npages, 2);
    int on_second = 0;
    for (int i = 0; i < l.n; i++)
        on_second += l.lines[i].page == 1;
    assert_int_equal(on_second, 2);
    assert_true(l.lines[4].y == l.lines[5].y - 20); /* moved together, to the top */
    assert_true(l.lines[4].page == 1 && l.lines[4].y == 60 + EM);
}

static void test_heading_stays_with_text(void **state)
{
    (void)state;
    laid l;
    char src[512] = "";
    for (int i = 0; i < 8 + 10 * 3; i++) /* 4 lines */
        strcat(src, "园");
    strcat(src, "\n\n#1 标题\n\n一二三四五六七八九十一二三四五六\n");
    lay(src, &l);
    assert_int_equal(l.n, 7);
    assert_string_equal(l.lines[4].text, "一、标题");
    assert_int_equal(l.lines[4].page, 1); /* would have been the last line of page 1 */
    assert_int_equal(l.lines[3].page, 0);
}

static void test_title_centred_and_balanced(void **state)
{
    (void)state;
    laid l;
    lay("= 工业园区2023年度工作总结\n\n正文\n", &l);
    /* Title style is 22 pt: 10 CJK + 4 digits = 12 em of 22 pt, more than the 160-pt measure. */
    assert_true(l.n == 3);
    double left = l.lines[0].x0 - 50, right = 50 + 10 * EM - l.lines[0].x1;
    assert_true(left - right < 0.01 && right - left < 0.01);
    /* Balanced, not a long line and a stub: widths within two title ems
     * (2023年 is one piece, so the lines are 7 and 5 ems wide). */
    double w0 = l.lines[0].x1 - l.lines[0].x0, w1 = l.lines[1].x1 - l.lines[1].x0;
    assert_true(fabs(w0 - w1) <= 2 * 22 + 0.01);
    assert_string_equal(l.lines[0].text, "工业园区2023年");
    assert_true(l.lines[2].y - l.lines[1].y == 40); /* a blank line after the title */
}

static layout_result *lay_result(const char *src, layout_style *st)
{
    rg_diags d = {0};
    doc *document = doc_parse("t", src, strlen(src), &d);
    assert_non_null(document);
    small_style(st);
    layout_metrics mx = {.advance = fake_advance};
    layout_result *r = layout_run(document, st, &mx);
    doc_free(document);
    rg_diags_fini(&d);
    return r;
}

static const layout_item *find_item(const layout_result *r, const char *text, int page)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].text && strcmp(r->items[i].text, text) == 0 && r->items[i].page == page)
            return &r->items[i];
    return NULL;
}

static void test_grid_of_28(void **state)
{
    (void)state;
    /* GB/T 9704's style: 16 pt characters 156 mm / 28 apart, 28 a line. */
    layout_style st;
    layout_style_gbt9704(&st);
    char src[1024] = "";
    for (int i = 0; i < 26 + 28 + 10; i++)
        strcat(src, "园");
    strcat(src, "\n");
    laid l;
    lay_in(src, &st, &l);
    assert_int_equal(l.n, 3);
    assert_int_equal(chars(l.lines[0].text), 26); /* after a two-character indent */
    assert_int_equal(chars(l.lines[1].text), 28);
    assert_int_equal(chars(l.lines[2].text), 10);
    double pitch = 156 * 72 / 25.4 / 28;
    assert_true(fabs(st.pitch - pitch) < 1e-9);
    assert_true(fabs(l.lines[0].x0 - (st.margin_left + 2 * pitch)) < 0.001);
    /* Drawn 16 pt wide, each 15.79 pt after the last: the line ends one
     * glyph's overhang (0.21 pt) past the block, as in Word and WPS. */
    assert_true(fabs(l.lines[1].x1 - (st.margin_left + st.block_w + EM - pitch)) < 0.001);
}

/* The widest stretch of a line's gaps, in em, from its items' places. */
static double worst_stretch(const layout_result *r, double y, int page)
{
    double prev_end = -1, worst = 0;
    for (size_t i = 0; i < r->nitems; i++) {
        const layout_item *it = &r->items[i];
        if (!it->text || it->y != y || it->page != page)
            continue;
        if (it->spacing / EM > worst)
            worst = it->spacing / EM;
        if (prev_end >= 0 && (it->x - prev_end) / EM > worst)
            worst = (it->x - prev_end) / EM;
        prev_end = it->x + width_of(it->text) * it->size / EM +
                   it->spacing * (double)chars(it->text);
    }
    return worst;
}

static void test_figure_spreads_over_earlier_lines(void **state)
{
    (void)state;
    /* 15 characters, then a figure of 6.5 em that fits no line's end: a
     * greedy breaker fills line 1 (8) and leaves line 2 with 7 characters
     * and 3 em over 6 gaps (0.5 em each). Chosen together, the lines share
     * the slack. */
    const char *src = "一二三四五六七八九十一二三四五123456.78亿元增长一二三四五六\n";
    layout_style st;
    layout_result *r = lay_result(src, &st);
    laid l;
    lay(src, &l);
    assert_true(l.n >= 3);
    double worst = 0;
    for (int i = 0; i + 1 < l.n; i++) {
        double w = worst_stretch(r, l.lines[i].y, l.lines[i].page);
        worst = w > worst ? w : worst;
        /* every line but the last reaches the right edge */
        assert_true(fabs(l.lines[i].x1 - (50 + 10 * EM)) < 0.01);
    }
    assert_true(worst < 0.3);
    const char *whole[] = {"123456.78亿元"};
    check_rules(&l, whole, 1);
    layout_free(r);
}

static void test_marks_compressed_before_stretching(void **state)
{
    (void)state;
    laid l;
    /* Line 2 holds 8 characters and 九）。 (11 em in 10): the line-end 。
     * gives its blank half, ）its own before 。, and nothing is pushed out
     * and stretched. */
    lay("一二三四五六七八一二三四五六七八九）。十一二\n", &l);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.lines[1].text, "一二三四五六七八九）。");
    assert_true(fabs(l.lines[1].x1 - (50 + 10 * EM + EM / 2)) < 0.01);
    layout_style st;
    layout_result *r = lay_result("一二三四五六七八一二三四五六七八九）。十一二\n", &st);
    /* ） at 9 em from the line's start, 。 half an em after it: 2 em in 1.5. */
    const layout_item *stop = find_item(r, "。", 0);
    assert_non_null(stop);
    assert_true(fabs(stop->x - (50 + 9.5 * EM)) < 0.001);
    assert_true(fabs(worst_stretch(r, stop->y, 0)) < 0.001);
    layout_free(r);
    /* A line-start opening mark gives its blank half: 10.5 em in 10. */
    lay("一二三四五六七八（一二三四五六七八九）十一\n", &l);
    assert_string_equal(l.lines[1].text, "（一二三四五六七八九）");
    assert_true(l.lines[1].x0 < 50 - EM / 2 + 0.01);
}

static void test_no_orphan_at_a_page_foot(void **state)
{
    (void)state;
    laid l;
    char src[1024] = "";
    /* Paragraph A: 4 lines; B: 3 lines. B's first line would be alone at the
     * foot of page 1 (5 lines a page): B starts page 2. */
    for (int i = 0; i < 8 + 10 * 2 + 5; i++)
        strcat(src, "园");
    strcat(src, "\n\n");
    for (int i = 0; i < 8 + 10 + 5; i++)
        strcat(src, "区");
    strcat(src, "\n");
    lay(src, &l);
    assert_int_equal(l.n, 7);
    assert_int_equal(l.lines[3].page, 0);
    assert_int_equal(l.lines[4].page, 1); /* page 1 ends a line short */
    assert_true(l.lines[4].y == 60 + EM);
    /* A: 2 lines; B: 4 lines from slot 2: two on each page, not three and a
     * lone last line. */
    src[0] = '\0';
    for (int i = 0; i < 8 + 5; i++)
        strcat(src, "园");
    strcat(src, "\n\n");
    for (int i = 0; i < 8 + 10 * 2 + 5; i++)
        strcat(src, "区");
    strcat(src, "\n");
    lay(src, &l);
    assert_int_equal(l.n, 6);
    assert_int_equal(l.lines[3].page, 0);
    assert_int_equal(l.lines[4].page, 1);
    assert_int_equal(l.lines[5].page, 1);
}

static void test_numbers_keep_their_measure_words(void **state)
{
    (void)state;
    laid l;
    /* 10 ems a line: 25个 and 11.3万平方米 would fall across the breaks. */
    /* The first line has 8 ems: 7 hanzi and 25 fill it exactly, so 个 would
     * start the next; 5 hanzi and 11.3万 likewise leave 平方米. */
    lay("一二三四五六七25个项目。\n\n一二三四五11.3万平方米。\n", &l);
    assert_string_equal(l.lines[0].text, "一二三四五六七");
    assert_true(starts_with(l.lines[1].text, "25个"));
    assert_string_equal(l.lines[2].text, "一二三四五");
    assert_true(starts_with(l.lines[3].text, "11.3万平方米"));
}

static void test_title_breaks_after_a_conjunction(void **state)
{
    (void)state;
    layout_style st;
    /* A block 16 title characters wide: 25 characters take two lines, and
     * the break goes after 和, not at the balanced middle inside 工作|总结. */
    rg_diags d = {0};
    const char *src = "= 工业园区二〇二三年度工作总结和二〇二四年工作计划\n";
    doc *document = doc_parse("t", src, strlen(src), &d);
    small_style(&st);
    st.block_w = 16 * 22;
    layout_metrics mx = {.advance = fake_advance};
    layout_result *r = layout_run(document, &st, &mx);
    rg_buf first = {0}, second = {0};
    double y0 = r->items[0].y;
    for (size_t i = 0; i < r->nitems; i++)
        rg_buf_puts(r->items[i].y == y0 ? &first : &second, r->items[i].text);
    assert_string_equal(first.data, "工业园区二〇二三年度工作总结和");
    assert_string_equal(second.data, "二〇二四年工作计划");
    rg_buf_fini(&first);
    rg_buf_fini(&second);
    layout_free(r);
    doc_free(document);
    rg_diags_fini(&d);
}


/* Every line of l within the block, its text joined equal to want. */
static void expect_within_and_whole(const laid *l, int from, int to, const char *want)
{
    char joined[1024] = "";
    for (int i = from; i < to; i++) {
        assert_true(l->lines[i].x0 >= 50 - 0.001);
        if (l->lines[i].x1 > 50 + 10 * EM + 0.001)
            fail_msg("line %d runs past the block: %s", i, l->lines[i].text);
        assert_true(strlen(joined) + strlen(l->lines[i].text) < sizeof joined);
        strcat(joined, l->lines[i].text);
    }
    assert_string_equal(joined, want);
}

#define URL "https://www.example.com/path/to/a/very/long/file_name-with-parts.html?x=1&y=2"
#define WORD "www.example.com/path/to/a/very/long/file_name-with-parts.html" /* one atom */

static void test_opening_mark_before_a_blank(void **state)
{
    (void)state;
    laid l;
    /* Each opening mark stays drawn, and on the line of the word after it. */
    lay("甲（ 乙[ 丙“ 丁\n", &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.lines[0].text, "甲（ 乙[ 丙“ 丁");
    lay("《 书名 》( x ) 和 [ y ]\n", &l);
    assert_int_equal(l.n, 2);
    /* A space between words is drawn only inside a run of like-spaced text. */
    assert_string_equal(l.lines[0].text, "《 书名》( x )");
    assert_string_equal(l.lines[1].text, "和 [ y ]");
}

static void test_long_words_are_cut_inside_the_block(void **state)
{
    (void)state;
    laid l;
    /* 10 em lines hold 20 ASCII characters, the first 16 after the indent;
     * cuts come after / . - _ ? & =, where the breaker chooses. */
    lay(WORD "\n", &l);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.lines[0].text, "www.example.com/");
    for (int i = 0; i + 1 < l.n; i++) {
        char end = l.lines[i].text[strlen(l.lines[i].text) - 1];
        assert_non_null(strchr("/.-_?&=", end));
    }
    expect_within_and_whole(&l, 0, l.n, WORD);
    lay(URL "\n", &l);
    expect_within_and_whole(&l, 0, l.n, URL);
    /* No place to cut: between letters, 20 a line. */
    lay("前文 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 后文\n", &l);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.lines[0].text, "前文");
    assert_string_equal(l.lines[1].text, "aaaaaaaaaaaaaaaaaaaa");
    assert_string_equal(l.lines[2].text, "aaaaaaaaaaaaaaaaaaaa");
    assert_string_equal(l.lines[3].text, "aaaaaaaaaa 后文");
    /* A heading and a title likewise. */
    lay("#1 " URL "\n", &l);
    expect_within_and_whole(&l, 0, l.n, "一、" URL);
    lay("= " URL "\n", &l);
    expect_within_and_whole(&l, 0, l.n, URL);
}

static void test_long_cells_and_captions_are_broken(void **state)
{
    (void)state;
    laid l;
    /* A column too wide even at 3/4 size is narrowed and its cells take
     * several lines of the row; the caption is broken as a title. */
    lay("#table 表" URL "\n| 名 | 地址 |\n| 甲 | " URL " |\n", &l);
    int caption_lines = 0;
    while (l.lines[caption_lines].text[0] != 0 && strstr("名地址", l.lines[caption_lines].text) == NULL)
        caption_lines++;
    expect_within_and_whole(&l, 0, caption_lines, "表" URL);
    char joined[512] = "";
    for (int i = caption_lines; i < l.n; i++) {
        if (l.lines[i].x1 > 50 + 10 * EM + 0.001)
            fail_msg("line %d runs past the block: %s", i, l.lines[i].text);
        strcat(joined, l.lines[i].text);
    }
    assert_string_equal(joined, "名地址甲" URL);
    assert_true(l.n - caption_lines > 3); /* the row took several lines */

    /* Broken between characters, a cell's line never starts with 、 or ，
     * (the character before goes down with it), and nothing is lost. */
    const char *names = "甲乙、丙丁、戊己、庚辛、壬癸、子丑、寅卯、辰巳、午未、申酉、戌亥，天地";
    char doc_text[512];
    snprintf(doc_text, sizeof doc_text, "#table 表\n| 名 | 说明 |\n| 甲 | %s%s |\n", names, names);
    lay(doc_text, &l);
    joined[0] = '\0';
    for (int i = 0; i < l.n; i++) {
        if (strncmp(l.lines[i].text, "、", strlen("、")) == 0 ||
            strncmp(l.lines[i].text, "，", strlen("，")) == 0)
            fail_msg("line %d starts with a closing mark: %s", i, l.lines[i].text);
        if (i > 0)
            strcat(joined, l.lines[i].text);
    }
    char want[512];
    snprintf(want, sizeof want, "名说明甲%s%s", names, names); /* then the header repeated */
    assert_memory_equal(joined, want, strlen(want));

    /* A chart's label takes at most a third of the block (3.33 em here):
     * a long one goes on below its bar; bars and values stay in the block. */
    layout_style st;
    layout_result *r = lay_result("#chart 图\n| 亿元 | 产值 |\n| 甲乙丙丁戊己庚辛壬癸 | 43.55 |\n"
                                  "| 子 | 10 |\n", &st);
    char label[128] = "";
    for (size_t i = 0; i < r->nitems; i++) {
        const layout_item *it = &r->items[i];
        double right = it->text ? it->x + width_of(it->text) * it->size / EM : fmax(it->x, it->x2);
        assert_true(fmin(it->x, it->text ? it->x : it->x2) >= st.margin_left - 0.001);
        assert_true(right <= st.margin_left + st.block_w + 0.001);
        if (it->text && strstr("甲乙丙丁戊己庚辛壬癸", it->text))
            strcat(label, it->text);
    }
    assert_string_equal(label, "甲乙丙丁戊己庚辛壬癸");
    /* 12 pt: four characters a line; the chart is kept on one page, the next. */
    const layout_item *first = find_item(r, "甲乙丙丁", 1), *value = find_item(r, "43.55", 1),
                      *next_row = find_item(r, "子", 1);
    assert_non_null(first);
    assert_non_null(value);
    assert_true(fabs(first->y - value->y) < 0.001); /* the label starts beside its bar */
    assert_true(next_row->y > find_item(r, "壬癸", 1)->y); /* and ends before the next */
    layout_free(r);
}

static void test_table_columns_and_rules(void **state)
{
    (void)state;
    layout_style st;
    layout_result *r = lay_result("#table 表\n| 名称 | 值 |\n| 甲 | 1.5 |\n| 乙乙 | 12.25 |\n"
                                  "| 丙 | — |\n", &st);
    const layout_item *a = find_item(r, "1.5", 0), *b = find_item(r, "12.25", 0);
    assert_non_null(a);
    assert_non_null(b);
    /* The decimal points line up: 1 and 12 end at the same x. */
    assert_true(fabs((a->x + width_of("1") * a->size / EM) - (b->x + width_of("12") * b->size / EM)) < 0.001);
    /* Text columns start at the left pad, the header is centred, rows on the grid. */
    const layout_item *jia = find_item(r, "甲", 0), *yi = find_item(r, "乙乙", 0);
    assert_true(fabs(jia->x - yi->x) < 0.001);
    assert_true(fabs(b->y - a->y - st.line_pitch) < 0.001);
    /* Each row is ruled: top, bottom, left edge and one rule after each column,
     * spanning the text block. */
    size_t rules = 0;
    double left = 1e9, right = 0;
    for (size_t i = 0; i < r->nitems; i++)
        if (!r->items[i].text) {
            rules++;
            left = fmin(left, fmin(r->items[i].x, r->items[i].x2));
            right = fmax(right, fmax(r->items[i].x, r->items[i].x2));
        }
    assert_int_equal(rules, 4 * (3 + 2));
    assert_true(fabs(left - st.margin_left) < 0.001);
    assert_true(fabs(right - (st.margin_left + st.block_w)) < 0.001);
    layout_free(r);
}

static void test_table_header_repeats(void **state)
{
    (void)state;
    layout_style st;
    /* 5 lines a page: caption, header and three rows on page 1, then the
     * header again above the rest. */
    layout_result *r = lay_result("#table 表\n| 名 | 值 |\n| 一 | 1 |\n| 二 | 2 |\n| 三 | 3 |\n"
                                  "| 四 | 4 |\n| 五 | 5 |\n", &st);
    assert_int_equal(r->npages, 2);
    const layout_item *h0 = find_item(r, "名", 0), *h1 = find_item(r, "名", 1);
    assert_non_null(h0);
    assert_non_null(h1);
    const layout_item *four = find_item(r, "四", 1);
    assert_non_null(four);
    assert_true(h1->y < four->y); /* the header heads the page */
    assert_true(fabs(h1->y - (st.margin_top + EM)) < 0.001);
    assert_non_null(find_item(r, "三", 0));
    layout_free(r);

    /* A header whose cell takes two lines is repeated whole. */
    r = lay_result("#table 表\n| 名 | 地址地址地址地址地址地址地址地址地址地址地址 |\n"
                   "| 一 | 1 |\n| 二 | 2 |\n| 三 | 3 |\n", &st);
    assert_int_equal(r->npages, 2);
    const layout_item *top = find_item(r, "地址地址地址地址地址地址地址", 1),
                      *second = find_item(r, "地址地址地址地址", 1), *three = find_item(r, "三", 1);
    assert_non_null(top);
    assert_non_null(second);
    assert_true(fabs(top->y - (st.margin_top + EM)) < 0.001);
    assert_true(fabs(second->y - top->y - st.line_pitch) < 0.001);
    assert_true(fabs(three->y - second->y - st.line_pitch) < 0.001);
    layout_free(r);
}

static void test_chart_bars(void **state)
{
    (void)state;
    layout_style st;
    layout_result *r = lay_result("#chart 图\n| 亿元 | 产值 |\n| 甲 | 40 |\n| 乙乙 | 20 |\n", &st);
    const layout_item *bars[2] = {NULL, NULL};
    size_t nbars = 0;
    for (size_t i = 0; i < r->nitems; i++)
        if (!r->items[i].text && r->items[i].fill > 0 && nbars < 2)
            bars[nbars++] = &r->items[i];
    assert_int_equal(nbars, 2);
    /* Bars start at the axis and are as long as their values. */
    assert_true(fabs(bars[0]->x - bars[1]->x) < 0.001);
    double w0 = bars[0]->x2 - bars[0]->x, w1 = bars[1]->x2 - bars[1]->x;
    assert_true(fabs(w0 - 2 * w1) < 0.001);
    assert_true(bars[0]->x2 <= st.margin_left + st.block_w);
    /* Labels end before the axis, values follow their bars, one bar a line. */
    const layout_item *jia = find_item(r, "甲", 0), *forty = find_item(r, "40", 0);
    assert_true(jia->x + width_of("甲") * jia->size / EM <= bars[0]->x);
    assert_true(forty->x >= bars[0]->x2);
    assert_true(fabs(find_item(r, "20", 0)->y - forty->y - st.line_pitch) < 0.001);
    assert_non_null(find_item(r, "亿元", 0)); /* the axis title */
    layout_free(r);

    /* Per cent is drawn against 100%: 50% fills half the plot. */
    r = lay_result("#chart\n| % | 完成率 |\n| 甲 | 50% |\n", &st);
    const layout_item *bar = NULL;
    for (size_t i = 0; i < r->nitems; i++)
        if (!r->items[i].text && r->items[i].fill > 0)
            bar = &r->items[i];
    const layout_item *value = find_item(r, "50%", 0);
    assert_non_null(bar);
    double plot_end = st.margin_left + st.block_w - (value->x - bar->x2) -
                      width_of("50%") * value->size / EM - value->size / 2;
    assert_true(fabs((bar->x2 - bar->x) * 2 - (plot_end - bar->x)) < 0.01);
    layout_free(r);
}

static void test_chart_negative_values(void **state)
{
    (void)state;
    layout_style st;
    layout_result *r =
        lay_result("#chart 图\n| 亿元 | 增减 |\n| 甲 | 40 |\n| 乙乙 | -20 |\n", &st);
    const layout_item *bars[2] = {NULL, NULL};
    size_t nbars = 0;
    for (size_t i = 0; i < r->nitems; i++)
        if (!r->items[i].text && r->items[i].fill > 0 && nbars < 2)
            bars[nbars++] = &r->items[i];
    assert_int_equal(nbars, 2);
    /* The positive bar starts at the axis, the negative one ends there, each
     * as long as its value. */
    double zero = bars[0]->x;
    assert_true(fabs(bars[1]->x2 - zero) < 0.001);
    assert_true(fabs((bars[0]->x2 - zero) - 2 * (zero - bars[1]->x)) < 0.001);
    /* -20 is left of its bar, and right of the row's label; 40 right of its. */
    const layout_item *minus = find_item(r, "-20", 0), *forty = find_item(r, "40", 0),
                      *yi = find_item(r, "乙乙", 0);
    assert_non_null(minus);
    assert_non_null(yi);
    assert_true(minus->x + width_of("-20") * minus->size / EM <= bars[1]->x + 0.001);
    assert_true(yi->x + width_of("乙乙") * yi->size / EM <= minus->x + 0.001);
    assert_true(yi->x >= st.margin_left - 0.001);
    assert_true(forty->x >= bars[0]->x2);
    assert_true(forty->x + width_of("40") * forty->size / EM <= st.margin_left + st.block_w + 0.001);
    layout_free(r);
}

static void test_chart_kept_on_one_page(void **state)
{
    (void)state;
    layout_style st;
    /* Two lines of text leave three: caption, two bars and the axis line
     * need four, so the chart and its caption move to the next page. */
    layout_result *r = lay_result("一\n\n二\n\n#chart 图\n| 亿元 | 值 |\n| 甲 | 1 |\n| 乙 | 2 |\n",
                                  &st);
    assert_int_equal(r->npages, 2);
    assert_non_null(find_item(r, "图", 1));
    assert_non_null(find_item(r, "甲", 1));
    assert_non_null(find_item(r, "乙", 1));
    layout_free(r);
    /* A chart taller than a page is split, its caption kept with its first
     * bars, never alone at a page's foot. */
    char doc_text[2048] = "一\n\n二\n\n#chart 图\n| 亿元 | 值 |\n";
    for (int i = 0; i < 12; i++)
        snprintf(doc_text + strlen(doc_text), sizeof doc_text - strlen(doc_text), "| 行%d | %d |\n",
                 i, i + 1);
    r = lay_result(doc_text, &st);
    int caption_page = -1, first_bar_page = -1;
    for (size_t i = 0; i < r->nitems; i++) {
        const char *t = r->items[i].text;
        if (t && strcmp(t, "图") == 0)
            caption_page = r->items[i].page;
        if (t && strncmp(t, "行", strlen("行")) == 0 && first_bar_page < 0)
            first_bar_page = r->items[i].page; /* the first row's label */
    }
    assert_true(caption_page >= 0);
    assert_int_equal(caption_page, first_bar_page);
    assert_true(r->npages >= 3);
    layout_free(r);
}

/* Font 0 lacks 鿏; the fallback font has everything. */
static bool fake_has(void *ud, int font, uint32_t cp)
{
    (void)ud;
    return !(font == 0 && cp == 0x9FCF);
}

static void test_fallback_font(void **state)
{
    (void)state;
    const char *src = "元素鿏的名字";
    rg_diags d = {0};
    doc *document = doc_parse("t", src, strlen(src), &d);
    layout_style st;
    small_style(&st);
    layout_metrics mx = {.advance = fake_advance, .has = fake_has};
    layout_result *r = layout_run(document, &st, &mx);
    /* The paragraph is cut into runs of one font: 元素 | 鿏 | 的名字 (atoms
     * may split it further), and only 鿏 is in the fallback font. */
    bool seen = false;
    for (size_t i = 0; i < r->nitems; i++) {
        const layout_item *it = &r->items[i];
        if (strstr(it->text, "鿏")) {
            assert_string_equal(it->text, "鿏");
            assert_int_equal(it->font, st.fallback_font);
            seen = true;
        } else {
            assert_int_equal(it->font, 0);
        }
    }
    assert_true(seen);
    layout_free(r);
    doc_free(document);
    rg_diags_fini(&d);
}

static char *read_all(const char *path, size_t *len)
{
    rg_buf b = {0};
    assert_int_equal(rg_read_file(path, RG_MAX_CONFIG_BYTES, &b), 0);
    *len = b.len;
    return rg_buf_take(&b);
}

static void test_style_files(void **state)
{
    (void)state;
    /* templates/gbt9704.style says what the built-in GB/T 9704 style is. */
    size_t len;
    char *text = read_all(TEST_SOURCE_DIR "/templates/gbt9704.style", &len);
    layout_style parsed, builtin;
    rg_diags d = {0};
    assert_int_equal(layout_style_parse("gbt9704.style", text, len, &parsed, &d), 0);
    layout_style_gbt9704(&builtin);
    assert_memory_equal(&parsed, &builtin, sizeof parsed);
    free(text);

    text = read_all(TEST_SOURCE_DIR "/templates/report-a4.style", &len);
    assert_int_equal(layout_style_parse("report-a4.style", text, len, &parsed, &d), 0);
    assert_true(fabs(parsed.margin_left - 25 * 72 / 25.4) < 1e-9);
    assert_true(fabs(parsed.role[DOC_STYLE_BODY].size - 12) < 1e-9);
    assert_true(fabs(parsed.line_pitch - (247 * 72 / 25.4 - 12) / 35) < 1e-9);
    assert_false(parsed.page_number_outside);
    assert_true(parsed.pitch == 0); /* no "characters": no grid */
    assert_int_equal(d.count, 0);
    free(text);

    /* 20 characters of 16 pt in 156 mm would stand 22 pt apart: refused. */
    const char *grid = "characters 20\n";
    assert_int_equal(layout_style_parse("s.style", grid, strlen(grid), &parsed, &d), -1);
    assert_int_equal(d.items[0].line, 1);
    assert_int_equal(d.items[0].col, 12);
    assert_non_null(strstr(d.items[0].msg, "choose a number near the block's width divided by the body size (28)"));
    rg_diags_fini(&d);
    grid = "characters 27\n";
    assert_int_equal(layout_style_parse("s.style", grid, strlen(grid), &parsed, &d), 0);
    assert_true(fabs(parsed.pitch - 156 * 72 / 25.4 / 27) < 1e-9);

    const char *bad = "page 210mm 297mm\n  margin-lef 28mm\nbody 16px\nblock 156mm\n";
    assert_int_equal(layout_style_parse("s.style", bad, strlen(bad), &parsed, &d), -1);
    assert_int_equal(d.errors, 3);
    assert_int_equal(d.items[0].line, 2);
    assert_int_equal(d.items[0].col, 3);
    assert_string_equal(d.items[0].msg, "not a style key; did you mean margin-left?");
    assert_int_equal(d.items[1].col, 6);
    assert_non_null(strstr(d.items[1].msg, "\"body\" needs a length"));
    assert_non_null(strstr(d.items[2].msg, "\"block\" takes 2 values"));
    rg_diags_fini(&d);
    bad = "lines 1\npage-number-at middle\n";
    assert_int_equal(layout_style_parse("s.style", bad, strlen(bad), &parsed, &d), -1);
    assert_int_equal(d.errors, 2);
    assert_non_null(strstr(d.items[0].msg, "2 to 200"));
    assert_non_null(strstr(d.items[1].msg, "outside"));
    rg_diags_fini(&d);
    /* Sizes that would set text outside the block, or lines on each other. */
    bad = "body 200pt\n";
    assert_int_equal(layout_style_parse("s.style", bad, strlen(bad), &parsed, &d), -1);
    assert_non_null(strstr(d.items[0].msg, "a type size of 200.0 pt does not fit the text block"));
    rg_diags_fini(&d);
    bad = "heading1 1pt\n";
    assert_int_equal(layout_style_parse("s.style", bad, strlen(bad), &parsed, &d), -1);
    assert_non_null(strstr(d.items[0].msg, "a type size of 1.0 pt"));
    rg_diags_fini(&d);
    bad = "lines 60\n";
    assert_int_equal(layout_style_parse("s.style", bad, strlen(bad), &parsed, &d), -1);
    assert_non_null(strstr(d.items[0].msg, "is larger than the distance between lines"));
    rg_diags_fini(&d);
    /* Not a style file: three errors, then it is given up; none quotes it. */
    bad = "root:x:0:0:secret\nsecret 1\nbody secret\nsecret4\nsecret5\n";
    assert_int_equal(layout_style_parse("s.style", bad, strlen(bad), &parsed, &d), -1);
    assert_int_equal(d.errors, 4);
    assert_string_equal(d.items[3].msg, "stopped reading after 3 errors: is this a style file?");
    for (size_t i = 0; i < d.count; i++)
        assert_null(strstr(d.items[i].msg, "secret"));
    rg_diags_fini(&d);
    bad = "block 300mm 225mm\n";
    assert_int_equal(layout_style_parse("s.style", bad, strlen(bad), &parsed, &d), -1);
    assert_non_null(strstr(d.items[0].msg, "does not fit on the page"));
    rg_diags_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_indent_and_justify),
        cmocka_unit_test(test_justified_to_both_edges),
        cmocka_unit_test(test_no_closing_mark_starts_a_line),
        cmocka_unit_test(test_push_in_half_width_mark),
        cmocka_unit_test(test_opening_marks_and_dashes),
        cmocka_unit_test(test_every_break_position),
        cmocka_unit_test(test_no_one_character_last_line),
        cmocka_unit_test(test_no_lone_last_line_atop_a_page),
        cmocka_unit_test(test_grid_of_28),
        cmocka_unit_test(test_figure_spreads_over_earlier_lines),
        cmocka_unit_test(test_marks_compressed_before_stretching),
        cmocka_unit_test(test_no_orphan_at_a_page_foot),
        cmocka_unit_test(test_heading_stays_with_text),
        cmocka_unit_test(test_title_centred_and_balanced),
        cmocka_unit_test(test_numbers_keep_their_measure_words),
        cmocka_unit_test(test_title_breaks_after_a_conjunction),
        cmocka_unit_test(test_opening_mark_before_a_blank),
        cmocka_unit_test(test_long_words_are_cut_inside_the_block),
        cmocka_unit_test(test_long_cells_and_captions_are_broken),
        cmocka_unit_test(test_table_columns_and_rules),
        cmocka_unit_test(test_table_header_repeats),
        cmocka_unit_test(test_chart_bars),
        cmocka_unit_test(test_fallback_font),
        cmocka_unit_test(test_style_files),
        cmocka_unit_test(test_chart_kept_on_one_page),
        cmocka_unit_test(test_chart_negative_values),
    };
    return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
