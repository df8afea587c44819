/* layout.c - see layout.h. Paragraphs become atoms (the smallest pieces a
 * line may not split), each paragraph's breaks are chosen together, lines
 * are justified, and lines are then laid on pages. Everything is linear in
 * the text. */
#include "layout_impl.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* --- character classes ------------------------------------------------ */

typedef enum { CL_HAN, CL_OPEN, CL_CLOSE, CL_ALNUM, CL_INSEP, CL_SPACE } char_class;

static bool in_list(uint32_t cp, const uint32_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == cp)
            return true;
    return false;
}

static const uint32_t no_start[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x203C, 0x2047, 0x2048,
    0x2049, 0x201D, 0x2019, 0x300D, 0x300F, 0xFF09, 0xFF3D, 0xFF5D, 0x3015, 0x3011, 0x3017,
    0x300B, 0x3009, 0x2013, 0xFF5E, 0x007E, 0x301C, 0x00B7, 0x30FB, 0x2027, '!', ')', ',',
    '.', ':', ';', '?', ']', '}', 0x0025, 0xFF05, 0x2030, 0x2103, 0x00B0, 0x2032, 0x2033,
};
static const uint32_t no_end[] = {
    0x201C, 0x2018, 0x300C, 0x300E, 0xFF08, 0xFF3B, 0xFF5B, 0x3014, 0x3010, 0x3016, 0x300A,
    0x3008, '(', '[', '{', 0x00A5, 0xFFE5, '$', 0xFF04, 0x2212, 0x00B1,
};
/* Full-width marks whose blank half may be dropped at a line end. */
static const uint32_t half_at_end[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x201D, 0x2019, 0xFF09, 0x300B,
    0x3011, 0x300D, 0x300F,
};

/* Full-width opening marks, their blank half on the left. */
static const uint32_t blank_left[] = {
    0x201C, 0x2018, 0xFF08, 0x300A, 0x3008, 0x3010, 0x3014, 0x300C, 0x300E, 0x3016, 0xFF3B,
    0xFF5B,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_alnum(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
}

static char_class classify(uint32_t cp)
{
    if (cp >= 0x3400 && cp <= 0x9FFF) /* ideographs, most of the text: in no list */
        return CL_HAN;
    if (cp == ' ' || cp == '\t')
        return CL_SPACE;
    if (is_alnum(cp) || cp == '_' || cp == '&' || cp == '@' || cp == '#')
        return CL_ALNUM;
    if (cp == 0x2014 || cp == 0x2026 || cp == 0x22EF || cp == 0x2E3A)
        return CL_INSEP;
    if (in_list(cp, no_start, COUNT(no_start)))
        return CL_CLOSE;
    if (in_list(cp, no_end, COUNT(no_end)))
        return CL_OPEN;
    return CL_HAN;
}

bool layout_no_line_start(uint32_t cp)
{
    return classify(cp) == CL_CLOSE;
}

bool layout_no_line_end(uint32_t cp)
{
    return classify(cp) == CL_OPEN;
}

/* Inside a run of letters and digits these keep the run whole: 124.2, 1:500,
 * 2024-01-15, 1+1+X, 5.2%. */
static bool joins_alnum(uint32_t cp, uint32_t next)
{
    return (cp == '.' || cp == ',' || cp == ':' || cp == '/' || cp == '-' || cp == '+') &&
           is_alnum(next);
}

/* --- paragraphs to atoms --------------------------------------------- */

/* A glyph and an atom are kept for every character of a paragraph while it
 * is set, so they are small: 20 and 16 bytes. Indices fit 32 bits because a
 * document is at most TMPL_MAX_OUTPUT bytes. */
typedef struct glyph {
    float w;       /* its width in the line: on the grid, the character pitch */
    uint32_t cp;
    uint32_t off;  /* byte offset in the run's text */
    uint16_t run;
    int8_t font;   /* the run's, its Latin font, or the fallback for a character it lacks */
    uint8_t len;   /* bytes */
    uint8_t cl;    /* char_class */
    uint8_t flags; /* BLANK_LEFT, BLANK_RIGHT: a full-width mark's empty half; ON_GRID */
} glyph;

/* ON_GRID: a full-width character set on the pitch, drawn one em wide. */
enum { BLANK_LEFT = 1, BLANK_RIGHT = 2, ON_GRID = 4 };

typedef struct atom {
    float w;                /* natural width */
    float inner;            /* what compressing adjacent marks inside it saves */
    uint32_t first;         /* glyph range */
    unsigned int end : 29;
    unsigned int space : 1; /* a space: a break, never drawn at a line's edges */
    unsigned int squeezes : 1; /* its last mark's blank half may go past a line's end */
    unsigned int opens : 1;    /* its first mark's blank half may go before a line's start */
} atom;

typedef struct para {
    glyph *g;
    size_t ng, gcap;
    atom *a;
    size_t na, acap;
    struct place { double x; bool gap; } *at; /* a line's glyphs while it is emitted; gap: a
                                                space between words */
    size_t atcap;
} para;

/* What setting a and b (adjacent glyphs) closer saves: the blank half of a
 * closing mark, else of an opening one after it (）， 。” “《 to 1.5 em). */
static double pair_cut(const glyph *a, const glyph *b)
{
    int blanks = BLANK_LEFT | BLANK_RIGHT;
    if ((a->flags & BLANK_RIGHT) && (b->flags & blanks))
        return a->w / 2;
    if ((b->flags & BLANK_LEFT) && (a->flags & blanks))
        return b->w / 2;
    return 0;
}

/* The width an atom may drop at a line's end. */
static double squeeze(const para *p, const atom *a)
{
    return a->squeezes ? p->g[a->end - 1].w / 2 : 0;
}

/* The width an atom may drop at a line's start: an opening mark's blank half. */
static double lead_cut(const para *p, const atom *a)
{
    return a->opens ? p->g[a->first].w / 2 : 0;
}

/* What compressing the marks where atoms a and b meet saves. */
static double meet_cut(const para *p, const atom *a, const atom *b)
{
    if (a->space || b->space)
        return 0;
    return pair_cut(&p->g[a->end - 1], &p->g[b->first]);
}

/* Letters and digits a Latin font sets: ASCII, and Latin-1 and Extended-A
 * letters (not × and ÷, which stay with the text's own font). */
static bool is_latin(uint32_t cp)
{
    return (cp >= 0x20 && cp < 0x7F) || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

int font_for(const layout_style *st, const layout_font_role *role, uint32_t cp,
             const layout_metrics *mx)
{
    if (role->latin && is_latin(cp) && (!mx->has || mx->has(mx->ud, role->latin, cp)))
        return role->latin;
    if (mx->has && st->fallback_font >= 0 && !mx->has(mx->ud, role->font, cp) &&
        mx->has(mx->ud, st->fallback_font, cp))
        return st->fallback_font;
    return role->font;
}

static void add_glyphs(para *p, const doc_run *run, int run_index, const layout_style *st,
                       const layout_metrics *mx)
{
    const layout_font_role *role = &st->role[run->style];
    /* Full-width characters of body size sit on the grid. */
    bool grid = st->pitch > 0 && role->size == st->role[DOC_STYLE_BODY].size;
    size_t len = strlen(run->text);
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = rg_utf8_next(run->text, len, &i);
        void *arr = p->g;
        xgrow(&arr, &p->gcap, p->ng + 1, sizeof *p->g);
        p->g = arr;
        glyph *g = &p->g[p->ng++];
        g->cp = cp;
        g->off = (uint32_t)at;
        g->len = (uint8_t)(i - at);
        g->run = (uint16_t)run_index;
        g->font = (int8_t)font_for(st, role, cp, mx);
        double advance = mx->advance(mx->ud, g->font, cp);
        bool full = advance > 999 && advance < 1001;
        g->w = grid && full ? (float)st->pitch : (float)(advance * role->size / 1000.0);
        g->cl = (uint8_t)classify(cp);
        g->flags = grid && full ? ON_GRID : 0;
        if (full && g->cl == CL_CLOSE && in_list(cp, half_at_end, COUNT(half_at_end)))
            g->flags |= BLANK_RIGHT;
        else if (full && g->cl == CL_OPEN && in_list(cp, blank_left, COUNT(blank_left)))
            g->flags |= BLANK_LEFT;
    }
}

static atom *new_atom(para *p, size_t first)
{
    void *arr = p->a;
    xgrow(&arr, &p->acap, p->na + 1, sizeof *p->a);
    p->a = arr;
    atom *a = &p->a[p->na++];
    memset(a, 0, sizeof *a);
    a->first = a->end = (uint32_t)first;
    return a;
}

static bool is_magnitude(uint32_t cp)
{
    return cp == 0x4E07 /* 万 */ || cp == 0x4EBF /* 亿 */ || cp == 0x5143 /* 元 */;
}

/* A measure word keeps to its number: 25个, 9户, 536亩, 2023年. */
static bool is_measure(uint32_t cp)
{
    static const uint32_t words[] = {
        0x4E2A /* 个 */, 0x6237 /* 户 */, 0x9879 /* 项 */, 0x5B97 /* 宗 */, 0x4EA9 /* 亩 */,
        0x4EBA /* 人 */, 0x6B21 /* 次 */, 0x4EF6 /* 件 */, 0x5BB6 /* 家 */, 0x540D /* 名 */,
        0x5904 /* 处 */, 0x6761 /* 条 */, 0x5EA7 /* 座 */, 0x5E74 /* 年 */, 0x6708 /* 月 */,
        0x65E5 /* 日 */, 0x500D /* 倍 */, 0x5428 /* 吨 */, 0x7C73 /* 米 */,
    };
    return in_list(cp, words, COUNT(words));
}

/* Length in glyphs of 平方米 or 平方公里 at i, else 0. */
static size_t area_unit(const para *p, size_t i)
{
    static const uint32_t sq_m[] = {0x5E73, 0x65B9, 0x7C73}, sq_km[] = {0x5E73, 0x65B9, 0x516C, 0x91CC};
    const uint32_t *units[] = {sq_km, sq_m};
    const size_t lens[] = {4, 3};
    for (int u = 0; u < 2; u++) {
        size_t k = 0;
        while (k < lens[u] && i + k < p->ng && p->g[i + k].cp == units[u][k])
            k++;
        if (k == lens[u])
            return k;
    }
    return 0;
}

static void build_atoms(para *p)
{
    bool glue_next = false; /* the previous atom ended with an opening mark */
    for (size_t i = 0; i < p->ng;) {
        glyph *g = &p->g[i];
        size_t end = i + 1;
        if (g->cl == CL_ALNUM) {
            while (end < p->ng && (p->g[end].cl == CL_ALNUM ||
                                   (end + 1 < p->ng && joins_alnum(p->g[end].cp, p->g[end + 1].cp))))
                end++;
            /* A number keeps its percent sign and its magnitude: 5.2%, 124.2亿元. */
            if (p->g[end - 1].cp >= '0' && p->g[end - 1].cp <= '9') {
                while (end < p->ng && (p->g[end].cp == '%' || is_magnitude(p->g[end].cp)))
                    end++;
                size_t area = area_unit(p, end);
                if (area)
                    end += area;
                else if (end < p->ng && is_measure(p->g[end].cp))
                    end++;
            }
        } else if (g->cl == CL_INSEP) {
            while (end < p->ng && p->g[end].cp == g->cp)
                end++;
        }
        atom *prev = p->na ? &p->a[p->na - 1] : NULL;
        bool attach = prev && !prev->space && (glue_next || g->cl == CL_CLOSE);
        /* Marks like 。” or ）。 stick together whatever their classes say;
         * blanks after an opening mark join it, which stays visible and
         * glued to the word after them: "( x". */
        atom *a = attach ? prev : new_atom(p, i);
        for (size_t k = i; k < end; k++)
            a->w += p->g[k].w;
        a->end = (uint32_t)end;
        if (!attach)
            a->space = g->cl == CL_SPACE;
        glyph *last = &p->g[end - 1];
        /* Every such mark is a closing one (no_start), which ideographs are not. */
        a->squeezes = (last->flags & BLANK_RIGHT) != 0;
        a->opens = (p->g[a->first].flags & BLANK_LEFT) != 0;
        glue_next = last->cl == CL_OPEN || (attach && glue_next && last->cl == CL_SPACE);
        i = end;
    }
}

/* --- lines ------------------------------------------------------------ */

/* Emits atoms [a0, a1) as one line from x: `gap` added between atoms, the
 * fraction `cut` of each pair of adjacent marks' blank half taken away, and
 * `lead` of the first atom's opening blank half set before x. Glyphs of one
 * run and font spaced alike share one item (one text operator in the PDF). */
/* The advance glyph g is drawn with, in a run of `size`. */
static double drawn(const glyph *g, double size)
{
    return g->flags & ON_GRID ? size : g->w;
}

static void emit_line(layout_result *r, para *p, const doc_block *blk, const layout_style *st,
                      size_t a0, size_t a1, double x, double gap, double cut, double lead,
                      line *ln)
{
    ln->first_item = r->nitems;
    size_t g0 = p->a[a0].first, g1 = p->a[a1 - 1].end;
    void *arr = p->at;
    xgrow(&arr, &p->atcap, g1 - g0, sizeof *p->at);
    p->at = arr;
    x -= lead;
    for (size_t ai = a0; ai < a1; ai++) {
        const atom *a = &p->a[ai];
        if (ai > a0)
            x += gap - cut * meet_cut(p, &p->a[ai - 1], a);
        for (size_t k = a->first; k < a->end; k++) {
            if (k > a->first)
                x -= cut * pair_cut(&p->g[k - 1], &p->g[k]);
            p->at[k - g0] = (struct place){x, a->space};
            x += p->g[k].w;
        }
    }
    for (size_t k = g0; k < g1;) {
        const glyph *g = &p->g[k];
        const doc_run *run = &blk->runs[g->run];
        double size = st->role[run->style].size;
        size_t e = k + 1;
        double spacing = 0;
        if (e < g1 && p->g[e].run == g->run && p->g[e].font == g->font)
            spacing = p->at[e - g0].x - p->at[k - g0].x - drawn(g, size);
        while (e < g1 && p->g[e].run == g->run && p->g[e].font == g->font &&
               fabs(p->at[e - g0].x - p->at[e - 1 - g0].x - drawn(&p->g[e - 1], size) - spacing) <
                   1e-4)
            e++;
        if (e == k + 1 && p->at[k - g0].gap) {
            k = e; /* a space between words that joins no item is not drawn */
            continue;
        }
        if (e == k + 1)
            spacing = 0;
        add_item(r, g->font, size, p->at[k - g0].x, run->text + g->off,
                 p->g[e - 1].off + p->g[e - 1].len - g->off);
        r->items[r->nitems - 1].spacing = spacing;
        if (size > ln->size)
            ln->size = size;
        k = e;
    }
    ln->end_item = r->nitems;
}

/* The first atom of each line. */
typedef struct line_breaks {
    size_t *at;
    size_t n, cap;
} line_breaks;

/* Greedy fill at measure `width` (the first line shortened by `indent`)
 * into b. Returns the number of lines. */
static size_t fill_lines(const para *p, double width, double indent, line_breaks *b)
{
    size_t a = 0;
    b->n = 0;
    while (a < p->na) {
        while (a < p->na && p->a[a].space) /* no space at a line start */
            a++;
        if (a >= p->na)
            break;
        void *arr = b->at;
        xgrow(&arr, &b->cap, b->n + 1, sizeof *b->at);
        b->at = arr;
        b->at[b->n++] = a;
        double avail = width - (b->n == 1 ? indent : 0);
        double w = 0;
        size_t start = a;
        while (a < p->na) {
            double aw = p->a[a].w;
            if (w + aw <= avail + 0.01 || a == start) {
                w += aw;
                a++;
            } else if (w + aw - squeeze(p, &p->a[a]) <= avail + 0.01) {
                a++; /* push in: the mark's blank half goes past the edge */
                break;
            } else {
                break;
            }
        }
    }
    return b->n;
}

/* After these a long word is best cut: the parts of a URL or a path. */
bool cut_after(uint32_t cp)
{
    return cp == '/' || cp == '.' || cp == '-' || cp == '_' || cp == '?' || cp == '&' ||
           cp == '=';
}

/* Cuts each atom wider than the line into pieces the breaker may part: after
 * each / . - _ ? & =, and a piece still too wide after the last character
 * that fits. The line is `width` wide, the first `indent` less. */
static void cut_wide_atoms(para *p, double width, double indent)
{
    size_t wide = 0;
    for (size_t i = 0; i < p->na; i++)
        wide += p->a[i].w > width - (i == 0 ? indent : 0) + 0.01;
    if (!wide)
        return;
    atom *old = p->a;
    size_t nold = p->na;
    p->a = NULL;
    p->na = p->acap = 0;
    for (size_t i = 0; i < nold; i++) {
        double measure = width - (i == 0 ? indent : 0);
        if (old[i].w <= measure + 0.01) {
            *new_atom(p, 0) = old[i];
            continue;
        }
        for (size_t g = old[i].first; g < old[i].end; measure = width) {
            size_t fit = g;
            double w = 0;
            while (fit < old[i].end && (fit == g || w + p->g[fit].w <= measure + 0.01)) {
                w += p->g[fit].w;
                fit++;
                if (fit < old[i].end && cut_after(p->g[fit - 1].cp))
                    break;
            }
            atom *a = new_atom(p, g);
            a->end = (uint32_t)fit;
            a->w = (float)w;
            a->squeezes = fit == old[i].end && old[i].squeezes;
            a->opens = g == old[i].first && old[i].opens;
            g = fit;
        }
    }
    free(old);
}

/* What compressing adjacent marks inside each atom saves. */
static void measure_inner_cuts(para *p)
{
    for (size_t i = 0; i < p->na; i++) {
        atom *a = &p->a[i];
        double cut = 0;
        for (size_t k = a->first + 1; k < a->end; k++)
            cut += pair_cut(&p->g[k - 1], &p->g[k]);
        a->inner = (float)cut;
    }
}

/* A two-line title reads best broken after a conjunction (…工作总结和 /
 * 2024年工作计划) rather than inside a word (…工作 / 总结…): the nearest
 * atom after 和, 及, 与 or 暨 to the balanced break `at`, if both lines fit. */
static size_t title_break(const para *p, size_t at, double width)
{
    size_t best = at, best_dist = (size_t)-1;
    for (size_t a = 1; a < p->na; a++) {
        uint32_t before = p->g[p->a[a - 1].end - 1].cp;
        if (before != 0x548C && before != 0x53CA && before != 0x4E0E && before != 0x66A8)
            continue;
        double left = 0, right = 0;
        for (size_t k = 0; k < p->na; k++)
            *(k < a ? &left : &right) += p->a[k].w;
        if (left - squeeze(p, &p->a[a - 1]) > width + 0.01 || right > width + 0.01)
            continue;
        size_t dist = a > at ? a - at : at - a;
        if (dist < best_dist)
            best = a, best_dist = dist;
    }
    return best;
}

/* How atoms [i, e) set as a line `avail` wide sit against the grid. */
typedef struct line_fit {
    double dev;  /* em a gap: the stretch, or what compressing marks took */
    double gap;  /* added between atoms */
    double cut;  /* the fraction of adjacent marks' blank halves taken away */
    double lead; /* of the first mark's blank half, set before the line */
} line_fit;

/* The most a line's gaps are narrowed, in em: one more hanzi on a line of
 * 28 would take 1/28 em from each of 28 gaps. */
#define MAX_SQUEEZE 0.025

/* Fits atoms [i, e), `w` wide with `mid` to gain from adjacent marks, to a
 * line `avail` wide. A short line is stretched, unless it is a paragraph's
 * last; a long one gives up the line-end mark's blank half (free, as GB/T
 * 15834 sets it half width), then adjacent marks' blank halves, then a
 * line-start opening mark's (not after the indent, where （一） headings
 * stay aligned), then a little of each gap. False when that is
 * not enough for a line of several atoms (one atom always fits: long words
 * were cut to the block). */
static bool fit_line(const para *p, size_t i, size_t e, double w, double mid, double avail,
                     bool first, bool last, double em, line_fit *f)
{
    *f = (line_fit){0};
    size_t gaps = e - i - 1;
    if (w <= avail + 0.01) {
        if (!last && gaps)
            f->gap = (avail - w) / (double)gaps;
        if (!last)
            f->dev = (gaps ? f->gap : avail - w) / em;
        return true;
    }
    double over = w - avail - squeeze(p, &p->a[e - 1]);
    double used = 0;
    if (over > 0.01 && mid > 0) {
        double take = over < mid ? over : mid;
        f->cut = take / mid;
        over -= take, used += take;
    }
    double lead = first ? 0 : lead_cut(p, &p->a[i]);
    if (over > 0.01 && lead > 0) {
        f->lead = over < lead ? over : lead;
        over -= f->lead, used += f->lead;
    }
    if (over > 0.01 && gaps) {
        /* Then the gaps, a little: never enough for one more character on a
         * line of hanzi, which keeps the grid. */
        if (over > MAX_SQUEEZE * em * (double)gaps + 0.01)
            return false;
        f->gap = -over / (double)gaps;
        used += over;
    }
    f->dev = used / (double)(gaps ? gaps : 1) / em;
    return true;
}

/* A line holds at most this many atoms: the breaker's window. */
enum { MAX_LINE_ATOMS = 2048 };

typedef struct break_state {
    float best;    /* the best breaks of the atoms before this one: the worst
                      line, or the total (break_pass) */
    uint32_t from; /* where the line that ends there starts */
} break_state;

static size_t han_or_alnum(const para *p, const atom *a)
{
    size_t n = 0;
    for (size_t k = a->first; k < a->end; k++)
        n += p->g[k].cl == CL_HAN || p->g[k].cl == CL_ALNUM;
    return n;
}

/* One pass over every possible line of the paragraph, each line ending
 * before a line start j (a non-space atom, or the end). by_total false:
 * s[j].best is the least worst line of the atoms before j; true: the least
 * sum of lines no worse than `bound`. stub: the last line may be a
 * single character. */
static void break_pass(const para *p, size_t first, double width, double indent, double em,
                       bool by_total, float bound, bool stub, break_state *s)
{
    for (size_t j = first; j <= p->na; j++)
        s[j] = (break_state){HUGE_VALF, 0};
    s[first].best = 0;
    /* The longest line that may fit before each line end, [lo, hi), slides
     * along the paragraph with its width and what its marks may give. */
    size_t lo = first, hi = first;
    double win_w = 0, win_mid = 0;
    for (size_t j = first + 1; j <= p->na; j++) {
        if (j < p->na && p->a[j].space)
            continue;
        size_t e = j; /* a line ends before its trailing spaces */
        while (p->a[e - 1].space)
            e--;
        bool last = j == p->na;
        double end_cut = squeeze(p, &p->a[e - 1]);
        for (; hi < e; hi++) {
            win_w += p->a[hi].w;
            win_mid += p->a[hi].inner + (hi > lo ? meet_cut(p, &p->a[hi - 1], &p->a[hi]) : 0);
        }
#define TOO_LONG(w, mid, n)                                                                       \
    ((w) - (mid) - end_cut - em - MAX_SQUEEZE * em * (double)(n) > width + 0.01 ||                  \
     (n) > MAX_LINE_ATOMS)
        while (lo + 1 < e && TOO_LONG(win_w, win_mid, e - lo)) {
            win_w -= p->a[lo].w;
            win_mid -= p->a[lo].inner + meet_cut(p, &p->a[lo], &p->a[lo + 1]);
            lo++;
        }
        while (lo > first) { /* a line-end mark's blank half may let it reach back */
            const atom *a = &p->a[lo - 1];
            double w2 = win_w + a->w, mid2 = win_mid + a->inner + meet_cut(p, a, &p->a[lo]);
            if (TOO_LONG(w2, mid2, e - lo + 1))
                break;
            win_w = w2, win_mid = mid2, lo--;
        }
#undef TOO_LONG
        double w = win_w, mid = win_mid;
        size_t chars = 0;
        for (size_t i = lo; last && i < e; i++)
            chars += han_or_alnum(p, &p->a[i]);
        /* ...then shorter ones, stretched more and more, until no better. */
        for (size_t i = lo; i < e; i++) {
            const atom *a = &p->a[i];
            if (i > lo) {
                const atom *gone = &p->a[i - 1];
                w -= gone->w;
                mid -= gone->inner + meet_cut(p, gone, a);
                chars -= last ? han_or_alnum(p, gone) : 0;
            }
            if (a->space || s[i].best == HUGE_VALF)
                continue;
            if (last && !stub && i > first && chars <= 1)
                continue;
            double avail = width - (i == first ? indent : 0);
            line_fit f;
            if (!fit_line(p, i, e, w, mid, avail, i == first, last, em, &f))
                continue;
            float dev = (float)f.dev;
            if (!last && i > first && w <= avail + 0.01 && dev > (by_total ? bound : s[j].best))
                break; /* a shorter line is stretched more */
            if (!by_total) {
                float worst = s[i].best > dev ? s[i].best : dev;
                if (worst < s[j].best)
                    s[j].best = worst, s[j].from = (uint32_t)i;
            } else if (dev <= bound) {
                /* Each line off the grid counts most, so lines of hanzi
                 * stay on it and the slack stays in the lines that must
                 * take some; of equal counts, the least deviation. */
                float total = s[i].best + dev + (dev > 0.002f ? 1.0f : 0.0f);
                if (total < s[j].best)
                    s[j].best = total, s[j].from = (uint32_t)i;
            }
        }
    }
}

/* Paragraph-wide breaking, like Knuth and Plass's total fit: of all ways to
 * break the paragraph, those whose worst line deviates least from the grid,
 * and of them the fewest lines off the grid, then the least total
 * deviation. Both passes are exact (a best prefix stays best), and linear in
 * the paragraph: a line holds a bounded number of atoms. The last line is never a single character when it can be
 * helped. Returns the number of lines, their first atoms in b. */
static size_t break_lines(const para *p, double width, double indent, double em, line_breaks *b)
{
    b->n = 0;
    size_t first = 0;
    while (first < p->na && p->a[first].space)
        first++;
    if (first >= p->na)
        return 0;
    break_state *s = xmalloc((p->na + 1) * sizeof *s);
    bool stub = false;
    break_pass(p, first, width, indent, em, false, 0, stub, s);
    if (s[p->na].best == HUGE_VALF)
        break_pass(p, first, width, indent, em, false, 0, stub = true, s);
    /* When no line need leave the grid, the first pass's breaks are already
     * the best by the second pass's measure too. */
    if (s[p->na].best > 0.002f)
        break_pass(p, first, width, indent, em, true, s[p->na].best, stub, s);
    size_t n = 0;
    for (size_t j = p->na; j > first; j = s[j].from)
        n++;
    void *arr = b->at;
    xgrow(&arr, &b->cap, n, sizeof *b->at);
    b->at = arr;
    b->n = n;
    for (size_t j = p->na, k = n; j > first; j = s[j].from)
        b->at[--k] = s[j].from;
    free(s);
    return n;
}

/* Breaks a paragraph or heading into lines: justified on the grid, or
 * centred (a title). */
void set_block(layout_result *r, lines *ls, const doc_block *blk, const layout_style *st,
               const layout_metrics *mx, line_kind kind, bool centred, double indent)
{
    para p = {0};
    for (size_t i = 0; i < blk->nruns; i++)
        add_glyphs(&p, &blk->runs[i], (int)i, st, mx);
    build_atoms(&p);
    cut_wide_atoms(&p, st->block_w, indent);
    measure_inner_cuts(&p);
    double em = st->role[DOC_STYLE_BODY].size;

    line_breaks br = {0};
    size_t nbreaks;
    if (!centred) {
        nbreaks = break_lines(&p, st->block_w, indent, em, &br);
    } else {
        nbreaks = fill_lines(&p, st->block_w, indent, &br);
        if (nbreaks > 1) {
            /* A title of several lines is balanced: the narrowest measure
             * that still needs no more lines, so the last line is not a stub. */
            double lo = 0, hi = st->block_w;
            for (int i = 0; i < 24; i++) {
                double mid = (lo + hi) / 2;
                if (fill_lines(&p, mid, 0, &br) == nbreaks)
                    hi = mid;
                else
                    lo = mid;
            }
            nbreaks = fill_lines(&p, hi, 0, &br);
            if (nbreaks == 2)
                br.at[1] = title_break(&p, br.at[1], st->block_w);
        }
    }

    for (size_t k = 0; k < nbreaks; k++) {
        size_t a0 = br.at[k], a1 = k + 1 < nbreaks ? br.at[k + 1] : p.na;
        while (a1 > a0 && p.a[a1 - 1].space)
            a1--;
        double x0 = st->margin_left + (k == 0 ? indent : 0);
        double avail = st->block_w - (k == 0 ? indent : 0);
        double natural = 0, mid = 0;
        for (size_t i = a0; i < a1; i++) {
            natural += p.a[i].w;
            mid += p.a[i].inner + (i + 1 < a1 ? meet_cut(&p, &p.a[i], &p.a[i + 1]) : 0);
        }
        bool last = k + 1 == nbreaks;
        line_fit f = {0};
        if (centred) /* on what is drawn: a line-end mark's blank half is not */
            x0 = st->margin_left +
                 (st->block_w - (a1 > a0 ? natural - squeeze(&p, &p.a[a1 - 1]) : 0)) / 2;
        else
            fit_line(&p, a0, a1, natural, mid, avail, k == 0, last, em, &f);
        line *ln = add_line(ls, kind);
        ln->para_first = k == 0;
        ln->para_last = last;
        emit_line(r, &p, blk, st, a0, a1, x0, f.gap, f.cut, f.lead, ln);
    }
    free(br.at);
    free(p.g);
    free(p.a);
    free(p.at);
}

/* --- pages ------------------------------------------------------------ */

static void place(layout_result *r, const line *ln, int page, double y)
{
    for (size_t i = ln->first_item; i < ln->end_item; i++) {
        layout_item *it = &r->items[i];
        it->page = page;
        it->y = y - it->rise;
        it->y2 = y - it->rise2;
    }
}

/* A table's header again, at the top of a page the table runs onto. */
static void repeat_header(layout_result *r, const line *header, int page, double y)
{
    for (size_t i = header->first_item; i < header->end_item; i++) {
        layout_item copy = r->items[i];
        const char *text = copy.text;
        add_item(r, copy.font, copy.size, copy.x, text ? text : "", text ? strlen(text) : 0);
        layout_item *it = &r->items[r->nitems - 1];
        if (!text)
            it->text = NULL;
        it->x2 = copy.x2;
        it->fill = copy.fill;
        it->spacing = copy.spacing;
        it->rise = copy.rise;
        it->rise2 = copy.rise2;
        it->page = page;
        it->y = y - it->rise;
        it->y2 = y - it->rise2;
    }
}

static void paginate(layout_result *r, const lines *ls, const layout_style *st)
{
    int per_page = (int)((st->block_h - st->role[DOC_STYLE_BODY].size) / st->line_pitch + 1e-6) + 1;
    int page = 0, slot = 0;
    /* The lines of its paragraph from each body line on. */
    int *left_in_para = xmalloc((ls->n + 1) * sizeof *left_in_para);
    for (size_t i = ls->n; i-- > 0;)
        left_in_para[i] = ls->l[i].kind != LINE_BODY || ls->l[i].para_last ? 1
                                                                           : left_in_para[i + 1] + 1;
    for (size_t i = 0; i < ls->n; i++) {
        const line *ln = &ls->l[i];
        if (ln->kind == LINE_PAGE_BREAK) {
            if (slot > 0)
                page++, slot = 0;
            continue;
        }
        if (ln->kind == LINE_BLANK) {
            if (slot > 0)
                slot++;
            continue;
        }
        if (ln->kind == LINE_FRAME && ln->foot) {
            place_foot(r, ln, st, per_page, &page, &slot);
            continue;
        }
        int need = 1;
        if (ln->kind == LINE_HEADING && ln->para_first) {
            /* Keep a heading with its own lines and two lines of what follows. */
            size_t k = i + 1;
            while (k < ls->n && ls->l[k].kind == LINE_HEADING && !ls->l[k].para_first)
                k++, need++;
            size_t text = k;
            for (int extra = 0; extra < 2 && k < ls->n &&
                                (ls->l[k].kind == LINE_BODY || ls->l[k].kind == LINE_TABLE_ROW ||
                                 ls->l[k].kind == LINE_CHART);
                 extra++, k++)
                need++;
            /* Two lines of a paragraph of three would leave its last alone. */
            if (text < ls->n && ls->l[text].kind == LINE_BODY && left_in_para[text] == 3)
                need++;
        }
        if (ln->kind == LINE_HEADING && ln->para_first) {
            size_t k = i + 1; /* past the caption's own lines */
            while (k < ls->n && ls->l[k].kind == LINE_HEADING && !ls->l[k].para_first)
                k++;
            if (k < ls->n && ls->l[k].keep) /* a caption stays with its chart, */
                need = (int)(k - i) + (ls->l[k].keep <= per_page ? ls->l[k].keep : 2);
        } /* or with its first two lines when the chart is taller than a page */
        if (ln->keep > need && ln->keep <= per_page)
            need = ln->keep; /* a chart is not split, if a page can hold it */
        if (ln->kind == LINE_TABLE_ROW && ln->para_first) {
            /* A header, all its lines, never ends a page. */
            size_t k = i + 1;
            while (k < ls->n && ls->l[k].kind == LINE_TABLE_ROW && ls->l[k].header < 0)
                k++;
            if (k < ls->n && ls->l[k].kind == LINE_TABLE_ROW)
                need = (int)(k - i) + 1;
        }
        /* A paragraph running over the page's foot leaves neither its first
         * line alone there nor its last alone atop the next page: the page
         * ends a line short instead. */
        bool early = false;
        if (ln->kind == LINE_BODY && slot > 0 && left_in_para[i] > per_page - slot) {
            int here = per_page - slot, rest = left_in_para[i];
            early = (here == 1 && (ln->para_first || rest == 2)) ||
                    (here == 2 && ln->para_first && rest == 3);
        }
        if ((slot + need > per_page || early) && slot > 0) {
            page++, slot = 0;
        } else if (slot == per_page) {
            page++, slot = 0;
        }
        if (slot == 0 && page > 0 && ln->kind == LINE_TABLE_ROW && ln->header >= 0) {
            /* Every line of the header (a cell of it may take several),
             * unless they would leave no room for a row. */
            size_t first = (size_t)ln->header, end = first;
            while (ls->l[end].header < 0)
                end++;
            for (size_t k = first; end - first < (size_t)per_page && k < end; k++, slot++)
                repeat_header(r, &ls->l[k], page,
                              st->margin_top + st->role[DOC_STYLE_BODY].size +
                                  slot * st->line_pitch);
        }
        double y = st->margin_top + st->role[DOC_STYLE_BODY].size + slot * st->line_pitch;
        place(r, ln, page, y);
        slot++;
    }
    r->npages = page + 1;
    free(left_in_para);
}

/* Records a heading set from line `line` on; its page comes with pagination. */
void add_mark(layout_result *r, int level, const char *text, size_t first_line)
{
    void *arr = r->marks;
    xgrow(&arr, &r->mcap, r->nmarks + 1, sizeof *r->marks);
    r->marks = arr;
    r->marks[r->nmarks++] = (layout_mark){.level = level, .text = text, .page = (int)first_line};
}

layout_result *layout_run(const doc *d, const layout_style *st, const layout_metrics *mx)
{
    layout_result *r = xcalloc(1, sizeof *r);
    lines ls = {0};
    /* The indent is two characters of the grid. */
    double em = st->pitch > 0 ? st->pitch : st->role[DOC_STYLE_BODY].size;
    for (size_t i = 0; i < d->nblocks; i++) {
        const doc_block *blk = &d->blocks[i];
        if (blk->kind == DOC_TITLE && blk->nruns)
            add_mark(r, 0, blk->runs[0].text, ls.n);
        else if ((blk->kind == DOC_HEADING || blk->kind == DOC_PARAGRAPH) && blk->nruns &&
                 blk->runs[0].style >= DOC_STYLE_H1)
            add_mark(r, (int)(blk->runs[0].style - DOC_STYLE_H1) + 1, blk->runs[0].text, ls.n);
        switch (blk->kind) {
        case DOC_TITLE:
            set_block(r, &ls, blk, st, mx, LINE_TITLE, true, 0);
            add_line(&ls, LINE_BLANK);
            break;
        case DOC_HEADING:
            set_block(r, &ls, blk, st, mx, LINE_HEADING, false, 2 * em);
            break;
        case DOC_PARAGRAPH:
            set_block(r, &ls, blk, st, mx, LINE_BODY, false, 2 * em);
            break;
        case DOC_PAGE_BREAK:
            add_line(&ls, LINE_PAGE_BREAK);
            break;
        case DOC_TABLE:
            set_table(r, &ls, blk, st, mx);
            break;
        case DOC_CHART:
            set_chart(r, &ls, blk, st, mx);
            break;
        case DOC_FRAME:
            i = set_frame(r, &ls, d, i, st, mx) - 1;
            break;
        }
    }
    paginate(r, &ls, st);
    /* Each mark held its first line's index; give it that line's place. */
    for (size_t i = 0; i < r->nmarks; i++) {
        size_t at = (size_t)r->marks[i].page;
        const layout_item *it = at < ls.n && ls.l[at].first_item < ls.l[at].end_item
                                    ? &r->items[ls.l[at].first_item]
                                    : NULL;
        r->marks[i].page = it ? it->page : 0;
        r->marks[i].y = it ? it->y : st->margin_top;
    }
    free(ls.l);
    return r;
}
