#include "osc_link.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const struct par_menu_item osc_protocols[] = {
    {"udp", "Messaging (UDP)"}, {"multicast", "Multicast Messaging (UDP)"},
    {"tcp", "Streaming (TCP/IP)"}, {0},
};

struct osc_server *osc_link_update(struct op *op, struct osc_link *l,
                                   bool active, const char *bind, int port,
                                   int protocol, const char *group,
                                   bool *failed)
{
    *failed = false;
    if (l->version == op->par_version && (l->server || !active))
        return l->server;
    /* Get the new one before letting the old go, so that a server whose
     * parameters did not change keeps its socket. */
    struct osc_server *old = l->server;
    l->server = NULL;
    l->version = op->par_version;
    if (active) {
        char err[256];
        l->server = osc_server_get_proto(
            bind, port ? port : osc_default_port(),
            protocol == OSC_PROTO_MULTICAST ? group : NULL,
            protocol == OSC_PROTO_TCP, err, sizeof(err));
        if (!l->server) {
            op_set_error(op, "%s", err);
            *failed = true;
        }
    }
    osc_server_put(&old);
    return l->server;
}

void osc_link_close(struct osc_link *l)
{
    osc_server_put(&l->server);
}

bool osc_in_scope(const char *scope, const char *addr)
{
    if (scope[0] == '*' && scope[1] == '\0')
        return true; /* the default, per message: no parsing */
    bool any_include = false, included = false;
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", scope);
    for (char *save, *t = strtok_r(buf, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        if (t[0] == '^') {
            if (fnmatch(t + 1, addr, 0) == 0)
                return false;
        } else {
            any_include = true;
            included |= fnmatch(t, addr, 0) == 0;
        }
    }
    return !any_include || included;
}

const struct osc_msg *osc_link_due(struct osc_link *l,
                                   const struct cook_ctx *ctx, size_t *count)
{
    return osc_server_due(l->server, ctx->frame, ctx->instant_ns, count);
}
