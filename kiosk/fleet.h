/* fleet.h: `vitrine fleet`, the kiosks on the network as their
 * announcements tell (kiosk/peers.h), for a technician's terminal and
 * monitoring scripts. */
#ifndef VITRINE_FLEET_H
#define VITRINE_FLEET_H

#include "config.h"

/* Listens on cfg's [sync] group for seconds, pinging each kiosk heard,
 * then prints one line per kiosk: name, address, network, mode, frame,
 * errors, its clock against this machine's, what its peers say of it.
 * Returns 0 when every kiosk is running and in step, 1 when one is out
 * of step (most of its peers say so) or running its fallback network,
 * or when none was heard. */
int fleet_run(const struct kiosk_config *cfg, double seconds);

#endif
