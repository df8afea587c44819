/* model_input.h - an input's bytes, read and checked before the XML parser
 * sees them (model_xml.c): bounded, regular, UTF-8, no control characters,
 * no other declared encoding. Each function adds an error with the file's
 * line and column to diags when it refuses. */
#ifndef RG_MODEL_INPUT_H
#define RG_MODEL_INPUT_H

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

#endif
