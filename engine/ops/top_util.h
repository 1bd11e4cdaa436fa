/* top_util.h: what every TOP type shares.
 *
 * Each TOP's private struct starts with `struct top_common`, and its
 * parameter table starts with TOP_COMMON_PARS(type): outputresolution,
 * resolutionw and resolutionh, and the pixel format. The size follows
 * TouchDesigner's Common page: the input's (or, for generators, the
 * network's resolution) multiplied, fitted or limited, or custom; a
 * resolution set while outputresolution is useinput means custom. */
#ifndef VITRINE_TOP_UTIL_H
#define VITRINE_TOP_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "../gpu/gpu.h"
#include "../graph/graph.h"

struct top_common {
    int outputresolution; /* enum top_resolution_mode */
    int resolutionw, resolutionh;
    int format; /* enum gpu_format; "input" keeps the first input's */
};

enum top_resolution_mode {
    TOP_RES_USEINPUT, TOP_RES_EIGHTH, TOP_RES_QUARTER, TOP_RES_HALF,
    TOP_RES_2X, TOP_RES_4X, TOP_RES_8X, TOP_RES_FIT, TOP_RES_LIMIT,
    TOP_RES_CUSTOM,
};

extern const struct par_menu_item top_resolution_modes[];
extern const struct par_menu_item top_formats[];
/* What lies outside an input: hold, zero, repeat, mirror; and the
 * texture wrap mode for each. */
extern const struct par_menu_item top_extends[];
extern const GLenum top_extend_wrap[];
#define TOP_FORMAT_INPUT GPU_FORMAT_COUNT

#define TOP_COMMON_PARS(T)                                                   \
    {.name = "outputresolution", .label = "Output Resolution",              \
     .page = "Common", .menu = top_resolution_modes, .def_str = "useinput", \
     PARAM_MENU(T, common.outputresolution)},                               \
    {.name = "resolutionw", .label = "Resolution W", .page = "Common",      \
     .norm = {0, 4096}, .lim = {0, 16384},                                  \
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(T, common.resolutionw)},            \
    {.name = "resolutionh", .label = "Resolution H", .page = "Common",      \
     .norm = {0, 4096}, .lim = {0, 16384},                                  \
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(T, common.resolutionh)},            \
    {.name = "format", .label = "Pixel Format", .page = "Common",           \
     .menu = top_formats, .def_str = "input",                               \
     PARAM_MENU(T, common.format)}

/* The GPU, or NULL with the op's error set. */
struct gpu *top_gpu(struct op *op);
/* The size the common parameters make of a reference size (the input's,
 * or a generator's default): multiplied, fitted into or limited to
 * resolutionw x resolutionh, or those; never below 1x1. */
void top_resolution(const struct top_common *c, int ref_w, int ref_h,
                    int *w, int *h);
/* The output texture for this cook: the common parameters' size (of the
 * first input's, else the network's) and format. Reuses the op's
 * texture while size and format stay. NULL: error set. */
struct gpu_tex *top_output(struct op *op);
/* The same with another reference size than the first input's. */
struct gpu_tex *top_output_size(struct op *op, int default_w, int default_h);
/* The same with size and format defaulting to like's (NULL: the
 * network's size, rgba8). */
struct gpu_tex *top_output_like(struct op *op, const struct gpu_tex *like);
/* The input's texture, or NULL if that input has none yet. */
struct gpu_tex *top_input(struct op *op, size_t i);
/* The program for a built-in fragment shader, in use; NULL with the op's
 * error set, naming the op (by the log prefix), what (the shader's file
 * or type) and the driver's message with the shader's own line. */
struct gpu_program *top_program(struct op *op, const char *frag_src,
                                const char *what);
/* The same for a variant: `defines` ("#define KEYS 3\n" lines) fix what
 * the parameters say for this cook, so that the shader tests nothing per
 * pixel that is the same for every pixel (gpu_program). */
struct gpu_program *top_variant(struct op *op, const char *frag_src,
                                const char *defines, const char *what);
/* Whether a and b are both there and of one size. */
bool top_same_size(const struct gpu_tex *a, const struct gpu_tex *b);
/* Binds t to `unit`: texel by texel (gpu_bind_exact) where `exact`, for
 * a shader that reads it at the output's size with texelFetch; else
 * filtered, with the wrap (gpu_bind_input). */
void top_bind(struct gpu *gpu, const struct gpu_tex *t, int unit, bool exact,
              GLenum wrap);
/* The private struct of TOPs with only the common parameters, and their
 * cook: the first input drawn into the output (resized or converted as
 * the common parameters ask). */
struct top_plain {
    struct top_common common;
};
int top_cook_copy(struct op *op, const struct cook_ctx *ctx);

/* The start of a one-pass filter: gets the program for frag, targets out
 * and binds in to unit 0 as `uInput` with the given wrap. Returns the
 * program (in use), or NULL when there is no program or no input, with
 * out made black: the cook then returns 1. */
struct gpu_program *top_filter_begin(struct op *op, const struct gpu_tex *in,
                                     struct gpu_tex *out, const char *frag,
                                     const char *what, GLenum wrap);
/* The same for a variant of frag (defines as top_variant's). A
 * `pointwise` filter (each pixel from the same pixel of the input) whose
 * input has out's size gets EXACT defined and the input bound texel by
 * texel (gpu_bind_exact): its shader reads it with texelFetch. */
struct gpu_program *top_filter_variant(struct op *op,
                                       const struct gpu_tex *in,
                                       struct gpu_tex *out, const char *frag,
                                       const char *defines, const char *what,
                                       GLenum wrap, bool pointwise);

/* Draws a mixed with b into out (t 0: a, 1: b; each stretched over out):
 * 0, or 1 with out black when the shader or an image is missing. */
int top_mix(struct op *op, const struct gpu_tex *a, const struct gpu_tex *b,
            float t, struct gpu_tex *out);

/* Makes out black and returns 1: a cook that failed but shows black. */
int top_black(struct op *op, struct gpu_tex *out);

/* Uniform setters by name on the program in use (locations asked of the
 * driver once, gpu_uniform); unknown names (unused uniforms the compiler
 * removed) are ignored. */
void top_uniform1f(struct gpu_program *prog, const char *name, float v);
void top_uniform2f(struct gpu_program *prog, const char *name, float a,
                   float b);
void top_uniform4f(struct gpu_program *prog, const char *name, float a,
                   float b, float c, float d);
void top_uniform1i(struct gpu_program *prog, const char *name, int v);

#endif
