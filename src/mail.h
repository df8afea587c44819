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
 * Ownership: strings in the structures are borrowed; outputs are rg_bufs the
 * caller frees.
 */
#ifndef RG_MAIL_H
#define RG_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

typedef struct mail_part {
    const char *path; /* the file attached, read when composing */
    const char *name; /* the name the recipient sees (UTF-8) */
    const char *type; /* its MIME type */
} mail_part;

typedef struct mail_message {
    const char *from;             /* "addr" or "Name <addr>" (the name may be Chinese) */
    const char *const *to;        /* addr-specs */
    size_t nto;
    const char *subject;          /* UTF-8 */
    const char *body;             /* UTF-8 text, lines ended by \n */
    const mail_part *parts;
    size_t nparts;
    time_t date;                  /* the Date header */
    const char *id_seed;          /* makes the Message-ID this message's own */
    const char *user_agent;       /* NULL: none */
} mail_message;

/* The message as RFC 5322 bytes with CRLF line ends: From, To, Subject (RFC
 * 2047 when not ASCII), Date, Message-ID, and a multipart/mixed body of the
 * text and the attachments, each in base64 with its bytes as on disk.
 * Returns 0, or -1 with an error naming an attachment that cannot be read. */
int mail_compose(const mail_message *msg, rg_buf *out, rg_diags *d);

/* The addr-spec of "addr" or "Name <addr>", newly allocated; NULL when it
 * is not a plausible address (one @, no blanks, quotes or angle brackets). */
char *mail_address(const char *s);

/* What templates/mail.mustache renders to: header lines "Subject: ...",
 * "Workbook-Name: ...", "PDF-Name: ...", a blank line, and the body. */
typedef struct mail_text {
    char *subject, *workbook_name, *pdf_name, *body;
} mail_text;

/* Parses the rendered template `text` (from template `name`, for messages).
 * Returns 0, or -1 with errors at NAME:LINE. */
int mail_text_parse(const char *name, const char *text, mail_text *out, rg_diags *d);
void mail_text_fini(mail_text *t);

/* Where and how to send. */
typedef struct mail_server {
    const char *url;      /* smtp://host:port (STARTTLS when offered) or smtps://host:port */
    bool insecure;        /* do not verify the server's certificate */
    long timeout;         /* seconds to connect, and to wait for each answer */
    int retries;          /* tries again after a 4xx answer, waiting 1, 2, 4... s */
    const char *user;     /* NULL: ~/.netrc, if it names the host */
    const char *password;
} mail_server;

/* libcurl, loaded when a run sends mail: linked into every run, it and the
 * TLS and other libraries it pulls in cost 10 ms of CPU at each start.
 * Open once per process, before any mail_send (it does libcurl's global
 * set-up); NULL with an error when libcurl cannot be loaded. */
typedef struct mail_transport mail_transport;
mail_transport *mail_transport_open(rg_diags *d);
void mail_transport_close(mail_transport *t);

/* Sends the composed message from `from` (an addr-spec) to each of `to`.
 * Credentials are never printed. Returns 0, or -1 with an error at
 * `input` naming the server and its answer. */
int mail_send(const mail_transport *t, const mail_server *srv, const char *from,
              const char *const *to, size_t nto, const rg_buf *message, const char *input,
              rg_diags *d);

#endif
