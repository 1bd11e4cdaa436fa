/* osc.c: OSC servers, their reader threads and the per-frame drain. */
#include "osc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <time.h>
#include <unistd.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"

#define QUEUE_SLOTS 16384 /* a power of two; 1.1 KB a message (with its raw
                          * bytes for the OSC In DAT): 18 MB a server, in
                          * memory once the ring has gone round */
/* A timetag further ahead than this is a sender's clock set wrong, not a
 * cue for later: its messages apply at once (and the log says so), rather
 * than waiting, perhaps for days, in memory. */
#define AHEAD_MAX_NS 10000000000LL
#define WAITING_MAX (4 * QUEUE_SLOTS)
#define BATCH 64          /* datagrams per recvmmsg */
#define PACKET_MAX 65536
#define RCVBUF (4 << 20)
#define NEST_MAX 8
#define TCP_CONNS 16      /* connections a TCP server takes at once */
#define SLIP_END 0xC0
#define SLIP_ESC 0xDB

/* ---- decoding ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* OSC timetag (NTP: seconds since 1900, 32-bit fraction) in ns since the
 * Unix epoch; "immediately" (1) and anything before 1970 is 0. */
static uint64_t timetag_ns(uint64_t tt)
{
    uint64_t sec = tt >> 32, frac = tt & 0xffffffffu;
    if (tt == 1 || sec < 2208988800u)
        return 0;
    return (sec - 2208988800u) * 1000000000u + ((frac * 1000000000u) >> 32);
}

/* What the CHOP side keeps of each argument: numbers (i f h d, T and F
 * as 1 and 0, in arrays too) in val, the first string in str, and a
 * count of the rest. */
static void keep_arg(void *ctx, const struct osc_arg *a)
{
    struct osc_msg *m = ctx;
    double v;
    switch (a->type) {
    case 'i': v = a->v.i; break;
    case 'f': v = a->v.f; break;
    case 'h': v = (double)a->v.h; break;
    case 'd': v = a->v.d; break;
    case 'T': v = 1; break;
    case 'F': v = 0; break;
    case '[':
    case ']': return;
    case 's':
    case 'S':
        if (!m->str[0])
            snprintf(m->str, sizeof(m->str), "%s", a->s);
        __attribute__((fallthrough)); /* counted as not a number */
    default:
        if (m->skipped < 255)
            m->skipped++;
        return;
    }
    if (m->nargs < OSC_ARGS_MAX)
        m->val[m->nargs++] = v;
    else if (m->skipped < 255)
        m->skipped++;
}

static int decode_message(const unsigned char *p, const unsigned char *end,
                          uint64_t due, uint64_t tt, struct osc_msg *m)
{
    size_t len = (size_t)(end - p);
    memset(m, 0, offsetof(struct osc_msg, raw));
    if (osc_message_args(p, len, m->addr, sizeof(m->addr), keep_arg, m) != 0)
        return -1;
    /* Printable ASCII only, and short enough: addresses become channel
     * names and log text. */
    size_t alen = strnlen((const char *)p, len);
    if (alen >= OSC_ADDR_MAX || m->addr[0] != '/')
        return -1;
    for (const char *c = m->addr; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            return -1;
    m->timetag = tt;
    m->due_ns = due;
    if (len <= OSC_RAW_MAX) {
        m->raw_len = (uint16_t)len;
        memcpy(m->raw, p, len);
    }
    return 0;
}

/* Walks a packet; emit NULL only validates. */
static int walk(const unsigned char *p, const unsigned char *end,
                uint64_t due, uint64_t tt_raw, int nest,
                void (*emit)(void *, const struct osc_msg *), void *ctx)
{
    if (end - p >= 16 && memcmp(p, "#bundle", 8) == 0) {
        if (nest >= NEST_MAX)
            return -1;
        uint64_t raw_tt = be64(p + 8);
        uint64_t tt = timetag_ns(raw_tt);
        /* A nested bundle no earlier than its parent. */
        if (tt < due)
            tt = due;
        int count = 0;
        p += 16;
        while (p < end) {
            if (end - p < 4)
                return -1;
            uint32_t size = be32(p);
            if (size == 0 || size % 4 || size > (uint32_t)(end - p - 4))
                return -1;
            int c = walk(p + 4, p + 4 + size, tt, raw_tt, nest + 1, emit,
                         ctx);
            if (c < 0)
                return -1;
            count += c;
            p += 4 + size;
        }
        return count;
    }
    if ((end - p) % 4)
        return -1;
    struct osc_msg m;
    if (decode_message(p, end, due, tt_raw, &m) != 0)
        return -1;
    if (emit)
        emit(ctx, &m);
    return 1;
}

int osc_decode(const void *data, size_t len,
               void (*emit)(void *ctx, const struct osc_msg *m), void *ctx)
{
    const unsigned char *p = data;
    if (len == 0 || len > PACKET_MAX ||
        walk(p, p + len, 0, 1, 0, NULL, NULL) < 0)
        return -1;
    return walk(p, p + len, 0, 1, 0, emit, ctx);
}

/* ---- servers ---- */

/* A TCP connection to a server: its packets framed OSC 1.0 style (a
 * big-endian int32 size before each) or OSC 1.1 style (SLIP: each packet
 * ends with END, 0xC0), told apart by its first byte. */
struct tcp_conn {
    int fd; /* -1: a free slot */
    uint32_t ip;
    uint16_t port;
    bool slip, decided, esc, overlong;
    unsigned char *buf; /* a packet being gathered */
    size_t len;
};

struct osc_server {
    struct osc_server *next;
    int users;
    char *bind, *group;
    int port, fd; /* fd: the UDP socket, or TCP's listening one */
    bool tcp;
    atomic_bool open; /* takes every source (osc_server_allow_all) */
    struct tcp_conn *conns; /* TCP_CONNS of them */
    pthread_mutex_t conn_mu; /* conns' fds: the reader closes, replies
                              * write */
    pthread_t reader;
    atomic_bool stop;
    /* the queue: the reader writes at head, the main thread reads at tail */
    struct osc_msg *slots;
    void *bufs; /* the reader's datagrams */
    _Atomic uint64_t head, tail;
    _Atomic uint64_t packets, messages, malformed, dropped, unsupported,
        refused;
    /* datagrams the kernel dropped because the socket's receive buffer
     * was full (SO_RXQ_OVFL), written by the reader */
    _Atomic uint64_t lost;
    uint32_t lost_seen; /* the reader's: the kernel's last count */
    /* main thread: messages waiting for their time, and this frame's */
    struct osc_msg *waiting;
    size_t nwaiting, cap_waiting;
    struct osc_msg *due;
    size_t ndue, cap_due;
    int64_t due_frame;
    /* the last malformed and refused packets' senders (ip << 16 | port)
     * and the malformed one's size, written by the reader */
    _Atomic uint64_t bad_from, refused_from, bad_len;
    /* main thread: messages timetagged too far ahead, the last one's
     * sender and by how much */
    uint64_t ahead, ahead_from;
    int64_t ahead_ns;
    /* main thread: what the log has said, and when */
    uint64_t said_dropped, said_malformed, said_refused, said_ahead,
        said_lost;
    int64_t said_at;
};

static struct osc_server *servers;

struct cidr {
    uint32_t net, mask; /* host order */
};
static struct cidr *allow;
static _Atomic size_t nallow;

int osc_set_allow(const char *list, char *err, size_t n)
{
    struct cidr *a = NULL;
    size_t count = 0, cap = 0;
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", list ? list : "");
    for (char *save, *t = strtok_r(buf, ", \t", &save); t;
         t = strtok_r(NULL, ", \t", &save)) {
        char *slash = strchr(t, '/');
        int bits = 32;
        if (slash) {
            *slash = '\0';
            char *end;
            long b = strtol(slash + 1, &end, 10);
            if (*end || b < 0 || b > 32) {
                snprintf(err, n, "'%s/%s' is not an IPv4 CIDR block", t,
                         slash + 1);
                free(a);
                return -1;
            }
            bits = (int)b;
        }
        struct in_addr ia;
        if (inet_pton(AF_INET, t, &ia) != 1) {
            snprintf(err, n, "'%s' is not an IPv4 address", t);
            free(a);
            return -1;
        }
        GROW(a, cap, count + 1);
        uint32_t mask = bits ? 0xffffffffu << (32 - bits) : 0;
        a[count++] = (struct cidr){ntohl(ia.s_addr) & mask, mask};
    }
    /* Set before servers start (the readers read it without a lock). */
    free(allow);
    allow = a;
    atomic_store(&nallow, count);
    return 0;
}

static bool allowed(uint32_t ip_net_order)
{
    size_t n = atomic_load_explicit(&nallow, memory_order_relaxed);
    if (n == 0)
        return true;
    uint32_t ip = ntohl(ip_net_order);
    for (size_t i = 0; i < n; i++)
        if ((ip & allow[i].mask) == allow[i].net)
            return true;
    return false;
}

struct emit_ctx {
    struct osc_server *s;
    uint32_t ip;
    uint16_t port;
    uint32_t packet;
    int64_t recv_ns;
};

static void enqueue(void *arg, const struct osc_msg *m)
{
    struct emit_ctx *c = arg;
    struct osc_server *s = c->s;
    uint64_t head = atomic_load_explicit(&s->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&s->tail, memory_order_acquire);
    atomic_fetch_add_explicit(&s->messages, 1, memory_order_relaxed);
    if (m->skipped)
        atomic_fetch_add_explicit(&s->unsupported, 1, memory_order_relaxed);
    if (head - tail >= QUEUE_SLOTS) {
        atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
        return;
    }
    struct osc_msg *slot = &s->slots[head & (QUEUE_SLOTS - 1)];
    memcpy(slot, m, offsetof(struct osc_msg, raw) + m->raw_len);
    memcpy(slot->val, m->val, m->nargs * sizeof(m->val[0]));
    slot->from_ip = c->ip;
    slot->from_port = c->port;
    slot->packet = c->packet;
    slot->recv_ns = c->recv_ns;
    atomic_store_explicit(&s->head, head + 1, memory_order_release);
}

/* "a.b.c.d:port" of a sender as the reader packs it. */
static void sender_text(uint64_t from, char *buf, size_t n)
{
    uint32_t ip = (uint32_t)(from >> 16);
    snprintf(buf, n, "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 255,
             (ip >> 8) & 255, ip & 255, (unsigned)(from & 0xffff));
}

/* The log hears of dropped, malformed and refused packets as they
 * happen, naming the last sender, but at most every 5 seconds: a device
 * that sends garbage every frame must not flood the journal. */
static void report_problems(struct osc_server *s, int64_t now_ns)
{
    uint64_t dropped = atomic_load_explicit(&s->dropped,
                                            memory_order_relaxed);
    uint64_t malformed = atomic_load_explicit(&s->malformed,
                                              memory_order_acquire);
    uint64_t refused = atomic_load_explicit(&s->refused,
                                            memory_order_acquire);
    uint64_t lost = atomic_load_explicit(&s->lost, memory_order_relaxed);
    if ((dropped == s->said_dropped && malformed == s->said_malformed &&
         refused == s->said_refused && s->ahead == s->said_ahead &&
         lost == s->said_lost) ||
        (s->said_at && now_ns - s->said_at < 5000000000))
        return;
    s->said_at = now_ns;
    char from[32];
    if (dropped != s->said_dropped) {
        LOG_WARN("[osc]", "port %d: %llu message%s dropped: the queue was "
                 "full (%llu in all)", s->port,
                 (unsigned long long)(dropped - s->said_dropped),
                 dropped - s->said_dropped == 1 ? "" : "s",
                 (unsigned long long)dropped);
        s->said_dropped = dropped;
    }
    if (lost != s->said_lost) {
        LOG_WARN("[osc]", "port %d: %llu datagram%s lost in the kernel's "
                 "receive buffer, before vitrine could read them (%llu in "
                 "all)", s->port, (unsigned long long)(lost - s->said_lost),
                 lost - s->said_lost == 1 ? "" : "s",
                 (unsigned long long)lost);
        s->said_lost = lost;
    }
    if (malformed != s->said_malformed) {
        sender_text(atomic_load(&s->bad_from), from, sizeof(from));
        LOG_WARN("[osc]", "port %d: %llu malformed packet%s ignored, the "
                 "last from %s (%llu bytes); %llu in all", s->port,
                 (unsigned long long)(malformed - s->said_malformed),
                 malformed - s->said_malformed == 1 ? "" : "s", from,
                 (unsigned long long)atomic_load(&s->bad_len),
                 (unsigned long long)malformed);
        s->said_malformed = malformed;
    }
    if (refused != s->said_refused) {
        sender_text(atomic_load(&s->refused_from), from, sizeof(from));
        LOG_WARN("[osc]", "port %d: %llu packet%s refused, the last from %s: "
                 "not in kiosk.ini's [osc] allow; %llu in all", s->port,
                 (unsigned long long)(refused - s->said_refused),
                 refused - s->said_refused == 1 ? "" : "s", from,
                 (unsigned long long)refused);
        s->said_refused = refused;
    }
    if (s->ahead != s->said_ahead) {
        sender_text(s->ahead_from, from, sizeof(from));
        LOG_WARN("[osc]", "port %d: %llu message%s timetagged more than %d "
                 "s ahead, applied at once; the last from %s, %.1f s ahead "
                 "(is its clock set?); %llu in all", s->port,
                 (unsigned long long)(s->ahead - s->said_ahead),
                 s->ahead - s->said_ahead == 1 ? "" : "s",
                 (int)(AHEAD_MAX_NS / 1000000000), from,
                 (double)s->ahead_ns * 1e-9, (unsigned long long)s->ahead);
        s->said_ahead = s->ahead;
    }
}

static void refuse(struct osc_server *s, uint32_t ip, uint16_t port)
{
    atomic_store_explicit(&s->refused_from, (uint64_t)ntohl(ip) << 16 | port,
                          memory_order_relaxed);
    atomic_fetch_add_explicit(&s->refused, 1, memory_order_release);
}

/* One packet (a datagram, or one framed on a TCP stream) from ip:port:
 * counted, refused unless allowed, decoded into the queue or counted as
 * malformed. Reader thread. */
static void take_packet(struct osc_server *s, const unsigned char *data,
                        size_t len, bool truncated, uint32_t ip,
                        uint16_t port)
{
    uint64_t seq = atomic_fetch_add_explicit(&s->packets, 1,
                                             memory_order_relaxed);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* for clock comparisons */
    struct emit_ctx c = {s, ip, port, (uint32_t)seq + 1,
                         (int64_t)now.tv_sec * 1000000000 + now.tv_nsec};
    if (!atomic_load_explicit(&s->open, memory_order_relaxed) &&
        !allowed(ip)) {
        refuse(s, ip, port);
        return;
    }
    if (truncated || osc_decode(data, len, enqueue, &c) < 0) {
        atomic_store_explicit(&s->bad_from, (uint64_t)ntohl(ip) << 16 | port,
                              memory_order_relaxed);
        atomic_store_explicit(&s->bad_len, len, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->malformed, 1, memory_order_release);
    }
}

/* The kernel's count of datagrams it dropped on this socket so far (it
 * wraps at 2^32): what is new in it is lost. Reader thread. */
static void note_lost(struct osc_server *s, uint32_t total)
{
    uint32_t more = total - s->lost_seen;
    if (more == 0 || more > UINT32_MAX / 2)
        return; /* nothing new, or an older report */
    atomic_fetch_add_explicit(&s->lost, more, memory_order_relaxed);
    s->lost_seen = total;
}

static void *read_loop(void *arg)
{
    struct osc_server *s = arg;
    unsigned char(*bufs)[PACKET_MAX + 1] = s->bufs;
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_in from[BATCH];
    union {
        char buf[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } ctl[BATCH];
    while (!atomic_load(&s->stop)) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0) {
            /* quiet: drops that no later datagram reported */
            uint32_t mem[SK_MEMINFO_VARS];
            socklen_t len = sizeof(mem);
            if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
                len > SK_MEMINFO_DROPS * sizeof(uint32_t))
                note_lost(s, mem[SK_MEMINFO_DROPS]);
            continue;
        }
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){bufs[i], PACKET_MAX + 1};
            msgs[i] = (struct mmsghdr){
                .msg_hdr = {.msg_name = &from[i],
                            .msg_namelen = sizeof(from[i]),
                            .msg_iov = &iov[i], .msg_iovlen = 1,
                            .msg_control = ctl[i].buf,
                            .msg_controllen = sizeof(ctl[i].buf)}};
        }
        int n = recvmmsg(s->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        for (int i = 0; i < n; i++) {
            /* the kernel's count of datagrams it dropped, so far */
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
                 c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
                if (c->cmsg_level == SOL_SOCKET &&
                    c->cmsg_type == SO_RXQ_OVFL) {
                    uint32_t total;
                    memcpy(&total, CMSG_DATA(c), sizeof(total));
                    note_lost(s, total);
                }
        }
        for (int i = 0; i < n; i++)
            take_packet(s, bufs[i], msgs[i].msg_len,
                        (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0,
                        from[i].sin_addr.s_addr, ntohs(from[i].sin_port));
    }
    return NULL;
}

/* ---- TCP ---- */

static void conn_close(struct osc_server *s, struct tcp_conn *c,
                       const char *why)
{
    char from[32];
    sender_text((uint64_t)ntohl(c->ip) << 16 | c->port, from, sizeof(from));
    LOG_INFO("[osc]", "port %d: TCP connection from %s %s", s->port, from,
             why);
    pthread_mutex_lock(&s->conn_mu);
    close(c->fd);
    c->fd = -1;
    pthread_mutex_unlock(&s->conn_mu);
    free(c->buf);
    c->buf = NULL;
}

static void conn_malformed(struct osc_server *s, struct tcp_conn *c,
                           size_t len)
{
    atomic_store_explicit(&s->bad_from, (uint64_t)ntohl(c->ip) << 16 | c->port,
                          memory_order_relaxed);
    atomic_store_explicit(&s->bad_len, len, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->malformed, 1, memory_order_release);
}

/* Bytes that came on c, framed into packets. False when the stream
 * cannot go on (a size beyond any packet). */
static bool conn_bytes(struct osc_server *s, struct tcp_conn *c,
                       const unsigned char *b, size_t n)
{
    if (!c->decided && n > 0) {
        c->decided = true;
        c->slip = b[0] == SLIP_END;
    }
    if (c->slip) {
        for (size_t i = 0; i < n; i++) {
            unsigned char x = b[i];
            if (x == SLIP_END) {
                if (c->len && !c->overlong)
                    take_packet(s, c->buf, c->len, false, c->ip, c->port);
                else if (c->overlong)
                    conn_malformed(s, c, c->len);
                c->len = 0;
                c->overlong = false;
                continue;
            }
            if (x == SLIP_ESC) {
                c->esc = true;
                continue;
            }
            if (c->esc) {
                x = x == 0xDC ? SLIP_END : x == 0xDD ? SLIP_ESC : x;
                c->esc = false;
            }
            if (c->len == PACKET_MAX)
                c->overlong = true; /* kept out until its END */
            else
                c->buf[c->len++] = x;
        }
        return true;
    }
    while (n > 0) {
        size_t take = n < 4 + PACKET_MAX - c->len ? n
                                                  : 4 + PACKET_MAX - c->len;
        memcpy(c->buf + c->len, b, take);
        c->len += take;
        b += take;
        n -= take;
        while (c->len >= 4) {
            uint32_t size = be32(c->buf);
            if (size == 0 || size > PACKET_MAX) {
                conn_malformed(s, c, size);
                return false;
            }
            if (c->len < 4 + (size_t)size)
                break;
            take_packet(s, c->buf + 4, size, false, c->ip, c->port);
            memmove(c->buf, c->buf + 4 + size, c->len - 4 - size);
            c->len -= 4 + size;
        }
    }
    return true;
}

static void conn_accept(struct osc_server *s)
{
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    int fd = accept4(s->fd, (struct sockaddr *)&from, &flen,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    uint32_t ip = from.sin_addr.s_addr;
    uint16_t port = ntohs(from.sin_port);
    struct tcp_conn *c = NULL;
    for (int i = 0; i < TCP_CONNS && !c; i++)
        if (s->conns[i].fd < 0)
            c = &s->conns[i];
    if (!allowed(ip) || !c) {
        if (!c && allowed(ip))
            LOG_WARN("[osc]", "port %d: a TCP connection beyond %d at once "
                     "refused", s->port, TCP_CONNS);
        refuse(s, ip, port);
        close(fd);
        return;
    }
    *c = (struct tcp_conn){.ip = ip, .port = port,
                           .buf = xmalloc(4 + PACKET_MAX)};
    pthread_mutex_lock(&s->conn_mu);
    c->fd = fd;
    pthread_mutex_unlock(&s->conn_mu);
    char who[32];
    sender_text((uint64_t)ntohl(ip) << 16 | port, who, sizeof(who));
    LOG_INFO("[osc]", "port %d: TCP connection from %s", s->port, who);
}

static void *tcp_loop(void *arg)
{
    struct osc_server *s = arg;
    unsigned char *chunk = xmalloc(PACKET_MAX);
    while (!atomic_load(&s->stop)) {
        struct pollfd pfd[1 + TCP_CONNS];
        struct tcp_conn *who[1 + TCP_CONNS];
        int n = 0;
        pfd[n++] = (struct pollfd){.fd = s->fd, .events = POLLIN};
        for (int i = 0; i < TCP_CONNS; i++)
            if (s->conns[i].fd >= 0) {
                who[n] = &s->conns[i];
                pfd[n++] = (struct pollfd){.fd = s->conns[i].fd,
                                           .events = POLLIN};
            }
        if (poll(pfd, (nfds_t)n, 100) <= 0)
            continue;
        if (pfd[0].revents & POLLIN)
            conn_accept(s);
        for (int i = 1; i < n; i++) {
            if (!pfd[i].revents)
                continue;
            ssize_t got = read(pfd[i].fd, chunk, PACKET_MAX);
            if (got < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (got <= 0)
                conn_close(s, who[i], "closed");
            else if (!conn_bytes(s, who[i], chunk, (size_t)got))
                conn_close(s, who[i], "closed: a packet size beyond 64 KiB "
                           "(not OSC over TCP?)");
        }
    }
    for (int i = 0; i < TCP_CONNS; i++)
        if (s->conns[i].fd >= 0)
            conn_close(s, &s->conns[i], "closed: the port closes");
    free(chunk);
    return NULL;
}

/* packet framed for a TCP stream: OSC 1.1's SLIP (END, the bytes with END
 * and ESC escaped, END) or OSC 1.0's size before it. */
static void osc_frame(struct strbuf *sb, const unsigned char *b, size_t n,
                      bool slip)
{
    if (!slip) {
        uint32_t size = htonl((uint32_t)n);
        sb_append(sb, (const char *)&size, 4);
        sb_append(sb, (const char *)b, n);
        return;
    }
    static const char end = (char)SLIP_END, esc_end[2] = {(char)SLIP_ESC,
                                                          (char)0xDC},
                      esc_esc[2] = {(char)SLIP_ESC, (char)0xDD};
    sb_append(sb, &end, 1);
    for (size_t i = 0; i < n; i++) {
        if (b[i] == SLIP_END)
            sb_append(sb, esc_end, 2);
        else if (b[i] == SLIP_ESC)
            sb_append(sb, esc_esc, 2);
        else
            sb_append(sb, (const char *)&b[i], 1);
    }
    sb_append(sb, &end, 1);
}

/* Writes packet to the TCP connection from ip:port, framed as it frames
 * its own. False when there is none. */
static bool tcp_reply(struct osc_server *s, uint32_t ip, uint16_t port,
                      const unsigned char *b, size_t n)
{
    bool sent = false;
    pthread_mutex_lock(&s->conn_mu);
    for (int i = 0; i < TCP_CONNS && !sent; i++) {
        struct tcp_conn *c = &s->conns[i];
        if (c->fd < 0 || c->ip != ip || c->port != port)
            continue;
        struct strbuf sb = {0};
        osc_frame(&sb, b, n, c->slip);
        sent = send(c->fd, sb.s, sb.len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
               (ssize_t)sb.len;
        sb_free(&sb);
    }
    pthread_mutex_unlock(&s->conn_mu);
    return sent;
}

static int open_socket(const char *bind_addr, int port, const char *group,
                       char *err, size_t n)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, n, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1, size = RCVBUF;
    /* Several listeners on one multicast group may share a port; a unicast
     * port belongs to this process alone. */
    if (group && *group)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* SO_RCVBUFFORCE passes the system limit where we may (root). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    /* each datagram then says how many the kernel dropped before it */
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind_addr && *bind_addr && !(group && *group) &&
        inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1) {
        snprintf(err, n, "localaddress '%s' is not an IPv4 address",
                 bind_addr);
        close(fd);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        snprintf(err, n, "cannot listen on %s:%d: %s",
                 bind_addr && *bind_addr ? bind_addr : "*", port,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (bind_addr && *bind_addr && !(group && *group))
        /* what it sends to a group leaves by the bound address */
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a.sin_addr,
                   sizeof(a.sin_addr));
    if (group && *group) {
        struct ip_mreq mr = {0};
        if (inet_pton(AF_INET, group, &mr.imr_multiaddr) != 1) {
            snprintf(err, n, "netaddress '%s' is not an IPv4 multicast "
                     "group", group);
            close(fd);
            return -1;
        }
        mr.imr_interface.s_addr = htonl(INADDR_ANY);
        if (bind_addr && *bind_addr)
            inet_pton(AF_INET, bind_addr, &mr.imr_interface);
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
                       sizeof(mr)) != 0) {
            snprintf(err, n, "cannot join multicast group %s: %s", group,
                     strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int open_listener(const char *bind_addr, int port, char *err,
                         size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, n, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind_addr && *bind_addr &&
        inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1) {
        snprintf(err, n, "localaddress '%s' is not an IPv4 address",
                 bind_addr);
        close(fd);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(fd, TCP_CONNS) != 0) {
        snprintf(err, n, "cannot listen on TCP %s:%d: %s",
                 bind_addr && *bind_addr ? bind_addr : "*", port,
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

struct osc_server *osc_server_get(const char *bind_addr, int port,
                                  const char *group, char *err, size_t n)
{
    return osc_server_get_proto(bind_addr, port, group, false, err, n);
}

struct osc_server *osc_server_get_proto(const char *bind_addr, int port,
                                        const char *group, bool tcp,
                                        char *err, size_t n)
{
    if (tcp)
        group = NULL;
    for (struct osc_server *s = servers; s; s = s->next)
        if (s->port == port && s->tcp == tcp && same(s->bind, bind_addr) &&
            same(s->group, group)) {
            s->users++;
            return s;
        }
    int fd = tcp ? open_listener(bind_addr, port, err, n)
                 : open_socket(bind_addr, port, group, err, n);
    if (fd < 0)
        return NULL;
    struct osc_server *s = xcalloc(1, sizeof(*s));
    s->tcp = tcp;
    pthread_mutex_init(&s->conn_mu, NULL);
    if (tcp) {
        s->conns = xcalloc(TCP_CONNS, sizeof(*s->conns));
        for (int i = 0; i < TCP_CONNS; i++)
            s->conns[i].fd = -1;
    }
    s->users = 1;
    s->bind = xstrdup(bind_addr ? bind_addr : "");
    s->group = xstrdup(group ? group : "");
    s->port = port;
    s->fd = fd;
    s->slots = xmalloc(QUEUE_SLOTS * sizeof(*s->slots));
    s->bufs = xmalloc((size_t)BATCH * (PACKET_MAX + 1));
    s->due_frame = -1;
    if (port == 0) {
        struct sockaddr_in a;
        socklen_t len = sizeof(a);
        getsockname(fd, (struct sockaddr *)&a, &len);
        s->port = ntohs(a.sin_port);
    }
    pthread_create(&s->reader, NULL, tcp ? tcp_loop : read_loop, s);
    s->next = servers;
    servers = s;
    LOG_INFO("[osc]", "listening on %s%s:%d%s%s", tcp ? "TCP " : "",
             *s->bind ? s->bind : "*", s->port, *s->group ? " group " : "",
             s->group);
    return s;
}

void osc_server_put(struct osc_server **ps)
{
    struct osc_server *s = *ps;
    *ps = NULL;
    if (!s || --s->users > 0)
        return;
    for (struct osc_server **pp = &servers; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    atomic_store(&s->stop, true);
    pthread_join(s->reader, NULL);
    close(s->fd);
    struct osc_stats st;
    osc_server_stats(s, &st);
    LOG_INFO("[osc]", "%sport %d closed: %llu packets, %llu messages, %llu "
             "malformed, %llu dropped, %llu with non-numeric arguments, "
             "%llu refused, %llu lost in the kernel", s->tcp ? "TCP " : "",
             s->port,
             (unsigned long long)st.packets,
             (unsigned long long)st.messages,
             (unsigned long long)st.malformed,
             (unsigned long long)st.dropped,
             (unsigned long long)st.unsupported,
             (unsigned long long)st.refused,
             (unsigned long long)st.lost);
    free(s->conns);
    pthread_mutex_destroy(&s->conn_mu);
    free(s->slots);
    free(s->bufs);
    free(s->waiting);
    free(s->due);
    free(s->bind);
    free(s->group);
    free(s);
}

const struct osc_msg *osc_server_due(struct osc_server *s, int64_t frame,
                                     int64_t now_ns, size_t *count)
{
    if (s->due_frame == frame) {
        *count = s->ndue;
        return s->due;
    }
    s->due_frame = frame;
    s->ndue = 0;
    /* what waited for its time, then what arrived, in arrival order */
    size_t k = 0;
    for (size_t i = 0; i < s->nwaiting; i++) {
        struct osc_msg *m = &s->waiting[i];
        if ((int64_t)m->due_ns <= now_ns) {
            GROW(s->due, s->cap_due, s->ndue + 1);
            s->due[s->ndue++] = *m;
        } else {
            s->waiting[k++] = *m;
        }
    }
    s->nwaiting = k;
    uint64_t tail = atomic_load_explicit(&s->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&s->head, memory_order_acquire);
    for (; tail != head; tail++) {
        const struct osc_msg *m = &s->slots[tail & (QUEUE_SLOTS - 1)];
        int64_t ahead = m->due_ns ? (int64_t)m->due_ns - now_ns : 0;
        if (ahead > AHEAD_MAX_NS) {
            s->ahead++;
            s->ahead_from = (uint64_t)ntohl(m->from_ip) << 16 | m->from_port;
            s->ahead_ns = ahead;
            ahead = 0; /* applied now */
        }
        if (ahead <= 0) {
            GROW(s->due, s->cap_due, s->ndue + 1);
            s->due[s->ndue++] = *m;
        } else if (s->nwaiting < WAITING_MAX) {
            GROW(s->waiting, s->cap_waiting, s->nwaiting + 1);
            s->waiting[s->nwaiting++] = *m;
        } else {
            atomic_fetch_add(&s->dropped, 1);
        }
    }
    atomic_store_explicit(&s->tail, tail, memory_order_release);
    report_problems(s, now_ns);
    *count = s->ndue;
    return s->due;
}

void osc_server_stats(const struct osc_server *s, struct osc_stats *st)
{
    st->packets = atomic_load(&((struct osc_server *)s)->packets);
    st->messages = atomic_load(&((struct osc_server *)s)->messages);
    st->malformed = atomic_load(&((struct osc_server *)s)->malformed);
    st->dropped = atomic_load(&((struct osc_server *)s)->dropped);
    st->unsupported = atomic_load(&((struct osc_server *)s)->unsupported);
    st->refused = atomic_load(&((struct osc_server *)s)->refused);
    st->lost = atomic_load(&((struct osc_server *)s)->lost);
}

void osc_stats_all(struct osc_stats *sum)
{
    *sum = (struct osc_stats){0};
    for (const struct osc_server *s = servers; s; s = s->next) {
        struct osc_stats st;
        osc_server_stats(s, &st);
        sum->packets += st.packets;
        sum->messages += st.messages;
        sum->malformed += st.malformed;
        sum->dropped += st.dropped;
        sum->unsupported += st.unsupported;
        sum->refused += st.refused;
        sum->lost += st.lost;
    }
}

void osc_server_allow_all(struct osc_server *s)
{
    atomic_store(&s->open, true);
}

int osc_server_port(const struct osc_server *s)
{
    return s->port;
}

/* ---- sending ---- */

void osc_server_send(struct osc_server *s, uint32_t ip, uint16_t port,
                     const char *addr, const char *types, ...)
{
    struct osc_out *o = osc_out_new();
    va_list ap;
    va_start(ap, types);
    for (const char *t = types; *t; t++) {
        if (*t == 'i')
            osc_out_int(o, va_arg(ap, int));
        else if (*t == 'f')
            osc_out_float(o, va_arg(ap, double));
        else if (*t == 'd')
            osc_out_double(o, va_arg(ap, double));
        else if (*t == 's')
            osc_out_string(o, va_arg(ap, const char *));
    }
    va_end(ap);
    size_t n;
    unsigned char *b = osc_out_message(o, addr, &n);
    osc_out_free(&o);
    if (s->tcp) {
        tcp_reply(s, ip, port, b, n); /* on its connection, if still open */
        free(b);
        return;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    to.sin_addr.s_addr = ip;
    if (sendto(s->fd, b, n, MSG_DONTWAIT, (struct sockaddr *)&to,
               sizeof(to)) < 0)
        LOG_WARN("[osc]", "reply to %s:%u failed: %s",
                 inet_ntoa(to.sin_addr), port, strerror(errno));
    free(b);
}

/* ---- output ---- */

struct osc_sender {
    int fd; /* TCP: -1 while not connected */
    struct sockaddr_in to;
    bool warned;
    bool tcp, connecting, said_down;
    int64_t retry_at; /* TCP: when to connect again */
};

struct osc_sender *osc_sender_open(const char *host, int port, char *err,
                                   size_t n)
{
    return osc_sender_open_proto(host, port, false, err, n);
}

struct osc_sender *osc_sender_open_proto(const char *host, int port,
                                         bool tcp, char *err, size_t n)
{
    struct addrinfo hints = {.ai_family = AF_INET,
                             .ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM};
    struct addrinfo *res = NULL;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    int rc = getaddrinfo(host && *host ? host : "127.0.0.1", service, &hints,
                         &res);
    if (rc != 0 || !res) {
        snprintf(err, n, "cannot resolve '%s': %s", host, gai_strerror(rc));
        return NULL;
    }
    int fd = tcp ? -1 : socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (!tcp && fd < 0) {
        snprintf(err, n, "socket: %s", strerror(errno));
        freeaddrinfo(res);
        return NULL;
    }
    struct osc_sender *s = xcalloc(1, sizeof(*s));
    s->fd = fd;
    s->tcp = tcp;
    memcpy(&s->to, res->ai_addr, sizeof(s->to));
    freeaddrinfo(res);
    return s;
}

/* TCP: whether the connection is up, starting (without waiting) one when
 * there is none and its time has come: at once after one was lost, then
 * every 2 s. */
static bool tcp_up(struct osc_sender *s)
{
    int64_t now = clock_now_ns();
    if (s->fd < 0) {
        if (now < s->retry_at)
            return false;
        s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                       0);
        if (s->fd < 0)
            return false;
        int one = 1;
        setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        s->connecting = true;
        if (connect(s->fd, (struct sockaddr *)&s->to, sizeof(s->to)) == 0)
            s->connecting = false;
        else if (errno != EINPROGRESS)
            goto down;
    }
    if (s->connecting) {
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, 0) <= 0)
            return false; /* still on its way */
        int e = 0;
        socklen_t el = sizeof(e);
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e != 0) {
            errno = e;
            goto down;
        }
        s->connecting = false;
        LOG_INFO("[osc]", "connected to %s:%u over TCP",
                 inet_ntoa(s->to.sin_addr), ntohs(s->to.sin_port));
        s->said_down = false;
    }
    return true;
down:
    if (!s->said_down)
        LOG_WARN("[osc]", "cannot connect to %s:%u over TCP: %s; trying "
                 "again every 2 s", inet_ntoa(s->to.sin_addr),
                 ntohs(s->to.sin_port), strerror(errno));
    s->said_down = true;
    close(s->fd);
    s->fd = -1;
    s->retry_at = now + 2000000000LL;
    return false;
}

void osc_sender_close(struct osc_sender **ps)
{
    if (!*ps)
        return;
    if ((*ps)->fd >= 0)
        close((*ps)->fd);
    free(*ps);
    *ps = NULL;
}

static int send_bytes(struct osc_sender *s, const unsigned char *b, size_t n)
{
    if (s->tcp) {
        if (!tcp_up(s))
            return -1;
        struct strbuf sb = {0};
        osc_frame(&sb, b, n, false);
        ssize_t w = send(s->fd, sb.s, sb.len, MSG_DONTWAIT | MSG_NOSIGNAL);
        bool whole = w == (ssize_t)sb.len;
        sb_free(&sb);
        if (whole)
            return 0;
        /* gone, or so far behind that a packet would be cut: start over */
        LOG_WARN("[osc]", "the TCP connection to %s:%u %s; connecting again",
                 inet_ntoa(s->to.sin_addr), ntohs(s->to.sin_port),
                 w < 0 ? strerror(errno) : "cannot take more");
        close(s->fd);
        s->fd = -1;
        s->retry_at = 0;
        s->said_down = false;
        return -1;
    }
    if (sendto(s->fd, b, n, MSG_DONTWAIT, (struct sockaddr *)&s->to,
               sizeof(s->to)) >= 0)
        return 0;
    if (!s->warned) {
        s->warned = true;
        LOG_WARN("[osc]", "sending to %s:%u failed: %s (said once)",
                 inet_ntoa(s->to.sin_addr), ntohs(s->to.sin_port),
                 strerror(errno));
    }
    return -1;
}

int osc_sender_floats(struct osc_sender *s, const char *addr,
                      const double *vals, int n)
{
    struct osc_out *o = osc_out_new();
    for (int i = 0; i < n; i++)
        osc_out_float(o, vals[i]);
    size_t len;
    unsigned char *b = osc_out_message(o, addr, &len);
    osc_out_free(&o);
    int rc = send_bytes(s, b, len);
    free(b);
    return rc;
}

int osc_sender_bundle(struct osc_sender *s, const char *const *addrs,
                      const double *vals, int n)
{
    struct osc_out **msgs = xmalloc((size_t)(n ? n : 1) * sizeof(*msgs));
    for (int i = 0; i < n; i++) {
        msgs[i] = osc_out_new();
        osc_out_float(msgs[i], vals[i]);
    }
    size_t len;
    unsigned char *b = osc_out_bundle(msgs, addrs, n, 1, &len);
    for (int i = 0; i < n; i++)
        osc_out_free(&msgs[i]);
    free(msgs);
    int rc = send_bytes(s, b, len);
    free(b);
    return rc;
}

static int default_port = 10000;

void osc_set_default_port(int port)
{
    default_port = port > 0 && port < 65536 ? port : 10000;
}

int osc_default_port(void)
{
    return default_port;
}
