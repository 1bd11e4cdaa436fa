/* rampTOP: a gradient through `keys` colour keys (2 to 8): key i is at
 * pos<i> (0..1) with colour color<i>r/g/b/a. `type` horizontal (left to
 * right), vertical (bottom to top), radial (from the centre out to half
 * the height) or circular (around the centre, counter-clockwise from the
 * right); `period` stretches and `phase` shifts it. By default black at 0
 * to white at 1. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "top_util.h"
#include "top_ramp.glsl.h"

#define KEYS 8

struct ramp {
    struct top_common common;
    int type, keys;
    double phase, period;
    double pos[KEYS];
    double color[KEYS][4];
};

struct key {
    float pos, rgba[4];
};

static int by_pos(const void *a, const void *b)
{
    float x = ((const struct key *)a)->pos, y = ((const struct key *)b)->pos;
    return (x > y) - (x < y);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct ramp *p = op->priv;
    struct gpu_tex *out = top_output(op);
    if (!out)
        return -1;
    struct key k[KEYS];
    for (int i = 0; i < p->keys; i++) {
        k[i].pos = (float)p->pos[i];
        for (int c = 0; c < 4; c++)
            k[i].rgba[c] = (float)p->color[i][c];
    }
    qsort(k, (size_t)p->keys, sizeof(k[0]), by_pos);
    /* Key i's weight: (t - pos[i-1]) / span, as t * A + B; a key at the
     * place of the one before is a step there (A huge, B 1 at it). */
    float ka[KEYS] = {0}, kb[KEYS] = {0}, delta[KEYS * 4] = {0};
    for (int i = 1; i < p->keys; i++) {
        double span = (double)k[i].pos - k[i - 1].pos;
        bool step = !(span > 0);
        ka[i] = step ? 1e30f : (float)(1 / span);
        kb[i] = step ? 1.0f - 1e30f * k[i - 1].pos
                     : (float)(-k[i - 1].pos / span);
        for (int c = 0; c < 4; c++)
            delta[i * 4 + c] = k[i].rgba[c] - k[i - 1].rgba[c];
    }
    char defs[48];
    snprintf(defs, sizeof(defs), "#define TYPE %d\n#define KEYS %d\n",
             p->type, p->keys);
    struct gpu_program *prog = top_variant(op, top_ramp_glsl, defs,
                                           "rampTOP's shader");
    if (!prog)
        return top_black(op, out);
    gpu_target(out);
    /* The position from vUV: centred and in units of the height for the
     * radial and circular ones (radial: out to half the height is 1),
     * divided by the period but for circular, where it applies to the
     * angle. */
    double inv = p->period != 0 ? 1 / p->period : 1;
    double aspect = (double)out->w / out->h;
    double sx = 1, sy = 1, ox = 0, oy = 0;
    if (p->type == 2) {
        sx = 2 * aspect;
        sy = 2;
    } else if (p->type == 3) {
        sx = aspect;
    }
    if (p->type >= 2) {
        ox = -sx / 2;
        oy = -sy / 2;
    }
    if (p->type != 3) {
        sx *= inv;
        sy *= inv;
        ox *= inv;
        oy *= inv;
    }
    top_uniform2f(prog, "uScale", (float)sx, (float)sy);
    top_uniform2f(prog, "uOrigin", (float)ox, (float)oy);
    top_uniform1f(prog, "uPhase", (float)p->phase);
    top_uniform1f(prog, "uInvPeriod", (float)inv);
    top_uniform4f(prog, "uColor0", k[0].rgba[0], k[0].rgba[1], k[0].rgba[2],
                  k[0].rgba[3]);
    glUniform1fv(gpu_uniform(prog, "uA"), p->keys, ka);
    glUniform1fv(gpu_uniform(prog, "uB"), p->keys, kb);
    glUniform4fv(gpu_uniform(prog, "uDelta"), p->keys, delta);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

static int create(struct op *op)
{
    /* Key 1 starts white at 1: declarations give every key one default. */
    struct ramp *p = op->priv;
    p->pos[1] = 1;
    for (int c = 0; c < 4; c++)
        p->color[1][c] = 1;
    return 0;
}

static const struct par_menu_item types[] = {
    {"horizontal", "Horizontal"}, {"vertical", "Vertical"},
    {"radial", "Radial"}, {"circular", "Circular"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct ramp),
    {.name = "type", .label = "Type", .menu = types,
     PARAM_MENU(struct ramp, type)},
    {.name = "phase", .label = "Phase", .norm = {0, 1},
     PARAM_FLOAT(struct ramp, phase)},
    {.name = "period", .label = "Period", .def = {1}, .norm = {0, 2},
     PARAM_FLOAT(struct ramp, period)},
    {.name = "keys", .label = "Keys", .def = {2},
     .norm = {2, KEYS}, .lim = {2, KEYS}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct ramp, keys)},
    {.name = "pos#", .label = "Key Position", .page = "Keys", .count = KEYS,
     .norm = {0, 1}, PARAM_FLOAT(struct ramp, pos[0])},
    {.name = "color#", .label = "Key Color", .page = "Keys", .count = KEYS,
     .def = {0, 0, 0, 1}, .norm = {0, 1},
     PARAM_RGBA(struct ramp, color[0])},
    {0},
};

const struct op_type op_top_ramp = {
    .name = "ramp",
    .optype = "rampTOP",
    .label = "Ramp",
    .about = "`type` horizontal, vertical, radial, circular; `keys` (2 to 8) "
             "keys `posN` and `colorNr g b a`; `phase`, `period`",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR | OPT_ONE_PASS,
    .pars = pars,
    .priv_size = sizeof(struct ramp),
    .create = create,
    .cook = cook,
};
