/* py_internal.h: what py.c and the module's files share (needs Python.h first). */
#ifndef VITRINE_PY_INTERNAL_H
#define VITRINE_PY_INTERNAL_H

#include "../graph/graph.h"

/* The `_vitrine` extension module's init function. */
PyObject *py_module_init(void);
/* The attached graph, or NULL. */
struct graph *py_graph(void);
/* A code object from build-time marshalled bytes, or compiled from the
 * source where they are not this interpreter's; NULL with an exception. */
PyObject *py_code(const unsigned char *code, size_t len, const char *source,
                  const char *file);
/* Arms the budget for the outermost of nested calls; end disarms. */
void py_budget_begin(void);
/* For td's handler of the budget signal (main thread): whether it was
 * sent for the call now running; and which signal it is. */
bool py_budget_expired(void);
int py_budget_signal(void);
/* For the same handler, when the script is inside an import: true when
 * the interrupt is put off (the signal comes again in at most 10 ms);
 * false when it must be raised now (py_interrupt asked). */
bool py_budget_defer(void);
void py_budget_end(void);
/* Around slow one-time work inside a script (starting CUDA): pause stops
 * the clock and says whether it ran; resume gives the script a whole
 * budget again. */
bool py_budget_pause(void);
void py_budget_resume(bool was_armed);
double py_budget_ms(void);
/* Around work the engine does for a script (cooking an op it reads,
 * which may compile shaders): the script's clock stops and keeps what
 * was left of its budget; Python run inside (expressions) gets a budget
 * of its own. */
struct py_budget_hold {
    int64_t left_ns; /* -1: no budget was running */
    int depth;
};
struct py_budget_hold py_budget_hold(void);
void py_budget_continue(struct py_budget_hold h);
size_t py_storage_max(void);
/* str's text as UTF-8, newly allocated and never NULL: what cannot be
 * encoded (a lone surrogate such as '\udcff') is written as a backslash
 * escape. For messages and for text a script hands over. Leaves no
 * exception behind. */
char *py_text(PyObject *str);
/* Takes the pending exception: "Type: message", newly allocated; the
 * formatted traceback too when traceback is not NULL. */
char *py_error_text(char **traceback);
/* A CHOP asked by name for a channel it does not have (which answers
 * None, as in TouchDesigner): noted, so that the error it may lead to
 * (None - 0.5) can say so in the user's words. Cleared when an outermost
 * guarded call begins; py_missing_channel gives the note ("'/project1/osc'
 * has no channel '/master' yet") or NULL. */
void py_note_missing_channel(const char *op_path, const char *name);
const char *py_missing_channel(void);

#endif
