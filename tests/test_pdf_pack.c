/* Unit tests of pdf_pack: every object of a file of libharu's shape is found
 * again, through the cross-reference stream, with the same bytes (streams
 * at their offsets, the rest in the object stream); files of another shape
 * are refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "pdf_pack.h"

/* The stream's data holds "endobj" and "N 0 obj" on purpose. */
static const char *const bodies[] = {
    "<<\n/Type /Catalog\n/Pages 2 0 R\n/Lang (zh-CN)\n>>",
    "<<\n/Type /Pages\n/Kids [ 3 0 R ]\n/Count 1\n>>",
    "<<\n/Type /Page\n/Parent 2 0 R\n/Contents 4 0 R\n/MediaBox [ 0 0 100 100 ]\n>>",
    "<<\n/Length 5 0 R\n>>\nstream\r\nBT endobj\n6 0 obj ET\nendstream",
    "26",
    "<<\n/Title <FEFF5DE54E1A>\n/Producer (endstream)\n>>",
};
enum { NOBJ = 6 };

/* The file libharu would write: objects 1-6, the xref table, the trailer. */
static void haru_file(rg_buf *b)
{
    size_t at[NOBJ + 1];
    rg_buf_append(b, "%PDF-1.3\n%\xB7\xBE\xAD\xAA\n", 15);
    for (int k = 1; k <= NOBJ; k++) {
        at[k] = b->len;
        rg_buf_printf(b, "%d 0 obj\n%s\nendobj\n", k, bodies[k - 1]);
    }
    size_t xref = b->len;
    rg_buf_printf(b, "xref\n0 %d\n0000000000 65535 f\r\n", NOBJ + 1);
    for (int k = 1; k <= NOBJ; k++)
        rg_buf_printf(b, "%010zu 00000 n\r\n", at[k]);
    rg_buf_printf(b, "trailer\n<<\n/Root 1 0 R\n/Info 6 0 R\n/Size %d\n>>\nstartxref\n%zu\n%%%%EOF\n",
                  NOBJ + 1, xref);
}

/* The first `needle` in [s, end) (the file's streams hold NUL bytes). */
static const char *find(const char *s, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; s + n <= end; s++)
        if (memcmp(s, needle, n) == 0)
            return s;
    return NULL;
}

/* The data of the stream object starting at s (its dictionary's /Length is
 * direct), inflated. */
static size_t inflate_stream(const char *s, const char *end, unsigned char *out, size_t cap)
{
    const char *len = find(s, end, "/Length ");
    const char *data = find(s, end, "stream\n");
    assert_non_null(len);
    assert_non_null(data);
    uLongf n = cap;
    assert_int_equal(uncompress(out, &n, (const Bytef *)data + 7, strtoul(len + 8, NULL, 10)), Z_OK);
    return n;
}

static size_t field(const unsigned char *p, int width)
{
    size_t v = 0;
    for (int i = 0; i < width; i++)
        v = v << 8 | p[i];
    return v;
}

static void test_every_object_is_found_again(void **state)
{
    (void)state;
    rg_buf in = {0}, out = {0};
    haru_file(&in);
    flate *f = flate_new();
    const char *why = "unset";
    assert_int_equal(pdf_pack(f, in.data, in.len, &out, &why), 0);
    assert_null(why);
    assert_memory_equal(out.data, "%PDF-1.5\n", 9);
    const char *end = out.data + out.len;
    assert_non_null(find(end - 6, end, "%%EOF"));

    const char *sx = find(end - 40, end, "startxref\n");
    assert_non_null(sx);
    size_t xref_at = strtoul(sx + 10, NULL, 10);
    char head[32];
    snprintf(head, sizeof head, "%d 0 obj\n", NOBJ + 2);
    assert_memory_equal(out.data + xref_at, head, strlen(head));
    const char *xref = out.data + xref_at;
    assert_non_null(find(xref, end, "/Type /XRef"));
    assert_non_null(find(xref, end, "/Root 1 0 R"));
    assert_non_null(find(xref, end, "/Info 6 0 R"));
    int w1, w2, w3;
    assert_int_equal(sscanf(find(xref, end, "/W [") + 4, "%d %d %d", &w1, &w2, &w3), 3);
    assert_int_equal(w1, 1);
    unsigned char table[512], objstm[4096];
    size_t n = inflate_stream(xref, end, table, sizeof table);
    size_t row = (size_t)(w1 + w2 + w3);
    assert_int_equal(n, (NOBJ + 3) * row);
    assert_int_equal(table[0], 0); /* object 0 is free */

    /* The object stream, from its own entry (object NOBJ + 1). */
    const unsigned char *e = table + (NOBJ + 1) * row;
    assert_int_equal(e[0], 1);
    const char *stm = out.data + field(e + 1, w2);
    assert_non_null(find(stm, end, "/Type /ObjStm"));
    size_t first = strtoul(find(stm, end, "/First ") + 7, NULL, 10);
    size_t stm_len = inflate_stream(stm, end, objstm, sizeof objstm - 1);
    objstm[stm_len] = 0;

    for (int k = 1; k <= NOBJ; k++) {
        e = table + (size_t)k * row;
        const char *body = bodies[k - 1];
        if (strstr(body, "\nendstream") != NULL) { /* at the top level, as it was */
            assert_int_equal(e[0], 1);
            const char *at = out.data + field(e + 1, w2);
            snprintf(head, sizeof head, "%d 0 obj\n", k);
            assert_memory_equal(at, head, strlen(head));
            assert_memory_equal(at + strlen(head), body, strlen(body));
        } else { /* in the object stream: "NUM OFFSET" pairs, then the objects */
            assert_int_equal(e[0], 2);
            assert_int_equal(field(e + 1, w2), NOBJ + 1);
            size_t index = field(e + 1 + w2, w3);
            const char *p = (const char *)objstm;
            size_t num = 0, off = 0;
            for (size_t i = 0; i <= index; i++) {
                char *next;
                num = strtoul(p, &next, 10);
                off = strtoul(next, &next, 10);
                p = next;
            }
            assert_int_equal(num, (size_t)k);
            assert_memory_equal(objstm + first + off, body, strlen(body));
        }
    }
    rg_buf_fini(&in), rg_buf_fini(&out);
    flate_free(f);
}

static void expect_refused(const rg_buf *in, const char *reason)
{
    flate *f = flate_new();
    rg_buf out = {0};
    const char *why = NULL;
    assert_int_equal(pdf_pack(f, in->data, in->len, &out, &why), -1);
    assert_non_null(why);
    assert_non_null(strstr(why, reason));
    rg_buf_fini(&out);
    flate_free(f);
}

static void test_other_shapes_are_refused(void **state)
{
    (void)state;
    rg_buf in = {0};
    haru_file(&in);
    in.data[in.len - 10] = 'x'; /* startxref's number spoiled */
    expect_refused(&in, "cross-reference");

    in.len = 0;
    haru_file(&in);
    char *entry = strstr(in.data, "00000 n\r\n") - 11; /* object 1's offset, one off */
    entry[9] = (char)(entry[9] + 1);
    expect_refused(&in, "not where the cross-reference table says");

    in.len = 0;
    haru_file(&in);
    char *end = strstr(in.data, "endobj");
    memcpy(end, "endobx", 6);
    expect_refused(&in, "endobj");

    in.len = 0;
    haru_file(&in);
    memcpy(strstr(in.data, "/Root"), "/Rooq", 5);
    expect_refused(&in, "/Root");

    in.len = 0;
    rg_buf_puts(&in, "%PDF-1.3\nnot a PDF at all");
    expect_refused(&in, "cross-reference");
    rg_buf_fini(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_object_is_found_again),
        cmocka_unit_test(test_other_shapes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
