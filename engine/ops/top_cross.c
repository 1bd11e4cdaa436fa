/* crossTOP: its two inputs mixed by `cross`: 0 the first, 1 the second,
 * between the two in proportion. The image has the first input's size
 * (unless the common resolution is set); the second is stretched to it. */
#include "top_util.h"

struct cross {
    struct top_common common;
    double cross;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct cross *p = op->priv;
    struct gpu_tex *a = top_input(op, 0), *b = top_input(op, 1);
    struct gpu_tex *out = top_output_like(op, a);
    if (!out)
        return -1;
    double t = p->cross < 0 ? 0 : p->cross > 1 ? 1 : p->cross;
    return top_mix(op, a, b ? b : a, (float)t, out);
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct cross),
    {.name = "cross", .label = "Cross", .norm = {0, 1},
     PARAM_FLOAT(struct cross, cross)},
    {0},
};

const struct op_type op_top_cross = {
    .name = "cross",
    .optype = "crossTOP",
    .label = "Cross",
    .about = "its two inputs mixed by `cross` (0 the first, 1 the second); "
             "the second stretched to the first's size",
    .family = OP_TOP,
    .min_inputs = 2,
    .max_inputs = 2,
    .pars = pars,
    .priv_size = sizeof(struct cross),
    .cook = cook,
};
