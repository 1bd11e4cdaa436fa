/* remote.h: the runtime's own OSC namespace, on kiosk.ini's [osc] port:
 *
 *   /vitrine/status              replies /vitrine/status with frame (i),
 *                                fps (f), network (s), uptime in seconds
 *                                (f), error count (i), dropped messages (i)
 *   /project1/blur1/size 5.0     sets a parameter by path, through the
 *                                same code as network files and Python;
 *                                a problem is replied as /vitrine/error (s)
 *
 * [osc] namespace and params turn each off; [osc] allow is the source
 * allow-list for every OSC port. Messages apply at the start of a frame,
 * before scripts run. */
#ifndef VITRINE_REMOTE_H
#define VITRINE_REMOTE_H

#include "config.h"

struct graph;
struct remote;

/* NULL when both are turned off, or (with a warning) when the port cannot
 * be opened. */
struct remote *remote_open(const struct kiosk_config *cfg);
void remote_close(struct remote **r);
/* Applies what is due in this frame. */
void remote_frame(struct remote *r, struct graph *g);

#endif
