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

static void pass(struct op *op, GLuint prog, struct gpu_tex *out,
                 struct gpu_tex *const *ins, int n, int operand, float scale)
{
    gpu_target(out);
    glUseProgram(prog);
    for (int i = 0; i < 8; i++) {
        gpu_bind_input(ins[i < n ? i : 0], i, GL_CLAMP_TO_EDGE);
        char name[32];
        snprintf(name, sizeof(name), "uInputs[%d]", i);
        top_uniform1i(prog, name, i);
    }
    top_uniform1i(prog, "uCount", n);
    top_uniform1i(prog, "uOperand", operand);
    top_uniform1f(prog, "uScale", scale);
    gpu_draw_fullscreen(op->graph->gpu);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct composite *p = op->priv;
    struct gpu_tex *out = top_output(op);
    if (!out)
        return -1;
    GLuint prog = top_program(op, top_composite_glsl,
                              "compositeTOP's shader");
    struct gpu_tex *ins[64];
    int n = 0;
    for (size_t i = 0; i < op->ninputs && n < 64; i++)
        if (op->inputs[i]->top.tex)
            ins[n++] = op->inputs[i]->top.tex;
    if (!prog || n == 0)
        return top_black(op, out);
    float scale = p->operand == AVERAGE ? 1.0f / (float)n : 1.0f;
    if (n <= 8) {
        pass(op, prog, out, ins, n, p->operand, scale);
        return 0;
    }
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
    pass(op, prog, acc, ins, 8, fold, 1.0f);
    for (int k = 8; k < n; k += 7) {
        struct gpu_tex *step[8] = {acc};
        int m = 1;
        for (int j = k; j < n && m < 8; j++)
            step[m++] = ins[j];
        struct gpu_tex *next = gpu_tex_acquire(gpu, out->w, out->h,
                                               GPU_RGBA32F);
        pass(op, prog, next, step, m, fold, 1.0f);
        gpu_tex_release(gpu, &acc);
        acc = next;
    }
    pass(op, prog, out, &acc, 1, fold, scale);
    gpu_tex_release(gpu, &acc);
    return 0;
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
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct composite),
    .cook = cook,
};
