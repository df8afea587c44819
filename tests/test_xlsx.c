/* Unit tests of the workbook writer (xlsx_lxw.c): the seed's model and
 * hostile variants of it are written to a temporary folder, and the parts of
 * the workbook are read back and checked as XML text. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "model.h"
#include "xlsx.h"

#define SEED TEST_SOURCE_DIR "/input/park-2023.xml"
#define CREATED ((time_t)1703980800) /* 2023-12-31 */

typedef struct fixture {
    model_loader *ld;
    char dir[64];
    char *seed; /* the seed's text */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->ld = model_loader_new();
    strcpy(f->dir, "/tmp/parkreport-xlsx-XXXXXX");
    if (!f->ld || !mkdtemp(f->dir))
        return -1;
    rg_buf text = {0};
    if (rg_read_file(SEED, RG_MAX_CONFIG_BYTES, &text) != 0)
        return -1;
    f->seed = rg_buf_take(&text);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rg_buf cmd = {0};
    rg_buf_printf(&cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd.data);
    rg_buf_fini(&cmd);
    model_loader_free(f->ld);
    free(f->seed);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* The seed with `from` (which must be in it) replaced by `to`, loaded. NULL
 * when the model refuses it, with the reason in d. */
static model *load_variant(fixture *f, const char *from, const char *to, rg_diags *d)
{
    const char *at = strstr(f->seed, from);
    assert_non_null(at);
    rg_buf text = {0}, path = {0};
    rg_buf_append(&text, f->seed, (size_t)(at - f->seed));
    rg_buf_puts(&text, to);
    rg_buf_puts(&text, at + strlen(from));
    rg_buf_printf(&path, "%s/park.xml", f->dir);
    assert_int_equal(rg_write_file(path.data, "wb", text.data, text.len), 0);
    model *m = model_load(f->ld, path.data, d);
    unlink(path.data);
    rg_buf_fini(&text);
    rg_buf_fini(&path);
    return m;
}

/* Writes the variant's workbook to DIR/park.xlsx, which must succeed. */
static char *write_variant(fixture *f, const char *from, const char *to)
{
    rg_diags d = {0};
    model *m = load_variant(f, from, to, &d);
    if (!m)
        fail_msg("the variant does not load: %s", d.count ? d.items[0].msg : "");
    rg_buf path = {0};
    rg_buf_printf(&path, "%s/park.xlsx", f->dir);
    int rc = xlsx_write(m, path.data, "park.xlsx", CREATED, &d);
    if (rc != 0)
        fail_msg("xlsx_write: %s", d.count ? d.items[0].msg : "no message");
    assert_int_equal(d.count, 0);
    model_free(m);
    rg_diags_fini(&d);
    return rg_buf_take(&path);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* A member of the zip at `path`, inflated with zlib (no unzip on every
 * machine); "" when there is none. */
static char *part(const char *path, const char *member)
{
    rg_buf zip = {0}, out = {0};
    assert_int_equal(rg_read_file(path, (size_t)1 << 26, &zip), 0);
    const unsigned char *z = (const unsigned char *)zip.data;
    assert_true(zip.len >= 22 && le32(z + zip.len - 22) == 0x06054b50);
    uint32_t at = le32(z + zip.len - 22 + 16);
    for (uint16_t i = 0, n = le16(z + zip.len - 22 + 10); i < n; i++) {
        assert_true(at + 46 <= zip.len && le32(z + at) == 0x02014b50);
        uint16_t name_len = le16(z + at + 28);
        uint32_t size = le32(z + at + 20), full = le32(z + at + 24), local = le32(z + at + 42);
        if (name_len == strlen(member) && memcmp(z + at + 46, member, name_len) == 0) {
            const unsigned char *data = z + local + 30 + le16(z + local + 26) + le16(z + local + 28);
            char *bytes = xmalloc(full + 1);
            if (le16(z + at + 10) == 0) {
                memcpy(bytes, data, full);
            } else {
                z_stream st = {.next_in = (unsigned char *)data, .avail_in = size,
                               .next_out = (unsigned char *)bytes, .avail_out = full};
                assert_int_equal(inflateInit2(&st, -15), Z_OK);
                assert_int_equal(inflate(&st, Z_FINISH), Z_STREAM_END);
                inflateEnd(&st);
            }
            rg_buf_append(&out, bytes, full);
            free(bytes);
            break;
        }
        at += 46u + name_len + le16(z + at + 30) + le16(z + at + 32);
    }
    rg_buf_fini(&zip);
    rg_buf_putc(&out, '\0');
    return rg_buf_take(&out);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *at = hay; (at = strstr(at, needle)); at += strlen(needle))
        n++;
    return n;
}

/* Every <f>...</f> and <c:f>...</c:f> of the workbook's sheets and charts:
 * none may hold `text` (a formula or reference made of data). */
static void assert_no_formula_holds(const char *path, const char *text)
{
    const char *members[] = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                             "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml",
                             "xl/worksheets/sheet5.xml", "xl/charts/chart1.xml",
                             "xl/charts/chart2.xml",    "xl/workbook.xml"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        char *xml = part(path, members[i]);
        assert_true(strlen(xml) > 100);
        for (char *at = xml; (at = strstr(at, "f>")); at++) {
            char *end = strstr(at, "</");
            assert_non_null(end);
            if ((at - xml >= 1 && at[-1] == '<') || (at - xml >= 3 && strncmp(at - 3, "<c:", 3) == 0)) {
                *end = '\0';
                if (strstr(at, text))
                    fail_msg("%s: a formula holds \"%s\": %.80s", members[i], text, at);
                *end = '<';
            }
        }
        free(xml);
    }
}

/* The seed's workbook: seven sheets, numbers as written, the charts' titles
 * and series names read from cells, and no scratch file left beside it. */
static void test_seed_workbook(void **state)
{
    fixture *f = *state;
    char *path = write_variant(f, "<park>", "<park>");
    char *book = part(path, "xl/workbook.xml");
    assert_int_equal(count(book, "<sheet "), 7);
    char *styles = part(path, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"0.0\""));
    assert_non_null(strstr(styles, "formatCode=\"0.00\""));
    char *sheet = part(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<v>124.2</v>"));
    assert_non_null(strstr(sheet, "<v>16.33</v>"));
    char *chart = part(path, "xl/charts/chart1.xml");
    assert_non_null(strstr(chart, "<c:title><c:tx><c:strRef><c:f>'2023年指标完成情况'!$M$2</c:f>"));
    assert_non_null(strstr(chart, "<c:v>工业园区2023年1-11月主要指标完成率（对全年预计）</c:v>"));
    assert_non_null(strstr(chart, "<c:ser><c:idx val=\"0\"/><c:order val=\"0\"/><c:tx><c:strRef>"));
    DIR *dir = opendir(f->dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(dir)))
        files += e->d_name[0] != '.';
    closedir(dir);
    assert_int_equal(files, 1); /* park.xlsx: the scratch files are gone */
    free(book), free(styles), free(sheet), free(chart), free(path);
}

/* A park named like a formula stays text everywhere: cells are strings, the
 * charts' titles are references to cells holding it, never it parsed. (In
 * element text the workbook's XML leaves " as it is.) */
static void test_formula_like_park_stays_text(void **state)
{
    fixture *f = *state;
    const char *names[] = {"=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "=Sheet1!$A$1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        rg_buf park = {0};
        rg_buf_puts(&park, "<park>");
        for (const char *c = names[i]; *c; c++)
            rg_buf_puts(&park, *c == '"' ? "&quot;" : (char[]){*c, 0});
        char *path = write_variant(f, "<park>工业园区", park.data);
        rg_buf_fini(&park);
        /* Without its first character, which a formula drops ("=HYPERLINK" is
         * written <f>HYPERLINK</f>); "1" alone is in formulas of the
         * program's own, so it is looked for with the year after it. */
        rg_buf core = {0};
        rg_buf_printf(&core, strlen(names[i]) > 3 ? "%s" : "%s2023年", names[i] + 1);
        assert_no_formula_holds(path, core.data);
        rg_buf_fini(&core);
        char *strings = part(path, "xl/sharedStrings.xml");
        rg_buf title = {0};
        rg_buf_printf(&title, "<t>%s2023年1-11月主要指标完成率（对全年预计）</t>", names[i]);
        assert_non_null(strstr(strings, title.data));
        char *chart = part(path, "xl/charts/chart1.xml");
        rg_buf cached = {0};
        rg_buf_printf(&cached, "<c:v>%s2023年1-11月主要指标完成率（对全年预计）</c:v>", names[i]);
        assert_non_null(strstr(chart, cached.data));
        char *pie = part(path, "xl/charts/chart2.xml");
        const char *pie_title = strstr(pie, "<c:title><c:tx><c:strRef><c:f>");
        assert_non_null(pie_title);
        assert_true(strstr(pie_title, "产业发展'!$J$2</c:f>") == pie_title + 31 ||
                    strstr(pie_title, "产业发展!$J$2</c:f>") == pie_title + 30);
        free(strings), free(chart), free(pie), free(path);
        rg_buf_fini(&title);
        rg_buf_fini(&cached);
    }
}

/* The header of every worksheet, unescaped from XML: "" when it has none. */
static char *header_of(const char *path, int sheet)
{
    rg_buf member = {0}, out = {0};
    rg_buf_printf(&member, "xl/worksheets/sheet%d.xml", sheet);
    char *xml = part(path, member.data);
    const char *at = strstr(xml, "<oddHeader>"), *end = at ? strstr(at, "</oddHeader>") : NULL;
    for (const char *c = at ? at + 11 : end; c && c < end; c++) {
        if (strncmp(c, "&amp;", 5) == 0) {
            rg_buf_putc(&out, '&');
            c += 4;
        } else {
            rg_buf_putc(&out, *c);
        }
    }
    rg_buf_putc(&out, '\0');
    free(xml);
    rg_buf_fini(&member);
    return rg_buf_take(&out);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* & from the data is doubled in the page header; one before G or
 * [Picture], which libxlsxwriter takes for a picture, is the full-width ＆. */
static void test_header_escapes_ampersand(void **state)
{
    fixture *f = *state;
    char *path = write_variant(f, "<park>工业园区", "<park>A&amp;B &amp;P&amp;G&amp;[Picture]园区");
    const char *want = "&LA&&B &&P＆G＆[Picture]园区&R";
    for (int s = 1; s <= 5; s++) {
        char *head = header_of(path, s);
        if (strncmp(head, want, strlen(want)) != 0)
            fail_msg("sheet %d: %s", s, head);
        free(head);
    }
    free(path);
}

/* The longest park name the schema takes, full of &: the header is kept in
 * every sheet, within Excel's 255 characters, shortened with "…". */
static void test_long_header_is_shortened(void **state)
{
    fixture *f = *state;
    rg_buf park = {0};
    rg_buf_puts(&park, "<park>");
    for (int i = 0; i < 200; i++)
        rg_buf_puts(&park, i % 3 == 0 ? "&amp;" : i % 3 == 1 ? "园" : "x");
    char *path = write_variant(f, "<park>工业园区", park.data);
    rg_buf_fini(&park);
    for (int s = 1; s <= 5; s++) {
        char *head = header_of(path, s);
        assert_true(strncmp(head, "&L&&园x&&园x", strlen("&L&&园x&&园x")) == 0);
        assert_true(utf8_chars(head) <= 255);
        assert_true(utf8_chars(head) > 240);
        assert_int_equal(count(head, "…"), 2); /* both sides were too long */
        /* no lone & left by the cut: each is doubled or a code */
        for (const char *c = strstr(head, "&R"); c && *c; c++)
            if (*c == '&' && c[1] == '&')
                c++;
            else if (*c == '&')
                assert_true(c[1] == 'R');
        free(head);
    }
    free(path);
}

/* Numbers keep their written digits: a number format with their decimals,
 * 12 of them included, and 15 significant digits written exactly. */
static void test_numbers_keep_their_digits(void **state)
{
    fixture *f = *state;
    char *path = write_variant(f, "<actual>15.43</actual>", "<actual>0.000000000001</actual>");
    char *styles = part(path, "xl/styles.xml");
    assert_non_null(strstr(styles, "formatCode=\"0.000000000000\""));
    free(styles), free(path);

    path = write_variant(f, "<actual>38.43</actual>", "<actual>999999999999999</actual>");
    char *sheet = part(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<v>999999999999999</v>"));
    free(sheet), free(path);
}

/* A figure with more significant digits than a cell shows is refused at its
 * place in the input (by the model, or else by the workbook), never written
 * with other digits. */
static void test_too_many_digits_refused(void **state)
{
    fixture *f = *state;
    rg_diags d = {0};
    model *m = load_variant(f, "<actual>38.43</actual>", "<actual>1234567890.123456</actual>", &d);
    if (m) {
        rg_buf path = {0};
        rg_buf_printf(&path, "%s/park.xlsx", f->dir);
        assert_int_equal(xlsx_write(m, path.data, "park.xlsx", CREATED, &d), -1);
        rg_buf_fini(&path);
    }
    assert_true(d.errors >= 1);
    size_t e = 0;
    while (d.items[e].severity != RG_ERROR)
        e++;
    assert_int_equal(d.items[e].line, 30);
    if (m && !strstr(d.items[e].msg, "1234567890.123456 has 16 significant digits"))
        fail_msg("%s", d.items[e].msg);
    model_free(m);
    rg_diags_fini(&d);
}

/* A workbook that cannot be written (here: larger than the process may
 * write) fails with one message naming the file, and nothing of
 * libxlsxwriter's own reaches stderr. */
static void test_failed_write_is_told_once(void **state)
{
    fixture *f = *state;
    rg_diags d = {0};
    model *m = load_variant(f, "<park>", "<park>", &d);
    assert_non_null(m);
    int err[2], out[2];
    assert_int_equal(pipe(err), 0);
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = {8192, 8192};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &lim);
        dup2(err[1], STDERR_FILENO);
        rg_buf path = {0}, said = {0};
        rg_buf_printf(&path, "%s/park.xlsx", f->dir);
        int rc = xlsx_write(m, path.data, "out/park.xlsx", CREATED, &d);
        rg_buf_printf(&said, "%d %zu %s: %s", rc, d.count, d.count ? d.items[0].file : "",
                      d.count ? d.items[0].msg : "");
        int wrote = write(out[1], said.data, said.len) == (ssize_t)said.len;
        model_free(m);
        rg_diags_fini(&d);
        rg_buf_fini(&path);
        rg_buf_fini(&said);
        _exit(wrote ? 0 : 2);
    }
    close(err[1]), close(out[1]);
    char said[1024] = {0}, printed[1024] = {0};
    ssize_t n = read(out[0], said, sizeof said - 1);
    ssize_t p = read(err[0], printed, sizeof printed - 1);
    int status;
    waitpid(pid, &status, 0);
    close(err[0]), close(out[0]);
    assert_true(n > 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (strncmp(said, "-1 1 out/park.xlsx: cannot write the workbook", 45) != 0)
        fail_msg("said: %s", said);
    if (p != 0)
        fail_msg("printed: %s", printed);
    model_free(m);
    rg_diags_fini(&d);
    char path[128];
    snprintf(path, sizeof path, "%s/park.xlsx", f->dir);
    unlink(path);
}

/* A target in 万元 on an indicator in 亿元 is shown in the row's unit; a
 * status is said only against a target, and only that row is red below
 * 100%; a rate against a forecast is progress. */
static void test_units_and_status(void **state)
{
    fixture *f = *state;
    char *path = write_variant(f, "<actual>124.2</actual>",
                               "<target unit=\"万元\">1500000</target><actual>124.2</actual>");
    char *sheet = part(path, "xl/worksheets/sheet1.xml");
    char *strings = part(path, "xl/sharedStrings.xml");
    /* 1500000 万元 is 150 亿元, with no decimals added. */
    assert_non_null(strstr(sheet, "<c r=\"D5\" s=\""));
    assert_non_null(strstr(sheet, "<v>150</v>"));
    assert_null(strstr(sheet, "<v>1500000</v>"));
    /* 124.2 / 150: a formula on the row's cells, and its status. */
    assert_non_null(strstr(sheet, "<f>E5/D5</f>"));
    /* The seed's 1-11月: a target not met yet is 尚未完成, not red. */
    assert_non_null(strstr(sheet, "<f>IF(E5&gt;=D5,\"已完成\",\"尚未完成\")</f>"));
    /* 规上企业 against its forecast: 全年进度, no IF, no red. */
    assert_non_null(strstr(strings, "<t>全年进度</t>"));
    assert_null(strstr(sheet, "IF(I4"));
    /* One rule, red where the status is 未完成: never on 全年进度. */
    assert_int_equal(count(sheet, "<conditionalFormatting "), 1);
    assert_non_null(strstr(sheet, "=\"未完成\"</formula>"));
    char *chart = part(path, "xl/charts/chart1.xml");
    assert_non_null(strstr(chart, "主要指标完成率（对目标，无目标的对全年预计）"));
    free(sheet), free(strings), free(chart), free(path);
}

/* Growth needed only from a full-year base: the plan sheet says why not. */
static void test_plan_base_said(void **state)
{
    fixture *f = *state;
    char *path = write_variant(f, "<park>", "<park>");
    char *strings = part(path, "xl/sharedStrings.xml");
    assert_non_null(strstr(strings, "<t>全年预计</t>"));
    assert_non_null(strstr(strings, "<t>无全年数</t>"));
    assert_non_null(strstr(strings, "<t>计量单位不同</t>")); /* 技改扩能: 个 this year, 户 next */
    free(strings), free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_workbook),
        cmocka_unit_test(test_formula_like_park_stays_text),
        cmocka_unit_test(test_header_escapes_ampersand),
        cmocka_unit_test(test_long_header_is_shortened),
        cmocka_unit_test(test_numbers_keep_their_digits),
        cmocka_unit_test(test_too_many_digits_refused),
        cmocka_unit_test(test_failed_write_is_told_once),
        cmocka_unit_test(test_units_and_status),
        cmocka_unit_test(test_plan_base_said),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
