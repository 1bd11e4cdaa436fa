/* baseCOMP: a container of ops; the root of every network is one. */
#include "../graph/op.h"

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)op;
    (void)ctx;
    return 0;
}

static const struct par_def pars[] = {{0}};

const struct op_type op_comp_base = {
    .name = "base",
    .optype = "baseCOMP",
    .label = "Base",
    .about = "a container",
    .family = OP_COMP,
    .min_inputs = 0,
    .max_inputs = -1,
    .pars = pars,
    .cook = cook,
};
