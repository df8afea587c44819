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
#include "tmpl.h"

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
    rg_diags_fini(&d);
    /* A path's separator in a name (甲/乙园区 from the data) is shown full-width. */
    assert_int_equal(mail_text_parse("m", "Subject: 甲/乙\nPDF-Name: 甲/乙\\丙.pdf\n\n", &t, &d), 0);
    assert_string_equal(t.subject, "甲/乙");
    assert_string_equal(t.pdf_name, "甲／乙＼丙.pdf");
    mail_text_fini(&t);
    assert_int_equal(d.count, 0);
}

/* Every line of msg ends in CRLF and is at most `max` characters. */
static void assert_lines_within(const rg_buf *msg, size_t max)
{
    size_t line_start = 0;
    for (size_t i = 0; i < msg->len; i++) {
        assert_true((unsigned char)msg->data[i] < 128);
        if (msg->data[i] == '\n') {
            assert_true(i > 0 && msg->data[i - 1] == '\r');
            if (i - 1 - line_start > max)
                fail_msg("a line of %zu characters: %.80s", i - 1 - line_start, msg->data + line_start);
            line_start = i + 1;
        }
    }
    assert_int_equal(line_start, msg->len);
}

/* The names of the message's header lines (continuations skipped), one a
 * line, up to the blank line. */
static char *header_names(const char *msg)
{
    rg_buf names = {0};
    for (const char *p = msg; *p && strncmp(p, "\r\n", 2) != 0;) {
        const char *end = strstr(p, "\r\n");
        if (*p != ' ' && *p != '\t')
            rg_buf_printf(&names, "%.*s\n", (int)strcspn(p, ":\r"), p);
        p = end + 2;
    }
    return rg_buf_take(&names);
}

/* RFC 2231 continuations of `param` in header text, put together. */
static void decode_2231(const char *text, const char *param, rg_buf *out)
{
    int parts = 0;
    rg_buf key = {0};
    rg_buf_printf(&key, "%s*", param);
    for (const char *p = text; (p = strstr(p, key.data)) != NULL; parts++) {
        p = strchr(p, '=') + 1;
        if (parts == 0) {
            assert_true(strncmp(p, "UTF-8''", 7) == 0);
            p += 7;
        }
        while (*p && *p != ';' && *p != '\r') {
            unsigned v;
            if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1)
                rg_buf_putc(out, (char)v), p += 3;
            else
                rg_buf_putc(out, *p++);
        }
    }
    rg_buf_fini(&key);
}

static void test_header_text(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"工业园区\n\nBcc: evil@x.cn", "工业园区 Bcc: evil@x.cn"},
        {"x\u202Eexe.xlsx", "xexe.xlsx"},
        {"a\rb\tc\r\n", "a b c"},
        {"  lead and trail  ", "lead and trail"},
        {"a\xc2\x85" "b", "a b"},                                 /* U+0085, a line break */
        {"a\u2028b\u2029c\vd\fe", "a b c d e"},                   /* line and paragraph separators */
        {"a\x01\x1b[31mb\x7f" "c\xc2\x80\xc2\x9f" "d", "a[31mbcd"}, /* C0, DEL, C1 */
        {"\u061C\u200E\u200Fa\u202A\u202B\u202C\u202D\u202Eb\u2066\u2067\u2068\u2069", "ab"},
        {"bad \xff byte", "bad \uFFFD byte"},
        {"工业园区2023年度", "工业园区2023年度"},
        {"\n\r\t", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *clean = mail_header_text(cases[i][0]);
        assert_string_equal(clean, cases[i][1]);
        free(clean);
    }
}

/* Line breaks in a park's name (template data) neither end nor add a
 * header line nor start the body; what the template gives is cleaned too. */
static void test_data_cannot_add_headers(void **state)
{
    (void)state;
    tval *data = tval_map();
    tval_set(data, "park", tval_string("工业园区\n\nBcc: evil@x.cn\r\nx\u202Eexe"));
    tval *list = tval_set(data, "list", tval_list());
    tval_set(tval_push(list, tval_map()), "k", tval_string("c\r\nd"));
    tval_push(list, tval_string("a\nb"));
    mail_clean_data(data);
    assert_string_equal(tval_get(data, "park", 4)->s, "工业园区 Bcc: evil@x.cn xexe");
    assert_string_equal(list->items[1]->s, "a b");
    assert_string_equal(tval_get(list->items[0], "k", 1)->s, "c d");
    tval_free(data);

    rg_diags d = {0};
    mail_text t;
    assert_int_equal(mail_text_parse("m", "Subject: 报告\tx\u202E \nPDF-Name: a\u202Eexe.pdf\n\n正文\n", &t,
                                     &d), 0);
    assert_string_equal(t.subject, "报告 x");
    assert_string_equal(t.pdf_name, "aexe.pdf");
    mail_text_fini(&t);

    /* Straight into the composer: every field with line breaks and controls. */
    mail_mailbox from = {(char *)"Office\r\nBcc: a@evil.cn", (char *)"o@p.cn"};
    mail_mailbox to[] = {{(char *)"County\n\nX-Injected: 1", (char *)"c@d.cn"}};
    mail_part part = {"x", 1, "x\u202Eexe.xlsx\r\nX-Part: 1\t", "application/pdf\r\nX-Type: 1"};
    mail_message m = {.from = &from, .to = to, .nto = 1, .subject = "s\r\n\r\nbody?\nBcc: e@x.cn",
                      .body = "b\n", .parts = &part, .nparts = 1, .id_seed = "a",
                      .user_agent = "ua\r\nX-UA: 1"};
    rg_buf msg = {0};
    mail_compose(&m, &msg);
    assert_lines_within(&msg, 78);
    char *names = header_names(msg.data);
    assert_string_equal(names, "From\nTo\nSubject\nDate\nMessage-ID\nUser-Agent\nMIME-Version\n"
                               "Content-Type\n");
    free(names);
    char *subj = header(msg.data, "Subject");
    assert_string_equal(subj, "Subject: s body? Bcc: e@x.cn");
    char *from_h = header(msg.data, "From");
    assert_string_equal(from_h, "From: \"Office Bcc: a@evil.cn\" <o@p.cn>");
    char *to_h = header(msg.data, "To");
    assert_string_equal(to_h, "To: \"County X-Injected: 1\" <c@d.cn>");
    const char *part_start = strstr(msg.data, "Content-Type: application/pdf");
    assert_non_null(part_start);
    char *part_names = header_names(part_start);
    assert_string_equal(part_names, "Content-Type\nContent-Disposition\nContent-Transfer-Encoding\n");
    free(part_names);
    char *disp = header(part_start - 2, "Content-Disposition");
    assert_string_equal(disp, "Content-Disposition: attachment;\r\n filename=\"xexe.xlsx X-Part: 1\"");
    assert_null(strstr(msg.data, "\r\nX-"));
    free(subj), free(from_h), free(to_h), free(disp);
    rg_buf_fini(&msg);
    rg_diags_fini(&d);
}

static void test_mailbox_lists(void **state)
{
    (void)state;
    size_t n;
    mail_mailbox *m = mailboxes("\"Office, County\" <county@example.gov.cn>, 统计局 <stats@example.gov.cn>,"
                                " e@f.cn (a comment, with a comma), \"A \\\"B\\\"\" <a@b.cn>,"
                                " Park  Office < o@p.cn >", &n);
    assert_int_equal(n, 5);
    assert_string_equal(m[0].name, "Office, County");
    assert_string_equal(m[0].addr, "county@example.gov.cn");
    assert_string_equal(m[1].name, "统计局");
    assert_string_equal(m[1].addr, "stats@example.gov.cn");
    assert_string_equal(m[2].name, "");
    assert_string_equal(m[2].addr, "e@f.cn");
    assert_string_equal(m[3].name, "A \"B\"");
    assert_string_equal(m[4].name, "Park Office");
    assert_string_equal(m[4].addr, "o@p.cn");
    mail_mailboxes_free(m, n);

    /* As --mail-from reads it: one mailbox, a comma in its name unquoted. */
    char *why = NULL;
    assert_int_equal(mail_mailboxes_parse("Office, County <o@p.cn>", false, &m, &n, &why), 0);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].name, "Office, County");
    mail_mailboxes_free(m, n);

    const char *bad[][2] = {
        {"\"Office, County <a@b.cn>", "a quote without its closing quote"},
        {"a@b.cn, x", "\" x\" is not an email address: an address has one @"},
        {"Name <a@b.cn", "a < without its >"},
        {"Name <a@b.cn> x", "text after the >"},
        {"a@b.cn>", "a > without its <"},
        {"(open a@b.cn", "a ( without its )"},
        {"\"a\"@b.cn", "quotes outside a display name"},
        {"", "no email address given"},
        {" , ", "no email address given"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(mail_mailboxes_parse(bad[i][0], true, &m, &n, &why), -1);
        assert_null(m);
        assert_int_equal(n, 0);
        if (!strstr(why, bad[i][1]))
            fail_msg("\"%s\": %s", bad[i][0], why);
        free(why);
    }
    /* RFC 5321's lengths: 64 before the @, 254 in all. */
    rg_buf addr = {0};
    for (int i = 0; i < 64; i++)
        rg_buf_putc(&addr, 'a');
    rg_buf_putc(&addr, '@');
    while (addr.len < MAIL_MAX_ADDRESS)
        rg_buf_puts(&addr, addr.len % 20 ? "b" : ".");
    char *a = mail_address(addr.data);
    assert_non_null(a);
    assert_string_equal(a, addr.data);
    free(a);
    rg_buf_putc(&addr, 'c');
    assert_null(mail_address(addr.data));
    rg_buf_fini(&addr);
    rg_buf local = {0};
    for (int i = 0; i < 65; i++)
        rg_buf_putc(&local, 'a');
    rg_buf_puts(&local, "@b.cn");
    assert_null(mail_address(local.data));
    rg_buf_fini(&local);
}

/* Display names kept in From and To, quoted or encoded, and decoded back. */
static void test_display_names(void **state)
{
    (void)state;
    size_t nto, nfrom;
    mail_mailbox *to = mailboxes("\"Office, County\" <county@example.gov.cn>, 统计局 <stats@example.gov.cn>", &nto);
    mail_mailbox *from = mailboxes("工业园区管委会 <office@park.example.cn>", &nfrom);
    mail_message m = {.from = from, .to = to, .nto = nto, .subject = "s", .body = "",
                      .id_seed = "a"};
    rg_buf msg = {0};
    mail_compose(&m, &msg);
    assert_lines_within(&msg, 78);
    char *to_h = header(msg.data, "To");
    assert_true(strncmp(to_h, "To: \"Office, County\" <county@example.gov.cn>,\r\n ", 47) == 0);
    rg_buf name = {0};
    decode_words(to_h, &name);
    assert_string_equal(name.data, "统计局");
    assert_non_null(strstr(to_h, "?= <stats@example.gov.cn>"));
    free(to_h);
    rg_buf_fini(&name);
    rg_buf_fini(&msg);
    mail_mailboxes_free(to, nto);
    mail_mailboxes_free(from, nfrom);
}

/* Long fields fold within 78 characters and decode back whole; a long
 * address, which cannot fold, stays within 998. */
static void test_folding(void **state)
{
    (void)state;
    rg_buf long_ascii = {0}, long_chinese = {0}, long_file = {0}, long_addr = {0};
    for (int i = 0; i < 40; i++)
        rg_buf_puts(&long_ascii, "Industrial Park Office ");
    long_ascii.data[--long_ascii.len] = '\0';
    for (int i = 0; i < 200; i++)
        rg_buf_puts(&long_chinese, "工业园区");
    for (int i = 0; i < 60; i++)
        rg_buf_puts(&long_file, "指标完成情况");
    rg_buf_puts(&long_file, ".xlsx");
    rg_buf_puts(&long_addr, "office@");
    while (long_addr.len < MAIL_MAX_ADDRESS - 3)
        rg_buf_puts(&long_addr, "park.");
    rg_buf_puts(&long_addr, "cn");
    mail_mailbox from = {long_ascii.data, long_addr.data};
    mail_mailbox to[] = {{long_chinese.data, (char *)"c@d.cn"}, {(char *)"", long_addr.data}};
    mail_part part = {"x", 1, long_file.data, "application/octet-stream"};
    mail_message m = {.from = &from, .to = to, .nto = 2, .subject = long_chinese.data, .body = "",
                      .parts = &part, .nparts = 1, .id_seed = "a"};
    rg_buf msg = {0};
    mail_compose(&m, &msg);
    /* Only the lines holding the long address (or its domain, in the
     * Message-ID) pass 78. */
    size_t start = 0;
    for (size_t i = 0; i < msg.len; i++) {
        if (msg.data[i] != '\n')
            continue;
        char *line = xstrndup(msg.data + start, i - 1 - start);
        if (strlen(line) > 78) {
            assert_non_null(strstr(line, strchr(long_addr.data, '@')));
            assert_true(strlen(line) <= 998);
            assert_true(strlen(line) <= strlen(long_addr.data) + 30);
        }
        free(line);
        start = i + 1;
    }
    rg_buf text = {0};
    char *h = header(msg.data, "Subject");
    decode_words(h, &text);
    assert_string_equal(text.data, long_chinese.data);
    free(h);
    rg_buf_fini(&text);
    h = header(msg.data, "From");
    decode_words(h, &text);
    assert_string_equal(text.data, long_ascii.data);
    free(h);
    rg_buf_fini(&text);
    h = header(msg.data, "To");
    decode_words(h, &text);
    assert_string_equal(text.data, long_chinese.data);
    assert_non_null(strstr(h, long_addr.data));
    free(h);
    rg_buf_fini(&text);
    h = header(msg.data, "Content-Disposition");
    decode_2231(h, "filename", &text);
    assert_string_equal(text.data, long_file.data);
    free(h);
    rg_buf_fini(&text);
    rg_buf_fini(&msg);
    rg_buf_fini(&long_ascii), rg_buf_fini(&long_chinese), rg_buf_fini(&long_file);
    rg_buf_fini(&long_addr);
}

/* The attachment is the bytes given, NULs and all, however many. */
static void test_attachment_bytes(void **state)
{
    (void)state;
    for (size_t len = 0; len < 200; len += 37) {
        unsigned char *bytes = xcalloc(len + 1, 1);
        for (size_t i = 0; i < len; i++)
            bytes[i] = (unsigned char)(i * 131);
        mail_part part = {bytes, len, "a.bin", "application/octet-stream"};
        rg_buf msg = {0};
        compose("s", "o@p.cn", "a.xml", &part, 1, &msg);
        const char *start = strstr(msg.data, "filename=\"a.bin\"");
        assert_non_null(start);
        start = strstr(start, "\r\n\r\n") + 4;
        const char *end = strstr(start, "--=_parkreport_");
        rg_buf back = {0};
        b64_decode(start, (size_t)(end - start), &back);
        assert_int_equal(back.len, len);
        if (len)
            assert_memory_equal(back.data, bytes, len);
        rg_buf_fini(&back);
        rg_buf_fini(&msg);
        free(bytes);
    }
}

static void test_url(void **state)
{
    (void)state;
    assert_null(mail_url_problem("smtp://mail.example.cn:587"));
    assert_null(mail_url_problem("smtps://mail.example.cn"));
    assert_null(mail_url_problem("smtp://[::1]:25"));
    const char *refused[][2] = {
        {"smtp://office:s3cret@mail.example.cn", "PARKREPORT_SMTP_PASSWORD"},
        {"smtps://office@mail.example.cn:465", "~/.netrc"},
        {"smtp://office;AUTH=PLAIN:pw@host/x", "user name or password"},
        {"ftp://host", "takes smtp://HOST[:PORT] or smtps://HOST[:PORT]"},
        {"smtp://", "names no host"},
        {"smtp://:25", "names no host"},
        {"smtp://host\r\n", "control character"},
        {"smtp://host:99999", "from 1 to 65535"},
        {"smtp://host:abc", "from 1 to 65535"},
        {"smtp://host:", "from 1 to 65535"},
        {"smtp://[::1]:0", "from 1 to 65535"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        const char *why = mail_url_problem(refused[i][0]);
        assert_non_null(why);
        assert_non_null(strstr(why, refused[i][1]));
        assert_null(strstr(why, "s3cret"));
        assert_null(strstr(why, "office"));
    }
}

static void test_netrc(void **state)
{
    (void)state;
    const char *netrc = "machine other.cn login x password y\n"
                        "macdef init\nmachine mail.example.cn login evil password evil\n\n"
                        "machine MAIL.example.cn\n  login office\n  password \"pa ss\\\"word\"\n"
                        "default login anon password guest\n";
    char *login, *password;
    assert_int_equal(mail_netrc_lookup(netrc, "mail.example.cn", &login, &password), 1);
    assert_string_equal(login, "office");
    assert_string_equal(password, "pa ss\"word");
    free(login), free(password);
    assert_int_equal(mail_netrc_lookup(netrc, "other.cn", &login, &password), 1);
    assert_string_equal(login, "x");
    assert_string_equal(password, "y");
    free(login), free(password);
    assert_int_equal(mail_netrc_lookup(netrc, "unknown.cn", &login, &password), 1);
    assert_string_equal(login, "anon");
    free(login), free(password);
    assert_int_equal(mail_netrc_lookup("machine a.cn login x password y", "b.cn", &login, &password), 0);
    assert_null(login);
    assert_null(password);
    assert_int_equal(mail_netrc_lookup("machine a.cn password y", "a.cn", &login, &password), 0);
    assert_int_equal(mail_netrc_lookup("", "a.cn", &login, &password), 0);
    assert_int_equal(mail_netrc_lookup("machine a.cn login x", "a.cn", &login, &password), 1);
    assert_string_equal(password, "");
    free(login), free(password);
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
        cmocka_unit_test(test_header_text),
        cmocka_unit_test(test_data_cannot_add_headers),
        cmocka_unit_test(test_mailbox_lists),
        cmocka_unit_test(test_display_names),
        cmocka_unit_test(test_folding),
        cmocka_unit_test(test_attachment_bytes),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_netrc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
