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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/log.h"
#include "../../engine/base/util.h"
#include "../../engine/gpu/gpu.h"
#include "../../engine/graph/graph.h"
#include "../../engine/graph/loader.h"
#include "../../engine/ops/top_util.h"
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

/* ---- each TOP next to a hand-written reference ----
 *
 * A reference is the simplest GL that gives the TOP's pixels for the
 * parameters of its case: the same maths with the parameters written in
 * as constants, inputs read texel by texel where the TOP's output is the
 * input's size, copies as glCopyImageSubData, a clear as glClear, a
 * ramp as a lookup in its colours made beforehand (256 of them, black to
 * white, read with filtering: the ramp's keys are a line). Its
 * output is compared with the TOP's (the largest difference of a
 * channel, in 1/255) so that a reference cannot get fast by doing less.
 * Two inputs: src (grey noise) and src2 (colour noise, seed 2). */

enum ref_kind {
    REF_PASS, REF_CLEAR, REF_COPY, REF_BLUR, REF_STACK, REF_RAMP
};

struct top_case {
    const char *optype, *pars;
    int ninputs; /* 0, 1 src, 2 src and src2, 3 src2 */
    enum ref_kind kind;
    const char *frag; /* REF_PASS: main's body (uA, uB, uSize, vUV) */
    bool linear;      /* the reference samples uA with filtering */
    GLenum wrap;      /* and this wrap (0: clamp to edge) */
    int tol;          /* the largest difference allowed, in 1/255 */
};

#define SIMPLEX_REF                                                          \
    "uint hash(uvec4 v) {\n"                                                 \
    "    uint h = v.x * 0x9E3779B1u ^ (v.y + 0x7F4A7C15u) * 0x85EBCA77u ^\n"    \
    "             (v.z + 0x165667B1u) * 0xC2B2AE3Du ^ (v.w + 0x27D4EB2Fu) *\n"  \
    "             0x94D049BBu;\n"                                            \
    "    h ^= h >> 15; h *= 0x2C1B3C6Du; h ^= h >> 12; h *= 0x297A2D39u;\n"   \
    "    h ^= h >> 15;\n"                                                    \
    "    return h;\n"                                                        \
    "}\n"                                                                    \
    "vec3 grad(ivec3 p, uint s) {\n"                                         \
    "    uint h = hash(uvec4(uvec3(p), s));\n"                                \
    "    float z = float(h & 0xFFFFu) / 32767.5 - 1.0;\n"                     \
    "    float a = float(h >> 16) / 65536.0 * 6.28318530718;\n"              \
    "    float r = sqrt(max(0.0, 1.0 - z * z));\n"                            \
    "    return vec3(r * cos(a), r * sin(a), z);\n"                          \
    "}\n"                                                                    \
    "float simplex(vec3 v, uint s) {\n"                                      \
    "    vec3 i = floor(v + dot(v, vec3(1.0 / 3.0)));\n"                     \
    "    vec3 x0 = v - i + dot(i, vec3(1.0 / 6.0));\n"                       \
    "    vec3 g = step(x0.yzx, x0.xyz), l = 1.0 - g;\n"                      \
    "    vec3 i1 = min(g, l.zxy), i2 = max(g, l.zxy);\n"                     \
    "    vec3 x1 = x0 - i1 + 1.0 / 6.0, x2 = x0 - i2 + 1.0 / 3.0;\n"         \
    "    vec3 x3 = x0 - 0.5;\n"                                              \
    "    ivec3 ii = ivec3(i);\n"                                             \
    "    vec4 w = max(0.6 - vec4(dot(x0, x0), dot(x1, x1), dot(x2, x2),\n"   \
    "                            dot(x3, x3)), 0.0);\n"                      \
    "    w = w * w * w * w;\n"                                               \
    "    return 32.0 * dot(w, vec4(dot(grad(ii, s), x0),\n"                  \
    "        dot(grad(ii + ivec3(i1), s), x1),\n"                            \
    "        dot(grad(ii + ivec3(i2), s), x2),\n"                            \
    "        dot(grad(ii + ivec3(1), s), x3)));\n"                           \
    "}\n"

#define HSV_REF                                                              \
    "vec3 rgb2hsv(vec3 c) {\n"                                               \
    "    vec4 K = vec4(0.0, -1.0 / 3.0, 2.0 / 3.0, -1.0);\n"                 \
    "    vec4 p = mix(vec4(c.bg, K.wz), vec4(c.gb, K.xy), step(c.b, c.g));\n" \
    "    vec4 q = mix(vec4(p.xyw, c.r), vec4(c.r, p.yzx), step(p.x, c.r));\n" \
    "    float d = q.x - min(q.w, q.y);\n"                                   \
    "    return vec3(abs(q.z + (q.w - q.y) / (6.0 * d + 1e-10)),\n"          \
    "                d / (q.x + 1e-10), q.x);\n"                             \
    "}\n"                                                                    \
    "vec3 hsv2rgb(vec3 c) {\n"                                               \
    "    vec3 p = abs(fract(c.x + vec3(1.0, 2.0 / 3.0, 1.0 / 3.0)) * 6.0 -\n" \
    "                 3.0);\n"                                               \
    "    return c.z * mix(vec3(1.0), clamp(p - 1.0, 0.0, 1.0), c.y);\n"      \
    "}\n"

#define FETCH_A "texelFetch(uA, ivec2(gl_FragCoord.xy), 0)"
#define FETCH_B "texelFetch(uB, ivec2(gl_FragCoord.xy), 0)"
#define UNPREMUL                                                             \
    "vec4 c = " FETCH_A ";\n"                                                \
    "vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);\n"

static const struct top_case cases[] = {
    {"constantTOP", "colorr = 0.2\n", 0, REF_CLEAR, NULL, false, 0, 0},
    {"rampTOP", "type = radial\n", 0, REF_RAMP, NULL, true, 0, 1},
    {"noiseTOP", "type = simplex\nharmon = 3\n", 0, REF_PASS,
     SIMPLEX_REF "void main() {\n"
     "vec3 x = vec3(vUV * uSize, 0.0) / 100.0;\n"
     "float sum = 0.0, w = 1.0;\n"
     "for (int h = 0; h < 4; h++) {\n"
     "    sum += w * simplex(x, 64u + uint(h) * 16u);\n"
     "    w *= 0.5;\n"
     "    x *= 2.0;\n"
     "}\n"
     "float r = 0.5 + 0.5 * clamp(sum / 1.875, -1.0, 1.0);\n"
     "fragColor = vec4(r, r, r, 1.0);\n",
     false, 0, 1},
    {"levelTOP", "contrast = 1.5\ngamma = 2\n", 1, REF_PASS,
     "void main() {\n" UNPREMUL
     "rgb = pow(max((rgb - 0.5) * 1.5 + 0.5, 0.0), vec3(0.5));\n"
     "fragColor = vec4(rgb * c.a, c.a);\n",
     false, 0, 1},
    {"hsvadjustTOP", "hueoffset = 72\n", 3, REF_PASS,
     HSV_REF "void main() {\n"
     "vec4 c = " FETCH_A ";\n"
     "vec3 hsv = rgb2hsv(c.a > 0.0 ? c.rgb / c.a : vec3(0.0));\n"
     "hsv.x = fract(hsv.x + 0.2);\n"
     "fragColor = vec4(hsv2rgb(hsv) * c.a, c.a);\n",
     false, 0, 1},
    {"transformTOP", "rotate = 30\nsx = 1.5\n", 1, REF_PASS, NULL, true,
     GL_CLAMP_TO_BORDER, 1},
    {"compositeTOP", "operand = screen\n", 2, REF_PASS,
     "void main() {\n"
     "vec4 a = " FETCH_A ", b = " FETCH_B ";\n"
     "fragColor = a + b - a * b;\n",
     false, 0, 1},
    {"compositeTOP", "operand = multiply\n", 2, REF_PASS,
     "void main() {\n"
     "fragColor = " FETCH_A " * " FETCH_B ";\n",
     false, 0, 1},
    {"cropTOP", "cropleft = 0.1\n", 1, REF_COPY, NULL, false, 0, 0},
    {"resolutionTOP", "resolutionw = 640\nresolutionh = 360\n", 1, REF_PASS,
     "void main() {\nfragColor = texture(uA, vUV);\n", true, 0, 1},
    {"blurTOP", "size = 5\n", 1, REF_BLUR, NULL, true, 0, 1},
    {"feedbackTOP", "", 1, REF_COPY, NULL, false, 0, 0},
    {"selectTOP", "top = src\n", 0, REF_COPY, NULL, false, 0, 0},
    {"nullTOP", "", 1, REF_COPY, NULL, false, 0, 0},
    {"outTOP", "", 1, REF_COPY, NULL, false, 0, 0},
    {"switchTOP", "index = 1\n", 2, REF_COPY, NULL, false, 0, 0},
    {"crossTOP", "cross = 0.25\n", 2, REF_PASS,
     "void main() {\n"
     "fragColor = mix(" FETCH_A ", " FETCH_B ", 0.25);\n",
     false, 0, 1},
    {"monochromeTOP", "", 3, REF_PASS,
     "void main() {\n"
     "vec4 c = " FETCH_A ";\n"
     "vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);\n"
     "float g = dot(rgb, vec3(0.2126, 0.7152, 0.0722));\n"
     "fragColor = vec4(vec3(g) * c.a, c.a);\n",
     false, 0, 1},
    {"glslTOP", "file = bench.frag\n", 1, REF_PASS,
     "void main() {\nfragColor = texture(uA, vUV) * 0.5;\n", true, 0, 1},
    {"texture3dTOP", "cachesize = 8\n", 1, REF_STACK, NULL, false, 0, 0},
};

/* The reference's own state, for the timed function. */
#define REF_SLICES 8 /* REF_STACK: as texture3dTOP's case, cachesize = 8 */

struct ref {
    enum ref_kind kind;
    GLuint prog, prog2, sampler, stack;
    struct gpu_tex *a, *b, *out, *mid, *lut;
    int x0, y0; /* REF_COPY: where in a the output starts */
    int layer;  /* REF_STACK: the slice written last */
    float clear[4];
};

static GLuint ref_compile(const char *body)
{
    char *src = xasprintf("#version 330 core\nin vec2 vUV;\n"
                          "out vec4 fragColor;\n"
                          "uniform sampler2D uA, uB;\n"
                          "uniform vec2 uSize;\n%s}\n", body);
    const char *err = NULL;
    GLuint p = gpu_program_get(gpu, src, &err);
    if (!p) {
        fprintf(stderr, "bench: a reference does not compile: %s\n%s\n",
                err ? err : "?", src);
        exit(1);
    }
    free(src);
    glUseProgram(p);
    glUniform1i(glGetUniformLocation(p, "uA"), 0);
    glUniform1i(glGetUniformLocation(p, "uB"), 1);
    return p;
}

static void ref_draw(const struct ref *r, GLuint prog, struct gpu_tex *dst,
                     const struct gpu_tex *a, const struct gpu_tex *b)
{
    glBindFramebuffer(GL_FRAMEBUFFER, dst->fbo);
    glViewport(0, 0, dst->w, dst->h);
    glUseProgram(prog);
    if (a) {
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, a->id);
        glBindSampler(0, r->sampler);
    }
    if (b) {
        glActiveTexture(GL_TEXTURE1);
        glBindTexture(GL_TEXTURE_2D, b->id);
        glBindSampler(1, r->sampler);
    }
    glUniform2f(glGetUniformLocation(prog, "uSize"), (float)dst->w,
                (float)dst->h);
    glBindVertexArray(gpu->vao);
    glDrawArrays(GL_TRIANGLES, 0, 3);
}

static void copy_image(const struct gpu_tex *src, int x0, int y0,
                       GLenum dst_target, GLuint dst, int layer, int w, int h)
{
    glCopyImageSubData(src->id, GL_TEXTURE_2D, 0, x0, y0, 0, dst, dst_target,
                       0, 0, 0, layer, w, h, 1);
}

static void ref_run(void *arg)
{
    struct ref *r = arg;
    switch (r->kind) {
    case REF_CLEAR:
        glBindFramebuffer(GL_FRAMEBUFFER, r->out->fbo);
        glViewport(0, 0, r->out->w, r->out->h);
        glClearColor(r->clear[0], r->clear[1], r->clear[2], r->clear[3]);
        glClear(GL_COLOR_BUFFER_BIT);
        break;
    case REF_PASS:
        ref_draw(r, r->prog, r->out, r->a, r->b);
        break;
    case REF_COPY:
        copy_image(r->a, r->x0, r->y0, GL_TEXTURE_2D, r->out->id, 0,
                   r->out->w, r->out->h);
        break;
    case REF_RAMP:
        ref_draw(r, r->prog, r->out, r->lut, NULL);
        break;
    case REF_BLUR:
        ref_draw(r, r->prog, r->mid, r->a, NULL);
        ref_draw(r, r->prog2, r->out, r->mid, NULL);
        break;
    case REF_STACK: /* each frame into the next of its slices, as the op
                     * does, and that slice copied out */
        r->layer = (r->layer + 1) % REF_SLICES;
        copy_image(r->a, 0, 0, GL_TEXTURE_2D_ARRAY, r->stack, r->layer,
                   r->a->w, r->a->h);
        glCopyImageSubData(r->stack, GL_TEXTURE_2D_ARRAY, 0, 0, 0, r->layer,
                           r->out->id, GL_TEXTURE_2D, 0, 0, 0, 0, r->a->w,
                           r->a->h, 1);
        break;
    }
}

/* One pass of the Gaussian blur of `size` (sigma size / 3, taps out to
 * size): weights in the source, along (dx, dy). */
static char *blur_body(double size, int dx, int dy)
{
    int n = (int)ceil(size);
    double sigma = size / 3, sum = 0, w[64];
    for (int i = -n; i <= n; i++)
        sum += w[i + n] = exp(-0.5 * i * i / (sigma * sigma));
    char *s = xstrdup("void main() {\nivec2 p = ivec2(gl_FragCoord.xy);\n"
                      "fragColor = vec4(0.0)");
    for (int i = -n; i <= n; i++) {
        char *t = xasprintf("%s\n    + %.9f * texelFetch(uA, clamp(p + "
                            "ivec2(%d, %d), ivec2(0), textureSize(uA, 0) - 1)"
                            ", 0)", s, w[i + n] / sum, i * dx, i * dy);
        free(s);
        s = t;
    }
    char *t = xasprintf("%s;\n", s);
    free(s);
    return t;
}

/* transformTOP's maths for rotate 30, sx 1.5 folded into one affine map
 * of vUV, written in as constants. */
static char *transform_body(double aspect)
{
    double r = -30 * M_PI / 180, c = cos(r), s = sin(r);
    /* p = (uv - 0.5) * (aspect, 1); q = rot(p) / (1.5, 1); uv' = q /
     * (aspect, 1) + 0.5 */
    double m00 = c * aspect / 1.5 / aspect, m01 = -s / 1.5 / aspect;
    double m10 = s * aspect, m11 = c;
    return xasprintf("void main() {\nvec2 u = vUV - 0.5;\n"
                     "fragColor = texture(uA, vec2(%.9f * u.x + %.9f * u.y, "
                     "%.9f * u.x + %.9f * u.y) + 0.5);\n",
                     m00, m01, m10, m11);
}

static void ref_setup(struct ref *r, const struct top_case *c,
                      struct gpu_tex *a, struct gpu_tex *b,
                      const struct gpu_tex *like)
{
    memset(r, 0, sizeof(*r));
    r->kind = c->kind;
    r->a = a;
    r->b = b;
    r->out = gpu_tex_acquire(gpu, like->w, like->h, like->format);
    glGenSamplers(1, &r->sampler);
    GLenum filter = c->linear ? GL_LINEAR : GL_NEAREST;
    GLenum wrap = c->wrap ? c->wrap : GL_CLAMP_TO_EDGE;
    glSamplerParameteri(r->sampler, GL_TEXTURE_MIN_FILTER, (GLint)filter);
    glSamplerParameteri(r->sampler, GL_TEXTURE_MAG_FILTER, (GLint)filter);
    glSamplerParameteri(r->sampler, GL_TEXTURE_WRAP_S, (GLint)wrap);
    glSamplerParameteri(r->sampler, GL_TEXTURE_WRAP_T, (GLint)wrap);
    static const float black[4] = {0, 0, 0, 0};
    glSamplerParameterfv(r->sampler, GL_TEXTURE_BORDER_COLOR, black);
    char *body = NULL;
    switch (c->kind) {
    case REF_CLEAR:
        r->clear[0] = 0.2f;
        r->clear[1] = r->clear[2] = r->clear[3] = 1;
        break;
    case REF_PASS:
        body = c->frag ? xstrdup(c->frag)
                       : transform_body((double)like->w / like->h);
        r->prog = ref_compile(body);
        break;
    case REF_COPY:
        if (strcmp(c->optype, "cropTOP") == 0)
            r->x0 = (int)lround(0.1 * a->w);
        if (strcmp(c->optype, "switchTOP") == 0)
            r->a = b;
        break;
    case REF_BLUR:
        r->mid = gpu_tex_acquire(gpu, a->w, a->h, like->format);
        body = blur_body(5, 1, 0);
        r->prog = ref_compile(body);
        free(body);
        body = blur_body(5, 0, 1);
        r->prog2 = ref_compile(body);
        break;
    case REF_RAMP: {
        unsigned char px[256 * 4];
        for (int i = 0; i < 256; i++) {
            px[4 * i] = px[4 * i + 1] = px[4 * i + 2] = (unsigned char)i;
            px[4 * i + 3] = 255;
        }
        r->lut = gpu_tex_acquire(gpu, 256, 1, GPU_RGBA8);
        glBindTexture(GL_TEXTURE_2D, r->lut->id);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, 256, 1, GL_RGBA,
                        GL_UNSIGNED_BYTE, px);
        r->prog = ref_compile(
            "void main() {\n"
            "vec2 c = (vUV - 0.5) * vec2(uSize.x / uSize.y, 1.0);\n"
            "float t = clamp(length(c) * 2.0, 0.0, 1.0);\n"
            "fragColor = texture(uA, vec2(t * (255.0 / 256.0) + "
            "0.5 / 256.0, 0.5));\n");
        break;
    }
    case REF_STACK:
        glGenTextures(1, &r->stack);
        glBindTexture(GL_TEXTURE_2D_ARRAY, r->stack);
        glTexStorage3D(GL_TEXTURE_2D_ARRAY, 1, GL_RGBA8, a->w, a->h,
                       REF_SLICES);
        break;
    }
    free(body);
}

static void ref_free(struct ref *r)
{
    gpu_tex_release(gpu, &r->out);
    gpu_tex_release(gpu, &r->mid);
    gpu_tex_release(gpu, &r->lut);
    glDeleteSamplers(1, &r->sampler);
    if (r->stack)
        glDeleteTextures(1, &r->stack);
}

/* The largest difference of a channel between two RGBA8 readbacks. */
static int max_diff(const struct gpu_tex *x, const struct gpu_tex *y)
{
    if (x->w != y->w || x->h != y->h)
        return 255;
    size_t n = (size_t)x->w * x->h * 4;
    unsigned char *p = xmalloc(n), *q = xmalloc(n);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, x->fbo);
    glReadPixels(0, 0, x->w, x->h, GL_RGBA, GL_UNSIGNED_BYTE, p);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, y->fbo);
    glReadPixels(0, 0, y->w, y->h, GL_RGBA, GL_UNSIGNED_BYTE, q);
    int d = 0;
    for (size_t i = 0; i < n; i++) {
        int e = abs((int)p[i] - (int)q[i]);
        if (e > d && getenv("BENCH_DIFF"))
            fprintf(stderr, "diff %d at %zu,%zu: %d vs %d\n", e,
                    i / 4 % (size_t)x->w, i / 4 / (size_t)x->w, p[i], q[i]);
        d = e > d ? e : d;
    }
    free(p);
    free(q);
    return d;
}

/* Each case: the TOP's cook and its reference at the same size, their
 * ratio against the limit, and whether their pixels agree. Returns the
 * number over the limit. */
#define TOP_LIMIT 1.5
static int each_top(void)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/bench.frag", dir);
    FILE *f = fopen(path, "w");
    fputs("out vec4 fragColor;\nuniform float uGain = 0.5;\n"
          "void main() { fragColor = texture(sTD2DInputs[0], vUV) * "
          "uGain; }\n", f);
    fclose(f);
    printf("%-14s %-22s %9s %9s %7s %6s %s\n", "TOP", "parameters",
           "cook ms", "ref ms", "ratio", "diff", "(limit 1.5x)");
    int over = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct top_case *c = &cases[i];
        const char *only = getenv("BENCH_TOP"); /* one type, to look at */
        if (only && strcmp(only, c->optype) != 0)
            continue;
        static const char *const ins[] = {"", "inputs = src\n",
                                          "inputs = src, src2\n",
                                          "inputs = src2\n"};
        char text[1024];
        snprintf(text, sizeof(text),
                 "[network]\nresolution = %dx%d\n"
                 "[src]\nOPType = noiseTOP\ntype = random\n"
                 "[src2]\nOPType = noiseTOP\ntype = random\nmono = off\n"
                 "seed = 2\n"
                 "[t]\nOPType = %s\n%s%s",
                 W, H, c->optype, c->pars, ins[c->ninputs]);
        struct graph *g = load(text);
        double t = cook_ms(g, "t", 10);
        graph_cook_op(g, graph_find(g, "src"));
        graph_cook_op(g, graph_find(g, "src2"));
        struct op *op = graph_find(g, "t");
        struct ref r;
        struct gpu_tex *a = graph_find(g, c->ninputs == 3 ? "src2" : "src")
                                ->top.tex;
        ref_setup(&r, c, a, graph_find(g, "src2")->top.tex, op->top.tex);
        double rt = median_ms(ref_run, &r, 10);
        int d = max_diff(op->top.tex, r.out);
        bool ok = t <= TOP_LIMIT * rt && d <= c->tol;
        char pars[64];
        snprintf(pars, sizeof(pars), "%s", c->pars);
        for (char *s = pars; *s; s++)
            if (*s == '\n')
                *s = s[1] ? ',' : '\0';
        printf("%-14s %-22s %9.3f %9.3f %6.2fx %6d %s\n", c->optype, pars,
               t, rt, t / rt, d,
               d > c->tol ? "PIXELS DIFFER" : ok ? "ok" : "OVER");
        over += !ok;
        ref_free(&r);
        graph_destroy(&g);
    }
    return over;
}
/* ---- the default network next to its TOPs' references ----
 *
 * Each TOP of networks/default is cooked alone, its inputs as the last
 * frame left them, next to a hand-written reference of its parameters
 * (those that move, such as the noise's depth and the zoom's turn, as
 * they stand in that frame). The frame as a whole is compared with the
 * sum of the references (limit 1.3x). */

struct net_case {
    const char *op, *a, *b; /* the op and its reference's inputs */
    enum ref_kind kind;
    char *(*body)(struct op *op); /* REF_PASS: main's text */
    bool linear;
    GLenum wrap;
    int tol;
};

static double par_of(struct op *op, const char *name)
{
    return par_get_double(op, op_par(op, name));
}

static char *noise1_body(struct op *op)
{
    /* simplex, mono, seed 1, spread 2, exponent 1: the period, harmonics,
     * roughness, amplitude, offset and depth of the op */
    int harmon = par_get_int(op, op_par(op, "harmon"));
    double rough = par_of(op, "rough"), weight = 0, w = 1;
    for (int h = 0; h <= harmon; h++, w *= rough)
        weight += w;
    return xasprintf(SIMPLEX_REF "void main() {\n"
                     "vec3 x = vec3(vUV * uSize, %.9g) / %.9g;\n"
                     "float sum = 0.0, w = 1.0;\n"
                     "for (int h = 0; h < %d; h++) {\n"
                     "    sum += w * simplex(x, 64u + uint(h) * 16u);\n"
                     "    w *= %.9g;\n"
                     "    x *= 2.0;\n"
                     "}\n"
                     "float n = clamp(sum / %.9g, -1.0, 1.0);\n"
                     "float r = %.9g + %.9g * n;\n"
                     "fragColor = vec4(r, r, r, 1.0);\n",
                     par_of(op, "tz"), par_of(op, "period"), harmon + 1,
                     rough, weight, par_of(op, "offset"), par_of(op, "amp"));
}

/* The tint (its size) times the noise (stretched from its own). */
static char *multiply_body(struct op *op)
{
    (void)op;
    return xstrdup("void main() {\nfragColor = " FETCH_A
                   " * texture(uB, vUV);\n");
}

static char *screen_body(struct op *op)
{
    (void)op;
    return xstrdup("void main() {\nvec4 a = " FETCH_A ", b = " FETCH_B ";\n"
                   "fragColor = a + b - a * b;\n");
}

static char *glow_body(struct op *op)
{
    (void)op; /* contrast 2, brightness -0.1, opacity 0.5 */
    return xstrdup("void main() {\n" UNPREMUL
                   "rgb = max(rgb * 2.0 - 0.6, 0.0);\n"
                   "fragColor = vec4(rgb, 1.0) * (c.a * 0.5);\n");
}

/* A level of opacity alone: premultiplied colour scaled, stretched where
 * the input is smaller than the op (out1: the screen's size). */
static char *opacity_body(struct op *op)
{
    const struct op *in = op_input(op, 0);
    bool same = in && top_same_size(in->top.tex, op->top.tex);
    return xasprintf("void main() {\nfragColor = %s * %.9g;\n",
                     same ? FETCH_A : "texture(uA, vUV)",
                     par_of(op, "opacity"));
}

static char *copy_body(struct op *op)
{
    (void)op;
    return xstrdup("void main() {\nfragColor = " FETCH_A ";\n");
}

static char *zoom_body(struct op *op)
{
    /* scale 1.008 about the centre, turned by rotate */
    double a = (double)W / H, r = -par_of(op, "rotate") * M_PI / 180;
    double c = cos(r), s = sin(r), k = 1 / 1.008;
    return xasprintf("void main() {\nvec2 u = vUV - 0.5;\n"
                     "fragColor = texture(uA, vec2(%.9g * u.x + %.9g * u.y, "
                     "%.9g * u.x + %.9g * u.y) + 0.5);\n",
                     c * k, -s * k / a, s * a * k, c * k);
}

static const struct net_case net_cases[] = {
    {"noise1", NULL, NULL, REF_PASS, noise1_body, false, 0, 1},
    {"tint", NULL, NULL, REF_RAMP, NULL, true, 0, 1},
    {"colour", "tint", "noise1", REF_PASS, multiply_body, true, 0, 1},
    {"glow", "colour", NULL, REF_PASS, glow_body, false, 0, 1},
    {"trail", "mix", NULL, REF_PASS, copy_body, false, 0, 1},
    {"zoom", "trail", NULL, REF_PASS, zoom_body, true, 0, 1},
    {"fade", "zoom", NULL, REF_PASS, opacity_body, false, 0, 1},
    {"mix", "glow", "fade", REF_PASS, screen_body, false, 0, 1},
    {"soft", "mix", NULL, REF_BLUR, NULL, true, 0, 1},
    {"out1", "soft", NULL, REF_PASS, opacity_body, true, 0, 1},
};

/* The lookup of a ramp through the keys of op (in order of position and
 * opaque, as the default network's are), made on the CPU. */
static void ramp_lut(struct ref *r, struct op *op)
{
    double pos[8], col[8][3];
    int n = par_get_int(op, op_par(op, "keys"));
    for (int k = 0; k < n && k < 8; k++) {
        char name[16];
        snprintf(name, sizeof(name), "pos%d", k);
        pos[k] = par_of(op, name);
        for (int c = 0; c < 3; c++) {
            snprintf(name, sizeof(name), "color%d%c", k, "rgb"[c]);
            col[k][c] = par_of(op, name);
        }
    }
    unsigned char px[256 * 4];
    for (int i = 0; i < 256; i++) {
        double t = i / 255.0;
        int k = 0;
        while (k < n && pos[k] < t)
            k++;
        for (int c = 0; c < 3; c++) {
            double v = k == 0 ? col[0][c]
                       : k == n
                           ? col[n - 1][c]
                           : col[k - 1][c] + (col[k][c] - col[k - 1][c]) *
                                                 (t - pos[k - 1]) /
                                                 (pos[k] - pos[k - 1]);
            px[4 * i + c] = (unsigned char)lround(v * 255);
        }
        px[4 * i + 3] = 255;
    }
    r->lut = gpu_tex_acquire(gpu, 256, 1, GPU_RGBA8);
    glBindTexture(GL_TEXTURE_2D, r->lut->id);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, 256, 1, GL_RGBA,
                    GL_UNSIGNED_BYTE, px);
}

struct ref_chain {
    struct ref *refs;
    size_t n;
};

static void ref_chain_run(void *arg)
{
    struct ref_chain *c = arg;
    for (size_t i = 0; i < c->n; i++)
        ref_run(&c->refs[i]);
}

static void cook_one(void *arg)
{
    struct op *op = arg;
    struct cook_ctx ctx = {.frame = op->graph->time.frame,
                           .seconds = op->graph->time.seconds,
                           .fps = op->graph->time.rate, .dt = 1.0 / 60};
    op->type->cook(op, &ctx);
}

#define NET_LIMIT 1.3
static int default_network(double bare)
{
    struct load_options opt = {.width = W, .height = H};
    struct load_report rep = {0};
    struct graph *g = network_load("networks/default", &opt, &rep);
    load_report_free(&rep);
    if (!g) {
        fprintf(stderr, "bench: cannot load networks/default\n");
        exit(1);
    }
    g->gpu = gpu;
    size_t ntops = 0;
    for (size_t i = 0; i < g->nslots; i++)
        ntops += g->slots[i] && g->slots[i]->type->family == OP_TOP;
    double frame = median_ms(frame_once, g, 10);
    printf("default network at %dx%d, each TOP next to its reference:\n",
           W, H);
    printf("%-8s %-14s %9s %9s %7s %6s\n", "op", "type", "cook ms",
           "ref ms", "ratio", "diff");
    double sum = 0, sum_ref = 0;
    int bad = 0;
    struct ref refs[ARRAY_LEN(net_cases)];
    char *bodies[ARRAY_LEN(net_cases)];
    for (size_t i = 0; i < ARRAY_LEN(net_cases); i++) {
        const struct net_case *nc = &net_cases[i];
        struct op *op = graph_find(g, nc->op);
        if (!op) {
            fprintf(stderr, "bench: the default network has no %s\n",
                    nc->op);
            exit(1);
        }
        /* alone, so with an image of its own where the frame folds it
         * into the level after it */
        double t = median_ms(cook_one, op, 10);
        if (!op->top.tex) {
            fprintf(stderr, "bench: %s has no image\n", nc->op);
            exit(1);
        }
        struct top_case c = {.optype = op->type->optype, .kind = nc->kind,
                             .linear = nc->linear, .wrap = nc->wrap,
                             .tol = nc->tol};
        bodies[i] = nc->body ? nc->body(op) : NULL;
        c.frag = bodies[i];
        struct gpu_tex *a = nc->a ? graph_find(g, nc->a)->top.tex : NULL;
        struct gpu_tex *b = nc->b ? graph_find(g, nc->b)->top.tex : NULL;
        struct ref *r = &refs[i];
        ref_setup(r, &c, a, b, op->top.tex);
        if (nc->kind == REF_RAMP) {
            gpu_tex_release(gpu, &r->lut);
            ramp_lut(r, op);
        }
        if (nc->kind == REF_BLUR) {
            char *h = blur_body(par_of(op, "size"), 1, 0);
            char *v = blur_body(par_of(op, "size"), 0, 1);
            r->prog = ref_compile(h);
            r->prog2 = ref_compile(v);
            free(h);
            free(v);
        }
        double rt = median_ms(ref_run, r, 10);
        int d = max_diff(op->top.tex, r->out);
        printf("%-8s %-14s %9.3f %9.3f %6.2fx %6d%s\n", nc->op,
               op->type->optype, t, rt, t / rt, d,
               d > nc->tol ? " PIXELS DIFFER" : "");
        bad += d > nc->tol;
        sum += t;
        sum_ref += rt;
    }
    /* The references as a frame: each reads the references' images
     * before it (the trail the mix of the frame before), as the TOPs
     * read each other's, so that each waits for the one before as the
     * network's passes do. */
    for (size_t i = 0; i < ARRAY_LEN(net_cases); i++)
        for (size_t j = 0; j < ARRAY_LEN(net_cases); j++) {
            const char *a = net_cases[i].a, *b = net_cases[i].b;
            if (a && strcmp(a, net_cases[j].op) == 0)
                refs[i].a = refs[j].out;
            if (b && strcmp(b, net_cases[j].op) == 0)
                refs[i].b = refs[j].out;
        }
    struct ref_chain chain = {refs, ARRAY_LEN(net_cases)};
    double chained = median_ms(ref_chain_run, &chain, 10);
    for (size_t i = 0; i < ARRAY_LEN(net_cases); i++) {
        ref_free(&refs[i]);
        free(bodies[i]);
    }
    bool ok = frame <= NET_LIMIT * chained;
    printf("frame %.2f ms (its TOPs cooked alone %.2f ms); the references "
           "as a frame %.2f ms (alone %.2f ms): %.2fx (limit %.1fx) %s; "
           "%zu TOPs = %.1fx a bare pass each; 60 fps budget 16.67 ms: "
           "%s\n\n",
           frame, sum, chained, sum_ref, frame / chained, NET_LIMIT,
           ok ? "ok" : "OVER", ntops, frame / (bare * (double)ntops),
           frame <= 16.67 ? "full rate" : "below full rate on this GL");
    graph_destroy(&g);
    return !ok + bad;
}

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

    int over = getenv("BENCH_TOP") ? 0 : default_network(bare);
    over += each_top();

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
    return over ? 1 : 0;
}
