/* pdf_font.c - the PDF stage's fonts (pdf_font.h): fonts.conf, the metrics
 * the layout measures with, and each file's subset as PDF objects. */
#include "pdf_font.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const role_names[PDF_NROLES] = {
    [PDF_ROLE_BODY] = "body", [PDF_ROLE_TITLE] = "title", [PDF_ROLE_H1] = "heading1",
    [PDF_ROLE_H2] = "heading2", [PDF_ROLE_FALLBACK] = "fallback", [PDF_ROLE_LATIN] = "latin",
    [PDF_ROLE_LATIN_SANS] = "latin-sans"};

/* Roles a fonts.conf may leave out. */
static bool optional_role(int r)
{
    return r == PDF_ROLE_FALLBACK || r == PDF_ROLE_LATIN || r == PDF_ROLE_LATIN_SANS;
}

/* The fonts, most of a report's bytes, at libdeflate's level 5: the seed's
 * Song subset (390 KB) takes 5.8 ms (6.8 ms at level 6, 1.2 KB smaller),
 * against 45 ms at its strongest level, 3% smaller (--pdf-compression
 * small). Either is paid once in a batch of similar reports (pdf_cache). */
enum { FONT_DEFLATE_LEVEL = 5, SMALL_FONT_DEFLATE_LEVEL = 12 };

/* A file that is not a fonts.conf gets a few errors, not one a line. */
enum { MAX_CONF_ERRORS = 3 };

/* The next blank-separated word of s (up to end) at *i, or NULL. */
static char *next_word(const char *s, size_t end, size_t *i, size_t *at)
{
    while (*i < end && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r'))
        (*i)++;
    if (*i >= end)
        return NULL;
    *at = *i;
    while (*i < end && s[*i] != ' ' && s[*i] != '\t' && s[*i] != '\r')
        (*i)++;
    return xstrndup(s + *at, *i - *at);
}

/* The file of a role, opened once however many roles name it. */
static int add_file(pdf_fonts *f, const char *path, int face, const char *conf, int lineno,
                    int col, const char *role, rg_diags *diags)
{
    for (int k = 0; k < f->nfiles; k++)
        if (strcmp(f->files[k].path, path) == 0 && f->files[k].index == face)
            return k;
    struct stat sb;
    bool found = stat(path, &sb) == 0;
    if (!found || !S_ISREG(sb.st_mode)) {
        rg_diag_add(diags, RG_ERROR, conf, lineno, col, "cannot open the %s font %s: %s", role,
                    path, found ? "not a regular file" : strerror(errno));
        return -1;
    }
    font_face *ff = font_face_open(path, face, diags);
    if (!ff)
        return -1;
    pdf_font_file *file = &f->files[f->nfiles];
    file->path = xstrdup(path);
    file->index = face;
    file->face = ff;
    return f->nfiles++;
}

/* A role's file that does not exist: an error only if no other line of the
 * role names one that does (Debian 12 and 13 keep Liberation in different
 * folders). */
typedef struct missing_file {
    int line, col, err;
    char *path;
} missing_file;

/* One line of fonts.conf, [s, s + end). */
static void read_line(pdf_fonts *f, const char *dir, const char *conf, int lineno, const char *s,
                      size_t end, missing_file *missing, rg_diags *diags)
{
    const char *hash = memchr(s, '#', end);
    if (hash)
        end = (size_t)(hash - s);
    size_t i = 0, role_at = 0, file_at = 0, face_at = 0;
    char *role = next_word(s, end, &i, &role_at);
    if (!role)
        return; /* blank or comment */
    char *file = next_word(s, end, &i, &file_at);
    char *face_text = file ? next_word(s, end, &i, &face_at) : NULL;
    char *extra = face_text ? next_word(s, end, &i, &face_at) : NULL;
    int r = 0;
    while (r < PDF_NROLES && strcmp(role, role_names[r]) != 0)
        r++;
    char *stop = NULL;
    long v = face_text ? strtol(face_text, &stop, 10) : 0;
    if (r == PDF_NROLES) {
        /* The word is not quoted: the file may be anything (a password file). */
        const char *near = rg_nearest(role, role_names, PDF_NROLES, 2);
        if (near)
            rg_diag_add(diags, RG_ERROR, conf, lineno, (int)role_at + 1,
                        "not a role; did you mean %s?", near);
        else
            rg_diag_add(diags, RG_ERROR, conf, lineno, (int)role_at + 1,
                        "not a role (the roles are body, title, heading1, heading2, "
                        "fallback, latin and latin-sans)");
    } else if (!file) {
        rg_diag_add(diags, RG_ERROR, conf, lineno, (int)role_at + 1, "expected ROLE FILE [FACE]");
    } else if (face_text && (*stop || v < 0 || v > 255 || extra)) {
        rg_diag_add(diags, RG_ERROR, conf, lineno, (int)face_at + 1,
                    "the face index must be a number from 0 to 255, and nothing may follow it");
    } else {
        rg_buf full = {0};
        if (file[0] == '/')
            rg_buf_puts(&full, file);
        else
            rg_buf_printf(&full, "%s/%s", dir, file);
        struct stat sb;
        if (f->role_file[r] >= 0) {
            /* the role has its file: this line is for machines without it */
        } else if (stat(full.data, &sb) != 0 && errno == ENOENT) {
            if (!missing[r].path)
                missing[r] = (missing_file){lineno, (int)file_at + 1, errno, xstrdup(full.data)};
        } else {
            int k = add_file(f, full.data, (int)v, conf, lineno, (int)file_at + 1, role_names[r],
                             diags);
            if (k >= 0)
                f->role_file[r] = k;
        }
        rg_buf_fini(&full);
    }
    free(role), free(file), free(face_text), free(extra);
}

pdf_fonts *pdf_fonts_load(const char *dir, rg_diags *diags)
{
    pdf_fonts *f = xcalloc(1, sizeof *f);
    for (int r = 0; r < PDF_NROLES; r++)
        f->role_file[r] = -1;
    rg_buf path = {0}, text = {0};
    rg_buf_printf(&path, "%s/fonts.conf", dir);
    size_t errors = diags->errors;
    int lineno = 1;
    missing_file missing[PDF_NROLES] = {{0}};
    if (rg_read_file(path.data, RG_MAX_CONFIG_BYTES, &text) != 0) {
        rg_diag_add(diags, RG_ERROR, path.data, 0, 0,
                    "cannot read the font configuration: %s (name another folder with --fonts)",
                    errno == EFBIG ? "larger than 1 MB" : strerror(errno));
    } else {
        for (size_t at = 0; at < text.len && diags->errors - errors < MAX_CONF_ERRORS; lineno++) {
            const char *nl = memchr(text.data + at, '\n', text.len - at);
            size_t end = nl ? (size_t)(nl - text.data) : text.len;
            read_line(f, dir, path.data, lineno, text.data + at, end - at, missing, diags);
            at = end + 1;
        }
    }
    if (diags->errors - errors >= MAX_CONF_ERRORS)
        rg_diag_add(diags, RG_ERROR, path.data, lineno - 1, 0,
                    "stopped reading after %d errors: is this a fonts.conf?", MAX_CONF_ERRORS);
    for (int r = 0; r < PDF_NROLES; r++) {
        if (f->role_file[r] < 0 && missing[r].path)
            rg_diag_add(diags, RG_ERROR, path.data, missing[r].line, missing[r].col,
                        "cannot open the %s font %s: %s", role_names[r], missing[r].path,
                        strerror(missing[r].err));
        free(missing[r].path);
    }
    for (int r = 0; r < PDF_NROLES && diags->errors == errors; r++)
        if (f->role_file[r] < 0 && !optional_role(r))
            rg_diag_add(diags, RG_ERROR, path.data, 0, 0, "no font is named for the role %s",
                        role_names[r]);
    rg_buf_fini(&text);
    rg_buf_fini(&path);
    if (diags->errors != errors) {
        pdf_fonts_free(f);
        return NULL;
    }
    return f;
}

void pdf_fonts_free(pdf_fonts *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->nfiles; i++) {
        free(f->files[i].path);
        font_face_close(f->files[i].face);
    }
    free(f);
}

static void subset_free(pdf_subset *s)
{
    if (!s)
        return;
    free(s->cps);
    free(s->glyphs);
    free(s->by_glyph);
    free(s->widths);
    for (int b = 0; b < 256; b++)
        free(s->index_block[b]);
    rg_buf_fini(&s->ttf);
    rg_buf_fini(&s->zlib);
    rg_buf_fini(&s->to_unicode);
    free(s);
}

pdf_cache *pdf_cache_new(const pdf_fonts *fonts, bool small)
{
    pdf_cache *c = xcalloc(1, sizeof *c);
    c->fonts = fonts;
    c->small = small;
    return c;
}

void pdf_cache_free(pdf_cache *c)
{
    if (!c)
        return;
    for (int k = 0; k < PDF_NROLES; k++) {
        subset_free(c->last[k]);
        for (int b = 0; b < 256; b++)
            free(c->bmp[k][b]);
    }
    free(c);
}

int pdf_file_of(const pdf_fonts *f, int font)
{
    int k = font >= 0 && font < PDF_NROLES ? f->role_file[font] : -1;
    return k >= 0 ? k : f->role_file[PDF_ROLE_BODY];
}

static const bmp_metrics *metrics_of(pdf_cache *c, int font, uint32_t cp)
{
    int k = pdf_file_of(c->fonts, font);
    bmp_metrics **block = &c->bmp[k][cp >> 8];
    if (!*block)
        *block = xcalloc(256, sizeof **block);
    bmp_metrics *m = &(*block)[cp & 0xFF];
    if (!m->has) {
        m->advance = (float)font_face_advance(c->fonts->files[k].face, cp);
        m->has = font_face_has(c->fonts->files[k].face, cp) ? 2 : 1;
    }
    return m;
}

static double advance(void *ud, int font, uint32_t cp)
{
    pdf_cache *c = ud;
    if (cp > 0xFFFF)
        return font_face_advance(c->fonts->files[pdf_file_of(c->fonts, font)].face, cp);
    return metrics_of(c, font, cp)->advance;
}

static bool has(void *ud, int font, uint32_t cp)
{
    pdf_cache *c = ud;
    if (font >= 0 && font < PDF_NROLES && optional_role(font) && c->fonts->role_file[font] < 0)
        return false; /* no such font: the role's own sets the character, or none */
    if (cp > 0xFFFF)
        return font_face_has(c->fonts->files[pdf_file_of(c->fonts, font)].face, cp);
    return metrics_of(c, font, cp)->has == 2;
}

layout_metrics pdf_cache_metrics(pdf_cache *c)
{
    return (layout_metrics){c, advance, has};
}

size_t pdf_missing_chars(pdf_cache *c, const layout_result *r, uint32_t **cps)
{
    used_chars told = {0};
    for (size_t i = 0; i < r->nitems; i++) {
        const char *s = r->items[i].text;
        size_t n = s ? strlen(s) : 0;
        for (size_t at = 0; at < n;) {
            uint32_t cp = rg_utf8_next(s, n, &at);
            /* has() answers for the role's own file; no fallback: none has it */
            if (cp > ' ' && !has(c, r->items[i].font, cp))
                used_add(&told, cp);
        }
    }
    free(told.seen_beyond);
    *cps = told.cps;
    return told.n;
}

void used_add(used_chars *u, uint32_t cp)
{
    if (cp > 0x10FFFF)
        return;
    unsigned char *seen = u->seen;
    uint32_t bit = cp;
    if (cp > 0xFFFF) {
        if (!u->seen_beyond)
            u->seen_beyond = xcalloc(0x100000 / 8, 1);
        seen = u->seen_beyond;
        bit = cp - 0x10000;
    }
    if (seen[bit >> 3] & (1u << (bit & 7)))
        return;
    seen[bit >> 3] |= (unsigned char)(1u << (bit & 7));
    void *arr = u->cps;
    xgrow(&arr, &u->cap, u->n + 1, sizeof *u->cps);
    u->cps = arr;
    u->cps[u->n++] = cp;
}

void used_add_text(used_chars *u, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;)
        used_add(u, rg_utf8_next(s, n, &i));
}

void used_fini(used_chars *u)
{
    free(u->cps);
    free(u->seen_beyond);
}

static int by_cp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

size_t pdf_subset_index(const pdf_subset *s, uint32_t cp)
{
    if (cp < 0x10000) { /* the blocks hold every BMP character of the subset */
        const uint16_t *block = s->index_block[cp >> 8];
        return block && s->cps[block[cp & 0xFF]] == cp ? block[cp & 0xFF] : 0;
    }
    const uint32_t *e = bsearch(&cp, s->cps, s->n, sizeof *s->cps, by_cp);
    return e ? (size_t)(e - s->cps) : 0;
}

/* cp in UTF-16: one unit, or a surrogate pair beyond U+FFFF; the count. */
static int utf16_units(uint32_t cp, unsigned units[2])
{
    if (cp <= 0xFFFF) {
        units[0] = cp;
        return 1;
    }
    units[0] = 0xD800 + ((cp - 0x10000) >> 10);
    units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
    return 2;
}

/* The ToUnicode map: each glyph back to its character, in blocks of
 * consecutive glyphs that share their first byte, as bfrange requires. */
static void to_unicode_map(const pdf_subset *s, rg_buf *cmap)
{
    rg_buf_puts(cmap, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (size_t i = 0, k; i < s->n; i = k) {
        unsigned g = s->glyphs[s->by_glyph[i]];
        k = i + 1;
        if (g == 0)
            continue;
        while (k < s->n && k - i < 100 && s->glyphs[s->by_glyph[k]] == g + (k - i) &&
               (s->glyphs[s->by_glyph[k]] >> 8) == (g >> 8))
            k++;
        rg_buf_printf(cmap, "1 beginbfrange\n<%04X> <%04X> [", g, g + (unsigned)(k - i - 1));
        for (size_t m = i; m < k; m++) {
            unsigned units[2];
            int n = utf16_units(s->cps[s->by_glyph[m]], units);
            rg_buf_putc(cmap, '<');
            for (int u = 0; u < n; u++)
                rg_buf_printf(cmap, "%04X", units[u]);
            rg_buf_putc(cmap, '>');
        }
        rg_buf_puts(cmap, "]\nendbfrange\n");
    }
    rg_buf_puts(cmap, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

typedef struct glyph_of {
    uint16_t glyph;
    size_t index; /* into the subset's characters */
} glyph_of;

static int by_glyph(const void *a, const void *b)
{
    const glyph_of *x = a, *y = b;
    if (x->glyph != y->glyph)
        return x->glyph < y->glyph ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

const pdf_subset *pdf_subset_of(pdf_cache *c, int k, const used_chars *u, rg_diags *diags)
{
    const pdf_font_file *f = &c->fonts->files[k];
    pdf_subset *s = c->last[k];
    if (s && s->n == u->n && memcmp(s->cps, u->cps, u->n * sizeof *u->cps) == 0)
        return s;
    subset_free(s);
    c->last[k] = NULL;
    size_t n = u->n ? u->n : 1;
    s = xcalloc(1, sizeof *s);
    s->n = u->n;
    s->cps = xmalloc(n * sizeof *s->cps);
    memcpy(s->cps, u->cps, u->n * sizeof *u->cps);
    for (size_t i = 0; i < u->n && u->cps[i] < 0x10000; i++) {
        uint16_t **block = &s->index_block[u->cps[i] >> 8];
        if (!*block)
            *block = xcalloc(256, sizeof **block);
        (*block)[u->cps[i] & 0xFF] = (uint16_t)i;
    }
    s->glyphs = xcalloc(n, sizeof *s->glyphs);
    s->by_glyph = xcalloc(n, sizeof *s->by_glyph);
    if (font_face_subset(f->face, u->cps, u->n, &s->ttf, s->glyphs, diags) != 0) {
        subset_free(s);
        return NULL;
    }
    glyph_of *order = xcalloc(n, sizeof *order);
    for (size_t i = 0; i < u->n; i++)
        order[i] = (glyph_of){s->glyphs[i], i};
    qsort(order, u->n, sizeof *order, by_glyph);
    for (size_t i = 0; i < u->n; i++)
        s->by_glyph[i] = order[i].index;
    free(order);
    /* The widths as the layout measured them; the commonest is the default
     * (1000, an ideograph's): the majority, when there is one (Boyer-Moore). */
    s->widths = xcalloc(n, sizeof *s->widths);
    s->dw = 1000;
    for (size_t i = 0, votes = 0; i < u->n; i++) {
        s->widths[i] = (int)lround(font_face_advance(f->face, u->cps[i]));
        if (votes == 0)
            s->dw = s->widths[i];
        votes = s->widths[i] == s->dw ? votes + 1 : votes - 1;
    }
    font_face_describe(f->face, &s->desc);
    rg_buf map = {0};
    to_unicode_map(s, &map);
    int level = c->small ? SMALL_FONT_DEFLATE_LEVEL : FONT_DEFLATE_LEVEL;
    bool failed = flate_zlib(level, map.data, map.len, &s->to_unicode) != 0 ||
                  flate_zlib(level, s->ttf.data, s->ttf.len, &s->zlib) != 0;
    rg_buf_fini(&map);
    if (failed) {
        rg_diag_add(diags, RG_ERROR, f->path, 0, 0, "out of memory compressing the font subset");
        subset_free(s);
        return NULL;
    }
    /* A subset's name starts with six capitals and "+"; taken from its
     * characters and font (FNV-1a), two different subsets get different
     * names. */
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < s->n; i++)
        for (int b = 0; b < 32; b += 8)
            h = (h ^ ((s->cps[i] >> b) & 0xFF)) * 1099511628211u;
    for (const char *p = s->desc.postscript_name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    for (int i = 0; i < 6; i++, h /= 26)
        s->tag[i] = (char)('A' + h % 26);
    c->last[k] = s;
    return s;
}

/* "/TAG+NAME": the font's own name is the font file's data, so whatever is
 * not a regular character of a PDF name is written #XX. */
static void put_base_font(rg_buf *b, const pdf_subset *s)
{
    rg_buf_printf(b, "/%s+", s->tag);
    for (const char *p = s->desc.postscript_name; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= ' ' || ch >= 0x7F || strchr("()<>[]{}/%#", ch))
            rg_buf_printf(b, "#%02X", ch);
        else
            rg_buf_putc(b, (char)ch);
    }
}

/* The subset's widths: the default (/DW), and /W listing only runs of
 * glyphs with other widths. */
static void put_widths(rg_buf *b, const pdf_subset *s)
{
    rg_buf_printf(b, "/DW %d\n/W [", s->dw);
    unsigned next = 0; /* the glyph that would continue the run */
    bool run = false;
    for (size_t i = 0; i < s->n; i++) {
        size_t c = s->by_glyph[i];
        unsigned g = s->glyphs[c];
        if (g == 0 || s->widths[c] == s->dw || (run && g != next)) {
            if (run)
                rg_buf_putc(b, ']');
            run = false;
            if (g == 0 || s->widths[c] == s->dw)
                continue;
        }
        if (!run)
            rg_buf_printf(b, " %u [", g);
        rg_buf_printf(b, run ? " %d" : "%d", s->widths[c]);
        run = true;
        next = g + 1;
    }
    rg_buf_puts(b, run ? "] ]\n" : " ]\n");
}

/* The objects are written here rather than by libharu's font loader, which
 * 2.3.0 parses the font again for, writes a 128 KB CID-to-glyph map, a width
 * array naming every code to the last private-use one and an invalid
 * ToUnicode map. The CIDs are the subset's glyph numbers (Identity). */
size_t pdf_subset_add(pdf_packer *p, const pdf_subset *s)
{
    const font_description *fd = &s->desc;
    rg_buf b = {0}, name = {0};
    put_base_font(&name, s);
    rg_buf_printf(&b, "/Length1 %zu\n/Filter /FlateDecode", s->ttf.len);
    size_t program = pdf_pack_add(p, b.data, s->zlib.data, s->zlib.len);
    size_t to_unicode = pdf_pack_add(p, "/Filter /FlateDecode", s->to_unicode.data, s->to_unicode.len);
    b.len = 0;
    /* Flags 32: nonsymbolic; StemV is required, and TrueType has no such value. */
    rg_buf_printf(&b, "<<\n/Type /FontDescriptor\n/FontName %s\n/Flags 32\n/FontBBox [ %d %d %d %d ]\n"
                      "/ItalicAngle %g\n/Ascent %d\n/Descent %d\n/CapHeight %d\n/XHeight %d\n"
                      "/StemV 80\n/FontFile2 %zu 0 R\n>>",
                  name.data, fd->bbox[0], fd->bbox[1], fd->bbox[2], fd->bbox[3], fd->italic_angle,
                  fd->ascent, fd->descent, fd->cap_height, fd->x_height, program);
    size_t descriptor = pdf_pack_add(p, b.data, NULL, 0);
    b.len = 0;
    rg_buf_printf(&b, "<<\n/Type /Font\n/Subtype /CIDFontType2\n/BaseFont %s\n"
                      "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>\n"
                      "/FontDescriptor %zu 0 R\n/CIDToGIDMap /Identity\n",
                  name.data, descriptor);
    put_widths(&b, s);
    rg_buf_puts(&b, ">>");
    size_t cid = pdf_pack_add(p, b.data, NULL, 0);
    b.len = 0;
    rg_buf_printf(&b, "<<\n/Type /Font\n/Subtype /Type0\n/BaseFont %s\n/Encoding /Identity-H\n"
                      "/DescendantFonts [ %zu 0 R ]\n/ToUnicode %zu 0 R\n>>",
                  name.data, cid, to_unicode);
    size_t font = pdf_pack_add(p, b.data, NULL, 0);
    rg_buf_fini(&b), rg_buf_fini(&name);
    return font;
}
