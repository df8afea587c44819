/* model_tmpl.c - the model as template data: the adapter between the model
 * and the template engine, which know nothing of each other. The names are
 * listed for template writers in docs/templates.md. */
#include "model_tmpl.h"

#include "model_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tval *figure_value(const model_figure *f)
{
    return f ? tval_number(f->text, f->unit) : tval_null();
}

/* A derived per cent as the model rounded it, or null. */
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
    tval_set(t, "status", model_target_met(ind, &met) ? tval_string(met ? "已完成" : "未完成")
                                                       : tval_null());
    rg_buf note = {0};
    model_target_note(m, ind, &note);
    tval_set(t, "target_note", tval_string_take(rg_buf_take(&note)));
}

static tval *indicators_data(const model *m)
{
    static const char *const slot_name[MODEL_SLOT_COUNT] = {
        "previous", "target", "actual", "actual_growth", "forecast", "forecast_growth", "plan"};
    tval *list = tval_list();
    for (size_t i = 0; i < m->nindicators; i++) {
        const model_indicator *ind = &m->indicators[i];
        tval *t = tval_push(list, tval_map());
        tval_set(t, "id", tval_string(ind->id));
        tval_set(t, "name", tval_string(ind->name));
        tval_set(t, "unit", tval_string(ind->unit));
        for (int s = 0; s < MODEL_SLOT_COUNT; s++)
            tval_set(t, slot_name[s], figure_value(ind->slot[s]));
        tval_set(t, "plan_name", tval_string(ind->plan_name ? ind->plan_name : ind->name));
        tval_set(t, "base", figure_value(model_plan_base(ind)));
        tval_set(t, "at_least", tval_bool(ind->plan_bound == MODEL_BOUND_AT_LEAST));
        tval_set(t, "at_most", tval_bool(ind->plan_bound == MODEL_BOUND_AT_MOST));
        rg_dec x;
        bool ok = model_completion_percent(ind, &x);
        tval_set(t, "completion", percent_value(ok, x));
        ok = model_growth_needed_percent(ind, &x);
        tval_set(t, "growth_needed", percent_value(ok, x));
        target_data(m, ind, t);
    }
    return list;
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

static tval *sectors_data(const model *m)
{
    static const char *const role_name[] = {"other", "leading", "featured"};
    tval *list = tval_list();
    for (size_t i = 0; i < m->nsectors; i++) {
        const model_sector *s = &m->sectors[i];
        tval *t = tval_push(list, tval_map());
        tval_set(t, "id", tval_string(s->id));
        tval_set(t, "name", tval_string(s->name));
        tval_set(t, "role", tval_string(role_name[s->role]));
        tval_set(t, "firms", figure_value(s->firms));
        tval_set(t, "output", figure_value(s->output));
        tval_set(t, "growth", figure_value(s->growth));
        rg_dec share;
        bool ok = model_sector_share_percent(m, s, &share);
        tval_set(t, "share", percent_value(ok, share));
    }
    return list;
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
    tval_set(root, "indicators", indicators_data(m));
    bool targets = false;
    for (size_t i = 0; i < m->nindicators && !targets; i++)
        targets = m->indicators[i].slot[MODEL_TARGET] != NULL;
    tval_set(root, "has_targets", tval_bool(targets));
    tval_set(root, "unfilled", tval_bool(m->nunfilled > 0));
    tval_set(root, "history", history_data(m));
    tval_set(root, "sectors", sectors_data(m));
    tval_set(root, "groups", groups_data(m));
    tval_set(root, "intro", paragraphs_data(m->intro, m->nintro));
    tval_set(root, "sections", sections_data(m->sections, m->nsections));
    tval_set(root, "frame", frame_data(m, root));
    return root;
}
