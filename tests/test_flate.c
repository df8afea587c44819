/* Unit tests of flate: a stream inflates (by zlib) to the data, whatever
 * the sizes, levels and kinds of data; a level out of range is refused. */
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

static void test_inflates_to_the_data(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 300, 70000, 600000};
    static const int levels[] = {1, 5, 6, 12};
    rg_buf z = {0};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        unsigned char *data = sample(sizes[s], (uint32_t)s + 1);
        for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
            assert_int_equal(flate_zlib(levels[l], data, sizes[s], &z), 0);
            assert_inflates_to(&z, data, sizes[s]);
        }
        free(data);
    }
    rg_buf_fini(&z);
}

/* The same data gives the same bytes, whatever was compressed before. */
static void test_same_data_same_bytes(void **state)
{
    (void)state;
    size_t n = 200000;
    unsigned char *data = sample(n, 7), *other = sample(9000, 8);
    rg_buf a = {0}, b = {0};
    assert_int_equal(flate_zlib(6, data, n, &a), 0);
    assert_int_equal(flate_zlib(6, other, 9000, &b), 0);
    assert_int_equal(flate_zlib(6, data, n, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_true(a.len < n / 2); /* compressed, not stored */
    rg_buf_fini(&a), rg_buf_fini(&b);
    free(data), free(other);
}

static void test_levels_out_of_range_are_refused(void **state)
{
    (void)state;
    rg_buf z = {0};
    assert_int_equal(flate_zlib(0, "abc", 3, &z), -1);
    assert_int_equal(flate_zlib(13, "abc", 3, &z), -1);
    assert_int_equal(z.len, 0);
    rg_buf_fini(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inflates_to_the_data),
        cmocka_unit_test(test_same_data_same_bytes),
        cmocka_unit_test(test_levels_out_of_range_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
