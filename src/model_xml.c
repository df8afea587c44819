/* model_xml.c - builds the model from an XML file; the only user of libxml2.
 *
 * The file is read whole (up to MODEL_MAX_FILE_BYTES), checked for UTF-8
 * before the parser sees it, parsed without network, DTD loading or entity
 * substitution, refused outright if it has a DOCTYPE (no entity can then be
 * declared: no XXE, no billion laughs), validated against the embedded schema,
 * and walked into the typed model. */
#include "model.h"
#include "model_input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

/* Generated from schema/parkreport.xsd by the Makefile. */
extern const char parkreport_xsd[];
extern const size_t parkreport_xsd_len;

struct model_loader {
    xmlSchemaPtr schema;
};

/* A figure and the element it was read from, for messages about its
 * attributes once every figure is known. */
typedef struct figure_node {
    model_figure *figure;
    const xmlNode *node;
} figure_node;

/* Per-load state, reached from libxml2's callbacks through user data. */
typedef struct load_ctx {
    const char *path;
    const char *src; /* the file's bytes, for columns in messages */
    size_t len;
    rg_diags *diags;
    size_t errors_before;
    model *m;
    size_t figures_cap;
    model_tag_pos *tags; /* every start tag, in document order */
    size_t ntags;
    bool tags_match; /* one per element, so an element's index finds its tag */
    figure_node *fnodes;
    size_t nfnodes, fnodes_cap;
    char **unfilled; /* ids of the figures written 待填, sorted once all are known */
    size_t nunfilled, unfilled_cap;
} load_ctx;

/* The start tag of element n, or NULL when it is not known. */
static const model_tag_pos *tag_of(const load_ctx *lc, const xmlNode *n)
{
    uintptr_t k = n && n->type == XML_ELEMENT_NODE ? (uintptr_t)n->_private : 0;
    return lc->tags_match && k >= 1 && k <= lc->ntags ? &lc->tags[k - 1] : NULL;
}

static int line_of(const load_ctx *lc, const xmlNode *n)
{
    const model_tag_pos *t = tag_of(lc, n);
    return t ? t->line : (int)xmlGetLineNo(n);
}

static int col_of(const load_ctx *lc, const xmlNode *n)
{
    const model_tag_pos *t = tag_of(lc, n);
    return t ? t->col : 0;
}

/* Line and column of attribute `name` of element n (of the element itself
 * when the attribute is not written there). */
static void attr_pos(const load_ctx *lc, const xmlNode *n, const char *name, int *line, int *col)
{
    const model_tag_pos *t = tag_of(lc, n);
    *line = t ? t->line : n ? (int)xmlGetLineNo(n) : 0;
    *col = t ? t->col : 0;
    if (t)
        model_input_attr_pos(lc->src, lc->len, t, name, line, col);
}

/* An error about element n (attr NULL) or one of its attributes. */
static void node_error(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *fmt, ...)
    RG_PRINTF(4, 5);
static void node_error(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *fmt, ...)
{
    int line = line_of(lc, n), col = col_of(lc, n);
    if (attr_name)
        attr_pos(lc, n, attr_name, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    rg_diag_vadd(lc->diags, RG_ERROR, lc->path, line, col, fmt, ap);
    va_end(ap);
}

/* Where a schema message points: the attribute it names or is about, else
 * its element. */
static void schema_error_pos(const load_ctx *lc, const xmlError *e, int *line, int *col)
{
    const xmlNode *n = e->node;
    *line = e->line;
    *col = 0;
    if (!n)
        return;
    if (n->type == XML_ATTRIBUTE_NODE) {
        attr_pos(lc, n->parent, (const char *)n->name, line, col);
        return;
    }
    const char *msg = e->message ? e->message : "";
    const char *a = strstr(msg, ", attribute '");
    if (a) {
        a += strlen(", attribute '");
        char *name = xstrndup(a, strcspn(a, "'"));
        attr_pos(lc, n, name, line, col);
        free(name);
    } else if (tag_of(lc, n)) {
        *line = line_of(lc, n);
        *col = col_of(lc, n);
    }
}

static void diag_from_xml_error(load_ctx *lc, const xmlError *e)
{
    if (e->level == XML_ERR_WARNING)
        return;
    size_t n = e->message ? strlen(e->message) : 0;
    while (n && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
        n--;
    int line = e->line, col = e->int2;
    if (e->domain != XML_FROM_PARSER)
        schema_error_pos(lc, e, &line, &col);
    rg_diag_add(lc->diags, RG_ERROR, lc->path, line, col, "%.*s", (int)n,
                e->message ? e->message : "invalid XML");
}

static void on_parser_error(void *user, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = user;
    load_ctx *lc = ctxt->_private;
    /* After a fatal error libxml2 may add follow-up errors; the first says it. */
    if (lc->diags->errors > lc->errors_before)
        return;
    if (e->code == XML_ERR_INTERNAL_ERROR && e->message && strstr(e->message, "Excessive depth")) {
        rg_diag_add(lc->diags, RG_ERROR, lc->path, e->line, e->int2,
                    "elements nested more than 256 deep; a report nests sections at most %d "
                    "deep", MODEL_MAX_SECTION_DEPTH);
        return;
    }
    diag_from_xml_error(lc, e);
}

/* The number of elements, against MODEL_MAX_ELEMENTS; the line of the first
 * one past the limit, or 0. */
static int count_elements(xmlNode *n, size_t *count)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (++*count > MODEL_MAX_ELEMENTS)
            return n->line ? n->line : 1;
        /* Numbered in document order, in the member libxml2 leaves to
         * applications, to find each element's start tag (tag_of). */
        n->_private = (void *)(uintptr_t)*count;
        int at = count_elements(n->children, count);
        if (at)
            return at;
    }
    return 0;
}

static bool is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Attribute value, newly allocated, or NULL when absent. */
static char *attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

/* The xs:sequence of the complex type `n` (an xs:element or xs:complexType). */
static const xmlNode *xs_sequence(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (is_el(c, "sequence"))
            return c;
        if (is_el(c, "complexType")) {
            const xmlNode *q = xs_sequence(c);
            if (q)
                return q;
        }
    }
    return NULL;
}

static const xmlNode *xs_find(const xmlNode *n, const char *kind, const char *name)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        char *v = is_el(n, kind) ? attr(n, "name") : NULL;
        bool hit = v && strcmp(v, name) == 0 && (strcmp(kind, "complexType") == 0 || xs_sequence(n) ||
                                                 xmlHasProp(n, (const xmlChar *)"type"));
        free(v);
        if (hit)
            return n;
        const xmlNode *in = xs_find(n->children, kind, name);
        if (in)
            return in;
    }
    return NULL;
}

/* The children of element `parent` in the order the built-in schema gives
 * them, read from the schema itself (so it cannot fall out of step), joined
 * by ", " into out, each between < >. False when the schema has no sequence
 * for it. */
static bool schema_order(const char *parent, rg_buf *out)
{
    xmlDocPtr xsd = xmlReadMemory(parkreport_xsd, (int)parkreport_xsd_len, "parkreport.xsd", NULL,
                                  XML_PARSE_NONET);
    if (!xsd)
        return false;
    const xmlNode *root = xmlDocGetRootElement(xsd);
    const xmlNode *decl = xs_find(root ? root->children : NULL, "element", parent);
    const xmlNode *seq = decl ? xs_sequence(decl) : NULL;
    char *type = decl && !seq ? attr(decl, "type") : NULL;
    if (type) {
        const xmlNode *ct = xs_find(root->children, "complexType", type);
        seq = ct ? xs_sequence(ct) : NULL;
        free(type);
    }
    bool any = false;
    for (const xmlNode *c = seq ? seq->children : NULL; c; c = c->next) {
        char *name = is_el(c, "element") ? attr(c, "name") : NULL;
        if (name)
            rg_buf_printf(out, "%s<%s>", any ? ", " : "", name), any = true;
        free(name);
    }
    xmlFreeDoc(xsd);
    return any;
}

/* "This element is not expected", said as what to do
 * (model_input_explain_unexpected). */
static bool explain_unexpected(load_ctx *lc, const xmlError *e, int line, int col)
{
    const xmlNode *n = e->node;
    if (!n || n->type != XML_ELEMENT_NODE || !n->parent || n->parent->type != XML_ELEMENT_NODE)
        return false;
    const char *parent = (const char *)n->parent->name;
    size_t k = 0, cap = 0;
    model_sibling *before = NULL;
    for (const xmlNode *p = n->parent->children; p != n; p = p->next) {
        if (p->type != XML_ELEMENT_NODE)
            continue;
        void *arr = before;
        xgrow(&arr, &cap, k + 1, sizeof *before);
        before = arr;
        before[k++] = (model_sibling){(const char *)p->name, line_of(lc, p)};
    }
    rg_buf order = {0}, said = {0};
    bool done = schema_order(parent, &order) &&
                model_input_explain_unexpected((const char *)n->name, parent, order.data, before,
                                               k, &said);
    if (done)
        rg_diag_add(lc->diags, RG_ERROR, lc->path, line, col, "%s", said.data);
    free(before);
    rg_buf_fini(&order);
    rg_buf_fini(&said);
    return done;
}

static void on_schema_error(void *user, xmlErrorPtr e)
{
    load_ctx *lc = user;
    const char *msg = e->message ? e->message : "";
    /* libxml2 follows a pattern failure with a second, vaguer message. */
    int line, col;
    schema_error_pos(lc, e, &line, &col);
    if (strstr(msg, "is not a valid value of the atomic type") && lc->diags->count &&
        lc->diags->items[lc->diags->count - 1].line == line)
        return;
    if (strstr(msg, "This element is not expected") && explain_unexpected(lc, e, line, col))
        return;
    rg_buf said = {0};
    if (model_input_explain(msg, &said)) {
        rg_diag_add(lc->diags, RG_ERROR, lc->path, line, col, "%s", said.data);
        rg_buf_fini(&said);
        return;
    }
    diag_from_xml_error(lc, e);
}

static void on_doctype(void *user, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    (void)name, (void)external_id, (void)system_id;
    xmlParserCtxtPtr ctxt = user;
    load_ctx *lc = ctxt->_private;
    rg_diag_add(lc->diags, RG_ERROR, lc->path, ctxt->input ? ctxt->input->line : 0, 1,
                "a DOCTYPE is not allowed (it could declare entities); delete the <!DOCTYPE …> "
                "declaration");
    xmlStopParser(ctxt);
}

model_loader *model_loader_new(void)
{
    xmlInitParser();
    model_loader *ld = xcalloc(1, sizeof *ld);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(parkreport_xsd, (int)parkreport_xsd_len);
    if (pc) {
        ld->schema = xmlSchemaParse(pc);
        xmlSchemaFreeParserCtxt(pc);
    }
    if (!ld->schema) {
        fprintf(stderr, "parkreport: internal error: the built-in schema does not compile\n");
        free(ld);
        return NULL;
    }
    return ld;
}

void model_loader_free(model_loader *ld)
{
    if (!ld)
        return;
    xmlSchemaFree(ld->schema);
    free(ld);
}

static xmlDocPtr parse(load_ctx *lc, const char *s, size_t len)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        rg_diag_add(lc->diags, RG_ERROR, lc->path, 0, 0, "cannot create an XML parser");
        return NULL;
    }
    ctxt->_private = lc;
    ctxt->sax->serror = on_parser_error;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->entityDecl = NULL;
    lc->errors_before = lc->diags->errors;
    int options = XML_PARSE_NONET | XML_PARSE_NOCDATA;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, s, (int)len, lc->path, "UTF-8", options);
    if (lc->diags->errors > lc->errors_before || !doc || !ctxt->wellFormed) {
        if (lc->diags->errors == lc->errors_before)
            rg_diag_add(lc->diags, RG_ERROR, lc->path, 0, 0, "the input is not well-formed XML");
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

/* --- walking the validated tree -------------------------------------- */


static size_t count_children(const xmlNode *parent, const char *name)
{
    size_t k = 0;
    for (const xmlNode *c = parent->children; c; c = c->next)
        k += is_el(c, name);
    return k;
}

static const xmlNode *child(const xmlNode *parent, const char *name)
{
    for (const xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}


static bool attr_true(const xmlNode *n, const char *name)
{
    char *v = attr(n, name);
    bool t = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    free(v);
    return t;
}

static char *text_of(const xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = xstrdup(v ? (const char *)v : "");
    xmlFree(v);
    return s;
}

/* A name written as an attribute (a "label" of the schema) on one line, or
 * NULL when absent; an error when nothing but blanks is written. */
static char *label_attr(load_ctx *lc, const xmlNode *n, const char *name)
{
    char *v = attr(n, name);
    if (v && !*model_input_one_line(v))
        node_error(lc, n, name, "%s=\"\" is blank; write the %s", name,
                   strcmp(name, "unit") == 0 ? "unit" : "text");
    return v;
}

/* The same for a name written as an element's text. */
static char *label_text(load_ctx *lc, const xmlNode *n)
{
    char *v = model_input_one_line(text_of(n));
    if (!*v)
        node_error(lc, n, NULL, "<%s> is blank; write its text", (const char *)n->name);
    return v;
}

static model_figure *new_figure(load_ctx *lc, const char *id, const char *name, const char *unit,
                                int line)
{
    model *m = lc->m;
    void *arr = m->figures;
    xgrow(&arr, &lc->figures_cap, m->nfigures + 1, sizeof *m->figures);
    m->figures = arr;
    model_figure *f = xcalloc(1, sizeof *f);
    m->figures[m->nfigures++] = f;
    f->id = xstrdup(id);
    f->name = xstrdup(name);
    f->unit = xstrdup(unit);
    f->line = line;
    return f;
}

/* Parses f->text, written in element n (or its attribute attr_name), into
 * f->value, refusing what the workbook could not show as written. */
static void check_number(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *id,
                         model_figure *f)
{
    const char *el = (const char *)n->name;
    if (rg_dec_parse(f->text, &f->value) != 0)
        node_error(lc, n, attr_name,
                   "<%s> of %s: \"%s\" is not a number as parkreport reads them (digits, an "
                   "optional minus and decimal point, at most %d digits)",
                   el, id, f->text, RG_DEC_MAX_DIGITS);
    else if (f->text[0] == '-' && f->value.coef == 0)
        node_error(lc, n, attr_name, "<%s> of %s: \"%s\" is minus zero; write 0", el, id, f->text);
    else if (rg_dec_digits(f->value) > MODEL_MAX_DIGITS)
        node_error(lc, n, attr_name,
                   "<%s> of %s: %s has %d significant digits, more than the %d a spreadsheet "
                   "keeps; round it, or write it in a larger unit (万元, 亿元)",
                   el, id, f->text, rg_dec_digits(f->value), MODEL_MAX_DIGITS);
}

/* The text a scaffold (--scaffold) writes for a figure still to be filled. */
#define TO_FILL "待填"

/* True, with a warning, when the figure `id` written in n (or its attribute
 * attr_name) is still to be filled; it is then left out of the model, as if
 * not written, so that a half-filled input can be checked and previewed. */
static bool still_to_fill(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *id)
{
    char *text = attr_name ? attr(n, attr_name) : text_of(n);
    bool unfilled = text && strcmp(model_input_one_line(text), TO_FILL) == 0;
    free(text);
    if (!unfilled)
        return false;
    int line = line_of(lc, n), col = col_of(lc, n);
    if (attr_name)
        attr_pos(lc, n, attr_name, &line, &col);
    rg_diag_add(lc->diags, RG_WARNING, lc->path, line, col,
                "to fill: %s is still " TO_FILL "; write its number, or delete <%s> if there is "
                "none", id, (const char *)n->name);
    void *arr = lc->unfilled;
    xgrow(&arr, &lc->unfilled_cap, lc->nunfilled + 1, sizeof *lc->unfilled);
    lc->unfilled = arr;
    lc->unfilled[lc->nunfilled++] = xstrdup(id);
    return true;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_unfilled(const load_ctx *lc, const char *id)
{
    return lc->nunfilled &&
           bsearch(&id, lc->unfilled, lc->nunfilled, sizeof *lc->unfilled, str_cmp) != NULL;
}

/* NULL when the figure is still to be filled. */
static model_figure *add_figure(load_ctx *lc, const xmlNode *n, const char *id, const char *name,
                                const char *unit)
{
    if (still_to_fill(lc, n, NULL, id))
        return NULL;
    char *own_unit = label_attr(lc, n, "unit");
    model_figure *f = new_figure(lc, id, name, own_unit ? own_unit : unit, line_of(lc, n));
    free(own_unit);
    f->col = col_of(lc, n);
    f->ref = attr(n, "ref");
    f->text = text_of(n);
    void *arr = lc->fnodes;
    xgrow(&arr, &lc->fnodes_cap, lc->nfnodes + 1, sizeof *lc->fnodes);
    lc->fnodes = arr;
    lc->fnodes[lc->nfnodes++] = (figure_node){f, n};
    if (f->ref) {
        if (f->text[strspn(f->text, " \t\r\n")] != '\0')
            node_error(lc, n, NULL, "<%s> has both a number and ref=\"%s\"; keep one",
                       (const char *)n->name, f->ref);
        return f;
    }
    check_number(lc, n, NULL, id, f);
    return f;
}

static char *join_id(const char *a, const char *b, const char *c)
{
    rg_buf id = {0};
    rg_buf_puts(&id, a);
    rg_buf_putc(&id, '.');
    rg_buf_puts(&id, b);
    if (c) {
        rg_buf_putc(&id, '.');
        rg_buf_puts(&id, c);
    }
    return rg_buf_take(&id);
}

/* Adds the figure in element `el` of `parent`, if present, as PREFIX.EL. */
static model_figure *opt_figure(load_ctx *lc, const xmlNode *parent, const char *el,
                                const char *prefix, const char *name, const char *unit)
{
    const xmlNode *n = child(parent, el);
    if (!n)
        return NULL;
    char *id = join_id(prefix, el, NULL);
    model_figure *f = add_figure(lc, n, id, name, unit);
    free(id);
    return f;
}

static const char *const slot_element[MODEL_SLOT_COUNT] = {
    [MODEL_PREVIOUS] = "previous",   [MODEL_TARGET] = "target",
    [MODEL_ACTUAL] = "actual",       [MODEL_ACTUAL_GROWTH] = "actual-growth",
    [MODEL_FORECAST] = "forecast",   [MODEL_FORECAST_GROWTH] = "forecast-growth",
    [MODEL_PLAN] = "plan",           [MODEL_ESTIMATE] = "estimate",
    [MODEL_ESTIMATE_GROWTH] = "estimate-growth",
};

static model_bound bound_of(const xmlNode *n)
{
    char *bound = attr(n, "bound");
    model_bound b = !bound                            ? MODEL_BOUND_EXACT
                    : strcmp(bound, "at-least") == 0 ? MODEL_BOUND_AT_LEAST
                    : strcmp(bound, "at-most") == 0  ? MODEL_BOUND_AT_MOST
                                                     : MODEL_BOUND_EXACT;
    free(bound);
    return b;
}

static void load_indicators(load_ctx *lc, const xmlNode *parent)
{
    model *m = lc->m;
    m->nindicators = count_children(parent, "indicator");
    m->indicators = xcalloc(m->nindicators, sizeof *m->indicators);
    size_t i = 0;
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!is_el(n, "indicator"))
            continue;
        model_indicator *ind = &m->indicators[i++];
        ind->id = attr(n, "id");
        ind->name = label_attr(lc, n, "name");
        ind->unit = label_attr(lc, n, "unit");
        ind->line = line_of(lc, n);
        ind->col = col_of(lc, n);
        for (int s = 0; s < MODEL_SLOT_COUNT; s++) {
            bool growth = s == MODEL_ACTUAL_GROWTH || s == MODEL_FORECAST_GROWTH ||
                          s == MODEL_ESTIMATE_GROWTH;
            ind->slot[s] = opt_figure(lc, n, slot_element[s], ind->id, ind->name,
                                      growth ? "%" : ind->unit);
        }
        ind->full_year_actual = m->full_year;
        if (child(n, "estimate"))
            ind->estimate_period = label_attr(lc, child(n, "estimate"), "period");
        const xmlNode *plan = child(n, "plan");
        if (plan) {
            ind->plan_name = label_attr(lc, plan, "name");
            ind->plan_bound = bound_of(plan);
        }
        if (child(n, "target"))
            ind->target_bound = bound_of(child(n, "target"));
    }
}

static void load_sectors(load_ctx *lc, const xmlNode *parent)
{
    model *m = lc->m;
    m->nsectors = count_children(parent, "sector");
    m->sectors = xcalloc(m->nsectors, sizeof *m->sectors);
    size_t i = 0;
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!is_el(n, "sector"))
            continue;
        model_sector *s = &m->sectors[i++];
        s->id = attr(n, "id");
        s->name = label_attr(lc, n, "name");
        s->line = line_of(lc, n);
        s->col = col_of(lc, n);
        char *role = attr(n, "role");
        s->role = !role                           ? MODEL_ROLE_OTHER
                  : strcmp(role, "leading") == 0  ? MODEL_ROLE_LEADING
                  : strcmp(role, "featured") == 0 ? MODEL_ROLE_FEATURED
                                                  : MODEL_ROLE_OTHER;
        free(role);
        char *prefix = join_id("sectors", s->id, NULL);
        s->firms = opt_figure(lc, n, "firms", prefix, s->name, "户");
        s->output = opt_figure(lc, n, "output", prefix, s->name, "亿元");
        s->growth = opt_figure(lc, n, "growth", prefix, s->name, "%");
        free(prefix);
    }
}

static void load_promotion(load_ctx *lc, const xmlNode *n)
{
    model_promotion *p = &lc->m->promotion;
    p->present = true;
    char *additive = attr(n, "additive");
    p->additive = !additive || strcmp(additive, "true") == 0 || strcmp(additive, "1") == 0;
    free(additive);
    p->activities = opt_figure(lc, n, "activities", "promotion", "招商活动", "次");
    p->projects = opt_figure(lc, n, "projects", "promotion", "招引项目", "个");
    p->amount = opt_figure(lc, n, "amount", "promotion", "招引项目总投资", "亿元");
    p->large_projects = opt_figure(lc, n, "large-projects", "promotion", "大项目", "个");
    const xmlNode *large = child(n, "large-projects");
    if (large && !still_to_fill(lc, large, "threshold", "promotion.large-projects.threshold")) {
        /* The threshold is an attribute; give it a figure of its own. */
        model_figure *f = new_figure(lc, "promotion.large-projects.threshold", "大项目投资门槛",
                                     "亿元", line_of(lc, large));
        attr_pos(lc, large, "threshold", &f->line, &f->col);
        f->text = attr(large, "threshold");
        check_number(lc, large, "threshold", f->id, f);
        p->large_threshold = f;
    }
    p->ncategories = count_children(n, "category");
    p->categories = xcalloc(p->ncategories, sizeof *p->categories);
    size_t i = 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is_el(c, "category"))
            continue;
        model_category *cat = &p->categories[i++];
        cat->id = attr(c, "id");
        cat->name = label_attr(lc, c, "name");
        cat->line = line_of(lc, c);
        char *prefix = join_id("promotion", cat->id, NULL);
        cat->projects = opt_figure(lc, c, "projects", prefix, cat->name, "个");
        cat->amount = opt_figure(lc, c, "amount", prefix, cat->name, "亿元");
        free(prefix);
    }
}

static void load_figures(load_ctx *lc, const xmlNode *parent)
{
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!is_el(n, "figure"))
            continue;
        char *id = attr(n, "id"), *name = label_attr(lc, n, "name"),
             *unit = label_attr(lc, n, "unit");
        model_figure *f = add_figure(lc, n, id, name, unit);
        if (f)
            f->same_as = attr(n, "same-as");
        free(id), free(name), free(unit);
    }
}

static void load_groups(load_ctx *lc, const xmlNode *parent)
{
    model *m = lc->m;
    m->ngroups = count_children(parent, "group");
    m->groups = xcalloc(m->ngroups, sizeof *m->groups);
    size_t i = 0;
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (!is_el(n, "group"))
            continue;
        model_group *g = &m->groups[i++];
        g->id = attr(n, "id");
        g->status = label_attr(lc, n, "status");
        g->partial = attr_true(n, "partial");
        g->line = line_of(lc, n);
        char *prefix = join_id("groups", g->id, NULL);
        g->count = opt_figure(lc, n, "count", prefix, g->status, "个");
        free(prefix);
        g->nitems = count_children(n, "item");
        g->items = xcalloc(g->nitems, sizeof *g->items);
        size_t k = 0;
        for (const xmlNode *it = n->children; it; it = it->next)
            if (is_el(it, "item")) {
                g->items[k++] = label_text(lc, it);
                if (strcmp(g->items[k - 1], TO_FILL) == 0)
                    rg_diag_add(lc->diags, RG_WARNING, lc->path, line_of(lc, it), col_of(lc, it),
                                "to fill: an item of groups.%s is still " TO_FILL "; write its "
                                "name", g->id);
            }
    }
}

static int figure_cmp(const void *a, const void *b)
{
    const model_figure *x = *(const model_figure *const *)a, *y = *(const model_figure *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* An <actual ref="…"/> whose figure is still to be filled is left out too. */
static void drop_unfilled_refs(load_ctx *lc)
{
    model *m = lc->m;
    for (size_t i = 0; i < m->nindicators; i++) {
        model_figure **actual = &m->indicators[i].slot[MODEL_ACTUAL];
        if (*actual && (*actual)->ref && is_unfilled(lc, (*actual)->ref))
            *actual = NULL;
    }
    size_t kept = 0;
    for (size_t i = 0; i < m->nfigures; i++) {
        model_figure *f = m->figures[i];
        if (f->ref && is_unfilled(lc, f->ref)) {
            free(f->id), free(f->name), free(f->unit), free(f->text), free(f->ref);
            free(f->same_as), free(f);
        } else {
            m->figures[kept++] = f;
        }
    }
    m->nfigures = kept;
}

/* An error for a reference to no figure, with the nearest id suggested. */
static void unknown_ref(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *ref)
{
    const char *near = model_figure_nearest(lc->m, ref), *why = model_derived_missing(ref);
    rg_buf hint = {0};
    if (why)
        rg_buf_printf(&hint, ": it is computed only from %s", why);
    else if (near)
        rg_buf_printf(&hint, "; did you mean \"%s\"?", near);
    else
        rg_buf_puts(&hint, "; declare it under <indicators>, <sectors>, <promotion>, <figures> or "
                           "<groups> (derived names: docs/input-format.md)");
    node_error(lc, n, attr_name, "%s=\"%s\": no figure has that id%s", attr_name, ref, hint.data);
    rg_buf_fini(&hint);
}

/* same-as="…" names a figure, written or derived. */
static void check_same_as(load_ctx *lc)
{
    for (size_t i = 0; i < lc->nfnodes; i++) {
        const model_figure *f = lc->fnodes[i].figure;
        if (f->same_as && !model_figure_find(lc->m, f->same_as) && !is_unfilled(lc, f->same_as))
            unknown_ref(lc, lc->fnodes[i].node, "same-as", f->same_as);
    }
}

/* Sorts the figures, rejects duplicate ids and resolves ref="…". */
static void link_figures(load_ctx *lc)
{
    model *m = lc->m;
    qsort(m->figures, m->nfigures, sizeof *m->figures, figure_cmp);
    for (size_t i = 1; i < m->nfigures; i++)
        if (strcmp(m->figures[i - 1]->id, m->figures[i]->id) == 0)
            rg_diag_add(lc->diags, RG_ERROR, lc->path, m->figures[i]->line, m->figures[i]->col,
                        "the figure id \"%s\" is used twice (also on line %d); ids must be unique",
                        m->figures[i]->id, m->figures[i - 1]->line);
    if (lc->nunfilled)
        qsort(lc->unfilled, lc->nunfilled, sizeof *lc->unfilled, str_cmp);
    for (size_t i = 0; i < lc->nfnodes; i++) {
        model_figure *f = lc->fnodes[i].figure;
        const xmlNode *n = lc->fnodes[i].node;
        if (!f->ref || is_unfilled(lc, f->ref))
            continue;
        const model_figure *t = model_figure_find(m, f->ref);
        if (!t) {
            unknown_ref(lc, n, "ref", f->ref);
            continue;
        }
        if (t->ref) {
            node_error(lc, n, "ref",
                       "ref=\"%s\" points to a figure that is itself a reference (line %d); "
                       "point to the figure that holds the number",
                       f->ref, t->line);
            continue;
        }
        free(f->text);
        f->text = xstrdup(t->text);
        f->value = t->value;
    }
    if (lc->nunfilled)
        drop_unfilled_refs(lc);
    m->nunfilled = lc->nunfilled;
}

/* Ids of the things in one list must differ (figures are checked by
 * link_figures; this catches things that carry no figure). ids[i] is the id
 * of the i-th <el> under parent. Sorted, so that a long list costs no more
 * than its length. */
typedef struct id_at {
    const char *id;
    size_t index;
} id_at;

static int id_at_cmp(const void *a, const void *b)
{
    const id_at *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void check_unique(load_ctx *lc, const char *what, const xmlNode *parent, const char *el,
                         const char *const *ids, size_t n)
{
    if (n < 2)
        return;
    const xmlNode **nodes = xcalloc(n, sizeof *nodes);
    id_at *sorted = xcalloc(n, sizeof *sorted);
    size_t k = 0;
    for (const xmlNode *c = parent->children; c && k < n; c = c->next)
        if (is_el(c, el))
            nodes[k++] = c;
    for (size_t i = 0; i < n; i++)
        sorted[i] = (id_at){ids[i], i};
    qsort(sorted, n, sizeof *sorted, id_at_cmp);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(sorted[i].id, sorted[first].id) != 0) {
            first = i;
            continue;
        }
        node_error(lc, nodes[sorted[i].index], "id",
                   "two %s have the id \"%s\" (also on line %d); ids must be unique", what,
                   sorted[i].id, line_of(lc, nodes[sorted[first].index]));
    }
    free(sorted);
    free(nodes);
}

#define CHECK_UNIQUE(lc, what, parent, el, arr, n)                                               \
    do {                                                                                         \
        const char **ids_ = xcalloc((n), sizeof *ids_);                                          \
        for (size_t i_ = 0; i_ < (n); i_++)                                                      \
            ids_[i_] = (arr)[i_].id;                                                             \
        check_unique(lc, what, parent, el, ids_, n);                                             \
        free(ids_);                                                                              \
    } while (0)

/* A <v ref="…"> with how it is to be written: as="growth", decimals, in, words. */
static void load_reference(load_ctx *lc, const xmlNode *c, const char *ref, model_inline *part)
{
    part->kind = MODEL_INLINE_FIGURE;
    part->line = line_of(lc, c);
    part->col = col_of(lc, c);
    part->figure = model_figure_find(lc->m, ref);
    part->bare = attr_true(c, "bare");
    if (!part->figure && is_unfilled(lc, ref)) { /* warned where it is written */
        part->kind = MODEL_INLINE_TEXT;
        part->text = xstrdup("（" TO_FILL "）");
        return;
    }
    if (!part->figure)
        unknown_ref(lc, c, "ref", ref);
    char *as = attr(c, "as"), *decimals = attr(c, "decimals"), *words = attr(c, "words");
    part->phrase = model_phrase_named(as);
    part->decimals = decimals ? atoi(decimals) : -1;
    part->in_unit = label_attr(lc, c, "in");
    if (part->in_unit && part->figure &&
        !model_units_convert(part->figure->unit, part->in_unit))
        node_error(lc, c, "in",
                   "in=\"%s\": %s is in %s (line %d), which does not convert to %s; units of "
                   "one kind convert: 元/万元/亿元, 平方米/万平方米/平方公里, 吨/万吨, 人/万人",
                   part->in_unit, ref, part->figure->unit, part->figure->line, part->in_unit);
    if (words) {
        if (part->phrase == MODEL_PHRASE_PLAIN || part->phrase == MODEL_PHRASE_ABS)
            node_error(lc, c, "words", "words=\"…\" needs as=\"growth\", \"points\" or "
                                       "\"change\": the words are chosen by the sign");
        if (model_phrase_words(words, part->words) != 0)
            node_error(lc, c, "words",
                       "words=\"%s\": write the word for a rise and for a fall, and optionally "
                       "for no change, separated by commas: words=\"加快,回落,持平\"",
                       words);
    }
    free(as), free(decimals), free(words);
}

static void load_paragraph(load_ctx *lc, const xmlNode *n, model_paragraph *p)
{
    p->line = line_of(lc, n);
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        k++;
    p->parts = xcalloc(k, sizeof *p->parts);
    for (const xmlNode *c = n->children; c; c = c->next) {
        model_inline *part = &p->parts[p->nparts];
        if (c->type == XML_TEXT_NODE) {
            part->kind = MODEL_INLINE_TEXT;
            part->text = model_input_clean_prose((const char *)c->content);
            p->nparts++;
        } else if (is_el(c, "v") || is_el(c, "list")) {
            char *ref = attr(c, "ref");
            if (is_el(c, "v")) {
                load_reference(lc, c, ref, part);
            } else {
                part->kind = MODEL_INLINE_LIST;
                part->group = model_group_find(lc->m, ref);
                const char *near = part->group ? NULL : model_group_nearest(lc->m, ref);
                if (!part->group)
                    node_error(lc, c, "ref", "<list ref=\"%s\">: no group has that id (write "
                               "groups.ID)%s%s%s", ref, near ? "; did you mean \"groups." : "",
                               near ? near : "", near ? "\"?" : "");
            }
            free(ref);
            p->nparts++;
        }
    }
}

static void load_paragraphs(load_ctx *lc, const xmlNode *parent, model_paragraph **out,
                            size_t *count)
{
    *count = count_children(parent, "p");
    *out = xcalloc(*count, sizeof **out);
    size_t i = 0;
    for (const xmlNode *c = parent->children; c; c = c->next)
        if (is_el(c, "p"))
            load_paragraph(lc, c, &(*out)[i++]);
}

static void load_sections(load_ctx *lc, const xmlNode *parent, model_section **out, size_t *count,
                          int depth)
{
    *count = count_children(parent, "section");
    *out = xcalloc(*count, sizeof **out);
    size_t i = 0;
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (!is_el(c, "section"))
            continue;
        model_section *s = &(*out)[i++];
        s->title = label_attr(lc, c, "title");
        s->line = line_of(lc, c);
        if (depth > MODEL_MAX_SECTION_DEPTH) {
            node_error(lc, c, NULL,
                       "sections nested too deeply (the limit is %d levels: 一、（一）1.（1）)",
                       MODEL_MAX_SECTION_DEPTH);
            continue;
        }
        load_paragraphs(lc, c, &s->paragraphs, &s->nparagraphs);
        load_sections(lc, c, &s->sections, &s->nsections, depth + 1);
    }
}

static void load_report(load_ctx *lc, const xmlNode *root)
{
    model *m = lc->m;
    m->period = label_attr(lc, root, "period");
    m->full_year = model_period_is_full_year(m->period);
    /* The years are figures too, so prose can say <v ref="year"/>. */
    const char *year_ids[2] = {"year", "plan-year"};
    int *years[2] = {&m->year, &m->plan_year};
    for (int i = 0; i < 2; i++) {
        model_figure *f =
            new_figure(lc, year_ids[i], i ? "计划年份" : "年份", "年", line_of(lc, root));
        f->text = attr(root, year_ids[i]);
        rg_dec_parse(f->text, &f->value);
        *years[i] = atoi(f->text);
    }
    m->date = attr(root, "date");
    m->previous = attr(root, "previous");
    if (m->previous)
        attr_pos(lc, root, "previous", &m->previous_line, &m->previous_col);
    m->park = label_text(lc, child(root, "park"));
    if (child(root, "title"))
        m->title = label_text(lc, child(root, "title"));
    if (child(root, "author"))
        m->author = label_text(lc, child(root, "author"));
    const xmlNode *frame = child(root, "frame"); /* model_frame.c */
    m->frame = frame ? xcalloc(1, sizeof *m->frame) : NULL;
    for (const xmlNode *c = frame ? frame->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            model_frame_add(m->frame, lc->path, (const char *)c->name, line_of(lc, c), col_of(lc, c),
                            is_el(c, "attachment") ? label_attr(lc, c, "title") : label_text(lc, c),
                            attr(c, is_el(c, "printer") ? "date" : "content"), lc->diags);
    model_frame_finish(m->frame, m->date, m->year);
    if (m->plan_year != m->year + 1)
        node_error(lc, root, "plan-year",
                   "plan-year=\"%d\" should be the year after year=\"%d\"", m->plan_year,
                   m->year);

    load_indicators(lc, child(root, "indicators"));
    if (child(root, "sectors"))
        load_sectors(lc, child(root, "sectors"));
    if (child(root, "promotion"))
        load_promotion(lc, child(root, "promotion"));
    if (child(root, "figures"))
        load_figures(lc, child(root, "figures"));
    if (child(root, "groups"))
        load_groups(lc, child(root, "groups"));
    CHECK_UNIQUE(lc, "indicators", child(root, "indicators"), "indicator", m->indicators,
                 m->nindicators);
    CHECK_UNIQUE(lc, "sectors", child(root, "sectors"), "sector", m->sectors, m->nsectors);
    CHECK_UNIQUE(lc, "categories", child(root, "promotion"), "category",
                 m->promotion.categories, m->promotion.ncategories);
    CHECK_UNIQUE(lc, "groups", child(root, "groups"), "group", m->groups, m->ngroups);
    link_figures(lc);
    model_derive(m, lc->diags);
    check_same_as(lc);

    const xmlNode *narrative = child(root, "narrative");
    if (child(narrative, "intro"))
        load_paragraphs(lc, child(narrative, "intro"), &m->intro, &m->nintro);
    load_sections(lc, narrative, &m->sections, &m->nsections, 1);
}

model *model_load(model_loader *ld, const char *path, rg_diags *diags)
{
    size_t len = 0;
    char *bytes = model_input_read(path, &len, diags);
    if (!bytes)
        return NULL;
    model *m = model_load_buffer(ld, path, bytes, len, diags);
    free(bytes);
    return m;
}

model *model_load_buffer(model_loader *ld, const char *path, const char *data, size_t len,
                         rg_diags *diags)
{
    load_ctx lc = {.path = path, .diags = diags};
    size_t errors_at_start = diags->errors;
    if (len > MODEL_MAX_FILE_BYTES) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "the input is larger than %d MB; split it",
                    MODEL_MAX_FILE_BYTES / (1024 * 1024));
        return NULL;
    }
    /* Our own copy, NUL-terminated for the searches that find columns. */
    char *bytes = xmalloc(len + 1);
    memcpy(bytes, data, len);
    bytes[len] = '\0';
    xmlDocPtr doc = NULL;
    if (model_input_check_bytes(lc.path, bytes, len, lc.diags) == 0 &&
        model_input_check_declaration(lc.path, bytes, len, lc.diags) == 0)
        doc = parse(&lc, bytes, len);
    if (!doc) {
        free(bytes);
        return NULL;
    }
    lc.src = bytes;
    lc.len = len;
    model_input_tags(lc.src, lc.len, &lc.tags, &lc.ntags);
    size_t elements = 0;
    int too_many = count_elements(xmlDocGetRootElement(doc), &elements);
    lc.tags_match = !too_many && elements == lc.ntags;
    int rc = 0;
    xmlSchemaValidCtxtPtr vc = NULL;
    if (too_many) {
        rg_diag_add(diags, RG_ERROR, path, too_many, 0,
                    "more than %d elements: a report holds fewer; split the input",
                    MODEL_MAX_ELEMENTS);
    } else if (!(vc = xmlSchemaNewValidCtxt(ld->schema))) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot create a schema validator");
    } else {
        xmlSchemaSetValidStructuredErrors(vc, on_schema_error, &lc);
        rc = xmlSchemaValidateDoc(vc, doc);
        xmlSchemaFreeValidCtxt(vc);
        if (rc != 0 && diags->errors == errors_at_start)
            rg_diag_add(diags, RG_ERROR, path, 0, 0, "the input does not match the schema");
    }
    if (diags->errors == errors_at_start) {
        lc.m = xcalloc(1, sizeof *lc.m);
        lc.m->file = xstrdup(path);
        load_report(&lc, xmlDocGetRootElement(doc));
    }
    xmlFreeDoc(doc);
    free(bytes);
    free(lc.tags);
    free(lc.fnodes);
    for (size_t i = 0; i < lc.nunfilled; i++)
        free(lc.unfilled[i]);
    free(lc.unfilled);
    if (diags->errors > errors_at_start) {
        model_free(lc.m);
        return NULL;
    }
    return lc.m;
}
