/* switchTOP: one of its inputs, by `index` (the first is 0; beyond the
 * last, the last). With `blend`, a fractional index mixes the two inputs
 * around it (1.25: a quarter of the way from input 1 to input 2). The
 * image has the size of the input shown (blending: of the lower one),
 * unless the common resolution is set. */
#include <math.h>

#include "top_util.h"

struct sw {
    struct top_common common;
    double index;
    int blend;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct sw *p = op->priv;
    int n = (int)op->ninputs;
    if (n == 0) {
        op_set_error(op, "nothing to switch between: connect inputs");
        return -1;
    }
    double idx = isfinite(p->index) ? p->index : 0;
    idx = idx < 0 ? 0 : idx > n - 1 ? n - 1 : idx;
    int lo = (int)floor(idx), hi = lo + 1 < n ? lo + 1 : lo;
    float t = p->blend ? (float)(idx - lo) : 0.0f;
    struct gpu_tex *a = top_input(op, (size_t)lo), *b = top_input(op,
                                                                  (size_t)hi);
    struct gpu_tex *out = top_output_like(op, a);
    if (!out)
        return -1;
    return top_mix(op, a, t > 0 ? b : a, t, out);
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct sw),
    {.name = "index", .label = "Index", .norm = {0, 4},
     PARAM_FLOAT(struct sw, index)},
    {.name = "blend", .label = "Blend between Inputs",
     PARAM_TOGGLE(struct sw, blend)},
    {0},
};

const struct op_type op_top_switch = {
    .name = "switch",
    .optype = "switchTOP",
    .label = "Switch",
    .about = "one of its inputs by `index` (from 0; clamped to the inputs); "
             "with `blend` a fractional index mixes the two around it",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct sw),
    .cook = cook,
};
