/* layout_table.c - tables and charts (see layout.h): ruled rows on the
 * grid, cells broken when a column is narrowed; horizontal bars. */
#include "layout_impl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* --- tables ----------------------------------------------------------- */

/* The type of a table's or chart's cells: the role's fonts (letters and
 * digits in its Latin font), measured by mx. */
typedef struct cell_type {
    const layout_style *st;
    const layout_font_role *role;
    const layout_metrics *mx;
} cell_type;

static double advance_in(const cell_type *ct, uint32_t cp, double size)
{
    return ct->mx->advance(ct->mx->ud, font_for(ct->st, ct->role, cp, ct->mx), cp) * size / 1000;
}

static double text_width(const char *s, size_t n, const cell_type *ct, double size)
{
    double w = 0;
    for (size_t i = 0; i < n;)
        w += advance_in(ct, rg_utf8_next(s, n, &i), size);
    return w;
}

/* Sets s (n bytes) from x: an item for each run of one font. */
static void add_text(layout_result *r, const cell_type *ct, double size, double x, const char *s,
                     size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t start = i;
        int font = font_for(ct->st, ct->role, rg_utf8_next(s, n, &i), ct->mx);
        size_t end = i;
        while (end < n) {
            size_t next = end;
            if (font_for(ct->st, ct->role, rg_utf8_next(s, n, &next), ct->mx) != font)
                break;
            end = next;
        }
        add_item(r, font, size, x, s + start, end - start);
        x += text_width(s + start, end - start, ct, size);
        i = end;
    }
}

/* A cell of a column of numbers: digits with an optional bound, sign,
 * decimal point and per cent sign (124.2, -3.2, 16.33%, ≥11). */
static bool numeric_cell(const char *s)
{
    if (strncmp(s, "\xE2\x89\xA5", 3) == 0 || strncmp(s, "\xE2\x89\xA4", 3) == 0) /* ≥ ≤ */
        s += 3;
    if (*s == '-' || *s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return false;
    while ((*s >= '0' && *s <= '9') || *s == '.')
        s++;
    return *s == '\0' || strcmp(s, "%") == 0;
}

/* Bytes of a numeric cell before its decimal point (all of it when none). */
static size_t int_part(const char *s)
{
    const char *dot = strchr(s, '.');
    if (dot)
        return (size_t)(dot - s);
    size_t n = strlen(s);
    return n && s[n - 1] == '%' ? n - 1 : n;
}

/* A table's or chart's caption, centred, after a blank line; a long one
 * is broken and balanced as a title is. */
static void add_caption(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
                        const layout_metrics *mx)
{
    if (ls->n > 0)
        add_line(ls, LINE_BLANK); /* it stands apart from the text before it */
    if (blk->nruns)
        set_block(r, ls, blk, st, mx, LINE_HEADING, true, 0);
}

/* Bytes of s (n bytes) that fit `avail` at least one character: up to the
 * last blank, / . - _ ? & = that fits, else the last character that does. */
static size_t cell_piece(const char *s, size_t n, double avail, const cell_type *ct, double size)
{
    size_t fit = 0, cut = 0;
    double w = 0;
    while (fit < n) {
        size_t next = fit;
        uint32_t cp = rg_utf8_next(s, n, &next);
        double cw = advance_in(ct, cp, size);
        if (fit > 0 && w + cw > avail + 0.01)
            break;
        w += cw;
        fit = next;
        if (fit < n && (cp == ' ' || cut_after(cp)))
            cut = fit;
    }
    if (fit >= n || cut)
        return fit < n && cut ? cut : fit;
    /* Cut between characters: not before a closing mark nor after an
     * opening one (、 never starts a cell's line), when a character can go
     * down with it. */
    size_t at = fit;
    for (int tries = 0; tries < 2 && at > 0; tries++) {
        size_t prev = at;
        while (prev > 0 && ((unsigned char)s[--prev] & 0xC0) == 0x80)
            ;
        size_t i = at, j = prev;
        uint32_t next = rg_utf8_next(s, n, &i), last = rg_utf8_next(s, n, &j);
        if (!layout_no_line_start(next) && !layout_no_line_end(last))
            break;
        at = prev;
    }
    return at > 0 ? at : fit;
}

/* The lines a cell takes at measure `avail`. */
static size_t cell_line_count(const char *cell, double avail, const cell_type *ct, double size)
{
    size_t n = strlen(cell), at = 0, count = 1;
    for (;;) {
        at += cell_piece(cell + at, n - at, avail, ct, size);
        while (at < n && cell[at] == ' ') /* no line of a cell starts with a blank */
            at++;
        if (at >= n)
            return count;
        count++;
    }
}

/* A table too wide for the block is set smaller, down to this; past it its
 * widest columns are narrowed and their cells take several lines. */
#define TABLE_MIN_SCALE 0.75

void set_table(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
                      const layout_metrics *mx)
{
    const doc_table *t = &blk->table;
    if (t->nrows == 0 || t->ncols == 0)
        return;
    const cell_type ct = {st, &st->table, mx};
    double size = st->table.size;
    double pad = size / 2;
    double *width = xcalloc(t->ncols, sizeof *width);
    double *int_w = xcalloc(t->ncols, sizeof *int_w);
    double *frac_w = xcalloc(t->ncols, sizeof *frac_w);
    bool *numeric = xcalloc(t->ncols, sizeof *numeric);
    for (size_t c = 0; c < t->ncols; c++) {
        numeric[c] = t->nrows > 1;
        for (size_t row = 0; row < t->nrows; row++) {
            const char *cell = t->cells[row * t->ncols + c];
            double w = text_width(cell, strlen(cell), &ct, size);
            if (w > width[c])
                width[c] = w;
            if (row == 0)
                continue;
            if (numeric_cell(cell)) {
                size_t ip = int_part(cell);
                double iw = text_width(cell, ip, &ct, size);
                double fw = text_width(cell + ip, strlen(cell) - ip, &ct, size);
                int_w[c] = iw > int_w[c] ? iw : int_w[c];
                frac_w[c] = fw > frac_w[c] ? fw : frac_w[c];
            } else if (*cell && strcmp(cell, "\xE2\x80\x94") != 0) { /* — marks no value */
                numeric[c] = false;
            }
        }
    }
    double natural = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        if (numeric[c] && int_w[c] + frac_w[c] > width[c])
            width[c] = int_w[c] + frac_w[c];
        width[c] += 2 * pad;
        natural += width[c];
    }
    /* The table spans the block: spare room goes to every column alike; a
     * table too wide for the block is set smaller, then its widest columns
     * narrowed to `cap`, the most that lets the rest fit. */
    double scale = natural > st->block_w ? st->block_w / natural : 1;
    if (scale < TABLE_MIN_SCALE) {
        scale = TABLE_MIN_SCALE;
        double room = st->block_w / scale, lo = 0, hi = 0;
        for (size_t c = 0; c < t->ncols; c++)
            hi = width[c] > hi ? width[c] : hi;
        for (int k = 0; k < 40; k++) {
            double cap = (lo + hi) / 2, sum = 0;
            for (size_t c = 0; c < t->ncols; c++)
                sum += width[c] < cap ? width[c] : cap;
            *(sum <= room ? &lo : &hi) = cap;
        }
        natural = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            if (width[c] > lo) {
                /* never narrower than its widest character */
                double least = 0;
                for (size_t row = 0; row < t->nrows; row++) {
                    const char *cell = t->cells[row * t->ncols + c];
                    for (size_t i = 0, n = strlen(cell); i < n;) {
                        double w = advance_in(&ct, rg_utf8_next(cell, n, &i), size);
                        least = w > least ? w : least;
                    }
                }
                width[c] = lo > least + 2 * pad ? lo : least + 2 * pad;
                numeric[c] = false; /* its cells are broken, set flush left */
            }
            natural += width[c];
        }
        if (natural * scale > st->block_w) /* so many columns: smaller still */
            scale = st->block_w / natural;
    }
    double spare = natural * scale < st->block_w ? (st->block_w / scale - natural) / (double)t->ncols : 0;
    size *= scale, pad *= scale;
    /* Rows sit on the grid; the rules are centred on the text's body. */
    double mid = 0.38 * size, half = st->line_pitch / 2;
    add_caption(r, ls, blk, st, mx);
    long header = (long)ls->n;
    size_t *at = xcalloc(t->ncols, sizeof *at); /* bytes of each cell set */
    for (size_t row = 0; row < t->nrows; row++) {
        const char *const *cells = (const char *const *)t->cells + row * t->ncols;
        size_t nlines = 1;
        for (size_t c = 0; c < t->ncols; c++) {
            size_t k = cell_line_count(cells[c], (width[c] + spare) * scale - 2 * pad, &ct, size);
            nlines = k > nlines ? k : nlines;
            at[c] = 0;
        }
        for (size_t k = 0; k < nlines; k++) {
            line *ln = add_line(ls, LINE_TABLE_ROW);
            ln->header = row == 0 ? -1 : header;
            ln->para_first = row == 0 && k == 0;
            ln->para_last = row + 1 == t->nrows && k + 1 == nlines;
            ln->size = size;
            ln->first_item = r->nitems;
            double x = st->margin_left;
            if (k == 0)
                add_rule(r, x, mid + half, x + st->block_w, mid + half);
            if (k + 1 == nlines)
                add_rule(r, x, mid - half, x + st->block_w, mid - half);
            add_rule(r, x, mid + half, x, mid - half);
            for (size_t c = 0; c < t->ncols; c++) {
                double cw = (width[c] + spare) * scale;
                const char *cell = cells[c] + at[c];
                size_t left = strlen(cell);
                size_t n = cell_piece(cell, left, cw - 2 * pad, &ct, size);
                at[c] += n;
                while (cells[c][at[c]] == ' ')
                    at[c]++;
                double w = text_width(cell, n, &ct, size);
                double x_at;
                if (row > 0 && numeric[c] && numeric_cell(cell)) {
                    /* The decimal points of a column line up, the numbers centred. */
                    double block = (int_w[c] + frac_w[c]) * scale;
                    double point = x + (cw - block) / 2 + int_w[c] * scale;
                    x_at = point - text_width(cell, int_part(cell), &ct, size);
                } else if (row > 0 && !numeric[c]) {
                    x_at = x + pad;
                } else {
                    x_at = x + (cw - w) / 2;
                }
                if (n)
                    add_text(r, &ct, size, x_at, cell, n);
                x += cw;
                add_rule(r, x, mid + half, x, mid - half);
            }
            ln->end_item = r->nitems;
        }
    }
    free(at);
    free(width);
    free(int_w);
    free(frac_w);
    free(numeric);
}

/* A chart's value: the number before an optional %. */
static double chart_value(const char *cell)
{
    rg_dec d = {0, 0};
    size_t n = strlen(cell);
    char *number = xstrndup(cell, n && cell[n - 1] == '%' ? n - 1 : n);
    if (rg_dec_parse(number, &d) != 0)
        d.coef = 0; /* doc_parse let only numbers through */
    free(number);
    return rg_dec_to_double(d);
}

/* The key's lines under a chart: where the next item goes. */
typedef struct chart_key {
    layout_result *r;
    lines *ls;
    line *ln;
    double x, x0, right;
    const cell_type *ct;
    double size;
} chart_key;

static void key_next_line(chart_key *k)
{
    k->ln->end_item = k->r->nitems;
    k->ln = add_line(k->ls, LINE_CHART);
    k->ln->size = k->size;
    k->ln->first_item = k->r->nitems;
    k->x = k->x0;
}

/* Text of the key at k->x: to the next line when it does not fit, broken
 * when no line holds it. */
static void key_text(chart_key *k, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        size_t piece = cell_piece(s, n, k->right - k->x, k->ct, k->size);
        if (piece < n && k->x > k->x0) {
            key_next_line(k);
            continue;
        }
        add_text(k->r, k->ct, k->size, k->x, s, piece);
        k->x += text_width(s, piece, k->ct, k->size);
        s += piece, n -= piece;
        while (n > 0 && *s == ' ')
            s++, n--;
        if (n > 0)
            key_next_line(k);
    }
}

/* Horizontal bars: a line per bar, its label on the left (on the first bar
 * of a row), the value as written at the bar's end (left of a negative bar,
 * right of a positive one), the series in greys. The scale runs from the
 * least value (or 0) to the greatest (or 0; 100 for percentages below it). */
void set_chart(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
                      const layout_metrics *mx)
{
    const doc_table *t = &blk->table;
    if (t->nrows < 2 || t->ncols < 2)
        return;
    const cell_type ct = {st, &st->table, mx};
    double size = st->table.size, pad = size / 2;
    size_t nseries = t->ncols - 1;
    double label_w = 0, value_w = 0, neg_w = 0, lo = 0, hi = 0;
    for (size_t row = 1; row < t->nrows; row++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[row * t->ncols + c];
            double w = text_width(cell, strlen(cell), &ct, size);
            if (c == 0) {
                label_w = w > label_w ? w : label_w;
                continue;
            }
            double v = chart_value(cell);
            /* A negative value's label goes left of its bar, a positive one's right. */
            double *side = v < 0 ? &neg_w : &value_w;
            *side = w > *side ? w : *side;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    bool percent = true;
    for (size_t row = 1; row < t->nrows; row++)
        for (size_t c = 1; c < t->ncols; c++) {
            const char *cell = t->cells[row * t->ncols + c];
            percent = percent && *cell && cell[strlen(cell) - 1] == '%';
        }
    if (percent && hi < 100)
        hi = 100; /* shares and completion rates are read against the whole */
    if (hi == lo)
        hi = lo + 1;
    /* Labels take at most a third of the block; a longer one is broken onto
     * the lines below its bars. */
    if (label_w > st->block_w / 3)
        label_w = st->block_w / 3;
    double label_end = st->margin_left + label_w + pad;
    double x_plot = label_end + pad + (neg_w > 0 ? neg_w + pad : 0);
    double plot_w = st->margin_left + st->block_w - x_plot - value_w - 2 * pad;
    if (plot_w < st->block_w / 4)
        plot_w = st->block_w / 4;
    double zero = x_plot + (0 - lo) / (hi - lo) * plot_w;
    double mid = 0.38 * size, half = st->line_pitch / 2, bar = 0.3 * st->line_pitch;
    add_caption(r, ls, blk, st, mx);
    size_t first = ls->n;
    for (size_t row = 1; row < t->nrows; row++) {
        const char *label = t->cells[row * t->ncols];
        size_t left = strlen(label);
        for (size_t s = 0; s < nseries || left > 0; s++) {
            line *ln = add_line(ls, LINE_CHART);
            ln->size = size;
            ln->first_item = r->nitems;
            if (left > 0) {
                size_t n = cell_piece(label, left, label_w, &ct, size);
                add_text(r, &ct, size, label_end - text_width(label, n, &ct, size), label,
                         n);
                label += n, left -= n;
                while (left > 0 && *label == ' ')
                    label++, left--;
            }
            if (s < nseries) {
                const char *cell = t->cells[row * t->ncols + 1 + s];
                double x = x_plot + (chart_value(cell) - lo) / (hi - lo) * plot_w;
                double grey = nseries == 1 ? 0.45 : 0.25 + 0.5 * (double)s / (double)(nseries - 1);
                add_bar(r, zero < x ? zero : x, mid + bar, zero < x ? x : zero, mid - bar, grey);
                if (x < zero)
                    add_text(r, &ct, size, x - pad - text_width(cell, strlen(cell), &ct, size),
                             cell, strlen(cell));
                else
                    add_text(r, &ct, size, x + pad, cell, strlen(cell));
            }
            add_rule(r, zero, mid + half, zero, mid - half); /* the axis */
            ln->end_item = r->nitems;
        }
    }
    /* The axis title and, for several series, a key: a line more, or as
     * many as they take. */
    chart_key k = {r, ls, add_line(ls, LINE_CHART), x_plot, x_plot,
                   st->margin_left + st->block_w, &ct, size};
    k.ln->size = size;
    k.ln->first_item = r->nitems;
    const char *axis = t->cells[0];
    if (*axis) {
        key_text(&k, axis);
        k.x += 2 * size;
    }
    for (size_t s = 0; nseries > 1 && s < nseries; s++) {
        if (k.x + size + pad > k.right)
            key_next_line(&k);
        double grey = 0.25 + 0.5 * (double)s / (double)(nseries - 1);
        add_bar(r, k.x, mid + bar, k.x + size, mid - bar, grey);
        k.x += size + pad;
        key_text(&k, t->cells[1 + s]);
        k.x += 2 * size;
    }
    k.ln->end_item = r->nitems;
    ls->l[first].keep = (int)(ls->n - first);
}

