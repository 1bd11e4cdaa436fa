/* module_par.c: parameters, read and written only through par.c (the
 * same code the network loader and OSC use), custom parameters, pulses,
 * and ParsBase behind op.par */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../base/util.h"
#include "module.h"

/* ---- parameters ---- */

static struct par *get_par(unsigned id, const char *name, struct op **out)
{
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    struct par *p = op_par(op, name);
    if (!p) {
        const char *near = op_par_suggest(op, name);
        if (near)
            PyErr_Format(PyExc_AttributeError, "%s (%s) has no parameter "
                         "'%s'; did you mean '%s'?", op->path,
                         op->type->optype, name, near);
        else
            PyErr_Format(PyExc_AttributeError, "%s (%s) has no parameter "
                         "'%s'", op->path, op->type->optype, name);
        return NULL;
    }
    *out = op;
    return p;
}

static PyObject *par_value(struct op *op, struct par *p)
{
    switch (p->def->kind) {
    case PAR_FLOAT:
    case PAR_RGBA:
        return PyFloat_FromDouble(par_get_double(op, p));
    case PAR_INT:
        return PyLong_FromLong(par_get_int(op, p));
    case PAR_TOGGLE:
    case PAR_PULSE:
        return PyBool_FromLong(par_get_int(op, p));
    case PAR_MENU:
        return py_str(par_get_string(op, p));
    default:
        return py_str(par_get_string(op, p));
    }
}

/* par_get(id, name) -> value: float, int, bool, menu name or text; an op
 * parameter gives its path (td turns it into an OP). */
static PyObject *m_par_get(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op;
    struct par *p = get_par(id, name, &op);
    if (!p)
        return NULL;
    /* Evaluating a parameter in expression or export mode evaluates the
     * expression or reads the channel now, as TouchDesigner's eval() does
     * (the source CHOP cooked first). */
    if (p->mode == PAR_MODE_EXPORT) {
        struct op *src = graph_op_by_id(op->graph, p->export_op);
        if (src && op->graph->time.frame > 0 && !op->graph->cooking)
            graph_cook_op(op->graph, src);
    }
    if (p->mode == PAR_MODE_EXPORT)
        graph_update_par(op->graph, op, p);
    /* An expression is evaluated by the caller (td's Par.eval), so that
     * its exception reaches the script: (expression,) instead of a
     * value. */
    if (p->mode == PAR_MODE_EXPRESSION)
        return Py_BuildValue("(s)", p->expr);
    return par_value(op, p);
}

static PyObject *par_error(struct op *op, enum par_err e, const char *err)
{
    PyObject *type = e == PAR_ERR_KIND ? PyExc_TypeError : PyExc_ValueError;
    /* PAR_ERR_DECL, _RANGE, _MENU, _REFUSED: ValueError */
    return PyErr_Format(type, "%s: %s", op->path, err);
}

/* Sets p from a Python number, bool or text (CONSTANT mode), by par.c's
 * policy for scripts. 0, or -1 with the exception set. */
static int par_set_py(struct op *op, struct par *p, PyObject *v)
{
    char err[512];
    struct par_value pv = {0};
    PyObject *s = NULL;
    if (PyFloat_CheckExact(v) && par_is_numeric(p)) {
        pv.has_num = true;
        pv.num = PyFloat_AS_DOUBLE(v);
    } else if (PyUnicode_Check(v) ||
               (PyNumber_Check(v) && !par_is_numeric(p))) {
        s = PyObject_Str(v); /* Python's text of it: 2, not 2.0000 */
        pv.text = s ? PyUnicode_AsUTF8(s) : NULL;
        if (!pv.text) { /* a lone surrogate has no UTF-8 */
            Py_XDECREF(s);
            return -1;
        }
    } else if (PyNumber_Check(v)) {
        pv.has_num = true;
        pv.num = PyFloat_AsDouble(v);
        if (pv.num == -1 && PyErr_Occurred())
            return -1;
    } else {
        PyErr_Format(PyExc_TypeError, "%s: '%s' takes a %s, not %s",
                     op->path, p->name, par_is_numeric(p) ? "number" : "text",
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    enum par_err e = par_write(op, p, &pv, PAR_FROM_SCRIPT, err, sizeof(err));
    Py_XDECREF(s);
    if (e) {
        par_error(op, e, err);
        return -1;
    }
    return 0;
}

/* par_set(id, name, value): a number, bool or text, CONSTANT mode. */
static PyObject *m_par_set(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    PyObject *v;
    if (!PyArg_ParseTuple(args, "IsO", &id, &name, &v))
        return NULL;
    struct op *op;
    struct par *p = get_par(id, name, &op);
    if (!p || par_set_py(op, p, v) != 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *m_par_expr(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name, *src;
    int is_export;
    if (!PyArg_ParseTuple(args, "Issp", &id, &name, &src, &is_export))
        return NULL;
    struct op *op;
    struct par *p = get_par(id, name, &op);
    if (!p)
        return NULL;
    char err[1024];
    enum par_err e = is_export ? par_set_export(op, p, src, err, sizeof(err))
                               : par_set_expr(op, p, src, err, sizeof(err));
    if (e)
        return PyErr_Format(e == PAR_ERR_KIND ? PyExc_SyntaxError
                                              : PyExc_ValueError,
                            "%s: %s.%s: %s", op->path, name,
                            is_export ? "export" : "expr", err);
    if (is_export) {
        char lerr[1024];
        if (graph_link(op->graph, lerr, sizeof(lerr)) != 0) {
            par_reset(op, p);
            return PyErr_Format(PyExc_ValueError, "%s: %s", op->path, lerr);
        }
        if (p->export_op == 0) {
            par_reset(op, p);
            return PyErr_Format(PyExc_ValueError, "%s: %s.export: no CHOP "
                                "'%s'", op->path, name, src);
        }
    }
    Py_RETURN_NONE;
}

/* par_mode(id, name) -> (mode, expr or None, export or None, the
 * parameter's own name when name is an alias) */
static PyObject *m_par_mode(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op;
    struct par *p = get_par(id, name, &op);
    if (!p)
        return NULL;
    return Py_BuildValue("(izzs)", (int)p->mode, p->expr, p->export_src,
                         p->name);
}

static PyObject *m_par_reset(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    int pulse;
    if (!PyArg_ParseTuple(args, "Isp", &id, &name, &pulse))
        return NULL;
    struct op *op;
    struct par *p = get_par(id, name, &op);
    if (!p)
        return NULL;
    if (pulse) {
        if (p->def->kind != PAR_PULSE)
            return PyErr_Format(PyExc_TypeError, "%s: '%s' is a %s "
                                "parameter, not a pulse", op->path, name,
                                par_kind_name(p->def->kind));
        par_pulse(op, p);
        op->has_pulse = true;
    } else {
        par_reset(op, p);
    }
    Py_RETURN_NONE;
}

static PyObject *m_par_names(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    PyObject *l = PyList_New((Py_ssize_t)op->npars);
    for (size_t i = 0; l && i < op->npars; i++)
        PyList_SET_ITEM(l, (Py_ssize_t)i,
                        PyUnicode_FromString(op->pars[i].name));
    return l;
}

/* par_aliases(id) -> {alias: name} for the parameters that have one */
static PyObject *m_par_aliases(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < op->npars; i++) {
        if (!op->pars[i].alias)
            continue;
        PyObject *v = PyUnicode_FromString(op->pars[i].name);
        if (!v || PyDict_SetItemString(d, op->pars[i].alias, v) != 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* par_info(id, name) -> (kind, label, page, default, normmin, normmax,
 *   min, max, clampmin, clampmax, menu names, menu labels, style name) */
static PyObject *m_par_info(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op;
    struct par *p = get_par(id, name, &op);
    if (!p)
        return NULL;
    const struct par_def *d = p->def;
    PyObject *names = PyList_New(0), *labels = PyList_New(0);
    for (const struct par_menu_item *m = d->menu; m && m->name; m++) {
        PyObject *a = PyUnicode_FromString(m->name);
        PyObject *b = PyUnicode_FromString(m->label);
        PyList_Append(names, a);
        PyList_Append(labels, b);
        Py_DECREF(a);
        Py_DECREF(b);
    }
    PyObject *def;
    if (!par_is_numeric(p))
        def = PyUnicode_FromString(d->def_str ? d->def_str : "");
    else if (d->kind == PAR_MENU)
        def = PyUnicode_FromString(PyList_GET_SIZE(names) >
                                           (Py_ssize_t)par_default(p)
                                       ? d->menu[(int)par_default(p)].name
                                       : "");
    else if (d->kind == PAR_TOGGLE || d->kind == PAR_PULSE)
        def = PyBool_FromLong(par_default(p) != 0);
    else if (d->kind == PAR_INT)
        def = PyLong_FromLong((long)par_default(p));
    else
        def = PyFloat_FromDouble(par_default(p));
    char label[256];
    snprintf(label, sizeof(label), "%s", d->label);
    if (d->count)
        snprintf(label, sizeof(label), "%s %d", d->label, p->seq);
    double lo = d->lim[0], hi = d->lim[1];
    if (lo == 0 && hi == 0) {
        lo = d->norm[0];
        hi = d->norm[1];
    }
    int size;
    const char *group = par_group(p, &size);
    return Py_BuildValue("(sssNddddNNNNiNzsi)", par_kind_name(d->kind), label,
                         par_page(op, p), def, d->norm[0], d->norm[1], lo,
                         hi, PyBool_FromLong((d->clamp & PAR_CLAMP_MIN) != 0),
                         PyBool_FromLong((d->clamp & PAR_CLAMP_MAX) != 0),
                         names, labels, p->comp,
                         PyBool_FromLong(par_is_custom(p)), d->style, group,
                         size);
}

/* Strings of a Python list, borrowed while the list lives; NULL with
 * the exception set. */
static const char **str_list(PyObject *l, size_t *n)
{
    Py_ssize_t k = PyList_Check(l) ? PyList_GET_SIZE(l) : -1;
    if (k < 0) {
        PyErr_SetString(PyExc_TypeError, "a list of strings");
        return NULL;
    }
    const char **out = xcalloc((size_t)k + 1, sizeof(*out));
    for (Py_ssize_t i = 0; i < k; i++)
        if (!(out[i] = PyUnicode_AsUTF8(PyList_GET_ITEM(l, i)))) {
            free(out);
            return NULL;
        }
    *n = (size_t)k;
    return out;
}

/* par_custom_add(id, name, style, label, page, size, defaults, default
 *   text, (min, max) or None, clamp bits, (normmin, normmax) or None,
 *   menu names, menu labels, replace) -> [parameter names] */
static PyObject *m_par_custom_add(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    struct par_decl d = {0};
    PyObject *defs, *lim, *norm, *mnames, *mlabels;
    int replace;
    if (!PyArg_ParseTuple(args, "IsszziOzOIOOOp", &id, &d.name, &d.style,
                          &d.label, &d.page, &d.size, &defs, &d.def_str, &lim,
                          &d.clamp, &norm, &mnames, &mlabels, &replace))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    for (Py_ssize_t i = 0; PyTuple_Check(defs) && i < 4 &&
                           i < PyTuple_GET_SIZE(defs); i++)
        d.def[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(defs, i));
    if ((lim != Py_None && !PyArg_ParseTuple(lim, "dd", &d.lim[0],
                                             &d.lim[1])) ||
        (norm != Py_None && !PyArg_ParseTuple(norm, "dd", &d.norm[0],
                                              &d.norm[1])) ||
        PyErr_Occurred())
        return NULL;
    d.has_lim = lim != Py_None;
    d.has_norm = norm != Py_None;
    size_t nl = 0;
    const char **names = str_list(mnames, &d.nmenu);
    const char **labels = names ? str_list(mlabels, &nl) : NULL;
    if (!labels) {
        free(names);
        return NULL;
    }
    d.menu_names = names;
    d.menu_labels = nl == d.nmenu ? labels : NULL;
    char err[1024];
    enum par_err e = par_custom_add(op, &d, replace, err, sizeof(err));
    free(names);
    free(labels);
    if (e)
        return par_error(op, e, err);
    struct par *p = par_custom_first(op, d.name);
    int size;
    par_group(p, &size);
    PyObject *l = PyList_New(size);
    for (int i = 0; l && i < size; i++)
        PyList_SET_ITEM(l, i, PyUnicode_FromString(p[i].name));
    return l;
}

/* par_custom_remove(id, name) -> whether there was such a group */
static PyObject *m_par_custom_remove(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    return PyBool_FromLong(par_custom_remove(op, name));
}

/* take_pulses() -> [(op id, parameter name)] pulsed since the last call */
static PyObject *m_take_pulses(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    struct graph *g = py_graph();
    struct graph_pulse *ps = NULL;
    size_t n = g ? graph_take_pulses(g, &ps) : 0;
    PyObject *l = PyList_New(0);
    for (size_t i = 0; i < n; i++) {
        PyObject *t = l ? Py_BuildValue("(Is)", ps[i].op, ps[i].par) : NULL;
        if (!t || PyList_Append(l, t) != 0)
            Py_CLEAR(l);
        Py_XDECREF(t);
        free(ps[i].par);
    }
    free(ps);
    return l;
}

/* par_pages(id, action, names) -> custom page names, after the action:
 * '' none, 'add', 'remove', 'sort' (names first, in that order), 'clear'
 * (every custom parameter and page) */
static PyObject *m_par_pages(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *action;
    PyObject *list;
    if (!PyArg_ParseTuple(args, "IsO!", &id, &action, &PyList_Type, &list))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    size_t n = 0;
    const char **names = str_list(list, &n);
    if (!names)
        return NULL;
    for (size_t i = 0; i < n && strcmp(action, "add") == 0; i++)
        par_page_add(op, names[i]);
    for (size_t i = 0; i < n && strcmp(action, "remove") == 0; i++)
        par_page_remove(op, names[i]);
    if (strcmp(action, "sort") == 0)
        par_pages_sort(op, names, n);
    if (strcmp(action, "clear") == 0)
        par_custom_clear(op);
    free(names);
    const char *const *pages;
    size_t np = par_pages(op, &pages);
    PyObject *l = PyList_New((Py_ssize_t)np);
    for (size_t i = 0; l && i < np; i++)
        PyList_SET_ITEM(l, (Py_ssize_t)i, PyUnicode_FromString(pages[i]));
    return l;
}

static PyObject *m_par_suggest(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op = py_op(id);
    if (!op)
        return NULL;
    const char *s = op_par_suggest(op, name);
    if (!s)
        Py_RETURN_NONE;
    return py_str(s);
}


/* ParsBase: op.par; assigning an attribute sets that parameter. The last
 * name set is remembered with its parameter: a script sets the same
 * parameter by the same (interned) name object every frame. */
struct pars {
    PyObject_HEAD
    unsigned oid;
    PyObject *last_name; /* held, so that identity means equality */
    struct par *last_par;
    uint32_t layout; /* op->pars_layout when last_par was found */
};

static int parsbase_init(PyObject *self, PyObject *args, PyObject *kw)
{
    unsigned oid;
    if (kw || !PyArg_ParseTuple(args, "I", &oid))
        return -1;
    ((struct pars *)self)->oid = oid;
    return 0;
}

static int pars_setattro(PyObject *self, PyObject *name, PyObject *v)
{
    struct pars *ps = (struct pars *)self;
    const char *n = PyUnicode_AsUTF8(name);
    if (!n)
        return -1;
    if (!v || n[0] == '_')
        return PyObject_GenericSetAttr(self, name, v);
    struct op *op;
    struct par *p;
    if (name == ps->last_name && (op = py_op(ps->oid)) != NULL &&
        op->pars_layout == ps->layout) {
        p = ps->last_par; /* the op is alive and its pars did not move */
    } else {
        p = get_par(ps->oid, n, &op);
        if (!p)
            return -1;
        if (PyUnicode_CHECK_INTERNED(name)) {
            Py_INCREF(name);
            Py_XSETREF(ps->last_name, name);
            ps->last_par = p;
            ps->layout = op->pars_layout;
        }
    }
    if (PyFloat_CheckExact(v) || PyLong_CheckExact(v) ||
        PyUnicode_CheckExact(v) || PyBool_Check(v) || !py_hook_value)
        return par_set_py(op, p, v);
    PyObject *val = PyObject_CallOneArg(py_hook_value, v);
    if (!val)
        return -1;
    int rc = par_set_py(op, p, val);
    Py_DECREF(val);
    return rc;
}

static void pars_dealloc(PyObject *self)
{
    Py_CLEAR(((struct pars *)self)->last_name);
    Py_TYPE(self)->tp_free(self);
}

static PyMemberDef pars_members[] = {
    {"_id", T_UINT, offsetof(struct pars, oid), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject py_pars_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.ParsBase",
    .tp_basicsize = sizeof(struct pars),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_init = parsbase_init,
    .tp_dealloc = pars_dealloc,
    .tp_setattro = pars_setattro,
    .tp_members = pars_members,
};

PyMethodDef py_par_methods[] = {
    {"par_get", m_par_get, METH_VARARGS, NULL},
    {"par_set", m_par_set, METH_VARARGS, NULL},
    {"par_expr", m_par_expr, METH_VARARGS, NULL},
    {"par_mode", m_par_mode, METH_VARARGS, NULL},
    {"par_aliases", m_par_aliases, METH_VARARGS, NULL},
    {"par_reset", m_par_reset, METH_VARARGS, NULL},
    {"par_names", m_par_names, METH_VARARGS, NULL},
    {"par_info", m_par_info, METH_VARARGS, NULL},
    {"par_custom_add", m_par_custom_add, METH_VARARGS, NULL},
    {"par_custom_remove", m_par_custom_remove, METH_VARARGS, NULL},
    {"par_pages", m_par_pages, METH_VARARGS, NULL},
    {"take_pulses", m_take_pulses, METH_NOARGS, NULL},
    {"par_suggest", m_par_suggest, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
