/* pdf_pack.c - see pdf_pack.h. */
#include "pdf_pack.h"

#include "flate.h"

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

static bool delimiter(char c)
{
    return c && strchr("()<>[]{}/%", c) != NULL;
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

/* "NUM 0 R" after white space. */
static bool read_ref(cursor *c, size_t *num)
{
    size_t gen = 1;
    return read_number(c, num) && read_number(c, &gen) && gen == 0 && read_word(c, "R");
}

/* Moves past one value (a dictionary, array, string, name, number, keyword
 * or "N G R") after white space; false when it is not one. Nesting is
 * bounded: libharu's dictionaries are a few levels deep. */
static bool skip_value(cursor *c, int depth)
{
    skip_white(c);
    if (c->at >= c->len || depth > 32)
        return false;
    const char *s = c->s;
    if (c->len - c->at >= 2 && s[c->at] == '<' && s[c->at + 1] == '<') {
        c->at += 2;
        for (;;) {
            skip_white(c);
            if (c->len - c->at >= 2 && s[c->at] == '>' && s[c->at + 1] == '>')
                return c->at += 2, true;
            if (!skip_value(c, depth + 1) || !skip_value(c, depth + 1))
                return false;
        }
    }
    if (s[c->at] == '[') {
        c->at++;
        for (;;) {
            skip_white(c);
            if (c->at < c->len && s[c->at] == ']')
                return c->at++, true;
            if (!skip_value(c, depth + 1))
                return false;
        }
    }
    if (s[c->at] == '(') {
        int open = 0;
        for (; c->at < c->len; c->at++) {
            if (s[c->at] == '\\')
                c->at++;
            else if (s[c->at] == '(')
                open++;
            else if (s[c->at] == ')' && --open == 0)
                return c->at++, true;
        }
        return false;
    }
    if (s[c->at] == '<') {
        while (c->at < c->len && s[c->at] != '>')
            c->at++;
        return c->at < c->len ? (c->at++, true) : false;
    }
    cursor ref = *c;
    size_t num;
    if (read_ref(&ref, &num) && (ref.at == ref.len || white(s[ref.at]) || delimiter(s[ref.at])))
        return *c = ref, true;
    size_t start = c->at++; /* a name's slash, or the first character of a number or keyword */
    while (c->at < c->len && !white(s[c->at]) && !delimiter(s[c->at]))
        c->at++;
    return s[start] != ')' && s[start] != '>' && s[start] != ']' && s[start] != '{' &&
           s[start] != '}' && s[start] != '%';
}

/* The value of `key` at the top level of the dictionary that body starts
 * with: [*from, *to), true when found; *end is where the dictionary's ">>"
 * is (when the dictionary can be read). */
static bool dict_value(const char *body, size_t len, const char *key, size_t *from, size_t *to,
                       size_t *end)
{
    cursor c = {body, len, 0};
    *end = 0;
    if (!read_word(&c, "<<"))
        return false;
    size_t n = strlen(key);
    bool found = false;
    for (;;) {
        skip_white(&c);
        if (c.len - c.at >= 2 && body[c.at] == '>' && body[c.at + 1] == '>') {
            *end = c.at;
            return found;
        }
        size_t key_at = c.at;
        if (c.at >= c.len || body[c.at] != '/' || !skip_value(&c, 0))
            return false;
        bool this = c.at - key_at == n && memcmp(body + key_at, key, n) == 0;
        skip_white(&c);
        size_t value_at = c.at;
        if (!skip_value(&c, 0))
            return false;
        if (this && !found)
            *from = value_at, *to = c.at, found = true;
    }
}

typedef struct object {
    const char *body; /* between "obj" and "endobj", trimmed: in the input or owned */
    size_t len;
    char *owned;
    bool stream;
    size_t offset, end; /* in the input: "N 0 obj" to the next object */
    size_t new_offset, index; /* where it went: the file, or the object stream */
} object;

struct pdf_packer {
    object *objs; /* objs[0] is unused, as object 0 is */
    size_t n, cap;
    size_t root, info; /* info 0: none */
    size_t *pages;
    size_t npages;
};

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
        o->body = pdf + c.at;
        o->len = end - c.at;
        o->stream = ends_with_word(o->body - 1, o->len + 1, "endstream");
    }
    free(order);
    return why;
}

/* "NUM GEN R" after the key in the trailer dictionary [from, to). */
static bool trailer_ref(const char *s, size_t from, size_t to, const char *key, size_t *num)
{
    size_t n = strlen(key);
    for (size_t i = from; i + n <= to; i++)
        if (memcmp(s + i, key, n) == 0 && (i + n == to || white(s[i + n]))) {
            cursor c = {s, to, i + n};
            return read_ref(&c, num);
        }
    return false;
}

/* The object a key of object k's dictionary refers to; 0 when none. */
static size_t ref_of(const pdf_packer *p, size_t k, const char *key)
{
    const object *o = &p->objs[k];
    size_t from, to, end, num;
    if (!dict_value(o->body, o->len, key, &from, &to, &end))
        return 0;
    cursor c = {o->body, to, from};
    return read_ref(&c, &num) && num > 0 && num < p->n && !p->objs[num].stream ? num : 0;
}

/* The pages, from the catalog's /Pages /Kids: one level, as libharu makes it. */
static const char *find_pages(pdf_packer *p)
{
    size_t tree = ref_of(p, p->root, "/Pages"), from, to, end;
    if (!tree)
        return "the catalog has no page tree";
    const object *t = &p->objs[tree];
    if (!dict_value(t->body, t->len, "/Kids", &from, &to, &end))
        return "the page tree has no /Kids";
    cursor c = {t->body, to, from};
    if (!read_word(&c, "["))
        return "the page tree's /Kids is not an array";
    size_t cap = 0, num;
    for (;;) {
        skip_white(&c);
        if (c.at < c.len && t->body[c.at] == ']')
            return NULL;
        if (!read_ref(&c, &num) || num == 0 || num >= p->n || p->objs[num].stream)
            return "a page tree's kid is not a page";
        const object *page = &p->objs[num];
        size_t tf, tt, te;
        if (!dict_value(page->body, page->len, "/Type", &tf, &tt, &te) || tt - tf != 5 ||
            memcmp(page->body + tf, "/Page", 5) != 0)
            return "a page tree's kid is not a page (nested page trees are not read)";
        void *arr = p->pages;
        xgrow(&arr, &cap, p->npages + 1, sizeof *p->pages);
        p->pages = arr;
        p->pages[p->npages++] = num;
    }
}

pdf_packer *pdf_pack_read(const char *pdf, size_t len, const char **why)
{
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
        return NULL;
    }
    c = (cursor){pdf, sx, xref_at};
    if (!read_word(&c, "xref") || !read_number(&c, &first) || !read_number(&c, &n) || first != 0 ||
        n < 2 || n > (sx - xref_at) / 18) {
        *why = "not one cross-reference section from object 0";
        return NULL;
    }
    pdf_packer *p = xcalloc(1, sizeof *p);
    p->n = p->cap = n;
    p->objs = xcalloc(n, sizeof *p->objs);
    for (size_t k = 0; k < n && !*why; k++) {
        size_t gen = 0;
        bool read = read_number(&c, &p->objs[k].offset) && read_number(&c, &gen);
        skip_white(&c);
        char type = c.at < c.len ? pdf[c.at++] : '?';
        if (!read || (k == 0 ? type != 'f' : type != 'n' || gen != 0 || p->objs[k].offset >= xref_at))
            *why = "a cross-reference entry other than an object of generation 0";
    }
    size_t trailer_at = c.at;
    if (!*why && !read_word(&c, "trailer"))
        *why = "no trailer after the cross-reference table";
    if (!*why && (!trailer_ref(pdf, trailer_at, sx, "/Root", &p->root) || p->root == 0 ||
                  p->root >= n))
        *why = "no /Root in the trailer";
    if (!*why && (!trailer_ref(pdf, trailer_at, sx, "/Info", &p->info) || p->info >= n))
        p->info = 0;
    if (!*why)
        *why = split_objects(pdf, p->objs, n, xref_at);
    if (!*why && p->objs[p->root].stream)
        *why = "the catalog is a stream";
    if (!*why)
        *why = find_pages(p);
    if (*why) {
        pdf_pack_free(p);
        return NULL;
    }
    return p;
}

void pdf_pack_free(pdf_packer *p)
{
    if (!p)
        return;
    for (size_t k = 0; k < p->n; k++)
        free(p->objs[k].owned);
    free(p->objs);
    free(p->pages);
    free(p);
}

size_t pdf_pack_pages(const pdf_packer *p)
{
    return p->npages;
}

/* Gives o the body in b (taken). */
static void set_body(object *o, rg_buf *b, bool stream)
{
    size_t len = b->len;
    free(o->owned);
    o->owned = rg_buf_take(b);
    o->body = o->owned;
    o->len = len;
    o->stream = stream;
}

static void stream_body(rg_buf *b, const char *dict, const void *stream, size_t len)
{
    rg_buf_printf(b, "<<\n%s\n/Length %zu\n>>\nstream\n", dict, len);
    rg_buf_append(b, len ? stream : "", len);
    rg_buf_puts(b, "\nendstream");
}

size_t pdf_pack_add(pdf_packer *p, const char *dict, const void *stream, size_t len)
{
    void *arr = p->objs;
    xgrow(&arr, &p->cap, p->n + 1, sizeof *p->objs);
    p->objs = arr;
    object *o = &p->objs[p->n];
    memset(o, 0, sizeof *o);
    rg_buf b = {0};
    if (stream)
        stream_body(&b, dict, stream, len);
    else
        rg_buf_puts(&b, dict);
    set_body(o, &b, stream != NULL);
    return p->n++;
}

int pdf_pack_set(pdf_packer *p, size_t page, const char *key, const char *value, const char **why)
{
    if (page != PDF_PACK_CATALOG && page >= p->npages) {
        *why = "no such page";
        return -1;
    }
    object *o = &p->objs[page == PDF_PACK_CATALOG ? p->root : p->pages[page]];
    size_t from = 0, to = 0, end;
    bool found = dict_value(o->body, o->len, key, &from, &to, &end);
    if (!found && end == 0) {
        *why = "a dictionary that cannot be read";
        return -1;
    }
    if (!found)
        from = to = end;
    rg_buf b = {0};
    rg_buf_append(&b, o->body, from);
    if (found)
        rg_buf_puts(&b, value);
    else
        rg_buf_printf(&b, "%s %s\n", key, value);
    rg_buf_append(&b, o->body + to, o->len - to);
    set_body(o, &b, false);
    return 0;
}

int pdf_pack_set_contents(pdf_packer *p, size_t page, const char *dict, const void *stream,
                          size_t len, const char **why)
{
    if (page >= p->npages) {
        *why = "no such page";
        return -1;
    }
    const object *pg = &p->objs[p->pages[page]];
    size_t from, to, end, k = 0;
    cursor c = {pg->body, 0, 0};
    if (dict_value(pg->body, pg->len, "/Contents", &from, &to, &end))
        c = (cursor){pg->body, to, from};
    if (!read_ref(&c, &k) || k == 0 || k >= p->n || !p->objs[k].stream) {
        *why = "a page's /Contents is not one stream";
        return -1;
    }
    /* libharu's empty stream gives way; the object of its /Length stays, a
     * number nothing refers to. */
    rg_buf b = {0};
    stream_body(&b, dict, stream, len);
    set_body(&p->objs[k], &b, true);
    return 0;
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
static int put_stream_object(rg_buf *out, size_t num, const char *dict,
                             const rg_buf *data)
{
    rg_buf z = {0};
    if (flate_zlib(STREAM_LEVEL, data->data ? data->data : "", data->len, &z) != 0) {
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

int pdf_pack_write(pdf_packer *p, rg_buf *out, const char **why)
{
    out->len = 0;
    *why = NULL;
    size_t n = p->n;
    /* The streams stay at the top level; the rest go into object N. */
    rg_buf_append(out, "%PDF-1.5\n%\xB7\xBE\xAD\xAA\n", 15);
    rg_buf heads = {0}, bodies = {0};
    size_t packed = 0;
    for (size_t k = 1; k < n; k++) {
        object *o = &p->objs[k];
        if (o->stream) {
            o->new_offset = out->len;
            rg_buf_printf(out, "%zu 0 obj\n", k);
            rg_buf_append(out, o->body, o->len);
            rg_buf_puts(out, "\nendobj\n");
        } else {
            o->index = packed++;
            rg_buf_printf(&heads, "%zu %zu ", k, bodies.len);
            rg_buf_append(&bodies, o->body, o->len);
            rg_buf_putc(&bodies, '\n');
        }
    }
    size_t objstm_at = out->len;
    rg_buf dict = {0};
    rg_buf_printf(&dict, "/Type /ObjStm\n/N %zu\n/First %zu\n", packed, heads.len);
    rg_buf_append(&heads, bodies.data ? bodies.data : "", bodies.len);
    rg_buf_fini(&bodies);
    int rc = put_stream_object(out, n, dict.data, &heads);

    /* The cross-reference stream, object N + 1: type, offset or object
     * stream, generation or index. */
    size_t xref_stream_at = out->len;
    int w2 = width_of(xref_stream_at > n ? xref_stream_at : n);
    int w3 = width_of(packed > 0xFFFF ? packed : 0xFFFF);
    rg_buf table = {0};
    put_field(&table, 0, 1), put_field(&table, 0, w2), put_field(&table, 0xFFFF, w3);
    for (size_t k = 1; k < n; k++) {
        const object *o = &p->objs[k];
        put_field(&table, o->stream ? 1 : 2, 1);
        put_field(&table, o->stream ? o->new_offset : n, w2);
        put_field(&table, o->stream ? 0 : o->index, w3);
    }
    put_field(&table, 1, 1), put_field(&table, objstm_at, w2), put_field(&table, 0, w3);
    put_field(&table, 1, 1), put_field(&table, xref_stream_at, w2), put_field(&table, 0, w3);
    dict.len = 0;
    rg_buf_printf(&dict, "/Type /XRef\n/Size %zu\n/W [ 1 %d %d ]\n/Root %zu 0 R\n", n + 2, w2, w3,
                  p->root);
    if (p->info)
        rg_buf_printf(&dict, "/Info %zu 0 R\n", p->info);
    if (rc == 0)
        rc = put_stream_object(out, n + 1, dict.data, &table);
    rg_buf_printf(out, "startxref\n%zu\n%%%%EOF\n", xref_stream_at);
    rg_buf_fini(&heads), rg_buf_fini(&dict), rg_buf_fini(&table);
    if (rc != 0)
        *why = "out of memory compressing the objects";
    return rc;
}
