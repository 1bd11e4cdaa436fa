/* chopexecDAT: holds a Python callbacks script that watches the channels
 * of the CHOP named by `chop` (matching `channel`): onOffToOn, whileOn,
 * onOnToOff, whileOff, onValueChange. The watched CHOP is a dependency,
 * so it cooks every frame this op does. The embedded interpreter calls
 * the callbacks; without one the op keeps a warning that says so. */
#include <stddef.h>

#include "dat_source.h"
#include "dat_chopexec.py.h"

struct chopexec {
    char *text, *file, *chop, *channel;
    int active, offtoon, whileon, ontooff, whileoff, valuechange;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct chopexec *p = op->priv;
    return dat_cook_callbacks(op, p->file, p->text);
}

static const struct par_def pars[] = {
    {.name = "text", .label = "Text", .flags = PAR_CODE,
     PARAM_STRING(struct chopexec, text)},
    {.name = "file", .label = "File",
     PARAM_FILE(struct chopexec, file)},
    {.name = "chop", .label = "CHOP",
     .families = OP_FAMILY_BIT(OP_CHOP),
     PARAM_OP(struct chopexec, chop)},
    {.name = "channel", .label = "Channels",
     .def_str = "*", PARAM_STRING(struct chopexec, channel)},
    {.name = "active", .label = "Active", .def = {1},
     PARAM_TOGGLE(struct chopexec, active)},
    {.name = "offtoon", .label = "Off to On",
     PARAM_TOGGLE(struct chopexec, offtoon)},
    {.name = "whileon", .label = "While On",
     PARAM_TOGGLE(struct chopexec, whileon)},
    {.name = "ontooff", .label = "On to Off",
     PARAM_TOGGLE(struct chopexec, ontooff)},
    {.name = "whileoff", .label = "While Off",
     PARAM_TOGGLE(struct chopexec, whileoff)},
    {.name = "valuechange", .label = "Value Change",
     .def = {1}, PARAM_TOGGLE(struct chopexec, valuechange)},
    {0},
};

const struct op_type op_dat_chopexec = {
    .name = "chopexec",
    .optype = "chopexecDAT",
    .label = "CHOP Execute",
    .about = "callbacks on the channels of the CHOP in `chop` matching "
             "`channel`: `onOffToOn`, `whileOn`, `onOnToOff`, `whileOff`, "
             "`onValueChange(channel, sampleIndex, val, prev)`, behind toggles "
             "of those names",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_ALWAYS_COOK,
    .pars = pars,
    .priv_size = sizeof(struct chopexec),
    .cook = cook,
    OP_PYTHON(dat_chopexec),
    .hooks = OP_HOOK_COOKED,
};
