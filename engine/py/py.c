/* py.c: starting the interpreter, the budget watcher, the expression
 * evaluator and the frame hooks. The hooks call into td.py, which keeps
 * the per-op Python state (callback modules, previous values); the
 * interpreter state here is process-wide, like the interpreter. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "py.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/util.h"
#include "py_internal.h"
#include "td.py.h"
#include "td_chop.py.h"
#include "td_comp.py.h"
#include "td_cuda.py.h"
#include "td_dat.py.h"
#include "td_globals.py.h"
#include "td_op.py.h"
#include "td_par.py.h"
#include "td_run.py.h"
#include "td_storage.py.h"
#include "td_top.py.h"
#include "td_types.py.h"

/* td, TouchDesigner's API, is one module made of these files, run in
 * this order in its one namespace (td_types.py last: it makes a class
 * per op type, running the types' own files, engine/ops/<type>.py). */
#define TD_PART(name) {#name ".py", name##_py, name##_pyc, sizeof(name##_pyc)}
static const struct {
    const char *file, *source;
    const unsigned char *code;
    size_t code_len;
} td_parts[] = {
    TD_PART(td),         TD_PART(td_par),     TD_PART(td_op),
    TD_PART(td_chop),    TD_PART(td_dat),     TD_PART(td_cuda),
    TD_PART(td_top),     TD_PART(td_comp),    TD_PART(td_globals),
    TD_PART(td_run),     TD_PART(td_storage), TD_PART(td_types),
};

PyObject *py_code(const unsigned char *code, size_t len, const char *source,
                  const char *file)
{
    PyObject *c = code ? PyMarshal_ReadObjectFromString((const char *)code,
                                                        (Py_ssize_t)len)
                       : NULL;
    if (c && PyCode_Check(c))
        return c;
    /* Not this interpreter's code (another build's): compiled here. */
    Py_XDECREF(c);
    PyErr_Clear();
    return Py_CompileString(source, file, Py_file_input);
}

/* td from its parts, in sys.modules; NULL with an exception. */
static PyObject *td_load(void)
{
    PyObject *code = py_code(td_parts[0].code, td_parts[0].code_len,
                             td_parts[0].source, td_parts[0].file);
    PyObject *td = code ? PyImport_ExecCodeModule("td", code) : NULL;
    Py_XDECREF(code);
    for (size_t i = 1; td && i < sizeof(td_parts) / sizeof(td_parts[0]);
         i++) {
        PyObject *d = PyModule_GetDict(td);
        code = py_code(td_parts[i].code, td_parts[i].code_len,
                       td_parts[i].source, td_parts[i].file);
        PyObject *r = code ? PyEval_EvalCode(code, d, d) : NULL;
        Py_XDECREF(code);
        if (!r)
            Py_CLEAR(td);
        Py_XDECREF(r);
    }
    return td;
}

/* Sent to the main thread when a script's budget runs out. */
#define PY_BUDGET_SIGNAL (SIGRTMIN + 3)

static struct {
    bool running;
    bool start_failed; /* py_needed tried and failed */
    PyObject *td;        /* the td module */
    PyObject *timeout;   /* td.ScriptTimeout */
    struct graph *graph; /* attached */
    /* budget */
    pthread_t watcher;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, armed;
    bool forced;        /* py_interrupt's: not put off for an import */
    int depth;          /* nested guarded calls */
    uint64_t gen;       /* bumped at each outermost begin */
    int64_t deadline;   /* CLOCK_MONOTONIC ns */
    double budget_ms;
    size_t storage_max;
    pthread_t main_pthread;
    uint64_t fired_gen; /* the call the budget signal was sent for */
} py = {.budget_ms = 500, .storage_max = PY_STORAGE_MAX_DEFAULT};

struct graph *py_graph(void)
{
    return py.graph;
}

/* ---- the budget ---- */

/* Past the deadline, the watcher sends the main thread the budget signal
 * (pthread_kill; it needs no GIL, so a script that keeps the GIL, as one
 * that raised sys.setswitchinterval does, is reached too). A blocking
 * call there (time.sleep, a socket, select) returns with EINTR, and
 * CPython runs td's handler for the signal at once, also from a running
 * loop or a long regular expression (both check for signals); the handler
 * raises td.ScriptTimeout when py_budget_expired() says the signal was for
 * the call still running. A script that swallows the exception gets
 * another each budget period. What does not come back to Python (C code
 * that retries on EINTR) is the stall detector's to end.
 * An import is not interrupted (a module left half-imported would stay
 * broken for the life of the process: NumPy's does): the handler asks
 * py_budget_defer() and the signal comes again shortly, until the import
 * has returned or the stall detector's py_interrupt() insists. */
static void *watch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&py.mu);
    while (!py.stop) {
        if (!py.armed) {
            pthread_cond_wait(&py.cv, &py.mu);
            continue;
        }
        struct timespec ts = {.tv_sec = py.deadline / 1000000000,
                              .tv_nsec = py.deadline % 1000000000};
        uint64_t gen = py.gen;
        int rc = pthread_cond_timedwait(&py.cv, &py.mu, &ts);
        if (rc != ETIMEDOUT || !py.armed || py.gen != gen ||
            clock_now_ns() < py.deadline)
            continue;
        py.fired_gen = gen;
        py.deadline = clock_now_ns() + (int64_t)(py.budget_ms * 1e6);
        pthread_kill(py.main_pthread, PY_BUDGET_SIGNAL);
    }
    pthread_mutex_unlock(&py.mu);
    return NULL;
}

bool py_budget_expired(void)
{
    pthread_mutex_lock(&py.mu);
    bool expired = py.armed && py.fired_gen == py.gen;
    pthread_mutex_unlock(&py.mu);
    return expired;
}

/* Bounds how long an interrupt put off for an import waits after the
 * import has returned. */
#define PY_DEFER_NS 10000000LL

bool py_budget_defer(void)
{
    pthread_mutex_lock(&py.mu);
    bool defer = py.armed && !py.forced;
    if (defer) {
        int64_t again = (int64_t)(py.budget_ms * 1e6);
        py.deadline = clock_now_ns() +
                      (again < PY_DEFER_NS ? again : PY_DEFER_NS);
        pthread_cond_signal(&py.cv);
    }
    pthread_mutex_unlock(&py.mu);
    return defer;
}

int py_budget_signal(void)
{
    return PY_BUDGET_SIGNAL;
}

/* A whole budget from now, for a new call. */
static void arm(void)
{
    pthread_mutex_lock(&py.mu);
    py.gen++;
    py.armed = true;
    py.forced = false;
    py.deadline = clock_now_ns() + (int64_t)(py.budget_ms * 1e6);
    pthread_cond_signal(&py.cv);
    pthread_mutex_unlock(&py.mu);
}

static char missing[256];

void py_note_missing_channel(const char *op_path, const char *name)
{
    if (!missing[0])
        snprintf(missing, sizeof(missing), "'%s' has no channel '%s' yet",
                 op_path, name);
}

const char *py_missing_channel(void)
{
    return missing[0] ? missing : NULL;
}

void py_budget_begin(void)
{
    if (py.depth++ == 0) {
        missing[0] = '\0';
        arm();
    }
}

void py_budget_end(void)
{
    if (--py.depth > 0)
        return;
    pthread_mutex_lock(&py.mu);
    py.armed = false;
    pthread_mutex_unlock(&py.mu);
}

bool py_budget_pause(void)
{
    pthread_mutex_lock(&py.mu);
    bool was = py.armed;
    py.armed = false;
    py.gen++;
    pthread_mutex_unlock(&py.mu);
    return was;
}

void py_budget_resume(bool was_armed)
{
    if (was_armed)
        arm();
}

struct py_budget_hold py_budget_hold(void)
{
    pthread_mutex_lock(&py.mu);
    struct py_budget_hold h = {.left_ns = -1, .depth = py.depth};
    if (py.armed) {
        h.left_ns = py.deadline - clock_now_ns();
        py.armed = false;
        py.gen++;
    }
    py.depth = 0; /* Python run inside has a budget of its own */
    pthread_mutex_unlock(&py.mu);
    return h;
}

void py_budget_continue(struct py_budget_hold h)
{
    pthread_mutex_lock(&py.mu);
    py.depth = h.depth;
    if (h.left_ns >= 0) {
        py.gen++;
        py.armed = true;
        py.deadline = clock_now_ns() + (h.left_ns > 0 ? h.left_ns : 0);
        pthread_cond_signal(&py.cv);
    }
    pthread_mutex_unlock(&py.mu);
}

bool py_busy(void)
{
    pthread_mutex_lock(&py.mu);
    bool armed = py.armed;
    pthread_mutex_unlock(&py.mu);
    return armed;
}

void py_interrupt(void)
{
    pthread_mutex_lock(&py.mu);
    if (py.armed) {
        py.forced = true;
        py.deadline = clock_now_ns();
        pthread_cond_signal(&py.cv);
    }
    pthread_mutex_unlock(&py.mu);
}

/* CPython's own, as faulthandler uses it from its watchdog thread: safe
 * without the GIL. Exported by libpython, declared in an internal
 * header. */
extern const char *_Py_DumpTracebackThreads(int fd,
                                            PyInterpreterState *interp,
                                            PyThreadState *current);

void py_dump_main_traceback(int fd)
{
    if (py.running)
        _Py_DumpTracebackThreads(fd, PyInterpreterState_Main(), NULL);
}

void py_set_budget_ms(double ms)
{
    py.budget_ms = ms > 1 ? ms : 1;
}

double py_budget_ms(void)
{
    return py.budget_ms;
}

void py_set_storage_max(size_t bytes)
{
    py.storage_max = bytes;
}

size_t py_storage_max(void)
{
    return py.storage_max;
}

/* ---- errors ---- */

char *py_text(PyObject *str)
{
    PyObject *b = str ? PyUnicode_AsEncodedString(str, "utf-8",
                                                  "backslashreplace")
                      : NULL;
    char *out = xstrdup(b ? PyBytes_AS_STRING(b) : "");
    Py_XDECREF(b);
    PyErr_Clear();
    return out;
}

char *py_error_text(char **traceback)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (traceback)
        *traceback = NULL;
    if (!type)
        return xstrdup("unknown error");
    PyObject *s = value ? PyObject_Str(value) : NULL;
    const char *name = ((PyTypeObject *)type)->tp_name;
    char *msg = s ? py_text(s) : NULL;
    char *out = msg && *msg ? xasprintf("%s: %s", name, msg)
                            : xstrdup(name);
    free(msg);
    if (traceback && tb) {
        PyObject *mod = PyImport_ImportModule("traceback");
        PyObject *lines = mod ? PyObject_CallMethod(mod, "format_exception",
                                                    "OOO", type, value, tb)
                              : NULL;
        PyObject *empty = PyUnicode_FromString("");
        PyObject *joined = lines ? PyUnicode_Join(empty, lines) : NULL;
        if (joined)
            *traceback = py_text(joined);
        Py_XDECREF(joined);
        Py_XDECREF(empty);
        Py_XDECREF(lines);
        Py_XDECREF(mod);
        PyErr_Clear();
    }
    Py_XDECREF(s);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return out;
}

/* ---- calls into td ---- */

/* Calls td.<fn>(args...) under the budget; td's own runners catch script
 * errors, so an exception here is a bug in td, logged. */
static PyObject *td_call(const char *fn, const char *fmt, ...)
{
    if (!py.graph || !py_needed())
        return NULL;
    PyObject *f = PyObject_GetAttrString(py.td, fn);
    if (!f) {
        char *e = py_error_text(NULL);
        LOG_ERR("[python]", "td.%s: %s", fn, e);
        free(e);
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    PyObject *args = fmt ? Py_VaBuildValue(fmt, ap) : PyTuple_New(0);
    va_end(ap);
    if (args && !PyTuple_Check(args)) {
        PyObject *t = PyTuple_Pack(1, args);
        Py_DECREF(args);
        args = t;
    }
    PyObject *r = args ? PyObject_Call(f, args, NULL) : NULL;
    Py_XDECREF(args);
    Py_DECREF(f);
    if (!r) {
        char *tb = NULL;
        char *e = py_error_text(&tb);
        LOG_ERR("[python]", "td.%s: %s\n%s", fn, e, tb ? tb : "");
        free(e);
        free(tb);
    }
    return r;
}

void py_frame_start(struct graph *g)
{
    if (py.running && g == py.graph)
        Py_XDECREF(td_call("_frame_start", NULL));
}

void py_frame_after_cook(struct graph *g)
{
    if (py.running && g == py.graph)
        Py_XDECREF(td_call("_frame_after_cook", NULL));
}

void py_frame_end(struct graph *g)
{
    if (py.running && g == py.graph)
        Py_XDECREF(td_call("_frame_end", NULL));
}

void py_exit(struct graph *g)
{
    if (py.running && g == py.graph)
        Py_XDECREF(td_call("_exit", NULL));
}

const char *py_check_needed(struct op *op, char *buf, size_t n)
{
    if (op->graph->eval)
        return NULL;
    snprintf(buf, n, "a %s runs Python, and this build has no Python "
             "interpreter", op->type->optype);
    return buf;
}

int py_cook_script(struct op *op)
{
    if (!py.running || op->graph != py.graph) {
        op_set_error(op, "scripts need the Python interpreter, which is not "
                     "running");
        return -1;
    }
    PyObject *r = td_call("_cook_script", "(I)", op->id);
    int ok = r && PyObject_IsTrue(r);
    Py_XDECREF(r);
    return ok ? 0 : -1;
}

int py_script_cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    return py_cook_script(op);
}

void py_osc_receive(struct op *op, int row, const struct py_osc_message *m)
{
    if (!py.running || op->graph != py.graph)
        return;
    char ip[16];
    unsigned char *b = (unsigned char *)&m->from_ip;
    snprintf(ip, sizeof(ip), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    Py_XDECREF(td_call("_osc_receive", "(Iiy#Kssi)", op->id, row,
                       (const char *)(m->raw ? m->raw : ""),
                       (Py_ssize_t)(m->raw ? m->raw_len : 0),
                       (unsigned long long)m->timetag, m->addr, ip,
                       (int)m->from_port));
}

struct py_storage {
    PyObject *held; /* the list _storage_collect made: keeps every buffer */
    struct py_stored *items;
    size_t n;
};

struct py_storage *py_storage_collect(bool *changed)
{
    *changed = false;
    if (!py.running) /* no script ran: nothing stored */
        return NULL;
    PyObject *r = td_call("_storage_collect", NULL);
    PyObject *list = r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2
                         ? PyTuple_GET_ITEM(r, 1) : NULL;
    if (!list || !PyList_Check(list)) {
        Py_XDECREF(r);
        return NULL;
    }
    struct py_storage *st = xcalloc(1, sizeof(*st));
    st->held = r;
    *changed = PyObject_IsTrue(PyTuple_GET_ITEM(r, 0)) == 1;
    size_t n = (size_t)PyList_GET_SIZE(list);
    st->items = xcalloc(n ? n : 1, sizeof(*st->items));
    for (size_t i = 0; i < n; i++) {
        PyObject *e = PyList_GET_ITEM(list, i);
        const char *path;
        if (!PyTuple_Check(e) || PyTuple_GET_SIZE(e) != 3 ||
            !(path = PyUnicode_AsUTF8(PyTuple_GET_ITEM(e, 0))) ||
            !PyBytes_Check(PyTuple_GET_ITEM(e, 1)) ||
            !PyBytes_Check(PyTuple_GET_ITEM(e, 2))) {
            PyErr_Clear();
            continue;
        }
        PyObject *k = PyTuple_GET_ITEM(e, 1), *v = PyTuple_GET_ITEM(e, 2);
        st->items[st->n++] = (struct py_stored){
            .path = path,
            .key = PyBytes_AS_STRING(k),
            .key_len = (size_t)PyBytes_GET_SIZE(k),
            .value = PyBytes_AS_STRING(v),
            .value_len = (size_t)PyBytes_GET_SIZE(v),
        };
    }
    return st;
}

const struct py_stored *py_storage_items(const struct py_storage *st,
                                         size_t *n)
{
    *n = st ? st->n : 0;
    return st ? st->items : NULL;
}

void py_storage_free(struct py_storage **pst)
{
    struct py_storage *st = *pst;
    if (!st)
        return;
    if (py.running)
        Py_XDECREF(st->held);
    free(st->items);
    free(st);
    *pst = NULL;
}

int py_storage_load_entry(const char *path, const char *key,
                          const char *value)
{
    PyObject *r = td_call("_storage_load_entry", "(sss)", path, key, value);
    int n = r && PyLong_Check(r) ? (int)PyLong_AsLong(r) : -1;
    Py_XDECREF(r);
    return n;
}

int py_storage_load(const char *text)
{
    PyObject *r = td_call("_storage_load", "(s)", text);
    int n = r && PyLong_Check(r) ? (int)PyLong_AsLong(r) : -1;
    Py_XDECREF(r);
    return n;
}

/* Whether g has an op whose type has a Python class (an op td calls at
 * its start or every frame, a script, a COMP's extensions, a DAT's
 * callbacks): then Python starts before g's first frame. The root is
 * always there and needs nothing of it on its own. */
static bool wants_python(const struct graph *g)
{
    for (size_t i = 0; g && i < g->nslots; i++) {
        const struct op *op = g->slots[i];
        if (op && op != g->root && op->type->python)
            return true;
    }
    return false;
}

void py_attach(struct graph *g)
{
    py.graph = g;
    if (py.running)
        Py_XDECREF(td_call("_attach", NULL));
    else if (wants_python(g))
        py_needed(); /* attaches */
}

void py_reattach(struct graph *g)
{
    if (!py.running) {
        py_attach(g);
        return;
    }
    PyObject *started = py.graph ? td_call("_started_paths", NULL) : NULL;
    py_attach(g);
    if (started)
        Py_XDECREF(td_call("_mark_started", "(O)", started));
    Py_XDECREF(started);
}

/* ---- expressions ---- */

struct expr_code {
    PyObject *code, *globals;
};

static int expr_compile(void *ctx, struct op *op, struct par *p,
                        const char *src, void **out, char *err,
                        size_t errlen)
{
    (void)ctx;
    if (!py_needed()) {
        snprintf(err, errlen, "the Python interpreter is not running");
        return -1;
    }
    char *where = xasprintf("%s.par.%s.expr", op->path, p->name);
    PyObject *code = Py_CompileString(src, where, Py_eval_input);
    free(where);
    if (!code) {
        char *e = py_error_text(NULL);
        snprintf(err, errlen, "%s", e);
        free(e);
        return -1;
    }
    /* The globals (op, me, parent, ...) are the owning op's; td makes
     * them once per op. They need the op in the attached graph, which it
     * is not yet while a network loads: then they are made at the first
     * evaluation. */
    struct expr_code *c = xcalloc(1, sizeof(*c));
    c->code = code;
    *out = c;
    return 0;
}

static int expr_eval(void *ctx, struct op *op, struct par *p, void *code,
                     double *num, char **str, char *err, size_t errlen)
{
    (void)ctx;
    struct expr_code *c = code;
    if (!py.running || op->graph != py.graph) {
        snprintf(err, errlen, "the Python interpreter is not running");
        return -1;
    }
    if (!c->globals) {
        c->globals = td_call("_expr_globals", "(I)", op->id);
        if (!c->globals) {
            snprintf(err, errlen, "no globals for the expression");
            return -1;
        }
    }
    py_budget_begin();
    PyObject *r = PyEval_EvalCode(c->code, c->globals, NULL);
    py_budget_end();
    PyObject *v = NULL;
    if (r) {
        if (par_is_numeric(p)) {
            v = PyBool_Check(r) ? PyFloat_FromDouble(r == Py_True)
                                : PyNumber_Float(r);
            if (v)
                *num = PyFloat_AsDouble(v);
        } else {
            PyObject *path = PyObject_GetAttrString(r, "path");
            PyErr_Clear();
            /* An OP for an op parameter, anything else as its text. */
            v = path && PyUnicode_Check(path) && p->def->kind == PAR_OP
                    ? (Py_INCREF(path), path) : PyObject_Str(r);
            Py_XDECREF(path);
            if (v)
                *str = py_text(v);
        }
    }
    if (!v) {
        char *e = py_error_text(NULL);
        const char *why = py_missing_channel();
        if (why && strstr(e, "NoneType"))
            snprintf(err, errlen, "%s (%s)", why, e); /* what it meant */
        else
            snprintf(err, errlen, "%s", e);
        free(e);
    }
    Py_XDECREF(v);
    Py_XDECREF(r);
    return v ? 0 : -1;
}

static void expr_release(void *ctx, void *code)
{
    (void)ctx;
    struct expr_code *c = code;
    if (!c)
        return;
    if (py.running) {
        Py_XDECREF(c->code);
        Py_XDECREF(c->globals);
    }
    free(c);
}

static const struct expr_evaluator evaluator = {
    .compile = expr_compile,
    .eval = expr_eval,
    .release = expr_release,
};

const struct expr_evaluator *py_evaluator(void)
{
    return &evaluator;
}

/* ---- start and stop ---- */

bool py_running(void)
{
    return py.running;
}

bool py_needed(void)
{
    if (py.running)
        return true;
    if (py.start_failed)
        return false;
    char err[2048];
    if (py_init(err, sizeof(err)) != 0) {
        py.start_failed = true;
        LOG_WARN("[python]", "%s; scripts and expressions cannot run", err);
        return false;
    }
    if (py.graph)
        Py_XDECREF(td_call("_attach", NULL));
    return true;
}

int py_init(char *err, size_t errlen)
{
    if (py.running)
        return 0;
    if (PyImport_AppendInittab("_vitrine", py_module_init) != 0) {
        snprintf(err, errlen, "cannot register the _vitrine module");
        return -1;
    }
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.install_signal_handlers = 0;
    config.write_bytecode = 0;
    config.site_import = 1; /* Debian's site adds dist-packages (NumPy) */
    PyStatus st = PyConfig_SetBytesString(&config, &config.program_name,
                                          VITRINE_PYTHON);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        snprintf(err, errlen, "Python did not start: %s",
                 st.err_msg ? st.err_msg : "unknown error");
        return -1;
    }
    py.td = td_load();
    py.timeout = py.td ? PyObject_GetAttrString(py.td, "ScriptTimeout")
                       : NULL;
    if (!py.timeout) {
        char *tb = NULL;
        char *e = py_error_text(&tb);
        snprintf(err, errlen, "td did not load: %s\n%s", e,
                 tb ? tb : "");
        free(e);
        free(tb);
        Py_XDECREF(py.td);
        Py_FinalizeEx();
        return -1;
    }
    pthread_mutex_init(&py.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&py.cv, &ca);
    pthread_condattr_destroy(&ca);
    py.stop = false;
    py.main_pthread = pthread_self();
    /* td installs its handler for the budget signal (and guards the
     * runtime's signals against scripts) */
    PyObject *r = PyObject_CallMethod(py.td, "_install_signals", NULL);
    if (!r) {
        char *tb = NULL;
        char *e = py_error_text(&tb);
        snprintf(err, errlen, "td's signal handlers: %s", e);
        free(e);
        free(tb);
        Py_CLEAR(py.timeout);
        Py_CLEAR(py.td);
        Py_FinalizeEx();
        return -1;
    }
    Py_DECREF(r);
    pthread_create(&py.watcher, NULL, watch, NULL);
    py.running = true;
    return 0;
}

void py_shutdown(void)
{
    if (!py.running)
        return;
    pthread_mutex_lock(&py.mu);
    py.stop = true;
    pthread_cond_signal(&py.cv);
    pthread_mutex_unlock(&py.mu);
    pthread_join(py.watcher, NULL);
    py.graph = NULL;
    /* Threads a script started: a moment to end, then not waited for, so
     * that a stop has a deadline (Py_FinalizeEx would wait for every
     * non-daemon thread for ever). */
    PyObject *alive = PyObject_CallMethod(py.td, "_stop_threads", "d", 1.0);
    Py_ssize_t n = alive && PyList_Check(alive) ? PyList_GET_SIZE(alive) : 0;
    if (!alive)
        PyErr_Clear();
    if (n > 0) {
        PyObject *sep = PyUnicode_FromString(", ");
        PyObject *names = sep ? PyUnicode_Join(sep, alive) : NULL;
        Py_XDECREF(sep);
        LOG_WARN("[python]", "%zd thread%s started by scripts still running "
                 "after 1 s (%s): not waiting for %s", n, n == 1 ? "" : "s",
                 names ? PyUnicode_AsUTF8(names) : "?",
                 n == 1 ? "it" : "them");
        Py_XDECREF(names);
        PyErr_Clear();
    }
    Py_XDECREF(alive);
    Py_CLEAR(py.timeout);
    Py_CLEAR(py.td);
    if (n == 0)
        Py_FinalizeEx();
    pthread_cond_destroy(&py.cv);
    pthread_mutex_destroy(&py.mu);
    py.running = false;
}
