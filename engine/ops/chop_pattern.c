/* patternCHOP: `length` samples of a shape per channel, as arrays of
 * values to index (lookup tables, sequences, ramps for instancing):
 * value = offset + amp * shape(numcycles * i / length + phase +
 * channel * phasestep). Shapes are the LFO CHOP's, plus constant (1) and
 * random (-1..1 per sample, the same for the same seed). */
#include <stddef.h>
#include <stdint.h>

#include "chop_util.h"

enum { PAT_CONSTANT = CHOP_PULSE + 1, PAT_RANDOM };

struct pattern {
    int wavetype, length, seed;
    double numcycles, phase, phasestep, amp, offset, rate;
    char *channelname;
    uint64_t layout_version;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct pattern *p = op->priv;
    int n = p->length;
    chop_generator_layout(op, p->channelname, &p->layout_version, n,
                          p->rate > 0 ? p->rate : ctx->fps);
    struct chop_data *c = &op->chop;
    for (int k = 0; k < c->nchan; k++)
        for (int i = 0; i < n; i++) {
            double x = p->numcycles * i / n + p->phase + k * p->phasestep, v;
            if (p->wavetype == PAT_CONSTANT)
                v = 1;
            else if (p->wavetype == PAT_RANDOM)
                v = chop_hash_unit((uint32_t)i, (uint32_t)k, (uint32_t)p->seed);
            else
                v = chop_wave(p->wavetype, x, p->numcycles / n);
            c->vals[k * n + i] = p->offset + p->amp * v;
        }
    return 0;
}

static const struct par_menu_item waves[] = {
    {"sin", "Sine"}, {"tri", "Triangle"}, {"square", "Square"},
    {"ramp", "Ramp"}, {"pulse", "Pulse"}, {"constant", "Constant"},
    {"random", "Random"}, {0},
};

static const struct par_def pars[] = {
    {.name = "wavetype", .label = "Type", .menu = waves,
     PARAM_MENU(struct pattern, wavetype)},
    {.name = "length", .label = "Length", .def = {1000},
     .norm = {1, 1000}, .lim = {1, CHOP_RANGE_MAX}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct pattern, length)},
    {.name = "numcycles", .label = "Number of Cycles", .def = {1},
     .norm = {0, 10}, PARAM_FLOAT(struct pattern, numcycles)},
    {.name = "seed", .label = "Seed", .def = {1},
     .norm = {0, 10}, PARAM_INT(struct pattern, seed)},
    {.name = "phase", .label = "Phase", .norm = {0, 1},
     PARAM_FLOAT(struct pattern, phase)},
    {.name = "phasestep", .label = "Phase Step per Channel", .norm = {0, 1},
     PARAM_FLOAT(struct pattern, phasestep)},
    {.name = "amp", .label = "Amplitude", .def = {1}, .norm = {0, 1},
     PARAM_FLOAT(struct pattern, amp)},
    {.name = "offset", .label = "Offset", .norm = {-1, 1},
     PARAM_FLOAT(struct pattern, offset)},
    {.name = "channelname", .label = "Channel Names",
     .page = "Channel", .def_str = "chan1",
     PARAM_STRING(struct pattern, channelname)},
    {.name = "rate", .label = "Sample Rate", .page = "Channel",
     .norm = {0, 240}, .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct pattern, rate)},
    {0},
};

const struct op_type op_chop_pattern = {
    .name = "pattern",
    .optype = "patternCHOP",
    .label = "Pattern",
    .about = "`length` samples of `wavetype` sin, tri, square, ramp, pulse, "
             "constant or random per channel: `numcycles`, `phase`, "
             "`phasestep`, `amp`, `offset`, `seed`",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct pattern),
    .cook = cook,
};
