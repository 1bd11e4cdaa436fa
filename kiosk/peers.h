/* peers.h: kiosks that know each other (kiosk.ini [sync]). Each kiosk
 * announces itself once a second on a multicast group, as OSC over UDP:
 *
 *   /vitrine/sync/announce  name (s), id (s), network (s), mode (s),
 *                           frame (d), instant (d: the frame's instant,
 *                           Unix seconds), fps (d), epoch (d, -1: none),
 *                           errors (i), clock synchronised (i: 1, 0, -1
 *                           unknown), clock's estimated error in ms (d,
 *                           adjtimex), OSC port (i), ids of the peers out
 *                           of step with it (s, comma-separated), what it
 *                           says of its peers (s)
 *
 * from its own unicast socket, where every kiosk that hears it measures
 * its clock with NTP's four timestamps:
 *
 *   /vitrine/sync/ping      t1 (d: the sender's clock), id (s)
 *   /vitrine/sync/pong      t1, t2 (received), t3 (sent) (d), id (s)
 *
 * offset = ((t2 - t1) + (t3 - t4)) / 2 of the reply with the shortest
 * round trip among the last eight. A peer more than half a frame away is
 * said in the log (`kiosk-2 is 23.0 ms ahead: is chrony running there?`),
 * the overlay and the announcement. Nothing of this sets a parameter or
 * runs anything; the group and the pings take any source.
 *
 * Threads: main thread (the OSC readers stamp arrivals on theirs). */
#ifndef VITRINE_PEERS_H
#define VITRINE_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct graph;
struct osc_msg;
struct osc_server;
struct peers;

#define PEERS_NAME_MAX 48
#define PEERS_ID_LEN 8 /* hex digits */

/* One announcement, as sent. */
struct announce {
    char name[PEERS_NAME_MAX], id[PEERS_ID_LEN + 1];
    char network[64], mode[16];
    double frame, instant, fps, epoch;
    int errors, clock_synced;
    double clock_error_ms;
    int osc_port;
    char suspects[128]; /* ids, comma-separated */
    char report[128];
};

/* NULL when [sync] announce is off (by default: on when there is an
 * epoch), or with a warning when the sockets cannot be opened. */
struct peers *peers_open(const struct kiosk_config *cfg);
void peers_close(struct peers **p);
/* Once a frame, at its start: answers pings, takes announcements and
 * replies, and once a second announces and pings. mode: "running" or
 * "fallback". */
void peers_frame(struct peers *p, struct graph *g, const char *mode);
/* One line for the overlay and the status: the peers and the worst
 * offset; "" when there are none. *out: something is out of step. */
const char *peers_line(const struct peers *p, bool *out);

/* The [sync] group's server and a unicast one on the same interface (a
 * port of the system's choosing), both taking any source: 0, or -1 with
 * the reason in err. */
int peers_sockets(const struct kiosk_config *cfg, struct osc_server **group,
                  struct osc_server **own, char *err, size_t n);
/* For `vitrine fleet` and the tests: an announcement's message, decoded
 * (0, or -1 when m is not one). */
int announce_decode(const struct osc_msg *m, struct announce *a);
/* t1..t3 of a pong (0, or -1 when m is not one). */
int pong_decode(const struct osc_msg *m, double t[3], char *id, size_t n);
/* The system clock now, Unix seconds. */
double peers_clock(void);
/* adjtimex's view of the system clock: 1 synchronised, 0 not, -1
 * unknown; *error_ms its estimated error. */
int peers_clock_state(double *error_ms);

#endif
