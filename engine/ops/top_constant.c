/* constantTOP: one colour everywhere. Like TouchDesigner, TOPs carry
 * premultiplied colour: the output is (colorr, colorg, colorb) * alpha,
 * alpha. A clear, no shader. */
#include "top_util.h"

struct constant {
    struct top_common common;
    double color[3], alpha;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct constant *p = op->priv;
    struct gpu_tex *out = top_output(op);
    if (!out)
        return -1;
    gpu_clear(out, (float)(p->color[0] * p->alpha),
              (float)(p->color[1] * p->alpha),
              (float)(p->color[2] * p->alpha), (float)p->alpha);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct constant),
    {.name = "color", .label = "Color", .size = 3, .suffixes = "rgb",
     .def = {1, 1, 1}, .norm = {0, 1},
     PARAM_FLOAT(struct constant, color[0])},
    {.name = "alpha", .label = "Alpha", .def = {1}, .norm = {0, 1},
     PARAM_FLOAT(struct constant, alpha)},
    {0},
};

const struct op_type op_top_constant = {
    .name = "constant",
    .optype = "constantTOP",
    .label = "Constant",
    .about = "`colorr colorg colorb`, `alpha`",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct constant),
    .cook = cook,
};
