/* libFuzzer target: the XML loader and the model (checks and template data)
 * on arbitrary bytes. Any crash, leak or undefined behaviour is a bug. */
#include <stddef.h>
#include <stdint.h>

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
        tval_free(model_tmpl_data(m));
        model_free(m);
    }
    rg_diags_fini(&d);
    return 0;
}
