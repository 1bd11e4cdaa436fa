/* levelTOP: TouchDesigner's Level TOP, by its pages: Pre (invert,
 * blacklevel, contrast, brightness1 added, gamma1), Range (inlow..inhigh
 * onto outlow..outhigh), RGBA (each channel clamped to low..high), Step
 * (stepping by stepsize, shifted by threshold; a channel left at 0..1 is
 * not clamped, so float images keep values above 1), Post (gamma2,
 * brightness2, clamp to clamplow2..clamphigh2, opacity). The Python tutorial's names
 * `brightness` and `gamma` are aliases of brightness1 and gamma1. The
 * shader says the order. */
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

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct level *p = op->priv;
    struct gpu_tex *in = top_input(op, 0), *out = top_output(op);
    if (!out)
        return -1;
    /* A channel left at 0..1 is not clamped: float images keep what
     * lies above 1. */
    float lo[4], hi[4];
    bool limits = false;
    for (int c = 0; c < 4; c++) {
        bool plain = p->low[c] == 0 && p->high[c] == 1;
        lo[c] = plain ? -FLT_MAX : (float)p->low[c];
        hi[c] = plain ? FLT_MAX : (float)p->high[c];
        limits = limits || !plain;
    }
    bool range = p->inlow != 0 || p->inhigh != 1 || p->outlow != 0 ||
                 p->outhigh != 1;
    bool clamp = p->clamp && p->clamplow2 <= p->clamphigh2;
    bool plain = p->invert == 0 && p->blacklevel <= 0 && p->gamma == 1 &&
                 p->contrast == 1 && p->brightness == 0 && !range &&
                 !limits && !p->stepping && p->gamma2 == 1 &&
                 p->brightness2 == 0 && !clamp;
    bool pre = p->invert != 0 || p->blacklevel > 0;
    bool pages = range || limits || p->stepping || clamp;
    char defs[96];
    snprintf(defs, sizeof(defs), "%s%s%s%s%s",
             plain ? "#define PLAIN\n" : "", pre ? "#define PRE\n" : "",
             p->gamma != 1 ? "#define GAMMA\n" : "",
             pages ? "#define PAGES\n" : "",
             p->gamma2 != 1 ? "#define GAMMA2\n" : "");
    struct gpu_program *prog = top_filter_variant(
        op, in, out, top_level_glsl, defs, "levelTOP's shader",
        GL_CLAMP_TO_EDGE, true);
    if (!prog)
        return 1;
    top_uniform1f(prog, "uInvert", (float)p->invert);
    top_uniform1f(prog, "uBlack", (float)p->blacklevel);
    top_uniform1f(prog, "uBias",
                  (float)(0.5 - 0.5 * p->contrast + p->brightness));
    top_uniform1f(prog, "uContrast", (float)p->contrast);
    top_uniform1f(prog, "uGamma", (float)p->gamma);
    top_uniform1f(prog, "uInLow", (float)p->inlow);
    top_uniform1f(prog, "uInHigh", (float)p->inhigh);
    top_uniform1f(prog, "uOutLow", (float)p->outlow);
    top_uniform1f(prog, "uOutHigh", (float)p->outhigh);
    top_uniform4f(prog, "uLow", lo[0], lo[1], lo[2], lo[3]);
    top_uniform4f(prog, "uHigh", hi[0], hi[1], hi[2], hi[3]);
    top_uniform1f(prog, "uStep", p->stepping ? (float)p->stepsize : 0.0f);
    top_uniform1f(prog, "uThreshold", (float)p->threshold);
    top_uniform1f(prog, "uGamma2", (float)p->gamma2);
    top_uniform1f(prog, "uBrightness2", (float)p->brightness2);
    top_uniform2f(prog, "uClamp", clamp ? (float)p->clamplow2 : 1.0f,
                  clamp ? (float)p->clamphigh2 : 0.0f);
    top_uniform1f(prog, "uOpacity", (float)p->opacity);
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
             "`brightness2`, `clamp` (`clamplow2 clamphigh2`), `opacity`",
    .family = OP_TOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .pars = pars,
    .priv_size = sizeof(struct level),
    .cook = cook,
};
