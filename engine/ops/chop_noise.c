/* noiseCHOP: smooth or random noise over time, one sample per frame.
 * x = seconds / period + tx; each channel draws from its own stream.
 *   perlin  gradient noise, summed over harmon extra octaves: octave h has
 *           frequency spread^h and weight rough^h, normalised to -1..1
 *   random  a new uniform value in -1..1 every frame
 * value = offset + amp * noise. The same seed gives the same values. */
#include <math.h>
#include <stddef.h>

#include "chop_util.h"

enum { NOISE_PERLIN, NOISE_RANDOM };

struct noise {
    int type, seed, harmon;
    double period, amp, offset, spread, rough, tx;
    char *channelname;
    uint64_t layout_version;
};

static uint32_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^
                 (c + 0x165667B1u) * 0xC2B2AE3Du;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h;
}

/* Uniform in -1..1. */
static double hash_unit(uint32_t a, uint32_t b, uint32_t c)
{
    return (double)hash3(a, b, c) / 2147483647.5 - 1.0;
}

static double perlin1(double x, uint32_t stream, uint32_t seed)
{
    if (!isfinite(x)) /* a period or offset beyond any lattice */
        return 0;
    double i = floor(x), f = x - i;
    /* the lattice repeats every 2^32 cells, so that any offset hashes */
    uint32_t i0 = (uint32_t)(int64_t)fmod(i, 4294967296.0);
    double g0 = hash_unit(i0, stream, seed), g1 = hash_unit(i0 + 1, stream, seed);
    double u = f * f * f * (f * (f * 6 - 15) + 10);
    /* Gradients in -1..1 give values within -0.5..0.5; scale to -1..1. */
    return 2 * (g0 * f * (1 - u) + g1 * (f - 1) * u);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct noise *p = op->priv;
    if (p->layout_version != op->par_version || op->chop.nchan == 0) {
        chop_names_from_list(op, p->channelname, ctx->fps);
        p->layout_version = op->par_version;
    }
    if (p->period <= 0) {
        op_set_error(op, "period must be above 0, is %g", p->period);
        return -1;
    }
    double x = ctx->seconds / p->period + p->tx;
    for (int c = 0; c < op->chop.nchan; c++) {
        double v;
        if (p->type == NOISE_RANDOM) {
            v = hash_unit((uint32_t)ctx->frame, (uint32_t)c, (uint32_t)p->seed);
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
        op->chop.vals[c] = p->offset + p->amp * v;
    }
    return 0;
}

static const struct par_menu_item types[] = {
    {"perlin", "Perlin"}, {"random", "Random"}, {0},
};

static const struct par_def pars[] = {
    {.name = "type", .label = "Type", .kind = PAR_MENU, .menu = types,
     .offset = offsetof(struct noise, type)},
    {.name = "seed", .label = "Seed", .kind = PAR_INT, .def = {1},
     .norm = {0, 10}, .offset = offsetof(struct noise, seed)},
    {.name = "period", .label = "Period", .def = {1}, .norm = {0, 10},
     .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,
     .offset = offsetof(struct noise, period)},
    {.name = "harmon", .label = "Harmonics", .kind = PAR_INT, .norm = {0, 8},
     .lim = {0, 16}, .clamp = PAR_CLAMP_BOTH,
     .offset = offsetof(struct noise, harmon)},
    {.name = "spread", .label = "Harmonic Spread", .def = {2}, .norm = {1, 4},
     .offset = offsetof(struct noise, spread)},
    {.name = "rough", .label = "Roughness", .def = {0.5}, .norm = {0, 1},
     .offset = offsetof(struct noise, rough)},
    {.name = "amp", .label = "Amplitude", .def = {1}, .norm = {0, 1},
     .offset = offsetof(struct noise, amp)},
    {.name = "offset", .label = "Offset", .norm = {-1, 1},
     .offset = offsetof(struct noise, offset)},
    {.name = "tx", .label = "Translate", .norm = {-10, 10},
     .offset = offsetof(struct noise, tx)},
    {.name = "channelname", .label = "Channel Names", .kind = PAR_STRING,
     .def_str = "chan1", .offset = offsetof(struct noise, channelname)},
    {0},
};

const struct op_type op_chop_noise = {
    .name = "noise",
    .optype = "noiseCHOP",
    .label = "Noise",
    .about = "`type` perlin (with `harmon`, `spread`, `rough`) or random; "
             "`seed`, `period`, `amp`, `offset`, `tx`",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_TIME_DEPENDENT | OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct noise),
    .cook = cook,
};
