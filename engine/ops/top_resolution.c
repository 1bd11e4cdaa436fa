/* resolutionTOP: its input at another size or pixel format (the common
 * resolutionw, resolutionh and format parameters), filtered linearly. */
#include "top_util.h"

struct resolution {
    struct top_common common;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    if (!in)
        return top_black(op, out);
    gpu_target(out);
    gpu_blit(op->graph->gpu, in);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct resolution),
    {0},
};

const struct op_type op_top_resolution = {
    .name = "resolution",
    .optype = "resolutionTOP",
    .label = "Resolution",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct resolution),
    .cook = cook,
};
