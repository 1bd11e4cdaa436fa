/* module_dat.c: DAT text and tables, cell edits through the type's
 * set_cell, and the CellBase and DatBase types behind dat[r, c] */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../base/util.h"
#include "module.h"

/* ---- DATs ---- */

static struct op *get_dat(unsigned id)
{
    struct op *op = py_op_family(id, OP_DAT);
    if (op)
        op_sync(op);
    return op;
}

static PyObject *m_dat_text(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_dat(id);
    if (!op)
        return NULL;
    return py_str(op->dat.text ? op->dat.text : "");
}

/* dat_table(id) -> list of rows (lists of str); a text DAT is one column
 * of its lines. */
static PyObject *m_dat_table(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_dat(id);
    if (!op)
        return NULL;
    const struct dat_data *d = &op->dat;
    if (!d->is_table)
        Py_RETURN_NONE;
    PyObject *rows = PyList_New(d->nrows);
    for (int r = 0; rows && r < d->nrows; r++) {
        PyObject *row = PyList_New(d->ncols);
        for (int c = 0; row && c < d->ncols; c++)
            PyList_SET_ITEM(row, c, py_str(dat_cell(d, r, c)));
        PyList_SET_ITEM(rows, r, row);
    }
    return rows;
}

/* A row or column of a table by index (exact) or name (the first
 * column's, the header row's); -1 absent, -2 with an exception set when
 * the key is neither. */
static int cell_index(const struct dat_data *d, PyObject *k, bool col)
{
    if (PyLong_CheckExact(k)) {
        long i = PyLong_AsLong(k);
        if (i == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            return -1;
        }
        return i >= 0 && i < (col ? d->ncols : d->nrows) ? (int)i : -1;
    }
    if (PyUnicode_Check(k)) {
        const char *n = PyUnicode_AsUTF8(k);
        if (!n) {
            PyErr_Clear();
            return -1;
        }
        return col ? dat_col_index(d, n) : dat_row_index(d, n);
    }
    return -2;
}

/* dat_set_cell(id, row, col, text) -> False when the op's type edits no
 * cells in place or the cell is not in the table (td then rewrites the
 * table's text itself, or says what is wrong) */
static PyObject *m_dat_set_cell(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    int r, c;
    const char *text;
    if (!PyArg_ParseTuple(args, "Iiis", &id, &r, &c, &text))
        return NULL;
    struct op *op = get_dat(id);
    if (!op)
        return NULL;
    if (!op->type->set_cell)
        Py_RETURN_FALSE;
    char err[512];
    return PyBool_FromLong(op->type->set_cell(op, r, c, text, err,
                                              sizeof(err)) == 0);
}

/* dat_put(id, rows or text): a DAT's output made by its own script, in
 * its cook (a Script DAT's onCook): rows, a list of lists of text, or
 * text. */
static PyObject *m_dat_put(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    PyObject *what;
    if (!PyArg_ParseTuple(args, "IO", &id, &what))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    if (op->type->family != OP_DAT || op->graph->cooking != op)
        return PyErr_Format(PyExc_RuntimeError, "%s: a script makes this "
                            "DAT's table in its own onCook", op->path);
    if (PyUnicode_Check(what)) {
        const char *t = PyUnicode_AsUTF8(what);
        if (!t)
            return NULL;
        dat_set_text(&op->dat, t);
        Py_RETURN_NONE;
    }
    PyObject *rows = PySequence_Fast(what, "rows: a list of lists of text");
    if (!rows)
        return NULL;
    Py_ssize_t nr = PySequence_Fast_GET_SIZE(rows), nc = 0;
    for (Py_ssize_t r = 0; r < nr; r++) {
        PyObject *row = PySequence_Fast_GET_ITEM(rows, r);
        Py_ssize_t k = PyList_Check(row) ? PyList_GET_SIZE(row) : -1;
        if (k < 0) {
            Py_DECREF(rows);
            return PyErr_Format(PyExc_TypeError, "row %zd: a list", r);
        }
        if (k > nc)
            nc = k;
    }
    if ((double)nr * (double)nc > 16777216.0) {
        Py_DECREF(rows);
        return PyErr_Format(PyExc_ValueError, "%s: %zd x %zd cells is more "
                            "than a table holds (16,777,216)", op->path, nr,
                            nc);
    }
    const char **cells = xcalloc((size_t)(nr * nc) + 1, sizeof(*cells));
    int ok = 1;
    for (Py_ssize_t r = 0; ok && r < nr; r++) {
        PyObject *row = PySequence_Fast_GET_ITEM(rows, r);
        for (Py_ssize_t c = 0; ok && c < PyList_GET_SIZE(row); c++) {
            PyObject *v = PyList_GET_ITEM(row, c);
            if (!PyUnicode_Check(v)) {
                PyErr_Format(PyExc_TypeError, "cell [%zd, %zd]: text", r, c);
                ok = 0;
            } else if (!(cells[r * nc + c] = PyUnicode_AsUTF8(v))) {
                ok = 0;
            }
        }
    }
    if (ok)
        dat_set_cells(&op->dat, cells, (int)nr, (int)nc);
    free(cells);
    Py_DECREF(rows);
    if (!ok)
        return NULL;
    Py_RETURN_NONE;
}


/* CellBase: a table cell's value and place (td._Cell builds on it), so
 * that DatBase makes one without running Python. */
struct cell {
    PyObject_HEAD
    PyObject *val; /* text */
    int row, col;
    PyObject *dat; /* the DAT view, or None */
};

static PyTypeObject *cell_type; /* td._Cell, set by td */

static int cell_init(PyObject *self, PyObject *args, PyObject *kw)
{
    struct cell *c = (struct cell *)self;
    PyObject *val, *dat = Py_None;
    int row, col;
    static char *kws[] = {"val", "row", "col", "dat", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oii|O", kws, &val, &row,
                                     &col, &dat))
        return -1;
    Py_INCREF(val);
    Py_INCREF(dat);
    Py_XSETREF(c->val, val);
    Py_XSETREF(c->dat, dat);
    c->row = row;
    c->col = col;
    return 0;
}

static void cell_dealloc(PyObject *self)
{
    struct cell *c = (struct cell *)self;
    Py_CLEAR(c->val);
    Py_CLEAR(c->dat);
    Py_TYPE(self)->tp_free(self);
}

static PyMemberDef cell_members[] = {
    {"_val", T_OBJECT_EX, offsetof(struct cell, val), 0, NULL},
    {"row", T_INT, offsetof(struct cell, row), 0, NULL},
    {"col", T_INT, offsetof(struct cell, col), 0, NULL},
    {"_dat", T_OBJECT, offsetof(struct cell, dat), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject py_cell_base_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.CellBase",
    .tp_basicsize = sizeof(struct cell),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_init = cell_init,
    .tp_dealloc = cell_dealloc,
    .tp_members = cell_members,
};

static PyObject *m_set_cell_type(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *t;
    if (!PyArg_ParseTuple(args, "O!", &PyType_Type, &t))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)t, &py_cell_base_type))
        return PyErr_Format(PyExc_TypeError, "a CellBase subclass");
    Py_INCREF(t);
    Py_XSETREF(cell_type, (PyTypeObject *)t);
    Py_RETURN_NONE;
}

static unsigned view_id(PyObject *self)
{
    static PyObject *id_name;
    if (!id_name && !(id_name = PyUnicode_InternFromString("_id")))
        return 0;
    PyObject *idobj = PyObject_GetAttr(self, id_name);
    if (!idobj)
        return 0;
    unsigned oid = (unsigned)PyLong_AsUnsignedLong(idobj);
    Py_DECREF(idobj);
    return oid;
}

/* DatBase: dat[row, col] of a table by index or name, as a Cell, and
 * dat[row, col] = text where its type edits cells in place; anything
 * else is td's (DAT._getitem, DAT._setitem). A mixin for td.DAT. */
static PyObject *dat_subscript(PyObject *self, PyObject *key)
{
    if (PyTuple_CheckExact(key) && PyTuple_GET_SIZE(key) == 2 && cell_type) {
        unsigned oid = view_id(self);
        struct op *op = oid ? get_dat(oid) : NULL;
        if (!op)
            return NULL;
        const struct dat_data *d = &op->dat;
        int r = d->is_table ? cell_index(d, PyTuple_GET_ITEM(key, 0), false)
                            : -2;
        int c = d->is_table ? cell_index(d, PyTuple_GET_ITEM(key, 1), true)
                            : -2;
        if (r != -2 && c != -2) {
            const char *v = r >= 0 && c >= 0 ? dat_cell(d, r, c) : NULL;
            if (!v)
                Py_RETURN_NONE;
            struct cell *cl =
                (struct cell *)cell_type->tp_alloc(cell_type, 0);
            if (!cl)
                return NULL;
            cl->val = py_str(v);
            cl->row = r;
            cl->col = c;
            Py_INCREF(self);
            cl->dat = self;
            if (!cl->val)
                Py_CLEAR(cl);
            return (PyObject *)cl;
        }
    }
    return PyObject_CallMethod(self, "_getitem", "O", key);
}

static int dat_ass_subscript(PyObject *self, PyObject *key, PyObject *v)
{
    if (v && PyTuple_CheckExact(key) && PyTuple_GET_SIZE(key) == 2 &&
        PyLong_CheckExact(PyTuple_GET_ITEM(key, 0)) &&
        PyLong_CheckExact(PyTuple_GET_ITEM(key, 1)) &&
        (PyUnicode_CheckExact(v) || PyLong_CheckExact(v) ||
         PyFloat_CheckExact(v))) {
        unsigned oid = view_id(self);
        struct op *op = oid ? get_dat(oid) : NULL;
        if (!op)
            return -1;
        long r = PyLong_AsLong(PyTuple_GET_ITEM(key, 0));
        long c = PyLong_AsLong(PyTuple_GET_ITEM(key, 1));
        if (op->type->set_cell && r >= 0 && c >= 0 && r < op->dat.nrows &&
            c < op->dat.ncols && op->dat.is_table) {
            PyObject *s = PyUnicode_CheckExact(v) ? (Py_INCREF(v), v)
                                                  : PyObject_Str(v);
            const char *text = s ? PyUnicode_AsUTF8(s) : NULL;
            char err[256];
            int rc = text ? op->type->set_cell(op, (int)r, (int)c, text, err,
                                               sizeof(err))
                          : -2;
            Py_XDECREF(s);
            if (rc == -2)
                return -1;
            if (rc == 0)
                return 0;
        }
    }
    PyObject *res = v ? PyObject_CallMethod(self, "_setitem", "OO", key, v)
                      : PyObject_CallMethod(self, "_delitem", "O", key);
    Py_XDECREF(res);
    return res ? 0 : -1;
}

static PyMappingMethods dat_mapping = {
    .mp_subscript = dat_subscript,
    .mp_ass_subscript = dat_ass_subscript,
};

PyTypeObject py_dat_base_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.DatBase",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_as_mapping = &dat_mapping,
};

PyMethodDef py_dat_methods[] = {
    {"dat_text", m_dat_text, METH_VARARGS, NULL},
    {"dat_table", m_dat_table, METH_VARARGS, NULL},
    {"dat_put", m_dat_put, METH_VARARGS, NULL},
    {"set_cell_type", m_set_cell_type, METH_VARARGS, NULL},
    {"dat_set_cell", m_dat_set_cell, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
