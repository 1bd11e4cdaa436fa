/* oscoutCHOP: sends its input's channels as OSC to `netaddress`:`port`
 * (UDP, a multicast group as the address; or over TCP, `protocol`,
 * connecting again when the connection is lost), each cook or only when a
 * value changed (`sendevery`): one message per channel, the channel's name
 * as the address ('/' added when missing) and its value as a float, or all
 * of them in one bundle (`bundle`). Passes its input through. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../control/osc.h"
#include "../base/util.h"
#include "chop_util.h"
#include "osc_link.h"

enum { EVERY_COOK, ON_CHANGE };

struct oscout {
    int active, port, sendevery, bundle, protocol;
    char *netaddress;
    struct osc_sender *sender;
    uint64_t sender_version;
    double *last; /* values last sent, per channel */
    const char **last_names;
    int nlast;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct oscout *p = op->priv;
    struct op *in = op_input(op, 0);
    struct chop_data *c = &op->chop;
    if (!in)
        return -1;
    chop_copy_layout(c, &in->chop);
    memcpy(c->vals, in->chop.vals, (size_t)c->nchan * (size_t)c->nsamples *
                                       sizeof(double));
    if (!p->active)
        return 0;
    if (!p->sender || p->sender_version != op->par_version) {
        osc_sender_close(&p->sender);
        char err[256];
        p->sender = osc_sender_open_proto(p->netaddress, p->port,
                                          p->protocol == OSC_PROTO_TCP, err,
                                          sizeof(err));
        p->sender_version = op->par_version;
        if (!p->sender) {
            op_set_error(op, "%s", err);
            return 1;
        }
    }
    if (c->nchan != p->nlast) {
        p->last = xrealloc(p->last, (size_t)(c->nchan + 1) * sizeof(double));
        p->last_names = xrealloc(p->last_names,
                                 (size_t)(c->nchan + 1) * sizeof(char *));
        for (int i = 0; i < c->nchan; i++)
            p->last_names[i] = NULL;
        p->nlast = c->nchan;
    }
    const char *addrs[64];
    double vals[64];
    char bufs[64][OSC_ADDR_MAX];
    int n = 0;
    for (int i = 0; i < c->nchan; i++) {
        double v = c->nsamples ? chop_value(c, i) : 0;
        bool changed = p->last_names[i] != c->names[i] || p->last[i] != v;
        p->last[i] = v;
        p->last_names[i] = c->names[i];
        if (p->sendevery == ON_CHANGE && !changed)
            continue;
        char addr[OSC_ADDR_MAX];
        snprintf(addr, sizeof(addr), "%s%s", c->names[i][0] == '/' ? "" : "/",
                 c->names[i]);
        if (!p->bundle || n == 64) {
            osc_sender_floats(p->sender, addr, &v, 1);
            continue;
        }
        snprintf(bufs[n], sizeof(bufs[n]), "%s", addr);
        addrs[n] = bufs[n];
        vals[n++] = v;
    }
    if (n)
        osc_sender_bundle(p->sender, addrs, vals, n);
    return 0;
}

static void destroy(struct op *op)
{
    struct oscout *p = op->priv;
    osc_sender_close(&p->sender);
    free(p->last);
    free(p->last_names);
}

static const struct par_menu_item everys[] = {
    {"cook", "Every Cook"}, {"change", "When a Value Changes"}, {0},
};

static const struct par_def pars[] = {
    {.name = "active", .label = "Active", .def = {1},
     PARAM_TOGGLE(struct oscout, active)},
    {.name = "protocol", .label = "Protocol",
     .menu = osc_protocols, PARAM_MENU(struct oscout, protocol)},
    {.name = "netaddress", .label = "Network Address",
     .def_str = "127.0.0.1", PARAM_STRING(struct oscout, netaddress)},
    {.name = "port", .label = "Network Port",
     .def = {10000}, .norm = {1, 65535}, .lim = {1, 65535},
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(struct oscout, port)},
    {.name = "sendevery", .label = "Send Events",
     .menu = everys, PARAM_MENU(struct oscout, sendevery)},
    {.name = "bundle", .label = "One Bundle",
     PARAM_TOGGLE(struct oscout, bundle)},
    {0},
};

const struct op_type op_chop_oscout = {
    .name = "oscout",
    .optype = "oscoutCHOP",
    .label = "OSC Out",
    .about = "sends its input's channels as OSC to `netaddress`:`port` (channel "
             "name as the address, value as a float), every cook or on change "
             "(`sendevery`), optionally as one `bundle`, over UDP or `protocol` "
             "tcp (reconnecting); passes its input through",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_ALWAYS_COOK,
    .pars = pars,
    .priv_size = sizeof(struct oscout),
    .cook = cook,
    .destroy = destroy,
};
