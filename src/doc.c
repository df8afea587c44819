/* doc.c - see doc.h. */
#include "doc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void doc_heading_number(int level, int n, rg_buf *out)
{
    switch (level) {
    case 1:
        rg_cn_numeral(n, out);
        rg_buf_puts(out, "、");
        break;
    case 2:
        rg_buf_puts(out, "（");
        rg_cn_numeral(n, out);
        rg_buf_puts(out, "）");
        break;
    case 3:
        rg_buf_printf(out, "%d.", n);
        break;
    default:
        rg_buf_printf(out, "（%d）", n);
        break;
    }
}

static const char *const frame_markers[DOC_FRAME_COUNT] = {
    "copy-number", "secrecy", "urgency", "issuer", "number", "signer", "to", "attachment",
    "signature", "date", "note", "annex", "copy-to", "printer", "printed",
};

const char *doc_frame_marker(doc_frame_part part)
{
    return frame_markers[part];
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Data's escape: `\` makes the next byte literal. Escaped are every `\` and
 * `|` (a cell's bar), what could start a marker or be dropped at the start of
 * a line (# = U+3000 and blanks) and blanks at the end, where lines are
 * trimmed. Data has no line of its own: a line break in it is a space. */
void doc_escape(const char *s, size_t n, rg_buf *out)
{
    size_t first = 0, last = n;
    while (first < n && (is_blank(s[first]) || s[first] == '\n' || s[first] == '\r'))
        first++;
    while (last > first && (is_blank(s[last - 1]) || s[last - 1] == '\n' || s[last - 1] == '\r'))
        last--;
    rg_buf_append(out, "", 0);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue; /* CR LF is one break */
        if (c == '\r' || c == '\n')
            c = ' ';
        bool at_start = i == 0 && (c == '#' || c == '=' ||
                                   (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0));
        if (c == '\\' || c == '|' || at_start || (is_blank(c) && (i < first || i >= last)))
            rg_buf_putc(out, '\\');
        rg_buf_putc(out, c);
    }
}

/* n less the blanks at the end of s that are not escaped. */
static size_t trim_end(const char *s, size_t n)
{
    while (n && (is_blank(s[n - 1]) || s[n - 1] == '\r')) {
        size_t slashes = 0;
        while (slashes + 1 < n && s[n - 2 - slashes] == '\\')
            slashes++;
        if (slashes % 2)
            break;
        n--;
    }
    return n;
}

/* Appends s with each `\X` as X; a `\` at the very end stays. */
static void unescape(const char *s, size_t n, rg_buf *out)
{
    rg_buf_append(out, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        rg_buf_putc(out, s[i]);
    }
}

static char *unescaped(const char *s, size_t n)
{
    rg_buf b = {0};
    unescape(s, n, &b);
    return rg_buf_take(&b);
}

typedef struct builder {
    doc *d;
    size_t cap;
    rg_buf para;        /* text of the paragraph being collected */
    bool in_para;
    int para_line;
    doc_run pending;    /* a run-in heading waiting for its paragraph */
    doc_block *table;   /* the table whose rows are being read */
    size_t cells_cap;
    int pending_line;
    int counters[DOC_MAX_LEVEL + 1];
} builder;

static doc_block *add_block(builder *b, doc_block_kind kind, int line)
{
    void *arr = b->d->blocks;
    xgrow(&arr, &b->cap, b->d->nblocks + 1, sizeof *b->d->blocks);
    b->d->blocks = arr;
    doc_block *blk = &b->d->blocks[b->d->nblocks++];
    memset(blk, 0, sizeof *blk);
    blk->kind = kind;
    blk->line = line;
    return blk;
}

static void add_run(doc_block *blk, doc_style style, char *text)
{
    blk->runs = xrealloc(blk->runs, (blk->nruns + 1) * sizeof *blk->runs);
    blk->runs[blk->nruns].style = style;
    blk->runs[blk->nruns].text = text;
    blk->nruns++;
}

/* A run-in heading with no paragraph after it stands as a heading of its own. */
static void flush_pending(builder *b)
{
    if (!b->pending.text)
        return;
    doc_block *blk = add_block(b, DOC_HEADING, b->pending_line);
    blk->level = (int)(b->pending.style - DOC_STYLE_H1) + 1;
    add_run(blk, b->pending.style, b->pending.text);
    b->pending.text = NULL;
}

static void end_paragraph(builder *b)
{
    if (!b->in_para)
        return;
    doc_block *blk = add_block(b, DOC_PARAGRAPH, b->para_line);
    if (b->pending.text) {
        add_run(blk, b->pending.style, b->pending.text);
        b->pending.text = NULL;
    }
    add_run(blk, DOC_STYLE_BODY, rg_buf_take(&b->para));
    b->in_para = false;
}

static char *numbered(builder *b, int level, const char *text, size_t len)
{
    b->counters[level]++;
    for (int k = level + 1; k <= DOC_MAX_LEVEL; k++)
        b->counters[k] = 0;
    rg_buf s = {0};
    doc_heading_number(level, b->counters[level], &s);
    unescape(text, len, &s);
    return rg_buf_take(&s);
}

/* Length of the marker at s: up to the first blank, at most n bytes. */
static size_t token_len(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && s[k] != ' ' && s[k] != '\t')
        k++;
    return k;
}

/* "| a | b |" -> cells a, b; `\|` is a bar inside a cell, `\` escapes as
 * anywhere. The closing bar may be left out. */
static int table_row(builder *b, const char *name, const char *s, size_t n, int line, int col,
                     rg_diags *diags)
{
    doc_table *t = &b->table->table;
    char **row = NULL;
    size_t ncells = 0, cap = 0;
    bool more = true;
    for (size_t i = 1; more; i++) { /* from past the leading bar */
        size_t start = i;
        while (i < n && s[i] != '|')
            i += s[i] == '\\' && i + 1 < n ? 2 : 1;
        size_t end = trim_end(s + start, i - start) + start;
        while (start < end && is_blank(s[start]))
            start++;
        void *arr = row;
        xgrow(&arr, &cap, ncells + 1, sizeof *row);
        row = arr;
        row[ncells++] = unescaped(s + start, end - start);
        more = i + 1 < n; /* a bar before the end of the line */
    }
    if (t->nrows > 0 && ncells != t->ncols) {
        rg_diag_add(diags, RG_ERROR, name, line, col,
                    "this row has %zu cell%s, the header %zu: every row of a table has as many",
                    ncells, ncells == 1 ? "" : "s", t->ncols);
        for (size_t k = 0; k < ncells; k++)
            free(row[k]);
        free(row);
        return -1;
    }
    if (b->table->kind == DOC_CHART && t->nrows > 0) {
        for (size_t k = 1; k < ncells; k++) {
            rg_dec v;
            size_t len = strlen(row[k]);
            char *number = xstrndup(row[k], len && row[k][len - 1] == '%' ? len - 1 : len);
            bool ok = rg_dec_parse(number, &v) == 0;
            free(number);
            if (!ok) {
                rg_diag_add(diags, RG_ERROR, name, line, col,
                            "\"%s\" is not a number: after its label, each row of a chart "
                            "holds numbers", row[k]);
                for (size_t j = 0; j < ncells; j++)
                    free(row[j]);
                free(row);
                return -1;
            }
        }
    } else if (b->table->kind == DOC_CHART && ncells < 2) {
        rg_diag_add(diags, RG_ERROR, name, line, col,
                    "a chart's header names the axis and at least one series: | 亿元 | 实际 |");
        for (size_t j = 0; j < ncells; j++)
            free(row[j]);
        free(row);
        return -1;
    }
    t->ncols = ncells;
    void *arr = t->cells;
    xgrow(&arr, &b->cells_cap, (t->nrows + 1) * t->ncols, sizeof *t->cells);
    t->cells = arr;
    memcpy(t->cells + t->nrows * t->ncols, row, ncells * sizeof *row);
    t->nrows++;
    free(row);
    return 0;
}

static int parse_line(builder *b, const char *name, const char *s, size_t n, int line,
                      rg_diags *diags)
{
    n = trim_end(s, n);
    size_t lead = 0;
    while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
        lead++;
    if (lead == n) {
        end_paragraph(b);
        b->table = NULL;
        return 0;
    }
    s += lead, n -= lead;
    if (s[0] == '|') {
        if (!b->table) {
            end_paragraph(b);
            flush_pending(b);
            b->table = add_block(b, DOC_TABLE, line);
            b->cells_cap = 0;
        }
        return table_row(b, name, s, n, line, (int)lead + 1, diags);
    }
    b->table = NULL; /* any other line ends a table */
    bool is_table = n >= 6 && memcmp(s, "#table", 6) == 0 && (n == 6 || s[6] == ' ');
    bool is_chart = n >= 6 && memcmp(s, "#chart", 6) == 0 && (n == 6 || s[6] == ' ');
    if (is_table || is_chart) {
        end_paragraph(b);
        flush_pending(b);
        b->table = add_block(b, is_chart ? DOC_CHART : DOC_TABLE, line);
        b->cells_cap = 0;
        if (n > 7)
            add_run(b->table, DOC_STYLE_H1, unescaped(s + 7, n - 7));
        return 0;
    }
    if (s[0] == '=' && (n == 1 || s[1] == ' ')) {
        end_paragraph(b);
        flush_pending(b);
        size_t skip = n > 1 ? 2 : 1;
        doc_block *blk = add_block(b, DOC_TITLE, line);
        add_run(blk, DOC_STYLE_TITLE, unescaped(s + skip, n - skip));
        return 0;
    }
    if (n == 5 && memcmp(s, "#page", 5) == 0) {
        end_paragraph(b);
        flush_pending(b);
        add_block(b, DOC_PAGE_BREAK, line);
        return 0;
    }
    size_t marker = s[0] == '#' ? token_len(s, n) : 0;
    for (int part = 0; marker > 1 && part < DOC_FRAME_COUNT; part++) {
        if (marker - 1 != strlen(frame_markers[part]) ||
            memcmp(s + 1, frame_markers[part], marker - 1) != 0)
            continue;
        end_paragraph(b);
        flush_pending(b);
        size_t text_at = marker;
        while (text_at < n && is_blank(s[text_at]))
            text_at++;
        if (text_at == n) {
            rg_diag_add(diags, RG_ERROR, name, line, (int)lead + 1,
                        "\"%.*s\" needs its text after it on the line", (int)marker, s);
            return -1;
        }
        doc_block *blk = add_block(b, DOC_FRAME, line);
        blk->part = (doc_frame_part)part;
        add_run(blk, DOC_STYLE_BODY, unescaped(s + text_at, n - text_at));
        return 0;
    }
    if (s[0] == '#') {
        int level = n > 1 ? s[1] - '0' : 0;
        bool run_in = n > 2 && s[2] == '>';
        size_t skip = 2 + run_in;
        if (level < 1 || level > DOC_MAX_LEVEL || (n > skip && s[skip] != ' ')) {
            rg_diag_add(diags, RG_ERROR, name, line, (int)lead + 1,
                        "unknown line marker \"%.*s\": headings are #1 to #%d (#2> runs in), a "
                        "page break is #page, a table #table, a chart #chart, the frame's "
                        "elements #issuer, #to and the others of docs/document-form.md; write "
                        "\\# for a literal #",
                        (int)token_len(s, n), s, DOC_MAX_LEVEL);
            return -1;
        }
        end_paragraph(b);
        flush_pending(b);
        size_t text_at = n > skip ? skip + 1 : skip;
        char *text = numbered(b, level, s + text_at, n - text_at);
        doc_style style = (doc_style)(DOC_STYLE_H1 + level - 1);
        if (run_in) {
            b->pending.style = style;
            b->pending.text = text;
            b->pending_line = line;
        } else {
            doc_block *blk = add_block(b, DOC_HEADING, line);
            blk->level = level;
            add_run(blk, style, text);
        }
        return 0;
    }
    if (!b->in_para) {
        b->in_para = true;
        b->para_line = line;
        rg_buf_append(&b->para, "", 0);
        /* Indentation is geometric; a typed full-width indent is dropped. */
        while (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3, n -= 3;
    }
    unescape(s, n, &b->para);
    return 0;
}

doc *doc_parse(const char *name, const char *text, size_t len, rg_diags *diags)
{
    builder b = {0};
    b.d = xcalloc(1, sizeof *b.d);
    int line = 1, rc = 0;
    for (size_t i = 0; i < len && rc == 0; line++) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        rc = parse_line(&b, name, text + i, end - i, line, diags);
        i = end + 1;
    }
    end_paragraph(&b);
    flush_pending(&b);
    rg_buf_fini(&b.para);
    if (rc != 0) {
        doc_free(b.d);
        return NULL;
    }
    return b.d;
}

void doc_free(doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nblocks; i++) {
        for (size_t k = 0; k < d->blocks[i].nruns; k++)
            free(d->blocks[i].runs[k].text);
        free(d->blocks[i].runs);
        const doc_table *t = &d->blocks[i].table;
        for (size_t k = 0; k < t->nrows * t->ncols; k++)
            free(t->cells[k]);
        free(t->cells);
    }
    free(d->blocks);
    free(d);
}

static void put_escaped(rg_buf *out, const char *text)
{
    doc_escape(text, strlen(text), out);
}

void doc_write(const doc *d, rg_buf *out)
{
    rg_buf_append(out, "", 0);
    for (size_t i = 0; i < d->nblocks; i++) {
        const doc_block *blk = &d->blocks[i];
        switch (blk->kind) {
        case DOC_TITLE:
            rg_buf_puts(out, "= ");
            put_escaped(out, blk->runs[0].text);
            rg_buf_puts(out, "\n\n");
            break;
        case DOC_HEADING:
            rg_buf_printf(out, "#%d ", blk->level);
            put_escaped(out, blk->runs[0].text);
            rg_buf_puts(out, "\n\n");
            break;
        case DOC_PAGE_BREAK:
            rg_buf_puts(out, "#page\n\n");
            break;
        case DOC_TABLE:
        case DOC_CHART:
            rg_buf_puts(out, blk->kind == DOC_TABLE ? "#table" : "#chart");
            if (blk->nruns) {
                rg_buf_putc(out, ' ');
                put_escaped(out, blk->runs[0].text);
            }
            rg_buf_putc(out, '\n');
            for (size_t row = 0; row < blk->table.nrows; row++) {
                for (size_t c = 0; c < blk->table.ncols; c++) {
                    rg_buf_puts(out, "| ");
                    put_escaped(out, blk->table.cells[row * blk->table.ncols + c]);
                    rg_buf_putc(out, ' ');
                }
                rg_buf_puts(out, "|\n");
            }
            rg_buf_putc(out, '\n');
            break;
        case DOC_FRAME:
            rg_buf_printf(out, "#%s ", frame_markers[blk->part]);
            put_escaped(out, blk->runs[0].text);
            rg_buf_puts(out, "\n\n");
            break;
        case DOC_PARAGRAPH:
            for (size_t k = 0; k < blk->nruns; k++) {
                if (blk->runs[k].style != DOC_STYLE_BODY)
                    rg_buf_printf(out, "#%d> ", (int)(blk->runs[k].style - DOC_STYLE_H1) + 1);
                put_escaped(out, blk->runs[k].text);
                rg_buf_puts(out, blk->runs[k].style != DOC_STYLE_BODY ? "\n" : "\n\n");
            }
            break;
        }
    }
}
