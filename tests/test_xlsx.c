/* Unit tests of the workbook's scratch streams (lxw_tmpfile in xlsx_lxw.c):
 * what libxlsxwriter writes to one it reads back, as from a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xlsx.h"

/* More than a stdio buffer, in uneven writes, comes back whole in uneven reads. */
static void test_written_parts_read_back(void **state)
{
    (void)state;
    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    size_t n = 100000;
    char *data = malloc(n), *back = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i * 7 % 26);
    for (size_t at = 0, step = 1; at < n; at += step, step = step * 3 % 9001 + 1)
        assert_int_equal(fwrite(data + at, 1, at + step > n ? n - at : step, f),
                         at + step > n ? n - at : step);
    assert_int_equal(fflush(f), 0);
    rewind(f);
    size_t got = 0, r;
    while ((r = fread(back + got, 1, 4093, f)) > 0)
        got += r;
    assert_int_equal(got, n);
    assert_true(feof(f));
    assert_false(ferror(f));
    assert_memory_equal(back, data, n);
    assert_int_equal(fclose(f), 0);
    free(data), free(back);
}

/* Seeks from each end, overwriting in the middle, and a write past the end
 * leaving a hole of zeros, as in a file. */
static void test_seeks_as_a_file(void **state)
{
    (void)state;
    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    fputs("<sheetData>", f);
    assert_int_equal(ftell(f), 11);
    assert_int_equal(fseek(f, 1, SEEK_SET), 0);
    fputs("SHEET", f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_int_equal(ftell(f), 11);
    assert_int_equal(fseek(f, 3, SEEK_CUR), 0);
    fputs("!", f);
    assert_int_not_equal(fseek(f, -100, SEEK_END), 0);
    rewind(f);
    char back[32] = {0};
    assert_int_equal(fread(back, 1, sizeof back, f), 15);
    assert_memory_equal(back, "<SHEETData>\0\0\0!", 15);
    /* Reading on from the end gives nothing. */
    assert_int_equal(fread(back, 1, 1, f), 0);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_parts_read_back),
        cmocka_unit_test(test_seeks_as_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
