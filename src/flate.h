/* flate: zlib streams (a PDF's /FlateDecode) compressed by libdeflate, in
 * pieces that threads compress side by side and that are joined into one
 * stream. The pieces depend on the data and the piece size only, so the
 * bytes are the same whatever the number of threads. */
#ifndef PARKREPORT_FLATE_H
#define PARKREPORT_FLATE_H

#include <stddef.h>

#include "util.h"

/* The calling thread's compressors, kept from call to call: libdeflate's
 * take 0.2 MB (level 1) to 9 MB (levels 10-12), and a new one costs the
 * kernel's work of handing over that memory again. For one thread at a
 * time. */
typedef struct flate flate;

flate *flate_new(void);
void flate_free(flate *f);

/* Compresses len bytes at libdeflate's `level` (1-12) into out (replacing
 * its contents): in one piece when len <= piece, else in len / piece pieces
 * (rounded up) on up to `threads` threads, the last a little longer than
 * the others, which are scanned after they are compressed. A piece boundary
 * costs about 0.4% of a piece's compressed size (its matches cannot reach
 * back into the piece before). 0, or -1 when memory or a thread runs out. */
int flate_zlib(flate *f, int level, const void *data, size_t len, size_t piece, int threads,
               rg_buf *out);

/* flate_zlib on threads of its own (up to `threads`; none when it is 0),
 * while the caller goes on with other work: the same bytes in out once
 * flate_zlib_end has returned 0. Until then, data and out stay as they are
 * and f is not used by anyone else. A share whose thread cannot start is
 * compressed by flate_zlib_end. NULL (which flate_zlib_end answers with -1)
 * when f has no compressor for the level. */
typedef struct flate_job flate_job;
flate_job *flate_zlib_begin(flate *f, int level, const void *data, size_t len, size_t piece,
                            int threads, rg_buf *out);
int flate_zlib_end(flate_job *job);

#endif
