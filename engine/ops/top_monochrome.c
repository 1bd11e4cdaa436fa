/* monochromeTOP: the input in grey: `rgb` says how a pixel's grey is
 * found (luminance, average, max, min, red, green, blue, alpha), `mono`
 * how much of it replaces the colour (0 the colour, 1 grey), `alpha` how
 * the alpha is found (the same ways, the input's alpha, or one). */
#include <stdio.h>

#include "top_util.h"
#include "top_monochrome.glsl.h"

struct mono {
    struct top_common common;
    double mono;
    int rgb, alpha;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct mono *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    char defs[64];
    snprintf(defs, sizeof(defs), "#define RGB %d\n#define ALPHA %d\n",
             p->rgb, p->alpha);
    struct gpu_program *prog = top_filter_variant(
        op, in, out, top_monochrome_glsl, defs, "monochromeTOP's shader",
        GL_CLAMP_TO_EDGE, true);
    if (!prog)
        return 1;
    top_uniform1f(prog, "uMono", (float)p->mono);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

#define GREYS                                                               \
    {"luminance", "Luminance"}, {"average", "Average"},                     \
        {"maximum", "Maximum"}, {"minimum", "Minimum"}, {"red", "Red"},     \
        {"green", "Green"}, {"blue", "Blue"}, {"alpha", "Alpha"}

static const struct par_menu_item rgbs[] = {GREYS, {0}};
static const struct par_menu_item alphas[] = {
    GREYS, {"input", "Input Alpha"}, {"one", "One"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct mono),
    {.name = "mono", .label = "Monochrome", .def = {1}, .norm = {0, 1},
     PARAM_FLOAT(struct mono, mono)},
    {.name = "rgb", .label = "RGB", .menu = rgbs,
     PARAM_MENU(struct mono, rgb)},
    {.name = "alpha", .label = "Alpha", .menu = alphas, .def_str = "input",
     PARAM_MENU(struct mono, alpha)},
    {0},
};

const struct op_type op_top_monochrome = {
    .name = "monochrome",
    .optype = "monochromeTOP",
    .label = "Monochrome",
    .about = "its input in grey: `rgb` luminance (Rec. 709), average, "
             "maximum, minimum, red, green, blue or alpha, mixed in by `mono`;"
             " `alpha` found the same ways, or the input's, or one",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_ONE_PASS,
    .pars = pars,
    .priv_size = sizeof(struct mono),
    .cook = cook,
};
