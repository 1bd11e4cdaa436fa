/* hsvadjustTOP: hueoffset (degrees), saturationmult, valuemult. */
#include "top_util.h"
#include "top_hsvadjust.glsl.h"

struct hsv {
    struct top_common common;
    double hueoffset, saturationmult, valuemult;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct hsv *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    struct gpu_program *prog = top_filter_variant(
        op, in, out, top_hsvadjust_glsl, NULL, "hsvadjustTOP's shader",
        GL_CLAMP_TO_EDGE, true);
    if (!prog)
        return 1;
    top_uniform1f(prog, "uHue", (float)p->hueoffset);
    top_uniform1f(prog, "uSat", (float)p->saturationmult);
    top_uniform1f(prog, "uVal", (float)p->valuemult);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct hsv),
    {.name = "hueoffset", .label = "Hue Offset", .norm = {-180, 180},
     PARAM_FLOAT(struct hsv, hueoffset)},
    {.name = "saturationmult", .label = "Saturation Multiplier", .def = {1},
     .norm = {0, 2}, PARAM_FLOAT(struct hsv, saturationmult)},
    {.name = "valuemult", .label = "Value Multiplier", .def = {1},
     .norm = {0, 2}, PARAM_FLOAT(struct hsv, valuemult)},
    {0},
};

const struct op_type op_top_hsvadjust = {
    .name = "hsvadjust",
    .optype = "hsvadjustTOP",
    .label = "HSV Adjust",
    .about = "`hueoffset` (degrees), `saturationmult`, `valuemult`",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_ONE_PASS,
    .pars = pars,
    .priv_size = sizeof(struct hsv),
    .cook = cook,
};
