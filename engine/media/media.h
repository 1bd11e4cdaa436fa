/* media.h: movies, stills and image sequences, decoded by FFmpeg
 * (libavformat, libavcodec) on a thread of their own into a bounded
 * queue of frames ahead of the one asked for.
 *
 * Opening happens on that thread too, so that a new file never stalls
 * the frame loop: until it is open the media has no info and no frames.
 * The main thread asks for a frame by its index and never waits: a frame
 * not decoded yet is late (the caller keeps what it showed and counts
 * it); a frame far from what is queued sends the decoder there (a seek to
 * the keyframe before it, then decoding up to it). After the last frame
 * the decoder goes on from the first, so that a loop does not wait.
 * Frames keep the decoder's planes (YUV 8 or 16 bits, or RGBA; a
 * semi-planar NV12 or P010 has its chroma split on the decoder thread):
 * colour conversion is the GPU's.
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
    int64_t frames; /* the length: the container's count (or its duration
                     * times fps) until the end of the file confirms it;
                     * -1 while nothing says */
    bool exact;     /* frames was counted to the end */
    const char *codec;
    const char *hardware; /* the hardware decoder ("vaapi", "cuda"), or
                           * NULL: software */
    bool still;     /* one image */
};

enum media_state {
    MEDIA_OPENING = 0,
    MEDIA_OPEN,
    MEDIA_FAILED, /* cannot be opened: media_take_error says why */
};

struct media_params {
    int preread; /* frames decoded ahead; 0 means 8 */
    double fps;  /* the rate of an image sequence; 0 means 30 */
    bool hardware; /* decode on the GPU where the machine can (VA-API,
                    * CUDA), else in software; frames are copied back to
                    * memory (planar, as software ones) */
};

struct media;

/* Starts opening path (a movie, an image, or an image sequence:
 * "shot.%04d.png") on its decoder thread; returns at once. */
struct media *media_open(const char *path, const struct media_params *p);
void media_close(struct media **m);
/* Where opening stands; *out is filled once it is open. */
enum media_state media_get_info(struct media *m, struct media_info *out);

/* The frame of this index (0 .. frames-1), or NULL while it is not
 * decoded (*far says the decoder was sent there). The frame stays valid
 * until the next call; frames before it are let go. */
const struct media_frame *media_frame_at(struct media *m, int64_t index,
                                         bool *far);

/* The same, waiting up to timeout_ns for it (for rendering that is not
 * real-time, where every frame is worth waiting for); NULL when it did
 * not come, or cannot (past the end, a failed file). */
const struct media_frame *media_frame_wait(struct media *m, int64_t index,
                                           int64_t timeout_ns);

/* Whether as many frames as it reads ahead are decoded. */
bool media_is_full(struct media *m);

/* What went wrong (FFmpeg's reason, beginning with the path when the
 * file could not be opened; a damaged packet while decoding), once: true
 * and the message in buf. */
bool media_take_error(struct media *m, char *buf, size_t n);

#endif
