/* module_osc.c: the runtime's OSC codec (engine/base/osc_codec.c) for
 * scripts: OSC In DAT arguments and sendOSC */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../base/osc_codec.h"
#include "../base/util.h"
#include "module.h"

#define ARRAY_DEPTH 16 /* arrays in arrays, as deep as a message may nest */
#define ADDR_MAX 512

struct osc_py {
    PyObject *stack[ARRAY_DEPTH]; /* lists: the arguments, then arrays */
    int depth;
    bool failed;
};

static void osc_py_arg(void *ctx, const struct osc_arg *a)
{
    struct osc_py *p = ctx;
    if (p->failed)
        return;
    if (a->type == '[') {
        PyObject *l = PyList_New(0);
        if (!l || p->depth + 1 >= ARRAY_DEPTH) {
            Py_XDECREF(l);
            p->failed = true;
            return;
        }
        p->stack[++p->depth] = l;
        return;
    }
    if (a->type == ']') {
        if (p->depth == 0)
            return;
        PyObject *l = p->stack[p->depth--];
        p->failed |= PyList_Append(p->stack[p->depth], l) != 0;
        Py_DECREF(l);
        return;
    }
    PyObject *v;
    switch (a->type) {
    case 'i': v = PyLong_FromLong(a->v.i); break;
    case 'h': v = PyLong_FromLongLong(a->v.h); break;
    case 'f': v = PyFloat_FromDouble(a->v.f); break;
    case 'd': v = PyFloat_FromDouble(a->v.d); break;
    case 's':
    case 'S':
        v = PyUnicode_DecodeUTF8(a->s, (Py_ssize_t)strlen(a->s), "replace");
        break;
    case 'b':
        v = PyBytes_FromStringAndSize(a->blob, (Py_ssize_t)a->blob_len);
        break;
    case 'c': {
        char c = (char)(a->v.c & 0x7f);
        v = PyUnicode_FromStringAndSize(&c, 1);
        break;
    }
    case 'r':
        v = Py_BuildValue("(iiii)", (int)(a->v.r >> 24),
                          (int)(a->v.r >> 16 & 255), (int)(a->v.r >> 8 & 255),
                          (int)(a->v.r & 255));
        break;
    case 'm':
        v = PyBytes_FromStringAndSize((const char *)a->v.m, 4);
        break;
    case 't':
        v = PyFloat_FromDouble((double)(a->v.t >> 32) +
                               (double)(a->v.t & 0xffffffffu) / 4294967296.0);
        break;
    case 'T': v = Py_NewRef(Py_True); break;
    case 'F': v = Py_NewRef(Py_False); break;
    case 'N': v = Py_NewRef(Py_None); break;
    case 'I': v = PyFloat_FromDouble(INFINITY); break;
    default: v = Py_NewRef(Py_None); break;
    }
    p->failed |= !v || PyList_Append(p->stack[p->depth], v) != 0;
    Py_XDECREF(v);
}

/* osc_parse(bytes) -> (address, [args]): one message, every OSC 1.0 type
 * as a Python value. */
static PyObject *m_osc_parse(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b;
    if (!PyArg_ParseTuple(args, "y*", &b))
        return NULL;
    struct osc_py p = {.stack = {PyList_New(0)}};
    char addr[ADDR_MAX];
    PyObject *r = NULL;
    if (!p.stack[0])
        goto out;
    if (osc_message_args(b.buf, (size_t)b.len, addr, sizeof(addr),
                         osc_py_arg, &p) != 0) {
        PyErr_SetString(PyExc_ValueError, "not an OSC message");
        goto out;
    }
    if (!p.failed)
        r = Py_BuildValue("(sO)", addr, p.stack[0]);
out:
    for (int i = p.depth; i > 0; i--)
        Py_XDECREF(p.stack[i]);
    Py_XDECREF(p.stack[0]);
    PyBuffer_Release(&b);
    return r;
}

static int osc_py_add(struct osc_out *o, PyObject *a, int depth)
{
    if (PyBool_Check(a)) {
        osc_out_bool(o, a == Py_True);
    } else if (a == Py_None) {
        osc_out_nil(o);
    } else if (PyLong_Check(a)) {
        long long v = PyLong_AsLongLong(a);
        if (v == -1 && PyErr_Occurred())
            return -1;
        osc_out_int(o, v);
    } else if (PyFloat_Check(a)) {
        osc_out_float(o, PyFloat_AsDouble(a));
    } else if (PyUnicode_Check(a)) {
        const char *s = PyUnicode_AsUTF8(a);
        if (!s)
            return -1;
        osc_out_string(o, s);
    } else if (PyBytes_Check(a) || PyByteArray_Check(a)) {
        Py_buffer b;
        if (PyObject_GetBuffer(a, &b, PyBUF_SIMPLE) != 0)
            return -1;
        osc_out_blob(o, b.buf, (size_t)b.len);
        PyBuffer_Release(&b);
    } else if (PyList_Check(a) || PyTuple_Check(a)) {
        if (depth >= 8) {
            PyErr_SetString(PyExc_ValueError, "OSC arrays nest 8 deep at "
                            "most");
            return -1;
        }
        osc_out_array(o, true);
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(a); i++)
            if (osc_py_add(o, PySequence_Fast_GET_ITEM(a, i), depth + 1) != 0)
                return -1;
        osc_out_array(o, false);
    } else {
        double v = PyFloat_AsDouble(a); /* anything else that is a number */
        if (v == -1 && PyErr_Occurred())
            return -1;
        osc_out_float(o, v);
    }
    return 0;
}

/* args: a list of values (one that is not a list: that value alone). */
static struct osc_out *osc_py_message(PyObject *args)
{
    struct osc_out *o = osc_out_new();
    PyObject *seq = PyList_Check(args) || PyTuple_Check(args)
                        ? Py_NewRef(args) : PyTuple_Pack(1, args);
    int rc = seq ? 0 : -1;
    for (Py_ssize_t i = 0; seq && rc == 0 && i < PySequence_Fast_GET_SIZE(seq);
         i++)
        rc = osc_py_add(o, PySequence_Fast_GET_ITEM(seq, i), 0);
    Py_XDECREF(seq);
    if (rc != 0)
        osc_out_free(&o);
    return o;
}

/* osc_message(address, args) -> bytes */
static PyObject *m_osc_message(PyObject *self, PyObject *args)
{
    (void)self;
    const char *addr;
    PyObject *vals;
    if (!PyArg_ParseTuple(args, "sO", &addr, &vals))
        return NULL;
    struct osc_out *o = osc_py_message(vals);
    if (!o)
        return NULL;
    size_t n;
    unsigned char *b = osc_out_message(o, addr, &n);
    osc_out_free(&o);
    PyObject *r = PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)n);
    free(b);
    return r;
}

/* osc_bundle([(address, args), ...], when) -> bytes; when: Unix seconds,
 * or None for immediately. */
static PyObject *m_osc_bundle(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *when;
    if (!PyArg_ParseTuple(args, "OO", &list, &when))
        return NULL;
    PyObject *seq = PySequence_Fast(list, "messages: a list of (address, "
                                    "args)");
    if (!seq)
        return NULL;
    uint64_t tt = 1;
    if (when != Py_None && PyObject_IsTrue(when)) {
        double w = PyFloat_AsDouble(when);
        if (w == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return NULL;
        }
        /* an OSC time tag counts 32-bit seconds from 1900: 1900..2036 */
        if (!(w >= -2208988800.0 && w < 4294967296.0 - 2208988800.0)) {
            Py_DECREF(seq);
            return PyErr_Format(PyExc_ValueError, "timeTag %R is not an "
                                "OSC time (Unix seconds between 1900 and "
                                "2036)", when);
        }
        tt = (uint64_t)((int64_t)floor(w) + 2208988800LL) << 32 |
             (uint64_t)((w - floor(w)) * 4294967296.0);
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    struct osc_out **msgs = xcalloc((size_t)n + 1, sizeof(*msgs));
    const char **addrs = xcalloc((size_t)n + 1, sizeof(*addrs));
    PyObject *r = NULL;
    Py_ssize_t i = 0;
    for (; i < n; i++) {
        PyObject *vals;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "sO",
                              &addrs[i], &vals) ||
            !(msgs[i] = osc_py_message(vals)))
            break;
    }
    if (i == n) {
        size_t len;
        unsigned char *b = osc_out_bundle(msgs, addrs, (int)n, tt, &len);
        r = PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)len);
        free(b);
    }
    for (Py_ssize_t k = 0; k < n; k++)
        osc_out_free(&msgs[k]);
    free(msgs);
    free(addrs);
    Py_DECREF(seq);
    return r;
}

PyMethodDef py_osc_methods[] = {
    {"osc_parse", m_osc_parse, METH_VARARGS, NULL},
    {"osc_message", m_osc_message, METH_VARARGS, NULL},
    {"osc_bundle", m_osc_bundle, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
