/* levelTOP: brightness (-1..1, added, default 0), contrast (0..2+, about
 * 0.5, default 1), gamma, opacity (0..1) and invert, as the seeds use
 * them. The shader says the order. */
#include "top_util.h"
#include "top_level.glsl.h"

struct level {
    struct top_common common;
    double brightness, contrast, gamma, opacity, invert;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct level *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    GLuint prog = top_filter_begin(op, in, out, top_level_glsl,
                                   "levelTOP's shader", GL_CLAMP_TO_EDGE);
    if (!prog)
        return 1;
    top_uniform1f(prog, "uBrightness", (float)p->brightness);
    top_uniform1f(prog, "uContrast", (float)p->contrast);
    top_uniform1f(prog, "uGamma", (float)p->gamma);
    top_uniform1f(prog, "uOpacity", (float)p->opacity);
    top_uniform1f(prog, "uInvert", (float)p->invert);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct level),
    {.name = "brightness", .label = "Brightness", .norm = {-1, 1},
     .offset = offsetof(struct level, brightness)},
    {.name = "contrast", .label = "Contrast", .def = {1}, .norm = {0, 2},
     .offset = offsetof(struct level, contrast)},
    {.name = "gamma", .label = "Gamma", .def = {1}, .norm = {0.1, 4},
     .lim = {0.001, 0}, .clamp = PAR_CLAMP_MIN,
     .offset = offsetof(struct level, gamma)},
    {.name = "opacity", .label = "Opacity", .def = {1}, .norm = {0, 1},
     .lim = {0, 1}, .clamp = PAR_CLAMP_BOTH,
     .offset = offsetof(struct level, opacity)},
    {.name = "invert", .label = "Invert", .norm = {0, 1}, .lim = {0, 1},
     .clamp = PAR_CLAMP_BOTH, .offset = offsetof(struct level, invert)},
    {0},
};

const struct op_type op_top_level = {
    .name = "level",
    .optype = "levelTOP",
    .label = "Level",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct level),
    .cook = cook,
};
