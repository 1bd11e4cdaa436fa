/* scriptCHOP: channels made by Python. Each cook calls onCook(scriptOp) in
 * the DAT named by `callbacks`, which builds the channels with clear(),
 * appendChan(), numSamples and copyNumpyArray() (engine/py). A failing
 * script keeps the last channels. */
#include <stddef.h>

#include "../py/py.h"
#include "chop_util.h"
#include "chop_script.py.h"

static const struct par_def pars[] = {
    PY_SCRIPT_PARS(struct py_script),
    {0},
};

const struct op_type op_chop_script = {
    .name = "script",
    .optype = "scriptCHOP",
    .label = "Script",
    .about = "channels made by `onCook(scriptOp)` in the DAT named by "
             "`callbacks`",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = -1,
    .flags = OPT_TIME_DEPENDENT | OPT_CUSTOM_PARS,
    .pars = pars,
    .priv_size = sizeof(struct py_script),
    .check = py_check_needed,
    .cook = py_script_cook,
    OP_PYTHON(chop_script),
    .hooks = OP_HOOK_PULSE,
};
