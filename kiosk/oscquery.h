/* oscquery.h: the network as an OSCQuery tree (HTTP + JSON): the root
 * COMP's ops as containers, their parameters as methods at the same
 * addresses the runtime's OSC namespace sets (/project1/blur1/size), with
 * TYPE, VALUE, RANGE, CLIPMODE, ACCESS and DESCRIPTION. ACCESS follows the
 * one policy for values from the network (par_remote_check): 3 where an
 * OSC message may set the parameter, 1 where it is read only (an
 * expression, an export, or [osc] params off), 0 and no value for what
 * names a file or an op or holds code.
 *
 * Main thread (it reads the graph). */
#ifndef VITRINE_OSCQUERY_H
#define VITRINE_OSCQUERY_H

#include <stdbool.h>
#include <stddef.h>

struct graph;

struct oscquery_host {
    const char *name;    /* the kiosk's */
    int osc_port;        /* 0: the namespace is off */
    bool osc_params;     /* [osc] params: values may be set */
    const char *osc_ip;  /* NULL: the address the client used */
};

/* The reply to GET path?query: an HTTP status (200; 204 for an attribute
 * the node has not; 400 for an attribute OSCQuery does not know; 404 for
 * a path that is not there) and, for 200, *body (malloc'ed JSON). */
int oscquery_reply(struct graph *g, const struct oscquery_host *h,
                   const char *path, const char *query, char **body);

/* For LISTEN: whether the parameter at path has changed since key (its
 * value as text; "" at first): 1 with key updated and the parameter as
 * an OSC message carrying its value in *msg (malloc'ed bytes), 0 when it
 * is the same, -1 when path names no readable parameter. */
int oscquery_value(struct graph *g, const char *path, char *key,
                   size_t keylen, unsigned char **msg, size_t *len);

#endif
