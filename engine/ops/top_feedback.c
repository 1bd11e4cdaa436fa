/* feedbackTOP: the previous frame of the TOP named by `top`, for trails
 * and generative loops. Its input is the image it starts from (and what
 * it shows again after `reset`). The target usually has this op
 * upstream, so the reference is not a cooking dependency: this op cooks
 * first each frame and copies what the target showed last frame. */
#include "top_util.h"

struct feedback {
    struct top_common common;
    char *top;
    int reset;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct feedback *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    struct op *target = op_par_ref(op, op_par(op, "top"));
    if (!target && *p->top) {
        op_set_error(op, "top: '%s' does not exist", p->top);
        return -1;
    }
    const struct gpu_tex *src = in;
    if (!p->reset && target && target->top.tex && target->cook_count)
        src = target->top.tex;
    if (!src)
        return top_black(op, out);
    gpu_copy(op->graph->gpu, out, src);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct feedback),
    {.name = "top", .label = "Target TOP",
     .families = OP_FAMILY_BIT(OP_TOP), .no_dep = true,
     PARAM_OP(struct feedback, top)},
    {.name = "reset", .label = "Reset",
     PARAM_PULSE(struct feedback, reset)},
    {0},
};

const struct op_type op_top_feedback = {
    .name = "feedback",
    .optype = "feedbackTOP",
    .label = "Feedback",
    .about = "the previous frame of the TOP in `top`, starting from its input; "
             "`reset`",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_TIME_DEPENDENT,
    .pars = pars,
    .priv_size = sizeof(struct feedback),
    .cook = cook,
};
