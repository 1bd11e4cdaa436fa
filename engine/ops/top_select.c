/* selectTOP: the output of the TOP named by `top`, from anywhere in the
 * network. */
#include "top_util.h"

struct sel {
    struct top_common common;
    char *top;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct op *src = op_par_ref(op, op_par(op, "top"));
    struct gpu_tex *out = top_output_like(op, src ? src->top.tex : NULL);
    if (!out)
        return -1;
    if (!src || !src->top.tex) {
        op_set_error(op, "top: %s", src ? "that TOP has no image yet"
                                        : "no TOP to select");
        return top_black(op, out);
    }
    gpu_copy(op->graph->gpu, out, src->top.tex);
    return 0;
}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct sel),
    {.name = "top", .label = "TOP",
     .families = OP_FAMILY_BIT(OP_TOP), PARAM_OP(struct sel, top)},
    {0},
};

const struct op_type op_top_select = {
    .name = "select",
    .optype = "selectTOP",
    .label = "Select",
    .about = "the TOP in `top`",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .pars = pars,
    .priv_size = sizeof(struct sel),
    .cook = cook,
};
