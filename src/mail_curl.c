/* mail_curl.c - see mail.h: sending over SMTP with libcurl, its only user. */
#include "mail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <dlfcn.h>

/* The libcurl functions used, from libcurl.so.4 (Debian 12's libcurl4,
 * Debian 13's libcurl4t64: the same soname). */
struct mail_transport {
    void *lib;
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *c);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
};

mail_transport *mail_transport_open(rg_diags *d)
{
    mail_transport *t = xcalloc(1, sizeof *t);
    t->lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!t->lib) {
        rg_diag_add(d, RG_ERROR, "parkreport", 0, 0,
                    "cannot load libcurl to send mail: %s. Install it: apt-get install "
                    "libcurl4 (Debian 12) or libcurl4t64 (Debian 13)",
                    dlerror());
        free(t);
        return NULL;
    }
    struct {
        const char *name;
        void **fn;
    } table[] = {
        {"curl_global_init", (void **)&t->global_init},
        {"curl_global_cleanup", (void **)&t->global_cleanup},
        {"curl_easy_init", (void **)&t->easy_init},
        {"curl_easy_setopt", (void **)&t->easy_setopt},
        {"curl_easy_perform", (void **)&t->easy_perform},
        {"curl_easy_getinfo", (void **)&t->easy_getinfo},
        {"curl_easy_cleanup", (void **)&t->easy_cleanup},
        {"curl_easy_strerror", (void **)&t->easy_strerror},
        {"curl_slist_append", (void **)&t->slist_append},
        {"curl_slist_free_all", (void **)&t->slist_free_all},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        *table[i].fn = dlsym(t->lib, table[i].name);
        if (!*table[i].fn) {
            rg_diag_add(d, RG_ERROR, "parkreport", 0, 0, "libcurl.so.4 has no %s", table[i].name);
            dlclose(t->lib);
            free(t);
            return NULL;
        }
    }
    CURLcode rc = t->global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        rg_diag_add(d, RG_ERROR, "parkreport", 0, 0, "cannot start libcurl: %s",
                    t->easy_strerror(rc));
        dlclose(t->lib);
        free(t);
        return NULL;
    }
    return t;
}

void mail_transport_close(mail_transport *t)
{
    if (!t)
        return;
    t->global_cleanup();
    dlclose(t->lib);
    free(t);
}

typedef struct upload {
    const rg_buf *message;
    size_t at;
} upload;

static size_t read_message(char *buf, size_t size, size_t count, void *user)
{
    upload *u = user;
    size_t n = u->message->len - u->at;
    if (n > size * count)
        n = size * count;
    memcpy(buf, u->message->data + u->at, n);
    u->at += n;
    return n;
}

/* The server's last refusal (a 4xx or 5xx answer), for the error message:
 * from libcurl's debug output of what came in (never of what went out,
 * which holds the credentials). */
typedef struct answer {
    rg_buf last;
} answer;

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *user)
{
    (void)c;
    answer *a = user;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
        size--;
    if (size < 3 || (data[0] != '4' && data[0] != '5'))
        return 0;
    char *said = xstrndup(data, size);
    char *clean = mail_header_text(said); /* the server's text, without controls */
    rg_buf_fini(&a->last);
    rg_buf_puts(&a->last, clean);
    free(said);
    free(clean);
    return 0;
}

/* The credentials ~/.netrc gives for the URL's host, read here (bounded)
 * rather than by libcurl. Returns 1 with both set, 0 when it gives none,
 * -1 with an error when it cannot be read. */
static int netrc_credentials(const char *url, char **login, char **password, const char *input,
                             rg_diags *d)
{
    *login = *password = NULL;
    const char *home = getenv("HOME");
    if (!home || !*home)
        return 0;
    const char *h = strstr(url, "://") + 3; /* mail_url_problem checked the URL */
    size_t hn = *h == '[' ? strcspn(++h, "]") : strcspn(h, ":/?#");
    char *host = xstrndup(h, hn);
    rg_buf path = {0}, text = {0};
    rg_buf_printf(&path, "%s/.netrc", home);
    int rc = 0;
    if (rg_read_file(path.data, RG_MAX_CONFIG_BYTES, &text) == 0) {
        rc = mail_netrc_lookup(text.data ? text.data : "", host, login, password);
    } else if (errno != ENOENT) {
        rg_diag_add(d, RG_ERROR, input, 0, 0,
                    "cannot read %s for the mail server's credentials: %s (it must be a regular "
                    "file of at most %d bytes)",
                    path.data, strerror(errno), RG_MAX_CONFIG_BYTES);
        rc = -1;
    }
    free(host);
    rg_buf_fini(&path);
    if (text.data) /* the password was in it */
        memset(text.data, 0, text.len);
    rg_buf_fini(&text);
    return rc;
}

static void pause_seconds(long s)
{
    struct timespec ts = {s, 0};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

int mail_send(const mail_transport *t, const mail_server *srv, const char *from,
              const mail_mailbox *to, size_t nto, const rg_buf *message, const char *input,
              rg_diags *d)
{
    const char *url_problem = mail_url_problem(srv->url);
    if (url_problem) {
        rg_diag_add(d, RG_ERROR, input, 0, 0, "cannot send the mail: %s", url_problem);
        return -1;
    }
    char *netrc_login = NULL, *netrc_password = NULL;
    if (!srv->user && netrc_credentials(srv->url, &netrc_login, &netrc_password, input, d) < 0)
        return -1;
    const char *user = srv->user ? srv->user : netrc_login;
    const char *password = srv->user ? (srv->password ? srv->password : "") : netrc_password;
    struct curl_slist *rcpt = NULL;
    for (size_t i = 0; i < nto; i++) {
        rg_buf r = {0};
        rg_buf_printf(&r, "<%s>", to[i].addr);
        struct curl_slist *next = t->slist_append(rcpt, r.data);
        rg_buf_fini(&r);
        if (!next) {
            t->slist_free_all(rcpt);
            rg_diag_add(d, RG_ERROR, input, 0, 0, "out of memory preparing the mail");
            free(netrc_login);
            free(netrc_password);
            return -1;
        }
        rcpt = next;
    }
    rg_buf sender = {0};
    rg_buf_printf(&sender, "<%s>", from);
    bool tls = strncmp(srv->url, "smtps://", 8) == 0;
    bool credentials = user != NULL;
    int rc = -1;
    for (int attempt = 0;; attempt++) {
        CURL *c = t->easy_init();
        if (!c) {
            rg_diag_add(d, RG_ERROR, input, 0, 0, "cannot start libcurl");
            break;
        }
        upload up = {message, 0};
        answer ans = {{0}};
        char error[CURL_ERROR_SIZE] = "";
        int bad = 0; /* a setopt failed */
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_URL, srv->url);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_MAIL_FROM, sender.data);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_READFUNCTION, read_message);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_READDATA, &up);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_UPLOAD, 1L);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message->len);
        /* STARTTLS where the server offers it; required before credentials
         * go out, so that a password never crosses the network in clear. */
        if (!tls)
            bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_USE_SSL,
                                                credentials ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
        if (srv->insecure) {
            bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
            bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (credentials) { /* libcurl reads no ~/.netrc of its own: CURLOPT_NETRC is left off */
            bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_USERNAME, user);
            bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_PASSWORD, password);
        }
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, srv->timeout);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, srv->timeout);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, srv->timeout);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_ERRORBUFFER, error);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_DEBUGDATA, &ans);
        bad |= CURLE_OK != t->easy_setopt(c, CURLOPT_VERBOSE, 1L);
        CURLcode res = bad ? CURLE_FAILED_INIT : t->easy_perform(c);
        long code = 0;
        t->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        t->easy_cleanup(c);
        if (res == CURLE_OK) {
            rg_buf_fini(&ans.last);
            rc = 0;
            break;
        }
        bool transient = code >= 400 && code < 500;
        if (transient && attempt < srv->retries) {
            rg_buf_fini(&ans.last);
            pause_seconds(1L << attempt); /* 1, 2, 4... s */
            continue;
        }
        rg_buf msg = {0};
        rg_buf_puts(&msg, error[0] ? error : t->easy_strerror(res));
        while (msg.len && (msg.data[msg.len - 1] == '.' || msg.data[msg.len - 1] == '\n'))
            msg.data[--msg.len] = '\0';
        if (ans.last.len && code >= 400)
            rg_buf_printf(&msg, "; the server answered \"%s\"", ans.last.data);
        if (transient)
            rg_buf_printf(&msg, " (after %d %s)", attempt + 1, attempt ? "tries" : "try");
        if (res == CURLE_USE_SSL_FAILED && credentials)
            rg_buf_puts(&msg, " (credentials are sent only over TLS: use smtps://, or a server "
                              "that offers STARTTLS)");
        rg_diag_add(d, RG_ERROR, input, 0, 0,
                    "cannot send the mail through %s: %s. The files are written; the mail is not "
                    "sent",
                    srv->url, msg.data);
        rg_buf_fini(&msg);
        rg_buf_fini(&ans.last);
        break;
    }
    rg_buf_fini(&sender);
    t->slist_free_all(rcpt);
    free(netrc_login);
    free(netrc_password);
    return rc;
}
