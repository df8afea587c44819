/* Runs the official Mustache spec (JSON files) against the template engine
 * in the spec's mode: HTML escaping on, misses empty, filters on.
 *
 * Usage: spec_runner FILE.json...
 * Each test's partials come from its "partials" object. Every failure is
 * printed with the file, the test's name and description, the template, the
 * expected and the actual output; the last line is "spec: N passed, N failed".
 * Exit status 1 when any test failed or a file could not be read.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

static tval *from_json(struct json_object *j)
{
    switch (json_object_get_type(j)) {
    case json_type_null:
        return tval_null();
    case json_type_boolean:
        return tval_bool(json_object_get_boolean(j));
    case json_type_int:
    case json_type_double:
        /* json-c keeps a parsed number's text: 1.1 stays "1.1". */
        return tval_number(json_object_get_string(j), NULL);
    case json_type_string:
        return tval_string(json_object_get_string(j));
    case json_type_array: {
        tval *list = tval_list();
        for (size_t i = 0; i < json_object_array_length(j); i++)
            tval_push(list, from_json(json_object_array_get_idx(j, i)));
        return list;
    }
    case json_type_object: {
        tval *map = tval_map();
        json_object_object_foreach(j, key, val) tval_set(map, key, from_json(val));
        return map;
    }
    }
    return tval_null();
}

static char *load_partial(void *ctx, const char *name, size_t *len, char **display)
{
    struct json_object *partials = ctx, *p;
    if (!partials || !json_object_object_get_ex(partials, name, &p))
        return NULL;
    const char *s = json_object_get_string(p);
    *len = strlen(s);
    *display = strdup(name);
    return strdup(s);
}

static const char *field(struct json_object *test, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(test, key, &v) ? json_object_get_string(v) : "";
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int a = 1; a < argc; a++) {
        struct json_object *root = json_object_from_file(argv[a]), *tests;
        if (!root || !json_object_object_get_ex(root, "tests", &tests)) {
            fprintf(stderr, "%s: cannot read the spec file: %s\n", argv[a],
                    json_util_get_last_err() ? json_util_get_last_err() : "no \"tests\"");
            failed++;
            continue;
        }
        for (size_t i = 0; i < json_object_array_length(tests); i++) {
            struct json_object *test = json_object_array_get_idx(tests, i), *data, *partials;
            const char *src = field(test, "template");
            json_object_object_get_ex(test, "data", &data);
            if (!json_object_object_get_ex(test, "partials", &partials))
                partials = NULL;
            tmpl_loader loader = {.load = load_partial, .ctx = partials};
            tmpl_options opt = {.escape = tmpl_escape_html, .lenient = true};
            rg_diags d = {0};
            rg_buf out = {0};
            tmpl *t = tmpl_compile(field(test, "name"), src, strlen(src), &loader, &opt, &d);
            tval *v = from_json(data);
            int rc = t ? tmpl_render(t, v, &out, &d) : -1;
            const char *want = field(test, "expected");
            if (rc == 0 && strcmp(out.data, want) == 0) {
                passed++;
            } else {
                failed++;
                printf("FAIL %s: %s\n  %s\n  template: %s\n  expected: %s\n  actual:   %s\n",
                       argv[a], field(test, "name"), field(test, "desc"), src, want,
                       rc == 0 ? out.data : "(error)");
                for (size_t k = 0; k < d.count; k++) {
                    rg_buf msg = {0};
                    rg_diag_format(&d.items[k], &msg);
                    printf("  %s", msg.data);
                    rg_buf_fini(&msg);
                }
            }
            tval_free(v);
            tmpl_free(t);
            rg_buf_fini(&out);
            rg_diags_fini(&d);
        }
        json_object_put(root);
    }
    printf("spec: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
