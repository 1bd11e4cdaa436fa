#include "top_util.h"

#include <math.h>
#include <stdio.h>

#include "top_mix.glsl.h"

const struct par_menu_item top_resolution_modes[] = {
    {"useinput", "Use Input"}, {"eighth", "Eighth"},
    {"quarter", "Quarter"},    {"half", "Half"},
    {"2x", "2X"},              {"4x", "4X"},
    {"8x", "8X"},              {"fit", "Fit Resolution"},
    {"limit", "Limit Resolution"}, {"custom", "Custom Resolution"},
    {0},
};

const struct par_menu_item top_formats[] = {
    {"rgba8", "8-bit fixed (RGBA)"},   {"rgba16f", "16-bit float (RGBA)"},
    {"rgba32f", "32-bit float (RGBA)"}, {"r8", "8-bit fixed (Mono)"},
    {"r16f", "16-bit float (Mono)"},   {"r32f", "32-bit float (Mono)"},
    {"r16", "16-bit fixed (Mono)"},   {"input", "Use Input"},
    {0},
};

const struct par_menu_item top_extends[] = {
    {"hold", "Hold"}, {"zero", "Zero"}, {"repeat", "Repeat"},
    {"mirror", "Mirror"}, {0},
};

const GLenum top_extend_wrap[] = {GL_CLAMP_TO_EDGE, GL_CLAMP_TO_BORDER,
                                  GL_REPEAT, GL_MIRRORED_REPEAT};

struct gpu *top_gpu(struct op *op)
{
    if (!op->graph->gpu)
        op_set_error(op, "no GPU context: TOPs render only when vitrine "
                     "runs with a window or --headless");
    return op->graph->gpu;
}

struct gpu_tex *top_input(struct op *op, size_t i)
{
    struct op *in = op_input(op, i);
    return in ? in->top.tex : NULL;
}

/* ref scaled to fit inside box, keeping its aspect; only down if
 * shrink_only. */
static void fit(int ref_w, int ref_h, int box_w, int box_h, bool shrink_only,
                int *w, int *h)
{
    double s = fmin((double)box_w / ref_w, (double)box_h / ref_h);
    if (shrink_only && s > 1)
        s = 1;
    *w = (int)lround(ref_w * s);
    *h = (int)lround(ref_h * s);
}

void top_resolution(const struct top_common *c, int ref_w, int ref_h,
                    int *w, int *h)
{
    static const double times[] = {
        [TOP_RES_EIGHTH] = 0.125, [TOP_RES_QUARTER] = 0.25,
        [TOP_RES_HALF] = 0.5, [TOP_RES_2X] = 2, [TOP_RES_4X] = 4,
        [TOP_RES_8X] = 8,
    };
    ref_w = ref_w < 1 ? 1 : ref_w;
    ref_h = ref_h < 1 ? 1 : ref_h;
    /* a resolution of 0 is the reference's, in every mode that uses it */
    int rw = c->resolutionw > 0 ? c->resolutionw : ref_w;
    int rh = c->resolutionh > 0 ? c->resolutionh : ref_h;
    switch (c->outputresolution) {
    case TOP_RES_EIGHTH: case TOP_RES_QUARTER: case TOP_RES_HALF:
    case TOP_RES_2X: case TOP_RES_4X: case TOP_RES_8X:
        *w = (int)lround(ref_w * times[c->outputresolution]);
        *h = (int)lround(ref_h * times[c->outputresolution]);
        break;
    case TOP_RES_FIT:
    case TOP_RES_LIMIT:
        fit(ref_w, ref_h, rw, rh, c->outputresolution == TOP_RES_LIMIT, w,
            h);
        break;
    default: /* useinput (custom where a resolution is set), custom */
        *w = rw;
        *h = rh;
        break;
    }
    *w = *w < 1 ? 1 : *w;
    *h = *h < 1 ? 1 : *h;
}

/* *slot made an image of w x h and format f: kept where it is one,
 * else replaced; NULL with the reason in err where that is too large
 * (the last image stays). */
static struct gpu_tex *sized(struct gpu *gpu, struct gpu_tex **slot, int w,
                             int h, enum gpu_format f, char *err, size_t n)
{
    struct gpu_tex *t = *slot;
    if (t && t->w == w && t->h == h && t->format == f)
        return t;
    if (!gpu_tex_fits(gpu, w, h, f, t, err, n))
        return NULL;
    if (t)
        gpu_tex_release(gpu, slot);
    *slot = gpu_tex_acquire(gpu, w, h, f);
    return *slot;
}

/* The image of the op whose pass op's also draws (op_fold), of op's size
 * w x h and that op's format (f, op's own, where it keeps the input's),
 * or NULL where op draws into its own: its format is not RGBA (what it
 * would hold of the colour differs from what it writes), or no fold is
 * being cooked. */
static struct gpu_tex *fold_output(struct op *op, int w, int h,
                                   enum gpu_format f)
{
    struct graph_fold *fold = &op->graph->fold;
    if (!fold->op || fold->op->fold_from != op || fold->state != FOLD_NONE ||
        (f != GPU_RGBA8 && f != GPU_RGBA16F && f != GPU_RGBA32F))
        return NULL;
    struct op *l = fold->op;
    const struct top_common *c = l->priv;
    enum gpu_format lf = c->format == TOP_FORMAT_INPUT
                             ? f : (enum gpu_format)c->format;
    struct gpu *gpu = op->graph->gpu;
    char err[256];
    if (!sized(gpu, &l->top.tex, w, h, lf, err, sizeof(err)))
        return NULL; /* its own image, then: op's error says so */
    if (op->top.tex) /* it has none while folded */
        gpu_tex_release(gpu, &op->top.tex);
    fold->state = FOLD_TARGET;
    fold->clamp = f == GPU_RGBA8;
    return l->top.tex;
}

static struct gpu_tex *output(struct op *op, int dw, int dh,
                              const struct gpu_tex *like)
{
    struct gpu *gpu = top_gpu(op);
    if (!gpu)
        return NULL;
    const struct top_common *c = op->priv;
    int w, h;
    top_resolution(c, dw, dh, &w, &h);
    enum gpu_format f = c->format == TOP_FORMAT_INPUT
                            ? (like ? like->format : GPU_RGBA8)
                            : (enum gpu_format)c->format;
    struct gpu_tex *folded = fold_output(op, w, h, f);
    if (folded)
        return folded;
    /* Too large: the op's error, and its last image stays. */
    char err[256];
    struct gpu_tex *t = sized(gpu, &op->top.tex, w, h, f, err, sizeof(err));
    if (!t)
        op_set_error(op, "%s", err);
    return t;
}

struct gpu_tex *top_output_like(struct op *op, const struct gpu_tex *like)
{
    return output(op, like ? like->w : op->graph->width,
                  like ? like->h : op->graph->height, like);
}

struct gpu_tex *top_output(struct op *op)
{
    return top_output_like(op, top_input(op, 0));
}

struct gpu_tex *top_output_size(struct op *op, int default_w, int default_h)
{
    return output(op, default_w, default_h, top_input(op, 0));
}

/* The program of op's pass with the folded op's shader after it, in use
 * with that op's uniforms set; NULL where op does not draw into the
 * folded op's image, or that program did not compile, or op asks for a
 * second program (fold->state says which: FOLD_NONE, FOLD_FAILED,
 * FOLD_TWICE). */
static struct gpu_program *fold_variant(struct op *op, const char *frag_src,
                                        const char *defines)
{
    struct graph_fold *fold = &op->graph->fold;
    if (!fold->op || fold->op->fold_from != op || fold->state == FOLD_NONE)
        return NULL;
    if (fold->state != FOLD_TARGET) {
        fold->state = FOLD_TWICE;
        return NULL;
    }
    const struct op_fold *f = fold->op->type->fold;
    char all[512];
    snprintf(all, sizeof(all), "%s%s%s", defines ? defines : "",
             fold->clamp ? "#define FOLD_CLAMP\n" : "", fold->defines);
    struct gpu_program *p = gpu_program_fold(op->graph->gpu, frag_src, all,
                                             f->glsl);
    if (!p->id) {
        fold->state = FOLD_FAILED;
        return NULL;
    }
    glUseProgram(p->id);
    f->uniforms(fold->op, p);
    fold->state = FOLD_DREW;
    return p;
}

struct gpu_program *top_variant(struct op *op, const char *frag_src,
                                const char *defines, const char *what)
{
    struct gpu_program *p = fold_variant(op, frag_src, defines);
    if (p)
        return p;
    p = gpu_program(op->graph->gpu, frag_src, defines);
    if (!p->id) {
        op_set_error(op, "%s does not compile: %s", what,
                     p->error ? p->error : "(no message from the driver)");
        return NULL;
    }
    glUseProgram(p->id);
    return p;
}

struct gpu_program *top_program(struct op *op, const char *frag_src,
                                const char *what)
{
    return top_variant(op, frag_src, NULL, what);
}

int top_cook_copy(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    if (!in)
        return top_black(op, out);
    gpu_copy(op->graph->gpu, out, in);
    return 0;
}

bool top_same_size(const struct gpu_tex *a, const struct gpu_tex *b)
{
    return a && b && a->w == b->w && a->h == b->h;
}

void top_bind(struct gpu *gpu, const struct gpu_tex *t, int unit, bool exact,
              GLenum wrap)
{
    if (exact)
        gpu_bind_exact(gpu, t, unit);
    else
        gpu_bind_input(t, unit, wrap);
}

struct gpu_program *top_filter_variant(struct op *op,
                                       const struct gpu_tex *in,
                                       struct gpu_tex *out, const char *frag,
                                       const char *defines, const char *what,
                                       GLenum wrap, bool pointwise)
{
    /* A pixel of a pointwise filter is the same pixel of its input: an
     * input of the output's size is read texel by texel (EXACT), without
     * the filtering that on a CPU renderer costs more than the rest. */
    bool exact = pointwise && top_same_size(in, out);
    char defs[256];
    snprintf(defs, sizeof(defs), "%s%s", exact ? "#define EXACT\n" : "",
             defines ? defines : "");
    struct gpu_program *prog = in ? top_variant(op, frag, defs, what) : NULL;
    if (!prog) {
        top_black(op, out);
        return NULL;
    }
    gpu_target(out);
    top_bind(op->graph->gpu, in, 0, exact, wrap);
    top_uniform1i(prog, "uInput", 0);
    return prog;
}

struct gpu_program *top_filter_begin(struct op *op, const struct gpu_tex *in,
                                     struct gpu_tex *out, const char *frag,
                                     const char *what, GLenum wrap)
{
    return top_filter_variant(op, in, out, frag, NULL, what, wrap, false);
}

int top_mix(struct op *op, const struct gpu_tex *a, const struct gpu_tex *b,
            float t, struct gpu_tex *out)
{
    if (!a || !b)
        return top_black(op, out);
    struct gpu *gpu = op->graph->gpu;
    if (a == b || t <= 0 || t >= 1) { /* one image: a copy */
        gpu_copy(gpu, out, t >= 1 ? b : a);
        return 0;
    }
    bool exact = top_same_size(a, out) && top_same_size(b, out);
    struct gpu_program *prog = top_variant(op, top_mix_glsl,
                                           exact ? "#define EXACT\n" : NULL,
                                           "the mix shader");
    if (!prog)
        return top_black(op, out);
    gpu_target(out);
    top_bind(gpu, a, 0, exact, GL_CLAMP_TO_EDGE);
    top_bind(gpu, b, 1, exact, GL_CLAMP_TO_EDGE);
    top_uniform1i(prog, "uA", 0);
    top_uniform1i(prog, "uB", 1);
    top_uniform1f(prog, "uMix", t);
    gpu_draw_fullscreen(gpu);
    return 0;
}

int top_black(struct op *op, struct gpu_tex *out)
{
    (void)op;
    gpu_clear(out, 0, 0, 0, 1);
    return 1;
}

void top_uniform1f(struct gpu_program *prog, const char *name, float v)
{
    GLint loc = gpu_uniform(prog, name);
    if (loc >= 0)
        glUniform1f(loc, v);
}

void top_uniform2f(struct gpu_program *prog, const char *name, float a,
                   float b)
{
    GLint loc = gpu_uniform(prog, name);
    if (loc >= 0)
        glUniform2f(loc, a, b);
}

void top_uniform4f(struct gpu_program *prog, const char *name, float a,
                   float b, float c, float d)
{
    GLint loc = gpu_uniform(prog, name);
    if (loc >= 0)
        glUniform4f(loc, a, b, c, d);
}

void top_uniform1i(struct gpu_program *prog, const char *name, int v)
{
    GLint loc = gpu_uniform(prog, name);
    if (loc >= 0)
        glUniform1i(loc, v);
}
