/* transformTOP: translate (tx, ty), rotate (degrees), scale (sx, sy)
 * about a pivot (px, py), in units of the image height from its centre
 * (tx = 0.5 moves by half the height). `extend` says what lies outside
 * the input: zero (transparent black), hold, repeat or mirror. */
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
    GLuint prog = top_filter_begin(op, in, out, top_transform_glsl,
                                   "transformTOP's shader",
                                   top_extend_wrap[p->extend]);
    if (!prog)
        return 1;
    top_uniform2f(prog, "uT", (float)p->t[0], (float)p->t[1]);
    top_uniform2f(prog, "uS", (float)p->s[0], (float)p->s[1]);
    top_uniform2f(prog, "uP", (float)p->p[0], (float)p->p[1]);
    top_uniform1f(prog, "uRotate", (float)p->rotate);
    top_uniform1f(prog, "uAspect", (float)out->w / (float)out->h);
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
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct transform),
    .cook = cook,
};
