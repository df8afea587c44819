/* libFuzzer target: the mail template's output (header lines, a blank line,
 * the body) parsed and, when valid, composed into a message, which must be
 * 7-bit with CRLF line ends and no line over 78 characters; the input also
 * serves as a sender's display name and an attachment's name. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const rg_buf *m)
{
    size_t line = 0;
    for (size_t i = 0; i < m->len; i++) {
        unsigned char c = (unsigned char)m->data[i];
        if (c >= 128 || c == 0)
            abort(); /* not 7-bit */
        if (c == '\n') {
            if (i == 0 || m->data[i - 1] != '\r' || i - 1 - line > 78)
                abort(); /* a bare LF, or a long line */
            line = i + 1;
        } else if (c == '\r' && (i + 1 >= m->len || m->data[i + 1] != '\n')) {
            abort(); /* a bare CR */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    if (rg_utf8_invalid_at(text, strlen(text)) != (size_t)-1) { /* templates give UTF-8 */
        free(text);
        return 0;
    }
    rg_diags d = {0};
    mail_text t;
    if (mail_text_parse("fuzz", text, &t, &d) == 0) {
        char path[] = "/tmp/fuzz_mail_XXXXXX";
        FILE *f = fdopen(mkstemp(path), "wb");
        if (f) {
            fwrite(data, 1, size, f);
            fclose(f);
        }
        /* The subject as a display name too, when it holds no < or >. */
        rg_buf from = {0};
        if (!strpbrk(t.subject, "<>\r\n"))
            rg_buf_printf(&from, "%s <office@park.example.cn>", t.subject);
        else
            rg_buf_puts(&from, "office@park.example.cn");
        const char *to[] = {"county@example.gov.cn"};
        mail_part part = {path, t.workbook_name ? t.workbook_name : "x.xlsx", "application/octet-stream"};
        mail_message m = {.from = from.data, .to = to, .nto = 1, .subject = t.subject, .body = t.body,
                          .parts = &part, .nparts = 1, .date = 0, .id_seed = "fuzz"};
        rg_buf out = {0};
        if (mail_compose(&m, &out, &d) == 0)
            check_message(&out);
        rg_buf_fini(&out);
        rg_buf_fini(&from);
        remove(path);
        mail_text_fini(&t);
    }
    rg_diags_fini(&d);
    free(text);
    return 0;
}
