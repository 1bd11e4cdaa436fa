/* blurTOP: `size` in pixels (the Gaussian's reach: sigma = size / 3; or a
 * box of that radius with `type` box); `extend` says what lies
 * beyond the edges. A wide blur costs about what a narrow one does: the
 * image is halved until the remaining radius is at most MAX_TAPS texels,
 * blurred there in two separable passes, and doubled back up. The
 * kernel's weights are worked out once per size, not per pixel; the
 * first pass keeps the output's pixel format where no halving is needed
 * (8 bits round once, by half a step) and the second draws straight into
 * the output. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "top_util.h"
#include "top_blur.glsl.h"

#define MAX_TAPS 8.0
#define MAX_LEVELS 12
/* Weights of one pass, at most: texels out to MAX_TAPS on both sides. */
#define MAX_FETCHES (2 * (int)MAX_TAPS + 1)

struct blur {
    struct top_common common;
    double size;
    int filtertype, extend;
    /* The kernel of the last radius, type and way of fetching, worked
     * out once. */
    double kernel_radius;
    int kernel_type, nfetch;
    bool kernel_texels;
    float offset[MAX_FETCHES], weight[MAX_FETCHES];
};

/* The weights of a Gaussian (sigma = radius / 3) or a box out to the
 * radius, normalised: one a texel, or folded into fetches between
 * neighbouring texels. */
static void make_kernel(struct blur *p, double radius, int box, bool texels)
{
    if (p->nfetch && p->kernel_radius == radius && p->kernel_type == box &&
        p->kernel_texels == texels)
        return;
    int r = (int)ceil(radius);
    double sigma = radius / 3 > 1e-4 ? radius / 3 : 1e-4, sum = 0;
    double w[MAX_FETCHES];
    for (int i = -r; i <= r; i++) {
        double d = i;
        w[i + r] = box ? (fabs(d) <= radius ? 1 : 0)
                       : exp(-0.5 * d * d / (sigma * sigma));
        sum += w[i + r];
    }
    p->kernel_radius = radius;
    p->kernel_type = box;
    p->kernel_texels = texels;
    if (texels) { /* symmetric: the centre, then 1 to r either side */
        for (int i = 0; i <= r; i++)
            p->weight[i] = (float)(w[i + r] / sum);
        p->nfetch = r + 1;
        return;
    }
    int n = 0;
    for (int i = -r; i <= r; i += 2) {
        double w0 = w[i + r], w1 = i + 1 <= r ? w[i + 1 + r] : 0;
        if (w0 + w1 <= 0)
            continue;
        p->offset[n] = (float)((i * w0 + (i + 1) * w1) / (w0 + w1));
        p->weight[n++] = (float)((w0 + w1) / sum);
    }
    p->nfetch = n;
}

/* One pass along x (dir 0) or y (1). */
static void blur_pass(struct op *op, struct gpu_program *const progs[2],
                      struct gpu_tex *dst, const struct gpu_tex *src,
                      int dir, GLenum wrap)
{
    struct blur *p = op->priv;
    gpu_target(dst);
    /* texel by texel, a variant for each direction */
    struct gpu_program *prog = progs[p->kernel_texels ? dir : 0];
    glUseProgram(prog->id);
    gpu_bind_input(src, 0, wrap);
    top_uniform1i(prog, "uInput", 0);
    if (!p->kernel_texels) {
        top_uniform2f(prog, "uStep", dir ? 0.0f : 1.0f / (float)src->w,
                      dir ? 1.0f / (float)src->h : 0.0f);
        glUniform1fv(gpu_uniform(prog, "uOffset"), p->nfetch, p->offset);
    }
    glUniform1fv(gpu_uniform(prog, "uWeight"), p->nfetch, p->weight);
    gpu_draw_fullscreen(op->graph->gpu);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct blur *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    if (!in)
        return top_black(op, out);
    struct gpu *gpu = op->graph->gpu;
    double size = p->size;
    if (size < 0.5) {
        gpu_copy(gpu, out, in);
        return 0;
    }
    char why[256];
    if (!gpu_tex_fits(gpu, in->w, in->h, GPU_RGBA32F, NULL, why,
                      sizeof(why))) {
        op_set_error(op, "no room for the blur's scratch textures: %s", why);
        return -1;
    }
    /* A wide blur: halved (in half float, so that the way down and up
     * again does not band) until the radius left is at most MAX_TAPS. */
    struct gpu_tex *levels[MAX_LEVELS + 1];
    int n = 0;
    const struct gpu_tex *cur = in;
    int w = in->w, h = in->h;
    while (size > MAX_TAPS && n < MAX_LEVELS && w > 1 && h > 1) {
        w = (w + 1) / 2;
        h = (h + 1) / 2;
        levels[n] = gpu_tex_acquire(gpu, w, h, GPU_RGBA16F);
        gpu_copy(gpu, levels[n], cur);
        cur = levels[n++];
        size /= 2;
    }
    /* Texel by texel on a CPU renderer, where filtering is dear. */
    /* (Levels stop at 1 pixel, where a wider reach changes nothing.) */
    make_kernel(p, size < MAX_TAPS ? size : MAX_TAPS, p->filtertype,
                gpu->software);
    struct gpu_program *prog[2] = {NULL, NULL};
    for (int dir = 0; dir < (p->kernel_texels ? 2 : 1); dir++) {
        char defs[80];
        snprintf(defs, sizeof(defs),
                 "#define TAPS %d\n#define EXTEND %d\n#define DIR %d\n%s",
                 p->nfetch, p->extend, dir,
                 p->kernel_texels ? "#define TEXELS\n" : "");
        prog[dir] = top_variant(op, top_blur_glsl, defs, "blurTOP's shader");
    }
    if (!prog[0] || (p->kernel_texels && !prog[1])) {
        for (int i = 0; i < n; i++)
            gpu_tex_release(gpu, &levels[i]);
        return top_black(op, out);
    }
    GLenum wrap = top_extend_wrap[p->extend];
    /* The first pass's result: the level's half float, or the output's
     * own format where there is no level (8 bits between two passes
     * round once, by at most half a step). */
    struct gpu_tex *a = gpu_tex_acquire(gpu, cur->w, cur->h,
                                        n ? GPU_RGBA16F : out->format);
    blur_pass(op, prog, a, cur, 0, wrap);
    if (n == 0 && top_same_size(in, out)) {
        blur_pass(op, prog, out, a, 1, wrap);
        gpu_tex_release(gpu, &a);
        return 0;
    }
    struct gpu_tex *b = gpu_tex_acquire(gpu, cur->w, cur->h, a->format);
    blur_pass(op, prog, b, a, 1, wrap);
    gpu_tex_release(gpu, &a);
    /* Back up through the same sizes, smoothly. */
    const struct gpu_tex *up = b;
    for (int i = n - 2; i >= 0; i--) {
        gpu_copy(gpu, levels[i], up);
        up = levels[i];
    }
    gpu_copy(gpu, out, up);
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
