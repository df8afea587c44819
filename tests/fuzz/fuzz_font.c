/* libFuzzer target: a font file of any bytes, opened, its cmap asked for a
 * spread of characters, and subset to a few. Everything is read from the
 * file's own tables, so whatever they say must stay within them: an error,
 * never a read outside. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "font.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz_font_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        unlink(path);
        return 0;
    }
    rg_diags d = {0};
    font_face *face = font_face_open(path, 0, &d);
    if (face) {
        static const uint32_t cps[] = {' ', 0x4E00, 0x20BB7, 0xE000, 0xE001, 0xE002};
        uint16_t glyphs[6];
        rg_buf out = {0};
        if (font_face_subset(face, cps, 6, &out, glyphs, &d) == 0 && out.len < 12)
            __builtin_trap();
        for (uint32_t cp = 0; cp < 0x110000; cp = cp * 3 + 1)
            (void)font_face_advance(face, cp), (void)font_face_has(face, cp);
        font_description desc;
        font_face_describe(face, &desc);
        rg_buf_fini(&out);
        font_face_close(face);
    }
    rg_diags_fini(&d);
    unlink(path);
    return 0;
}
