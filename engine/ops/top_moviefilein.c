/* moviefileinTOP: a movie, a still image or an image sequence, decoded
 * by engine/media on a thread of its own and shown by the network's
 * clock.
 *
 * Position: `playmode` locked (the network's time times the movie's
 * rate, from the trim start), specify (`index` in `indexunit`) or
 * sequential (advancing by `speed` while `play` is on; `cue` holds it at
 * `cuepoint`, `cuepulse` jumps there). Outside the trim range
 * `textendleft`/`textendright` hold, show black (zero), cycle or mirror.
 * `interp` blends the two frames around a position between them.
 *
 * A frame not decoded in time is late: the last one stays, and lateness
 * is counted (the op's info, the graph's total, a log line at most every
 * 10 s); with the network's realtime off the op waits for it instead. A
 * new file keeps the last frame up until its own first frame is there
 * (nothing black in between); one readied with preload() shows in the
 * frame it is switched to. A file that cannot be opened is the op's
 * error, and the last frame stays. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../media/media.h"
#include "top_util.h"
#include "top_moviefilein.glsl.h"
#include "top_moviefilein.py.h"

enum { LOCKED, SPECIFY, SEQUENTIAL };
enum { UNIT_INDICES, UNIT_FRAMES, UNIT_SECONDS, UNIT_FRACTION };
enum { EXT_HOLD, EXT_ZERO, EXT_CYCLE, EXT_MIRROR };

#define READIED 4            /* files preload() keeps open at once */
#define WAIT_NS 10000000000  /* the longest wait for a frame, not realtime */
#define LATE_LOG_S 10

/* A file as it was opened: a hot reload reopens it only when it changed. */
struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

struct clip {
    struct media *media;
    char *path; /* resolved */
    struct file_id id;
    uint64_t gen; /* tells clips apart, for what is shown */
    int64_t last_used; /* frame */
    bool readied;      /* by preload(): kept open when switched away from */
};

struct movie {
    struct top_common common;
    char *file;
    int reload, reloadpulse;
    int playmode, play;
    double speed;
    int cue, cuepulse;
    double cuepoint;
    int cuepointunit;
    double index;
    int indexunit;
    int interp;
    int trim;
    double tstart, tend;
    int tstartunit, tendunit;
    int textendleft, textendright;
    int prereadframes;
    int alwaysloadinitial;
    int hwdecode;
    int overridesample;
    double samplerate;

    /* state */
    struct clip now;             /* the file shown (media NULL: none) */
    struct clip ready[READIED];  /* opened ahead by preload() */
    uint64_t gens;
    char *asked;        /* the `file` value now opened (unresolved) */
    int was_reload;     /* reload's last value, for its rising edge */
    bool pending;       /* opened, nothing of it shown yet */
    bool fresh;         /* a new file: sequential play starts at the cue */
    char *failed;       /* why the file cannot be shown */
    double pos;         /* sequential: the position, in indices */
    int was_cue;
    double shown_pos;   /* what the output holds: position and clip */
    uint64_t shown_gen;
    bool shown_black;
    bool shown_any;     /* a frame of some file was shown once */
    int64_t showing;    /* the index of the frame shown (-1 none) */
    struct gpu_tex *planes[3];
    struct gpu_tex *pair[2]; /* interp: the frames either side */
    int64_t pair_index[2];
    uint64_t pair_gen[2];
    uint64_t late, late_logged;
    double late_log_at;
};

static bool file_id_of(const char *path, struct file_id *id)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        memset(id, 0, sizeof(*id));
        return false;
    }
    *id = (struct file_id){st.st_dev, st.st_ino, st.st_size, st.st_mtim};
    return true;
}

static bool file_id_same(const struct file_id *a, const struct file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void clip_close(struct clip *c)
{
    media_close(&c->media);
    free(c->path);
    memset(c, 0, sizeof(*c));
}

/* A slot for a readied clip: a free one, else the least lately used
 * (closed). */
static struct clip *ready_slot(struct movie *p)
{
    int slot = 0;
    for (int i = 0; i < READIED; i++) {
        if (!p->ready[i].media) {
            slot = i;
            break;
        }
        if (p->ready[i].last_used < p->ready[slot].last_used)
            slot = i;
    }
    clip_close(&p->ready[slot]);
    return &p->ready[slot];
}

/* Opens path (resolved) into c, taking a readied clip of it when there is
 * one that is still the same file. */
static void clip_open(struct movie *p, struct clip *c, const char *path)
{
    struct file_id id;
    file_id_of(path, &id);
    for (int i = 0; i < READIED; i++) {
        struct clip *r = &p->ready[i];
        if (r->media && strcmp(r->path, path) == 0) {
            if (file_id_same(&r->id, &id)) {
                *c = *r;
                memset(r, 0, sizeof(*r));
                return;
            }
            clip_close(r);
        }
    }
    struct media_params mp = {
        .preread = p->prereadframes,
        .fps = p->overridesample ? p->samplerate : 0,
        .hardware = p->hwdecode,
    };
    *c = (struct clip){.media = media_open(path, &mp), .path = xstrdup(path),
                       .id = id, .gen = ++p->gens};
}

/* The movie's rate: its own, or the one the parameters give. */
static double rate_of(const struct movie *p, const struct media_info *in)
{
    if (p->overridesample && p->samplerate > 0)
        return p->samplerate;
    return in->fps > 0 ? in->fps : 30;
}

static double to_indices(double v, int unit, double fps, int64_t len,
                         double net_fps)
{
    switch (unit) {
    case UNIT_FRAMES: return v / net_fps * fps;
    case UNIT_SECONDS: return v * fps;
    case UNIT_FRACTION: return v * (double)len;
    default: return v;
    }
}

/* The first and last index of the range played (the trim range). */
static void range_of(const struct movie *p, double fps, int64_t len,
                     double net_fps, int64_t *first, int64_t *last)
{
    *first = 0;
    *last = len - 1;
    if (!p->trim)
        return;
    double a = to_indices(p->tstart, p->tstartunit, fps, len, net_fps);
    double b = to_indices(p->tend, p->tendunit, fps, len, net_fps);
    int64_t s = (int64_t)floor(a + 1e-6), e = (int64_t)floor(b + 1e-6);
    s = s < 0 ? 0 : s > len - 1 ? len - 1 : s;
    e = e < s ? s : e > len - 1 ? len - 1 : e;
    *first = s;
    *last = e;
}

/* The index shown at whole position i, or -1 for black (zero). */
static int64_t extend(const struct movie *p, int64_t i, int64_t first,
                      int64_t last)
{
    int64_t n = last - first + 1, r = i - first;
    if (r >= 0 && r < n)
        return i;
    int mode = r < 0 ? p->textendleft : p->textendright;
    switch (mode) {
    case EXT_ZERO: return -1;
    case EXT_CYCLE: return first + ((r % n) + n) % n;
    case EXT_MIRROR: {
        int64_t m = ((r % (2 * n)) + 2 * n) % (2 * n);
        return first + (m < n ? m : 2 * n - 1 - m);
    }
    default: return r < 0 ? first : last;
    }
}

/* Where the movie is this frame, in indices (fractional), for a clip of
 * this info. */
static double position(struct movie *p, const struct media_info *in,
                       const struct cook_ctx *ctx, int64_t first)
{
    double fps = rate_of(p, in);
    int64_t len = in->frames > 0 ? in->frames : 1;
    switch (p->playmode) {
    case LOCKED:
        /* (frame - 1) / rate is the network's time: a product first, so
         * that whole frames of the movie come out whole */
        return (double)first +
               (double)(ctx->frame - 1) * fps / ctx->fps + 1e-6;
    case SPECIFY:
        return to_indices(p->index, p->indexunit, fps, len, ctx->fps) + 1e-6;
    default:
        return p->pos;
    }
}

/* Sequential: moves the position on by this frame's time. */
static void advance(struct movie *p, const struct media_info *in,
                    const struct cook_ctx *ctx, bool fresh)
{
    double fps = rate_of(p, in);
    int64_t len = in->frames > 0 ? in->frames : 1, first, last;
    range_of(p, fps, len, ctx->fps, &first, &last);
    double cue = to_indices(p->cuepoint, p->cuepointunit, fps, len,
                            ctx->fps) + 1e-6;
    bool cue_now = p->cuepulse || (p->cue && !p->was_cue);
    p->was_cue = p->cue;
    if (fresh || cue_now || p->cue) {
        p->pos = cue;
        return;
    }
    if (p->play)
        p->pos += p->speed * ctx->dt * fps;
    /* keep it within a period, so that months of play lose no precision */
    double n = (double)(last - first + 1), r = p->pos - (double)first;
    int mode = r < 0 ? p->textendleft : p->textendright;
    if (r >= 0 && r < n)
        return;
    if (mode == EXT_CYCLE)
        p->pos = (double)first + fmod(fmod(r, n) + n, n);
    else if (mode == EXT_MIRROR)
        p->pos = (double)first + fmod(fmod(r, 2 * n) + 2 * n, 2 * n);
    else if (r < 0)
        p->pos = (double)first - (mode == EXT_ZERO ? 1 : 0);
    else
        p->pos = (double)last + (mode == EXT_ZERO ? 1 : 0) + 0.5;
}

static void release_textures(struct op *op, struct movie *p)
{
    struct gpu *gpu = op->graph->gpu;
    for (int i = 0; i < 3; i++)
        if (p->planes[i])
            gpu_tex_release(gpu, &p->planes[i]);
    for (int i = 0; i < 2; i++)
        if (p->pair[i])
            gpu_tex_release(gpu, &p->pair[i]);
}

/* A texture of this size and format in *t, kept while they stay. */
static struct gpu_tex *sized(struct gpu *gpu, struct gpu_tex **t, int w,
                             int h, enum gpu_format f)
{
    if (*t && ((*t)->w != w || (*t)->h != h || (*t)->format != f))
        gpu_tex_release(gpu, t);
    if (!*t)
        *t = gpu_tex_acquire(gpu, w, h, f);
    return *t;
}

/* Uploads the frame's planes and draws it, converted, into out. */
static int draw_frame(struct op *op, struct movie *p,
                      const struct media_frame *f, struct gpu_tex *out)
{
    struct gpu *gpu = op->graph->gpu;
    struct gpu_program *prog = top_program(op, top_moviefilein_glsl,
                                           "moviefileinTOP's shader");
    if (!prog)
        return top_black(op, out);
    bool rgba = f->layout == MEDIA_RGBA, wide = f->bits > 8;
    GLenum type = wide ? GL_UNSIGNED_SHORT : GL_UNSIGNED_BYTE;
    for (int i = 0; i < (rgba ? 1 : 3); i++) {
        int w = i ? f->chroma_w : f->width, h = i ? f->chroma_h : f->height;
        enum gpu_format fmt = rgba ? GPU_RGBA8 : wide ? GPU_R16 : GPU_R8;
        struct gpu_tex *t = sized(gpu, &p->planes[i], w, h, fmt);
        gpu_upload_rows(gpu, t, f->plane[i], (size_t)f->stride[i],
                        rgba ? 4 : 1, type);
    }
    gpu_target(out);
    glUseProgram(prog->id);
    static const char *const names[] = {"uY", "uU", "uV"};
    /* A CPU renderer at the movie's own size reads the texels as they
     * are: filtering three planes costs more there than decoding; on a
     * GPU it is free, and chroma is filtered up. */
    bool exact = gpu->software && out->w == f->width && out->h == f->height;
    for (int i = 0; i < 3; i++) {
        const struct gpu_tex *t = p->planes[rgba ? 0 : i];
        if (exact)
            gpu_bind_exact(gpu, t, i);
        else
            gpu_bind_input(t, i, GL_CLAMP_TO_EDGE);
        top_uniform1i(prog, names[i], i);
    }
    top_uniform1f(prog, "uRGBA", rgba ? 1.0f : 0.0f);
    /* Y' = (Y code - y0) / ys, C' = (C code - c0) / cs; then R = Y' +
     * 2(1 - kr) Cr', B = Y' + 2(1 - kb) Cb', G from Y' = kr R + kg G +
     * kb B: one affine map from texel values to RGB */
    double code = wide ? 65535 : 255, scale = (double)(1 << (f->bits - 8));
    double top = (double)((1 << f->bits) - 1);
    double y0 = f->full_range ? 0 : 16 * scale;
    double ys = f->full_range ? top : 219 * scale;
    double c0 = 128 * scale, cs = f->full_range ? top : 224 * scale;
    double kr = 0.299, kb = 0.114;
    if (f->matrix == MEDIA_BT709)
        kr = 0.2126, kb = 0.0722;
    else if (f->matrix == MEDIA_BT2020)
        kr = 0.2627, kb = 0.0593;
    double kg = 1 - kr - kb;
    const double a[3][3] = { /* rows R, G, B of (Y', Cb', Cr') */
        {1, 0, 2 * (1 - kr)},
        {1, -2 * kb * (1 - kb) / kg, -2 * kr * (1 - kr) / kg},
        {1, 2 * (1 - kb), 0},
    };
    const double d[3] = {code / ys, code / cs, code / cs};
    const double e[3] = {-y0 / ys, -c0 / cs, -c0 / cs};
    float m[9], off[3];
    for (int r = 0; r < 3; r++) {
        double o = 0;
        for (int c = 0; c < 3; c++) {
            /* column-major; RGBA: the identity */
            m[c * 3 + r] = rgba ? (float)(r == c) : (float)(a[r][c] * d[c]);
            o += a[r][c] * e[c];
        }
        off[r] = rgba ? 0.0f : (float)o;
    }
    glUniformMatrix3fv(gpu_uniform(prog, "uM"), 1, GL_FALSE, m);
    glUniform3fv(gpu_uniform(prog, "uOff"), 1, off);
    gpu_draw_fullscreen(gpu);
    return 0;
}

static const struct media_frame *frame_of(struct clip *c, int64_t index,
                                          bool wait)
{
    if (wait)
        return media_frame_wait(c->media, index, WAIT_NS);
    bool far;
    return media_frame_at(c->media, index, &far);
}

/* A frame not there in time: counted; the first is logged at once, the
 * rest summed up at most every LATE_LOG_S seconds of the network's time. */
static void note_late(struct op *op, struct movie *p, int64_t index,
                      double now)
{
    p->late++;
    op->graph->late_frames++;
    if (p->late > 1 && now - p->late_log_at < LATE_LOG_S)
        return;
    if (p->late == 1)
        op_log(op, LOG_LEVEL_WARN, "frame %lld of %s was late (decoding fell "
               "behind); the frame before stayed up", (long long)index,
               p->now.path);
    else
        op_log(op, LOG_LEVEL_WARN, "%llu frames of %s late in the last %d s",
               (unsigned long long)(p->late - p->late_logged), p->now.path,
               LATE_LOG_S);
    p->late_logged = p->late;
    p->late_log_at = now;
}

/* The output black (w, h 0: the network's size): 0, or -1 when it is
 * black already. */
static int show_black(struct op *op, struct movie *p, int w, int h)
{
    struct gpu_tex *out = top_output_size(op, w ? w : op->graph->width,
                                          h ? h : op->graph->height);
    if (!out)
        return -1;
    if (p->shown_black && op->top.tex == out)
        return -1;
    p->shown_black = true;
    p->showing = -1;
    gpu_clear(out, 0, 0, 0, 1);
    return 0;
}

/* Brings the clip to what `file` and `reload` ask for. */
static void follow_file(struct op *op, struct movie *p)
{
    bool reload = p->reloadpulse || (p->reload && !p->was_reload);
    p->was_reload = p->reload;
    if (!reload && p->asked && strcmp(p->asked, p->file) == 0)
        return;
    free(p->asked);
    p->asked = xstrdup(p->file);
    free(p->failed);
    p->failed = NULL;
    if (p->now.media && p->now.readied && !reload) {
        /* a readied file stays ready for the next switch back to it */
        struct clip *r = ready_slot(p);
        *r = p->now;
        r->last_used = op->graph->time.frame;
        memset(&p->now, 0, sizeof(p->now));
    }
    clip_close(&p->now);
    if (!*p->file)
        return;
    char *path = graph_resolve_file(op->graph, p->file);
    if (reload) /* from the file as it is now, not as readied */
        for (int i = 0; i < READIED; i++)
            if (p->ready[i].media && strcmp(p->ready[i].path, path) == 0)
                clip_close(&p->ready[i]);
    clip_open(p, &p->now, path);
    free(path);
    p->pending = true;
    p->fresh = true;
}

/* Readied clips follow the clock as the shown one would, so that the
 * frame a switch to them asks for is decoded. */
static void keep_ready(struct op *op, struct movie *p,
                       const struct cook_ctx *ctx)
{
    for (int i = 0; i < READIED; i++) {
        struct clip *c = &p->ready[i];
        struct media_info in;
        if (!c->media || media_get_info(c->media, &in) != MEDIA_OPEN)
            continue;
        double fps = rate_of(p, &in);
        int64_t len = in.frames > 0 ? in.frames : 1, first, last;
        range_of(p, fps, len, ctx->fps, &first, &last);
        double pos = p->playmode == SEQUENTIAL
                         ? to_indices(p->cuepoint, p->cuepointunit, fps, len,
                                      ctx->fps) + 1e-6
                         : position(p, &in, ctx, first);
        int64_t i0 = extend(p, (int64_t)floor(pos), first, last);
        bool far;
        if (i0 >= 0)
            media_frame_at(c->media, i0, &far);
        (void)op;
    }
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct movie *p = op->priv;
    struct gpu *gpu = top_gpu(op);
    if (!gpu)
        return -1;
    follow_file(op, p);
    keep_ready(op, p, ctx);
    if (!p->now.media)
        return show_black(op, p, 0, 0);
    struct media_info in;
    enum media_state st = media_get_info(p->now.media, &in);
    /* Its first frame ever is waited for (alwaysloadinitial), and every
     * frame when not in real time; otherwise the last frame stays up
     * while a file opens. */
    bool initial = p->alwaysloadinitial && !p->shown_any;
    bool wait = initial || !op->graph->realtime;
    if (st == MEDIA_OPENING) {
        if (!wait)
            return op->top.tex ? -1 : show_black(op, p, 0, 0);
        for (int k = 0; k < WAIT_NS / 5000000 && st == MEDIA_OPENING; k++) {
            usleep(5000);
            st = media_get_info(p->now.media, &in);
        }
        if (st == MEDIA_OPENING)
            return op->top.tex ? -1 : show_black(op, p, 0, 0);
    }
    char msg[512];
    if (st == MEDIA_FAILED) {
        if (media_take_error(p->now.media, msg, sizeof(msg))) {
            free(p->failed);
            p->failed = xstrdup(msg);
        }
        op_set_error(op, "cannot play %s", p->failed ? p->failed : p->file);
        p->pending = false;
        if (!op->top.tex)
            show_black(op, p, 0, 0);
        return -1;
    }
    if (media_take_error(p->now.media, msg, sizeof(msg)))
        op_set_warning(op, "%s: %s", p->now.path, msg);
    p->now.last_used = ctx->frame;
    if (in.width < 1 || in.height < 1 || in.width > 16384 ||
        in.height > 16384) {
        op_set_error(op, "cannot play %s: its pictures are %dx%d",
                     p->now.path, in.width, in.height);
        return -1;
    }

    double fps = rate_of(p, &in);
    int64_t len = in.frames > 0 ? in.frames : 1, first, last;
    range_of(p, fps, len, ctx->fps, &first, &last);
    if (p->playmode == SEQUENTIAL)
        advance(p, &in, ctx, p->fresh);
    p->fresh = false;
    double pos = in.still ? 0 : position(p, &in, ctx, first);
    int64_t whole = (int64_t)floor(pos);
    double t = pos - (double)whole;
    int64_t a = extend(p, whole, first, last);
    int64_t b = p->interp && t > 1e-5 ? extend(p, whole + 1, first, last) : a;
    if (a < 0 && b < 0)
        return show_black(op, p, in.width, in.height);
    if (a < 0 || b < 0) { /* blending with black: the frame there */
        a = b = a < 0 ? b : a;
        t = 0;
    }
    if (b == a)
        t = 0;
    if (!p->shown_black && p->shown_gen == p->now.gen && p->showing == a &&
        p->shown_pos == (t > 0 ? pos : (double)a) && op->top.tex)
        return -1; /* what it shows now */

    struct gpu_tex *out = top_output_size(op, in.width, in.height);
    if (!out)
        return -1;
    int rc = 0;
    if (t <= 0) {
        const struct media_frame *f = frame_of(&p->now, a, wait);
        if (!f) {
            if (!p->pending)
                note_late(op, p, a, ctx->seconds);
            return op->top.tex && p->showing >= 0 ? -1
                   : show_black(op, p, in.width, in.height);
        }
        rc = draw_frame(op, p, f, out);
    } else {
        int64_t want[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            /* a frame already drawn stays: the decoder has let it go */
            int have = -1;
            for (int j = 0; j < 2; j++)
                if (p->pair[j] && p->pair_index[j] == want[k] &&
                    p->pair_gen[j] == p->now.gen)
                    have = j;
            if (have == k)
                continue;
            if (have >= 0) {
                struct gpu_tex *tmp = p->pair[k];
                int64_t ti = p->pair_index[k];
                uint64_t tg = p->pair_gen[k];
                p->pair[k] = p->pair[have];
                p->pair_index[k] = p->pair_index[have];
                p->pair_gen[k] = p->pair_gen[have];
                p->pair[have] = tmp;
                p->pair_index[have] = ti;
                p->pair_gen[have] = tg;
                continue;
            }
            const struct media_frame *f = frame_of(&p->now, want[k], wait);
            if (!f) {
                if (!p->pending)
                    note_late(op, p, want[k], ctx->seconds);
                return op->top.tex && p->showing >= 0 ? -1
                       : show_black(op, p, in.width, in.height);
            }
            enum gpu_format fmt = f->bits > 8 ? GPU_RGBA16F : GPU_RGBA8;
            struct gpu_tex *dst = sized(gpu, &p->pair[k], out->w, out->h,
                                        fmt);
            draw_frame(op, p, f, dst);
            p->pair_index[k] = want[k];
            p->pair_gen[k] = p->now.gen;
        }
        rc = top_mix(op, p->pair[0], p->pair[1], (float)t, out);
    }
    p->pending = false;
    p->shown_any = true;
    p->shown_black = false;
    p->shown_gen = p->now.gen;
    p->showing = a;
    p->shown_pos = t > 0 ? pos : (double)a;
    return rc;
}

static bool is_time_dependent(const struct op *op)
{
    const struct movie *p = op->priv;
    return p->now.media != NULL || p->pending;
}

static int create(struct op *op)
{
    struct movie *p = op->priv;
    p->showing = -1;
    return 0;
}

static void destroy(struct op *op)
{
    struct movie *p = op->priv;
    clip_close(&p->now);
    for (int i = 0; i < READIED; i++)
        clip_close(&p->ready[i]);
    if (op->graph->gpu)
        release_textures(op, p);
    free(p->asked);
    free(p->failed);
}

/* A reload of the network: the same file, unchanged, plays on without
 * reopening; the last frame stays up until the new one's first. */
static void carry(struct op *op, struct op *old)
{
    struct movie *p = op->priv, *o = old->priv;
    if (o->now.media && o->asked && strcmp(o->asked, p->file) == 0) {
        struct file_id id;
        file_id_of(o->now.path, &id);
        if (file_id_same(&id, &o->now.id)) {
            p->now = o->now;
            memset(&o->now, 0, sizeof(o->now));
            p->asked = xstrdup(o->asked);
            p->pos = o->pos;
            p->was_cue = o->was_cue;
            p->was_reload = p->reload;
            p->pending = o->pending;
            p->gens = o->gens;
        }
    }
    for (int i = 0; i < READIED; i++) {
        p->ready[i] = o->ready[i];
        memset(&o->ready[i], 0, sizeof(o->ready[i]));
    }
    if (!op->top.tex && old->top.tex && op->graph->gpu == old->graph->gpu) {
        op->top.tex = old->top.tex;
        old->top.tex = NULL;
    }
}

static size_t info(const struct op *op, struct op_info_item *items,
                   size_t n)
{
    const struct movie *p = op->priv;
    struct media_info in = {0};
    enum media_state st = p->now.media ? media_get_info(p->now.media, &in)
                                       : MEDIA_FAILED;
    bool open = st == MEDIA_OPEN;
    double fps = open ? rate_of(p, &in) : 0;
    struct op_info_item all[] = {
        {"open", open},
        {"file_open_pending", st == MEDIA_OPENING || (open && p->pending)},
        {"num_images", open ? (double)in.frames : 0},
        {"length_exact", open && in.exact},
        {"sample_rate", fps},
        {"length_seconds", open && fps > 0 ? (double)in.frames / fps : 0},
        {"resolution_w", open ? in.width : 0},
        {"resolution_h", open ? in.height : 0},
        {"index", (double)p->showing},
        {"position", p->showing >= 0 ? p->shown_pos : -1},
        {"still", open && in.still},
        {"hardware_decode", open && in.hardware},
        {"late_frames", (double)p->late},
        {"fully_preread", open && media_is_full(p->now.media)},
        {"preloaded", 0},
    };
    int ready = 0;
    for (int i = 0; i < READIED; i++)
        ready += p->ready[i].media != NULL;
    all[ARRAY_LEN(all) - 1].value = ready;
    size_t k = ARRAY_LEN(all) < n ? ARRAY_LEN(all) : n;
    memcpy(items, all, k * sizeof(*items));
    return k;
}

/* preload (text: a file, "" the current one): opens it ahead and has its
 * decoder ready the frame a switch to it will show. unload (text: a file,
 * "" all readied): closes what preload opened. */
static int act(struct op *op, const char *what, const char *text,
               double num, char *err, size_t errlen)
{
    struct movie *p = op->priv;
    (void)num;
    if (strcmp(what, "preload") == 0) {
        const char *file = *text ? text : p->file;
        if (!*file) {
            snprintf(err, errlen, "preload: no file to preload");
            return -1;
        }
        char *path = graph_resolve_file(op->graph, file);
        bool have = p->now.media && strcmp(p->now.path, path) == 0;
        for (int i = 0; !have && i < READIED; i++)
            have = p->ready[i].media && strcmp(p->ready[i].path, path) == 0;
        if (have && p->now.media && strcmp(p->now.path, path) == 0)
            p->now.readied = true;
        if (!have) {
            struct clip *r = ready_slot(p);
            clip_open(p, r, path);
            r->readied = true;
            r->last_used = op->graph->time.frame;
        }
        free(path);
        return 0;
    }
    if (strcmp(what, "unload") == 0) {
        char *path = *text ? graph_resolve_file(op->graph, text) : NULL;
        for (int i = 0; i < READIED; i++)
            if (p->ready[i].media &&
                (!path || strcmp(p->ready[i].path, path) == 0))
                clip_close(&p->ready[i]);
        free(path);
        return 0;
    }
    snprintf(err, errlen, "moviefileinTOP has no action '%s'", what);
    return -1;
}

static const struct par_menu_item playmodes[] = {
    {"locked", "Locked to Timeline"}, {"specify", "Specify Index"},
    {"sequential", "Sequential"}, {0},
};
static const struct par_menu_item units[] = {
    {"indices", "Index"}, {"frames", "Frames"}, {"seconds", "Seconds"},
    {"fraction", "Fraction"}, {0},
};
static const struct par_menu_item extends[] = {
    {"hold", "Hold"}, {"zero", "Zero"}, {"cycle", "Loop"},
    {"mirror", "Mirror"}, {0},
};

static const struct par_def pars[] = {
    TOP_COMMON_PARS(struct movie),
    {.name = "file", .label = "File", PARAM_FILE(struct movie, file)},
    {.name = "reload", .label = "Reload", PARAM_TOGGLE(struct movie, reload)},
    {.name = "reloadpulse", .label = "Reload Pulse",
     PARAM_PULSE(struct movie, reloadpulse)},
    {.name = "playmode", .label = "Play Mode", .menu = playmodes,
     PARAM_MENU(struct movie, playmode)},
    {.name = "play", .label = "Play", .def = {1},
     PARAM_TOGGLE(struct movie, play)},
    {.name = "speed", .label = "Speed", .def = {1}, .norm = {-2, 2},
     PARAM_FLOAT(struct movie, speed)},
    {.name = "cue", .label = "Cue", PARAM_TOGGLE(struct movie, cue)},
    {.name = "cuepulse", .label = "Cue Pulse",
     PARAM_PULSE(struct movie, cuepulse)},
    {.name = "cuepoint", .label = "Cue Point", .norm = {0, 1},
     PARAM_FLOAT(struct movie, cuepoint)},
    {.name = "cuepointunit", .label = "Cue Point Unit", .menu = units,
     .def_str = "fraction", PARAM_MENU(struct movie, cuepointunit)},
    {.name = "index", .label = "Index", .norm = {0, 1},
     PARAM_FLOAT(struct movie, index)},
    {.name = "indexunit", .label = "Index Unit", .menu = units,
     .def_str = "fraction", PARAM_MENU(struct movie, indexunit)},
    {.name = "interp", .label = "Interpolate Frames",
     PARAM_TOGGLE(struct movie, interp)},
    {.name = "trim", .label = "Trim", PARAM_TOGGLE(struct movie, trim)},
    {.name = "tstart", .label = "Trim Start", .norm = {0, 1},
     PARAM_FLOAT(struct movie, tstart)},
    {.name = "tstartunit", .label = "Trim Start Unit", .menu = units,
     .def_str = "fraction", PARAM_MENU(struct movie, tstartunit)},
    {.name = "tend", .label = "Trim End", .def = {1}, .norm = {0, 1},
     PARAM_FLOAT(struct movie, tend)},
    {.name = "tendunit", .label = "Trim End Unit", .menu = units,
     .def_str = "fraction", PARAM_MENU(struct movie, tendunit)},
    {.name = "textendleft", .label = "Extend Left", .menu = extends,
     PARAM_MENU(struct movie, textendleft)},
    {.name = "textendright", .label = "Extend Right", .menu = extends,
     .def_str = "cycle", PARAM_MENU(struct movie, textendright)},
    {.name = "prereadframes", .label = "Pre-Read Frames", .def = {8},
     .norm = {1, 60}, .lim = {1, 600}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct movie, prereadframes)},
    {.name = "alwaysloadinitial", .label = "Always Load Initial Frame",
     .def = {1}, PARAM_TOGGLE(struct movie, alwaysloadinitial)},
    {.name = "hwdecode", .label = "Hardware Decode", .def = {1},
     PARAM_TOGGLE(struct movie, hwdecode)},
    {.name = "overridesample", .label = "Override Sample Rate",
     PARAM_TOGGLE(struct movie, overridesample)},
    {.name = "samplerate", .label = "Sample Rate", .def = {30},
     .norm = {1, 120}, .lim = {0.001, 1000}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct movie, samplerate)},
    {0},
};

const struct op_type op_top_moviefilein = {
    .name = "moviefilein",
    .optype = "moviefileinTOP",
    .label = "Movie File In",
    .about = "a movie, still or image sequence (`file`, FFmpeg) by the "
             "clock: `playmode` locked to the timeline, specify `index` or "
             "sequential (`play`, `speed`, `cue`); `trim`, `textendleft`/"
             "`textendright`, `interp`; decoded ahead on its own thread, "
             "late frames counted, YUV converted on the GPU",
    .family = OP_TOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct movie),
    .create = create,
    .destroy = destroy,
    .carry = carry,
    .cook = cook,
    .is_time_dependent = is_time_dependent,
    .info = info,
    .act = act,
    OP_PYTHON(top_moviefilein),
};
