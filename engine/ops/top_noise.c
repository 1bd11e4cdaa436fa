/* noiseTOP: `type` random, sparse, harmonic, perlin or simplex; `period`
 * in pixels, `harmon` extra octaves, each `spread` times finer and
 * `rough` times weaker; `exp` shapes the result; value = offset +
 * amp * noise; translate tx/ty in pixels, tz through depth; `mono` makes
 * r = g = b. The same seed gives the same image. The shader says more. */
#include <stdio.h>

#include "top_util.h"
#include "top_noise.glsl.h"

struct noise {
    struct top_common common;
    int type, seed, harmon, mono;
    double period, spread, rough, exponent, amp, offset;
    double t[3];
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct noise *p = op->priv;
    struct gpu_tex *out = top_output(op);
    if (!out)
        return -1;
    if (p->period <= 0) {
        op_set_error(op, "period must be above 0, is %g", p->period);
        return top_black(op, out);
    }
    char defs[64];
    snprintf(defs, sizeof(defs), "#define TYPE %d\n#define MONO %d\n",
             p->type, p->mono != 0);
    struct gpu_program *prog = top_variant(op, top_noise_glsl, defs,
                                           "noiseTOP's shader");
    if (!prog)
        return top_black(op, out);
    gpu_target(out);
    top_uniform1i(prog, "uSeed", p->seed);
    top_uniform1i(prog, "uHarmon", p->harmon);
    top_uniform1f(prog, "uPeriod", (float)p->period);
    top_uniform1f(prog, "uSpread", (float)p->spread);
    top_uniform1f(prog, "uRough", (float)p->rough);
    top_uniform1f(prog, "uExponent", (float)p->exponent);
    top_uniform1f(prog, "uAmp", (float)p->amp);
    top_uniform1f(prog, "uOffset", (float)p->offset);
    GLint loc = gpu_uniform(prog, "uT");
    if (loc >= 0)
        glUniform3f(loc, (float)p->t[0], (float)p->t[1], (float)p->t[2]);
    top_uniform2f(prog, "uSize", (float)out->w, (float)out->h);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

static const struct par_menu_item types[] = {
    {"random", "Random (GPU)"}, {"sparse", "Sparse"},
    {"harmonic", "Harmonic Summation"}, {"perlin", "Perlin 3D"},
    {"simplex", "Simplex 3D"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct noise),
    {.name = "type", .label = "Type", .menu = types,
     .def_str = "perlin", PARAM_MENU(struct noise, type)},
    {.name = "seed", .label = "Seed", .def = {1},
     .norm = {0, 10}, PARAM_INT(struct noise, seed)},
    {.name = "period", .label = "Period", .def = {100}, .norm = {1, 500},
     .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct noise, period)},
    {.name = "harmon", .label = "Harmonics", .def = {2},
     .norm = {0, 8}, .lim = {0, 16}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct noise, harmon)},
    {.name = "spread", .label = "Harmonic Spread", .def = {2},
     .norm = {1, 4}, PARAM_FLOAT(struct noise, spread)},
    {.name = "rough", .label = "Roughness", .def = {0.5}, .norm = {0, 1},
     PARAM_FLOAT(struct noise, rough)},
    {.name = "exp", .alias = "exponent", .label = "Exponent", .def = {1},
     .norm = {0.1, 4},
     .lim = {0.001, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct noise, exponent)},
    {.name = "amp", .label = "Amplitude", .def = {0.5}, .norm = {0, 2},
     PARAM_FLOAT(struct noise, amp)},
    {.name = "offset", .label = "Offset", .def = {0.5}, .norm = {-1, 1},
     PARAM_FLOAT(struct noise, offset)},
    {.name = "t", .label = "Translate", .size = 3, .suffixes = "xyz",
     .norm = {-100, 100}, PARAM_FLOAT(struct noise, t[0])},
    {.name = "mono", .label = "Monochrome", .def = {1},
     PARAM_TOGGLE(struct noise, mono)},
    {0},
};

const struct op_type op_top_noise = {
    .name = "noise",
    .optype = "noiseTOP",
    .label = "Noise",
    .about = "`type` random, sparse, harmonic, perlin, simplex; `period` "
             "(pixels), `amp`, `offset`, `harmon`, `spread`, `rough`, `exp` (or "
             "`exponent`), `seed`, `tx ty tz`, `mono`",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR | OPT_ONE_PASS,
    .pars = pars,
    .priv_size = sizeof(struct noise),
    .cook = cook,
};
