/* Unit tests of flate: a stream compressed in pieces inflates (by zlib) to
 * the data, whatever the sizes, levels and kinds of data, and its bytes do
 * not depend on the number of threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "flate.h"

/* Text-like runs (dynamic Huffman blocks), incompressible runs (stored
 * blocks) and repeats (long matches), mixed by a fixed generator. */
static unsigned char *sample(size_t n, uint32_t seed)
{
    static const char *const words[] = {"glyf ", "loca ", "园区", "产值", "1-11月，", "同比增长"};
    unsigned char *b = malloc(n ? n : 1);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n;) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t run = 1 + x % 700;
        int kind = (int)((x >> 10) % 3);
        for (size_t k = 0; k < run && i < n; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            if (kind == 0) {
                const char *w = words[x % 6];
                for (size_t c = 0; w[c] && i < n; c++)
                    b[i++] = (unsigned char)w[c];
            } else if (kind == 1) {
                b[i++] = (unsigned char)x;
            } else {
                b[i] = i >= 300 ? b[i - 300] : (unsigned char)'a';
                i++;
            }
        }
    }
    return b;
}

static void assert_inflates_to(const rg_buf *z, const unsigned char *data, size_t n)
{
    unsigned char *back = malloc(n + 1);
    uLongf got = n + 1;
    assert_int_equal(uncompress(back, &got, (const Bytef *)z->data, z->len), Z_OK);
    assert_int_equal(got, n);
    assert_memory_equal(back, data, n);
    free(back);
}

static void test_pieces_inflate_to_the_data(void **state)
{
    (void)state;
    flate *f = flate_new();
    static const size_t pieces[] = {64, 1000, 4096};
    static const int levels[] = {1, 6, 9, 12};
    size_t joined = 0;
    for (uint32_t seed = 0; seed < 40; seed++) {
        size_t n = 1 + (seed * 7919u) % 20000;
        unsigned char *data = sample(n, seed);
        for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
            rg_buf z = {0};
            int level = levels[seed % 4];
            assert_int_equal(flate_zlib(f, level, data, n, pieces[p], 2, &z), 0);
            assert_inflates_to(&z, data, n);
            joined += n > pieces[p];
            rg_buf_fini(&z);
        }
        free(data);
    }
    assert_true(joined > 100); /* most of them were joined from pieces */
    flate_free(f);
}

static void test_bytes_do_not_depend_on_threads(void **state)
{
    (void)state;
    flate *f = flate_new();
    size_t n = 50000;
    unsigned char *data = sample(n, 7);
    rg_buf one = {0}, three = {0}, many = {0};
    assert_int_equal(flate_zlib(f, 12, data, n, 9000, 1, &one), 0);
    flate *other = flate_new(); /* the bytes do not depend on a compressor's past either */
    assert_int_equal(flate_zlib(other, 12, data, n, 9000, 3, &three), 0);
    flate_free(other);
    assert_int_equal(flate_zlib(f, 12, data, n, 9000, 64, &many), 0);
    assert_int_equal(one.len, three.len);
    assert_memory_equal(one.data, three.data, one.len);
    assert_int_equal(one.len, many.len);
    assert_memory_equal(one.data, many.data, one.len);
    assert_inflates_to(&one, data, n);
    rg_buf_fini(&one), rg_buf_fini(&three), rg_buf_fini(&many);
    free(data);
    flate_free(f);
}

static void test_one_piece_and_empty(void **state)
{
    (void)state;
    flate *f = flate_new();
    unsigned char *data = sample(5000, 3);
    rg_buf z = {0};
    assert_int_equal(flate_zlib(f, 6, data, 5000, 0, 2, &z), 0); /* piece 0: one stream */
    assert_inflates_to(&z, data, 5000);
    assert_int_equal(flate_zlib(f, 6, data, 5000, 5000, 2, &z), 0);
    assert_inflates_to(&z, data, 5000);
    assert_int_equal(flate_zlib(f, 12, "", 0, 100, 2, &z), 0);
    assert_inflates_to(&z, data, 0);
    rg_buf_fini(&z);
    free(data);
    flate_free(f);
}

/* Compressing begun on threads of its own gives flate_zlib's bytes, with
 * or without threads and pieces, while the caller compresses other data
 * with another compressor. */
static void test_begun_gives_the_same_bytes(void **state)
{
    (void)state;
    flate *f = flate_new(), *meanwhile = flate_new();
    size_t n = 60000;
    unsigned char *data = sample(n, 5), *other = sample(9000, 6);
    static const size_t pieces[] = {0, 7000, 60000};
    static const int levels[] = {6, 12};
    static const int threads[] = {0, 1, 2, 5};
    for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++)
        for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
            rg_buf expected = {0};
            assert_int_equal(flate_zlib(f, levels[l], data, n, pieces[p], 1, &expected), 0);
            for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
                rg_buf begun = {0}, side = {0};
                flate_job *job = flate_zlib_begin(f, levels[l], data, n, pieces[p], threads[t], &begun);
                assert_non_null(job);
                assert_int_equal(flate_zlib(meanwhile, levels[l], other, 9000, 0, 1, &side), 0);
                assert_int_equal(flate_zlib_end(job), 0);
                assert_int_equal(begun.len, expected.len);
                assert_memory_equal(begun.data, expected.data, expected.len);
                assert_inflates_to(&side, other, 9000);
                rg_buf_fini(&begun), rg_buf_fini(&side);
            }
            assert_inflates_to(&expected, data, n);
            rg_buf_fini(&expected);
        }
    rg_buf z = {0};
    assert_null(flate_zlib_begin(f, 13, data, n, 0, 2, &z)); /* no such level */
    assert_int_equal(flate_zlib_end(NULL), -1);
    rg_buf_fini(&z);
    free(data), free(other);
    flate_free(f), flate_free(meanwhile);
}

/* Splitting costs a little: the pieces' matches cannot reach back. */
static void test_pieces_cost_little(void **state)
{
    (void)state;
    flate *f = flate_new();
    size_t n = 400000;
    unsigned char *data = sample(n, 11);
    rg_buf whole = {0}, halves = {0};
    assert_int_equal(flate_zlib(f, 9, data, n, 0, 1, &whole), 0);
    assert_int_equal(flate_zlib(f, 9, data, n, n / 2, 2, &halves), 0);
    assert_true(halves.len > whole.len);
    assert_true(halves.len < whole.len + whole.len / 100);
    rg_buf_fini(&whole), rg_buf_fini(&halves);
    free(data);
    flate_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_inflate_to_the_data),
        cmocka_unit_test(test_bytes_do_not_depend_on_threads),
        cmocka_unit_test(test_one_piece_and_empty),
        cmocka_unit_test(test_pieces_cost_little),
        cmocka_unit_test(test_begun_gives_the_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
