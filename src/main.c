/* main.c - the command line: options, the loop over inputs, exit status and
 * atomic output. Each input goes XML -> model -> template -> document ->
 * layout -> PDF, and model -> workbook; its files appear under their final
 * names only when both are complete and checked. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doc.h"
#include "layout.h"
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

typedef struct options {
    const char *output_dir;
    const char *template_dir;
    const char *font_dir;
    const char *style_file; /* NULL: TEMPLATE_DIR/gbt9704.style */
    bool check_only, strict, emit_doc;
} options;

typedef struct run {
    const options *opt;
    model_loader *loader;
    tmpl *report_tmpl;
    char *template_path;
    pdf_options fonts; /* the font files, read once */
    layout_style style; /* the page, read once */
    time_t epoch; /* SOURCE_DATE_EPOCH, or -1 */
} run;

/* Reads the style file: the page and type sizes (layout.h). */
static int load_style(const options *opt, layout_style *st, rg_diags *d)
{
    rg_buf path = {0};
    if (opt->style_file)
        rg_buf_puts(&path, opt->style_file);
    else
        rg_buf_printf(&path, "%s/gbt9704.style", opt->template_dir);
    FILE *f = fopen(path.data, "rb");
    rg_buf text = {0};
    int rc = -1;
    if (!f && !opt->style_file && errno == ENOENT) {
        layout_style_gbt9704(st); /* a templates folder without one: GB/T 9704 */
        rc = 0;
    } else if (!f) {
        rg_diag_add(d, RG_ERROR, path.data, 0, 0, "cannot open the style file: %s (name one with --style)",
                    strerror(errno));
    } else {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            rg_buf_append(&text, chunk, n);
        if (ferror(f))
            rg_diag_add(d, RG_ERROR, path.data, 0, 0, "cannot read the style file");
        else
            rc = layout_style_parse(path.data, text.data ? text.data : "", text.len, st, d);
        fclose(f);
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
        FILE *f = fopen(c->input, "rb");
        char chunk[8192];
        size_t n;
        while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
            rg_buf_append(&c->text, chunk, n);
        if (f)
            fclose(f);
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
            "for each NAME.xml.\n"
            "\n"
            "  -o, --output DIR      write into DIR (default: out)\n"
            "      --templates DIR   read report.mustache from DIR (default: %s)\n"
            "      --fonts DIR       read fonts.conf from DIR (default: %s)\n"
            "      --style FILE      the page and type sizes (default: gbt9704.style in the\n"
            "                        templates folder)\n"
            "      --check           validate and run the consistency checks; write nothing\n"
            "      --strict          treat warnings as errors\n"
            "      --emit-doc        print the document form the template produced; write nothing\n"
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

static int write_outputs(run *r, const model *m, const doc *document, const char *input,
                         rg_diags *d)
{
    char *pdf_path = output_name(r->opt->output_dir, input, ".pdf");
    char *xlsx_path = output_name(r->opt->output_dir, input, ".xlsx");
    char *pdf_tmp = temp_name(pdf_path, d);
    char *xlsx_tmp = pdf_tmp ? temp_name(xlsx_path, d) : NULL;
    int rc = -1;
    if (pdf_tmp && xlsx_tmp) {
        time_t when = document_time(r, m);
        pdf_options popt = r->fonts;
        bool titled = document->nblocks && document->blocks[0].kind == DOC_TITLE;
        popt.title = titled ? document->blocks[0].runs[0].text : m->park;
        popt.author = m->author ? m->author : m->park;
        popt.subject = "工作总结和工作计划";
        popt.created = when;
        missing_ctx missing = {.input = input, .d = d};
        popt.missing = missing_glyph;
        popt.missing_ud = &missing;
        rc = pdf_write(document, &r->style, &popt, pdf_tmp, d);
        rg_buf_fini(&missing.text);
        if (rc == 0)
            rc = verify_pdf(pdf_tmp, d);
        if (rc == 0)
            rc = xlsx_write(m, xlsx_tmp, r->opt->output_dir, when, d);
        if (rc == 0 && (rename(pdf_tmp, pdf_path) != 0 || rename(xlsx_tmp, xlsx_path) != 0)) {
            rg_diag_add(d, RG_ERROR, pdf_path, 0, 0, "cannot move the finished file into place: %s",
                        strerror(errno));
            rc = -1;
        }
    }
    if (pdf_tmp)
        unlink(pdf_tmp); /* gone already after a successful rename */
    if (xlsx_tmp)
        unlink(xlsx_tmp);
    if (rc == 0)
        printf("%s: wrote %s and %s\n", input, pdf_path, xlsx_path);
    free(pdf_tmp), free(xlsx_tmp), free(pdf_path), free(xlsx_path);
    return rc;
}

static int process(run *r, const char *input)
{
    rg_diags d = {0};
    model *m = model_load(r->loader, input, &d);
    if (m)
        model_check(m, &d);
    if (m && r->opt->strict && d.warnings) {
        for (size_t i = 0; i < d.count; i++)
            d.items[i].severity = RG_ERROR;
        d.errors += d.warnings;
        d.warnings = 0;
    }
    int rc = m && d.errors == 0 ? 0 : -1;
    size_t printed = 0;
    if (rc == 0 && !r->opt->check_only) {
        doc *document = make_doc(r, m, &d);
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
            sigset_t stop, old;
            sigemptyset(&stop);
            sigaddset(&stop, SIGINT);
            sigaddset(&stop, SIGTERM);
            sigaddset(&stop, SIGHUP);
            sigprocmask(SIG_BLOCK, &stop, &old);
            rc = write_outputs(r, m, document, input, &d);
            fflush(stdout);
            print_diags(&d, 0); /* before a pending signal ends the process */
            printed = d.count;
            sigprocmask(SIG_SETMASK, &old, NULL);
        }
        doc_free(document);
    }
    fflush(stdout);
    print_diags(&d, printed);
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

static int parkreport(int argc, char **argv, const char *share_templates, const char *share_fonts)
{
    options opt = {.output_dir = "out",
                   .template_dir = share_templates ? share_templates : PARKREPORT_TEMPLATE_DIR,
                   .font_dir = share_fonts ? share_fonts : PARKREPORT_FONT_DIR};
    enum { OPT_CHECK = 256, OPT_STRICT, OPT_TEMPLATES, OPT_FONTS, OPT_STYLE, OPT_EMIT_DOC };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"templates", required_argument, NULL, OPT_TEMPLATES},
        {"fonts", required_argument, NULL, OPT_FONTS},
        {"style", required_argument, NULL, OPT_STYLE},
        {"check", no_argument, NULL, OPT_CHECK},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"emit-doc", no_argument, NULL, OPT_EMIT_DOC},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:Vh", longopts, NULL)) != -1) {
        switch (c) {
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
        case 'V':
            printf("parkreport %s\n", PARKREPORT_VERSION);
            return EXIT_OK;
        case 'h':
            usage(stdout, &opt);
            return EXIT_OK;
        default:
            fprintf(stderr, "Try 'parkreport --help' for more information.\n");
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "parkreport: no input given\n");
        usage(stderr, &opt);
        return EXIT_USAGE;
    }

    run r = {.opt = &opt, .epoch = source_date_epoch()};
    rg_diags d = {0};
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/report.mustache", opt.template_dir);
    r.template_path = rg_buf_take(&path);
    int status = EXIT_OK;
    if (!opt.check_only) {
        r.report_tmpl = tmpl_load(opt.template_dir, "report.mustache", &d);
        if (!r.report_tmpl)
            status = EXIT_INPUT_FAILED;
        if (!opt.emit_doc && (load_style(&opt, &r.style, &d) != 0 ||
                              pdf_fonts_load(&r.fonts, opt.font_dir, &d) != 0 ||
                              ensure_dir(opt.output_dir) != 0))
            status = EXIT_INPUT_FAILED;
    }
    print_diags(&d, 0);
    rg_diags_fini(&d);
    if (status == EXIT_OK) {
        r.loader = model_loader_new();
        if (!r.loader)
            status = EXIT_INPUT_FAILED;
        for (int i = optind; r.loader && i < argc; i++)
            if (process(&r, argv[i]) != 0)
                status = EXIT_INPUT_FAILED;
    }
    model_loader_free(r.loader);
    tmpl_free(r.report_tmpl);
    pdf_options_fini(&r.fonts);
    free(r.template_path);
    return status;
}

int main(int argc, char **argv)
{
    char *templates = installed_dir("templates"), *fonts = installed_dir("fonts");
    int status = parkreport(argc, argv, templates, fonts);
    free(templates);
    free(fonts);
    return status;
}
