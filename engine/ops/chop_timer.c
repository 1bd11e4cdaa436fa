/* timerCHOP: a timer for gallery loops and timed cues.
 * Pulse `start` to run it from 0 for `length` seconds at `speed`; it
 * counts in frames so that values at known frames are exact. When it
 * reaches the end it is done, or with `cycle` on it starts over (up to
 * `maxcycles` times when `cyclelimit` is on). `play` off pauses it; `cue`
 * on holds it at `cuepoint` (a fraction of the length) and `cuepulse`
 * jumps there; `gotodone` ends it; `initialize` returns it to ready.
 * Channels: running, done, timer_fraction, timer_seconds, cycles. */
#include <math.h>
#include <stddef.h>

#include <stdio.h>

#include "../base/util.h"
#include "chop_util.h"

enum { READY, RUNNING, DONE };

struct timer {
    double length, speed, cuepoint;
    int play, cycle, cyclelimit, maxcycles, cue;
    int start, cuepulse, gotodone, initialize;
    /* state */
    int state;
    double elapsed_frames; /* at the network's frame rate */
    int cycles;
    int64_t last_frame;
    bool named;
    double restored_seconds; /* from restore_state, -1 none */
};

static void set_names(struct op *op, double rate)
{
    static const char *const names[] = {"running", "done", "timer_fraction",
                                        "timer_seconds", "cycles"};
    chop_resize(&op->chop, 5, 1);
    for (int i = 0; i < 5; i++)
        op->chop.names[i] = chop_intern(op, names[i]);
    op->chop.rate = rate;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct timer *p = op->priv;
    if (!p->named) {
        set_names(op, ctx->fps);
        p->named = true;
    }
    if (p->restored_seconds >= 0) {
        p->elapsed_frames = p->restored_seconds * ctx->fps;
        p->restored_seconds = -1;
    }
    double length_frames = p->length * ctx->fps;
    bool advance = p->state == RUNNING && p->play && !p->cue &&
                   p->last_frame > 0;
    if (advance)
        p->elapsed_frames += (double)(ctx->frame - p->last_frame) * p->speed;
    if (p->initialize) {
        p->state = READY;
        p->elapsed_frames = 0;
        p->cycles = 0;
    }
    if (p->start) {
        p->state = RUNNING;
        p->elapsed_frames = 0;
        p->cycles = 0;
    }
    if (p->cue || p->cuepulse)
        p->elapsed_frames = p->cuepoint * length_frames;
    if (p->state == RUNNING) {
        while (p->elapsed_frames >= length_frames) {
            bool more = p->cycle && length_frames > 0 &&
                        (!p->cyclelimit || p->cycles + 1 < p->maxcycles);
            if (!more) {
                p->state = DONE;
                p->elapsed_frames = length_frames;
                break;
            }
            p->elapsed_frames -= length_frames;
            p->cycles++;
        }
    }
    if (p->gotodone) {
        p->state = DONE;
        p->elapsed_frames = length_frames;
    }
    p->last_frame = ctx->frame;
    double *v = op->chop.vals;
    v[0] = p->state == RUNNING;
    v[1] = p->state == DONE;
    v[2] = length_frames > 0 ? p->elapsed_frames / length_frames
                             : (p->state == READY ? 0 : 1);
    v[3] = p->elapsed_frames / ctx->fps;
    v[4] = p->cycles;
    return 0;
}

static int create(struct op *op)
{
    struct timer *p = op->priv;
    p->restored_seconds = -1;
    return 0;
}

static bool is_time_dependent(const struct op *op)
{
    const struct timer *p = op->priv;
    /* While running it counts; after a pause it must resync last_frame. */
    return p->state == RUNNING;
}

/* "t STATE ELAPSED_SECONDS CYCLES": seconds, so that a change of frame
 * rate keeps the position. */
static void save_state(const struct op *op, struct strbuf *out)
{
    const struct timer *p = op->priv;
    double rate = op->chop.rate > 0 ? op->chop.rate : 60;
    sb_printf(out, "t %d %.17g %d\n", p->state, p->elapsed_frames / rate,
              p->cycles);
}

static void restore_state(struct op *op, const char *line)
{
    struct timer *p = op->priv;
    int state, cycles;
    double seconds;
    if (sscanf(line, "t %d %lf %d", &state, &seconds, &cycles) != 3 ||
        state < READY || state > DONE || !(seconds >= 0) || cycles < 0)
        return;
    p->state = state;
    p->restored_seconds = seconds;
    p->cycles = cycles;
    p->last_frame = 0; /* counts on from the next cook */
}

static const struct par_def pars[] = {
    {.name = "length", .label = "Length (seconds)", .def = {1},
     .norm = {0, 10}, .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct timer, length)},
    {.name = "speed", .label = "Speed", .def = {1}, .norm = {0, 2},
     PARAM_FLOAT(struct timer, speed)},
    {.name = "play", .label = "Play", .def = {1},
     PARAM_TOGGLE(struct timer, play)},
    {.name = "cycle", .label = "Cycle",
     PARAM_TOGGLE(struct timer, cycle)},
    {.name = "cyclelimit", .label = "Cycle Limit",
     PARAM_TOGGLE(struct timer, cyclelimit)},
    {.name = "maxcycles", .label = "Maximum Cycles",
     .def = {1}, .norm = {1, 10}, .lim = {1, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_INT(struct timer, maxcycles)},
    {.name = "cue", .label = "Cue",
     PARAM_TOGGLE(struct timer, cue)},
    {.name = "cuepoint", .label = "Cue Point (fraction)", .norm = {0, 1},
     .lim = {0, 1}, .clamp = PAR_CLAMP_BOTH,
     PARAM_FLOAT(struct timer, cuepoint)},
    {.name = "start", .label = "Start",
     PARAM_PULSE(struct timer, start)},
    {.name = "cuepulse", .label = "Cue Pulse",
     PARAM_PULSE(struct timer, cuepulse)},
    {.name = "gotodone", .label = "Go to Done",
     PARAM_PULSE(struct timer, gotodone)},
    {.name = "initialize", .label = "Initialize",
     PARAM_PULSE(struct timer, initialize)},
    {0},
};

const struct op_type op_chop_timer = {
    .name = "timer",
    .optype = "timerCHOP",
    .label = "Timer",
    .about = "`length` seconds; pulses `start`, `cuepulse`, `gotodone`, "
             "`initialize`; `play`, `speed`, `cycle`, `cyclelimit`, `maxcycles`,"
             " `cue`, `cuepoint`; channels `running`, `done`, `timer_fraction`, "
             "`timer_seconds`, `cycles`",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct timer),
    .cook = cook,
    .is_time_dependent = is_time_dependent,
    .create = create,
    .save_state = save_state,
    .restore_state = restore_state,
};
