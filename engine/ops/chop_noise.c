/* noiseCHOP: smooth or random noise over time: one sample per frame
 * (time sliced), or the samples of an interval (the Channel page).
 * x = seconds / period + tx; each channel draws from its own stream.
 *   perlin  gradient noise, summed over harmon extra octaves: octave h has
 *           frequency spread^h and weight rough^h, normalised to -1..1
 *   random  a new uniform value in -1..1 every sample
 * value = offset + amp * noise. The same seed gives the same values. */
#include <math.h>
#include <stddef.h>

#include "chop_util.h"

enum { NOISE_PERLIN, NOISE_RANDOM };

struct noise {
    int type, seed, harmon;
    double period, amp, offset, spread, rough, tx;
    char *channelname;
    struct chop_range range;
    uint64_t layout_version;
};

static double perlin1(double x, uint32_t stream, uint32_t seed)
{
    if (!isfinite(x)) /* a period or offset beyond any lattice */
        return 0;
    double i = floor(x), f = x - i;
    /* the lattice repeats every 2^32 cells, so that any offset hashes */
    uint32_t i0 = (uint32_t)(int64_t)fmod(i, 4294967296.0);
    double g0 = chop_hash_unit(i0, stream, seed);
    double g1 = chop_hash_unit(i0 + 1, stream, seed);
    double u = f * f * f * (f * (f * 6 - 15) + 10);
    /* Gradients in -1..1 give values within -0.5..0.5; scale to -1..1. */
    return 2 * (g0 * f * (1 - u) + g1 * (f - 1) * u);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct noise *p = op->priv;
    if (p->period <= 0) {
        op_set_error(op, "period must be above 0, is %g", p->period);
        return -1;
    }
    struct chop_span sp;
    if (!chop_range_span(op, &p->range, ctx, &sp))
        return -1;
    chop_generator_layout(op, p->channelname, &p->layout_version, sp.n,
                          sp.rate);
    int n = sp.n;
    double t0 = sp.t0, dt = sp.dt;
    int64_t first = sp.first;
    for (int c = 0; c < op->chop.nchan; c++)
        for (int i = 0; i < n; i++) {
            double x = (t0 + i * dt) / p->period + p->tx, v;
            if (p->type == NOISE_RANDOM) {
                v = chop_hash_unit((uint32_t)(first + i + 1), (uint32_t)c,
                              (uint32_t)p->seed);
            } else {
                double sum = 0, weight = 0, w = 1, fx = x;
                for (int h = 0; h <= p->harmon; h++) {
                    sum += w * perlin1(fx, (uint32_t)(c * 64 + h),
                                       (uint32_t)p->seed);
                    weight += w;
                    w *= p->rough;
                    fx *= p->spread;
                }
                v = weight > 0 ? sum / weight : 0;
            }
            op->chop.vals[c * n + i] = p->offset + p->amp * v;
        }
    return 0;
}

static const struct par_menu_item types[] = {
    {"perlin", "Perlin"}, {"random", "Random"}, {0},
};

static const struct par_def pars[] = {
    {.name = "type", .label = "Type", .menu = types,
     PARAM_MENU(struct noise, type)},
    {.name = "seed", .label = "Seed", .def = {1},
     .norm = {0, 10}, PARAM_INT(struct noise, seed)},
    {.name = "period", .label = "Period", .def = {1}, .norm = {0, 10},
     .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct noise, period)},
    {.name = "harmon", .label = "Harmonics", .norm = {0, 8},
     .lim = {0, 16}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct noise, harmon)},
    {.name = "spread", .label = "Harmonic Spread", .def = {2}, .norm = {1, 4},
     PARAM_FLOAT(struct noise, spread)},
    {.name = "rough", .label = "Roughness", .def = {0.5}, .norm = {0, 1},
     PARAM_FLOAT(struct noise, rough)},
    {.name = "amp", .label = "Amplitude", .def = {1}, .norm = {0, 1},
     PARAM_FLOAT(struct noise, amp)},
    {.name = "offset", .label = "Offset", .norm = {-1, 1},
     PARAM_FLOAT(struct noise, offset)},
    {.name = "tx", .label = "Translate", .norm = {-10, 10},
     PARAM_FLOAT(struct noise, tx)},
    {.name = "channelname", .label = "Channel Names",
     .def_str = "chan1", PARAM_STRING(struct noise, channelname)},
    CHOP_RANGE_PARS(struct noise, range),
    {0},
};

const struct op_type op_chop_noise = {
    .name = "noise",
    .optype = "noiseCHOP",
    .label = "Noise",
    .about = "`type` perlin (with `harmon`, `spread`, `rough`) or random; "
             "`seed`, `period`, `amp`, `offset`, `tx`; one sample a frame, or "
             "with `timeslice` off the interval `start` to `end`",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_TIME_DEPENDENT | OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct noise),
    .cook = cook,
};
