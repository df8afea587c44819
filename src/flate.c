/* flate.c - see flate.h. */
#include "flate.h"

#include <libdeflate.h>

int flate_zlib(int level, const void *data, size_t len, rg_buf *out)
{
    out->len = 0;
    if (level < 1 || level > 12)
        return -1;
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    if (!c)
        return -1;
    size_t bound = libdeflate_zlib_compress_bound(c, len);
    out->data = xrealloc(out->data, bound + 1);
    out->cap = bound + 1;
    out->len = libdeflate_zlib_compress(c, data, len, out->data, bound);
    libdeflate_free_compressor(c);
    return out->len ? 0 : -1;
}
