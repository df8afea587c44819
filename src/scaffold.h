/* scaffold.h - next year's input, made from this year's (--scaffold).
 *
 * The scaffold is an input file to be saved beside the one it was made from
 * and filled in: the same park and period; year and plan-year one later;
 * previous="…" naming the file it was made from by its base name; the same
 * indicators, sectors, promotion categories and groups, with their ids and
 * names; last year's plans written as this year's targets, with their
 * bounds; every figure to be filled written 待填, which the loader warns
 * about ("to fill", with its line and column) and leaves out, so that a
 * half-filled file can be checked and previewed; the narrative's sections,
 * their titles' years moved on by one, an empty paragraph for each of theirs.
 * Everything taken from the model is written XML-escaped.
 */
#ifndef RG_SCAFFOLD_H
#define RG_SCAFFOLD_H

#include "model.h"

/* Appends to out the scaffold of the year after m; previous_name is what its
 * previous="…" says (the base name of m's file). */
void scaffold_write(const model *m, const char *previous_name, rg_buf *out);

#endif
