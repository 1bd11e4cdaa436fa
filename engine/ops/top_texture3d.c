/* texture3dTOP: caches a series of input frames as the slices of a 3D
 * texture or a 2D texture array, for shaders that look back in time
 * (slit-scan, time displacement). Every `step` cooks the input goes into
 * the next slice, round the ring of `cachesize`; with `replacesingle` it
 * goes into slice `replaceindex` instead. `reset` clears the cache (or,
 * with `prefill`, fills every slice with the current input). Its own
 * image, what 2D TOPs downstream see, is the newest slice; a glslTOP
 * downstream gets the whole stack as sTD3DInputs[] or
 * sTD2DArrayInputs[]. */
#include <stdio.h>

#include "top_util.h"

struct texture3d {
    struct top_common common;
    int type, active, cachesize, step, replacesingle, replaceindex;
    int prefill, reset;
    int64_t cooks; /* input frames seen since the last reset */
    int next;      /* slice the next frame goes into */
};

static const GLenum targets[] = {GL_TEXTURE_2D_ARRAY, GL_TEXTURE_3D};

/* The stack for the current size, format, depth and type; rebuilt (and
 * so cleared) when one of them changes. */
static struct gpu_stack *stack(struct op *op, const struct gpu_tex *out)
{
    struct texture3d *p = op->priv;
    struct gpu *gpu = op->graph->gpu;
    struct gpu_stack *s = op->top.stack;
    if (s && s->w == out->w && s->h == out->h && s->format == out->format &&
        s->depth == p->cachesize && s->target == targets[p->type])
        return s;
    gpu_stack_destroy(gpu, &op->top.stack);
    char err[256];
    op->top.stack = gpu_stack_create(gpu, targets[p->type], out->w, out->h,
                                     p->cachesize, out->format, err,
                                     sizeof(err));
    if (!op->top.stack)
        op_set_error(op, "cachesize: %s", err);
    p->cooks = 0;
    p->next = 0;
    op->top.newest_slice = 0;
    return op->top.stack;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct texture3d *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    struct gpu_stack *s = stack(op, out);
    if (!s)
        return top_black(op, out);
    if (!in)
        return top_black(op, out);
    if (p->reset) {
        gpu_stack_clear(s);
        p->cooks = 0;
        p->next = 0;
        op->top.newest_slice = 0;
    }
    if (p->cooks == 0 && p->prefill)
        for (int i = 0; i < s->depth; i++)
            gpu_stack_write(s, i, in);
    if (p->active && p->cooks % (p->step > 0 ? p->step : 1) == 0) {
        int layer = p->replacesingle ? p->replaceindex % s->depth : p->next;
        gpu_stack_write(s, layer, in);
        op->top.newest_slice = layer;
        if (!p->replacesingle)
            p->next = (p->next + 1) % s->depth;
    }
    if (p->active)
        p->cooks++;
    gpu_stack_read(s, op->top.newest_slice, out);
    return 0;
}

static void destroy(struct op *op)
{
    if (op->graph->gpu)
        gpu_stack_destroy(op->graph->gpu, &op->top.stack);
}

static const struct par_menu_item types[] = {
    {"texture2darray", "2D Texture Array"}, {"texture3d", "3D Texture"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct texture3d),
    {.name = "type", .label = "Texture Type", .page = "Texture 3D",
     .menu = types,
     PARAM_MENU(struct texture3d, type)},
    {.name = "active", .label = "Active", .page = "Texture 3D",
     .def = {1},
     PARAM_TOGGLE(struct texture3d, active)},
    {.name = "cachesize", .label = "Cache Size", .page = "Texture 3D",
     .def = {32}, .norm = {1, 128}, .lim = {1, 2048},
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(struct texture3d, cachesize)},
    {.name = "step", .label = "Step Size", .page = "Texture 3D",
     .def = {1}, .norm = {1, 10}, .lim = {1, 0},
     .clamp = PAR_CLAMP_MIN, PARAM_INT(struct texture3d, step)},
    {.name = "replacesingle", .label = "Replace Single", .page = "Texture 3D",
     PARAM_TOGGLE(struct texture3d, replacesingle)},
    {.name = "replaceindex", .label = "Replace Index", .page = "Texture 3D",
     .norm = {0, 31}, .lim = {0, 0},
     .clamp = PAR_CLAMP_MIN, PARAM_INT(struct texture3d, replaceindex)},
    {.name = "prefill", .label = "Pre-Fill", .page = "Texture 3D",
     PARAM_TOGGLE(struct texture3d, prefill)},
    {.name = "reset", .label = "Reset", .page = "Texture 3D",
     PARAM_PULSE(struct texture3d, reset)},
    {0},
};

const struct op_type op_top_texture3d = {
    .name = "texture3d",
    .optype = "texture3dTOP",
    .label = "Texture 3D",
    .about = "caches input frames in a 2D texture array or 3D texture (`type`): "
             "`cachesize`, `step`, `replacesingle`/`replaceindex`, `prefill`, "
             "`reset`, `active`; its own image is the newest slice",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_TIME_DEPENDENT,
    .pars = pars,
    .priv_size = sizeof(struct texture3d),
    .destroy = destroy,
    .cook = cook,
};
