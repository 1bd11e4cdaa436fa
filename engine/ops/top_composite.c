/* compositeTOP: combines any number of inputs (up to 8 per pass; more
 * are folded in further passes) with `operand`: over, under, add,
 * subtract, multiply, screen, difference, maximum, minimum, average.
 * "Over" puts the first input on top. The first input sets the size. */
#include <stdio.h>

#include "top_util.h"
#include "top_composite.glsl.h"

enum { ADD = 2, AVERAGE = 9 };

struct composite {
    struct top_common common;
    int operand;
};

static const char *const input_names[8] = {
    "uInputs[0]", "uInputs[1]", "uInputs[2]", "uInputs[3]",
    "uInputs[4]", "uInputs[5]", "uInputs[6]", "uInputs[7]",
};

/* One pass of n inputs (1 to 8) folded with operand into out: the
 * shader's variant for n, the operand, and which inputs have out's
 * size. */
static int pass(struct op *op, struct gpu_tex *out,
                struct gpu_tex *const *ins, int n, int operand, float scale)
{
    struct gpu *gpu = op->graph->gpu;
    unsigned exact = 0;
    for (int i = 0; i < n; i++)
        exact |= top_same_size(ins[i], out) ? 1u << i : 0;
    char defs[96];
    snprintf(defs, sizeof(defs),
             "#define COUNT %d\n#define OPERAND %d\n#define EXACT %u\n%s", n,
             operand, exact, scale != 1.0f ? "#define SCALE\n" : "");
    struct gpu_program *prog = top_variant(op, top_composite_glsl, defs,
                                           "compositeTOP's shader");
    if (!prog)
        return top_black(op, out);
    gpu_target(out);
    for (int i = 0; i < n; i++) {
        top_bind(gpu, ins[i], i, exact & (1u << i), GL_CLAMP_TO_EDGE);
        top_uniform1i(prog, input_names[i], i);
    }
    top_uniform1f(prog, "uScale", scale);
    gpu_draw_fullscreen(gpu);
    return 0;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct composite *p = op->priv;
    struct gpu_tex *out = top_output(op);
    if (!out)
        return -1;
    struct gpu_tex *ins[64];
    int n = 0;
    for (size_t i = 0; i < op->ninputs && n < 64; i++)
        if (op->inputs[i]->top.tex)
            ins[n++] = op->inputs[i]->top.tex;
    if (n == 0)
        return top_black(op, out);
    float scale = p->operand == AVERAGE ? 1.0f / (float)n : 1.0f;
    if (n <= 8)
        return pass(op, out, ins, n, p->operand, scale);
    /* More than 8: fold 7 more at a time into a float scratch texture (an
     * average sums), then scale into the output. */
    struct gpu *gpu = op->graph->gpu;
    int fold = p->operand == AVERAGE ? ADD : p->operand;
    char why[256];
    if (!gpu_tex_fits(gpu, out->w, out->h, GPU_RGBA32F, NULL, why,
                      sizeof(why))) {
        op_set_error(op, "no room for the scratch texture of more than 8 "
                     "inputs: %s", why);
        return -1;
    }
    struct gpu_tex *acc = gpu_tex_acquire(gpu, out->w, out->h, GPU_RGBA32F);
    pass(op, acc, ins, 8, fold, 1.0f);
    for (int k = 8; k < n; k += 7) {
        struct gpu_tex *step[8] = {acc};
        int m = 1;
        for (int j = k; j < n && m < 8; j++)
            step[m++] = ins[j];
        struct gpu_tex *next = gpu_tex_acquire(gpu, out->w, out->h,
                                               GPU_RGBA32F);
        pass(op, next, step, m, fold, 1.0f);
        gpu_tex_release(gpu, &acc);
        acc = next;
    }
    int r = pass(op, out, &acc, 1, fold, scale);
    gpu_tex_release(gpu, &acc);
    return r;
}

static const struct par_menu_item operands[] = {
    {"over", "Over"}, {"under", "Under"}, {"add", "Add"},
    {"subtract", "Subtract"}, {"multiply", "Multiply"}, {"screen", "Screen"},
    {"difference", "Difference"}, {"maximum", "Maximum"},
    {"minimum", "Minimum"}, {"average", "Average"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct composite),
    {.name = "operand", .label = "Operation",
     .menu = operands, PARAM_MENU(struct composite, operand)},
    {0},
};

const struct op_type op_top_composite = {
    .name = "composite",
    .optype = "compositeTOP",
    .label = "Composite",
    .about = "`operand` over, under, add, subtract, multiply, screen, "
             "difference, maximum, minimum, average; any number of inputs",
    .family = OP_TOP,
    .min_inputs = 1,
    .flags = OPT_ONE_PASS,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct composite),
    .cook = cook,
};
