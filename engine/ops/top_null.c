/* nullTOP: its input, unchanged (resized or converted when the common
 * parameters ask); a stable name to show or to reference. */
#include "top_util.h"

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct top_plain),
    {0},
};

const struct op_type op_top_null = {
    .name = "null",
    .optype = "nullTOP",
    .label = "Null",
    .about = "passes its input",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct top_plain),
    .cook = top_cook_copy,
};
