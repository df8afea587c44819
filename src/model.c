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
        for (size_t k = 0; k < p[i].nparts; k++) {
            free(p[i].parts[k].text);
            free(p[i].parts[k].in_unit);
            for (int w = 0; w < 3; w++)
                free(p[i].parts[k].words[w]);
        }
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
        free(ind->estimate_period);
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

static int figure_sort_cmp(const void *a, const void *b)
{
    const model_figure *x = *(const model_figure *const *)a, *y = *(const model_figure *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
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

/* --- units ------------------------------------------------------------ */

/* Units of one kind and their power of ten against the kind's smallest. */
static const struct {
    const char *unit, *kind;
    int exponent;
} unit_table[] = {
    {"元", "money", 0},        {"万元", "money", 4},        {"亿元", "money", 8},
    {"万亿元", "money", 12},   {"平方米", "area", 0},       {"万平方米", "area", 4},
    {"公顷", "area", 4},       {"平方公里", "area", 6},     {"平方千米", "area", 6},
    {"吨", "mass", 0},         {"万吨", "mass", 4},         {"人", "people", 0},
    {"万人", "people", 4},     {"千瓦时", "energy", 0},     {"度", "energy", 0},
    {"万千瓦时", "energy", 4}, {"亿千瓦时", "energy", 8},   {"个", "count", 0},
    {"万个", "count", 4},
};

static int unit_index(const char *unit)
{
    for (size_t i = 0; i < sizeof unit_table / sizeof *unit_table; i++)
        if (strcmp(unit_table[i].unit, unit) == 0)
            return (int)i;
    return -1;
}

bool model_unit_convert(rg_dec v, const char *from, const char *to, rg_dec *out)
{
    if (strcmp(from, to) == 0) {
        *out = v;
        return true;
    }
    int a = unit_index(from), b = unit_index(to);
    if (a < 0 || b < 0 || strcmp(unit_table[a].kind, unit_table[b].kind) != 0)
        return false;
    rg_dec x;
    if (rg_dec_shift(v, unit_table[a].exponent - unit_table[b].exponent, &x) != 0)
        return false;
    /* Drop only the zeros the shift added: 1.69亿元 is 16900万元, not 16900.00. */
    while (x.scale > v.scale && x.coef % 10 == 0)
        x.coef /= 10, x.scale--;
    *out = x;
    return true;
}

bool model_units_convert(const char *a, const char *b)
{
    rg_dec x;
    return model_unit_convert((rg_dec){0, 0}, a, b, &x);
}

bool model_figure_in(const model_figure *f, const char *unit, rg_dec *out)
{
    return f && model_unit_convert(f->value, f->unit, unit, out);
}

bool model_period_is_full_year(const char *period)
{
    static const char *const full[] = {"全年", "1-12月", "1—12月", "1–12月", "1－12月",
                                       "1~12月", "1～12月", "1至12月"};
    for (size_t i = 0; period && i < sizeof full / sizeof *full; i++)
        if (strcmp(period, full[i]) == 0)
            return true;
    return false;
}

/* --- derived figures -------------------------------------------------- */

static bool is_rate(const model_figure *f)
{
    return strcmp(f->unit, "%") == 0;
}

/* a and b in b's unit, as doubles, a / b; false when they do not convert. */
static bool ratio(const model_figure *num, const model_figure *den, double *out)
{
    rg_dec a;
    if (!num || !den || den->value.coef == 0 || !model_figure_in(num, den->unit, &a))
        return false;
    *out = rg_dec_to_double(a) / rg_dec_to_double(den->value);
    return true;
}

const model_figure *model_completion_base(const model_indicator *ind)
{
    const model_figure *base = ind->slot[MODEL_TARGET] ? ind->slot[MODEL_TARGET]
                                                       : ind->slot[MODEL_FORECAST];
    const model_figure *act = ind->slot[MODEL_ACTUAL];
    /* A rate (a share, in %) is not "completed": 39.6% of 40.1% means nothing. */
    return base && act && !is_rate(act) && model_units_convert(act->unit, base->unit) ? base
                                                                                       : NULL;
}

bool model_completion(const model_indicator *ind, double *out)
{
    rg_dec shown;
    return model_completion_percent(ind, &shown) &&
           ratio(ind->slot[MODEL_ACTUAL], model_completion_base(ind), out);
}

const model_figure *model_plan_base(const model_indicator *ind)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *fc = ind->slot[MODEL_FORECAST],
                       *act = ind->slot[MODEL_ACTUAL];
    if (!plan)
        return NULL;
    if (fc && model_units_convert(fc->unit, plan->unit))
        return fc;
    if (act && ind->full_year_actual && model_units_convert(act->unit, plan->unit))
        return act;
    return NULL;
}

const char *model_plan_base_missing(const model_indicator *ind)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *fc = ind->slot[MODEL_FORECAST],
                       *act = ind->slot[MODEL_ACTUAL];
    if (!plan || model_plan_base(ind))
        return NULL;
    if ((fc && !model_units_convert(fc->unit, plan->unit)) ||
        (!fc && act && !model_units_convert(act->unit, plan->unit)))
        return "计量单位不同";
    if (!fc && (act || ind->slot[MODEL_ESTIMATE]))
        return "无全年数";
    return "无基数";
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

/* num / den * 100, rounded once to `decimals` places. */
static bool percent_at(rg_dec num, rg_dec den, int decimals, rg_dec *out)
{
    rg_dec fraction;
    if (rg_dec_div(num, den, decimals + 2, &fraction) != 0 ||
        rg_dec_shift(fraction, 2, &fraction) != 0 || rg_dec_digits(fraction) > MODEL_MAX_DIGITS)
        return false;
    *out = fraction;
    return true;
}

static bool percent(rg_dec num, rg_dec den, rg_dec *out)
{
    return percent_at(num, den, MODEL_PERCENT_DECIMALS, out);
}

/* The operands of num / den * 100 in den's unit. */
static bool ratio_operands(const model_figure *num, const model_figure *den, rg_dec *a, rg_dec *b)
{
    if (!num || !den || !model_figure_in(num, den->unit, a))
        return false;
    *b = den->value;
    return true;
}

bool model_completion_percent(const model_indicator *ind, rg_dec *out)
{
    rg_dec a, b;
    return ratio_operands(ind->slot[MODEL_ACTUAL], model_completion_base(ind), &a, &b) &&
           percent(a, b, out);
}

/* plan - base, in the plan's unit. */
static bool plan_rise(const model_indicator *ind, rg_dec *rise, rg_dec *base_value)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *base = model_plan_base(ind);
    return base && model_figure_in(base, plan->unit, base_value) &&
           rg_dec_sub(plan->value, *base_value, rise) == 0;
}

bool model_growth_needed_percent(const model_indicator *ind, rg_dec *out)
{
    rg_dec rise, base;
    return ind->slot[MODEL_PLAN] && !is_rate(ind->slot[MODEL_PLAN]) &&
           plan_rise(ind, &rise, &base) && percent(rise, base, out);
}

bool model_points_needed_exact(const model_indicator *ind, rg_dec *out)
{
    rg_dec d, base;
    if (!ind->slot[MODEL_PLAN] || !is_rate(ind->slot[MODEL_PLAN]) ||
        !plan_rise(ind, &d, &base) || rg_dec_digits(d) > MODEL_MAX_DIGITS)
        return false;
    *out = d;
    return true;
}

bool model_sector_share_percent(const model *m, const model_sector *s, rg_dec *out)
{
    rg_dec a, b;
    return ratio_operands(s->output, model_figure_find(m, "output.actual"), &a, &b) &&
           percent(a, b, out);
}

bool model_sector_share(const model *m, const model_sector *s, double *out)
{
    rg_dec shown;
    return model_sector_share_percent(m, s, &shown) &&
           ratio(s->output, model_figure_find(m, "output.actual"), out);
}

/* The sum of the categories' figures (projects or amounts), in the unit of
 * the first; false when none has one or a unit does not convert. */
static bool category_sum(const model_promotion *p, bool amounts, rg_dec *sum, const char **unit)
{
    bool any = false;
    rg_dec total = {0, 0};
    for (size_t i = 0; i < p->ncategories; i++) {
        const model_figure *f = amounts ? p->categories[i].amount : p->categories[i].projects;
        rg_dec v;
        if (!f)
            continue;
        if (!any)
            *unit = f->unit;
        any = true;
        if (!model_figure_in(f, *unit, &v) || rg_dec_add(total, v, &total) != 0)
            return false;
    }
    *sum = total;
    return any;
}

bool model_promotion_sum(const model *m, rg_dec *projects, rg_dec *amount)
{
    const model_promotion *p = &m->promotion;
    const char *u1 = NULL, *u2 = NULL;
    if (!p->present || p->ncategories == 0)
        return false;
    return category_sum(p, false, projects, &u1) && category_sum(p, true, amount, &u2);
}

/* --- adding the derived figures ------------------------------------------- */

static model_figure *derived_figure(model *m, const char *id, const char *name, const char *unit,
                                    rg_dec value, int line)
{
    model_figure *f = xcalloc(1, sizeof *f);
    f->id = xstrdup(id);
    f->name = xstrdup(name);
    f->unit = xstrdup(unit);
    f->value = value;
    rg_buf b = {0};
    rg_dec_format(value, &b);
    f->text = rg_buf_take(&b);
    f->line = line;
    f->derived = true;
    m->figures = xrealloc(m->figures, (m->nfigures + 1) * sizeof *m->figures);
    m->figures[m->nfigures++] = f;
    return f;
}

static void derived_ratio(model *m, const char *id, const char *name, rg_dec num, rg_dec den,
                          int line)
{
    rg_dec pct;
    if (!percent(num, den, &pct))
        return;
    model_figure *f = derived_figure(m, id, name, "%", pct, line);
    f->ratio = true;
    f->num = num;
    f->den = den;
}

static char *id_of(const char *a, const char *b, const char *c)
{
    rg_buf id = {0};
    rg_buf_printf(&id, "%s%s%s%s%s", a, b ? "." : "", b ? b : "", c ? "." : "", c ? c : "");
    return rg_buf_take(&id);
}

/* Two figures that are compared and whose units do not convert: an error
 * (or, where the comparison is only a share, a warning) naming both. */
static bool units_agree_as(const model *m, rg_diags *d, rg_severity severity, const char *what,
                           const model_figure *a, const model_figure *b)
{
    if (!a || !b || model_units_convert(a->unit, b->unit))
        return true;
    rg_diag_add(d, severity, m->file, a->line, a->col,
                "%s: %s is in %s but %s (line %d) is in %s, and the two do not convert; "
                "write both in one unit, or in units of one kind (元/万元/亿元, "
                "平方米/万平方米, …)",
                what, a->id, a->unit, b->id, b->line, b->unit);
    return false;
}

static bool units_agree(const model *m, rg_diags *d, const char *what, const model_figure *a,
                        const model_figure *b)
{
    return units_agree_as(m, d, RG_ERROR, what, a, b);
}

static void derive_indicator(model *m, const model_indicator *ind, rg_diags *d)
{
    char *id;
    rg_dec x, a, b;
    const model_figure *act = ind->slot[MODEL_ACTUAL], *prev = ind->slot[MODEL_PREVIOUS];
    const model_figure *base = ind->slot[MODEL_TARGET] ? ind->slot[MODEL_TARGET]
                                                       : ind->slot[MODEL_FORECAST];
    if (units_agree(m, d, ind->name, act, base) &&
        ratio_operands(act, model_completion_base(ind), &a, &b)) {
        derived_ratio(m, id = id_of(ind->id, "completion", NULL), ind->name, a, b, act->line);
        free(id);
    }
    units_agree(m, d, ind->name, act, prev);
    units_agree(m, d, ind->name, ind->slot[MODEL_TARGET], ind->slot[MODEL_FORECAST]);
    if (act && prev && model_figure_in(prev, act->unit, &b) && rg_dec_sub(act->value, b, &x) == 0) {
        derived_figure(m, id = id_of(ind->id, "actual-change", NULL), ind->name, act->unit, x,
                       act->line);
        free(id);
    }
    const model_figure *plan = ind->slot[MODEL_PLAN];
    if (model_growth_needed_percent(ind, &x) && plan_rise(ind, &a, &b)) {
        derived_ratio(m, id = id_of(ind->id, "growth-needed", NULL), ind->name, a, b, plan->line);
        free(id);
    }
    if (model_points_needed_exact(ind, &x)) {
        derived_figure(m, id = id_of(ind->id, "points-needed", NULL), ind->name, "个百分点", x,
                       plan->line);
        free(id);
    }
}

void model_derive(model *m, rg_diags *d)
{
    /* Found before any is added: the table is sorted again at the end. */
    const model_figure *total = model_figure_find(m, "output.actual");
    for (size_t i = 0; i < m->nindicators; i++)
        derive_indicator(m, &m->indicators[i], d);
    rg_dec sum_output = {0, 0}, sum_firms = {0, 0}, a, b;
    const char *output_unit = NULL;
    bool outputs = false, firms = false, sums_ok = true;
    for (size_t i = 0; i < m->nsectors; i++) {
        const model_sector *s = &m->sectors[i];
        /* No share then, and the workbook leaves the cell empty: said, not an error. */
        if (s->output && total && units_agree_as(m, d, RG_WARNING, s->name, s->output, total) &&
            ratio_operands(s->output, total, &a, &b)) {
            char *id = id_of("sectors", s->id, "share");
            derived_ratio(m, id, s->name, a, b, s->output->line);
            free(id);
        }
        if (s->output) {
            if (!outputs)
                output_unit = s->output->unit;
            outputs = true;
            sums_ok = sums_ok && model_figure_in(s->output, output_unit, &a) &&
                      rg_dec_add(sum_output, a, &sum_output) == 0;
        }
        if (s->firms) {
            firms = true;
            rg_dec_add(sum_firms, s->firms->value, &sum_firms);
        }
    }
    if (outputs && sums_ok) {
        derived_figure(m, "sectors-total.output", "各产业产值合计", output_unit, sum_output, 0);
        if (total && ratio_operands(&(model_figure){.value = sum_output, .unit = (char *)output_unit},
                                    total, &a, &b))
            derived_ratio(m, "sectors-total.share", "各产业产值占比合计", a, b, 0);
    }
    if (firms)
        derived_figure(m, "sectors-total.firms", "各产业企业户数合计", "户", sum_firms, 0);
    const model_promotion *p = &m->promotion;
    const char *unit;
    if (category_sum(p, false, &a, &unit))
        derived_figure(m, "promotion-total.projects", "各类别项目数合计", unit, a, 0);
    if (category_sum(p, true, &a, &unit)) {
        derived_figure(m, "promotion-total.amount", "各类别投资额合计", unit, a, 0);
        for (size_t i = 0; i < p->ncategories; i++) {
            const model_category *c = &p->categories[i];
            rg_dec all;
            if (c->amount && model_unit_convert(a, unit, c->amount->unit, &all) &&
                model_figure_in(c->amount, c->amount->unit, &b)) {
                char *id = id_of("promotion", c->id, "share");
                derived_ratio(m, id, c->name, b, all, c->amount->line);
                free(id);
            }
        }
    }
    for (size_t i = 0; i < p->ncategories; i++) {
        units_agree(m, d, p->categories[i].name, p->categories[i].amount, p->amount);
        units_agree(m, d, p->categories[i].name, p->categories[i].projects, p->projects);
    }
    qsort(m->figures, m->nfigures, sizeof *m->figures, figure_sort_cmp);
}

/* --- prose ------------------------------------------------------------ */

void model_figure_write(const model_figure *f, bool bare, rg_buf *out)
{
    rg_buf_puts(out, f->text);
    if (!bare)
        rg_buf_puts(out, f->unit);
}

model_phrase model_phrase_named(const char *as)
{
    static const char *const phrases[] = {[MODEL_PHRASE_GROWTH] = "growth",
                                          [MODEL_PHRASE_POINTS] = "points",
                                          [MODEL_PHRASE_CHANGE] = "change",
                                          [MODEL_PHRASE_ABS] = "abs"};
    for (int k = MODEL_PHRASE_GROWTH; as && k <= MODEL_PHRASE_ABS; k++)
        if (strcmp(as, phrases[k]) == 0)
            return (model_phrase)k;
    return MODEL_PHRASE_PLAIN;
}

int model_phrase_words(const char *words, char *out[3])
{
    const char *at = words;
    for (int w = 0; w < 3 && at; w++) {
        const char *comma = strchr(at, ',');
        out[w] = xstrndup(at, comma ? (size_t)(comma - at) : strlen(at));
        at = comma ? comma + 1 : NULL;
    }
    return out[1] && !at ? 0 : -1;
}

void model_inline_write(const model_inline *part, rg_buf *out)
{
    const model_figure *f = part->figure;
    rg_dec v = f->value;
    const char *unit = f->unit;
    if (part->in_unit && model_unit_convert(f->value, f->unit, part->in_unit, &v))
        unit = part->in_unit;
    if (part->decimals >= 0 && rg_dec_round(v, part->decimals, &v) == 0 && v.coef == 0)
        v.scale = part->decimals; /* no "-0.0" */
    static const char *const word[][3] = {
        [MODEL_PHRASE_GROWTH] = {"增长", "下降", "持平"},
        [MODEL_PHRASE_POINTS] = {"提高", "下降", "持平"},
        [MODEL_PHRASE_CHANGE] = {"增加", "减少", "持平"},
    };
    if (part->phrase == MODEL_PHRASE_GROWTH || part->phrase == MODEL_PHRASE_POINTS ||
        part->phrase == MODEL_PHRASE_CHANGE) {
        int w = v.coef > 0 ? 0 : v.coef < 0 ? 1 : 2;
        rg_buf_puts(out, part->words[w] ? part->words[w] : word[part->phrase][w]);
        if (w == 2)
            return; /* decided on the rounded value: never "增长0.0%" */
        if (part->phrase == MODEL_PHRASE_POINTS && strcmp(unit, "%") == 0)
            unit = "个百分点";
    }
    if (part->phrase != MODEL_PHRASE_PLAIN && v.coef < 0)
        v.coef = -v.coef;
    rg_dec_format(v, out);
    if (!part->bare)
        rg_buf_puts(out, unit);
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
            model_inline_write(part, out);
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
    if (!p->present || !p->additive || p->ncategories == 0)
        return;
    int first = p->categories[0].line, last = p->categories[p->ncategories - 1].line;
    const model_figure *stated[2] = {p->projects, p->amount};
    const char *what[2] = {"number of projects", "investment"};
    for (int k = 0; k < 2; k++) {
        rg_dec sum, in_stated;
        const char *unit;
        if (stated[k] && category_sum(p, k == 1, &sum, &unit) &&
            model_unit_convert(sum, unit, stated[k]->unit, &in_stated))
            warn_sum(m, d, what[k], stated[k], in_stated, first, last);
    }
}

static void check_restated(const model *m, rg_diags *d)
{
    for (size_t i = 0; i < m->nfigures; i++) {
        const model_figure *f = m->figures[i];
        if (!f->same_as)
            continue;
        const model_figure *o = model_figure_find(m, f->same_as);
        rg_dec want;
        if (!o)
            continue;
        /* A derived per cent is compared at the precision the restatement
         * is written with (63.7 against 63.68…% is right). */
        bool agree = o->ratio && strcmp(f->unit, "%") == 0
                         ? percent_at(o->num, o->den, f->value.scale, &want) &&
                               rg_dec_cmp(want, f->value) == 0
                         : model_unit_convert(o->value, o->unit, f->unit, &want) &&
                               rg_dec_cmp(want, f->value) == 0;
        if (agree)
            continue;
        if (o->ratio && strcmp(f->unit, "%") == 0) {
            rg_buf got = {0};
            rg_dec_format(want, &got);
            rg_diag_add(d, RG_WARNING, m->file, f->line, f->col,
                        "%s is stated as %s%% here, but %s computed from the data is %s%% "
                        "(to the same decimals; line %d)",
                        f->name, f->text, o->id, got.data, o->line);
            rg_buf_fini(&got);
        } else {
            rg_diag_add(d, RG_WARNING, m->file, f->line, f->col,
                        "%s is %s%s here but %s%s as %s (line %d); they should be the same figure",
                        f->name, f->text, f->unit, o->text, o->unit, o->id, o->line);
        }
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
    rg_dec rise, grew, before;
    if (!prev || !act || !g || !model_figure_in(prev, act->unit, &before) ||
        rg_dec_sub(act->value, before, &rise) != 0 ||
        rg_dec_div(rise, before, g->value.scale + 2, &grew) != 0 ||
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

/* Does `text` end with one of the words? */
static const char *ends_with_any(const char *text, const char *const *words)
{
    size_t n = strlen(text);
    for (; *words; words++) {
        size_t k = strlen(*words);
        if (n >= k && memcmp(text + n - k, *words, k) == 0)
            return *words;
    }
    return NULL;
}

/* A direction written before a reference must agree with the figure's sign:
 * "增长" before -14.21 prints 增长-14.21%, and before a reference phrased by
 * its sign it is said twice. */
static void check_direction(const model *m, const char *text, const model_inline *part,
                            rg_diags *d)
{
    static const char *const up[] = {"增长", "提高", "增加", "上升", "上涨", "加快", NULL};
    static const char *const down[] = {"下降", "减少", "降低", "下滑", "回落", NULL};
    const char *u = ends_with_any(text, up), *dn = ends_with_any(text, down);
    const char *word = u ? u : dn;
    const model_figure *f = part->figure;
    int sign = f->value.coef > 0 ? 1 : f->value.coef < 0 ? -1 : 0;
    if (!word)
        return;
    if (part->phrase == MODEL_PHRASE_GROWTH || part->phrase == MODEL_PHRASE_POINTS ||
        part->phrase == MODEL_PHRASE_CHANGE) {
        rg_diag_add(d, RG_WARNING, m->file, part->line, part->col,
                    "\"%s\" is written before <v ref=\"%s\" as=\"…\">, which writes its own "
                    "word by the sign; delete \"%s\"",
                    word, f->id, word);
        return;
    }
    if (part->phrase == MODEL_PHRASE_ABS || sign == 0 || (u && sign > 0))
        return;
    rg_diag_add(d, RG_WARNING, m->file, part->line, part->col,
                "\"%s\" is written before %s, which is %s (line %d): the report would say "
                "%s%s%s; write <v ref=\"%s\" as=\"%s\"/> without the word, so that the data "
                "chooses 增长 or 下降",
                word, f->id, f->text, f->line, word, f->text, part->bare ? "" : f->unit, f->id,
                strcmp(f->unit, "%") == 0 ? "growth" : "change");
}

static void check_paragraph_directions(const model *m, const model_paragraph *ps, size_t n,
                                       rg_diags *d)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 1; k < ps[i].nparts; k++)
            if (ps[i].parts[k].kind == MODEL_INLINE_FIGURE && ps[i].parts[k].figure &&
                ps[i].parts[k - 1].kind == MODEL_INLINE_TEXT)
                check_direction(m, ps[i].parts[k - 1].text, &ps[i].parts[k], d);
}

static void check_section_directions(const model *m, const model_section *ss, size_t n,
                                     rg_diags *d)
{
    for (size_t i = 0; i < n; i++) {
        check_paragraph_directions(m, ss[i].paragraphs, ss[i].nparagraphs, d);
        check_section_directions(m, ss[i].sections, ss[i].nsections, d);
    }
}

void model_check(const model *m, rg_diags *d)
{
    check_promotion(m, d);
    check_restated(m, d);
    check_groups(m, d);
    for (size_t i = 0; i < m->nindicators; i++)
        check_growth(m, &m->indicators[i], d);
    check_paragraph_directions(m, m->intro, m->nintro, d);
    check_section_directions(m, m->sections, m->nsections, d);
}

/* --- did you mean ------------------------------------------------------- */

const char *model_nearest(const char *name, const char *const *candidates, size_t n)
{
    return rg_nearest(name, candidates, n, strlen(name) / 4 + 1);
}

const char *model_figure_nearest(const model *m, const char *id)
{
    const char **ids = xcalloc(m->nfigures + 1, sizeof *ids);
    for (size_t i = 0; i < m->nfigures; i++)
        ids[i] = m->figures[i]->id;
    const char *found = model_nearest(id, ids, m->nfigures);
    free(ids);
    return found;
}

const model_group *model_group_find(const model *m, const char *ref)
{
    if (strncmp(ref, "groups.", 7) != 0)
        return NULL;
    for (size_t i = 0; i < m->ngroups; i++)
        if (strcmp(m->groups[i].id, ref + 7) == 0)
            return &m->groups[i];
    return NULL;
}

const char *model_group_nearest(const model *m, const char *ref)
{
    const char **ids = xcalloc(m->ngroups + 1, sizeof *ids);
    for (size_t i = 0; i < m->ngroups; i++)
        ids[i] = m->groups[i].id;
    const char *found = model_nearest(strncmp(ref, "groups.", 7) == 0 ? ref + 7 : ref, ids,
                                      m->ngroups);
    free(ids);
    return found;
}

const char *model_derived_missing(const char *ref)
{
    static const struct {
        const char *suffix, *needs;
    } derived[] = {
        {".completion", "an <actual> and a <target> or a <forecast>, in units that convert, and "
                        "never for a rate (%)"},
        {".growth-needed", "a <plan> and a full-year base (a <forecast>, or an <actual> when the "
                           "period is 全年), and not for a rate (%): see points-needed"},
        {".points-needed", "a <plan> of a rate (%) and a full-year base (a <forecast>, or an "
                           "<actual> when the period is 全年)"},
        {".actual-change", "a <previous> and an <actual> in units that convert"},
        {".share", "the <output> (or <amount>) and the whole it is a share of (output.actual; "
                   "the categories' amounts) in units that convert"},
    };
    size_t n = strlen(ref);
    for (size_t i = 0; i < sizeof derived / sizeof *derived; i++) {
        size_t k = strlen(derived[i].suffix);
        if (n > k && strcmp(ref + n - k, derived[i].suffix) == 0)
            return derived[i].needs;
    }
    return NULL;
}
