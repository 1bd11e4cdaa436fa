/* oscquery.h: the network as an OSCQuery tree (HTTP + JSON): the root
 * COMP's ops as containers, their parameters as methods at the same
 * addresses the runtime's OSC namespace sets (/project1/blur1/size), with
 * TYPE, VALUE, RANGE, CLIPMODE, ACCESS and DESCRIPTION. ACCESS follows the
 * one policy for values from the network (par_remote_check): 3 where an
 * OSC message may set the parameter, 1 where it is read only (an
 * expression, an export, or [osc] params off), 0 and no value for what
 * names a file or an op or holds code.
 *
 * Capture and LISTEN values on the main thread (they read the graph);
 * rendering on any. */
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

struct strbuf;

/* A reply in two halves, so that the frame loop does the least: the
 * main thread copies the node at path (and, without a query, all below
 * it) into out, a flat record of bytes and numbers; the server's thread
 * makes JSON of it with oscquery_render.
 *
 * oscquery_check: 0, or 400 for an attribute OSCQuery does not know
 * (HOST_INFO is oscquery_host_info's, needing no graph).
 * oscquery_capture: 0, or 404 for a path that is not there.
 * oscquery_render: 200 with *body (malloc'ed JSON), or 204 for an
 * attribute the node has not. */
int oscquery_check(const char *query);
int oscquery_capture(struct graph *g, const struct oscquery_host *h,
                     const char *path, const char *query,
                     struct strbuf *out);
int oscquery_render(const struct oscquery_host *h, const char *query,
                    const void *data, size_t len, char **body);
/* HOST_INFO's JSON (malloc'ed). Any thread. */
char *oscquery_host_info(const struct oscquery_host *h);

/* For LISTEN: whether the parameter at path has changed since key (its
 * value as text; "" at first): 1 with key updated and the parameter as
 * an OSC message carrying its value in *msg (malloc'ed bytes), 0 when it
 * is the same, -1 when path names no readable parameter. */
int oscquery_value(struct graph *g, const char *path, char *key,
                   size_t keylen, unsigned char **msg, size_t *len);

#endif
