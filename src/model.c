/* model.c - figures derived from the model, consistency checks, freeing. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

static void figure_free(model_figure *f)
{
    if (!f)
        return;
    free(f->id), free(f->name), free(f->unit), free(f->text), free(f->ref), free(f->same_as);
    free(f);
}

static void paragraphs_free(model_paragraph *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < p[i].nparts; k++)
            free(p[i].parts[k].text);
        free(p[i].parts);
    }
    free(p);
}

static void sections_free(model_section *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].title);
        paragraphs_free(s[i].paragraphs, s[i].nparagraphs);
        sections_free(s[i].sections, s[i].nsections);
    }
    free(s);
}

void model_free(model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nfigures; i++)
        figure_free(m->figures[i]);
    free(m->figures);
    for (size_t i = 0; i < m->nindicators; i++) {
        model_indicator *ind = &m->indicators[i];
        free(ind->id), free(ind->name), free(ind->unit), free(ind->plan_name);
    }
    free(m->indicators);
    for (size_t i = 0; i < m->nsectors; i++)
        free(m->sectors[i].id), free(m->sectors[i].name);
    free(m->sectors);
    for (size_t i = 0; i < m->promotion.ncategories; i++)
        free(m->promotion.categories[i].id), free(m->promotion.categories[i].name);
    free(m->promotion.categories);
    for (size_t i = 0; i < m->ngroups; i++) {
        model_group *g = &m->groups[i];
        free(g->id), free(g->status);
        for (size_t k = 0; k < g->nitems; k++)
            free(g->items[k]);
        free(g->items);
    }
    free(m->groups);
    paragraphs_free(m->intro, m->nintro);
    sections_free(m->sections, m->nsections);
    free(m->file), free(m->period), free(m->park), free(m->title), free(m->author), free(m->date);
    free(m->previous);
    model_free(m->prev);
    model_frame_free(m->frame);
    free(m);
}

static int find_cmp(const void *key, const void *elem)
{
    return strcmp(key, (*(const model_figure *const *)elem)->id);
}

const model_figure *model_figure_find(const model *m, const char *id)
{
    if (!m->nfigures)
        return NULL;
    model_figure **f = bsearch(id, m->figures, m->nfigures, sizeof *m->figures, find_cmp);
    return f ? *f : NULL;
}

/* --- derived figures -------------------------------------------------- */

static bool ratio(const model_figure *num, const model_figure *den, double *out)
{
    if (!num || !den || den->value.coef == 0)
        return false;
    *out = rg_dec_to_double(num->value) / rg_dec_to_double(den->value);
    return true;
}

static bool is_rate(const model_figure *f)
{
    return strcmp(f->unit, "%") == 0;
}

static bool same_unit(const model_figure *a, const model_figure *b)
{
    return a && b && strcmp(a->unit, b->unit) == 0;
}

const model_figure *model_completion_base(const model_indicator *ind)
{
    const model_figure *base = ind->slot[MODEL_TARGET] ? ind->slot[MODEL_TARGET]
                                                       : ind->slot[MODEL_FORECAST];
    return same_unit(base, ind->slot[MODEL_ACTUAL]) ? base : NULL;
}

bool model_completion(const model_indicator *ind, double *out)
{
    rg_dec shown;
    return model_completion_percent(ind, &shown) &&
           ratio(ind->slot[MODEL_ACTUAL], model_completion_base(ind), out);
}

const model_figure *model_plan_base(const model_indicator *ind)
{
    const model_figure *plan = ind->slot[MODEL_PLAN];
    if (same_unit(ind->slot[MODEL_FORECAST], plan))
        return ind->slot[MODEL_FORECAST];
    if (same_unit(ind->slot[MODEL_ACTUAL], plan))
        return ind->slot[MODEL_ACTUAL];
    return NULL;
}

bool model_growth_needed(const model_indicator *ind, double *out)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *base = model_plan_base(ind);
    double r;
    rg_dec shown;
    if (!model_growth_needed_percent(ind, &shown) || !ratio(plan, base, &r))
        return false;
    *out = r - 1;
    return true;
}

bool model_points_needed(const model_indicator *ind, double *out)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *base = model_plan_base(ind);
    rg_dec shown;
    if (!model_points_needed_exact(ind, &shown))
        return false;
    *out = rg_dec_to_double(plan->value) - rg_dec_to_double(base->value);
    return true;
}

/* num / den * 100, rounded once to MODEL_PERCENT_DECIMALS places. */
static bool percent(rg_dec num, rg_dec den, rg_dec *out)
{
    rg_dec fraction;
    if (rg_dec_div(num, den, MODEL_PERCENT_DECIMALS + 2, &fraction) != 0 ||
        rg_dec_shift(fraction, 2, &fraction) != 0 || rg_dec_digits(fraction) > MODEL_MAX_DIGITS)
        return false;
    *out = fraction;
    return true;
}

bool model_completion_percent(const model_indicator *ind, rg_dec *out)
{
    const model_figure *act = ind->slot[MODEL_ACTUAL], *base = model_completion_base(ind);
    return act && base && percent(act->value, base->value, out);
}

bool model_growth_needed_percent(const model_indicator *ind, rg_dec *out)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *base = model_plan_base(ind);
    rg_dec rise;
    return base && !is_rate(plan) && rg_dec_sub(plan->value, base->value, &rise) == 0 &&
           percent(rise, base->value, out);
}

bool model_points_needed_exact(const model_indicator *ind, rg_dec *out)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *base = model_plan_base(ind);
    rg_dec d;
    if (!base || !is_rate(plan) || rg_dec_sub(plan->value, base->value, &d) != 0 ||
        rg_dec_digits(d) > MODEL_MAX_DIGITS)
        return false;
    *out = d;
    return true;
}

bool model_sector_share_percent(const model *m, const model_sector *s, rg_dec *out)
{
    const model_figure *total = model_figure_find(m, "output.actual");
    return same_unit(s->output, total) && percent(s->output->value, total->value, out);
}

bool model_sector_share(const model *m, const model_sector *s, double *out)
{
    rg_dec shown;
    return model_sector_share_percent(m, s, &shown) &&
           ratio(s->output, model_figure_find(m, "output.actual"), out);
}

bool model_promotion_sum(const model *m, rg_dec *projects, rg_dec *amount)
{
    const model_promotion *p = &m->promotion;
    if (!p->present || p->ncategories == 0)
        return false;
    rg_dec np = {0, 0}, na = {0, 0};
    for (size_t i = 0; i < p->ncategories; i++) {
        if (!p->categories[i].projects || !p->categories[i].amount) /* still to be filled */
            return false;
        if (rg_dec_add(np, p->categories[i].projects->value, &np) != 0 ||
            rg_dec_add(na, p->categories[i].amount->value, &na) != 0)
            return false;
    }
    *projects = np;
    *amount = na;
    return true;
}

/* --- prose ------------------------------------------------------------ */

void model_figure_write(const model_figure *f, bool bare, rg_buf *out)
{
    rg_buf_puts(out, f->text);
    if (!bare)
        rg_buf_puts(out, f->unit);
}

void model_paragraph_write(const model_paragraph *p, rg_buf *out)
{
    rg_buf_append(out, "", 0);
    for (size_t i = 0; i < p->nparts; i++) {
        const model_inline *part = &p->parts[i];
        switch (part->kind) {
        case MODEL_INLINE_TEXT:
            rg_buf_puts(out, part->text);
            break;
        case MODEL_INLINE_FIGURE:
            model_figure_write(part->figure, part->bare, out);
            break;
        case MODEL_INLINE_LIST:
            for (size_t k = 0; k < part->group->nitems; k++) {
                if (k)
                    rg_buf_puts(out, "、");
                rg_buf_puts(out, part->group->items[k]);
            }
            break;
        }
    }
}

/* --- consistency checks ---------------------------------------------- */

/* Warns at the stated total that its parts (on lines first..last) add up to
 * something else. */
static void warn_sum(const model *m, rg_diags *d, const char *what, const model_figure *stated,
                     rg_dec parts, int first, int last)
{
    if (rg_dec_cmp(parts, stated->value) == 0)
        return;
    rg_buf num = {0};
    rg_dec_format(parts, &num);
    rg_diag_add(d, RG_WARNING, m->file, stated->line, stated->col,
                "the stated %s is %s%s, but the parts (lines %d-%d) add up to %s%s", what,
                stated->text, stated->unit, first, last, num.data, stated->unit);
    rg_buf_fini(&num);
}

static void check_promotion(const model *m, rg_diags *d)
{
    const model_promotion *p = &m->promotion;
    rg_dec projects, amount;
    if (!model_promotion_sum(m, &projects, &amount))
        return;
    int first = p->categories[0].line, last = p->categories[p->ncategories - 1].line;
    if (p->projects)
        warn_sum(m, d, "number of projects", p->projects, projects, first, last);
    if (p->amount)
        warn_sum(m, d, "investment", p->amount, amount, first, last);
}

static void check_restated(const model *m, rg_diags *d)
{
    for (size_t i = 0; i < m->nfigures; i++) {
        const model_figure *f = m->figures[i];
        if (!f->same_as)
            continue;
        const model_figure *o = model_figure_find(m, f->same_as);
        if (o && (rg_dec_cmp(f->value, o->value) != 0 || strcmp(f->unit, o->unit) != 0))
            rg_diag_add(d, RG_WARNING, m->file, f->line, f->col,
                        "%s is %s%s here but %s%s as %s (line %d); they should be the same figure",
                        f->name, f->text, f->unit, o->text, o->unit, o->id, o->line);
    }
}

static void check_groups(const model *m, rg_diags *d)
{
    for (size_t i = 0; i < m->ngroups; i++) {
        const model_group *g = &m->groups[i];
        if (!g->count || g->partial)
            continue;
        if (g->count->value.scale != 0 || g->count->value.coef != (int64_t)g->nitems)
            rg_diag_add(d, RG_WARNING, m->file, g->count->line, g->count->col,
                        "group \"%s\" (%s) states %s%s but lists %zu items (line %d); "
                        "mark it partial=\"true\" if the list gives only examples",
                        g->id, g->status, g->count->text, g->count->unit, g->nitems, g->line);
    }
}

/* A growth rate should be what the two years' values give, rounded to its
 * written decimals. */
static void check_growth(const model *m, const model_indicator *ind, rg_diags *d)
{
    const model_figure *prev = ind->slot[MODEL_PREVIOUS], *act = ind->slot[MODEL_ACTUAL],
                       *g = ind->slot[MODEL_ACTUAL_GROWTH];
    rg_dec rise, grew;
    if (!prev || !act || !g || !same_unit(prev, act) ||
        rg_dec_sub(act->value, prev->value, &rise) != 0 ||
        rg_dec_div(rise, prev->value, g->value.scale + 2, &grew) != 0 ||
        rg_dec_shift(grew, 2, &grew) != 0 || rg_dec_cmp(grew, g->value) == 0)
        return;
    rg_buf got = {0};
    rg_dec_format(grew, &got);
    rg_diag_add(d, RG_WARNING, m->file, g->line, g->col,
                "%s grew by %s%% from %s%s (line %d) to %s%s (line %d), but the stated "
                "growth is %s%%",
                ind->name, got.data, prev->text, prev->unit, prev->line, act->text, act->unit,
                act->line, g->text);
    rg_buf_fini(&got);
}

void model_check(const model *m, rg_diags *d)
{
    check_promotion(m, d);
    check_restated(m, d);
    check_groups(m, d);
    for (size_t i = 0; i < m->nindicators; i++)
        check_growth(m, &m->indicators[i], d);
}
