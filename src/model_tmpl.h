/* model_tmpl.h - the model as data for the template engine.
 *
 * Keys of the returned tree: park, year, plan_year, period, title (a string,
 * or false when the input gives none), intro (list of {text}), sections (list
 * of {title, paragraphs: [{text}], sections: [...]}). Paragraph text has its
 * figures and lists filled in. The caller frees the tree with tval_free. */
#ifndef RG_MODEL_TMPL_H
#define RG_MODEL_TMPL_H

#include "model.h"
#include "tmpl.h"

tval *model_tmpl_data(const model *m);

/* A name the report's template asks for and the input lacks
 * (tmpl_missing_fn; ud is the model): for a figure (fig.…), an error against
 * the input, at the indicator or sector it belongs to when there is one,
 * saying what to add and where the template asks for it, and true; false
 * for any other name, which is the template's mistake. */
bool model_tmpl_missing(void *ud, const char *name, const char *where, rg_diags *diags);

#endif
