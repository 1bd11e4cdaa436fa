/* cuda.c: the driver API (declared in cuda_api.h), loaded with dlopen. */
#include "cuda.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "gpu.h"

#ifdef VITRINE_NO_CUDA

bool gpu_cuda_ready(struct gpu *g, char *why, size_t n)
{
    (void)g;
    snprintf(why, n, "this build has no CUDA support (built with CUDA=0)");
    return false;
}

bool gpu_cuda_known(void) { return true; }

int gpu_cuda_from_texture(struct gpu *g, struct gpu_tex *t, int comps,
                          enum cuda_elem elem, uintptr_t stream,
                          uint64_t *ptr, size_t *size, char *err, size_t n)
{
    (void)t, (void)comps, (void)elem, (void)stream, (void)ptr, (void)size;
    gpu_cuda_ready(g, err, n);
    return -1;
}

int gpu_cuda_to_texture(struct gpu *g, struct gpu_tex *t, uint64_t src,
                        int comps, enum cuda_elem elem, uintptr_t stream,
                        char *err, size_t n)
{
    (void)t, (void)src, (void)comps, (void)elem, (void)stream;
    gpu_cuda_ready(g, err, n);
    return -1;
}

void gpu_cuda_free(uint64_t ptr) { (void)ptr; }
void gpu_cuda_sync(uintptr_t stream) { (void)stream; }
uintptr_t gpu_cuda_stream_handle(uintptr_t stream) { return stream; }
void gpu_cuda_forget(struct gpu_tex *t) { (void)t; }
void gpu_cuda_release(void) {}
int gpu_cuda_registrations(void) { return 0; }

#else

#include "cuda_api.h"

#define DECLARE(field, sym, type) __typeof__(type) field;
static struct {
    bool tried, ok;
    char why[256];
    void *lib;
    CUcontext ctx;
    CUstream stream;
    GLuint pbo;                 /* for converting copies */
    size_t pbo_size;
    CUgraphicsResource pbo_res; /* its registration */
    int registrations;
    CU_FUNCS(DECLARE)
} cu;
#undef DECLARE

static const char *cu_error(CUresult r)
{
    const char *s = NULL;
    if (cu.cuGetErrorString)
        cu.cuGetErrorString(r, &s);
    return s ? s : "unknown CUDA error";
}

static bool load(struct gpu *g)
{
    cu.lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!cu.lib) {
        snprintf(cu.why, sizeof(cu.why), "no CUDA driver (libcuda.so.1 "
                 "cannot be loaded: no NVIDIA driver on this machine)");
        return false;
    }
#define LOOKUP(field, sym, type)                                           \
    if (!(*(void **)&cu.field = dlsym(cu.lib, #sym))) {                    \
        snprintf(cu.why, sizeof(cu.why), "the CUDA driver lacks %s (too "  \
                 "old a driver)", #sym);                                   \
        return false;                                                      \
    }
    CU_FUNCS(LOOKUP)
#undef LOOKUP
    CUresult r = cu.cuInit(0);
    int count = 0;
    if (r == CUDA_SUCCESS)
        r = cu.cuDeviceGetCount(&count);
    if (r == CUDA_ERROR_NO_DEVICE || (r == CUDA_SUCCESS && count == 0)) {
        snprintf(cu.why, sizeof(cu.why), "no CUDA-capable device");
        return false;
    }
    if (r != CUDA_SUCCESS) {
        snprintf(cu.why, sizeof(cu.why), "CUDA did not start: %s",
                 cu_error(r));
        return false;
    }
    if (!g) {
        snprintf(cu.why, sizeof(cu.why), "no OpenGL context");
        return false;
    }
    CUdevice dev;
    unsigned ndev = 0;
    r = cu.cuGLGetDevices(&ndev, &dev, 1, CU_GL_DEVICE_LIST_ALL);
    if (r != CUDA_SUCCESS || ndev == 0) {
        snprintf(cu.why, sizeof(cu.why), "the OpenGL context (%s) does not "
                 "run on a CUDA device",
                 (const char *)glGetString(GL_RENDERER));
        return false;
    }
    /* The primary context: the one the CUDA runtime, CuPy and PyTorch
     * use, so their pointers are valid here. */
    r = cu.cuDevicePrimaryCtxRetain(&cu.ctx, dev);
    if (r == CUDA_SUCCESS && (r = cu.cuCtxPushCurrent(cu.ctx)) ==
                                 CUDA_SUCCESS) {
        r = cu.cuStreamCreate(&cu.stream, CU_STREAM_DEFAULT);
        CUcontext popped;
        cu.cuCtxPopCurrent(&popped);
    }
    if (r != CUDA_SUCCESS) {
        snprintf(cu.why, sizeof(cu.why), "no CUDA context: %s",
                 cu_error(r));
        return false;
    }
    return true;
}

bool gpu_cuda_ready(struct gpu *g, char *why, size_t n)
{
    if (!cu.tried) {
        cu.tried = true;
        cu.ok = load(g);
    }
    if (!cu.ok)
        snprintf(why, n, "%s", cu.why);
    return cu.ok;
}

bool gpu_cuda_known(void)
{
    return cu.tried;
}

static size_t elem_bytes(enum cuda_elem e)
{
    return e == CUDA_U8 ? 1 : e == CUDA_U16 ? 2 : 4;
}

/* Straight copies need the texture's memory to be the caller's layout:
 * float RGBA into rgba32f, float mono into r32f, uint8 mono into r8. */
static bool direct(const struct gpu_tex *t, int comps, enum cuda_elem e)
{
    return (e == CUDA_F32 && comps == 4 && t->format == GPU_RGBA32F) ||
           (e == CUDA_F32 && comps == 1 && t->format == GPU_R32F) ||
           (e == CUDA_U8 && comps == 1 && t->format == GPU_R8);
}

static int fail(char *err, size_t n, const char *what, CUresult r)
{
    snprintf(err, n, "%s: %s", what, cu_error(r));
    return -1;
}

static CUgraphicsResource registered(struct gpu_tex *t, char *err, size_t n)
{
    if (t->cuda)
        return t->cuda;
    CUgraphicsResource res;
    CUresult r = cu.cuGraphicsGLRegisterImage(
        &res, t->id, GL_TEXTURE_2D, CU_GRAPHICS_REGISTER_FLAGS_NONE);
    if (r != CUDA_SUCCESS) {
        fail(err, n, "cannot register the texture with CUDA", r);
        return NULL;
    }
    cu.registrations++;
    t->cuda = res;
    return res;
}

static CUgraphicsResource staging(size_t bytes, char *err, size_t n)
{
    if (cu.pbo && cu.pbo_size >= bytes)
        return cu.pbo_res;
    if (cu.pbo_res) {
        cu.cuGraphicsUnregisterResource(cu.pbo_res);
        cu.pbo_res = NULL;
    }
    if (!cu.pbo)
        glGenBuffers(1, &cu.pbo);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, cu.pbo);
    glBufferData(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)bytes, NULL,
                 GL_DYNAMIC_COPY);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    CUresult r = cu.cuGraphicsGLRegisterBuffer(
        &cu.pbo_res, cu.pbo, CU_GRAPHICS_REGISTER_FLAGS_NONE);
    if (r != CUDA_SUCCESS) {
        fail(err, n, "cannot register the staging buffer with CUDA", r);
        return NULL;
    }
    cu.pbo_size = bytes;
    return cu.pbo_res;
}

/* GL's layout for comps elements of e: TouchDesigner orders 4-component
 * uint8 memory BGRA, everything else RGBA. */
static void gl_layout(int comps, enum cuda_elem e, GLenum *format,
                      GLenum *type)
{
    static const GLenum rgba[] = {GL_RED, GL_RG, GL_RGB, GL_RGBA};
    *format = e == CUDA_U8 && comps == 4 ? GL_BGRA : rgba[comps - 1];
    *type = e == CUDA_U8 ? GL_UNSIGNED_BYTE
            : e == CUDA_U16 ? GL_UNSIGNED_SHORT : GL_FLOAT;
}

/* Runs body with the primary context current; restores the caller's. */
#define WITH_CONTEXT(body)                                                 \
    do {                                                                   \
        CUresult pr = cu.cuCtxPushCurrent(cu.ctx);                         \
        if (pr != CUDA_SUCCESS)                                            \
            return fail(err, n, "cannot make the CUDA context current",    \
                        pr);                                               \
        int rc_ = (body);                                                  \
        CUcontext popped_;                                                 \
        cu.cuCtxPopCurrent(&popped_);                                      \
        return rc_;                                                        \
    } while (0)

/* Copies between t (registered and mapped here) and linear device memory
 * at dev: into the texture when to_tex, else out of it. */
static int copy_direct(struct gpu_tex *t, CUstream s, CUdeviceptr dev,
                       size_t row, bool to_tex, char *err, size_t n)
{
    CUgraphicsResource res = registered(t, err, n);
    if (!res)
        return -1;
    CUresult r = cu.cuGraphicsMapResources(1, &res, s);
    if (r != CUDA_SUCCESS)
        return fail(err, n, "cannot map the texture", r);
    CUarray arr;
    r = cu.cuGraphicsSubResourceGetMappedArray(&arr, res, 0, 0);
    if (r == CUDA_SUCCESS) {
        CUDA_MEMCPY2D c = {.WidthInBytes = row, .Height = (size_t)t->h};
        if (to_tex) {
            c.srcMemoryType = CU_MEMORYTYPE_DEVICE;
            c.srcDevice = dev;
            c.srcPitch = row;
            c.dstMemoryType = CU_MEMORYTYPE_ARRAY;
            c.dstArray = arr;
        } else {
            c.srcMemoryType = CU_MEMORYTYPE_ARRAY;
            c.srcArray = arr;
            c.dstMemoryType = CU_MEMORYTYPE_DEVICE;
            c.dstDevice = dev;
            c.dstPitch = row;
        }
        r = cu.cuMemcpy2DAsync(&c, s);
    }
    /* Unmapping orders GL's later use of the texture after the copy. */
    cu.cuGraphicsUnmapResources(1, &res, s);
    return r == CUDA_SUCCESS ? 0 : fail(err, n, "copy failed", r);
}

/* Copies bytes between the staging buffer (registered, mapped here) and
 * device memory at dev: into the buffer when to_staging, else out of it. */
static int copy_staging(CUgraphicsResource res, CUstream s, CUdeviceptr dev,
                        size_t bytes, bool to_staging, char *err, size_t n)
{
    CUresult r = cu.cuGraphicsMapResources(1, &res, s);
    if (r != CUDA_SUCCESS)
        return fail(err, n, "cannot map the staging buffer", r);
    CUdeviceptr p;
    size_t size;
    r = cu.cuGraphicsResourceGetMappedPointer(&p, &size, res);
    if (r == CUDA_SUCCESS)
        r = to_staging ? cu.cuMemcpyDtoDAsync(p, dev, bytes, s)
                       : cu.cuMemcpyDtoDAsync(dev, p, bytes, s);
    cu.cuGraphicsUnmapResources(1, &res, s);
    return r == CUDA_SUCCESS ? 0 : fail(err, n, "copy failed", r);
}

static int from_texture(struct gpu_tex *t, int comps, enum cuda_elem e,
                        CUstream s, CUdeviceptr dst, size_t row,
                        char *err, size_t n)
{
    if (direct(t, comps, e))
        return copy_direct(t, s, dst, row, false, err, n);
    size_t bytes = row * (size_t)t->h;
    CUgraphicsResource res = staging(bytes, err, n);
    if (!res)
        return -1;
    GLenum format, type;
    gl_layout(comps, e, &format, &type);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, cu.pbo);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    glReadPixels(0, 0, t->w, t->h, format, type, NULL);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    return copy_staging(res, s, dst, bytes, false, err, n);
}

static int alloc_and_copy(struct gpu_tex *t, int comps, enum cuda_elem e,
                          CUstream s, uint64_t *ptr, size_t *size, char *err,
                          size_t n)
{
    size_t row = (size_t)t->w * (size_t)comps * elem_bytes(e);
    CUdeviceptr d;
    CUresult r = cu.cuMemAlloc(&d, row * (size_t)t->h);
    if (r != CUDA_SUCCESS)
        return fail(err, n, "cannot allocate CUDA memory", r);
    if (from_texture(t, comps, e, s, d, row, err, n) != 0) {
        cu.cuMemFree(d);
        return -1;
    }
    *ptr = d;
    *size = row * (size_t)t->h;
    return 0;
}

int gpu_cuda_from_texture(struct gpu *g, struct gpu_tex *t, int comps,
                          enum cuda_elem elem, uintptr_t stream,
                          uint64_t *ptr, size_t *size, char *err, size_t n)
{
    if (!gpu_cuda_ready(g, err, n))
        return -1;
    CUstream s = (CUstream)gpu_cuda_stream_handle(stream);
    WITH_CONTEXT(alloc_and_copy(t, comps, elem, s, ptr, size, err, n));
}

static int to_texture(struct gpu_tex *t, uint64_t src, int comps,
                      enum cuda_elem e, CUstream s, char *err, size_t n)
{
    size_t row = (size_t)t->w * (size_t)comps * elem_bytes(e);
    if (direct(t, comps, e))
        return copy_direct(t, s, src, row, true, err, n);
    size_t bytes = row * (size_t)t->h;
    CUgraphicsResource res = staging(bytes, err, n);
    if (!res || copy_staging(res, s, src, bytes, true, err, n) != 0)
        return -1;
    GLenum format, type;
    gl_layout(comps, e, &format, &type);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, cu.pbo);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glBindTexture(GL_TEXTURE_2D, t->id);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, t->w, t->h, format, type, NULL);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    return 0;
}

int gpu_cuda_to_texture(struct gpu *g, struct gpu_tex *t, uint64_t src,
                        int comps, enum cuda_elem elem, uintptr_t stream,
                        char *err, size_t n)
{
    if (!gpu_cuda_ready(g, err, n))
        return -1;
    CUstream s = (CUstream)gpu_cuda_stream_handle(stream);
    WITH_CONTEXT(to_texture(t, src, comps, elem, s, err, n));
}

void gpu_cuda_free(uint64_t ptr)
{
    if (!cu.ok || !ptr)
        return;
    if (cu.cuCtxPushCurrent(cu.ctx) != CUDA_SUCCESS)
        return;
    /* Pending copies into it finish first. */
    cu.cuStreamSynchronize(cu.stream);
    cu.cuMemFree(ptr);
    CUcontext popped;
    cu.cuCtxPopCurrent(&popped);
}

uintptr_t gpu_cuda_stream_handle(uintptr_t stream)
{
    return stream == GPU_CUDA_OWN_STREAM ? (uintptr_t)cu.stream : stream;
}

void gpu_cuda_sync(uintptr_t stream)
{
    if (!cu.ok || cu.cuCtxPushCurrent(cu.ctx) != CUDA_SUCCESS)
        return;
    cu.cuStreamSynchronize((CUstream)gpu_cuda_stream_handle(stream));
    CUcontext popped;
    cu.cuCtxPopCurrent(&popped);
}

void gpu_cuda_forget(struct gpu_tex *t)
{
    if (!t->cuda || !cu.ok)
        return;
    if (cu.cuCtxPushCurrent(cu.ctx) == CUDA_SUCCESS) {
        cu.cuGraphicsUnregisterResource(t->cuda);
        CUcontext popped;
        cu.cuCtxPopCurrent(&popped);
    }
    t->cuda = NULL;
    cu.registrations--;
}

void gpu_cuda_release(void)
{
    if (!cu.ok || !cu.pbo)
        return;
    if (cu.pbo_res && cu.cuCtxPushCurrent(cu.ctx) == CUDA_SUCCESS) {
        cu.cuStreamSynchronize(cu.stream);
        cu.cuGraphicsUnregisterResource(cu.pbo_res);
        CUcontext popped;
        cu.cuCtxPopCurrent(&popped);
    }
    cu.pbo_res = NULL;
    glDeleteBuffers(1, &cu.pbo);
    cu.pbo = 0;
    cu.pbo_size = 0;
}

int gpu_cuda_registrations(void)
{
    return cu.registrations;
}

#endif
