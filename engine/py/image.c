#include "image.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "../base/util.h"

struct out {
    unsigned char *p;
    size_t len, cap;
};

static void put(struct out *o, const void *data, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2;
        o->p = xrealloc(o->p, o->cap);
    }
    memcpy(o->p + o->len, data, n);
    o->len += n;
}

static void put_func(void *ctx, void *data, int n)
{
    put(ctx, data, (size_t)n);
}

static void put_u16(struct out *o, unsigned v)
{
    unsigned char b[2] = {v & 255, (v >> 8) & 255};
    put(o, b, 2);
}

static void put_u32(struct out *o, uint32_t v)
{
    unsigned char b[4] = {v & 255, (v >> 8) & 255, (v >> 16) & 255,
                          (v >> 24) & 255};
    put(o, b, 4);
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s) + 1);
}

/* Top row first, 8 bits per channel. */
static unsigned char *to_rgba8(const float *px, int w, int h)
{
    unsigned char *d = xmalloc((size_t)w * h * 4);
    for (int y = 0; y < h; y++) {
        const float *s = px + (size_t)(h - 1 - y) * w * 4;
        for (int i = 0; i < w * 4; i++) {
            float v = s[i] < 0 ? 0 : s[i] > 1 ? 1 : s[i];
            d[(size_t)y * w * 4 + i] = (unsigned char)(v * 255 + 0.5f);
        }
    }
    return d;
}

/* Baseline TIFF, little-endian, one strip of uncompressed RGBA8. */
static void tiff(struct out *o, const unsigned char *rgba, int w, int h)
{
    enum { ntags = 11 };
    uint32_t ifd = 8, extra = ifd + 2 + ntags * 12 + 4;
    uint32_t bps_at = extra, data_at = extra + 8;
    put(o, "II", 2);
    put_u16(o, 42);
    put_u32(o, ifd);
    put_u16(o, ntags);
    const uint32_t tags[ntags][4] = {
        {256, 4, 1, (uint32_t)w},         /* width */
        {257, 4, 1, (uint32_t)h},         /* height */
        {258, 3, 4, bps_at},              /* bits per sample 8,8,8,8 */
        {259, 3, 1, 1},                   /* no compression */
        {262, 3, 1, 2},                   /* RGB */
        {273, 4, 1, data_at},             /* strip offset */
        {277, 3, 1, 4},                   /* samples per pixel */
        {278, 4, 1, (uint32_t)h},         /* rows per strip */
        {279, 4, 1, (uint32_t)w * h * 4}, /* strip bytes */
        {284, 3, 1, 1},                   /* contiguous */
        {338, 3, 1, 2},                   /* extra sample: unassociated alpha */
    };
    for (int i = 0; i < ntags; i++) {
        put_u16(o, tags[i][0]);
        put_u16(o, tags[i][1]);
        put_u32(o, tags[i][2]);
        if (tags[i][1] == 3 && tags[i][2] == 1) {
            put_u16(o, tags[i][3]);
            put_u16(o, 0);
        } else {
            put_u32(o, tags[i][3]);
        }
    }
    put_u32(o, 0); /* no next IFD */
    for (int i = 0; i < 4; i++)
        put_u16(o, 8);
    put(o, rgba, (size_t)w * h * 4);
}

/* OpenEXR, scanline, uncompressed, channels A B G R as 32-bit floats. */
static void exr(struct out *o, const float *px, int w, int h)
{
    put_u32(o, 20000630);
    put_u32(o, 2);
    put_str(o, "channels");
    put_str(o, "chlist");
    put_u32(o, 4 * 18 + 1);
    const char *chans = "ABGR";
    for (int c = 0; c < 4; c++) {
        char name[2] = {chans[c], 0};
        put_str(o, name);
        put_u32(o, 2); /* FLOAT */
        put_u32(o, 0); /* pLinear, reserved */
        put_u32(o, 1); /* xSampling */
        put_u32(o, 1); /* ySampling */
    }
    put(o, "", 1);
    put_str(o, "compression");
    put_str(o, "compression");
    put_u32(o, 1);
    put(o, "", 1); /* NO_COMPRESSION */
    const char *windows[] = {"dataWindow", "displayWindow"};
    for (int i = 0; i < 2; i++) {
        put_str(o, windows[i]);
        put_str(o, "box2i");
        put_u32(o, 16);
        put_u32(o, 0);
        put_u32(o, 0);
        put_u32(o, (uint32_t)(w - 1));
        put_u32(o, (uint32_t)(h - 1));
    }
    put_str(o, "lineOrder");
    put_str(o, "lineOrder");
    put_u32(o, 1);
    put(o, "", 1); /* INCREASING_Y */
    float one = 1;
    put_str(o, "pixelAspectRatio");
    put_str(o, "float");
    put_u32(o, 4);
    put(o, &one, 4);
    float zero2[2] = {0, 0};
    put_str(o, "screenWindowCenter");
    put_str(o, "v2f");
    put_u32(o, 8);
    put(o, zero2, 8);
    put_str(o, "screenWindowWidth");
    put_str(o, "float");
    put_u32(o, 4);
    put(o, &one, 4);
    put(o, "", 1); /* end of header */
    uint64_t line_bytes = 8 + (uint64_t)w * 4 * 4;
    uint64_t first = o->len + (uint64_t)h * 8;
    for (int y = 0; y < h; y++) {
        uint64_t at = first + (uint64_t)y * line_bytes;
        put(o, &at, 8);
    }
    for (int y = 0; y < h; y++) {
        put_u32(o, (uint32_t)y);
        put_u32(o, (uint32_t)w * 4 * 4);
        const float *row = px + (size_t)(h - 1 - y) * w * 4;
        static const int order[4] = {3, 2, 1, 0}; /* A B G R */
        for (int c = 0; c < 4; c++)
            for (int x = 0; x < w; x++)
                put(o, &row[x * 4 + order[c]], 4);
    }
}

unsigned char *image_encode(const char *ext, const float *px, int w, int h,
                            double quality, size_t *len, char *err,
                            size_t errlen)
{
    const char *dot = strrchr(ext, '.');
    const char *e = dot ? dot + 1 : ext;
    struct out o = {0};
    unsigned char *rgba = NULL;
    err[0] = '\0';
    int ok = 1;
    if (strcasecmp(e, "exr") == 0) {
        exr(&o, px, w, h);
    } else {
        rgba = to_rgba8(px, w, h);
        if (strcasecmp(e, "png") == 0)
            ok = stbi_write_png_to_func(put_func, &o, w, h, 4, rgba, w * 4);
        else if (strcasecmp(e, "jpg") == 0 || strcasecmp(e, "jpeg") == 0)
            ok = stbi_write_jpg_to_func(put_func, &o, w, h, 4, rgba,
                                        quality <= 0 ? 1
                                        : quality >= 1 ? 100
                                                       : (int)(quality * 100));
        else if (strcasecmp(e, "bmp") == 0)
            ok = stbi_write_bmp_to_func(put_func, &o, w, h, 4, rgba);
        else if (strcasecmp(e, "tga") == 0)
            ok = stbi_write_tga_to_func(put_func, &o, w, h, 4, rgba);
        else if (strcasecmp(e, "tif") == 0 || strcasecmp(e, "tiff") == 0)
            tiff(&o, rgba, w, h);
        else {
            snprintf(err, errlen, "'%s' is not a file type vitrine writes "
                     "(.png .jpg .jpeg .bmp .tga .tif .tiff .exr)", ext);
            ok = 0;
        }
    }
    free(rgba);
    if (!ok) {
        if (!err[0])
            snprintf(err, errlen, "the %s encoder failed", e);
        free(o.p);
        return NULL;
    }
    *len = o.len;
    return o.p;
}

unsigned char *image_decode(const void *data, size_t len, int *w, int *h,
                            char *err, size_t errlen)
{
    if (len > INT32_MAX) {
        snprintf(err, errlen, "%zu bytes is too large", len);
        return NULL;
    }
    int n;
    unsigned char *px = stbi_load_from_memory(data, (int)len, w, h, &n, 4);
    if (!px) {
        snprintf(err, errlen, "%s", stbi_failure_reason());
        return NULL;
    }
    unsigned char *copy = xmalloc((size_t)*w * *h * 4);
    memcpy(copy, px, (size_t)*w * *h * 4);
    stbi_image_free(px);
    return copy;
}
