/* Unit tests of the message composer (src/mail.c): encoded subjects and
 * file names, addresses, the mail template's header lines, and the shape of
 * the message (CRLF, 7-bit, short lines, attachments as on disk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail.h"

static int b64_value(char c)
{
    const char *digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(digits, c);
    return c && p ? (int)(p - digits) : -1;
}

/* Decodes base64 text (line ends skipped) into out. */
static void b64_decode(const char *s, size_t n, rg_buf *out)
{
    unsigned v = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int d = b64_value(s[i]);
        if (d < 0)
            continue; /* CR, LF, = */
        v = v << 6 | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            rg_buf_putc(out, (char)(v >> bits & 0xFF));
        }
    }
}

static bool valid_utf8(const char *s, size_t n)
{
    return rg_utf8_invalid_at(s, n) == (size_t)-1;
}

/* The decoded text of the RFC 2047 words in header text (between the
 * first "=?" and the line that does not continue it), checking each word's
 * length and that it holds whole characters. */
static void decode_words(const char *text, rg_buf *out)
{
    const char *p = text;
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        const char *end = strstr(p + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - p <= 75);
        rg_buf word = {0};
        b64_decode(p + 10, (size_t)(end - (p + 10)), &word);
        assert_true(valid_utf8(word.data, word.len));
        rg_buf_append(out, word.data, word.len);
        rg_buf_fini(&word);
        p = end + 2;
    }
}

static const char *subject = "工业园区2023年度工作总结和2024年工作计划（含指标完成情况）";
static const char *xlsx_name = "工业园区2023年度指标完成情况.xlsx";

/* A mailbox list parsed as --mail-to and --mail-from are. */
static mail_mailbox *mailboxes(const char *text, size_t *n)
{
    mail_mailbox *m;
    char *why = NULL;
    if (mail_mailboxes_parse(text, true, &m, n, &why) != 0)
        fail_msg("%s", why);
    return m;
}

static void compose(const char *subj, const char *from, const char *seed, const mail_part *parts,
                    size_t nparts, rg_buf *out)
{
    size_t nto, nfrom;
    mail_mailbox *to = mailboxes("county@example.gov.cn, stats@example.gov.cn", &nto);
    mail_mailbox *sender = mailboxes(from, &nfrom);
    assert_int_equal(nfrom, 1);
    mail_message m = {.from = sender, .to = to, .nto = nto, .subject = subj,
                      .body = "您好：\n\n附件是指标完成情况。\n", .parts = parts, .nparts = nparts,
                      .date = 1703980800, .id_seed = seed, .user_agent = "test"};
    mail_compose(&m, out);
    mail_mailboxes_free(to, nto);
    mail_mailboxes_free(sender, nfrom);
}

static char *unfolded(const char *p);

/* The header named `name`, unfolded lines included, as text. */
static char *header(const char *msg, const char *name)
{
    rg_buf key = {0};
    rg_buf_printf(&key, "\r\n%s:", name);
    const char *p = strstr(msg, key.data);
    rg_buf_fini(&key);
    if (!p && strncmp(msg, name, strlen(name)) == 0 && msg[strlen(name)] == ':')
        p = msg - 2;
    assert_non_null(p);
    return unfolded(p + 2);
}

/* The header line at p with its continuation lines. */
static char *unfolded(const char *p)
{
    const char *end = p;
    while ((end = strstr(end, "\r\n")) && (end[2] == ' ' || end[2] == '\t'))
        end += 2;
    return xstrndup(p, (size_t)(end - p));
}

static void test_shape(void **state)
{
    (void)state;
    unsigned char bytes[1000];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 + 3);
    mail_part part = {bytes, sizeof bytes, xlsx_name,
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    rg_buf msg = {0};
    compose(subject, "工业园区管委会 <office@park.example.cn>", "a.xml", &part, 1, &msg);
    for (size_t i = 0; i < msg.len; i++)
        assert_true((unsigned char)msg.data[i] < 128); /* 7-bit */
    size_t line_start = 0;
    for (size_t i = 0; i < msg.len; i++) {
        if (msg.data[i] == '\n') {
            assert_true(i > 0 && msg.data[i - 1] == '\r'); /* CRLF only */
            assert_true(i - 1 - line_start <= 78);
            line_start = i + 1;
        }
    }
    assert_int_equal(line_start, msg.len); /* ends with CRLF */
    assert_non_null(strstr(msg.data, "\r\nDate: Sun, 31 Dec 2023 00:00:00 +0000\r\n"));
    assert_non_null(strstr(msg.data, "\r\nMessage-ID: <1703980800."));
    assert_non_null(strstr(msg.data, "@park.example.cn>\r\n"));
    assert_non_null(strstr(msg.data, "\r\nTo: <county@example.gov.cn>,\r\n <stats@example.gov.cn>\r\n"));
    /* The attachment's base64 gives its bytes back. */
    const char *start = strstr(msg.data, "Content-Transfer-Encoding: base64\r\n\r\n");
    start = strstr(start + 1, "Content-Transfer-Encoding: base64\r\n\r\n"); /* past the text */
    assert_non_null(start);
    start += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
    const char *end = strstr(start, "\r\n--=_parkreport_");
    assert_non_null(end);
    rg_buf back = {0};
    b64_decode(start, (size_t)(end - start), &back);
    assert_int_equal(back.len, sizeof bytes);
    assert_memory_equal(back.data, bytes, sizeof bytes);
    /* The boundary closes the message. */
    const char *ct = strstr(msg.data, "boundary=\"");
    assert_non_null(ct);
    char boundary[80];
    assert_int_equal(sscanf(ct + 10, "%79[^\"]", boundary), 1);
    rg_buf closing = {0};
    rg_buf_printf(&closing, "--%s--\r\n", boundary);
    assert_true(msg.len >= closing.len);
    assert_string_equal(msg.data + msg.len - closing.len, closing.data);
    rg_buf_fini(&closing);
    rg_buf_fini(&back);
    rg_buf_fini(&msg);
}

static void test_subject_and_sender_encoded(void **state)
{
    (void)state;
    rg_buf msg = {0};
    compose(subject, "工业园区管委会 <office@park.example.cn>", "a.xml", NULL, 0, &msg);
    char *subj = header(msg.data, "Subject");
    rg_buf text = {0};
    decode_words(subj, &text);
    assert_string_equal(text.data, subject);
    char *from = header(msg.data, "From");
    rg_buf name = {0};
    decode_words(from, &name);
    assert_string_equal(name.data, "工业园区管委会");
    assert_non_null(strstr(from, "<office@park.example.cn>"));
    free(subj), free(from);
    rg_buf_fini(&text), rg_buf_fini(&name), rg_buf_fini(&msg);
    /* Short ASCII stays as it is. */
    compose("Annual report 2023", "office@park.example.cn", "a.xml", NULL, 0, &msg);
    assert_non_null(strstr(msg.data, "\r\nSubject: Annual report 2023\r\n"));
    assert_true(strncmp(msg.data, "From: <office@park.example.cn>\r\n", 32) == 0);
    rg_buf_fini(&msg);
}

/* RFC 2231: the continuations put together and unescaped give the name,
 * and no continuation splits a character. */
static void test_file_name_encoded(void **state)
{
    (void)state;
    mail_part part = {"x", 1, xlsx_name, "application/octet-stream"};
    rg_buf msg = {0};
    compose("s", "o@p.cn", "a.xml", &part, 1, &msg);
    char *disp = header(msg.data, "Content-Disposition");
    rg_buf name = {0};
    int parts = 0;
    for (const char *p = disp; (p = strstr(p, "filename*")) != NULL; parts++) {
        char want[32];
        snprintf(want, sizeof want, "filename*%d*=", parts);
        assert_true(strncmp(p, want, strlen(want)) == 0);
        p += strlen(want);
        if (parts == 0) {
            assert_true(strncmp(p, "UTF-8''", 7) == 0);
            p += 7;
        }
        rg_buf seg = {0};
        while (*p && *p != ';' && *p != '\r') {
            if (*p == '%') {
                unsigned v;
                assert_int_equal(sscanf(p + 1, "%2x", &v), 1);
                rg_buf_putc(&seg, (char)v);
                p += 3;
            } else {
                rg_buf_putc(&seg, *p++);
            }
        }
        assert_true(valid_utf8(seg.data, seg.len));
        rg_buf_append(&name, seg.data, seg.len);
        rg_buf_fini(&seg);
    }
    assert_true(parts > 1);
    assert_string_equal(name.data, xlsx_name);
    /* The RFC 2047 fallback in Content-Type's name. */
    const char *attached = strstr(msg.data, "Content-Type: application/octet-stream");
    assert_non_null(attached);
    char *type = unfolded(attached);
    rg_buf fallback = {0};
    decode_words(type, &fallback);
    assert_string_equal(fallback.data, xlsx_name);
    free(disp), free(type);
    rg_buf_fini(&name), rg_buf_fini(&fallback), rg_buf_fini(&msg);
    /* An ASCII name is a plain quoted string. */
    part.name = "park-2023.xlsx";
    compose("s", "o@p.cn", "a.xml", &part, 1, &msg);
    assert_non_null(strstr(msg.data, "attachment;\r\n filename=\"park-2023.xlsx\"\r\n"));
    rg_buf_fini(&msg);
}

static void test_deterministic(void **state)
{
    (void)state;
    rg_buf a = {0}, b = {0}, c = {0};
    compose(subject, "o@p.cn", "a.xml", NULL, 0, &a);
    compose(subject, "o@p.cn", "a.xml", NULL, 0, &b);
    compose(subject, "o@p.cn", "b.xml", NULL, 0, &c);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    char *id_a = header(a.data, "Message-ID"), *id_c = header(c.data, "Message-ID");
    assert_string_not_equal(id_a, id_c);
    free(id_a), free(id_c);
    rg_buf_fini(&a), rg_buf_fini(&b), rg_buf_fini(&c);
}

static void test_addresses(void **state)
{
    (void)state;
    const char *good[][2] = {{"a@b.cn", "a@b.cn"},
                             {"工业园区 <office@park.cn>", "office@park.cn"},
                             {"\"Park Office\" <o@p.cn>", "o@p.cn"},
                             {" o.x+y@p.example.cn ", "o.x+y@p.example.cn"}};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char *a = mail_address(good[i][0]);
        assert_non_null(a);
        assert_string_equal(a, good[i][1]);
        free(a);
    }
    const char *bad[] = {"", "ab.cn", "a@b@c", "a b@c", "@b.cn", "a@", "<a@b.cn> x", "a@b.cn>",
                         "a@b.cn\r\nBcc: x@y", "名@b.cn", "a,b@c"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_null(mail_address(bad[i]));
}

static void test_template_text(void **state)
{
    (void)state;
    rg_diags d = {0};
    mail_text t;
    assert_int_equal(mail_text_parse("m", "Subject: 报告\nWorkbook-Name: 表.xlsx\nPDF-Name: 文.pdf\n\n正文\n第二行\n",
                                     &t, &d), 0);
    assert_string_equal(t.subject, "报告");
    assert_string_equal(t.workbook_name, "表.xlsx");
    assert_string_equal(t.pdf_name, "文.pdf");
    assert_string_equal(t.body, "正文\n第二行\n");
    mail_text_fini(&t);
    /* A template saved with CRLF line ends. */
    assert_int_equal(mail_text_parse("m", "Subject: 报告\r\nPDF-Name: 文.pdf\r\n\r\n正文\r\n", &t, &d), 0);
    assert_string_equal(t.subject, "报告");
    assert_string_equal(t.pdf_name, "文.pdf");
    assert_string_equal(t.body, "正文\r\n");
    mail_text_fini(&t);
    assert_int_equal(mail_text_parse("m", "Subject: s\n\nbody", &t, &d), 0);
    assert_null(t.workbook_name);
    mail_text_fini(&t);
    assert_int_equal(d.count, 0);
    assert_int_equal(mail_text_parse("m", "Subject: s\nCc: x@y\n\nbody", &t, &d), -1);
    assert_non_null(strstr(d.items[0].msg, "line 2 of what the template gives, \"Cc: x@y\""));
    assert_int_equal(mail_text_parse("m", "\nbody", &t, &d), -1);
    assert_non_null(strstr(d.items[1].msg, "no subject"));
    assert_int_equal(mail_text_parse("m", "Subject: s\nPDF-Name: a/b.pdf\n\n", &t, &d), -1);
    assert_non_null(strstr(d.items[2].msg, "may not hold / or \\"));
    rg_diags_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_subject_and_sender_encoded),
        cmocka_unit_test(test_file_name_encoded),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_template_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
