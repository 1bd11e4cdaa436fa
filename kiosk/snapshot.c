#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "../engine/base/util.h"
#include "../engine/gpu/gpu.h"

int snapshot_write(struct gpu *gpu, const struct gpu_tex *tex, const char *path,
                   char *err, size_t errlen)
{
    size_t stride = (size_t)tex->w * 4;
    unsigned char *px = xmalloc(stride * (size_t)tex->h);
    gpu_readback_start(gpu, tex);
    if (!gpu_readback_finish(gpu, tex, px)) {
        snprintf(err, errlen, "reading the image back from the GPU failed");
        free(px);
        return -1;
    }
    /* What a screen shows: premultiplied colour over black, opaque. */
    for (size_t i = 3; i < stride * (size_t)tex->h; i += 4)
        px[i] = 255;
    char *tmp = xasprintf("%s.tmp", path);
    /* GL rows run bottom to top; PNG rows top to bottom. */
    int ok = stbi_write_png(tmp, tex->w, tex->h, 4,
                            px + stride * (size_t)(tex->h - 1),
                            -(int)stride);
    free(px);
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path,
                 ok ? strerror(errno) : "PNG encoder failed");
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
