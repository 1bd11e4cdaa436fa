/* scriptTOP: an image made by Python. Each cook calls onCook(scriptOp) in
 * the DAT named by `callbacks`, which fills the image with
 * copyNumpyArray() or loadByteArray() (engine/py). Until it does, the op
 * shows its input, or black at its resolution. A failing script keeps the
 * last image. */
#include <stddef.h>

#include "../py/py.h"
#include "top_util.h"
#include "top_script.py.h"

struct script {
    struct top_common common;
    char *callbacks;
    int setuppars; /* a pulse: onSetupParameters() runs again */
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    if (!top_gpu(op))
        return -1;
    int rc = py_cook_script(op);
    if (op->top.tex)
        return rc;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    if (!in)
        return top_black(op, out) && rc == 0 ? 0 : 1;
    gpu_target(out);
    gpu_blit(op->graph->gpu, in);
    return rc == 0 ? 0 : 1;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct script),
    PY_SCRIPT_PARS(struct script),
    {0},
};

const struct op_type op_top_script = {
    .name = "script",
    .optype = "scriptTOP",
    .label = "Script",
    .about = "an image made by `onCook(scriptOp)` in the DAT named by "
             "`callbacks` (`copyNumpyArray`, `loadByteArray`); its input, or "
             "black, until then",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = -1,
    .flags = OPT_TIME_DEPENDENT | OPT_CUSTOM_PARS,
    .pars = pars,
    .priv_size = sizeof(struct script),
    .check = py_check_needed,
    .cook = cook,
    OP_PYTHON(top_script),
    .hooks = OP_HOOK_PULSE,
};
