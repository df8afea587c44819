/* flate.c - zlib streams from libdeflate, compressed in pieces side by side.
 *
 * libdeflate makes the smallest streams for the time, but one stream uses
 * one processor, and a report's largest font takes 50 ms at its strongest
 * level. Deflate data is a series of blocks of which the last is marked
 * final, so pieces compressed alone can be joined: in every piece but the
 * last, the final block's mark is cleared and an empty stored block brings
 * the bits to a byte boundary. libdeflate does not say where its final block
 * starts; zlib's inflate, stopping at each block (Z_BLOCK), finds it.
 */
#include "flate.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

/* f's compressor for level, made once; NULL for no such level or when out
 * of memory. */
static struct libdeflate_compressor *compressor(flate *f, int level)
{
    if (level < 1 || level > MAX_LEVEL)
        return NULL;
    if (!f->kept[level])
        f->kept[level] = libdeflate_alloc_compressor(level);
    return f->kept[level];
}

typedef struct piece {
    const unsigned char *in;
    size_t in_len;
    unsigned char *out; /* raw deflate data, joinable unless last */
    size_t out_len;
    bool last, failed;
} piece;

typedef struct crew {
    struct libdeflate_compressor *c; /* NULL: the crew makes its own */
    int level;
    piece *pieces;
    size_t n, first, stride; /* this thread's pieces: first, first + stride... */
} crew;

/* Bit offsets in p's data of the final block's header and of the end of the
 * data; false when zlib does not read it back as one deflate stream. */
static bool find_final_block(const piece *p, size_t *final_bit, size_t *end_bit)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK)
        return false;
    unsigned char sink[16384];
    z.next_in = p->out;
    z.avail_in = (uInt)p->out_len;
    *final_bit = 0; /* the first block's header */
    bool ended = false;
    while (!ended) {
        z.next_out = sink;
        z.avail_out = sizeof sink;
        if (inflate(&z, Z_BLOCK) != Z_OK)
            break;
        /* At a block's end (128); the final block's (64) ends the data,
         * any other's is where the next block's header starts. */
        size_t bit = z.total_in * 8 - (size_t)(z.data_type & 7);
        if ((z.data_type & 128) && (z.data_type & 64))
            *end_bit = bit, ended = true;
        else if (z.data_type & 128)
            *final_bit = bit;
    }
    bool whole = ended && (*end_bit + 7) / 8 == p->out_len && z.total_out == p->in_len;
    inflateEnd(&z);
    return whole;
}

/* Compresses piece p; in all but the last, the final mark is cleared and an
 * empty stored block (3 header bits, padding, LEN 0, NLEN 0xFFFF) follows. */
static void compress_piece(struct libdeflate_compressor *c, piece *p)
{
    size_t bound = libdeflate_deflate_compress_bound(c, p->in_len) + 5;
    p->out = malloc(bound);
    if (!p->out) {
        p->failed = true;
        return;
    }
    p->out_len = libdeflate_deflate_compress(c, p->in, p->in_len, p->out, bound - 5);
    size_t final_bit, end_bit;
    if (!p->out_len || (!p->last && !find_final_block(p, &final_bit, &end_bit))) {
        p->failed = true;
        return;
    }
    if (p->last)
        return;
    p->out[final_bit / 8] &= (unsigned char)~(1u << (final_bit % 8));
    size_t used = end_bit % 8;
    p->out_len = (end_bit + 7) / 8;
    if (used)
        p->out[p->out_len - 1] &= (unsigned char)((1u << used) - 1);
    if (used == 0 || used > 5) /* the header does not fit in the last byte */
        p->out[p->out_len++] = 0;
    static const unsigned char stored_empty[4] = {0, 0, 0xFF, 0xFF};
    memcpy(p->out + p->out_len, stored_empty, sizeof stored_empty);
    p->out_len += sizeof stored_empty;
}

static void *run_crew(void *arg)
{
    crew *w = arg;
    struct libdeflate_compressor *c = w->c ? w->c : libdeflate_alloc_compressor(w->level);
    for (size_t i = w->first; i < w->n; i += w->stride) {
        if (c)
            compress_piece(c, &w->pieces[i]);
        else
            w->pieces[i].failed = true;
    }
    if (c != w->c)
        libdeflate_free_compressor(c);
    return NULL;
}

/* The FLEVEL bits of the zlib header, as libdeflate writes them. */
static unsigned char zlib_flags(int level)
{
    unsigned flevel = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
    unsigned flg = flevel << 6;
    flg += 31 - ((0x78u << 8) | flg) % 31; /* the header, big-endian, a multiple of 31 */
    return (unsigned char)flg;
}

/* One stream in the making: its pieces, and the threads compressing them. */
struct flate_job {
    const unsigned char *data;
    size_t len;
    int level;
    rg_buf *out;
    piece *pieces;
    size_t n, nthreads;
    crew *crews;
    pthread_t *ids;
    bool *started;
};

/* The job of compressing data in len / piece_size pieces, rounded up (one
 * when piece_size is 0), on up to `threads` crews, the first of which uses
 * f's compressor; NULL when f has none for the level. */
static flate_job *job_new(flate *f, int level, const void *data, size_t len, size_t piece_size,
                          int threads, rg_buf *out)
{
    out->len = 0;
    struct libdeflate_compressor *mine = compressor(f, level);
    if (!mine)
        return NULL;
    flate_job *j = xcalloc(1, sizeof *j);
    *j = (flate_job){.data = data, .len = len, .level = level, .out = out};
    j->n = piece_size == 0 || len <= piece_size ? 1 : (len + piece_size - 1) / piece_size;
    /* Every piece but the last is scanned by zlib for its final block after
     * it is compressed, which at levels up to 6 takes a third as long as
     * compressing it (the Song subset's halves at level 6: 1.4 ms against
     * 4.3 ms), and little beside the strongest levels: those pieces are
     * shorter by that much, so that the threads finish together. */
    size_t shorter = level <= 6 ? 3 : 24, last = level <= 6 ? 4 : 25;
    size_t each = len * shorter / ((j->n - 1) * shorter + last);
    if (each == 0)
        each = 1;
    j->pieces = xcalloc(j->n, sizeof *j->pieces);
    for (size_t i = 0; i < j->n; i++) {
        j->pieces[i].in = j->data + i * each;
        j->pieces[i].in_len = i + 1 < j->n ? each : len - i * each;
        j->pieces[i].last = i + 1 == j->n;
    }
    j->nthreads = threads < 1 ? 1 : (size_t)threads < j->n ? (size_t)threads : j->n;
    j->crews = xcalloc(j->nthreads, sizeof *j->crews);
    j->ids = xcalloc(j->nthreads, sizeof *j->ids);
    j->started = xcalloc(j->nthreads, sizeof *j->started);
    for (size_t t = 0; t < j->nthreads; t++)
        j->crews[t] = (crew){t == 0 ? mine : NULL, level, j->pieces, j->n, t, j->nthreads};
    return j;
}

/* Waits for the crews (doing the share of any that did not start), joins
 * the pieces into one zlib stream in *j->out and frees j. */
static int job_end(flate_job *j)
{
    for (size_t t = 0; t < j->nthreads; t++) {
        if (j->started[t])
            pthread_join(j->ids[t], NULL);
        else
            run_crew(&j->crews[t]);
    }
    size_t total = 2 + 4;
    bool failed = false;
    for (size_t i = 0; i < j->n; i++) {
        total += j->pieces[i].out_len;
        failed |= j->pieces[i].failed;
    }
    rg_buf *out = j->out;
    if (!failed) {
        out->data = xrealloc(out->data, total + 1);
        out->cap = total + 1;
        unsigned char *o = (unsigned char *)out->data;
        o[0] = 0x78;
        o[1] = zlib_flags(j->level);
        size_t at = 2;
        for (size_t i = 0; i < j->n; i++) {
            memcpy(o + at, j->pieces[i].out, j->pieces[i].out_len);
            at += j->pieces[i].out_len;
        }
        uint32_t adler = libdeflate_adler32(1, j->data, j->len);
        for (int k = 3; k >= 0; k--)
            o[at++] = (unsigned char)(adler >> (8 * k));
        out->len = at;
    }
    for (size_t i = 0; i < j->n; i++)
        free(j->pieces[i].out);
    free(j->pieces), free(j->crews), free(j->ids), free(j->started);
    free(j);
    return failed ? -1 : 0;
}

int flate_zlib(flate *f, int level, const void *data, size_t len, size_t piece_size, int threads,
               rg_buf *out)
{
    if (piece_size == 0 || len <= piece_size) {
        out->len = 0;
        struct libdeflate_compressor *mine = compressor(f, level);
        if (!mine)
            return -1;
        size_t bound = libdeflate_zlib_compress_bound(mine, len);
        out->data = xrealloc(out->data, bound + 1);
        out->cap = bound + 1;
        out->len = libdeflate_zlib_compress(mine, data, len, out->data, bound);
        return out->len ? 0 : -1;
    }
    flate_job *j = job_new(f, level, data, len, piece_size, threads, out);
    if (!j)
        return -1;
    /* This thread takes the first share (job_end runs it), and that of a
     * thread that cannot start. */
    for (size_t t = 1; t < j->nthreads; t++)
        j->started[t] = pthread_create(&j->ids[t], NULL, run_crew, &j->crews[t]) == 0;
    return job_end(j);
}

flate_job *flate_zlib_begin(flate *f, int level, const void *data, size_t len, size_t piece_size,
                            int threads, rg_buf *out)
{
    flate_job *j = job_new(f, level, data, len, piece_size, threads, out);
    if (j && threads >= 1)
        for (size_t t = 0; t < j->nthreads; t++)
            j->started[t] = pthread_create(&j->ids[t], NULL, run_crew, &j->crews[t]) == 0;
    return j;
}

int flate_zlib_end(flate_job *job)
{
    return job ? job_end(job) : -1;
}
