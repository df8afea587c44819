/* mail.h - the report as an email to the county: composed here, sent by
 * SMTP in mail_curl.c (the only user of libcurl).
 *
 * Stage after the outputs: once an input's PDF and workbook are written and
 * checked, its message is rendered from templates/mail.mustache, composed
 * (mail_compose) and either sent (mail_send, with libcurl) or written as
 * NAME.eml.
 *
 * The message is composed here rather than with libcurl's MIME functions so
 * that a dry run's .eml holds exactly the bytes that would be sent, and so
 * that Chinese file names are encoded as mail clients read them: RFC 2231
 * in Content-Disposition (Thunderbird, Apple Mail, Gmail) and RFC 2047 in
 * Content-Type's name (Outlook, Foxmail and most web mail fall back to it).
 * libcurl writes file names as raw bytes.
 *
 * Data is data: every text that reaches a header or a file name (subject,
 * display names, attachment names) goes through mail_header_text, so no line
 * break, control or bidi character from the data reaches one; addresses are
 * checked by mail_mailboxes_parse.
 *
 * Ownership: strings in mail_message, mail_part and mail_server are
 * borrowed; a mail_mailbox from mail_mailboxes_parse owns its strings;
 * outputs are rg_bufs or strings the caller frees.
 */
#ifndef RG_MAIL_H
#define RG_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

/* A mailbox: an addr-spec and the name shown with it. */
typedef struct mail_mailbox {
    char *name; /* the display name, UTF-8, cleaned as mail_header_text does; "" for none */
    char *addr; /* the addr-spec: printable ASCII, one @, at most MAIL_MAX_ADDRESS bytes */
} mail_mailbox;

/* RFC 5321's limit on a path, so that an address always fits in a header
 * line (998 characters) and in the SMTP envelope. */
#define MAIL_MAX_ADDRESS 254

/* Parses "addr", "Name <addr>" or "\"Name, with comma\" <addr>", or, with
 * `list`, several of them separated by commas outside quotes, comments and
 * angle brackets (RFC 5322's address-list; quoted-pairs and (comments) are
 * read, a comment is dropped). Returns 0 with *out (n entries) to free with
 * mail_mailboxes_free, or -1 with *why saying what is wrong with which entry
 * (a message to free) and nothing in *out. */
int mail_mailboxes_parse(const char *s, bool list, mail_mailbox **out, size_t *n, char **why);
void mail_mailboxes_free(mail_mailbox *m, size_t n);

/* The addr-spec of "addr" or "Name <addr>", newly allocated; NULL when it
 * is not one mailbox (mail_mailboxes_parse says why). */
char *mail_address(const char *s);

/* Text as it may go into a header or a file name, newly allocated: invalid
 * UTF-8 bytes become U+FFFD; line breaks (CR, LF, VT, FF, U+0085, U+2028,
 * U+2029) and TAB become a space; other C0 controls, DEL, C1 controls and
 * the bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
 * are removed; runs of spaces become one and none is left at either end. */
char *mail_header_text(const char *s);

/* An attachment: its bytes as written, never read again by a path (the
 * folder may have changed since). */
typedef struct mail_part {
    const void *data; /* the bytes attached (borrowed) */
    size_t len;
    const char *name; /* the name the recipient sees (UTF-8; cleaned by mail_header_text) */
    const char *type; /* its MIME type, e.g. "application/pdf" (ASCII, from the program) */
} mail_part;

typedef struct mail_message {
    const mail_mailbox *from;
    const mail_mailbox *to;
    size_t nto;
    const char *subject;          /* UTF-8 (cleaned by mail_header_text) */
    const char *body;             /* UTF-8 text, lines ended by \n */
    const mail_part *parts;
    size_t nparts;
    time_t date;                  /* the Date header */
    const char *id_seed;          /* makes the Message-ID this message's own */
    const char *user_agent;       /* NULL: none */
} mail_message;

/* The message as RFC 5322 bytes with CRLF line ends: From and To with their
 * display names (quoted, or RFC 2047 when not ASCII), Subject (RFC 2047 when
 * not ASCII), Date, Message-ID, and a multipart/mixed body of the text and
 * the attachments, each in base64. Every text from data goes through
 * mail_header_text first, so none can add a header line; every line is
 * folded within 78 characters, except one holding a long address (at most
 * 998). Cannot fail; *out is appended to. */
void mail_compose(const mail_message *msg, rg_buf *out);

/* Makes the template data safe to render into the mail's header lines:
 * every string in the tree (values, not keys) is replaced by its
 * mail_header_text, so a line break in a park's name cannot end a header
 * line, add one, or start the body early. Call on the data given to the mail
 * template's tmpl_render. */
struct tval;
void mail_clean_data(struct tval *data);

/* What templates/mail.mustache renders to: header lines "Subject: ...",
 * "Workbook-Name: ...", "PDF-Name: ...", a blank line, and the body. */
typedef struct mail_text {
    char *subject, *workbook_name, *pdf_name, *body;
} mail_text;

/* Parses the rendered template `text` (from template `name`, for messages).
 * The values are cleaned by mail_header_text. Returns 0, or -1 with errors
 * at NAME. */
int mail_text_parse(const char *name, const char *text, mail_text *out, rg_diags *d);
void mail_text_fini(mail_text *t);

/* Where and how to send. Credentials never come from the URL (see
 * mail_url_problem): on a command line every user of the machine sees them. */
typedef struct mail_server {
    const char *url;      /* smtp://host[:port] (STARTTLS when offered) or smtps://host[:port] */
    bool insecure;        /* do not verify the server's certificate */
    long timeout;         /* seconds to connect, and to wait for each answer */
    int retries;          /* tries again after a 4xx answer, waiting 1, 2, 4... s */
    const char *user;     /* NULL: ~/.netrc, if it names the host */
    const char *password;
} mail_server;

/* Why `url` cannot be the SMTP server's (a static message that never
 * repeats the URL, which may hold a password), or NULL when it can: it must
 * be smtp:// or smtps://, with a host and no user or password in it. */
const char *mail_url_problem(const char *url);

/* The login and password that a ~/.netrc text (`netrc`) gives for `host`:
 * its "machine HOST" entry, else its "default" entry. Returns 1 with *login
 * and *password newly allocated, 0 when it names neither. */
int mail_netrc_lookup(const char *netrc, const char *host, char **login, char **password);

/* libcurl, loaded when a run sends mail: linked into every run, it and the
 * TLS and other libraries it pulls in cost 10 ms of CPU at each start.
 * Loaded by its soname, libcurl.so.4. Open once per process, before any
 * mail_send (it does libcurl's global set-up); NULL with an error naming
 * the Debian package when libcurl cannot be loaded. */
typedef struct mail_transport mail_transport;
mail_transport *mail_transport_open(rg_diags *d);
void mail_transport_close(mail_transport *t);

/* Sends the composed message from `from` (an addr-spec) to each of `to`'s
 * addresses. Credentials: srv->user and srv->password, else ~/.netrc's for
 * the host (read with rg_read_file, at most RG_MAX_CONFIG_BYTES; libcurl
 * never reads it); they go out only over TLS (smtps://, or smtp:// with
 * STARTTLS required) and are never printed. Returns 0, or -1 with an error
 * at `input` naming the server and its answer. */
int mail_send(const mail_transport *t, const mail_server *srv, const char *from,
              const mail_mailbox *to, size_t nto, const rg_buf *message, const char *input,
              rg_diags *d);

#endif
