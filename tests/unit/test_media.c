/* The media decoder (engine/media): clips made by FFmpeg's command-line
 * tool whose frames carry their own index (luma 16 + 3 * index),
 * decoded losslessly: every index asked for is the frame shown, in order,
 * across the loop back to the start and after seeks both ways. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../../engine/media/media.h"
#include "helpers.h"

static char dir[] = "/tmp/vitrine-media-XXXXXX";
static char clip[128], seq[128], broken[128];

static bool sh(const char *cmd)
{
    return system(cmd) == 0;
}

static int setup(void **state)
{
    (void)state;
    capture_log();
    if (!mkdtemp(dir))
        return -1;
    snprintf(clip, sizeof(clip), "%s/clip.mp4", dir);
    snprintf(seq, sizeof(seq), "%s/shot.%%03d.png", dir);
    snprintf(broken, sizeof(broken), "%s/broken.mp4", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return sh(cmd) ? 0 : -1;
}

static void need_ffmpeg(void)
{
    if (!sh("ffmpeg -version >/dev/null 2>&1")) {
        print_message("skipped: the ffmpeg command (a test dependency, "
                      "`make deps`) is not installed\n");
        skip();
    }
}

static void make_clip(void)
{
    char cmd[512];
    /* H.264 with B-frames, lossless, a keyframe every 12 frames */
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i "
             "\"nullsrc=s=64x48:r=30:d=2,format=yuv420p,"
             "geq=lum='16+N*3':cb=128:cr=128\" "
             "-c:v libx264 -qp 0 -bf 2 -g 12 -pix_fmt yuv420p %s", clip);
    assert_true(sh(cmd));
}

/* Waits (at most 10 s) for opening to end. */
static enum media_state wait_open(struct media *m, struct media_info *info)
{
    enum media_state st = MEDIA_OPENING;
    for (int k = 0; k < 10000 && st == MEDIA_OPENING; k++) {
        st = media_get_info(m, info);
        if (st == MEDIA_OPENING)
            usleep(1000);
    }
    return st;
}

/* The frame of index, polled until the decoder has it (at most 10 s). */
static const struct media_frame *wait_frame(struct media *m, int64_t i)
{
    for (int k = 0; k < 10000; k++) {
        bool far;
        const struct media_frame *f = media_frame_at(m, i, &far);
        if (f)
            return f;
        usleep(1000);
    }
    fail_msg("frame %lld never came", (long long)i);
    return NULL;
}

static int grey(const struct media_frame *f)
{
    return f->plane[0][(f->height / 2) * f->stride[0] + f->width / 2];
}

static void test_every_index_in_order_and_after_seeks(void **state)
{
    (void)state;
    need_ffmpeg();
    make_clip();
    struct media *m = media_open(clip, &(struct media_params){0});
    assert_non_null(m);
    struct media_info info;
    assert_int_equal(wait_open(m, &info), MEDIA_OPEN);
    assert_int_equal(info.width, 64);
    assert_int_equal(info.frames, 60); /* the container's count */
    assert_false(info.exact);
    assert_int_equal(info.height, 48);
    assert_true(info.fps > 29.9 && info.fps < 30.1);
    /* in order, then across the loop back to the start */
    for (int64_t i = 0; i < 72; i++) {
        const struct media_frame *f = wait_frame(m, i % 60);
        assert_int_equal(f->index, i % 60);
        assert_int_equal(f->layout, MEDIA_YUV);
        assert_int_equal(f->bits, 8);
        assert_int_equal(f->chroma_w, 32);
        assert_int_equal(grey(f), 16 + (i % 60) * 3);
    }
    media_get_info(m, &info);
    assert_int_equal(info.frames, 60);
    assert_true(info.exact);
    assert_false(info.still);
    /* seeks forward, back, to a frame between keyframes */
    const int64_t jumps[] = {40, 5, 59, 13, 0, 25};
    for (size_t j = 0; j < sizeof(jumps) / sizeof(jumps[0]); j++) {
        const struct media_frame *f = wait_frame(m, jumps[j]);
        assert_int_equal(grey(f), 16 + jumps[j] * 3);
    }
    /* waiting: every frame, however fast it is asked for */
    for (int64_t i = 30; i < 60; i++) {
        const struct media_frame *f = media_frame_wait(m, i, 10000000000);
        assert_non_null(f);
        assert_int_equal(grey(f), 16 + i * 3);
    }
    assert_null(media_frame_wait(m, 60, 10000000000)); /* past the end */
    media_close(&m);
    assert_null(m);
}

static void test_image_sequence_and_errors(void **state)
{
    (void)state;
    need_ffmpeg();
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i "
             "\"nullsrc=s=16x8:r=30:d=0.34,format=gray,geq=lum='N*20'\" "
             "%s", seq);
    assert_true(sh(cmd));
    struct media *m = media_open(seq, &(struct media_params){.fps = 25});
    struct media_info info;
    assert_int_equal(wait_open(m, &info), MEDIA_OPEN);
    assert_true(info.fps > 24.9 && info.fps < 25.1);
    for (int64_t i = 0; i < 10; i++) {
        const struct media_frame *f = wait_frame(m, i);
        assert_int_equal(f->layout, MEDIA_RGBA);
        const uint8_t *px = f->plane[0] + (f->height / 2) * f->stride[0] +
                            (f->width / 2) * 4;
        assert_int_equal(px[0], i * 20);
        assert_int_equal(px[3], 255);
    }
    media_close(&m);

    /* a file that is not there: FFmpeg's reason with the path */
    char err[256];
    m = media_open("/nonexistent/clip.mp4", NULL);
    assert_int_equal(wait_open(m, &info), MEDIA_FAILED);
    assert_true(media_take_error(m, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/clip.mp4: "));
    bool far;
    assert_null(media_frame_at(m, 0, &far));
    assert_null(media_frame_wait(m, 0, 10000000000));
    media_close(&m);

    /* a truncated movie opens or does not, and never crashes; what it
     * has is decoded */
    make_clip();
    snprintf(cmd, sizeof(cmd), "head -c 3000 %s > %s", clip, broken);
    assert_true(sh(cmd));
    m = media_open(broken, NULL);
    if (wait_open(m, &info) == MEDIA_OPEN) {
        for (int k = 0; k < 200; k++) {
            media_frame_at(m, k % 30, &far);
            usleep(500);
        }
        media_frame_wait(m, 45, 2000000000);
        media_take_error(m, err, sizeof(err));
    } else {
        assert_true(media_take_error(m, err, sizeof(err)));
        assert_non_null(strstr(err, broken));
    }
    media_close(&m);
}

/* A semi-planar file (NV12, as hardware decoders give): its planes come
 * out split, samples unchanged; asking for hardware decoding on a machine
 * without it decodes in software. */
static void test_semi_planar_and_hardware_fallback(void **state)
{
    (void)state;
    need_ffmpeg();
    char nv12[160], cmd[512];
    snprintf(nv12, sizeof(nv12), "%s/nv12.nut", dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i "
             "\"nullsrc=s=32x16:r=30:d=0.5,format=yuv420p,"
             "geq=lum='16+N*5':cb='100+N':cr='200-N'\" "
             "-c:v rawvideo -pix_fmt nv12 %s", nv12);
    assert_true(sh(cmd));
    struct media *m = media_open(nv12, &(struct media_params){.hardware = 1});
    struct media_info info;
    assert_int_equal(wait_open(m, &info), MEDIA_OPEN);
    for (int64_t i = 0; i < 10; i++) {
        const struct media_frame *f = media_frame_wait(m, i, 10000000000);
        assert_non_null(f);
        assert_int_equal(f->layout, MEDIA_YUV);
        assert_int_equal(f->bits, 8);
        assert_int_equal(f->chroma_w, 16);
        assert_int_equal(grey(f), 16 + i * 5);
        assert_int_equal(f->plane[1][4 * f->stride[1] + 4], 100 + i);
        assert_int_equal(f->plane[2][4 * f->stride[2] + 4], 200 - i);
    }
    media_close(&m);
}

/* Mutated movies (bytes changed, runs zeroed, cuts): each opens or
 * fails with a reason, decodes what it can, and closes; nothing crashes
 * or hangs (run under SAN=1 this is a fuzz of the decoder's use). */
static void test_mutated_files(void **state)
{
    (void)state;
    need_ffmpeg();
    make_clip();
    FILE *in = fopen(clip, "rb");
    assert_non_null(in);
    static uint8_t orig[1 << 20], buf[1 << 20];
    size_t n = fread(orig, 1, sizeof(orig), in);
    fclose(in);
    assert_true(n > 1000);
    uint32_t seed = 12345;
    int opened = 0, frames = 0;
    for (int k = 0; k < 200; k++) {
        memcpy(buf, orig, n);
        size_t len = n;
        seed = seed * 1103515245u + 12345u;
        int kind = (int)(seed >> 16) % 3;
        for (int j = 0; j < 1 + k % 16; j++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            if (kind == 0)
                buf[at] ^= (uint8_t)(1u << (seed % 8));
            else if (kind == 1)
                memset(buf + at, 0, at + 64 < n ? 64 : n - at);
            else
                buf[at] = (uint8_t)(seed >> 3);
        }
        if (k % 5 == 4)
            len = 100 + (seed >> 4) % (n - 100);
        FILE *out = fopen(broken, "wb");
        assert_non_null(out);
        fwrite(buf, 1, len, out);
        fclose(out);
        struct media *m = media_open(broken, NULL);
        struct media_info info;
        if (wait_open(m, &info) == MEDIA_OPEN) {
            opened++;
            const int64_t want[] = {0, 7, 31, 59, 3};
            for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++)
                frames += media_frame_wait(m, want[w], 100000000) != NULL;
        }
        char err[256];
        media_take_error(m, err, sizeof(err));
        media_close(&m);
    }
    print_message("mutated files: %d of 200 opened, %d frames decoded\n",
                  opened, frames);
    assert_true(opened > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_index_in_order_and_after_seeks),
        cmocka_unit_test(test_image_sequence_and_errors),
        cmocka_unit_test(test_semi_planar_and_hardware_fallback),
        cmocka_unit_test(test_mutated_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
