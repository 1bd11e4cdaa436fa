#include "overlay.h"

#include <epoxy/gl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../control/osc.h"
#include "../engine/base/util.h"
#include "../engine/gpu/gpu.h"
#include "../engine/graph/graph.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

#define HISTORY 240 /* frames in the graph */
#define MAX_QUADS 6000
#define SLOWEST 5

/* stb_easy_font's vertex: position and an RGBA8 colour. */
struct vertex {
    float x, y, z;
    unsigned char rgba[4];
};

struct overlay {
    double interval_ms[HISTORY], cook_ms[HISTORY];
    int next, filled;
    int64_t last_ns;
    struct vertex *verts; /* 4 per quad */
    int nquads;
    GLuint vao, vbo, ibo;
    struct gpu_tex *target;
    char sync[160]; /* overlay_set_sync */
    bool sync_out;
};

static const char vert_src[] =
    "#version 330 core\n"
    "layout(location = 0) in vec2 aPos;\n"
    "layout(location = 1) in vec4 aColor;\n"
    "uniform vec2 uSize;\n"
    "out vec4 vColor;\n"
    "void main() {\n"
    "    vColor = aColor;\n"
    "    vec2 p = aPos / uSize * 2.0 - 1.0;\n"
    "    gl_Position = vec4(p.x, -p.y, 0.0, 1.0);\n" /* y grows downward */
    "}\n";

static const char frag_src[] =
    "#version 330 core\n"
    "in vec4 vColor;\n"
    "out vec4 fragColor;\n"
    "void main() { fragColor = vec4(vColor.rgb * vColor.a, vColor.a); }\n";

struct overlay *overlay_create(void)
{
    struct overlay *o = xcalloc(1, sizeof(*o));
    o->verts = xmalloc(MAX_QUADS * 4 * sizeof(*o->verts));
    return o;
}

void overlay_destroy(struct overlay **po, struct gpu *gpu)
{
    struct overlay *o = *po;
    if (!o)
        return;
    if (o->vao) {
        glDeleteVertexArrays(1, &o->vao);
        glDeleteBuffers(1, &o->vbo);
        glDeleteBuffers(1, &o->ibo);
    }
    if (gpu)
        gpu_tex_release(gpu, &o->target);
    free(o->verts);
    free(o);
    *po = NULL;
}

void overlay_record(struct overlay *o, double cook_ms)
{
    int64_t now = clock_now_ns();
    o->interval_ms[o->next] =
        o->last_ns ? (double)(now - o->last_ns) * 1e-6 : 0;
    o->cook_ms[o->next] = cook_ms;
    o->last_ns = now;
    o->next = (o->next + 1) % HISTORY;
    if (o->filled < HISTORY)
        o->filled++;
}

/* ---- building quads, in overlay pixels (y down) ---- */

static void rect(struct overlay *o, float x, float y, float w, float h,
                 const unsigned char c[4])
{
    if (o->nquads >= MAX_QUADS || w <= 0 || h <= 0)
        return;
    struct vertex *v = &o->verts[o->nquads++ * 4];
    const float xs[4] = {x, x + w, x + w, x}, ys[4] = {y, y, y + h, y + h};
    for (int i = 0; i < 4; i++) {
        v[i] = (struct vertex){xs[i], ys[i], 0, {c[0], c[1], c[2], c[3]}};
    }
}

/* Text at (x, y) scaled by s; returns the height of a line. */
static float text(struct overlay *o, float x, float y, float s,
                  const char *str, const unsigned char c[4])
{
    int room = MAX_QUADS - o->nquads;
    if (room <= 0)
        return 0;
    struct vertex *v = &o->verts[o->nquads * 4];
    unsigned char col[4] = {c[0], c[1], c[2], c[3]};
    int n = stb_easy_font_print(0, 0, (char *)str, col, v,
                                room * 4 * (int)sizeof(*v));
    for (int i = 0; i < n * 4; i++) {
        v[i].x = x + v[i].x * s;
        v[i].y = y + v[i].y * s;
    }
    o->nquads += n;
    return 11 * s;
}

static const unsigned char panel[4] = {0, 0, 0, 170};
static const unsigned char white[4] = {255, 255, 255, 255};
static const unsigned char grey[4] = {170, 170, 170, 255};
static const unsigned char green[4] = {70, 210, 110, 255};
static const unsigned char red[4] = {240, 70, 60, 255};
static const unsigned char blue[4] = {80, 150, 255, 255};
static const unsigned char budget_line[4] = {255, 255, 255, 140};

static int by_cook_time(const void *a, const void *b)
{
    double x = (*(struct op *const *)a)->cook_ms;
    double y = (*(struct op *const *)b)->cook_ms;
    return (x < y) - (x > y);
}

static void build(struct overlay *o, struct graph *g, float s)
{
    o->nquads = 0;
    double budget = 1000.0 / g->time.rate;
    /* averages over the last second */
    int n = o->filled < (int)g->time.rate ? o->filled : (int)g->time.rate;
    double sum_int = 0, sum_cook = 0;
    for (int i = 1; i <= n; i++) {
        int k = (o->next - i + HISTORY) % HISTORY;
        sum_int += o->interval_ms[k];
        sum_cook += o->cook_ms[k];
    }
    double fps = sum_int > 0 ? n * 1000.0 / sum_int : 0;
    struct op *ops[SLOWEST] = {0};
    struct op **all = xmalloc((g->nslots + 1) * sizeof(*all));
    size_t nall = 0;
    for (size_t i = 0; i < g->nslots; i++)
        if (g->slots[i] && g->slots[i]->cook_count)
            all[nall++] = g->slots[i];
    qsort(all, nall, sizeof(*all), by_cook_time);
    int nslow = nall < SLOWEST ? (int)nall : SLOWEST;
    memcpy(ops, all, (size_t)nslow * sizeof(*ops));
    free(all);
    size_t errors = graph_error_count(g);
    struct osc_stats osc;
    osc_stats_all(&osc);
    bool osc_losses = osc.dropped || osc.lost;
    bool late = g->late_frames > 0;
    bool sync = o->sync[0] != '\0';

    float pad = 6 * s, gw = HISTORY * s, gh = 60 * s;
    float x = 8 * s, y = 8 * s, line = 11 * s;
    float w = gw + 2 * pad;
    float h = pad + line * (2 + 1 + nslow + (errors > 0) + osc_losses + late +
                      sync) +
              gh +
              2 * pad;
    rect(o, x, y, w, h, panel);
    float cx = x + pad, cy = y + pad;
    char buf[160];
    snprintf(buf, sizeof(buf), "%.1f fps   frame %.2f ms   cook %.2f ms",
             fps, n ? sum_int / n : 0.0, n ? sum_cook / n : 0.0);
    cy += text(o, cx, cy, s, buf, fps >= 0.95 * g->time.rate ? green : red);
    snprintf(buf, sizeof(buf), "frame %lld   %g fps target   %.1f MB GPU",
             (long long)g->time.frame, g->time.rate,
             g->gpu ? (double)g->gpu->bytes / 1048576.0 : 0.0);
    cy += text(o, cx, cy, s, buf, grey);
    /* the graph: frame interval (green, red over 1.5 budgets) with the
     * cook time in front of it (blue); the line is the budget */
    cy += pad * 0.5f;
    double scale = gh / (2 * budget);
    for (int i = 0; i < o->filled; i++) {
        int k = (o->next - o->filled + i + HISTORY) % HISTORY;
        float bx = cx + (float)(HISTORY - o->filled + i) * s;
        double iv = o->interval_ms[k], ck = o->cook_ms[k];
        float ih = (float)(iv * scale < gh ? iv * scale : gh);
        float ch = (float)(ck * scale < gh ? ck * scale : gh);
        rect(o, bx, cy + gh - ih, s, ih, iv > 1.5 * budget ? red : green);
        rect(o, bx, cy + gh - ch, s, ch, blue);
    }
    rect(o, cx, cy + gh - (float)(budget * scale), gw, s, budget_line);
    cy += gh + pad;
    cy += text(o, cx, cy, s, "slowest ops (cook ms, CPU):", white);
    for (int i = 0; i < nslow; i++) {
        snprintf(buf, sizeof(buf), "%7.3f  %s%s", ops[i]->cook_ms,
                 ops[i]->path, ops[i]->error ? "  (error)" : "");
        cy += text(o, cx, cy, s, buf, ops[i]->error ? red : grey);
    }
    if (errors) {
        snprintf(buf, sizeof(buf), "%zu op%s with errors", errors,
                 errors == 1 ? "" : "s");
        cy += text(o, cx, cy, s, buf, red);
    }
    if (osc_losses) {
        snprintf(buf, sizeof(buf), "OSC: %llu dropped (queue full), %llu "
                 "lost in the kernel", (unsigned long long)osc.dropped,
                 (unsigned long long)osc.lost);
        cy += text(o, cx, cy, s, buf, red);
    }
    if (late) {
        snprintf(buf, sizeof(buf), "movies: %llu frames late (decoding fell "
                 "behind)", (unsigned long long)g->late_frames);
        cy += text(o, cx, cy, s, buf, red);
    }
    if (sync)
        text(o, cx, cy, s, o->sync, o->sync_out ? red : grey);
}

void overlay_set_sync(struct overlay *o, const char *line, bool out)
{
    snprintf(o->sync, sizeof(o->sync), "%s", line ? line : "");
    o->sync_out = out;
}

static void upload(struct overlay *o)
{
    if (!o->vao) {
        glGenVertexArrays(1, &o->vao);
        glGenBuffers(1, &o->vbo);
        glGenBuffers(1, &o->ibo);
        glBindVertexArray(o->vao);
        glBindBuffer(GL_ARRAY_BUFFER, o->vbo);
        glBufferData(GL_ARRAY_BUFFER, MAX_QUADS * 4 * sizeof(struct vertex),
                     NULL, GL_STREAM_DRAW);
        glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(struct vertex),
                              (void *)offsetof(struct vertex, x));
        glVertexAttribPointer(1, 4, GL_UNSIGNED_BYTE, GL_TRUE,
                              sizeof(struct vertex),
                              (void *)offsetof(struct vertex, rgba));
        glEnableVertexAttribArray(0);
        glEnableVertexAttribArray(1);
        /* two triangles per quad */
        GLuint *idx = xmalloc(MAX_QUADS * 6 * sizeof(*idx));
        for (GLuint q = 0; q < MAX_QUADS; q++) {
            const GLuint t[6] = {0, 1, 2, 0, 2, 3};
            for (int i = 0; i < 6; i++)
                idx[q * 6 + (GLuint)i] = q * 4 + t[i];
        }
        glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, o->ibo);
        glBufferData(GL_ELEMENT_ARRAY_BUFFER,
                     MAX_QUADS * 6 * sizeof(*idx), idx, GL_STATIC_DRAW);
        free(idx);
    }
    glBindVertexArray(o->vao);
    glBindBuffer(GL_ARRAY_BUFFER, o->vbo);
    glBufferSubData(GL_ARRAY_BUFFER, 0,
                    (GLsizeiptr)((size_t)o->nquads * 4 * sizeof(struct vertex)),
                    o->verts);
}

const struct gpu_tex *overlay_draw(struct overlay *o, struct gpu *gpu,
                                   struct graph *g,
                                   const struct gpu_tex *out)
{
    if (!out)
        return NULL;
    const char *err = NULL;
    GLuint prog = gpu_program_get_vs(gpu, vert_src, frag_src, &err);
    if (!prog)
        return out; /* cannot happen with a 3.3 context; show the output */
    if (o->target && (o->target->w != out->w || o->target->h != out->h))
        gpu_tex_release(gpu, &o->target);
    if (!o->target)
        o->target = gpu_tex_acquire(gpu, out->w, out->h, GPU_RGBA8);
    gpu_target(o->target);
    gpu_blit(gpu, out);
    /* 1 overlay pixel per output pixel up to 540 lines, then larger */
    float s = (float)(out->h / 540 > 1 ? out->h / 540 : 1);
    build(o, g, s);
    upload(o);
    glUseProgram(prog);
    glUniform2f(glGetUniformLocation(prog, "uSize"), (float)out->w,
                (float)out->h);
    glEnable(GL_BLEND);
    glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDrawElements(GL_TRIANGLES, o->nquads * 6, GL_UNSIGNED_INT, NULL);
    glDisable(GL_BLEND);
    glBindVertexArray(0);
    return o->target;
}
