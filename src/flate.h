/* flate: zlib streams (a PDF's /FlateDecode) compressed by libdeflate, the
 * one place it is used. */
#ifndef PARKREPORT_FLATE_H
#define PARKREPORT_FLATE_H

#include <stddef.h>

#include "util.h"

/* The compressors of one thread, kept from call to call: libdeflate's take
 * 0.2 MB (level 1) to 9 MB (levels 10-12), and a new one costs the kernel's
 * work of handing over that memory again. For one thread at a time. */
typedef struct flate flate;

flate *flate_new(void);
void flate_free(flate *f);

/* Compresses len bytes at libdeflate's `level` (1-12) into out (replacing
 * its contents) as one zlib stream. 0, or -1 for a level out of range or
 * when memory runs out. */
int flate_zlib(flate *f, int level, const void *data, size_t len, rg_buf *out);

#endif
