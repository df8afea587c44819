/* tmpl_render.c - rendering a compiled template (see tmpl.h). */
#include "tmpl_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- rendering -------------------------------------------------------- */


int tmpl_render_error(render *r, size_t unit_index, size_t at, const char *fmt, ...)
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

const tval *tmpl_keep(render *r, tval *v)
{
    void *arr = r->owned;
    xgrow(&arr, &r->ocap, r->nowned + 1, sizeof *r->owned);
    r->owned = arr;
    r->owned[r->nowned++] = v;
    return v;
}

/* Writes template text (indent_lines) or data; inside an indented partial,
 * each line of the partial's own text begins with the indentation. */
static void emit_text(render *r, const char *s, size_t n, bool indent_lines)
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

/* Past TMPL_MAX_OUTPUT, output stops and render_nodes reports it: one piece
 * of text or data may go over, by less than the template or the input. */
static void emit(render *r, const char *s, size_t n, bool indent_lines)
{
    if (r->too_long)
        return;
    emit_text(r, s, n, indent_lines);
    r->too_long = r->out->len - r->start > TMPL_MAX_OUTPUT;
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
        return tmpl_keep(r, tval_number(text, NULL));
    }
    if (strcmp(name, "@first") == 0)
        return tmpl_keep(r, tval_bool(f->index == 0));
    if (strcmp(name, "@last") == 0)
        return tmpl_keep(r, tval_bool(f->index + 1 == f->count));
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

/* A name the data lacks, told once (tmpl_render_collect); the render goes
 * on as if it were empty. */
static int tell_missing(render *r, const node *nd, const tval **out)
{
    rg_buf name = {0};
    rg_buf_printf(&name, "\n%s\n", nd->e.path);
    bool told = r->missed.len && (strncmp(r->missed.data, name.data + 1, name.len - 1) == 0 ||
                                  strstr(r->missed.data, name.data));
    if (!told) {
        const unit *u = &r->t->units[nd->unit];
        int line, col;
        rg_utf8_position(u->src, nd->at, &line, &col);
        rg_buf where = {0};
        rg_buf_printf(&where, "%s:%d:%d", u->display, line, col);
        if (!r->missing(r->missing_ud, nd->e.path, where.data, r->diags))
            tmpl_render_error(r, nd->unit, nd->at, "\"%s\" is not in the data; if it may be "
                                                   "missing, write {{%s | default \"…\"}}",
                              nd->e.path, nd->e.path);
        rg_buf_fini(&where);
        rg_buf_append(&r->missed, name.data + 1, name.len - 1);
    }
    rg_buf_fini(&name);
    *out = NULL;
    return 0;
}

/* default and exists are the filters that may be given a missing name. */
static bool takes_missing(const filter_call *fc)
{
    return strcmp(fc->def->name, "default") == 0 || strcmp(fc->def->name, "exists") == 0;
}

/* The value of an expression; -1 (reported) on an error. *out is NULL for
 * a missing name in lenient mode. */
static int evaluate(render *r, const node *nd, const tval **out)
{
    const expr *e = &nd->e;
    const tval *v = lookup(r, e->path);
    bool defaulted = e->nfilters > 0 && takes_missing(&e->filters[0]);
    if (!v && !defaulted && !r->t->opt.lenient) {
        if (e->path[0] == '@')
            return tmpl_render_error(r, nd->unit, nd->at, "%s is defined only inside a section over "
                                                     "a list", e->path);
        if (r->missing)
            return tell_missing(r, nd, out);
        return tmpl_render_error(r, nd->unit, nd->at, "\"%s\" is not in the data; if it may be "
                                                 "missing, write {{%s | default \"…\"}}",
                            e->path, e->path);
    }
    for (size_t i = 0; i < e->nfilters; i++) {
        const filter_call *fc = &e->filters[i];
        if (!v && !takes_missing(fc)) {
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

/* Counts a step of the walk at nd; -1, reported, past TMPL_MAX_STEPS or once
 * the output has passed TMPL_MAX_OUTPUT. Every caller then stops. */
static int step(render *r, const node *nd)
{
    if (++r->steps > TMPL_MAX_STEPS)
        r->too_long = true;
    if (!r->too_long)
        return 0;
    return tmpl_render_error(r, nd->unit, nd->at,
                             "the template's output passes %zu MB, or its tags are rendered "
                             "more than %zu million times, here: sections nested over lists "
                             "repeat for every combination; nest fewer",
                             TMPL_MAX_OUTPUT >> 20, TMPL_MAX_STEPS / 1000000);
}

static int render_nodes(render *r, const node *nodes, size_t n);

static int push(render *r, const node *nd, frame f)
{
    if (r->depth >= TMPL_MAX_RENDER_DEPTH)
        return tmpl_render_error(r, nd->unit, nd->at, "data nested more than %d deep",
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
            if (step(r, nd) != 0 || push(r, nd, f) != 0)
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

void tmpl_escape_html(const char *s, size_t n, rg_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
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
            rg_buf_putc(out, s[i]);
        }
    }
}

static int render_var(render *r, const node *nd)
{
    const tval *v = NULL;
    if (evaluate(r, nd, &v) != 0)
        return -1;
    const char *text = NULL;
    if (!v && r->missing)
        return 0; /* told already */
    if (!v || v->kind == TVAL_NULL) {
        if (!r->t->opt.lenient)
            return tmpl_render_error(r, nd->unit, nd->at, "\"%s\" is empty here; if that is "
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
        return tmpl_render_error(r, nd->unit, nd->at, "\"%s\" is a list: write it with a section, "
                                                 "or with | join", nd->e.canon);
    default:
        if (r->t->opt.lenient)
            return 0;
        return tmpl_render_error(r, nd->unit, nd->at, "\"%s\" is a group of values, not text: name "
                                                 "one of them, as in %s.name", nd->e.canon,
                            nd->e.path);
    }
    if (r->t->opt.escape && !nd->raw) {
        rg_buf esc = {0};
        r->t->opt.escape(text, strlen(text), &esc);
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
        return tmpl_render_error(r, nd->unit, nd->at, "partials nested more than %d deep (does "
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
        if (rc == 0)
            rc = step(r, nd);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int tmpl_render(const tmpl *t, const tval *data, rg_buf *out, rg_diags *diags)
{
    return tmpl_render_collect(t, data, out, NULL, NULL, diags);
}

int tmpl_render_collect(const tmpl *t, const tval *data, rg_buf *out, tmpl_missing_fn missing,
                        void *ud, rg_diags *diags)
{
    render r = {.t = t, .out = out, .diags = diags, .missing = missing, .missing_ud = ud};
    rg_buf_append(out, "", 0);
    r.start = out->len;
    int rc = push(&r, &t->units[0].root, (frame){.v = data});
    if (rc == 0)
        rc = render_nodes(&r, t->units[0].root.kids, t->units[0].root.nkids);
    for (size_t i = 0; i < r.nowned; i++)
        tval_free(r.owned[i]);
    free(r.owned);
    free(r.stack);
    free(r.parents);
    rg_buf_fini(&r.indent);
    if (rc == 0 && r.missed.len)
        rc = -1;
    rg_buf_fini(&r.missed);
    return rc;
}

