/* pdf_pack.c - see pdf_pack.h. */
#include "pdf_pack.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* libdeflate's fastest level, as for the pages: made for every document,
 * and 148 bytes more than level 6 for the seed's report. */
enum { STREAM_LEVEL = 1 };

typedef struct cursor {
    const char *s;
    size_t len, at;
} cursor;

static bool white(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static void skip_white(cursor *c)
{
    while (c->at < c->len && white(c->s[c->at]))
        c->at++;
}

/* A non-negative decimal integer after white space. */
static bool read_number(cursor *c, size_t *value)
{
    skip_white(c);
    size_t start = c->at, v = 0;
    while (c->at < c->len && c->s[c->at] >= '0' && c->s[c->at] <= '9' && c->at - start < 15)
        v = v * 10 + (size_t)(c->s[c->at++] - '0');
    *value = v;
    return c->at > start;
}

static bool read_word(cursor *c, const char *word)
{
    skip_white(c);
    size_t n = strlen(word);
    if (c->len - c->at < n || memcmp(c->s + c->at, word, n) != 0)
        return false;
    c->at += n;
    return true;
}

/* "NUM GEN R" after the key in the trailer dictionary [from, to). */
static bool trailer_ref(const char *s, size_t from, size_t to, const char *key, size_t ref[2])
{
    size_t n = strlen(key);
    for (size_t i = from; i + n <= to; i++)
        if (memcmp(s + i, key, n) == 0 && (i + n == to || white(s[i + n]))) {
            cursor c = {s, to, i + n};
            return read_number(&c, &ref[0]) && read_number(&c, &ref[1]) && read_word(&c, "R");
        }
    return false;
}

typedef struct object {
    size_t offset, end;      /* in the input: "N 0 obj" to the next object */
    size_t body, body_len;   /* between "obj" and "endobj", trimmed */
    bool stream;
    size_t new_offset, index; /* where it went: the file, or the object stream */
} object;

static int by_offset(const void *a, const void *b)
{
    const object *x = *(object *const *)a, *y = *(object *const *)b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

static bool ends_with_word(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len > n && memcmp(s + len - n, word, n) == 0 && white(s[len - n - 1]);
}

/* Finds each object's body, and whether it is a stream. */
static const char *split_objects(const char *pdf, object *objs, size_t n, size_t xref_at)
{
    object **order = xcalloc(n, sizeof *order);
    for (size_t k = 1; k < n; k++)
        order[k - 1] = &objs[k];
    qsort(order, n - 1, sizeof *order, by_offset);
    const char *why = NULL;
    for (size_t i = 0; i + 1 < n && !why; i++) {
        object *o = order[i];
        o->end = i + 2 < n ? order[i + 1]->offset : xref_at;
        size_t k = (size_t)(o - objs), num = 0, gen = 1;
        cursor c = {pdf, o->end, o->offset};
        if (o->end <= o->offset || !read_number(&c, &num) || num != k || !read_number(&c, &gen) ||
            gen != 0 || !read_word(&c, "obj")) {
            why = "an object is not where the cross-reference table says";
            break;
        }
        size_t end = o->end;
        while (end > c.at && white(pdf[end - 1]))
            end--;
        if (!ends_with_word(pdf + c.at - 1, end - c.at + 1, "endobj")) {
            why = "an object does not end with endobj";
            break;
        }
        end -= strlen("endobj");
        skip_white(&c);
        while (end > c.at && white(pdf[end - 1]))
            end--;
        o->body = c.at;
        o->body_len = end - c.at;
        o->stream = ends_with_word(pdf + o->body - 1, o->body_len + 1, "endstream");
    }
    free(order);
    return why;
}

/* Appends v as `width` big-endian bytes. */
static void put_field(rg_buf *b, size_t v, int width)
{
    for (int i = width - 1; i >= 0; i--)
        rg_buf_putc(b, (char)(unsigned char)(v >> (8 * i)));
}

static int width_of(size_t v)
{
    int w = 1;
    while (w < 8 && (v >> (8 * w)) != 0)
        w++;
    return w;
}

/* Appends "N 0 obj", the dictionary lines, and the data compressed as its
 * stream. */
static int put_stream_object(flate *f, rg_buf *out, size_t num, const char *dict,
                             const rg_buf *data)
{
    rg_buf z = {0};
    if (flate_zlib(f, STREAM_LEVEL, data->data ? data->data : "", data->len, 0, 1, &z) != 0) {
        rg_buf_fini(&z);
        return -1;
    }
    rg_buf_printf(out, "%zu 0 obj\n<<\n%s/Filter /FlateDecode\n/Length %zu\n>>\nstream\n", num, dict,
                  z.len);
    rg_buf_append(out, z.data, z.len);
    rg_buf_puts(out, "\nendstream\nendobj\n");
    rg_buf_fini(&z);
    return 0;
}

int pdf_pack(flate *f, const char *pdf, size_t len, rg_buf *out, const char **why)
{
    out->len = 0;
    *why = NULL;
    /* The cross-reference table: "xref", "0 N", N entries, the trailer. */
    size_t sx = len;
    while (sx > 0 && (len - sx < 9 || memcmp(pdf + sx, "startxref", 9) != 0))
        sx--;
    cursor c = {pdf, len, sx + 9};
    size_t xref_at = 0, first = 1, n = 0;
    if (len < 9 || memcmp(pdf, "%PDF-1.", 7) != 0 || sx == 0 || !read_number(&c, &xref_at) ||
        xref_at >= sx) {
        *why = "no cross-reference table";
        return -1;
    }
    c = (cursor){pdf, sx, xref_at};
    if (!read_word(&c, "xref") || !read_number(&c, &first) || !read_number(&c, &n) || first != 0 ||
        n < 2 || n > (sx - xref_at) / 18) {
        *why = "not one cross-reference section from object 0";
        return -1;
    }
    object *objs = xcalloc(n, sizeof *objs);
    for (size_t k = 0; k < n && !*why; k++) {
        size_t gen = 0;
        bool read = read_number(&c, &objs[k].offset) && read_number(&c, &gen);
        skip_white(&c);
        char type = c.at < c.len ? pdf[c.at++] : '?';
        if (!read || (k == 0 ? type != 'f' : type != 'n' || gen != 0 || objs[k].offset >= xref_at))
            *why = "a cross-reference entry other than an object of generation 0";
    }
    size_t trailer_at = c.at;
    size_t root[2], info[2];
    bool has_info = false;
    if (!*why && !read_word(&c, "trailer"))
        *why = "no trailer after the cross-reference table";
    if (!*why && !trailer_ref(pdf, trailer_at, sx, "/Root", root))
        *why = "no /Root in the trailer";
    if (!*why) {
        has_info = trailer_ref(pdf, trailer_at, sx, "/Info", info);
        *why = split_objects(pdf, objs, n, xref_at);
    }
    if (*why) {
        free(objs);
        return -1;
    }

    /* The streams stay at the top level; the rest go into object N. */
    rg_buf_append(out, "%PDF-1.5\n%\xB7\xBE\xAD\xAA\n", 15);
    rg_buf heads = {0}, bodies = {0};
    size_t packed = 0;
    for (size_t k = 1; k < n; k++) {
        object *o = &objs[k];
        if (o->stream) {
            o->new_offset = out->len;
            rg_buf_printf(out, "%zu 0 obj\n", k);
            rg_buf_append(out, pdf + o->body, o->body_len);
            rg_buf_puts(out, "\nendobj\n");
        } else {
            o->index = packed++;
            rg_buf_printf(&heads, "%zu %zu ", k, bodies.len);
            rg_buf_append(&bodies, pdf + o->body, o->body_len);
            rg_buf_putc(&bodies, '\n');
        }
    }
    size_t objstm_at = out->len;
    rg_buf dict = {0};
    rg_buf_printf(&dict, "/Type /ObjStm\n/N %zu\n/First %zu\n", packed, heads.len);
    rg_buf_append(&heads, bodies.data ? bodies.data : "", bodies.len);
    int rc = put_stream_object(f, out, n, dict.data, &heads);

    /* The cross-reference stream, object N + 1: type, offset or object
     * stream, generation or index. */
    size_t xref_stream_at = out->len;
    int w2 = width_of(xref_stream_at > n ? xref_stream_at : n);
    int w3 = width_of(packed > 0xFFFF ? packed : 0xFFFF);
    rg_buf table = {0};
    put_field(&table, 0, 1), put_field(&table, 0, w2), put_field(&table, 0xFFFF, w3);
    for (size_t k = 1; k < n; k++) {
        const object *o = &objs[k];
        put_field(&table, o->stream ? 1 : 2, 1);
        put_field(&table, o->stream ? o->new_offset : n, w2);
        put_field(&table, o->stream ? 0 : o->index, w3);
    }
    put_field(&table, 1, 1), put_field(&table, objstm_at, w2), put_field(&table, 0, w3);
    put_field(&table, 1, 1), put_field(&table, xref_stream_at, w2), put_field(&table, 0, w3);
    dict.len = 0;
    rg_buf_printf(&dict, "/Type /XRef\n/Size %zu\n/W [ 1 %d %d ]\n/Root %zu %zu R\n", n + 2, w2, w3,
                  root[0], root[1]);
    if (has_info)
        rg_buf_printf(&dict, "/Info %zu %zu R\n", info[0], info[1]);
    if (rc == 0)
        rc = put_stream_object(f, out, n + 1, dict.data, &table);
    rg_buf_printf(out, "startxref\n%zu\n%%%%EOF\n", xref_stream_at);
    rg_buf_fini(&heads), rg_buf_fini(&bodies), rg_buf_fini(&dict), rg_buf_fini(&table);
    free(objs);
    if (rc != 0)
        *why = "out of memory compressing the objects";
    return rc;
}
