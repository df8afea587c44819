/* xlsx_lxw.c - see xlsx.h. */
#include "xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "model_chain.h"
#include "xlsx_file.h"

#define MAX_COLS 16

/* The significant digits a number cell shows as written: Excel displays 15. */
#define XLSX_MAX_DIGITS 15
/* Free space below which a failed write is put down to a full folder. */

typedef struct book {
    lxw_workbook *wb;
    const model *m;
    lxw_format *title, *info, *header, *text, *number[RG_DEC_MAX_DIGITS + 1], *percent,
        *points_at[RG_DEC_MAX_DIGITS + 1], *missed,
        *mismatch;
    lxw_chart *completion_chart, *sector_chart; /* given sheets of their own at the end */
    lxw_chart *years_chart;
    lxw_error err; /* the first failed write */
    const char *too_long; /* a string over Excel's limit, for the message */
    const model_figure *too_precise; /* a figure with more digits than a cell shows */
} book;

/* One sheet being written: its columns' widths grow with what is put in them. */
typedef struct sheet {
    book *b;
    lxw_worksheet *ws;
    char *name;
    double width[MAX_COLS];
    int ncols;
    double info_width; /* of the 填报单位 line, which wraps when the table is narrower */
} sheet;

static void note(book *b, lxw_error e)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
        b->err = e;
}

/* "0", "0.0", ... "0.000000000000": as many decimals as the number was
 * written with, so it shows as written and never with an exponent. */
/* A number format of `scale` decimals and a suffix, made once into
 * slots[scale]: numbers as written (124.20), and 个百分点 at the precision
 * the two rates were written with, as the PDF shows the difference (0.3,
 * not 0.30). */
static lxw_format *decimal_format(book *b, lxw_format **slots, int scale, const char *suffix)
{
    if (scale < 0 || scale > RG_DEC_MAX_DIGITS)
        scale = RG_DEC_MAX_DIGITS; /* rg_dec keeps no more */
    if (!slots[scale]) {
        rg_buf fmt = {0};
        rg_buf_puts(&fmt, scale > 0 ? "0." : "0");
        for (int i = 0; i < scale; i++)
            rg_buf_putc(&fmt, '0');
        rg_buf_puts(&fmt, suffix);
        lxw_format *f = workbook_add_format(b->wb);
        if (!f) {
            rg_buf_fini(&fmt);
            note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return NULL;
        }
        format_set_num_format(f, fmt.data);
        rg_buf_fini(&fmt);
        format_set_border(f, LXW_BORDER_THIN);
        slots[scale] = f;
    }
    return slots[scale];
}

static lxw_format *number_format(book *b, int scale)
{
    return decimal_format(b, b->number, scale, "");
}

static lxw_format *points_format(book *b, int scale)
{
    return decimal_format(b, b->points_at, scale, "\"个百分点\"");
}

static void grow(sheet *sh, int col, double w)
{
    if (col < MAX_COLS && w + 2 > sh->width[col])
        sh->width[col] = w + 2;
}

static void put_text(sheet *sh, int row, int col, const char *s, lxw_format *f)
{
    size_t chars;
    grow(sh, col, xlsx_text_width(s, &chars));
    if (chars > XLSX_MAX_STRING) {
        sh->b->too_long = s;
        note(sh->b, LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED);
        return;
    }
    note(sh->b, worksheet_write_string(sh->ws, (lxw_row_t)row, (lxw_col_t)col, s, f));
}

static void put_number(sheet *sh, int row, int col, rg_dec v)
{
    rg_buf text = {0};
    rg_dec_format(v, &text);
    grow(sh, col, xlsx_text_width(text.data, NULL));
    rg_buf_fini(&text);
    note(sh->b, worksheet_write_number(sh->ws, (lxw_row_t)row, (lxw_col_t)col,
                                       rg_dec_to_double(v), number_format(sh->b, v.scale)));
}

/* A missing figure is a blank cell, ruled like the others. */
static void put_blank(sheet *sh, int row, int col)
{
    note(sh->b, worksheet_write_blank(sh->ws, (lxw_row_t)row, (lxw_col_t)col, sh->b->text));
}

/* A figure with more significant digits than a cell shows would change its
 * digits: refused, naming it, rather than written rounded. */
static void put_figure(sheet *sh, int row, int col, const model_figure *fig)
{
    if (fig && xlsx_significant_digits(fig->value) > XLSX_MAX_DIGITS) {
        if (!sh->b->too_precise)
            sh->b->too_precise = fig;
        note(sh->b, LXW_ERROR_PARAMETER_VALIDATION);
    } else if (fig) {
        put_number(sh, row, col, fig->value);
    } else {
        put_blank(sh, row, col);
    }
}

/* A figure in the unit of its row: 1.69 亿元 in a 万元 row is 16900, so that
 * the row's unit states the unit of every value in it. */
static void put_figure_in(sheet *sh, int row, int col, const model_figure *fig, const char *unit)
{
    model_figure converted = fig ? *fig : (model_figure){0};
    if (fig && model_figure_in(fig, unit, &converted.value))
        fig = &converted;
    put_figure(sh, row, col, fig);
}

/* A formula with the value the model computed as its cached result. */
static void put_formula(sheet *sh, int row, int col, const char *formula, double value,
                        lxw_format *format)
{
    grow(sh, col, 8);
    note(sh->b, worksheet_write_formula_num(sh->ws, (lxw_row_t)row, (lxw_col_t)col, formula,
                                            format, value));
}

static void put_formula_text(sheet *sh, int row, int col, const char *formula, const char *value)
{
    grow(sh, col, xlsx_text_width(value, NULL));
    note(sh->b, worksheet_write_formula_str(sh->ws, (lxw_row_t)row, (lxw_col_t)col, formula,
                                            sh->b->text, value));
}

static void put_serial(sheet *sh, int row, int n)
{
    rg_dec d = {n, 0};
    put_number(sh, row, 0, d);
}

/* The heading block of a Chinese statistical form (title; 填报单位, 报告期,
 * 计量单位), the header row, and the page set-up for A4 landscape. */
static int open_sheet(book *b, sheet *sh, const char *name, const char *title, const char *units,
                      int ncols, const char *const *headers, rg_diags *diags)
{
    memset(sh, 0, sizeof *sh);
    sh->b = b;
    sh->ncols = ncols;
    sh->name = xstrdup(name);
    sh->ws = workbook_add_worksheet(b->wb, name);
    if (!sh->ws) {
        rg_diag_add(diags, RG_ERROR, b->m->file, 0, 0, "cannot add the worksheet \"%s\"", name);
        return -1;
    }
    note(b, worksheet_merge_range(sh->ws, 0, 0, 0, (lxw_col_t)(ncols - 1), title, b->title));
    rg_buf info = {0};
    rg_buf_printf(&info, "填报单位：%s    报告期：%d年%s    计量单位：%s", b->m->park, b->m->year,
                  b->m->period, units);
    note(b, worksheet_merge_range(sh->ws, 1, 0, 1, (lxw_col_t)(ncols - 1), info.data, b->info));
    sh->info_width = xlsx_text_width(info.data, NULL);
    rg_buf_fini(&info);
    for (int c = 0; c < ncols; c++)
        put_text(sh, 2, c, headers[c], b->header);
    note(b, worksheet_set_row(sh->ws, 0, 28, NULL));
    worksheet_freeze_panes(sh->ws, 3, 0);
    worksheet_set_paper(sh->ws, 9); /* A4 */
    worksheet_set_landscape(sh->ws);
    worksheet_fit_to_pages(sh->ws, 1, 0);
    note(b, worksheet_repeat_rows(sh->ws, 2, 2));
    rg_buf head = {0};
    xlsx_page_header(b->m->park, title, &head);
    note(b, worksheet_set_header(sh->ws, head.data));
    rg_buf_fini(&head);
    note(b, worksheet_set_footer(sh->ws, "&C第 &P 页，共 &N 页"));
    return 0;
}

static void close_sheet(sheet *sh)
{
    double table = 0;
    for (int c = 0; c < sh->ncols; c++) {
        double w = sh->width[c] < 6 ? 6 : sh->width[c] > 50 ? 50 : sh->width[c];
        note(sh->b, worksheet_set_column(sh->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
        table += w;
    }
    int lines = (int)(sh->info_width / table) + 1;
    if (lines > 1)
        note(sh->b, worksheet_set_row(sh->ws, 1, 15.0 * lines, NULL));
    free(sh->name);
}

/* Marks the numbers of a column that are below `limit` (below, or else
 * different from it): blanks are left alone, which a plain "cell < 1" rule
 * would paint as zeros. */
static void highlight(sheet *sh, int first_row, int last_row, int col, bool below, int limit,
                      lxw_format *f)
{
    if (last_row < first_row)
        return;
    char cell[16], rule[96];
    xlsx_cell_name(first_row, col, cell, sizeof cell);
    snprintf(rule, sizeof rule, "=AND(ISNUMBER(%s),%s%s%d)", cell, cell, below ? "<" : "<>",
             limit);
    lxw_conditional_format cf = {.type = LXW_CONDITIONAL_TYPE_FORMULA, .value_string = rule,
                                 .format = f};
    note(sh->b, worksheet_conditional_format_range(sh->ws, (lxw_row_t)first_row, (lxw_col_t)col,
                                                   (lxw_row_t)last_row, (lxw_col_t)col, &cf));
}

/* Marks the completion rates of column `col` whose status, in the column
 * after it, is 未完成: "rate < 1" would mark a target bounded at-most that
 * is met, and miss one that is not. */
static void highlight_missed(sheet *sh, int first_row, int last_row, int col)
{
    if (last_row < first_row)
        return;
    char status[16], rule[48];
    xlsx_cell_name(first_row, col + 1, status, sizeof status);
    snprintf(rule, sizeof rule, "=%s=\"未完成\"", status);
    lxw_conditional_format cf = {.type = LXW_CONDITIONAL_TYPE_FORMULA, .value_string = rule,
                                 .format = sh->b->missed};
    note(sh->b, worksheet_conditional_format_range(sh->ws, (lxw_row_t)first_row,
                                                              (lxw_col_t)col, (lxw_row_t)last_row,
                                                              (lxw_col_t)col, &cf));
}

/* A chart on a sheet of its own, which prints on one A4 page. */
static void chart_sheet(book *b, const char *name, lxw_chart *chart)
{
    lxw_chartsheet *cs = workbook_add_chartsheet(b->wb, name);
    if (!cs) {
        note(b, LXW_ERROR_SHEETNAME_ALREADY_USED);
        return;
    }
    note(b, chartsheet_set_chart(cs, chart));
    chartsheet_set_paper(cs, 9);
    chartsheet_set_landscape(cs);
    note(b, chartsheet_set_footer(cs, "&C第 &P 页，共 &N 页"));
}

static void range_ref(const char *sheet_name, int first_row, int last_row, int col, rg_buf *out)
{
    rg_buf_printf(out, "='%s'!$%c$%d:$%c$%d", sheet_name, 'A' + col, first_row + 1, 'A' + col,
                  last_row + 1);
}

/* A chart of the labels and values in rows first_row..last_row beside the
 * table, named by the column's header (row 3) and titled by `title`, which
 * is put in row 2 above the labels. Titles and names are taken from those
 * cells rather than given as text, which libxlsxwriter would read as a
 * reference when it begins with "=" (a park named "=HYPERLINK(...)"). */
static lxw_chart *add_chart(sheet *sh, uint8_t type, int first_row, int last_row, int label_col,
                            int value_col, const char *title, bool percentage)
{
    book *b = sh->b;
    lxw_chart *chart = workbook_add_chart(b->wb, type);
    if (!chart) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    note(b, worksheet_write_string(sh->ws, 1, (lxw_col_t)label_col, title, NULL));
    chart_title_set_name_range(chart, sh->name, 1, (lxw_col_t)label_col);
    rg_buf cats = {0}, vals = {0};
    range_ref(sh->name, first_row, last_row, label_col, &cats);
    range_ref(sh->name, first_row, last_row, value_col, &vals);
    lxw_chart_series *s = chart_add_series(chart, cats.data, vals.data);
    if (!s) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
    } else {
        chart_series_set_name_range(s, sh->name, 2, (lxw_col_t)value_col);
        chart_series_set_labels(s);
        if (percentage) /* a pie's slices read best as shares */
            chart_series_set_labels_percentage(s);
    }
    rg_buf_fini(&cats);
    rg_buf_fini(&vals);
    return chart;
}

/* The status of a completion rate in cell `rate`: 已完成 when the actual is
 * at least the target, or at most it when the target is bounded so. */
static void put_status(sheet *sh, int row, int col, const model_indicator *ind, int actual_col,
                       int target_col)
{
    bool met = false;
    model_target_met(ind, &met);
    bool at_most = ind->slot[MODEL_TARGET] && ind->target_bound == MODEL_BOUND_AT_MOST;
    /* The actual against the target, both shown in the row's unit: a rate
     * (不低于30%) too, which has no completion rate. */
    char actual[16], target[16], formula[96];
    xlsx_cell_name(row, actual_col, actual, sizeof actual);
    xlsx_cell_name(row, target_col, target, sizeof target);
    /* Not met in a part of the year is 尚未完成 (not yet), not 未完成. */
    const char *unmet = model_status(sh->b->m, false);
    snprintf(formula, sizeof formula, "=IF(%s%s%s,\"已完成\",\"%s\")", actual,
             at_most ? "<=" : ">=", target, unmet);
    put_formula_text(sh, row, col, formula, met ? "已完成" : unmet);
}

/* Where the target came from (model_target_note), with its bound. */
static void put_target_note(sheet *sh, int row, int col, const model_indicator *ind)
{
    rg_buf text = {0};
    if (ind->slot[MODEL_TARGET] && ind->target_bound != MODEL_BOUND_EXACT)
        rg_buf_puts(&text, ind->target_bound == MODEL_BOUND_AT_LEAST ? "不低于；" : "不高于；");
    model_target_note(sh->b->m, ind, &text);
    put_text(sh, row, col, text.data, sh->b->text);
    rg_buf_fini(&text);
}

/* Targets against actuals: each indicator's target, actual, forecast and
 * completion; a chart of the completion rates. */
static int actuals_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    rg_buf name = {0}, title = {0}, h_target = {0}, h_actual = {0};
    rg_buf_printf(&name, "%d年指标完成情况", m->year);
    rg_buf_printf(&title, "%s%d年主要指标完成情况", m->park, m->year);
    rg_buf_printf(&h_target, "%d年目标", m->year);
    rg_buf_printf(&h_actual, "%s实际", m->period);
    const char *const headers[] = {"序号", "指标", "单位", h_target.data, h_actual.data,
                                   "同比增长（%）", "全年预计", "预计增长（%）", "完成率", "状态",
                                   "目标来源"};
    sheet sh;
    int rc = open_sheet(b, &sh, name.data, title.data, "见“单位”列", 11, headers, diags);
    int row = 3, n = 0;
    /* The completion rates again, beside the table, for the chart: only the
     * indicators that have one, so the chart has no gaps. */
    int chart_row = 3;
    bool against_target = false, against_forecast = false;
    for (size_t i = 0; rc == 0 && i < m->nindicators; i++) {
        const model_indicator *ind = &m->indicators[i];
        if (!ind->slot[MODEL_TARGET] && !ind->slot[MODEL_ACTUAL] && !ind->slot[MODEL_FORECAST])
            continue;
        put_serial(&sh, row, ++n);
        put_text(&sh, row, 1, ind->name, b->text);
        const model_figure *act = ind->slot[MODEL_ACTUAL];
        const char *unit = act ? act->unit : ind->unit;
        put_text(&sh, row, 2, unit, b->text);
        put_figure_in(&sh, row, 3, ind->slot[MODEL_TARGET], unit);
        put_figure(&sh, row, 4, act);
        put_figure(&sh, row, 5, ind->slot[MODEL_ACTUAL_GROWTH]);
        put_figure_in(&sh, row, 6, ind->slot[MODEL_FORECAST], unit);
        put_figure(&sh, row, 7, ind->slot[MODEL_FORECAST_GROWTH]);
        double completion;
        if (model_completion(ind, &completion)) {
            against_target = against_target || ind->slot[MODEL_TARGET];
            against_forecast = against_forecast || !ind->slot[MODEL_TARGET];
            char a[16], base[16], formula[64], rate[16];
            xlsx_cell_name(row, 4, a, sizeof a);
            xlsx_cell_name(row, ind->slot[MODEL_TARGET] ? 3 : 6, base, sizeof base);
            snprintf(formula, sizeof formula, "=%s/%s", a, base);
            put_formula(&sh, row, 8, formula, completion, b->percent);
            xlsx_cell_name(row, 8, rate, sizeof rate);
            if (ind->slot[MODEL_TARGET]) {
                put_status(&sh, row, 9, ind, 4, 3);
            } else {
                /* A part of the year against the whole year's forecast is
                 * progress: neither done nor missed. */
                put_text(&sh, row, 9, "全年进度", b->text);
            }
            char name_ref[16];
            xlsx_cell_name(row, 1, name_ref, sizeof name_ref);
            snprintf(formula, sizeof formula, "=%s", name_ref);
            note(b, worksheet_write_formula_str(sh.ws, (lxw_row_t)chart_row, 12, formula, NULL,
                                                ind->name));
            snprintf(formula, sizeof formula, "=%s", rate);
            note(b, worksheet_write_formula_num(sh.ws, (lxw_row_t)chart_row, 13, formula,
                                                b->percent, completion));
            chart_row++;
        } else {
            bool met;
            put_blank(&sh, row, 8);
            if (model_target_met(ind, &met))
                put_status(&sh, row, 9, ind, 4, 3);
            else
                put_blank(&sh, row, 9);
        }
        put_target_note(&sh, row, 10, ind);
        row++;
    }
    if (rc == 0) {
        highlight_missed(&sh, 3, row - 1, 8);
        note(b, worksheet_write_string(sh.ws, (lxw_row_t)(row + 1), 0,
                                       "注：完成率为实际值与目标之比，据以判断已完成、未完成；"
                                       "无目标时为与全年预计之比，只表示全年进度。",
                                       NULL));
        note(b, worksheet_print_area(sh.ws, 0, 0, (lxw_row_t)(row + 1), 10));
        if (chart_row > 3) {
            note(b, worksheet_write_string(sh.ws, 2, 12, "图表数据：指标", b->header));
            note(b, worksheet_write_string(sh.ws, 2, 13, "完成率", b->header));
            note(b, worksheet_set_column(sh.ws, 12, 13, 16, NULL));
            rg_buf ct = {0};
            rg_buf_printf(&ct, "%s%d年%s主要指标完成率（%s）", m->park, m->year, m->period,
                          against_target && against_forecast ? "对目标，无目标的对全年预计"
                          : against_target                   ? "对目标"
                                                             : "对全年预计");
            lxw_chart *chart = add_chart(&sh, LXW_CHART_COLUMN, 3, chart_row - 1, 12, 13, ct.data, false);
            rg_buf_fini(&ct);
            if (chart) {
                chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
                chart_axis_set_num_format(chart->y_axis, "0%");
                chart_axis_set_min(chart->y_axis, 0);
                b->completion_chart = chart;
            }
        }
        close_sheet(&sh);
    }
    rg_buf_fini(&name);
    rg_buf_fini(&title);
    rg_buf_fini(&h_target);
    rg_buf_fini(&h_actual);
    return rc;
}

/* Next year's plan: each target beside its base and the growth it needs. */
static int plan_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    rg_buf name = {0}, title = {0}, h_base = {0}, h_plan = {0};
    rg_buf_printf(&name, "%d年工作目标", m->plan_year);
    rg_buf_printf(&title, "%s%d年主要工作目标", m->park, m->plan_year);
    rg_buf_printf(&h_base, "%d年基数", m->year);
    rg_buf_printf(&h_plan, "%d年目标", m->plan_year);
    const char *const headers[] = {"序号", "指标", "单位", h_base.data, "基数口径",
                                   h_plan.data, "目标要求", "需增长"};
    sheet sh;
    int rc = open_sheet(b, &sh, name.data, title.data, "见“单位”列", 8, headers, diags);
    int row = 3, n = 0;
    for (size_t i = 0; rc == 0 && i < m->nindicators; i++) {
        const model_indicator *ind = &m->indicators[i];
        const model_figure *plan = ind->slot[MODEL_PLAN];
        if (!plan)
            continue;
        const model_figure *base = model_plan_base(ind);
        put_serial(&sh, row, ++n);
        put_text(&sh, row, 1, ind->plan_name ? ind->plan_name : ind->name, b->text);
        put_text(&sh, row, 2, plan->unit, b->text);
        put_figure_in(&sh, row, 3, base, plan->unit);
        const char *missing = model_plan_base_missing(ind);
        put_text(&sh, row, 4,
                 missing ? missing
                 : base == ind->slot[MODEL_FORECAST] ? "全年预计"
                                                     : "全年实际",
                 b->text);
        put_figure(&sh, row, 5, plan);
        put_text(&sh, row, 6, xlsx_bound_text(ind->plan_bound), b->text);
        double need;
        char p[16], bs[16], formula[48];
        xlsx_cell_name(row, 5, p, sizeof p);
        xlsx_cell_name(row, 3, bs, sizeof bs);
        if (model_growth_needed(ind, &need)) {
            snprintf(formula, sizeof formula, "=%s/%s-1", p, bs);
            put_formula(&sh, row, 7, formula, need, b->percent);
        } else if (model_points_needed(ind, &need)) {
            snprintf(formula, sizeof formula, "=%s-%s", p, bs);
            int scale = plan->value.scale > base->value.scale ? plan->value.scale : base->value.scale;
            put_formula(&sh, row, 7, formula, need, points_format(b, scale));
            grow(&sh, 7, 14);
        } else {
            put_blank(&sh, row, 7);
        }
        row++;
    }
    if (rc == 0) {
        note(b, worksheet_write_string(sh.ws, (lxw_row_t)(row + 1), 0,
                                       "注：需增长按本年全年数（全年预计，无预计时为全年实际）计算；"
                                       "只有部分时期数字的，不计算。",
                                       NULL));
        close_sheet(&sh);
    }
    rg_buf_fini(&name);
    rg_buf_fini(&title);
    rg_buf_fini(&h_base);
    rg_buf_fini(&h_plan);
    return rc;
}

/* Sectors: firms, output, growth and their share of the park's output; a
 * pie chart of the output, with the rest of the park as 其他. */
static int sectors_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    if (m->nsectors == 0)
        return 0;
    const model_figure *total = model_figure_find(m, "output.actual");
    /* Every output in the park's unit (else the first sector's): 8000 万元
     * in a row of 亿元 is 0.8. */
    const char *output_unit = total ? total->unit : NULL;
    for (size_t i = 0; i < m->nsectors && !output_unit; i++)
        if (m->sectors[i].output)
            output_unit = m->sectors[i].output->unit;
    if (!output_unit)
        output_unit = "亿元";
    rg_buf title = {0}, h_output = {0}, units = {0};
    rg_buf_printf(&title, "%s%d年%s主要产业发展情况", m->park, m->year, m->period);
    rg_buf_printf(&h_output, "产值（%s）", output_unit);
    rg_buf_printf(&units, "户、%s、%%", output_unit);
    const char *const headers[] = {"序号", "产业", "定位", "规上企业（户）", h_output.data,
                                   "同比增长（%）", "占园区产值比重"};
    sheet sh;
    int rc = open_sheet(b, &sh, "产业发展", title.data, units.data, 7, headers, diags);
    int first = 3, row = 3;
    for (size_t i = 0; rc == 0 && i < m->nsectors; i++, row++) {
        const model_sector *s = &m->sectors[i];
        put_serial(&sh, row, (int)i + 1);
        put_text(&sh, row, 1, s->name, b->text);
        put_text(&sh, row, 2, xlsx_role_text(s->role), b->text);
        put_figure(&sh, row, 3, s->firms);
        put_figure_in(&sh, row, 4, s->output, output_unit);
        put_figure(&sh, row, 5, s->growth);
    }
    int total_row = row;
    if (rc == 0) {
        put_text(&sh, total_row, 1, "园区规上工业总产值", b->header);
        put_figure(&sh, total_row, 4, total);
        char ref[16], tot[16], formula[48];
        xlsx_cell_name(total_row, 4, tot, sizeof tot);
        for (size_t i = 0; i < m->nsectors; i++) {
            double share;
            if (model_sector_share(m, &m->sectors[i], &share)) {
                xlsx_cell_name(first + (int)i, 4, ref, sizeof ref);
                snprintf(formula, sizeof formula, "=%s/%s", ref, tot);
                put_formula(&sh, first + (int)i, 6, formula, share, b->percent);
            } else {
                put_blank(&sh, first + (int)i, 6);
            }
        }
        /* The pie: sectors with output, then the rest of the park. */
        int chart_row = 3;
        rg_dec rest = total ? total->value : (rg_dec){0, 0};
        bool rest_ok = total != NULL;
        for (size_t i = 0; i < m->nsectors; i++) {
            const model_sector *s = &m->sectors[i];
            if (!s->output)
                continue;
            xlsx_cell_name(first + (int)i, 1, ref, sizeof ref);
            snprintf(formula, sizeof formula, "=%s", ref);
            note(b, worksheet_write_formula_str(sh.ws, (lxw_row_t)chart_row, 9, formula, NULL,
                                                s->name));
            xlsx_cell_name(first + (int)i, 4, ref, sizeof ref);
            snprintf(formula, sizeof formula, "=%s", ref);
            rg_dec v = s->output->value;
            bool in_unit = model_figure_in(s->output, output_unit, &v);
            note(b, worksheet_write_formula_num(sh.ws, (lxw_row_t)chart_row, 10, formula,
                                                number_format(b, v.scale), rg_dec_to_double(v)));
            rg_dec neg = v;
            neg.coef = -neg.coef;
            rest_ok = rest_ok && in_unit && rg_dec_add(rest, neg, &rest) == 0;
            chart_row++;
        }
        if (chart_row > 3 && rest_ok && rest.coef > 0) {
            rg_buf f = {0};
            rg_buf_printf(&f, "=%s-SUM(K4:K%d)", tot, chart_row);
            note(b, worksheet_write_string(sh.ws, (lxw_row_t)chart_row, 9, "其他", NULL));
            note(b, worksheet_write_formula_num(sh.ws, (lxw_row_t)chart_row, 10, f.data,
                                                number_format(b, rest.scale),
                                                rg_dec_to_double(rest)));
            rg_buf_fini(&f);
            chart_row++;
        }
        note(b, worksheet_print_area(sh.ws, 0, 0, (lxw_row_t)total_row, 6));
        if (chart_row > 3) {
            note(b, worksheet_write_string(sh.ws, 2, 9, "图表数据：产业", b->header));
            note(b, worksheet_write_string(sh.ws, 2, 10, h_output.data, b->header));
            note(b, worksheet_set_column(sh.ws, 9, 10, 16, NULL));
            lxw_chart *chart = add_chart(&sh, LXW_CHART_PIE, 3, chart_row - 1, 9, 10, title.data, true);
            if (chart) {
                chart_legend_set_position(chart, LXW_CHART_LEGEND_RIGHT);
                b->sector_chart = chart;
            }
        }
        close_sheet(&sh);
    }
    rg_buf_fini(&title);
    rg_buf_fini(&h_output);
    rg_buf_fini(&units);
    return rc;
}

/* Investment promotion by category: the sums set against the stated totals. */
static int promotion_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    const model_promotion *p = &m->promotion;
    if (!p->present || p->ncategories == 0)
        return 0;
    /* Each column in one unit: the stated total's, else the first category's. */
    const char *count_unit = p->projects ? p->projects->unit : NULL;
    const char *amount_unit = p->amount ? p->amount->unit : NULL;
    for (size_t i = 0; i < p->ncategories; i++) {
        const model_category *c = &p->categories[i];
        count_unit = count_unit ? count_unit : c->projects ? c->projects->unit : NULL;
        amount_unit = amount_unit ? amount_unit : c->amount ? c->amount->unit : NULL;
    }
    count_unit = count_unit ? count_unit : "个";
    amount_unit = amount_unit ? amount_unit : "亿元";
    rg_buf title = {0}, h_count = {0}, h_amount = {0}, units = {0};
    rg_buf_printf(&title, "%s%d年%s招商引资情况", m->park, m->year, m->period);
    rg_buf_printf(&h_count, "项目数（%s）", count_unit);
    rg_buf_printf(&h_amount, "投资额（%s）", amount_unit);
    rg_buf_printf(&units, "%s、%s", count_unit, amount_unit);
    const char *const headers[] = {"序号", "类别", h_count.data, h_amount.data};
    sheet sh;
    int rc = open_sheet(b, &sh, "招商引资", title.data, units.data, 4, headers, diags);
    int row = 3;
    const char *unit_of[2] = {count_unit, amount_unit};
    rg_dec sums[2] = {{0, 0}, {0, 0}};
    bool any[2] = {false, false}, sum_ok[2] = {true, true};
    for (size_t i = 0; rc == 0 && i < p->ncategories; i++, row++) {
        const model_figure *f[2] = {p->categories[i].projects, p->categories[i].amount};
        put_serial(&sh, row, (int)i + 1);
        put_text(&sh, row, 1, p->categories[i].name, b->text);
        for (int c = 0; c < 2; c++) {
            put_figure_in(&sh, row, 2 + c, f[c], unit_of[c]);
            rg_dec v;
            if (!f[c])
                continue;
            any[c] = true;
            sum_ok[c] = sum_ok[c] && model_figure_in(f[c], unit_of[c], &v) &&
                        rg_dec_add(sums[c], v, &sums[c]) == 0;
        }
    }
    if (rc == 0 && !p->additive) {
        note(b, worksheet_write_string(sh.ws, (lxw_row_t)(row + 1), 0,
                                       "注：各类别有交叉或未列全，不相加，不与总数核对。", NULL));
    } else if (rc == 0 && (any[0] || any[1])) {
        int sum_row = row, stated_row = row + 1, diff_row = row + 2;
        const model_figure *stated[2] = {p->projects, p->amount};
        put_text(&sh, sum_row, 1, "分类合计", b->header);
        put_text(&sh, stated_row, 1, "上报总数", b->header);
        put_text(&sh, diff_row, 1, "差额（合计－总数）", b->header);
        for (int c = 0; c < 2; c++) {
            char formula[64];
            if (!any[c] || !sum_ok[c]) {
                put_blank(&sh, sum_row, 2 + c);
                put_figure(&sh, stated_row, 2 + c, stated[c]);
                put_blank(&sh, diff_row, 2 + c);
                continue;
            }
            snprintf(formula, sizeof formula, "=SUM(%c4:%c%d)", 'C' + c, 'C' + c, sum_row);
            note(b, worksheet_write_formula_num(sh.ws, (lxw_row_t)sum_row, (lxw_col_t)(2 + c),
                                                formula, number_format(b, sums[c].scale),
                                                rg_dec_to_double(sums[c])));
            put_figure(&sh, stated_row, 2 + c, stated[c]);
            rg_dec diff;
            if (stated[c] && rg_dec_sub(sums[c], stated[c]->value, &diff) == 0) {
                snprintf(formula, sizeof formula, "=%c%d-%c%d", 'C' + c, sum_row + 1, 'C' + c,
                         stated_row + 1);
                note(b, worksheet_write_formula_num(sh.ws, (lxw_row_t)diff_row,
                                                    (lxw_col_t)(2 + c), formula,
                                                    number_format(b, diff.scale),
                                                    rg_dec_to_double(diff)));
                highlight(&sh, diff_row, diff_row, 2 + c, false, 0, b->mismatch);
            } else {
                put_blank(&sh, diff_row, 2 + c);
            }
        }
        note(b, worksheet_write_string(sh.ws, (lxw_row_t)(diff_row + 2), 0,
                                       "注：差额不为零时，分类数与上报总数不一致，请核对。", NULL));
    }
    if (rc == 0)
        close_sheet(&sh);
    rg_buf_fini(&title);
    rg_buf_fini(&h_count);
    rg_buf_fini(&h_amount);
    rg_buf_fini(&units);
    return rc;
}

/* The named projects and firms, one a row with their status, filterable. */
static int projects_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    if (m->ngroups == 0)
        return 0;
    rg_buf title = {0};
    rg_buf_printf(&title, "%s%d年重点项目和企业", m->park, m->year);
    const char *const headers[] = {"序号", "项目（企业）", "状态", "说明"};
    sheet sh;
    int rc = open_sheet(b, &sh, "重点项目", title.data, "—", 4, headers, diags);
    int row = 3, n = 0;
    for (size_t g = 0; rc == 0 && g < m->ngroups; g++) {
        const model_group *grp = &m->groups[g];
        for (size_t i = 0; i < grp->nitems; i++, row++) {
            put_serial(&sh, row, ++n);
            put_text(&sh, row, 1, grp->items[i], b->text);
            put_text(&sh, row, 2, grp->status, b->text);
            put_text(&sh, row, 3, grp->partial ? "所列为部分项目" : "", b->text);
        }
    }
    if (rc == 0) {
        if (row > 3)
            note(b, worksheet_autofilter(sh.ws, 2, 0, (lxw_row_t)(row - 1), 3));
        close_sheet(&sh);
    }
    rg_buf_fini(&title);
    return rc;
}

/* A chain of reports (model_chain.h): each indicator across the years, a
 * row a year, oldest first: target, actual, forecast, completion and the
 * stated growth; a line chart of the completion rates. */
static int years_sheet(book *b, rg_diags *diags)
{
    const model *m = b->m;
    if (!m->prev)
        return 0;
    const model *years[MODEL_MAX_CHAIN];
    int nyears = 0;
    for (const model *y = m; y && nyears < MODEL_MAX_CHAIN; y = y->prev)
        years[nyears++] = y;
    rg_buf title = {0};
    rg_buf_printf(&title, "%s%d—%d年主要指标完成情况", m->park, years[nyears - 1]->year, m->year);
    const char *const headers[] = {"指标", "年份", "单位", "目标", "目标要求", "实际",
                                   "统计期", "全年预计", "完成率", "状态", "同比增长（%）"};
    sheet sh;
    int rc = open_sheet(b, &sh, "历年指标", title.data, "见“单位”列", 11, headers, diags);
    lxw_chart *chart = NULL; /* made with its first series: a chart needs one */
    int row = 3;
    for (size_t i = 0; rc == 0 && i < m->nindicators; i++) {
        /* This indicator in each year, oldest first. */
        const model_indicator *each[MODEL_MAX_CHAIN];
        const model_indicator *ind = &m->indicators[i];
        for (int k = 0; k < nyears; k++, ind = ind ? ind->last_year : NULL)
            each[nyears - 1 - k] = ind;
        int first = row;
        bool any_completion = false;
        for (int k = 0; k < nyears; k++) {
            const model_indicator *at = each[k];
            const model *y = years[nyears - 1 - k];
            if (!at || (!at->slot[MODEL_TARGET] && !at->slot[MODEL_ACTUAL] &&
                        !at->slot[MODEL_FORECAST]))
                continue;
            const model_figure *act = at->slot[MODEL_ACTUAL];
            put_text(&sh, row, 0, at->name, b->text);
            put_number(&sh, row, 1, (rg_dec){y->year, 0});
            put_text(&sh, row, 2, act ? act->unit : at->unit, b->text);
            put_figure_in(&sh, row, 3, at->slot[MODEL_TARGET], act ? act->unit : at->unit);
            put_text(&sh, row, 4, at->slot[MODEL_TARGET] ? xlsx_bound_text(at->target_bound) : "",
                     b->text);
            put_figure(&sh, row, 5, act);
            put_text(&sh, row, 6, act ? y->period : "", b->text);
            put_figure_in(&sh, row, 7, at->slot[MODEL_FORECAST], act ? act->unit : at->unit);
            double completion;
            bool rated = model_completion(at, &completion), met;
            if (rated) {
                char a[16], base[16], formula[48];
                xlsx_cell_name(row, 5, a, sizeof a);
                xlsx_cell_name(row, at->slot[MODEL_TARGET] ? 3 : 7, base, sizeof base);
                snprintf(formula, sizeof formula, "=%s/%s", a, base);
                put_formula(&sh, row, 8, formula, completion, b->percent);
                any_completion = true;
            } else {
                put_blank(&sh, row, 8);
            }
            if (at->slot[MODEL_TARGET] && model_target_met(at, &met))
                put_status(&sh, row, 9, at, 5, 3);
            else if (rated) /* a part of the year against the full-year forecast */
                put_text(&sh, row, 9, "全年进度", b->text);
            else
                put_blank(&sh, row, 9);
            put_figure(&sh, row, 10, at->slot[MODEL_ACTUAL_GROWTH]);
            row++;
        }
        if (any_completion && !chart)
            chart = workbook_add_chart(b->wb, LXW_CHART_LINE);
        if (chart && any_completion) {
            /* Named by the indicator's cell, never by its text (see add_chart). */
            rg_buf cats = {0}, vals = {0};
            range_ref(sh.name, first, row - 1, 1, &cats);
            range_ref(sh.name, first, row - 1, 8, &vals);
            lxw_chart_series *s = chart_add_series(chart, cats.data, vals.data);
            if (s) {
                chart_series_set_name_range(s, sh.name, (lxw_row_t)first, 0);
                chart_series_set_labels(s);
            } else {
                note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
            }
            rg_buf_fini(&cats);
            rg_buf_fini(&vals);
        }
    }
    if (rc == 0) {
        highlight_missed(&sh, 3, row - 1, 8);
        note(b, worksheet_write_string(sh.ws, (lxw_row_t)(row + 1), 0,
                                              "注：各年目标为上一年报告中的计划；完成率为实际值与"
                                              "目标之比，无目标时为与全年预计之比。",
                                              NULL));
        note(b, worksheet_print_area(sh.ws, 0, 0, (lxw_row_t)(row + 1), 10));
        if (chart) {
            chart_title_set_name_range(chart, sh.name, 0, 0); /* the sheet's title cell */
            chart_axis_set_num_format(chart->y_axis, "0%");
            chart_legend_set_position(chart, LXW_CHART_LEGEND_RIGHT);
            b->years_chart = chart;
        }
        close_sheet(&sh);
    }
    rg_buf_fini(&title);
    return rc;
}


/* The formats every sheet uses; -1 when libxlsxwriter has no memory for one. */
static int add_formats(book *b)
{
    lxw_format **all[] = {&b->title, &b->info, &b->header, &b->text, &b->percent,
                          &b->missed, &b->mismatch};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(*all[i] = workbook_add_format(b->wb))) {
            note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return -1;
        }
    format_set_bold(b->title);
    format_set_font_size(b->title, 16);
    format_set_align(b->title, LXW_ALIGN_CENTER);
    format_set_align(b->title, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(b->info);
    format_set_align(b->info, LXW_ALIGN_VERTICAL_TOP);
    format_set_bold(b->header);
    format_set_border(b->header, LXW_BORDER_THIN);
    format_set_align(b->header, LXW_ALIGN_CENTER);
    format_set_text_wrap(b->header);
    format_set_bg_color(b->header, 0xD9E1F2);
    format_set_border(b->text, LXW_BORDER_THIN);
    format_set_num_format(b->percent, "0.0%");
    format_set_border(b->percent, LXW_BORDER_THIN);
    /* Conditional formats: a target not met, a sum that disagrees. */
    format_set_bg_color(b->missed, 0xFFC7CE);
    format_set_font_color(b->missed, 0x9C0006);
    format_set_bg_color(b->mismatch, 0xFFEB9C);
    format_set_font_color(b->mismatch, 0x9C5700);
    return 0;
}

/* workbook_close assembles the file, and when that fails libxlsxwriter
 * prints its own lines to stderr ("[ERROR][packager.c:1541]...") before
 * returning the code; the caller's message says it instead. So stderr is
 * pointed at /dev/null meanwhile (the program itself prints nothing then:
 * its messages are collected and printed by the caller). The errno of the
 * failure is kept. */
static lxw_error close_quietly(lxw_workbook *wb, int *err)
{
    fflush(stderr);
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    bool muted = saved >= 0 && null >= 0 && dup2(null, STDERR_FILENO) >= 0;
    if (null >= 0)
        close(null);
    errno = 0;
    lxw_error closed = workbook_close(wb);
    *err = errno;
    if (muted)
        dup2(saved, STDERR_FILENO);
    if (saved >= 0)
        close(saved);
    return closed;
}

int xlsx_write(const model *m, const char *path, const char *name, time_t created, rg_diags *diags)
{
    char *folder = xlsx_folder_of(name); /* path may be /proc/self/fd/N */
    const char *scratch = xlsx_scratch_folder(folder);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = (char *)scratch};
    book b = {.m = m};
    b.wb = workbook_new_opt(path, &opt);
    if (!b.wb) {
        rg_diag_add(diags, RG_ERROR, name, 0, 0, "cannot start the workbook: out of memory");
        free(folder);
        return -1;
    }
    rg_buf title = {0};
    rg_buf_printf(&title, "%s%d年主要指标完成情况和%d年工作目标", m->park, m->year, m->plan_year);
    char subject[] = "工作总结和工作计划";
    lxw_doc_properties props = {
        .title = title.data, .author = m->author ? m->author : m->park, .company = m->park,
        .subject = subject, .created = created};
    note(&b, workbook_set_properties(b.wb, &props));

    int rc = add_formats(&b) == 0 && actuals_sheet(&b, diags) == 0 && plan_sheet(&b, diags) == 0 &&
                     sectors_sheet(&b, diags) == 0 && promotion_sheet(&b, diags) == 0 &&
                     projects_sheet(&b, diags) == 0 && years_sheet(&b, diags) == 0
                 ? 0
                 : -1;
    if (rc == 0 && b.completion_chart)
        chart_sheet(&b, "完成率图", b.completion_chart);
    if (rc == 0 && b.sector_chart)
        chart_sheet(&b, "产业结构图", b.sector_chart);
    if (rc == 0 && b.years_chart)
        chart_sheet(&b, "历年完成率图", b.years_chart);
    if (b.too_precise) {
        const model_figure *f = b.too_precise;
        rg_diag_add(diags, RG_ERROR, m->file, f->line, f->col,
                    "%s has %d significant digits, more than the %d a workbook cell shows; round "
                    "it to %d", f->text, xlsx_significant_digits(f->value), XLSX_MAX_DIGITS,
                    XLSX_MAX_DIGITS);
        rc = -1;
    } else if (b.too_long) {
        size_t cut = 0; /* the first 20 characters, to name it */
        for (int k = 0; k < 20 && b.too_long[cut]; k++)
            do
                cut++;
            while (((unsigned char)b.too_long[cut] & 0xC0) == 0x80);
        rg_diag_add(diags, RG_ERROR, m->file, 0, 0,
                    "a text of more than %d characters does not fit in a cell of the "
                    "workbook: \"%.*s…\"; shorten it", XLSX_MAX_STRING, (int)cut, b.too_long);
        rc = -1;
    } else if (rc == 0 && b.err != LXW_NO_ERROR) {
        rg_diag_add(diags, RG_ERROR, name, 0, 0, "cannot make the workbook: %s",
                    lxw_strerror(b.err));
        rc = -1;
    }
    int err = 0;
    lxw_error closed = close_quietly(b.wb, &err); /* frees the workbook in every case */
    rg_buf_fini(&title);
    if (rc == 0 && closed != LXW_NO_ERROR) {
        xlsx_tell_write_failure(name, folder, scratch, err, lxw_strerror(closed), diags);
        rc = -1;
    }
    if (rc == 0)
        rc = xlsx_verify(path, name, diags);
    free(folder);
    return rc;
}

