/* py.h: the embedded Python interpreter and TouchDesigner's scripting API.
 *
 * One interpreter per process: Debian's CPython, started with its program
 * name and paths set explicitly (whatever `python3` is first on PATH does
 * not matter) and no signal handlers of its own. The API (op(), me, Par,
 * OP and its families, ...) is td (td.py and td_*.py, and each op type's
 * own class from engine/ops/<type>.py), compiled into the binary, over the
 * `_vitrine` extension module (module.c, module_*.c) that reaches the
 * graph.
 *
 * Every call into Python runs under a time budget: past it, an exception
 * (td.ScriptTimeout) is raised inside the script by a watcher thread, so
 * a runaway loop cannot stop the frames. An exception is recorded on the
 * op whose script raised it and logged with its traceback, once per
 * distinct error.
 *
 * Threads: main thread only, except the budget watcher (internal). */
#ifndef VITRINE_PY_H
#define VITRINE_PY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../graph/graph.h"

/* Starts the interpreter (idempotent). Returns 0, or -1 with a message. */
int py_init(char *err, size_t errlen);
/* The interpreter, started now if it is not running yet: the runtime
 * starts it with the first network that needs it (py_attach), the first
 * expression compiled, or the first saved storage restored, so that a
 * network without Python shows its first frame without waiting for it.
 * False when it cannot start (logged once, not tried again). */
bool py_needed(void);
/* Runs onExit callbacks first if a graph is attached. */
void py_shutdown(void);
bool py_running(void);

/* The parameter-expression evaluator, for load_options.eval; the first
 * expression it compiles starts the interpreter. */
const struct expr_evaluator *py_evaluator(void);

/* The graph scripts see; NULL detaches (op objects become invalid).
 * Starts the interpreter when g has an op whose type has a Python class
 * (engine/graph/op.h). */
void py_attach(struct graph *g);

/* A reload: g replaces the attached graph; scripts whose start ran
 * (executeDAT onStart/onCreate, textDAT run = start) in an op of the
 * same path do not start again. */
void py_reattach(struct graph *g);

/* Frame hooks (docs/architecture.md, "The frame"): executeDAT
 * onStart/onCreate the first time, textDATs with run = start once and
 * run = frame every frame,
 * onFrameStart; after cooking, CHOP Execute and Parameter Execute DATs;
 * onFrameEnd. Without the interpreter they do nothing. */
void py_frame_start(struct graph *g);
void py_frame_after_cook(struct graph *g);
void py_frame_end(struct graph *g);
/* executeDAT onExit. */
void py_exit(struct graph *g);

/* The check of an op type that runs Python (Script TOP and CHOP): an
 * error naming the type when the graph has no interpreter. */
const char *py_check_needed(struct op *op, char *buf, size_t n);

/* A Script TOP's, CHOP's or DAT's cook: calls onCook(scriptOp) of its
 * callbacks DAT. 0: done; -1: the op's error is set and it keeps its last
 * output. */
int py_cook_script(struct op *op);
/* The same as an op type's cook, for the Script ops whose cook is only
 * onCook (the CHOP and the DAT); their fields are struct py_script. */
int py_script_cook(struct op *op, const struct cook_ctx *ctx);
struct py_script {
    char *callbacks;
    int setuppars; /* a pulse: onSetupParameters() runs again */
};
/* The parameters every Script op has, on its Script page: `callbacks`
 * (the DAT holding onCook) and `setuppars` (a pulse that runs
 * onSetupParameters again), in type's fields callbacks and setuppars. */
#define PY_SCRIPT_PARS(type)                                                \
    {.name = "callbacks", .label = "Callbacks DAT", .page = "Script",      \
     .families = OP_FAMILY_BIT(OP_DAT), .no_dep = true,                    \
     PARAM_OP(type, callbacks)},                                           \
    {.name = "setuppars", .label = "Setup Parameters", .page = "Script",   \
     PARAM_PULSE(type, setuppars)}

/* A received OSC message as an OSC In DAT's callback sees it. */
struct py_osc_message {
    const char *addr;
    const void *raw; /* its bytes; NULL when they were not kept */
    size_t raw_len;
    uint64_t timetag;   /* its bundle's, as sent (1: immediately) */
    uint32_t from_ip;   /* IPv4, network order */
    uint16_t from_port; /* host order */
};
/* An OSC In DAT's onReceiveOSC(dat, rowIndex, message, byteData,
 * timeStamp, address, args, peer) for one message. */
void py_osc_receive(struct op *op, int row, const struct py_osc_message *m);

/* op.storage of the attached graph's ops, for a save: each value pickled
 * on its own, with its key and the path of its op. A value that cannot
 * change and is the same object as at the last save keeps its pickle;
 * *changed says whether any pickle differs from the last save's. The
 * buffers stay valid, and may be read on another thread, until
 * py_storage_free (main thread). NULL when there is nothing to say. */
struct py_stored {
    const char *path;
    const char *key, *value; /* pickles */
    size_t key_len, value_len;
};
struct py_storage;
struct py_storage *py_storage_collect(bool *changed);
const struct py_stored *py_storage_items(const struct py_storage *st,
                                         size_t *n);
void py_storage_free(struct py_storage **st);
/* One saved value (key and value pickles in base64) back into the op of
 * that path: 1, or 0 when it could not be (logged). */
int py_storage_load_entry(const char *path, const char *key,
                          const char *value);
/* The earlier format, one line of base64 for every op: how many ops got
 * something back, -1 when it could not be read (logged). */
int py_storage_load(const char *text);
/* What op.storage may hold in all (bytes; 0: no limit): store() refuses
 * a value beyond it, and a save leaves such values out. */
#define PY_STORAGE_MAX_DEFAULT ((size_t)128 << 20)
void py_set_storage_max(size_t bytes);

/* For the stall detector (any thread): whether a script is running on
 * the main thread; interrupt it now (as its budget would); write the
 * Python tracebacks of the threads to fd without taking the GIL. */
bool py_busy(void);
void py_interrupt(void);
void py_dump_main_traceback(int fd);

/* Budget of one callback, script or expression (default 500 ms). */
void py_set_budget_ms(double ms);

#endif
