/* resolutionTOP: its input at another size or pixel format (the common
 * resolutionw, resolutionh and format parameters), filtered linearly. */
#include "top_util.h"

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct top_plain),
    {0},
};

const struct op_type op_top_resolution = {
    .name = "resolution",
    .optype = "resolutionTOP",
    .label = "Resolution",
    .about = "resamples to `resolutionw`/`resolutionh`",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct top_plain),
    .cook = top_cook_copy,
};
