/* tmpl.c - see tmpl.h. Compiling builds a tree of nodes for the template and
 * every partial it reaches, once; rendering walks it with a stack of data
 * contexts, never changing the tree. */
#include "tmpl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- data values ------------------------------------------------------ */

static tval *tval_new(tval_kind kind)
{
    tval *v = xcalloc(1, sizeof *v);
    v->kind = kind;
    return v;
}

tval *tval_null(void)
{
    return tval_new(TVAL_NULL);
}

tval *tval_bool(bool b)
{
    tval *v = tval_new(TVAL_BOOL);
    v->b = b;
    return v;
}

tval *tval_string_take(char *s)
{
    tval *v = tval_new(TVAL_STRING);
    v->s = s;
    return v;
}

tval *tval_string(const char *s)
{
    return tval_string_take(xstrdup(s));
}

tval *tval_number(const char *text, const char *unit)
{
    tval *v = tval_new(TVAL_NUMBER);
    v->s = xstrdup(text);
    v->dec_ok = rg_dec_parse(text, &v->dec) == 0;
    v->unit = unit && *unit ? xstrdup(unit) : NULL;
    return v;
}

static tval *tval_number_dec(rg_dec d, const char *unit)
{
    rg_buf b = {0};
    rg_dec_format(d, &b);
    tval *v = tval_new(TVAL_NUMBER);
    v->s = rg_buf_take(&b);
    v->dec = d;
    v->dec_ok = true;
    v->unit = unit && *unit ? xstrdup(unit) : NULL;
    return v;
}

tval *tval_list(void)
{
    return tval_new(TVAL_LIST);
}

tval *tval_map(void)
{
    return tval_new(TVAL_MAP);
}

static void tval_append(tval *c, char *key, tval *v)
{
    size_t cap = c->cap;
    void *items = c->items;
    xgrow(&items, &cap, c->n + 1, sizeof *c->items);
    c->items = items;
    if (c->kind == TVAL_MAP) {
        void *keys = c->keys;
        size_t kcap = c->cap;
        xgrow(&keys, &kcap, c->n + 1, sizeof *c->keys);
        c->keys = keys;
        c->keys[c->n] = key;
    }
    c->cap = cap;
    c->items[c->n++] = v;
}

tval *tval_set(tval *map, const char *key, tval *v)
{
    tval_append(map, xstrdup(key), v);
    return v;
}

tval *tval_push(tval *list, tval *v)
{
    tval_append(list, NULL, v);
    return v;
}

const tval *tval_get(const tval *map, const char *key, size_t keylen)
{
    if (!map || map->kind != TVAL_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strlen(map->keys[i]) == keylen && memcmp(map->keys[i], key, keylen) == 0)
            return map->items[i];
    return NULL;
}

static tval *tval_copy(const tval *v)
{
    tval *c = tval_new(v->kind);
    c->b = v->b;
    c->s = v->s ? xstrdup(v->s) : NULL;
    c->dec = v->dec;
    c->dec_ok = v->dec_ok;
    c->unit = v->unit ? xstrdup(v->unit) : NULL;
    for (size_t i = 0; i < v->n; i++)
        tval_append(c, v->keys ? xstrdup(v->keys[i]) : NULL, tval_copy(v->items[i]));
    return c;
}

void tval_free(tval *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        tval_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->s);
    free(v->unit);
    free(v);
}

static const char *kind_name(const tval *v)
{
    if (!v)
        return "nothing";
    switch (v->kind) {
    case TVAL_NULL:
        return "an empty value";
    case TVAL_BOOL:
        return v->b ? "true" : "false";
    case TVAL_NUMBER:
        return "a number";
    case TVAL_STRING:
        return "text";
    case TVAL_LIST:
        return "a list";
    default:
        return "a group of values";
    }
}

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

static void expr_fini(expr *e)
{
    for (size_t i = 0; i < e->nfilters; i++) {
        for (size_t k = 0; k < e->filters[i].nargs; k++)
            tval_free(e->filters[i].args[k]);
        free(e->filters[i].args);
    }
    free(e->filters);
    free(e->path);
    free(e->canon);
}

static void node_fini(node *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        node_fini(&n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n->indent);
    expr_fini(&n->e);
}

void tmpl_free(tmpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nunits; i++) {
        node_fini(&t->units[i].root);
        free(t->units[i].name);
        free(t->units[i].display);
        free(t->units[i].src);
    }
    free(t->units);
    free(t);
}

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

static const filter_def *find_filter(const char *name, size_t len);

/* --- compiling -------------------------------------------------------- */

typedef struct parser {
    tmpl *t;
    size_t unit;
    const char *src;
    size_t len, pos;
    char *open, *close; /* the delimiters, {{ and }} unless set */
    rg_diags *diags;
    bool failed;
    size_t line_start;    /* of the line being parsed */
    size_t standalone_end; /* past the newline of a standalone line, or 0 */
} parser;

static void error_at(rg_diags *d, const unit *u, size_t at, const char *fmt, ...) RG_PRINTF(4, 5);

static void error_at(rg_diags *d, const unit *u, size_t at, const char *fmt, ...)
{
    int line, col;
    rg_utf8_position(u->src, at, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    rg_diag_vadd(d, RG_ERROR, u->display, line, col, fmt, ap);
    va_end(ap);
    rg_diag_excerpt(d, u->src, u->len, at);
}

#define PARSE_ERROR(p, at, ...)                                                                    \
    do {                                                                                           \
        error_at((p)->diags, &(p)->t->units[(p)->unit], (at), __VA_ARGS__);                        \
        (p)->failed = true;                                                                        \
    } while (0)

static node *add_node(node *parent, node_kind kind, size_t unit_index, size_t at)
{
    void *arr = parent->kids;
    xgrow(&arr, &parent->cap, parent->nkids + 1, sizeof *parent->kids);
    parent->kids = arr;
    node *n = &parent->kids[parent->nkids++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->unit = unit_index;
    n->at = at;
    return n;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
    return is_blank(c) || c == '\r' || c == '\n';
}

static const char *find(const char *hay, size_t hay_len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || hay_len < n)
        return NULL;
    for (size_t i = 0; i + n <= hay_len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* The tag's text without blanks outside strings: `a | yi 1` and `a|yi 1`
 * close each other. */
static char *canonical(const char *s, size_t n)
{
    rg_buf b = {0};
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
            in_string = !in_string;
        if (!in_string && is_space(s[i])) {
            /* keep one blank between two words: `gt 1` is not `gt1` */
            if (b.len && i + 1 < n && !is_space(s[i + 1]) && s[i + 1] != '|' &&
                b.data[b.len - 1] != '|' && b.data[b.len - 1] != ' ')
                rg_buf_putc(&b, ' ');
            continue;
        }
        rg_buf_putc(&b, s[i]);
    }
    return rg_buf_take(&b);
}

static bool valid_path(const char *s, size_t n)
{
    if (n == 1 && s[0] == '.')
        return true;
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((c == '.' && i + 1 < n && s[i + 1] == '.') || c == '"' || c == '{' || c == '}' || c == '|' ||
            c == '=')
            return false;
    }
    return true;
}

static size_t edit_distance(const char *a, size_t na, const char *b)
{
    size_t nb = strlen(b);
    size_t *row = xcalloc(nb + 1, sizeof *row);
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[nb];
    free(row);
    return d;
}

static const filter_def filters[];

static const char *nearest_filter(const char *name, size_t len)
{
    const char *best = NULL;
    size_t best_d = 3; /* suggest only what is close */
    for (const filter_def *f = filters; f->name; f++) {
        size_t d = edit_distance(name, len, f->name);
        if (d < best_d)
            best = f->name, best_d = d;
    }
    return best;
}

static bool parse_literal(parser *p, const char *s, size_t n, size_t *i, size_t base, tval **out)
{
    size_t start = *i;
    if (s[start] == '"') {
        rg_buf b = {0};
        size_t k = start + 1;
        for (; k < n && s[k] != '"'; k++) {
            if (s[k] == '\\' && k + 1 < n && (s[k + 1] == '"' || s[k + 1] == '\\'))
                k++;
            rg_buf_putc(&b, s[k]);
        }
        if (k >= n) {
            PARSE_ERROR(p, base + start, "a string argument without its closing \"");
            rg_buf_fini(&b);
            return false;
        }
        *out = tval_string_take(rg_buf_take(&b));
        *i = k + 1;
        return true;
    }
    size_t k = start;
    while (k < n && !is_space(s[k]) && s[k] != '|')
        k++;
    char *text = xstrndup(s + start, k - start);
    rg_dec d;
    if (rg_dec_parse(text, &d) != 0) {
        PARSE_ERROR(p, base + start, "\"%s\" is not an argument: write a number such as 1 or "
                                     "a string in double quotes", text);
        free(text);
        return false;
    }
    *out = tval_number(text, NULL);
    free(text);
    *i = k;
    return true;
}

static bool check_args(parser *p, const filter_call *fc, size_t base_at)
{
    const char *spec = fc->def->args;
    size_t need = 0, most = 0;
    bool optional = false;
    for (const char *c = spec; *c; c++) {
        if (*c == '?') {
            optional = true;
            continue;
        }
        most++;
        need += !optional;
    }
    if (fc->nargs < need || fc->nargs > most) {
        if (need == most)
            PARSE_ERROR(p, base_at, "filter '%s' takes %zu argument%s, not %zu", fc->def->name,
                        need, need == 1 ? "" : "s", fc->nargs);
        else
            PARSE_ERROR(p, base_at, "filter '%s' takes %zu to %zu arguments, not %zu",
                        fc->def->name, need, most, fc->nargs);
        return false;
    }
    size_t k = 0;
    for (const char *c = spec; *c && k < fc->nargs; c++) {
        if (*c == '?')
            continue;
        const tval *a = fc->args[k++];
        bool number = a->kind == TVAL_NUMBER;
        if (*c == 'd' && (!number || a->dec.scale != 0 || a->dec.coef < 0 || a->dec.coef > 9)) {
            PARSE_ERROR(p, base_at, "argument %zu of '%s' is a number of decimals, 0 to 9, "
                                    "not %s", k, fc->def->name, a->s);
            return false;
        }
        if (*c == 's' && number) {
            PARSE_ERROR(p, base_at, "argument %zu of '%s' is text: write it in double quotes",
                        k, fc->def->name);
            return false;
        }
        if (*c == 'n' && !number) {
            PARSE_ERROR(p, base_at, "argument %zu of '%s' is a number, not \"%s\"", k,
                        fc->def->name, a->s);
            return false;
        }
    }
    return true;
}

/* Parses the inside of a tag (s, n bytes at offset base) as an expression. */
static bool parse_expr(parser *p, const char *s, size_t n, size_t base, expr *e)
{
    size_t i = 0;
    while (i < n && !is_space(s[i]) && s[i] != '|')
        i++;
    if (!valid_path(s, i)) {
        PARSE_ERROR(p, base, "\"%.*s\" is not a name: write names joined by dots, such as "
                             "output.actual, or . for the current item", (int)(i ? i : n), s);
        return false;
    }
    e->path = xstrndup(s, i);
    e->canon = canonical(s, n);
    size_t cap = 0;
    while (i < n) {
        while (i < n && is_space(s[i]))
            i++;
        if (i >= n)
            break;
        if (s[i] != '|') {
            PARSE_ERROR(p, base + i, "unexpected \"%.*s\" after the name: filters are "
                                     "written | name", (int)(n - i), s + i);
            return false;
        }
        i++;
        while (i < n && is_space(s[i]))
            i++;
        size_t name_at = i;
        while (i < n && (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            i++;
        if (i == name_at) {
            PARSE_ERROR(p, base + name_at, "a filter name is missing after |");
            return false;
        }
        const filter_def *def = find_filter(s + name_at, i - name_at);
        if (!def) {
            const char *near = nearest_filter(s + name_at, i - name_at);
            if (near)
                PARSE_ERROR(p, base + name_at, "unknown filter '%.*s'; did you mean '%s'?",
                            (int)(i - name_at), s + name_at, near);
            else
                PARSE_ERROR(p, base + name_at, "unknown filter '%.*s' (the filters are "
                                               "listed in docs/templates.md)",
                            (int)(i - name_at), s + name_at);
            return false;
        }
        void *arr = e->filters;
        xgrow(&arr, &cap, e->nfilters + 1, sizeof *e->filters);
        e->filters = arr;
        filter_call *fc = &e->filters[e->nfilters++];
        memset(fc, 0, sizeof *fc);
        fc->def = def;
        fc->at = base + name_at;
        size_t acap = 0;
        for (;;) {
            while (i < n && is_space(s[i]))
                i++;
            if (i >= n || s[i] == '|')
                break;
            tval *arg;
            if (!parse_literal(p, s, n, &i, base, &arg))
                return false;
            void *args = fc->args;
            xgrow(&args, &acap, fc->nargs + 1, sizeof *fc->args);
            fc->args = args;
            fc->args[fc->nargs++] = arg;
        }
        if (!check_args(p, fc, fc->at))
            return false;
    }
    return true;
}

static bool valid_partial_name(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.' || (unsigned char)*s >= 0x80))
            return false;
    return true;
}

/* The unit of partial `name`, added (to be compiled later) when new. */
static size_t partial_unit(tmpl *t, const char *name, size_t ref_unit, size_t ref_at)
{
    for (size_t i = 1; i < t->nunits; i++)
        if (strcmp(t->units[i].name, name) == 0)
            return i;
    void *arr = t->units;
    xgrow(&arr, &t->cap, t->nunits + 1, sizeof *t->units);
    t->units = arr;
    unit *u = &t->units[t->nunits];
    memset(u, 0, sizeof *u);
    u->name = xstrdup(name);
    u->ref_unit = ref_unit;
    u->ref_at = ref_at;
    return t->nunits++;
}

typedef struct opener {
    const char *canon; /* what the closing tag must say */
    size_t at;
    char sigil;
} opener;

static void parse_block(parser *p, node *parent, const opener *open, int depth);

/* The blanks that begin a standalone line: the indentation of a partial. */
static char *line_indent(const parser *p, bool standalone, size_t line_start)
{
    size_t end = line_start;
    while (standalone && end < p->len && is_blank(p->src[end]))
        end++;
    return end > line_start ? xstrndup(p->src + line_start, end - line_start) : NULL;
}

/* Handles one tag whose sigil is known; returns false to end the block. */
static bool parse_tag(parser *p, node *parent, const opener *open, int depth, char sigil,
                      const char *inner, size_t inner_len, size_t tag_at, size_t indent_at,
                      bool standalone)
{
    size_t inner_at = (size_t)(inner - p->src);
    while (inner_len && is_space(*inner))
        inner++, inner_len--, inner_at++;
    while (inner_len && is_space(inner[inner_len - 1]))
        inner_len--;
    if (inner_len == 0) {
        PARSE_ERROR(p, tag_at, "an empty tag: write a name inside it");
        return false;
    }
    switch (sigil) {
    case '/': {
        char *canon = canonical(inner, inner_len);
        if (!open) {
            PARSE_ERROR(p, tag_at, "%s/%s%s closes a section that was never opened", p->open,
                        canon, p->close);
        } else if (strcmp(canon, open->canon) != 0) {
            int line, col;
            rg_utf8_position(p->src, open->at, &line, &col);
            PARSE_ERROR(p, tag_at, "%s/%s%s does not match %s%c%s%s, opened at %d:%d; close "
                                   "that one first", p->open, canon, p->close, p->open,
                        open->sigil, open->canon, p->close, line, col);
        }
        free(canon);
        return false;
    }
    case '#':
    case '^':
    case '$':
    case '<': {
        if (depth >= TMPL_MAX_DEPTH) {
            PARSE_ERROR(p, tag_at, "sections nested more than %d deep", TMPL_MAX_DEPTH);
            return false;
        }
        node body = {0};
        node_kind kind = sigil == '#'   ? NODE_SECTION
                         : sigil == '^' ? NODE_INVERTED
                         : sigil == '$' ? NODE_BLOCK
                                        : NODE_PARENT;
        if (kind == NODE_SECTION || kind == NODE_INVERTED) {
            if (!parse_expr(p, inner, inner_len, inner_at, &body.e)) {
                expr_fini(&body.e);
                return false;
            }
        } else {
            body.text = xstrndup(inner, inner_len);
            body.e.canon = xstrdup(body.text);
            if (kind == NODE_PARENT && !valid_partial_name(body.text)) {
                PARSE_ERROR(p, inner_at, "\"%s\" is not a template name", body.text);
                node_fini(&body);
                return false;
            }
        }
        opener me = {.canon = body.e.canon, .at = tag_at, .sigil = sigil};
        parse_block(p, &body, &me, depth + 1);
        if (p->failed) {
            node_fini(&body);
            return false;
        }
        node *n = add_node(parent, kind, p->unit, tag_at);
        size_t unit_index = p->unit;
        *n = body;
        n->kind = kind;
        n->unit = unit_index;
        n->at = tag_at;
        if (kind == NODE_PARENT) {
            n->target = partial_unit(p->t, n->text, unit_index, tag_at);
            n->indent = line_indent(p, standalone, indent_at);
        }
        return true;
    }
    case '>': {
        char *name = xstrndup(inner, inner_len);
        if (!valid_partial_name(name)) {
            PARSE_ERROR(p, inner_at, "\"%s\" is not a partial name: use letters, digits, - "
                                     "and _", name);
            free(name);
            return false;
        }
        node *n = add_node(parent, NODE_PARTIAL, p->unit, tag_at);
        n->text = name;
        n->target = partial_unit(p->t, name, p->unit, tag_at);
        n->indent = line_indent(p, standalone, indent_at);
        return true;
    }
    default: {
        node *n = add_node(parent, NODE_VAR, p->unit, tag_at);
        n->raw = sigil == '&' || sigil == '{';
        return parse_expr(p, inner, inner_len, inner_at, &n->e);
    }
    }
}

/* The two delimiters named inside {{= … =}} (s, n bytes), newly allocated;
 * false when there are not exactly two words without '='. */
static bool split_delimiters(const char *s, size_t n, char **open, char **close)
{
    size_t at[2], len[2], i = 0;
    for (int w = 0; w < 2; w++) {
        while (i < n && is_space(s[i]))
            i++;
        at[w] = i;
        while (i < n && !is_space(s[i]))
            i++;
        len[w] = i - at[w];
    }
    while (i < n && is_space(s[i]))
        i++;
    if (!len[0] || !len[1] || i != n || find(s + at[0], len[0], "=") || find(s + at[1], len[1], "="))
        return false;
    *open = xstrndup(s + at[0], len[0]);
    *close = xstrndup(s + at[1], len[1]);
    return true;
}

static bool set_delimiters(parser *p, const char *s, size_t n, size_t tag_at)
{
    char *open, *close;
    if (!split_delimiters(s, n, &open, &close)) {
        PARSE_ERROR(p, tag_at, "a delimiter tag names two delimiters without '=' or blanks "
                               "in them, as in {{=<%% %%>=}}");
        return false;
    }
    free(p->open);
    free(p->close);
    p->open = open;
    p->close = close;
    return true;
}

/* What ends a tag with this sigil: }}} for {{{, =}} for {{=, else }}. */
static void closing(char sigil, const char *close, rg_buf *out)
{
    if (sigil == '{')
        rg_buf_putc(out, '}');
    else if (sigil == '=')
        rg_buf_putc(out, '=');
    rg_buf_puts(out, close);
}

/* The standalone-line rule: a line holding only blanks and tags other than
 * variables (sections, comments, partials, delimiters, blocks) vanishes with
 * its newline, leaving what the tags do. Returns the offset past the
 * newline of the line starting at `from` when it is such a line, else 0. */
static size_t standalone_line(const parser *p, size_t from)
{
    char *open = xstrdup(p->open), *close = xstrdup(p->close);
    size_t i = from, end = 0;
    bool any_tag = false;
    for (;;) {
        while (i < p->len && is_blank(p->src[i]))
            i++;
        if (i == p->len || p->src[i] == '\n' ||
            (p->src[i] == '\r' && i + 1 < p->len && p->src[i + 1] == '\n')) {
            if (any_tag)
                end = i == p->len ? i : i + (p->src[i] == '\r' ? 2 : 1);
            break;
        }
        size_t olen = strlen(open);
        if (p->len - i < olen || memcmp(p->src + i, open, olen) != 0)
            break;
        char sigil = i + olen < p->len ? p->src[i + olen] : '\0';
        if (sigil == '\0' || !strchr("#^/!=><$", sigil))
            break;
        rg_buf close_seq = {0};
        closing(sigil, close, &close_seq);
        size_t inner = i + olen + 1;
        const char *c = find(p->src + inner, p->len - inner, close_seq.data);
        size_t after = c ? (size_t)(c - p->src) + close_seq.len : 0;
        rg_buf_fini(&close_seq);
        if (!c)
            break;
        if (sigil == '=') {
            /* Follow the new delimiters; a bad tag is reported by the parser. */
            char *new_open, *new_close;
            if (!split_delimiters(p->src + inner, (size_t)(c - p->src) - inner, &new_open,
                                  &new_close))
                break;
            free(open);
            free(close);
            open = new_open;
            close = new_close;
        }
        any_tag = true;
        i = after;
    }
    free(open);
    free(close);
    return end;
}

static void parse_block(parser *p, node *parent, const opener *open, int depth)
{
    while (!p->failed) {
        size_t olen = strlen(p->open);
        const char *o = find(p->src + p->pos, p->len - p->pos, p->open);
        if (!o) {
            if (p->pos < p->len) {
                node *n = add_node(parent, NODE_TEXT, p->unit, p->pos);
                n->text = xstrndup(p->src + p->pos, p->len - p->pos);
            }
            p->pos = p->len;
            break;
        }
        size_t tag_at = (size_t)(o - p->src);
        size_t after_open = tag_at + olen;
        char sigil = after_open < p->len ? p->src[after_open] : '\0';
        if (!strchr("#^/!=>&{<$", sigil) || sigil == '\0')
            sigil = 0;
        rg_buf close_seq = {0};
        closing(sigil, p->close, &close_seq);
        size_t inner_at = after_open + (sigil != 0);
        const char *c = find(p->src + inner_at, p->len - inner_at, close_seq.data);
        if (!c) {
            PARSE_ERROR(p, tag_at, "a tag opened with %s is never closed with %s", p->open,
                        close_seq.data);
            rg_buf_fini(&close_seq);
            return;
        }
        size_t inner_len = (size_t)(c - p->src) - inner_at;
        size_t after = (size_t)(c - p->src) + close_seq.len;
        rg_buf_fini(&close_seq);

        if (tag_at >= p->standalone_end) {
            size_t ls = tag_at;
            while (ls > p->pos && is_blank(p->src[ls - 1]))
                ls--;
            p->standalone_end = 0;
            if (ls == 0 || p->src[ls - 1] == '\n') {
                p->line_start = ls;
                p->standalone_end = standalone_line(p, ls);
            }
        }
        bool standalone = tag_at < p->standalone_end;
        size_t line_start = p->line_start;
        if (standalone) {
            size_t k = after;
            while (k < p->len && is_blank(p->src[k]))
                k++;
            if (k == p->len || p->src[k] == '\n' || p->src[k] == '\r')
                after = p->standalone_end; /* the line's last tag takes its newline */
        }
        size_t text_end = standalone ? (p->pos > line_start ? p->pos : line_start) : tag_at;
        if (text_end > p->pos) {
            node *n = add_node(parent, NODE_TEXT, p->unit, p->pos);
            n->text = xstrndup(p->src + p->pos, text_end - p->pos);
        }
        p->pos = after;
        const char *inner = p->src + inner_at;
        if (sigil == '!')
            continue;
        if (sigil == '=') {
            if (!set_delimiters(p, inner, inner_len, tag_at))
                return;
            continue;
        }
        if (!parse_tag(p, parent, open, depth, sigil, inner, inner_len, tag_at, line_start,
                       standalone))
            return;
    }
    if (open && !p->failed)
        PARSE_ERROR(p, open->at, "%s%c%s%s is never closed: add %s/%s%s where it ends", p->open,
                    open->sigil, open->canon, p->close, p->open, open->canon, p->close);
}

static bool compile_unit(tmpl *t, size_t index, rg_diags *diags)
{
    unit *u = &t->units[index];
    size_t bad = rg_utf8_invalid_at(u->src, u->len);
    if (bad != (size_t)-1) {
        error_at(diags, u, bad, "invalid UTF-8: save the template as UTF-8");
        return false;
    }
    parser p = {.t = t, .unit = index, .src = u->src, .len = u->len,
                .diags = diags, .open = xstrdup("{{"), .close = xstrdup("}}")};
    node root = {0};
    parse_block(&p, &root, NULL, 0);
    free(p.open);
    free(p.close);
    t->units[index].root = root; /* units may have moved while parsing */
    return !p.failed;
}

tmpl *tmpl_compile(const char *name, const char *src, size_t len, const tmpl_loader *partials,
                   const tmpl_options *opt, rg_diags *diags)
{
    tmpl *t = xcalloc(1, sizeof *t);
    if (opt)
        t->opt = *opt;
    size_t first = partial_unit(t, "", 0, 0);
    unit *u = &t->units[first];
    u->display = xstrdup(name);
    u->src = xstrndup(src, len);
    u->len = len;
    u->present = true;
    bool ok = compile_unit(t, first, diags);
    /* Partials found while compiling are appended; compile each once. */
    for (size_t i = 1; ok && i < t->nunits; i++) {
        size_t plen = 0;
        char *display = NULL;
        char *psrc = partials && partials->load
                         ? partials->load(partials->ctx, t->units[i].name, &plen, &display)
                         : NULL;
        unit *pu = &t->units[i];
        pu->display = display ? display : xstrdup(pu->name);
        if (!psrc) {
            if (!t->opt.lenient) {
                error_at(diags, &t->units[pu->ref_unit], pu->ref_at,
                         "there is no partial \"%s\": create %s", pu->name, pu->display);
                ok = false;
            }
            pu->src = xstrdup("");
            continue;
        }
        pu->src = psrc;
        pu->len = plen;
        pu->present = true;
        ok = compile_unit(t, i, diags);
    }
    if (!ok) {
        tmpl_free(t);
        return NULL;
    }
    return t;
}

typedef struct dir_loader {
    const char *dir;
    rg_diags *diags;
} dir_loader;

static char *read_file(const char *path, size_t *len, rg_diags *diags, bool must_exist)
{
    rg_buf b = {0};
    if (rg_read_file(path, RG_MAX_CONFIG_BYTES, &b) != 0) {
        if (must_exist || errno != ENOENT)
            rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot open the template: %s",
                        strerror(errno));
        rg_buf_fini(&b);
        return NULL;
    }
    *len = b.len;
    return rg_buf_take(&b);
}

static char *load_from_dir(void *ctx, const char *name, size_t *len, char **display)
{
    const dir_loader *l = ctx;
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/%s.mustache", l->dir, name);
    char *src = read_file(path.data, len, l->diags, false);
    *display = rg_buf_take(&path);
    return src;
}

tmpl *tmpl_load(const char *dir, const char *file, rg_diags *diags)
{
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/%s", dir, file);
    size_t len = 0;
    char *src = read_file(path.data, &len, diags, true);
    tmpl *t = NULL;
    if (src) {
        dir_loader l = {.dir = dir, .diags = diags};
        tmpl_loader loader = {.load = load_from_dir, .ctx = &l};
        t = tmpl_compile(path.data, src, len, &loader, NULL, diags);
        free(src);
    }
    rg_buf_fini(&path);
    return t;
}

/* --- rendering -------------------------------------------------------- */

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
    rg_diags *diags;
};

static int render_error(render *r, size_t unit_index, size_t at, const char *fmt, ...)
    RG_PRINTF(4, 5);

static int render_error(render *r, size_t unit_index, size_t at, const char *fmt, ...)
{
    const unit *u = &r->t->units[unit_index];
    int line, col;
    rg_utf8_position(u->src, at, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    rg_diag_vadd(r->diags, RG_ERROR, u->display, line, col, fmt, ap);
    va_end(ap);
    rg_diag_excerpt(r->diags, u->src, u->len, at);
    return -1;
}

static const tval *keep(render *r, tval *v)
{
    void *arr = r->owned;
    xgrow(&arr, &r->ocap, r->nowned + 1, sizeof *r->owned);
    r->owned = arr;
    r->owned[r->nowned++] = v;
    return v;
}

/* Writes template text (indent_lines) or data; inside an indented partial,
 * each line of the partial's own text begins with the indentation. */
static void emit(render *r, const char *s, size_t n, bool indent_lines)
{
    if (r->indent.len == 0 || n == 0) {
        rg_buf_append(r->out, s, n);
        return;
    }
    if (!indent_lines) {
        if (r->line_start)
            rg_buf_append(r->out, r->indent.data, r->indent.len);
        r->line_start = false;
        rg_buf_append(r->out, s, n);
        return;
    }
    size_t i = 0;
    while (i < n) {
        if (r->line_start)
            rg_buf_append(r->out, r->indent.data, r->indent.len);
        r->line_start = false;
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : n;
        rg_buf_append(r->out, s + i, end - i);
        r->line_start = nl != NULL;
        i = end;
    }
}

/* @index @number @first @last of the innermost list; NULL outside one. */
static const tval *loop_name(render *r, const char *name)
{
    const frame *f = NULL;
    for (size_t i = r->depth; i-- > 0;)
        if (r->stack[i].loop) {
            f = &r->stack[i];
            break;
        }
    if (!f)
        return NULL;
    char text[32];
    if (strcmp(name, "@index") == 0 || strcmp(name, "@number") == 0) {
        snprintf(text, sizeof text, "%zu", f->index + (name[1] == 'n'));
        return keep(r, tval_number(text, NULL));
    }
    if (strcmp(name, "@first") == 0)
        return keep(r, tval_bool(f->index == 0));
    if (strcmp(name, "@last") == 0)
        return keep(r, tval_bool(f->index + 1 == f->count));
    return NULL;
}

/* Resolves a dotted name against the context stack: the first part from the
 * innermost context out, the rest strictly inside it. NULL when missing. */
static const tval *lookup(render *r, const char *name)
{
    if (strcmp(name, ".") == 0)
        return r->stack[r->depth - 1].v;
    const char *dot = strchr(name, '.');
    size_t first = dot ? (size_t)(dot - name) : strlen(name);
    const tval *v = NULL;
    if (name[0] == '@') {
        char *head = xstrndup(name, first);
        v = loop_name(r, head);
        free(head);
    } else {
        for (size_t i = r->depth; i-- > 0 && !v;)
            v = tval_get(r->stack[i].v, name, first);
    }
    while (v && dot) {
        const char *part = dot + 1;
        dot = strchr(part, '.');
        v = tval_get(v, part, dot ? (size_t)(dot - part) : strlen(part));
    }
    return v;
}

/* The value of an expression; -1 (reported) on an error. *out is NULL for
 * a missing name in lenient mode. */
static int evaluate(render *r, const node *nd, const tval **out)
{
    const expr *e = &nd->e;
    const tval *v = lookup(r, e->path);
    bool defaulted = e->nfilters > 0 && strcmp(e->filters[0].def->name, "default") == 0;
    if (!v && !defaulted && !r->t->opt.lenient) {
        if (e->path[0] == '@')
            return render_error(r, nd->unit, nd->at, "%s is defined only inside a section over "
                                                     "a list", e->path);
        return render_error(r, nd->unit, nd->at, "\"%s\" is not in the data; if it may be "
                                                 "missing, write {{%s | default \"…\"}}",
                            e->path, e->path);
    }
    for (size_t i = 0; i < e->nfilters; i++) {
        const filter_call *fc = &e->filters[i];
        if (!v && strcmp(fc->def->name, "default") != 0) {
            if (r->t->opt.lenient)
                continue;
        }
        const tval *next = NULL;
        if (fc->def->fn(r, nd, fc, v, &next) != 0)
            return -1;
        v = next;
    }
    *out = v;
    return 0;
}

static bool truthy(const tval *v)
{
    if (!v)
        return false;
    switch (v->kind) {
    case TVAL_NULL:
        return false;
    case TVAL_BOOL:
        return v->b;
    case TVAL_LIST:
        return v->n > 0;
    default:
        return true;
    }
}

static int render_nodes(render *r, const node *nodes, size_t n);

static int push(render *r, const node *nd, frame f)
{
    if (r->depth >= TMPL_MAX_RENDER_DEPTH)
        return render_error(r, nd->unit, nd->at, "data nested more than %d deep",
                            TMPL_MAX_RENDER_DEPTH);
    void *arr = r->stack;
    xgrow(&arr, &r->cap, r->depth + 1, sizeof *r->stack);
    r->stack = arr;
    r->stack[r->depth++] = f;
    return 0;
}

static int render_section(render *r, const node *nd)
{
    const tval *v = NULL;
    if (evaluate(r, nd, &v) != 0)
        return -1;
    if (nd->kind == NODE_INVERTED)
        return truthy(v) ? 0 : render_nodes(r, nd->kids, nd->nkids);
    if (!truthy(v))
        return 0;
    if (v->kind == TVAL_LIST) {
        for (size_t i = 0; i < v->n; i++) {
            frame f = {.v = v->items[i], .loop = true, .index = i, .count = v->n};
            if (push(r, nd, f) != 0)
                return -1;
            int rc = render_nodes(r, nd->kids, nd->nkids);
            r->depth--;
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    /* A bool keeps the context as it is, so that loop names still work. */
    if (v->kind == TVAL_BOOL)
        return render_nodes(r, nd->kids, nd->nkids);
    if (push(r, nd, (frame){.v = v}) != 0)
        return -1;
    int rc = render_nodes(r, nd->kids, nd->nkids);
    r->depth--;
    return rc;
}

static void escape_html(const char *s, rg_buf *out)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            rg_buf_puts(out, "&amp;");
            break;
        case '"':
            rg_buf_puts(out, "&quot;");
            break;
        case '<':
            rg_buf_puts(out, "&lt;");
            break;
        case '>':
            rg_buf_puts(out, "&gt;");
            break;
        default:
            rg_buf_putc(out, *s);
        }
    }
}

static int render_var(render *r, const node *nd)
{
    const tval *v = NULL;
    if (evaluate(r, nd, &v) != 0)
        return -1;
    const char *text = NULL;
    if (!v || v->kind == TVAL_NULL) {
        if (!r->t->opt.lenient)
            return render_error(r, nd->unit, nd->at, "\"%s\" is empty here; if that is "
                                                     "expected, write {{%s | default \"…\"}}",
                                nd->e.path, nd->e.canon);
        return 0;
    }
    switch (v->kind) {
    case TVAL_STRING:
    case TVAL_NUMBER:
        text = v->s;
        break;
    case TVAL_BOOL:
        text = v->b ? "true" : "false";
        break;
    case TVAL_LIST:
        if (r->t->opt.lenient)
            return 0;
        return render_error(r, nd->unit, nd->at, "\"%s\" is a list: write it with a section, "
                                                 "or with | join", nd->e.canon);
    default:
        if (r->t->opt.lenient)
            return 0;
        return render_error(r, nd->unit, nd->at, "\"%s\" is a group of values, not text: name "
                                                 "one of them, as in %s.name", nd->e.canon,
                            nd->e.path);
    }
    if (r->t->opt.escape_html && !nd->raw) {
        rg_buf esc = {0};
        escape_html(text, &esc);
        emit(r, esc.data ? esc.data : "", esc.len, false);
        rg_buf_fini(&esc);
    } else {
        emit(r, text, strlen(text), false);
    }
    return 0;
}

/* The override of block `name`: the outermost parent that sets it wins. */
static const node *find_override(const render *r, const char *name, size_t *level)
{
    for (size_t i = 0; i < r->nparents; i++) {
        const node *p = r->parents[i];
        for (size_t k = 0; k < p->nkids; k++)
            if (p->kids[k].kind == NODE_BLOCK && strcmp(p->kids[k].text, name) == 0) {
                *level = i;
                return &p->kids[k];
            }
    }
    return NULL;
}

static int render_unit(render *r, const node *nd, size_t target, const char *indent)
{
    const unit *u = &r->t->units[target];
    if (!u->present)
        return 0;
    if (r->nesting >= TMPL_MAX_DEPTH)
        return render_error(r, nd->unit, nd->at, "partials nested more than %d deep (does "
                                                 "\"%s\" include itself without end?)",
                            TMPL_MAX_DEPTH, u->name);
    size_t old_indent = r->indent.len;
    bool old_line_start = r->line_start;
    if (indent) {
        rg_buf_puts(&r->indent, indent);
        r->line_start = true;
    }
    r->nesting++;
    int rc = render_nodes(r, u->root.kids, u->root.nkids);
    r->nesting--;
    if (indent) {
        r->indent.len = old_indent;
        if (r->indent.data)
            r->indent.data[old_indent] = '\0';
        r->line_start = old_indent ? r->line_start : old_line_start;
    }
    return rc;
}

static int render_nodes(render *r, const node *nodes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const node *nd = &nodes[i];
        int rc = 0;
        switch (nd->kind) {
        case NODE_TEXT:
            emit(r, nd->text, strlen(nd->text), true);
            break;
        case NODE_VAR:
            rc = render_var(r, nd);
            break;
        case NODE_SECTION:
        case NODE_INVERTED:
            rc = render_section(r, nd);
            break;
        case NODE_PARTIAL:
            rc = render_unit(r, nd, nd->target, nd->indent);
            break;
        case NODE_PARENT: {
            void *arr = r->parents;
            xgrow(&arr, &r->pcap, r->nparents + 1, sizeof *r->parents);
            r->parents = arr;
            r->parents[r->nparents++] = nd;
            rc = render_unit(r, nd, nd->target, nd->indent);
            r->nparents--;
            break;
        }
        case NODE_BLOCK: {
            size_t level = 0;
            const node *over = find_override(r, nd->text, &level);
            if (!over) {
                rc = render_nodes(r, nd->kids, nd->nkids);
                break;
            }
            /* The override's own blocks resolve from its level outwards. */
            size_t saved = r->nparents;
            r->nparents = level;
            rc = render_nodes(r, over->kids, over->nkids);
            r->nparents = saved;
            break;
        }
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

int tmpl_render(const tmpl *t, const tval *data, rg_buf *out, rg_diags *diags)
{
    render r = {.t = t, .out = out, .diags = diags};
    rg_buf_append(out, "", 0);
    int rc = push(&r, &t->units[0].root, (frame){.v = data});
    if (rc == 0)
        rc = render_nodes(&r, t->units[0].root.kids, t->units[0].root.nkids);
    for (size_t i = 0; i < r.nowned; i++)
        tval_free(r.owned[i]);
    free(r.owned);
    free(r.stack);
    free(r.parents);
    rg_buf_fini(&r.indent);
    return rc;
}

/* --- the filters themselves ------------------------------------------- */

static int filter_error(render *r, const node *nd, const filter_call *fc, const char *fmt, ...)
    RG_PRINTF(4, 5);

static int filter_error(render *r, const node *nd, const filter_call *fc, const char *fmt, ...)
{
    rg_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    rg_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    render_error(r, nd->unit, fc->at, "filter '%s' %s (%s)", fc->def->name, msg.data,
                 nd->e.path);
    rg_buf_fini(&msg);
    return -1;
}

/* The input as an exact decimal: a number, or text that is one. */
static int need_number(render *r, const node *nd, const filter_call *fc, const tval *in,
                       rg_dec *d)
{
    if (in && in->kind == TVAL_NUMBER && in->dec_ok) {
        *d = in->dec;
        return 0;
    }
    if (in && in->kind == TVAL_STRING && rg_dec_parse(in->s, d) == 0)
        return 0;
    if (in && (in->kind == TVAL_NUMBER || in->kind == TVAL_STRING))
        return filter_error(r, nd, fc, "needs a number, got \"%s\"", in->s);
    return filter_error(r, nd, fc, "needs a number, got %s", kind_name(in));
}

/* The decimals asked for, or -1: keep the number as written. */
static int arg_decimals(const filter_call *fc, size_t i)
{
    return i < fc->nargs ? (int)fc->args[i]->dec.coef : -1;
}

static const char *arg_text(const filter_call *fc, size_t i, const char *fallback)
{
    return i < fc->nargs ? fc->args[i]->s : fallback;
}

static int rounded(render *r, const node *nd, const filter_call *fc, rg_dec d, int decimals,
                   rg_dec *out)
{
    if (decimals < 0) {
        *out = d;
        return 0;
    }
    if (rg_dec_round(d, decimals, out) != 0)
        return filter_error(r, nd, fc, "cannot round to %d decimals without overflow",
                            decimals);
    if (out->coef == 0)
        out->scale = decimals; /* no "-0.0" */
    return 0;
}

static int f_fixed(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    *out = keep(r, tval_number_dec(x, in->kind == TVAL_NUMBER ? in->unit : NULL));
    return 0;
}

/* Amounts scale by their unit: 元 (or none), 万元, 亿元. */
static int money_exponent(const tval *in)
{
    const char *u = in->kind == TVAL_NUMBER ? in->unit : NULL;
    if (!u || strcmp(u, "元") == 0)
        return 0;
    if (strcmp(u, "万元") == 0)
        return 4;
    if (strcmp(u, "亿元") == 0)
        return 8;
    return -1;
}

static int scale_money(render *r, const node *nd, const filter_call *fc, const tval *in,
                       const tval **out, int to_exponent, const char *to_unit)
{
    rg_dec d, shifted, x;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    int from = money_exponent(in);
    if (from < 0)
        return filter_error(r, nd, fc, "needs an amount in 元, 万元 or 亿元, got one in %s",
                            in->unit);
    if (rg_dec_shift(d, from - to_exponent, &shifted) != 0)
        return filter_error(r, nd, fc, "cannot scale %s", in->s);
    /* Drop only the zeros the scaling added: 1520000000元 is 15.2亿元. */
    while (shifted.scale > d.scale && shifted.coef % 10 == 0)
        shifted.coef /= 10, shifted.scale--;
    if (rounded(r, nd, fc, shifted, arg_decimals(fc, 0), &x))
        return -1;
    *out = keep(r, tval_number_dec(x, to_unit));
    return 0;
}

static int f_yi(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    return scale_money(r, nd, fc, in, out, 8, "亿元");
}

static int f_wan(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    return scale_money(r, nd, fc, in, out, 4, "万元");
}

static int f_pct(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    rg_buf b = {0};
    rg_dec_format(x, &b);
    rg_buf_putc(&b, '%');
    *out = keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

/* 增长16.33% / 下降3.2% / 持平, decided on the rounded value. */
static int by_sign(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out, const char *up, const char *down, const char *flat,
                   const char *suffix)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    rg_buf b = {0};
    if (x.coef == 0) {
        rg_buf_puts(&b, arg_text(fc, 3, flat));
    } else {
        rg_buf_puts(&b, x.coef > 0 ? arg_text(fc, 1, up) : arg_text(fc, 2, down));
        if (x.coef < 0)
            x.coef = -x.coef;
        rg_dec_format(x, &b);
        rg_buf_puts(&b, suffix);
    }
    *out = keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int f_growth(render *r, const node *nd, const filter_call *fc, const tval *in,
                    const tval **out)
{
    return by_sign(r, nd, fc, in, out, "增长", "下降", "持平", "%");
}

static int f_pp(render *r, const node *nd, const filter_call *fc, const tval *in,
                const tval **out)
{
    return by_sign(r, nd, fc, in, out, "提高", "下降", "持平", "个百分点");
}

static int f_abs(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    rg_dec d;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    if (d.coef < 0)
        d.coef = -d.coef;
    *out = keep(r, tval_number_dec(d, in->kind == TVAL_NUMBER ? in->unit : NULL));
    return 0;
}

static int f_cn(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    rg_dec d, whole;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    if (rg_dec_round(d, 0, &whole) != 0 || rg_dec_cmp(whole, d) != 0 || whole.coef < 0)
        return filter_error(r, nd, fc, "needs a whole number of at least 0, got %s", in->s);
    rg_buf b = {0};
    rg_cn_numeral(whole.coef, &b);
    *out = keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int need_list(render *r, const node *nd, const filter_call *fc, const tval *in)
{
    if (in && in->kind == TVAL_LIST)
        return 0;
    return filter_error(r, nd, fc, "needs a list, got %s", kind_name(in));
}

/* 甲、乙和丙 */
static int f_join(render *r, const node *nd, const filter_call *fc, const tval *in,
                  const tval **out)
{
    if (need_list(r, nd, fc, in))
        return -1;
    const char *sep = arg_text(fc, 0, "、");
    const char *last = arg_text(fc, 1, fc->nargs == 1 ? sep : "和");
    rg_buf b = {0};
    rg_buf_append(&b, "", 0);
    for (size_t i = 0; i < in->n; i++) {
        const tval *it = in->items[i];
        if (it->kind != TVAL_STRING && it->kind != TVAL_NUMBER) {
            rg_buf_fini(&b);
            return filter_error(r, nd, fc, "joins text and numbers, but item %zu is %s", i + 1,
                                kind_name(it));
        }
        if (i > 0)
            rg_buf_puts(&b, i + 1 == in->n ? last : sep);
        rg_buf_puts(&b, it->s);
    }
    *out = keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int f_map(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    if (need_list(r, nd, fc, in))
        return -1;
    const char *key = fc->args[0]->s;
    tval *list = tval_list();
    keep(r, list);
    for (size_t i = 0; i < in->n; i++) {
        const tval *v = tval_get(in->items[i], key, strlen(key));
        if (!v)
            return filter_error(r, nd, fc, "found no \"%s\" in item %zu", key, i + 1);
        tval_push(list, tval_copy(v));
    }
    *out = list;
    return 0;
}

static int f_count(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out)
{
    if (need_list(r, nd, fc, in))
        return -1;
    char text[32];
    snprintf(text, sizeof text, "%zu", in->n);
    *out = keep(r, tval_number(text, NULL));
    return 0;
}

static int f_default(render *r, const node *nd, const filter_call *fc, const tval *in,
                     const tval **out)
{
    (void)r, (void)nd;
    *out = in && in->kind != TVAL_NULL ? in : fc->args[0];
    return 0;
}

static int f_with_unit(render *r, const node *nd, const filter_call *fc, const tval *in,
                       const tval **out)
{
    if (!in || in->kind != TVAL_NUMBER)
        return filter_error(r, nd, fc, "needs a number, got %s", kind_name(in));
    rg_buf b = {0};
    rg_buf_puts(&b, in->s);
    if (in->unit)
        rg_buf_puts(&b, in->unit);
    *out = keep(r, tval_string_take(rg_buf_take(&b)));
    return 0;
}

static int f_unit(render *r, const node *nd, const filter_call *fc, const tval *in,
                  const tval **out)
{
    if (!in || in->kind != TVAL_NUMBER || !in->unit)
        return filter_error(r, nd, fc, "needs a number with a unit, got %s", kind_name(in));
    *out = keep(r, tval_string(in->unit));
    return 0;
}

static int compare(render *r, const node *nd, const filter_call *fc, const tval *in,
                   const tval **out, int want)
{
    rg_dec d;
    if (need_number(r, nd, fc, in, &d))
        return -1;
    rg_dec zero = {0, 0};
    int c = rg_dec_cmp(d, fc->nargs ? fc->args[0]->dec : zero);
    *out = keep(r, tval_bool(c == want));
    return 0;
}

static int f_pos(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    return compare(r, nd, fc, in, out, 1);
}

static int f_neg(render *r, const node *nd, const filter_call *fc, const tval *in,
                 const tval **out)
{
    return compare(r, nd, fc, in, out, -1);
}

static int f_gt(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    return compare(r, nd, fc, in, out, 1);
}

static int f_lt(render *r, const node *nd, const filter_call *fc, const tval *in, const tval **out)
{
    return compare(r, nd, fc, in, out, -1);
}

static int f_zero(render *r, const node *nd, const filter_call *fc, const tval *in,
                  const tval **out)
{
    rg_dec d, x;
    if (need_number(r, nd, fc, in, &d) || rounded(r, nd, fc, d, arg_decimals(fc, 0), &x))
        return -1;
    *out = keep(r, tval_bool(x.coef == 0));
    return 0;
}

static const filter_def filters[] = {
    {"fixed", "d", f_fixed},
    {"yi", "?d", f_yi},
    {"wan", "?d", f_wan},
    {"pct", "?d", f_pct},
    {"growth", "?dsss", f_growth},
    {"pp", "?dsss", f_pp},
    {"abs", "", f_abs},
    {"cn", "", f_cn},
    {"join", "?ss", f_join},
    {"map", "s", f_map},
    {"count", "", f_count},
    {"default", "a", f_default},
    {"unit", "", f_unit},
    {"with_unit", "", f_with_unit},
    {"pos", "", f_pos},
    {"neg", "", f_neg},
    {"zero", "?d", f_zero},
    {"gt", "n", f_gt},
    {"lt", "n", f_lt},
    {NULL, NULL, NULL},
};

static const filter_def *find_filter(const char *name, size_t len)
{
    for (const filter_def *f = filters; f->name; f++)
        if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
            return f;
    return NULL;
}
