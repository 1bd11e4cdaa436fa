/* bench_media: movies and text, each figure next to a limit measured in
 * the same run.
 *
 *   decode      1080p H.264 (software): CPU seconds a frame in vitrine's
 *               decoder, next to `ffmpeg -benchmark -threads 0 -i same
 *               -f null -` (both let FFmpeg pick its threads; target at
 *               most 1.25x)
 *   upload      one 1080p frame's planes (Y, Cb, Cr) through vitrine's
 *               upload, next to glTexSubImage2D of the same bytes from
 *               client memory (target 1.2x)
 *   playback    a 1080p30 movie locked to a 30 fps network for
 *               BENCH_PLAY_SECONDS (60) in real time: frames late or
 *               skipped (target 0)
 *   cue         a preloaded 1080p file switched to: frames between the
 *               cue and its first frame on screen (target 0: the frame of
 *               the cue)
 *   text        a textTOP at 1280x720: a new 100-glyph string each cook,
 *               next to one bare GL pass; unchanged, its cooks over 100
 *               frames (target 0) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../../engine/base/log.h"
#include "../../engine/base/util.h"
#include "../../engine/gpu/gpu.h"
#include "../../engine/graph/graph.h"
#include "../../engine/graph/loader.h"
#include "../../engine/media/media.h"
#include "../../kiosk/headless.h"

static char dir[] = "/tmp/vitrine-benchmedia-XXXXXX";
static char *vitrine;

static double cpu_seconds(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)r.ru_utime.tv_sec + r.ru_utime.tv_usec * 1e-6 +
           (double)r.ru_stime.tv_sec + r.ru_stime.tv_usec * 1e-6;
}

static int sh(const char *cmd)
{
    return system(cmd);
}

/* A command's standard error, whole (NULL when it failed). */
static char *capture(const char *cmd)
{
    char *full = xasprintf("%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    if (!p)
        return NULL;
    struct strbuf sb = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        sb_append(&sb, buf, n);
    int rc = pclose(p);
    if (rc != 0) {
        fprintf(stderr, "bench_media: `%s` failed:\n%s\n", cmd,
                sb.s ? sb.s : "");
        sb_free(&sb);
        return NULL;
    }
    return sb.s ? sb.s : xstrdup("");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* ---- decoding ---- */

static double decode_cpu_per_frame(const char *clip, int frames)
{
    struct media *m = media_open(clip, &(struct media_params){.preread = 8});
    double t0 = cpu_seconds();
    int got = 0;
    for (int i = 0; i < frames; i++)
        got += media_frame_wait(m, i, 10000000000) != NULL;
    double t = cpu_seconds() - t0;
    media_close(&m);
    if (got != frames) {
        fprintf(stderr, "bench_media: decoded %d of %d frames\n", got,
                frames);
        exit(1);
    }
    return t / frames;
}

static double ffmpeg_cpu_per_frame(const char *clip, int frames)
{
    char *cmd = xasprintf("ffmpeg -hide_banner -nostdin -benchmark -threads "
                          "0 -i %s -f null -", clip);
    char *out = capture(cmd);
    free(cmd);
    if (!out)
        exit(1);
    const char *b = strstr(out, "bench: utime=");
    double u = 0, s = 0;
    if (!b || sscanf(b, "bench: utime=%lfs stime=%lfs", &u, &s) != 2) {
        fprintf(stderr, "bench_media: no benchmark line from ffmpeg:\n%s\n",
                out);
        exit(1);
    }
    free(out);
    return (u + s) / frames;
}

/* ---- upload ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define RUNS 7

struct planes {
    struct gpu *gpu;
    struct gpu_tex *t[3];
    const struct media_frame *f;
    uint8_t *tight[3];
};

static void upload_vitrine(struct planes *p)
{
    for (int i = 0; i < 3; i++)
        gpu_upload_rows(p->gpu, p->t[i], p->f->plane[i],
                        (size_t)p->f->stride[i], 1, GL_UNSIGNED_BYTE);
}

static void upload_bare(struct planes *p)
{
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    for (int i = 0; i < 3; i++) {
        glBindTexture(GL_TEXTURE_2D, p->t[i]->id);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, p->t[i]->w, p->t[i]->h,
                        GL_RED, GL_UNSIGNED_BYTE, p->tight[i]);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
}

static double median_ms(void (*fn)(struct planes *), struct planes *p)
{
    double t[RUNS];
    fn(p);
    glFinish();
    for (int r = 0; r < RUNS; r++) {
        int64_t t0 = clock_now_ns();
        for (int i = 0; i < 10; i++)
            fn(p);
        glFinish();
        t[r] = (double)(clock_now_ns() - t0) * 1e-6 / 10;
    }
    qsort(t, RUNS, sizeof(t[0]), cmp_double);
    return t[RUNS / 2];
}

static void bench_upload(struct gpu *gpu, const char *clip)
{
    struct media *m = media_open(clip, NULL);
    struct planes p = {.gpu = gpu, .f = media_frame_wait(m, 0, 10000000000)};
    if (!p.f || p.f->layout != MEDIA_YUV || p.f->bits != 8) {
        fprintf(stderr, "bench_media: the clip's first frame is not 8-bit "
                "YUV\n");
        exit(1);
    }
    size_t bytes = 0;
    for (int i = 0; i < 3; i++) {
        int w = i ? p.f->chroma_w : p.f->width;
        int h = i ? p.f->chroma_h : p.f->height;
        p.t[i] = gpu_tex_acquire(gpu, w, h, GPU_R8);
        p.tight[i] = xmalloc((size_t)w * (size_t)h);
        for (int y = 0; y < h; y++)
            memcpy(p.tight[i] + (size_t)y * (size_t)w,
                   p.f->plane[i] + (size_t)y * (size_t)p.f->stride[i],
                   (size_t)w);
        bytes += (size_t)w * (size_t)h;
    }
    /* the decoder done reading ahead: nothing else runs meanwhile */
    for (int k = 0; k < 1000 && !media_is_full(m); k++)
        usleep(10000);
    double ours = median_ms(upload_vitrine, &p);
    double bare = median_ms(upload_bare, &p);
    double ratio = ours / bare;
    printf("upload of a 1080p frame's planes (%.1f MB): %.3f ms, "
           "glTexSubImage2D of the same bytes %.3f ms = %.2fx (target "
           "1.2x): %s\n", (double)bytes / 1e6, ours, bare, ratio,
           ratio <= 1.2 ? "ok" : "OVER");
    for (int i = 0; i < 3; i++) {
        gpu_tex_release(gpu, &p.t[i]);
        free(p.tight[i]);
    }
    media_close(&m);
}

/* ---- playback and cues, in the real runtime ---- */

/* Runs vitrine headless for frames on a network of this text with this
 * script (s.py) in a folder of its own; returns what it logged. */
static char *run_network(const char *name, const char *ini, const char *py,
                         int frames)
{
    char *net = xasprintf("%s/%s", dir, name);
    char *cmd = xasprintf("mkdir -p %s", net);
    sh(cmd);
    free(cmd);
    char *path = xasprintf("%s/network.ini", net);
    write_file(path, ini);
    free(path);
    path = xasprintf("%s/s.py", net);
    write_file(path, py);
    free(path);
    cmd = xasprintf("%s --headless --frames %d %s", vitrine, frames, net);
    char *out = capture(cmd);
    free(cmd);
    free(net);
    if (!out)
        exit(1);
    return out;
}

static void bench_playback(const char *clip)
{
    int secs = getenv("BENCH_PLAY_SECONDS")
                   ? atoi(getenv("BENCH_PLAY_SECONDS")) : 60;
    if (secs < 1)
        secs = 60;
    char *ini = xasprintf(
        "[network]\noutput = movie\nresolution = 1920x1080\nfps = 30\n"
        "[movie]\nOPType = moviefileinTOP\nfile = %s\n"
        "[s]\nOPType = executeDAT\nfile = s.py\nexit = on\n", clip);
    char *out = run_network("play", ini,
                            "def onExit():\n"
                            "    print('late', op('movie').lateFrames)\n",
                            secs * 30);
    free(ini);
    long long frames = 0, skipped = 0, late = -1;
    double wall = 0;
    const char *s = strstr(out, "stopped after ");
    if (s)
        sscanf(s, "stopped after %lld frames in %lf s (%lld skipped)",
               &frames, &wall, &skipped);
    const char *l = strstr(out, "] late ");
    if (l)
        sscanf(l, "] late %lld", &late);
    if (!s || late < 0) {
        fprintf(stderr, "bench_media: playback said:\n%s\n", out);
        exit(1);
    }
    printf("playback of 1080p30 at 30 fps for %d s: %lld frames in %.1f s, "
           "%lld skipped, %lld movie frames late (target 0): %s\n", secs,
           frames, wall, skipped, late,
           skipped + late == 0 ? "ok" : "OVER");
    free(out);
}

static void bench_cue(const char *a, const char *b)
{
    char *ini = xasprintf(
        "[network]\noutput = movie\nresolution = 1920x1080\nfps = 30\n"
        "[movie]\nOPType = moviefileinTOP\nfile = %s\n"
        "playmode = sequential\n"
        "[s]\nOPType = executeDAT\nfile = s.py\nframestart = on\n"
        "frameend = on\n", a);
    char *py = xasprintf(
        "cued = None\n"
        "def onFrameStart(frame):\n"
        "    global cued\n"
        "    m = op('movie')\n"
        "    if frame == 15: m.preload(file='%s')\n"
        "    if frame == 90:\n"
        "        m.par.file = '%s'\n"
        "        m.par.cuepulse.pulse()\n"
        "        cued = frame\n"
        "def onFrameEnd(frame):\n"
        "    global cued\n"
        "    if cued is not None and not op('movie').fileOpenPending:\n"
        "        print('shown', frame - cued)\n"
        "        cued = None\n", b, b);
    char *out = run_network("cue", ini, py, 120);
    free(py);
    free(ini);
    const char *s = strstr(out, "] shown ");
    int after = -1;
    if (!s || sscanf(s, "] shown %d", &after) != 1) {
        fprintf(stderr, "bench_media: the cue said:\n%s\n", out);
        exit(1);
    }
    printf("first frame of a preloaded 1080p file: %d frames after its cue "
           "(target 0, the same frame): %s\n", after,
           after == 0 ? "ok" : "OVER");
    free(out);
}

/* ---- text ---- */

static struct gpu_tex *bare_target;
static GLuint bare_prog;

static void bench_text(struct gpu *gpu)
{
    char *ini = xasprintf("%s/text.ini", dir);
    write_file(ini, "[network]\noutput = t\nresolution = 1280x720\n"
                    "[t]\nOPType = textTOP\nfontsizex = 32\nwordwrap = on\n"
                    "text = start\n");
    struct load_options opt = {0};
    struct load_report rep = {0};
    struct graph *g = network_load(ini, &opt, &rep);
    load_report_free(&rep);
    if (!g) {
        fprintf(stderr, "bench_media: cannot load the text network\n");
        exit(1);
    }
    g->gpu = gpu;
    struct op *t = graph_find(g, "/project1/t");
    struct par *p = op_par(t, "text");
    int64_t frame = 1;
    graph_begin_frame(g, frame++);
    graph_cook(g);
    /* a new string of 100 glyphs each cook (the glyphs cached after the
     * first rounds, as a running counter or clock reuses them) */
    double times[RUNS];
    for (int r = 0; r < RUNS; r++) {
        int64_t t0 = clock_now_ns();
        for (int i = 0; i < 20; i++) {
            char s[128];
            snprintf(s, sizeof(s), "%-100.100s",
                     "The tide turns at 04:12:37.5; visitors so far 1234567, "
                     "light level 88 percent, wind 12 knots");
            s[0] = (char)('A' + (r * 20 + i) % 26); /* a change each time */
            memcpy(s + 80, "frame ", 6);
            snprintf(s + 86, sizeof(s) - 86, "%08lld      ",
                     (long long)frame);
            s[100] = '\0';
            par_apply_string(t, p, s);
            graph_begin_frame(g, frame++);
            graph_cook(g);
        }
        glFinish();
        times[r] = (double)(clock_now_ns() - t0) * 1e-6 / 20;
    }
    qsort(times, RUNS, sizeof(times[0]), cmp_double);
    double changed = times[RUNS / 2];
    /* the limit: one bare pass at the same size */
    bare_target = gpu_tex_acquire(gpu, 1280, 720, GPU_RGBA8);
    bare_prog = gpu_program_get(gpu,
                                "#version 330 core\nin vec2 vUV;\n"
                                "out vec4 fragColor;\n"
                                "void main() { fragColor = vec4(vUV, 0, 1); }"
                                "\n", NULL);
    int64_t t0 = clock_now_ns();
    for (int i = 0; i < 20; i++) {
        gpu_target(bare_target);
        glUseProgram(bare_prog);
        gpu_draw_fullscreen(gpu);
    }
    glFinish();
    double bare = (double)(clock_now_ns() - t0) * 1e-6 / 20;
    uint64_t before = t->cook_count;
    t0 = clock_now_ns();
    for (int i = 0; i < 100; i++) {
        graph_begin_frame(g, frame++);
        graph_cook(g);
    }
    double unchanged = (double)(clock_now_ns() - t0) * 1e-3 / 100;
    uint64_t cooks = t->cook_count - before;
    printf("textTOP 1280x720, a new 100-glyph string each cook: %.3f ms "
           "(a bare GL pass %.3f ms = %.1fx)\n", changed, bare,
           changed / bare);
    printf("textTOP unchanged: %llu cooks in 100 frames, %.2f us a frame "
           "for the whole graph (target 0 cooks): %s\n",
           (unsigned long long)cooks, unchanged, cooks ? "OVER" : "ok");
    gpu_tex_release(gpu, &bare_target);
    graph_destroy(&g);
    free(ini);
}

int main(int argc, char **argv)
{
    (void)argc;
    log_set_level(LOG_LEVEL_WARN);
    if (sh("ffmpeg -version >/dev/null 2>&1") != 0) {
        printf("bench_media: skipped: no ffmpeg command (make deps)\n");
        return 0;
    }
    if (!mkdtemp(dir)) {
        perror(dir);
        return 1;
    }
    char *here = xstrdup(argv[0]);
    *strrchr(here, '/') = '\0';
    vitrine = xasprintf("%s/../vitrine", here);
    free(here);
    const int frames = 300;
    char *clip = xasprintf("%s/hd.mp4", dir), *other =
        xasprintf("%s/hd2.mp4", dir);
    char *cmd = xasprintf(
        "ffmpeg -v error -y -f lavfi -i testsrc2=s=1920x1080:r=30:d=10 "
        "-c:v libx264 -preset veryfast -bf 2 -g 60 -pix_fmt yuv420p %s && "
        "ffmpeg -v error -y -f lavfi -i mandelbrot=s=1920x1080:r=30 -t 4 "
        "-c:v libx264 -preset veryfast -pix_fmt yuv420p %s", clip, other);
    if (sh(cmd) != 0) {
        fprintf(stderr, "bench_media: cannot make the clips\n");
        return 1;
    }
    free(cmd);
    printf("Media benchmarks (1080p H.264 clips made by ffmpeg; %ld CPUs)\n",
           sysconf(_SC_NPROCESSORS_ONLN));

    double ours = decode_cpu_per_frame(clip, frames);
    double ff = ffmpeg_cpu_per_frame(clip, frames);
    printf("decode 1080p H.264: %.2f ms CPU a frame, ffmpeg -threads 0 "
           "%.2f ms = %.2fx (target 1.25x): %s\n", ours * 1e3, ff * 1e3,
           ours / ff, ours / ff <= 1.25 ? "ok" : "OVER");

    char err[512];
    struct headless *hl = headless_create(err, sizeof(err));
    struct gpu *gpu = hl ? gpu_create(err, sizeof(err)) : NULL;
    if (!gpu) {
        printf("upload and text: skipped: no headless OpenGL 3.3: %s\n", err);
    } else {
        bench_upload(gpu, clip);
        bench_text(gpu);
        gpu_destroy(&gpu);
    }
    headless_destroy(&hl);
    bench_cue(clip, other);
    bench_playback(clip);

    cmd = xasprintf("rm -rf %s", dir);
    sh(cmd);
    free(cmd);
    free(clip);
    free(other);
    free(vitrine);
    return 0;
}
