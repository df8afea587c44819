/* libFuzzer target: the template engine. The input is a template, then a
 * NUL byte, then a partial named "p"; both are compiled and rendered in the
 * strict and the spec's lenient mode against fixed data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct partial {
    const char *src;
    size_t len;
} partial;

static char *load(void *ctx, const char *name, size_t *len, char **display)
{
    const partial *p = ctx;
    if (strcmp(name, "p") != 0)
        return NULL;
    *len = p->len;
    *display = xstrdup("p.mustache");
    return xstrndup(p->src, p->len);
}

static tval *data(void)
{
    tval *root = tval_map();
    tval_set(root, "name", tval_string("工业园区"));
    tval_set(root, "n", tval_number("124.2", "亿元"));
    tval_set(root, "g", tval_number("-3.25", "%"));
    tval_set(root, "yes", tval_bool(true));
    tval_set(root, "none", tval_null());
    tval *list = tval_set(root, "list", tval_list());
    for (int i = 0; i < 3; i++) {
        tval *it = tval_push(list, tval_map());
        tval_set(it, "name", tval_string(i ? "乙" : "甲"));
        tval_set(it, "v", tval_number(i ? "2" : "0.5", NULL));
        tval_set(it, "list", tval_list());
    }
    return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    const char *src = (const char *)bytes;
    const char *nul = memchr(src, '\0', size);
    size_t tlen = nul ? (size_t)(nul - src) : size;
    partial p = {nul ? nul + 1 : "", nul ? size - tlen - 1 : 0};
    tmpl_loader loader = {.load = load, .ctx = &p};
    tval *v = data();
    for (int mode = 0; mode < 2; mode++) {
        tmpl_options opt = {.escape = mode ? tmpl_escape_html : NULL, .lenient = mode};
        rg_diags d = {0};
        tmpl *t = tmpl_compile("fuzz.mustache", src, tlen, &loader, &opt, &d);
        if (t) {
            rg_buf out = {0};
            tmpl_render(t, v, &out, &d);
            rg_buf_fini(&out);
            tmpl_free(t);
        }
        for (size_t i = 0; i < d.count; i++) {
            rg_buf msg = {0};
            rg_diag_format(&d.items[i], &msg);
            rg_buf_fini(&msg);
        }
        rg_diags_fini(&d);
    }
    tval_free(v);
    return 0;
}
