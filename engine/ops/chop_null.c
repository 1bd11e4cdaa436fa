/* nullCHOP: passes its input through; a stable name to export from. */
#include <string.h>

#include "chop_util.h"

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    const struct chop_data *in = &op->inputs[0]->chop;
    if (!chop_same_layout(&op->chop, in))
        chop_copy_layout(&op->chop, in);
    op->chop.rate = in->rate;
    memcpy(op->chop.vals, in->vals,
           (size_t)in->nchan * (size_t)in->nsamples * sizeof(double));
    return 0;
}

static const struct par_def pars[] = {{0}};

const struct op_type op_chop_null = {
    .name = "null",
    .optype = "nullCHOP",
    .label = "Null",
    .about = "passes its input through",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .cook = cook,
};
