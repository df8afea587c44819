/* scaffold.c - see scaffold.h. */
#include "scaffold.h"

#include <ctype.h>
#include <string.h>

#define TO_FILL "待填" /* what the loader reads as a figure still to be filled */

/* s as XML character data or an attribute value in double quotes. */
static void put_escaped(rg_buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            rg_buf_puts(out, "&amp;");
            break;
        case '<':
            rg_buf_puts(out, "&lt;");
            break;
        case '>':
            rg_buf_puts(out, "&gt;");
            break;
        case '"':
            rg_buf_puts(out, "&quot;");
            break;
        case '\'':
            rg_buf_puts(out, "&apos;");
            break;
        default:
            /* A tab or line break in a value (a file's name) kept as a
             * reference: written raw, XML reads it as a space. */
            if ((unsigned char)*s < ' ')
                rg_buf_printf(out, "&#%d;", *s);
            else
                rg_buf_putc(out, *s);
        }
    }
}

/* ` name="value"`, escaped; nothing when value is NULL. */
static void put_attr(rg_buf *out, const char *name, const char *value)
{
    if (!value)
        return;
    rg_buf_printf(out, " %s=\"", name);
    put_escaped(out, value);
    rg_buf_putc(out, '"');
}

static void indent(rg_buf *out, int depth)
{
    for (int i = 0; i < depth; i++)
        rg_buf_puts(out, "  ");
}

/* <el unit="…">待填</el>, the unit written only where it differs from the
 * one the element has without it. */
static void put_to_fill(rg_buf *out, int depth, const char *el, const model_figure *was,
                        const char *default_unit)
{
    indent(out, depth);
    rg_buf_printf(out, "<%s", el);
    if (was && default_unit && strcmp(was->unit, default_unit) != 0)
        put_attr(out, "unit", was->unit);
    rg_buf_printf(out, ">" TO_FILL "</%s>\n", el);
}

static const char *bound_name(model_bound b)
{
    return b == MODEL_BOUND_AT_LEAST ? "at-least" : b == MODEL_BOUND_AT_MOST ? "at-most" : NULL;
}

static void put_indicator(rg_buf *out, const model_indicator *ind)
{
    const model_figure *plan = ind->slot[MODEL_PLAN], *actual = ind->slot[MODEL_ACTUAL];
    rg_buf_puts(out, "    <indicator");
    put_attr(out, "id", ind->id);
    put_attr(out, "name", ind->name);
    put_attr(out, "unit", ind->unit);
    rg_buf_puts(out, ">\n");
    if (plan) { /* last year's plan is this year's target */
        rg_buf_puts(out, "      <target");
        if (strcmp(plan->unit, ind->unit) != 0)
            put_attr(out, "unit", plan->unit);
        put_attr(out, "bound", bound_name(ind->plan_bound));
        rg_buf_puts(out, ">");
        put_escaped(out, plan->text);
        rg_buf_puts(out, "</target>\n");
    }
    if (actual && actual->ref) {
        rg_buf_puts(out, "      <actual");
        put_attr(out, "ref", actual->ref);
        if (strcmp(actual->unit, ind->unit) != 0)
            put_attr(out, "unit", actual->unit);
        rg_buf_puts(out, "/>\n");
    } else if (actual || plan) { /* a target is measured against an actual */
        /* in the target's unit, which last year's plan gave */
        put_to_fill(out, 3, "actual", plan ? plan : actual, ind->unit);
    }
    if (ind->slot[MODEL_ACTUAL_GROWTH])
        put_to_fill(out, 3, "actual-growth", NULL, NULL);
    if (ind->slot[MODEL_FORECAST])
        put_to_fill(out, 3, "forecast", ind->slot[MODEL_FORECAST], ind->unit);
    if (ind->slot[MODEL_FORECAST_GROWTH])
        put_to_fill(out, 3, "forecast-growth", NULL, NULL);
    if (plan) {
        rg_buf_puts(out, "      <plan");
        if (strcmp(plan->unit, ind->unit) != 0)
            put_attr(out, "unit", plan->unit);
        put_attr(out, "name", ind->plan_name);
        put_attr(out, "bound", bound_name(ind->plan_bound));
        rg_buf_puts(out, ">" TO_FILL "</plan>\n");
    }
    rg_buf_puts(out, "    </indicator>\n");
}

static void put_sectors(rg_buf *out, const model *m)
{
    static const char *const role_name[] = {"other", "leading", "featured"};
    rg_buf_puts(out, "  <sectors>\n");
    for (size_t i = 0; i < m->nsectors; i++) {
        const model_sector *s = &m->sectors[i];
        rg_buf_puts(out, "    <sector");
        put_attr(out, "id", s->id);
        put_attr(out, "name", s->name);
        if (s->role != MODEL_ROLE_OTHER)
            put_attr(out, "role", role_name[s->role]);
        if (!s->firms && !s->output && !s->growth) {
            rg_buf_puts(out, "/>\n");
            continue;
        }
        rg_buf_puts(out, ">\n");
        if (s->firms)
            put_to_fill(out, 3, "firms", NULL, NULL);
        if (s->output)
            put_to_fill(out, 3, "output", NULL, NULL);
        if (s->growth)
            put_to_fill(out, 3, "growth", NULL, NULL);
        rg_buf_puts(out, "    </sector>\n");
    }
    rg_buf_puts(out, "  </sectors>\n\n");
}

static void put_promotion(rg_buf *out, const model_promotion *p)
{
    rg_buf_puts(out, "  <promotion>\n");
    if (p->activities)
        put_to_fill(out, 2, "activities", NULL, NULL);
    put_to_fill(out, 2, "projects", NULL, NULL);
    put_to_fill(out, 2, "amount", NULL, NULL);
    if (p->large_projects || p->large_threshold) {
        /* The threshold defines what counts as large: kept. */
        rg_buf_puts(out, "    <large-projects");
        put_attr(out, "threshold", p->large_threshold ? p->large_threshold->text : TO_FILL);
        rg_buf_puts(out, ">" TO_FILL "</large-projects>\n");
    }
    for (size_t i = 0; i < p->ncategories; i++) {
        rg_buf_puts(out, "    <category");
        put_attr(out, "id", p->categories[i].id);
        put_attr(out, "name", p->categories[i].name);
        rg_buf_puts(out, "><projects>" TO_FILL "</projects><amount>" TO_FILL "</amount></category>\n");
    }
    rg_buf_puts(out, "  </promotion>\n\n");
}

static void put_groups(rg_buf *out, const model *m)
{
    rg_buf_puts(out, "  <groups>\n");
    for (size_t i = 0; i < m->ngroups; i++) {
        const model_group *g = &m->groups[i];
        rg_buf_puts(out, "    <group");
        put_attr(out, "id", g->id);
        put_attr(out, "status", g->status);
        if (g->partial)
            put_attr(out, "partial", "true");
        rg_buf_puts(out, ">\n");
        if (g->count)
            put_to_fill(out, 3, "count", g->count, "个");
        /* Last year's names are not this year's: one item to fill. */
        rg_buf_puts(out, "      <item>" TO_FILL "</item>\n    </group>\n");
    }
    rg_buf_puts(out, "  </groups>\n\n");
}

/* The year written at s: four digits. */
static int year_at(const char *s)
{
    return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

/* A title with the report's years moved on by one ("2024年工作计划" becomes
 * "2025年工作计划"); other numbers are left as they are. */
static void put_title(rg_buf *out, const model *m, const char *title)
{
    rg_buf moved = {0};
    rg_buf_append(&moved, "", 0);
    for (size_t i = 0; title[i];) {
        size_t n = 0;
        while (isdigit((unsigned char)title[i + n]))
            n++;
        bool boundary = i == 0 || !isdigit((unsigned char)title[i - 1]);
        int y = n == 4 && boundary ? year_at(title + i) : 0;
        if (y == m->year || y == m->plan_year) {
            rg_buf_printf(&moved, "%d", y + 1);
            i += n;
        } else if (n) {
            rg_buf_append(&moved, title + i, n);
            i += n;
        } else {
            rg_buf_putc(&moved, title[i++]);
        }
    }
    put_escaped(out, moved.data);
    rg_buf_fini(&moved);
}

static void put_sections(rg_buf *out, const model *m, const model_section *s, size_t n, int depth)
{
    for (size_t i = 0; i < n; i++) {
        indent(out, depth);
        rg_buf_puts(out, "<section title=\"");
        put_title(out, m, s[i].title);
        rg_buf_puts(out, "\">\n");
        for (size_t k = 0; k < s[i].nparagraphs; k++) {
            indent(out, depth + 1);
            rg_buf_puts(out, "<p></p>\n");
        }
        put_sections(out, m, s[i].sections, s[i].nsections, depth + 1);
        indent(out, depth);
        rg_buf_puts(out, "</section>\n");
    }
}

void scaffold_write(const model *m, const char *previous_name, rg_buf *out)
{
    rg_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<!-- 下一年的输入，由 parkreport 按上一年的输入生成。把每个“待填”换成数字（或名称），\n"
                     "     不适用的元素整个删去；检查（check）时程序逐一列出尚未填写之处。\n"
                     "     目标（target）取自上一年的计划。说明见 docs/input-format.md。 -->\n");
    rg_buf_printf(out, "<report year=\"%d\" plan-year=\"%d\"", m->year + 1, m->plan_year + 1);
    put_attr(out, "period", m->period);
    put_attr(out, "previous", previous_name);
    rg_buf_puts(out, ">\n  <park>");
    put_escaped(out, m->park);
    rg_buf_puts(out, "</park>\n");
    if (m->author) {
        rg_buf_puts(out, "  <author>");
        put_escaped(out, m->author);
        rg_buf_puts(out, "</author>\n");
    }
    rg_buf_puts(out, "\n  <indicators>\n");
    for (size_t i = 0; i < m->nindicators; i++)
        put_indicator(out, &m->indicators[i]);
    rg_buf_puts(out, "  </indicators>\n\n");
    if (m->nsectors)
        put_sectors(out, m);
    if (m->promotion.present)
        put_promotion(out, &m->promotion);
    if (m->ngroups)
        put_groups(out, m);
    rg_buf_puts(out, "  <narrative>\n");
    if (m->nintro) {
        rg_buf_puts(out, "    <intro>\n");
        for (size_t k = 0; k < m->nintro; k++)
            rg_buf_puts(out, "      <p></p>\n");
        rg_buf_puts(out, "    </intro>\n");
    }
    put_sections(out, m, m->sections, m->nsections, 2);
    rg_buf_puts(out, "  </narrative>\n</report>\n");
}
