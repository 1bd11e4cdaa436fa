#include "peers.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "../control/osc.h"
#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"

#define PEERS_MAX 64
#define SAMPLES 8
#define LOST_NS 5000000000LL   /* no announcement for this long: gone */
#define REPEAT_NS 60000000000LL /* an out-of-step peer is said again */

struct peer {
    struct announce a;
    uint32_t ip; /* its announcements' source: where pings go */
    uint16_t port;
    int64_t seen_ns; /* the last announcement, monotonic */
    double offset[SAMPLES], delay[SAMPLES]; /* seconds */
    int nsamples, next;
    bool out, said_timeline;
    int64_t said_ns;
};

struct peers {
    struct osc_server *group, *own;
    uint32_t group_ip;
    uint16_t group_port;
    char name[PEERS_NAME_MAX], id[PEERS_ID_LEN + 1];
    struct peer peer[PEERS_MAX];
    int n;
    double epoch;
    int64_t tick_due;
    bool self_out;
    int64_t self_said_ns;
    int osc_port;
    char suspects[128], report[128], line[160];
};

double peers_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int peers_clock_state(double *error_ms)
{
    struct timex tx = {0}; /* modes 0: only reads */
    int rc = adjtimex(&tx);
    *error_ms = -1;
    if (rc < 0)
        return -1;
    *error_ms = (double)tx.esterror / 1000.0;
    return rc == TIME_ERROR || (tx.status & STA_UNSYNC) ? 0 : 1;
}

static void addr_text(uint32_t ip, uint16_t port, char *buf, size_t n)
{
    uint32_t h = ntohl(ip);
    snprintf(buf, n, "%u.%u.%u.%u:%u", h >> 24, (h >> 16) & 255,
             (h >> 8) & 255, h & 255, (unsigned)port);
}

/* ---- messages ---- */

/* A message's arguments; strings copied (the codec's go with the call). */
struct args {
    struct osc_arg a[20];
    int n;
    char text[OSC_RAW_MAX];
    size_t used;
};

static void keep(void *ctx, const struct osc_arg *a)
{
    struct args *as = ctx;
    if (as->n < (int)ARRAY_LEN(as->a)) {
        struct osc_arg *k = &as->a[as->n];
        *k = *a;
        if (a->type == 's' || a->type == 'S') {
            size_t len = strlen(a->s) + 1;
            if (as->used + len > sizeof(as->text))
                len = 0;
            k->s = len ? memcpy(as->text + as->used, a->s, len) : "";
            as->used += len;
        }
    }
    as->n++;
}

/* m's arguments, when its address is addr and its types are types. */
static bool args_of(const struct osc_msg *m, const char *addr,
                    const char *types, struct args *as)
{
    char got[OSC_ADDR_MAX];
    as->n = 0;
    as->used = 0;
    if (strcmp(m->addr, addr) != 0 || !m->raw_len ||
        osc_message_args(m->raw, m->raw_len, got, sizeof(got), keep, as) != 0)
        return false;
    if (as->n != (int)strlen(types))
        return false;
    for (int i = 0; i < as->n; i++)
        if (as->a[i].type != types[i])
            return false;
    return true;
}

#define ANNOUNCE_TYPES "ssssddddiidiss"

int announce_decode(const struct osc_msg *m, struct announce *a)
{
    struct args as;
    if (!args_of(m, "/vitrine/sync/announce", ANNOUNCE_TYPES, &as))
        return -1;
    const struct osc_arg *v = as.a;
    *a = (struct announce){0};
    snprintf(a->name, sizeof(a->name), "%s", v[0].s);
    snprintf(a->id, sizeof(a->id), "%s", v[1].s);
    snprintf(a->network, sizeof(a->network), "%s", v[2].s);
    snprintf(a->mode, sizeof(a->mode), "%s", v[3].s);
    a->frame = v[4].v.d;
    a->instant = v[5].v.d;
    a->fps = v[6].v.d;
    a->epoch = v[7].v.d;
    a->errors = v[8].v.i;
    a->clock_synced = v[9].v.i;
    a->clock_error_ms = v[10].v.d;
    a->osc_port = v[11].v.i;
    snprintf(a->suspects, sizeof(a->suspects), "%s", v[12].s);
    snprintf(a->report, sizeof(a->report), "%s", v[13].s);
    /* names become log text: printable, and something */
    for (char *c = a->name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return a->id[0] && a->name[0] && a->fps > 0 ? 0 : -1;
}

int pong_decode(const struct osc_msg *m, double t[3], char *id, size_t n)
{
    struct args as;
    if (!args_of(m, "/vitrine/sync/pong", "ddds", &as))
        return -1;
    for (int i = 0; i < 3; i++)
        t[i] = as.a[i].v.d;
    snprintf(id, n, "%s", as.a[3].s);
    return 0;
}

/* ---- opening ---- */

int peers_sockets(const struct kiosk_config *cfg, struct osc_server **group,
                  struct osc_server **own, char *err, size_t n)
{
    const char *iface = cfg->sync_interface && *cfg->sync_interface
                            ? cfg->sync_interface : NULL;
    *group = osc_server_get(iface, cfg->sync_port, cfg->sync_group, err, n);
    *own = *group ? osc_server_get(iface, 0, NULL, err, n) : NULL;
    if (!*own) {
        osc_server_put(group);
        return -1;
    }
    osc_server_allow_all(*group);
    osc_server_allow_all(*own);
    return 0;
}

struct peers *peers_open(const struct kiosk_config *cfg)
{
    if (cfg->sync_announce == 0 ||
        (cfg->sync_announce < 0 && cfg->sync_epoch < 0))
        return NULL;
    struct in_addr group;
    if (inet_pton(AF_INET, cfg->sync_group, &group) != 1 ||
        (ntohl(group.s_addr) >> 28) != 14) {
        LOG_WARN("[sync]", "[sync] group '%s' is not an IPv4 multicast "
                 "address (224.0.0.0 to 239.255.255.255); this kiosk does "
                 "not announce itself", cfg->sync_group);
        return NULL;
    }
    char err[256];
    struct osc_server *gs, *own;
    if (peers_sockets(cfg, &gs, &own, err, sizeof(err)) != 0) {
        LOG_WARN("[sync]", "this kiosk does not announce itself: %s", err);
        return NULL;
    }
    struct peers *p = xcalloc(1, sizeof(*p));
    p->group = gs;
    p->own = own;
    p->group_ip = group.s_addr;
    p->group_port = (uint16_t)cfg->sync_port;
    p->epoch = cfg->sync_epoch;
    p->osc_port = cfg->osc_namespace ? cfg->osc_port : 0;
    config_kiosk_name(cfg, p->name, sizeof(p->name));
    uint32_t r = 0;
    if (getrandom(&r, sizeof(r), 0) != sizeof(r))
        r = (uint32_t)clock_now_ns() ^ (uint32_t)getpid() << 16;
    snprintf(p->id, sizeof(p->id), "%08x", r);
    LOG_INFO("[sync]", "announcing %s (id %s) on %s:%d from port %d",
             p->name, p->id, cfg->sync_group, cfg->sync_port,
             osc_server_port(own));
    return p;
}

void peers_close(struct peers **pp)
{
    struct peers *p = *pp;
    if (!p)
        return;
    osc_server_put(&p->group);
    osc_server_put(&p->own);
    free(p);
    *pp = NULL;
}

/* ---- measuring ---- */

static struct peer *peer_by_id(struct peers *p, const char *id)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->peer[i].a.id, id) == 0)
            return &p->peer[i];
    return NULL;
}

/* The offset (seconds, the peer's clock less this one's) of the reply
 * with the shortest round trip among the last ones; false with fewer
 * than two. */
static bool peer_offset(const struct peer *q, double *offset, double *delay)
{
    int n = q->nsamples < SAMPLES ? q->nsamples : SAMPLES;
    if (n < 2)
        return false;
    int best = 0;
    for (int i = 1; i < n; i++)
        if (q->delay[i] < q->delay[best])
            best = i;
    *offset = q->offset[best];
    *delay = q->delay[best];
    return true;
}

static void take_announce(struct peers *p, const struct osc_msg *m,
                          int64_t now)
{
    struct announce a;
    if (announce_decode(m, &a) != 0 || strcmp(a.id, p->id) == 0)
        return;
    struct peer *q = peer_by_id(p, a.id);
    char where[32];
    addr_text(m->from_ip, m->from_port, where, sizeof(where));
    if (!q) {
        if (p->n == PEERS_MAX)
            return;
        q = &p->peer[p->n++];
        *q = (struct peer){0};
        LOG_INFO("[sync]", "found %s at %s (%s, %g fps)", a.name, where,
                 a.network, a.fps);
    }
    q->a = a;
    q->ip = m->from_ip;
    q->port = m->from_port;
    q->seen_ns = now;
    if (!q->said_timeline && fabs(a.epoch - p->epoch) > 1e-6) {
        q->said_timeline = true;
        LOG_WARN("[sync]", "%s runs another timeline (epoch %.3f; this "
                 "kiosk's %.3f): their frames differ by design; give every "
                 "kiosk the same [sync] epoch", a.name, a.epoch, p->epoch);
    }
}

static void take_own(struct peers *p, const struct osc_msg *m)
{
    if (strcmp(m->addr, "/vitrine/sync/ping") == 0) {
        struct args as;
        if (!args_of(m, "/vitrine/sync/ping", "ds", &as))
            return;
        /* t2: when the reader took it; t3: now */
        osc_server_send(p->own, m->from_ip, m->from_port,
                        "/vitrine/sync/pong", "ddds", as.a[0].v.d,
                        (double)m->recv_ns * 1e-9, peers_clock(), p->id);
        return;
    }
    double t[3];
    char id[PEERS_ID_LEN + 1];
    if (pong_decode(m, t, id, sizeof(id)) != 0)
        return;
    struct peer *q = peer_by_id(p, id);
    double t4 = (double)m->recv_ns * 1e-9;
    double delay = (t4 - t[0]) - (t[2] - t[1]);
    if (!q || !(delay >= 0) || delay > 1.0)
        return; /* not one of ours, or nonsense */
    q->offset[q->next] = ((t[1] - t[0]) + (t[2] - t4)) / 2;
    q->delay[q->next] = delay;
    q->next = (q->next + 1) % SAMPLES;
    q->nsamples++;
}

/* ---- saying ---- */

/* Once a second: who is out of step, said on change (and each minute),
 * and this kiosk's lines. */
static void judge(struct peers *p, double fps, int64_t now)
{
    double half = 0.5 / fps;
    int measured = 0, out = 0, ahead = 0;
    double sum_out = 0, worst = 0;
    const struct peer *worst_q = NULL;
    for (int i = 0; i < p->n; i++) {
        double off, delay;
        if (!peer_offset(&p->peer[i], &off, &delay))
            continue;
        measured++;
        if (fabs(off) > half) {
            out++;
            ahead += off > 0;
            sum_out += off;
        }
        if (!worst_q || fabs(off) > fabs(worst)) {
            worst = off;
            worst_q = &p->peer[i];
        }
    }
    /* Every peer the same way out: it is this kiosk's clock. */
    bool self = measured >= 2 && out == measured &&
                (ahead == 0 || ahead == out);
    double self_ms = out ? -sum_out / out * 1e3 : 0;
    if (self && (!p->self_out || now - p->self_said_ns >= REPEAT_NS)) {
        LOG_WARN("[sync]", "this kiosk's clock is %.1f ms %s all %d peers "
                 "(more than half a frame, %.1f ms): is chrony running "
                 "here?", fabs(self_ms), self_ms > 0 ? "ahead of" : "behind",
                 measured, half * 1e3);
        p->self_said_ns = now;
    } else if (!self && p->self_out) {
        LOG_INFO("[sync]", "this kiosk's clock is in step with its peers "
                 "again");
    }
    p->self_out = self;
    p->suspects[0] = '\0';
    size_t sl = 0;
    for (int i = 0; i < p->n; i++) {
        struct peer *q = &p->peer[i];
        double off, delay;
        if (!peer_offset(q, &off, &delay))
            continue;
        bool is_out = fabs(off) > half;
        if (is_out && sl + PEERS_ID_LEN + 2 < sizeof(p->suspects))
            sl += (size_t)snprintf(p->suspects + sl, sizeof(p->suspects) - sl,
                                   "%s%s", sl ? "," : "", q->a.id);
        if (is_out && !self && (!q->out || now - q->said_ns >= REPEAT_NS)) {
            LOG_WARN("[sync]", "%s is %.1f ms %s (more than half a frame, "
                     "%.1f ms; round trip %.2f ms): is chrony running "
                     "there?", q->a.name, fabs(off) * 1e3,
                     off > 0 ? "ahead" : "behind", half * 1e3, delay * 1e3);
            q->said_ns = now;
        } else if (!is_out && q->out) {
            LOG_INFO("[sync]", "%s is in step again (%+.1f ms)", q->a.name,
                     off * 1e3);
        }
        q->out = is_out;
    }
    if (!p->n)
        snprintf(p->report, sizeof(p->report), "no peers");
    else if (!measured)
        snprintf(p->report, sizeof(p->report), "%d peer%s, measuring", p->n,
                 p->n == 1 ? "" : "s");
    else if (self)
        snprintf(p->report, sizeof(p->report), "this clock %.1f ms %s "
                 "%d peers", fabs(self_ms), self_ms > 0 ? "ahead of"
                                                        : "behind", measured);
    else if (out)
        snprintf(p->report, sizeof(p->report), "%d of %d out of step, %s "
                 "%+.1f ms", out, measured, worst_q->a.name, worst * 1e3);
    else
        snprintf(p->report, sizeof(p->report), "in step with %d peer%s "
                 "(worst %+.2f ms)", measured, measured == 1 ? "" : "s",
                 worst * 1e3);
    snprintf(p->line, sizeof(p->line), "sync: %s", p->report);
}

static void tick(struct peers *p, struct graph *g, const char *mode,
                 int64_t now)
{
    for (int i = 0; i < p->n;) {
        if (now - p->peer[i].seen_ns < LOST_NS) {
            i++;
            continue;
        }
        LOG_WARN("[sync]", "lost %s: no announcement for %lld s",
                 p->peer[i].a.name, (long long)(LOST_NS / 1000000000));
        p->peer[i] = p->peer[--p->n];
    }
    judge(p, g->time.rate, now);
    double err_ms;
    int synced = peers_clock_state(&err_ms);
    const char *net = g->file ? strrchr(g->file, '/') : NULL;
    net = net ? net + 1 : g->file ? g->file : "(built in)";
    char network[64];
    snprintf(network, sizeof(network), "%s", net);
    osc_server_send(p->own, p->group_ip, p->group_port,
                    "/vitrine/sync/announce", ANNOUNCE_TYPES, p->name, p->id,
                    network, mode, (double)g->time.frame,
                    (double)g->instant_ns * 1e-9, g->time.rate, p->epoch,
                    (int)graph_error_count(g), synced, err_ms,
                    p->osc_port, p->suspects, p->report);
    for (int i = 0; i < p->n; i++)
        osc_server_send(p->own, p->peer[i].ip, p->peer[i].port,
                        "/vitrine/sync/ping", "ds", peers_clock(), p->id);
}

void peers_frame(struct peers *p, struct graph *g, const char *mode)
{
    if (!p)
        return;
    int64_t now = clock_now_ns();
    size_t n;
    const struct osc_msg *m = osc_server_due(p->group, g->time.frame,
                                             g->instant_ns, &n);
    for (size_t i = 0; i < n; i++)
        take_announce(p, &m[i], now);
    m = osc_server_due(p->own, g->time.frame, g->instant_ns, &n);
    for (size_t i = 0; i < n; i++)
        take_own(p, &m[i]);
    if (now >= p->tick_due) {
        p->tick_due = now + 1000000000LL;
        tick(p, g, mode, now);
    }
}

const char *peers_line(const struct peers *p, bool *out)
{
    *out = p && (p->self_out || p->suspects[0]);
    return p ? p->line : "";
}
