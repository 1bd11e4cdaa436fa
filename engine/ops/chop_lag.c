/* lagCHOP: follows its input with separate lags up and down. Per frame,
 *   y += (x - y) * (1 - exp(-dt / lag))
 * with lag = lag1 while the input is above the output, lag2 below; a lag
 * of 0 follows at once. The first cook starts at the input. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "../base/util.h"
#include "chop_util.h"

struct lag {
    double lag[2];
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct lag *p = op->priv;
    const struct chop_data *in = &op->inputs[0]->chop;
    struct chop_data *out = &op->chop;
    bool fresh = !chop_same_layout(out, in) || ctx->dt <= 0;
    if (!chop_same_layout(out, in))
        chop_copy_layout(out, in);
    size_t n = (size_t)in->nchan * (size_t)in->nsamples;
    for (size_t i = 0; i < n; i++) {
        double x = in->vals[i], y = out->vals[i];
        if (fresh) {
            out->vals[i] = x;
            continue;
        }
        double lag = x > y ? p->lag[0] : p->lag[1];
        out->vals[i] = lag > 0 ? y + (x - y) * (1 - exp(-ctx->dt / lag)) : x;
    }
    return 0;
}

static const struct par_def pars[] = {
    {.name = "lag", .label = "Lag", .size = 2, .suffixes = "12",
     .def = {0.2, 0.2}, .norm = {0, 1}, .lim = {0, 0},
     .clamp = PAR_CLAMP_MIN, PARAM_FLOAT(struct lag, lag[0])},
    {0},
};

const struct op_type op_chop_lag = {
    .name = "lag",
    .optype = "lagCHOP",
    .label = "Lag",
    .about = "exponential lag, `lag1` going up and `lag2` going down, in seconds",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_TIME_DEPENDENT,
    .pars = pars,
    .priv_size = sizeof(struct lag),
    .cook = cook,
};
