/* snapshot.h: writing a TOP's image to a PNG file. */
#ifndef VITRINE_SNAPSHOT_H
#define VITRINE_SNAPSHOT_H

#include <stddef.h>

struct gpu;
struct gpu_tex;

/* Reads tex back (through a pixel buffer object) and writes it as a PNG,
 * top row first, as a screen shows it (premultiplied colour over black,
 * so alpha is dropped), atomically (a temporary file renamed into place).
 * Returns 0, or -1 with a message. */
int snapshot_write(struct gpu *gpu, const struct gpu_tex *tex, const char *path,
                   char *err, size_t errlen);

#endif
