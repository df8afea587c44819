/* layout_items.c - the layout's result as it grows: lines, the items drawn
 * on them (text, rules, bars), and the texts the items point at, kept as
 * long as the result (layout_impl.h). */
#include "layout_impl.h"

#include <stdlib.h>
#include <string.h>

line *add_line(lines *ls, line_kind kind)
{
    void *arr = ls->l;
    xgrow(&arr, &ls->cap, ls->n + 1, sizeof *ls->l);
    ls->l = arr;
    line *ln = &ls->l[ls->n++];
    memset(ln, 0, sizeof *ln);
    ln->kind = kind;
    return ln;
}

/* The items' texts, copied into blocks freed with the result: a report
 * lays out some 1,500 items, and a malloc and a free for each was 1.5% of a
 * report's share of a batch. */
typedef struct layout_text {
    struct layout_text *next;
    size_t used, cap;
    char data[];
} layout_text;

/* The last block, with room for n more bytes. */
static layout_text *text_room(layout_result *r, size_t n)
{
    layout_text *b = r->texts;
    if (!b || b->cap - b->used < n) {
        size_t cap = n < 16384 ? 16384 : n;
        layout_text *fresh = xmalloc(sizeof *fresh + cap);
        *fresh = (layout_text){.next = b, .cap = cap};
        r->texts = b = fresh;
    }
    return b;
}

char *keep_text(layout_result *r, const char *s, size_t len)
{
    layout_text *b = text_room(r, len + 1);
    char *t = b->data + b->used;
    memcpy(t, s, len);
    t[len] = '\0';
    b->used += len + 1;
    return t;
}

void add_item(layout_result *r, int font, double size, double x, const char *text,
                     size_t len)
{
    void *arr = r->items;
    xgrow(&arr, &r->cap, r->nitems + 1, sizeof *r->items);
    r->items = arr;
    layout_item *it = &r->items[r->nitems++];
    it->page = 0;
    it->font = font;
    it->size = size;
    it->x = x;
    it->y = 0;
    it->text = keep_text(r, text, len);
    it->x2 = it->y2 = it->rise = it->rise2 = it->fill = it->spacing = it->width = 0;
    it->rgb = 0;
}

void add_rule(layout_result *r, double x, double rise, double x2, double rise2)
{
    add_item(r, 0, 0, x, "", 0);
    layout_item *it = &r->items[r->nitems - 1];
    it->text = NULL;
    it->x2 = x2;
    it->rise = rise;
    it->rise2 = rise2;
}

void add_bar(layout_result *r, double x, double rise, double x2, double rise2, double grey)
{
    add_rule(r, x, rise, x2, rise2);
    r->items[r->nitems - 1].fill = grey;
}

void layout_free(layout_result *r)
{
    if (!r)
        return;
    while (r->texts) {
        layout_text *next = r->texts->next;
        free(r->texts);
        r->texts = next;
    }
    free(r->items);
    free(r->marks);
    free(r);
}
