/* levelTOP: TouchDesigner's Level TOP, by its pages: Pre (invert,
 * blacklevel, contrast, brightness1 added, gamma1), Range (inlow..inhigh
 * onto outlow..outhigh), RGBA (each channel clamped to low..high), Step
 * (stepping by stepsize, shifted by threshold; a channel left at 0..1 is
 * not clamped, so float images keep values above 1), Post (gamma2,
 * brightness2, clamp to clamplow2..clamphigh2, opacity). The Python
 * tutorial's names `brightness` and `gamma` are aliases of brightness1
 * and gamma1. The shader says the order. At its input's size after a
 * one-pass TOP (OPT_ONE_PASS) that nothing else reads, it is drawn in
 * that TOP's pass (op_fold). */
#include <float.h>
#include <stdbool.h>
#include <stdio.h>

#include "top_util.h"
#include "top_level.glsl.h"

struct level {
    struct top_common common;
    double invert, blacklevel, brightness, contrast, gamma;
    double inlow, inhigh, outlow, outhigh;
    double low[4], high[4];
    int stepping;
    double stepsize, threshold;
    double gamma2, brightness2, opacity;
    int clamp;
    double clamplow2, clamphigh2;
};

/* A channel left at 0..1 is not clamped: float images keep what lies
 * above 1. */
static bool limits(const struct level *p, float lo[4], float hi[4])
{
    bool any = false;
    for (int c = 0; c < 4; c++) {
        bool plain = p->low[c] == 0 && p->high[c] == 1;
        lo[c] = plain ? -FLT_MAX : (float)p->low[c];
        hi[c] = plain ? FLT_MAX : (float)p->high[c];
        any = any || !plain;
    }
    return any;
}

static bool clamps(const struct level *p)
{
    return p->clamp && p->clamplow2 <= p->clamphigh2;
}

/* The variant of the shader that the parameters ask for. */
static void variant(const struct level *p, char *buf, size_t n)
{
    float lo[4], hi[4];
    bool lim = limits(p, lo, hi);
    bool range = p->inlow != 0 || p->inhigh != 1 || p->outlow != 0 ||
                 p->outhigh != 1;
    bool plain = p->invert == 0 && p->blacklevel <= 0 && p->gamma == 1 &&
                 p->contrast == 1 && p->brightness == 0 && !range && !lim &&
                 !p->stepping && p->gamma2 == 1 && p->brightness2 == 0 &&
                 !clamps(p);
    bool pre = p->invert != 0 || p->blacklevel > 0;
    bool pages = range || lim || p->stepping || clamps(p);
    snprintf(buf, n, "%s%s%s%s%s", plain ? "#define LEVEL_PLAIN\n" : "",
             pre ? "#define LEVEL_PRE\n" : "",
             p->gamma != 1 ? "#define LEVEL_GAMMA\n" : "",
             pages ? "#define LEVEL_PAGES\n" : "",
             p->gamma2 != 1 ? "#define LEVEL_GAMMA2\n" : "");
}

static void uniforms(struct op *op, struct gpu_program *prog)
{
    const struct level *p = op->priv;
    float lo[4], hi[4];
    limits(p, lo, hi);
    bool clamp = clamps(p);
    top_uniform1f(prog, "uLevelInvert", (float)p->invert);
    top_uniform1f(prog, "uLevelBlack", (float)p->blacklevel);
    top_uniform1f(prog, "uLevelBias",
                  (float)(0.5 - 0.5 * p->contrast + p->brightness));
    top_uniform1f(prog, "uLevelContrast", (float)p->contrast);
    top_uniform1f(prog, "uLevelGamma", (float)p->gamma);
    top_uniform1f(prog, "uLevelInLow", (float)p->inlow);
    top_uniform1f(prog, "uLevelInHigh", (float)p->inhigh);
    top_uniform1f(prog, "uLevelOutLow", (float)p->outlow);
    top_uniform1f(prog, "uLevelOutHigh", (float)p->outhigh);
    top_uniform4f(prog, "uLevelLow", lo[0], lo[1], lo[2], lo[3]);
    top_uniform4f(prog, "uLevelHigh", hi[0], hi[1], hi[2], hi[3]);
    top_uniform1f(prog, "uLevelStep",
                  p->stepping ? (float)p->stepsize : 0.0f);
    top_uniform1f(prog, "uLevelThreshold", (float)p->threshold);
    top_uniform1f(prog, "uLevelGamma2", (float)p->gamma2);
    top_uniform1f(prog, "uLevelBrightness2", (float)p->brightness2);
    top_uniform2f(prog, "uLevelClamp", clamp ? (float)p->clamplow2 : 1.0f,
                  clamp ? (float)p->clamphigh2 : 0.0f);
    top_uniform1f(prog, "uLevelOpacity", (float)p->opacity);
}

/* Folded into its input's pass only at its input's size. */
static bool prepare(struct op *op, char *buf, size_t n)
{
    const struct level *p = op->priv;
    if (p->common.outputresolution != TOP_RES_USEINPUT ||
        p->common.resolutionw > 0 || p->common.resolutionh > 0)
        return false;
    variant(p, buf, n);
    return true;
}

static const struct op_fold fold = {
    .glsl = top_level_glsl,
    .prepare = prepare,
    .uniforms = uniforms,
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    char defs[128];
    variant(op->priv, defs, sizeof(defs));
    struct gpu_program *prog = top_filter_variant(
        op, in, out, top_level_glsl, defs, "levelTOP's shader",
        GL_CLAMP_TO_EDGE, true);
    if (!prog)
        return 1;
    uniforms(op, prog);
    gpu_draw_fullscreen(op->graph->gpu);
    return 0;
}

#define LEVEL_FLOAT(field, ...)                                             \
    {PARAM_FLOAT(struct level, field), __VA_ARGS__}

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct level),
    LEVEL_FLOAT(invert, .name = "invert", .label = "Invert", .page = "Pre",
                .norm = {0, 1}, .lim = {0, 1}, .clamp = PAR_CLAMP_BOTH),
    LEVEL_FLOAT(blacklevel, .name = "blacklevel", .label = "Black Level",
                .page = "Pre", .norm = {0, 1}, .lim = {0, 1},
                .clamp = PAR_CLAMP_BOTH),
    LEVEL_FLOAT(brightness, .name = "brightness1", .alias = "brightness",
                .label = "Brightness 1", .page = "Pre", .norm = {-1, 1}),
    LEVEL_FLOAT(gamma, .name = "gamma1", .alias = "gamma",
                .label = "Gamma 1", .page = "Pre", .def = {1},
                .norm = {0.1, 4}, .lim = {0.001, 0}, .clamp = PAR_CLAMP_MIN),
    LEVEL_FLOAT(contrast, .name = "contrast", .label = "Contrast",
                .page = "Pre", .def = {1}, .norm = {0, 2}),
    LEVEL_FLOAT(inlow, .name = "inlow", .label = "In Low", .page = "Range",
                .norm = {0, 1}),
    LEVEL_FLOAT(inhigh, .name = "inhigh", .label = "In High",
                .page = "Range", .def = {1}, .norm = {0, 1}),
    LEVEL_FLOAT(outlow, .name = "outlow", .label = "Out Low",
                .page = "Range", .norm = {0, 1}),
    LEVEL_FLOAT(outhigh, .name = "outhigh", .label = "Out High",
                .page = "Range", .def = {1}, .norm = {0, 1}),
    LEVEL_FLOAT(low[0], .name = "low", .label = "Low", .page = "RGBA",
                .size = 4, .suffixes = "rgba", .norm = {0, 1}),
    LEVEL_FLOAT(high[0], .name = "high", .label = "High", .page = "RGBA",
                .size = 4, .suffixes = "rgba", .def = {1, 1, 1, 1},
                .norm = {0, 1}),
    {.name = "stepping", .label = "Apply Stepping", .page = "Step",
     PARAM_TOGGLE(struct level, stepping)},
    LEVEL_FLOAT(stepsize, .name = "stepsize", .label = "Step Size",
                .page = "Step", .def = {0.25}, .norm = {0, 1},
                .lim = {0.0001, 0}, .clamp = PAR_CLAMP_MIN),
    LEVEL_FLOAT(threshold, .name = "threshold", .label = "Threshold",
                .page = "Step", .def = {0.5}, .norm = {0, 1}),
    LEVEL_FLOAT(gamma2, .name = "gamma2", .label = "Gamma 2",
                .page = "Post", .def = {1}, .norm = {0.1, 4},
                .lim = {0.001, 0}, .clamp = PAR_CLAMP_MIN),
    LEVEL_FLOAT(brightness2, .name = "brightness2", .label = "Brightness 2",
                .page = "Post", .norm = {-1, 1}),
    {.name = "clamp", .label = "Clamp", .page = "Post",
     PARAM_TOGGLE(struct level, clamp)},
    LEVEL_FLOAT(clamplow2, .name = "clamplow2", .label = "Clamp Low",
                .page = "Post", .norm = {0, 1}),
    LEVEL_FLOAT(clamphigh2, .name = "clamphigh2", .label = "Clamp High",
                .page = "Post", .def = {1}, .norm = {0, 1}),
    LEVEL_FLOAT(opacity, .name = "opacity", .label = "Opacity",
                .page = "Post", .def = {1}, .norm = {0, 1}, .lim = {0, 1},
                .clamp = PAR_CLAMP_BOTH),
    {0},
};

const struct op_type op_top_level = {
    .name = "level",
    .optype = "levelTOP",
    .label = "Level",
    .about = "Pre: `invert`, `blacklevel`, `contrast` about 0.5, `brightness1` "
             "added (or `brightness`), `gamma1` (or `gamma`); Range: `inlow "
             "inhigh` onto `outlow outhigh`; RGBA: `lowr`..`higha`; Step: "
             "`stepping`, `stepsize`, `threshold`; Post: `gamma2`, "
             "`brightness2`, `clamp` (`clamplow2 clamphigh2`), `opacity`. "
             "At its input's size after a composite, transform, noise, "
             "ramp, HSV adjust or monochrome that nothing else reads, it "
             "is drawn in that TOP's pass",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct level),
    .cook = cook,
    .fold = &fold,
};
