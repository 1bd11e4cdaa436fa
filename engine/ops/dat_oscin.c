/* oscinDAT: received OSC messages as a table, one row per message (the
 * address and its arguments as text, or in columns of their own with
 * `splitmessage`; with `bundletimestamp`, the bundle's timetag in a last
 * column), the newest `maxlines` kept. With `splitbundle` off, the
 * messages of one bundle share a row, one cell each. For each
 * message, in arrival order, the DAT named by `callbacks` gets
 * onReceiveOSC(dat, rowIndex, message, byteData, timeStamp, address,
 * args, peer), every OSC 1.0 type converted to a Python value; the table
 * is current when a callback reads it (built when read: op_sync). The
 * callbacks of a frame get a share of it: under a flood the rest wait or
 * are dropped and counted. Shares its port's server with OSC In CHOPs.
 * Cooked every frame. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../py/py.h"
#include "osc_link.h"
#include "dat_oscin.py.h"

/* Callbacks get at most this share of a frame; the messages beyond it
 * wait for the next frame (up to PENDING_MAX of them, then are dropped
 * and counted), so a flood slows the callbacks, never the frames. */
#define CALLBACK_SHARE 0.25
#define PENDING_MAX 4096
#define DROPPED_EVERY_S 10.0

struct oscin_dat {
    int active, port, protocol, maxlines, bundletimestamp, splitbundle,
        splitmessage, clear;
    char *localaddress, *netaddress, *addressscope, *callbacks;
    struct osc_link link;
    char **rows; /* ring of the newest rows: nrows from head, of cap */
    int head, nrows, cap;
    uint32_t last_packet; /* of the newest row, 0 none */
    bool stale;           /* op->dat is behind rows */
    struct osc_msg *pending; /* ring of messages waiting for callbacks */
    size_t pending_head, npending;
    uint64_t dropped, dropped_said;
    double said_at;
};

/* The message as cells: "/addr 1 0.5 hello", or with split one cell
 * each. Appended to sb. */
static void message_text(struct strbuf *sb, const struct osc_msg *m,
                         bool split)
{
    char sep = split ? '\t' : ' ';
    sb_puts(sb, m->addr);
    for (int i = 0; i < m->nargs; i++)
        sb_printf(sb, "%c%g", sep, m->val[i]);
    if (m->str[0])
        sb_printf(sb, "%c\"%s\"", sep, m->str);
}

static char *row_text(const struct osc_msg *m, bool split, bool stamp)
{
    struct strbuf sb = {0};
    message_text(&sb, m, split);
    if (stamp)
        sb_printf(&sb, "\t%.6f", m->timetag == 1 ? 0.0
                  : (double)(m->timetag >> 32) +
                        (double)(m->timetag & 0xffffffffu) / 4294967296.0);
    return sb_steal(&sb);
}

static char **row_at(struct oscin_dat *p, int i)
{
    return &p->rows[(p->head + i) % p->cap];
}

static void clear_rows(struct oscin_dat *p)
{
    for (int i = 0; i < p->nrows; i++)
        free(*row_at(p, i));
    p->nrows = p->head = 0;
    p->last_packet = 0;
    p->stale = true;
}

/* Keeps the ring's capacity at maxlines, the newest rows kept. */
static void size_rows(struct oscin_dat *p, int max)
{
    if (p->cap == max)
        return;
    char **rows = xcalloc((size_t)max, sizeof(*rows));
    int drop = p->nrows > max ? p->nrows - max : 0;
    for (int i = 0; i < drop; i++)
        free(*row_at(p, i));
    for (int i = drop; i < p->nrows; i++)
        rows[i - drop] = *row_at(p, i);
    free(p->rows);
    p->rows = rows;
    p->cap = max;
    p->head = 0;
    p->nrows -= drop;
    p->stale = true;
}

/* One message into the table: a new row (the oldest goes when full), or
 * with `splitbundle` off one more cell in its bundle's row. O(1) in
 * maxlines. */
static void add_row(struct oscin_dat *p, const struct osc_msg *m)
{
    p->stale = true;
    if (!p->splitbundle && p->nrows > 0 && m->packet == p->last_packet) {
        /* before the timestamp, which the bundle shares */
        char **row = row_at(p, p->nrows - 1);
        char *stamp = p->bundletimestamp ? strrchr(*row, '\t') : NULL;
        struct strbuf sb = {0};
        sb_printf(&sb, "%.*s\t", (int)(stamp ? stamp - *row
                                             : (ptrdiff_t)strlen(*row)),
                  *row);
        message_text(&sb, m, p->splitmessage);
        if (stamp)
            sb_puts(&sb, stamp);
        free(*row);
        *row = sb_steal(&sb);
        return;
    }
    if (p->nrows == p->cap) {
        free(p->rows[p->head]);
        p->head = (p->head + 1) % p->cap;
        p->nrows--;
    }
    *row_at(p, p->nrows++) = row_text(m, p->splitmessage, p->bundletimestamp);
    p->last_packet = m->packet;
}

static void sync(struct op *op)
{
    struct oscin_dat *p = op->priv;
    if (!p->stale)
        return;
    struct strbuf sb = {0};
    for (int r = 0; r < p->nrows; r++)
        sb_printf(&sb, "%s\n", *row_at(p, r));
    dat_set_table(&op->dat, sb.s ? sb.s : "", '\t');
    sb_free(&sb);
    p->stale = false;
}

static void receive(struct op *op, struct oscin_dat *p,
                    const struct osc_msg *m)
{
    add_row(p, m);
    if (p->callbacks[0]) {
        struct py_osc_message pm = {
            .addr = m->addr, .raw = m->raw_len ? m->raw : NULL,
            .raw_len = m->raw_len, .timetag = m->timetag,
            .from_ip = m->from_ip, .from_port = m->from_port};
        py_osc_receive(op, p->nrows - 1, &pm);
    }
}

static void defer(struct oscin_dat *p, const struct osc_msg *m)
{
    if (p->npending == PENDING_MAX) {
        p->dropped++;
        return;
    }
    if (!p->pending)
        p->pending = xmalloc(PENDING_MAX * sizeof(*p->pending));
    p->pending[(p->pending_head + p->npending++) % PENDING_MAX] = *m;
}

static void report_dropped(struct op *op, struct oscin_dat *p)
{
    if (p->dropped == p->dropped_said)
        return;
    double now = (double)clock_now_ns() / 1e9;
    if (p->dropped_said && now - p->said_at < DROPPED_EVERY_S)
        return;
    op_log(op, LOG_LEVEL_WARN, "callbacks cannot keep up: %llu messages "
           "dropped%s (at most %d wait for the next frame)",
           (unsigned long long)(p->dropped - p->dropped_said),
           p->dropped_said ? " in the last 10 s" : "", PENDING_MAX);
    p->dropped_said = p->dropped;
    p->said_at = now;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct oscin_dat *p = op->priv;
    size_rows(p, p->maxlines > 0 ? p->maxlines : 1);
    if (p->clear) {
        clear_rows(p);
        p->npending = 0;
    }
    bool failed;
    if (!osc_link_update(op, &p->link, p->active, p->localaddress, p->port,
                         p->protocol, p->netaddress, &failed) &&
        failed)
        return -1;
    size_t count = 0;
    const struct osc_msg *m = p->link.server
                                  ? osc_link_due(&p->link, ctx, &count)
                                  : NULL;
    /* Callbacks run until their share of the frame is spent: first the
     * messages that waited, then this frame's, in arrival order. */
    bool calls = p->callbacks[0] != '\0';
    int64_t deadline = clock_now_ns() +
                       (int64_t)(CALLBACK_SHARE * 1e9 /
                                 (ctx->fps > 0 ? ctx->fps : 60));
    bool over = false;
    if (!calls)
        p->npending = 0;
    while (p->npending && !over) {
        struct osc_msg *w = &p->pending[p->pending_head];
        p->pending_head = (p->pending_head + 1) % PENDING_MAX;
        p->npending--;
        receive(op, p, w);
        over = clock_now_ns() > deadline;
    }
    /* Without callbacks only the newest maxlines rows can show. */
    size_t first = 0;
    if (!calls && p->splitbundle) {
        int keep = 0;
        for (first = count; first > 0 && keep < p->cap; first--)
            keep += osc_in_scope(p->addressscope, m[first - 1].addr);
    }
    for (size_t i = first; i < count; i++) {
        if (!osc_in_scope(p->addressscope, m[i].addr))
            continue;
        if (over || p->npending) {
            defer(p, &m[i]);
            continue;
        }
        receive(op, p, &m[i]);
        over = calls && clock_now_ns() > deadline;
    }
    report_dropped(op, p);
    sync(op);
    return 0;
}

static void destroy(struct op *op)
{
    struct oscin_dat *p = op->priv;
    osc_link_close(&p->link);
    if (p->dropped)
        op_log(op, LOG_LEVEL_INFO, "%llu messages dropped in all: callbacks "
               "could not keep up", (unsigned long long)p->dropped);
    clear_rows(p);
    free(p->rows);
    free(p->pending);
}

static const struct par_def pars[] = {
    OSC_LINK_PARS(struct oscin_dat, "address", "netaddress", "addscope"),
    {.name = "maxlines", .label = "Maximum Lines",
     .def = {10}, .norm = {1, 100}, .lim = {1, 100000},
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(struct oscin_dat, maxlines)},
    {.name = "bundletimestamp", .label = "Bundle Timestamp Column",
     PARAM_TOGGLE(struct oscin_dat, bundletimestamp)},
    {.name = "splitbundle", .label = "Split Bundles into Messages",
     .def = {1},
     PARAM_TOGGLE(struct oscin_dat, splitbundle)},
    {.name = "splitmessage", .label = "Split Messages into Columns",
     PARAM_TOGGLE(struct oscin_dat, splitmessage)},
    {.name = "clear", .label = "Clear",
     PARAM_PULSE(struct oscin_dat, clear)},
    {.name = "callbacks", .label = "Callbacks DAT",
     .families = OP_FAMILY_BIT(OP_DAT), .no_dep = true,
     PARAM_OP(struct oscin_dat, callbacks)},
    {0},
};

const struct op_type op_dat_oscin = {
    .name = "oscin",
    .optype = "oscinDAT",
    .label = "OSC In",
    .about = "received OSC messages as a table (`maxlines`, `bundletimestamp`, "
             "`clear`) and `onReceiveOSC(dat, rowIndex, message, byteData, "
             "timeStamp, address, args, peer)` in the `callbacks` DAT; the "
             "connection parameters of `oscinCHOP`, with `address` and "
             "`addscope`",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_ALWAYS_COOK | OPT_TIME_DEPENDENT,
    .pars = pars,
    .priv_size = sizeof(struct oscin_dat),
    .cook = cook,
    .destroy = destroy,
    .sync = sync,
    OP_PYTHON(dat_oscin),
};
