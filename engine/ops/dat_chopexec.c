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
    {.name = "text", .label = "Text", .kind = PAR_STRING, .flags = PAR_CODE,
     .offset = offsetof(struct chopexec, text)},
    {.name = "file", .label = "File", .kind = PAR_FILE,
     .offset = offsetof(struct chopexec, file)},
    {.name = "chop", .label = "CHOP", .kind = PAR_OP,
     .families = OP_FAMILY_BIT(OP_CHOP),
     .offset = offsetof(struct chopexec, chop)},
    {.name = "channel", .label = "Channels", .kind = PAR_STRING,
     .def_str = "*", .offset = offsetof(struct chopexec, channel)},
    {.name = "active", .label = "Active", .kind = PAR_TOGGLE, .def = {1},
     .offset = offsetof(struct chopexec, active)},
    {.name = "offtoon", .label = "Off to On", .kind = PAR_TOGGLE,
     .offset = offsetof(struct chopexec, offtoon)},
    {.name = "whileon", .label = "While On", .kind = PAR_TOGGLE,
     .offset = offsetof(struct chopexec, whileon)},
    {.name = "ontooff", .label = "On to Off", .kind = PAR_TOGGLE,
     .offset = offsetof(struct chopexec, ontooff)},
    {.name = "whileoff", .label = "While Off", .kind = PAR_TOGGLE,
     .offset = offsetof(struct chopexec, whileoff)},
    {.name = "valuechange", .label = "Value Change", .kind = PAR_TOGGLE,
     .def = {1}, .offset = offsetof(struct chopexec, valuechange)},
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
