/* libFuzzer target: the document form and the layout (line breaking,
 * tables, charts, pagination) with fake metrics. */
#include <stdint.h>

#include "doc.h"
#include "layout.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_diags d = {0};
    doc *document = doc_parse("fuzz", (const char *)data, size, &d);
    if (document) {
        layout_style st;
        layout_style_gbt9704(&st);
        layout_metrics mx = {.advance = advance, .has = has};
        layout_free(layout_run(document, &st, &mx));
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
