/* Unit tests of pdf_pack: every object of a file of libharu's shape is found
 * again, through the cross-reference stream, with the same bytes (streams
 * at their offsets, the rest in the object stream); added objects follow
 * them, and a page's entries and content stream and the catalog's entries
 * are replaced or added without disturbing the rest; files of another shape
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
    "<<\n/Type /Page\n/Note (/Resources \\) >> [)\n/Parent 2 0 R\n/Contents 4 0 R\n"
    "/Resources <<\n/ProcSet [ /PDF /Text ]\n>>\n/MediaBox [ 0 0 100 100.5 ]\n>>",
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

/* A packed file read back through its cross-reference stream. */
typedef struct packed {
    const rg_buf *out;
    unsigned char table[1024], objstm[8192];
    size_t nobj, row, first, stm_len;
    int w2, w3;
} packed;

static void read_packed(packed *pk, const rg_buf *out, size_t nobj)
{
    pk->out = out;
    pk->nobj = nobj; /* objects 1..nobj, then the object stream and the table */
    assert_memory_equal(out->data, "%PDF-1.5\n", 9);
    const char *end = out->data + out->len;
    assert_non_null(find(end - 6, end, "%%EOF"));
    const char *sx = find(end - 40, end, "startxref\n");
    assert_non_null(sx);
    const char *xref = out->data + strtoul(sx + 10, NULL, 10);
    char head[32];
    snprintf(head, sizeof head, "%zu 0 obj\n", nobj + 2);
    assert_memory_equal(xref, head, strlen(head));
    assert_non_null(find(xref, end, "/Type /XRef"));
    assert_non_null(find(xref, end, "/Root 1 0 R"));
    assert_non_null(find(xref, end, "/Info 6 0 R"));
    int w1;
    assert_int_equal(sscanf(find(xref, end, "/W [") + 4, "%d %d %d", &w1, &pk->w2, &pk->w3), 3);
    assert_int_equal(w1, 1);
    size_t n = inflate_stream(xref, end, pk->table, sizeof pk->table);
    pk->row = (size_t)(w1 + pk->w2 + pk->w3);
    assert_int_equal(n, (nobj + 3) * pk->row);
    assert_int_equal(pk->table[0], 0); /* object 0 is free */
    const unsigned char *e = pk->table + (nobj + 1) * pk->row;
    assert_int_equal(e[0], 1);
    const char *stm = out->data + field(e + 1, pk->w2);
    assert_non_null(find(stm, end, "/Type /ObjStm"));
    pk->first = strtoul(find(stm, end, "/First ") + 7, NULL, 10);
    pk->stm_len = inflate_stream(stm, end, pk->objstm, sizeof pk->objstm - 1);
    pk->objstm[pk->stm_len] = 0;
}

/* Whether object k's body, found through the table, starts with `body`
 * (and, in the object stream, is no longer). */
static void assert_body(const packed *pk, size_t k, const char *body)
{
    const unsigned char *e = pk->table + k * pk->row;
    char head[32];
    if (e[0] == 1) { /* a stream, at the top level */
        const char *at = pk->out->data + field(e + 1, pk->w2);
        snprintf(head, sizeof head, "%zu 0 obj\n", k);
        assert_memory_equal(at, head, strlen(head));
        assert_memory_equal(at + strlen(head), body, strlen(body));
        return;
    }
    /* in the object stream: "NUM OFFSET" pairs, then the objects */
    assert_int_equal(e[0], 2);
    assert_int_equal(field(e + 1, pk->w2), pk->nobj + 1);
    size_t index = field(e + 1 + pk->w2, pk->w3);
    const char *p = (const char *)pk->objstm;
    size_t num = 0, off = 0;
    for (size_t i = 0; i <= index; i++) {
        char *next;
        num = strtoul(p, &next, 10);
        off = strtoul(next, &next, 10);
        p = next;
    }
    assert_int_equal(num, k);
    assert_memory_equal(pk->objstm + pk->first + off, body, strlen(body));
    assert_int_equal(pk->objstm[pk->first + off + strlen(body)], '\n');
}

static void test_every_object_is_found_again(void **state)
{
    (void)state;
    rg_buf in = {0}, out = {0};
    haru_file(&in);
    const char *why = "unset";
    pdf_packer *p = pdf_pack_read(in.data, in.len, &why);
    assert_non_null(p);
    assert_null(why);
    assert_int_equal(pdf_pack_pages(p), 1);
    assert_int_equal(pdf_pack_write(p, &out, &why), 0);
    assert_null(why);
    packed pk;
    read_packed(&pk, &out, NOBJ);
    for (int k = 1; k <= NOBJ; k++)
        assert_body(&pk, (size_t)k, bodies[k - 1]);
    pdf_pack_free(p);
    rg_buf_fini(&in), rg_buf_fini(&out);
}

static void test_added_objects_and_rewired_page(void **state)
{
    (void)state;
    rg_buf in = {0}, out = {0};
    haru_file(&in);
    const char *why = NULL;
    pdf_packer *p = pdf_pack_read(in.data, in.len, &why);
    assert_non_null(p);
    assert_int_equal(pdf_pack_add(p, "/Length1 3", "xyz", 3), NOBJ + 1);
    assert_int_equal(pdf_pack_add(p, "<< /Type /Font >>", NULL, 0), NOBJ + 2);
    assert_int_equal(pdf_pack_set_contents(p, 0, "/Filter /FlateDecode", "BT ET", 5, &why), 0);
    assert_int_equal(pdf_pack_set(p, 0, "/Resources", "8 0 R", &why), 0);
    assert_int_equal(pdf_pack_set(p, PDF_PACK_CATALOG, "/Lang", "(en)", &why), 0);
    assert_int_equal(pdf_pack_set(p, PDF_PACK_CATALOG, "/PageMode", "/UseOutlines", &why), 0);
    assert_int_equal(pdf_pack_write(p, &out, &why), 0);
    packed pk;
    read_packed(&pk, &out, NOBJ + 2);
    /* The catalog: /Lang replaced, /PageMode added before the end. */
    assert_body(&pk, 1, "<<\n/Type /Catalog\n/Pages 2 0 R\n/Lang (en)\n/PageMode /UseOutlines\n>>");
    /* The page: its /Resources dictionary replaced by the reference; the
     * string that holds "/Resources" and ">>" untouched. */
    assert_body(&pk, 3, "<<\n/Type /Page\n/Note (/Resources \\) >> [)\n/Parent 2 0 R\n/Contents 4 0 R\n"
                        "/Resources 8 0 R\n/MediaBox [ 0 0 100 100.5 ]\n>>");
    /* The page's content stream, same number, new data. */
    assert_body(&pk, 4, "<<\n/Filter /FlateDecode\n/Length 5\n>>\nstream\nBT ET\nendstream\nendobj\n");
    for (int k = 5; k <= NOBJ; k++)
        assert_body(&pk, (size_t)k, bodies[k - 1]);
    assert_body(&pk, NOBJ + 1, "<<\n/Length1 3\n/Length 3\n>>\nstream\nxyz\nendstream");
    assert_body(&pk, NOBJ + 2, "<< /Type /Font >>");
    pdf_pack_free(p);
    rg_buf_fini(&in), rg_buf_fini(&out);
}

static void expect_refused(const rg_buf *in, const char *reason)
{
    const char *why = NULL;
    assert_null(pdf_pack_read(in->data, in->len, &why));
    assert_non_null(why);
    assert_non_null(strstr(why, reason));
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
    haru_file(&in);
    memcpy(strstr(in.data, "/Type /Page\n"), "/Type /Pages", 12); /* a nested page tree */
    expect_refused(&in, "not a page");

    in.len = 0;
    haru_file(&in);
    memcpy(strstr(in.data, "/Kids [ 3 0 R ]"), "/Kids [ 4 0 R ]", 15); /* a stream as a page */
    expect_refused(&in, "not a page");

    in.len = 0;
    rg_buf_puts(&in, "%PDF-1.3\nnot a PDF at all");
    expect_refused(&in, "cross-reference");

    /* Edits of what is not there. */
    in.len = 0;
    haru_file(&in);
    memcpy(strstr(in.data, "/Contents 4 0 R"), "/Contents 5 0 R", 15); /* not a stream */
    const char *why = NULL;
    pdf_packer *p = pdf_pack_read(in.data, in.len, &why);
    assert_non_null(p);
    assert_int_equal(pdf_pack_set_contents(p, 0, "", "x", 1, &why), -1);
    assert_non_null(strstr(why, "/Contents"));
    assert_int_equal(pdf_pack_set(p, 1, "/Resources", "8 0 R", &why), -1);
    assert_non_null(strstr(why, "no such page"));
    pdf_pack_free(p);
    rg_buf_fini(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_object_is_found_again),
        cmocka_unit_test(test_added_objects_and_rewired_page),
        cmocka_unit_test(test_other_shapes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
