/* report.h - one report, from its input file to its files in place.
 *
 * report_run takes one input through the whole pipeline: XML -> model ->
 * template -> document -> layout -> PDF, and model -> workbook; writes the
 * PDF and the workbook under temporary names in the output folder and
 * renames both into place only when both are complete and checked; then, when
 * asked, mails them. A bad input, a full disk or a stop never damages an
 * earlier report: its temporary files are removed, and the output folder is
 * locked while the pair is renamed, so that two runs writing the same names
 * leave the pair of one of them, never a mix.
 *
 * A report_setup is made once per run (templates, style, fonts, mail) and
 * shared read-only by the reports of the run; the cache in it is changed by
 * each report, so a process runs one report at a time.
 */
#ifndef RG_REPORT_H
#define RG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "layout.h"
#include "mail.h"
#include "model.h"
#include "pdf.h"
#include "tmpl.h"

/* What the command line asked for; owned by the caller. */
typedef struct report_options {
    const char *output_dir;
    const char *template_dir;
    const char *font_dir;
    const char *style_file; /* NULL: TEMPLATE_DIR/gbt9704.style */
    bool check_only, strict, emit_doc;
    bool want_pdf, want_xlsx;
    bool small_compression;
    int verbosity; /* 0 with -q, 1, 2 with -v */
    /* Mail (mail.h): sent when nmail_to > 0. */
    mail_mailbox *mail_to; /* the recipients, display names kept */
    size_t nmail_to;
    const char *mail_from;    /* as given: "addr" or "Name <addr>" */
    const char *mail_dry_run; /* a folder for NAME.eml instead of sending */
    bool attach_pdf, attach_xlsx;
    mail_server server;
} report_options;

/* What every report of a run shares. */
typedef struct report_setup {
    const report_options *opt;
    model_loader *loader;
    tmpl *report_tmpl;
    char *template_path;
    pdf_fonts *fonts;   /* the font files, read once */
    pdf_cache *cache;   /* the fonts' metrics and last subsets: this process's */
    layout_style style; /* the page, read once */
    time_t epoch;       /* SOURCE_DATE_EPOCH, or -1 */
    tmpl *mail_tmpl;      /* when mailing */
    char *mail_template_path;
    mail_mailbox *mail_from; /* parsed once */
    size_t nmail_from;
    mail_transport *transport; /* libcurl, when sending */
} report_setup;

/* Reads the templates, the style and the fonts, makes the output folder
 * (every missing level), removes temporary files that killed runs left in
 * it (saying so), and opens the mail transport, as opt asks. Returns 0, or
 * -1 with errors in diags; report_setup_fini frees what was made either
 * way. */
int report_setup_init(report_setup *s, const report_options *opt, rg_diags *diags);
void report_setup_fini(report_setup *s);

/* Removes from dir the temporary files no live run holds (a run locks its
 * own), each with a warning in diags: those of process `dead` when it is
 * not 0 (a worker just reaped), else every unlocked one older than a few
 * seconds (those a killed run left). */
void report_remove_stale_temps(const char *dir, long dead, rg_diags *diags);

/* Runs one report and prints its diagnostics to stderr (its progress to
 * stdout). Returns 0 when its files are written (or, with --check, when it
 * would be), -1 when it failed; *warnings is set to the number of warnings. */
int report_run(report_setup *s, const char *input, size_t *warnings);

/* The output file of `input` in dir: dir/BASE + ext, where BASE is the
 * input's file name less a final .xml (in any case). Owned by the caller. */
char *report_output_name(const char *dir, const char *input, const char *ext);

#endif
