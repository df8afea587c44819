/* model_xml_impl.h - inside the loader (model_xml.c parses and checks the
 * input with libxml2, model_xml_tree.c walks the checked tree into the
 * model): the one place libxml2's headers are included, and what the two
 * share. Not for use outside the loader. */
#ifndef RG_MODEL_XML_IMPL_H
#define RG_MODEL_XML_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "model.h"
#include "model_input.h"

/* Generated from schema/parkreport.xsd by the Makefile. */
extern const char parkreport_xsd[];
extern const size_t parkreport_xsd_len;

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
    size_t expanded;      /* bytes the narrative's <list>s write out, bounded */
    bool expansion_told;
} load_ctx;

/* Where element n (or its attribute `name`) is in the input. */
int mx_line_of(const load_ctx *lc, const xmlNode *n);
int mx_col_of(const load_ctx *lc, const xmlNode *n);
void mx_attr_pos(const load_ctx *lc, const xmlNode *n, const char *name, int *line, int *col);
/* An error about element n (attr_name NULL) or one of its attributes. */
void mx_node_error(load_ctx *lc, const xmlNode *n, const char *attr_name, const char *fmt, ...)
    RG_PRINTF(4, 5);
bool mx_is_el(const xmlNode *n, const char *name);
/* Attribute value, newly allocated, or NULL when absent. */
char *mx_attr(const xmlNode *n, const char *name);
/* Builds lc->m from the validated tree at root; errors go to lc->diags. */
void mx_load_report(load_ctx *lc, const xmlNode *root);

#endif
