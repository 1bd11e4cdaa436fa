/* oscinDAT: received OSC messages as a table, one row per message (the
 * address and its arguments as text, or in columns of their own with
 * `splitmessage`; with `bundletimestamp`, the bundle's timetag in a last
 * column), the newest `maxlines` kept. With `splitbundle` off, the
 * messages of one bundle share a row, one cell each. For each
 * message, in arrival order, the DAT named by `callbacks` gets
 * onReceiveOSC(dat, rowIndex, message, byteData, timeStamp, address,
 * args, peer), every OSC 1.0 type converted to a Python value. Shares its
 * port's server with OSC In CHOPs. Cooked every frame. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../py/py.h"
#include "osc_link.h"

struct oscin_dat {
    int active, port, protocol, maxlines, bundletimestamp, splitbundle,
        splitmessage, clear;
    char *localaddress, *netaddress, *addressscope, *callbacks;
    struct osc_link link;
    char **rows; /* ring of the newest rows, oldest first */
    int nrows, cap;
    uint32_t last_packet; /* of the newest row, 0 none */
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

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct oscin_dat *p = op->priv;
    if (p->clear) {
        for (int i = 0; i < p->nrows; i++)
            free(p->rows[i]);
        p->nrows = 0;
    }
    bool failed;
    if (!osc_link_update(op, &p->link, p->active, p->localaddress, p->port,
                         p->protocol == OSC_PROTO_MULTICAST ? p->netaddress
                                                        : NULL,
                         &failed) &&
        failed)
        return -1;
    size_t count = 0;
    const struct osc_msg *m = p->link.server
                                  ? osc_link_due(&p->link, ctx->frame, &count)
                                  : NULL;
    int max = p->maxlines > 0 ? p->maxlines : 1;
    for (size_t i = 0; i < count; i++) {
        if (!osc_in_scope(p->addressscope, m[i].addr))
            continue;
        if (!p->splitbundle && p->nrows > 0 &&
            m[i].packet == p->last_packet) {
            /* the same bundle: one more cell in its row (before the
             * timestamp, which the bundle shares) */
            char *row = p->rows[p->nrows - 1];
            char *stamp = p->bundletimestamp ? strrchr(row, '\t') : NULL;
            struct strbuf sb = {0};
            sb_printf(&sb, "%.*s\t", (int)(stamp ? stamp - row
                                                 : (ptrdiff_t)strlen(row)),
                      row);
            message_text(&sb, &m[i], p->splitmessage);
            if (stamp)
                sb_puts(&sb, stamp);
            free(row);
            p->rows[p->nrows - 1] = sb_steal(&sb);
            goto callback;
        }
        if (p->nrows == max) {
            free(p->rows[0]);
            memmove(p->rows, p->rows + 1,
                    (size_t)(p->nrows - 1) * sizeof(*p->rows));
            p->nrows--;
        }
        if (p->nrows == p->cap) {
            p->cap = p->cap ? 2 * p->cap : 16;
            p->rows = xrealloc(p->rows, (size_t)p->cap * sizeof(*p->rows));
        }
        p->rows[p->nrows++] = row_text(&m[i], p->splitmessage,
                                       p->bundletimestamp);
        p->last_packet = m[i].packet;
callback:
        /* the table is current for the callback: rebuilt below too */
        if (p->callbacks[0]) {
            struct strbuf sb = {0};
            for (int r = 0; r < p->nrows; r++)
                sb_printf(&sb, "%s\n", p->rows[r]);
            dat_set_table(&op->dat, sb.s ? sb.s : "", '\t');
            sb_free(&sb);
            py_osc_receive(op, p->nrows - 1, &m[i]);
        }
    }
    struct strbuf sb = {0};
    for (int r = 0; r < p->nrows; r++)
        sb_printf(&sb, "%s\n", p->rows[r]);
    dat_set_table(&op->dat, sb.s ? sb.s : "", '\t');
    sb_free(&sb);
    return 0;
}

static void destroy(struct op *op)
{
    struct oscin_dat *p = op->priv;
    osc_link_close(&p->link);
    for (int i = 0; i < p->nrows; i++)
        free(p->rows[i]);
    free(p->rows);
}

static const struct par_def pars[] = {
    OSC_LINK_PARS(struct oscin_dat, "address", "netaddress", "addscope"),
    {.name = "maxlines", .label = "Maximum Lines", .kind = PAR_INT,
     .def = {10}, .norm = {1, 100}, .lim = {1, 100000},
     .clamp = PAR_CLAMP_BOTH, .offset = offsetof(struct oscin_dat, maxlines)},
    {.name = "bundletimestamp", .label = "Bundle Timestamp Column",
     .kind = PAR_TOGGLE,
     .offset = offsetof(struct oscin_dat, bundletimestamp)},
    {.name = "splitbundle", .label = "Split Bundles into Messages",
     .kind = PAR_TOGGLE, .def = {1},
     .offset = offsetof(struct oscin_dat, splitbundle)},
    {.name = "splitmessage", .label = "Split Messages into Columns",
     .kind = PAR_TOGGLE,
     .offset = offsetof(struct oscin_dat, splitmessage)},
    {.name = "clear", .label = "Clear", .kind = PAR_PULSE,
     .offset = offsetof(struct oscin_dat, clear)},
    {.name = "callbacks", .label = "Callbacks DAT", .kind = PAR_OP,
     .families = OP_FAMILY_BIT(OP_DAT), .no_dep = true,
     .offset = offsetof(struct oscin_dat, callbacks)},
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
};
