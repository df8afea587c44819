/* libFuzzer target: the mail template's output (header lines, a blank line,
 * the body) parsed and, when valid, composed into a message, which must be
 * 7-bit with CRLF line ends and no line over 78 characters (998 for one
 * holding a long address). The input also serves as every other data field:
 * the sender's and recipients' display names, the attachments' names, an
 * address list as --mail-to would take it, and a string of template data.
 * None of them may add a header line: the message's headers are exactly
 * the ones mail_compose writes, and each part's are its three; nor may a
 * control, line break or bidi control reach a header, even encoded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    return n >= strlen(prefix) && memcmp(s, prefix, strlen(prefix)) == 0;
}

/* A line over 78 characters is allowed only for an address that long. */
static bool long_address_line(const char *s, size_t n)
{
    const char *lt = memchr(s, '<', n);
    const char *gt = lt ? memchr(lt, '>', n - (size_t)(lt - s)) : NULL;
    return gt && gt - lt > 60 && n <= 998;
}

/* Decoded header text must hold no control, line break or bidi control. */
static void check_decoded(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = rg_utf8_decode(s + i, n - i, &cp);
        if (len == 0)
            abort(); /* not UTF-8 */
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
            cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
            cp == 0x2028 || cp == 0x2029)
            abort();
        i += len;
    }
}

static int base64_digit(char c)
{
    const char *digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(digits, c) : NULL;
    return p ? (int)(p - digits) : -1;
}

/* The RFC 2047 words and RFC 2231 values in one header (n bytes), decoded
 * and checked. */
static void check_header_encodings(const char *h, size_t n)
{
    rg_buf text = {0};
    for (size_t i = 0; i + 10 <= n; i++) {
        if (memcmp(h + i, "=?UTF-8?B?", 10) == 0) {
            unsigned v = 0;
            int bits = 0;
            for (i += 10; i < n && h[i] != '?'; i++) {
                int dgt = base64_digit(h[i]);
                if (dgt < 0)
                    continue;
                v = v << 6 | (unsigned)dgt;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    rg_buf_putc(&text, (char)(v >> bits & 0xFF));
                }
            }
            check_decoded(text.data ? text.data : "", text.len);
            text.len = 0;
        } else if (memcmp(h + i, "*=", 2) == 0) {
            for (i += 2; i < n && h[i] != ';' && h[i] != '\r'; i++) {
                unsigned x;
                if (h[i] == '%' && i + 2 < n && sscanf(h + i + 1, "%2x", &x) == 1)
                    rg_buf_putc(&text, (char)x), i += 2;
                else
                    rg_buf_putc(&text, h[i]);
            }
        }
    }
    /* The RFC 2231 continuations, put together (the charset prefix is ASCII). */
    check_decoded(text.data ? text.data : "", text.len);
    rg_buf_fini(&text);
}

static void check_message(const rg_buf *m, size_t nparts)
{
    size_t line = 0;
    for (size_t i = 0; i < m->len; i++) {
        unsigned char c = (unsigned char)m->data[i];
        if (c >= 128 || c == 0)
            abort(); /* not 7-bit */
        if (c == '\n') {
            if (i == 0 || m->data[i - 1] != '\r')
                abort(); /* a bare LF */
            if (i - 1 - line > 78 && !long_address_line(m->data + line, i - 1 - line))
                abort(); /* a long line */
            line = i + 1;
        } else if (c == '\r' && (i + 1 >= m->len || m->data[i + 1] != '\n')) {
            abort(); /* a bare CR */
        }
    }
    /* The headers: the message's, then each part's after its boundary. */
    static const char *const top[] = {"From:", "To:", "Subject:", "Date:", "Message-ID:",
                                      "MIME-Version:", "Content-Type:"};
    static const char *const part[] = {"Content-Type:", "Content-Disposition:",
                                       "Content-Transfer-Encoding:"};
    int seen[7] = {0};
    size_t boundaries = 0;
    bool in_header = true, part_header = false;
    for (const char *p = m->data; p < m->data + m->len;) {
        const char *end = strstr(p, "\r\n");
        size_t n = (size_t)(end - p);
        if (n == 0) {
            in_header = part_header = false;
        } else if (in_header || part_header) {
            const char *next = end;
            while (next[2] == ' ') /* the header with its continuations */
                next = strstr(next + 2, "\r\n");
            check_header_encodings(p, (size_t)(next - p));
            if (p[0] != ' ') { /* not a continuation: a header we wrote, once */
                const char *const *names = in_header ? top : part;
                size_t count = in_header ? 7 : 3, k = 0;
                while (k < count && !starts_with(p, n, names[k]))
                    k++;
                if (k == count)
                    abort(); /* a header line from the data */
                if (in_header && seen[k]++)
                    abort(); /* a header twice */
            }
        } else if (starts_with(p, n, "--=_parkreport_")) {
            boundaries++;
            part_header = true;
        }
        p = end + 2;
    }
    for (size_t k = 0; k < 7; k++)
        if (seen[k] != 1)
            abort(); /* a header missing */
    if (boundaries != nparts + 2)
        abort(); /* a part added or lost */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    rg_diags d = {0};
    mail_text t = {0};
    /* Templates give UTF-8; the other fields may hold any bytes. When the
     * input is no template's output, it is the subject and body itself. */
    bool utf8 = rg_utf8_invalid_at(text, strlen(text)) == (size_t)-1;
    bool rendered = utf8 && mail_text_parse("fuzz", text, &t, &d) == 0;
    /* The input as template data, cleaned as the mail's is. */
    tval *value = tval_list();
    tval_push(value, tval_string(text));
    mail_clean_data(value);
    if (strpbrk(value->items[0]->s, "\r\n\t\v\f"))
        abort();
    /* The recipients: the input as an address list when it is one. */
    mail_mailbox fixed[2] = {{text, "county@example.gov.cn"}, {"", "stats@example.gov.cn"}};
    mail_mailbox *to = fixed, *parsed = NULL;
    size_t nto = 2, nparsed = 0;
    char *why = NULL;
    if (mail_mailboxes_parse(text, true, &parsed, &nparsed, &why) == 0)
        to = parsed, nto = nparsed;
    free(why);
    mail_mailbox from = {text, "office@park.example.cn"};
    mail_part parts[2] = {
        {data, size, rendered && t.workbook_name ? t.workbook_name : text, "application/octet-stream"},
        {"", 0, value->items[0]->s, "application/pdf"}};
    mail_message m = {.from = &from, .to = to, .nto = nto, .subject = rendered ? t.subject : text,
                      .body = rendered ? t.body : text, .parts = parts, .nparts = 2, .date = 0,
                      .id_seed = "fuzz"};
    rg_buf out = {0};
    mail_compose(&m, &out);
    check_message(&out, 2);
    rg_buf_fini(&out);
    mail_mailboxes_free(parsed, nparsed);
    tval_free(value);
    if (rendered)
        mail_text_fini(&t);
    rg_diags_fini(&d);
    free(text);
    return 0;
}
