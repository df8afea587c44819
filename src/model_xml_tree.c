/* model_xml_tree.c - the checked tree walked into the model (model_xml_impl.h):
 * figures with their written precision, indicators, sectors, promotion,
 * groups, the narrative with its references; ids checked and resolved. */
#include "model_xml_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- walking the validated tree -------------------------------------- */


static size_t count_children(const xmlNode *parent, const char *name)
{
    size_t k = 0;
    for (const xmlNode *c = parent->children; c; c = c->next)
        k += mx_is_el(c, name);
    return k;
}

static const xmlNode *child(const xmlNode *parent, const char *name)
{
    for (const xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (mx_is_el(c, name))
            return c;
    return NULL;
}


static bool attr_true(const xmlNode *n, const char *name)
{
    char *v = mx_attr(n, name);
    bool t = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    free(v);
    return t;
}

static char *text_of(const xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = xstrdup(v ? (const char *)v : "");
    xmlFree(v);
    return s;
}

/* A name written as an attribute (a "label" of the schema) on one line, or
 * NULL when absent; an error when nothing but blanks is written. */
static char *label_attr(load_ctx *lc, const xmlNode *n, const char *name)
{
    char *v = mx_attr(n, name);
    if (v && !*model_input_one_line(v))
        mx_node_error(lc, n, name, "%s=\"\" is blank; write the %s", name,
                   strcmp(name, "unit") == 0 ? "unit" : "text");
    return v;
}

/* The same for a name written as an element's text. */
static char *label_text(load_ctx *lc, const xmlNode *n)
{
    char *v = model_input_one_line(text_of(n));
    if (!*v)
        mx_node_error(lc, n, NULL, "<%s> is blank; write its text", (const char *)n->name);
    return v;
}

static model_figure *new_figure(load_ctx *lc, const char *id, const char *name, const char *unit,
                                int line)
{
    model *m = lc->m;
    void *arr = m->figures;
    xgrow(&arr, &lc->figures_cap, m->nfigures + 1, sizeof *m->figures);
    m->figures = arr;
    model_figure *f = xcalloc(1, sizeof *f);
    m->figures[m->nfigures++] = f;
    f->id = xstrdup(id);
    f->name = xstrdup(name);
    f->unit = xstrdup(unit);
    f->line = line;
    return f;
}

/* Parses f->text, written in element n (or its attribute attr_name), into
 * f->value, refusing what the workbook could not show as written. */
static void check_number(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *id,
                         model_figure *f)
{
    const char *el = (const char *)n->name;
    if (rg_dec_parse(f->text, &f->value) != 0)
        mx_node_error(lc, n, attr_name,
                   "<%s> of %s: \"%s\" is not a number as parkreport reads them (digits, an "
                   "optional minus and decimal point, at most %d digits)",
                   el, id, f->text, RG_DEC_MAX_DIGITS);
    else if (f->text[0] == '-' && f->value.coef == 0)
        mx_node_error(lc, n, attr_name, "<%s> of %s: \"%s\" is minus zero; write 0", el, id, f->text);
    else if (f->text[f->text[0] == '-'] == '0' && f->text[(f->text[0] == '-') + 1] >= '0' &&
             f->text[(f->text[0] == '-') + 1] <= '9') /* shown as written: 00012亿元 */
        mx_node_error(lc, n, attr_name, "<%s> of %s: \"%s\" has leading zeros; write it without "
                      "them", el, id, f->text);
    else if (rg_dec_digits(f->value) > MODEL_MAX_DIGITS)
        mx_node_error(lc, n, attr_name,
                   "<%s> of %s: %s has %d significant digits, more than the %d a spreadsheet "
                   "keeps; round it, or write it in a larger unit (万元, 亿元)",
                   el, id, f->text, rg_dec_digits(f->value), MODEL_MAX_DIGITS);
}

/* The text a scaffold (--scaffold) writes for a figure still to be filled. */
#define TO_FILL "待填"

/* True, with a warning, when the figure `id` written in n (or its attribute
 * attr_name) is still to be filled; it is then left out of the model, as if
 * not written, so that a half-filled input can be checked and previewed. */
static bool still_to_fill(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *id)
{
    char *text = attr_name ? mx_attr(n, attr_name) : text_of(n);
    bool unfilled = text && strcmp(model_input_one_line(text), TO_FILL) == 0;
    free(text);
    if (!unfilled)
        return false;
    int line = mx_line_of(lc, n), col = mx_col_of(lc, n);
    if (attr_name)
        mx_attr_pos(lc, n, attr_name, &line, &col);
    rg_diag_add(lc->diags, RG_WARNING, lc->path, line, col,
                "to fill: %s is still " TO_FILL "; write its number, or delete <%s> if there is "
                "none", id, (const char *)n->name);
    void *arr = lc->unfilled;
    xgrow(&arr, &lc->unfilled_cap, lc->nunfilled + 1, sizeof *lc->unfilled);
    lc->unfilled = arr;
    lc->unfilled[lc->nunfilled++] = xstrdup(id);
    return true;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_unfilled(const load_ctx *lc, const char *id)
{
    return lc->nunfilled &&
           bsearch(&id, lc->unfilled, lc->nunfilled, sizeof *lc->unfilled, str_cmp) != NULL;
}

/* NULL when the figure is still to be filled. */
static model_figure *add_figure(load_ctx *lc, const xmlNode *n, const char *id, const char *name,
                                const char *unit)
{
    if (still_to_fill(lc, n, NULL, id))
        return NULL;
    char *own_unit = label_attr(lc, n, "unit");
    model_figure *f = new_figure(lc, id, name, own_unit ? own_unit : unit, mx_line_of(lc, n));
    free(own_unit);
    f->col = mx_col_of(lc, n);
    f->ref = mx_attr(n, "ref");
    f->text = text_of(n);
    void *arr = lc->fnodes;
    xgrow(&arr, &lc->fnodes_cap, lc->nfnodes + 1, sizeof *lc->fnodes);
    lc->fnodes = arr;
    lc->fnodes[lc->nfnodes++] = (figure_node){f, n};
    if (f->ref) {
        if (f->text[strspn(f->text, " \t\r\n")] != '\0')
            mx_node_error(lc, n, NULL, "<%s> has both a number and ref=\"%s\"; keep one",
                       (const char *)n->name, f->ref);
        return f;
    }
    check_number(lc, n, NULL, id, f);
    return f;
}

static char *join_id(const char *a, const char *b, const char *c)
{
    rg_buf id = {0};
    rg_buf_puts(&id, a);
    rg_buf_putc(&id, '.');
    rg_buf_puts(&id, b);
    if (c) {
        rg_buf_putc(&id, '.');
        rg_buf_puts(&id, c);
    }
    return rg_buf_take(&id);
}

/* Adds the figure in element `el` of `parent`, if present, as PREFIX.EL. */
static model_figure *opt_figure(load_ctx *lc, const xmlNode *parent, const char *el,
                                const char *prefix, const char *name, const char *unit)
{
    const xmlNode *n = child(parent, el);
    if (!n)
        return NULL;
    char *id = join_id(prefix, el, NULL);
    model_figure *f = add_figure(lc, n, id, name, unit);
    free(id);
    return f;
}

static const char *const slot_element[MODEL_SLOT_COUNT] = {
    [MODEL_PREVIOUS] = "previous",   [MODEL_TARGET] = "target",
    [MODEL_ACTUAL] = "actual",       [MODEL_ACTUAL_GROWTH] = "actual-growth",
    [MODEL_FORECAST] = "forecast",   [MODEL_FORECAST_GROWTH] = "forecast-growth",
    [MODEL_PLAN] = "plan",           [MODEL_ESTIMATE] = "estimate",
    [MODEL_ESTIMATE_GROWTH] = "estimate-growth",
};

static model_bound bound_of(const xmlNode *n)
{
    char *bound = mx_attr(n, "bound");
    model_bound b = !bound                            ? MODEL_BOUND_EXACT
                    : strcmp(bound, "at-least") == 0 ? MODEL_BOUND_AT_LEAST
                    : strcmp(bound, "at-most") == 0  ? MODEL_BOUND_AT_MOST
                                                     : MODEL_BOUND_EXACT;
    free(bound);
    return b;
}

/* Two names of one period: the same words, the whole year (全年, 1-12月),
 * or the first half (上半年, 1-6月). */
static bool same_period(const char *a, const char *b)
{
    static const char *const first_half[] = {"上半年", "1-6月", "1—6月", "1–6月", "1－6月", "1~6月",
                                             "1～6月", "1至6月"};
    bool ha = false, hb = false;
    for (size_t i = 0; i < sizeof first_half / sizeof *first_half; i++) {
        ha = ha || strcmp(a, first_half[i]) == 0;
        hb = hb || strcmp(b, first_half[i]) == 0;
    }
    return strcmp(a, b) == 0 || (ha && hb) ||
           (model_period_is_full_year(a) && model_period_is_full_year(b));
}

static void load_indicators(load_ctx *lc, const xmlNode *parent)
{
    model *m = lc->m;
    m->nindicators = count_children(parent, "indicator");
    m->indicators = xcalloc(m->nindicators, sizeof *m->indicators);
    size_t i = 0;
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!mx_is_el(n, "indicator"))
            continue;
        model_indicator *ind = &m->indicators[i++];
        ind->id = mx_attr(n, "id");
        ind->name = label_attr(lc, n, "name");
        ind->unit = label_attr(lc, n, "unit");
        ind->line = mx_line_of(lc, n);
        ind->col = mx_col_of(lc, n);
        for (int s = 0; s < MODEL_SLOT_COUNT; s++) {
            bool growth = s == MODEL_ACTUAL_GROWTH || s == MODEL_FORECAST_GROWTH ||
                          s == MODEL_ESTIMATE_GROWTH;
            ind->slot[s] = opt_figure(lc, n, slot_element[s], ind->id, ind->name,
                                      growth ? "%" : ind->unit);
        }
        ind->full_year_actual = m->full_year;
        if (child(n, "estimate"))
            ind->estimate_period = label_attr(lc, child(n, "estimate"), "period");
        /* An estimate of the period the actual already covers says the
         * same thing twice, and the two may disagree. */
        if (ind->estimate_period && m->period && same_period(ind->estimate_period, m->period) &&
            ind->slot[MODEL_ACTUAL]) {
            int line, col;
            mx_attr_pos(lc, child(n, "estimate"), "period", &line, &col);
            rg_diag_add(lc->diags, RG_WARNING, lc->path, line, col,
                        "<estimate period=\"%s\"> of %s covers the report's own period, whose "
                        "<actual> is given: an estimate is for a longer period (上半年预计 in a "
                        "1-5月 report); leave it out", ind->estimate_period, ind->id);
        }
        const xmlNode *plan = child(n, "plan");
        if (plan) {
            ind->plan_name = label_attr(lc, plan, "name");
            ind->plan_bound = bound_of(plan);
        }
        if (child(n, "target"))
            ind->target_bound = bound_of(child(n, "target"));
    }
}

static void load_sectors(load_ctx *lc, const xmlNode *parent)
{
    model *m = lc->m;
    m->nsectors = count_children(parent, "sector");
    m->sectors = xcalloc(m->nsectors, sizeof *m->sectors);
    size_t i = 0;
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!mx_is_el(n, "sector"))
            continue;
        model_sector *s = &m->sectors[i++];
        s->id = mx_attr(n, "id");
        s->name = label_attr(lc, n, "name");
        s->line = mx_line_of(lc, n);
        s->col = mx_col_of(lc, n);
        char *role = mx_attr(n, "role");
        s->role = !role                           ? MODEL_ROLE_OTHER
                  : strcmp(role, "leading") == 0  ? MODEL_ROLE_LEADING
                  : strcmp(role, "featured") == 0 ? MODEL_ROLE_FEATURED
                                                  : MODEL_ROLE_OTHER;
        free(role);
        char *prefix = join_id("sectors", s->id, NULL);
        s->firms = opt_figure(lc, n, "firms", prefix, s->name, "户");
        s->output = opt_figure(lc, n, "output", prefix, s->name, "亿元");
        s->growth = opt_figure(lc, n, "growth", prefix, s->name, "%");
        free(prefix);
    }
}

static void load_promotion(load_ctx *lc, const xmlNode *n)
{
    model_promotion *p = &lc->m->promotion;
    p->present = true;
    char *additive = mx_attr(n, "additive");
    p->additive = !additive || strcmp(additive, "true") == 0 || strcmp(additive, "1") == 0;
    free(additive);
    p->activities = opt_figure(lc, n, "activities", "promotion", "招商活动", "次");
    p->projects = opt_figure(lc, n, "projects", "promotion", "招引项目", "个");
    p->amount = opt_figure(lc, n, "amount", "promotion", "招引项目总投资", "亿元");
    p->large_projects = opt_figure(lc, n, "large-projects", "promotion", "大项目", "个");
    const xmlNode *large = child(n, "large-projects");
    if (large && !still_to_fill(lc, large, "threshold", "promotion.large-projects.threshold")) {
        /* The threshold is an attribute; give it a figure of its own. */
        model_figure *f = new_figure(lc, "promotion.large-projects.threshold", "大项目投资门槛",
                                     "亿元", mx_line_of(lc, large));
        mx_attr_pos(lc, large, "threshold", &f->line, &f->col);
        f->text = mx_attr(large, "threshold");
        check_number(lc, large, "threshold", f->id, f);
        p->large_threshold = f;
    }
    p->ncategories = count_children(n, "category");
    p->categories = xcalloc(p->ncategories, sizeof *p->categories);
    size_t i = 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!mx_is_el(c, "category"))
            continue;
        model_category *cat = &p->categories[i++];
        cat->id = mx_attr(c, "id");
        cat->name = label_attr(lc, c, "name");
        cat->line = mx_line_of(lc, c);
        char *prefix = join_id("promotion", cat->id, NULL);
        cat->projects = opt_figure(lc, c, "projects", prefix, cat->name, "个");
        cat->amount = opt_figure(lc, c, "amount", prefix, cat->name, "亿元");
        free(prefix);
    }
}

static void load_figures(load_ctx *lc, const xmlNode *parent)
{
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!mx_is_el(n, "figure"))
            continue;
        char *id = mx_attr(n, "id"), *name = label_attr(lc, n, "name"),
             *unit = label_attr(lc, n, "unit");
        model_figure *f = add_figure(lc, n, id, name, unit);
        if (f)
            f->same_as = mx_attr(n, "same-as");
        free(id), free(name), free(unit);
    }
}

static void load_groups(load_ctx *lc, const xmlNode *parent)
{
    model *m = lc->m;
    m->ngroups = count_children(parent, "group");
    m->groups = xcalloc(m->ngroups, sizeof *m->groups);
    size_t i = 0;
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!mx_is_el(n, "group"))
            continue;
        model_group *g = &m->groups[i++];
        g->id = mx_attr(n, "id");
        g->status = label_attr(lc, n, "status");
        g->partial = attr_true(n, "partial");
        g->line = mx_line_of(lc, n);
        char *prefix = join_id("groups", g->id, NULL);
        g->count = opt_figure(lc, n, "count", prefix, g->status, "个");
        free(prefix);
        g->nitems = count_children(n, "item");
        g->items = xcalloc(g->nitems, sizeof *g->items);
        size_t k = 0;
        for (const xmlNode *it = n->children; it; it = it->next)
            if (mx_is_el(it, "item")) {
                g->items[k++] = label_text(lc, it);
                if (strcmp(g->items[k - 1], TO_FILL) == 0)
                    rg_diag_add(lc->diags, RG_WARNING, lc->path, mx_line_of(lc, it), mx_col_of(lc, it),
                                "to fill: an item of groups.%s is still " TO_FILL "; write its "
                                "name", g->id);
            }
    }
}

static int figure_cmp(const void *a, const void *b)
{
    const model_figure *x = *(const model_figure *const *)a, *y = *(const model_figure *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* An <actual ref="…"/> whose figure is still to be filled is left out too. */
static void drop_unfilled_refs(load_ctx *lc)
{
    model *m = lc->m;
    for (size_t i = 0; i < m->nindicators; i++) {
        model_figure **actual = &m->indicators[i].slot[MODEL_ACTUAL];
        if (*actual && (*actual)->ref && is_unfilled(lc, (*actual)->ref))
            *actual = NULL;
    }
    size_t kept = 0;
    for (size_t i = 0; i < lc->nfnodes; i++) { /* forget them before they go */
        const model_figure *f = lc->fnodes[i].figure;
        if (!(f->ref && is_unfilled(lc, f->ref)))
            lc->fnodes[kept++] = lc->fnodes[i];
    }
    lc->nfnodes = kept;
    kept = 0;
    for (size_t i = 0; i < m->nfigures; i++) {
        model_figure *f = m->figures[i];
        if (f->ref && is_unfilled(lc, f->ref)) {
            free(f->id), free(f->name), free(f->unit), free(f->text), free(f->ref);
            free(f->same_as), free(f);
        } else {
            m->figures[kept++] = f;
        }
    }
    m->nfigures = kept;
}

/* An error for a reference to no figure, with the nearest id suggested. */
static void unknown_ref(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *ref)
{
    const char *near = model_figure_nearest(lc->m, ref), *why = model_derived_missing(ref);
    rg_buf hint = {0};
    if (why)
        rg_buf_printf(&hint, ": it is computed only from %s", why);
    else if (near)
        rg_buf_printf(&hint, "; did you mean \"%s\"?", near);
    else
        rg_buf_puts(&hint, "; declare it under <indicators>, <sectors>, <promotion>, <figures> or "
                           "<groups> (derived names: docs/input-format.md)");
    mx_node_error(lc, n, attr_name, "%s=\"%s\": no figure has that id%s", attr_name, ref, hint.data);
    rg_buf_fini(&hint);
}

/* same-as="…" names a figure, written or derived. */
static void check_same_as(load_ctx *lc)
{
    for (size_t i = 0; i < lc->nfnodes; i++) {
        const model_figure *f = lc->fnodes[i].figure;
        if (f->same_as && !model_figure_find(lc->m, f->same_as) && !is_unfilled(lc, f->same_as))
            unknown_ref(lc, lc->fnodes[i].node, "same-as", f->same_as);
    }
}

/* Sorts the figures, rejects duplicate ids and resolves ref="…". */
static void link_figures(load_ctx *lc)
{
    model *m = lc->m;
    qsort(m->figures, m->nfigures, sizeof *m->figures, figure_cmp);
    for (size_t i = 1; i < m->nfigures; i++)
        if (strcmp(m->figures[i - 1]->id, m->figures[i]->id) == 0)
            rg_diag_add(lc->diags, RG_ERROR, lc->path, m->figures[i]->line, m->figures[i]->col,
                        "the figure id \"%s\" is used twice (also on line %d); ids must be unique",
                        m->figures[i]->id, m->figures[i - 1]->line);
    if (lc->nunfilled)
        qsort(lc->unfilled, lc->nunfilled, sizeof *lc->unfilled, str_cmp);
    for (size_t i = 0; i < lc->nfnodes; i++) {
        model_figure *f = lc->fnodes[i].figure;
        const xmlNode *n = lc->fnodes[i].node;
        if (!f->ref || is_unfilled(lc, f->ref))
            continue;
        const model_figure *t = model_figure_find(m, f->ref);
        if (!t) {
            unknown_ref(lc, n, "ref", f->ref);
            continue;
        }
        if (t->ref) {
            mx_node_error(lc, n, "ref",
                       "ref=\"%s\" points to a figure that is itself a reference (line %d); "
                       "point to the figure that holds the number",
                       f->ref, t->line);
            continue;
        }
        free(f->text);
        f->text = xstrdup(t->text);
        f->value = t->value;
    }
    if (lc->nunfilled)
        drop_unfilled_refs(lc);
    m->nunfilled = lc->nunfilled;
}

/* Ids of the things in one list must differ (figures are checked by
 * link_figures; this catches things that carry no figure). ids[i] is the id
 * of the i-th <el> under parent. Sorted, so that a long list costs no more
 * than its length. */
typedef struct id_at {
    const char *id;
    size_t index;
} id_at;

static int id_at_cmp(const void *a, const void *b)
{
    const id_at *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void check_unique(load_ctx *lc, const char *what, const xmlNode *parent, const char *el,
                         const char *const *ids, size_t n)
{
    if (n < 2)
        return;
    const xmlNode **nodes = xcalloc(n, sizeof *nodes);
    id_at *sorted = xcalloc(n, sizeof *sorted);
    size_t k = 0;
    for (const xmlNode *c = parent->children; c && k < n; c = c->next)
        if (mx_is_el(c, el))
            nodes[k++] = c;
    for (size_t i = 0; i < n; i++)
        sorted[i] = (id_at){ids[i], i};
    qsort(sorted, n, sizeof *sorted, id_at_cmp);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(sorted[i].id, sorted[first].id) != 0) {
            first = i;
            continue;
        }
        mx_node_error(lc, nodes[sorted[i].index], "id",
                   "two %s have the id \"%s\" (also on line %d); ids must be unique", what,
                   sorted[i].id, mx_line_of(lc, nodes[sorted[first].index]));
    }
    free(sorted);
    free(nodes);
}

#define CHECK_UNIQUE(lc, what, parent, el, arr, n)                                               \
    do {                                                                                         \
        const char **ids_ = xcalloc((n), sizeof *ids_);                                          \
        for (size_t i_ = 0; i_ < (n); i_++)                                                      \
            ids_[i_] = (arr)[i_].id;                                                             \
        check_unique(lc, what, parent, el, ids_, n);                                             \
        free(ids_);                                                                              \
    } while (0)

/* A <v ref="…"> with how it is to be written: as="growth", decimals, in, words. */
static void load_reference(load_ctx *lc, const xmlNode *c, const char *ref, model_inline *part)
{
    part->kind = MODEL_INLINE_FIGURE;
    part->line = mx_line_of(lc, c);
    part->col = mx_col_of(lc, c);
    part->figure = model_figure_find(lc->m, ref);
    part->bare = attr_true(c, "bare");
    if (!part->figure && is_unfilled(lc, ref)) { /* warned where it is written */
        part->kind = MODEL_INLINE_TEXT;
        part->text = xstrdup("（" TO_FILL "）");
        return;
    }
    if (!part->figure)
        unknown_ref(lc, c, "ref", ref);
    char *as = mx_attr(c, "as"), *decimals = mx_attr(c, "decimals"), *words = mx_attr(c, "words");
    part->phrase = model_phrase_named(as);
    part->decimals = decimals ? atoi(decimals) : -1;
    part->in_unit = label_attr(lc, c, "in");
    if (part->in_unit && part->figure &&
        !model_units_convert(part->figure->unit, part->in_unit))
        mx_node_error(lc, c, "in",
                   "in=\"%s\": %s is in %s (line %d), which does not convert to %s; units of "
                   "one kind convert: 元/万元/亿元, 平方米/万平方米/平方公里, 吨/万吨, 人/万人",
                   part->in_unit, ref, part->figure->unit, part->figure->line, part->in_unit);
    if (words) {
        if (part->phrase == MODEL_PHRASE_PLAIN || part->phrase == MODEL_PHRASE_ABS)
            mx_node_error(lc, c, "words", "words=\"…\" needs as=\"growth\", \"points\" or "
                                       "\"change\": the words are chosen by the sign");
        if (model_phrase_words(words, part->words) != 0)
            mx_node_error(lc, c, "words",
                       "words=\"%s\": write the word for a rise and for a fall, and optionally "
                       "for no change, separated by commas: words=\"加快,回落,持平\"",
                       words);
    }
    free(as), free(decimals), free(words);
}

static void load_paragraph(load_ctx *lc, const xmlNode *n, model_paragraph *p)
{
    p->line = mx_line_of(lc, n);
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        k++;
    p->parts = xcalloc(k, sizeof *p->parts);
    for (const xmlNode *c = n->children; c; c = c->next) {
        model_inline *part = &p->parts[p->nparts];
        if (c->type == XML_TEXT_NODE) {
            part->kind = MODEL_INLINE_TEXT;
            part->text = model_input_clean_prose((const char *)c->content);
            p->nparts++;
        } else if (mx_is_el(c, "v") || mx_is_el(c, "list")) {
            char *ref = mx_attr(c, "ref");
            if (mx_is_el(c, "v")) {
                load_reference(lc, c, ref, part);
            } else {
                part->kind = MODEL_INLINE_LIST;
                part->group = model_group_find(lc->m, ref);
                const char *near = part->group ? NULL : model_group_nearest(lc->m, ref);
                if (!part->group)
                    mx_node_error(lc, c, "ref", "<list ref=\"%s\">: no group has that id (write "
                               "groups.ID)%s%s%s", ref, near ? "; did you mean \"groups." : "",
                               near ? near : "", near ? "\"?" : "");
                /* Each <list> writes its names out again: bounded, so that
                 * a small input cannot expand past what an input may hold. */
                for (size_t item = 0; part->group && item < part->group->nitems; item++)
                    lc->expanded += strlen(part->group->items[item]) + 3;
                if (lc->expanded > MODEL_MAX_FILE_BYTES && !lc->expansion_told) {
                    lc->expansion_told = true;
                    mx_node_error(lc, c, "ref",
                                  "the lists the narrative names would write more than %d MB "
                                  "of names; name each list once, or shorten it",
                                  MODEL_MAX_FILE_BYTES / (1024 * 1024));
                }
            }
            free(ref);
            p->nparts++;
        }
    }
}

static void load_paragraphs(load_ctx *lc, const xmlNode *parent, model_paragraph **out,
                            size_t *count)
{
    *count = count_children(parent, "p");
    *out = xcalloc(*count, sizeof **out);
    size_t i = 0;
    for (const xmlNode *c = parent->children; c; c = c->next)
        if (mx_is_el(c, "p"))
            load_paragraph(lc, c, &(*out)[i++]);
}

static void load_sections(load_ctx *lc, const xmlNode *parent, model_section **out, size_t *count,
                          int depth)
{
    *count = count_children(parent, "section");
    *out = xcalloc(*count, sizeof **out);
    size_t i = 0;
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (!mx_is_el(c, "section"))
            continue;
        model_section *s = &(*out)[i++];
        s->title = label_attr(lc, c, "title");
        s->line = mx_line_of(lc, c);
        if (depth > MODEL_MAX_SECTION_DEPTH) {
            mx_node_error(lc, c, NULL,
                       "sections nested too deeply (the limit is %d levels: 一、（一）1.（1）)",
                       MODEL_MAX_SECTION_DEPTH);
            continue;
        }
        load_paragraphs(lc, c, &s->paragraphs, &s->nparagraphs);
        load_sections(lc, c, &s->sections, &s->nsections, depth + 1);
    }
}

void mx_load_report(load_ctx *lc, const xmlNode *root)
{
    model *m = lc->m;
    m->period = label_attr(lc, root, "period");
    m->full_year = model_period_is_full_year(m->period);
    /* The years are figures too, so prose can say <v ref="year"/>. */
    const char *year_ids[2] = {"year", "plan-year"};
    int *years[2] = {&m->year, &m->plan_year};
    for (int i = 0; i < 2; i++) {
        model_figure *f =
            new_figure(lc, year_ids[i], i ? "计划年份" : "年份", "年", mx_line_of(lc, root));
        f->text = mx_attr(root, year_ids[i]);
        rg_dec_parse(f->text, &f->value);
        *years[i] = atoi(f->text);
    }
    m->date = mx_attr(root, "date");
    m->previous = mx_attr(root, "previous");
    if (m->previous)
        mx_attr_pos(lc, root, "previous", &m->previous_line, &m->previous_col);
    m->park = label_text(lc, child(root, "park"));
    if (child(root, "title"))
        m->title = label_text(lc, child(root, "title"));
    if (child(root, "author"))
        m->author = label_text(lc, child(root, "author"));
    const xmlNode *frame = child(root, "frame"); /* model_frame.c */
    m->frame = frame ? xcalloc(1, sizeof *m->frame) : NULL;
    for (const xmlNode *c = frame ? frame->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            model_frame_add(m->frame, lc->path, (const char *)c->name, mx_line_of(lc, c), mx_col_of(lc, c),
                            mx_is_el(c, "attachment") ? label_attr(lc, c, "title") : label_text(lc, c),
                            mx_attr(c, mx_is_el(c, "printer") ? "date" : "content"), lc->diags);
    model_frame_finish(m->frame, m->date, m->year);
    if (m->plan_year != m->year + 1)
        mx_node_error(lc, root, "plan-year",
                   "plan-year=\"%d\" should be the year after year=\"%d\"", m->plan_year,
                   m->year);

    load_indicators(lc, child(root, "indicators"));
    if (child(root, "sectors"))
        load_sectors(lc, child(root, "sectors"));
    if (child(root, "promotion"))
        load_promotion(lc, child(root, "promotion"));
    if (child(root, "figures"))
        load_figures(lc, child(root, "figures"));
    if (child(root, "groups"))
        load_groups(lc, child(root, "groups"));
    CHECK_UNIQUE(lc, "indicators", child(root, "indicators"), "indicator", m->indicators,
                 m->nindicators);
    CHECK_UNIQUE(lc, "sectors", child(root, "sectors"), "sector", m->sectors, m->nsectors);
    CHECK_UNIQUE(lc, "categories", child(root, "promotion"), "category",
                 m->promotion.categories, m->promotion.ncategories);
    CHECK_UNIQUE(lc, "groups", child(root, "groups"), "group", m->groups, m->ngroups);
    link_figures(lc);
    model_derive(m, lc->diags);
    check_same_as(lc);

    const xmlNode *narrative = child(root, "narrative");
    if (child(narrative, "intro"))
        load_paragraphs(lc, child(narrative, "intro"), &m->intro, &m->nintro);
    load_sections(lc, narrative, &m->sections, &m->nsections, 1);
}

