/* xlsx_lxw.c - see xlsx.h. */
#include "xlsx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#define MAX_SCALE 6 /* decimals a number format is made for */

typedef struct book {
    lxw_workbook *wb;
    const model *m;
    lxw_format *title, *header, *text, *number[MAX_SCALE + 1], *percent, *points;
    lxw_error err; /* the first failed write */
} book;

static void note(book *b, lxw_error e)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
        b->err = e;
}

static lxw_format *number_format(book *b, int scale)
{
    if (scale > MAX_SCALE)
        scale = MAX_SCALE;
    if (!b->number[scale]) {
        char fmt[16] = "0";
        if (scale > 0) {
            fmt[1] = '.';
            memset(fmt + 2, '0', (size_t)scale);
            fmt[2 + scale] = '\0';
        }
        lxw_format *f = workbook_add_format(b->wb);
        format_set_num_format(f, fmt);
        format_set_border(f, LXW_BORDER_THIN);
        b->number[scale] = f;
    }
    return b->number[scale];
}

static void put_text(book *b, lxw_worksheet *ws, int row, int col, const char *s, lxw_format *f)
{
    note(b, worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, f));
}

static void put_figure(book *b, lxw_worksheet *ws, int row, int col, const model_figure *fig)
{
    if (!fig) {
        put_text(b, ws, row, col, "", b->text);
        return;
    }
    note(b, worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col,
                                   rg_dec_to_double(fig->value), number_format(b, fig->value.scale)));
}

/* A formula with the value the model computed as its cached result. */
static void put_formula(book *b, lxw_worksheet *ws, int row, int col, const char *formula,
                        double value, lxw_format *format)
{
    note(b, worksheet_write_formula_num(ws, (lxw_row_t)row, (lxw_col_t)col, formula, format,
                                        value));
}

static void cell_name(int row, int col, char *out, size_t n)
{
    snprintf(out, n, "%c%d", 'A' + col, row + 1);
}

static void heading_block(book *b, lxw_worksheet *ws, const char *title, int ncols,
                          const char *const *headers)
{
    note(b, worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(ncols - 1), title, b->title));
    char info[512];
    snprintf(info, sizeof info, "填报单位：%s    报告期：%d年%s", b->m->park, b->m->year,
             b->m->period);
    note(b, worksheet_merge_range(ws, 1, 0, 1, (lxw_col_t)(ncols - 1), info, NULL));
    for (int c = 0; c < ncols; c++)
        put_text(b, ws, 2, c, headers[c], b->header);
    note(b, worksheet_set_row(ws, 0, 28, NULL));
    worksheet_freeze_panes(ws, 3, 0);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    note(b, worksheet_repeat_rows(ws, 2, 2));
}

static int add_sheet(book *b, lxw_worksheet **ws, const char *name, rg_diags *diags)
{
    *ws = workbook_add_worksheet(b->wb, name);
    if (!*ws) {
        rg_diag_add(diags, RG_ERROR, b->m->file, 0, 0, "cannot add the worksheet \"%s\"", name);
        return -1;
    }
    return 0;
}

static int actuals_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    char name[64], title[512], h_target[32], h_actual[256];
    snprintf(name, sizeof name, "%d年指标完成情况", m->year);
    snprintf(title, sizeof title, "%s%d年主要指标完成情况", m->park, m->year);
    snprintf(h_target, sizeof h_target, "%d年目标", m->year);
    snprintf(h_actual, sizeof h_actual, "%s实际", m->period);
    const char *const headers[] = {"序号", "指标", "单位", h_target, h_actual, "同比增长（%）",
                                   "全年预计", "预计增长（%）", "完成率"};
    lxw_worksheet *ws;
    if (add_sheet(b, &ws, name, diags) != 0)
        return -1;
    heading_block(b, ws, title, 9, headers);
    int row = 3, n = 0;
    for (size_t i = 0; i < m->nindicators; i++) {
        const model_indicator *ind = &m->indicators[i];
        if (!ind->slot[MODEL_TARGET] && !ind->slot[MODEL_ACTUAL] && !ind->slot[MODEL_FORECAST])
            continue;
        note(b, worksheet_write_number(ws, (lxw_row_t)row, 0, ++n, number_format(b, 0)));
        put_text(b, ws, row, 1, ind->name, b->text);
        const model_figure *act = ind->slot[MODEL_ACTUAL];
        put_text(b, ws, row, 2, act ? act->unit : ind->unit, b->text);
        put_figure(b, ws, row, 3, ind->slot[MODEL_TARGET]);
        put_figure(b, ws, row, 4, act);
        put_figure(b, ws, row, 5, ind->slot[MODEL_ACTUAL_GROWTH]);
        put_figure(b, ws, row, 6, ind->slot[MODEL_FORECAST]);
        put_figure(b, ws, row, 7, ind->slot[MODEL_FORECAST_GROWTH]);
        double completion;
        if (model_completion(ind, &completion)) {
            char a[16], base[16], formula[48];
            cell_name(row, 4, a, sizeof a);
            cell_name(row, ind->slot[MODEL_TARGET] ? 3 : 6, base, sizeof base);
            snprintf(formula, sizeof formula, "=%s/%s", a, base);
            put_formula(b, ws, row, 8, formula, completion, b->percent);
        } else {
            put_text(b, ws, row, 8, "", b->text);
        }
        row++;
    }
    note(b, worksheet_write_string(ws, (lxw_row_t)(row + 1), 0,
                                   "注：完成率为实际值与目标之比；无目标时为与全年预计之比。", NULL));
    note(b, worksheet_set_column(ws, 0, 0, 6, NULL));
    note(b, worksheet_set_column(ws, 1, 1, 22, NULL));
    note(b, worksheet_set_column(ws, 2, 2, 10, NULL));
    note(b, worksheet_set_column(ws, 3, 8, 14, NULL));
    return 0;
}

static const char *bound_text(model_bound bound)
{
    switch (bound) {
    case MODEL_BOUND_AT_LEAST:
        return "不低于";
    case MODEL_BOUND_AT_MOST:
        return "不高于";
    default:
        return "";
    }
}

static int plan_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    char name[64], title[512], h_base[32], h_plan[32];
    snprintf(name, sizeof name, "%d年工作目标", m->plan_year);
    snprintf(title, sizeof title, "%s%d年主要工作目标", m->park, m->plan_year);
    snprintf(h_base, sizeof h_base, "%d年基数", m->year);
    snprintf(h_plan, sizeof h_plan, "%d年目标", m->plan_year);
    const char *const headers[] = {"序号", "指标", "单位", h_base, "基数口径",
                                   h_plan, "目标要求", "需增长"};
    lxw_worksheet *ws;
    if (add_sheet(b, &ws, name, diags) != 0)
        return -1;
    heading_block(b, ws, title, 8, headers);
    int row = 3, n = 0;
    for (size_t i = 0; i < m->nindicators; i++) {
        const model_indicator *ind = &m->indicators[i];
        const model_figure *plan = ind->slot[MODEL_PLAN];
        if (!plan)
            continue;
        const model_figure *base = model_plan_base(ind);
        note(b, worksheet_write_number(ws, (lxw_row_t)row, 0, ++n, number_format(b, 0)));
        put_text(b, ws, row, 1, ind->plan_name ? ind->plan_name : ind->name, b->text);
        put_text(b, ws, row, 2, plan->unit, b->text);
        put_figure(b, ws, row, 3, base);
        put_text(b, ws, row, 4,
                 !base ? ""
                 : base == ind->slot[MODEL_FORECAST] ? "全年预计"
                                                     : "实际",
                 b->text);
        put_figure(b, ws, row, 5, plan);
        put_text(b, ws, row, 6, bound_text(ind->plan_bound), b->text);
        double need;
        char p[16], bs[16], formula[48];
        cell_name(row, 5, p, sizeof p);
        cell_name(row, 3, bs, sizeof bs);
        if (model_growth_needed(ind, &need)) {
            snprintf(formula, sizeof formula, "=%s/%s-1", p, bs);
            put_formula(b, ws, row, 7, formula, need, b->percent);
        } else if (model_points_needed(ind, &need)) {
            snprintf(formula, sizeof formula, "=%s-%s", p, bs);
            put_formula(b, ws, row, 7, formula, need, b->points);
        } else {
            put_text(b, ws, row, 7, "", b->text);
        }
        row++;
    }
    note(b, worksheet_set_column(ws, 0, 0, 6, NULL));
    note(b, worksheet_set_column(ws, 1, 1, 26, NULL));
    note(b, worksheet_set_column(ws, 2, 2, 10, NULL));
    note(b, worksheet_set_column(ws, 3, 7, 14, NULL));
    return 0;
}

int xlsx_write(const model *m, const char *path, const char *tmpdir, time_t created,
               rg_diags *diags)
{
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = (char *)tmpdir};
    book b = {.m = m};
    b.wb = workbook_new_opt(path, &opt);
    if (!b.wb) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot start the workbook");
        return -1;
    }
    b.title = workbook_add_format(b.wb);
    format_set_bold(b.title);
    format_set_font_size(b.title, 16);
    format_set_align(b.title, LXW_ALIGN_CENTER);
    format_set_align(b.title, LXW_ALIGN_VERTICAL_CENTER);
    b.header = workbook_add_format(b.wb);
    format_set_bold(b.header);
    format_set_border(b.header, LXW_BORDER_THIN);
    format_set_align(b.header, LXW_ALIGN_CENTER);
    format_set_text_wrap(b.header);
    format_set_bg_color(b.header, 0xD9E1F2);
    b.text = workbook_add_format(b.wb);
    format_set_border(b.text, LXW_BORDER_THIN);
    b.percent = workbook_add_format(b.wb);
    format_set_num_format(b.percent, "0.0%");
    format_set_border(b.percent, LXW_BORDER_THIN);
    b.points = workbook_add_format(b.wb);
    format_set_num_format(b.points, "0.00\"个百分点\"");
    format_set_border(b.points, LXW_BORDER_THIN);

    char title[512];
    snprintf(title, sizeof title, "%s%d年主要指标完成情况和%d年工作目标", m->park, m->year,
             m->plan_year);
    lxw_doc_properties props = {
        .title = title, .author = m->author ? m->author : m->park, .company = m->park,
        .created = created};
    note(&b, workbook_set_properties(b.wb, &props));

    int rc = actuals_sheet(&b, diags) == 0 && plan_sheet(&b, diags) == 0 ? 0 : -1;
    if (rc == 0 && b.err != LXW_NO_ERROR) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot write a cell: %s", lxw_strerror(b.err));
        rc = -1;
    }
    lxw_error closed = workbook_close(b.wb); /* frees the workbook in every case */
    if (rc == 0 && closed != LXW_NO_ERROR) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot write the workbook: %s",
                    lxw_strerror(closed));
        rc = -1;
    }
    return rc == 0 ? xlsx_verify(path, diags) : -1;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

int xlsx_verify(const char *path, rg_diags *diags)
{
    FILE *f = fopen(path, "rb");
    rg_buf data = {0};
    if (f) {
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            rg_buf_append(&data, chunk, n);
        fclose(f);
    }
    const unsigned char *z = (const unsigned char *)data.data;
    size_t len = data.len;
    const char *problem = NULL;
    /* The end-of-central-directory record: 22 bytes, no zip comment from libxlsxwriter. */
    if (len < 22 || le32(z + len - 22) != 0x06054b50) {
        problem = "it is not a complete zip file";
    } else {
        uint16_t entries = le16(z + len - 22 + 10);
        uint32_t offset = le32(z + len - 22 + 16);
        for (uint16_t i = 0; i < entries && !problem; i++) {
            if ((size_t)offset + 46 > len || le32(z + offset) != 0x02014b50) {
                problem = "its zip directory is damaged";
                break;
            }
            if (le32(z + offset + 24) == 0)
                problem = "a part of it is empty (a full disk or temporary directory?)";
            offset += 46u + le16(z + offset + 28) + le16(z + offset + 30) + le16(z + offset + 32);
        }
        if (!problem && entries == 0)
            problem = "it has no parts";
    }
    rg_buf_fini(&data);
    if (problem) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "the workbook written is unusable: %s", problem);
        return -1;
    }
    return 0;
}
