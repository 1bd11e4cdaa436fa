/* libcuda.c: a stand-in for NVIDIA's libcuda.so.1 on machines without an
 * NVIDIA GPU, so that CI runs vitrine's CUDA-GL interop (engine/gpu/
 * cuda.c) and the checks in tests/networks/cuda against something that
 * keeps the driver's rules. It is built as $(BUILD)/fakecuda/libcuda.so.1
 * and only ever found through LD_LIBRARY_PATH in tests; it is never
 * installed.
 *
 * What it models:
 * - Device memory is host memory from malloc; every copy checks that its
 *   device range lies inside one allocation (or a mapped buffer), so a bad
 *   address is CUDA_ERROR_INVALID_VALUE, as on a GPU, not a crash. New
 *   allocations are filled with 0xA5, as if uninitialised.
 * - Registered GL textures are read and written through OpenGL
 *   (glGetTexImage, glTexSubImage2D) while mapped; registered buffers are
 *   copied to a shadow when mapped and back when unmapped.
 * - Streams: asynchronous copies wait in a queue per stream, the legacy
 *   default stream's (handle 0, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD)
 *   too. Its work and a blocking stream's wait for each other (implicit
 *   synchronisation); non-blocking streams wait for nothing. Host memory
 *   is read when an asynchronous copy is made (pageable memory is staged),
 *   device memory when it runs. Synchronous copies run on the legacy
 *   stream and return when done. Unmapping a resource finishes the work on
 *   that stream that OpenGL will see, but a copy out of the resource into
 *   device memory only lands when its stream is synchronised, so a reader
 *   that does not wait sees stale memory, as it may on a GPU.
 * - The contract: a context must be current; a resource is mapped before
 *   use and not mapped twice; a texture is registered once and not
 *   resized or deleted while registered; a buffer is not re-specified while
 *   registered. Breaking a rule prints "fakecuda: contract violation: ..."
 *   and counts, so a test sees it.
 *
 * fakecuda_stat(name) reports counts to tests: "violations",
 * "registrations", "stale" (registrations whose GL object was deleted or
 * re-specified), "mapped", "allocations", "default_stream_ops" (async
 * copies, maps and unmaps on the legacy default stream), "queued".
 *
 * FAKECUDA_DEVICES=0 makes cuInit answer CUDA_ERROR_NO_DEVICE (a machine
 * with the driver but no GPU); FAKECUDA_GL=0 makes cuGLGetDevices find no
 * device for the GL context (a context on another GPU).
 *
 * One thread: vitrine calls CUDA from the thread that owns the GL
 * context, and so do the tests' scripts. */
#include <epoxy/gl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct ctx *CUcontext;
typedef struct stream *CUstream;
typedef struct res *CUarray;
typedef struct res *CUgraphicsResource;

/* The exported functions have no prototypes elsewhere. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_ALREADY_MAPPED = 208,
    CUDA_ERROR_NOT_MAPPED = 211,
    CUDA_ERROR_NOT_MAPPED_AS_ARRAY = 212,
    CUDA_ERROR_NOT_MAPPED_AS_POINTER = 213,
    CUDA_ERROR_INVALID_HANDLE = 400,
};

enum { MEM_HOST = 1, MEM_DEVICE = 2, MEM_ARRAY = 3 };
enum { STREAM_NON_BLOCKING = 1 };

typedef struct {
    size_t srcXInBytes, srcY;
    int srcMemoryType;
    const void *srcHost;
    CUdeviceptr srcDevice;
    CUarray srcArray;
    size_t srcPitch;
    size_t dstXInBytes, dstY;
    int dstMemoryType;
    void *dstHost;
    CUdeviceptr dstDevice;
    CUarray dstArray;
    size_t dstPitch;
    size_t WidthInBytes, Height;
} CUDA_MEMCPY2D;

struct ctx {
    int refs;
};

/* A queued copy, always as a 2D copy (a linear one is one row). */
struct op {
    struct op *next;
    CUDA_MEMCPY2D c;
    struct res *src_res, *dst_res; /* the resources it touches, if any */
    unsigned char *snap;           /* its source, read at an unmap */
};

struct stream {
    struct stream *next;
    unsigned flags;
    struct op *head, **tail;
};

struct res {
    struct res *next;
    bool image, mapped;
    GLuint name;
    GLint internal; /* images: the format, size and texel bytes */
    int w, h, bpp;
    GLenum format, type;
    size_t size; /* buffers: the size, and the shadow while mapped */
    unsigned char *shadow;
};

struct alloc {
    struct alloc *next;
    unsigned char *p;
    size_t size;
};

static struct {
    bool initialised;
    struct ctx primary;
    struct stream legacy; /* the default stream's queue */
    struct stream *streams;
    struct res *resources;
    struct alloc *allocs;
    long violations, registrations, allocations, default_ops;
} fk;

static __thread struct ctx *ctx_stack[16];
static __thread int ctx_depth;

static void violation(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fakecuda: contract violation: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fk.violations++;
}

/* A call that needs an initialised driver and a current context. */
static CUresult ready(const char *call)
{
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx_depth == 0 || !ctx_stack[ctx_depth - 1]) {
        violation("%s without a current context", call);
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    return CUDA_SUCCESS;
}

/* ---- the driver, devices, contexts ---- */

CUresult cuGetErrorString(CUresult r, const char **s)
{
    static const struct {
        CUresult r;
        const char *s;
    } names[] = {
        {CUDA_SUCCESS, "no error"},
        {CUDA_ERROR_INVALID_VALUE, "invalid argument"},
        {CUDA_ERROR_OUT_OF_MEMORY, "out of memory"},
        {CUDA_ERROR_NOT_INITIALIZED, "initialization error"},
        {CUDA_ERROR_NO_DEVICE, "no CUDA-capable device is detected"},
        {CUDA_ERROR_INVALID_DEVICE, "invalid device ordinal"},
        {CUDA_ERROR_INVALID_CONTEXT, "invalid device context"},
        {CUDA_ERROR_ALREADY_MAPPED, "resource already mapped"},
        {CUDA_ERROR_NOT_MAPPED, "resource not mapped"},
        {CUDA_ERROR_NOT_MAPPED_AS_ARRAY, "resource not mapped as array"},
        {CUDA_ERROR_NOT_MAPPED_AS_POINTER,
         "resource not mapped as pointer"},
        {CUDA_ERROR_INVALID_HANDLE, "invalid resource handle"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].r == r) {
            *s = names[i].s;
            return CUDA_SUCCESS;
        }
    *s = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

static int device_count(void)
{
    const char *e = getenv("FAKECUDA_DEVICES");
    return e ? atoi(e) : 1;
}

CUresult cuInit(unsigned flags)
{
    if (flags != 0)
        return CUDA_ERROR_INVALID_VALUE;
    if (device_count() < 1)
        return CUDA_ERROR_NO_DEVICE;
    if (!fk.initialised) {
        fprintf(stderr, "fakecuda: the test stand-in for libcuda.so.1 "
                "(copies run on the CPU)\n");
        fk.legacy.tail = &fk.legacy.head;
    }
    fk.initialised = true;
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *v)
{
    *v = 12000;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *n)
{
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    *n = device_count();
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *d, int ordinal)
{
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    if (ordinal < 0 || ordinal >= device_count())
        return CUDA_ERROR_INVALID_DEVICE;
    *d = ordinal;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice d)
{
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    if (d < 0 || d >= device_count() || len < 1)
        return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "fakecuda (host memory)");
    return CUDA_SUCCESS;
}

CUresult cuGLGetDevices_v2(unsigned *count, CUdevice *devs, unsigned max,
                           int list)
{
    (void)list;
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    const char *e = getenv("FAKECUDA_GL");
    *count = 0;
    if (e && atoi(e) == 0)
        return CUDA_ERROR_NO_DEVICE;
    if (max > 0) {
        devs[0] = 0;
        *count = 1;
    }
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *c, CUdevice d)
{
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    if (d < 0 || d >= device_count())
        return CUDA_ERROR_INVALID_DEVICE;
    fk.primary.refs++;
    *c = &fk.primary;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d)
{
    (void)d;
    if (fk.primary.refs > 0)
        fk.primary.refs--;
    return CUDA_SUCCESS;
}

CUresult cuCtxPushCurrent_v2(CUcontext c)
{
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    if (c != &fk.primary || ctx_depth == (int)(sizeof(ctx_stack) /
                                               sizeof(ctx_stack[0])))
        return CUDA_ERROR_INVALID_CONTEXT;
    ctx_stack[ctx_depth++] = c;
    return CUDA_SUCCESS;
}

CUresult cuCtxPopCurrent_v2(CUcontext *c)
{
    if (ctx_depth == 0)
        return CUDA_ERROR_INVALID_CONTEXT;
    ctx_depth--;
    if (c)
        *c = ctx_stack[ctx_depth];
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext c)
{
    if (!fk.initialised)
        return CUDA_ERROR_NOT_INITIALIZED;
    if (c && c != &fk.primary)
        return CUDA_ERROR_INVALID_CONTEXT;
    if (ctx_depth == 0)
        ctx_stack[ctx_depth++] = c;
    else
        ctx_stack[ctx_depth - 1] = c;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext *c)
{
    *c = ctx_depth ? ctx_stack[ctx_depth - 1] : NULL;
    return CUDA_SUCCESS;
}

/* ---- OpenGL, with the caller's state put back ---- */

struct gl_state {
    GLint tex, pack_buf, unpack_buf, copy_buf;
    GLint pack_align, unpack_align, pack_row, unpack_row;
};

static void gl_save(struct gl_state *s)
{
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &s->tex);
    glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &s->pack_buf);
    glGetIntegerv(GL_PIXEL_UNPACK_BUFFER_BINDING, &s->unpack_buf);
    glGetIntegerv(GL_COPY_READ_BUFFER_BINDING, &s->copy_buf);
    glGetIntegerv(GL_PACK_ALIGNMENT, &s->pack_align);
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &s->unpack_align);
    glGetIntegerv(GL_PACK_ROW_LENGTH, &s->pack_row);
    glGetIntegerv(GL_UNPACK_ROW_LENGTH, &s->unpack_row);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_PACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
}

static void gl_restore(const struct gl_state *s)
{
    glBindTexture(GL_TEXTURE_2D, (GLuint)s->tex);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, (GLuint)s->pack_buf);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, (GLuint)s->unpack_buf);
    glBindBuffer(GL_COPY_READ_BUFFER, (GLuint)s->copy_buf);
    glPixelStorei(GL_PACK_ALIGNMENT, s->pack_align);
    glPixelStorei(GL_UNPACK_ALIGNMENT, s->unpack_align);
    glPixelStorei(GL_PACK_ROW_LENGTH, s->pack_row);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, s->unpack_row);
}

/* The formats cuGraphicsGLRegisterImage takes (those vitrine makes and
 * a few more), with their texel bytes. */
static bool image_format(GLint internal, int *bpp, GLenum *format,
                         GLenum *type)
{
    static const struct {
        GLint internal;
        int bpp;
        GLenum format, type;
    } t[] = {
        {GL_R8, 1, GL_RED, GL_UNSIGNED_BYTE},
        {GL_RG8, 2, GL_RG, GL_UNSIGNED_BYTE},
        {GL_RGBA8, 4, GL_RGBA, GL_UNSIGNED_BYTE},
        {GL_R16, 2, GL_RED, GL_UNSIGNED_SHORT},
        {GL_RGBA16, 8, GL_RGBA, GL_UNSIGNED_SHORT},
        {GL_R16F, 2, GL_RED, GL_HALF_FLOAT},
        {GL_RGBA16F, 8, GL_RGBA, GL_HALF_FLOAT},
        {GL_R32F, 4, GL_RED, GL_FLOAT},
        {GL_RG32F, 8, GL_RG, GL_FLOAT},
        {GL_RGBA32F, 16, GL_RGBA, GL_FLOAT},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].internal == internal) {
            *bpp = t[i].bpp;
            *format = t[i].format;
            *type = t[i].type;
            return true;
        }
    return false;
}

/* The texture's level 0 now: false when name is no texture. */
static bool texture_spec(GLuint name, GLint *internal, int *w, int *h)
{
    if (!glIsTexture(name))
        return false;
    struct gl_state s;
    gl_save(&s);
    glBindTexture(GL_TEXTURE_2D, name);
    glGetTexLevelParameteriv(GL_TEXTURE_2D, 0, GL_TEXTURE_INTERNAL_FORMAT,
                             internal);
    glGetTexLevelParameteriv(GL_TEXTURE_2D, 0, GL_TEXTURE_WIDTH, w);
    glGetTexLevelParameteriv(GL_TEXTURE_2D, 0, GL_TEXTURE_HEIGHT, h);
    gl_restore(&s);
    return true;
}

static bool buffer_size(GLuint name, size_t *size)
{
    if (!glIsBuffer(name))
        return false;
    struct gl_state s;
    gl_save(&s);
    GLint64 n = 0;
    glBindBuffer(GL_COPY_READ_BUFFER, name);
    glGetBufferParameteri64v(GL_COPY_READ_BUFFER, GL_BUFFER_SIZE, &n);
    gl_restore(&s);
    *size = (size_t)n;
    return true;
}

/* ---- memory ---- */

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t size)
{
    CUresult r = ready("cuMemAlloc");
    if (r != CUDA_SUCCESS)
        return r;
    if (size == 0)
        return CUDA_ERROR_INVALID_VALUE;
    struct alloc *a = calloc(1, sizeof(*a));
    if (!a || !(a->p = aligned_alloc(256, (size + 255) / 256 * 256))) {
        free(a);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    memset(a->p, 0xA5, size);
    a->size = size;
    a->next = fk.allocs;
    fk.allocs = a;
    fk.allocations++;
    *p = (CUdeviceptr)(uintptr_t)a->p;
    return CUDA_SUCCESS;
}

/* The resource whose memory [p, p + n) is, NULL for an allocation; false
 * when it is neither (not device memory this driver gave out). */
static bool device_range(CUdeviceptr p, size_t n, struct res **in)
{
    *in = NULL;
    uintptr_t a = (uintptr_t)p;
    for (struct alloc *m = fk.allocs; m; m = m->next)
        if (a >= (uintptr_t)m->p && n <= m->size &&
            a - (uintptr_t)m->p <= m->size - n)
            return true;
    for (struct res *r = fk.resources; r; r = r->next)
        if (!r->image && r->shadow && a >= (uintptr_t)r->shadow &&
            n <= r->size && a - (uintptr_t)r->shadow <= r->size - n) {
            *in = r;
            return true;
        }
    return false;
}

static void flush_all(bool blocking_only);

CUresult cuMemFree_v2(CUdeviceptr p)
{
    CUresult r = ready("cuMemFree");
    if (r != CUDA_SUCCESS)
        return r;
    /* Freeing waits for the device, as the real one does. */
    flush_all(false);
    for (struct alloc **m = &fk.allocs; *m; m = &(*m)->next)
        if ((uintptr_t)(*m)->p == (uintptr_t)p) {
            struct alloc *dead = *m;
            *m = dead->next;
            free(dead->p);
            free(dead);
            fk.allocations--;
            return CUDA_SUCCESS;
        }
    return CUDA_ERROR_INVALID_VALUE;
}

/* ---- copies ---- */

static bool is_legacy(CUstream s)
{
    return (uintptr_t)s == 0 || (uintptr_t)s == 1 || (uintptr_t)s == 2;
}

/* The queue behind a handle; NULL for a handle that is none. */
static struct stream *queue_of(CUstream s)
{
    if (is_legacy(s))
        return &fk.legacy;
    for (struct stream *q = fk.streams; q; q = q->next)
        if (q == s)
            return q;
    return NULL;
}

static struct res *known_res(struct res *x)
{
    for (struct res *r = fk.resources; r; r = r->next)
        if (r == x)
            return r;
    return NULL;
}

/* Checks one side of a copy; *res gets the resource it touches. */
static CUresult check_side(int type, CUdeviceptr dev, CUarray arr,
                           size_t x, size_t y, size_t pitch, size_t width,
                           size_t height, struct res **res)
{
    *res = NULL;
    if (type == MEM_HOST)
        return CUDA_SUCCESS;
    if (type == MEM_DEVICE) {
        if (height > 1 && pitch < width)
            return CUDA_ERROR_INVALID_VALUE;
        size_t span = (height - 1) * pitch + x + width;
        return device_range(dev, span, res) ? CUDA_SUCCESS
                                            : CUDA_ERROR_INVALID_VALUE;
    }
    if (type != MEM_ARRAY)
        return CUDA_ERROR_INVALID_VALUE;
    struct res *r = known_res(arr);
    if (!r || !r->image)
        return CUDA_ERROR_INVALID_HANDLE;
    if (!r->mapped) {
        violation("a copy uses the array of texture %u, which is not "
                  "mapped", r->name);
        return CUDA_ERROR_NOT_MAPPED;
    }
    if (x % (size_t)r->bpp || width % (size_t)r->bpp ||
        x + width > (size_t)r->w * (size_t)r->bpp ||
        y + height > (size_t)r->h)
        return CUDA_ERROR_INVALID_VALUE;
    *res = r;
    return CUDA_SUCCESS;
}

/* The source rows of c, tightly packed (WidthInBytes x Height). */
static unsigned char *read_source(const CUDA_MEMCPY2D *c)
{
    size_t w = c->WidthInBytes, h = c->Height;
    unsigned char *out = malloc(w * h);
    if (c->srcMemoryType == MEM_ARRAY) {
        struct res *r = c->srcArray;
        size_t row = (size_t)r->w * (size_t)r->bpp;
        unsigned char *all = malloc(row * (size_t)r->h);
        struct gl_state s;
        gl_save(&s);
        glBindTexture(GL_TEXTURE_2D, r->name);
        glGetTexImage(GL_TEXTURE_2D, 0, r->format, r->type, all);
        gl_restore(&s);
        for (size_t i = 0; i < h; i++)
            memcpy(out + i * w, all + (c->srcY + i) * row + c->srcXInBytes,
                   w);
        free(all);
        return out;
    }
    const unsigned char *src = c->srcMemoryType == MEM_HOST
                                   ? c->srcHost
                                   : (const void *)(uintptr_t)c->srcDevice;
    size_t pitch = h > 1 ? c->srcPitch : w;
    for (size_t i = 0; i < h; i++)
        memcpy(out + i * w, src + (c->srcY + i) * pitch + c->srcXInBytes,
               w);
    return out;
}

static void write_dest(const CUDA_MEMCPY2D *c, const unsigned char *rows)
{
    size_t w = c->WidthInBytes, h = c->Height;
    if (c->dstMemoryType == MEM_ARRAY) {
        struct res *r = c->dstArray;
        struct gl_state s;
        gl_save(&s);
        glBindTexture(GL_TEXTURE_2D, r->name);
        glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)(c->dstXInBytes /
                                                  (size_t)r->bpp),
                        (GLint)c->dstY, (GLsizei)(w / (size_t)r->bpp),
                        (GLsizei)h, r->format, r->type, rows);
        gl_restore(&s);
        return;
    }
    unsigned char *dst = c->dstMemoryType == MEM_HOST
                             ? c->dstHost
                             : (void *)(uintptr_t)c->dstDevice;
    size_t pitch = h > 1 ? c->dstPitch : w;
    for (size_t i = 0; i < h; i++)
        memcpy(dst + (c->dstY + i) * pitch + c->dstXInBytes, rows + i * w,
               w);
}

static void execute(struct op *o)
{
    if (!o->snap) {
        if ((o->src_res && !o->src_res->mapped) ||
            (o->dst_res && !o->dst_res->mapped))
            violation("a queued copy runs after its resource was unmapped");
        else
            o->snap = read_source(&o->c);
    }
    if (o->snap)
        write_dest(&o->c, o->snap);
    free(o->snap);
    free(o);
}

static void flush(struct stream *s)
{
    while (s->head) {
        struct op *o = s->head;
        s->head = o->next;
        execute(o);
    }
    s->tail = &s->head;
}

/* The legacy stream and every blocking stream, or every stream. (Only
 * one side ever has work queued: see wait_implicitly.) */
static void flush_all(bool blocking_only)
{
    flush(&fk.legacy);
    for (struct stream *s = fk.streams; s; s = s->next)
        if (!blocking_only || !(s->flags & STREAM_NON_BLOCKING))
            flush(s);
}

/* Before work joins q: the legacy stream's work waits for what blocking
 * streams have queued, and a blocking stream's for the legacy stream's. */
static void wait_implicitly(struct stream *q)
{
    if (q == &fk.legacy) {
        for (struct stream *s = fk.streams; s; s = s->next)
            if (!(s->flags & STREAM_NON_BLOCKING))
                flush(s);
    } else if (!(q->flags & STREAM_NON_BLOCKING)) {
        flush(&fk.legacy);
    }
}

/* Queues c on stream s, or runs it now when it is synchronous. */
static CUresult submit(const CUDA_MEMCPY2D *c, CUstream s, bool async)
{
    struct stream *q = queue_of(s);
    if (!q)
        return CUDA_ERROR_INVALID_HANDLE;
    if (c->WidthInBytes == 0 || c->Height == 0)
        return CUDA_SUCCESS;
    struct op *o = calloc(1, sizeof(*o));
    o->c = *c;
    CUresult r = check_side(c->srcMemoryType, c->srcDevice, c->srcArray,
                            c->srcXInBytes, c->srcY, c->srcPitch,
                            c->WidthInBytes, c->Height, &o->src_res);
    if (r == CUDA_SUCCESS)
        r = check_side(c->dstMemoryType, c->dstDevice, c->dstArray,
                       c->dstXInBytes, c->dstY, c->dstPitch,
                       c->WidthInBytes, c->Height, &o->dst_res);
    if (r != CUDA_SUCCESS) {
        free(o);
        return r;
    }
    wait_implicitly(q);
    if (!async) {
        flush(q);
        execute(o);
        return CUDA_SUCCESS;
    }
    if (q == &fk.legacy)
        fk.default_ops++;
    if (c->srcMemoryType == MEM_HOST)
        o->snap = read_source(c);
    *q->tail = o;
    q->tail = &o->next;
    return CUDA_SUCCESS;
}

static CUresult linear(CUdeviceptr dst, int dst_type, void *dst_host,
                       CUdeviceptr src, int src_type, const void *src_host,
                       size_t n, CUstream s, bool async, const char *call)
{
    CUresult r = ready(call);
    if (r != CUDA_SUCCESS)
        return r;
    CUDA_MEMCPY2D c = {
        .srcMemoryType = src_type, .srcDevice = src, .srcHost = src_host,
        .dstMemoryType = dst_type, .dstDevice = dst, .dstHost = dst_host,
        .WidthInBytes = n, .Height = 1, .srcPitch = n, .dstPitch = n,
    };
    return submit(&c, s, async);
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n)
{
    return linear(dst, MEM_DEVICE, NULL, 0, MEM_HOST, src, n, NULL, false,
                  "cuMemcpyHtoD");
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n)
{
    return linear(0, MEM_HOST, dst, src, MEM_DEVICE, NULL, n, NULL, false,
                  "cuMemcpyDtoH");
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n)
{
    return linear(dst, MEM_DEVICE, NULL, src, MEM_DEVICE, NULL, n, NULL,
                  false, "cuMemcpyDtoD");
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n,
                              CUstream s)
{
    return linear(dst, MEM_DEVICE, NULL, 0, MEM_HOST, src, n, s, true,
                  "cuMemcpyHtoDAsync");
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n,
                              CUstream s)
{
    return linear(dst, MEM_DEVICE, NULL, src, MEM_DEVICE, NULL, n, s, true,
                  "cuMemcpyDtoDAsync");
}

CUresult cuMemcpy2DAsync_v2(const CUDA_MEMCPY2D *c, CUstream s)
{
    CUresult r = ready("cuMemcpy2DAsync");
    return r != CUDA_SUCCESS ? r : submit(c, s, true);
}

/* ---- streams ---- */

CUresult cuStreamCreate(CUstream *out, unsigned flags)
{
    CUresult r = ready("cuStreamCreate");
    if (r != CUDA_SUCCESS)
        return r;
    struct stream *s = calloc(1, sizeof(*s));
    s->flags = flags;
    s->tail = &s->head;
    s->next = fk.streams;
    fk.streams = s;
    *out = s;
    return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream s)
{
    for (struct stream **q = &fk.streams; *q; q = &(*q)->next)
        if (*q == s) {
            flush(s);
            *q = s->next;
            free(s);
            return CUDA_SUCCESS;
        }
    return CUDA_ERROR_INVALID_HANDLE;
}

CUresult cuStreamSynchronize(CUstream s)
{
    CUresult r = ready("cuStreamSynchronize");
    if (r != CUDA_SUCCESS)
        return r;
    struct stream *q = queue_of(s);
    if (!q)
        return CUDA_ERROR_INVALID_HANDLE;
    if (q == &fk.legacy)
        flush_all(true);
    else
        flush(q);
    return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void)
{
    CUresult r = ready("cuCtxSynchronize");
    if (r == CUDA_SUCCESS)
        flush_all(false);
    return r;
}

/* ---- graphics interop ---- */

static struct res *add_res(void)
{
    struct res *r = calloc(1, sizeof(*r));
    r->next = fk.resources;
    fk.resources = r;
    fk.registrations++;
    return r;
}

CUresult cuGraphicsGLRegisterImage(CUgraphicsResource *out, GLuint name,
                                   GLenum target, unsigned flags)
{
    (void)flags;
    CUresult r = ready("cuGraphicsGLRegisterImage");
    if (r != CUDA_SUCCESS)
        return r;
    GLint internal;
    int w, h, bpp;
    GLenum format, type;
    if (target != GL_TEXTURE_2D || !texture_spec(name, &internal, &w, &h) ||
        !image_format(internal, &bpp, &format, &type))
        return CUDA_ERROR_INVALID_VALUE;
    for (struct res *x = fk.resources; x; x = x->next)
        if (x->image && x->name == name)
            violation("texture %u registered a second time", name);
    struct res *res = add_res();
    res->image = true;
    res->name = name;
    res->internal = internal;
    res->w = w;
    res->h = h;
    res->bpp = bpp;
    res->format = format;
    res->type = type;
    *out = res;
    return CUDA_SUCCESS;
}

CUresult cuGraphicsGLRegisterBuffer(CUgraphicsResource *out, GLuint name,
                                    unsigned flags)
{
    (void)flags;
    CUresult r = ready("cuGraphicsGLRegisterBuffer");
    if (r != CUDA_SUCCESS)
        return r;
    size_t size;
    if (!buffer_size(name, &size) || size == 0)
        return CUDA_ERROR_INVALID_VALUE;
    struct res *res = add_res();
    res->name = name;
    res->size = size;
    *out = res;
    return CUDA_SUCCESS;
}

/* The object behind r is still what was registered; quietly: nothing
 * said or counted. */
static bool still(struct res *r)
{
    GLint internal;
    int w, h;
    size_t size;
    if (r->image)
        return texture_spec(r->name, &internal, &w, &h) &&
               internal == r->internal && w == r->w && h == r->h;
    return buffer_size(r->name, &size) && size == r->size;
}

/* The same, a violation when not. */
static bool unchanged(struct res *r)
{
    if (r->image) {
        GLint internal;
        int w, h;
        if (!texture_spec(r->name, &internal, &w, &h)) {
            violation("texture %u was deleted while registered", r->name);
            return false;
        }
        if (internal != r->internal || w != r->w || h != r->h) {
            violation("texture %u was re-specified while registered (%dx%d "
                      "0x%x, registered as %dx%d 0x%x)", r->name, w, h,
                      internal, r->w, r->h, r->internal);
            return false;
        }
        return true;
    }
    size_t size;
    if (!buffer_size(r->name, &size)) {
        violation("buffer %u was deleted while registered", r->name);
        return false;
    }
    if (size != r->size) {
        violation("buffer %u was re-specified while registered (%zu bytes, "
                  "registered with %zu)", r->name, size, r->size);
        return false;
    }
    return true;
}

/* The checks of a map (mapped: false) or an unmap (true). */
static CUresult map_args(const char *call, unsigned n, CUgraphicsResource *rs,
                         CUstream s, bool mapped)
{
    CUresult r = ready(call);
    if (r != CUDA_SUCCESS)
        return r;
    if (!queue_of(s))
        return CUDA_ERROR_INVALID_HANDLE;
    for (unsigned i = 0; i < n; i++) {
        struct res *x = known_res(rs[i]);
        if (!x)
            return CUDA_ERROR_INVALID_HANDLE;
        if (x->mapped != mapped)
            return mapped ? CUDA_ERROR_NOT_MAPPED : CUDA_ERROR_ALREADY_MAPPED;
    }
    return CUDA_SUCCESS;
}

CUresult cuGraphicsMapResources(unsigned n, CUgraphicsResource *rs,
                                CUstream s)
{
    CUresult r = map_args("cuGraphicsMapResources", n, rs, s, false);
    if (r != CUDA_SUCCESS)
        return r;
    for (unsigned i = 0; i < n; i++)
        if (!unchanged(rs[i]))
            return CUDA_ERROR_INVALID_VALUE;
    if (is_legacy(s))
        fk.default_ops++;
    for (unsigned i = 0; i < n; i++) {
        struct res *x = rs[i];
        x->mapped = true;
        if (!x->image) {
            struct gl_state st;
            x->shadow = malloc(x->size);
            gl_save(&st);
            glBindBuffer(GL_COPY_READ_BUFFER, x->name);
            glGetBufferSubData(GL_COPY_READ_BUFFER, 0, (GLsizeiptr)x->size,
                               x->shadow);
            gl_restore(&st);
        }
    }
    return CUDA_SUCCESS;
}

static bool touches(const struct op *o, const struct res *x)
{
    return o->src_res == x || o->dst_res == x;
}

/* Before x is unmapped on s: the work on s that OpenGL sees is done;
 * copies out of x into memory read x now and land when s is waited for.
 * Work on other streams that still needs x is a violation, done now. */
static void finish_others(struct stream *s, struct stream *q,
                          struct res *x)
{
    if (q == s)
        return;
    for (struct op *o = q->head; o; o = o->next)
        if (touches(o, x) && !o->snap) {
            violation("a copy on another stream still uses a resource "
                      "being unmapped");
            flush(q);
            return;
        }
}

static void finish_for_unmap(struct stream *s, struct res *x)
{
    finish_others(s, &fk.legacy, x);
    for (struct stream *q = fk.streams; q; q = q->next)
        finish_others(s, q, x);
    if (!s)
        return;
    /* Everything up to the last copy into a resource runs now. */
    struct op *last = NULL;
    for (struct op *o = s->head; o; o = o->next)
        if (o->dst_res)
            last = o;
    while (last && s->head) {
        struct op *o = s->head;
        s->head = o->next;
        if (!s->head)
            s->tail = &s->head;
        bool done = o == last;
        execute(o);
        if (done)
            break;
    }
    for (struct op *o = s->head; o; o = o->next)
        if (o->src_res == x && !o->snap)
            o->snap = read_source(&o->c);
}

CUresult cuGraphicsUnmapResources(unsigned n, CUgraphicsResource *rs,
                                  CUstream s)
{
    CUresult r = map_args("cuGraphicsUnmapResources", n, rs, s, true);
    if (r != CUDA_SUCCESS)
        return r;
    if (is_legacy(s))
        fk.default_ops++;
    for (unsigned i = 0; i < n; i++) {
        struct res *x = rs[i];
        finish_for_unmap(queue_of(s), x);
        if (!x->image) {
            struct gl_state st;
            gl_save(&st);
            glBindBuffer(GL_COPY_READ_BUFFER, x->name);
            glBufferSubData(GL_COPY_READ_BUFFER, 0, (GLsizeiptr)x->size,
                            x->shadow);
            gl_restore(&st);
            free(x->shadow);
            x->shadow = NULL;
        }
        x->mapped = false;
    }
    return CUDA_SUCCESS;
}

CUresult cuGraphicsSubResourceGetMappedArray(CUarray *out,
                                             CUgraphicsResource res,
                                             unsigned index, unsigned level)
{
    CUresult r = ready("cuGraphicsSubResourceGetMappedArray");
    if (r != CUDA_SUCCESS)
        return r;
    struct res *x = known_res(res);
    if (!x)
        return CUDA_ERROR_INVALID_HANDLE;
    if (!x->mapped)
        return CUDA_ERROR_NOT_MAPPED;
    if (!x->image)
        return CUDA_ERROR_NOT_MAPPED_AS_ARRAY;
    if (index || level)
        return CUDA_ERROR_INVALID_VALUE;
    *out = x;
    return CUDA_SUCCESS;
}

CUresult cuGraphicsResourceGetMappedPointer_v2(CUdeviceptr *p, size_t *size,
                                               CUgraphicsResource res)
{
    CUresult r = ready("cuGraphicsResourceGetMappedPointer");
    if (r != CUDA_SUCCESS)
        return r;
    struct res *x = known_res(res);
    if (!x)
        return CUDA_ERROR_INVALID_HANDLE;
    if (!x->mapped)
        return CUDA_ERROR_NOT_MAPPED;
    if (x->image)
        return CUDA_ERROR_NOT_MAPPED_AS_POINTER;
    *p = (CUdeviceptr)(uintptr_t)x->shadow;
    *size = x->size;
    return CUDA_SUCCESS;
}

CUresult cuGraphicsUnregisterResource(CUgraphicsResource res)
{
    CUresult r = ready("cuGraphicsUnregisterResource");
    if (r != CUDA_SUCCESS)
        return r;
    for (struct res **q = &fk.resources; *q; q = &(*q)->next)
        if (*q == res) {
            struct res *x = *q;
            if (x->mapped) {
                violation("resource of %s %u unregistered while mapped",
                          x->image ? "texture" : "buffer", x->name);
                finish_for_unmap(NULL, x);
                free(x->shadow);
            }
            unchanged(x);
            *q = x->next;
            free(x);
            fk.registrations--;
            return CUDA_SUCCESS;
        }
    return CUDA_ERROR_INVALID_HANDLE;
}

/* ---- for tests ---- */

long fakecuda_stat(const char *name)
{
    if (!strcmp(name, "violations"))
        return fk.violations;
    if (!strcmp(name, "registrations"))
        return fk.registrations;
    if (!strcmp(name, "allocations"))
        return fk.allocations;
    if (!strcmp(name, "default_stream_ops"))
        return fk.default_ops;
    long n = 0;
    if (!strcmp(name, "stale")) {
        for (struct res *r = fk.resources; r; r = r->next)
            n += !still(r);
        return n;
    }
    if (!strcmp(name, "mapped")) {
        for (struct res *r = fk.resources; r; r = r->next)
            n += r->mapped;
        return n;
    }
    if (!strcmp(name, "queued")) {
        for (struct stream *s = fk.streams; s; s = s->next)
            for (struct op *o = s->head; o; o = o->next)
                n++;
        return n;
    }
    return -1;
}
