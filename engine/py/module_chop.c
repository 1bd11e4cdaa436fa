/* module_chop.c: CHOP channels and samples, and the ChannelBase and
 * ChopBase types behind td's Channel and CHOP */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../base/util.h"
#include "module.h"

static struct op *get_chop(unsigned id) { return py_op_family(id, OP_CHOP); }

/* chop_info(id) -> (names, samples, rate) */
static PyObject *m_chop_info(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_chop(id);
    if (!op)
        return NULL;
    const struct chop_data *c = &op->chop;
    PyObject *names = PyTuple_New(c->nchan);
    for (int i = 0; names && i < c->nchan; i++)
        PyTuple_SET_ITEM(names, i, py_str(c->names[i]));
    return Py_BuildValue("(Nid)", names, c->nsamples, c->rate);
}

/* chop_events(id) -> [(name, value), ...] the values an input CHOP took
 * this frame, in order; None for a CHOP that keeps no events. */
static PyObject *m_chop_events(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_chop(id);
    if (!op)
        return NULL;
    const struct chop_events *e = op->chop.events;
    if (!e)
        Py_RETURN_NONE;
    int n = e->frame == op->graph->time.frame ? e->n : 0;
    PyObject *list = PyList_New(n);
    for (int i = 0; list && i < n; i++)
        PyList_SET_ITEM(list, i, Py_BuildValue("(sd)", e->names[i],
                                               e->vals[i]));
    return list;
}

/* chop_value(id, index) -> the channel's last sample */
static PyObject *m_chop_value(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    int idx;
    if (!PyArg_ParseTuple(args, "Ii", &id, &idx))
        return NULL;
    struct op *op = get_chop(id);
    if (!op)
        return NULL;
    const struct chop_data *c = &op->chop;
    if (idx < 0 || idx >= c->nchan || c->nsamples < 1)
        return PyErr_Format(PyExc_IndexError, "%s has %d channel%s; there "
                            "is no channel %d", op->path, c->nchan,
                            c->nchan == 1 ? "" : "s", idx);
    return PyFloat_FromDouble(chop_value(c, idx));
}

/* chop_index(id, name) -> index or -1 */
static PyObject *m_chop_index(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op = get_chop(id);
    if (!op)
        return NULL;
    return PyLong_FromLong(chop_find_name(&op->chop, name));
}

/* chop_samples(id) -> bytes of float64, channel-major */
static PyObject *m_chop_samples(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_chop(id);
    if (!op)
        return NULL;
    const struct chop_data *c = &op->chop;
    return PyBytes_FromStringAndSize(
        (const char *)c->vals,
        (Py_ssize_t)((size_t)c->nchan * (size_t)c->nsamples *
                     sizeof(double)));
}

/* chop_store(id, names, samples, rate, float64 buffer): a script CHOP's
 * output. */
static PyObject *m_chop_store(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    PyObject *names;
    int nsamples;
    double rate;
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "IO!idy*", &id, &PyList_Type, &names,
                          &nsamples, &rate, &buf))
        return NULL;
    struct op *op = py_op(id);
    Py_ssize_t n = PyList_GET_SIZE(names);
    if (!op || (size_t)buf.len != (size_t)n * (size_t)nsamples *
                                      sizeof(double)) {
        if (op)
            PyErr_Format(PyExc_ValueError, "%s: %zd channels of %d samples "
                         "need %zu bytes, not %zd", op->path, n, nsamples,
                         (size_t)n * (size_t)nsamples * sizeof(double),
                         buf.len);
        PyBuffer_Release(&buf);
        return NULL;
    }
    struct chop_data *c = &op->chop;
    chop_resize(c, (int)n, nsamples);
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *s = PyUnicode_AsUTF8(PyList_GET_ITEM(names, i));
        if (!s) {
            PyBuffer_Release(&buf);
            return NULL;
        }
        c->names[i] = strpool_intern(&op->graph->names, s);
    }
    c->rate = rate;
    memcpy(c->vals, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    Py_RETURN_NONE;
}


/* ChannelBase: one channel of a CHOP; float() and eval() read its last
 * sample (cooking the CHOP first if it must). */
struct channel {
    PyObject_HEAD
    unsigned oid;
    int index;
};

static PyObject *channel_new(PyTypeObject *type, PyObject *args,
                             PyObject *kw)
{
    unsigned oid;
    int index;
    if (kw || !PyArg_ParseTuple(args, "Ii", &oid, &index))
        return NULL;
    struct channel *c = (struct channel *)type->tp_alloc(type, 0);
    if (c) {
        c->oid = oid;
        c->index = index;
    }
    return (PyObject *)c;
}

static PyObject *channel_float(PyObject *self)
{
    struct channel *c = (struct channel *)self;
    struct op *op = get_chop(c->oid);
    if (!op)
        return NULL;
    const struct chop_data *d = &op->chop;
    if (c->index < 0 || c->index >= d->nchan || d->nsamples < 1)
        return PyErr_Format(PyExc_IndexError, "%s has %d channel%s; there "
                            "is no channel %d", op->path, d->nchan,
                            d->nchan == 1 ? "" : "s", c->index);
    return PyFloat_FromDouble(chop_value(d, c->index));
}

static PyObject *channel_eval(PyObject *self, PyObject *const *args,
                              Py_ssize_t nargs)
{
    if (nargs == 0)
        return channel_float(self);
    struct channel *c = (struct channel *)self;
    long i = PyLong_AsLong(args[0]);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    struct op *op = get_chop(c->oid);
    if (!op)
        return NULL;
    const struct chop_data *d = &op->chop;
    if (c->index < 0 || c->index >= d->nchan || i < 0 || i >= d->nsamples)
        return PyErr_Format(PyExc_IndexError, "%s: no sample %ld of channel "
                            "%d", op->path, i, c->index);
    return PyFloat_FromDouble(chop_chan((struct chop_data *)d,
                                        c->index)[i]);
}

static PyMethodDef channel_methods[] = {
    {"eval", (PyCFunction)(void (*)(void))channel_eval, METH_FASTCALL,
     "The channel's value (its last sample), or sample i with eval(i)."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef channel_members[] = {
    {"_id", T_UINT, offsetof(struct channel, oid), READONLY, NULL},
    {"_index", T_INT, offsetof(struct channel, index), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyNumberMethods channel_number = {
    .nb_float = channel_float,
};

PyTypeObject py_channel_base_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.ChannelBase",
    .tp_basicsize = sizeof(struct channel),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = channel_new,
    .tp_methods = channel_methods,
    .tp_members = channel_members,
    .tp_as_number = &channel_number,
};

/* ChopBase: chop[i] and chop['name'] as Channels (a mixin for td.CHOP,
 * whose views keep their id in `_id`). */
static PyObject *chop_subscript(PyObject *self, PyObject *key)
{
    static PyObject *id_name;
    if (!id_name && !(id_name = PyUnicode_InternFromString("_id")))
        return NULL;
    PyObject *idobj = PyObject_GetAttr(self, id_name);
    if (!idobj)
        return NULL;
    unsigned oid = (unsigned)PyLong_AsUnsignedLong(idobj);
    Py_DECREF(idobj);
    struct op *op = get_chop(oid);
    if (!op || !py_channel_type)
        return NULL;
    const struct chop_data *d = &op->chop;
    long i;
    if (PyLong_Check(key)) {
        i = PyLong_AsLong(key);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        if (i < 0)
            i += d->nchan;
        if (i < 0 || i >= d->nchan)
            return PyErr_Format(PyExc_IndexError, "%s has %d channel%s; "
                                "there is no channel %S", op->path, d->nchan,
                                d->nchan == 1 ? "" : "s", key);
    } else if (PyUnicode_Check(key)) {
        const char *name = PyUnicode_AsUTF8(key);
        if (!name)
            return NULL;
        i = chop_find_name(d, name);
        if (i < 0) {
            py_note_missing_channel(op->path, name);
            Py_RETURN_NONE;
        }
    } else {
        return PyErr_Format(PyExc_TypeError, "%s: channels are indexed by "
                            "number or name, not %s", op->path,
                            Py_TYPE(key)->tp_name);
    }
    struct channel *c =
        (struct channel *)py_channel_type->tp_alloc(py_channel_type, 0);
    if (c) {
        c->oid = oid;
        c->index = (int)i;
    }
    return (PyObject *)c;
}

static PyMappingMethods chop_mapping = {
    .mp_subscript = chop_subscript,
};

PyTypeObject py_chop_base_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.ChopBase",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_as_mapping = &chop_mapping,
};

PyMethodDef py_chop_methods[] = {
    {"chop_info", m_chop_info, METH_VARARGS, NULL},
    {"chop_events", m_chop_events, METH_VARARGS, NULL},
    {"chop_value", m_chop_value, METH_VARARGS, NULL},
    {"chop_index", m_chop_index, METH_VARARGS, NULL},
    {"chop_samples", m_chop_samples, METH_VARARGS, NULL},
    {"chop_store", m_chop_store, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
