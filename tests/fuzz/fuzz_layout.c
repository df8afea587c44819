/* libFuzzer target: the document form and the layout (line breaking,
 * tables, charts, pagination) with fake metrics. The property: no text is
 * set outside the text block (a line-end mark may push half its width
 * past the right edge), whatever the document holds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "layout.h"
#include "layout_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double advance(void *ud, int font, uint32_t cp)
{
    (void)ud;
    return cp < 0x80 ? 500 + 10 * font : 1000;
}

static bool has(void *ud, int font, uint32_t cp)
{
    (void)ud;
    return font != 0 || cp % 7 != 0;
}

static void check_inside(const layout_result *r, const layout_style *st, const layout_metrics *mx)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const layout_item *it = &r->items[i];
        if (!it->text || !*it->text)
            continue;
        double w = 0;
        size_t n = strlen(it->text), chars = 0;
        for (size_t k = 0; k < n; chars++)
            w += mx->advance(mx->ud, it->font, rg_utf8_next(it->text, n, &k)) * it->size / 1000;
        w += it->spacing * (double)(chars - 1);
        /* A line-end mark's blank half may hang past the block: on the grid
         * that half is of the glyph's advance, a little more than half a
         * pitch (0.1 pt at 16 pt on 28 a line), hence the 0.25 pt. */
        double left = st->margin_left, right = st->margin_left + st->block_w + it->size / 2 + 0.25;
        /* So may a line-start opening mark's blank half, before it. */
        size_t first = 0;
        uint32_t cp0 = rg_utf8_next(it->text, n, &first);
        if (layout_no_line_end(cp0) && cp0 >= 0x80)
            left -= it->size / 2 + 0.25;
        double top = st->margin_top, bottom = st->margin_top + st->block_h + it->size;
        if (it->x < left - 0.01 || it->x + w > right + 0.01 || it->y < top - 0.01 ||
            it->y > bottom + 0.01) {
            fprintf(stderr, "\"%s\" at x %.2f-%.2f, y %.2f: outside the block\n", it->text, it->x,
                    it->x + w, it->y);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_diags d = {0};
    doc *document = doc_parse("fuzz", (const char *)data, size, &d);
    if (document) {
        layout_style st;
        layout_style_gbt9704(&st);
        layout_metrics mx = {.advance = advance, .has = has};
        layout_result *r = layout_run(document, &st, &mx);
        check_inside(r, &st, &mx);
        layout_free(r);
        rg_buf out = {0};
        doc_write(document, &out);
        rg_buf_fini(&out);
        doc_free(document);
    }
    layout_style st;
    layout_style_parse("fuzz.style", (const char *)data, size, &st, &d);
    rg_diags_fini(&d);
    return 0;
}
