/* mail.c - see mail.h: the message, composed; nothing here talks to a
 * server. Lines end in CRLF and stay within 78 characters, as RFC 5322
 * asks; everything outside ASCII is encoded, so the message is 7-bit. */
#include "mail.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char base64_digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_base64(rg_buf *out, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        rg_buf_putc(out, base64_digits[v >> 18 & 63]);
        rg_buf_putc(out, base64_digits[v >> 12 & 63]);
        rg_buf_putc(out, i + 1 < n ? base64_digits[v >> 6 & 63] : '=');
        rg_buf_putc(out, i + 2 < n ? base64_digits[v & 63] : '=');
    }
}

/* A body in base64, 76 characters a line. */
static void put_base64_lines(rg_buf *out, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 57) {
        put_base64(out, s + i, n - i < 57 ? n - i : 57);
        rg_buf_puts(out, "\r\n");
    }
}

static bool is_ascii_text(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return false;
    return true;
}

/* The length of the UTF-8 character at s, n bytes left (1 for a stray byte). */
static size_t char_len(const char *s, size_t n)
{
    uint32_t cp;
    size_t len = rg_utf8_decode(s, n, &cp);
    return len ? len : 1;
}

/* RFC 2047 encoded words for text, each at most `max_bytes` of whole UTF-8
 * characters (42 bytes: a 68-character word), separated by `sep`. */
static void put_encoded_words(rg_buf *out, const char *text, size_t max_bytes, const char *sep)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k < n && k - i + char_len(text + k, n - k) <= max_bytes)
            k += char_len(text + k, n - k);
        if (k == i)
            k = i + char_len(text + i, n - i);
        if (i > 0)
            rg_buf_puts(out, sep);
        rg_buf_puts(out, "=?UTF-8?B?");
        put_base64(out, (const unsigned char *)text + i, k - i);
        rg_buf_puts(out, "?=");
        i = k;
    }
}

/* An unstructured header (Subject): as it is when short ASCII, else encoded
 * words folded onto lines of their own. */
static void put_text_header(rg_buf *out, const char *name, const char *value)
{
    rg_buf_printf(out, "%s: ", name);
    if (is_ascii_text(value) && strlen(name) + 2 + strlen(value) <= 78)
        rg_buf_puts(out, value);
    else
        put_encoded_words(out, value, 42, "\r\n ");
    rg_buf_puts(out, "\r\n");
}

char *mail_address(const char *s)
{
    const char *lt = strchr(s, '<');
    const char *start = s, *end = s + strlen(s);
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || gt[1] != '\0')
            return NULL;
        start = lt + 1;
        end = gt;
    }
    while (start < end && *start == ' ')
        start++;
    while (end > start && end[-1] == ' ')
        end--;
    size_t at = 0, ats = 0;
    for (const char *p = start; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 0x7F || strchr("<>()[]\\,;:\"", c))
            return NULL;
        if (c == '@')
            at = (size_t)(p - start), ats++;
    }
    if (ats != 1 || at == 0 || at + 1 >= (size_t)(end - start))
        return NULL;
    return xstrndup(start, (size_t)(end - start));
}

/* From: the display name, if any (quoted when it is ASCII, else encoded
 * words), then the address. */
static void put_from(rg_buf *out, const char *from)
{
    char *addr = mail_address(from);
    const char *lt = strchr(from, '<'), *name = from;
    size_t n = lt ? (size_t)(lt - from) : 0;
    while (n && (name[0] == ' ' || name[n - 1] == ' ')) {
        if (name[0] == ' ')
            name++, n--;
        else
            n--;
    }
    if (n >= 2 && name[0] == '"' && name[n - 1] == '"')
        name++, n -= 2;
    char *shown = xstrndup(name, n);
    rg_buf_puts(out, "From: ");
    if (*shown && is_ascii_text(shown) && !strpbrk(shown, "\"\\") && 6 + strlen(shown) + 2 <= 78) {
        bool fits = 6 + strlen(shown) + 3 + strlen(addr ? addr : from) + 2 <= 78;
        rg_buf_printf(out, "\"%s\"%s", shown, fits ? " " : "\r\n ");
    } else if (*shown) {
        put_encoded_words(out, shown, 42, "\r\n ");
        rg_buf_puts(out, "\r\n ");
    }
    rg_buf_printf(out, "<%s>\r\n", addr ? addr : from);
    free(shown);
    free(addr);
}

/* RFC 2231: the value's bytes as charset'language'pct-encoded, in
 * continuations (filename*0*=...; filename*1*=...) that keep lines short and
 * never split a character. */
static void put_param_2231(rg_buf *out, const char *param, const char *value)
{
    size_t n = strlen(value);
    int part = 0;
    for (size_t i = 0; i < n || part == 0;) {
        rg_buf seg = {0};
        if (part == 0)
            rg_buf_puts(&seg, "UTF-8''");
        while (i < n) {
            size_t cl = char_len(value + i, n - i);
            rg_buf enc = {0};
            for (size_t k = i; k < i + cl; k++) {
                unsigned char c = (unsigned char)value[k];
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    strchr("!#$&+-.^_`|~", c))
                    rg_buf_putc(&enc, (char)c);
                else
                    rg_buf_printf(&enc, "%%%02X", c);
            }
            if (seg.len > 7 && seg.len + enc.len > 60) {
                rg_buf_fini(&enc);
                break;
            }
            rg_buf_append(&seg, enc.data, enc.len);
            rg_buf_fini(&enc);
            i += cl;
        }
        rg_buf_printf(out, ";\r\n %s*%d*=%s", param, part++, seg.data ? seg.data : "");
        rg_buf_fini(&seg);
    }
}

/* A parameter: a quoted ASCII string when it is one, else RFC 2231
 * (`extended`, for Content-Disposition) or RFC 2047 words in quotes (for
 * Content-Type's name, which clients without RFC 2231 read). */
static void put_param(rg_buf *out, const char *param, const char *value, bool extended)
{
    if (is_ascii_text(value) && !strpbrk(value, "\"\\") && strlen(value) <= 60) {
        rg_buf_printf(out, ";\r\n %s=\"%s\"", param, value);
    } else if (extended) {
        put_param_2231(out, param, value);
    } else {
        rg_buf_printf(out, ";\r\n %s=\"", param);
        put_encoded_words(out, value, 42, "\r\n ");
        rg_buf_putc(out, '"');
    }
}

static void put_date(rg_buf *out, time_t when)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&when, &tm);
    rg_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

int mail_compose(const mail_message *msg, rg_buf *out, rg_diags *d)
{
    rg_buf *files = xcalloc(msg->nparts ? msg->nparts : 1, sizeof *files);
    int rc = 0;
    uint64_t h = 14695981039346656037u;
    h = fnv1a(h, msg->id_seed, strlen(msg->id_seed));
    h = fnv1a(h, msg->subject, strlen(msg->subject));
    h = fnv1a(h, msg->body, strlen(msg->body));
    for (size_t i = 0; i < msg->nto; i++)
        h = fnv1a(h, msg->to[i], strlen(msg->to[i]) + 1);
    for (size_t i = 0; i < msg->nparts && rc == 0; i++) {
        if (rg_read_file(msg->parts[i].path, (size_t)1 << 30, &files[i]) != 0) {
            rg_diag_add(d, RG_ERROR, msg->parts[i].path, 0, 0, "cannot read the file to attach: %s",
                        strerror(errno));
            rc = -1;
        } else {
            h = fnv1a(h, files[i].data, files[i].len);
        }
    }
    if (rc == 0) {
        char *from = mail_address(msg->from);
        const char *domain = from ? strchr(from, '@') + 1 : "localhost";
        /* The boundary cannot occur in base64 (no "=_") or in the headers. */
        char boundary[64];
        snprintf(boundary, sizeof boundary, "=_parkreport_%016llx", (unsigned long long)h);
        put_from(out, msg->from);
        rg_buf_puts(out, "To: ");
        for (size_t i = 0; i < msg->nto; i++)
            rg_buf_printf(out, "%s<%s>", i ? ",\r\n " : "", msg->to[i]);
        rg_buf_puts(out, "\r\n");
        put_text_header(out, "Subject", msg->subject);
        put_date(out, msg->date);
        rg_buf_printf(out, "Message-ID: <%lld.%016llx@%s>\r\n", (long long)msg->date,
                      (unsigned long long)h, domain);
        if (msg->user_agent)
            rg_buf_printf(out, "User-Agent: %s\r\n", msg->user_agent);
        rg_buf_printf(out, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n"
                           " boundary=\"%s\"\r\n\r\nThis is a message in MIME format.\r\n",
                      boundary);
        /* The text, its line ends made CRLF. */
        rg_buf text = {0};
        for (const char *p = msg->body; *p; p++) {
            if (*p == '\n' && (p == msg->body || p[-1] != '\r'))
                rg_buf_putc(&text, '\r');
            rg_buf_putc(&text, *p);
        }
        rg_buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n",
                      boundary);
        put_base64_lines(out, (const unsigned char *)(text.data ? text.data : ""), text.len);
        rg_buf_fini(&text);
        for (size_t i = 0; i < msg->nparts; i++) {
            const mail_part *p = &msg->parts[i];
            /* A long type (the workbook's is 65 characters) on a line of its own. */
            rg_buf_printf(out, "--%s\r\nContent-Type:%s%s", boundary,
                          strlen(p->type) > 62 ? "\r\n " : " ", p->type);
            put_param(out, "name", p->name, false);
            rg_buf_puts(out, "\r\nContent-Disposition: attachment");
            put_param(out, "filename", p->name, true);
            rg_buf_puts(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            put_base64_lines(out, (const unsigned char *)files[i].data, files[i].len);
        }
        rg_buf_printf(out, "--%s--\r\n", boundary);
        free(from);
    }
    for (size_t i = 0; i < msg->nparts; i++)
        rg_buf_fini(&files[i]);
    free(files);
    return rc;
}

int mail_text_parse(const char *name, const char *text, mail_text *out, rg_diags *d)
{
    memset(out, 0, sizeof *out);
    size_t errors = d->errors;
    int line = 1;
    const char *p = text;
    while (*p && *p != '\n' && !(p[0] == '\r' && p[1] == '\n')) { /* to the blank line */
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        char **field = NULL;
        if (colon) {
            size_t key = (size_t)(colon - p);
            if (key == 7 && strncmp(p, "Subject", 7) == 0)
                field = &out->subject;
            else if (key == 13 && strncmp(p, "Workbook-Name", 13) == 0)
                field = &out->workbook_name;
            else if (key == 8 && strncmp(p, "PDF-Name", 8) == 0)
                field = &out->pdf_name;
        }
        if (!field) {
            /* Lines of the rendered text, which are not the template's. */
            rg_diag_add(d, RG_ERROR, name, 0, 0,
                        "line %d of what the template gives, \"%.*s\": expected \"Subject:\", "
                        "\"Workbook-Name:\" or \"PDF-Name:\", or a blank line before the body",
                        line, (int)(len > 60 ? 60 : len), p);
        } else {
            const char *v = colon + 1;
            while (v < p + len && (*v == ' ' || *v == '\t'))
                v++;
            size_t vlen = (size_t)(p + len - v);
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\r'))
                vlen--;
            free(*field);
            *field = xstrndup(v, vlen);
            if (strpbrk(*field, "/\\") && field != &out->subject)
                rg_diag_add(d, RG_ERROR, name, 0, 0,
                            "line %d of what the template gives: the file name \"%s\" may not "
                            "hold / or \\", line, *field);
        }
        p += len;
        if (*p == '\n')
            p++;
        line++;
    }
    if (*p == '\r')
        p++;
    if (*p == '\n')
        p++;
    out->body = xstrdup(p);
    if (!out->subject || !*out->subject)
        rg_diag_add(d, RG_ERROR, name, 0, 0, "the mail template gives no subject (a \"Subject:\" line)");
    if (out->workbook_name && !*out->workbook_name)
        rg_diag_add(d, RG_ERROR, name, 0, 0, "the workbook's name is empty");
    if (out->pdf_name && !*out->pdf_name)
        rg_diag_add(d, RG_ERROR, name, 0, 0, "the PDF's name is empty");
    if (d->errors != errors) {
        mail_text_fini(out);
        return -1;
    }
    return 0;
}

void mail_text_fini(mail_text *t)
{
    free(t->subject);
    free(t->workbook_name);
    free(t->pdf_name);
    free(t->body);
    memset(t, 0, sizeof *t);
}
