/* pdf_haru.c - see pdf.h. libharu's error handler records into a context
 * passed as user data (no global jmp_buf); every step checks it. */
#include "pdf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <hpdf.h>

typedef struct haru_ctx {
    HPDF_STATUS error;
    HPDF_STATUS detail;
} haru_ctx;

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
    haru_ctx *c = user;
    if (!c->error) {
        c->error = error;
        c->detail = detail;
    }
}

static const char *const role_names[] = {[PDF_FONT_BODY] = "body", [PDF_FONT_HEADING] = "heading"};
#define NROLES (int)(sizeof role_names / sizeof *role_names)

int pdf_fonts_load(pdf_options *opt, const char *dir, rg_diags *diags)
{
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/fonts.conf", dir);
    FILE *f = fopen(path.data, "r");
    if (!f) {
        rg_diag_add(diags, RG_ERROR, path.data, 0, 0,
                    "cannot open the font configuration: %s (name another folder with --fonts)",
                    strerror(errno));
        rg_buf_fini(&path);
        return -1;
    }
    size_t errors = diags->errors;
    rg_buf line = {0};
    int lineno = 0, c;
    bool more = true;
    while (more) {
        line.len = 0;
        rg_buf_append(&line, "", 0);
        while ((c = fgetc(f)) != EOF && c != '\n')
            rg_buf_putc(&line, (char)c);
        more = c != EOF;
        lineno++;
        char *s = line.data, *hash = strchr(s, '#');
        if (hash)
            *hash = '\0';
        char role[32], file[4096];
        int face = 0, consumed = 0;
        int n = sscanf(s, " %31s %4095s %n", role, file, &consumed);
        if (n <= 0)
            continue; /* blank or comment */
        int col = (int)(strspn(s, " \t") + 1);
        int r = 0;
        while (r < NROLES && strcmp(role, role_names[r]) != 0)
            r++;
        if (r == NROLES || n < 2) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, col,
                        n < 2 ? "expected ROLE FILE [FACE]" : "unknown role \"%s\" (the roles are body and heading)",
                        role);
            continue;
        }
        const char *rest = s + consumed;
        if (*rest) {
            char *end;
            long v = strtol(rest, &end, 10);
            if (end == rest || v < 0 || v > 255 || end[strspn(end, " \t\r")] != '\0') {
                rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)(rest - s) + 1,
                            "the face index must be a number from 0 to 255");
                continue;
            }
            face = (int)v;
        }
        rg_buf full = {0};
        if (file[0] == '/')
            rg_buf_puts(&full, file);
        else
            rg_buf_printf(&full, "%s/%s", dir, file);
        FILE *probe = fopen(full.data, "rb");
        if (!probe) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)(strstr(s, file) - s) + 1,
                        "cannot open the %s font %s: %s", role, full.data, strerror(errno));
            rg_buf_fini(&full);
            continue;
        }
        fclose(probe);
        free(opt->fonts[r].path);
        opt->fonts[r].path = rg_buf_take(&full);
        opt->fonts[r].index = face;
    }
    fclose(f);
    for (int r = 0; r < NROLES && diags->errors == errors; r++)
        if (!opt->fonts[r].path)
            rg_diag_add(diags, RG_ERROR, path.data, 0, 0, "no font is named for the role %s",
                        role_names[r]);
    opt->nfonts = NROLES;
    rg_buf_fini(&line);
    rg_buf_fini(&path);
    return diags->errors == errors ? 0 : -1;
}

void pdf_options_fini(pdf_options *opt)
{
    for (int i = 0; i < PDF_MAX_FONTS; i++) {
        free(opt->fonts[i].path);
        opt->fonts[i].path = NULL;
    }
}

typedef struct pdf_job {
    HPDF_Doc pdf;
    haru_ctx err;
    HPDF_Font fonts[PDF_MAX_FONTS];
    int nfonts;
    const char *path;
    rg_diags *diags;
} pdf_job;

static int fail(pdf_job *j, const char *what)
{
    rg_diag_add(j->diags, RG_ERROR, j->path, 0, 0,
                "cannot write the PDF: %s (libharu error 0x%04X, detail %u)", what,
                (unsigned)j->err.error, (unsigned)j->err.detail);
    return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int load_font(pdf_job *j, const pdf_font_file *ff)
{
    FILE *probe = fopen(ff->path, "rb");
    if (!probe) {
        rg_diag_add(j->diags, RG_ERROR, ff->path, 0, 0,
                    "cannot open the font file; install the package that provides it "
                    "(see README) or name another font");
        return -1;
    }
    fclose(probe);
    j->err.error = 0;
    const char *name = ends_with(ff->path, ".ttc") || ends_with(ff->path, ".TTC")
                           ? HPDF_LoadTTFontFromFile2(j->pdf, ff->path, (HPDF_UINT)ff->index, HPDF_TRUE)
                           : HPDF_LoadTTFontFromFile(j->pdf, ff->path, HPDF_TRUE);
    /* A truncated font returns NULL without calling the handler: test both. */
    HPDF_Font font = name && !j->err.error ? HPDF_GetFont(j->pdf, name, "UTF-8") : NULL;
    if (!font || j->err.error) {
        rg_diag_add(j->diags, RG_ERROR, ff->path, 0, 0,
                    "libharu cannot use this font (error 0x%04X, detail %u): it must be a "
                    "TrueType font (glyf outlines, not CFF/OpenType) that allows embedding",
                    (unsigned)j->err.error, (unsigned)j->err.detail);
        return -1;
    }
    /* Measuring marks a glyph for embedding. Marking ASCII first keeps
     * libharu 2.3.0 from losing base glyphs to nested composites (ⅰ eating i). */
    for (HPDF_UNICODE c = 0x20; c < 0x7F; c++)
        HPDF_Font_GetUnicodeWidth(font, c);
    j->fonts[j->nfonts++] = font;
    return 0;
}

static double advance(void *ud, int font, uint32_t cp)
{
    pdf_job *j = ud;
    if (font < 0 || font >= j->nfonts)
        font = 0;
    if (cp > 0xFFFF)
        cp = 0xFFFD; /* libharu's code units are 16-bit */
    return (double)HPDF_Font_GetUnicodeWidth(j->fonts[font], (HPDF_UNICODE)cp);
}

static void set_info(pdf_job *j, const pdf_options *opt)
{
    if (opt->title)
        HPDF_SetInfoAttr(j->pdf, HPDF_INFO_TITLE, opt->title);
    if (opt->author)
        HPDF_SetInfoAttr(j->pdf, HPDF_INFO_AUTHOR, opt->author);
    HPDF_SetInfoAttr(j->pdf, HPDF_INFO_CREATOR, "parkreport");
    if (opt->created != (time_t)-1) {
        struct tm tm;
        gmtime_r(&opt->created, &tm);
        HPDF_Date date = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec, 'Z', 0, 0};
        HPDF_SetInfoDateAttr(j->pdf, HPDF_INFO_CREATION_DATE, date);
        HPDF_SetInfoDateAttr(j->pdf, HPDF_INFO_MOD_DATE, date);
    }
}

static int draw_pages(pdf_job *j, const layout_result *r, const layout_style *st)
{
    for (int page = 0; page < r->npages; page++) {
        HPDF_Page p = HPDF_AddPage(j->pdf);
        if (!p || j->err.error)
            return fail(j, "cannot add a page");
        HPDF_Page_SetWidth(p, (HPDF_REAL)st->page_w);
        HPDF_Page_SetHeight(p, (HPDF_REAL)st->page_h);
        for (size_t i = 0; i < r->nitems; i++) {
            const layout_item *it = &r->items[i];
            if (it->page != page || it->text || it->fill <= 0)
                continue;
            HPDF_Page_SetGrayFill(p, (HPDF_REAL)it->fill);
            HPDF_Page_Rectangle(p, (HPDF_REAL)it->x, (HPDF_REAL)(st->page_h - it->y2),
                                (HPDF_REAL)(it->x2 - it->x), (HPDF_REAL)(it->y2 - it->y));
            HPDF_Page_Fill(p);
        }
        HPDF_Page_SetGrayFill(p, 0);
        HPDF_Page_BeginText(p);
        int font = -1;
        double size = 0;
        /* Repeated table headers are appended after the rest: scan them all. */
        for (size_t i = 0; i < r->nitems; i++) {
            const layout_item *it = &r->items[i];
            if (it->page != page || !it->text)
                continue;
            if (it->font != font || it->size != size) {
                font = it->font;
                size = it->size;
                HPDF_Page_SetFontAndSize(p, j->fonts[font], (HPDF_REAL)size);
            }
            HPDF_Page_TextOut(p, (HPDF_REAL)it->x, (HPDF_REAL)(st->page_h - it->y), it->text);
        }
        /* Page number "— N —", centred below the text block. */
        char num[48];
        snprintf(num, sizeof num, "\xE2\x80\x94 %d \xE2\x80\x94", page + 1);
        HPDF_Font nf = j->fonts[st->page_number.font < j->nfonts ? st->page_number.font : 0];
        HPDF_Page_SetFontAndSize(p, nf, (HPDF_REAL)st->page_number.size);
        double w = HPDF_Page_TextWidth(p, num);
        HPDF_Page_TextOut(p, (HPDF_REAL)((st->page_w - w) / 2),
                          (HPDF_REAL)(st->page_h - (st->margin_top + st->block_h + st->page_number_gap)),
                          num);
        HPDF_Page_EndText(p);
        bool ruled = false;
        for (size_t i = 0; i < r->nitems; i++) {
            const layout_item *it = &r->items[i];
            if (it->page != page || it->text || it->fill > 0)
                continue;
            if (!ruled)
                HPDF_Page_SetLineWidth(p, 0.75);
            ruled = true;
            HPDF_Page_MoveTo(p, (HPDF_REAL)it->x, (HPDF_REAL)(st->page_h - it->y));
            HPDF_Page_LineTo(p, (HPDF_REAL)it->x2, (HPDF_REAL)(st->page_h - it->y2));
        }
        if (ruled)
            HPDF_Page_Stroke(p);
        if (j->err.error)
            return fail(j, "cannot draw the page");
    }
    return 0;
}

int pdf_write(const doc *d, const layout_style *st, const pdf_options *opt, const char *path,
              rg_diags *diags)
{
    pdf_job j = {.path = path, .diags = diags};
    j.pdf = HPDF_New(on_error, &j.err);
    if (!j.pdf) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot start a PDF document (out of memory?)");
        return -1;
    }
    int rc = -1;
    layout_result *r = NULL;
    if (HPDF_SetCompressionMode(j.pdf, HPDF_COMP_ALL) != HPDF_OK ||
        HPDF_UseUTFEncodings(j.pdf) != HPDF_OK || HPDF_SetCurrentEncoder(j.pdf, "UTF-8") != HPDF_OK) {
        fail(&j, "cannot set up UTF-8 text");
        goto done;
    }
    for (int i = 0; i < opt->nfonts; i++)
        if (load_font(&j, &opt->fonts[i]) != 0)
            goto done;
    set_info(&j, opt);
    layout_metrics mx = {&j, advance};
    r = layout_run(d, st, &mx);
    if (draw_pages(&j, r, st) != 0)
        goto done;
    if (HPDF_SaveToFile(j.pdf, path) != HPDF_OK || j.err.error) {
        fail(&j, "cannot save the file");
        goto done;
    }
    rc = 0;
done:
    layout_free(r);
    HPDF_Free(j.pdf);
    return rc;
}
