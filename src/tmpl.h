/* tmpl.h - the template engine: Mustache with filters.
 *
 * Pipeline stage 2: template data -> text in the document form (see doc.h).
 * The language is described for template writers in docs/templates.md:
 * every tag of the Mustache spec (variables, sections, inverted sections,
 * comments, partials, set delimiters, template inheritance with parents and
 * blocks, the standalone-line rule), plus filters inside a tag,
 * `{{ value | filter arg ... }}`, and loop names @index @number @first @last.
 *
 * The engine knows nothing of XML or of reports: it reads a tree of tval
 * values that the caller builds (the model builds one in model_tmpl.c, the
 * spec runner from JSON).
 *
 * Strict by default: a name missing from the data, an empty (null) value
 * written out without `| default`, an unknown filter, a bad argument, an
 * unclosed or mismatched section are errors at TEMPLATE:LINE:COL with the
 * source line and a caret. The lenient mode is the spec's: misses are empty.
 *
 * Ownership: tmpl_compile copies what it needs from its sources; a compiled
 * template, partials included, is immutable and may be rendered for many
 * inputs, from several threads at once. tval_set/tval_push take ownership of
 * the value they are given; tval_free frees a whole tree.
 */
#ifndef RG_TMPL_H
#define RG_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Nesting of sections in one template, and of partials and data contexts
 * while rendering: past these a template is reported, never a crash. */
#define TMPL_MAX_DEPTH 64
#define TMPL_MAX_RENDER_DEPTH 256
/* The most one render writes: a template that repeats its data past this
 * (sections nested over lists multiply) is reported, not rendered. */
#define TMPL_MAX_OUTPUT ((size_t)20 << 20)
/* Likewise the tags and texts one render walks, which bounds its time when
 * nested sections write little. */
#define TMPL_MAX_STEPS ((size_t)16000000)

typedef enum { TVAL_NULL, TVAL_BOOL, TVAL_NUMBER, TVAL_STRING, TVAL_LIST, TVAL_MAP } tval_kind;

typedef struct tval {
    tval_kind kind;
    bool b;
    char *s;        /* STRING: the text; NUMBER: the number as written */
    rg_dec dec;     /* NUMBER: its exact value, when dec_ok */
    bool dec_ok;    /* false for a number too long for rg_dec (filters refuse it) */
    char *unit;     /* NUMBER: its unit (亿元, %, 户 ...), or NULL */
    struct tval **items; /* LIST items, MAP values */
    char **keys;         /* MAP keys */
    size_t n, cap;
} tval;

tval *tval_null(void);
tval *tval_bool(bool b);
tval *tval_string(const char *s);
tval *tval_string_take(char *s);
/* A number written as `text` ("124.2"), with an optional unit. A text that is
 * not a plain decimal is kept for printing, but numeric filters refuse it. */
tval *tval_number(const char *text, const char *unit);
tval *tval_list(void);
tval *tval_map(void);
/* Adds key -> v to a map (v is taken). Returns v. */
tval *tval_set(tval *map, const char *key, tval *v);
/* Appends v to a list (v is taken). Returns v. */
tval *tval_push(tval *list, tval *v);
const tval *tval_get(const tval *map, const char *key, size_t keylen);
void tval_free(tval *v);

/* Where partials ({{> name}}, {{< name}}) come from. load returns the
 * partial's source (malloc'd, *len set) and the name to use in messages
 * (malloc'd) in *display, or NULL when there is no such partial. */
typedef struct tmpl_loader {
    char *(*load)(void *ctx, const char *name, size_t *len, char **display);
    void *ctx;
} tmpl_loader;

/* Writes the n bytes of data at s to out escaped for the output's language;
 * {{x}} goes through it, {{{x}}} and {{& x}} never. */
typedef void (*tmpl_escape_fn)(const char *s, size_t n, rg_buf *out);

/* The spec's escape: & " < > as HTML entities. */
void tmpl_escape_html(const char *s, size_t n, rg_buf *out);

typedef struct tmpl_options {
    tmpl_escape_fn escape; /* NULL: nothing is escaped */
    bool lenient;          /* missing names and partials are empty (the spec's mode) */
} tmpl_options;

typedef struct tmpl tmpl;

/* Compiles src (len bytes, UTF-8) named `name` in messages, with every
 * partial it reaches. partials and opt may be NULL (no partials; strict,
 * unescaped). NULL with errors in diags when it does not compile. */
tmpl *tmpl_compile(const char *name, const char *src, size_t len, const tmpl_loader *partials,
                   const tmpl_options *opt, rg_diags *diags);
/* Reads and compiles dir/file; partials are dir/NAME.mustache. opt as for
 * tmpl_compile. */
tmpl *tmpl_load(const char *dir, const char *file, const tmpl_options *opt, rg_diags *diags);
/* Renders into out (appending). Returns 0, or -1 with an error in diags: at
 * the tag being rendered when the output would pass TMPL_MAX_OUTPUT bytes or
 * the walk TMPL_MAX_STEPS steps.
 * out then holds a partial result the caller must discard. */
int tmpl_render(const tmpl *t, const tval *data, rg_buf *out, rg_diags *diags);
/* Told of a name the data lacks: `name` as the template writes it, `where`
 * the template's FILE:LINE:COL asking for it. Returns true when it has told
 * it; false leaves it to the usual error at the template's place. */
typedef bool (*tmpl_missing_fn)(void *ud, const char *name, const char *where, rg_diags *diags);
/* tmpl_render, but a name the data lacks (in strict mode) goes to `missing`,
 * once per name, and the render goes on as if it were empty, so that every
 * missing name is told at once; -1 at the end when there was one. */
int tmpl_render_collect(const tmpl *t, const tval *data, rg_buf *out, tmpl_missing_fn missing,
                        void *ud, rg_diags *diags);
void tmpl_free(tmpl *t);

#endif
