/* module.c: `_vitrine`, the primitives td.py builds TouchDesigner's API
 * from. Ops are named by id (a stale id finds nothing, never another
 * op); every function checks the id and raises a Python exception that
 * names the op rather than failing. Parameters are read and written only
 * through par.c, the same code the network loader and OSC use. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <math.h>
#include <string.h>

#include "../../control/osc.h"
#include "../base/log.h"
#include "../base/util.h"
#include "../gpu/cuda.h"
#include "../gpu/gpu.h"
#include "../graph/registry.h"
#include "../ops/top_util.h"
#include "image.h"
#include "py_internal.h"

/* ---- ops ---- */

/* C text as a str: never fails on bytes that are not UTF-8 (each
 * becomes U+FFFD), so that no element of a tuple or list is left NULL. */
static PyObject *text_obj(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static struct op *get_op(unsigned id)
{
    struct graph *g = py_graph();
    struct op *op = g ? graph_op_by_id(g, id) : NULL;
    if (!op)
        PyErr_Format(PyExc_ReferenceError,
                     "the operator no longer exists (id %u)", id);
    return op;
}

/* An op whose data is about to be read: cooked first if it must, as
 * TouchDesigner cooks an op whose data is asked for. */
static struct op *get_cooked(unsigned id)
{
    struct op *op = get_op(id);
    if (op && op->graph->time.frame > 0)
        graph_cook_op(op->graph, op);
    return op;
}

static PyObject *ids_list(struct op **ops, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++)
        PyList_SET_ITEM(l, (Py_ssize_t)i, PyLong_FromUnsignedLong(ops[i]->id));
    return l;
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
    struct op *op = get_op(base);
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
    struct op *op = get_op(base);
    if (!op)
        return NULL;
    struct op *from = op->type->family == OP_COMP ? op : op->parent;
    if (!from)
        from = op;
    struct op **out = NULL;
    size_t n = 0, cap = 0;
    op_find_all(from, pattern, &out, &n, &cap);
    PyObject *l = ids_list(out, n);
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
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
    if (!op)
        return NULL;
    return Py_BuildValue("(NNN)", ids_list(op->children, op->nchildren),
                         ids_list(op->inputs, op->ninputs),
                         ids_list(op->outputs, op->noutputs));
}

/* stats(id) -> (cook count, cook frame, cook ms, error, warning,
 *               frame, seconds, rate) */
static PyObject *m_stats(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    if (!PyArg_ParseTuple(args, "I", &id))
        return NULL;
    struct op *op = get_op(id);
    if (!op)
        return NULL;
    struct graph *g = op->graph;
    return Py_BuildValue("(KLdzzLdd)", (unsigned long long)op->cook_count,
                         (long long)op->cook_frame, op->cook_ms, op->error,
                         op->warning, (long long)g->time.frame,
                         g->time.seconds, g->time.rate);
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
    return Py_BuildValue("(ss)", g && g->file ? g->file : "",
                         g && g->dir ? g->dir : ".");
}

static PyObject *m_rename(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned id;
    const char *name;
    if (!PyArg_ParseTuple(args, "Is", &id, &name))
        return NULL;
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
    if (!op)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(list);
    struct op **ins = xcalloc((size_t)n + 1, sizeof(*ins));
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned long in = PyLong_AsUnsignedLong(PyList_GET_ITEM(list, i));
        if (PyErr_Occurred() || !(ins[i] = get_op((unsigned)in))) {
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
    struct op *op = get_op(id);
    if (!op)
        return NULL;
    if (op->in_cook)
        return PyErr_Format(PyExc_RuntimeError, "%s is cooking: cook() "
                            "from inside its own cook would never end",
                            op->path);
    if (force)
        graph_force_cook(op->graph, op);
    else
        graph_cook_op(op->graph, op);
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
    struct op *parent = get_op(id);
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
        struct op *op = get_op(id);
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
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
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

static PyObject *m_ops_of_type(PyObject *self, PyObject *args)
{
    (void)self;
    const char *optype;
    if (!PyArg_ParseTuple(args, "s", &optype))
        return NULL;
    struct graph *g = py_graph();
    PyObject *l = PyList_New(0);
    for (size_t i = 0; g && l && i < g->nslots; i++) {
        struct op *op = g->slots[i];
        if (op && strcmp(op->type->optype, optype) == 0) {
            PyObject *v = PyLong_FromUnsignedLong(op->id);
            PyList_Append(l, v);
            Py_DECREF(v);
        }
    }
    return l;
}

/* op_types() -> [(OPType, family)] of every registered type */
static PyObject *m_op_types(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    size_t n;
    const struct op_type *const *all = registry_all(&n);
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++)
        PyList_SET_ITEM(l, (Py_ssize_t)i,
                        Py_BuildValue("(sss)", all[i]->optype,
                                      op_family_name(all[i]->family),
                                      all[i]->name));
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
        PyObject *t = Py_BuildValue("(IN)", op->id, text_obj(v));
        if (!t || PyList_Append(l, t) != 0)
            Py_CLEAR(l);
        Py_XDECREF(t);
    }
    return l;
}

static PyObject *m_budget_ms(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyFloat_FromDouble(py_budget_ms());
}

/* ---- OSC: the runtime's codec (control/osc_codec.c) for scripts ---- */

struct osc_py {
    PyObject *stack[OSC_ARGS_MAX]; /* lists: the arguments, then arrays */
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
        if (!l || p->depth + 1 >= OSC_ARGS_MAX) {
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
    char addr[OSC_ADDR_MAX * 4];
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

/* ---- parameters ---- */

static struct par *get_par(unsigned id, const char *name, struct op **out)
{
    struct op *op = get_op(id);
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
        return text_obj(par_get_string(op, p));
    default:
        return text_obj(par_get_string(op, p));
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
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
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
    struct op *op = get_op(id);
    if (!op)
        return NULL;
    const char *s = op_par_suggest(op, name);
    if (!s)
        Py_RETURN_NONE;
    return text_obj(s);
}

/* ---- CHOPs ---- */

/* An op of this family, cooked first if it must be. */
static struct op *get_family(unsigned id, enum op_family f)
{
    struct op *op = get_cooked(id);
    if (op && op->type->family != f) {
        PyErr_Format(PyExc_TypeError, "%s is a %s, not a %s", op->path,
                     op->type->optype, op_family_name(f));
        return NULL;
    }
    return op;
}

static struct op *get_chop(unsigned id) { return get_family(id, OP_CHOP); }

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
        PyTuple_SET_ITEM(names, i, text_obj(c->names[i]));
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
    struct op *op = get_op(id);
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

/* ---- DATs ---- */

static struct op *get_dat(unsigned id)
{
    struct op *op = get_family(id, OP_DAT);
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
    return text_obj(op->dat.text ? op->dat.text : "");
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
            PyList_SET_ITEM(row, c, text_obj(dat_cell(d, r, c)));
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
    struct op *op = get_op(id);
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

/* ---- TOPs ---- */

static struct op *get_top(unsigned id) { return get_family(id, OP_TOP); }

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
    if (!top_get_info(op, &ti))
        Py_RETURN_NONE;
    return Py_BuildValue("(iiidsni)", ti.width, ti.height, ti.depth,
                         ti.aspect, ti.format, (Py_ssize_t)ti.gpu_bytes,
                         ti.newest_slice);
}

static struct gpu_tex *top_image(struct op *op)
{
    if (!op->graph->gpu) {
        PyErr_Format(PyExc_RuntimeError, "%s: no GPU context (vitrine runs "
                     "TOPs only with a window or --headless)", op->path);
        return NULL;
    }
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
    struct gpu_tex *t = op ? top_image(op) : NULL;
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
    struct gpu_tex *t = op ? top_image(op) : NULL;
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
    struct op *op = get_op(id);
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
    struct gpu_tex *t = op ? top_image(op) : NULL;
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


/* ---- fast paths: the types td builds its hot classes on ----
 *
 * op('name').par.x = v and op('chop')[0] run every frame in most scripts;
 * in Python they cost tens of attribute lookups and calls. These C bases
 * do the common case directly and hand everything else to td.py. */

static PyObject *hook_find;  /* td._find_call(base id, args) */
static PyObject *hook_value; /* td._value(v): Par, Channel, OP -> value */
static PyTypeObject *channel_type; /* td.Channel, set by td */
static uint64_t find_gen = 1;      /* bumped when ops or names change */

static PyObject *m_set_hooks(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *find, *value, *chan;
    if (!PyArg_ParseTuple(args, "OOO!", &find, &value, &PyType_Type, &chan))
        return NULL;
    Py_XDECREF(hook_find);
    Py_XDECREF(hook_value);
    Py_XDECREF(channel_type);
    Py_INCREF(find);
    Py_INCREF(value);
    Py_INCREF(chan);
    hook_find = find;
    hook_value = value;
    channel_type = (PyTypeObject *)chan;
    Py_RETURN_NONE;
}

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
    PyObject *r = PyObject_CallFunction(hook_find, "IO", f->oid, tuple);
    Py_DECREF(tuple);
    return r;
}

static PyObject *finder_vectorcall(PyObject *self, PyObject *const *args,
                                   size_t nargsf, PyObject *kwnames)
{
    struct finder *f = (struct finder *)self;
    size_t nargs = PyVectorcall_NARGS(nargsf);
    if (!hook_find)
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
    if (!n || (n[0] == '_' && n[1] == '_') || !hook_find)
        return NULL;
    PyErr_Clear();
    return PyObject_CallFunction(hook_find, "IO",
                                 ((struct finder *)self)->oid, name);
}

static PyTypeObject finder_type = {
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
    if (name == ps->last_name && (op = get_op(ps->oid)) != NULL &&
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
        PyUnicode_CheckExact(v) || PyBool_Check(v) || !hook_value)
        return par_set_py(op, p, v);
    PyObject *val = PyObject_CallOneArg(hook_value, v);
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

static PyTypeObject pars_type = {
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

static PyTypeObject channel_base_type = {
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
    if (!op || !channel_type)
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
        (struct channel *)channel_type->tp_alloc(channel_type, 0);
    if (c) {
        c->oid = oid;
        c->index = (int)i;
    }
    return (PyObject *)c;
}

static PyMappingMethods chop_mapping = {
    .mp_subscript = chop_subscript,
};

static PyTypeObject chop_base_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.ChopBase",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_as_mapping = &chop_mapping,
};

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

static PyTypeObject cell_base_type = {
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
    if (!PyType_IsSubtype((PyTypeObject *)t, &cell_base_type))
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
            cl->val = text_obj(v);
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

static PyTypeObject dat_base_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_vitrine.DatBase",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_as_mapping = &dat_mapping,
};

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
    struct op *op = get_top(id);
    if (!op)
        return NULL;
    char err[512];
    if (!cuda_ready(op->graph->gpu, err, sizeof(err)))
        return cuda_error(op, err);
    struct gpu_tex *t = top_image(op);
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
    struct op *op = get_op(id);
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

static PyMethodDef methods[] = {
    {"log", m_log, METH_VARARGS, NULL},
    {"root", m_root, METH_NOARGS, NULL},
    {"network", m_network, METH_NOARGS, NULL},
    {"version", m_version, METH_NOARGS, NULL},
    {"find", m_find, METH_VARARGS, NULL},
    {"find_all", m_find_all, METH_VARARGS, NULL},
    {"alive", m_alive, METH_VARARGS, NULL},
    {"info", m_info, METH_VARARGS, NULL},
    {"links", m_links, METH_VARARGS, NULL},
    {"stats", m_stats, METH_VARARGS, NULL},
    {"abs_time", m_abs_time, METH_NOARGS, NULL},
    {"rename", m_rename, METH_VARARGS, NULL},
    {"set_inputs", m_set_inputs, METH_VARARGS, NULL},
    {"cook", m_cook, METH_VARARGS, NULL},
    {"destroy", m_destroy, METH_VARARGS, NULL},
    {"set_error", m_set_error, METH_VARARGS, NULL},
    {"ops_of_type", m_ops_of_type, METH_VARARGS, NULL},
    {"ops_with_par", m_ops_with_par, METH_VARARGS, NULL},
    {"create", m_create, METH_VARARGS, NULL},
    {"output", m_output, METH_VARARGS, NULL},
    {"op_types", m_op_types, METH_NOARGS, NULL},
    {"budget", m_budget, METH_VARARGS, NULL},
    {"budget_ms", m_budget_ms, METH_NOARGS, NULL},
    {"storage_max", m_storage_max, METH_NOARGS, NULL},
    {"missing_channel", m_missing_channel, METH_NOARGS, NULL},
    {"osc_parse", m_osc_parse, METH_VARARGS, NULL},
    {"osc_message", m_osc_message, METH_VARARGS, NULL},
    {"osc_bundle", m_osc_bundle, METH_VARARGS, NULL},
    {"budget_expired", m_budget_expired, METH_NOARGS, NULL},
    {"budget_signal", m_budget_signal, METH_NOARGS, NULL},
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
    {"chop_info", m_chop_info, METH_VARARGS, NULL},
    {"chop_events", m_chop_events, METH_VARARGS, NULL},
    {"chop_value", m_chop_value, METH_VARARGS, NULL},
    {"chop_index", m_chop_index, METH_VARARGS, NULL},
    {"chop_samples", m_chop_samples, METH_VARARGS, NULL},
    {"chop_store", m_chop_store, METH_VARARGS, NULL},
    {"dat_text", m_dat_text, METH_VARARGS, NULL},
    {"dat_table", m_dat_table, METH_VARARGS, NULL},
    {"dat_put", m_dat_put, METH_VARARGS, NULL},
    {"set_cell_type", m_set_cell_type, METH_VARARGS, NULL},
    {"dat_set_cell", m_dat_set_cell, METH_VARARGS, NULL},
    {"top_info", m_top_info, METH_VARARGS, NULL},
    {"top_read", m_top_read, METH_VARARGS, NULL},
    {"top_read_delayed", m_top_read_delayed, METH_VARARGS, NULL},
    {"top_upload", m_top_upload, METH_VARARGS, NULL},
    {"top_encode", m_top_encode, METH_VARARGS, NULL},
    {"image_decode", m_image_decode, METH_VARARGS, NULL},
    {"set_hooks", m_set_hooks, METH_VARARGS, NULL},
    {"cuda_ready", m_cuda_ready, METH_NOARGS, NULL},
    {"cuda_from_top", m_cuda_from_top, METH_VARARGS, NULL},
    {"cuda_to_top", m_cuda_to_top, METH_VARARGS, NULL},
    {"cuda_free", m_cuda_free, METH_VARARGS, NULL},
    {"cuda_sync", m_cuda_sync, METH_VARARGS, NULL},
    {"cuda_registrations", m_cuda_registrations, METH_NOARGS, NULL},
    {"forget", m_forget, METH_NOARGS, NULL},
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
        {&finder_type, "Finder"},
        {&pars_type, "ParsBase"},
        {&channel_base_type, "ChannelBase"},
        {&chop_base_type, "ChopBase"},
        {&cell_base_type, "CellBase"},
        {&dat_base_type, "DatBase"},
    };
    PyObject *m = PyModule_Create(&module);
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
