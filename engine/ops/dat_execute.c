/* executeDAT: holds a Python callbacks script (onCreate, onStart,
 * onFrameStart, onFrameEnd, onExit) from `file` or `text`; the toggles choose which
 * callbacks run. Cooked every frame so that a changed script is picked
 * up. The embedded interpreter calls the callbacks; a build without one
 * keeps the op with a warning that says they do not run. */
#include <stddef.h>

#include "dat_source.h"
#include "dat_execute.py.h"

struct execute {
    char *text, *file;
    int active, create, start, framestart, frameend, exit;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct execute *p = op->priv;
    return dat_cook_callbacks(op, p->file, p->text);
}

static const struct par_def pars[] = {
    {.name = "text", .label = "Text", .flags = PAR_CODE,
     PARAM_STRING(struct execute, text)},
    {.name = "file", .label = "File",
     PARAM_FILE(struct execute, file)},
    {.name = "active", .label = "Active", .def = {1},
     PARAM_TOGGLE(struct execute, active)},
    {.name = "create", .label = "Create", .def = {1},
     PARAM_TOGGLE(struct execute, create)},
    {.name = "start", .label = "Start", .def = {1},
     PARAM_TOGGLE(struct execute, start)},
    {.name = "framestart", .label = "Frame Start",
     .def = {1}, PARAM_TOGGLE(struct execute, framestart)},
    {.name = "frameend", .label = "Frame End",
     .def = {1}, PARAM_TOGGLE(struct execute, frameend)},
    {.name = "exit", .label = "Exit", .def = {1},
     PARAM_TOGGLE(struct execute, exit)},
    {0},
};

const struct op_type op_dat_execute = {
    .name = "execute",
    .optype = "executeDAT",
    .label = "Execute",
    .about = "Python callbacks `onCreate`, `onStart`, `onFrameStart(frame)`, "
             "`onFrameEnd(frame)`, `onExit`, each behind its toggle (`create`, "
             "`start`, `framestart`, `frameend`, `exit`) and `active`; several "
             "run in alphanumeric order of their names",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_ALWAYS_COOK,
    .pars = pars,
    .priv_size = sizeof(struct execute),
    .cook = cook,
    OP_PYTHON(dat_execute),
    .hooks = OP_HOOK_START | OP_HOOK_FRAME_START | OP_HOOK_FRAME_END |
             OP_HOOK_EXIT,
};
