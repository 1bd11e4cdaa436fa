/* ask.h: `vitrine reload`, the running instance asked over its own OSC
 * namespace port (kiosk.ini [osc] port) to reload its network, as
 * /vitrine/reload does. Both systemd units use it as ExecReload, so a
 * reload reaches vitrine whether it runs alone or under cage. */
#ifndef VITRINE_ASK_H
#define VITRINE_ASK_H

#include "config.h"

/* Sends /vitrine/reload and waits up to timeout_s for the answer, which
 * it prints. Returns the exit status: 0 reloaded, 3 the network has
 * errors (the running one stays), 1 no answer or no namespace to ask. */
int ask_reload(const struct kiosk_config *cfg, const char *cfg_path,
               double timeout_s);

#endif
