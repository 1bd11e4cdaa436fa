/* web.h: the kiosk's HTTP server (kiosk.ini [http]; libwebsockets, on its
 * own thread), read-only:
 *
 *   /status        the technician's page: name, network, fps graph,
 *                  errors with their op paths, the log's last lines,
 *                  OSC/MIDI counters, the other kiosks, a preview
 *   /status.json   what the page shows, refreshed once a second
 *   /preview.jpg   the output, small, refreshed every 3 s while the page
 *                  is watched (taken off the frame only then)
 *   / and below    OSCQuery (kiosk/oscquery.h): HOST_INFO, the tree,
 *                  attributes; a WebSocket on the same port takes
 *                  {"COMMAND": "LISTEN" | "IGNORE", "DATA": path} and
 *                  sends each change of a listened parameter as an OSC
 *                  message (a binary frame)
 *
 * Bound to 127.0.0.1 unless [http] bind opens it. It never changes
 * anything: values are set over OSC ([osc] params), as ACCESS says.
 *
 * Threads: web_open/close/frame/preview_* on the main thread, which alone
 * reads the graph: requests that need it wait for the next frame. */
#ifndef VITRINE_WEB_H
#define VITRINE_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct graph;
struct web;

/* What the status page says beside the graph's own. */
struct web_status {
    const char *name;    /* the kiosk's */
    const char *mode;    /* "running" or "fallback" */
    const char *sync;    /* the peers' line, "" none */
    bool sync_out;
};

/* NULL when [http] port is 0, or (with a warning) when it cannot listen. */
struct web *web_open(const struct kiosk_config *cfg, const char *name);
void web_close(struct web **w);
int web_port(const struct web *w);
/* Once a frame: answers what waits for the graph (OSCQuery), sends
 * LISTEN changes, and once a second renews /status.json. */
void web_frame(struct web *w, struct graph *g, const struct web_status *st);
/* Whether a preview is wanted now (the page was watched in the last 30 s
 * and the last preview is 3 s old); then web_preview gets one: w * h RGBA
 * pixels, rows bottom to top. */
bool web_preview_due(const struct web *w);
void web_preview(struct web *w, const uint8_t *rgba, int width, int height);

#endif
