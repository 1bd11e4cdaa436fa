/* lfoCHOP: a low-frequency oscillator, one sample per frame.
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

enum wave { WAVE_SIN, WAVE_TRI, WAVE_SQUARE, WAVE_RAMP, WAVE_PULSE };

struct lfo {
    int wavetype;
    double frequency, amp, offset, phase;
    char *channelname;
    uint64_t layout_version;
};


static double lfo_wave(int wave, double x, double step)
{
    double f = x - floor(x);
    switch (wave) {
    case WAVE_TRI:
        return f < 0.25 ? 4 * f : f < 0.75 ? 2 - 4 * f : 4 * f - 4;
    case WAVE_SQUARE: return f < 0.5 ? 1 : -1;
    case WAVE_RAMP: return f;
    case WAVE_PULSE: return floor(x) != floor(x - step) ? 1 : 0;
    default: return sin(2 * M_PI * f);
    }
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct lfo *p = op->priv;
    if (p->layout_version != op->par_version || op->chop.nchan == 0) {
        chop_names_from_list(op, p->channelname, ctx->fps);
        p->layout_version = op->par_version;
    }
    double x = p->frequency * ctx->seconds + p->phase;
    double v = p->offset +
               p->amp * lfo_wave(p->wavetype, x, p->frequency / ctx->fps);
    for (int i = 0; i < op->chop.nchan; i++)
        op->chop.vals[i] = v;
    return 0;
}

static const struct par_menu_item waves[] = {
    {"sin", "Sine"}, {"tri", "Triangle"}, {"square", "Square"},
    {"ramp", "Ramp"}, {"pulse", "Pulse"}, {0},
};

static const struct par_def pars[] = {
    {.name = "wavetype", .label = "Type", .kind = PAR_MENU, .menu = waves,
     .offset = offsetof(struct lfo, wavetype)},
    {.name = "frequency", .label = "Frequency", .def = {1}, .norm = {0, 10},
     .offset = offsetof(struct lfo, frequency)},
    {.name = "amp", .label = "Amplitude", .def = {1}, .norm = {0, 1},
     .offset = offsetof(struct lfo, amp)},
    {.name = "offset", .label = "Offset", .norm = {-1, 1},
     .offset = offsetof(struct lfo, offset)},
    {.name = "phase", .label = "Phase", .norm = {0, 1},
     .offset = offsetof(struct lfo, phase)},
    {.name = "channelname", .label = "Channel Name", .kind = PAR_STRING,
     .def_str = "chan1", .offset = offsetof(struct lfo, channelname)},
    {0},
};

const struct op_type op_chop_lfo = {
    .name = "lfo",
    .optype = "lfoCHOP",
    .label = "LFO",
    .about = "`wavetype` sin, tri, square, ramp, pulse; `frequency`, `amp`, "
             "`offset`, `phase`; channel `chan1` (`channelname`)",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_TIME_DEPENDENT | OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct lfo),
    .cook = cook,
};
