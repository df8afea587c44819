/* mail.c - see mail.h: the message, composed; nothing here talks to a
 * server. Lines end in CRLF and stay within 78 characters, as RFC 5322
 * asks; everything outside ASCII is encoded, so the message is 7-bit. */
#include "mail.h"

#include "tmpl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Whether plain ASCII text could be mistaken for RFC 2047 words. */
static bool looks_encoded(const char *s)
{
    return strstr(s, "=?") != NULL;
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
    char *clean = mail_header_text(value);
    rg_buf_printf(out, "%s: ", name);
    if (is_ascii_text(clean) && !looks_encoded(clean) && strlen(name) + 2 + strlen(clean) <= 78)
        rg_buf_puts(out, clean);
    else
        put_encoded_words(out, clean, 42, "\r\n ");
    rg_buf_puts(out, "\r\n");
    free(clean);
}

static bool is_bidi_control(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static bool is_line_break_or_blank(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' || cp == '\r' ||
           cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

char *mail_header_text(const char *s)
{
    rg_buf out = {0};
    size_t n = strlen(s);
    bool after_space = true; /* drops spaces at the start */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = rg_utf8_decode(s + i, n - i, &cp);
        if (len == 0)
            cp = 0xFFFD, len = 1;
        i += len;
        if (is_line_break_or_blank(cp)) {
            if (!after_space)
                rg_buf_putc(&out, ' ');
            after_space = true;
        } else if (cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F) && !is_bidi_control(cp)) {
            rg_utf8_put(&out, cp);
            after_space = false;
        }
    }
    if (out.len && out.data[out.len - 1] == ' ')
        out.data[--out.len] = '\0';
    return rg_buf_take(&out);
}

void mail_clean_data(struct tval *data)
{
    if (!data)
        return;
    if (data->kind == TVAL_STRING && data->s) {
        char *clean = mail_header_text(data->s);
        free(data->s);
        data->s = clean;
    }
    for (size_t i = 0; i < data->n && (data->kind == TVAL_LIST || data->kind == TVAL_MAP); i++)
        mail_clean_data(data->items[i]);
}

/* Why an addr-spec cannot be used, or NULL: printable ASCII without blanks,
 * quotes, brackets or separators, one @ with text on both sides, within
 * RFC 5321's lengths. */
static const char *addr_spec_problem(const char *addr)
{
    size_t n = strlen(addr), ats = 0, at = 0;
    if (n == 0)
        return "no address";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (c <= ' ' || c >= 0x7F || strchr("<>()[]\\,;:\"", c))
            return "an address is ASCII without blanks, quotes, brackets, commas, colons or semicolons";
        if (c == '@')
            at = i, ats++;
    }
    if (ats != 1 || at == 0 || at + 1 == n)
        return "an address has one @ with text on both sides";
    if (n > MAIL_MAX_ADDRESS || at > 64)
        return "the address is longer than 254 characters, or its part before the @ than 64";
    return NULL;
}

void mail_mailboxes_free(mail_mailbox *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].name);
        free(m[i].addr);
    }
    free(m);
}

/* One mailbox, `entry` (len bytes): its phrase and angle-addr read as RFC
 * 5322 has them. Returns NULL and fills *mb, or a static reason. */
static const char *parse_mailbox(const char *entry, size_t len, mail_mailbox *mb)
{
    rg_buf words = {0}, addr = {0};
    bool in_angle = false, had_angle = false, had_quote = false, space = false;
    const char *why = NULL;
    for (size_t i = 0; i < len && !why; i++) {
        char c = entry[i];
        if (c == '(') { /* a comment, nested, with quoted-pairs: read as a blank */
            int depth = 1;
            for (i++; i < len && depth; i++) {
                if (entry[i] == '\\' && i + 1 < len)
                    i++;
                else
                    depth += entry[i] == '(' ? 1 : entry[i] == ')' ? -1 : 0;
            }
            i--;
            if (depth)
                why = "a ( without its )";
            space = words.len > 0;
        } else if (in_angle) {
            if (c == '>')
                in_angle = false;
            else if (c == '<' || c == '"')
                why = "a < or a quote inside <...>";
            else
                rg_buf_putc(&addr, c);
        } else if (had_angle) {
            if (c != ' ' && c != '\t')
                why = "text after the >";
        } else if (c == '<') {
            in_angle = had_angle = true;
        } else if (c == '>') {
            why = "a > without its <";
        } else if (c == ' ' || c == '\t') {
            space = words.len > 0;
        } else {
            if (space)
                rg_buf_putc(&words, ' ');
            space = false;
            if (c == '"') { /* a quoted-string: its text, quoted-pairs undone */
                had_quote = true;
                for (i++; i < len && entry[i] != '"'; i++) {
                    if (entry[i] == '\\' && i + 1 < len)
                        i++;
                    rg_buf_putc(&words, entry[i]);
                }
                if (i >= len)
                    why = "a quote without its closing quote";
            } else {
                rg_buf_putc(&words, c);
            }
        }
    }
    if (!why && in_angle)
        why = "a < without its >";
    if (!why && !had_angle && had_quote)
        why = "quotes outside a display name";
    char *spec = had_angle ? rg_buf_take(&addr) : rg_buf_take(&words);
    if (!why) {
        /* Blanks just inside the brackets are CFWS, not the address's. */
        size_t start = strspn(spec, " \t"), end = strlen(spec);
        while (end > start && (spec[end - 1] == ' ' || spec[end - 1] == '\t'))
            end--;
        memmove(spec, spec + start, end - start);
        spec[end - start] = '\0';
        why = addr_spec_problem(spec);
    }
    if (why) {
        free(spec);
        rg_buf_fini(&words);
        rg_buf_fini(&addr);
        return why;
    }
    char *name = rg_buf_take(&words);
    mb->name = mail_header_text(name);
    mb->addr = spec;
    free(name);
    rg_buf_fini(&addr);
    return NULL;
}

int mail_mailboxes_parse(const char *s, bool list, mail_mailbox **out, size_t *n, char **why)
{
    *out = NULL;
    *n = 0;
    *why = NULL;
    size_t cap = 0;
    const char *entry = s;
    for (const char *p = s;; p++) {
        /* A comma ends an entry only outside quotes, comments and brackets. */
        if (*p == '"' || *p == '(' || *p == '<') {
            char close = *p == '"' ? '"' : *p == '(' ? ')' : '>';
            int depth = 1;
            for (p++; *p && depth; p++) {
                if (*p == '\\' && close != '>' && p[1])
                    p++;
                else if (*p == close)
                    depth--;
                else if (close == ')' && *p == '(')
                    depth++;
            }
            p--; /* at the closing character, or the last one when unclosed */
            continue;
        }
        if (*p && !(list && *p == ',')) {
            continue;
        }
        size_t len = (size_t)(p - entry);
        bool blank = strspn(entry, " \t") >= len;
        if (!(blank && list)) {
            mail_mailbox mb;
            const char *problem = blank ? "no address" : parse_mailbox(entry, len, &mb);
            if (problem) {
                rg_buf msg = {0};
                rg_buf_printf(&msg, "\"%.*s\" is not an email address: %s", (int)(len > 200 ? 200 : len),
                              entry, problem);
                *why = rg_buf_take(&msg);
                mail_mailboxes_free(*out, *n);
                *out = NULL;
                *n = 0;
                return -1;
            }
            void *arr = *out;
            xgrow(&arr, &cap, *n + 1, sizeof **out);
            *out = arr;
            (*out)[(*n)++] = mb;
        }
        if (!*p)
            break;
        entry = p + 1;
    }
    if (*n == 0) {
        *why = xstrdup("no email address given");
        return -1;
    }
    return 0;
}

char *mail_address(const char *s)
{
    mail_mailbox *mb;
    size_t n;
    char *why;
    if (mail_mailboxes_parse(s, false, &mb, &n, &why) != 0) {
        free(why);
        return NULL;
    }
    char *addr = xstrdup(mb[0].addr);
    mail_mailboxes_free(mb, n);
    return addr;
}

/* A mailbox in From or To, the line at column `col`: the display name, if
 * any (quoted when short ASCII, else encoded words), then <addr>, folded
 * before it when the line, and `after` characters that follow, would pass
 * 78 characters. */
static void put_mailbox(rg_buf *out, size_t col, const mail_mailbox *mb, size_t after)
{
    char *name = mail_header_text(mb->name ? mb->name : "");
    size_t addr_len = strlen(mb->addr) + 2 + after;
    if (*name && is_ascii_text(name) && !strpbrk(name, "\"\\") && !looks_encoded(name) &&
        col + strlen(name) + 2 <= 78) {
        col += strlen(name) + 2;
        rg_buf_printf(out, "\"%s\"", name);
        rg_buf_puts(out, col + 1 + addr_len <= 78 ? " " : "\r\n ");
    } else if (*name) {
        rg_buf words = {0};
        put_encoded_words(&words, name, 42, "\r\n ");
        const char *last = strrchr(words.data, '\n');
        size_t last_len = last ? strlen(last + 1) : col + words.len;
        rg_buf_append(out, words.data, words.len);
        rg_buf_puts(out, last_len + 1 + addr_len <= 78 ? " " : "\r\n ");
        rg_buf_fini(&words);
    }
    rg_buf_putc(out, '<');
    for (const char *p = mb->addr; *p; p++) /* never anything but the address's own characters */
        if (*p > ' ' && *p < 0x7F)
            rg_buf_putc(out, *p);
    rg_buf_putc(out, '>');
    free(name);
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
    if (is_ascii_text(value) && !strpbrk(value, "\"\\") && !looks_encoded(value) &&
        strlen(value) <= 60) {
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

void mail_compose(const mail_message *msg, rg_buf *out)
{
    uint64_t h = 14695981039346656037u;
    h = fnv1a(h, msg->id_seed, strlen(msg->id_seed));
    h = fnv1a(h, msg->subject, strlen(msg->subject));
    h = fnv1a(h, msg->body, strlen(msg->body));
    for (size_t i = 0; i < msg->nto; i++)
        h = fnv1a(h, msg->to[i].addr, strlen(msg->to[i].addr) + 1);
    for (size_t i = 0; i < msg->nparts; i++)
        h = fnv1a(h, msg->parts[i].data, msg->parts[i].len);
    const char *at = strchr(msg->from->addr, '@');
    char *domain = mail_header_text(at ? at + 1 : "localhost");
    /* The boundary cannot occur in base64 (no "=_") or in the headers. */
    char boundary[64];
    snprintf(boundary, sizeof boundary, "=_parkreport_%016llx", (unsigned long long)h);
    rg_buf_puts(out, "From: ");
    put_mailbox(out, 6, msg->from, 0);
    rg_buf_puts(out, "\r\nTo: ");
    for (size_t i = 0; i < msg->nto; i++) {
        if (i)
            rg_buf_puts(out, ",\r\n ");
        put_mailbox(out, i ? 1 : 4, &msg->to[i], i + 1 < msg->nto); /* and its comma */
    }
    rg_buf_puts(out, "\r\n");
    put_text_header(out, "Subject", msg->subject);
    put_date(out, msg->date);
    rg_buf_printf(out, "Message-ID: <%lld.%016llx@%s>\r\n", (long long)msg->date,
                  (unsigned long long)h, domain);
    if (msg->user_agent)
        put_text_header(out, "User-Agent", msg->user_agent);
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
        char *name = mail_header_text(p->name);
        char *type = mail_header_text(p->type);
        /* A long type (the workbook's is 65 characters) on a line of its own. */
        rg_buf_printf(out, "--%s\r\nContent-Type:%s%s", boundary, strlen(type) > 62 ? "\r\n " : " ",
                      type);
        put_param(out, "name", name, false);
        rg_buf_puts(out, "\r\nContent-Disposition: attachment");
        put_param(out, "filename", name, true);
        rg_buf_puts(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        put_base64_lines(out, p->data, p->len);
        free(name);
        free(type);
    }
    rg_buf_printf(out, "--%s--\r\n", boundary);
    free(domain);
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
            char *raw = xstrndup(v, vlen);
            free(*field);
            *field = mail_header_text(raw);
            free(raw);
            if (field != &out->subject && strpbrk(*field, "/\\")) {
                /* A name from the data (甲/乙园区) cannot hold a path's
                 * separator: shown as the full-width ／ and ＼ instead. */
                rg_buf named = {0};
                for (const char *c = *field; *c; c++) {
                    if (*c == '/')
                        rg_buf_puts(&named, "\xEF\xBC\x8F");
                    else if (*c == '\\')
                        rg_buf_puts(&named, "\xEF\xBC\xBC");
                    else
                        rg_buf_putc(&named, *c);
                }
                free(*field);
                *field = rg_buf_take(&named);
            }
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

const char *mail_url_problem(const char *url)
{
    const char *host = strncmp(url, "smtp://", 7) == 0    ? url + 7
                       : strncmp(url, "smtps://", 8) == 0 ? url + 8
                                                          : NULL;
    if (!host)
        return "--smtp takes smtp://HOST[:PORT] or smtps://HOST[:PORT]";
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7F)
            return "--smtp: the URL holds a blank, a control character or a character outside "
                   "ASCII";
    size_t authority = strcspn(host, "/?#");
    if (memchr(host, '@', authority))
        return "--smtp: the URL holds a user name or password, which every user of this machine "
               "could read on the command line; give them in PARKREPORT_SMTP_USER and "
               "PARKREPORT_SMTP_PASSWORD, or in ~/.netrc (docs/mail.md)";
    if (authority == 0 || *host == ':')
        return "--smtp: the URL names no host";
    /* The port, if any: after the last colon outside an [IPv6] literal. */
    const char *end = host + authority, *bracket = memchr(host, ']', authority);
    const char *colon = NULL;
    for (const char *p = bracket ? bracket : host; p < end; p++)
        if (*p == ':')
            colon = p;
    if (colon) {
        long port = 0;
        const char *p = colon + 1;
        for (; p < end && *p >= '0' && *p <= '9' && port <= 65535; p++)
            port = port * 10 + (*p - '0');
        if (p != end || p == colon + 1 || port < 1 || port > 65535)
            return "--smtp: the port after the host's colon must be a number from 1 to 65535";
    }
    return NULL;
}

/* The next ~/.netrc token after *p: a word, or a "quoted" one with
 * backslash escapes; NULL at the end. */
static char *netrc_token(const char **p)
{
    const char *s = *p + strspn(*p, " \t\r\n");
    if (!*s) {
        *p = s;
        return NULL;
    }
    rg_buf t = {0};
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++) {
            if (*s == '\\' && s[1])
                s++;
            rg_buf_putc(&t, *s);
        }
        if (*s)
            s++;
    } else {
        size_t n = strcspn(s, " \t\r\n");
        rg_buf_append(&t, s, n);
        s += n;
    }
    *p = s;
    return rg_buf_take(&t);
}

int mail_netrc_lookup(const char *netrc, const char *host, char **login, char **password)
{
    *login = *password = NULL;
    enum { OTHER, MATCH, DONE } entry = OTHER;
    const char *p = netrc;
    char *w;
    while (entry != DONE && (w = netrc_token(&p)) != NULL) {
        if (strcmp(w, "machine") == 0 || strcmp(w, "default") == 0) {
            char *name = strcmp(w, "machine") == 0 ? netrc_token(&p) : NULL;
            if (entry == MATCH)
                entry = DONE;
            else if (!name || strcasecmp(name, host) == 0) /* default comes last */
                entry = MATCH;
            free(name);
        } else if (strcmp(w, "login") == 0 || strcmp(w, "password") == 0 ||
                   strcmp(w, "account") == 0) {
            char *value = netrc_token(&p);
            char **slot = entry != MATCH ? NULL : w[0] == 'l' ? login : w[0] == 'p' ? password : NULL;
            if (slot && value) {
                free(*slot);
                *slot = value;
            } else {
                free(value);
            }
        } else if (strcmp(w, "macdef") == 0) { /* a macro, to the next blank line */
            const char *end = strstr(p, "\n\n");
            p = end ? end + 2 : p + strlen(p);
        }
        free(w);
    }
    if (!*login) {
        free(*password);
        *password = NULL;
        return 0;
    }
    if (!*password)
        *password = xstrdup("");
    return 1;
}
