/* xlsx_file.h - inside the workbook writer (xlsx_lxw.c): what needs no
 * libxlsxwriter — the page header's text, cell names, widths and words,
 * where scratch files go, why a write failed, and the finished file
 * checked. */
#ifndef RG_XLSX_FILE_H
#define RG_XLSX_FILE_H

#include <stdbool.h>

#include "model.h"
#include "util.h"

/* Excel's limits; libxlsxwriter refuses longer strings with a bare code. */
#define XLSX_MAX_STRING 32767
#define XLSX_MAX_HEADER 255

/* "&L" park "&R" title, escaped (& doubled, & before G or [Picture] as ＆)
 * and within Excel's 255 characters, a side too long cut with "…". */
void xlsx_page_header(const char *park, const char *title, rg_buf *out);
/* The folder of `path`, owned by the caller. */
char *xlsx_folder_of(const char *path);
/* Whether `folder` has less than a megabyte free. */
bool xlsx_nearly_full(const char *folder);
/* Where libxlsxwriter's scratch files go: /dev/shm when it has room to
 * spare, else `folder`. */
const char *xlsx_scratch_folder(const char *folder);
/* One error for a failed write of `name` into `folder` (scratch files in
 * `scratch`): a full folder named, a file-size limit said, else `what`. */
void xlsx_tell_write_failure(const char *name, const char *folder, const char *scratch, int err,
                             const char *what, rg_diags *diags);

/* Column width in Excel's units: a hanzi takes two, other characters one. */
double xlsx_text_width(const char *s, size_t *chars);
/* Digits of v without its trailing zeros: those a double and Excel must keep. */
int xlsx_significant_digits(rg_dec v);
/* A cell's A1 name (row and col from 0) into out, n bytes at most. */
void xlsx_cell_name(int row, int col, char *out, size_t n);
/* The words of a bound (不低于, 不高于) and of a sector's role (主导产业…),
 * as the sheets write them; "" for none. */
const char *xlsx_bound_text(model_bound bound);
const char *xlsx_role_text(model_role role);

#endif
