/* xlsx_file.c - see xlsx_file.h; xlsx_verify of xlsx.h. */
#include "xlsx.h"
#include "xlsx_file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Free space below which a failed write is put down to a full folder. */
#define NEARLY_FULL_BYTES (1024 * 1024)

/* Page headers take & as a code (&P, &"font", &12), so one from the data is
 * doubled. libxlsxwriter counts "&G" and "&[Picture]" anywhere in the text as
 * picture places and refuses a header whose count it cannot match, "&&G"
 * included: such an & is written as the full-width ＆ instead. */
static void escape_amp(const char *s, size_t n, rg_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        bool picture = i + 1 < n && (s[i + 1] == 'G' || (n - i > 9 && memcmp(s + i + 1, "[Picture]", 9) == 0));
        if (s[i] == '&' && picture)
            rg_buf_puts(out, "＆");
        else if (s[i] == '&')
            rg_buf_puts(out, "&&");
        else
            rg_buf_putc(out, s[i]);
    }
}

/* Characters of `s` escaped, as libxlsxwriter counts them. */
static size_t header_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += s[i] == '&' ? 2 : ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

/* Appends `s` escaped in at most `room` characters: whole, or the longest
 * start of it that fits with "…" after it. */
static void header_part(const char *s, size_t room, rg_buf *out)
{
    size_t n = strlen(s);
    if (header_chars(s, n) > room) {
        size_t cut = 0, used = 0;
        for (size_t i = 0; i < n;) {
            size_t next = i;
            rg_utf8_next(s, n, &next);
            used += header_chars(s + i, next - i);
            if (used + 1 > room) /* and the "…" */
                break;
            cut = i = next;
        }
        escape_amp(s, cut, out);
        rg_buf_puts(out, "…");
    } else {
        escape_amp(s, n, out);
    }
}

/* "&L" park "&R" title, within Excel's 255 characters: each side gets half,
 * and what one leaves unused goes to the other; a longer side is shortened. */
void xlsx_page_header(const char *park, const char *title, rg_buf *out)
{
    size_t room = XLSX_MAX_HEADER - 4; /* "&L" and "&R" */
    size_t left = header_chars(park, strlen(park)), right = header_chars(title, strlen(title));
    size_t left_room = room / 2, right_room = room - room / 2;
    if (left < left_room)
        right_room += left_room - left;
    else if (right < right_room)
        left_room += right_room - right;
    rg_buf_puts(out, "&L");
    header_part(park, left_room, out);
    rg_buf_puts(out, "&R");
    header_part(title, right_room, out);
}

/* The folder of `path`. */
char *xlsx_folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

bool xlsx_nearly_full(const char *folder)
{
    struct statvfs fs;
    return statvfs(folder, &fs) == 0 &&
           (double)fs.f_bavail * (double)fs.f_frsize < NEARLY_FULL_BYTES;
}

/* libxlsxwriter writes each part of a workbook to a scratch file of its own
 * (about 25 a workbook), made and unlinked at once, then reads it back to
 * zip it. In the output folder on a disk (ext4) that cost 1.9 to 19 ms of
 * system time a workbook, as the disk was busy or not; in /dev/shm the
 * whole workbook took 0.9 to 2.7 ms. So /dev/shm when it has room to
 * spare, else the output folder, which has room for the output anyway.
 * $TMPDIR is not consulted: a full one does not matter. */
#define SCRATCH_IN_MEMORY "/dev/shm"
#define SCRATCH_ROOM_BYTES (64.0 * 1024 * 1024)
const char *xlsx_scratch_folder(const char *folder)
{
    struct statvfs fs;
    if (access(SCRATCH_IN_MEMORY, W_OK | X_OK) == 0 && statvfs(SCRATCH_IN_MEMORY, &fs) == 0 &&
        (double)fs.f_bavail * (double)fs.f_frsize >= SCRATCH_ROOM_BYTES)
        return SCRATCH_IN_MEMORY;
    return folder;
}

/* Why writing into `folder` (scratch files in `scratch`) failed, for the
 * message: a full folder is named, since the user can do something about it. */
void xlsx_tell_write_failure(const char *name, const char *folder, const char *scratch, int err,
                               const char *what, rg_diags *diags)
{
    if (strcmp(scratch, folder) != 0 && xlsx_nearly_full(scratch) && !xlsx_nearly_full(folder))
        folder = scratch;
    if (err == ENOSPC || err == EDQUOT || xlsx_nearly_full(folder))
        rg_diag_add(diags, RG_ERROR, name, 0, 0,
                    "cannot write the workbook: the folder %s is full; make room there or "
                    "write the reports to another folder", folder);
    else if (err == EFBIG)
        rg_diag_add(diags, RG_ERROR, name, 0, 0,
                    "cannot write the workbook: it would be larger than this process may "
                    "write (ulimit -f)");
    else
        rg_diag_add(diags, RG_ERROR, name, 0, 0, "cannot write the workbook in %s: %s%s%s", folder,
                    what, err ? ": " : "", err ? strerror(err) : "");
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

int xlsx_verify(const char *path, const char *name, rg_diags *diags)
{
    rg_buf data = {0};
    rg_read_file(path, (size_t)1 << 30, &data); /* unreadable is as bad as empty: said below */
    const unsigned char *z = (const unsigned char *)data.data;
    size_t len = data.len;
    const char *problem = NULL;
    /* The end-of-central-directory record: 22 bytes, no zip comment from libxlsxwriter. */
    if (len < 22 || le32(z + len - 22) != 0x06054b50) {
        problem = "it is not a complete zip file";
    } else {
        uint16_t entries = le16(z + len - 22 + 10);
        uint32_t offset = le32(z + len - 22 + 16);
        for (uint16_t i = 0; i < entries && !problem; i++) {
            if ((size_t)offset + 46 > len || le32(z + offset) != 0x02014b50) {
                problem = "its zip directory is damaged";
                break;
            }
            if (le32(z + offset + 24) == 0)
                problem = "a part of it is empty";
            offset += 46u + le16(z + offset + 28) + le16(z + offset + 30) + le16(z + offset + 32);
        }
        if (!problem && entries == 0)
            problem = "it has no parts";
    }
    rg_buf_fini(&data);
    if (!problem)
        return 0;
    /* libxlsxwriter can miss a failed write of a scratch part: its part is then empty. */
    char *folder = xlsx_folder_of(name);
    const char *scratch = xlsx_scratch_folder(folder);
    if (xlsx_nearly_full(folder) || xlsx_nearly_full(scratch))
        xlsx_tell_write_failure(name, folder, scratch, ENOSPC, problem, diags);
    else
        rg_diag_add(diags, RG_ERROR, name, 0, 0, "the workbook written is unusable: %s", problem);
    free(folder);
    return -1;
}

/* Column width in Excel's units: a hanzi takes two, other characters one. */
double xlsx_text_width(const char *s, size_t *chars)
{
    double w = 0;
    size_t n = strlen(s), count = 0;
    for (size_t i = 0; i < n; count++)
        w += rg_utf8_next(s, n, &i) >= 0x2E80 ? 2.1 : 1.1;
    if (chars)
        *chars = count;
    return w;
}

/* Digits of v without its trailing zeros: those a double and Excel must keep. */
int xlsx_significant_digits(rg_dec v)
{
    uint64_t mag = v.coef < 0 ? (uint64_t)0 - (uint64_t)v.coef : (uint64_t)v.coef;
    while (mag && mag % 10 == 0)
        mag /= 10;
    int n = 0;
    for (; mag; mag /= 10)
        n++;
    return n;
}

void xlsx_cell_name(int row, int col, char *out, size_t n)
{
    snprintf(out, n, "%c%d", 'A' + col, row + 1);
}

const char *xlsx_bound_text(model_bound bound)
{
    switch (bound) {
    case MODEL_BOUND_AT_LEAST:
        return "不低于";
    case MODEL_BOUND_AT_MOST:
        return "不高于";
    default:
        return "";
    }
}

const char *xlsx_role_text(model_role role)
{
    return role == MODEL_ROLE_LEADING ? "主导产业" : role == MODEL_ROLE_FEATURED ? "特色产业" : "";
}

