/* model_tmpl.c - the model as template data: the adapter between the model
 * and the template engine, which know nothing of each other. The names are
 * listed for template writers in docs/templates.md. */
#include "model_tmpl.h"

#include "model_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A per cent the model computed (rounded once), or null. */
static tval *percent_value(bool ok, rg_dec pct)
{
    if (!ok)
        return tval_null();
    rg_buf b = {0};
    rg_dec_format(pct, &b);
    tval *v = tval_number(b.data, "%");
    rg_buf_fini(&b);
    return v;
}

static tval *figure_value(const model_figure *f)
{
    return f ? tval_number(f->text, f->unit) : tval_null();
}

/* A figure in another unit of its kind (the row's), or as it is. */
static tval *figure_in(const model_figure *f, const char *unit)
{
    rg_dec v;
    if (!f || !unit || !model_figure_in(f, unit, &v) || strcmp(f->unit, unit) == 0)
        return figure_value(f);
    rg_buf b = {0};
    rg_dec_format(v, &b);
    tval *t = tval_number(b.data, unit);
    rg_buf_fini(&b);
    return t;
}

static tval *child_map(tval *map, const char *key, size_t len)
{
    for (size_t i = 0; i < map->n; i++)
        if (strlen(map->keys[i]) == len && memcmp(map->keys[i], key, len) == 0) {
            tval *c = map->items[i];
            if (c->kind != TVAL_MAP) {
                /* "a" is a figure and "a.b" another: the number moves to a.value. */
                tval *m = tval_map();
                tval_set(m, "value", c);
                map->items[i] = c = m;
            }
            return c;
        }
    char *k = xstrndup(key, len);
    tval *c = tval_set(map, k, tval_map());
    free(k);
    return c;
}

/* Every figure by its reference id, split at the dots: fig.output.actual. */
static tval *figures_data(const model *m)
{
    tval *root = tval_map();
    for (size_t i = 0; i < m->nfigures; i++) {
        const model_figure *f = m->figures[i];
        tval *at = root;
        const char *part = f->id, *dot;
        while ((dot = strchr(part, '.')) != NULL) {
            at = child_map(at, part, (size_t)(dot - part));
            part = dot + 1;
        }
        if (tval_get(at, part, strlen(part)))
            tval_set(child_map(at, part, strlen(part)), "value", figure_value(f));
        else
            tval_set(at, part, figure_value(f));
    }
    return root;
}

/* This year's target: its bound, whether it is met, where it came from. */
static void target_data(const model *m, const model_indicator *ind, tval *t)
{
    bool bounded = ind->slot[MODEL_TARGET] != NULL;
    tval_set(t, "target_at_least", tval_bool(bounded && ind->target_bound == MODEL_BOUND_AT_LEAST));
    tval_set(t, "target_at_most", tval_bool(bounded && ind->target_bound == MODEL_BOUND_AT_MOST));
    bool met;
    tval_set(t, "status", model_target_met(ind, &met) ? tval_string(model_status(m, met))
                                                       : tval_null());
    /* The target and the actual in one unit, the actual's (as the
     * workbook's row): 12亿元 beside 98600万元 is 120000. */
    const model_figure *act = ind->slot[MODEL_ACTUAL];
    const char *row_unit = act ? act->unit : ind->unit;
    tval_set(t, "row_unit", tval_string(row_unit));
    tval_set(t, "target_shown", figure_in(ind->slot[MODEL_TARGET], row_unit));
    rg_buf note = {0};
    model_target_note(m, ind, &note);
    tval_set(t, "target_note", tval_string_take(rg_buf_take(&note)));
}

/* A derived figure by its id, as the model rounded it, or null. */
static tval *derived_value(const model *m, const char *id, const char *what)
{
    rg_buf b = {0};
    rg_buf_printf(&b, "%s.%s", id, what);
    const model_figure *f = model_figure_find(m, b.data);
    rg_buf_fini(&b);
    return figure_value(f);
}

static tval *indicator_data(const model *m, const model_indicator *ind)
{
    static const char *const slot_name[MODEL_SLOT_COUNT] = {
        "previous", "target", "actual", "actual_growth", "forecast", "forecast_growth", "plan",
        "estimate", "estimate_growth"};
    tval *t = tval_map();
    {
        tval_set(t, "id", tval_string(ind->id));
        tval_set(t, "name", tval_string(ind->name));
        tval_set(t, "unit", tval_string(ind->unit));
        for (int s = 0; s < MODEL_SLOT_COUNT; s++)
            tval_set(t, slot_name[s], figure_value(ind->slot[s]));
        tval_set(t, "plan_name", tval_string(ind->plan_name ? ind->plan_name : ind->name));
        tval_set(t, "base", figure_in(model_plan_base(ind),
                                      ind->slot[MODEL_PLAN] ? ind->slot[MODEL_PLAN]->unit : NULL));
        tval_set(t, "at_least", tval_bool(ind->plan_bound == MODEL_BOUND_AT_LEAST));
        tval_set(t, "at_most", tval_bool(ind->plan_bound == MODEL_BOUND_AT_MOST));
        tval_set(t, "estimate_period",
                 ind->estimate_period ? tval_string(ind->estimate_period) : tval_null());
        const model_figure *base = model_plan_base(ind);
        tval_set(t, "base_kind", !base ? tval_null()
                                 : base == ind->slot[MODEL_FORECAST] ? tval_string("全年预计")
                                                                     : tval_string("全年实际"));
        const char *missing = model_plan_base_missing(ind);
        tval_set(t, "base_missing", missing ? tval_string(missing) : tval_null());
        tval *completion = derived_value(m, ind->id, "completion");
        bool against_target = completion->kind != TVAL_NULL && ind->slot[MODEL_TARGET];
        tval_set(t, "completion", completion);
        tval_set(t, "completion_against",
                 completion->kind == TVAL_NULL ? tval_null()
                 : against_target              ? tval_string("target")
                                               : tval_string("forecast"));
        bool met;
        tval_set(t, "completion_status", against_target && model_target_met(ind, &met)
                                             ? tval_string(model_status(m, met))
                                             : tval_null());
        tval_set(t, "growth_needed", derived_value(m, ind->id, "growth-needed"));
        tval_set(t, "points_needed", derived_value(m, ind->id, "points-needed"));
        tval_set(t, "actual_change", derived_value(m, ind->id, "actual-change"));
        target_data(m, ind, t);
    }
    return t;
}

/* A chain of reports (model_chain.h): each indicator's completion in each
 * year, oldest first, for a multi-year table; null without a chain. */
static tval *history_data(const model *m)
{
    if (!m->prev)
        return tval_null();
    const model *years[MODEL_MAX_CHAIN];
    int nyears = 0;
    for (const model *y = m; y && nyears < MODEL_MAX_CHAIN; y = y->prev)
        years[nyears++] = y;
    tval *h = tval_map();
    char year[16];
    snprintf(year, sizeof year, "%d", years[nyears - 1]->year);
    tval_set(h, "first_year", tval_number(year, NULL));
    tval *ylist = tval_set(h, "years", tval_list());
    for (int k = nyears - 1; k >= 0; k--) {
        snprintf(year, sizeof year, "%d", years[k]->year);
        tval_set(tval_push(ylist, tval_map()), "year", tval_number(year, NULL));
    }
    tval *list = tval_set(h, "indicators", tval_list());
    for (size_t i = 0; i < m->nindicators; i++) {
        const model_indicator *each[MODEL_MAX_CHAIN], *ind = &m->indicators[i];
        bool any = false;
        for (int k = 0; k < nyears; k++, ind = ind ? ind->last_year : NULL) {
            rg_dec x;
            each[k] = ind;
            any = any || (ind && model_completion_percent(ind, &x));
        }
        if (!any)
            continue;
        tval *t = tval_push(list, tval_map());
        tval_set(t, "name", tval_string(m->indicators[i].name));
        tval *cells = tval_set(t, "years", tval_list());
        for (int k = nyears - 1; k >= 0; k--) {
            rg_dec x;
            bool ok = each[k] && model_completion_percent(each[k], &x);
            tval_set(tval_push(cells, tval_map()), "completion", percent_value(ok, x));
        }
    }
    return h;
}

/* The indicators, and the lists of those that have an actual, an estimate,
 * a forecast, a completion rate, a plan: a template joins them with no gap. */
static void indicators_data(const model *m, tval *root)
{
    tval *all = tval_set(root, "indicators", tval_list());
    tval *with[5] = {tval_set(root, "actuals", tval_list()),
                     tval_set(root, "estimates", tval_list()),
                     tval_set(root, "forecasts", tval_list()),
                     tval_set(root, "completions", tval_list()),
                     tval_set(root, "plans", tval_list())};
    bool against_target = false, against_forecast = false, plan_note = false;
    for (size_t i = 0; i < m->nindicators; i++) {
        const model_indicator *ind = &m->indicators[i];
        rg_dec x;
        bool completion = model_completion_percent(ind, &x);
        bool has[5] = {ind->slot[MODEL_ACTUAL] != NULL, ind->slot[MODEL_ESTIMATE] != NULL,
                       ind->slot[MODEL_FORECAST] != NULL, completion,
                       ind->slot[MODEL_PLAN] != NULL};
        tval_push(all, indicator_data(m, ind));
        for (int k = 0; k < 5; k++)
            if (has[k])
                tval_push(with[k], indicator_data(m, ind));
        against_target = against_target || (completion && ind->slot[MODEL_TARGET]);
        against_forecast = against_forecast || (completion && !ind->slot[MODEL_TARGET]);
        const char *missing = model_plan_base_missing(ind);
        plan_note = plan_note || (missing && strcmp(missing, "无全年数") == 0);
    }
    /* What the completion rates are measured against, for captions. */
    tval_set(root, "completion_against",
             against_target && against_forecast ? tval_string("目标（无目标的为全年预计）")
             : against_target                   ? tval_string("目标")
             : against_forecast                 ? tval_string("全年预计")
                                                : tval_null());
    tval_set(root, "plan_base_note", tval_bool(plan_note));
}

static tval *sector_data(const model *m, const model_sector *s, const char *output_unit)
{
    static const char *const role_name[] = {"other", "leading", "featured"};
    tval *t = tval_map();
    tval_set(t, "id", tval_string(s->id));
    tval_set(t, "name", tval_string(s->name));
    tval_set(t, "role", tval_string(role_name[s->role]));
    tval_set(t, "firms", figure_value(s->firms));
    tval_set(t, "output", figure_value(s->output));
    /* In the unit of the park's output (else the first sector's), for a chart. */
    tval_set(t, "output_shown", figure_in(s->output, output_unit));
    tval_set(t, "growth", figure_value(s->growth));
    rg_buf b = {0};
    rg_buf_printf(&b, "sectors.%s", s->id);
    tval_set(t, "share", derived_value(m, b.data, "share"));
    rg_buf_fini(&b);
    return t;
}

/* The sectors; those that have an output, and the unit they are shown in:
 * the park's output's, else the first sector's. */
static void sectors_data(const model *m, tval *root)
{
    tval *all = tval_set(root, "sectors", tval_list());
    tval *outputs = tval_set(root, "sector_outputs", tval_list());
    const model_figure *total = model_figure_find(m, "output.actual");
    const char *unit = total ? total->unit : NULL;
    for (size_t i = 0; i < m->nsectors && !unit; i++)
        if (m->sectors[i].output)
            unit = m->sectors[i].output->unit;
    bool any = false;
    for (size_t i = 0; i < m->nsectors; i++) {
        const model_sector *s = &m->sectors[i];
        tval_push(all, sector_data(m, s, unit));
        if (s->output)
            tval_push(outputs, sector_data(m, s, unit)), any = true;
    }
    tval_set(root, "sector_output_unit", any ? tval_string(unit) : tval_null());
}

static tval *groups_data(const model *m)
{
    tval *map = tval_map();
    for (size_t i = 0; i < m->ngroups; i++) {
        const model_group *g = &m->groups[i];
        tval *t = tval_set(map, g->id, tval_map());
        tval_set(t, "status", tval_string(g->status));
        tval_set(t, "count", figure_value(g->count));
        tval_set(t, "partial", tval_bool(g->partial));
        tval *items = tval_set(t, "items", tval_list());
        for (size_t k = 0; k < g->nitems; k++)
            tval_push(items, tval_string(g->items[k]));
    }
    return map;
}

static tval *paragraphs_data(const model_paragraph *ps, size_t n)
{
    tval *list = tval_list();
    for (size_t i = 0; i < n; i++) {
        rg_buf text = {0};
        model_paragraph_write(&ps[i], &text);
        tval *p = tval_push(list, tval_map());
        tval_set(p, "text", tval_string_take(rg_buf_take(&text)));
    }
    return list;
}

static tval *sections_data(const model_section *ss, size_t n)
{
    tval *list = tval_list();
    for (size_t i = 0; i < n; i++) {
        tval *s = tval_push(list, tval_map());
        tval_set(s, "title", tval_string(ss[i].title));
        tval_set(s, "paragraphs", paragraphs_data(ss[i].paragraphs, ss[i].nparagraphs));
        tval_set(s, "sections", sections_data(ss[i].sections, ss[i].nsections));
        tval_set(s, "has_sections", tval_bool(ss[i].nsections > 0));
    }
    return list;
}

static tval *text_value(const char *s)
{
    return s ? tval_string(s) : tval_null();
}

/* The official document's frame, or null; whether the targets and the
 * charts are attachments rather than part of the body. */
static tval *frame_data(const model *m, tval *root)
{
    const model_frame *f = m->frame;
    bool targets = false, charts = false;
    if (!f) {
        tval_set(root, "targets_attached", tval_bool(false));
        tval_set(root, "charts_attached", tval_bool(false));
        return tval_null();
    }
    tval *t = tval_map();
    const char *const keys[] = {"copy_number", "secrecy", "urgency", "issuer", "number",
                                "signer", "to", "signature", "date", "note", "printer",
                                "printed"};
    const char *const values[] = {f->copy_number, f->secrecy, f->urgency, f->issuer, f->number,
                                  f->signer, f->to, f->signature, f->date, f->note, f->printer,
                                  f->printed};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        tval_set(t, keys[i], text_value(values[i]));
    tval *list = tval_set(t, "attachments", tval_list());
    for (size_t i = 0; i < f->nattachments; i++) {
        tval *a = tval_push(list, tval_map());
        tval_set(a, "title", tval_string(f->attachments[i].title));
        tval_set(a, "targets", tval_bool(f->attachments[i].targets));
        tval_set(a, "charts", tval_bool(!f->attachments[i].targets));
        targets = targets || f->attachments[i].targets;
        charts = charts || !f->attachments[i].targets;
    }
    rg_buf organs = {0};
    for (size_t i = 0; i < f->ncopies_to; i++) {
        if (i)
            rg_buf_puts(&organs, "，");
        rg_buf_puts(&organs, f->copies_to[i]);
    }
    tval_set(t, "copies_to", organs.len ? tval_string_take(rg_buf_take(&organs)) : tval_null());
    rg_buf_fini(&organs);
    tval_set(root, "targets_attached", tval_bool(targets));
    tval_set(root, "charts_attached", tval_bool(charts));
    return t;
}

tval *model_tmpl_data(const model *m)
{
    tval *root = tval_map();
    char year[16];
    tval_set(root, "park", tval_string(m->park));
    snprintf(year, sizeof year, "%d", m->year);
    tval_set(root, "year", tval_number(year, NULL));
    snprintf(year, sizeof year, "%d", m->plan_year);
    tval_set(root, "plan_year", tval_number(year, NULL));
    tval_set(root, "period", tval_string(m->period));
    tval_set(root, "title", m->title ? tval_string(m->title) : tval_null());
    tval_set(root, "fig", figures_data(m));
    tval_set(root, "full_year", tval_bool(m->full_year));
    indicators_data(m, root);
    sectors_data(m, root);
    bool targets = false;
    for (size_t i = 0; i < m->nindicators && !targets; i++)
        targets = m->indicators[i].slot[MODEL_TARGET] != NULL;
    tval_set(root, "has_targets", tval_bool(targets));
    tval_set(root, "unfilled", tval_bool(m->nunfilled > 0));
    tval_set(root, "history", history_data(m));
    tval_set(root, "groups", groups_data(m));
    tval_set(root, "intro", paragraphs_data(m->intro, m->nintro));
    tval_set(root, "sections", sections_data(m->sections, m->nsections));
    tval_set(root, "frame", frame_data(m, root));
    return root;
}

bool model_tmpl_missing(void *ud, const char *name, const char *where, rg_diags *diags)
{
    const model *m = ud;
    /* Only a figure can be missing from an input; another name is the
     * template's own mistake, told at its place. */
    if (strncmp(name, "fig.", 4) != 0)
        return false;
    const char *id = name + 4;
    const char *dot = strchr(id, '.');
    size_t head = dot ? (size_t)(dot - id) : 0;
    int line = 0, col = 0;
    rg_buf what = {0};
    for (size_t i = 0; dot && i < m->nindicators && !line; i++)
        if (strlen(m->indicators[i].id) == head && strncmp(m->indicators[i].id, id, head) == 0) {
            line = m->indicators[i].line, col = m->indicators[i].col;
            rg_buf_printf(&what, "add <%s> to <indicator id=\"%s\">", dot + 1, m->indicators[i].id);
        }
    for (size_t i = 0; strncmp(id, "sectors.", 8) == 0 && i < m->nsectors && !line; i++) {
        size_t n = strlen(m->sectors[i].id);
        if (strncmp(id + 8, m->sectors[i].id, n) == 0 && id[8 + n] == '.') {
            line = m->sectors[i].line, col = m->sectors[i].col;
            rg_buf_printf(&what, "add <%s> to <sector id=\"%s\">", id + 9 + n, m->sectors[i].id);
        }
    }
    if (!line && dot)
        rg_buf_printf(&what, "add <indicator id=\"%.*s\"> with <%s> under <indicators> (names: "
                             "docs/input-format.md)",
                      (int)head, id, dot + 1);
    else if (!line)
        rg_buf_printf(&what, "add <figure id=\"%s\"> under <figures>", id);
    rg_diag_add(diags, RG_ERROR, m->file, line, col, "the template needs %s (%s), which this input "
                                                 "does not have: %s, or make the template test it "
                                                 "with | exists",
                name, where, what.data);
    rg_buf_fini(&what);
    return true;
}
