/* image.h: image files to and from memory, for TOP.save(),
 * saveByteArray() and scriptTOP.loadByteArray(). */
#ifndef VITRINE_IMAGE_H
#define VITRINE_IMAGE_H

#include <stddef.h>

/* Encodes w x h RGBA float pixels (bottom row first, as GL reads them) as
 * the file type named by ext's suffix: .png .jpg .jpeg .bmp .tga (8 bits
 * per channel), .tif .tiff (8-bit RGBA, uncompressed), .exr (32-bit float
 * RGBA, uncompressed). quality 0..1 applies to JPEG. Returns a malloc'd
 * buffer and its length, or NULL with a message. */
unsigned char *image_encode(const char *ext, const float *px, int w, int h,
                            double quality, size_t *len, char *err,
                            size_t errlen);

/* Decodes PNG, JPEG, BMP, TGA, GIF, PSD, HDR or PNM data into RGBA8, top
 * row first. NULL with a message. */
unsigned char *image_decode(const void *data, size_t len, int *w, int *h,
                            char *err, size_t errlen);

#endif
