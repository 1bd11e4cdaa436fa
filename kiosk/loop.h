/* loop.h: the frame loop. Flat, one step after another, at the
 * network's frame rate on a real-time clock: when it falls behind by
 * more than a frame, frame numbers skip ahead (as TouchDesigner's
 * real-time mode does) and the skipped frames are counted. */
#ifndef VITRINE_LOOP_H
#define VITRINE_LOOP_H

#include <signal.h>
#include <stdint.h>

struct graph;
struct stall;

struct loop_params {
    struct graph *graph;
    int64_t max_frames;           /* 0: until *stop */
    volatile sig_atomic_t *stop;  /* set by a signal handler */
    double status_interval;       /* seconds between status lines, 0 none */
    /* Shows the frame (window) or keeps it (headless); called after
     * cooking, with how long cooking took. Optional. */
    void (*present)(void *userdata, struct graph *g, double cook_ms);
    /* Frame start, before scripts: control input. Optional. */
    void (*control)(void *userdata, struct graph *g);
    /* After each frame: the graph to go on with (a reload swaps it).
     * Optional. */
    struct graph *(*between)(void *userdata, struct graph *g);
    void *userdata;
    struct stall *stall; /* told each frame and phase; may be NULL */
    /* Test hook (VITRINE_DEBUG_HANG_AT_FRAME): at this frame the loop
     * hangs outside Python, for the stall detector's tests. 0: never. */
    int64_t hang_at_frame;
    /* One timeline for every kiosk (kiosk.ini [sync] epoch): frame N
     * starts at epoch + (N - 1) / fps of the system clock (CLOCK_REALTIME,
     * kept in step by chrony or linuxptp), and absTime counts the same;
     * each frame is cooked one frame before that instant, so that it is
     * shown at it; < 0: the timeline starts with the run. */
    double epoch;
};

struct loop_stats {
    int64_t frames;  /* frames run */
    int64_t skipped; /* frame numbers skipped while behind */
    double seconds;  /* wall time */
};

void loop_run(const struct loop_params *p, struct loop_stats *stats);

#endif
