/* module_op.c: `_vitrine`'s ops: finding, naming, wiring, cooking,
 * creating and destroying them, the registry's types, and the Finder
 * behind op() */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../graph/registry.h"
#include "module.h"

static PyObject *m_root(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    struct graph *g = py_graph();
    return PyLong_FromUnsignedLong(g ? g->root->id : 0);
}

/* find(base, path) -> id or 0: TouchDesigner's op() from base. */
static PyObject *m_find(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned base;
    const char *path;
    if (!PyArg_ParseTuple(args, "Is", &base, &path))
        return NULL;
    struct op *op = py_op(base);
    if (!op)
        return NULL;
    struct op *f = op_find(op, path);
    return PyLong_FromUnsignedLong(f ? f->id : 0);
}

static PyObject *m_find_all(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned base;
    const char *pattern;
    if (!PyArg_ParseTuple(args, "Is", &base, &pattern))
        return NULL;
    struct op *op = py_op(base);
    if (!op)
        return NULL;
    struct op *from = op->type->family == OP_COMP ? op : op->parent;
    if (!from)
        from = op;
    struct op **out = NULL;
    size_t n = 0, cap = 0;
    op_find_all(from, pattern, &out, &n, &cap);
    PyObject *l = py_id_list(out, n);
    free(out);
    return l;
}

static PyObject *m_alive(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct graph *g = py_graph();
    return PyBool_FromLong(g && graph_op_by_id(g, id));
}

/* info(id) -> (name, path, type, OPType, family, label, parent id,
 *              min inputs, max inputs, flags, file, line) */
static PyObject *m_info(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    const struct op_type *t = op->type;
    return Py_BuildValue("(ssssssIiiIzi)", op->name, op->path, t->name,
                         t->optype, op_family_name(t->family), t->label,
                         op->parent ? op->parent->id : 0u, t->min_inputs,
                         t->max_inputs, t->flags, op->src_file, op->src_line);
}

/* links(id) -> (children, inputs, outputs) as id lists */
static PyObject *m_links(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    return Py_BuildValue("(NNN)", py_id_list(op->children, op->nchildren),
                         py_id_list(op->inputs, op->ninputs),
                         py_id_list(op->outputs, op->noutputs));
}

/* stats(id) -> (cook count, cook frame, cook ms, error, warning,
 *               frame, seconds, rate) */
static PyObject *m_stats(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    struct graph *g = op->graph;
    return Py_BuildValue("(KLdzzLdd)", (unsigned long long)op->cook_count,
                         (long long)op->cook_frame, op->cook_ms, op->error,
                         op->warning, (long long)g->time.frame,
                         g->time.seconds, g->time.rate);
}

static PyObject *m_rename(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    char err[512];
    if (op_rename(op, name, err, sizeof(err)) != 0)
        return PyErr_Format(PyExc_ValueError, "%s: %s", op->path, err);
    Py_RETURN_NONE;
}

static PyObject *m_set_inputs(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    PyObject *list;
    if (!PyArg_ParseTuple(args, "IO!", &id, &PyList_Type, &list))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(list);
    struct op **ins = xcalloc((size_t)n + 1, sizeof(*ins));
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned long in = PyLong_AsUnsignedLong(PyList_GET_ITEM(list, i));
        if (PyErr_Occurred() || !(ins[i] = py_op((unsigned)in))) {
            free(ins);
            return NULL;
        }
        if (ins[i]->type->family != op->type->family) {
            PyErr_Format(PyExc_ValueError, "%s: input %zd, %s, is a %s; a "
                         "%s takes %ss", op->path, i, ins[i]->path,
                         op_family_name(ins[i]->type->family),
                         op->type->optype, op_family_name(op->type->family));
            free(ins);
            return NULL;
        }
    }
    char err[512];
    int rc = op_set_inputs(op, ins, (size_t)n, err, sizeof(err));
    free(ins);
    if (rc != 0)
        return PyErr_Format(PyExc_ValueError, "%s: %s", op->path, err);
    Py_RETURN_NONE;
}

static PyObject *m_cook(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    int force;
    if (!PyArg_ParseTuple(args, "Ip", &id, &force))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    if (op->in_cook)
        return PyErr_Format(PyExc_RuntimeError, "%s is cooking: cook() "
                            "from inside its own cook would never end",
                            op->path);
    /* its first cook this frame is the engine's time (shaders compile
     * then), not the script's; cooking it again and again is the
     * script's */
    bool first = op->pulled_frame != op->graph->time.frame;
    struct py_budget_hold h = first ? py_budget_hold()
                                    : (struct py_budget_hold){.left_ns = -2};
    if (force)
        graph_force_cook(op->graph, op);
    else
        graph_cook_op(op->graph, op);
    if (first)
        py_budget_continue(h);
    Py_RETURN_NONE;
}

/* create(parent id, OPType, name) -> the new op's id: an op made by a
 * script, until the network loads again */
static PyObject *m_create(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *optype, *name;
    if (!PyArg_ParseTuple(args, "Iss", &id, &optype, &name))
        return NULL;
    struct op *parent = py_op(id);
    if (!parent)
        return NULL;
    const struct op_type *t = registry_find(optype);
    if (!t) {
        const char *near = registry_suggest(optype);
        return PyErr_Format(PyExc_ValueError, "unknown operator type "
                            "'%s'%s%s%s", optype,
                            near ? "; did you mean '" : "", near ? near : "",
                            near ? "'?" : "");
    }
    if (parent->graph->cooking)
        return PyErr_Format(PyExc_RuntimeError, "%s cannot be made in %s "
                            "while %s cooks", name, parent->path,
                            parent->graph->cooking->path);
    char err[512];
    struct op *op = op_create(parent->graph, parent, t, name, err,
                              sizeof(err));
    if (!op)
        return PyErr_Format(PyExc_ValueError, "%s", err);
    return PyLong_FromUnsignedLong(op->id);
}

/* output([id]) -> the id of the op shown (0: none); given an id of a
 * TOP, shows that one instead (changeType() of the op shown) */
static PyObject *m_output(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id = 0;
    if (!PyArg_ParseTuple(args, "|I", &id))
        return NULL;
    struct graph *g = py_graph();
    if (!g)
        Py_RETURN_NONE;
    if (id) {
        struct op *op = py_op(id);
        if (!op)
            return NULL;
        if (op->type->family != OP_TOP)
            return PyErr_Format(PyExc_TypeError, "%s is a %s; the output "
                                "is a TOP", op->path, op->type->optype);
        g->output = op;
    }
    return PyLong_FromUnsignedLong(g->output ? g->output->id : 0);
}

static PyObject *m_destroy(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    if (!op->parent)
        return PyErr_Format(PyExc_ValueError, "%s is the root and cannot be "
                            "destroyed", op->path);
    if (op->graph->cooking)
        return PyErr_Format(PyExc_RuntimeError, "%s cannot be destroyed "
                            "while %s cooks", op->path,
                            op->graph->cooking->path);
    if (op == op->graph->output)
        op->graph->output = NULL;
    op_destroy(&op);
    Py_RETURN_NONE;
}

/* An error from a script, on its op: logged (with the traceback) only when
 * it differs from the op's current error. Empty message clears. */
static PyObject *m_set_error(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *msg, *tb;
    int warning;
    if (!PyArg_ParseTuple(args, "Issp", &id, &msg, &tb, &warning))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    if (warning) {
        if (*msg)
            op_set_warning(op, "%s", msg);
        else
            op_clear_warning(op);
        Py_RETURN_NONE;
    }
    if (!*msg) {
        if (op->error)
            op_clear_error(op);
        Py_RETURN_NONE;
    }
    /* the traceback with the line that says the error, not with each
     * time it came back */
    if (op_set_error(op, "%s", msg) && *tb)
        op_log(op, LOG_LEVEL_ERR, "%s", tb);
    Py_RETURN_NONE;
}

/* ops_with_hook(bit) -> ids of the ops whose type has that enum op_hook
 * bit: what td calls at each moment of the frame. */
/* op_info(id) -> {name: value}: what the op's type reports about it
 * (op_type.info), as an Info CHOP would show it; {} when it says nothing. */
static PyObject *m_op_info(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    struct op_info_item items[OP_INFO_MAX];
    size_t n = op->type->info ? op->type->info(op, items, OP_INFO_MAX) : 0;
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < n; i++) {
        PyObject *v = PyFloat_FromDouble(items[i].value);
        if (!v || PyDict_SetItemString(d, items[i].name, v) < 0) {
            Py_XDECREF(v);
            Py_CLEAR(d);
            break;
        }
        Py_DECREF(v);
    }
    return d;
}

/* op_act(id, what, text, num): an action of the op's type (op_type.act),
 * a RuntimeError with its message when it refuses. */
static PyObject *m_op_act(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *what, *text;
    double num;
    if (!PyArg_ParseTuple(args, "Issd", &id, &what, &text, &num))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    char err[512] = "";
    if (!op->type->act ||
        op->type->act(op, what, text, num, err, sizeof(err)) != 0) {
        PyErr_Format(PyExc_RuntimeError, "%s: %s", op->path,
                     err[0] ? err : "no such action");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *m_ops_with_hook(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned bit;
    if (!PyArg_ParseTuple(args, "I", &bit))
        return NULL;
    struct graph *g = py_graph();
    PyObject *l = PyList_New(0);
    for (size_t i = 0; g && l && i < g->nslots; i++) {
        struct op *op = g->slots[i];
        if (op && (op->type->hooks & bit)) {
            PyObject *v = PyLong_FromUnsignedLong(op->id);
            if (!v || PyList_Append(l, v) != 0)
                Py_CLEAR(l);
            Py_XDECREF(v);
        }
    }
    return l;
}

/* op_types() -> [(OPType, family, type name, its class's code or None,
 * the source's file name, enum op_hook bits)] of every registered type */
static PyObject *m_op_types(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    size_t n;
    const struct op_type *const *all = registry_all(&n);
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++) {
        const struct op_type *t = all[i];
        PyObject *code = t->python ? py_code(t->python_code,
                                             t->python_code_len, t->python,
                                             t->python_file)
                                   : Py_NewRef(Py_None);
        PyObject *item = code ? Py_BuildValue("(sssOzI)", t->optype,
                                              op_family_name(t->family),
                                              t->name, code, t->python_file,
                                              t->hooks)
                              : NULL;
        Py_XDECREF(code);
        if (!item) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, item);
    }
    return l;
}

/* ops_with_par(name) -> [(op id, value as text)] of the ops that have
 * parameter name set to something other than empty text (a shortcut, an
 * extension): what td finds ops by, without asking for their types. */
static PyObject *m_ops_with_par(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    struct graph *g = py_graph();
    PyObject *l = PyList_New(0);
    for (size_t i = 0; g && l && i < g->nslots; i++) {
        struct op *op = g->slots[i];
        struct par *p = op ? op_par(op, name) : NULL;
        if (!p)
            continue;
        char buf[512];
        const char *v = par_is_numeric(p) ? par_format(op, p, buf,
                                                       sizeof(buf))
                                          : par_get_string(op, p);
        if (!v || !*v || (p->def->kind == PAR_TOGGLE && !par_get_int(op, p)))
            continue;
        PyObject *t = Py_BuildValue("(IN)", op->id, py_str(v));
        if (!t || PyList_Append(l, t) != 0)
            Py_CLEAR(l);
        Py_XDECREF(t);
    }
    return l;
}


static uint64_t find_gen = 1;      /* bumped when ops or names change */
static PyObject *m_forget(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    find_gen++;
    Py_RETURN_NONE;
}

/* Finder: op() relative to one op, caching plain paths. */
struct finder {
    PyObject_HEAD
    unsigned oid;
    PyObject *cache; /* path -> OP */
    uint64_t gen;
    vectorcallfunc vectorcall; /* op('x') without building a tuple */
};

static PyObject *finder_vectorcall(PyObject *self, PyObject *const *args,
                                   size_t nargsf, PyObject *kwnames);

static int finder_init(PyObject *self, PyObject *args, PyObject *kw)
{
    struct finder *f = (struct finder *)self;
    unsigned oid = 0;
    if (kw || !PyArg_ParseTuple(args, "|I", &oid))
        return -1;
    f->oid = oid;
    f->vectorcall = finder_vectorcall;
    Py_XSETREF(f->cache, PyDict_New());
    return f->cache ? 0 : -1;
}

static void finder_dealloc(PyObject *self)
{
    struct finder *f = (struct finder *)self;
    Py_XDECREF(f->cache);
    Py_TYPE(self)->tp_free(self);
}

static bool plain_path(PyObject *s)
{
    const char *p = PyUnicode_AsUTF8(s);
    return p && !strpbrk(p, "*?[");
}

/* The Python side's lookup, with the arguments as a tuple. */
static PyObject *finder_slow(struct finder *f, PyObject *const *args,
                             size_t nargs)
{
    PyObject *tuple = PyTuple_New((Py_ssize_t)nargs);
    if (!tuple)
        return NULL;
    for (size_t i = 0; i < nargs; i++) {
        Py_INCREF(args[i]);
        PyTuple_SET_ITEM(tuple, (Py_ssize_t)i, args[i]);
    }
    PyObject *r = PyObject_CallFunction(py_hook_find, "IO", f->oid, tuple);
    Py_DECREF(tuple);
    return r;
}

static PyObject *finder_vectorcall(PyObject *self, PyObject *const *args,
                                   size_t nargsf, PyObject *kwnames)
{
    struct finder *f = (struct finder *)self;
    size_t nargs = PyVectorcall_NARGS(nargsf);
    if (!py_hook_find)
        return PyErr_Format(PyExc_RuntimeError, "td is not loaded");
    if (kwnames && PyTuple_GET_SIZE(kwnames))
        return PyErr_Format(PyExc_TypeError, "op() takes paths, not "
                            "keywords");
    if (nargs != 1 || !f->oid || !f->cache ||
        !PyUnicode_CheckExact(args[0]))
        return finder_slow(f, args, nargs);
    PyObject *path = args[0];
    if (f->gen != find_gen) {
        PyDict_Clear(f->cache);
        f->gen = find_gen;
    }
    PyObject *hit = PyDict_GetItemWithError(f->cache, path);
    if (hit) {
        Py_INCREF(hit);
        return hit;
    }
    if (PyErr_Occurred())
        return NULL;
    PyObject *r = finder_slow(f, args, nargs);
    if (r && r != Py_None && plain_path(path) &&
        PyDict_SetItem(f->cache, path, r) != 0) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* op.Name: TouchDesigner's Global OP Shortcuts, which td finds
 * (td._find_call(base, name) with a name instead of arguments). */
static PyObject *finder_getattro(PyObject *self, PyObject *name)
{
    PyObject *r = PyObject_GenericGetAttr(self, name);
    if (r || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return r;
    const char *n = PyUnicode_AsUTF8(name);
    if (!n || (n[0] == '_' && n[1] == '_') || !py_hook_find)
        return NULL;
    PyErr_Clear();
    return PyObject_CallFunction(py_hook_find, "IO",
                                 ((struct finder *)self)->oid, name);
}

PyTypeObject py_finder_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.Finder",
    .tp_basicsize = sizeof(struct finder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_new = PyType_GenericNew,
    .tp_init = finder_init,
    .tp_dealloc = finder_dealloc,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(struct finder, vectorcall),
    .tp_getattro = finder_getattro,
};

PyMethodDef py_op_methods[] = {
    {"root", m_root, METH_NOARGS, NULL},
    {"find", m_find, METH_VARARGS, NULL},
    {"find_all", m_find_all, METH_VARARGS, NULL},
    {"alive", m_alive, METH_VARARGS, NULL},
    {"info", m_info, METH_VARARGS, NULL},
    {"links", m_links, METH_VARARGS, NULL},
    {"stats", m_stats, METH_VARARGS, NULL},
    {"rename", m_rename, METH_VARARGS, NULL},
    {"set_inputs", m_set_inputs, METH_VARARGS, NULL},
    {"cook", m_cook, METH_VARARGS, NULL},
    {"destroy", m_destroy, METH_VARARGS, NULL},
    {"set_error", m_set_error, METH_VARARGS, NULL},
    {"ops_with_hook", m_ops_with_hook, METH_VARARGS, NULL},
    {"op_info", m_op_info, METH_VARARGS, NULL},
    {"op_act", m_op_act, METH_VARARGS, NULL},
    {"ops_with_par", m_ops_with_par, METH_VARARGS, NULL},
    {"create", m_create, METH_VARARGS, NULL},
    {"output", m_output, METH_VARARGS, NULL},
    {"op_types", m_op_types, METH_NOARGS, NULL},
    {"forget", m_forget, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
