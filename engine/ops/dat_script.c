/* scriptDAT: a table (or text) made by Python. Each cook calls
 * onCook(scriptOp) in the DAT named by `callbacks`, which builds the
 * output with the table methods (clear, appendRow, [r, c] = v, text =
 * ...) from its inputs or anything else (engine/py). A failing script
 * keeps the last table. */
#include <stddef.h>

#include "../py/py.h"
#include "../graph/op.h"
#include "dat_script.py.h"

static const struct par_def pars[] = {
    PY_SCRIPT_PARS(struct py_script),
    {0},
};

const struct op_type op_dat_script = {
    .name = "script",
    .optype = "scriptDAT",
    .label = "Script",
    .about = "a table made by `onCook(scriptOp)` in the DAT named by "
             "`callbacks` (`clear`, `appendRow`, `[r, c] = v`, `text`), "
             "from its inputs or anything else",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = -1,
    .flags = OPT_TIME_DEPENDENT | OPT_CUSTOM_PARS,
    .pars = pars,
    .priv_size = sizeof(struct py_script),
    .check = py_check_needed,
    .cook = py_script_cook,
    OP_PYTHON(dat_script),
    .hooks = OP_HOOK_PULSE,
};
