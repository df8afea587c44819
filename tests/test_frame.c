/* Unit tests of the official document's frame: its lines in the document
 * form, its placement with fake metrics (every CJK character 1 em, ASCII
 * 1/2 em) on the GB/T 9704 page, and the 发文字号's check. */
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
#include "model.h"

static double fake_advance(void *ud, int font, uint32_t cp)
{
    (void)ud, (void)font;
    return cp < 0x80 ? 500 : 1000;
}

static layout_result *lay(const char *src, layout_style *st)
{
    rg_diags d = {0};
    doc *dc = doc_parse("t", src, strlen(src), &d);
    assert_non_null(dc);
    layout_style_gbt9704(st);
    layout_metrics mx = {.advance = fake_advance};
    layout_result *r = layout_run(dc, st, &mx);
    doc_free(dc);
    rg_diags_fini(&d);
    return r;
}

static const layout_item *find(const layout_result *r, const char *text)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].text && strcmp(r->items[i].text, text) == 0)
            return &r->items[i];
    return NULL;
}

static void test_markers_parse_and_data_stays_text(void **state)
{
    (void)state;
    const char *src = "#issuer 园区管委会文件\n= 标题\n#to \\#page|县政府：\n\n\\#to 正文\n";
    rg_diags d = {0};
    doc *dc = doc_parse("t", src, strlen(src), &d);
    assert_non_null(dc);
    assert_int_equal(dc->nblocks, 4);
    assert_int_equal(dc->blocks[0].kind, DOC_FRAME);
    assert_int_equal(dc->blocks[0].part, DOC_FRAME_ISSUER);
    assert_int_equal(dc->blocks[2].part, DOC_FRAME_TO);
    assert_string_equal(dc->blocks[2].runs[0].text, "#page|县政府：");
    assert_int_equal(dc->blocks[3].kind, DOC_PARAGRAPH);
    assert_string_equal(dc->blocks[3].runs[0].text, "#to 正文");
    rg_buf out = {0};
    doc_write(dc, &out);
    assert_non_null(strstr(out.data, "#to \\#page\\|县政府：\n"));
    rg_buf_fini(&out);
    doc_free(dc);
    dc = doc_parse("t", "正文\n\n  #signature\n", 21, &d);
    assert_null(dc);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].line, 3);
    assert_int_equal(d.items[0].col, 3);
    assert_non_null(strstr(d.items[0].msg, "\"#signature\" needs its text"));
    rg_diags_fini(&d);
}

static void test_head_red_centred_title_two_lines_below_rule(void **state)
{
    (void)state;
    layout_style st;
    layout_result *r = lay("#issuer 园区管理委员会文件\n#number 园管发〔2023〕12号\n= 标题\n\n正文。\n", &st);
    const layout_item *mark = find(r, "园区管理委员会文件");
    assert_non_null(mark);
    assert_int_equal(mark->rgb, st.red);
    double w = 9 * st.issuer.size;
    assert_true(fabs(mark->x - (st.margin_left + (st.block_w - w) / 2)) < 0.01);
    /* The mark's top (0.88 em over its baseline) issuer_top below the block's top. */
    assert_true(fabs(mark->y - 0.88 * st.issuer.size - st.margin_top - st.issuer_top) < 0.01);
    const layout_item *number = find(r, "园管发〔2023〕12号");
    assert_non_null(number);
    assert_int_equal(number->rgb, 0);
    double nw = 6 * 16 + 6 * 8; /* 6 CJK, 6 ASCII */
    assert_true(fabs(number->x - (st.margin_left + (st.block_w - nw) / 2)) < 0.01);
    /* Two empty lines between the mark's em box and the number's. */
    double mark_bottom = mark->y + 0.12 * st.issuer.size;
    assert_true(fabs(number->y - 0.88 * 16 - mark_bottom - 2 * st.line_pitch) < 0.01);
    const layout_item *rule = NULL;
    for (size_t i = 0; i < r->nitems; i++)
        if (!r->items[i].text)
            rule = &r->items[i];
    assert_non_null(rule);
    assert_int_equal(rule->rgb, st.red);
    assert_true(fabs(rule->width - st.red_rule_width) < 1e-9);
    assert_true(fabs(rule->y - number->y - st.red_rule_gap) < 0.01);
    assert_true(fabs(rule->x - st.margin_left) < 0.01 &&
                fabs(rule->x2 - st.margin_left - st.block_w) < 0.01);
    const layout_item *title = find(r, "标题");
    assert_non_null(title);
    /* The first grid line wholly below the rule and the next stay empty. */
    int slot = (int)lround((title->y - st.margin_top - 16) / st.line_pitch);
    double top_of = st.margin_top + (slot - 2) * st.line_pitch; /* of the first empty line */
    assert_true(top_of >= rule->y - 0.01);
    assert_true(top_of - st.line_pitch < rule->y);
    layout_free(r);
}

static void test_signer_line(void **state)
{
    (void)state;
    layout_style st;
    layout_result *r = lay("#issuer 园区管理委员会文件\n#number 园管报〔2023〕3号\n#signer 张三\n= 标题\n", &st);
    const layout_item *number = find(r, "园管报〔2023〕3号");
    const layout_item *name = find(r, "张三");
    const layout_item *label = find(r, "签发人：");
    assert_non_null(number), assert_non_null(name), assert_non_null(label);
    assert_true(fabs(number->x - st.margin_left - 16) < 0.01);
    assert_true(fabs(name->x + 32 - (st.margin_left + st.block_w - 16)) < 0.01);
    assert_true(fabs(label->x + 64 - name->x) < 0.01);
    assert_int_equal(name->font, st.role[DOC_STYLE_H2].font);
    assert_true(name->y == number->y && label->y == number->y);
    layout_free(r);
}

static void test_attachments_signature_date(void **state)
{
    (void)state;
    layout_style st;
    layout_result *r = lay("= 标题\n\n正文。\n\n#attachment 甲表\n#attachment "
                           "一个很长很长很长很长很长很长很长很长很长很长很长的附件名称\n"
                           "#signature 工业园区管理委员会\n#date 2023年12月20日\n#note （联系人：甲）\n",
                           &st);
    double right = st.margin_left + st.block_w, em = 16;
    const layout_item *label = find(r, "附件：");
    const layout_item *one = find(r, "1."), *two = find(r, "2.");
    assert_non_null(label), assert_non_null(one), assert_non_null(two);
    assert_true(fabs(label->x - st.margin_left - 2 * em) < 0.01);
    assert_true(fabs(one->x - two->x) < 0.01 && fabs(one->x - label->x - 3 * em) < 0.01);
    const layout_item *name = find(r, "甲表");
    assert_non_null(name);
    assert_true(fabs(name->x - one->x - em) < 0.01);
    /* The long name wraps under its own first character. */
    const layout_item *wrapped = NULL;
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].text && r->items[i].y > two->y + 1 && r->items[i].y < two->y + 40)
            wrapped = wrapped ? wrapped : &r->items[i];
    assert_non_null(wrapped);
    assert_true(fabs(wrapped->x - (two->x + em)) < 0.01);
    const layout_item *sig = find(r, "工业园区管理委员会"), *date = find(r, "2023年12月20日");
    assert_non_null(sig), assert_non_null(date);
    assert_true(fabs(sig->x + 9 * em - (right - 2 * em)) < 0.01);
    assert_true(fabs(date->x - sig->x - 2 * em) < 0.01);
    assert_true(fabs(date->y - sig->y - st.line_pitch) < 0.01);
    layout_free(r);
    /* A date longer than the signature: two characters in, the signature moved to match. */
    r = lay("正文。\n\n#signature 园区\n#date 2023年12月20日\n", &st);
    sig = find(r, "园区"), date = find(r, "2023年12月20日");
    double date_w = 3 * em + 8 * em / 2;
    assert_true(fabs(date->x + date_w - (right - 2 * em)) < 0.01);
    assert_true(fabs(sig->x - (date->x - 2 * em)) < 0.01);
    layout_free(r);
}

/* Body text of n characters, then the signature and date: whatever n, the
 * date's page holds a line of the body. */
static void test_date_never_alone(void **state)
{
    (void)state;
    for (int n = 400; n < 1400; n += 7) {
        rg_buf src = {0};
        rg_buf_puts(&src, "= 标题\n\n");
        for (int k = 0; k < n; k++)
            rg_buf_puts(&src, k % 97 == 96 ? "\n\n" : "文");
        rg_buf_puts(&src, "\n\n#signature 园区管理委员会\n#date 2023年12月20日\n");
        layout_style st;
        layout_result *r = lay(src.data, &st);
        const layout_item *sig = find(r, "园区管理委员会"), *date = find(r, "2023年12月20日");
        assert_non_null(date);
        assert_int_equal(sig->page, date->page);
        bool body = false;
        for (size_t i = 0; i < r->nitems; i++)
            body = body || (r->items[i].page == date->page && r->items[i].text &&
                            strstr(r->items[i].text, "文"));
        if (!body)
            fail_msg("%d characters: the date is alone on page %d", n, date->page + 1);
        layout_free(r);
        rg_buf_fini(&src);
    }
}

/* Whatever the length of the body, the 版记 ends on the block's bottom
 * edge of the last page, an even one; a blank page before it and its own
 * page then carry no number. */
static void test_imprint_on_foot_of_even_page(void **state)
{
    (void)state;
    int blanks = 0;
    for (int n = 0; n < 1800; n += 11) {
        rg_buf src = {0};
        rg_buf_puts(&src, "= 标题\n\n");
        for (int k = 0; k < n; k++)
            rg_buf_puts(&src, k % 97 == 96 ? "\n\n" : "文");
        rg_buf_puts(&src, "\n\n#copy-to 甲局，乙局。\n#printer 园区办公室\n#printed 2023年12月21日印发\n");
        layout_style st;
        layout_result *r = lay(src.data, &st);
        const layout_item *cc = find(r, "抄送："), *printer = find(r, "园区办公室");
        assert_non_null(cc), assert_non_null(printer);
        assert_int_equal(cc->page, r->npages - 1);
        assert_int_equal(r->npages % 2, 0);
        double bottom = st.margin_top + st.block_h;
        int thick = 0, thin = 0;
        double lowest = 0;
        for (size_t i = 0; i < r->nitems; i++) {
            const layout_item *it = &r->items[i];
            if (it->text || it->page != cc->page)
                continue;
            thick += fabs(it->width - st.imprint_thick) < 1e-9;
            thin += fabs(it->width - st.imprint_thin) < 1e-9;
            lowest = it->y > lowest ? it->y : lowest;
        }
        assert_int_equal(thick, 2);
        assert_int_equal(thin, 1);
        assert_true(fabs(lowest - bottom) < 0.01);
        assert_true(printer->y < bottom && printer->y > bottom - st.line_pitch);
        assert_true(cc->y < printer->y - st.line_pitch + 0.01);
        bool blank = true;
        for (size_t i = 0; i < r->nitems; i++)
            blank = blank && r->items[i].page != r->npages - 2;
        assert_int_equal(r->unnumbered, blank ? 2 : 0);
        blanks += blank;
        layout_free(r);
        rg_buf_fini(&src);
    }
    assert_true(blanks > 0); /* the blank page was met */
}

static void test_annex_pages(void **state)
{
    (void)state;
    layout_style st;
    layout_result *r = lay("= 标题\n\n正文。\n\n#annex 甲表\n#table\n| a | b |\n| 1 | 2 |\n\n"
                           "#annex 乙表\n正文。\n",
                           &st);
    const layout_item *one = find(r, "附件1"), *two = find(r, "附件2");
    assert_non_null(one), assert_non_null(two);
    assert_int_equal(one->page, 1);
    assert_int_equal(two->page, 2);
    assert_true(fabs(one->x - st.margin_left) < 0.01);
    assert_true(fabs(one->y - st.margin_top - 16) < 0.01);
    const layout_item *title = find(r, "甲表");
    assert_true(fabs(title->y - one->y - 2 * st.line_pitch) < 0.01);
    assert_true(fabs(title->x - (st.margin_left + (st.block_w - 2 * 22) / 2)) < 0.01);
    assert_int_equal(r->nmarks, 3);
    assert_string_equal(r->marks[1].text, "附件1　甲表");
    assert_int_equal(r->marks[1].level, 0);
    assert_int_equal(r->marks[2].page, 2);
    layout_free(r);
    r = lay("正文。\n\n#annex 甲表\n正文。\n", &st);
    assert_non_null(find(r, "附件"));
    layout_free(r);
}

static void test_number_checked(void **state)
{
    (void)state;
    static const struct {
        const char *number;
        int col; /* of the character at fault, the text starting at column 9 */
        const char *why;
    } cases[] = {
        {"园管发〔2023〕12号", 0, NULL},
        {"园管发[2023]12号", 12, "not in other brackets"},
        {"园管发（2023）12号", 12, "not in other brackets"},
        {"园管发〔2023〕012号", 18, "no leading zeros"},
        {"园管发〔23〕12号", 13, "four digits"},
        {"〔2023〕12号", 9, "issuer's code"},
        {"园管发〔2023〕12", 20, "followed by 号"},
        {"园管发〔2023〕号", 18, "serial number is missing"},
        {"园管发2023年12号", 12, "year is missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_diags d = {0};
        model_frame *f = xcalloc(1, sizeof *f);
        model_frame_add(f, "in.xml", "number", 7, 1, xstrdup(cases[i].number), NULL, &d);
        if (!cases[i].why) {
            assert_int_equal(d.count, 0);
        } else {
            assert_int_equal(d.count, 1);
            assert_int_equal(d.items[0].line, 7);
            if (d.items[0].col != cases[i].col || !strstr(d.items[0].msg, cases[i].why))
                fail_msg("%s: column %d, \"%s\"", cases[i].number, d.items[0].col,
                         d.items[0].msg);
        }
        model_frame_free(f);
        rg_diags_fini(&d);
    }
}

static void test_one_line_texts_fit(void **state)
{
    (void)state;
    rg_diags d = {0};
    model_frame *f = xcalloc(1, sizeof *f);
    model_frame_add(f, "in.xml", "signature", 3, 5, xstrdup("工业园区管理委员会"), NULL, &d);
    assert_int_equal(d.count, 0);
    /* 24 characters fit: 48 ASCII letters do, 49 do not. */
    model_frame_add(f, "in.xml", "signature", 3, 5,
                    xstrdup("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), NULL, &d);
    assert_int_equal(d.count, 0);
    model_frame_add(f, "in.xml", "signature", 4, 5,
                    xstrdup("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), NULL, &d);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].line, 4);
    assert_non_null(strstr(d.items[0].msg, "<signature> is 24.5 characters wide; 24 fit"));
    /* The organs to copy to add up. */
    rg_buf organ = {0};
    for (int k = 0; k < 100; k++)
        rg_buf_puts(&organ, "局");
    for (int k = 0; k < 4; k++)
        model_frame_add(f, "in.xml", "copy-to", 10 + k, 5, xstrdup(organ.data), NULL, &d);
    assert_int_equal(d.count, 1);
    model_frame_add(f, "in.xml", "copy-to", 14, 5, xstrdup("局"), NULL, &d);
    assert_int_equal(d.count, 2);
    assert_int_equal(d.items[1].line, 14);
    assert_non_null(strstr(d.items[1].msg, "with the organs before it"));
    rg_buf_fini(&organ);
    model_frame_free(f);
    rg_diags_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markers_parse_and_data_stays_text),
        cmocka_unit_test(test_head_red_centred_title_two_lines_below_rule),
        cmocka_unit_test(test_signer_line),
        cmocka_unit_test(test_attachments_signature_date),
        cmocka_unit_test(test_date_never_alone),
        cmocka_unit_test(test_imprint_on_foot_of_even_page),
        cmocka_unit_test(test_annex_pages),
        cmocka_unit_test(test_number_checked),
        cmocka_unit_test(test_one_line_texts_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
