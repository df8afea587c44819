/* model_xml.c - builds the model from an XML file; with model_xml_tree.c,
 * the only user of libxml2 (model_xml_impl.h).
 *
 * The file is read whole (up to MODEL_MAX_FILE_BYTES), checked for UTF-8
 * before the parser sees it, parsed without network, DTD loading or entity
 * substitution, refused outright if it has a DOCTYPE (no entity can then be
 * declared: no XXE, no billion laughs), validated against the embedded schema,
 * and walked into the typed model (model_xml_tree.c). */
#include "model_xml_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct model_loader {
    xmlSchemaPtr schema;
};

/* The start tag of element n, or NULL when it is not known. */
static const model_tag_pos *tag_of(const load_ctx *lc, const xmlNode *n)
{
    uintptr_t k = n && n->type == XML_ELEMENT_NODE ? (uintptr_t)n->_private : 0;
    return lc->tags_match && k >= 1 && k <= lc->ntags ? &lc->tags[k - 1] : NULL;
}

int mx_line_of(const load_ctx *lc, const xmlNode *n)
{
    const model_tag_pos *t = tag_of(lc, n);
    return t ? t->line : (int)xmlGetLineNo(n);
}

int mx_col_of(const load_ctx *lc, const xmlNode *n)
{
    const model_tag_pos *t = tag_of(lc, n);
    return t ? t->col : 0;
}

/* Line and column of attribute `name` of element n (of the element itself
 * when the attribute is not written there). */
void mx_attr_pos(const load_ctx *lc, const xmlNode *n, const char *name, int *line, int *col)
{
    const model_tag_pos *t = tag_of(lc, n);
    *line = t ? t->line : n ? (int)xmlGetLineNo(n) : 0;
    *col = t ? t->col : 0;
    if (t)
        model_input_attr_pos(lc->src, lc->len, t, name, line, col);
}

/* An error about element n (attr NULL) or one of its attributes. */
void mx_node_error(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *fmt, ...)
{
    int line = mx_line_of(lc, n), col = mx_col_of(lc, n);
    if (attr_name)
        mx_attr_pos(lc, n, attr_name, &line, &col);
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
        mx_attr_pos(lc, n->parent, (const char *)n->name, line, col);
        return;
    }
    const char *msg = e->message ? e->message : "";
    const char *a = strstr(msg, ", attribute '");
    if (a) {
        a += strlen(", attribute '");
        char *name = xstrndup(a, strcspn(a, "'"));
        mx_attr_pos(lc, n, name, line, col);
        free(name);
    } else if (tag_of(lc, n)) {
        *line = mx_line_of(lc, n);
        *col = mx_col_of(lc, n);
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
    /* libxml2's own limit on one text (10,000,000 bytes), said in words. */
    if (e->message && (strstr(e->message, "Huge input lookup") || strstr(e->message, "huge text")))
        rg_diag_add(lc->diags, RG_ERROR, lc->path, line, col,
                    "a text of more than 10 MB in one element; split it into several "
                    "paragraphs (<p>)");
    else
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

bool mx_is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Attribute value, newly allocated, or NULL when absent. */
char *mx_attr(const xmlNode *n, const char *name)
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
        if (mx_is_el(c, "sequence"))
            return c;
        if (mx_is_el(c, "complexType")) {
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
        char *v = mx_is_el(n, kind) ? mx_attr(n, "name") : NULL;
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
    char *type = decl && !seq ? mx_attr(decl, "type") : NULL;
    if (type) {
        const xmlNode *ct = xs_find(root->children, "complexType", type);
        seq = ct ? xs_sequence(ct) : NULL;
        free(type);
    }
    bool any = false;
    for (const xmlNode *c = seq ? seq->children : NULL; c; c = c->next) {
        char *name = mx_is_el(c, "element") ? mx_attr(c, "name") : NULL;
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
        before[k++] = (model_sibling){(const char *)p->name, mx_line_of(lc, p)};
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

/* Every xs:attribute name under n, into names. */
static void schema_attributes(const xmlNode *n, char ***names, size_t *count, size_t *cap)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        char *name = mx_is_el(n, "attribute") ? mx_attr(n, "name") : NULL;
        if (name) {
            void *arr = *names;
            xgrow(&arr, cap, *count + 1, sizeof **names);
            *names = arr;
            (*names)[(*count)++] = name;
        }
        if (!mx_is_el(n, "element")) /* not those of nested elements */
            schema_attributes(n->children, names, count, cap);
    }
}

/* "The attribute 'untit' is not allowed": the attributes the element takes,
 * read from the built-in schema, and the one it most likely meant. */
static bool explain_attribute(load_ctx *lc, const xmlError *e, int line, int col)
{
    const xmlNode *n = e->node;
    const char *msg = e->message, *a = strstr(msg, "The attribute '");
    if (!n || n->type != XML_ELEMENT_NODE || !a)
        return false;
    a += strlen("The attribute '");
    const char *end = strchr(a, '\'');
    if (!end)
        return false;
    char *wrong = xstrndup(a, (size_t)(end - a));
    xmlDocPtr xsd = xmlReadMemory(parkreport_xsd, (int)parkreport_xsd_len, "parkreport.xsd", NULL,
                                  XML_PARSE_NONET);
    const xmlNode *root = xsd ? xmlDocGetRootElement(xsd) : NULL;
    const xmlNode *decl = root ? xs_find(root->children, "element", (const char *)n->name) : NULL;
    char **names = NULL;
    size_t count = 0, cap = 0;
    if (decl) {
        schema_attributes(decl->children, &names, &count, &cap);
        char *type = mx_attr(decl, "type");
        const xmlNode *ct = type ? xs_find(root->children, "complexType", type) : NULL;
        if (ct)
            schema_attributes(ct->children, &names, &count, &cap);
        free(type);
    }
    rg_buf said = {0};
    for (size_t i = 0; i < count; i++)
        rg_buf_printf(&said, "%s%s", i ? ", " : "", names[i]);
    const char *near = rg_nearest(wrong, (const char *const *)names, count, 2);
    if (count)
        rg_diag_add(lc->diags, RG_ERROR, lc->path, line, col,
                    "<%s> takes no attribute \"%s\"%s%s%s (it takes %s)", (const char *)n->name,
                    wrong, near ? "; did you mean " : "", near ? near : "", near ? "?" : "",
                    said.data);
    rg_buf_fini(&said);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(wrong);
    xmlFreeDoc(xsd);
    return count > 0;
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
    if (strstr(msg, "is not allowed") && explain_attribute(lc, e, line, col))
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
        mx_load_report(&lc, xmlDocGetRootElement(doc));
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
