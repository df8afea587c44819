/* tmpl.c - see tmpl.h. Lexing and parsing build a tree of nodes once;
 * rendering walks it with a stack of data contexts. */
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
    free(v);
}

/* --- templates -------------------------------------------------------- */

typedef enum { NODE_TEXT, NODE_VAR, NODE_SECTION, NODE_INVERTED } node_kind;

typedef struct node {
    node_kind kind;
    char *text; /* TEXT: the text; others: the name */
    int line, col;
    struct node *children;
    size_t nchildren, cap;
} node;

struct tmpl {
    char *name;
    node root;
};

typedef struct parser {
    const char *name;
    const char *src;
    size_t len, pos;
    rg_diags *diags;
    bool failed;
} parser;

static void parse_error(parser *p, size_t at, const char *fmt, ...) RG_PRINTF(3, 4);

static void parse_error(parser *p, size_t at, const char *fmt, ...)
{
    int line, col;
    rg_utf8_position(p->src, at, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    rg_diag_vadd(p->diags, RG_ERROR, p->name, line, col, fmt, ap);
    va_end(ap);
    p->failed = true;
}

static node *add_child(node *parent, node_kind kind, char *text)
{
    void *arr = parent->children;
    xgrow(&arr, &parent->cap, parent->nchildren + 1, sizeof *parent->children);
    parent->children = arr;
    node *n = &parent->children[parent->nchildren++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->text = text;
    return n;
}

static void node_fini(node *n)
{
    for (size_t i = 0; i < n->nchildren; i++)
        node_fini(&n->children[i]);
    free(n->children);
    free(n->text);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static char *trimmed(const char *s, size_t n)
{
    while (n && (is_blank(*s) || *s == '\r' || *s == '\n'))
        s++, n--;
    while (n && (is_blank(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return xstrndup(s, n);
}

static bool valid_name(const char *s)
{
    if (strcmp(s, ".") == 0)
        return true;
    if (!*s || *s == '.')
        return false;
    for (const char *c = s; *c; c++) {
        if (*c == '.' && (c[1] == '.' || c[1] == '\0'))
            return false;
        if (is_blank(*c) || *c == '{' || *c == '}')
            return false;
    }
    return true;
}

/* Parses until {{/close}} of `open_name` (or the end when NULL) into parent. */
static void parse_block(parser *p, node *parent, const char *open_name, size_t open_at, int depth)
{
    while (p->pos < p->len && !p->failed) {
        const char *open = strstr(p->src + p->pos, "{{");
        size_t tag_at = open ? (size_t)(open - p->src) : p->len;
        if (tag_at >= p->len) {
            if (p->pos < p->len)
                add_child(parent, NODE_TEXT, xstrndup(p->src + p->pos, p->len - p->pos));
            p->pos = p->len;
            break;
        }
        size_t text_end = tag_at;
        char sigil = p->src[tag_at + 2];
        bool triple = sigil == '{';
        const char *close_seq = triple ? "}}}" : "}}";
        const char *close = strstr(p->src + tag_at + 2, close_seq);
        if (!close) {
            parse_error(p, tag_at, "unclosed tag: \"{{\" without \"%s\"", close_seq);
            return;
        }
        size_t inner_at = tag_at + 2 + (sigil == '#' || sigil == '^' || sigil == '/' ||
                                        sigil == '!' || sigil == '&' || triple);
        size_t after = (size_t)(close - p->src) + strlen(close_seq);
        bool standalone_kind = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!';

        /* Standalone line: only blanks around the tag on its line. */
        size_t line_start = tag_at;
        while (line_start > p->pos && is_blank(p->src[line_start - 1]))
            line_start--;
        bool at_line_start = line_start == 0 || p->src[line_start - 1] == '\n';
        size_t line_end = after;
        while (line_end < p->len && is_blank(p->src[line_end]))
            line_end++;
        bool at_line_end = line_end == p->len || p->src[line_end] == '\n' ||
                           (p->src[line_end] == '\r' && line_end + 1 < p->len &&
                            p->src[line_end + 1] == '\n');
        if (standalone_kind && at_line_start && at_line_end) {
            text_end = line_start;
            if (line_end < p->len)
                line_end += p->src[line_end] == '\r' ? 2 : 1;
            after = line_end;
        }
        if (text_end > p->pos)
            add_child(parent, NODE_TEXT, xstrndup(p->src + p->pos, text_end - p->pos));
        p->pos = after;
        if (sigil == '!')
            continue;

        char *name = trimmed(p->src + inner_at, (size_t)(close - p->src) - inner_at);
        if (!valid_name(name)) {
            parse_error(p, tag_at, "\"%s\" is not a valid name (letters, digits, - and _, "
                                   "joined by dots)", name);
            free(name);
            return;
        }
        int line, col;
        rg_utf8_position(p->src, tag_at, &line, &col);
        if (sigil == '/') {
            if (!open_name) {
                parse_error(p, tag_at, "{{/%s}} closes a section that was never opened", name);
            } else if (strcmp(name, open_name) != 0) {
                int oline, ocol;
                rg_utf8_position(p->src, open_at, &oline, &ocol);
                parse_error(p, tag_at, "{{/%s}} does not match the open section (opened on "
                                       "line %d)", name, oline);
            }
            free(name);
            return;
        }
        if (sigil == '#' || sigil == '^') {
            if (depth >= TMPL_MAX_DEPTH) {
                parse_error(p, tag_at, "sections nested too deeply at \"%s\" (the limit is "
                                       "64)", name);
                free(name);
                return;
            }
            node *sec = add_child(parent, sigil == '#' ? NODE_SECTION : NODE_INVERTED, name);
            sec->line = line, sec->col = col;
            /* sec may move when parent grows, so parse into a local node. */
            node body = {0};
            parse_block(p, &body, name, tag_at, depth + 1);
            sec = &parent->children[parent->nchildren - 1];
            sec->children = body.children;
            sec->nchildren = body.nchildren;
            sec->cap = body.cap;
            if (p->failed)
                return;
            continue;
        }
        node *v = add_child(parent, NODE_VAR, name);
        v->line = line, v->col = col;
    }
    if (open_name && !p->failed)
        parse_error(p, open_at, "section \"%s\" is never closed; add {{/%s}}", open_name, open_name);
}

tmpl *tmpl_compile(const char *name, const char *src, size_t len, rg_diags *diags)
{
    size_t bad = rg_utf8_invalid_at(src, len);
    if (bad != (size_t)-1) {
        int line, col;
        rg_utf8_position(src, bad, &line, &col);
        rg_diag_add(diags, RG_ERROR, name, line, col, "invalid UTF-8 in the template");
        return NULL;
    }
    char *copy = xstrndup(src, len);
    parser p = {.name = name, .src = copy, .len = len, .diags = diags};
    tmpl *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    parse_block(&p, &t->root, NULL, 0, 0);
    free(copy);
    if (p.failed) {
        tmpl_free(t);
        return NULL;
    }
    return t;
}

tmpl *tmpl_load(const char *path, rg_diags *diags)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot open the template: %s", strerror(errno));
        return NULL;
    }
    rg_buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot read the template");
        rg_buf_fini(&b);
        return NULL;
    }
    tmpl *t = tmpl_compile(path, b.data ? b.data : "", b.len, diags);
    rg_buf_fini(&b);
    return t;
}

void tmpl_free(tmpl *t)
{
    if (!t)
        return;
    node_fini(&t->root);
    free(t->name);
    free(t);
}

/* --- rendering -------------------------------------------------------- */

typedef struct render {
    const tmpl *t;
    const tval *stack[TMPL_MAX_DEPTH + 1];
    size_t depth;
    rg_buf *out;
    rg_diags *diags;
} render;

/* Resolves a dotted name against the context stack (innermost first for the
 * first part, then strictly inside it). NULL when missing. */
static const tval *lookup(const render *r, const char *name)
{
    if (strcmp(name, ".") == 0)
        return r->stack[r->depth - 1];
    const char *dot = strchr(name, '.');
    size_t first = dot ? (size_t)(dot - name) : strlen(name);
    const tval *v = NULL;
    for (size_t i = r->depth; i-- > 0 && !v;)
        v = tval_get(r->stack[i], name, first);
    while (v && dot) {
        const char *part = dot + 1;
        dot = strchr(part, '.');
        v = tval_get(v, part, dot ? (size_t)(dot - part) : strlen(part));
    }
    return v;
}

static bool truthy(const tval *v)
{
    switch (v->kind) {
    case TVAL_BOOL:
        return v->b;
    case TVAL_LIST:
        return v->n > 0;
    default:
        return true;
    }
}

static int render_nodes(render *r, const node *nodes, size_t n);

static int fail(render *r, const node *nd, const char *what)
{
    rg_diag_add(r->diags, RG_ERROR, r->t->name, nd->line, nd->col, "\"%s\" %s", nd->text, what);
    return -1;
}

static int push(render *r, const node *nd, const tval *v)
{
    if (r->depth >= TMPL_MAX_DEPTH)
        return fail(r, nd, "nests data too deeply");
    r->stack[r->depth++] = v;
    return 0;
}

static int render_section(render *r, const node *nd)
{
    const tval *v = lookup(r, nd->text);
    if (!v)
        return fail(r, nd, "is not in the data (a section over an optional value needs the "
                           "value to be present, even if empty or false)");
    if (nd->kind == NODE_INVERTED)
        return truthy(v) ? 0 : render_nodes(r, nd->children, nd->nchildren);
    if (!truthy(v))
        return 0;
    if (v->kind == TVAL_LIST) {
        for (size_t i = 0; i < v->n; i++) {
            if (push(r, nd, v->items[i]) != 0)
                return -1;
            int rc = render_nodes(r, nd->children, nd->nchildren);
            r->depth--;
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    if (push(r, nd, v) != 0)
        return -1;
    int rc = render_nodes(r, nd->children, nd->nchildren);
    r->depth--;
    return rc;
}

static int render_nodes(render *r, const node *nodes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const node *nd = &nodes[i];
        switch (nd->kind) {
        case NODE_TEXT:
            rg_buf_puts(r->out, nd->text);
            break;
        case NODE_VAR: {
            const tval *v = lookup(r, nd->text);
            if (!v)
                return fail(r, nd, "is not in the data");
            if (v->kind == TVAL_STRING)
                rg_buf_puts(r->out, v->s);
            else if (v->kind == TVAL_BOOL)
                rg_buf_puts(r->out, v->b ? "true" : "false");
            else
                return fail(r, nd, v->kind == TVAL_LIST ? "is a list, not text; use a section"
                                                        : "is a group of values, not text");
            break;
        }
        case NODE_SECTION:
        case NODE_INVERTED:
            if (render_section(r, nd) != 0)
                return -1;
            break;
        }
    }
    return 0;
}

int tmpl_render(const tmpl *t, const tval *data, rg_buf *out, rg_diags *diags)
{
    render r = {.t = t, .out = out, .diags = diags};
    r.stack[r.depth++] = data;
    rg_buf_append(out, "", 0);
    return render_nodes(&r, t->root.children, t->root.nchildren);
}
