#include "fleet.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../control/osc.h"
#include "../engine/base/util.h"
#include "cli.h"
#include "peers.h"

#define KIOSKS_MAX 64

struct kiosk {
    struct announce a;
    uint32_t ip;
    uint16_t port;
    double best_delay, offset; /* seconds; best_delay < 0: no reply */
    int votes;                 /* peers that say it is out of step */
};

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct kiosk *find(struct kiosk *k, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (strcmp(k[i].a.id, id) == 0)
            return &k[i];
    return NULL;
}

/* Whether list (ids separated by commas) holds id. */
static bool lists(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; (p = strstr(p, id)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
            return true;
    return false;
}

int fleet_run(const struct kiosk_config *cfg, double seconds)
{
    char err[256];
    struct osc_server *gs, *own;
    if (peers_sockets(cfg, &gs, &own, err, sizeof(err)) != 0) {
        fprintf(stderr, "vitrine fleet: %s\n", err);
        return EXIT_FAILURE_RUN;
    }
    struct kiosk *k = xcalloc(KIOSKS_MAX, sizeof(*k));
    int n = 0;
    int64_t end = clock_now_ns() + (int64_t)(seconds * 1e9);
    int64_t ping_due = 0;
    for (int64_t round = 1; clock_now_ns() < end; round++) {
        struct timespec pause = {0, 20000000};
        nanosleep(&pause, NULL);
        size_t count;
        const struct osc_msg *m = osc_server_due(gs, round, realtime_ns(),
                                                 &count);
        for (size_t i = 0; i < count; i++) {
            struct announce a;
            if (announce_decode(&m[i], &a) != 0)
                continue;
            struct kiosk *q = find(k, n, a.id);
            if (!q && n < KIOSKS_MAX) {
                q = &k[n++];
                q->best_delay = -1;
            }
            if (q) {
                q->a = a;
                q->ip = m[i].from_ip;
                q->port = m[i].from_port;
            }
        }
        m = osc_server_due(own, round, realtime_ns(), &count);
        for (size_t i = 0; i < count; i++) {
            double t[3];
            char id[PEERS_ID_LEN + 1];
            if (pong_decode(&m[i], t, id, sizeof(id)) != 0)
                continue;
            struct kiosk *q = find(k, n, id);
            double t4 = (double)m[i].recv_ns * 1e-9;
            double delay = (t4 - t[0]) - (t[2] - t[1]);
            if (q && delay >= 0 && (q->best_delay < 0 ||
                                    delay < q->best_delay)) {
                q->best_delay = delay;
                q->offset = ((t[1] - t[0]) + (t[2] - t4)) / 2;
            }
        }
        if (clock_now_ns() >= ping_due) {
            ping_due = clock_now_ns() + 200000000;
            for (int i = 0; i < n; i++)
                osc_server_send(own, k[i].ip, k[i].port,
                                "/vitrine/sync/ping", "ds", peers_clock(),
                                "fleet");
        }
    }
    osc_server_put(&gs);
    osc_server_put(&own);
    if (!n) {
        fprintf(stderr, "vitrine fleet: no kiosk announced itself on %s:%d "
                "within %g s (kiosk.ini [sync] announce, group, port; is "
                "multicast let through?)\n", cfg->sync_group, cfg->sync_port,
                seconds);
        free(k);
        return EXIT_FAILURE_RUN;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j && lists(k[j].a.suspects, k[i].a.id))
                k[i].votes++;
    printf("%-16s %-21s %-16s %-8s %10s %6s %10s  %-22s %s\n", "NAME",
           "ADDRESS", "NETWORK", "MODE", "FRAME", "ERRORS", "CLOCK", "STATE",
           "SAYS");
    int bad = 0, out = 0, fallback = 0;
    for (int i = 0; i < n; i++) {
        const struct kiosk *q = &k[i];
        char where[32], clock[24], state[48];
        uint32_t h = ntohl(q->ip);
        snprintf(where, sizeof(where), "%u.%u.%u.%u:%u", h >> 24,
                 (h >> 16) & 255, (h >> 8) & 255, h & 255, q->port);
        if (q->best_delay >= 0)
            snprintf(clock, sizeof(clock), "%+.2f ms", q->offset * 1e3);
        else
            snprintf(clock, sizeof(clock), "no reply");
        /* out of step: most of its peers say so (both, of two) */
        int others = n - 1;
        bool is_out = others > 0 && (others == 1 ? q->votes == 1
                                                 : 2 * q->votes > others);
        bool is_fallback = strcmp(q->a.mode, "running") != 0;
        if (is_out)
            snprintf(state, sizeof(state), "OUT OF STEP (%d of %d)",
                     q->votes, others);
        else if (is_fallback)
            snprintf(state, sizeof(state), "FALLBACK");
        else
            snprintf(state, sizeof(state), "ok");
        out += is_out;
        fallback += is_fallback;
        bad += is_out || is_fallback;
        printf("%-16s %-21s %-16s %-8s %10.0f %6d %10s  %-22s %s\n",
               q->a.name, where, q->a.network, q->a.mode, q->a.frame,
               q->a.errors, clock, state, q->a.report);
    }
    printf("%d kiosk%s: %d out of step, %d in fallback\n", n,
           n == 1 ? "" : "s", out, fallback);
    free(k);
    return bad ? EXIT_FAILURE_RUN : 0;
}
