/* bench_gpu [WxH]: TOP costs at 1280x720 (or WxH) on the GL this machine has (headless
 * EGL: llvmpipe without a GPU), each next to a limit measured in the same
 * run. Every timed piece ends in glFinish, so GPU work is counted.
 *
 *   default network  one frame (cook of all of it); shown next to the same
 *                    number of bare passes (the limit) and the 60 fps budget
 *   each TOP         one cook, next to one bare pass of a trivial shader at
 *                    the same size (the limit)
 *   readback         vitrine's PBO readback of an RGBA8 frame, next to
 *                    glReadPixels into client memory alone (limit 1.5x)
 *   upload           vitrine's PBO upload (copyNumpyArray's path), next
 *                    to glTexSubImage2D from client memory (limit 1.5x)
 *   blur             size 5, 50 and 500: 500 within 3x of 5 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/log.h"
#include "../../engine/base/util.h"
#include "../../engine/gpu/gpu.h"
#include "../../engine/graph/graph.h"
#include "../../engine/graph/loader.h"
#include "../../kiosk/headless.h"

static int W = 1280, H = 720; /* bench_gpu WxH overrides */

static struct gpu *gpu;
static char dir[] = "/tmp/vitrine-bench-XXXXXX"; /* mkdtemp template */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median milliseconds of fn over runs of n calls, after a warm-up. */
#define RUNS 5
static double median_ms(void (*fn)(void *), void *arg, int n)
{
    double t[RUNS];
    fn(arg);
    glFinish();
    for (int r = 0; r < RUNS; r++) {
        int64_t t0 = clock_now_ns();
        for (int i = 0; i < n; i++)
            fn(arg);
        glFinish();
        t[r] = (double)(clock_now_ns() - t0) * 1e-6 / n;
    }
    qsort(t, RUNS, sizeof(t[0]), cmp_double);
    return t[RUNS / 2];
}

static struct graph *load(const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/network.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    struct load_options opt = {.width = W, .height = H};
    struct load_report rep = {0};
    struct graph *g = network_load(path, &opt, &rep);
    for (size_t i = 0; i < rep.count; i++) {
        char *s = load_error_format(&rep.errors[i]);
        fprintf(stderr, "bench: %s\n", s);
        free(s);
    }
    load_report_free(&rep);
    if (!g)
        exit(1);
    g->gpu = gpu;
    return g;
}

/* ---- the limit: one bare pass ---- */

static struct gpu_tex *bare_target;
static GLuint bare_prog;

static void bare_pass(void *arg)
{
    (void)arg;
    gpu_target(bare_target);
    glUseProgram(bare_prog);
    gpu_draw_fullscreen(gpu);
}

/* ---- one op's cook ---- */

struct cook_arg {
    struct graph *g;
    struct op *op;
};

static void cook_once(void *arg)
{
    struct cook_arg *a = arg;
    struct cook_ctx ctx = {.frame = a->g->time.frame,
                           .seconds = a->g->time.seconds,
                           .fps = a->g->time.rate, .dt = 1.0 / 60};
    a->op->type->cook(a->op, &ctx);
}

static void frame_once(void *arg)
{
    struct graph *g = arg;
    graph_begin_frame(g, g->time.frame + 1);
    graph_cook(g);
}

static double cook_ms(struct graph *g, const char *path, int n)
{
    struct op *op = graph_find(g, path);
    graph_begin_frame(g, 1);
    graph_cook_op(g, op);
    if (op->error) {
        fprintf(stderr, "bench: %s: %s\n", path, op->error);
        exit(1);
    }
    struct cook_arg a = {g, op};
    return median_ms(cook_once, &a, n);
}

static const struct {
    const char *optype, *pars;
    bool needs_input;
} tops[] = {
    {"constantTOP", "", false},
    {"rampTOP", "type = radial\n", false},
    {"noiseTOP", "type = simplex\nharmon = 3\n", false},
    {"levelTOP", "contrast = 1.5\ngamma = 2\n", true},
    {"hsvadjustTOP", "hueoffset = 0.2\n", true},
    {"transformTOP", "rotate = 30\nsx = 1.5\n", true},
    {"compositeTOP", "operand = screen\n", true},
    {"cropTOP", "cropleft = 0.1\n", true},
    {"resolutionTOP", "resolutionw = 640\nresolutionh = 360\n", true},
    {"blurTOP", "size = 5\n", true},
    {"feedbackTOP", "", true},
    {"selectTOP", "top = src\n", false},
    {"nullTOP", "", true},
    {"glslTOP", "file = bench.frag\n", true},
    {"texture3dTOP", "cachesize = 8\n", true},
};

int main(int argc, char **argv)
{
    if (argc > 1 && (sscanf(argv[1], "%dx%d", &W, &H) != 2 || W < 16 ||
                     H < 16 || W > 8192 || H > 8192)) {
        fprintf(stderr, "usage: bench_gpu [WIDTHxHEIGHT]\n");
        return 2;
    }
    log_set_level(LOG_LEVEL_WARN);
    char err[512];
    struct headless *hl = headless_create(err, sizeof(err));
    if (!hl || !(gpu = gpu_create(err, sizeof(err)))) {
        printf("bench_gpu: skipped: no headless OpenGL 3.3: %s\n", err);
        return 0;
    }
    if (!mkdtemp(dir)) {
        perror(dir);
        return 1;
    }
    printf("GPU benchmarks at %dx%d on %s (median of %d runs)\n", W, H,
           (const char *)glGetString(GL_RENDERER), RUNS);

    bare_target = gpu_tex_acquire(gpu, W, H, GPU_RGBA8);
    bare_prog = gpu_program_get(gpu,
                                "#version 330 core\nin vec2 vUV;\n"
                                "out vec4 fragColor;\n"
                                "void main() { fragColor = vec4(vUV, 0, 1); }\n",
                                NULL);
    double bare = median_ms(bare_pass, NULL, 20);
    printf("bare GL pass (the limit for one TOP): %.3f ms\n\n", bare);

    /* the default network */
    {
        struct load_options opt = {.width = W, .height = H};
        struct load_report rep = {0};
        struct graph *g = network_load("networks/default", &opt, &rep);
        load_report_free(&rep);
        if (!g) {
            fprintf(stderr, "bench: cannot load networks/default\n");
            return 1;
        }
        g->gpu = gpu;
        size_t ntops = 0;
        for (size_t i = 0; i < g->nslots; i++)
            ntops += g->slots[i] && g->slots[i]->type->family == OP_TOP;
        double t = median_ms(frame_once, g, 10);
        printf("default network frame: %.2f ms = %.1fx %zu bare passes "
               "(%.2f ms); 60 fps budget 16.67 ms: %s\n\n", t,
               t / (bare * (double)ntops), ntops, bare * (double)ntops,
               t <= 16.67 ? "full rate" : "below full rate on this GL");
        graph_destroy(&g);
    }

    /* each TOP */
    {
        char path[300];
        snprintf(path, sizeof(path), "%s/bench.frag", dir);
        FILE *f = fopen(path, "w");
        fputs("out vec4 fragColor;\nuniform float uGain = 0.5;\n"
              "void main() { fragColor = texture(sTD2DInputs[0], vUV) * "
              "uGain; }\n", f);
        fclose(f);
    }
    printf("%-16s %10s %10s\n", "TOP", "cook ms", "x bare");
    for (size_t i = 0; i < ARRAY_LEN(tops); i++) {
        char text[1024];
        snprintf(text, sizeof(text),
                 "[network]\nresolution = %dx%d\n"
                 "[src]\nOPType = noiseTOP\ntype = random\n"
                 "[t]\nOPType = %s\n%s%s%s",
                 W, H, tops[i].optype, tops[i].pars,
                 tops[i].needs_input ? "inputs = src" : "",
                 strcmp(tops[i].optype, "compositeTOP") == 0 ? ", src\n"
                                                             : "\n");
        struct graph *g = load(text);
        double t = cook_ms(g, "t", 10);
        printf("%-16s %10.3f %9.1fx\n", tops[i].optype, t, t / bare);
        graph_destroy(&g);
    }

    /* readback and upload */
    {
        struct gpu_tex *t = bare_target;
        unsigned char *px = xmalloc((size_t)W * H * 4);
        int64_t t0;
        double ours[RUNS], raw[RUNS], up[RUNS], vup[RUNS];
        for (int r = -1; r < RUNS; r++) {
            t0 = clock_now_ns();
            gpu_readback_start(gpu, t);
            gpu_readback_finish(gpu, t, px);
            double a = (double)(clock_now_ns() - t0) * 1e-6;
            t0 = clock_now_ns();
            glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
            glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE, px);
            double b = (double)(clock_now_ns() - t0) * 1e-6;
            t0 = clock_now_ns();
            glBindTexture(GL_TEXTURE_2D, t->id);
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, W, H, GL_RGBA,
                            GL_UNSIGNED_BYTE, px);
            glFinish();
            double c = (double)(clock_now_ns() - t0) * 1e-6;
            t0 = clock_now_ns();
            gpu_upload(gpu, t, px, 4, GL_UNSIGNED_BYTE);
            glFinish();
            double d = (double)(clock_now_ns() - t0) * 1e-6;
            if (r >= 0) {
                vup[r] = d;
                ours[r] = a;
                raw[r] = b;
                up[r] = c;
            }
        }
        qsort(ours, RUNS, sizeof(double), cmp_double);
        qsort(raw, RUNS, sizeof(double), cmp_double);
        qsort(up, RUNS, sizeof(double), cmp_double);
        qsort(vup, RUNS, sizeof(double), cmp_double);
        double a = ours[RUNS / 2], b = raw[RUNS / 2], c = up[RUNS / 2];
        double d = vup[RUNS / 2];
        double mb = (double)W * H * 4 / 1048576.0;
        printf("\nreadback RGBA8: %.2f ms (%.0f MB/s) = %.2fx glReadPixels "
               "alone %.2f ms (limit 1.5x) %s\n", a, mb / a * 1000, a / b, b,
               a <= 1.5 * b ? "ok" : "OVER");
        printf("upload RGBA8: %.2f ms (%.0f MB/s) = %.2fx glTexSubImage2D "
               "alone %.2f ms (limit 1.5x) %s\n", d, mb / d * 1000, d / c, c,
               d <= 1.5 * c ? "ok" : "OVER");
        free(px);
    }

    /* blur cost against its size */
    {
        double t[3];
        const int sizes[3] = {5, 50, 500};
        for (int i = 0; i < 3; i++) {
            char text[512];
            snprintf(text, sizeof(text),
                     "[network]\nresolution = %dx%d\n"
                     "[src]\nOPType = noiseTOP\ntype = random\n"
                     "[t]\nOPType = blurTOP\ninputs = src\nsize = %d\n",
                     W, H, sizes[i]);
            struct graph *g = load(text);
            t[i] = cook_ms(g, "t", 10);
            graph_destroy(&g);
        }
        printf("\nblur size 5: %.3f ms, 50: %.3f ms, 500: %.3f ms; "
               "500/5 = %.2fx (limit 3x) %s\n", t[0], t[1], t[2],
               t[2] / t[0], t[2] <= 3 * t[0] ? "ok" : "OVER");
    }

    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
    gpu_tex_release(gpu, &bare_target);
    gpu_destroy(&gpu);
    headless_destroy(&hl);
    return 0;
}
