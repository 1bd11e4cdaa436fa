/* bench_midi: MIDI bytes-to-channel latency through a FIFO at 60 frames a
 * second: a writer sends a controller message every 7 ms; each frame
 * drains the stream as the MIDI In CHOP does. p50 and p99 in ms and
 * frames, next to the limit of one frame period plus the drain's time
 * (how late, at most, a drain ended after its frame's start: its own
 * time and the machine's wake-up). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../control/midi.h"
#include "../../engine/base/log.h"
#include "../../engine/base/util.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    log_set_level(LOG_LEVEL_ERR);
    char path[] = "/tmp/vitrine-benchmidi-XXXXXX";
    if (!mkdtemp(path)) {
        perror(path);
        return 1;
    }
    char fifo[64];
    snprintf(fifo, sizeof(fifo), "%s/midi", path);
    if (mkfifo(fifo, 0600) != 0) {
        perror(fifo);
        return 1;
    }
    char err[256];
    struct midi_stream *s = midi_stream_open(fifo, err, sizeof(err));
    int w = s ? open(fifo, O_WRONLY) : -1;
    if (!s || w < 0) {
        fprintf(stderr, "bench_midi: %s\n", s ? "cannot write" : err);
        return 1;
    }
    enum { M = 600 };
    static double lat[M];
    int64_t sent_at[M];
    int nlat = 0, next = 0;
    const int64_t period = 16666667;
    int64_t start = clock_now_ns(), drain_ns = 0;
    for (int64_t frame = 1; nlat < M && frame < 2000; frame++) {
        int64_t frame_start = start + (frame - 1) * period;
        while (next < M && start + (int64_t)next * 7000000 < frame_start) {
            int64_t at = start + (int64_t)next * 7000000;
            while (clock_now_ns() < at)
                ;
            /* the index in the controller number and value (14 bits) */
            unsigned char b[3] = {0xB0, (unsigned char)(next >> 7),
                                  (unsigned char)(next & 0x7F)};
            sent_at[next] = clock_now_ns();
            if (write(w, b, 3) != 3)
                return 1;
            next++;
        }
        while (clock_now_ns() < frame_start)
            ;
        size_t n;
        const struct midi_event *e = midi_stream_drain(s, &n);
        int64_t t1 = clock_now_ns();
        /* how late the drain ended after the frame's start: its own
         * time, and the machine's (a wake-up late on a loaded one) */
        if (t1 - frame_start > drain_ns)
            drain_ns = t1 - frame_start;
        for (size_t i = 0; i < n && nlat < M; i++) {
            int idx = e[i].a << 7 | e[i].b;
            if (idx < next)
                lat[nlat++] = (double)(t1 - sent_at[idx]) * 1e-6;
        }
    }
    close(w);
    midi_stream_close(&s);
    unlink(fifo);
    rmdir(path);
    qsort(lat, (size_t)nlat, sizeof(double), cmp);
    double p50 = lat[nlat / 2], p99 = lat[nlat * 99 / 100];
    double limit = period * 1e-6 + drain_ns * 1e-6;
    printf("MIDI bytes to channel through a FIFO at 60 fps (%d messages): "
           "p50 %.2f ms (%.2f frames), p99 %.2f ms (%.2f frames); limit one "
           "frame + drain %.2f ms %s\n", nlat, p50, p50 / 16.667, p99,
           p99 / 16.667, limit, p99 <= limit ? "ok" : "OVER");
    return 0;
}
