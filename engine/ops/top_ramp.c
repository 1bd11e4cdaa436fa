/* rampTOP: a gradient through `keys` colour keys (2 to 8): key i is at
 * pos<i> (0..1) with colour color<i>r/g/b/a. `type` horizontal (left to
 * right), vertical (bottom to top), radial (from the centre out to half
 * the height) or circular (around the centre, counter-clockwise from the
 * right); `period` stretches and `phase` shifts it. By default black at 0
 * to white at 1. */
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
    GLuint prog = top_program(op, top_ramp_glsl, "rampTOP's shader");
    if (!prog)
        return top_black(op, out);
    struct key k[KEYS];
    for (int i = 0; i < p->keys; i++) {
        k[i].pos = (float)p->pos[i];
        for (int c = 0; c < 4; c++)
            k[i].rgba[c] = (float)p->color[i][c];
    }
    qsort(k, (size_t)p->keys, sizeof(k[0]), by_pos);
    float pos[KEYS], rgba[KEYS * 4];
    for (int i = 0; i < p->keys; i++) {
        pos[i] = k[i].pos;
        for (int c = 0; c < 4; c++)
            rgba[i * 4 + c] = k[i].rgba[c];
    }
    gpu_target(out);
    glUseProgram(prog);
    top_uniform1i(prog, "uType", p->type);
    top_uniform1f(prog, "uPhase", (float)p->phase);
    top_uniform1f(prog, "uPeriod", p->period != 0 ? (float)p->period : 1.0f);
    top_uniform1f(prog, "uAspect", (float)out->w / (float)out->h);
    top_uniform1i(prog, "uCount", p->keys);
    glUniform1fv(glGetUniformLocation(prog, "uPos"), p->keys, pos);
    glUniform4fv(glGetUniformLocation(prog, "uColor"), p->keys, rgba);
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
    .flags = OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct ramp),
    .create = create,
    .cook = cook,
};
