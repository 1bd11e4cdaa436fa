/* bench_cuda [REPS]: CUDA-GL interop at 1920x1080, RGBA8 and RGBA32F, each next
 * to a limit measured in the same run. Skips, saying why, where CUDA
 * cannot work (no driver, no GPU, a CUDA=0 build).
 *
 *   copyCUDAMemory  device memory into a texture (gpu_cuda_to_texture),
 *                   next to cuMemcpyDtoD of the same bytes (target: at
 *                   least 70% of its GB/s)
 *   cudaMemory      a texture into newly allocated device memory, as the
 *                   Python call does (gpu_cuda_from_texture), likewise
 *   host memory     the same frame up and back through host memory
 *                   (gpu_upload, copyNumpyArray's path, plus a readback),
 *                   what a script without interop pays
 *   bare interop    the least a program can do for the same copy: the
 *                   texture registered once, then each copy maps it,
 *                   copies into its array and unmaps (limit for
 *                   copyCUDAMemory: 1.5x it); and its two parts, the map
 *                   and unmap alone and the copies alone under one map,
 *                   which say how much of cuMemcpyDtoD's rate any
 *                   interop copy can reach
 *
 * Each timed run ends with the stream synchronised and glFinish. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/log.h"
#include "../../engine/base/util.h"
#include "../../engine/gpu/cuda.h"
#include "../../engine/gpu/cuda_api.h"
#include "../../engine/gpu/gpu.h"
#include "../../kiosk/headless.h"

#define W 1920
#define H 1080

static int REPS = 50; /* bench_cuda REPS overrides (the tests run 2) */

typedef int (*alloc_fn)(unsigned long long *, size_t);
typedef int (*free_fn)(unsigned long long);
typedef int (*dtod_fn)(unsigned long long, unsigned long long, size_t);
typedef int (*sync_fn)(void);
typedef int (*push_fn)(void *);
typedef int (*pop_fn)(void **);
typedef int (*retain_fn)(void **, int);
typedef int (*name_fn)(char *, int, int);

static struct {
    alloc_fn alloc;
    free_fn free;
    dtod_fn dtod;
    sync_fn sync;
    push_fn push;
    pop_fn pop;
    retain_fn retain;
    name_fn name;
    void *ctx;
    bool fake;
#define DECLARE(field, sym, type) __typeof__(type) field;
    CU_FUNCS(DECLARE)
#undef DECLARE
} d;

static bool load_driver(void)
{
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return false;
    *(void **)&d.alloc = dlsym(lib, "cuMemAlloc_v2");
    *(void **)&d.free = dlsym(lib, "cuMemFree_v2");
    *(void **)&d.dtod = dlsym(lib, "cuMemcpyDtoD_v2");
    *(void **)&d.sync = dlsym(lib, "cuCtxSynchronize");
    *(void **)&d.push = dlsym(lib, "cuCtxPushCurrent_v2");
    *(void **)&d.pop = dlsym(lib, "cuCtxPopCurrent_v2");
    *(void **)&d.retain = dlsym(lib, "cuDevicePrimaryCtxRetain");
    *(void **)&d.name = dlsym(lib, "cuDeviceGetName");
    d.fake = dlsym(lib, "fakecuda_stat") != NULL;
#define LOOKUP(field, sym, type)                                           \
    if (!(*(void **)&d.field = dlsym(lib, #sym)))                          \
        return false;
    CU_FUNCS(LOOKUP)
#undef LOOKUP
    return d.alloc && d.free && d.dtod && d.sync && d.push && d.pop &&
           d.retain && d.retain(&d.ctx, 0) == 0;
}

static double gbps(size_t bytes, double ms)
{
    return (double)bytes / 1e6 / ms;
}

static double elapsed_ms(int64_t t0, int reps)
{
    return (double)(clock_now_ns() - t0) * 1e-6 / reps;
}

/* The bare interop copy of src into t, REPS times, on a stream of its own;
 * with copy false only the map and unmap, with map_each false one map
 * around all the copies. Milliseconds a copy; < 0 when a call failed. */
static double bare(struct gpu_tex *t, CUdeviceptr src, size_t row,
                   bool copy, bool map_each)
{
    /* registered already where vitrine copies straight into it */
    CUgraphicsResource res = t->cuda;
    CUstream s;
    void *popped;
    d.push(d.ctx);
    if ((!res && d.cuGraphicsGLRegisterImage(
                     &res, t->id, GL_TEXTURE_2D,
                     CU_GRAPHICS_REGISTER_FLAGS_NONE) != 0) ||
        d.cuStreamCreate(&s, CU_STREAM_DEFAULT) != 0) {
        d.pop(&popped);
        return -1;
    }
    CUresult r = 0;
    glFinish();
    int64_t t0 = clock_now_ns();
    for (int i = 0; i < REPS && r == 0; i++) {
        if (map_each || i == 0)
            r |= d.cuGraphicsMapResources(1, &res, s);
        CUarray arr;
        r |= d.cuGraphicsSubResourceGetMappedArray(&arr, res, 0, 0);
        CUDA_MEMCPY2D c = {.srcMemoryType = CU_MEMORYTYPE_DEVICE,
                           .srcDevice = src, .srcPitch = row,
                           .dstMemoryType = CU_MEMORYTYPE_ARRAY,
                           .dstArray = arr, .WidthInBytes = row,
                           .Height = (size_t)t->h};
        if (copy)
            r |= d.cuMemcpy2DAsync(&c, s);
        if (map_each || i == REPS - 1)
            r |= d.cuGraphicsUnmapResources(1, &res, s);
    }
    d.cuStreamSynchronize(s);
    glFinish();
    double ms = elapsed_ms(t0, REPS);
    if (res != t->cuda)
        d.cuGraphicsUnregisterResource(res);
    d.pop(&popped);
    return r == 0 ? ms : -1;
}

/* One format: returns false when a copy failed. */
static bool bench(struct gpu *g, const char *label, enum gpu_format f,
                  enum cuda_elem e, size_t elem_bytes)
{
    size_t bytes = (size_t)W * H * 4 * elem_bytes;
    struct gpu_tex *t = gpu_tex_acquire(g, W, H, f);
    unsigned long long src = 0, dst = 0;
    char err[256];
    d.push(d.ctx);
    bool ok = d.alloc(&src, bytes) == 0 && d.alloc(&dst, bytes) == 0;
    void *popped;
    d.pop(&popped);
    if (!ok) {
        printf("cuda %s: cannot allocate %zu bytes twice\n", label, bytes);
        return false;
    }
    /* copyCUDAMemory */
    if (gpu_cuda_to_texture(g, t, src, 4, e, GPU_CUDA_OWN_STREAM, err,
                            sizeof(err)) != 0) {
        printf("cuda %s: copyCUDAMemory failed: %s\n", label, err);
        return false;
    }
    gpu_cuda_sync(GPU_CUDA_OWN_STREAM);
    glFinish();
    int64_t t0 = clock_now_ns();
    for (int i = 0; i < REPS; i++)
        gpu_cuda_to_texture(g, t, src, 4, e, GPU_CUDA_OWN_STREAM, err,
                            sizeof(err));
    gpu_cuda_sync(GPU_CUDA_OWN_STREAM);
    glFinish();
    double to_tex = elapsed_ms(t0, REPS);
    /* cudaMemory: a new allocation each time, freed, as in Python */
    t0 = clock_now_ns();
    for (int i = 0; i < REPS; i++) {
        uint64_t p;
        size_t n;
        if (gpu_cuda_from_texture(g, t, 4, e, GPU_CUDA_OWN_STREAM, &p, &n,
                                  err, sizeof(err)) != 0) {
            printf("cuda %s: cudaMemory failed: %s\n", label, err);
            return false;
        }
        gpu_cuda_free(p);
    }
    gpu_cuda_sync(GPU_CUDA_OWN_STREAM);
    glFinish();
    double from_tex = elapsed_ms(t0, REPS);
    /* the bare interop copy, and its parts */
    size_t row = (size_t)W * 4 * elem_bytes;
    double ref = bare(t, src, row, true, true);
    double maps = bare(t, src, row, false, true);
    double copies = bare(t, src, row, true, false);
    if (ref < 0 || maps < 0 || copies < 0) {
        printf("cuda %s: the bare interop copy failed\n", label);
        return false;
    }
    /* the limit: the driver's own copy of the same bytes */
    d.push(d.ctx);
    d.sync();
    t0 = clock_now_ns();
    for (int i = 0; i < REPS; i++)
        d.dtod(dst, src, bytes);
    d.sync();
    double raw = elapsed_ms(t0, REPS);
    d.free(src);
    d.free(dst);
    d.pop(&popped);
    /* through host memory */
    void *host = xcalloc(1, bytes);
    float *back = xmalloc((size_t)W * H * 4 * sizeof(float));
    GLenum type = e == CUDA_U8 ? GL_UNSIGNED_BYTE : GL_FLOAT;
    t0 = clock_now_ns();
    for (int i = 0; i < 5; i++) {
        gpu_upload(g, t, host, 4, type);
        if (e == CUDA_U8) {
            gpu_readback_start(g, t);
            gpu_readback_finish(g, t, host);
        } else {
            gpu_read_float(t, back);
        }
    }
    glFinish();
    double via_host = elapsed_ms(t0, 5);
    free(host);
    free(back);
    gpu_tex_release(g, &t);
    double r1 = gbps(bytes, to_tex) / gbps(bytes, raw);
    double r2 = gbps(bytes, from_tex) / gbps(bytes, raw);
    printf("cuda %s %dx%d (%.1f MB): copyCUDAMemory %.3f ms = %.1f GB/s = "
           "%.0f%% of cuMemcpyDtoD %.3f ms = %.1f GB/s (target >= 70%%) %s\n",
           label, W, H, (double)bytes / 1e6, to_tex, gbps(bytes, to_tex),
           100 * r1, raw, gbps(bytes, raw), r1 >= 0.7 ? "ok" : "UNDER");
    printf("cuda %s %dx%d: cudaMemory %.3f ms = %.1f GB/s = %.0f%% of "
           "cuMemcpyDtoD (target >= 70%%) %s; through host memory (upload "
           "+ readback) %.2f ms\n", label, W, H, from_tex,
           gbps(bytes, from_tex), 100 * r2, r2 >= 0.7 ? "ok" : "UNDER",
           via_host);
    printf("cuda %s %dx%d: a bare interop copy (map, cuMemcpy2DAsync into "
           "the texture's array%s, unmap) %.3f ms: copyCUDAMemory %.2fx it "
           "(limit 1.5x) %s; its map and unmap alone %.3f ms, its copy "
           "alone under one map %.3f ms = %.0f%% of cuMemcpyDtoD\n", label,
           W, H, e == CUDA_U8 ? ", bytes as they are: no BGRA order" : "",
           ref, to_tex / ref, to_tex <= 1.5 * ref ? "ok" : "OVER", maps,
           copies, 100 * raw / copies);
    return true;
}

int main(int argc, char **argv)
{
    if (argc > 1 && atoi(argv[1]) > 0)
        REPS = atoi(argv[1]);
    log_set_level(LOG_LEVEL_WARN);
    char err[512];
    struct headless *hl = headless_create(err, sizeof(err));
    struct gpu *g = hl ? gpu_create(err, sizeof(err)) : NULL;
    if (!g) {
        printf("cuda: skipped: no headless OpenGL: %s\n", err);
        headless_destroy(&hl);
        return 0;
    }
    int rc = 0;
    if (!gpu_cuda_ready(g, err, sizeof(err)) || !load_driver()) {
        printf("cuda: skipped: CUDA is not available: %s\n",
               gpu_cuda_ready(g, err, sizeof(err)) ? "the bench cannot "
               "use the driver" : err);
    } else {
        char name[256] = "?";
        if (d.name)
            d.name(name, sizeof(name), 0);
        printf("cuda: on %s, GL %s%s\n", name,
               (const char *)glGetString(GL_RENDERER),
               d.fake ? " (the tests' stand-in driver: these figures "
                        "measure its CPU copies, not a GPU)" : "");
        if (!bench(g, "RGBA8", GPU_RGBA8, CUDA_U8, 1) ||
            !bench(g, "RGBA32F", GPU_RGBA32F, CUDA_F32, 4))
            rc = 1;
    }
    gpu_destroy(&g);
    headless_destroy(&hl);
    return rc;
}
