/* mdns.h: the kiosk advertised on the local network through Avahi
 * (mDNS/DNS-SD), as OSCQuery clients look for servers: `_oscjson._tcp`
 * at the HTTP port and `_osc._udp` at the OSC namespace's port, under the
 * kiosk's name (another name is taken on a collision, and said). Only
 * what is reachable from the network is advertised: nothing bound to
 * loopback. Without a running avahi-daemon it says so once and
 * advertises when the daemon comes.
 *
 * Threads: open/close on the main thread; Avahi's poll thread does the
 * rest. */
#ifndef VITRINE_MDNS_H
#define VITRINE_MDNS_H

struct mdns;

/* http_port / osc_port 0: that service is not advertised. NULL when
 * neither is. */
struct mdns *mdns_open(const char *name, int http_port, int osc_port);
void mdns_close(struct mdns **m);

#endif
