/* tmpl.c - see tmpl.h. Compiling builds a tree of nodes for the template and
 * every partial it reaches, once; rendering (tmpl_render.c) walks it with a
 * stack of data contexts, never changing the tree. */
#include "tmpl_impl.h"

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

tval *tval_number(const char *text, const char *unit_name)
{
    tval *v = tval_new(TVAL_NUMBER);
    v->s = xstrdup(text);
    v->dec_ok = rg_dec_parse(text, &v->dec) == 0;
    v->unit = unit_name && *unit_name ? xstrdup(unit_name) : NULL;
    return v;
}

tval *tval_number_dec(rg_dec d, const char *unit_name)
{
    rg_buf b = {0};
    rg_dec_format(d, &b);
    tval *v = tval_new(TVAL_NUMBER);
    v->s = rg_buf_take(&b);
    v->dec = d;
    v->dec_ok = true;
    v->unit = unit_name && *unit_name ? xstrdup(unit_name) : NULL;
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

tval *tval_copy(const tval *v)
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

const char *tval_kind_name(const tval *v)
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

static const char *nearest_filter(const char *name, size_t len)
{
    const char *best = NULL;
    size_t best_d = 3; /* suggest only what is close */
    for (const filter_def *f = tmpl_filters; f->name; f++) {
        size_t d = rg_edit_distance(name, len, f->name, best_d - 1);
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
        const filter_def *def = tmpl_find_filter(s + name_at, i - name_at);
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

tmpl *tmpl_load(const char *dir, const char *file, const tmpl_options *opt, rg_diags *diags)
{
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/%s", dir, file);
    size_t len = 0;
    char *src = read_file(path.data, &len, diags, true);
    tmpl *t = NULL;
    if (src) {
        dir_loader l = {.dir = dir, .diags = diags};
        tmpl_loader loader = {.load = load_from_dir, .ctx = &l};
        t = tmpl_compile(path.data, src, len, &loader, opt, diags);
        free(src);
    }
    rg_buf_fini(&path);
    return t;
}

