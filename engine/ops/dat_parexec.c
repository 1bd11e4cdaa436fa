/* parexecDAT: holds a Python callbacks script that watches parameters
 * (`pars`, patterns) of the ops named by `ops` (paths or patterns):
 * onValueChange(par, prev) when a value changes, onPulse(par) when a
 * pulse parameter is pulsed. The embedded interpreter checks after each
 * frame's cook; without one the op keeps a warning that says so. */
#include <stddef.h>

#include "dat_source.h"
#include "dat_parexec.py.h"

struct parexec {
    char *text, *file, *ops, *pars;
    int active, valuechange, onpulse;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct parexec *p = op->priv;
    return dat_cook_callbacks(op, p->file, p->text);
}

static const struct par_def pars[] = {
    {.name = "text", .label = "Text", .flags = PAR_CODE,
     PARAM_STRING(struct parexec, text)},
    {.name = "file", .label = "File",
     PARAM_FILE(struct parexec, file)},
    {.name = "active", .label = "Active", .def = {1},
     PARAM_TOGGLE(struct parexec, active)},
    {.name = "ops", .label = "OPs",
     PARAM_STRING(struct parexec, ops)},
    {.name = "pars", .label = "Parameters",
     .def_str = "*", PARAM_STRING(struct parexec, pars)},
    {.name = "valuechange", .label = "Value Change",
     .def = {1}, PARAM_TOGGLE(struct parexec, valuechange)},
    {.name = "onpulse", .label = "On Pulse", .def = {1},
     PARAM_TOGGLE(struct parexec, onpulse)},
    {0},
};

const struct op_type op_dat_parexec = {
    .name = "parexec",
    .optype = "parexecDAT",
    .label = "Parameter Execute",
    .about = "callbacks on the parameters `pars` (patterns) of the ops `ops` "
             "(paths or patterns), custom ones too: `onValueChange(par, prev)` "
             "after the frame's cook, `onPulse(par)` once for each pulse "
             "given (from Python, OSC or a file)",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_ALWAYS_COOK,
    .pars = pars,
    .priv_size = sizeof(struct parexec),
    .cook = cook,
    OP_PYTHON(dat_parexec),
    .hooks = OP_HOOK_PARS,
};
