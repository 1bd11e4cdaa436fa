#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/py/py.h"
#include "stall.h"

struct frame_clock {
    int64_t start_ns;
    double period_ns;
    int64_t frame;      /* the frame about to run */
    double epoch;       /* Unix seconds, < 0: none (loop_params) */
    int64_t lead_ns;    /* how long before its instant a frame starts */
    int64_t instant_ns; /* the frame's instant, CLOCK_REALTIME */
};

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* On a shared timeline: the monotonic instant of frame 1, from where the
 * system clock says the epoch is now (again each frame, so that a step
 * of the system clock moves the timeline with it). */
static void clock_anchor(struct frame_clock *c)
{
    int64_t since = realtime_ns() - (int64_t)(c->epoch * 1e9);
    c->start_ns = clock_now_ns() - since;
}

/* The monotonic instant of frame f. */
static int64_t clock_at(const struct frame_clock *c, int64_t f)
{
    return c->start_ns + (int64_t)((double)(f - 1) * c->period_ns);
}

/* Sleeps until the monotonic instant. An absolute sleep that is refused
 * (libfaketime shifts a CLOCK_MONOTONIC target by its realtime offset,
 * and the kernel says EINVAL) sleeps the time left instead, so that the
 * loop never spins. */
static void sleep_until(int64_t target)
{
    static bool warned;
    struct timespec ts = {.tv_sec = target / 1000000000,
                          .tv_nsec = target % 1000000000};
    int rc;
    while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
                                 NULL)) == EINTR)
        ;
    if (rc == 0)
        return;
    if (!warned)
        LOG_WARN("[vitrine]", "waiting for the frame's time: clock_nanosleep: "
                 "%s; sleeping for the time left instead", strerror(rc));
    warned = true;
    int64_t left;
    while ((left = target - clock_now_ns()) > 0) {
        struct timespec rel = {.tv_sec = left / 1000000000,
                               .tv_nsec = left % 1000000000};
        if (nanosleep(&rel, NULL) != 0 && errno != EINTR)
            break;
    }
}

/* Sleeps until the frame's start (its instant less the lead); skips
 * ahead when more than a frame late. Sets the frame's instant. Returns
 * the number of frames skipped. Not real-time, it neither waits nor
 * skips. */
static int64_t clock_wait(struct frame_clock *c, bool realtime)
{
    if (!realtime) { /* the clock follows, for a switch back */
        c->start_ns = clock_now_ns() -
                      (int64_t)((double)(c->frame - 1) * c->period_ns);
        c->instant_ns = realtime_ns();
        return 0;
    }
    if (c->epoch >= 0)
        clock_anchor(c);
    int64_t skipped = 0, now = clock_now_ns();
    if (now > clock_at(c, c->frame) - c->lead_ns + (int64_t)c->period_ns) {
        int64_t due = (int64_t)((double)(now + c->lead_ns - c->start_ns) /
                                c->period_ns) + 1;
        skipped = due - c->frame;
        c->frame = due;
    } else {
        sleep_until(clock_at(c, c->frame) - c->lead_ns);
    }
    if (c->epoch >= 0) /* exact: the timeline's, not the wake-up's */
        c->instant_ns = (int64_t)(c->epoch * 1e9) +
                        (int64_t)((double)(c->frame - 1) * c->period_ns);
    else
        c->instant_ns = realtime_ns() + (clock_at(c, c->frame) -
                                         clock_now_ns());
    return skipped;
}

/* Until rendering shows the network, a line with the frame rate and the
 * values of the output CHOP (or the first CHOP found) tells what runs. */
static void print_status(struct graph *g, double fps, int64_t skipped)
{
    struct op *show = g->output;
    for (size_t i = 0; !show && i < g->ncook; i++)
        if (g->cook_list[i]->type->family == OP_CHOP)
            show = g->cook_list[i];
    struct strbuf sb = {0};
    sb_printf(&sb, "frame %lld | %.1f fps | %zu error%s",
              (long long)g->time.frame, fps, graph_error_count(g),
              graph_error_count(g) == 1 ? "" : "s");
    if (skipped)
        sb_printf(&sb, " | %lld frames skipped", (long long)skipped);
    if (show && show->type->family == OP_CHOP) {
        sb_printf(&sb, " | %s:", show->path);
        for (int c = 0; c < show->chop.nchan && c < 6; c++)
            sb_printf(&sb, " %s=%.4g", show->chop.names[c],
                      chop_value(&show->chop, c));
        if (show->chop.nchan > 6)
            sb_printf(&sb, " (+%d)", show->chop.nchan - 6);
    }
    LOG_INFO("[vitrine]", "%s", sb.s);
    sb_free(&sb);
}

void loop_run(const struct loop_params *p, struct loop_stats *stats)
{
    struct graph *g = p->graph;
    struct stall *stall = p->stall;
    struct frame_clock clock = {
        .start_ns = clock_now_ns(),
        .period_ns = 1e9 / g->time.rate,
        .frame = 1,
        .epoch = g->realtime ? p->epoch : -1,
    };
    if (clock.epoch >= 0) { /* the frame the shared timeline is at */
        /* cooked a frame ahead, so that it is shown at its instant */
        clock.lead_ns = (int64_t)clock.period_ns;
        clock_anchor(&clock);
        int64_t due = (clock_now_ns() + clock.lead_ns - clock.start_ns) /
                      (int64_t)clock.period_ns + 1;
        clock.frame = due > 1 ? due : 1;
    }
    *stats = (struct loop_stats){0};
    /* now, not the shared timeline's start, which may be long ago */
    int64_t began = clock_now_ns(); /* of the wall time counted */
    int64_t status_due = began + (int64_t)(p->status_interval * 1e9);
    int64_t status_frames = 0, status_start = began;

    while (!*p->stop && (!p->max_frames || stats->frames < p->max_frames)) {
        stall_phase(stall, "waiting for the frame's time");
        stats->skipped += clock_wait(&clock, g->realtime);
        if (clock.epoch >= 0) /* absTime too is the shared timeline's */
            g->abs.frame = clock.frame - 1;
        graph_begin_frame(g, clock.frame);
        g->instant_ns = clock.instant_ns;
        stall_phase(stall, "reading control input");
        if (p->control)
            p->control(p->userdata, g);
        int64_t cook_start = clock_now_ns();
        stall_phase(stall, "running frame-start scripts");
        py_frame_start(g);
        stall_phase(stall, "cooking");
        if (p->hang_at_frame && stats->frames + 1 == p->hang_at_frame)
            for (;;)
                sleep(1); /* the test hook: a hang outside Python */
        graph_cook(g);
        stall_phase(stall, "running after-cook scripts");
        py_frame_after_cook(g);
        stall_phase(stall, "presenting the frame");
        if (p->present)
            p->present(p->userdata, g,
                       (double)(clock_now_ns() - cook_start) * 1e-6);
        stall_phase(stall, "running frame-end scripts");
        py_frame_end(g);
        stall_frame(stall);
        stats->frames++;
        status_frames++;
        int64_t now = clock_now_ns();
        if (p->status_interval > 0 && now >= status_due) {
            print_status(g, (double)status_frames * 1e9 /
                                (double)(now - status_start),
                         stats->skipped);
            status_frames = 0;
            status_start = now;
            status_due = now + (int64_t)(p->status_interval * 1e9);
        }
        clock.frame++;
        if (p->between) {
            stall_phase(stall, "between frames (reload, state)");
            struct graph *next = p->between(p->userdata, g);
            if (next != g) {
                g = next;
                if (1e9 / g->time.rate != clock.period_ns &&
                    clock.epoch >= 0) {
                    clock.period_ns = 1e9 / g->time.rate;
                    clock.lead_ns = (int64_t)clock.period_ns;
                } else if (1e9 / g->time.rate != clock.period_ns) {
                    /* a new frame rate: the clock starts over */
                    clock.period_ns = 1e9 / g->time.rate;
                    clock.start_ns = clock_now_ns() -
                        (int64_t)((double)(clock.frame - 1) *
                                  clock.period_ns);
                }
            }
            stall_frame(stall);
        }
        /* The first frame compiles shaders and fills the texture pool,
         * and between() waits for its pixels (READY=1); pacing starts
         * after all that, so booting is not counted as frames dropped.
         * The timeline (frame numbers) is unaffected. */
        if (stats->frames == 1) {
            now = clock_now_ns();
            began = now;
            if (clock.epoch < 0)
                clock.start_ns = now - (int64_t)clock.period_ns;
        }
    }
    stats->seconds = (double)(clock_now_ns() - began) * 1e-9;
}
