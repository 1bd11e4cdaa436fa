/* blurTOP: `size` in pixels (the Gaussian's reach: sigma = size / 3; or a
 * box of that radius with `type` box); `extend` says what lies
 * beyond the edges. A wide blur costs about what a narrow one does: the
 * image is halved until the remaining radius is at most MAX_TAPS texels,
 * blurred there in two separable passes, and doubled back up. */
#include <math.h>

#include "top_util.h"
#include "top_blur.glsl.h"

#define MAX_TAPS 8.0
#define MAX_LEVELS 12

struct blur {
    struct top_common common;
    double size;
    int filtertype, extend;
};

static void blit_into(struct gpu *gpu, struct gpu_tex *dst,
                      const struct gpu_tex *src)
{
    gpu_target(dst);
    gpu_blit(gpu, src);
}

static void blur_pass(struct gpu *gpu, GLuint prog, struct gpu_tex *dst,
                      const struct gpu_tex *src, float dx, float dy,
                      float radius, int box, GLenum wrap)
{
    gpu_target(dst);
    glUseProgram(prog);
    gpu_bind_input(src, 0, wrap);
    top_uniform1i(prog, "uInput", 0);
    top_uniform2f(prog, "uStep", dx / (float)src->w, dy / (float)src->h);
    top_uniform1f(prog, "uRadius", radius);
    top_uniform1i(prog, "uBox", box);
    gpu_draw_fullscreen(gpu);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct blur *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    GLuint prog = top_program(op, top_blur_glsl, "blurTOP's shader");
    if (!prog || !in)
        return top_black(op, out);
    struct gpu *gpu = op->graph->gpu;
    double size = p->size;
    if (size < 0.5) {
        blit_into(gpu, out, in);
        return 0;
    }
    /* Work in half float so that repeated passes do not band: two
     * scratch textures the input's size (as much as one in float), and
     * smaller levels. */
    char why[256];
    if (!gpu_tex_fits(gpu, in->w, in->h, GPU_RGBA32F, NULL, why,
                      sizeof(why))) {
        op_set_error(op, "no room for the blur's scratch textures: %s", why);
        return -1;
    }
    struct gpu_tex *levels[MAX_LEVELS + 1];
    int n = 0;
    const struct gpu_tex *cur = in;
    int w = in->w, h = in->h;
    while (size > MAX_TAPS && n < MAX_LEVELS && w > 1 && h > 1) {
        w = (w + 1) / 2;
        h = (h + 1) / 2;
        levels[n] = gpu_tex_acquire(gpu, w, h, GPU_RGBA16F);
        blit_into(gpu, levels[n], cur);
        cur = levels[n++];
        size /= 2;
    }
    GLenum wrap = top_extend_wrap[p->extend];
    struct gpu_tex *a = gpu_tex_acquire(gpu, cur->w, cur->h, GPU_RGBA16F);
    struct gpu_tex *b = gpu_tex_acquire(gpu, cur->w, cur->h, GPU_RGBA16F);
    blur_pass(gpu, prog, a, cur, 1, 0, (float)size, p->filtertype, wrap);
    blur_pass(gpu, prog, b, a, 0, 1, (float)size, p->filtertype, wrap);
    gpu_tex_release(gpu, &a);
    /* Back up through the same sizes, smoothly. */
    const struct gpu_tex *up = b;
    for (int i = n - 2; i >= 0; i--) {
        blit_into(gpu, levels[i], up);
        up = levels[i];
    }
    blit_into(gpu, out, up);
    gpu_tex_release(gpu, &b);
    for (int i = 0; i < n; i++)
        gpu_tex_release(gpu, &levels[i]);
    return 0;
}

static const struct par_menu_item filters[] = {
    {"gauss", "Gaussian"}, {"box", "Box"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct blur),
    {.name = "size", .label = "Filter Size", .def = {5}, .norm = {0, 100},
     .lim = {0, 4096}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct blur, size)},
    {.name = "type", .alias = "filtertype", .label = "Type",
     .menu = filters, PARAM_MENU(struct blur, filtertype)},
    {.name = "extend", .label = "Extend", .menu = top_extends,
     PARAM_MENU(struct blur, extend)},
    {0},
};

const struct op_type op_top_blur = {
    .name = "blur",
    .optype = "blurTOP",
    .label = "Blur",
    .about = "`size` in pixels, `type` (or `filtertype`) gauss or box, `extend`;"
             " wide blurs go through downsampled passes, so size 500 costs no "
             "more than size 5",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct blur),
    .cook = cook,
};
