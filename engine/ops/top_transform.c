/* transformTOP: translate (tx, ty), rotate (degrees), scale (sx, sy)
 * about a pivot (px, py), in units of the image height from its centre
 * (tx = 0.5 moves by half the height). `extend` says what lies outside
 * the input: zero (transparent black), hold, repeat or mirror. */
#include <math.h>

#include "top_util.h"
#include "top_transform.glsl.h"

struct transform {
    struct top_common common;
    double t[2], rotate, s[2], p[2];
    int extend;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct transform *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    if (p->s[0] == 0 || p->s[1] == 0)
        return top_black(op, out); /* scaled to nothing */
    struct gpu_program *prog = top_filter_begin(
        op, in, out, top_transform_glsl, "transformTOP's shader",
        top_extend_wrap[p->extend]);
    if (!prog)
        return 1;
    /* Where an output pixel looks in the input, as one affine map of vUV
     * (worked out here, not per pixel): centred, in units of the height
     * (D: x times the aspect), less the translate and pivot, turned back
     * by the rotation (R), divided by the scale (S), the pivot added:
     * uv = D^-1 S^-1 R D (vUV - 0.5) + D^-1 (P - S^-1 R (T + P)) + 0.5. */
    double a = (double)out->w / out->h, r = -p->rotate * M_PI / 180;
    double c = cos(r), s = sin(r), tx = p->t[0] + p->p[0],
           ty = p->t[1] + p->p[1];
    float m[4] = {(float)(c / p->s[0]), (float)(s * a / p->s[1]),
                  (float)(-s / (a * p->s[0])), (float)(c / p->s[1])};
    double ox = (p->p[0] - (c * tx - s * ty) / p->s[0]) / a + 0.5;
    double oy = p->p[1] - (s * tx + c * ty) / p->s[1] + 0.5;
    glUniformMatrix2fv(gpu_uniform(prog, "uM"), 1, GL_FALSE, m);
    top_uniform2f(prog, "uOffset", (float)ox, (float)oy);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct transform),
    {.name = "t", .label = "Translate", .size = 2, .suffixes = "xy",
     .norm = {-1, 1}, PARAM_FLOAT(struct transform, t[0])},
    {.name = "rotate", .label = "Rotate", .norm = {-180, 180},
     PARAM_FLOAT(struct transform, rotate)},
    {.name = "s", .label = "Scale", .size = 2, .suffixes = "xy",
     .def = {1, 1}, .norm = {0, 2}, PARAM_FLOAT(struct transform, s[0])},
    {.name = "p", .label = "Pivot", .size = 2, .suffixes = "xy",
     .norm = {-1, 1}, PARAM_FLOAT(struct transform, p[0])},
    {.name = "extend", .label = "Extend", .menu = top_extends,
     .def_str = "zero",
     PARAM_MENU(struct transform, extend)},
    {0},
};

const struct op_type op_top_transform = {
    .name = "transform",
    .optype = "transformTOP",
    .label = "Transform",
    .about = "`tx ty` (fractions of the height), `rotate` (degrees), `sx sy`, "
             "`px py` pivot, `extend`",
    .family = OP_TOP,
    .min_inputs = 1,
    .flags = OPT_ONE_PASS,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct transform),
    .cook = cook,
};
