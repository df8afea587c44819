/* libFuzzer target: the PDF packer on any bytes. A file that is not of
 * libharu's shape is refused with a reason; one that is takes a page's new
 * contents and resources and the catalog's /Lang, and packs into a file
 * that ends with its cross-reference stream. */
#include <stdint.h>
#include <string.h>

#include "pdf_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    pdf_packer *p = pdf_pack_read((const char *)data, size, &why);
    if ((p != NULL) == (why != NULL))
        __builtin_trap();
    if (!p)
        return 0;
    size_t font = pdf_pack_add(p, "<< /Type /Font >>", NULL, 0);
    if (pdf_pack_pages(p) > 0) {
        const char *ignored = NULL;
        pdf_pack_set_contents(p, 0, "/Filter /FlateDecode", "x", 1, &ignored);
        pdf_pack_set(p, 0, "/Resources", font ? "<< >>" : "null", &ignored);
    }
    pdf_pack_set(p, PDF_PACK_CATALOG, "/Lang", "(zh-CN)", &why);
    rg_buf out = {0};
    int rc = pdf_pack_write(p, &out, &why);
    if (rc == 0 && (out.len < 15 || memcmp(out.data + out.len - 6, "%%EOF\n", 6) != 0))
        __builtin_trap();
    rg_buf_fini(&out);
    pdf_pack_free(p);
    return 0;
}
