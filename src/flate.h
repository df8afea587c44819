/* flate: zlib streams (a PDF's /FlateDecode) compressed by libdeflate, the
 * one place it is used. */
#ifndef PARKREPORT_FLATE_H
#define PARKREPORT_FLATE_H

#include <stddef.h>

#include "util.h"

/* Compresses len bytes at libdeflate's `level` (1-12) into out (replacing
 * its contents) as one zlib stream. A compressor is made for each call:
 * keeping them from call to call saved 0.5 M instructions (1.4%) of a
 * report's share of a batch, and no time measurable above the noise.
 * 0, or -1 for a level out of range or when memory runs out. */
int flate_zlib(int level, const void *data, size_t len, rg_buf *out);

#endif
