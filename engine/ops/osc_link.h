/* osc_link.h: what OSC In ops share: keeping a server for the port their
 * parameters name, and the address scope. */
#ifndef VITRINE_OSC_LINK_H
#define VITRINE_OSC_LINK_H

#include "../../control/osc.h"
#include "../graph/graph.h"

struct osc_link {
    struct osc_server *server;
    uint64_t version; /* op->par_version it was made for */
};

/* The server for these parameters (reconnected when they changed), NULL
 * when inactive or (with the op's error set) when the port cannot be
 * opened. *failed tells the two apart. */
struct osc_server *osc_link_update(struct op *op, struct osc_link *l,
                                   bool active, const char *bind, int port,
                                   const char *group, bool *failed);
void osc_link_close(struct osc_link *l);
/* Glob patterns separated by spaces; those starting with ^ exclude. */
bool osc_in_scope(const char *scope, const char *addr);
/* Messages due in this frame (now: CLOCK_REALTIME). */
const struct osc_msg *osc_link_due(struct osc_link *l, int64_t frame,
                                   size_t *count);

#endif
