/* libFuzzer target: the XML loader and the model (checks, derived figures
 * and template data) on arbitrary bytes, and the diagnostics as printed. Any
 * crash, leak or undefined behaviour is a bug, and so is a printed
 * diagnostic holding a control character other than a line end or a tab. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "model.h"
#include "model_tmpl.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static model_loader *ld; /* compiling the schema once keeps the fuzzer fast */
    if (!ld)
        ld = model_loader_new();
    rg_diags d = {0};
    model *m = model_load_buffer(ld, "fuzz.xml", (const char *)data, size, &d);
    if (m) {
        model_check(m, &d);
        for (size_t i = 0; i < m->nindicators; i++) {
            rg_dec v;
            model_points_needed_exact(&m->indicators[i], &v);
        }
        tval_free(model_tmpl_data(m));
        model_free(m);
    }
    rg_buf out = {0};
    for (size_t i = 0; i < d.count; i++)
        rg_diag_format(&d.items[i], &out);
    for (size_t i = 0; i < out.len;) {
        uint32_t cp = rg_utf8_next(out.data, out.len, &i);
        if (cp != '\n' && cp != '\t' && rg_is_control(cp))
            abort();
    }
    rg_buf_fini(&out);
    rg_diags_fini(&d);
    return 0;
}
