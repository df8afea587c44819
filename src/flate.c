/* flate.c - see flate.h. */
#include "flate.h"

#include <libdeflate.h>
#include <stdlib.h>

enum { MAX_LEVEL = 12 };

struct flate {
    struct libdeflate_compressor *kept[MAX_LEVEL + 1]; /* by level */
};

flate *flate_new(void)
{
    return xcalloc(1, sizeof(flate));
}

void flate_free(flate *f)
{
    if (!f)
        return;
    for (int i = 0; i <= MAX_LEVEL; i++)
        libdeflate_free_compressor(f->kept[i]);
    free(f);
}

int flate_zlib(flate *f, int level, const void *data, size_t len, rg_buf *out)
{
    out->len = 0;
    if (level < 1 || level > MAX_LEVEL)
        return -1;
    if (!f->kept[level])
        f->kept[level] = libdeflate_alloc_compressor(level);
    struct libdeflate_compressor *c = f->kept[level];
    if (!c)
        return -1;
    size_t bound = libdeflate_zlib_compress_bound(c, len);
    out->data = xrealloc(out->data, bound + 1);
    out->cap = bound + 1;
    out->len = libdeflate_zlib_compress(c, data, len, out->data, bound);
    return out->len ? 0 : -1;
}
