/* cli.c - the command line: options, the run's set-up, the inputs, the
 * summary and the exit status. One report's path is report.h; the batch's
 * processes are batch.h. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "report.h"
#include "scaffold.h"

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

/* --scaffold FILE: next year's input on standard output (scaffold.h). */
static int print_scaffold(const char *path)
{
    model_loader *ld = model_loader_new();
    if (!ld)
        return EXIT_INPUT_FAILED;
    rg_diags d = {0};
    model *m = model_load(ld, path, &d);
    rg_diags_print(stderr, &d, 0);
    int status = EXIT_INPUT_FAILED;
    if (m) {
        rg_buf out = {0};
        const char *slash = strrchr(path, '/');
        scaffold_write(m, slash ? slash + 1 : path, &out);
        if (fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0)
            status = EXIT_OK;
        else
            fprintf(stderr, "parkreport: cannot write the scaffold: %s\n", strerror(errno));
        rg_buf_fini(&out);
    }
    model_free(m);
    model_loader_free(ld);
    rg_diags_fini(&d);
    return status;
}

static void usage(FILE *out, const report_options *opt)
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
            "  -j, --jobs N          use N worker processes for several inputs (default: the\n"
            "                        number of processors)\n"
            "  -q, --quiet           print only problems\n"
            "  -v, --verbose         print more\n"
            "      --check           validate and run the consistency checks; write nothing\n"
            "      --strict          treat warnings as errors\n"
            "      --emit-doc        print the document form the template produced; write nothing\n"
            "      --scaffold FILE   print next year's input, made from FILE (this year's), to\n"
            "                        be filled in and saved beside it\n"
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

/* Why the mail options cannot work together, or NULL. Credentials come
 * from the environment, never the command line (where ps shows them). */
static const char *mail_usage(report_options *opt, bool mail_option)
{
    if (!opt->nmail_to)
        return mail_option ? "the mail options need --mail-to" : NULL;
    if (!opt->mail_from)
        return "--mail-to needs --mail-from ADDR, the sender";
    char *from = mail_address(opt->mail_from);
    bool valid = from != NULL;
    free(from);
    if (!valid)
        return "--mail-from is not an email address: give \"addr\" or \"Name <addr>\", the "
               "address ASCII without blanks, with one @, at most 254 characters and 64 before "
               "the @";
    if (!opt->server.url && !opt->mail_dry_run)
        return "--mail-to needs --smtp URL, or --mail-dry-run DIR to write the messages instead";
    if (opt->server.url && mail_url_problem(opt->server.url))
        return mail_url_problem(opt->server.url);
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

static void free_mail_to(report_options *opt)
{
    mail_mailboxes_free(opt->mail_to, opt->nmail_to);
    opt->mail_to = NULL;
    opt->nmail_to = 0;
}

static int parkreport(int argc, char **argv, const char *share_templates, const char *share_fonts)
{
    report_options opt = {.output_dir = "out", .want_pdf = true, .want_xlsx = true, .verbosity = 1,
                   .template_dir = share_templates ? share_templates : PARKREPORT_TEMPLATE_DIR,
                   .font_dir = share_fonts ? share_fonts : PARKREPORT_FONT_DIR};
    opt.attach_xlsx = true;
    opt.server.timeout = 30;
    opt.server.retries = 3;
    enum { OPT_CHECK = 256, OPT_STRICT, OPT_TEMPLATES, OPT_FONTS, OPT_STYLE, OPT_EMIT_DOC,
           OPT_MAIL_TO, OPT_MAIL_FROM, OPT_SMTP, OPT_MAIL_ATTACH, OPT_MAIL_DRY_RUN,
           OPT_SMTP_INSECURE, OPT_SMTP_TIMEOUT, OPT_SMTP_RETRIES, OPT_PDF_COMPRESSION,
           OPT_SCAFFOLD };
    const char *scaffold_from = NULL;
    bool mail_option = false; /* any of them, which need --mail-to */
    int jobs_asked = 0;       /* -j; 0: every processor */
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"templates", required_argument, NULL, OPT_TEMPLATES},
        {"fonts", required_argument, NULL, OPT_FONTS},
        {"style", required_argument, NULL, OPT_STYLE},
        {"check", no_argument, NULL, OPT_CHECK},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"emit-doc", no_argument, NULL, OPT_EMIT_DOC},
        {"scaffold", required_argument, NULL, OPT_SCAFFOLD},
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
            jobs_asked = (int)n;
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
        case OPT_SCAFFOLD:
            scaffold_from = optarg;
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
            mail_mailbox *list;
            size_t n;
            char *why;
            if (mail_mailboxes_parse(optarg, true, &list, &n, &why) != 0) {
                fprintf(stderr, "parkreport: --mail-to: %s\n", why);
                free(why);
                return free_mail_to(&opt), EXIT_USAGE;
            }
            void *arr = opt.mail_to;
            size_t cap = opt.nmail_to;
            xgrow(&arr, &cap, opt.nmail_to + n, sizeof *opt.mail_to);
            opt.mail_to = arr;
            memcpy(opt.mail_to + opt.nmail_to, list, n * sizeof *list);
            opt.nmail_to += n;
            free(list); /* the entries' strings are now opt.mail_to's */
            break;
        }
        case OPT_MAIL_FROM:
            opt.mail_from = optarg;
            mail_option = true;
            break;
        case OPT_SMTP:
            opt.server.url = optarg; /* checked in mail_usage, never printed: it may hold a password */
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
    if (scaffold_from) {
        if (optind < argc || mail_option || opt.nmail_to) {
            fprintf(stderr, "parkreport: --scaffold takes one file and prints; give no inputs "
                            "or mail options with it\n");
            return free_mail_to(&opt), EXIT_USAGE;
        }
        return free_mail_to(&opt), print_scaffold(scaffold_from);
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

    report_setup setup;
    rg_diags d = {0};
    int status = report_setup_init(&setup, &opt, &d) == 0 ? EXIT_OK : EXIT_INPUT_FAILED;
    rg_diags_print(stderr, &d, 0);
    rg_diags_fini(&d);
    if (status == EXIT_OK) {
        batch_inputs in = {0};
        for (int i = optind; i < argc; i++)
            batch_add(&in, argv[i], &d);
        size_t clashes = opt.check_only || opt.emit_doc ? 0 : batch_refuse_clashes(&in, opt.output_dir, &d);
        rg_diags_print(stderr, &d, 0);
        rg_diags_fini(&d);
        int processors = (int)sysconf(_SC_NPROCESSORS_ONLN);
        int jobs = jobs_asked > 0 ? jobs_asked : processors;
        if (jobs < 1 || opt.emit_doc) /* the document forms in input order */
            jobs = 1;
        batch_tally t = {.failed = clashes};
        double start = rg_seconds();
        batch_run(&setup, &in, jobs, opt.verbosity > 0, &t);
        if (t.failed)
            status = EXIT_INPUT_FAILED;
        if (opt.verbosity > 0 && in.n > 1 && isatty(STDERR_FILENO))
            fputs("\r\033[K", stderr);
        if (opt.verbosity > 0 && in.n > 1 && !opt.emit_doc)
            fprintf(stderr, "parkreport: %zu %s, %zu failed, %zu warning%s, %.2f s\n",
                    t.done + clashes - t.failed, opt.check_only ? "checked" : "written", t.failed, t.warnings, t.warnings == 1 ? "" : "s",
                    rg_seconds() - start);
        batch_free(&in);
    }
    report_setup_fini(&setup);
    free_mail_to(&opt);
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
