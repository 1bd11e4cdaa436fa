/* module_top.c: TOP images: size and format, reads (now and delayed),
 * uploads from Script TOPs, image files */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../base/util.h"
#include "../gpu/gpu.h"
#include "image.h"
#include "module.h"

/* ---- TOPs ---- */

/* A TOP that scripts read: one folded into the level after it (op_fold)
 * gets an image of its own first. */
static struct op *get_top(unsigned id)
{
    struct op *op = py_op_family(id, OP_TOP);
    if (op && op->fold_into)
        graph_unfold(op->graph, op);
    return op;
}

static PyObject *m_top_info(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_top(id);
    if (!op)
        return NULL;
    struct top_info ti;
    if (!op_top_info(op, &ti))
        Py_RETURN_NONE;
    return Py_BuildValue("(iiidsni)", ti.width, ti.height, ti.depth,
                         ti.aspect, ti.format, (Py_ssize_t)ti.gpu_bytes,
                         ti.newest_slice);
}

struct gpu_tex *py_top_image(struct op *op)
{
    if (!op->graph->gpu) {
        PyErr_Format(PyExc_RuntimeError, "%s: no GPU context (vitrine runs "
                     "TOPs only with a window or --headless)", op->path);
        return NULL;
    }
    if (op->fold_into) /* module_cuda's come here directly */
        graph_unfold(op->graph, op);
    if (!op->top.tex) {
        PyErr_Format(PyExc_RuntimeError, "%s has no image yet%s%s", op->path,
                     op->error ? ": " : "", op->error ? op->error : "");
        return NULL;
    }
    return op->top.tex;
}

/* top_read(id) -> (width, height, float32 RGBA bytes, bottom row first) */
static PyObject *m_top_read(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_top(id);
    struct gpu_tex *t = op ? py_top_image(op) : NULL;
    if (!t)
        return NULL;
    size_t n = (size_t)t->w * (size_t)t->h * 4;
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 4));
    if (!b)
        return NULL;
    gpu_read_float(t, (float *)PyBytes_AS_STRING(b));
    if (gpu_format_is_mono(t->format)) {
        /* A mono TOP reads as its value in r, g, b, as it is shown. */
        float *f = (float *)PyBytes_AS_STRING(b);
        for (size_t i = 0; i < n; i += 4)
            f[i + 1] = f[i + 2] = f[i];
    }
    return Py_BuildValue("(iiN)", t->w, t->h, b);
}

/* Delayed reads for numpyArray(delayed=True): the copy into a pixel
 * buffer starts now and is collected at the next call, so the frame that
 * asks never waits for the GPU. A few ops at a time, by op id. */
struct delayed_read {
    unsigned oid;
    GLuint pbo;
    GLsync fence;
    int w, h;
    bool mono;
};
static struct delayed_read delayed[16];

static struct delayed_read *delayed_slot(unsigned oid, bool make)
{
    struct graph *g = py_graph();
    struct delayed_read *free_slot = NULL;
    for (size_t i = 0; i < ARRAY_LEN(delayed); i++) {
        if (delayed[i].oid == oid && delayed[i].pbo)
            return &delayed[i];
        if (!free_slot && (!delayed[i].oid || !g ||
                           !graph_op_by_id(g, delayed[i].oid)))
            free_slot = &delayed[i];
    }
    if (!make)
        return NULL;
    if (!free_slot)
        free_slot = &delayed[oid % ARRAY_LEN(delayed)];
    if (free_slot->fence)
        glDeleteSync(free_slot->fence);
    free_slot->fence = NULL;
    free_slot->oid = oid;
    if (!free_slot->pbo)
        glGenBuffers(1, &free_slot->pbo);
    return free_slot;
}

/* top_read_delayed(id) -> the previous call's (w, h, bytes) or None; the
 * TOP's current image is queued for the next call. */
static PyObject *m_top_read_delayed(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_top(id);
    struct gpu_tex *t = op ? py_top_image(op) : NULL;
    if (!t)
        return NULL;
    PyObject *prev = Py_None;
    Py_INCREF(prev);
    struct delayed_read *d = delayed_slot(id, true);
    if (d->fence) {
        /* Normally long done: a frame or more has passed. */
        glClientWaitSync(d->fence, GL_SYNC_FLUSH_COMMANDS_BIT,
                         1000000000ull);
        glDeleteSync(d->fence);
        d->fence = NULL;
        size_t n = (size_t)d->w * (size_t)d->h * 4;
        glBindBuffer(GL_PIXEL_PACK_BUFFER, d->pbo);
        const float *src = glMapBufferRange(
            GL_PIXEL_PACK_BUFFER, 0, (GLsizeiptr)(n * sizeof(float)),
            GL_MAP_READ_BIT);
        if (src) {
            PyObject *b = PyBytes_FromStringAndSize(
                NULL, (Py_ssize_t)(n * sizeof(float)));
            if (b) {
                float *f = (float *)PyBytes_AS_STRING(b);
                memcpy(f, src, n * sizeof(float));
                if (d->mono)
                    for (size_t i = 0; i < n; i += 4)
                        f[i + 1] = f[i + 2] = f[i];
                Py_DECREF(prev);
                prev = Py_BuildValue("(iiN)", d->w, d->h, b);
            }
            glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
        }
        glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    }
    size_t bytes = (size_t)t->w * (size_t)t->h * 4 * sizeof(float);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, d->pbo);
    glBufferData(GL_PIXEL_PACK_BUFFER, (GLsizeiptr)bytes, NULL,
                 GL_STREAM_READ);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    glReadPixels(0, 0, t->w, t->h, GL_RGBA, GL_FLOAT, NULL);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    d->fence = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
    d->w = t->w;
    d->h = t->h;
    d->mono = gpu_format_is_mono(t->format);
    return prev;
}

/* top_upload(id, buffer, h, w, channels, kind): kind 0 uint8, 1 uint16,
 * 2 float32; rows bottom first. The TOP's texture becomes w x h of the
 * matching format. */
static PyObject *m_top_upload(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    Py_buffer buf;
    int h, w, ch, kind;
    if (!PyArg_ParseTuple(args, "Iy*iiii", &id, &buf, &h, &w, &ch, &kind))
        return NULL;
    struct op *op = py_op(id);
    static const size_t comp[] = {1, 2, 4};
    static const GLenum types[] = {GL_UNSIGNED_BYTE, GL_UNSIGNED_SHORT,
                                   GL_FLOAT};
    PyObject *ret = NULL;
    if (!op)
        goto out;
    struct gpu *gpu = op->graph->gpu;
    if (!gpu) {
        PyErr_Format(PyExc_RuntimeError, "%s: no GPU context", op->path);
        goto out;
    }
    if (w < 1 || h < 1 || w > gpu->max_tex_size || h > gpu->max_tex_size) {
        PyErr_Format(PyExc_ValueError, "%s: %dx%d is outside 1x1 to %dx%d, "
                     "the largest texture this GPU makes", op->path, w, h,
                     gpu->max_tex_size, gpu->max_tex_size);
        goto out;
    }
    if ((size_t)buf.len != (size_t)w * h * ch * comp[kind]) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes for %dx%dx%d",
                     op->path, buf.len, h, w, ch);
        goto out;
    }
    /* 8-bit data stays 8-bit; 16-bit and float data need float32 to keep
     * every value (there is no 16-bit fixed format in the pool). */
    enum gpu_format f = kind == 0 ? (ch == 1 ? GPU_R8 : GPU_RGBA8)
                                  : (ch == 1 ? GPU_R32F : GPU_RGBA32F);
    struct gpu_tex *t = op->top.tex;
    if (!t || t->w != w || t->h != h || t->format != f) {
        char why[256];
        if (!gpu_tex_fits(gpu, w, h, f, t, why, sizeof(why))) {
            PyErr_Format(PyExc_ValueError, "%s.copyNumpyArray(): %s",
                         op->path, why);
            goto out;
        }
        if (t)
            gpu_tex_release(gpu, &op->top.tex);
        t = op->top.tex = gpu_tex_acquire(gpu, w, h, f);
    }
    gpu_upload(gpu, t, buf.buf, ch, types[kind]);
    op->out_version++;
    ret = Py_None;
    Py_INCREF(ret);
out:
    PyBuffer_Release(&buf);
    return ret;
}

/* top_encode(id, extension, quality) -> bytes of an image file */
static PyObject *m_top_encode(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *ext;
    double quality;
    if (!PyArg_ParseTuple(args, "Isd", &id, &ext, &quality))
        return NULL;
    struct op *op = get_top(id);
    struct gpu_tex *t = op ? py_top_image(op) : NULL;
    if (!t)
        return NULL;
    size_t n = (size_t)t->w * (size_t)t->h * 4;
    float *px = xmalloc(n * sizeof(float));
    gpu_read_float(t, px);
    if (gpu_format_is_mono(t->format))
        for (size_t i = 0; i < n; i += 4) {
            px[i + 1] = px[i + 2] = px[i];
            px[i + 3] = 1;
        }
    char err[256];
    size_t len = 0;
    unsigned char *data = image_encode(ext, px, t->w, t->h, quality, &len,
                                       err, sizeof(err));
    free(px);
    if (!data)
        return PyErr_Format(PyExc_ValueError, "%s: %s", op->path, err);
    PyObject *b = PyBytes_FromStringAndSize((const char *)data,
                                            (Py_ssize_t)len);
    free(data);
    return b;
}

/* image_decode(extension, bytes) -> (w, h, RGBA8 bytes, top row first) */
static PyObject *m_image_decode(PyObject *self, PyObject *args)
{
    (void)self;
    const char *ext;
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "sy*", &ext, &buf))
        return NULL;
    int w, h;
    char err[256];
    unsigned char *px = image_decode(buf.buf, (size_t)buf.len, &w, &h, err,
                                     sizeof(err));
    PyBuffer_Release(&buf);
    if (!px)
        return PyErr_Format(PyExc_ValueError, "cannot load %s data: %s",
                            ext, err);
    PyObject *b = PyBytes_FromStringAndSize((const char *)px,
                                            (Py_ssize_t)w * h * 4);
    free(px);
    return Py_BuildValue("(iiN)", w, h, b);
}

PyMethodDef py_top_methods[] = {
    {"top_info", m_top_info, METH_VARARGS, NULL},
    {"top_read", m_top_read, METH_VARARGS, NULL},
    {"top_read_delayed", m_top_read_delayed, METH_VARARGS, NULL},
    {"top_upload", m_top_upload, METH_VARARGS, NULL},
    {"top_encode", m_top_encode, METH_VARARGS, NULL},
    {"image_decode", m_image_decode, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
