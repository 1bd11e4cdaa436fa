/* oscinCHOP: OSC messages as channels. Each numeric address is a channel
 * named as sent (`/1/fader1`; `stripsegments` drops leading segments);
 * a message with several numbers makes `_1`, `_2`, ... channels. A
 * channel holds the latest value each frame. `oscaddressscope` takes glob
 * patterns; one starting with ^ excludes. At most `maxchannels` channels:
 * a new address beyond them is counted (a warning on the op, a line in the
 * log at most every 10 s) and makes nothing, so a flood of new addresses
 * costs a hash lookup each. Messages arrive through the
 * port's shared server (control/osc.c), at the frame their bundle names.
 * Cooked every frame, so its server's queue is drained. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/util.h"
#include "chop_util.h"
#include "osc_link.h"

struct oscin {
    int active, port, protocol, stripsegments, resetchannels, resetvalues;
    int maxchannels;
    char *localaddress, *netaddress, *addressscope;
    /* state */
    struct osc_link link;
    struct chop_latest chans;
    bool warned_types;
    uint64_t refused_said; /* chans.refused when last logged */
    double said_at;        /* monotonic seconds */
};

#define REFUSED_EVERY_S 10.0

/* The cap as a warning while it refuses, and how many it refused in the
 * log at most every REFUSED_EVERY_S. */
static void report_refused(struct op *op, struct oscin *p)
{
    if (p->chans.refused == p->refused_said)
        return;
    double now = (double)clock_now_ns() / 1e9;
    if (!op->warning) {
        op_set_warning(op, "maxchannels (%d) reached: messages to new "
                       "addresses are counted, not made into channels",
                       p->maxchannels);
    } else if (now - p->said_at < REFUSED_EVERY_S) {
        return;
    } else {
        op_log(op, LOG_LEVEL_WARN, "%llu messages to new addresses refused "
               "in the last %.0f s (maxchannels %d)",
               (unsigned long long)(p->chans.refused - p->refused_said),
               now - p->said_at, p->maxchannels);
    }
    p->refused_said = p->chans.refused;
    p->said_at = now;
}

static const char *strip(const char *addr, int segments)
{
    const char *p = addr;
    for (int i = 0; i < segments; i++) {
        const char *next = strchr(p + 1, '/');
        if (!next)
            return p; /* keep the last segment */
        p = next;
    }
    return p;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct oscin *p = op->priv;
    p->chans.max = p->maxchannels;
    if (p->resetchannels || p->chans.n > p->maxchannels)
        chop_latest_clear(&p->chans);
    if (op->warning && p->chans.n < p->maxchannels)
        op_clear_warning(op);
    if (p->resetvalues)
        for (int i = 0; i < p->chans.n; i++)
            p->chans.vals[i] = 0;
    bool failed;
    if (!osc_link_update(op, &p->link, p->active, p->localaddress, p->port,
                         p->protocol, p->netaddress, &failed) &&
        failed)
        return -1;
    if (p->link.server) {
        size_t count;
        const struct osc_msg *m = osc_link_due(&p->link, ctx, &count);
        for (size_t i = 0; i < count; i++) {
            if (!osc_in_scope(p->addressscope, m[i].addr))
                continue;
            if (m[i].skipped && !p->warned_types) {
                p->warned_types = true;
                op_log(op, LOG_LEVEL_WARN, "%s: arguments that are not "
                       "numbers (strings, blobs, ...) make no channels; "
                       "this is said once", m[i].addr);
            }
            if (m[i].nargs == 0)
                continue;
            const char *base = strip(m[i].addr, p->stripsegments);
            if (m[i].nargs == 1) {
                chop_latest_set(op, &p->chans, base, m[i].val[0]);
                continue;
            }
            for (int a = 0; a < m[i].nargs; a++) {
                char name[OSC_ADDR_MAX + 8];
                snprintf(name, sizeof(name), "%s_%d", base, a + 1);
                chop_latest_set(op, &p->chans, name, m[i].val[a]);
            }
        }
    }
    report_refused(op, p);
    chop_latest_output(op, &p->chans, ctx->fps);
    return 0;
}

static void destroy(struct op *op)
{
    struct oscin *p = op->priv;
    osc_link_close(&p->link);
    chop_latest_free(&p->chans);
}

static void save_state(const struct op *op, struct strbuf *out)
{
    const struct oscin *p = op->priv;
    chop_latest_save(&p->chans, out);
}

static void restore_state(struct op *op, const char *line)
{
    struct oscin *p = op->priv;
    p->chans.max = p->maxchannels;
    chop_latest_restore(op, &p->chans, line);
}

static const struct par_def pars[] = {
    OSC_LINK_PARS(struct oscin, "netaddress", NULL, "oscaddressscope"),
    {.name = "stripsegments", .label = "Strip Segments",
     .norm = {0, 4}, .lim = {0, 32}, .clamp = PAR_CLAMP_BOTH,
     PARAM_INT(struct oscin, stripsegments)},
    {.name = "maxchannels", .label = "Max Channels",
     .def = {4096}, .norm = {1, 16384}, .lim = {1, 1 << 20},
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(struct oscin, maxchannels)},
    {.name = "resetchannels", .label = "Reset Channels",
     PARAM_PULSE(struct oscin, resetchannels)},
    {.name = "resetvalues", .label = "Reset Values",
     PARAM_PULSE(struct oscin, resetvalues)},
    {0},
};

const struct op_type op_chop_oscin = {
    .name = "oscin",
    .optype = "oscinCHOP",
    .label = "OSC In",
    .about = "OSC messages as channels: `port`, `localaddress`, `protocol` "
             "udp, multicast (`netaddress`: the group) or tcp (OSC 1.0 or "
             "SLIP framing), `oscaddressscope` (or `addressscope`), "
             "`stripsegments`, `maxchannels` (new addresses past it are "
             "counted, not made), `resetchannels`, `resetvalues`, `active` "
             "(docs/osc.md)",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_ALWAYS_COOK | OPT_TIME_DEPENDENT,
    .pars = pars,
    .priv_size = sizeof(struct oscin),
    .cook = cook,
    .destroy = destroy,
    .save_state = save_state,
    .restore_state = restore_state,
};
