/* cropTOP: keeps the part of the input between cropleft and cropright,
 * cropbottom and croptop (fractions of its size); the output is that
 * part's size unless the common resolution parameters say otherwise. */
#include <math.h>

#include "top_util.h"
#include "top_crop.glsl.h"

struct crop {
    struct top_common common;
    double left, right, bottom, top;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct crop *p = op->priv;
    struct gpu_tex *in = top_input(op, 0);
    if (p->right <= p->left || p->top <= p->bottom) {
        op_set_error(op, "crop: right must be above left and top above "
                     "bottom (left %g right %g bottom %g top %g)", p->left,
                     p->right, p->bottom, p->top);
        return -1;
    }
    int w = in ? (int)lround(in->w * (p->right - p->left)) : op->graph->width;
    int h = in ? (int)lround(in->h * (p->top - p->bottom)) : op->graph->height;
    struct gpu_tex *out = top_output_size(op, w, h);
    if (!out)
        return -1;
    /* On whole pixels, at the part's own size: a copy. */
    double x0 = in ? p->left * in->w : 0, y0 = in ? p->bottom * in->h : 0;
    if (in && out->w == w && out->h == h && x0 == floor(x0) &&
        y0 == floor(y0) && (double)w == in->w * (p->right - p->left) &&
        (double)h == in->h * (p->top - p->bottom) &&
        gpu_copy_rect(op->graph->gpu, out, in, (int)x0, (int)y0))
        return 0;
    struct gpu_program *prog = top_filter_begin(op, in, out, top_crop_glsl,
                                   "cropTOP's shader", GL_CLAMP_TO_EDGE);
    if (!prog)
        return 1;
    top_uniform2f(prog, "uMin", (float)p->left, (float)p->bottom);
    top_uniform2f(prog, "uMax", (float)p->right, (float)p->top);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct crop),
    {.name = "cropleft", .label = "Crop Left", .norm = {0, 1}, .lim = {0, 1},
     .clamp = PAR_CLAMP_BOTH, PARAM_FLOAT(struct crop, left)},
    {.name = "cropright", .label = "Crop Right", .def = {1}, .norm = {0, 1},
     .lim = {0, 1}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct crop, right)},
    {.name = "cropbottom", .label = "Crop Bottom", .norm = {0, 1},
     .lim = {0, 1}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct crop, bottom)},
    {.name = "croptop", .label = "Crop Top", .def = {1}, .norm = {0, 1},
     .lim = {0, 1}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct crop, top)},
    {0},
};

const struct op_type op_top_crop = {
    .name = "crop",
    .optype = "cropTOP",
    .label = "Crop",
    .about = "`cropleft cropright cropbottom croptop` as fractions",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct crop),
    .cook = cook,
};
