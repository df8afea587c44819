/* main.c - the command line: options, the loop over inputs, exit status and
 * atomic output. Each input goes XML -> model -> template -> document ->
 * layout -> PDF, and model -> workbook; its files appear under their final
 * names only when both are complete and checked. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doc.h"
#include "layout.h"
#include "mail.h"
#include "model.h"
#include "model_tmpl.h"
#include "pdf.h"
#include "tmpl.h"
#include "xlsx.h"

#ifndef PARKREPORT_VERSION
#define PARKREPORT_VERSION "0.1.0"
#endif
#ifndef PARKREPORT_TEMPLATE_DIR
#define PARKREPORT_TEMPLATE_DIR "templates"
#endif
#ifndef PARKREPORT_FONT_DIR
#define PARKREPORT_FONT_DIR "fonts"
#endif

enum { EXIT_OK = 0, EXIT_INPUT_FAILED = 1, EXIT_USAGE = 2 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where a report's time went, printed with -v (and read by make bench). */
typedef struct stage_times {
    double load, templating, layout, pdf, workbook;
} stage_times;

typedef struct options {
    const char *output_dir;
    const char *template_dir;
    const char *font_dir;
    const char *style_file; /* NULL: TEMPLATE_DIR/gbt9704.style */
    bool check_only, strict, emit_doc;
    bool want_pdf, want_xlsx; /* -f */
    bool small_compression;   /* --pdf-compression small */
    int jobs;                 /* -j: processors to use */
    int verbosity;            /* 0 with -q, 1, 2 with -v */
    /* Mail (mail.h): sent when mail_to is given. */
    char **mail_to;           /* addr-specs */
    size_t nmail_to;
    const char *mail_from;    /* as given: "addr" or "Name <addr>" */
    const char *mail_dry_run; /* a folder for NAME.eml instead of sending */
    bool attach_pdf, attach_xlsx;
    mail_server server;
} options;

typedef struct run {
    const options *opt;
    model_loader *loader;
    tmpl *report_tmpl;
    char *template_path;
    pdf_options fonts; /* the font files, read once */
    layout_style style; /* the page, read once */
    time_t epoch; /* SOURCE_DATE_EPOCH, or -1 */
    const char *scratch_dir; /* where the workbook is made */
    tmpl *mail_tmpl;         /* when mailing */
    char *mail_template_path;
    char *mail_from_addr;
    mail_transport *transport; /* libcurl, when sending */
    /* libxlsxwriter, loaded by the first workbook written (xlsx.h) */
    pthread_mutex_t xlsx_lock;
    bool xlsx_tried;
    xlsx_lib *xlsx;
    rg_diags xlsx_failure; /* why it could not be, told to every input */
} run;

static bool writable_dir(const char *path)
{
    struct stat st;
    return path && *path && stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, W_OK | X_OK) == 0;
}

/* Where the workbook is made before it is copied into place (and where
 * libxlsxwriter would put its scratch copies of the parts, were they not
 * kept in memory: xlsx_lxw.c). $TMPDIR when set, else /dev/shm, else the
 * output directory. */
static const char *scratch_dir(const options *opt)
{
    const char *tmp = getenv("TMPDIR");
    if (writable_dir(tmp))
        return tmp;
    if (writable_dir("/dev/shm"))
        return "/dev/shm";
    return opt->output_dir;
}

/* Reads the style file: the page and type sizes (layout.h). */
static int load_style(const options *opt, layout_style *st, rg_diags *d)
{
    rg_buf path = {0};
    if (opt->style_file)
        rg_buf_puts(&path, opt->style_file);
    else
        rg_buf_printf(&path, "%s/gbt9704.style", opt->template_dir);
    rg_buf text = {0};
    int rc = -1;
    if (rg_read_file(path.data, RG_MAX_CONFIG_BYTES, &text) == 0) {
        rc = layout_style_parse(path.data, text.data, text.len, st, d);
    } else if (!opt->style_file && errno == ENOENT) {
        layout_style_gbt9704(st); /* a templates folder without one: GB/T 9704 */
        rc = 0;
    } else {
        rg_diag_add(d, RG_ERROR, path.data, 0, 0,
                    "cannot open the style file: %s (name one with --style)", strerror(errno));
    }
    rg_buf_fini(&text);
    rg_buf_fini(&path);
    return rc;
}

/* A character no font has: a warning at its first place in the input. */
typedef struct missing_ctx {
    const char *input;
    rg_buf text; /* the input, read when first needed */
    bool read;
    rg_diags *d;
} missing_ctx;

static void missing_glyph(void *ud, uint32_t cp)
{
    missing_ctx *c = ud;
    if (!c->read) {
        c->read = true;
        rg_read_file(c->input, MODEL_MAX_FILE_BYTES, &c->text); /* gone meanwhile: the warning has no position */
    }
    rg_buf ch = {0};
    rg_utf8_put(&ch, cp);
    const char *at = c->text.data ? strstr(c->text.data, ch.data) : NULL;
    int line = 0, col = 0;
    if (at)
        rg_utf8_position(c->text.data, (size_t)(at - c->text.data), &line, &col);
    rg_diag_add(c->d, RG_WARNING, c->input, line, col,
                "no font has %s (U+%04X): it is drawn as an empty box; name a font that has it "
                "as the fallback in fonts.conf, or write it otherwise", ch.data, (unsigned)cp);
    rg_buf_fini(&ch);
}

/* An installed binary, PREFIX/bin/parkreport, reads PREFIX/share/parkreport/;
 * one in a checkout reads the checkout's folders. */
static char *installed_dir(const char *name)
{
    rg_buf exe = {0};
    size_t cap = 256;
    for (;;) {
        char *buf = xmalloc(cap);
        ssize_t n = readlink("/proc/self/exe", buf, cap);
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if ((size_t)n < cap) {
            rg_buf_append(&exe, buf, (size_t)n);
            free(buf);
            break;
        }
        free(buf);
        cap *= 2;
    }
    char *slash = strrchr(exe.data, '/');
    if (slash)
        *slash = '\0'; /* PREFIX/bin */
    rg_buf dir = {0};
    rg_buf_printf(&dir, "%s/../share/parkreport/%s", exe.data, name);
    rg_buf_fini(&exe);
    struct stat st;
    if (stat(dir.data, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rg_buf_fini(&dir);
        return NULL;
    }
    return rg_buf_take(&dir);
}

static void usage(FILE *out, const options *opt)
{
    fprintf(out,
            "Usage: parkreport [OPTION]... INPUT.xml...\n"
            "Writes DIR/NAME.pdf (the narrative) and DIR/NAME.xlsx (targets against actuals)\n"
            "for each NAME.xml; a directory means every *.xml below it.\n"
            "\n"
            "  -o, --output DIR      write into DIR (default: out)\n"
            "      --templates DIR   read report.mustache from DIR (default: %s)\n"
            "      --fonts DIR       read fonts.conf from DIR (default: %s)\n"
            "      --style FILE      the page and type sizes (default: gbt9704.style in the\n"
            "                        templates folder)\n"
            "  -f, --format LIST     write pdf, xlsx or pdf,xlsx (default: both)\n"
            "      --pdf-compression fast|small\n"
            "                        the PDF's fonts at libdeflate's level 5 (default),\n"
            "                        or its strongest: 3%% smaller, 40 ms slower\n"
            "  -j, --jobs N          use N processors: worker processes for several inputs,\n"
            "                        threads for one (default: the number of processors)\n"
            "  -q, --quiet           print only problems\n"
            "  -v, --verbose         print more\n"
            "      --check           validate and run the consistency checks; write nothing\n"
            "      --strict          treat warnings as errors\n"
            "      --emit-doc        print the document form the template produced; write nothing\n"
            "\n"
            "Sending to the county, once an input's files are written (docs/mail.md):\n"
            "      --mail-to LIST    send one message per input to these addresses\n"
            "                        (comma-separated), from templates/mail.mustache\n"
            "      --mail-from ADDR  the sender, \"addr\" or \"Name <addr>\"\n"
            "      --smtp URL        smtp://HOST[:PORT] (STARTTLS when offered) or\n"
            "                        smtps://HOST[:PORT]; credentials come from\n"
            "                        PARKREPORT_SMTP_USER and PARKREPORT_SMTP_PASSWORD, or\n"
            "                        ~/.netrc\n"
            "      --mail-attach LIST  attach xlsx, pdf or pdf,xlsx (default: xlsx)\n"
            "      --mail-dry-run DIR  write each message as DIR/NAME.eml instead of sending\n"
            "      --smtp-insecure   do not verify the server's certificate\n"
            "      --smtp-timeout S  seconds to connect and to wait for each answer\n"
            "                        (default: 30)\n"
            "      --smtp-retries N  tries again after a 4xx answer, waiting 1, 2, 4... s\n"
            "                        (default: 3)\n"
            "\n"
            "  -V, --version         print the version\n"
            "  -h, --help            print this help\n"
            "\n"
            "Exit status: 0 when every input succeeded, 1 when any failed (the others are\n"
            "still written), 2 for a usage error.\n",
            opt->template_dir, opt->font_dir);
}

static void print_diags(rg_diags *d, size_t from)
{
    rg_buf out = {0};
    for (size_t i = from; i < d->count; i++)
        rg_diag_format(&d->items[i], &out);
    if (out.len)
        fputs(out.data, stderr);
    rg_buf_fini(&out);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The documents' date: SOURCE_DATE_EPOCH when set, else the report's date,
 * else 31 December of the report year. Never the clock, so that the same
 * input gives the same bytes. */
static time_t document_time(const run *r, const model *m)
{
    if (r->epoch != (time_t)-1)
        return r->epoch;
    int y = m->year, mo = 12, d = 31;
    if (m->date)
        sscanf(m->date, "%d-%d-%d", &y, &mo, &d);
    return (time_t)days_from_civil(y, mo, d) * 86400;
}

static char *output_name(const char *dir, const char *input, const char *ext)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".xml") == 0)
        n -= 4;
    rg_buf p = {0};
    rg_buf_printf(&p, "%s/%.*s%s", dir, (int)n, base, ext);
    return rg_buf_take(&p);
}

/* A new empty file next to `final`, to be renamed over it when complete.
 * Created with O_EXCL under a name no other run uses; mode 0666 less the
 * umask, like the file it replaces. */
static char *temp_name(const char *final, rg_diags *d)
{
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        rg_buf p = {0};
        rg_buf_printf(&p, "%s.tmp-%ld-%u", final, (long)getpid(), attempt);
        char *name = rg_buf_take(&p);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd >= 0) {
            close(fd);
            return name;
        }
        int saved = errno;
        free(name);
        if (saved != EEXIST) {
            rg_diag_add(d, RG_ERROR, final, 0, 0,
                        "cannot create a file in the output directory: %s", strerror(saved));
            return NULL;
        }
    }
    rg_diag_add(d, RG_ERROR, final, 0, 0, "cannot find a free temporary name");
    return NULL;
}

static int verify_pdf(const char *path, rg_diags *d)
{
    FILE *f = fopen(path, "rb");
    char head[5] = {0}, tail[32] = {0};
    bool ok = false;
    if (f) {
        ok = fread(head, 1, 5, f) == 5 && memcmp(head, "%PDF-", 5) == 0;
        if (ok && fseek(f, -(long)sizeof tail, SEEK_END) == 0) {
            size_t n = fread(tail, 1, sizeof tail - 1, f);
            tail[n] = '\0';
            ok = strstr(tail, "%%EOF") != NULL;
        }
        fclose(f);
    }
    if (!ok)
        rg_diag_add(d, RG_ERROR, path, 0, 0, "the PDF written is incomplete");
    return ok ? 0 : -1;
}

static doc *make_doc(run *r, const model *m, rg_diags *d)
{
    tval *data = model_tmpl_data(m);
    rg_buf text = {0};
    doc *document = NULL;
    if (tmpl_render(r->report_tmpl, data, &text, d) == 0)
        document = doc_parse(r->template_path, text.data, text.len, d);
    tval_free(data);
    rg_buf_fini(&text);
    return document;
}

/* The workbook, written on a thread of its own beside the PDF when the
 * run has a processor to spare: diagnostics of its own, merged after. */
typedef struct workbook_job {
    run *r;
    const model *m;
    const char *path, *final;
    time_t when;
    rg_diags diags;
    int rc;
    double seconds;
} workbook_job;

static const xlsx_lib *workbook_library(run *r, rg_diags *d)
{
    pthread_mutex_lock(&r->xlsx_lock);
    if (!r->xlsx_tried) {
        r->xlsx = xlsx_lib_open(&r->xlsx_failure);
        r->xlsx_tried = true;
    }
    pthread_mutex_unlock(&r->xlsx_lock);
    for (size_t i = 0; !r->xlsx && i < r->xlsx_failure.count; i++)
        rg_diag_add(d, RG_ERROR, r->xlsx_failure.items[i].file, 0, 0, "%s",
                    r->xlsx_failure.items[i].msg);
    return r->xlsx;
}

/* Loads libxlsxwriter while the first input is being read and laid out,
 * when a processor is spare: on the workbook's thread it competed with the
 * PDF's font compression. */
static void *load_workbook_library(void *arg)
{
    rg_diags told_later = {0}; /* a failure is told to each input */
    workbook_library(arg, &told_later);
    rg_diags_fini(&told_later);
    return NULL;
}

/* Copies the finished workbook at `from` into the (empty) file `to`, which
 * messages call `name`. */
static int copy_workbook(const char *from, const char *to, const char *name, rg_diags *d)
{
    rg_buf bytes = {0};
    int rc = rg_read_file(from, (size_t)1 << 30, &bytes);
    if (rc == 0)
        rc = rg_write_file(to, "r+b", bytes.data, bytes.len);
    if (rc != 0)
        rg_diag_add(d, RG_ERROR, name, 0, 0, "cannot write the workbook: %s", strerror(errno));
    rg_buf_fini(&bytes);
    return rc;
}

/* The workbook is made in the scratch folder and copied into place in one
 * write: libxlsxwriter's zip library writes it in small pieces, seeking
 * back over each part's header, which on a disk's file system cost 0.6 ms
 * of system time a report (tmpfs: a tenth of that). */
static void *write_workbook(void *arg)
{
    workbook_job *w = arg;
    double t0 = now_seconds();
    const xlsx_lib *lx = workbook_library(w->r, &w->diags);
    rg_buf scratch = {0};
    const char *dir = w->r->scratch_dir;
    rg_buf_printf(&scratch, "%s/parkreport-XXXXXX.xlsx", dir);
    int fd = lx ? mkstemps(scratch.data, 5) : -1;
    if (fd >= 0) {
        close(fd);
        w->rc = xlsx_write(lx, w->m, scratch.data, w->final, dir, w->when, &w->diags);
        if (w->rc == 0)
            w->rc = copy_workbook(scratch.data, w->path, w->final, &w->diags);
        unlink(scratch.data);
    } else if (lx) { /* no scratch file: made in place */
        w->rc = xlsx_write(lx, w->m, w->path, w->final, dir, w->when, &w->diags);
    } else {
        w->rc = -1;
    }
    rg_buf_fini(&scratch);
    w->seconds = now_seconds() - t0;
    return NULL;
}

static int write_outputs(run *r, const model *m, const doc *document, const char *input,
                         rg_diags *d, stage_times *times)
{
    const options *o = r->opt;
    char *pdf_path = o->want_pdf ? output_name(o->output_dir, input, ".pdf") : NULL;
    char *xlsx_path = o->want_xlsx ? output_name(o->output_dir, input, ".xlsx") : NULL;
    char *pdf_tmp = pdf_path ? temp_name(pdf_path, d) : NULL;
    char *xlsx_tmp = xlsx_path && (pdf_tmp || !pdf_path) ? temp_name(xlsx_path, d) : NULL;
    int rc = -1;
    if ((pdf_tmp || !pdf_path) && (xlsx_tmp || !xlsx_path)) {
        time_t when = document_time(r, m);
        workbook_job wb = {.r = r, .m = m, .path = xlsx_tmp, .final = xlsx_path, .when = when};
        pthread_t beside;
        bool threaded = xlsx_tmp && pdf_tmp && r->fonts.threads > 1 &&
                        pthread_create(&beside, NULL, write_workbook, &wb) == 0;
        rc = 0;
        if (pdf_tmp) {
            pdf_options popt = r->fonts;
            popt.small_compression = o->small_compression;
            bool titled = document->nblocks && document->blocks[0].kind == DOC_TITLE;
            popt.title = titled ? document->blocks[0].runs[0].text : m->park;
            popt.author = m->author ? m->author : m->park;
            popt.subject = "工作总结和工作计划";
            popt.created = when;
            missing_ctx missing = {.input = input, .d = d};
            popt.missing = missing_glyph;
            popt.missing_ud = &missing;
            popt.layout_seconds = &times->layout;
            double t0 = now_seconds();
            rc = pdf_write(document, &r->style, &popt, pdf_tmp, d);
            times->pdf = now_seconds() - t0 - times->layout;
            rg_buf_fini(&missing.text);
            if (rc == 0)
                rc = verify_pdf(pdf_tmp, d);
        }
        if (threaded)
            pthread_join(beside, NULL);
        else if (rc == 0 && xlsx_tmp)
            write_workbook(&wb);
        rg_diags_move(d, &wb.diags);
        times->workbook = wb.seconds;
        if (rc == 0)
            rc = wb.rc;
        if (rc == 0 && ((pdf_tmp && rename(pdf_tmp, pdf_path) != 0) ||
                        (xlsx_tmp && rename(xlsx_tmp, xlsx_path) != 0))) {
            rg_diag_add(d, RG_ERROR, pdf_path ? pdf_path : xlsx_path, 0, 0,
                        "cannot move the finished file into place: %s", strerror(errno));
            rc = -1;
        }
    }
    if (rc != 0 && pdf_tmp)
        unlink(pdf_tmp);
    if (rc != 0 && xlsx_tmp)
        unlink(xlsx_tmp);
    if (rc == 0 && o->verbosity > 1)
        printf("%s: times: load %.2f ms, template %.2f ms, layout %.2f ms, pdf %.2f ms, "
               "workbook %.2f ms\n", input, times->load * 1e3, times->templating * 1e3,
               times->layout * 1e3, times->pdf * 1e3, times->workbook * 1e3);
    if (rc == 0 && o->verbosity > 0) {
        if (pdf_path && xlsx_path)
            printf("%s: wrote %s and %s\n", input, pdf_path, xlsx_path);
        else
            printf("%s: wrote %s\n", input, pdf_path ? pdf_path : xlsx_path);
    }
    free(pdf_tmp), free(xlsx_tmp), free(pdf_path), free(xlsx_path);
    return rc;
}

/* SIGINT, SIGTERM and SIGHUP wait while temporary files exist (until
 * sigprocmask restores *old). */
static void hold_stops(sigset_t *old)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, old);
}

/* Writes the message as DIR/NAME.eml, through a temporary name. */
static int write_eml(const char *dir, const char *input, const rg_buf *bytes, rg_diags *d)
{
    char *path = output_name(dir, input, ".eml");
    char *tmp = temp_name(path, d);
    int rc = -1;
    if (tmp) {
        if (rg_write_file(tmp, "wb", bytes->data, bytes->len) == 0 && rename(tmp, path) == 0)
            rc = 0;
        else
            rg_diag_add(d, RG_ERROR, path, 0, 0, "cannot write the mail: %s", strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(path);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The input's message to the county, from templates/mail.mustache, with the
 * files just written attached: sent, or written for --mail-dry-run. */
static int mail_report(run *r, const model *m, const char *input, rg_diags *d)
{
    const options *o = r->opt;
    tval *data = model_tmpl_data(m);
    rg_buf text = {0};
    mail_text mt = {0};
    int rc = tmpl_render(r->mail_tmpl, data, &text, d) == 0 &&
                     mail_text_parse(r->mail_template_path, text.data, &mt, d) == 0
                 ? 0
                 : -1;
    tval_free(data);
    rg_buf_fini(&text);
    if (rc != 0)
        return -1;
    char *xlsx = output_name(o->output_dir, input, ".xlsx");
    char *pdf = output_name(o->output_dir, input, ".pdf");
    mail_part parts[2];
    size_t n = 0;
    if (o->attach_xlsx)
        parts[n++] = (mail_part){xlsx, mt.workbook_name ? mt.workbook_name : base_name(xlsx),
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    if (o->attach_pdf)
        parts[n++] = (mail_part){pdf, mt.pdf_name ? mt.pdf_name : base_name(pdf), "application/pdf"};
    mail_message msg = {.from = o->mail_from,
                        .to = (const char *const *)o->mail_to,
                        .nto = o->nmail_to,
                        .subject = mt.subject,
                        .body = mt.body,
                        .parts = parts,
                        .nparts = n,
                        .date = r->epoch != (time_t)-1 ? r->epoch : time(NULL),
                        .id_seed = input,
                        .user_agent = "parkreport/" PARKREPORT_VERSION};
    rg_buf bytes = {0};
    rc = mail_compose(&msg, &bytes, d);
    if (rc == 0 && o->mail_dry_run) {
        sigset_t old;
        hold_stops(&old);
        rc = write_eml(o->mail_dry_run, input, &bytes, d);
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    else if (rc == 0)
        rc = mail_send(r->transport, &o->server, r->mail_from_addr, (const char *const *)o->mail_to,
                       o->nmail_to, &bytes, input, d);
    if (rc == 0 && o->verbosity > 0) {
        if (o->mail_dry_run) {
            char *eml = output_name(o->mail_dry_run, input, ".eml");
            printf("%s: wrote the mail to %s\n", input, eml);
            free(eml);
        } else {
            printf("%s: mailed to ", input);
            for (size_t i = 0; i < o->nmail_to; i++)
                printf("%s%s", i ? ", " : "", o->mail_to[i]);
            printf("\n");
        }
    }
    rg_buf_fini(&bytes);
    mail_text_fini(&mt);
    free(xlsx);
    free(pdf);
    return rc;
}

static int process(run *r, const char *input, size_t *warnings)
{
    rg_diags d = {0};
    stage_times times = {0};
    double t0 = now_seconds();
    model *m = model_load(r->loader, input, &d);
    if (m)
        model_check(m, &d);
    times.load = now_seconds() - t0;
    if (m && r->opt->strict && d.warnings) {
        for (size_t i = 0; i < d.count; i++)
            d.items[i].severity = RG_ERROR;
        d.errors += d.warnings;
        d.warnings = 0;
    }
    int rc = m && d.errors == 0 ? 0 : -1;
    size_t printed = 0;
    if (rc == 0 && !r->opt->check_only) {
        t0 = now_seconds();
        doc *document = make_doc(r, m, &d);
        times.templating = now_seconds() - t0;
        if (!document) {
            rc = -1;
        } else if (r->opt->emit_doc) {
            rg_buf out = {0};
            doc_write(document, &out);
            fputs(out.data, stdout);
            rg_buf_fini(&out);
        } else {
            /* SIGINT, SIGTERM and SIGHUP wait while the temporary files
             * exist: they take effect once both are renamed into place or
             * removed, so an interrupted run leaves no temporary file and
             * no half-written report. */
            sigset_t old;
            hold_stops(&old);
            rc = write_outputs(r, m, document, input, &d, &times);
            fflush(stdout);
            print_diags(&d, 0); /* before a pending signal ends the process */
            printed = d.count;
            sigprocmask(SIG_SETMASK, &old, NULL);
            if (rc == 0 && r->opt->nmail_to)
                rc = mail_report(r, m, input, &d);
        }
        doc_free(document);
    }
    fflush(stdout);
    print_diags(&d, printed);
    *warnings = d.warnings;
    rg_diags_fini(&d);
    model_free(m);
    return rc;
}

static int ensure_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        fprintf(stderr, "%s: error: the output path is not a directory\n", dir);
        return -1;
    }
    if (mkdir(dir, 0777) != 0) {
        fprintf(stderr, "%s: error: cannot create the output directory: %s\n", dir,
                strerror(errno));
        return -1;
    }
    return 0;
}

static time_t source_date_epoch(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return (time_t)-1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < 0) {
        fprintf(stderr, "parkreport: warning: SOURCE_DATE_EPOCH=\"%s\" is not a number of "
                        "seconds; ignored\n", s);
        return (time_t)-1;
    }
    return (time_t)v;
}

/* --- the batch ---------------------------------------------------------- */

typedef struct inputs {
    char **paths;
    size_t n, cap;
} inputs;

static void add_input(inputs *in, const char *path)
{
    void *arr = in->paths;
    xgrow(&arr, &in->cap, in->n + 1, sizeof *in->paths);
    in->paths = arr;
    in->paths[in->n++] = xstrdup(path);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.xml below dir, in name order, so that a batch is the same each time. */
static void add_dir(inputs *in, const char *dir, int depth)
{
    DIR *dp = depth < 32 ? opendir(dir) : NULL;
    if (!dp)
        return;
    inputs here = {0};
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        if (e->d_name[0] != '.') {
            rg_buf p = {0};
            rg_buf_printf(&p, "%s/%s", dir, e->d_name);
            add_input(&here, p.data);
            rg_buf_fini(&p);
        }
    closedir(dp);
    if (here.n)
        qsort(here.paths, here.n, sizeof *here.paths, by_name);
    for (size_t i = 0; i < here.n; i++) {
        struct stat st;
        size_t len = strlen(here.paths[i]);
        if (stat(here.paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            add_dir(in, here.paths[i], depth + 1);
        else if (len > 4 && strcmp(here.paths[i] + len - 4, ".xml") == 0)
            add_input(in, here.paths[i]);
        free(here.paths[i]);
    }
    free(here.paths);
}

/* Two inputs that would write the same output (a/x.xml and b/x.xml): the
 * later is refused rather than left to overwrite the earlier's report.
 * Returns how many were refused; they are removed from the list. */
static size_t refuse_clashes(inputs *in, const char *out_dir)
{
    size_t kept = 0, refused = 0;
    char **names = xcalloc(in->n ? in->n : 1, sizeof *names);
    for (size_t i = 0; i < in->n; i++) {
        char *name = output_name(out_dir, in->paths[i], "");
        size_t k = 0;
        while (k < kept && strcmp(names[k], name) != 0)
            k++;
        if (k < kept) {
            fprintf(stderr, "%s: error: it would write the same %s.pdf and .xlsx as %s; rename "
                            "one, or run them with different -o folders\n",
                    in->paths[i], name, in->paths[k]);
            free(name);
            free(in->paths[i]);
            refused++;
            continue;
        }
        names[kept] = name;
        in->paths[kept++] = in->paths[i];
    }
    for (size_t k = 0; k < kept; k++)
        free(names[k]);
    free(names);
    in->n = kept;
    return refused;
}

typedef struct tally {
    size_t done, failed, warnings, total;
    double start;
    bool tty;
} tally;

static void count(tally *t, const options *opt, const char *input, int rc, size_t warnings)
{
    t->done++;
    t->failed += rc != 0;
    t->warnings += warnings;
    if (t->tty && opt->verbosity > 0 && t->total > 1) {
        double spent = now_seconds() - t->start;
        double left = spent / (double)t->done * (double)(t->total - t->done);
        const char *base = strrchr(input, '/');
        /* Back to the line's start, so that what a worker prints next
         * writes over it rather than after it. */
        fprintf(stderr, "\r\033[K[%zu/%zu] %s  %.0f s left\r", t->done, t->total,
                base ? base + 1 : input, left);
    }
}

/* One result from a worker, a single write() on a pipe. */
typedef struct result {
    size_t index;
    int rc;
    size_t warnings;
} result;

/* Inputs i with i % jobs == k go to worker k; results come back on a pipe.
 * SIGINT, SIGTERM and SIGHUP reach the parent through a signalfd: it passes
 * them on, waits for the workers to finish the reports they are writing (see
 * process), and only then dies of the signal itself. A worker also gets
 * SIGTERM should the parent die. */
static void run_workers(run *r, const inputs *in, tally *t, int jobs)
{
    bool *finished = xcalloc(in->n, sizeof *finished);
    int fds[2] = {-1, -1}, sfd = -1;
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    if (jobs > 1) {
        sigprocmask(SIG_BLOCK, &stop, &old);
        sfd = signalfd(-1, &stop, SFD_CLOEXEC);
        if (sfd < 0 || pipe(fds) != 0) {
            if (sfd >= 0)
                close(sfd);
            sigprocmask(SIG_SETMASK, &old, NULL);
            jobs = 1;
        }
    }
    pid_t *pids = xcalloc((size_t)(jobs > 0 ? jobs : 1), sizeof *pids);
    int started = 0;
    fflush(stdout);
    fflush(stderr);
    for (int k = 0; jobs > 1 && k < jobs; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            close(sfd);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            sigprocmask(SIG_SETMASK, &old, NULL);
            for (size_t i = (size_t)k; i < in->n; i += (size_t)jobs) {
                result res = {.index = i};
                res.rc = process(r, in->paths[i], &res.warnings);
                if (write(fds[1], &res, sizeof res) != (ssize_t)sizeof res)
                    _exit(EXIT_INPUT_FAILED);
            }
            _exit(EXIT_OK);
        }
        if (pid < 0) {
            fprintf(stderr, "parkreport: cannot start a worker: %s\n", strerror(errno));
            break;
        }
        pids[started++] = pid;
    }
    int got = 0;
    if (jobs <= 1) { /* one process does it all */
        for (size_t i = 0; i < in->n; i++) {
            size_t warnings = 0;
            int rc = process(r, in->paths[i], &warnings);
            finished[i] = true;
            count(t, r->opt, in->paths[i], rc, warnings);
        }
    } else {
        close(fds[1]);
        struct pollfd pfd[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        for (;;) {
            if (poll(pfd, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            if (pfd[1].revents & POLLIN) {
                struct signalfd_siginfo si;
                if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si && !got) {
                    got = (int)si.ssi_signo;
                    for (int k = 0; k < started; k++)
                        kill(pids[k], got);
                }
            }
            if (pfd[0].revents & (POLLIN | POLLHUP)) {
                result res;
                ssize_t n = read(fds[0], &res, sizeof res);
                if (n != (ssize_t)sizeof res)
                    break; /* every worker has finished */
                if (res.index < in->n && !finished[res.index]) {
                    finished[res.index] = true;
                    count(t, r->opt, in->paths[res.index], res.rc, res.warnings);
                }
            }
        }
        close(fds[0]);
        for (int k = 0; k < started; k++)
            waitpid(pids[k], NULL, 0);
        close(sfd);
        for (size_t i = 0; i < in->n && !got; i++)
            if (!finished[i]) { /* its worker crashed or could not start */
                fprintf(stderr, "%s: error: the worker writing this input stopped; run it again\n",
                        in->paths[i]);
                count(t, r->opt, in->paths[i], -1, 0);
            }
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    free(pids);
    free(finished);
    if (got) { /* the workers are done: now die of the signal, as asked */
        signal(got, SIG_DFL);
        raise(got);
    }
}

/* Why the mail options cannot work together, or NULL. Credentials come
 * from the environment, never the command line (where ps shows them). */
static const char *mail_usage(options *opt, bool mail_option)
{
    if (!opt->nmail_to)
        return mail_option ? "the mail options need --mail-to" : NULL;
    if (!opt->mail_from)
        return "--mail-to needs --mail-from ADDR, the sender";
    char *from = mail_address(opt->mail_from);
    bool valid = from != NULL;
    free(from);
    if (!valid)
        return "--mail-from is not an email address";
    if (!opt->server.url && !opt->mail_dry_run)
        return "--mail-to needs --smtp URL, or --mail-dry-run DIR to write the messages instead";
    if (opt->check_only || opt->emit_doc)
        return "--check and --emit-doc write nothing, so nothing can be mailed";
    if ((opt->attach_pdf && !opt->want_pdf) || (opt->attach_xlsx && !opt->want_xlsx))
        return "--mail-attach names a file that -f leaves out";
    opt->server.user = getenv("PARKREPORT_SMTP_USER");
    opt->server.password = getenv("PARKREPORT_SMTP_PASSWORD");
    if (opt->server.user && !*opt->server.user)
        opt->server.user = NULL;
    if (opt->server.user && !opt->server.password)
        return "PARKREPORT_SMTP_USER is set but PARKREPORT_SMTP_PASSWORD is not";
    return NULL;
}

/* "pdf", "xlsx" or "pdf,xlsx" into the two flags; false for anything else. */
static bool parse_kinds(const char *list, bool *pdf, bool *xlsx)
{
    *pdf = *xlsx = false;
    char *copy = xstrdup(list), *save = NULL;
    bool bad = false;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "pdf") == 0)
            *pdf = true;
        else if (strcmp(w, "xlsx") == 0)
            *xlsx = true;
        else
            bad = true;
    }
    free(copy);
    return !bad && (*pdf || *xlsx);
}

static void free_mail_to(options *opt)
{
    for (size_t i = 0; i < opt->nmail_to; i++)
        free(opt->mail_to[i]);
    free(opt->mail_to);
    opt->mail_to = NULL;
    opt->nmail_to = 0;
}

static int parkreport(int argc, char **argv, const char *share_templates, const char *share_fonts)
{
    options opt = {.output_dir = "out", .want_pdf = true, .want_xlsx = true, .verbosity = 1,
                   .template_dir = share_templates ? share_templates : PARKREPORT_TEMPLATE_DIR,
                   .font_dir = share_fonts ? share_fonts : PARKREPORT_FONT_DIR};
    opt.attach_xlsx = true;
    opt.server.timeout = 30;
    opt.server.retries = 3;
    enum { OPT_CHECK = 256, OPT_STRICT, OPT_TEMPLATES, OPT_FONTS, OPT_STYLE, OPT_EMIT_DOC,
           OPT_MAIL_TO, OPT_MAIL_FROM, OPT_SMTP, OPT_MAIL_ATTACH, OPT_MAIL_DRY_RUN,
           OPT_SMTP_INSECURE, OPT_SMTP_TIMEOUT, OPT_SMTP_RETRIES, OPT_PDF_COMPRESSION };
    bool mail_option = false; /* any of them, which need --mail-to */
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"templates", required_argument, NULL, OPT_TEMPLATES},
        {"fonts", required_argument, NULL, OPT_FONTS},
        {"style", required_argument, NULL, OPT_STYLE},
        {"check", no_argument, NULL, OPT_CHECK},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"emit-doc", no_argument, NULL, OPT_EMIT_DOC},
        {"pdf-compression", required_argument, NULL, OPT_PDF_COMPRESSION},
        {"mail-to", required_argument, NULL, OPT_MAIL_TO},
        {"mail-from", required_argument, NULL, OPT_MAIL_FROM},
        {"smtp", required_argument, NULL, OPT_SMTP},
        {"mail-attach", required_argument, NULL, OPT_MAIL_ATTACH},
        {"mail-dry-run", required_argument, NULL, OPT_MAIL_DRY_RUN},
        {"smtp-insecure", no_argument, NULL, OPT_SMTP_INSECURE},
        {"smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT},
        {"smtp-retries", required_argument, NULL, OPT_SMTP_RETRIES},
        {"format", required_argument, NULL, 'f'},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:f:j:qvVh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!parse_kinds(optarg, &opt.want_pdf, &opt.want_xlsx)) {
                fprintf(stderr, "parkreport: -f takes pdf, xlsx or pdf,xlsx, not \"%s\"\n", optarg);
                return free_mail_to(&opt), EXIT_USAGE;
            }
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "parkreport: -j takes a number of workers from 1 to 256, not \"%s\"\n",
                        optarg);
                return free_mail_to(&opt), EXIT_USAGE;
            }
            opt.jobs = (int)n;
            break;
        }
        case 'q':
            opt.verbosity = 0;
            break;
        case 'v':
            opt.verbosity = 2;
            break;
        case 'o':
            opt.output_dir = optarg;
            break;
        case OPT_TEMPLATES:
            opt.template_dir = optarg;
            break;
        case OPT_STYLE:
            opt.style_file = optarg;
            break;
        case OPT_FONTS:
            opt.font_dir = optarg;
            break;
        case OPT_CHECK:
            opt.check_only = true;
            break;
        case OPT_STRICT:
            opt.strict = true;
            break;
        case OPT_EMIT_DOC:
            opt.emit_doc = true;
            break;
        case OPT_PDF_COMPRESSION:
            if (strcmp(optarg, "small") != 0 && strcmp(optarg, "fast") != 0) {
                fprintf(stderr, "parkreport: --pdf-compression takes fast or small, not \"%s\"\n",
                        optarg);
                return free_mail_to(&opt), EXIT_USAGE;
            }
            opt.small_compression = strcmp(optarg, "small") == 0;
            break;
        case OPT_MAIL_TO: {
            char *list = xstrdup(optarg), *save = NULL;
            for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                char *addr = mail_address(w);
                if (!addr) {
                    fprintf(stderr, "parkreport: --mail-to: \"%s\" is not an email address\n", w);
                    free(list);
                    return free_mail_to(&opt), EXIT_USAGE;
                }
                void *arr = opt.mail_to;
                size_t cap = opt.nmail_to;
                xgrow(&arr, &cap, opt.nmail_to + 1, sizeof *opt.mail_to);
                opt.mail_to = arr;
                opt.mail_to[opt.nmail_to++] = addr;
            }
            free(list);
            break;
        }
        case OPT_MAIL_FROM:
            opt.mail_from = optarg;
            mail_option = true;
            break;
        case OPT_SMTP:
            if (strncmp(optarg, "smtp://", 7) != 0 && strncmp(optarg, "smtps://", 8) != 0) {
                fprintf(stderr, "parkreport: --smtp takes smtp://HOST[:PORT] or smtps://HOST[:PORT], "
                                "not \"%s\"\n", optarg);
                return free_mail_to(&opt), EXIT_USAGE;
            }
            opt.server.url = optarg;
            mail_option = true;
            break;
        case OPT_MAIL_ATTACH:
            if (!parse_kinds(optarg, &opt.attach_pdf, &opt.attach_xlsx)) {
                fprintf(stderr, "parkreport: --mail-attach takes pdf, xlsx or pdf,xlsx, not \"%s\"\n",
                        optarg);
                return free_mail_to(&opt), EXIT_USAGE;
            }
            mail_option = true;
            break;
        case OPT_MAIL_DRY_RUN:
            opt.mail_dry_run = optarg;
            mail_option = true;
            break;
        case OPT_SMTP_INSECURE:
            opt.server.insecure = true;
            mail_option = true;
            break;
        case OPT_SMTP_TIMEOUT:
        case OPT_SMTP_RETRIES: {
            char *end;
            long n = strtol(optarg, &end, 10);
            bool timeout = c == OPT_SMTP_TIMEOUT;
            if (*end || n < (timeout ? 1 : 0) || n > (timeout ? 3600 : 10)) {
                fprintf(stderr, "parkreport: --smtp-%s takes %s, not \"%s\"\n",
                        timeout ? "timeout" : "retries",
                        timeout ? "seconds from 1 to 3600" : "a number from 0 to 10", optarg);
                return free_mail_to(&opt), EXIT_USAGE;
            }
            if (timeout)
                opt.server.timeout = n;
            else
                opt.server.retries = (int)n;
            mail_option = true;
            break;
        }
        case 'V':
            printf("parkreport %s\n", PARKREPORT_VERSION);
            return free_mail_to(&opt), EXIT_OK;
        case 'h':
            usage(stdout, &opt);
            return free_mail_to(&opt), EXIT_OK;
        default:
            fprintf(stderr, "Try 'parkreport --help' for more information.\n");
            return free_mail_to(&opt), EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "parkreport: no input given\n");
        usage(stderr, &opt);
        return free_mail_to(&opt), EXIT_USAGE;
    }
    const char *mail_problem = mail_usage(&opt, mail_option);
    if (mail_problem) {
        fprintf(stderr, "parkreport: %s\n", mail_problem);
        free_mail_to(&opt);
        return EXIT_USAGE;
    }

    run r = {.opt = &opt, .epoch = source_date_epoch(), .xlsx_lock = PTHREAD_MUTEX_INITIALIZER};
    r.scratch_dir = scratch_dir(&opt);
    pthread_t xlsx_loader;
    bool spare = opt.jobs > 1 || (opt.jobs <= 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1);
    bool loading = !opt.check_only && !opt.emit_doc && opt.want_xlsx && spare &&
                   pthread_create(&xlsx_loader, NULL, load_workbook_library, &r) == 0;
    rg_diags d = {0};
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/report.mustache", opt.template_dir);
    r.template_path = rg_buf_take(&path);
    int status = EXIT_OK;
    if (!opt.check_only) {
        r.report_tmpl = tmpl_load(opt.template_dir, "report.mustache",
                                  &(tmpl_options){.escape = doc_escape}, &d);
        if (!r.report_tmpl)
            status = EXIT_INPUT_FAILED;
        if (!opt.emit_doc && (load_style(&opt, &r.style, &d) != 0 ||
                              pdf_fonts_load(&r.fonts, opt.font_dir, &d) != 0 ||
                              ensure_dir(opt.output_dir) != 0))
            status = EXIT_INPUT_FAILED;
    }
    if (opt.nmail_to && status == EXIT_OK) {
        rg_buf mp = {0};
        rg_buf_printf(&mp, "%s/mail.mustache", opt.template_dir);
        r.mail_template_path = rg_buf_take(&mp);
        r.mail_tmpl = tmpl_load(opt.template_dir, "mail.mustache", NULL, &d);
        r.mail_from_addr = mail_address(opt.mail_from);
        if (!r.mail_tmpl || (opt.mail_dry_run && ensure_dir(opt.mail_dry_run) != 0) ||
            (!opt.mail_dry_run && !(r.transport = mail_transport_open(&d))))
            status = EXIT_INPUT_FAILED;
    }
    print_diags(&d, 0);
    rg_diags_fini(&d);
    if (status == EXIT_OK) {
        r.loader = model_loader_new();
        if (!r.loader)
            status = EXIT_INPUT_FAILED;
        inputs in = {0};
        for (int i = optind; i < argc; i++) {
            struct stat st;
            if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
                add_dir(&in, argv[i], 0);
            else
                add_input(&in, argv[i]);
        }
        size_t clashes = opt.check_only || opt.emit_doc ? 0 : refuse_clashes(&in, opt.output_dir);
        tally t = {.total = in.n, .start = now_seconds(), .tty = isatty(STDERR_FILENO)};
        t.failed = clashes;
        int jobs = opt.jobs > 0 ? opt.jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
        if (jobs < 1 || opt.emit_doc) /* the document forms in input order */
            jobs = 1;
        int processors = jobs;
        if ((size_t)jobs > in.n)
            jobs = (int)in.n;
        /* Processors a worker leaves idle compress its fonts' pieces. */
        r.fonts.threads = jobs > 0 ? processors / jobs : 1;
        /* Worker processes are forked: the loader must be done, or they
         * would inherit its lock (and the dynamic loader's) held. */
        if (loading && jobs > 1) {
            pthread_join(xlsx_loader, NULL);
            loading = false;
        }
        if (r.loader && in.n)
            run_workers(&r, &in, &t, jobs);
        if (t.failed || !r.loader)
            status = EXIT_INPUT_FAILED;
        if (t.tty && opt.verbosity > 0 && in.n > 1)
            fputs("\r\033[K", stderr);
        if (opt.verbosity > 0 && in.n > 1 && !opt.emit_doc)
            fprintf(stderr, "parkreport: %zu written, %zu failed, %zu warning%s, %.2f s\n",
                    t.done + clashes - t.failed, t.failed, t.warnings, t.warnings == 1 ? "" : "s",
                    now_seconds() - t.start);
        for (size_t i = 0; i < in.n; i++)
            free(in.paths[i]);
        free(in.paths);
    }
    model_loader_free(r.loader);
    tmpl_free(r.report_tmpl);
    tmpl_free(r.mail_tmpl);
    mail_transport_close(r.transport);
    if (loading)
        pthread_join(xlsx_loader, NULL);
    xlsx_lib_close(r.xlsx);
    rg_diags_fini(&r.xlsx_failure);
    pthread_mutex_destroy(&r.xlsx_lock);
    free(r.mail_template_path);
    free(r.mail_from_addr);
    free_mail_to(&opt);
    pdf_options_fini(&r.fonts);
    free(r.template_path);
    return status;
}

int main(int argc, char **argv)
{
    /* A report's large buffers (font programs, compressors, the PDF) are
     * made and freed once each: taken from the heap, where freed memory is
     * used again, instead of fresh mappings of their own, they cost the
     * kernel 400 fewer page faults (1.8 ms of CPU for the seed's report). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    char *templates = installed_dir("templates"), *fonts = installed_dir("fonts");
    int status = parkreport(argc, argv, templates, fonts);
    free(templates);
    free(fonts);
    return status;
}
