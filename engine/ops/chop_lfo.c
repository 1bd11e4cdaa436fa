/* lfoCHOP: a low-frequency oscillator: one sample per frame (time
 * sliced), or the samples of an interval (the Channel page).
 * value = offset + amp * wave(frequency * seconds + phase), where the
 * wave's cycle starts at 0:
 *   sin     sin(2 pi x)
 *   tri     0, 1 at a quarter, -1 at three quarters, 0
 *   square  1 for the first half of the cycle, -1 for the second
 *   ramp    rises from 0 to 1 over the cycle
 *   pulse   1 in the frame a cycle begins, else 0 */
#include <math.h>
#include <stddef.h>

#include "chop_util.h"

struct lfo {
    int wavetype;
    double frequency, amp, offset, phase;
    char *channelname;
    struct chop_range range;
    uint64_t layout_version;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct lfo *p = op->priv;
    struct chop_span sp;
    if (!chop_range_span(op, &p->range, ctx, &sp))
        return -1;
    chop_generator_layout(op, p->channelname, &p->layout_version, sp.n,
                          sp.rate);
    int n = sp.n;
    double t0 = sp.t0, dt = sp.dt;
    struct chop_data *c = &op->chop;
    for (int i = 0; i < n; i++) {
        double x = p->frequency * (t0 + i * dt) + p->phase;
        double v = p->offset +
                   p->amp * chop_wave(p->wavetype, x, p->frequency * dt);
        for (int k = 0; k < c->nchan; k++)
            c->vals[k * n + i] = v;
    }
    return 0;
}

static const struct par_menu_item waves[] = {
    {"sin", "Sine"}, {"tri", "Triangle"}, {"square", "Square"},
    {"ramp", "Ramp"}, {"pulse", "Pulse"}, {0},
};

static const struct par_def pars[] = {
    {.name = "wavetype", .label = "Type", .menu = waves,
     PARAM_MENU(struct lfo, wavetype)},
    {.name = "frequency", .label = "Frequency", .def = {1}, .norm = {0, 10},
     PARAM_FLOAT(struct lfo, frequency)},
    {.name = "amp", .label = "Amplitude", .def = {1}, .norm = {0, 1},
     PARAM_FLOAT(struct lfo, amp)},
    {.name = "offset", .label = "Offset", .norm = {-1, 1},
     PARAM_FLOAT(struct lfo, offset)},
    {.name = "phase", .label = "Phase", .norm = {0, 1},
     PARAM_FLOAT(struct lfo, phase)},
    {.name = "channelname", .label = "Channel Name",
     .def_str = "chan1", PARAM_STRING(struct lfo, channelname)},
    CHOP_RANGE_PARS(struct lfo, range),
    {0},
};

const struct op_type op_chop_lfo = {
    .name = "lfo",
    .optype = "lfoCHOP",
    .label = "LFO",
    .about = "`wavetype` sin, tri, square, ramp, pulse; `frequency`, `amp`, "
             "`offset`, `phase`; channel `chan1` (`channelname`); one sample a "
             "frame, or with `timeslice` off the interval `start` to `end`",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_TIME_DEPENDENT | OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct lfo),
    .cook = cook,
};
