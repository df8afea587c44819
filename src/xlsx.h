/* xlsx.h - the workbook of targets against actuals; the only user of
 * libxlsxwriter.
 *
 * Pipeline: model -> workbook. Sheets (docs/workbook.md): this year's
 * targets against actuals, next year's plan, sectors, investment promotion,
 * the named projects, and two chart sheets. Numbers are written as the model
 * holds them with a number format of their written precision; derived cells
 * are live formulas whose cached value is computed by the model, so clients
 * that never recalculate show the right number.
 *
 * xlsx_write writes `path` (the caller's temporary name) and then checks the
 * file, since libxlsxwriter can report success for a damaged one. Returns 0,
 * or -1 with an error in diags.
 */
#ifndef RG_XLSX_H
#define RG_XLSX_H

#include <time.h>

#include "model.h"

int xlsx_write(const model *m, const char *path, const char *tmpdir, time_t created,
               rg_diags *diags);

/* Checks that `path` is a complete zip whose every member is non-empty.
 * Returns 0, or -1 with an error in diags. */
int xlsx_verify(const char *path, rg_diags *diags);

#endif
