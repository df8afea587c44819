/* tmpl.h - the template engine: a Mustache core for the narrative.
 *
 * Pipeline stage 2: model data -> text in the document form (see doc.h).
 * Supported: {{name}} and dotted names, {{.}}, {{{name}}} / {{&name}} (the
 * report mode never escapes, so these are the same), {{#section}},
 * {{^inverted}}, {{/close}}, {{! comments }}, and the spec's standalone-line
 * rule. Strict: a name missing from the data is an error with
 * TEMPLATE:LINE:COL, never an empty string.
 *
 * The engine knows nothing of reports: it reads a tval tree that the caller
 * builds (the model builds one with model_tmpl_data).
 *
 * Ownership: tmpl_compile copies what it needs from src; a compiled template
 * is immutable and may be rendered for many inputs. tval_set/tval_push take
 * ownership of the value they are given; tval_free frees a whole tree.
 */
#ifndef RG_TMPL_H
#define RG_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define TMPL_MAX_DEPTH 64

typedef enum { TVAL_BOOL, TVAL_STRING, TVAL_LIST, TVAL_MAP } tval_kind;

typedef struct tval {
    tval_kind kind;
    bool b;
    char *s;
    struct tval **items; /* LIST items, MAP values */
    char **keys;         /* MAP keys */
    size_t n, cap;
} tval;

tval *tval_bool(bool b);
tval *tval_string(const char *s);
tval *tval_string_take(char *s);
tval *tval_list(void);
tval *tval_map(void);
/* Adds key -> v to a map (v is taken). Returns v. */
tval *tval_set(tval *map, const char *key, tval *v);
/* Appends v to a list (v is taken). Returns v. */
tval *tval_push(tval *list, tval *v);
const tval *tval_get(const tval *map, const char *key, size_t keylen);
void tval_free(tval *v);

typedef struct tmpl tmpl;

/* Compiles src (len bytes, UTF-8) named `name` in messages. NULL with errors
 * in diags when it does not parse. */
tmpl *tmpl_compile(const char *name, const char *src, size_t len, rg_diags *diags);
/* Reads and compiles a template file. */
tmpl *tmpl_load(const char *path, rg_diags *diags);
/* Renders into out (appending). Returns 0, or -1 with errors in diags; out
 * then holds a partial result the caller must discard. */
int tmpl_render(const tmpl *t, const tval *data, rg_buf *out, rg_diags *diags);
void tmpl_free(tmpl *t);

#endif
