/* xlsx.h - the workbook of targets against actuals; the only user of
 * libxlsxwriter.
 *
 * Pipeline: model -> workbook. Sheets (docs/workbook.md): this year's
 * targets against actuals, next year's plan, sectors, investment promotion,
 * the named projects, and two chart sheets. Numbers are written as the model
 * holds them with a number format of their written precision; derived cells
 * are live formulas whose cached value is computed by the model, so clients
 * that never recalculate show the right number. Text from the input is only
 * ever a string: never a formula, a reference or a page-header code.
 */
#ifndef RG_XLSX_H
#define RG_XLSX_H

#include <time.h>

#include "model.h"

/* Writes the workbook of `m` to `path` (a temporary file of the caller's,
 * which it overwrites; /proc/self/fd/N names one by its descriptor), with
 * libxlsxwriter's scratch files in /dev/shm when it has room to spare, else
 * in the folder of `name` ($TMPDIR is not used), and
 * then checks the file, since libxlsxwriter can report success
 * for a damaged one. Messages call the file `name` (the output it will
 * become); a folder that is full is named. Nothing is printed: while the
 * file is assembled the process's stderr is pointed at /dev/null, as
 * libxlsxwriter prints its own lines on failure, so one process writes one
 * workbook at a time. Returns 0, or -1 with an error in diags. */
int xlsx_write(const model *m, const char *path, const char *name, time_t created,
               rg_diags *diags);

/* Checks that `path` is a complete zip whose every member is non-empty.
 * Returns 0, or -1 with an error about `name` in diags. */
int xlsx_verify(const char *path, const char *name, rg_diags *diags);

#endif
