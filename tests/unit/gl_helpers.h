/* gl_helpers.h: a headless GL context for pixel tests, or a skip that
 * says why there is none. */
#ifndef VITRINE_TEST_GL_HELPERS_H
#define VITRINE_TEST_GL_HELPERS_H

#include "../../engine/gpu/gpu.h"
#include "../../kiosk/headless.h"
#include "helpers.h"

static struct headless *test_hl;
static struct gpu *test_gpu;
static char gl_skip_reason[512];

static int gl_setup(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_WARN);
    test_hl = headless_create(gl_skip_reason, sizeof(gl_skip_reason));
    if (test_hl)
        test_gpu = gpu_create(gl_skip_reason, sizeof(gl_skip_reason));
    if (!test_gpu)
        print_message("SKIP: no headless OpenGL 3.3: %s\n", gl_skip_reason);
    return 0;
}

static int gl_teardown(void **state)
{
    (void)state;
    gpu_destroy(&test_gpu);
    headless_destroy(&test_hl);
    return 0;
}

#define NEED_GL()                                                 \
    do {                                                          \
        if (!test_gpu) {                                          \
            print_message("skipped: %s\n", gl_skip_reason);       \
            skip();                                               \
        }                                                         \
    } while (0)

/* Loads a network and gives it the test GPU. */
static inline struct graph *gl_load(const char *text)
{
    struct graph *g = load_ok(text);
    g->gpu = test_gpu;
    return g;
}

/* The output of TOP `path` as floats (w * h * 4), bottom row first. */
static inline float *top_pixels(struct graph *g, const char *path, int *w,
                                int *h)
{
    struct op *op = graph_find(g, path);
    if (!op)
        fail_msg("no op %s", path);
    graph_cook_op(g, op);
    if (op->error)
        fail_msg("%s: %s", path, op->error);
    struct gpu_tex *t = op->top.tex;
    if (!t)
        fail_msg("%s has no image", path);
    float *px = xmalloc((size_t)t->w * (size_t)t->h * 4 * sizeof(float));
    gpu_read_float(t, px);
    *w = t->w;
    *h = t->h;
    return px;
}

static inline const float *pixel(const float *px, int w, int x, int y)
{
    return px + ((size_t)y * (size_t)w + (size_t)x) * 4;
}

#endif
