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

static const char *const role_names[PDF_NROLES] = {
    [PDF_ROLE_BODY] = "body", [PDF_ROLE_TITLE] = "title", [PDF_ROLE_H1] = "heading1",
    [PDF_ROLE_H2] = "heading2", [PDF_ROLE_FALLBACK] = "fallback"};

/* The next blank-separated word of s at *i, or NULL at the end. */
static char *next_word(const char *s, size_t *i, size_t *at)
{
    while (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r')
        (*i)++;
    if (!s[*i])
        return NULL;
    *at = *i;
    while (s[*i] && s[*i] != ' ' && s[*i] != '\t' && s[*i] != '\r')
        (*i)++;
    return xstrndup(s + *at, *i - *at);
}

/* The file of a role, opened once however many roles name it. */
static int add_file(pdf_options *opt, const char *path, int face, const char *conf, int lineno,
                    int col, const char *role, rg_diags *diags)
{
    for (int k = 0; k < opt->nfiles; k++)
        if (strcmp(opt->files[k].path, path) == 0 && opt->files[k].index == face)
            return k;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        rg_diag_add(diags, RG_ERROR, conf, lineno, col, "cannot open the %s font %s: %s", role,
                    path, strerror(errno));
        return -1;
    }
    fclose(probe);
    font_face *ff = font_face_open(path, face, diags);
    if (!ff)
        return -1;
    pdf_font_file *f = &opt->files[opt->nfiles];
    f->path = xstrdup(path);
    f->index = face;
    f->face = ff;
    return opt->nfiles++;
}

int pdf_fonts_load(pdf_options *opt, const char *dir, rg_diags *diags)
{
    for (int r = 0; r < PDF_NROLES; r++)
        opt->role_file[r] = -1;
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
        size_t i = 0, role_at = 0, file_at = 0, face_at = 0;
        char *role = next_word(s, &i, &role_at);
        if (!role)
            continue; /* blank or comment */
        char *file = next_word(s, &i, &file_at);
        char *face_text = file ? next_word(s, &i, &face_at) : NULL;
        char *extra = face_text ? next_word(s, &i, &face_at) : NULL;
        int r = 0;
        while (r < PDF_NROLES && strcmp(role, role_names[r]) != 0)
            r++;
        int face = 0;
        char *end = NULL;
        long v = face_text ? strtol(face_text, &end, 10) : 0;
        if (r == PDF_NROLES) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)role_at + 1,
                        "unknown role \"%s\" (the roles are body, title, heading1, heading2 and "
                        "fallback)", role);
        } else if (!file) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)role_at + 1,
                        "expected ROLE FILE [FACE]");
        } else if (face_text && (*end || v < 0 || v > 255 || extra)) {
            rg_diag_add(diags, RG_ERROR, path.data, lineno, (int)face_at + 1,
                        "the face index must be a number from 0 to 255, and nothing may follow it");
        } else {
            face = (int)v;
            rg_buf full = {0};
            if (file[0] == '/')
                rg_buf_puts(&full, file);
            else
                rg_buf_printf(&full, "%s/%s", dir, file);
            int k = add_file(opt, full.data, face, path.data, lineno, (int)file_at + 1, role, diags);
            if (k >= 0)
                opt->role_file[r] = k;
            rg_buf_fini(&full);
        }
        free(role);
        free(file);
        free(face_text);
        free(extra);
    }
    fclose(f);
    for (int r = 0; r < PDF_NROLES && diags->errors == errors; r++)
        if (opt->role_file[r] < 0 && r != PDF_ROLE_FALLBACK)
            rg_diag_add(diags, RG_ERROR, path.data, 0, 0, "no font is named for the role %s",
                        role_names[r]);
    rg_buf_fini(&line);
    rg_buf_fini(&path);
    return diags->errors == errors ? 0 : -1;
}

void pdf_options_fini(pdf_options *opt)
{
    for (int i = 0; i < opt->nfiles; i++) {
        free(opt->files[i].path);
        font_face_close(opt->files[i].face);
    }
    opt->nfiles = 0;
}

/* The code points each font file draws, in the order first met: cps[i] is
 * drawn as FONT_PUA_FIRST + i, the subset's renumbered code (font.h). */
typedef struct pua_entry {
    uint32_t cp, index;
} pua_entry;

typedef struct used_chars {
    uint32_t *cps;
    size_t n, cap;
    unsigned char *seen; /* a bit per code point */
    pua_entry *by_cp;    /* cps sorted, to find a character's index */
} used_chars;

static void use(used_chars *u, uint32_t cp)
{
    if (cp > 0x10FFFF || (u->seen[cp >> 3] & (1u << (cp & 7))))
        return;
    u->seen[cp >> 3] |= (unsigned char)(1u << (cp & 7));
    void *arr = u->cps;
    xgrow(&arr, &u->cap, u->n + 1, sizeof *u->cps);
    u->cps = arr;
    u->cps[u->n++] = cp;
}

static void use_text(used_chars *u, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;)
        use(u, rg_utf8_next(s, n, &i));
}

static int by_cp(const void *a, const void *b)
{
    uint32_t x = ((const pua_entry *)a)->cp, y = ((const pua_entry *)b)->cp;
    return (x > y) - (x < y);
}

static void index_chars(used_chars *u)
{
    u->by_cp = xcalloc(u->n ? u->n : 1, sizeof *u->by_cp);
    for (size_t i = 0; i < u->n; i++)
        u->by_cp[i] = (pua_entry){u->cps[i], (uint32_t)i};
    qsort(u->by_cp, u->n, sizeof *u->by_cp, by_cp);
}

/* text with each character replaced by its private-use code in the subset. */
static void pua_text(const used_chars *u, const char *text, rg_buf *out)
{
    out->len = 0;
    rg_buf_append(out, "", 0);
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        pua_entry key = {rg_utf8_next(text, n, &i), 0};
        const pua_entry *e = bsearch(&key, u->by_cp, u->n, sizeof *u->by_cp, by_cp);
        rg_utf8_put(out, e ? FONT_PUA_FIRST + e->index : 0xFFFD);
    }
}

typedef struct pdf_job {
    HPDF_Doc pdf;
    haru_ctx err;
    HPDF_Font fonts[PDF_NROLES]; /* by file */
    const used_chars *used;      /* by file */
    const pdf_options *opt;
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

/* libharu 2.3.0 writes an invalid ToUnicode CMap (a CID range, and
 * Ordering "Identity-H"), which poppler warns about and other extractors may
 * not read. The CIDs are the subset's private-use codes (font.h), so the
 * valid map sends each back to its character. libharu's exported object
 * functions let us put it in place of the old one. */
static int fix_font(pdf_job *j, HPDF_Font font, const uint32_t *used, size_t nused)
{
    HPDF_Doc pdf = j->pdf;
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    rg_buf cmap = {0};
    rg_buf_puts(&cmap, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                       "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                       "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                       "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    /* Each private-use code back to its character (UTF-16 beyond the BMP). */
    for (size_t i = 0; i < nused; i++) {
        if (i % 100 == 0) /* at most 100 entries a block */
            rg_buf_printf(&cmap, "%zu beginbfchar\n", nused - i < 100 ? nused - i : 100);
        uint32_t cp = used[i];
        rg_buf_printf(&cmap, "<%04X> <", (unsigned)(FONT_PUA_FIRST + i));
        if (cp > 0xFFFF)
            rg_buf_printf(&cmap, "%04X%04X>\n", 0xD800 + ((cp - 0x10000) >> 10),
                          0xDC00 + ((cp - 0x10000) & 0x3FF));
        else
            rg_buf_printf(&cmap, "%04X>\n", (unsigned)cp);
        if ((i + 1) % 100 == 0 || i + 1 == nused)
            rg_buf_puts(&cmap, "endbfchar\n");
    }
    rg_buf_puts(&cmap, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    HPDF_Dict stream = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    HPDF_STATUS st = stream ? HPDF_Stream_WriteStr(stream->stream, cmap.data) : HPDF_FAILD_TO_ALLOC_MEM;
    rg_buf_fini(&cmap);
    if (stream && st == HPDF_OK) {
        stream->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        st = HPDF_Dict_Add(font, "ToUnicode", stream);
    }
    HPDF_Dict info = attr && attr->descendant_font
                         ? HPDF_Dict_GetItem(attr->descendant_font, "CIDSystemInfo", HPDF_OCLASS_DICT)
                         : NULL;
    if (st == HPDF_OK && info)
        st = HPDF_Dict_Add(info, "Ordering", HPDF_String_New(pdf->mmgr, "Identity", NULL));
    if (st != HPDF_OK || j->err.error || !info)
        return fail(j, "cannot attach a valid ToUnicode map to a font");
    return 0;
}

/* Loads the subset of font file k written to `subset`; messages name the
 * original file. `used` lists the code points, which are all marked for
 * embedding so that libharu 2.3.0 keeps the parts of composite glyphs. */
static int load_font(pdf_job *j, int k, const char *subset, const uint32_t *used, size_t nused)
{
    const char *original = j->opt->files[k].path;
    j->err.error = 0;
    const char *name = HPDF_LoadTTFontFromFile(j->pdf, subset, HPDF_TRUE);
    /* A truncated font returns NULL without calling the handler: test both. */
    HPDF_Font font = name && !j->err.error ? HPDF_GetFont(j->pdf, name, "UTF-8") : NULL;
    if (!font || j->err.error) {
        rg_diag_add(j->diags, RG_ERROR, original, 0, 0,
                    "libharu cannot use this font (error 0x%04X, detail %u): it must be a "
                    "TrueType font (glyf outlines, not CFF/OpenType) that allows embedding",
                    (unsigned)j->err.error, (unsigned)j->err.detail);
        return -1;
    }
    for (size_t i = 0; i < nused; i++)
        HPDF_Font_GetUnicodeWidth(font, (HPDF_UNICODE)(FONT_PUA_FIRST + i));
    j->fonts[k] = font;
    return fix_font(j, font, used, nused);
}

/* The file a layout font (a role) is set in; a role without one, the body's. */
static int file_of(const pdf_options *opt, int font)
{
    int k = font >= 0 && font < PDF_NROLES ? opt->role_file[font] : -1;
    return k >= 0 ? k : opt->role_file[PDF_ROLE_BODY];
}

static const font_face *role_face(const pdf_options *opt, int font)
{
    return opt->files[file_of(opt, font)].face;
}

static double advance(void *ud, int font, uint32_t cp)
{
    return font_face_advance(role_face(ud, font), cp);
}

static bool has(void *ud, int font, uint32_t cp)
{
    const pdf_options *opt = ud;
    if (font == PDF_ROLE_FALLBACK && opt->role_file[PDF_ROLE_FALLBACK] < 0)
        return false;
    return font_face_has(role_face(opt, font), cp);
}

static void set_info(pdf_job *j, const pdf_options *opt)
{
    if (opt->title)
        HPDF_SetInfoAttr(j->pdf, HPDF_INFO_TITLE, opt->title);
    if (opt->author)
        HPDF_SetInfoAttr(j->pdf, HPDF_INFO_AUTHOR, opt->author);
    if (opt->subject)
        HPDF_SetInfoAttr(j->pdf, HPDF_INFO_SUBJECT, opt->subject);
    HPDF_SetInfoAttr(j->pdf, HPDF_INFO_CREATOR, "parkreport");
    /* The document's language, for screen readers and search: the catalog's
     * /Lang, which libharu has no function for. */
    HPDF_Dict_Add(j->pdf->catalog, "Lang", HPDF_String_New(j->pdf->mmgr, "zh-CN", NULL));
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
    rg_buf text = {0}; /* an item's text in private-use codes */
    int rc = 0;
    /* The items of each page, in their order: a counting sort, since the
     * repeated table headers are appended after the rest. */
    size_t *first = xcalloc((size_t)r->npages + 1, sizeof *first);
    size_t *order = xcalloc(r->nitems ? r->nitems : 1, sizeof *order);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].page >= 0 && r->items[i].page < r->npages)
            first[r->items[i].page + 1]++;
    for (int pg = 0; pg < r->npages; pg++)
        first[pg + 1] += first[pg];
    size_t *fill_at = xcalloc((size_t)r->npages + 1, sizeof *fill_at);
    memcpy(fill_at, first, ((size_t)r->npages + 1) * sizeof *first);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].page >= 0 && r->items[i].page < r->npages)
            order[fill_at[r->items[i].page]++] = i;
    free(fill_at);
    for (int page = 0; page < r->npages && rc == 0; page++) {
        HPDF_Page p = HPDF_AddPage(j->pdf);
        if (!p || j->err.error) {
            rc = fail(j, "cannot add a page");
            break;
        }
        HPDF_Page_SetWidth(p, (HPDF_REAL)st->page_w);
        HPDF_Page_SetHeight(p, (HPDF_REAL)st->page_h);
        for (size_t n = first[page]; n < first[page + 1]; n++) {
            const layout_item *it = &r->items[order[n]];
            if (it->text || it->fill <= 0)
                continue;
            HPDF_Page_SetGrayFill(p, (HPDF_REAL)it->fill);
            HPDF_Page_Rectangle(p, (HPDF_REAL)it->x, (HPDF_REAL)(st->page_h - it->y2),
                                (HPDF_REAL)(it->x2 - it->x), (HPDF_REAL)(it->y2 - it->y));
            HPDF_Page_Fill(p);
        }
        HPDF_Page_SetGrayFill(p, 0);
        HPDF_Page_BeginText(p);
        int font = -1;
        double size = 0, spacing = 0;
        for (size_t n = first[page]; n < first[page + 1]; n++) {
            const layout_item *it = &r->items[order[n]];
            if (!it->text)
                continue;
            if (it->font != font || it->size != size) {
                font = it->font;
                size = it->size;
                HPDF_Page_SetFontAndSize(p, j->fonts[file_of(j->opt, font)], (HPDF_REAL)size);
            }
            if (it->spacing != spacing) {
                spacing = it->spacing;
                HPDF_Page_SetCharSpace(p, (HPDF_REAL)spacing);
            }
            pua_text(&j->used[file_of(j->opt, it->font)], it->text, &text);
            HPDF_Page_TextOut(p, (HPDF_REAL)it->x, (HPDF_REAL)(st->page_h - it->y), text.data);
        }
        /* Page number "— N —" below the text block: one character in from its
         * right edge on odd pages, from its left edge on even ones (or centred). */
        char num[48];
        snprintf(num, sizeof num, "\xE2\x80\x94 %d \xE2\x80\x94", page + 1);
        HPDF_Font nf = j->fonts[file_of(j->opt, st->page_number.font)];
        HPDF_Page_SetFontAndSize(p, nf, (HPDF_REAL)st->page_number.size);
        HPDF_Page_SetCharSpace(p, 0);
        pua_text(&j->used[file_of(j->opt, st->page_number.font)], num, &text);
        double w = HPDF_Page_TextWidth(p, text.data), em = st->page_number.size;
        double x = !st->page_number_outside ? (st->page_w - w) / 2
                   : page % 2 == 0          ? st->margin_left + st->block_w - em - w
                                            : st->margin_left + em;
        HPDF_Page_TextOut(p, (HPDF_REAL)x,
                          (HPDF_REAL)(st->page_h - (st->margin_top + st->block_h + st->page_number_gap)),
                          text.data);
        HPDF_Page_EndText(p);
        bool ruled = false;
        for (size_t n = first[page]; n < first[page + 1]; n++) {
            const layout_item *it = &r->items[order[n]];
            if (it->text || it->fill > 0)
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
            rc = fail(j, "cannot draw the page");
    }
    rg_buf_fini(&text);
    free(first);
    free(order);
    return rc;
}

/* The PDF's outline: the title, and under it every heading, nested by level.
 * Titles are given as UTF-16BE with a byte-order mark, as PDF text strings
 * must be for anything beyond Latin-1. */
static int add_outline(pdf_job *j, const layout_result *r, const layout_style *st)
{
    HPDF_Outline parent[DOC_MAX_LEVEL + 1] = {NULL};
    HPDF_Encoder utf16 = HPDF_GetEncoder(j->pdf, "UTF-8");
    HPDF_Page pages[1];
    for (size_t i = 0; i < r->nmarks; i++) {
        const layout_mark *mk = &r->marks[i];
        int level = mk->level < 0 ? 0 : mk->level > DOC_MAX_LEVEL ? DOC_MAX_LEVEL : mk->level;
        HPDF_Outline up = NULL;
        for (int k = level - 1; k >= 0 && !up; k--)
            up = parent[k];
        HPDF_Outline o = HPDF_CreateOutline(j->pdf, up, mk->text, utf16);
        pages[0] = HPDF_GetPageByIndex(j->pdf, (HPDF_UINT)mk->page);
        if (!o || !pages[0])
            return fail(j, "cannot add a bookmark");
        HPDF_Destination dst = HPDF_Page_CreateDestination(pages[0]);
        if (!dst || HPDF_Destination_SetFitH(dst, (HPDF_REAL)(st->page_h - mk->y + 24)) != HPDF_OK ||
            HPDF_Outline_SetDestination(o, dst) != HPDF_OK || HPDF_Outline_SetOpened(o, level < 1) != HPDF_OK)
            return fail(j, "cannot point a bookmark at its page");
        parent[level] = o;
        for (int k = level + 1; k <= DOC_MAX_LEVEL; k++)
            parent[k] = NULL;
    }
    return j->err.error ? fail(j, "cannot add the bookmarks") : 0;
}

/* Characters set in a font that lacks them: the fallback lacks them too.
 * Each file's distinct characters are checked once, and each character is
 * told once however many fonts lack it. */
static void report_missing(const pdf_options *opt, const used_chars *used)
{
    uint32_t *told = NULL;
    size_t ntold = 0, cap = 0;
    for (int k = 0; k < opt->nfiles; k++)
        for (size_t i = 0; i < used[k].n; i++) {
            uint32_t cp = used[k].cps[i];
            if (cp <= ' ' || font_face_has(opt->files[k].face, cp))
                continue;
            size_t t = 0;
            while (t < ntold && told[t] != cp)
                t++;
            if (t < ntold)
                continue;
            void *arr = told;
            xgrow(&arr, &cap, ntold + 1, sizeof *told);
            told = arr;
            told[ntold++] = cp;
            opt->missing(opt->missing_ud, cp);
        }
    free(told);
}

int pdf_write(const doc *d, const layout_style *st, const pdf_options *opt, const char *path,
              rg_diags *diags)
{
    layout_metrics mx = {(void *)opt, advance, has};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    layout_result *r = layout_run(d, st, &mx);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (opt->layout_seconds)
        *opt->layout_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    used_chars used[PDF_NROLES] = {0};
    char *subset[PDF_NROLES] = {0};
    pdf_job j = {.path = path, .diags = diags, .opt = opt};
    int rc = -1;
    for (int k = 0; k < opt->nfiles; k++)
        used[k].seen = xcalloc(0x110000 / 8, 1);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].text)
            use_text(&used[file_of(opt, r->items[i].font)], r->items[i].text);
    if (opt->missing)
        report_missing(opt, used);
    use_text(&used[file_of(opt, st->page_number.font)], "\xE2\x80\x94 0123456789");
    j.used = used;
    for (int k = 0; k < opt->nfiles; k++) {
        rg_buf name = {0};
        rg_buf_printf(&name, "%s.font%d.ttf", path, k);
        subset[k] = rg_buf_take(&name);
        if (used[k].n == 0)
            use(&used[k], ' ');
        index_chars(&used[k]);
        if (font_face_subset(opt->files[k].face, used[k].cps, used[k].n, subset[k], diags) != 0)
            goto done;
    }
    j.pdf = HPDF_New(on_error, &j.err);
    if (!j.pdf) {
        rg_diag_add(diags, RG_ERROR, path, 0, 0, "cannot start a PDF document (out of memory?)");
        goto done;
    }
    if (HPDF_SetCompressionMode(j.pdf, HPDF_COMP_ALL) != HPDF_OK ||
        HPDF_UseUTFEncodings(j.pdf) != HPDF_OK || HPDF_SetCurrentEncoder(j.pdf, "UTF-8") != HPDF_OK) {
        fail(&j, "cannot set up UTF-8 text");
        goto done;
    }
    for (int k = 0; k < opt->nfiles; k++)
        if (load_font(&j, k, subset[k], used[k].cps, used[k].n) != 0)
            goto done;
    set_info(&j, opt);
    if (draw_pages(&j, r, st) != 0 || add_outline(&j, r, st) != 0)
        goto done;
    if (HPDF_SaveToFile(j.pdf, path) != HPDF_OK || j.err.error) {
        fail(&j, "cannot save the file");
        goto done;
    }
    rc = 0;
done:
    for (int k = 0; k < opt->nfiles; k++) {
        if (subset[k])
            remove(subset[k]); /* libharu has read it; the PDF holds what it needs */
        free(subset[k]);
        free(used[k].cps);
        free(used[k].seen);
        free(used[k].by_cp);
    }
    layout_free(r);
    if (j.pdf)
        HPDF_Free(j.pdf);
    return rc;
}
