/* media.h: movies, stills and image sequences, decoded by FFmpeg
 * (libavformat, libavcodec) on a thread of their own into a bounded
 * queue of frames ahead of the one asked for.
 *
 * The main thread asks for a frame by its index and never waits: a frame
 * not decoded yet is late (the caller keeps what it showed and counts
 * it); a frame far from what is queued sends the decoder there (a seek to
 * the keyframe before it, then decoding up to it). After the last frame
 * the decoder goes on from the first, so that a loop does not wait.
 * Frames keep the decoder's planes (YUV 8 or 16 bits, or RGBA): colour
 * conversion is the GPU's.
 *
 * Threads: every function here on one thread (the main one); the decoder
 * is internal. */
#ifndef VITRINE_MEDIA_H
#define VITRINE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a frame's pixels are laid out. */
enum media_layout {
    MEDIA_YUV = 1, /* three planes, Y then Cb and Cr (subsampled) */
    MEDIA_RGBA,    /* one plane of RGBA, 8 bits each */
};

/* The colour matrix YUV was encoded with. */
enum media_matrix {
    MEDIA_BT601 = 1,
    MEDIA_BT709,
    MEDIA_BT2020,
};

struct media_frame {
    int64_t index; /* from 0, in the file's frame rate */
    int width, height;
    enum media_layout layout;
    int bits;             /* per sample: 8, or 9 to 16 (in 16-bit words) */
    int chroma_w, chroma_h; /* planes 1 and 2 */
    const uint8_t *plane[3];
    int stride[3];          /* bytes per row */
    enum media_matrix matrix;
    bool full_range;        /* else limited (16-235 at 8 bits) */
};

struct media_info {
    int width, height;
    double fps;     /* frames a second (a still: 0) */
    int64_t frames; /* known length; -1 until known */
    const char *codec;
    bool still;     /* one image */
};

struct media_params {
    int preread; /* frames decoded ahead; 0 means 8 */
    double fps;  /* the rate of an image sequence; 0 means 30 */
};

struct media;

/* Opens path (a movie, an image, or an image sequence: "shot.%04d.png"),
 * starting its decoder. NULL with FFmpeg's reason in err. */
struct media *media_open(const char *path, const struct media_params *p,
                         char *err, size_t errlen);
void media_close(struct media **m);
void media_get_info(struct media *m, struct media_info *out);

/* The frame of this index (0 .. frames-1), or NULL while it is not
 * decoded (*far says the decoder was sent there). The frame stays valid
 * until the next call; frames before it are let go. */
const struct media_frame *media_frame_at(struct media *m, int64_t index,
                                         bool *far);

/* What went wrong while decoding (a damaged file), once: true and the
 * message in buf. */
bool media_take_error(struct media *m, char *buf, size_t n);

#endif
