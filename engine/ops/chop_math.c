/* mathCHOP: per sample, combine the inputs (chopop), then
 *   v = ((v + preoff) * gain + postoff)
 *   v = torange1 + (v - fromrange1) * (torange2 - torange1)
 *                                   / (fromrange2 - fromrange1)
 * The output has the first input's channels; further inputs are matched
 * by channel index (missing channels leave the value as it is). */
#include <stddef.h>

#include "chop_util.h"

enum chopop { OFF, ADD, SUB, MUL, AVG, MIN, MAX };

struct math {
    int chopop;
    double preoff, gain, postoff;
    double fromrange[2], torange[2];
};

static double combine(int opn, double a, double b)
{
    switch (opn) {
    case ADD:
    case AVG: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case MIN: return b < a ? b : a;
    case MAX: return b > a ? b : a;
    default: return a;
    }
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct math *p = op->priv;
    const struct chop_data *in = &op->inputs[0]->chop;
    struct chop_data *out = &op->chop;
    if (!chop_same_layout(out, in))
        chop_copy_layout(out, in);
    out->rate = in->rate;
    double span = p->fromrange[1] - p->fromrange[0];
    double scale = span != 0 ? (p->torange[1] - p->torange[0]) / span : 0;
    double pre = p->preoff, gain = p->gain, post = p->postoff;
    double from0 = p->fromrange[0], to0 = p->torange[0];
    size_t n = (size_t)in->nchan * (size_t)in->nsamples;
    const double *src = in->vals;
    double *dst = out->vals;
    if (op->ninputs == 1 || p->chopop == OFF) {
        for (size_t i = 0; i < n; i++)
            dst[i] = to0 + (((src[i] + pre) * gain + post) - from0) * scale;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
    for (size_t k = 1; k < op->ninputs; k++) {
        const struct chop_data *b = &op->inputs[k]->chop;
        for (int c = 0; c < in->nchan && c < b->nchan; c++)
            for (int s = 0; s < in->nsamples; s++) {
                int bs = s < b->nsamples ? s : b->nsamples - 1;
                double *d = &dst[(size_t)c * (size_t)in->nsamples + (size_t)s];
                *d = combine(p->chopop, *d,
                             b->vals[(size_t)c * (size_t)b->nsamples +
                                     (size_t)bs]);
            }
    }
    double div = p->chopop == AVG ? (double)op->ninputs : 1.0;
    for (size_t i = 0; i < n; i++)
        dst[i] = to0 + (((dst[i] / div + pre) * gain + post) - from0) * scale;
    return 0;
}

static const struct par_menu_item chopops[] = {
    {"off", "Off"}, {"add", "Add"}, {"sub", "Subtract"},
    {"mul", "Multiply"}, {"avg", "Average"}, {"min", "Minimum"},
    {"max", "Maximum"}, {0},
};

static const struct par_def pars[] = {
    {.name = "chopop", .label = "Combine CHOPs",
     .menu = chopops, PARAM_MENU(struct math, chopop)},
    {.name = "preoff", .label = "Pre-Add", .page = "Mult-Add",
     .norm = {-1, 1}, PARAM_FLOAT(struct math, preoff)},
    {.name = "gain", .label = "Multiply", .page = "Mult-Add", .def = {1},
     .norm = {-1, 1}, PARAM_FLOAT(struct math, gain)},
    {.name = "postoff", .label = "Post-Add", .page = "Mult-Add",
     .norm = {-1, 1}, PARAM_FLOAT(struct math, postoff)},
    {.name = "fromrange", .label = "From Range", .page = "Range", .size = 2,
     .suffixes = "12", .def = {0, 1}, .norm = {0, 1},
     PARAM_FLOAT(struct math, fromrange[0])},
    {.name = "torange", .label = "To Range", .page = "Range", .size = 2,
     .suffixes = "12", .def = {0, 1}, .norm = {0, 1},
     PARAM_FLOAT(struct math, torange[0])},
    {0},
};

const struct op_type op_chop_math = {
    .name = "math",
    .optype = "mathCHOP",
    .label = "Math",
    .about = "combine inputs (`chopop`), then `preoff`, `gain`, `postoff`, then "
             "`fromrange1 fromrange2` to `torange1 torange2`",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct math),
    .cook = cook,
};
