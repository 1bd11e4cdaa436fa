/* osc.h: OSC input and output. One server per bind address and port
 * (UDP, or a multicast group), shared by every op that listens there.
 * Each server reads its socket on its own thread (recvmmsg, a receive
 * buffer of at least 4 MiB), walks bundles (nested, with their timetags),
 * has liblo decode each message (engine/base/osc_codec.c, the runtime's
 * one OSC codec, which also encodes everything sent) and puts the messages into
 * a bounded single-producer queue.
 * The main thread drains it once per frame: a message is due in the first
 * frame whose instant (graph.h) is at or after its bundle's timetag
 * ("immediately": the next frame). A full queue drops and counts, and never blocks.
 *
 * Threads: osc_server_get/put/due on the main thread; the reader is
 * internal. */
#ifndef VITRINE_OSC_H
#define VITRINE_OSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../engine/base/osc_codec.h"

#define OSC_ADDR_MAX 128
#define OSC_ARGS_MAX 16
#define OSC_STR_MAX 96
#define OSC_RAW_MAX 512

/* One received message, as the ops see it. */
struct osc_msg {
    char addr[OSC_ADDR_MAX];
    uint64_t due_ns;    /* CLOCK_REALTIME; 0: immediately */
    uint32_t from_ip;   /* IPv4, network order */
    uint16_t from_port; /* host order */
    uint32_t packet;    /* the server's count of packets, from 1: messages
                         * of one bundle share it */
    uint8_t nargs;      /* numeric arguments in val */
    uint8_t skipped;    /* arguments of other types, not in val */
    char str[OSC_STR_MAX]; /* the first string argument, "" if none */
    uint64_t timetag;      /* the bundle's, as sent (1: immediately) */
    int64_t recv_ns;       /* CLOCK_REALTIME when the reader took it */
    uint16_t raw_len;      /* the message's bytes (0 when over
                            * OSC_RAW_MAX), for OSC In DAT callbacks */
    unsigned char raw[OSC_RAW_MAX];
    double val[OSC_ARGS_MAX];
};

/* Counters, for status and the log: dropped, by vitrine's full queue;
 * lost, by the kernel's full receive buffer (SO_RXQ_OVFL) before vitrine
 * read them. */
struct osc_stats {
    uint64_t packets, messages, malformed, dropped, unsupported, refused,
        lost;
};

struct osc_server;
struct osc_sender;

/* Sources allowed to send (all servers): a list of IPv4 CIDR blocks
 * separated by commas or spaces ("127.0.0.0/8, 10.1.2.3"); empty or NULL
 * allows all. Packets from elsewhere are counted as refused. Returns 0,
 * or -1 with a message naming the bad entry. */
int osc_set_allow(const char *list, char *err, size_t n);

/* The port of OSC In ops whose port is 0 (`vitrine --osc-port`); 10000
 * until set. Main thread. */
void osc_set_default_port(int port);
int osc_default_port(void);

/* Sends a message from s's socket to ip:port (network order ip, host
 * order port); types: 'i' int, 'f' double (sent as float), 'd' double,
 * 's' string. A server bound to an address sends multicast through
 * that address's interface. */
void osc_server_send(struct osc_server *s, uint32_t ip, uint16_t port,
                     const char *addr, const char *types, ...);

/* The server for this address (NULL or "" binds to all), port and
 * multicast group (NULL or "": unicast), created on first use. NULL with
 * a message when the socket cannot be made. */
struct osc_server *osc_server_get(const char *bind, int port,
                                  const char *group, char *err, size_t n);
/* The same for a TCP server (tcp: listening on port; group ignored):
 * packets framed OSC 1.0 style (a size before each) or OSC 1.1 style
 * (SLIP), told apart per connection by its first byte; at most 16
 * connections at once; the allow-list applies to each connection. */
struct osc_server *osc_server_get_proto(const char *bind, int port,
                                        const char *group, bool tcp,
                                        char *err, size_t n);
/* Lets go of a server from osc_server_get; the last user stops it. */
void osc_server_put(struct osc_server **s);

/* The messages due in the frame that starts at now_ns (CLOCK_REALTIME),
 * in arrival order; the same list for every caller in that frame. */
const struct osc_msg *osc_server_due(struct osc_server *s, int64_t frame,
                                     int64_t now_ns, size_t *count);
void osc_server_stats(const struct osc_server *s, struct osc_stats *st);
/* The sum over every open server (main thread). */
void osc_stats_all(struct osc_stats *sum);
int osc_server_port(const struct osc_server *s);
/* This server takes packets from every source, whatever the allow-list
 * says: for the kiosks' own clock messages (kiosk/peers.h), which set
 * nothing and run nothing. */
void osc_server_allow_all(struct osc_server *s);

/* A destination for OSC output: host (name or IPv4; a multicast group
 * works as is) and port. NULL with a message. */
struct osc_sender *osc_sender_open(const char *host, int port, char *err,
                                   size_t n);
/* The same over TCP (OSC 1.0 framing: a size before each packet),
 * connecting without waiting, at once after the connection is lost and
 * then every 2 s; what is sent while it is down is lost (-1). */
struct osc_sender *osc_sender_open_proto(const char *host, int port,
                                         bool tcp, char *err, size_t n);
void osc_sender_close(struct osc_sender **s);
/* One message of n floats; returns 0, or -1 (counted, logged once). */
int osc_sender_floats(struct osc_sender *s, const char *addr,
                      const double *vals, int n);
/* Several (address, value) messages in one bundle, timetag immediately. */
int osc_sender_bundle(struct osc_sender *s, const char *const *addrs,
                      const double *vals, int n);

/* Decodes one packet into messages (for the reader, and for tests):
 * calls emit for each message. Returns the messages decoded, or -1 when
 * the packet is malformed (then nothing was emitted). Bundles are walked
 * here; each message is decoded by osc_message_args. */
int osc_decode(const void *data, size_t len,
               void (*emit)(void *ctx, const struct osc_msg *m),
               void *ctx);

#endif
