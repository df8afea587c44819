/* model_input.h - an input's bytes, read and checked before the XML parser
 * sees them (model_xml.c): bounded, regular, UTF-8, no control characters,
 * no other declared encoding. Each function adds an error with the file's
 * line and column to diags when it refuses. */
#ifndef RG_MODEL_INPUT_H
#define RG_MODEL_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The whole file at path (a regular file of at most MODEL_MAX_FILE_BYTES),
 * owned by the caller; NULL with an error. */
char *model_input_read(const char *path, size_t *len, rg_diags *diags);
/* 0 when s is UTF-8 holding no NUL and no control character (rg_is_control)
 * but the tab and line breaks, written as itself or as a character
 * reference; -1 with an error at the first that is not. */
int model_input_check_bytes(const char *path, const char *s, size_t len, rg_diags *diags);
/* 0 unless the XML declaration names an encoding other than UTF-8. */
int model_input_check_declaration(const char *path, const char *s, size_t len, rg_diags *diags);

/* A schema message (libxml2's words) said so that a clerk can act on it: a
 * failed pattern or type names what to write. False when there are no
 * better words for it. */
bool model_input_explain(const char *msg, rg_buf *out);

/* An element before another in its parent, by name and line. */
typedef struct model_sibling {
    const char *name;
    int line;
} model_sibling;

/* "This element is not expected" (libxml2) said as what to do: an element
 * out of order names the one it goes before, a second one where one is
 * allowed is said so, an unknown one gets the nearest name. `order` is the
 * parent's children in the schema's order ("<a>, <b>, …"); `before` the
 * elements before it. False when there are no better words for it. */
bool model_input_explain_unexpected(const char *name, const char *parent, const char *order,
                                    const model_sibling *before, size_t nbefore, rg_buf *out);

/* Where a start tag is in the input: libxml2 keeps only a line per element,
 * and messages and figures need columns. */
typedef struct model_tag_pos {
    size_t at; /* byte offset of its '<' */
    int line, col;
} model_tag_pos;

/* Every start tag of s and its line and column, in document order, in one
 * pass (a comment, a processing instruction or a CDATA section may hold a
 * '<', an attribute value may not); *tags owned by the caller. */
void model_input_tags(const char *s, size_t len, model_tag_pos **tags, size_t *ntags);
/* Line and column of attribute `name` within the start tag at *t (left at
 * the tag's when the attribute is not written there). */
void model_input_attr_pos(const char *s, size_t len, const model_tag_pos *t, const char *name,
                          int *line, int *col);
/* A name printed on one line: a run of blanks holding a line break or a tab
 * becomes one space, blanks at either end go. Works in place; returns s. */
char *model_input_one_line(char *s);
/* Prose with its line breaks and the indentation around them removed (no
 * space added: Chinese has none between words); owned by the caller. */
char *model_input_clean_prose(const char *s);

#endif
