/* media.c: FFmpeg decoding on a thread of its own (see media.h).
 *
 * The decoder thread fills a FIFO of frames in decode order; the main
 * thread looks for the index it wants there, lets go of the frames before
 * it and, when the index is neither queued nor coming (within `preread`
 * of the decoder's next frame), asks for a seek. Frames in formats the
 * GPU path does not take (anything but planar YUV and RGBA) are converted
 * to RGBA by swscale on the decoder thread, never on the frame loop. */
#include "media.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/hwcontext.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/lazylib.h"
#include "../base/log.h"
#include "../base/util.h"

/* FFmpeg is loaded when the first media is opened, not at start: its
 * libraries bring a hundred more with them, and their loading was the
 * largest part of the time to a kiosk's first frame for a network
 * without movies. The versions are those of the headers built against. */
enum { AVUTIL, SWSCALE, AVCODEC, AVFORMAT, FF_LIBS };
#define FF_FUNCS(X) \
    X(AVUTIL, av_buffer_unref) \
    X(AVUTIL, av_dict_free) \
    X(AVUTIL, av_dict_set) \
    X(AVUTIL, av_frame_alloc) \
    X(AVUTIL, av_frame_copy_props) \
    X(AVUTIL, av_frame_free) \
    X(AVUTIL, av_frame_get_buffer) \
    X(AVUTIL, av_hwdevice_ctx_create) \
    X(AVUTIL, av_hwdevice_get_type_name) \
    X(AVUTIL, av_hwframe_transfer_data) \
    X(AVUTIL, av_log_format_line) \
    X(AVUTIL, av_log_set_callback) \
    X(AVUTIL, av_pix_fmt_desc_get) \
    X(AVUTIL, av_strerror) \
    X(AVCODEC, av_codec_is_decoder) \
    X(AVCODEC, av_codec_iterate) \
    X(AVCODEC, av_packet_alloc) \
    X(AVCODEC, av_packet_free) \
    X(AVCODEC, av_packet_unref) \
    X(AVCODEC, avcodec_alloc_context3) \
    X(AVCODEC, avcodec_flush_buffers) \
    X(AVCODEC, avcodec_free_context) \
    X(AVCODEC, avcodec_get_hw_config) \
    X(AVCODEC, avcodec_open2) \
    X(AVCODEC, avcodec_parameters_to_context) \
    X(AVCODEC, avcodec_receive_frame) \
    X(AVCODEC, avcodec_send_packet) \
    X(AVFORMAT, av_find_best_stream) \
    X(AVFORMAT, av_find_input_format) \
    X(AVFORMAT, av_read_frame) \
    X(AVFORMAT, avformat_close_input) \
    X(AVFORMAT, avformat_find_stream_info) \
    X(AVFORMAT, avformat_open_input) \
    X(AVFORMAT, avformat_seek_file) \
    X(SWSCALE, sws_freeContext) \
    X(SWSCALE, sws_getCachedContext) \
    X(SWSCALE, sws_getCoefficients) \
    X(SWSCALE, sws_scale) \
    X(SWSCALE, sws_setColorspaceDetails)

static struct {
#define X(lib, f) __typeof__(f) *f;
    FF_FUNCS(X)
#undef X
} ff;

static const struct lazylib_sym ff_syms[] = {
#define X(lib, f) {lib, #f, (void **)&ff.f},
    FF_FUNCS(X)
#undef X
};

#define FF_SONAME(lib, major) "lib" lib ".so." STR(major)
#define STR(x) STR_(x)
#define STR_(x) #x
static const char *const ff_sonames[FF_LIBS] = {
    [AVUTIL] = FF_SONAME("avutil", LIBAVUTIL_VERSION_MAJOR),
    [SWSCALE] = FF_SONAME("swscale", LIBSWSCALE_VERSION_MAJOR),
    [AVCODEC] = FF_SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR),
    [AVFORMAT] = FF_SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR),
};

static struct lazylib ff_lib = LAZYLIB("FFmpeg", ff_sonames, ff_syms);

static void av_log_line(void *avcl, int level, const char *fmt, va_list vl);

/* Once, on the first media's decoder thread (loading a hundred
 * libraries takes tens of ms, which the frame loop does not wait for):
 * FFmpeg, told where to log. */
static pthread_once_t ff_once = PTHREAD_ONCE_INIT;
static void ff_load(void)
{
    if (lazylib_load(&ff_lib))
        ff.av_log_set_callback(av_log_line);
}

/* FFmpeg is there: frames and decoders exist only then. */
static bool ff_ok(void) { return lazylib_loaded(&ff_lib); }

struct slot {
    AVFrame *frame;
    struct media_frame mf;
};

struct media {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    struct SwsContext *sws;
    int stream;
    double tb, fps; /* seconds per pts tick; frames a second */
    enum AVPixelFormat hw_format; /* the hardware decoder's frames, or NONE */
    const char *hw_name;          /* "vaapi", "cuda"; NULL: software */
    int64_t start_pts;
    bool draining;
    int64_t counted; /* frames decoded since the last seek without pts */

    char *path;
    struct media_params params;
    enum media_state state;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;    /* wakes the decoder */
    pthread_cond_t ready; /* a frame queued, or the state changed */
    bool stop;
    struct slot *ring;
    int cap, head, count;
    int64_t seek_to;  /* -1: none asked */
    int64_t skip_below; /* frames before this index are dropped */
    int64_t next;     /* the index the decoder comes to next */
    int64_t frames;   /* the length as known (see media_info) */
    bool exact;       /* frames was counted to the end */
    int64_t last;     /* the highest index decoded */
    char error[256];
    bool has_error;

    struct slot held; /* handed to the main thread */
    struct media_info info;
};

static void slot_free(struct slot *s)
{
    if (ff_ok()) /* without FFmpeg there are no frames */
        ff.av_frame_free(&s->frame);
    memset(s, 0, sizeof(*s));
}

static void set_error(struct media *m, const char *what, int rc)
{
    char e[AV_ERROR_MAX_STRING_SIZE] = "";
    ff.av_strerror(rc, e, sizeof(e));
    if (!m->has_error)
        snprintf(m->error, sizeof(m->error), "%s: %s", what, e);
    m->has_error = true;
}

static bool planar_yuv(const AVPixFmtDescriptor *d)
{
    return d && !(d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL |
                              AV_PIX_FMT_FLAG_BE)) &&
           (d->flags & AV_PIX_FMT_FLAG_PLANAR) && d->nb_components == 3 &&
           d->comp[0].plane == 0 && d->comp[1].plane == 1 &&
           d->comp[2].plane == 2 && d->comp[0].depth <= 16;
}

/* Describes f (converting it to RGBA when the GPU path does not take its
 * format) into s; false when it cannot be. */
static bool describe(struct media *m, AVFrame *f, struct slot *s)
{
    const AVPixFmtDescriptor *d = ff.av_pix_fmt_desc_get(f->format);
    struct media_frame *mf = &s->mf;
    mf->width = f->width;
    mf->height = f->height;
    if (planar_yuv(d)) {
        mf->layout = MEDIA_YUV;
        mf->bits = d->comp[0].depth;
        mf->chroma_w = AV_CEIL_RSHIFT(f->width, d->log2_chroma_w);
        mf->chroma_h = AV_CEIL_RSHIFT(f->height, d->log2_chroma_h);
        for (int i = 0; i < 3; i++) {
            mf->plane[i] = f->data[i];
            mf->stride[i] = f->linesize[i];
        }
        switch (f->colorspace) {
        case AVCOL_SPC_BT709: mf->matrix = MEDIA_BT709; break;
        case AVCOL_SPC_BT470BG:
        case AVCOL_SPC_SMPTE170M: mf->matrix = MEDIA_BT601; break;
        case AVCOL_SPC_BT2020_NCL:
        case AVCOL_SPC_BT2020_CL: mf->matrix = MEDIA_BT2020; break;
        default:
            mf->matrix = f->height >= 720 ? MEDIA_BT709 : MEDIA_BT601;
        }
        mf->full_range = f->color_range == AVCOL_RANGE_JPEG ||
                         f->format == AV_PIX_FMT_YUVJ420P ||
                         f->format == AV_PIX_FMT_YUVJ422P ||
                         f->format == AV_PIX_FMT_YUVJ444P;
        s->frame = f;
        return true;
    }
    if (d && !(d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) &&
        d->nb_components >= 3 && (d->flags & AV_PIX_FMT_FLAG_PLANAR)) {
        /* semi-planar YUV (NV12, P010: what hardware decoders give):
         * its chroma split into two planes here, on the decoder thread,
         * so that the GPU path takes it; no colour is converted */
        enum AVPixelFormat to =
            d->comp[0].depth > 8
                ? (d->log2_chroma_h ? AV_PIX_FMT_YUV420P16LE
                   : d->log2_chroma_w ? AV_PIX_FMT_YUV422P16LE
                                      : AV_PIX_FMT_YUV444P16LE)
                : (d->log2_chroma_h ? AV_PIX_FMT_YUV420P
                   : d->log2_chroma_w ? AV_PIX_FMT_YUV422P
                                      : AV_PIX_FMT_YUV444P);
        AVFrame *pl = ff.av_frame_alloc();
        pl->format = to;
        pl->width = f->width;
        pl->height = f->height;
        m->sws = ff.sws_getCachedContext(m->sws, f->width, f->height, f->format,
                                      f->width, f->height, to, SWS_POINT,
                                      NULL, NULL, NULL);
        if (!m->sws || ff.av_frame_get_buffer(pl, 0) < 0) {
            ff.av_frame_free(&pl);
            ff.av_frame_free(&f);
            return false;
        }
        /* the same samples: no range or matrix change in between */
        const int *coef = ff.sws_getCoefficients(SWS_CS_DEFAULT);
        ff.sws_setColorspaceDetails(m->sws, coef, 1, coef, 1, 0, 1 << 16,
                                 1 << 16);
        ff.sws_scale(m->sws, (const uint8_t *const *)f->data, f->linesize, 0,
                  f->height, pl->data, pl->linesize);
        ff.av_frame_copy_props(pl, f);
        ff.av_frame_free(&f);
        return describe(m, pl, s);
    }
    AVFrame *rgba = f;
    if (f->format != AV_PIX_FMT_RGBA) {
        rgba = ff.av_frame_alloc();
        rgba->format = AV_PIX_FMT_RGBA;
        rgba->width = f->width;
        rgba->height = f->height;
        m->sws = ff.sws_getCachedContext(m->sws, f->width, f->height, f->format,
                                      f->width, f->height, AV_PIX_FMT_RGBA,
                                      SWS_POINT, NULL, NULL, NULL);
        if (!m->sws || ff.av_frame_get_buffer(rgba, 0) < 0) {
            ff.av_frame_free(&rgba);
            ff.av_frame_free(&f);
            return false;
        }
        ff.sws_scale(m->sws, (const uint8_t *const *)f->data, f->linesize, 0,
                  f->height, rgba->data, rgba->linesize);
        ff.av_frame_free(&f);
    }
    mf->layout = MEDIA_RGBA;
    mf->bits = 8;
    mf->plane[0] = rgba->data[0];
    mf->stride[0] = rgba->linesize[0];
    s->frame = rgba;
    return true;
}

static void seek(struct media *m, int64_t index)
{
    int64_t ts = m->start_pts;
    if (index > 0 && m->fps > 0)
        ts += (int64_t)llround((double)index / m->fps / m->tb);
    ff.avformat_seek_file(m->fmt, m->stream, INT64_MIN, ts, ts, 0);
    ff.avcodec_flush_buffers(m->dec);
    m->draining = false;
    m->counted = -1;
}

/* The next decoded frame with its index, NULL at the end (or on an
 * error, recorded). Decoder thread, without the lock. */
static AVFrame *decode_next(struct media *m, int64_t *index)
{
    AVFrame *f = ff.av_frame_alloc();
    for (;;) {
        int rc = ff.avcodec_receive_frame(m->dec, f);
        if (rc == 0 && f->format == m->hw_format &&
            m->hw_format != AV_PIX_FMT_NONE) {
            /* a frame in the decoder's memory: into ours (NV12, P010) */
            AVFrame *sw = ff.av_frame_alloc();
            rc = ff.av_hwframe_transfer_data(sw, f, 0);
            if (rc >= 0)
                rc = ff.av_frame_copy_props(sw, f);
            ff.av_frame_free(&f);
            f = sw;
            if (rc < 0) {
                set_error(m, "copying a hardware-decoded frame failed", rc);
                ff.av_frame_free(&f);
                return NULL;
            }
        }
        if (rc == 0) {
            int64_t pts = f->best_effort_timestamp;
            if (pts == AV_NOPTS_VALUE || m->fps <= 0) {
                *index = ++m->counted;
            } else {
                *index = llround((double)(pts - m->start_pts) * m->tb *
                                 m->fps);
                m->counted = *index;
            }
            return f;
        }
        if (rc == AVERROR_EOF || m->draining) {
            ff.av_frame_free(&f);
            return NULL;
        }
        if (rc != AVERROR(EAGAIN)) {
            set_error(m, "decoding failed", rc);
            ff.av_frame_free(&f);
            return NULL;
        }
        rc = ff.av_read_frame(m->fmt, m->pkt);
        if (rc < 0) {
            if (rc != AVERROR_EOF)
                set_error(m, "reading failed", rc);
            ff.avcodec_send_packet(m->dec, NULL);
            m->draining = true;
            continue;
        }
        if (m->pkt->stream_index == m->stream) {
            rc = ff.avcodec_send_packet(m->dec, m->pkt);
            if (rc < 0 && rc != AVERROR(EAGAIN))
                set_error(m, "a damaged packet", rc);
        }
        ff.av_packet_unref(m->pkt);
    }
}

static void ring_clear(struct media *m)
{
    for (; m->count > 0; m->count--) {
        slot_free(&m->ring[m->head]);
        m->head = (m->head + 1) % m->cap;
    }
}

static bool open_file(struct media *m);

static void *run(void *arg)
{
    struct media *m = arg;
    pthread_once(&ff_once, ff_load);
    bool opened = open_file(m);
    pthread_mutex_lock(&m->mu);
    m->state = opened ? MEDIA_OPEN : MEDIA_FAILED;
    pthread_cond_broadcast(&m->ready);
    while (opened && !m->stop) {
        if (m->seek_to >= 0) {
            int64_t to = m->seek_to;
            m->seek_to = -1;
            ring_clear(m);
            m->skip_below = to;
            m->next = to;
            pthread_mutex_unlock(&m->mu);
            seek(m, to);
            pthread_mutex_lock(&m->mu);
            continue;
        }
        if (m->count == m->cap || (m->frames == 1 && m->count == 1)) {
            pthread_cond_wait(&m->cv, &m->mu);
            continue;
        }
        pthread_mutex_unlock(&m->mu);
        int64_t index = 0;
        AVFrame *f = decode_next(m, &index);
        struct slot s = {0};
        bool ok = f && describe(m, f, &s);
        pthread_mutex_lock(&m->mu);
        if (m->stop) { /* closed while decoding: its wake-up is past */
            if (ok)
                slot_free(&s);
            break;
        }
        if (!f && !m->has_error && m->last >= 0 &&
            m->skip_below <= m->last) {
            m->frames = m->last + 1; /* the end: its length is known */
            m->exact = true;
        }
        pthread_cond_broadcast(&m->ready);
        if (m->seek_to >= 0) {
            if (ok)
                slot_free(&s);
            continue;
        }
        if (!f) { /* go on from the start */
            if (m->frames <= 1 || m->has_error) {
                pthread_cond_wait(&m->cv, &m->mu);
                continue;
            }
            /* from the start again, keeping what is queued (the last
             * frames, not shown yet) */
            pthread_mutex_unlock(&m->mu);
            seek(m, 0);
            pthread_mutex_lock(&m->mu);
            m->skip_below = 0;
            m->next = 0;
            continue;
        }
        if (!ok || index < m->skip_below) {
            if (ok)
                slot_free(&s);
            continue;
        }
        s.mf.index = index;
        if (index > m->last)
            m->last = index;
        m->next = index + 1;
        m->ring[(m->head + m->count) % m->cap] = s;
        m->count++;
        pthread_cond_broadcast(&m->ready);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* FFmpeg's own messages into the runtime's log (errors only: its
 * warnings about a file are many and repeat every frame). */
static void av_log_line(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_ERROR)
        return;
    char line[512];
    int prefix = 1;
    ff.av_log_format_line(avcl, level, fmt, vl, line, sizeof(line), &prefix);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n)
        log_msg(LOG_LEVEL_WARN, "[ffmpeg]", "%s", line);
}

/* A folder of images is the sequence of those of its most common image
 * type, in name order: a glob pattern for FFmpeg's image2 reader, newly
 * allocated; NULL when it holds no image. */
static char *folder_pattern(const char *dir)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "tif", "tiff",
                                       "exr", "bmp", "tga", "dpx", "webp"};
    size_t counts[ARRAY_LEN(exts)] = {0};
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    for (struct dirent *e; (e = readdir(d));) {
        const char *dot = strrchr(e->d_name, '.');
        for (size_t i = 0; dot && i < ARRAY_LEN(exts); i++)
            if (str_ieq(dot + 1, exts[i]))
                counts[i]++;
    }
    closedir(d);
    size_t best = 0;
    for (size_t i = 1; i < ARRAY_LEN(exts); i++)
        if (counts[i] > counts[best])
            best = i;
    if (!counts[best])
        return NULL;
    struct strbuf sb = {0};
    sb_printf(&sb, "%s/*.%s", dir, exts[best]);
    return sb.s;
}

/* FFmpeg asks which of the formats it can give to take: the hardware
 * one when it is offered, else the first software one. Asked again
 * without it when the hardware decoder refused the stream (too small, a
 * profile it lacks): software from then on, said once. Decoder thread or
 * one of FFmpeg's, without the lock. */
static enum AVPixelFormat pick_format(AVCodecContext *dec,
                                      const enum AVPixelFormat *offered)
{
    struct media *m = dec->opaque;
    const enum AVPixelFormat *p;
    for (p = offered; *p != AV_PIX_FMT_NONE; p++)
        if (*p == m->hw_format && m->hw_name)
            return *p;
    if (m->hw_name) {
        log_msg(LOG_LEVEL_WARN, "[media]", "%s: the hardware decoder (%s) "
                "cannot decode it (FFmpeg says why above); decoding in "
                "software", m->path, m->hw_name);
        pthread_mutex_lock(&m->mu);
        m->hw_name = NULL;
        m->info.hardware = NULL;
        pthread_mutex_unlock(&m->mu);
    }
    for (p = offered; *p != AV_PIX_FMT_NONE; p++) {
        const AVPixFmtDescriptor *d = ff.av_pix_fmt_desc_get(*p);
        if (d && !(d->flags & AV_PIX_FMT_FLAG_HWACCEL))
            return *p;
    }
    return AV_PIX_FMT_NONE;
}

/* The decoders of first's codec after first, in FFmpeg's order; *it
 * starts NULL. */
static const AVCodec *other_decoder(const AVCodec *first, void **it)
{
    for (const AVCodec *c; (c = ff.av_codec_iterate(it));)
        if (c != first && c->id == first->id && ff.av_codec_is_decoder(c))
            return c;
    return NULL;
}

/* A hardware decoder for the stream where the machine has one (VA-API for
 * Intel and AMD, then NVIDIA's through CUDA), chosen now: the first of
 * the codec's decoders, FFmpeg's choice first (AV1's own decoder where
 * libdav1d, the software one, has no hardware), with a configuration for
 * a device that opens here. NULL leaves software decoding, which is
 * always there; else *dev is the device, m->hw_format and m->hw_name
 * say which. */
static const AVCodec *hardware_decoder(struct media *m, const AVCodec *first,
                                       AVBufferRef **dev)
{
    static const enum AVHWDeviceType order[] = {AV_HWDEVICE_TYPE_VAAPI,
                                                AV_HWDEVICE_TYPE_CUDA};
    for (size_t k = 0; k < ARRAY_LEN(order); k++) {
        void *it = NULL;
        for (const AVCodec *c = first; c; c = other_decoder(first, &it)) {
            const AVCodecHWConfig *hc = NULL;
            for (int i = 0; (hc = ff.avcodec_get_hw_config(c, i)); i++)
                if (hc->device_type == order[k] &&
                    (hc->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX))
                    break;
            if (!hc)
                continue;
            if (ff.av_hwdevice_ctx_create(dev, order[k], NULL, NULL, 0) < 0)
                break; /* no such device here */
            m->hw_format = hc->pix_fmt;
            m->hw_name = ff.av_hwdevice_get_type_name(order[k]);
            return c;
        }
    }
    return NULL;
}

/* m->dec for the stream: codec, on the device dev (taken) unless NULL. */
static int open_decoder(struct media *m, const AVCodec *codec,
                        AVBufferRef *dev)
{
    ff.avcodec_free_context(&m->dec);
    m->dec = ff.avcodec_alloc_context3(codec);
    int rc = m->dec ? ff.avcodec_parameters_to_context(
                          m->dec, m->fmt->streams[m->stream]->codecpar)
                    : AVERROR(ENOMEM);
    if (rc < 0) {
        ff.av_buffer_unref(&dev);
        return rc;
    }
    m->dec->thread_count = 0; /* as many as the codec likes */
    m->dec->opaque = m;
    m->dec->get_format = pick_format;
    m->dec->hw_device_ctx = dev;
    return ff.avcodec_open2(m->dec, codec, NULL);
}

/* A decoder that decodes only on hardware (AV1's own) standing in for the
 * software one: whether it gives the first frame. The file is at its
 * start again after, and any error it had is forgotten. */
static bool stand_in_decodes(struct media *m)
{
    int64_t index;
    AVFrame *f = decode_next(m, &index);
    bool ok = f && m->hw_name;
    ff.av_frame_free(&f);
    m->has_error = false;
    m->error[0] = '\0';
    seek(m, 0);
    return ok;
}

static bool open_failed(struct media *m, int rc)
{
    char e[AV_ERROR_MAX_STRING_SIZE] = "";
    ff.av_strerror(rc, e, sizeof(e));
    snprintf(m->error, sizeof(m->error), "%s: %s", m->path, e);
    m->has_error = true;
    return false;
}

/* Opens the file and its decoder; false with the reason in m->error.
 * Decoder thread, before anything else. */
static bool open_file(struct media *m)
{
    if (!ff_ok()) {
        size_t n = strlen(ff_lib.error) + 1;
        memcpy(m->error, ff_lib.error,
               n < sizeof(m->error) ? n : sizeof(m->error));
        m->error[sizeof(m->error) - 1] = '\0';
        m->has_error = true;
        return false;
    }
    char fps[32];
    snprintf(fps, sizeof(fps), "%g",
             m->params.fps > 0 ? m->params.fps : 30.0);
    AVDictionary *opts = NULL;
    ff.av_dict_set(&opts, "framerate", fps, 0); /* image sequences */
    const AVInputFormat *as = NULL;
    char *glob = NULL;
    struct stat fst;
    if (stat(m->path, &fst) == 0 && S_ISDIR(fst.st_mode)) {
        glob = folder_pattern(m->path);
        if (!glob) {
            snprintf(m->error, sizeof(m->error), "%s: a folder without "
                     "images (png, jpg, tif, exr, bmp, tga, dpx, webp)",
                     m->path);
            m->has_error = true;
            ff.av_dict_free(&opts);
            return false;
        }
        ff.av_dict_set(&opts, "pattern_type", "glob", 0);
        as = ff.av_find_input_format("image2");
    }
    int rc = ff.avformat_open_input(&m->fmt, glob ? glob : m->path, as, &opts);
    free(glob);
    ff.av_dict_free(&opts);
    const AVCodec *codec = NULL;
    if (rc >= 0)
        rc = ff.avformat_find_stream_info(m->fmt, NULL);
    if (rc >= 0)
        rc = ff.av_find_best_stream(m->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec,
                                 0);
    m->hw_format = AV_PIX_FMT_NONE;
    const AVCodec *software = NULL; /* where a hardware decoder stands in */
    if (rc >= 0) {
        m->stream = rc;
        AVBufferRef *dev = NULL;
        const AVCodec *hw = m->params.hardware
                                ? hardware_decoder(m, codec, &dev)
                                : NULL;
        if (m->params.hardware && !hw)
            log_msg(LOG_LEVEL_INFO, "[media]", "%s: no hardware decoder for "
                    "%s on this machine (VA-API, CUDA); decoding in "
                    "software", m->path, codec->name);
        if (hw && hw != codec) {
            software = codec;
            codec = hw;
        }
        rc = open_decoder(m, codec, dev);
    }
    if (rc < 0)
        return open_failed(m, rc);
    AVStream *st = m->fmt->streams[m->stream];
    m->tb = av_q2d(st->time_base);
    AVRational r = st->avg_frame_rate.num ? st->avg_frame_rate
                                          : st->r_frame_rate;
    m->fps = r.num && r.den ? av_q2d(r) : 0;
    m->start_pts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    m->pkt = ff.av_packet_alloc();
    /* the container's count, else its duration, until the end of the
     * file confirms it */
    double secs = st->duration != AV_NOPTS_VALUE && st->duration > 0
                      ? (double)st->duration * m->tb
                  : m->fmt->duration > 0
                      ? (double)m->fmt->duration / AV_TIME_BASE
                      : 0;
    m->frames = st->nb_frames > 0         ? st->nb_frames
                : secs > 0 && m->fps > 0 ? llround(secs * m->fps)
                                          : -1;
    if (software && !stand_in_decodes(m)) {
        if (m->hw_name)
            log_msg(LOG_LEVEL_WARN, "[media]", "%s: the hardware decoder "
                    "(%s) failed on the first frame; decoding in software",
                    m->path, m->hw_name);
        m->hw_name = NULL;
        m->hw_format = AV_PIX_FMT_NONE;
        codec = software;
        rc = open_decoder(m, codec, NULL);
        if (rc < 0)
            return open_failed(m, rc);
    }
    m->info = (struct media_info){
        .width = m->dec->width, .height = m->dec->height, .fps = m->fps,
        .frames = -1, .codec = codec->name, .hardware = m->hw_name,
    };
    return true;
}

struct media *media_open(const char *path, const struct media_params *p)
{
    struct media *m = xcalloc(1, sizeof(*m));
    m->path = xstrdup(path);
    if (p)
        m->params = *p;
    m->cap = m->params.preread > 0 ? m->params.preread : 8;
    m->ring = xcalloc((size_t)m->cap, sizeof(*m->ring));
    m->seek_to = -1;
    m->frames = -1;
    m->last = -1;
    m->counted = -1;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->ready, &ca);
    pthread_condattr_destroy(&ca);
    pthread_create(&m->thread, NULL, run, m);
    return m;
}

void media_close(struct media **pm)
{
    struct media *m = *pm;
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    ring_clear(m);
    slot_free(&m->held);
    free(m->ring);
    if (ff_ok()) {
        ff.sws_freeContext(m->sws);
        ff.av_packet_free(&m->pkt);
        ff.avcodec_free_context(&m->dec);
        ff.avformat_close_input(&m->fmt);
    }
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    pthread_cond_destroy(&m->ready);
    free(m->path);
    free(m);
    *pm = NULL;
}

enum media_state media_get_info(struct media *m, struct media_info *out)
{
    pthread_mutex_lock(&m->mu);
    enum media_state st = m->state;
    *out = m->info;
    out->frames = m->frames;
    out->exact = m->exact;
    out->still = m->frames == 1;
    pthread_mutex_unlock(&m->mu);
    return st;
}

bool media_is_full(struct media *m)
{
    pthread_mutex_lock(&m->mu);
    bool full = m->state == MEDIA_OPEN &&
                (m->count == m->cap || (m->frames == 1 && m->count == 1) ||
                 (m->exact && m->count + 1 >= m->frames));
    pthread_mutex_unlock(&m->mu);
    return full;
}

const struct media_frame *media_frame_wait(struct media *m, int64_t index,
                                           int64_t timeout_ns)
{
    int64_t until = clock_now_ns() + timeout_ns;
    for (;;) {
        bool far;
        const struct media_frame *f = media_frame_at(m, index, &far);
        if (f)
            return f;
        pthread_mutex_lock(&m->mu);
        bool never = m->state == MEDIA_FAILED ||
                     (m->exact && index >= m->frames) ||
                     (m->has_error && m->draining);
        int64_t now = clock_now_ns();
        if (!never && now < until) {
            /* woken by a frame, or looked at again within 5 ms */
            int64_t at = now + 5000000;
            struct timespec ts = {.tv_sec = at / 1000000000,
                                  .tv_nsec = at % 1000000000};
            pthread_cond_timedwait(&m->ready, &m->mu, &ts);
        }
        pthread_mutex_unlock(&m->mu);
        if (never || now >= until)
            return NULL;
    }
}

const struct media_frame *media_frame_at(struct media *m, int64_t index,
                                         bool *far)
{
    *far = false;
    pthread_mutex_lock(&m->mu);
    if (m->state != MEDIA_OPEN) {
        pthread_mutex_unlock(&m->mu);
        return NULL;
    }
    if (m->held.frame && (m->held.mf.index == index || m->frames == 1)) {
        pthread_mutex_unlock(&m->mu);
        return &m->held.mf;
    }
    const struct media_frame *out = NULL;
    for (int k = 0; k < m->count; k++) {
        struct slot *s = &m->ring[(m->head + k) % m->cap];
        if (s->mf.index != index)
            continue;
        /* let go of what came before it, and of the frame held */
        for (int j = 0; j < k; j++) {
            slot_free(&m->ring[m->head]);
            m->head = (m->head + 1) % m->cap;
        }
        m->count -= k;
        slot_free(&m->held);
        m->held = m->ring[m->head];
        memset(&m->ring[m->head], 0, sizeof(m->ring[m->head]));
        m->head = (m->head + 1) % m->cap;
        m->count--;
        out = &m->held.mf;
        break;
    }
    if (!out) {
        /* coming soon: at or after the decoder's next frame, within
         * what it decodes ahead (a seek asked for counts as coming) */
        int64_t ahead = index - m->next; /* frames the decoder is short */
        if (m->frames > 0 && ahead < 0 && index < m->frames)
            ahead += m->frames; /* past the end it goes on from 0 */
        bool coming = m->seek_to == index ||
                      (ahead >= 0 && ahead < m->cap &&
                       (m->frames < 0 || index < m->frames));
        if (!coming && m->seek_to < 0) {
            m->seek_to = index;
            *far = true;
        } else if (coming) {
            ring_clear(m); /* all it holds comes before index: room */
        }
    }
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    return out;
}

bool media_take_error(struct media *m, char *buf, size_t n)
{
    pthread_mutex_lock(&m->mu);
    bool had = m->has_error && m->error[0];
    if (had) {
        snprintf(buf, n, "%s", m->error);
        m->error[0] = '\0';
    }
    pthread_mutex_unlock(&m->mu);
    return had;
}
