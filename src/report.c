/* report.c - see report.h. */
#define _GNU_SOURCE /* memmem */
#include "report.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doc.h"
#include "model_chain.h"
#include "model_tmpl.h"
#include "xlsx.h"

#ifndef PARKREPORT_VERSION
#define PARKREPORT_VERSION "0.1.0"
#endif

/* Temporary files are named .parkreport-PID-N.EXT in the output folder:
 * short, so that a valid output name never becomes too long with them, and
 * recognisable, so that the next run removes those a killed run left. */
#define TEMP_PREFIX ".parkreport-"
#define STALE_AFTER_SECONDS 10

/* Where a report's time went, printed with -v (and read by make bench). */
typedef struct stage_times {
    double load, templating, layout, pdf, workbook;
} stage_times;

/* Prints one line of progress to stdout, what came from data or file names
 * shown escaped as in diagnostics. */
static void say(const char *fmt, ...) RG_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    rg_buf line = {0}, out = {0};
    va_list ap;
    va_start(ap, fmt);
    rg_buf_vprintf(&line, fmt, ap);
    va_end(ap);
    rg_escape_for_terminal(line.data, &out);
    puts(out.data);
    rg_buf_fini(&line);
    rg_buf_fini(&out);
}

/* --- setting up a run ----------------------------------------------------- */

/* Makes dir and every missing folder above it. */
static int make_dirs(const char *dir, rg_diags *d)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        rg_diag_add(d, RG_ERROR, dir, 0, 0, "the output path is not a directory");
        return -1;
    }
    char *path = xstrdup(dir);
    int rc = 0;
    for (char *p = path + 1; rc == 0; p++) {
        bool end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            rg_diag_add(d, RG_ERROR, path, 0, 0, "cannot create the output directory: %s",
                        strerror(errno));
            rc = -1;
        } else if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rg_diag_add(d, RG_ERROR, path, 0, 0, "the output path is not a directory");
            rc = -1;
        }
        if (end)
            break;
        *p = '/';
    }
    free(path);
    return rc;
}

/* The pid in a temporary file's name, or 0 when it is not one of ours. */
static long temp_owner(const char *name)
{
    size_t n = strlen(TEMP_PREFIX);
    if (strncmp(name, TEMP_PREFIX, n) != 0 || !isdigit((unsigned char)name[n]))
        return 0;
    char *end;
    long pid = strtol(name + n, &end, 10);
    return *end == '-' && pid > 0 ? pid : 0;
}

void report_remove_stale_temps(const char *dir, long dead, rg_diags *d)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        long pid = temp_owner(e->d_name);
        if (!pid || (dead && pid != dead))
            continue;
        rg_buf p = {0};
        rg_buf_printf(&p, "%s/%s", dir, e->d_name);
        /* A run holds a lock on each of its temporary files while it lives,
         * which is seen from any process, container or machine sharing the
         * folder; one a moment old may not be locked yet. */
        int fd = open(p.data, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            (dead || now - st.st_mtime > STALE_AFTER_SECONDS) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
            unlink(p.data) == 0)
            rg_diag_add(d, RG_WARNING, p.data, 0, 0,
                        "removed a temporary file left by an interrupted run (process %ld)", pid);
        if (fd >= 0)
            close(fd);
        rg_buf_fini(&p);
    }
    closedir(dp);
}

/* Reads the style file: the page and type sizes (layout.h). */
static int load_style(const report_options *opt, layout_style *st, rg_diags *d)
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
    } else if (errno == EFBIG || errno == EINVAL) {
        rg_diag_add(d, RG_ERROR, path.data, 0, 0,
                    "not a style file: a style is a regular file of at most %d KiB (see "
                    "templates/gbt9704.style)", RG_MAX_CONFIG_BYTES / 1024);
    } else {
        rg_diag_add(d, RG_ERROR, path.data, 0, 0,
                    "cannot open the style file: %s (name one with --style)", strerror(errno));
    }
    rg_buf_fini(&text);
    rg_buf_fini(&path);
    return rc;
}

int report_setup_init(report_setup *s, const report_options *opt, rg_diags *d)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    *s = (report_setup){.opt = opt, .epoch = (time_t)-1};
    if (e && *e) {
        char *end;
        errno = 0;
        long long v = strtoll(e, &end, 10);
        if (*end || errno || v < 0)
            rg_diag_add(d, RG_WARNING, "SOURCE_DATE_EPOCH", 0, 0,
                        "not a number of seconds; ignored");
        else
            s->epoch = (time_t)v;
    }
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/report.mustache", opt->template_dir);
    s->template_path = rg_buf_take(&path);
    /* --check renders the template too, so that it fails where a run would. */
    s->report_tmpl = tmpl_load(opt->template_dir, "report.mustache",
                               &(tmpl_options){.escape = doc_escape}, d);
    int rc = s->report_tmpl ? 0 : -1;
    if (!opt->emit_doc && (load_style(opt, &s->style, d) != 0 ||
                           !(s->fonts = pdf_fonts_load(opt->font_dir, d))))
        rc = -1;
    if (s->fonts)
        s->cache = pdf_cache_new(s->fonts, opt->small_compression);
    if (rc == 0 && !opt->check_only && !opt->emit_doc) {
        if (make_dirs(opt->output_dir, d) != 0)
            rc = -1;
        else
            report_remove_stale_temps(opt->output_dir, 0, d);
    }
    if (opt->nmail_to && rc == 0) {
        rg_buf mp = {0};
        rg_buf_printf(&mp, "%s/mail.mustache", opt->template_dir);
        s->mail_template_path = rg_buf_take(&mp);
        s->mail_tmpl = tmpl_load(opt->template_dir, "mail.mustache", NULL, d);
        char *why = NULL;
        if (mail_mailboxes_parse(opt->mail_from, false, &s->mail_from, &s->nmail_from, &why) != 0) {
            rg_diag_add(d, RG_ERROR, "--mail-from", 0, 0, "%s", why);
            free(why);
            rc = -1;
        }
        if (!s->mail_tmpl || (opt->mail_dry_run && make_dirs(opt->mail_dry_run, d) != 0) ||
            (!opt->mail_dry_run && !(s->transport = mail_transport_open(d))))
            rc = -1;
    }
    if (rc == 0 && !(s->loader = model_loader_new())) {
        rg_diag_add(d, RG_ERROR, "parkreport", 0, 0, "cannot compile the input schema");
        rc = -1;
    }
    return rc;
}

void report_setup_fini(report_setup *s)
{
    model_loader_free(s->loader);
    tmpl_free(s->report_tmpl);
    tmpl_free(s->mail_tmpl);
    mail_transport_close(s->transport);
    free(s->mail_template_path);
    mail_mailboxes_free(s->mail_from, s->nmail_from);
    pdf_cache_free(s->cache);
    pdf_fonts_free(s->fonts);
    free(s->template_path);
}

/* --- names and dates ------------------------------------------------------- */

char *report_output_name(const char *dir, const char *input, const char *ext)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t n = strlen(base);
    if (n > 4 && strcasecmp(base + n - 4, ".xml") == 0)
        n -= 4;
    rg_buf p = {0};
    rg_buf_printf(&p, "%s/%.*s%s", dir, (int)n, base, ext);
    return rg_buf_take(&p);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
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
static time_t document_time(const report_setup *s, const model *m)
{
    if (s->epoch != (time_t)-1)
        return s->epoch;
    int y = m->year, mo = 12, d = 31;
    if (m->date)
        sscanf(m->date, "%d-%d-%d", &y, &mo, &d);
    return (time_t)days_from_civil(y, mo, d) * 86400;
}

/* A new empty file in dir, to be renamed over its final name when complete:
 * created with O_EXCL, mode 0666 less the umask like the file it replaces.
 * Its descriptor in *fd, open for reading and writing. */
static char *temp_file(const char *dir, const char *ext, const char *final, int *fd,
                       rg_diags *d)
{
    for (unsigned attempt = 0; attempt < 1000; attempt++) {
        rg_buf p = {0};
        rg_buf_printf(&p, "%s/" TEMP_PREFIX "%ld-%u%s", dir, (long)getpid(), attempt, ext);
        char *name = rg_buf_take(&p);
        *fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (*fd >= 0) {
            flock(*fd, LOCK_EX | LOCK_NB); /* held while this run lives: not stale */
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

/* Writes all n bytes to fd. 0, or -1 with errno set. */
static int write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w, n -= (size_t)w;
    }
    return 0;
}

/* The file at fd, from its start, into out. 0, or -1 with errno set. */
static int read_back(int fd, rg_buf *out)
{
    if (lseek(fd, 0, SEEK_SET) != 0)
        return -1;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        rg_buf_append(out, chunk, (size_t)n);
    }
}

/* True when path still names the file open at fd (nobody swapped it). */
static bool same_file(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* --- one report ------------------------------------------------------------ */

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
        rg_read_file(c->input, MODEL_MAX_FILE_BYTES, &c->text); /* gone meanwhile: no position */
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

/* Each character the layout set that no font has: a warning at its first
 * place in the input. */
static void warn_missing(report_setup *s, const layout_result *laid, const char *input,
                         rg_diags *d)
{
    uint32_t *cps = NULL;
    size_t n = pdf_missing_chars(s->cache, laid, &cps);
    missing_ctx missing = {.input = input, .d = d};
    for (size_t i = 0; i < n; i++)
        missing_glyph(&missing, cps[i]);
    free(cps);
    rg_buf_fini(&missing.text);
}

static doc *make_doc(const report_setup *s, const model *m, rg_diags *d)
{
    tval *data = model_tmpl_data(m);
    rg_buf text = {0};
    doc *document = NULL;
    /* Every name the input lacks is told at once, against the input. */
    if (tmpl_render_collect(s->report_tmpl, data, &text, model_tmpl_missing, (void *)m, d) == 0)
        document = doc_parse(s->template_path, text.data, text.len, d);
    tval_free(data);
    rg_buf_fini(&text);
    return document;
}

/* One output file on its way: its final name, its temporary file, and the
 * bytes it holds once complete (kept for the mail). */
typedef struct output {
    char *final, *temp;
    int fd;
    rg_buf bytes;
} output;

static void output_drop(output *o)
{
    if (o->fd >= 0)
        close(o->fd);
    if (o->temp)
        unlink(o->temp);
    free(o->final), free(o->temp);
    rg_buf_fini(&o->bytes);
    *o = (output){.fd = -1};
}

/* The workbook into its temporary file, then read back through the
 * descriptor that made it. */
static int write_workbook(const model *m, output *o, time_t when, rg_diags *d)
{
    /* libxlsxwriter opens the file by a path: the descriptor's own, so that
     * a name swapped for a link meanwhile cannot send its bytes elsewhere. */
    rg_buf by_fd = {0};
    rg_buf_printf(&by_fd, "/proc/self/fd/%d", o->fd);
    const char *path = access(by_fd.data, W_OK) == 0 ? by_fd.data : o->temp;
    int rc = xlsx_write(m, path, o->final, when, d);
    rg_buf_fini(&by_fd);
    /* Read back through the descriptor made before libxlsxwriter wrote it:
     * what is checked, renamed and mailed is that file's bytes. */
    if (rc == 0 && (!same_file(o->fd, o->temp) || read_back(o->fd, &o->bytes) != 0)) {
        rg_diag_add(d, RG_ERROR, o->final, 0, 0,
                    "the workbook's temporary file was changed while it was written");
        rc = -1;
    }
    return rc;
}

static int verify_pdf(const rg_buf *b, const char *name, rg_diags *d)
{
    bool ok = b->len > 16 && memcmp(b->data, "%PDF-", 5) == 0;
    size_t tail = b->len > 32 ? b->len - 32 : 0;
    ok = ok && memmem(b->data + tail, b->len - tail, "%%EOF", 5) != NULL;
    if (!ok)
        rg_diag_add(d, RG_ERROR, name, 0, 0, "the PDF written is incomplete");
    return ok ? 0 : -1;
}

/* Renames both temporary files into place under a lock on the output
 * folder, so that two runs writing the same names leave one run's pair. */
static int rename_pair(const char *dir, output *pdf, output *xlsx, rg_diags *d)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        while (flock(dfd, LOCK_EX) != 0 && errno == EINTR)
            ;
    int rc = 0;
    output *each[2] = {pdf, xlsx};
    for (int i = 0; i < 2 && rc == 0; i++) {
        output *o = each[i];
        if (!o->temp)
            continue;
        if (!same_file(o->fd, o->temp) || rename(o->temp, o->final) != 0) {
            rg_diag_add(d, RG_ERROR, o->final, 0, 0,
                        "cannot move the finished file into place: %s",
                        errno ? strerror(errno) : "its temporary file was replaced");
            rc = -1;
        } else {
            free(o->temp);
            o->temp = NULL;
        }
    }
    if (dfd >= 0)
        close(dfd); /* and the lock with it */
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

/* A name too long for a file: an error. */
static bool name_fits(const char *final, const char *input, rg_diags *d)
{
    size_t base = strlen(base_name(final));
    if (base > NAME_MAX) {
        rg_diag_add(d, RG_ERROR, input, 0, 0,
                    "the output name %s is longer than the %d bytes a file name may have; "
                    "give the input a shorter name", base_name(final), NAME_MAX);
        return false;
    }
    return true;
}

static bool output_start(output *o, const char *dir, const char *input, const char *ext,
                         rg_diags *d)
{
    o->final = report_output_name(dir, input, ext);
    if (strncmp(base_name(o->final), TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0) {
        rg_diag_add(d, RG_ERROR, input, 0, 0,
                    "a name beginning with %s is taken for a temporary file of parkreport's; "
                    "rename the input", TEMP_PREFIX);
        return false;
    }
    if (!name_fits(o->final, input, d))
        return false;
    o->temp = temp_file(dir, ext, o->final, &o->fd, d);
    return o->temp != NULL;
}

static int write_outputs(report_setup *s, const model *m, const doc *document, const char *input,
                         output *pdf, output *xlsx, rg_diags *d, stage_times *times)
{
    const report_options *o = s->opt;
    if ((o->want_pdf && !output_start(pdf, o->output_dir, input, ".pdf", d)) ||
        (o->want_xlsx && !output_start(xlsx, o->output_dir, input, ".xlsx", d)))
        return -1;
    time_t when = document_time(s, m);
    int rc = 0;
    if (pdf->temp) {
        double t0 = rg_seconds();
        layout_metrics mx = pdf_cache_metrics(s->cache);
        layout_result *laid = layout_run(document, &s->style, &mx);
        times->layout = rg_seconds() - t0;
        warn_missing(s, laid, input, d);
        bool titled = document->nblocks && document->blocks[0].kind == DOC_TITLE;
        pdf_meta meta = {.name = pdf->final,
                         .title = titled ? document->blocks[0].runs[0].text : m->park,
                         .author = m->author ? m->author : m->park,
                         .subject = "工作总结和工作计划",
                         .created = when};
        t0 = rg_seconds();
        rc = pdf_write(s->cache, laid, &s->style, &meta, &pdf->bytes, d);
        layout_free(laid);
        if (rc == 0 && write_all(pdf->fd, pdf->bytes.data, pdf->bytes.len) != 0) {
            rg_diag_add(d, RG_ERROR, pdf->final, 0, 0, "cannot write the PDF: %s", strerror(errno));
            rc = -1;
        }
        times->pdf = rg_seconds() - t0;
        if (rc == 0)
            rc = verify_pdf(&pdf->bytes, pdf->final, d);
    }
    if (rc == 0 && xlsx->temp) {
        double t0 = rg_seconds();
        rc = write_workbook(m, xlsx, when, d);
        times->workbook = rg_seconds() - t0;
    }
    if (rc == 0)
        rc = rename_pair(o->output_dir, pdf, xlsx, d);
    /* -f writes one of the pair: an older file of the other kind beside it
     * is not from this run, and may be from another input of that name. */
    const char *other = !o->want_xlsx ? ".xlsx" : !o->want_pdf ? ".pdf" : NULL;
    char *older = rc == 0 && other ? report_output_name(o->output_dir, input, other) : NULL;
    struct stat st;
    if (older && lstat(older, &st) == 0)
        rg_diag_add(d, RG_WARNING, older, 0, 0,
                    "left as it was, from an earlier run: only the %s was written now (-f)",
                    o->want_pdf ? "PDF" : "workbook");
    free(older);
    if (rc == 0 && o->verbosity > 1)
        say("%s: times: load %.2f ms, template %.2f ms, layout %.2f ms, pdf %.2f ms, "
            "workbook %.2f ms", input, times->load * 1e3, times->templating * 1e3,
               times->layout * 1e3, times->pdf * 1e3, times->workbook * 1e3);
    if (rc == 0 && o->verbosity > 0) {
        if (pdf->final && xlsx->final)
            say("%s: wrote %s and %s", input, pdf->final, xlsx->final);
        else
            say("%s: wrote %s", input, pdf->final ? pdf->final : xlsx->final);
    }
    return rc;
}

/* --- the mail -------------------------------------------------------------- */

/* Writes the message as DIR/NAME.eml, through a temporary name. */
static int write_eml(const char *dir, const char *input, const rg_buf *bytes, rg_diags *d)
{
    output eml = {.fd = -1};
    int rc = -1;
    if (output_start(&eml, dir, input, ".eml", d)) {
        if (write_all(eml.fd, bytes->data, bytes->len) == 0 && rename(eml.temp, eml.final) == 0) {
            free(eml.temp);
            eml.temp = NULL;
            rc = 0;
        } else {
            rg_diag_add(d, RG_ERROR, eml.final, 0, 0, "cannot write the mail: %s", strerror(errno));
        }
    }
    output_drop(&eml);
    return rc;
}

/* The message's text from templates/mail.mustache: 0, or -1 with errors. */
static int mail_text_make(report_setup *s, const model *m, mail_text *mt, rg_diags *d)
{
    tval *data = model_tmpl_data(m);
    mail_clean_data(data); /* no line break from the data in the header lines */
    rg_buf text = {0};
    int rc = tmpl_render(s->mail_tmpl, data, &text, d) == 0 &&
                     mail_text_parse(s->mail_template_path, text.data, mt, d) == 0
                 ? 0
                 : -1;
    tval_free(data);
    rg_buf_fini(&text);
    return rc;
}

/* What a run would do short of writing: the output names checked. (--check
 * cannot be combined with mailing.) */
static int check_outputs(const report_setup *s, const char *input, rg_diags *d)
{
    const report_options *o = s->opt;
    const char *exts[2] = {o->want_pdf ? ".pdf" : NULL, o->want_xlsx ? ".xlsx" : NULL};
    int rc = 0;
    for (int i = 0; i < 2; i++) {
        if (!exts[i])
            continue;
        char *final = report_output_name(o->output_dir, input, exts[i]);
        if (!name_fits(final, input, d))
            rc = -1;
        free(final);
    }
    return rc;
}

/* The input's message to the county, from templates/mail.mustache, with the
 * files just written attached (the bytes written, never a file read again by
 * its name): sent, or written for --mail-dry-run. */
static int mail_report(report_setup *s, const model *m, const char *input, const output *pdf,
                       const output *xlsx, rg_diags *d)
{
    const report_options *o = s->opt;
    mail_text mt = {0};
    int rc = mail_text_make(s, m, &mt, d);
    if (rc != 0) {
        mail_text_fini(&mt);
        return -1;
    }
    mail_part parts[2];
    size_t n = 0;
    if (o->attach_xlsx)
        parts[n++] = (mail_part){xlsx->bytes.data, xlsx->bytes.len,
                                 mt.workbook_name ? mt.workbook_name : base_name(xlsx->final),
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    if (o->attach_pdf)
        parts[n++] = (mail_part){pdf->bytes.data, pdf->bytes.len,
                                 mt.pdf_name ? mt.pdf_name : base_name(pdf->final),
                                 "application/pdf"};
    mail_message msg = {.from = s->mail_from,
                        .to = o->mail_to,
                        .nto = o->nmail_to,
                        .subject = mt.subject,
                        .body = mt.body,
                        .parts = parts,
                        .nparts = n,
                        .date = s->epoch != (time_t)-1 ? s->epoch : time(NULL),
                        .id_seed = input,
                        .user_agent = "parkreport/" PARKREPORT_VERSION};
    rg_buf bytes = {0};
    mail_compose(&msg, &bytes);
    if (o->mail_dry_run) {
        sigset_t old;
        hold_stops(&old);
        rc = write_eml(o->mail_dry_run, input, &bytes, d);
        sigprocmask(SIG_SETMASK, &old, NULL);
    } else {
        rc = mail_send(s->transport, &o->server, s->mail_from[0].addr, o->mail_to, o->nmail_to,
                       &bytes, input, d);
    }
    if (rc == 0 && o->verbosity > 0) {
        if (o->mail_dry_run) {
            char *eml = report_output_name(o->mail_dry_run, input, ".eml");
            say("%s: wrote the mail to %s", input, eml);
            free(eml);
        } else {
            rg_buf to = {0};
            for (size_t i = 0; i < o->nmail_to; i++)
                rg_buf_printf(&to, "%s%s", i ? ", " : "", o->mail_to[i].addr);
            say("%s: mailed to %s", input, to.data);
            rg_buf_fini(&to);
        }
    }
    rg_buf_fini(&bytes);
    mail_text_fini(&mt);
    return rc;
}

int report_run(report_setup *s, const char *input, size_t *warnings)
{
    const report_options *o = s->opt;
    rg_diags d = {0};
    stage_times times = {0};
    double t0 = rg_seconds();
    model *m = model_load(s->loader, input, &d);
    if (m) {
        model_check(m, &d);
        model_chain_load(s->loader, m, &d); /* the reports of the years before, if named */
    }
    times.load = rg_seconds() - t0;
    /* --strict fails this input on its own warnings; those of last year's
     * report (a chain) are shown as they are: that report is filed. */
    for (size_t i = 0; m && o->strict && i < d.count; i++)
        if (d.items[i].severity == RG_WARNING && strcmp(d.items[i].file, input) == 0) {
            d.items[i].severity = RG_ERROR;
            d.errors++, d.warnings--;
        }
    int rc = m && d.errors == 0 ? 0 : -1;
    size_t printed = 0;
    output pdf = {.fd = -1}, xlsx = {.fd = -1};
    if (rc == 0) {
        t0 = rg_seconds();
        doc *document = make_doc(s, m, &d);
        times.templating = rg_seconds() - t0;
        if (!document) {
            rc = -1;
        } else if (o->emit_doc) {
            rg_buf out = {0};
            doc_write(document, &out);
            fputs(out.data, stdout);
            rg_buf_fini(&out);
        } else if (o->check_only) {
            /* Laid out too, so that --check fails where a run would and
             * warns of the same characters no font has. */
            layout_metrics mx = pdf_cache_metrics(s->cache);
            layout_result *laid = layout_run(document, &s->style, &mx);
            warn_missing(s, laid, input, &d);
            layout_free(laid);
            rc = check_outputs(s, input, &d);
        } else {
            /* SIGINT, SIGTERM and SIGHUP wait while the temporary files
             * exist: they take effect once both are renamed into place or
             * removed, so an interrupted run leaves no temporary file and
             * no half-written report. */
            sigset_t old;
            hold_stops(&old);
            rc = write_outputs(s, m, document, input, &pdf, &xlsx, &d, &times);
            if (rc != 0) {
                output_drop(&pdf);
                output_drop(&xlsx);
            }
            fflush(stdout);
            rg_diags_print(stderr, &d, 0); /* before a pending signal ends the process */
            printed = d.count;
            sigprocmask(SIG_SETMASK, &old, NULL);
            if (rc == 0 && o->nmail_to)
                rc = mail_report(s, m, input, &pdf, &xlsx, &d);
        }
        doc_free(document);
    }
    output_drop(&pdf);
    output_drop(&xlsx);
    if (rc == 0 && o->check_only && o->verbosity > 0)
        say("%s: checked", input);
    fflush(stdout);
    rg_diags_print(stderr, &d, printed);
    *warnings = d.warnings;
    rg_diags_fini(&d);
    model_free(m);
    return rc;
}
