/* module.c: `_vitrine`, the primitives td.py builds TouchDesigner's API
 * from. Ops are named by id (a stale id finds nothing, never another
 * op); every function checks the id and raises a Python exception that
 * names the op rather than failing. Parameters are read and written only
 * through par.c, the same code the network loader and OSC use.
 *
 * This file makes the module from the tables of the files beside it (one
 * concern each: module_op.c, module_par.c, module_chop.c, module_dat.c,
 * module_top.c, module_cuda.c, module_osc.c) and holds what they share:
 * the id lookups, the hooks td sets, the script budget's functions. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

#include "../base/log.h"
#include "module.h"

PyObject *py_str(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

struct op *py_op(unsigned id)
{
    struct graph *g = py_graph();
    struct op *op = g ? graph_op_by_id(g, id) : NULL;
    if (!op)
        PyErr_Format(PyExc_ReferenceError,
                     "the operator no longer exists (id %u)", id);
    return op;
}

struct op *py_op_cooked(unsigned id)
{
    struct op *op = py_op(id);
    if (op && op->graph->time.frame > 0 &&
        op->pulled_frame != op->graph->time.frame) {
        /* its first read this frame may cook it: the engine's time, not
         * the script's */
        struct py_budget_hold h = py_budget_hold();
        graph_cook_op(op->graph, op);
        py_budget_continue(h);
    }
    return op;
}

PyObject *py_id_list(struct op **ops, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++)
        PyList_SET_ITEM(l, (Py_ssize_t)i, PyLong_FromUnsignedLong(ops[i]->id));
    return l;
}
/* An op of this family, cooked first if it must be. */
struct op *py_op_family(unsigned id, enum op_family f)
{
    struct op *op = py_op_cooked(id);
    if (op && op->type->family != f) {
        PyErr_Format(PyExc_TypeError, "%s is a %s, not a %s", op->path,
                     op->type->optype, op_family_name(f));
        return NULL;
    }
    return op;
}


static PyObject *m_log(PyObject *self, PyObject *args)
{
    (void)self;
    int level;
    const char *prefix, *text;
    if (!PyArg_ParseTuple(args, "iss", &level, &prefix, &text))
        return NULL;
    log_msg(level, prefix, "%s", text);
    Py_RETURN_NONE;
}


static PyObject *m_version(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyUnicode_FromString(VITRINE_VERSION);
}


/* network() -> (file, folder) of the attached graph */
static PyObject *m_network(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    struct graph *g = py_graph();
    return Py_BuildValue("(ssO)", g && g->file ? g->file : "",
                         g && g->dir ? g->dir : ".",
                         !g || g->realtime ? Py_True : Py_False);
}


static PyObject *m_abs_time(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    struct graph *g = py_graph();
    if (!g)
        return Py_BuildValue("(Ldd)", 0LL, 0.0, 60.0);
    return Py_BuildValue("(Ldd)", (long long)g->abs.frame, g->abs.seconds,
                         g->abs.rate);
}


static PyObject *m_budget_ms(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyFloat_FromDouble(py_budget_ms());
}

static PyObject *m_missing_channel(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    const char *m = py_missing_channel();
    if (!m)
        Py_RETURN_NONE;
    return PyUnicode_FromString(m);
}

static PyObject *m_storage_max(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyLong_FromSize_t(py_storage_max());
}

static PyObject *m_budget_expired(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyBool_FromLong(py_budget_expired());
}

static PyObject *m_budget_defer(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyBool_FromLong(py_budget_defer());
}

static PyObject *m_budget_signal(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyLong_FromLong(py_budget_signal());
}

static PyObject *m_budget(PyObject *self, PyObject *args)
{
    (void)self;
    int on;
    if (!PyArg_ParseTuple(args, "p", &on))
        return NULL;
    if (on)
        py_budget_begin();
    else
        py_budget_end();
    Py_RETURN_NONE;
}

PyObject *py_hook_find;  /* td._find_call(base id, args) */
PyObject *py_hook_value; /* td._value(v): Par, Channel, OP -> value */
PyTypeObject *py_channel_type; /* td.Channel, set by td */
static PyObject *m_set_hooks(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *find, *value, *chan;
    if (!PyArg_ParseTuple(args, "OOO!", &find, &value, &PyType_Type, &chan))
        return NULL;
    Py_XDECREF(py_hook_find);
    Py_XDECREF(py_hook_value);
    Py_XDECREF(py_channel_type);
    Py_INCREF(find);
    Py_INCREF(value);
    Py_INCREF(chan);
    py_hook_find = find;
    py_hook_value = value;
    py_channel_type = (PyTypeObject *)chan;
    Py_RETURN_NONE;
}


static PyMethodDef methods[] = {
    {"log", m_log, METH_VARARGS, NULL},
    {"network", m_network, METH_NOARGS, NULL},
    {"version", m_version, METH_NOARGS, NULL},
    {"abs_time", m_abs_time, METH_NOARGS, NULL},
    {"budget", m_budget, METH_VARARGS, NULL},
    {"budget_ms", m_budget_ms, METH_NOARGS, NULL},
    {"storage_max", m_storage_max, METH_NOARGS, NULL},
    {"missing_channel", m_missing_channel, METH_NOARGS, NULL},
    {"budget_expired", m_budget_expired, METH_NOARGS, NULL},
    {"budget_signal", m_budget_signal, METH_NOARGS, NULL},
    {"budget_defer", m_budget_defer, METH_NOARGS, NULL},
    {"set_hooks", m_set_hooks, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_vitrine",
    "vitrine's primitives under td (TouchDesigner's API)", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyObject *py_module_init(void)
{
    static const struct {
        PyTypeObject *type;
        const char *name;
    } types[] = {
        {&py_finder_type, "Finder"},
        {&py_pars_type, "ParsBase"},
        {&py_channel_base_type, "ChannelBase"},
        {&py_chop_base_type, "ChopBase"},
        {&py_cell_base_type, "CellBase"},
        {&py_dat_base_type, "DatBase"},
    };
    PyMethodDef *const tables[] = {
        py_op_methods,   py_par_methods, py_chop_methods, py_dat_methods,
        py_top_methods,  py_cuda_methods, py_osc_methods,
    };
    static const struct {
        const char *name;
        long bit;
    } hooks[] = {
        {"HOOK_START", OP_HOOK_START},
        {"HOOK_FRAME_START", OP_HOOK_FRAME_START},
        {"HOOK_COOKED", OP_HOOK_COOKED},
        {"HOOK_PARS", OP_HOOK_PARS},
        {"HOOK_PULSE", OP_HOOK_PULSE},
        {"HOOK_FRAME_END", OP_HOOK_FRAME_END},
        {"HOOK_EXIT", OP_HOOK_EXIT},
    };
    PyObject *m = PyModule_Create(&module);
    for (size_t i = 0; m && i < sizeof(hooks) / sizeof(hooks[0]); i++) {
        if (PyModule_AddIntConstant(m, hooks[i].name, hooks[i].bit) != 0)
            Py_CLEAR(m);
    }
    for (size_t i = 0; m && i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (PyModule_AddFunctions(m, tables[i]) != 0)
            Py_CLEAR(m);
    }
    for (size_t i = 0; m && i < sizeof(types) / sizeof(types[0]); i++) {
        if (PyType_Ready(types[i].type) != 0 ||
            PyModule_AddObjectRef(m, types[i].name,
                                  (PyObject *)types[i].type) != 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}
