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
 * xlsx_write writes `path` (a scratch or temporary file of the caller's) and
 * then checks the file, since libxlsxwriter can report success for a damaged
 * one. Its messages call the file `name` (the output it will become).
 * Returns 0, or -1 with an error in diags.
 */
#ifndef RG_XLSX_H
#define RG_XLSX_H

#include <stdio.h>
#include <time.h>

#include "model.h"

/* libxlsxwriter, loaded by the program when it writes its first workbook
 * rather than linked: with minizip and libcrypto (which it uses for MD5)
 * it took 2.8 ms of every run's start, before the input was read. Loaded
 * on a thread of its own while the input is read, that time is off the
 * report's path. Open once per run; may be used by several threads. */
#define XLSX_LIB_NAME "libxlsxwriter.so.4"
typedef struct xlsx_lib xlsx_lib;

/* NULL with an error when the library cannot be loaded. */
xlsx_lib *xlsx_lib_open(rg_diags *diags);
void xlsx_lib_close(xlsx_lib *lx);

int xlsx_write(const xlsx_lib *lx, const model *m, const char *path, const char *name,
               const char *tmpdir, time_t created, rg_diags *diags);

/* libxlsxwriter's own function, defined by the program in its place: a
 * stream in memory that can be written, sought and read back, for the
 * library's scratch copy of each part. NULL when none can be made. */
FILE *lxw_tmpfile(char *tmpdir);

/* Checks that `path` is a complete zip whose every member is non-empty.
 * Returns 0, or -1 with an error about `name` in diags. */
int xlsx_verify(const char *path, const char *name, rg_diags *diags);

#endif
