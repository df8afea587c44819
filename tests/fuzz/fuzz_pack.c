/* libFuzzer target: the PDF packer on any bytes. A file that is not of
 * libharu's shape is refused with a reason; one that is packs into a file
 * that ends with its cross-reference stream. */
#include <stdint.h>
#include <string.h>

#include "pdf_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    flate *f = flate_new();
    rg_buf out = {0};
    const char *why = NULL;
    int rc = pdf_pack(f, (const char *)data, size, &out, &why);
    if ((rc == 0) != (why == NULL))
        __builtin_trap();
    if (rc == 0 && (out.len < 15 || memcmp(out.data + out.len - 6, "%%EOF\n", 6) != 0))
        __builtin_trap();
    rg_buf_fini(&out);
    flate_free(f);
    return 0;
}
