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
    rg_buf_append(&s, text, len);
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

/* "| a | b |" -> cells a, b; \| is a bar inside a cell. */
static int table_row(builder *b, const char *name, const char *s, size_t n, int line, int col,
                     rg_diags *diags)
{
    doc_table *t = &b->table->table;
    char **row = NULL;
    size_t ncells = 0, cap = 0;
    if (n > 1 && s[n - 1] == '|' && s[n - 2] != '\\')
        n--; /* the closing bar is optional */
    for (size_t i = 1; i <= n; i++) { /* from past the leading bar */
        rg_buf cell = {0};
        rg_buf_append(&cell, "", 0);
        for (; i < n && s[i] != '|'; i++) {
            if (s[i] == '\\' && i + 1 < n && s[i + 1] == '|')
                i++;
            rg_buf_putc(&cell, s[i]);
        }
        const char *start = cell.data, *end = cell.data + cell.len;
        while (*start == ' ' || *start == '\t')
            start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        void *arr = row;
        xgrow(&arr, &cap, ncells + 1, sizeof *row);
        row = arr;
        row[ncells++] = xstrndup(start, (size_t)(end - start));
        rg_buf_fini(&cell);
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
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
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
            add_run(b->table, DOC_STYLE_H1, xstrndup(s + 7, n - 7));
        return 0;
    }
    if (s[0] == '=' && (n == 1 || s[1] == ' ')) {
        end_paragraph(b);
        flush_pending(b);
        size_t skip = n > 1 ? 2 : 1;
        doc_block *blk = add_block(b, DOC_TITLE, line);
        add_run(blk, DOC_STYLE_TITLE, xstrndup(s + skip, n - skip));
        return 0;
    }
    if (n == 5 && memcmp(s, "#page", 5) == 0) {
        end_paragraph(b);
        flush_pending(b);
        add_block(b, DOC_PAGE_BREAK, line);
        return 0;
    }
    if (s[0] == '#') {
        int level = n > 1 ? s[1] - '0' : 0;
        bool run_in = n > 2 && s[2] == '>';
        size_t skip = 2 + run_in;
        if (level < 1 || level > DOC_MAX_LEVEL || (n > skip && s[skip] != ' ')) {
            rg_diag_add(diags, RG_ERROR, name, line, (int)lead + 1,
                        "unknown line marker \"%.*s\": headings are #1 to #%d (#2> runs in), a "
                        "page break is #page, a table #table, a chart #chart; write \\# for a "
                        "literal #",
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
    if (s[0] == '\\' && n > 1 && (s[1] == '#' || s[1] == '=' || s[1] == '\\' || s[1] == '|'))
        s++, n--;
    if (!b->in_para) {
        b->in_para = true;
        b->para_line = line;
        rg_buf_append(&b->para, "", 0);
        /* Indentation is geometric; a typed full-width indent is dropped. */
        while (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3, n -= 3;
    }
    rg_buf_append(&b->para, s, n);
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

void doc_write(const doc *d, rg_buf *out)
{
    rg_buf_append(out, "", 0);
    for (size_t i = 0; i < d->nblocks; i++) {
        const doc_block *blk = &d->blocks[i];
        switch (blk->kind) {
        case DOC_TITLE:
            rg_buf_printf(out, "= %s\n\n", blk->runs[0].text);
            break;
        case DOC_HEADING:
            rg_buf_printf(out, "#%d %s\n\n", blk->level, blk->runs[0].text);
            break;
        case DOC_PAGE_BREAK:
            rg_buf_puts(out, "#page\n\n");
            break;
        case DOC_TABLE:
        case DOC_CHART:
            rg_buf_puts(out, blk->kind == DOC_TABLE ? "#table" : "#chart");
            if (blk->nruns)
                rg_buf_printf(out, " %s", blk->runs[0].text);
            rg_buf_putc(out, '\n');
            for (size_t row = 0; row < blk->table.nrows; row++) {
                for (size_t c = 0; c < blk->table.ncols; c++) {
                    rg_buf_puts(out, "| ");
                    for (const char *q = blk->table.cells[row * blk->table.ncols + c]; *q; q++) {
                        if (*q == '|')
                            rg_buf_putc(out, '\\');
                        rg_buf_putc(out, *q);
                    }
                    rg_buf_putc(out, ' ');
                }
                rg_buf_puts(out, "|\n");
            }
            rg_buf_putc(out, '\n');
            break;
        case DOC_PARAGRAPH:
            for (size_t k = 0; k < blk->nruns; k++) {
                if (blk->runs[k].style != DOC_STYLE_BODY)
                    rg_buf_printf(out, "#%d> %s\n", (int)(blk->runs[k].style - DOC_STYLE_H1) + 1,
                                  blk->runs[k].text);
                else
                    rg_buf_printf(out, "%s%s\n\n",
                                  strchr("#=\\|", blk->runs[k].text[0]) && blk->runs[k].text[0]
                                      ? "\\"
                                      : "",
                                  blk->runs[k].text);
            }
            break;
        }
    }
}
