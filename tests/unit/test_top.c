/* TOPs on headless EGL (Mesa llvmpipe where there is no GPU), at small
 * sizes; expected values are computed here. */
#include <math.h>

#include "../../engine/ops/top_util.h"
#include "gl_helpers.h"

#define EPS 2e-5 /* float32 shader arithmetic */

static void expect_rgba(const float *p, double r, double g, double b,
                        double a, double eps)
{
    if (fabs(p[0] - r) > eps || fabs(p[1] - g) > eps || fabs(p[2] - b) > eps ||
        fabs(p[3] - a) > eps)
        fail_msg("pixel (%.6f %.6f %.6f %.6f), expected (%.6f %.6f %.6f "
                 "%.6f) within %g", p[0], p[1], p[2], p[3], r, g, b, a, eps);
}

static void test_constant_exact(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load("[network]\nresolution = 64x32\n"
                              "[c8]\nOPType = constantTOP\ncolorr = 0.2\n"
                              "colorg = 0.6\ncolorb = 1\n"
                              "[c32]\nOPType = constantTOP\nformat = rgba32f\n"
                              "colorr = 0.3\ncolorg = 0.7\ncolorb = 0.1\n"
                              "alpha = 0.5\n"
                              "[mono]\nOPType = constantTOP\nformat = r16f\n"
                              "colorr = 0.25\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "c8", &w, &h);
    assert_int_equal(w, 64);
    assert_int_equal(h, 32);
    for (int i = 0; i < w * h; i++)
        expect_rgba(px + 4 * i, 51 / 255.0, 153 / 255.0, 1, 1, 1e-7);
    free(px);
    px = top_pixels(g, "c32", &w, &h);
    /* premultiplied, as TouchDesigner's TOPs are */
    expect_rgba(pixel(px, w, 10, 10), 0.3f * 0.5f, 0.7f * 0.5f, 0.1f * 0.5f,
                0.5, 1e-7);
    free(px);
    px = top_pixels(g, "mono", &w, &h);
    assert_true(px[0] == 0.25f);
    assert_int_equal(graph_find(g, "mono")->top.tex->format, GPU_R16F);
    free(px);
    graph_destroy(&g);
}

static void test_ramp_monotonic(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load("[network]\nresolution = 128x64\n"
                              "[h]\nOPType = rampTOP\nformat = rgba32f\n"
                              "[v]\nOPType = rampTOP\nformat = rgba32f\n"
                              "type = vertical\n"
                              "[r]\nOPType = rampTOP\nformat = rgba32f\n"
                              "type = radial\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "h", &w, &h);
    for (int y = 0; y < h; y += 7)
        for (int x = 1; x < w; x++)
            assert_true(pixel(px, w, x, y)[0] > pixel(px, w, x - 1, y)[0]);
    assert_near(pixel(px, w, 0, 0)[0], 0.5 / 128, 1e-5);
    assert_near(pixel(px, w, 127, 0)[0], 127.5 / 128, 1e-5);
    free(px);
    px = top_pixels(g, "v", &w, &h);
    for (int y = 1; y < h; y++)
        assert_true(pixel(px, w, 5, y)[1] > pixel(px, w, 5, y - 1)[1]);
    free(px);
    px = top_pixels(g, "r", &w, &h);
    /* grows from the centre outward along a row */
    for (int x = 65; x < w; x++)
        assert_true(pixel(px, w, x, 32)[0] >= pixel(px, w, x - 1, 32)[0]);
    assert_true(pixel(px, w, 64, 32)[0] < 0.05);
    free(px);
    graph_destroy(&g);
}

static double level_expect(double c, double a, double bright, double con,
                           double gamma, double opac, double inv, double *alpha)
{
    double rgb = c / a;
    rgb = rgb + (1 - 2 * rgb) * inv;
    rgb = (rgb - 0.5) * con + 0.5 + bright;
    rgb = pow(rgb > 0 ? rgb : 0, 1 / gamma);
    *alpha = a * opac;
    return rgb * *alpha;
}

static void test_level_maths(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load("[network]\nresolution = 16x16\n"
                              "[c]\nOPType = constantTOP\nformat = rgba32f\n"
                              "colorr = 0.2\ncolorg = 0.5\ncolorb = 0.9\n"
                              "alpha = 0.8\n"
                              "[l]\nOPType = levelTOP\ninputs = c\n"
                              "brightness = 0.1\ncontrast = 1.5\n"
                              "gamma = 2\nopacity = 0.75\ninvert = 0.25\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "l", &w, &h);
    double a, e[3];
    const double in[3] = {0.2, 0.5, 0.9};
    for (int i = 0; i < 3; i++)
        e[i] = level_expect(in[i] * 0.8, 0.8, 0.1, 1.5, 2, 0.75, 0.25, &a);
    expect_rgba(pixel(px, w, 3, 3), e[0], e[1], e[2], a, EPS);
    free(px);
    graph_destroy(&g);
}

/* TouchDesigner's names beside the tutorial's (one parameter each), and the
 * Range, RGBA, Step and Post pages on a grey of 0.6. */
static void test_level_touchdesigner_pages(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load(
        "[network]\nresolution = 4x4\n"
        "[c]\nOPType = constantTOP\nformat = rgba32f\n"
        "colorr = 0.6\ncolorg = 0.6\ncolorb = 0.6\n"
        "[td]\nOPType = levelTOP\ninputs = c\nbrightness1 = 0.1\n"
        "gamma1 = 2\ncontrast = 1.5\n"
        "[tutorial]\nOPType = levelTOP\ninputs = c\nbrightness = 0.1\n"
        "gamma = 2\ncontrast = 1.5\n"
        "[black]\nOPType = levelTOP\ninputs = c\nblacklevel = 0.2\n"
        "[range]\nOPType = levelTOP\ninputs = c\ninlow = 0.25\n"
        "inhigh = 0.75\noutlow = 0.1\nouthigh = 0.9\n"
        "[rgba]\nOPType = levelTOP\ninputs = c\nhighr = 0.4\nlowb = 0.7\n"
        "[step]\nOPType = levelTOP\ninputs = c\nstepping = on\n"
        "stepsize = 0.25\n"
        "[post]\nOPType = levelTOP\ninputs = c\ngamma2 = 0.5\n"
        "brightness2 = 0.1\nclamp = on\nclamphigh2 = 0.45\n"
        "[out]\nOPType = outTOP\ninputs = black\n");
    struct op *td = graph_find(g, "td");
    assert_ptr_equal(op_par(td, "brightness"), op_par(td, "brightness1"));
    assert_ptr_equal(op_par(td, "gamma"), op_par(td, "gamma1"));
    assert_string_equal(op_par(td, "gamma")->name, "gamma1");
    graph_begin_frame(g, 1);
    int w, h;
    double a, e = level_expect(0.6, 1, 0.1, 1.5, 2, 1, 0, &a);
    static const struct {
        const char *op;
        double r, g, b;
    } want[] = {
        {"td", 0, 0, 0}, /* e */
        {"tutorial", 0, 0, 0},
        {"black", 0.5, 0.5, 0.5},        /* (0.6 - 0.2) / 0.8 */
        {"range", 0.66, 0.66, 0.66},     /* 0.7 of 0.1..0.9 */
        {"rgba", 0.4, 0.6, 0.7},
        {"step", 0.5, 0.5, 0.5},         /* floor(2.4 + 0.5) * 0.25 */
        {"post", 0.45, 0.45, 0.45},      /* 0.36 + 0.1, clamped */
        {"out", 0.5, 0.5, 0.5},          /* black's, passed on */
    };
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        float *px = top_pixels(g, want[i].op, &w, &h);
        print_message("%s: %g %g %g\n", want[i].op, px[0], px[1], px[2]);
        if (i < 2)
            expect_rgba(px, e, e, e, 1, EPS);
        else
            expect_rgba(px, want[i].r, want[i].g, want[i].b, 1, EPS);
        free(px);
    }
    graph_destroy(&g);
}

struct rgba {
    double v[4];
};

static struct rgba blend(int op, struct rgba a, struct rgba b)
{
    struct rgba r;
    for (int i = 0; i < 4; i++) {
        double x = a.v[i], y = b.v[i];
        switch (op) {
        case 0: r.v[i] = x + y * (1 - a.v[3]); break;
        case 1: r.v[i] = y + x * (1 - b.v[3]); break;
        case 2: r.v[i] = x + y; break;
        case 3: r.v[i] = x - y; break;
        case 4: r.v[i] = x * y; break;
        case 5: r.v[i] = x + y - x * y; break;
        case 6: r.v[i] = fabs(x - y); break;
        case 7: r.v[i] = x > y ? x : y; break;
        case 8: r.v[i] = x < y ? x : y; break;
        default: r.v[i] = x + y; break;
        }
    }
    return r;
}

static void test_composite_maths(void **state)
{
    (void)state;
    NEED_GL();
    static const char *const ops[] = {
        "over", "under", "add", "subtract", "multiply", "screen",
        "difference", "maximum", "minimum", "average",
    };
    const struct rgba in[3] = {
        {{0.3 * 0.6, 0.5 * 0.6, 0.1 * 0.6, 0.6}},
        {{0.7, 0.2, 0.9, 1}},
        {{0.05, 0.4, 0.3, 0.5}},
    };
    for (int k = 0; k < 10; k++) {
        char text[1024];
        snprintf(text, sizeof(text),
                 "[network]\nresolution = 8x8\n"
                 "[a]\nOPType = constantTOP\nformat = rgba32f\ncolorr = 0.3\n"
                 "colorg = 0.5\ncolorb = 0.1\nalpha = 0.6\n"
                 "[b]\nOPType = constantTOP\nformat = rgba32f\ncolorr = 0.7\n"
                 "colorg = 0.2\ncolorb = 0.9\n"
                 "[c]\nOPType = constantTOP\nformat = rgba32f\ncolorr = 0.1\n"
                 "colorg = 0.8\ncolorb = 0.6\nalpha = 0.5\n"
                 "[comp]\nOPType = compositeTOP\ninputs = a, b, c\n"
                 "operand = %s\n", ops[k]);
        struct graph *g = gl_load(text);
        graph_begin_frame(g, 1);
        int w, h;
        float *px = top_pixels(g, "comp", &w, &h);
        struct rgba e = blend(k, blend(k, in[0], in[1]), in[2]);
        if (k == 9)
            for (int i = 0; i < 4; i++)
                e.v[i] /= 3;
        print_message("  %s\n", ops[k]);
        expect_rgba(pixel(px, w, 4, 4), e.v[0], e.v[1], e.v[2], e.v[3], EPS);
        free(px);
        graph_destroy(&g);
    }
}

static void test_composite_many_inputs(void **state)
{
    (void)state;
    NEED_GL();
    struct strbuf sb = {0};
    sb_puts(&sb, "[network]\nresolution = 4x4\n");
    for (int i = 0; i < 11; i++)
        sb_printf(&sb, "[c%d]\nOPType = constantTOP\nformat = rgba32f\n"
                  "colorr = %g\ncolorg = 0\ncolorb = 0\nalpha = 1\n", i,
                  0.01 * (i + 1));
    sb_puts(&sb, "[sum]\nOPType = compositeTOP\noperand = add\n"
            "inputs = c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10\n"
            "format = rgba32f\n"
            "[avg]\nOPType = compositeTOP\noperand = average\n"
            "inputs = c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10\n"
            "format = rgba32f\n");
    struct graph *g = gl_load(sb.s);
    sb_free(&sb);
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "sum", &w, &h);
    assert_near(px[0], 0.66, EPS);
    assert_near(px[3], 11, EPS);
    free(px);
    px = top_pixels(g, "avg", &w, &h);
    assert_near(px[0], 0.06, EPS);
    assert_near(px[3], 1, EPS);
    free(px);
    graph_destroy(&g);
}

/* A horizontal ramp: the value at pixel x of a 64-wide image. */
static double ramp_at(double x) { return (x + 0.5) / 64; }

static void test_transform_maths(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load("[network]\nresolution = 64x64\n"
                              "[r]\nOPType = rampTOP\nformat = rgba32f\n"
                              "[t]\nOPType = transformTOP\ninputs = r\n"
                              "tx = 0.25\nextend = hold\n"
                              "[z]\nOPType = transformTOP\ninputs = r\n"
                              "tx = 0.25\n"
                              "[rot]\nOPType = transformTOP\ninputs = r\n"
                              "rotate = 90\n"
                              "[s]\nOPType = transformTOP\ninputs = r\n"
                              "sx = 2\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "t", &w, &h);
    /* moved right by a quarter of the height, 16 pixels */
    for (int x = 16; x < 64; x++)
        assert_near(pixel(px, w, x, 20)[0], ramp_at(x - 16), 1e-4);
    for (int x = 0; x < 16; x++) /* hold: the edge value */
        assert_near(pixel(px, w, x, 20)[0], ramp_at(0), 1e-4);
    free(px);
    px = top_pixels(g, "z", &w, &h); /* zero: transparent black */
    assert_near(pixel(px, w, 5, 20)[3], 0, 1e-6);
    assert_near(pixel(px, w, 40, 20)[0], ramp_at(24), 1e-4);
    free(px);
    px = top_pixels(g, "rot", &w, &h);
    /* a quarter turn counter-clockwise: the ramp now rises upward */
    for (int y = 0; y < 64; y += 9)
        assert_near(pixel(px, w, 30, y)[0], ramp_at(y), 1e-4);
    free(px);
    px = top_pixels(g, "s", &w, &h);
    /* twice as wide about the centre: x reads 32 + (x - 32) / 2 */
    for (int x = 0; x < 64; x += 5)
        assert_near(pixel(px, w, x, 3)[0], (32 + (x + 0.5 - 32) / 2) / 64,
                    1e-4);
    free(px);
    graph_destroy(&g);
}

static void stats(const float *px, int n, double *mean, double *var)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        s += px[4 * i];
        s2 += px[4 * i] * px[4 * i];
    }
    *mean = s / n;
    *var = s2 / n - *mean * *mean;
}

static void test_blur_keeps_mean(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load("[network]\nresolution = 128x128\n"
                              "[n]\nOPType = noiseTOP\ntype = random\n"
                              "format = rgba32f\n"
                              "[b5]\nOPType = blurTOP\ninputs = n\nsize = 5\n"
                              "extend = repeat\n"
                              "[b40]\nOPType = blurTOP\ninputs = n\n"
                              "size = 40\nextend = repeat\n"
                              "[box]\nOPType = blurTOP\ninputs = n\nsize = 6\n"
                              "filtertype = box\nextend = repeat\n");
    graph_begin_frame(g, 1);
    int w, h;
    double m0, v0, m, v;
    float *px = top_pixels(g, "n", &w, &h);
    stats(px, w * h, &m0, &v0);
    free(px);
    assert_true(v0 > 0.05); /* white noise */
    const char *names[] = {"b5", "b40", "box"};
    double prev_var = v0;
    for (int i = 0; i < 3; i++) {
        px = top_pixels(g, names[i], &w, &h);
        stats(px, w * h, &m, &v);
        free(px);
        print_message("  %s: mean %.5f (input %.5f), variance %.6f\n",
                      names[i], m, m0, v);
        assert_near(m, m0, 0.002);
        assert_true(v < v0 / 10);
        if (i == 1)
            assert_true(v < prev_var); /* wider is smoother */
        prev_var = v;
    }
    graph_destroy(&g);
}

static void test_blur_impulse_is_gaussian(void **state)
{
    (void)state;
    NEED_GL();
    write_file("dot.frag", "out vec4 fragColor;\n"
               "void main() {\n"
               "    vec2 c = floor(gl_FragCoord.xy);\n"
               "    fragColor = vec4(c == vec2(16.0) ? 1.0 : 0.0);\n"
               "}\n");
    struct graph *g = gl_load("[network]\nresolution = 33x33\n"
                              "[d]\nOPType = glslTOP\nfile = dot.frag\n"
                              "format = rgba32f\n"
                              "[b]\nOPType = blurTOP\ninputs = d\nsize = 3\n"
                              "extend = zero\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "b", &w, &h);
    double wt[7], sum = 0;
    for (int d = -3; d <= 3; d++)
        sum += wt[d + 3] = exp(-0.5 * d * d); /* sigma = radius / 3 */
    for (int dy = -3; dy <= 3; dy++)
        for (int dx = -3; dx <= 3; dx++)
            assert_near(pixel(px, w, 16 + dx, 16 + dy)[0],
                        wt[dx + 3] * wt[dy + 3] / (sum * sum), 2e-3);
    assert_near(pixel(px, w, 16 + 4, 16)[0], 0, 1e-6);
    free(px);
    graph_destroy(&g);
}

static void test_feedback_accumulates(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load("[network]\nresolution = 8x8\noutput = acc\n"
                              "[c]\nOPType = constantTOP\nformat = rgba32f\n"
                              "colorr = 0.1\ncolorg = 0\ncolorb = 0\n"
                              "[fb]\nOPType = feedbackTOP\ninputs = c\n"
                              "top = acc\n"
                              "[acc]\nOPType = compositeTOP\ninputs = fb, c\n"
                              "operand = add\n");
    int w, h;
    for (int f = 1; f <= 5; f++) {
        run_frames(g, f, f);
        float *px = top_pixels(g, "acc", &w, &h);
        assert_near(px[0], 0.1 * (f + 1), EPS);
        free(px);
    }
    /* Reset starts over from the input. */
    struct op *fb = graph_find(g, "fb");
    par_pulse(fb, op_par(fb, "reset"));
    run_frames(g, 6, 6);
    float *px = top_pixels(g, "acc", &w, &h);
    assert_near(px[0], 0.2, EPS);
    free(px);
    graph_destroy(&g);
}

static void test_crop_resolution_select_null_hsv(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load("[network]\nresolution = 64x32\n"
                              "[r]\nOPType = rampTOP\nformat = rgba32f\n"
                              "[crop]\nOPType = cropTOP\ninputs = r\n"
                              "cropleft = 0.5\n"
                              "[res]\nOPType = resolutionTOP\ninputs = r\n"
                              "resolutionw = 16\nresolutionh = 8\n"
                              "[sel]\nOPType = selectTOP\ntop = crop\n"
                              "[nul]\nOPType = nullTOP\ninputs = sel\n"
                              "[red]\nOPType = constantTOP\nformat = rgba32f\n"
                              "colorr = 1\ncolorg = 0\ncolorb = 0\n"
                              "[hsv]\nOPType = hsvadjustTOP\ninputs = red\n"
                              "hueoffset = 120\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "crop", &w, &h);
    assert_int_equal(w, 32);
    assert_int_equal(h, 32);
    assert_near(pixel(px, w, 0, 0)[0], ramp_at(32), 1e-4);
    assert_near(pixel(px, w, 31, 0)[0], ramp_at(63), 1e-4);
    free(px);
    px = top_pixels(g, "res", &w, &h);
    assert_int_equal(w, 16);
    assert_int_equal(h, 8);
    free(px);
    px = top_pixels(g, "nul", &w, &h);
    assert_int_equal(w, 32);
    assert_near(pixel(px, w, 31, 0)[0], ramp_at(63), 1e-4);
    free(px);
    px = top_pixels(g, "hsv", &w, &h);
    expect_rgba(px, 0, 1, 0, 1, 1e-4); /* red turned a third: green */
    free(px);
    graph_destroy(&g);
}

static void expect_size(struct graph *g, const char *name, int w, int h)
{
    struct op *op = graph_find(g, name);
    assert_non_null(op);
    assert_non_null(op->top.tex);
    if (op->top.tex->w != w || op->top.tex->h != h)
        fail_msg("%s is %dx%d, expected %dx%d", name, op->top.tex->w,
                 op->top.tex->h, w, h);
}

/* TouchDesigner's Output Resolution on the Common page: of the input's
 * size (the network's for a generator), multiplied, fitted, limited or
 * custom; a resolution set under useinput is custom. */
static void test_output_resolution_modes(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = gl_load(
        "[network]\nresolution = 64x32\n"
        "[r]\nOPType = rampTOP\nformat = rgba32f\n"
        "[half]\nOPType = rampTOP\noutputresolution = half\n"
        "[eighth]\nOPType = levelTOP\ninputs = r\noutputresolution = eighth\n"
        "[twice]\nOPType = levelTOP\ninputs = half\n"
        "outputresolution = 2x\nformat = rgba32f\n"
        "[fit]\nOPType = levelTOP\ninputs = r\noutputresolution = fit\n"
        "resolutionw = 100\nresolutionh = 100\n"
        "[limit]\nOPType = levelTOP\ninputs = r\noutputresolution = limit\n"
        "resolutionw = 16\nresolutionh = 16\n"
        "[nogrow]\nOPType = levelTOP\ninputs = r\n"
        "outputresolution = limit\nresolutionw = 1000\nresolutionh = 1000\n"
        "[custom]\nOPType = levelTOP\ninputs = r\n"
        "outputresolution = custom\nresolutionw = 10\n"
        "[short]\nOPType = levelTOP\ninputs = r\nresolutionw = 20\n"
        "[crop]\nOPType = cropTOP\ninputs = r\ncropleft = 0.5\n"
        "outputresolution = half\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "twice", &w, &h); /* cooks them all */
    free(px);
    for (const char *const *n = (const char *const[]){
             "eighth", "fit", "limit", "nogrow", "custom", "short", "crop",
             NULL};
         *n; n++)
        free(top_pixels(g, *n, &w, &h));
    expect_size(g, "half", 32, 16);
    expect_size(g, "eighth", 8, 4);
    expect_size(g, "twice", 64, 32);
    expect_size(g, "fit", 100, 50);
    expect_size(g, "limit", 16, 8);
    expect_size(g, "nogrow", 64, 32);
    expect_size(g, "custom", 10, 32);
    expect_size(g, "short", 20, 32);
    expect_size(g, "crop", 16, 16);
    /* the half-size ramp stretched back: still the ramp, left to right */
    px = top_pixels(g, "twice", &w, &h);
    assert_true(pixel(px, w, 0, 16)[0] < 0.05f);
    assert_true(pixel(px, w, 63, 16)[0] > 0.95f);
    assert_near(pixel(px, w, 32, 16)[0], 0.5, 0.05);
    free(px);
    /* changed from a script or OSC: the next cook has the new size */
    struct op *half = graph_find(g, "half");
    char err[256];
    assert_int_equal(par_set_text(half, op_par(half, "outputresolution"),
                                  "quarter", err, sizeof(err)), PAR_OK);
    graph_begin_frame(g, 2);
    free(top_pixels(g, "half", &w, &h));
    expect_size(g, "half", 16, 8);
    graph_destroy(&g);
}

static void test_noise(void **state)
{
    (void)state;
    NEED_GL();
    static const char *const types[] = {"random", "sparse", "harmonic",
                                        "perlin", "simplex"};
    for (int k = 0; k < 5; k++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "[network]\nresolution = 64x64\n"
                 "[a]\nOPType = noiseTOP\ntype = %s\nformat = rgba32f\n"
                 "period = 16\n"
                 "[b]\nOPType = noiseTOP\ntype = %s\nformat = rgba32f\n"
                 "period = 16\n"
                 "[c]\nOPType = noiseTOP\ntype = %s\nformat = rgba32f\n"
                 "period = 16\nseed = 2\n", types[k], types[k], types[k]);
        struct graph *g = gl_load(text);
        graph_begin_frame(g, 1);
        int w, h;
        float *a = top_pixels(g, "a", &w, &h), *b = top_pixels(g, "b", &w, &h);
        float *c = top_pixels(g, "c", &w, &h);
        double m, v;
        stats(a, w * h, &m, &v);
        print_message("  %s: mean %.3f variance %.4f\n", types[k], m, v);
        assert_memory_equal(a, b, (size_t)w * (size_t)h * 4 * sizeof(float));
        assert_true(memcmp(a, c, (size_t)w * (size_t)h * 4 * sizeof(float)));
        assert_true(v > 1e-4); /* not flat */
        for (int i = 0; i < w * h; i++) {
            assert_true(a[4 * i] >= -0.01 && a[4 * i] <= 1.01);
            assert_true(a[4 * i] == a[4 * i + 1]); /* mono */
        }
        free(a);
        free(b);
        free(c);
        graph_destroy(&g);
    }
}

static void test_glsl_uniforms_and_inputs(void **state)
{
    (void)state;
    NEED_GL();
    write_file("tint.frag",
               "// no #version: 330 core is assumed\n"
               "uniform float uGain;\n"
               "uniform vec3 uTint = vec3(0.5, 0.25, 1.0), uUnused;\n"
               "out vec4 fragColor;\n"
               "void main() {\n"
               "    vec4 a = texture(sTD2DInputs[0], vUV.st);\n"
               "    vec4 b = texture(sTD2DInputs[1], vUV.st);\n"
               "    fragColor = vec4(a.rgb * uGain * uTint + uUnused,\n"
               "                     b.r + uResolution.x / 100.0);\n"
               "}\n");
    struct graph *g = gl_load("[network]\nresolution = 16x8\n"
                              "[a]\nOPType = constantTOP\nformat = rgba32f\n"
                              "colorr = 0.8\ncolorg = 0.8\ncolorb = 0.8\n"
                              "[b]\nOPType = constantTOP\nformat = rgba32f\n"
                              "colorr = 0.1\n"
                              "[s]\nOPType = glslTOP\ninputs = a, b\n"
                              "file = tint.frag\n"
                              "vec3name = uGain\nvec3valuex = 0.5\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "s", &w, &h);
    assert_int_equal(w, 16);
    assert_int_equal(h, 8);
    /* uTint took the first free slot with its initializer's values. */
    expect_rgba(pixel(px, w, 5, 5), 0.8 * 0.5 * 0.5, 0.8 * 0.5 * 0.25,
                0.8 * 0.5 * 1.0, 0.1 + 0.16, EPS);
    free(px);
    struct op *s = graph_find(g, "s");
    assert_string_equal(par_get_string(s, op_par(s, "vec0name")), "uTint");
    assert_string_equal(par_get_string(s, op_par(s, "vec1name")), "uUnused");
    assert_near(par_get_double(s, op_par(s, "vec0valuey")), 0.25, 1e-12);
    /* Parameters drive the uniforms. */
    char err[256];
    assert_int_equal(par_set_double(s, op_par(s, "vec1valuez"), 0.2, err,
                                    sizeof(err)),
                     PAR_OK);
    assert_int_equal(par_set_double(s, op_par(s, "vec3valuex"), 1.0, err,
                                    sizeof(err)),
                     PAR_OK);
    graph_begin_frame(g, 2);
    px = top_pixels(g, "s", &w, &h);
    expect_rgba(pixel(px, w, 0, 0), 0.8 * 0.5, 0.8 * 0.25, 0.8 + 0.2, 0.26,
                EPS);
    free(px);
    assert_null(s->warning);
    graph_destroy(&g);
}

static void test_glsl_time_and_warnings(void **state)
{
    (void)state;
    NEED_GL();
    write_file("time.frag", "#version 330 core\n"
                            "out vec4 fragColor;\n"
                            "void main() { fragColor = vec4(uTime); }\n");
    struct graph *g = gl_load("[network]\nresolution = 4x4\nfps = 60\n"
                              "[t]\nOPType = glslTOP\nformat = rgba32f\n"
                              "file = time.frag\nvec2name = uMissing\n");
    int w, h;
    run_frames(g, 1, 31);
    float *px = top_pixels(g, "t", &w, &h);
    assert_near(px[0], 0.5, 1e-6);
    free(px);
    struct op *t = graph_find(g, "t");
    assert_non_null(t->warning);
    assert_non_null(strstr(t->warning, "vec2name: 'uMissing' is not a "
                                       "uniform of"));
    run_frames(g, 32, 61);
    px = top_pixels(g, "t", &w, &h);
    assert_near(px[0], 1.0, 1e-6);
    free(px);
    graph_destroy(&g);
}

static void test_glsl_broken_shows_black_and_names_line(void **state)
{
    (void)state;
    NEED_GL();
    write_file("broken.frag", "#version 330 core\n"
                              "out vec4 fragColor;\n"
                              "\n"
                              "void main() {\n"
                              "    fragColor = vec4(undeclared);\n"
                              "}\n");
    write_file("nover.frag", "// a comment\n"
                             "out vec4 fragColor;\n"
                             "void main() {\n"
                             "    fragColor = vec4(nope);\n"
                             "}\n");
    struct graph *g = gl_load("[network]\nresolution = 8x8\noutput = sum\n"
                              "[c]\nOPType = constantTOP\nformat = rgba32f\n"
                              "colorr = 0.25\ncolorg = 0\ncolorb = 0\n"
                              "[bad]\nOPType = glslTOP\nfile = broken.frag\n"
                              "format = rgba32f\n"
                              "[bad2]\nOPType = glslTOP\nfile = nover.frag\n"
                              "[sum]\nOPType = compositeTOP\n"
                              "inputs = c, bad, bad2\noperand = add\n");
    capture_log();
    run_frames(g, 1, 1);
    int w, h;
    struct op *sum = graph_find(g, "sum");
    assert_null(sum->error);
    float *px = xmalloc(8 * 8 * 4 * sizeof(float));
    gpu_read_float(sum->top.tex, px);
    expect_rgba(px, 0.25, 0, 0, 3, EPS); /* black is opaque */
    free(px);
    struct op *bad = graph_find(g, "bad");
    assert_non_null(bad->error);
    assert_non_null(strstr(bad->error, "broken.frag:5:"));
    assert_non_null(strstr(bad->error, "undeclared"));
    assert_non_null(bad->top.tex);
    gpu_read_float(bad->top.tex, (px = xmalloc(8 * 8 * 4 * sizeof(float))));
    expect_rgba(px, 0, 0, 0, 1, 0);
    free(px);
    struct op *bad2 = graph_find(g, "bad2");
    assert_non_null(bad2->error);
    assert_non_null(strstr(bad2->error, "nover.frag:4:"));
    assert_non_null(strstr(logged(), "/project1/bad"));
    (void)w;
    (void)h;
    graph_destroy(&g);
}

/* The first pixel of `path` after a cook that may leave an error. */
static void first_pixel(struct graph *g, const char *path, float *rgba)
{
    struct op *op = graph_find(g, path);
    graph_cook_op(g, op);
    assert_non_null(op->top.tex);
    float *px = xmalloc((size_t)op->top.tex->w * (size_t)op->top.tex->h * 4 *
                        sizeof(float));
    gpu_read_float(op->top.tex, px);
    memcpy(rgba, px, 4 * sizeof(float));
    free(px);
}

/* A shader edited into a typo keeps the last one that compiled on the
 * screen, with the error on the op: in the running network (its DAT
 * rewritten) and across a reload of the network (its file edited). */
static void test_glsl_typo_keeps_last_good_shader(void **state)
{
    (void)state;
    NEED_GL();
    const char *good = "out vec4 fragColor;\n"
                       "uniform float uG = 0.5;\n"
                       "void main() { fragColor = vec4(uTime, uG, 0, 1); }\n";
    const char *typo = "out vec4 fragColor;\n"
                       "void main() { fragColor = vec4(oops); }\n";
    write_file("edited.frag", good);
    const char *net = "[network]\nresolution = 4x4\n"
                      "[shader]\nOPType = textDAT\n"
                      "[d]\nOPType = glslTOP\npixeldat = shader\n"
                      "format = rgba32f\n"
                      "[f]\nOPType = glslTOP\nfile = edited.frag\n"
                      "format = rgba32f\n";
    struct graph *g = gl_load(net);
    struct op *shader = graph_find(g, "shader");
    char err[128];
    assert_int_equal(par_set_text(shader, op_par(shader, "text"), good, err,
                                  sizeof(err)), PAR_OK);
    float px[4];
    run_frames(g, 1, 1);
    first_pixel(g, "d", px);
    assert_float_equal(px[1], 0.5, EPS);
    first_pixel(g, "f", px);
    assert_null(graph_find(g, "f")->error);
    /* the DAT rewritten with a typo: the old shader goes on, in time */
    par_set_text(shader, op_par(shader, "text"), typo, err, sizeof(err));
    run_frames(g, 31, 31);
    first_pixel(g, "d", px);
    struct op *d = graph_find(g, "d");
    assert_non_null(d->error);
    assert_non_null(strstr(d->error, "oops"));
    assert_non_null(strstr(d->error, "last shader that compiled"));
    assert_float_equal(px[0], 0.5, EPS); /* uTime at frame 31 */
    assert_float_equal(px[1], 0.5, EPS);
    assert_true(op_is_time_dependent(d));
    /* fixed again: the error clears, the new shader draws */
    par_set_text(shader, op_par(shader, "text"),
                 "out vec4 fragColor;\n"
                 "void main() { fragColor = vec4(0, 0, 1, 1); }\n", err,
                 sizeof(err));
    run_frames(g, 32, 32);
    first_pixel(g, "d", px);
    assert_null(d->error);
    assert_float_equal(px[2], 1, EPS);

    /* the file edited into a typo, then the network reloaded */
    write_file("edited.frag", typo);
    struct graph *ng = gl_load(net);
    graph_carry(ng, g);
    graph_destroy(&g);
    run_frames(ng, 1, 1);
    first_pixel(ng, "f", px);
    struct op *f = graph_find(ng, "f");
    assert_non_null(f->error);
    assert_non_null(strstr(f->error, "edited.frag:2:"));
    assert_float_equal(px[1], 0.5, EPS);
    assert_float_equal(px[3], 1, EPS);
    /* without a network to carry from, a typo is black */
    struct graph *fresh = gl_load(net);
    run_frames(fresh, 1, 1);
    first_pixel(fresh, "f", px);
    assert_non_null(graph_find(fresh, "f")->error);
    expect_rgba(px, 0, 0, 0, 1, 0);
    graph_destroy(&fresh);
    graph_destroy(&ng);
}

static void test_glsl_from_dat(void **state)
{
    (void)state;
    NEED_GL();
    write_file("green.frag", "out vec4 fragColor;\n"
                             "uniform float uG = 0.75;\n"
                             "void main() { fragColor = vec4(0, uG, 0, 1); }\n");
    struct graph *g = gl_load("[network]\nresolution = 4x4\n"
                              "[shader]\nOPType = textDAT\nfile = green.frag\n"
                              "[s]\nOPType = glslTOP\npixeldat = shader\n"
                              "format = rgba32f\n");
    graph_begin_frame(g, 1);
    int w, h;
    float *px = top_pixels(g, "s", &w, &h);
    expect_rgba(px, 0, 0.75, 0, 1, EPS);
    free(px);
    graph_destroy(&g);
    /* Neither file nor DAT is a load error naming the line. */
    struct load_report rep;
    assert_null(load_text("[network]\n[s]\nOPType = glslTOP\n", &rep, NULL));
    assert_int_equal(rep.count, 1);
    char *msg = load_error_format(&rep.errors[0]);
    assert_non_null(strstr(msg, "network.ini:2"));
    assert_non_null(strstr(msg, "needs `file`"));
    free(msg);
    load_report_free(&rep);
}

/* frame f puts the value f - 1 into every channel */
#define FRAME_SHADER "out vec4 fragColor;\n" \
                     "void main() { fragColor = vec4(uTime * 60.0); }\n"

/* Runs the next frame, cooking `path`; its first pixel's red. */
static double next_frame(struct graph *g, const char *path)
{
    int w, h;
    int64_t f = g->time.frame + 1;
    run_frames(g, f, f);
    float *px = top_pixels(g, path, &w, &h);
    double v = px[0];
    free(px);
    return v;
}

static double read_layer(struct graph *g, int layer)
{
    struct op *read = graph_find(g, "read");
    par_apply_double(read, op_par(read, "vec0valuex"), layer);
    return next_frame(g, "read");
}

static void set(struct graph *g, const char *path, const char *par,
                const char *value)
{
    char err[128];
    struct op *op = graph_find(g, path);
    assert_int_equal(par_set_text(op, op_par(op, par), value, err,
                                  sizeof(err)),
                     PAR_OK);
}

/* switchTOP by index (clamped; blended between neighbours), crossTOP's
 * proportion, monochromeTOP's greys, each against the maths. */
static void test_switch_cross_monochrome(void **state)
{
    (void)state;
    NEED_GL();
    static const char net[] =
        "[network]\nresolution = 8x8\n"
        "[a]\nOPType = constantTOP\nformat = rgba32f\ncolorr = 0.2\n"
        "colorg = 0.4\ncolorb = 0.6\n"
        "[b]\nOPType = constantTOP\nformat = rgba32f\ncolorr = 1\n"
        "colorg = 0\ncolorb = 0\n"
        "[c]\nOPType = constantTOP\nformat = rgba32f\ncolorr = 0\n"
        "colorg = 0\ncolorb = 1\nalpha = 0.5\n"
        "[sw]\nOPType = switchTOP\nformat = rgba32f\ninputs = a, b, c\n"
        "index = 1\n"
        "[x]\nOPType = crossTOP\nformat = rgba32f\ninputs = a, b\n"
        "cross = 0.25\n"
        "[m]\nOPType = monochromeTOP\nformat = rgba32f\ninputs = a\n";
    struct graph *g = gl_load(net);
    struct {
        const char *op, *par, *value;
        float r, g, b, a;
    } cases[] = {
        {"sw", "index", "1", 1, 0, 0, 1},
        {"sw", "index", "0", 0.2f, 0.4f, 0.6f, 1},
        {"sw", "index", "7", 0, 0, 0.5f, 0.5f}, /* beyond: the last */
        {"sw", "index", "-3", 0.2f, 0.4f, 0.6f, 1},
        {"sw", "index", "1.75", 1, 0, 0, 1}, /* no blend: input 1 */
        {"sw", "blend", "on", 0.25f, 0, 0.375f, 0.625f},
        {"x", "cross", "0.25", 0.4f, 0.3f, 0.45f, 1},
        {"x", "cross", "1", 1, 0, 0, 1},
        {"m", "rgb", "luminance", 0.37192f, 0.37192f, 0.37192f, 1},
        {"m", "rgb", "average", 0.4f, 0.4f, 0.4f, 1},
        {"m", "rgb", "maximum", 0.6f, 0.6f, 0.6f, 1},
        {"m", "mono", "0.5", 0.4f, 0.5f, 0.6f, 1}, /* half way to the max */
        {"m", "alpha", "red", 0.08f, 0.1f, 0.12f, 0.2f},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        set(g, cases[i].op, cases[i].par, cases[i].value);
        graph_begin_frame(g, (int64_t)i + 1);
        int w, h;
        float *px = top_pixels(g, cases[i].op, &w, &h);
        print_message("  %s %s = %s\n", cases[i].op, cases[i].par,
                      cases[i].value);
        expect_rgba(pixel(px, w, 4, 4), cases[i].r, cases[i].g, cases[i].b,
                    cases[i].a, EPS);
        free(px);
    }
    graph_destroy(&g);
}

static void test_texture3d_ring_step_replace_reset(void **state)
{
    (void)state;
    NEED_GL();
    write_file("frame.frag", FRAME_SHADER);
    write_file("layer.frag",
               "uniform float uLayer;\n"
               "out vec4 fragColor;\n"
               "void main() {\n"
               "    fragColor = texture(sTD2DArrayInputs[0],\n"
               "                        vec3(vUV, uLayer));\n"
               "}\n");
    write_file("newest.frag",
               "out vec4 fragColor;\n"
               "void main() {\n"
               "    fragColor = texture(sTD3DInputs[0],\n"
               "                        vec3(vUV, uTD3DInfos[0].depth.z));\n"
               "}\n");
    struct graph *g = gl_load("[network]\nresolution = 4x4\nfps = 60\n"
                              "[src]\nOPType = glslTOP\nformat = rgba32f\n"
                              "file = frame.frag\n"
                              "[cache]\nOPType = texture3dTOP\ninputs = src\n"
                              "cachesize = 4\n"
                              "[read]\nOPType = glslTOP\ninputs = cache\n"
                              "file = layer.frag\nresolutionw = 2\n"
                              "resolutionh = 2\n"
                              "[cube]\nOPType = texture3dTOP\ninputs = src\n"
                              "cachesize = 4\ntype = texture3d\n"
                              "[newest]\nOPType = glslTOP\ninputs = cube\n"
                              "file = newest.frag\nresolutionw = 2\n"
                              "resolutionh = 2\n");
    /* frames 1..6 (values 0..5) go into slices 0 1 2 3 0 1 */
    int w, h;
    for (int f = 1; f <= 6; f++) {
        assert_near(next_frame(g, "cache"), f - 1, EPS);
        free(top_pixels(g, "cube", &w, &h)); /* in the same frame */
    }
    struct top_info info;
    assert_true(op_top_info(graph_find(g, "cache"), &info));
    assert_int_equal(info.depth, 4);
    assert_int_equal(info.newest_slice, 1);
    assert_int_equal(info.gpu_bytes, 4 * 4 * 16 * 5); /* 4 slices + image */
    assert_string_equal(info.format, "rgba32f");
    assert_near(info.aspect, 1.0, 1e-12);
    set(g, "cache", "active", "off");
    set(g, "cube", "active", "off");
    const double ring[4] = {4, 5, 2, 3};
    for (int layer = 0; layer < 4; layer++)
        assert_near(read_layer(g, layer), ring[layer], EPS);
    assert_near(next_frame(g, "newest"), 5, EPS);

    /* replacesingle: into slice replaceindex, the others stay */
    set(g, "cache", "active", "on");
    set(g, "cache", "replacesingle", "on");
    set(g, "cache", "replaceindex", "2");
    double v = next_frame(g, "cache");
    set(g, "cache", "active", "off");
    assert_near(read_layer(g, 2), v, EPS);
    assert_near(read_layer(g, 3), 3, EPS);

    /* reset clears; step 2 takes every other frame from slice 0 on */
    set(g, "cache", "replacesingle", "off");
    set(g, "cache", "step", "2");
    set(g, "cache", "active", "on");
    struct op *cache = graph_find(g, "cache");
    par_pulse(cache, op_par(cache, "reset"));
    double first = next_frame(g, "cache");
    for (int i = 0; i < 3; i++)
        next_frame(g, "cache");
    set(g, "cache", "active", "off");
    const double stepped[4] = {first, first + 2, 0, 0};
    for (int layer = 0; layer < 4; layer++)
        assert_near(read_layer(g, layer), stepped[layer], EPS);
    graph_destroy(&g);
}

/* A stack larger than the memory the GPU (or, for a CPU renderer, half
 * the RAM) has is an error on the op, not an allocation that kills the
 * process; a smaller cache then works again. */
static void test_texture3d_beyond_memory_is_an_error(void **state)
{
    (void)state;
    NEED_GL();
    size_t saved = test_gpu->mem_budget;
    if (!saved)
        print_message("this driver does not say its memory: the test sets "
                      "a budget of its own\n");
    test_gpu->mem_budget = test_gpu->bytes + (64 << 20);
    struct graph *g = gl_load("[network]\nresolution = 256x256\n"
                              "[src]\nOPType = constantTOP\n"
                              "format = rgba32f\n"
                              "[cache]\nOPType = texture3dTOP\n"
                              "inputs = src\ncachesize = 2048\n");
    struct op *cache = graph_find(g, "cache");
    graph_begin_frame(g, 1);
    graph_cook_op(g, cache);
    assert_non_null(cache->error);
    assert_non_null(strstr(cache->error, "cachesize: 256x256 x 2048 "
                                         "rgba32f would need 2048 MB"));
    set(g, "cache", "cachesize", "8");
    graph_begin_frame(g, 2);
    graph_cook_op(g, cache);
    assert_null(cache->error);
    graph_destroy(&g);
    test_gpu->mem_budget = saved;
}

/* gpu_upload (copyNumpyArray's path): 1 to 4 channels of 8-bit, 16-bit
 * and float data land in an rgba32f texture unchanged; missing channels
 * read as GL fills them (0, 0, 1 alpha). */
static void test_gpu_upload_round_trip(void **state)
{
    (void)state;
    NEED_GL();
    enum { W = 7, H = 5 }; /* odd: rows are not 4-byte aligned */
    static const GLenum types[] = {GL_UNSIGNED_BYTE, GL_UNSIGNED_SHORT,
                                   GL_FLOAT};
    static const double scale[] = {255.0, 65535.0, 1.0};
    struct gpu_tex *t = gpu_tex_acquire(test_gpu, W, H, GPU_RGBA32F);
    float out[W * H * 4];
    for (int ti = 0; ti < 3; ti++) {
        for (int ch = 1; ch <= 4; ch++) {
            unsigned char u8[W * H * 4];
            unsigned short u16[W * H * 4];
            float f32[W * H * 4];
            double want[W * H * 4];
            for (int i = 0; i < W * H * ch; i++) {
                int v = (i * 37 + ti * 11 + ch) % 251;
                u8[i] = (unsigned char)v;
                u16[i] = (unsigned short)(v * 257 + 3);
                f32[i] = (float)v / 7.0f - 3.0f;
                want[i] = ti == 0 ? v / scale[0]
                          : ti == 1 ? (v * 257 + 3) / scale[1]
                                    : (double)f32[i];
            }
            const void *src = ti == 0 ? (const void *)u8
                              : ti == 1 ? (const void *)u16
                                        : (const void *)f32;
            gpu_upload(test_gpu, t, src, ch, types[ti]);
            gpu_read_float(t, out);
            for (int p = 0; p < W * H; p++)
                for (int c = 0; c < 4; c++) {
                    double w = c < ch ? want[p * ch + c] : c == 3 ? 1 : 0;
                    if (fabs(out[p * 4 + c] - w) > 1e-6)
                        fail_msg("type %d, %d channels, pixel %d channel "
                                 "%d: %f, expected %f", ti, ch, p, c,
                                 out[p * 4 + c], w);
                }
        }
    }
    gpu_tex_release(test_gpu, &t);
}

/* A TOP whose size keeps changing leaves textures in the pool; those
 * idle for GPU_IDLE_FRAMES go back to the driver, the rest are reused. */
static void test_pool_frees_idle_textures(void **state)
{
    (void)state;
    NEED_GL();
    gpu_trim(test_gpu);
    size_t before = test_gpu->ntexs, bytes = test_gpu->bytes;
    struct graph *g = gl_load("[network]\nresolution = 16x16\n"
                              "output = c\n"
                              "[c]\nOPType = constantTOP\n");
    struct op *c = graph_find(g, "c");
    char err[256];
    int64_t frame = 1;
    for (int size = 8; size <= 64; size += 8) {
        assert_int_equal(par_set_double(c, op_par(c, "resolutionw"), size,
                                        err, sizeof(err)), PAR_OK);
        graph_begin_frame(g, frame++);
        graph_cook(g);
        assert_int_equal(c->top.tex->w, size);
    }
    /* Eight sizes: eight textures, seven of them idle now. */
    assert_int_equal(test_gpu->ntexs, before + 8);
    for (int i = 0; i < GPU_IDLE_FRAMES + 16; i++) {
        graph_begin_frame(g, frame++);
        graph_cook(g);
    }
    assert_int_equal(test_gpu->ntexs, before + 1);
    assert_int_equal(test_gpu->bytes, bytes + 64 * 16 * 4);
    /* The one in use survives, and a size asked for every frame is
     * never freed. */
    for (int i = 0; i < 2 * GPU_IDLE_FRAMES; i++) {
        assert_int_equal(par_set_double(c, op_par(c, "resolutionw"),
                                        i % 2 ? 64 : 32, err, sizeof(err)),
                         PAR_OK);
        graph_begin_frame(g, frame++);
        graph_cook(g);
    }
    assert_int_equal(test_gpu->ntexs, before + 2);
    graph_destroy(&g);
    gpu_trim(test_gpu);
    assert_int_equal(test_gpu->ntexs, before);
    assert_int_equal(test_gpu->bytes, bytes);
}

/* Programs nobody asks for go once the cache is large; one in use, and
 * the blit program, stay. */
static void test_shader_cache_forgets_idle_programs(void **state)
{
    (void)state;
    NEED_GL();
    char src[160], first[160];
    GLuint kept = 0;
    for (int i = 0; i < 100; i++) {
        snprintf(src, sizeof(src), "#version 330 core\nout vec4 fragColor;\n"
                 "void main() { fragColor = vec4(%d.0 / 100.0); }\n", i);
        const char *err = NULL;
        GLuint p = gpu_program_get(test_gpu, src, &err);
        if (!p)
            fail_msg("does not compile: %s", err ? err : "?");
        if (i == 0) {
            kept = p;
            snprintf(first, sizeof(first), "%s", src);
        }
    }
    size_t many = test_gpu->nprograms;
    assert_true(many >= 100);
    for (int f = 0; f < GPU_IDLE_PROGRAM_FRAMES + 16; f++) {
        assert_int_equal(gpu_program_get(test_gpu, first, NULL), kept);
        gpu_frame_done(test_gpu);
    }
    /* first, and the blit's two variants */
    assert_true(test_gpu->nprograms <= 3);
    assert_int_equal(gpu_program_get(test_gpu, first, NULL), kept);
    assert_true(glIsProgram(test_gpu->blit->id));
    assert_true(glIsProgram(test_gpu->blit_mono->id));
    assert_int_equal(test_gpu->nprograms, 3);
}

static void test_without_gpu_tops_report(void **state)
{
    (void)state;
    capture_log();
    struct graph *g = load_ok("[network]\noutput = c\n"
                              "[c]\nOPType = constantTOP\n");
    run_frames(g, 1, 1);
    struct op *c = graph_find(g, "c");
    assert_non_null(c->error);
    assert_non_null(strstr(c->error, "no GPU context"));
    assert_null(c->top.tex);
    graph_destroy(&g);
}

/* ---- a level folded into the pass before it (op_fold) ---- */

/* Two chains alike, "a" and "b": producer (a one-pass TOP over two ramps
 * that go past 1 where they add up) into a level. b's producer has a
 * second reader, so b is never folded: it is what a must show. */
static struct graph *fold_twins(const char *producer, const char *level)
{
    char *text = xasprintf(
        "[network]\nresolution = 32x16\noutput = all\n"
        "[h]\nOPType = rampTOP\n"
        "[v]\nOPType = rampTOP\ntype = vertical\n"
        "[pa]\n%s\n[la]\nOPType = levelTOP\ninputs = pa\n%s\n"
        "[pb]\n%s\n[lb]\nOPType = levelTOP\ninputs = pb\n%s\n"
        "[nb]\nOPType = nullTOP\ninputs = pb\n"
        "[all]\nOPType = compositeTOP\ninputs = la, lb, nb\n",
        producer, level, producer, level);
    struct graph *g = gl_load(text);
    free(text);
    return g;
}

/* la's pixels against lb's, within tol (of 1) */
static void expect_twins(struct graph *g, double tol)
{
    int w, h, w2, h2;
    float *a = top_pixels(g, "la", &w, &h);
    float *b = top_pixels(g, "lb", &w2, &h2);
    assert_int_equal(w, w2);
    assert_int_equal(h, h2);
    double worst = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h * 4; i++)
        worst = fmax(worst, fabs((double)a[i] - b[i]));
    if (worst > tol)
        fail_msg("folded and unfolded differ by %g", worst);
    free(a);
    free(b);
}

static void cook_frame(struct graph *g, int64_t frame)
{
    graph_begin_frame(g, frame);
    graph_cook(g);
}

static void test_fold_draws_level_in_producers_pass(void **state)
{
    (void)state;
    NEED_GL();
    struct graph *g = fold_twins(
        "OPType = compositeTOP\ninputs = h, v\noperand = add",
        "contrast = 2\nbrightness = -0.1\nopacity = 0.5");
    struct op *pa = graph_find(g, "pa"), *la = graph_find(g, "la");
    struct op *pb = graph_find(g, "pb");
    cook_frame(g, 1);
    assert_ptr_equal(pa->fold_into, la);
    assert_null(pb->fold_into); /* nb reads it too */
    assert_null(pa->top.tex);   /* folded: no image of its own */
    uint64_t cooks = la->cook_count;
    expect_twins(g, 1.01 / 255); /* 8 bits kept once instead of twice */
    int w, h;
    float *before = top_pixels(g, "la", &w, &h);

    /* the level's parameter, then the producer's input, change */
    char err[256];
    assert_int_equal(par_set_double(la, op_par(la, "opacity"), 0.9, err,
                                    sizeof(err)), 0);
    struct op *lb = graph_find(g, "lb");
    assert_int_equal(par_set_double(lb, op_par(lb, "opacity"), 0.9, err,
                                    sizeof(err)), 0);
    cook_frame(g, 2);
    assert_int_equal(la->cook_count, cooks + 1);
    expect_twins(g, 1.01 / 255);
    float *after = top_pixels(g, "la", &w, &h);
    assert_true(after[(8 * 32 + 20) * 4 + 3] > before[(8 * 32 + 20) * 4 + 3]);
    struct op *hr = graph_find(g, "h");
    assert_int_equal(par_set_double(hr, op_par(hr, "color0r"), 0.5, err,
                                    sizeof(err)), 0);
    cook_frame(g, 3);
    assert_int_equal(la->cook_count, cooks + 2);
    expect_twins(g, 1.01 / 255);
    cook_frame(g, 4); /* nothing changed: nothing cooks */
    assert_int_equal(la->cook_count, cooks + 2);
    assert_ptr_equal(pa->fold_into, la);

    /* read from elsewhere, the producer has its own image, for good */
    float *pax = top_pixels(g, "pa", &w, &h);
    float *pbx = top_pixels(g, "pb", &w, &h);
    assert_null(pa->fold_into);
    assert_true(pa->no_fold);
    for (size_t i = 0; i < (size_t)w * (size_t)h * 4; i++)
        assert_near(pax[i], pbx[i], 1e-6);
    g->topology_dirty = true;
    cook_frame(g, 5);
    assert_null(pa->fold_into);
    expect_twins(g, 1e-6);
    free(before);
    free(after);
    free(pax);
    free(pbx);
    graph_destroy(&g);

    /* the level removed: the fold ends with it, and the rest cooks on */
    g = fold_twins("OPType = compositeTOP\ninputs = h, v", "opacity = 0.5");
    cook_frame(g, 1);
    pa = graph_find(g, "pa");
    la = graph_find(g, "la");
    assert_ptr_equal(pa->fold_into, la);
    op_destroy(&la);
    assert_null(pa->fold_into);
    cook_frame(g, 2);
    float *px = top_pixels(g, "pa", &w, &h);
    assert_true(px[(8 * 32 + 20) * 4] > 0.1f);
    free(px);
    graph_destroy(&g);
}

static void test_fold_transform_and_float(void **state)
{
    (void)state;
    NEED_GL();
    /* a transform's zero outside the image, an invert and opacity */
    struct graph *g = fold_twins(
        "OPType = transformTOP\ninputs = h\nrotate = 30\nsx = 0.7",
        "invert = 0.3\nopacity = 0.9");
    cook_frame(g, 1);
    assert_non_null(graph_find(g, "pa")->fold_into);
    expect_twins(g, 1.01 / 255);
    graph_destroy(&g);
    /* the other one-pass TOPs: generators and pointwise filters */
    const char *producers[] = {
        "OPType = noiseTOP\ntype = simplex\nharmon = 2\nperiod = 0.5",
        "OPType = rampTOP\ntype = radial",
        "OPType = hsvadjustTOP\ninputs = h\nhueoffset = 40",
        "OPType = monochromeTOP\ninputs = v",
    };
    for (size_t i = 0; i < ARRAY_LEN(producers); i++) {
        g = fold_twins(producers[i], "contrast = 1.5\ngamma1 = 0.8");
        cook_frame(g, 1);
        assert_non_null(graph_find(g, "pa")->fold_into);
        expect_twins(g, 1.01 / 255);
        graph_destroy(&g);
    }
    /* a float producer keeps what lies above 1, folded too */
    g = fold_twins("OPType = compositeTOP\ninputs = h, v\noperand = add\n"
                   "format = rgba32f",
                   "brightness2 = -0.5\ngamma2 = 2");
    cook_frame(g, 1);
    assert_non_null(graph_find(g, "pa")->fold_into);
    expect_twins(g, 1e-5);
    graph_destroy(&g);
}

/* Where the level cannot be drawn in its input's pass, both draw their
 * own, and the pixels are the same. */
static void test_fold_falls_back(void **state)
{
    (void)state;
    NEED_GL();
    struct {
        const char *producer, *level;
        bool folded_after; /* still linked as a fold afterwards */
    } cases[] = {
        /* another size: not this frame */
        {"OPType = compositeTOP\ninputs = h, v\noperand = multiply",
         "outputresolution = half\ncontrast = 1.5", true},
        /* a mono image holds red alone: not this frame */
        {"OPType = compositeTOP\ninputs = h, v\nformat = r8",
         "brightness1 = 0.2", true},
        /* more than 8 inputs take more than one pass: never again */
        {"OPType = compositeTOP\ninputs = h, v, h, v, h, v, h, v, h, v\n"
         "operand = maximum",
         "gamma1 = 2", false},
    };
    /* an input that keeps its last image (too large a size): the level
     * keeps the image drawn from it */
    size_t saved = test_gpu->mem_budget;
    test_gpu->mem_budget = test_gpu->bytes + (64 << 20);
    struct graph *g = fold_twins("OPType = noiseTOP", "contrast = 1.5");
    cook_frame(g, 1);
    int w, h;
    float *before = top_pixels(g, "la", &w, &h);
    set(g, "pa", "resolutionw", "16384");
    set(g, "pa", "resolutionh", "16384");
    cook_frame(g, 2);
    assert_non_null(graph_find(g, "pa")->error);
    float *after = top_pixels(g, "la", &w, &h);
    for (size_t i = 0; i < (size_t)w * (size_t)h * 4; i++)
        assert_true(after[i] == before[i]);
    free(before);
    free(after);
    graph_destroy(&g);
    test_gpu->mem_budget = saved;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        g = fold_twins(cases[i].producer, cases[i].level);
        cook_frame(g, 1);
        expect_twins(g, 1e-6);
        cook_frame(g, 2);
        expect_twins(g, 1e-6);
        struct op *pa = graph_find(g, "pa");
        assert_int_equal(pa->fold_into != NULL, cases[i].folded_after);
        assert_non_null(pa->top.tex);
        graph_destroy(&g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_exact),
        cmocka_unit_test(test_ramp_monotonic),
        cmocka_unit_test(test_level_maths),
        cmocka_unit_test(test_level_touchdesigner_pages),
        cmocka_unit_test(test_composite_maths),
        cmocka_unit_test(test_composite_many_inputs),
        cmocka_unit_test(test_transform_maths),
        cmocka_unit_test(test_blur_keeps_mean),
        cmocka_unit_test(test_blur_impulse_is_gaussian),
        cmocka_unit_test(test_feedback_accumulates),
        cmocka_unit_test(test_crop_resolution_select_null_hsv),
        cmocka_unit_test(test_output_resolution_modes),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_glsl_uniforms_and_inputs),
        cmocka_unit_test(test_glsl_time_and_warnings),
        cmocka_unit_test(test_glsl_broken_shows_black_and_names_line),
        cmocka_unit_test(test_glsl_from_dat),
        cmocka_unit_test(test_glsl_typo_keeps_last_good_shader),
        cmocka_unit_test(test_switch_cross_monochrome),
        cmocka_unit_test(test_texture3d_ring_step_replace_reset),
        cmocka_unit_test(test_texture3d_beyond_memory_is_an_error),
        cmocka_unit_test(test_gpu_upload_round_trip),
        cmocka_unit_test(test_pool_frees_idle_textures),
        cmocka_unit_test(test_shader_cache_forgets_idle_programs),
        cmocka_unit_test(test_without_gpu_tops_report),
        cmocka_unit_test(test_fold_draws_level_in_producers_pass),
        cmocka_unit_test(test_fold_transform_and_float),
        cmocka_unit_test(test_fold_falls_back),
    };
    return cmocka_run_group_tests(tests, gl_setup, gl_teardown);
}
