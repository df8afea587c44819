/* libFuzzer target: data into the document form. The input is split at NUL
 * bytes into up to four strings, put in every place the report's template
 * puts data (the title, a heading, a run-in heading, a paragraph, a table's
 * caption and cells, a chart's label) with {{x}} escaped as the report
 * escapes it. The property: the document parses, its outline (blocks,
 * levels, runs, table sizes) is the template's whatever the data, and each
 * place holds its string exactly, a line break read as a space; --emit-doc's
 * form reads back to the same texts. Aborts when any of that fails. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char template_src[] =
    "= {{a}}{{b}}年度工作总结\n"
    "\n"
    "{{#sections}}\n"
    "#1 {{title}}\n"
    "\n"
    "#2> {{c}}。\n"
    "{{d}}正文\n"
    "\n"
    "{{/sections}}\n"
    "#table 附表　{{b}}\n"
    "| 指标 | {{c}} |\n"
    "| {{a}} | {{d}} |\n"
    "\n"
    "#chart 附图　{{d}}\n"
    "| 亿元 | 产值 |\n"
    "| {{c}} | 43.55 |\n";

static char *folded(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && s[i + 1] == '\n')
            continue;
        *o++ = s[i] == '\r' || s[i] == '\n' ? ' ' : s[i];
    }
    *o = '\0';
    return out;
}

static void expect(const char *got, const char *prefix, const char *want, const char *suffix)
{
    size_t np = strlen(prefix), nw = strlen(want), ns = strlen(suffix);
    if (strlen(got) != np + nw + ns || memcmp(got, prefix, np) != 0 ||
        memcmp(got + np, want, nw) != 0 || memcmp(got + np + nw, suffix, ns) != 0) {
        fprintf(stderr, "got \"%s\", want \"%s%s%s\"\n", got, prefix, want, suffix);
        abort();
    }
}

static void check(const doc *d, char *const f[4])
{
    /* title, heading, paragraph (run-in + text), table, chart */
    if (d->nblocks != 5 || d->blocks[0].kind != DOC_TITLE || d->blocks[1].kind != DOC_HEADING ||
        d->blocks[1].level != 1 || d->blocks[2].kind != DOC_PARAGRAPH ||
        d->blocks[2].nruns != 2 || d->blocks[2].runs[0].style != DOC_STYLE_H2 ||
        d->blocks[3].kind != DOC_TABLE || d->blocks[3].table.nrows != 2 ||
        d->blocks[3].table.ncols != 2 || d->blocks[4].kind != DOC_CHART ||
        d->blocks[4].table.nrows != 2 || d->blocks[4].table.ncols != 2) {
        fprintf(stderr, "the outline changed: %zu blocks\n", d->nblocks);
        abort();
    }
    rg_buf title = {0};
    rg_buf_puts(&title, f[0]);
    rg_buf_puts(&title, f[1]);
    expect(d->blocks[0].runs[0].text, "", title.data, "年度工作总结");
    rg_buf_fini(&title);
    expect(d->blocks[1].runs[0].text, "一、", f[0], "");
    expect(d->blocks[2].runs[0].text, "（一）", f[2], "。");
    expect(d->blocks[2].runs[1].text, "", f[3], "正文");
    expect(d->blocks[3].runs[0].text, "附表　", f[1], "");
    expect(d->blocks[3].table.cells[1], "", f[2], "");
    expect(d->blocks[3].table.cells[2], "", f[0], "");
    expect(d->blocks[3].table.cells[3], "", f[3], "");
    expect(d->blocks[4].runs[0].text, "附图　", f[3], "");
    expect(d->blocks[4].table.cells[2], "", f[2], "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tmpl *t;
    if (!t) {
        rg_diags d = {0};
        tmpl_options opt = {.escape = doc_escape};
        t = tmpl_compile("fuzz.mustache", template_src, sizeof template_src - 1, NULL, &opt, &d);
        if (!t)
            abort();
        rg_diags_fini(&d);
    }
    char *field[4];
    size_t at = 0;
    for (int i = 0; i < 4; i++) {
        const uint8_t *nul = at < size ? memchr(data + at, 0, size - at) : NULL;
        size_t end = nul ? (size_t)(nul - data) : size;
        field[i] = xstrndup(at < size ? (const char *)data + at : "", end > at ? end - at : 0);
        at = end + 1;
    }
    tval *root = tval_map();
    tval_set(root, "a", tval_string(field[0]));
    tval_set(root, "b", tval_string(field[1]));
    tval_set(root, "c", tval_string(field[2]));
    tval_set(root, "d", tval_string(field[3]));
    tval *sections = tval_set(root, "sections", tval_list());
    tval_set(tval_push(sections, tval_map()), "title", tval_string(field[0]));

    char *want[4];
    for (int i = 0; i < 4; i++)
        want[i] = folded(field[i]);
    rg_diags d = {0};
    rg_buf text = {0};
    if (tmpl_render(t, root, &text, &d) != 0)
        abort();
    doc *document = doc_parse("fuzz", text.data, text.len, &d);
    if (!document || d.count != 0)
        abort();
    check(document, want);
    /* --emit-doc writes it back in a form that reads the same (numbers
     * aside: it writes them, and reading adds them again). */
    rg_buf again = {0};
    doc_write(document, &again);
    doc *back = doc_parse("emit", again.data, again.len, &d);
    if (!back || d.count != 0 || back->nblocks != document->nblocks)
        abort();
    for (size_t i = 0; i < back->nblocks; i++)
        for (size_t k = 0; k < back->blocks[i].nruns; k++)
            if (back->blocks[i].kind != DOC_HEADING &&
                back->blocks[i].runs[k].style == DOC_STYLE_BODY &&
                strcmp(back->blocks[i].runs[k].text, document->blocks[i].runs[k].text) != 0)
                abort();
    doc_free(back);
    rg_buf_fini(&again);
    doc_free(document);
    rg_buf_fini(&text);
    rg_diags_fini(&d);
    tval_free(root);
    for (int i = 0; i < 4; i++) {
        free(field[i]);
        free(want[i]);
    }
    return 0;
}
