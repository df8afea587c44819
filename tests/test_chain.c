/* Unit tests of chains of reports (model_chain.h) and of the scaffold
 * (scaffold.h): targets from last year's plan, growth checked against last
 * year's figures, each kind of broken chain, figures still to be filled, and
 * the scaffold read back. */
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
#include "model_chain.h"
#include "model_tmpl.h"
#include "scaffold.h"

#define SEED TEST_SOURCE_DIR "/input/park-2023.xml"

typedef struct fixture {
    model_loader *ld;
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    f->ld = model_loader_new();
    strcpy(f->dir, "/tmp/test_chain.XXXXXX");
    if (!f->ld || !mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    model_loader_free(f->ld);
    free(f);
    return 0;
}

/* Writes DIR/name; returns its path (owned by the caller). */
static char *put(const fixture *f, const char *name, const char *text)
{
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/%s", f->dir, name);
    assert_int_equal(rg_write_file(path.data, "wb", text, strlen(text)), 0);
    return rg_buf_take(&path);
}

/* A small report (report_xml) written as DIR/name. */
static char *report_xml(int year, const char *park, const char *attrs, const char *indicators);
static void put_report(const fixture *f, const char *name, int year, const char *park,
                       const char *attrs)
{
    char *xml = report_xml(year, park, attrs, "");
    free(put(f, name, xml));
    free(xml);
}

/* The seed, copied into the fixture's folder as park-2023.xml. */
static void put_seed(const fixture *f)
{
    rg_buf seed = {0};
    assert_int_equal(rg_read_file(SEED, MODEL_MAX_FILE_BYTES, &seed), 0);
    free(put(f, "park-2023.xml", seed.data));
    rg_buf_fini(&seed);
}

/* A small report: attrs go on <report>, indicators inside <indicators>. */
static char *report_xml(int year, const char *park, const char *attrs, const char *indicators)
{
    rg_buf b = {0};
    rg_buf_printf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<report year=\"%d\" plan-year=\"%d\" period=\"1-11月\"%s>\n"
                  "  <park>%s</park>\n"
                  "  <indicators>\n%s  </indicators>\n"
                  "  <narrative><section title=\"一\"><p>文字</p></section></narrative>\n"
                  "</report>\n",
                  year, year + 1, attrs, park,
                  *indicators ? indicators
                              : "    <indicator id=\"tax\" name=\"税收\" unit=\"亿元\"/>\n");
    return rg_buf_take(&b);
}

static char *diags_text(const rg_diags *d)
{
    rg_buf b = {0};
    rg_buf_append(&b, "", 0);
    for (size_t i = 0; i < d->count; i++)
        rg_diag_format(&d->items[i], &b);
    return rg_buf_take(&b);
}

static void assert_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" not found in:\n%s", part, text);
}

/* Loads path and its chain; *rc is what model_chain_load returned. */
static model *load_chain(const fixture *f, const char *path, rg_diags *d, int *rc)
{
    model *m = model_load(f->ld, path, d);
    assert_non_null(m);
    *rc = model_chain_load(f->ld, m, d);
    return m;
}

static const model_indicator *indicator(const model *m, const char *id)
{
    for (size_t i = 0; i < m->nindicators; i++)
        if (strcmp(m->indicators[i].id, id) == 0)
            return &m->indicators[i];
    fail_msg("no indicator %s", id);
    return NULL;
}

static const char *const ind_2024 =
    "    <indicator id=\"output\" name=\"工业总产值\" unit=\"亿元\">\n"
    "      <actual>141.6</actual><actual-growth>14.01</actual-growth>\n"
    "      <forecast>158.2</forecast><forecast-growth>13</forecast-growth>\n"
    "    </indicator>\n"
    "    <indicator id=\"tax\" name=\"税收\" unit=\"亿元\">\n"
    "      <actual>1.61</actual><actual-growth>5.92</actual-growth>\n"
    "    </indicator>\n"
    "    <indicator id=\"resettlement-housing\" name=\"新建安置房\" unit=\"万平方米\">\n"
    "      <actual>11</actual>\n"
    "    </indicator>\n"
    "    <indicator id=\"land-utilisation\" name=\"已供土地利用率\" unit=\"%\">\n"
    "      <actual>24.9</actual>\n"
    "    </indicator>\n";

static void test_targets_come_from_last_years_plan(void **state)
{
    fixture *f = *state;
    put_seed(f);
    char *xml = report_xml(2024, "工业园区", " previous=\"park-2023.xml\"", ind_2024);
    char *path = put(f, "park-2024.xml", xml);
    rg_diags d = {0};
    int rc;
    model *m = load_chain(f, path, &d, &rc);
    char *text = diags_text(&d);
    assert_int_equal(rc, 0);
    assert_int_equal(d.errors, 0);
    assert_non_null(m->prev);
    assert_int_equal(m->prev->year, 2023);

    const model_indicator *out = indicator(m, "output");
    const model_figure *t = out->slot[MODEL_TARGET];
    assert_non_null(t);
    assert_string_equal(t->text, "200");
    assert_string_equal(t->unit, "亿元");
    assert_ptr_equal(model_figure_find(m, "output.target"), t);
    assert_non_null(out->target_from);
    assert_int_equal(out->target_from->line, 17);
    assert_ptr_equal(out->last_year, indicator(m->prev, "output"));
    rg_dec pct;
    bool met = true;
    assert_true(model_completion_percent(out, &pct)); /* 141.6 / 200 */
    assert_int_equal(pct.coef, 708), assert_int_equal(pct.scale, 1);
    assert_true(model_target_met(out, &met));
    assert_false(met);
    rg_buf note = {0};
    model_target_note(m, out, &note);
    assert_string_equal(note.data, "取自park-2023.xml第17行的2024年计划");
    rg_buf_fini(&note);

    /* 不低于 stays 不低于: 11 of at least 11 is met, 24.9 of at least 25 is not. */
    const model_indicator *housing = indicator(m, "resettlement-housing");
    assert_int_equal(housing->target_bound, MODEL_BOUND_AT_LEAST);
    assert_true(model_target_met(housing, &met));
    assert_true(met);
    const model_indicator *land = indicator(m, "land-utilisation");
    assert_int_equal(land->target_bound, MODEL_BOUND_AT_LEAST);
    assert_true(model_target_met(land, &met));
    assert_false(met);
    /* Correct growth rates: no warning about them; the plans with no
     * indicator here are named. */
    assert_null(strstr(text, "grew by"));
    assert_has(text, "park-2024.xml:2:53: warning: the 2024 plan for 新增11亿级企业 at ");
    /* The seed's own warnings carry its name. */
    assert_has(text, "park-2023.xml:86:5: warning: the stated investment");

    /* Template data: the target, its status and source. */
    tval *data = model_tmpl_data(m);
    const tval *inds = tval_get(data, "indicators", 10);
    const tval *first = inds->items[0];
    assert_string_equal(tval_get(first, "status", 6)->s, "尚未完成"); /* 1-11月: not yet */
    assert_string_equal(tval_get(first, "target_note", 11)->s,
                        "取自park-2023.xml第17行的2024年计划");
    assert_true(tval_get(data, "has_targets", 11)->b);
    assert_int_equal(tval_get(data, "history", 7)->kind, TVAL_MAP);
    tval_free(data);
    free(text), free(xml), free(path);
    rg_diags_fini(&d);
    model_free(m);
}

static void test_target_written_here_must_agree(void **state)
{
    fixture *f = *state;
    put_seed(f);
    char *xml = report_xml(2024, "工业园区", " previous=\"park-2023.xml\"",
                           "    <indicator id=\"output\" name=\"工业总产值\" unit=\"亿元\">\n"
                           "      <target>190</target><actual>141.6</actual>\n"
                           "    </indicator>\n"
                           "    <indicator id=\"standard-factories\" name=\"新建各类标准厂房\" "
                           "unit=\"万平方米\">\n"
                           "      <target>30.0</target><actual>26.5</actual>\n"
                           "    </indicator>\n");
    char *path = put(f, "park-2024.xml", xml);
    rg_diags d = {0};
    int rc;
    model *m = load_chain(f, path, &d, &rc);
    char *text = diags_text(&d);
    assert_int_equal(rc, 0);
    /* Both numbers, both places; the plan is used. */
    assert_has(text, "park-2024.xml:6:7: warning: the target of 工业总产值 is 190亿元 here, but "
                     "the 2024 plan at ");
    assert_has(text, "park-2023.xml:17 is 200亿元");
    assert_string_equal(indicator(m, "output")->slot[MODEL_TARGET]->text, "200");
    /* 30.0 is 30: no warning. */
    assert_null(strstr(text, "新建各类标准厂房 is"));
    free(text), free(xml), free(path);
    rg_diags_fini(&d);
    model_free(m);
}

static void test_growth_checked_against_last_year(void **state)
{
    fixture *f = *state;
    put_seed(f);
    char *xml = report_xml(2024, "工业园区", " previous=\"park-2023.xml\"",
                           "    <indicator id=\"output\" name=\"工业总产值\" unit=\"亿元\">\n"
                           "      <actual>141.6</actual><actual-growth>14.01</actual-growth>\n"
                           "      <forecast>158.2</forecast><forecast-growth>20</forecast-growth>\n"
                           "    </indicator>\n"
                           "    <indicator id=\"tax\" name=\"税收\" unit=\"亿元\">\n"
                           "      <actual>1.61</actual><actual-growth>12</actual-growth>\n"
                           "    </indicator>\n");
    char *path = put(f, "park-2024.xml", xml);
    rg_diags d = {0};
    int rc;
    model *m = load_chain(f, path, &d, &rc);
    char *text = diags_text(&d);
    assert_int_equal(rc, 0);
    /* The three numbers: last year's, this year's, the stated growth. */
    assert_has(text, "park-2024.xml:10:28: warning: 税收 grew by 5.9% from 1.52亿元 "
                     "(2023年1-11月, ");
    assert_has(text, "park-2023.xml:20) to 1.61亿元 (line 10), but the stated growth is 12%");
    /* Forecast against forecast: 140 -> 158.2 is 13%. */
    assert_has(text, "工业总产值 grew by 13.0% from 140亿元 (2023年全年预计, ");
    /* 124.2 -> 141.6 is 14.01%: as stated. */
    assert_null(strstr(text, "grew by 14.0"));
    free(text), free(xml), free(path);
    rg_diags_fini(&d);
    model_free(m);

    /* Another period: the actuals are not compared, the forecasts are. */
    xml = report_xml(2024, "工业园区", " previous=\"park-2023.xml\"",
                     "    <indicator id=\"tax\" name=\"税收\" unit=\"亿元\">\n"
                     "      <actual>1.61</actual><actual-growth>12</actual-growth>\n"
                     "    </indicator>\n");
    char *other = strstr(xml, "1-11月");
    memcpy(other, "1-12", 4);
    path = put(f, "park-2024.xml", xml);
    rg_diags d2 = {0};
    m = load_chain(f, path, &d2, &rc);
    text = diags_text(&d2);
    assert_null(strstr(text, "grew by"));
    free(text), free(xml), free(path);
    rg_diags_fini(&d2);
    model_free(m);
}

/* Loads a 2024 report with attrs and expects the chain refused with
 * `message` at the previous attribute of `where`. */
static void expect_refused(const fixture *f, const char *attrs, const char *where,
                           const char *message)
{
    char *xml = report_xml(2024, "工业园区", attrs,
                           "    <indicator id=\"tax\" name=\"税收\" unit=\"亿元\">"
                           "<actual>1.61</actual></indicator>\n");
    char *path = put(f, "park-2024.xml", xml);
    rg_diags d = {0};
    int rc;
    model *m = load_chain(f, path, &d, &rc);
    char *text = diags_text(&d);
    assert_int_equal(rc, -1);
    assert_null(m->prev);
    rg_buf at = {0};
    rg_buf_printf(&at, "/%s:2:53: error: previous=\"", where);
    assert_has(text, at.data);
    assert_has(text, message);
    rg_buf_fini(&at);
    free(text), free(xml), free(path);
    rg_diags_fini(&d);
    model_free(m);
}

static void test_broken_chains_are_errors(void **state)
{
    fixture *f = *state;
    expect_refused(f, " previous=\"park-2023.xml\"", "park-2024.xml",
                   "park-2023.xml: No such file or directory");
    put_report(f, "other.xml", 2023, "另一园区", "");
    expect_refused(f, " previous=\"other.xml\"", "park-2024.xml", "other.xml is the report of 另一园区, not of 工业园区");
    put_report(f, "old.xml", 2022, "工业园区", "");
    expect_refused(f, " previous=\"old.xml\"", "park-2024.xml", "old.xml is the report of 2022, not of 2023");
    /* Its own errors carry its own name, then the link says it cannot be used. */
    free(put(f, "broken.xml", "<report year=\"2023\">"));
    expect_refused(f, " previous=\"broken.xml\"", "park-2024.xml", "broken.xml cannot be used");
    expect_refused(f, " previous=\"broken.xml\"", "park-2024.xml", "/broken.xml:1:");
    /* A report naming itself, and two naming each other. */
    expect_refused(f, " previous=\"park-2024.xml\"", "park-2024.xml",
                   "park-2024.xml is already in this chain");
    put_report(f, "loop-2023.xml", 2023, "工业园区", " previous=\"park-2024.xml\"");
    expect_refused(f, " previous=\"loop-2023.xml\"", "loop-2023.xml",
                   "park-2024.xml is already in this chain");
}

static void test_chain_is_bounded(void **state)
{
    fixture *f = *state;
    /* 2013 <- 2014 <- ... <- 2023: eleven files; the twelfth, 2024, names 2023. */
    for (int y = 2013; y <= 2023; y++) {
        char name[32], attrs[64];
        snprintf(name, sizeof name, "p%d.xml", y);
        snprintf(attrs, sizeof attrs, y > 2013 ? " previous=\"p%d.xml\"" : "", y - 1);
        char *xml = report_xml(y, "工业园区", attrs, "");
        free(put(f, name, xml));
        free(xml);
    }
    char *xml = report_xml(2024, "工业园区", " previous=\"p2023.xml\"", "");
    char *path = put(f, "p2024.xml", xml);
    rg_diags d = {0};
    int rc;
    model *m = load_chain(f, path, &d, &rc);
    char *text = diags_text(&d);
    assert_int_equal(rc, -1);
    assert_has(text, "p2015.xml:2:53: error: previous=\"p2014.xml\": a chain of reports holds at "
                     "most 10 files");
    free(text), free(xml), free(path);
    rg_diags_fini(&d);
    model_free(m);

    /* Ten files are a chain. */
    xml = report_xml(2024, "工业园区", " previous=\"p2023.xml\"", "");
    char *first = report_xml(2015, "工业园区", "", "");
    free(put(f, "p2015.xml", first));
    free(first);
    path = put(f, "p2024.xml", xml);
    rg_diags d2 = {0};
    m = load_chain(f, path, &d2, &rc);
    assert_int_equal(rc, 0);
    int n = 0;
    for (const model *y = m; y; y = y->prev)
        n++;
    assert_int_equal(n, MODEL_MAX_CHAIN);
    free(xml), free(path);
    rg_diags_fini(&d2);
    model_free(m);
}

/* The seed's scaffold: every figure to fill is a warning with its place, and
 * the half-filled file loads. */
static void test_scaffold_lists_what_to_fill(void **state)
{
    fixture *f = *state;
    rg_diags d = {0};
    model *seed = model_load(f->ld, SEED, &d);
    assert_non_null(seed);
    rg_buf out = {0};
    scaffold_write(seed, "park-2023.xml", &out);
    assert_has(out.data, "<report year=\"2024\" plan-year=\"2025\" period=\"1-11月\" "
                         "previous=\"park-2023.xml\">");
    assert_has(out.data, "<target bound=\"at-least\">11</target>");
    assert_has(out.data, "<section title=\"2025年工作计划\">");
    assert_has(out.data, "<actual ref=\"promotion.projects\"/>");
    rg_diags d2 = {0};
    model *m = model_load_buffer(f->ld, "next.xml", out.data, out.len, &d2);
    char *text = diags_text(&d2);
    assert_non_null(m);
    assert_int_equal(d2.errors, 0);
    assert_has(text, "next.xml:10:7: warning: to fill: firms.actual is still 待填");
    assert_has(text, "warning: to fill: an item of groups.completed is still 待填");
    /* One warning for each 待填 in the file. */
    size_t fills = 0;
    for (const char *p = out.data; (p = strstr(p, "待填")) != NULL; p++)
        fills++;
    assert_int_equal(d2.warnings, fills - 1); /* the header comment mentions it once */
    assert_null(model_figure_find(m, "output.actual"));
    assert_null(model_figure_find(m, "projects-attracted.actual")); /* its ref is to fill */
    assert_string_equal(model_figure_find(m, "output.target")->text, "200");
    free(text);
    rg_diags_fini(&d2);
    model_free(m);
    rg_buf_fini(&out);
    rg_diags_fini(&d);
    model_free(seed);
}

/* Names go back into XML escaped: the scaffold reads back to the same names. */
static void test_scaffold_escapes_names(void **state)
{
    fixture *f = *state;
    char *xml = report_xml(2023, "A&amp;B &lt;园&gt; \"q\" 'a'", "",
                           "    <indicator id=\"x\" name=\"&lt;/name&gt;&amp;&quot;\" unit=\"&amp;\">"
                           "<plan name=\"x&quot; bound=&quot;at-most\">3</plan></indicator>\n");
    rg_diags d = {0};
    model *m = model_load_buffer(f->ld, "a.xml", xml, strlen(xml), &d);
    assert_non_null(m);
    rg_buf out = {0};
    scaffold_write(m, "a&b\".xml", &out);
    rg_diags d2 = {0};
    model *back = model_load_buffer(f->ld, "b.xml", out.data, out.len, &d2);
    assert_non_null(back);
    assert_int_equal(d2.errors, 0);
    assert_string_equal(back->park, m->park);
    assert_string_equal(back->previous, "a&b\".xml");
    assert_string_equal(back->indicators[0].name, "</name>&\"");
    assert_string_equal(back->indicators[0].unit, "&");
    assert_string_equal(back->indicators[0].plan_name, "x\" bound=\"at-most");
    assert_int_equal(back->indicators[0].target_bound, MODEL_BOUND_EXACT);
    assert_string_equal(back->indicators[0].slot[MODEL_TARGET]->text, "3");
    rg_diags_fini(&d2);
    model_free(back);
    rg_buf_fini(&out);
    rg_diags_fini(&d);
    model_free(m);
    free(xml);
}

/* The round trip: the seed's scaffold with every figure filled in, beside the
 * seed, takes the 2023 plans as its targets. */
static void test_scaffold_filled_takes_the_plans(void **state)
{
    fixture *f = *state;
    put_seed(f);
    rg_diags d = {0};
    model *seed = model_load(f->ld, SEED, &d);
    rg_buf out = {0}, filled = {0};
    scaffold_write(seed, "park-2023.xml", &out);
    const char *body = strstr(out.data, "-->"); /* not the header comment's */
    rg_buf_append(&filled, out.data, (size_t)(body - out.data));
    for (const char *p = body; *p;) {
        if (strncmp(p, "待填", strlen("待填")) == 0) {
            rg_buf_puts(&filled, "7");
            p += strlen("待填");
        } else {
            rg_buf_putc(&filled, *p++);
        }
    }
    char *path = put(f, "park-2024.xml", filled.data);
    rg_diags d2 = {0};
    int rc;
    model *m = load_chain(f, path, &d2, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(d2.errors, 0);
    size_t plans = 0;
    for (size_t i = 0; i < seed->nindicators; i++) {
        const model_indicator *was = &seed->indicators[i];
        const model_indicator *now = indicator(m, was->id);
        if (!was->slot[MODEL_PLAN]) {
            assert_null(now->slot[MODEL_TARGET]);
            continue;
        }
        plans++;
        assert_string_equal(now->slot[MODEL_TARGET]->text, was->slot[MODEL_PLAN]->text);
        assert_int_equal(now->target_bound, was->plan_bound);
        assert_int_equal(now->target_from->line, was->slot[MODEL_PLAN]->line);
    }
    assert_int_equal(plans, 10);
    free(path);
    rg_buf_fini(&out);
    rg_buf_fini(&filled);
    rg_diags_fini(&d);
    rg_diags_fini(&d2);
    model_free(seed);
    model_free(m);
}

/* 不高于: met when the actual is at most the target. */
static void test_at_most_target(void **state)
{
    fixture *f = *state;
    char *xml = report_xml(2023, "工业园区", "",
                           "    <indicator id=\"energy\" name=\"单位产值能耗\" unit=\"吨标煤/万元\">"
                           "<actual>0.5</actual><plan bound=\"at-most\">0.46</plan></indicator>\n");
    free(put(f, "e-2023.xml", xml));
    free(xml);
    const char *actuals[] = {"0.46", "0.47"};
    for (int k = 0; k < 2; k++) {
        rg_buf inds = {0};
        rg_buf_printf(&inds, "    <indicator id=\"energy\" name=\"单位产值能耗\" "
                             "unit=\"吨标煤/万元\"><actual>%s</actual></indicator>\n", actuals[k]);
        xml = report_xml(2024, "工业园区", " previous=\"e-2023.xml\"", inds.data);
        char *path = put(f, "e-2024.xml", xml);
        rg_diags d = {0};
        int rc;
        model *m = load_chain(f, path, &d, &rc);
        assert_int_equal(rc, 0);
        const model_indicator *e = indicator(m, "energy");
        assert_int_equal(e->target_bound, MODEL_BOUND_AT_MOST);
        bool met = k == 1;
        assert_true(model_target_met(e, &met));
        assert_int_equal(met, k == 0);
        rg_buf_fini(&inds);
        free(xml), free(path);
        rg_diags_fini(&d);
        model_free(m);
    }
}

/* Last year's figure written here, and a sector's growth: checked too. */
static void test_written_previous_and_sectors(void **state)
{
    fixture *f = *state;
    put_seed(f);
    char *xml = report_xml(2024, "工业园区", " previous=\"park-2023.xml\"",
                           "    <indicator id=\"tax\" name=\"税收\" unit=\"亿元\">\n"
                           "      <previous>1.5</previous><actual>1.61</actual>\n"
                           "    </indicator>\n");
    /* A sector after the indicators: textile 43.55 -> 49.8 is 14.35%, not 20%. */
    char *at = strstr(xml, "  <narrative>");
    rg_buf with = {0};
    rg_buf_append(&with, xml, (size_t)(at - xml));
    rg_buf_puts(&with, "  <sectors><sector id=\"textile\" name=\"纺织鞋服\"><output>49.8</output>"
                       "<growth>20</growth></sector></sectors>\n");
    rg_buf_puts(&with, at);
    char *path = put(f, "park-2024.xml", with.data);
    rg_diags d = {0};
    int rc;
    model *m = load_chain(f, path, &d, &rc);
    char *text = diags_text(&d);
    assert_int_equal(rc, 0);
    assert_has(text, "park-2024.xml:6:7: warning: 税收 of 2023年1-11月 is written 1.5亿元 here, "
                     "but ");
    assert_has(text, "park-2023.xml:20 has 1.52亿元");
    assert_has(text, "warning: 纺织鞋服 grew by 14.4% from 43.55亿元 (2023年1-11月, ");
    free(text), free(xml), free(path);
    rg_buf_fini(&with);
    rg_diags_fini(&d);
    model_free(m);
}

/* No previous: nothing changes. */
static void test_no_previous_is_unchanged(void **state)
{
    fixture *f = *state;
    rg_diags d = {0};
    model *m = model_load(f->ld, SEED, &d);
    size_t before = d.count, figures = m->nfigures;
    assert_int_equal(model_chain_load(f->ld, m, &d), 0);
    assert_int_equal(d.count, before);
    assert_int_equal(m->nfigures, figures);
    assert_null(m->prev);
    assert_null(indicator(m, "output")->slot[MODEL_TARGET]);
    rg_buf note = {0};
    model_target_note(m, indicator(m, "output"), &note);
    assert_string_equal(note.data, "无目标，按全年预计");
    rg_buf_fini(&note);
    rg_diags_fini(&d);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_targets_come_from_last_years_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_written_here_must_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_growth_checked_against_last_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_chains_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scaffold_lists_what_to_fill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scaffold_escapes_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scaffold_filled_takes_the_plans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_previous_is_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_at_most_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_written_previous_and_sectors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
