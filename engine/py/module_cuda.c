/* module_cuda.c: CUDA memory to and from TOPs (engine/gpu/cuda.c) */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../gpu/cuda.h"
#include "../gpu/gpu.h"
#include "module.h"

/* ---- CUDA ---- */

static PyObject *cuda_error(struct op *op, const char *why)
{
    return PyErr_Format(PyExc_RuntimeError, "CUDA is not available: %s "
                        "(%s)", why, op->path);
}

/* Whether CUDA copies can work. Starting CUDA, once, does not count
 * against the calling script's time budget. */
static bool cuda_ready(struct gpu *gpu, char *why, size_t n)
{
    if (gpu_cuda_known())
        return gpu_cuda_ready(gpu, why, n);
    bool armed = py_budget_pause();
    bool ok = gpu_cuda_ready(gpu, why, n);
    py_budget_resume(armed);
    return ok;
}

static PyObject *m_cuda_ready(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    struct graph *g = py_graph();
    char why[256];
    bool ok = cuda_ready(g ? g->gpu : NULL, why, sizeof(why));
    return Py_BuildValue("(Ns)", PyBool_FromLong(ok), ok ? "" : why);
}

/* A stream argument: None for vitrine's own, else a handle (an int). */
static int stream_arg(PyObject *o, uintptr_t *stream)
{
    if (o == Py_None) {
        *stream = GPU_CUDA_OWN_STREAM;
        return 0;
    }
    unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError, "a CUDA stream handle is an int "
                        "from 0 up");
        return -1;
    }
    *stream = (uintptr_t)v;
    return 0;
}

/* cuda_from_top(id, stream) -> (ptr, size, w, h, comps, elem, stream):
 * the TOP's image in new device memory, in the layout its format implies,
 * and the handle of the stream it was ordered on. */
static PyObject *m_cuda_from_top(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    PyObject *so;
    uintptr_t stream;
    if (!PyArg_ParseTuple(args, "IO", &id, &so) ||
        stream_arg(so, &stream) != 0)
        return NULL;
    struct op *op = py_op_family(id, OP_TOP);
    if (!op)
        return NULL;
    char err[512];
    if (!cuda_ready(op->graph->gpu, err, sizeof(err)))
        return cuda_error(op, err);
    struct gpu_tex *t = py_top_image(op);
    if (!t)
        return NULL;
    int comps = gpu_format_is_mono(t->format) ? 1 : 4;
    enum cuda_elem e = t->format == GPU_RGBA8 || t->format == GPU_R8
                           ? CUDA_U8 : CUDA_F32;
    uint64_t ptr;
    size_t size;
    if (gpu_cuda_from_texture(op->graph->gpu, t, comps, e, stream, &ptr,
                              &size, err, sizeof(err)) != 0)
        return PyErr_Format(PyExc_RuntimeError, "%s.cudaMemory(): %s",
                            op->path, err);
    return Py_BuildValue("(KniiIiK)", (unsigned long long)ptr,
                         (Py_ssize_t)size, t->w, t->h, comps, (int)e,
                         (unsigned long long)gpu_cuda_stream_handle(stream));
}

/* cuda_to_top(id, ptr, w, h, comps, elem, stream): device memory into a
 * Script TOP's texture of that size. */
static PyObject *m_cuda_to_top(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    unsigned long long ptr;
    int w, h, comps, elem;
    PyObject *so;
    uintptr_t stream;
    if (!PyArg_ParseTuple(args, "IKiiiiO", &id, &ptr, &w, &h, &comps, &elem,
                          &so) || stream_arg(so, &stream) != 0)
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    struct gpu *gpu = op->graph->gpu;
    char err[512];
    if (!cuda_ready(gpu, err, sizeof(err)))
        return cuda_error(op, err);
    if (w < 1 || h < 1 || w > gpu->max_tex_size || h > gpu->max_tex_size)
        return PyErr_Format(PyExc_ValueError, "%s: %dx%d is outside 1x1 to "
                            "%dx%d", op->path, w, h, gpu->max_tex_size,
                            gpu->max_tex_size);
    /* 8-bit stays 8-bit; 16-bit and float become float32 (mono: r8,
     * r32f). */
    enum gpu_format f = elem == CUDA_U8 ? (comps == 1 ? GPU_R8 : GPU_RGBA8)
                                        : (comps == 1 ? GPU_R32F
                                                      : GPU_RGBA32F);
    struct gpu_tex *t = op->top.tex;
    if (!t || t->w != w || t->h != h || t->format != f) {
        if (!gpu_tex_fits(gpu, w, h, f, t, err, sizeof(err)))
            return PyErr_Format(PyExc_ValueError, "%s.copyCUDAMemory(): %s",
                                op->path, err);
        if (t)
            gpu_tex_release(gpu, &op->top.tex);
        t = op->top.tex = gpu_tex_acquire(gpu, w, h, f);
    }
    if (gpu_cuda_to_texture(gpu, t, ptr, comps, (enum cuda_elem)elem,
                            stream, err, sizeof(err)) != 0)
        return PyErr_Format(PyExc_RuntimeError, "%s.copyCUDAMemory(): %s",
                            op->path, err);
    op->out_version++;
    Py_RETURN_NONE;
}

static PyObject *m_cuda_free(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned long long ptr;
    if (!PyArg_ParseTuple(args, "K", &ptr))
        return NULL;
    gpu_cuda_free(ptr);
    Py_RETURN_NONE;
}

static PyObject *m_cuda_sync(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *so = Py_None;
    uintptr_t stream;
    if (!PyArg_ParseTuple(args, "|O", &so) || stream_arg(so, &stream) != 0)
        return NULL;
    gpu_cuda_sync(stream);
    Py_RETURN_NONE;
}

static PyObject *m_cuda_registrations(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyLong_FromLong(gpu_cuda_registrations());
}

PyMethodDef py_cuda_methods[] = {
    {"cuda_ready", m_cuda_ready, METH_NOARGS, NULL},
    {"cuda_from_top", m_cuda_from_top, METH_VARARGS, NULL},
    {"cuda_to_top", m_cuda_to_top, METH_VARARGS, NULL},
    {"cuda_free", m_cuda_free, METH_VARARGS, NULL},
    {"cuda_sync", m_cuda_sync, METH_VARARGS, NULL},
    {"cuda_registrations", m_cuda_registrations, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
