/* filterCHOP: smooths jittery input (sensors, faders) over time.
 *   lowpass  one-pole: y += (x - y) * (1 - exp(-dt / width))
 *   box      the mean of the input over the last width seconds (as many
 *            frames as width * fps, at least one)
 *   oneeuro  the 1-euro filter (Casiez et al.): a low-pass whose cutoff
 *            rises with speed, cutoff + speedcoeff * |dx/dt|, where
 *            dx/dt is itself low-passed at slopecutoff
 * Each channel is filtered on its own; a change of channels restarts. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "chop_util.h"

enum { LOWPASS, BOX, ONEEURO };

struct chan_state {
    double y, x_prev, dx;
    double *ring; /* box: the last n inputs */
    double sum;
    int n, head, filled;
};

struct filter {
    int type;
    double width, cutoff, speedcoeff, slopecutoff;
    struct chan_state *st;
    int nst;
};

static void reset_states(struct filter *p, int nchan)
{
    for (int i = 0; i < p->nst; i++)
        free(p->st[i].ring);
    free(p->st);
    p->st = xcalloc((size_t)nchan + 1, sizeof(*p->st));
    p->nst = nchan;
}

static double alpha_for(double cutoff, double dt)
{
    double tau = 1.0 / (2 * M_PI * cutoff);
    return 1.0 / (1.0 + tau / dt);
}

static double box_step(struct chan_state *s, double x, int n)
{
    if (s->n != n) {
        free(s->ring);
        s->ring = xcalloc((size_t)n, sizeof(double));
        s->n = n;
        s->head = s->filled = 0;
        s->sum = 0;
    }
    if (s->filled == n)
        s->sum -= s->ring[s->head];
    else
        s->filled++;
    s->ring[s->head] = x;
    s->sum += x;
    s->head = (s->head + 1) % n;
    /* Re-add from scratch each lap so rounding cannot drift. */
    if (s->head == 0) {
        s->sum = 0;
        for (int i = 0; i < s->filled; i++)
            s->sum += s->ring[i];
    }
    return s->sum / s->filled;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct filter *p = op->priv;
    const struct chop_data *in = &op->inputs[0]->chop;
    struct chop_data *out = &op->chop;
    bool fresh = !chop_same_layout(out, in) || p->nst != in->nchan;
    if (fresh) {
        chop_copy_layout(out, in);
        reset_states(p, in->nchan);
    }
    double dt = ctx->dt > 0 ? ctx->dt : 1.0 / ctx->fps;
    int boxn = (int)lrint(p->width * ctx->fps);
    if (boxn < 1)
        boxn = 1;
    for (int c = 0; c < in->nchan; c++) {
        struct chan_state *s = &p->st[c];
        double x = chop_value(in, c), y;
        if (p->type == BOX) {
            y = box_step(s, x, boxn);
        } else if (fresh || ctx->dt <= 0) {
            y = x;
            s->dx = 0;
        } else if (p->type == LOWPASS) {
            y = p->width > 0 ? s->y + (x - s->y) * (1 - exp(-dt / p->width))
                             : x;
        } else {
            double dx = (x - s->x_prev) / dt;
            s->dx += alpha_for(p->slopecutoff, dt) * (dx - s->dx);
            double cutoff = p->cutoff + p->speedcoeff * fabs(s->dx);
            y = s->y + alpha_for(cutoff, dt) * (x - s->y);
        }
        s->y = y;
        s->x_prev = x;
        double *dst = chop_chan(out, c);
        for (int k = 0; k < out->nsamples; k++)
            dst[k] = y;
    }
    return 0;
}

static void destroy(struct op *op)
{
    struct filter *p = op->priv;
    reset_states(p, 0);
    free(p->st);
    p->st = NULL;
}

static const struct par_menu_item types[] = {
    {"lowpass", "Low Pass"}, {"box", "Box"}, {"oneeuro", "One Euro"}, {0},
};

static const struct par_def pars[] = {
    {.name = "type", .label = "Type", .menu = types,
     PARAM_MENU(struct filter, type)},
    {.name = "width", .label = "Filter Width", .def = {0.3}, .norm = {0, 2},
     .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct filter, width)},
    {.name = "cutoff", .label = "Cutoff Frequency (Hz)", .def = {1},
     .norm = {0, 10}, .lim = {1e-6, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct filter, cutoff)},
    {.name = "speedcoeff", .label = "Speed Coefficient", .def = {0.007},
     .norm = {0, 1}, .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct filter, speedcoeff)},
    {.name = "slopecutoff", .label = "Slope Cutoff Frequency (Hz)",
     .def = {1}, .norm = {0, 10}, .lim = {1e-6, 0}, .clamp = PAR_CLAMP_MIN,
     PARAM_FLOAT(struct filter, slopecutoff)},
    {0},
};

const struct op_type op_chop_filter = {
    .name = "filter",
    .optype = "filterCHOP",
    .label = "Filter",
    .about = "smoothing for jittery sensors and faders: `type` lowpass or box "
             "(over `width` seconds) or oneeuro (`cutoff`, `speedcoeff`, "
             "`slopecutoff`)",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_TIME_DEPENDENT,
    .pars = pars,
    .priv_size = sizeof(struct filter),
    .destroy = destroy,
    .cook = cook,
};
