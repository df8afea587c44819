/* model_xml.c - builds the model from an XML file; the only user of libxml2.
 *
 * The file is read whole (up to MODEL_MAX_FILE_BYTES), checked for UTF-8
 * before the parser sees it, parsed without network, DTD loading or entity
 * substitution, refused outright if it has a DOCTYPE (no entity can then be
 * declared: no XXE, no billion laughs), validated against the embedded schema,
 * and walked into the typed model. */
#include "model.h"

#include <errno.h>
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

/* Per-load state, reached from libxml2's callbacks through user data. */
typedef struct load_ctx {
    const char *path;
    const char *src; /* the file's bytes, for columns in messages */
    size_t len;
    rg_diags *diags;
    size_t errors_before;
    model *m;
    size_t figures_cap;
    size_t *line_start; /* byte offset of each line of src, from line 1 */
    size_t nlines;
} load_ctx;

/* The column (1-based, in characters) where `needle` first appears on line
 * `line` of the input, or 0. libxml2 keeps only lines for elements. */
static int column_of_nth(const load_ctx *lc, int line, const char *needle, int skip);

static int column_of(const load_ctx *lc, int line, const char *needle)
{
    return column_of_nth(lc, line, needle, 0);
}

/* As column_of, for the occurrence after `skip` earlier ones on the line. */
static int column_of_nth(const load_ctx *lc, int line, const char *needle, int skip)
{
    if (!lc->src || line < 1 || (size_t)line > lc->nlines)
        return 0;
    size_t at = lc->line_start[line - 1];
    const char *end = memchr(lc->src + at, '\n', lc->len - at);
    size_t line_len = end ? (size_t)(end - (lc->src + at)) : lc->len - at;
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= line_len; i++) {
        if (memcmp(lc->src + at + i, needle, k) != 0 || skip-- > 0)
            continue;
        int l, col;
        rg_utf8_position(lc->src + at, i, &l, &col);
        return col;
    }
    return 0;
}

/* Column of the start tag `<name` on `line` (not of a longer name). */
static int column_of_tag(const load_ctx *lc, int line, const char *name)
{
    if (!lc->src || line < 1 || (size_t)line > lc->nlines)
        return 0;
    size_t at = lc->line_start[line - 1], k = strlen(name);
    const char *s = lc->src + at, *end = memchr(s, '\n', lc->len - at);
    size_t line_len = end ? (size_t)(end - s) : lc->len - at;
    for (size_t i = 0; i + 1 + k <= line_len; i++) {
        if (s[i] != '<' || memcmp(s + i + 1, name, k) != 0)
            continue;
        char after = i + 1 + k < line_len ? s[i + 1 + k] : '\n';
        if (after == ' ' || after == '>' || after == '/' || after == '\t' || after == '\r' ||
            after == '\n') {
            int l, col;
            rg_utf8_position(s, i, &l, &col);
            return col;
        }
    }
    return 0;
}

/* Column of `name=` or `name="value"` on `line`. */

static int column_of_attr(const load_ctx *lc, int line, const char *name, const char *value)
{
    rg_buf b = {0};
    rg_buf_printf(&b, value ? "%s=\"%s\"" : "%s=", name, value);
    int col = column_of(lc, line, b.data);
    rg_buf_fini(&b);
    return col;
}

/* The column a schema message is about: its attribute, else its element. */
static int schema_error_column(const load_ctx *lc, const xmlError *e)
{
    const char *msg = e->message ? e->message : "";
    char name[128];
    const char *a = strstr(msg, ", attribute '");
    const char *el = strncmp(msg, "Element '", 9) == 0 ? msg + 9 : NULL;
    const char *from = a ? a + 13 : el;
    if (!from)
        return 0;
    size_t n = strcspn(from, "'");
    if (n == 0 || n >= sizeof name)
        return 0;
    memcpy(name, from, n);
    name[n] = '\0';
    return a ? column_of_attr(lc, e->line, name, NULL) : column_of_tag(lc, e->line, name);
}

static void diag_from_xml_error(load_ctx *lc, const xmlError *e)
{
    if (e->level == XML_ERR_WARNING)
        return;
    size_t n = e->message ? strlen(e->message) : 0;
    while (n && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
        n--;
    int col = e->domain == XML_FROM_PARSER ? e->int2 : schema_error_column(lc, e);
    rg_diag_add(lc->diags, RG_ERROR, lc->path, e->line, col, "%.*s", (int)n,
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
static int count_elements(const xmlNode *n, size_t *count)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (++*count > MODEL_MAX_ELEMENTS)
            return n->line ? n->line : 1;
        int at = count_elements(n->children, count);
        if (at)
            return at;
    }
    return 0;
}

/* libxml2 names a failed pattern; a clerk needs to know what to write. */
static const struct {
    const char *pattern, *hint;
} pattern_hints[] = {
    {"'-?[0-9]+(\\.[0-9]+)?'", "is not a number: write digits with an optional minus sign and "
                               "decimal point, e.g. 124.2 (no units, exponents or separators)"},
    {"'[0-9]+'", "is not a count: write a whole number, 0 or more"},
    {"'[12][0-9]{3}'", "is not a year: write four digits, e.g. 2023"},
    {"'[a-z][a-z0-9]*(-[a-z0-9]+)*'", "is not an id: write lower-case letters, digits and "
                                      "hyphens, e.g. infra-investment"},
};

static void on_schema_error(void *user, xmlErrorPtr e)
{
    load_ctx *lc = user;
    const char *msg = e->message ? e->message : "";
    /* libxml2 follows a pattern failure with a second, vaguer message. */
    if (strstr(msg, "is not a valid value of the atomic type") && lc->diags->count &&
        lc->diags->items[lc->diags->count - 1].line == e->line)
        return;
    const char *facet = strstr(msg, "[facet 'pattern'] The value '");
    const char *accepted = facet ? strstr(facet, "' is not accepted by the pattern ") : NULL;
    if (accepted) {
        const char *pattern = accepted + strlen("' is not accepted by the pattern ");
        for (size_t i = 0; i < sizeof pattern_hints / sizeof *pattern_hints; i++) {
            if (strncmp(pattern, pattern_hints[i].pattern, strlen(pattern_hints[i].pattern)) != 0)
                continue;
            const char *value = facet + strlen("[facet 'pattern'] The value ");
            rg_diag_add(lc->diags, RG_ERROR, lc->path, e->line, schema_error_column(lc, e), "%.*s%.*s %s",
                        (int)(facet - msg), msg, (int)(accepted + 1 - value), value,
                        pattern_hints[i].hint);
            return;
        }
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

/* Reads the whole file; NULL with an error on failure. */
static char *read_file(load_ctx *lc, size_t *len)
{
    rg_buf b = {0};
    if (rg_read_file(lc->path, MODEL_MAX_FILE_BYTES, &b) != 0) {
        int why = errno;
        if (why == EFBIG)
            rg_diag_add(lc->diags, RG_ERROR, lc->path, 0, 0,
                        "the input is larger than %d MiB; split it into one file per report",
                        MODEL_MAX_FILE_BYTES / (1024 * 1024));
        else if (why == EINVAL)
            rg_diag_add(lc->diags, RG_ERROR, lc->path, 0, 0,
                        "the input is not a regular file; give the path of an .xml file");
        else
            rg_diag_add(lc->diags, RG_ERROR, lc->path, 0, 0, "cannot open the input: %s",
                        strerror(why));
        rg_buf_fini(&b);
        return NULL;
    }
    *len = b.len;
    return rg_buf_take(&b);
}

static int check_encoding(load_ctx *lc, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0) {
        rg_diag_add(lc->diags, RG_ERROR, lc->path, 0, 0,
                    "the input is empty; it should hold a <report> element");
        return -1;
    }
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        rg_diag_add(lc->diags, RG_ERROR, lc->path, 1, 1,
                    "the input is UTF-16; save it as UTF-8");
        return -1;
    }
    /* One pass: every code point decoded once, its position kept as we go. */
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        if (u[i] >= ' ' && u[i] < 0x80) { /* most of the bytes: markup */
            col++, i++;
            continue;
        }
        uint32_t cp;
        size_t k = rg_utf8_decode(s + i, len - i, &cp);
        if (k == 0) {
            rg_diag_add(lc->diags, RG_ERROR, lc->path, line, col,
                        "invalid UTF-8 (byte 0x%02X); save the file as UTF-8", u[i]);
            return -1;
        }
        if (cp == 0) {
            rg_diag_add(lc->diags, RG_ERROR, lc->path, line, col, "NUL byte in the input");
            return -1;
        }
        if (cp == '\n')
            line++, col = 1;
        else
            col++;
        i += k;
    }
    return 0;
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

/* The encoding named in the XML declaration must be UTF-8 (we read the bytes
 * as UTF-8; a declaration saying otherwise is a lie or a conversion left undone). */
static int check_declared_encoding(load_ctx *lc, const char *s, size_t len)
{
    if (len < 5 || memcmp(s, "<?xml", 5) != 0)
        return 0;
    const char *end = memchr(s, '>', len);
    if (!end)
        return 0;
    rg_buf decl = {0};
    rg_buf_append(&decl, s, (size_t)(end - s));
    const char *enc = strstr(decl.data, "encoding");
    int rc = 0;
    if (enc) {
        const char *q = strpbrk(enc, "\"'");
        if (q) {
            const char *close = strchr(q + 1, *q);
            size_t n = close ? (size_t)(close - q - 1) : 0;
            if (!(n == 5 && strncasecmp(q + 1, "UTF-8", 5) == 0) &&
                !(n == 4 && strncasecmp(q + 1, "UTF8", 4) == 0)) {
                rg_diag_add(lc->diags, RG_ERROR, lc->path, 1, (int)(q - decl.data) + 2,
                            "the XML declaration says encoding \"%.*s\"; parkreport reads UTF-8 "
                            "only: convert the file to UTF-8 and declare encoding=\"UTF-8\"",
                            (int)n, q + 1);
                rc = -1;
            }
        }
    }
    rg_buf_fini(&decl);
    return rc;
}

/* --- walking the validated tree -------------------------------------- */

static bool is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

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

static int line_of(const xmlNode *n)
{
    return (int)xmlGetLineNo(n);
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

static model_figure *add_figure(load_ctx *lc, const xmlNode *n, const char *id, const char *name,
                                const char *unit)
{
    char *own_unit = attr(n, "unit");
    model_figure *f = new_figure(lc, id, name, own_unit ? own_unit : unit, line_of(n));
    free(own_unit);
    f->col = column_of_tag(lc, f->line, (const char *)n->name);
    f->ref = attr(n, "ref");
    f->text = text_of(n);
    if (f->ref) {
        if (f->text[strspn(f->text, " \t\r\n")] != '\0')
            rg_diag_add(lc->diags, RG_ERROR, lc->path, f->line, f->col,
                        "<%s> has both a number and ref=\"%s\"; keep one", (const char *)n->name,
                        f->ref);
        return f;
    }
    if (rg_dec_parse(f->text, &f->value) != 0)
        rg_diag_add(lc->diags, RG_ERROR, lc->path, f->line, f->col,
                    "<%s> of %s: \"%s\" is not a number as parkreport reads them (digits, an "
                    "optional minus and decimal point, at most %d digits)",
                    (const char *)n->name, id, f->text, RG_DEC_MAX_DIGITS);
    else if (f->text[0] == '-' && f->value.coef == 0)
        rg_diag_add(lc->diags, RG_ERROR, lc->path, f->line, f->col,
                    "<%s> of %s: \"%s\" is minus zero; write 0", (const char *)n->name, id,
                    f->text);
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
    [MODEL_PLAN] = "plan",
};

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
        ind->name = attr(n, "name");
        ind->unit = attr(n, "unit");
        ind->line = line_of(n);
        for (int s = 0; s < MODEL_SLOT_COUNT; s++) {
            bool growth = s == MODEL_ACTUAL_GROWTH || s == MODEL_FORECAST_GROWTH;
            ind->slot[s] = opt_figure(lc, n, slot_element[s], ind->id, ind->name,
                                      growth ? "%" : ind->unit);
        }
        const xmlNode *plan = child(n, "plan");
        if (plan) {
            ind->plan_name = attr(plan, "name");
            char *bound = attr(plan, "bound");
            if (bound && strcmp(bound, "at-least") == 0)
                ind->plan_bound = MODEL_BOUND_AT_LEAST;
            else if (bound && strcmp(bound, "at-most") == 0)
                ind->plan_bound = MODEL_BOUND_AT_MOST;
            free(bound);
        }
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
        s->name = attr(n, "name");
        s->line = line_of(n);
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
    p->activities = opt_figure(lc, n, "activities", "promotion", "招商活动", "次");
    p->projects = opt_figure(lc, n, "projects", "promotion", "招引项目", "个");
    p->amount = opt_figure(lc, n, "amount", "promotion", "招引项目总投资", "亿元");
    p->large_projects = opt_figure(lc, n, "large-projects", "promotion", "大项目", "个");
    const xmlNode *large = child(n, "large-projects");
    if (large) {
        /* The threshold is an attribute; give it a figure of its own. */
        model_figure *f = add_figure(lc, large, "promotion.large-projects.threshold",
                                     "大项目投资门槛", "亿元");
        free(f->text);
        f->text = attr(large, "threshold");
        if (rg_dec_parse(f->text, &f->value) != 0)
            rg_diag_add(lc->diags, RG_ERROR, lc->path, f->line,
                        column_of_attr(lc, f->line, "threshold", NULL), "threshold \"%s\" is not a number", f->text);
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
        cat->name = attr(c, "name");
        cat->line = line_of(c);
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
        char *id = attr(n, "id"), *name = attr(n, "name"), *unit = attr(n, "unit");
        model_figure *f = add_figure(lc, n, id, name, unit);
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
        g->status = attr(n, "status");
        g->partial = attr_true(n, "partial");
        g->line = line_of(n);
        char *prefix = join_id("groups", g->id, NULL);
        g->count = opt_figure(lc, n, "count", prefix, g->status, "个");
        free(prefix);
        g->nitems = count_children(n, "item");
        g->items = xcalloc(g->nitems, sizeof *g->items);
        size_t k = 0;
        for (const xmlNode *it = n->children; it; it = it->next)
            if (is_el(it, "item"))
                g->items[k++] = text_of(it);
    }
}

static int figure_cmp(const void *a, const void *b)
{
    const model_figure *x = *(const model_figure *const *)a, *y = *(const model_figure *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Sorts the figures, rejects duplicate ids, resolves ref="…" and checks same-as. */
static void link_figures(load_ctx *lc)
{
    model *m = lc->m;
    qsort(m->figures, m->nfigures, sizeof *m->figures, figure_cmp);
    for (size_t i = 1; i < m->nfigures; i++)
        if (strcmp(m->figures[i - 1]->id, m->figures[i]->id) == 0)
            rg_diag_add(lc->diags, RG_ERROR, lc->path, m->figures[i]->line, m->figures[i]->col,
                        "the figure id \"%s\" is used twice (also on line %d); ids must be unique",
                        m->figures[i]->id, m->figures[i - 1]->line);
    for (size_t i = 0; i < m->nfigures; i++) {
        model_figure *f = m->figures[i];
        if (f->same_as && !model_figure_find(m, f->same_as))
            rg_diag_add(lc->diags, RG_ERROR, lc->path, f->line,
                        column_of_attr(lc, f->line, "same-as", f->same_as), "same-as=\"%s\": no figure has that id", f->same_as);
        if (!f->ref)
            continue;
        const model_figure *t = model_figure_find(m, f->ref);
        if (!t) {
            rg_diag_add(lc->diags, RG_ERROR, lc->path, f->line,
                        column_of_attr(lc, f->line, "ref", f->ref),
                        "ref=\"%s\": no figure has that id", f->ref);
            continue;
        }
        if (t->ref) {
            rg_diag_add(lc->diags, RG_ERROR, lc->path, f->line,
                        column_of_attr(lc, f->line, "ref", f->ref), "ref=\"%s\" points to a figure that is itself a reference (line %d); "
                        "point to the figure that holds the number",
                        f->ref, t->line);
            continue;
        }
        free(f->text);
        f->text = xstrdup(t->text);
        f->value = t->value;
    }
}

/* Removes line breaks and the indentation around them: Chinese prose has no
 * spaces between words, so a wrapped line in the file must not add one. */
static char *clean_prose(const char *s)
{
    rg_buf b = {0};
    rg_buf_append(&b, "", 0);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t ws = strspn(s + i, " \t\r\n");
        if (ws == 0) {
            rg_buf_putc(&b, s[i++]);
            continue;
        }
        if (memchr(s + i, '\n', ws) == NULL)
            rg_buf_append(&b, s + i, ws);
        i += ws;
    }
    return rg_buf_take(&b);
}

/* Ids of the things in one list must differ (figures are checked by
 * link_figures; this catches things that carry no figure). */
static void check_unique(load_ctx *lc, const char *what, const char *const *ids,
                         const int *lines, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(ids[i], ids[k]) == 0) {
                rg_buf needle = {0};
                rg_buf_printf(&needle, "id=\"%s\"", ids[i]);
                int col = column_of_nth(lc, lines[i], needle.data, lines[k] == lines[i]);
                rg_buf_fini(&needle);
                rg_diag_add(lc->diags, RG_ERROR, lc->path, lines[i], col, "two %s have the id \"%s\" (also on line %d); ids must be unique",
                            what, ids[i], lines[k]);
                break;
            }
}

#define CHECK_UNIQUE(lc, what, arr, n)                                                           \
    do {                                                                                         \
        const char **ids_ = xcalloc((n), sizeof *ids_);                                          \
        int *lines_ = xcalloc((n), sizeof *lines_);                                              \
        for (size_t i_ = 0; i_ < (n); i_++)                                                      \
            ids_[i_] = (arr)[i_].id, lines_[i_] = (arr)[i_].line;                                \
        check_unique(lc, what, ids_, lines_, n);                                                 \
        free(ids_);                                                                              \
        free(lines_);                                                                            \
    } while (0)

static const model_group *find_group(const model *m, const char *ref)
{
    if (strncmp(ref, "groups.", 7) != 0)
        return NULL;
    for (size_t i = 0; i < m->ngroups; i++)
        if (strcmp(m->groups[i].id, ref + 7) == 0)
            return &m->groups[i];
    return NULL;
}

static void load_paragraph(load_ctx *lc, const xmlNode *n, model_paragraph *p)
{
    p->line = line_of(n);
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        k++;
    p->parts = xcalloc(k, sizeof *p->parts);
    for (const xmlNode *c = n->children; c; c = c->next) {
        model_inline *part = &p->parts[p->nparts];
        if (c->type == XML_TEXT_NODE) {
            part->kind = MODEL_INLINE_TEXT;
            part->text = clean_prose((const char *)c->content);
            p->nparts++;
        } else if (is_el(c, "v") || is_el(c, "list")) {
            char *ref = attr(c, "ref");
            if (is_el(c, "v")) {
                part->kind = MODEL_INLINE_FIGURE;
                part->figure = model_figure_find(lc->m, ref);
                part->bare = attr_true(c, "bare");
                if (!part->figure)
                    rg_diag_add(lc->diags, RG_ERROR, lc->path, line_of(c),
                                column_of_attr(lc, line_of(c), "ref", ref), "<v ref=\"%s\">: no figure has that id; declare it under "
                                "<indicators>, <sectors>, <promotion>, <figures> or <groups>",
                                ref);
            } else {
                part->kind = MODEL_INLINE_LIST;
                part->group = find_group(lc->m, ref);
                if (!part->group)
                    rg_diag_add(lc->diags, RG_ERROR, lc->path, line_of(c),
                                column_of_attr(lc, line_of(c), "ref", ref), "<list ref=\"%s\">: no group has that id (write groups.ID)", ref);
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
        s->title = attr(c, "title");
        s->line = line_of(c);
        if (depth > MODEL_MAX_SECTION_DEPTH) {
            rg_diag_add(lc->diags, RG_ERROR, lc->path, s->line,
                        column_of_tag(lc, s->line, "section"), "sections nested too deeply (the limit is %d levels: 一、（一）1.（1）)",
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
    char *year = attr(root, "year"), *plan_year = attr(root, "plan-year");
    m->year = atoi(year);
    m->plan_year = atoi(plan_year);
    free(year), free(plan_year);
    m->period = attr(root, "period");
    /* The years are figures too, so prose can say <v ref="year"/>. */
    char *years[2] = {attr(root, "year"), attr(root, "plan-year")};
    const char *year_ids[2] = {"year", "plan-year"};
    for (int i = 0; i < 2; i++) {
        model_figure *f = new_figure(lc, year_ids[i], i ? "计划年份" : "年份", "年", line_of(root));
        f->text = years[i];
        rg_dec_parse(f->text, &f->value);
    }
    m->date = attr(root, "date");
    m->park = text_of(child(root, "park"));
    if (child(root, "title"))
        m->title = text_of(child(root, "title"));
    if (child(root, "author"))
        m->author = text_of(child(root, "author"));
    if (m->plan_year != m->year + 1)
        rg_diag_add(lc->diags, RG_ERROR, lc->path, line_of(root),
                    column_of_attr(lc, line_of(root), "plan-year", NULL), "plan-year=\"%d\" should be the year after year=\"%d\"", m->plan_year,
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
    CHECK_UNIQUE(lc, "indicators", m->indicators, m->nindicators);
    CHECK_UNIQUE(lc, "sectors", m->sectors, m->nsectors);
    CHECK_UNIQUE(lc, "categories", m->promotion.categories, m->promotion.ncategories);
    CHECK_UNIQUE(lc, "groups", m->groups, m->ngroups);
    link_figures(lc);

    const xmlNode *narrative = child(root, "narrative");
    if (child(narrative, "intro"))
        load_paragraphs(lc, child(narrative, "intro"), &m->intro, &m->nintro);
    load_sections(lc, narrative, &m->sections, &m->nsections, 1);
}

model *model_load(model_loader *ld, const char *path, rg_diags *diags)
{
    load_ctx lc = {.path = path, .diags = diags};
    size_t len = 0;
    char *bytes = read_file(&lc, &len);
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
    if (check_encoding(&lc, bytes, len) == 0 && check_declared_encoding(&lc, bytes, len) == 0)
        doc = parse(&lc, bytes, len);
    if (!doc) {
        free(bytes);
        return NULL;
    }
    lc.src = bytes;
    lc.len = len;
    /* Where each line starts, found once: messages and figures ask for
     * columns on lines all through the file. */
    size_t cap = 0;
    for (size_t at = 0;;) {
        void *arr = lc.line_start;
        xgrow(&arr, &cap, lc.nlines + 1, sizeof *lc.line_start);
        lc.line_start = arr;
        lc.line_start[lc.nlines++] = at;
        const char *nl = memchr(bytes + at, '\n', len - at);
        if (!nl)
            break;
        at = (size_t)(nl - bytes) + 1;
    }
    size_t elements = 0;
    int too_many = count_elements(xmlDocGetRootElement(doc), &elements);
    if (too_many) {
        rg_diag_add(diags, RG_ERROR, path, too_many, 0,
                    "more than %d elements: a report holds fewer; split the input",
                    MODEL_MAX_ELEMENTS);
        xmlFreeDoc(doc);
        free(bytes);
        free(lc.line_start);
        return NULL;
    }

    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(ld->schema);
    if (!vc) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot create a schema validator");
        xmlFreeDoc(doc);
        free(bytes);
        free(lc.line_start);
        return NULL;
    }
    xmlSchemaSetValidStructuredErrors(vc, on_schema_error, &lc);
    int rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    if (rc != 0) {
        if (diags->errors == errors_at_start)
            rg_diag_add(diags, RG_ERROR, path, 0, 0, "the input does not match the schema");
        xmlFreeDoc(doc);
        free(bytes);
        free(lc.line_start);
        return NULL;
    }

    lc.m = xcalloc(1, sizeof *lc.m);
    lc.m->file = xstrdup(path);
    load_report(&lc, xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    free(bytes);
    free(lc.line_start);
    if (diags->errors > errors_at_start) {
        model_free(lc.m);
        return NULL;
    }
    return lc.m;
}
