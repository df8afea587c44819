/* tmpl_impl.h - the template engine's compiled form and renderer state,
 * shared by its three files: tmpl.c (values, compiling), tmpl_render.c
 * (rendering) and tmpl_filters.c (the filters). Not a public header. */
#ifndef RG_TMPL_IMPL_H
#define RG_TMPL_IMPL_H

#include "tmpl.h"

/* --- the compiled form ------------------------------------------------ */

typedef enum {
    NODE_TEXT,
    NODE_VAR,
    NODE_SECTION,
    NODE_INVERTED,
    NODE_PARTIAL,
    NODE_PARENT,
    NODE_BLOCK
} node_kind;

struct filter_def;

typedef struct filter_call {
    const struct filter_def *def;
    tval **args;
    size_t nargs;
    size_t at; /* offset of the filter's name, for messages */
} filter_call;

/* `path | filter arg ... | ...` */
typedef struct expr {
    char *path;
    filter_call *filters;
    size_t nfilters;
    char *canon; /* the tag's text without blanks, to match a closing tag */
} expr;

typedef struct node {
    node_kind kind;
    bool raw;     /* VAR: never escaped */
    char *text;   /* TEXT: the text; PARTIAL, PARENT, BLOCK: the name */
    expr e;       /* VAR, SECTION, INVERTED */
    size_t unit;  /* the source this node is in */
    size_t at;    /* byte offset of its tag there */
    size_t target; /* PARTIAL, PARENT: the unit rendered */
    char *indent; /* PARTIAL on a line of its own: the blanks before it */
    struct node *kids;
    size_t nkids, cap;
} node;

/* A source: the template itself (unit 0) or a partial. */
typedef struct unit {
    char *name;    /* the partial's name; "" for the template */
    char *display; /* its file, in messages */
    char *src;
    size_t len;
    bool present;  /* false: a missing partial, rendered empty (lenient) */
    size_t ref_unit, ref_at; /* the first tag naming it, for messages */
    node root;
} unit;

struct tmpl {
    unit *units;
    size_t nunits, cap;
    tmpl_options opt;
};

/* --- filters ---------------------------------------------------------- */

typedef struct render render;

/* A filter maps its input (NULL when the name is missing, for `default`) to
 * a result; results it makes are kept by the renderer until the end. */
typedef int (*filter_fn)(render *r, const node *nd, const filter_call *fc, const tval *in,
                         const tval **out);

/* Arguments: d = a count of decimals (0-9), s = a "string", n = a number,
 * a = either; those after '?' may be left out. */
typedef struct filter_def {
    const char *name;
    const char *args;
    filter_fn fn;
} filter_def;


typedef struct frame {
    const tval *v;
    bool loop;          /* an item of a list: @index and the rest are defined */
    size_t index, count;
} frame;

struct render {
    const tmpl *t;
    frame *stack;
    size_t depth, cap;
    const node **parents; /* {{<parent}} tags being rendered, outermost first */
    size_t nparents, pcap;
    rg_buf indent;        /* of the standalone partials being rendered */
    bool line_start;      /* the next output starts a line of a partial */
    int nesting;
    tval **owned;         /* values made by filters and loop names */
    size_t nowned, ocap;
    rg_buf *out;
    size_t start;         /* out's length when the render began */
    bool too_long;        /* past TMPL_MAX_OUTPUT: nothing more is written */
    size_t steps;         /* tags and texts rendered, up to TMPL_MAX_STEPS */
    rg_diags *diags;
    tmpl_missing_fn missing; /* names the data lacks go to it (tmpl_render_collect) */
    void *missing_ud;
    rg_buf missed;        /* the names told, each followed by a line break */
};

/* The filters, ended by an entry with a NULL name (tmpl_filters.c). */
extern const filter_def tmpl_filters[];
const filter_def *tmpl_find_filter(const char *name, size_t len);

/* Values (tmpl.c). */
tval *tval_number_dec(rg_dec d, const char *unit_name);
tval *tval_copy(const tval *v);
const char *tval_kind_name(const tval *v);

/* Rendering (tmpl_render.c): an error at a tag; a value made while
 * rendering, freed when the render ends. */
int tmpl_render_error(render *r, size_t unit_index, size_t at, const char *fmt, ...)
    RG_PRINTF(4, 5);
const tval *tmpl_keep(render *r, tval *v);

#endif
