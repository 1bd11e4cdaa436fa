/* py.h: the embedded Python interpreter and TouchDesigner's scripting API.
 *
 * One interpreter per process: Debian's CPython, started with its program
 * name and paths set explicitly (whatever `python3` is first on PATH does
 * not matter) and no signal handlers of its own. The API (op(), me, Par,
 * OP and its families, ...) is td.py, compiled into the binary, over the
 * `_vitrine` extension module (module.c) that reaches the graph.
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

#include "../graph/graph.h"

/* Starts the interpreter (idempotent). Returns 0, or -1 with a message. */
int py_init(char *err, size_t errlen);
/* Runs onExit callbacks first if a graph is attached. */
void py_shutdown(void);
bool py_running(void);

/* The parameter-expression evaluator, for load_options.eval; NULL when
 * the interpreter is not running. */
const struct expr_evaluator *py_evaluator(void);

/* The graph scripts see; NULL detaches (op objects become invalid). */
void py_attach(struct graph *g);

/* Frame hooks (DESIGN.md "Frame loop"): executeDAT onStart/onCreate the
 * first time, textDATs with run = start once and run = frame every frame,
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

/* A scriptTOP's or scriptCHOP's cook: calls onCook(scriptOp) of its
 * callbacks DAT. 0: done; -1: the op's error is set and it keeps its last
 * output. */
int py_cook_script(struct op *op);

struct osc_msg;
/* An OSC In DAT's onReceiveOSC(dat, rowIndex, message, byteData,
 * timeStamp, address, args, peer) for one message. */
void py_osc_receive(struct op *op, int row, const struct osc_msg *m);

/* Budget of one callback, script or expression (default 500 ms). */
void py_set_budget_ms(double ms);

#endif
