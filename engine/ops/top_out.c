/* outTOP: its input, unchanged, as TouchDesigner's Out TOP passes a
 * COMP's image out; here a name to show (`[network] output`) or to
 * reference, the same as a nullTOP. */
#include "top_util.h"

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct top_plain),
    {0},
};

const struct op_type op_top_out = {
    .name = "out",
    .optype = "outTOP",
    .label = "Out",
    .about = "passes its input, as a COMP's Out TOP does; a name to show or "
             "reference, like `nullTOP`",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct top_plain),
    .cook = top_cook_copy,
};
