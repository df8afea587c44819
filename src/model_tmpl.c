/* model_tmpl.c - the model as template data: the adapter between the model
 * and the template engine, which know nothing of each other. */
#include "model_tmpl.h"

#include <stdio.h>

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

tval *model_tmpl_data(const model *m)
{
    tval *root = tval_map();
    char year[16];
    tval_set(root, "park", tval_string(m->park));
    snprintf(year, sizeof year, "%d", m->year);
    tval_set(root, "year", tval_string(year));
    snprintf(year, sizeof year, "%d", m->plan_year);
    tval_set(root, "plan_year", tval_string(year));
    tval_set(root, "period", tval_string(m->period));
    tval_set(root, "title", m->title ? tval_string(m->title) : tval_bool(false));
    tval_set(root, "intro", paragraphs_data(m->intro, m->nintro));
    tval_set(root, "sections", sections_data(m->sections, m->nsections));
    return root;
}
