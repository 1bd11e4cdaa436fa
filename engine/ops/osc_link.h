/* osc_link.h: what OSC In ops share: keeping a server for the port their
 * parameters name, and the address scope. */
#ifndef VITRINE_OSC_LINK_H
#define VITRINE_OSC_LINK_H

#include "../../control/osc.h"
#include "../graph/graph.h"

enum { OSC_PROTO_UDP, OSC_PROTO_MULTICAST, OSC_PROTO_TCP };
extern const struct par_menu_item osc_protocols[];

/* The connection parameters of OSC In ops, declared once: T has int
 * active, protocol, port and char *netaddress, *localaddress,
 * *addressscope. ADDR and SCOPE are the names TouchDesigner gives the
 * network address and the address scope on this op type (ADDR_ALIAS:
 * another name for the address, or NULL); `addressscope` is always
 * accepted too. */
#define OSC_LINK_PARS(T, ADDR, ADDR_ALIAS, SCOPE)                           \
    {.name = "active", .label = "Active", .def = {1},                       \
     PARAM_TOGGLE(T, active)},                                              \
    {.name = "protocol", .label = "Protocol",                               \
     .menu = osc_protocols, PARAM_MENU(T, protocol)},                       \
    {.name = ADDR, .alias = ADDR_ALIAS, .label = "Network Address",         \
     PARAM_STRING(T, netaddress)},                                          \
    /* 0: the runtime's default (--osc-port, else 10000) */               \
    {.name = "port", .label = "Network Port",                               \
     .def = {0}, .norm = {0, 65535}, .lim = {0, 65535},                     \
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(T, port)},                          \
    {.name = "localaddress", .label = "Local Address",                      \
     PARAM_STRING(T, localaddress)},                                        \
    {.name = SCOPE, .alias = "addressscope", .label = "OSC Address Scope",  \
     .def_str = "*", PARAM_STRING(T, addressscope)}

struct osc_link {
    struct osc_server *server;
    uint64_t version; /* op->par_version it was made for */
};

/* The server for these parameters (reconnected when they changed), NULL
 * when inactive or (with the op's error set) when the port cannot be
 * opened. *failed tells the two apart. protocol: OSC_PROTO_*; group is
 * the multicast group's address. */
struct osc_server *osc_link_update(struct op *op, struct osc_link *l,
                                   bool active, const char *bind, int port,
                                   int protocol, const char *group,
                                   bool *failed);
void osc_link_close(struct osc_link *l);
/* Glob patterns separated by spaces; those starting with ^ exclude. */
bool osc_in_scope(const char *scope, const char *addr);
/* Messages due in the frame ctx cooks: those whose timetag is at or
 * before the frame's instant. */
const struct osc_msg *osc_link_due(struct osc_link *l,
                                   const struct cook_ctx *ctx, size_t *count);

#endif
