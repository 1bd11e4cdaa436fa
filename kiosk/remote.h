/* remote.h: the runtime's own OSC namespace, on kiosk.ini's [osc] port:
 *
 *   /vitrine/status              replies /vitrine/status with frame (i),
 *                                fps (f), network (s), uptime in seconds
 *                                (f), error count (i), dropped messages (i),
 *                                mode (s: "running", or "fallback" after a
 *                                crash loop)
 *   /vitrine/reload              reloads the network (as SIGHUP does);
 *                                replies /vitrine/reloaded (s: network) or
 *                                /vitrine/error (s: what was wrong)
 *   /vitrine/load NETWORK (s)    loads another network, the same way: one
 *                                inside [osc] load_dir (relative paths
 *                                start there), nothing outside it
 *   /project1/blur1/size 5.0     sets a parameter by path, through the
 *                                same code as network files and Python;
 *                                a problem is replied as /vitrine/error (s)
 *
 * [osc] namespace and params turn each off; [osc] allow is the source
 * allow-list for every OSC port. Messages apply at the start of a frame,
 * before scripts run. */
#ifndef VITRINE_REMOTE_H
#define VITRINE_REMOTE_H

#include <stdbool.h>

#include "config.h"

struct graph;
struct remote;

/* NULL when both are turned off, or (with a warning) when the port cannot
 * be opened. */
struct remote *remote_open(const struct kiosk_config *cfg);
void remote_close(struct remote **r);
/* Applies what is due in this frame. */
void remote_frame(struct remote *r, struct graph *g);

enum remote_request { REMOTE_NONE, REMOTE_RELOAD, REMOTE_LOAD };
/* A reload or load asked for in this frame; *network (newly allocated)
 * for a load. */
enum remote_request remote_take_request(struct remote *r, char **network);
/* Tells whoever asked how the reload or load went. */
void remote_reply(struct remote *r, bool ok, const char *text);
/* The folder /vitrine/load takes networks from: kiosk.ini's [osc]
 * load_dir, else dir (the folder of the network run at start). */
void remote_set_load_dir(struct remote *r, const char *dir);
/* What /vitrine/status says the runtime is doing: a static string. */
void remote_set_mode(struct remote *r, const char *mode);

#endif
