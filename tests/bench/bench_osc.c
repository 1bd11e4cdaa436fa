/* bench_osc: OSC input figures, each next to a limit measured in the same
 * run, over loopback.
 *
 *   rate      messages per second that reach an OSC server's frame drain
 *             with zero loss, found by raising the send rate until
 *             anything is lost; next to a raw recvmmsg receiver that only
 *             counts datagrams, measured the same way (target >= 40%)
 *   latency   send-to-applied time at 60 frames a second, p50 and p99, in
 *             ms and frames (target: p99 within one frame period plus the
 *             drain's time: how late, at most, a drain ended after its
 *             frame's start, its own time and the machine's wake-up)
 *
 * and next to a python3-liblo receiver (tests/bench/osc_peer.py, the peer
 * a Python user would write; target >= 5x), measured the same way. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../control/osc.h"
#include "../../engine/base/log.h"
#include "../../engine/base/util.h"

static unsigned char packet[64];
static size_t packet_len;

static void make_packet(void)
{
    static const unsigned char p[] = {
        '/', '1', '/', 'f', 'a', 'd', 'e', 'r', '1', 0, 0, 0,
        ',', 'f', 0, 0, 0x3e, 0x80, 0, 0};
    memcpy(packet, p, sizeof(p));
    packet_len = sizeof(p);
}

static int sender_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    return fd;
}

/* Sends n packets at up to `rate` per second, 32 per sendmmsg, paced;
 * returns the rate reached. */
static double send_paced(int port, long n, double rate)
{
    int fd = sender_socket();
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct mmsghdr msgs[32];
    struct iovec iov = {packet, packet_len};
    for (int i = 0; i < 32; i++)
        msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to,
                                               .msg_namelen = sizeof(to),
                                               .msg_iov = &iov,
                                               .msg_iovlen = 1}};
    int64_t t0 = clock_now_ns();
    for (long i = 0; i < n; i += 32) {
        int64_t due = t0 + (int64_t)((double)i / rate * 1e9);
        while (clock_now_ns() < due)
            ;
        int k = n - i < 32 ? (int)(n - i) : 32;
        int sent = 0;
        while (sent < k) {
            int r = sendmmsg(fd, msgs + sent, (unsigned)(k - sent), 0);
            if (r <= 0)
                break;
            sent += r;
        }
    }
    double secs = (double)(clock_now_ns() - t0) * 1e-9;
    close(fd);
    return (double)n / secs;
}

/* ---- the limit: a raw receiver that counts datagrams ---- */

struct raw {
    int fd, port;
    atomic_long got;
    atomic_bool stop;
    pthread_t th;
};

static void *raw_loop(void *arg)
{
    struct raw *r = arg;
    static unsigned char bufs[64][2048];
    struct mmsghdr msgs[64];
    struct iovec iov[64];
    while (!atomic_load(&r->stop)) {
        for (int i = 0; i < 64; i++) {
            iov[i] = (struct iovec){bufs[i], sizeof(bufs[i])};
            msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i],
                                                   .msg_iovlen = 1}};
        }
        struct timespec to = {0, 50000000};
        int n = recvmmsg(r->fd, msgs, 64, MSG_WAITFORONE, &to);
        if (n > 0)
            atomic_fetch_add(&r->got, n);
    }
    return NULL;
}

static void raw_start(struct raw *r)
{
    r->fd = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 4 << 20;
    if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
        setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    struct timeval tv = {0, 50000};
    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(r->fd, (struct sockaddr *)&a, sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(r->fd, (struct sockaddr *)&a, &len);
    r->port = ntohs(a.sin_port);
    atomic_store(&r->got, 0);
    atomic_store(&r->stop, false);
    pthread_create(&r->th, NULL, raw_loop, r);
}

static void raw_stop(struct raw *r)
{
    atomic_store(&r->stop, true);
    pthread_join(r->th, NULL);
    close(r->fd);
}

/* ---- vitrine's server, drained as frames do (every 1 ms here) ---- */

struct drain {
    struct osc_server *s;
    atomic_long got;
    atomic_bool stop;
    pthread_t th;
};

static void *drain_loop(void *arg)
{
    struct drain *d = arg;
    int64_t frame = 0;
    while (!atomic_load(&d->stop)) {
        size_t n;
        osc_server_due(d->s, ++frame, INT64_MAX, &n);
        atomic_fetch_add(&d->got, (long)n);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

#define N 100000L

/* The rate reached when nothing was lost, else 0. */
static double lossless_raw(double rate)
{
    struct raw r;
    raw_start(&r);
    double reached = send_paced(r.port, N, rate);
    usleep(100000);
    long got = atomic_load(&r.got);
    raw_stop(&r);
    return got == N ? reached : 0;
}

static double lossless_vitrine(double rate)
{
    char err[256];
    struct osc_server *s = osc_server_get("127.0.0.1", 0, NULL, err,
                                          sizeof(err));
    if (!s) {
        fprintf(stderr, "bench_osc: %s\n", err);
        exit(1);
    }
    struct drain d = {.s = s};
    pthread_create(&d.th, NULL, drain_loop, &d);
    double reached = send_paced(osc_server_port(s), N, rate);
    usleep(100000);
    atomic_store(&d.stop, true);
    pthread_join(d.th, NULL);
    long got = atomic_load(&d.got);
    osc_server_put(&s);
    return got == N ? reached : 0;
}

/* python3-liblo's receiver in its own process. */
static double lossless_python(double rate)
{
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(to_child[0], 0);
        dup2(from_child[1], 1);
        close(to_child[1]);
        close(from_child[0]);
        execl(VITRINE_PYTHON, VITRINE_PYTHON, "tests/bench/osc_peer.py",
              (char *)NULL);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    FILE *in = fdopen(from_child[0], "r");
    int port = 0;
    if (fscanf(in, "ready %d", &port) != 1) {
        close(to_child[1]);
        fclose(in);
        waitpid(pid, NULL, 0);
        return -1;
    }
    double reached = send_paced(port, N, rate);
    usleep(300000);
    close(to_child[1]);
    long got = -1;
    if (fscanf(in, "%ld", &got) != 1)
        got = -1;
    fclose(in);
    waitpid(pid, NULL, 0);
    return got == N ? reached : 0;
}

/* The highest rate reached with no loss: the asked rate doubles until
 * something is lost or the sender cannot go faster, then bisects. */
static double max_rate(double (*lossless)(double))
{
    double lo = 0, hi = 100000, best = 0;
    for (;;) {
        double got = lossless(hi);
        if (got < 0)
            return -1; /* cannot measure */
        if (got == 0 && hi > 20000 && best == 0) {
            hi /= 4; /* lossy even at the start: begin lower */
            continue;
        }
        if (got <= 0)
            break;
        if (got > best)
            best = got;
        lo = hi;
        if (got < 0.8 * hi)
            return best; /* the sender's own limit */
        hi *= 2;
    }
    for (int i = 0; i < 4; i++) {
        double mid = (lo + hi) / 2, got = lossless(mid);
        if (got > 0) {
            lo = mid;
            if (got > best)
                best = got;
        } else {
            hi = mid;
        }
    }
    return best;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    log_set_level(LOG_LEVEL_ERR);
    make_packet();
    double raw = max_rate(lossless_raw);
    double ours = max_rate(lossless_vitrine);
    printf("OSC In, loopback, 20-byte messages, %ld per trial\n", N);
    printf("lossless rate: vitrine %.0f msg/s, raw recvmmsg receiver %.0f "
           "msg/s = %.0f%% (target 40%%) %s%s\n", ours, raw,
           100 * ours / raw, ours >= 0.4 * raw ? "ok" : "UNDER",
           ours >= raw * 0.95 ? " (both at the sender's own limit)" : "");
    double py = max_rate(lossless_python);
    if (py > 0)
        printf("lossless rate: python3-liblo receiver %.0f msg/s; vitrine "
               "= %.1fx it (target 5x) %s\n", py, ours / py,
               ours >= 5 * py ? "ok" : "UNDER");
    else
        printf("lossless rate: python3-liblo receiver: skipped (package "
               "python3-liblo missing)\n");

    /* latency at 60 fps: one message every 7 ms, 600 of them */
    char err[256];
    struct osc_server *s = osc_server_get("127.0.0.1", 0, NULL, err,
                                          sizeof(err));
    int fd = sender_socket();
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)osc_server_port(s))};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    enum { M = 600 };
    static double lat[M];
    int64_t sent_at[M];
    int nlat = 0, next = 0;
    const int64_t period = 16666667;
    int64_t start = clock_now_ns(), drain_ns = 0;
    for (int64_t frame = 1; nlat < M && frame < 2000; frame++) {
        int64_t frame_start = start + (frame - 1) * period;
        /* send what falls before this frame's start */
        while (next < M && start + (int64_t)next * 7000000 < frame_start) {
            int64_t at = start + (int64_t)next * 7000000;
            while (clock_now_ns() < at)
                ;
            sent_at[next] = clock_now_ns();
            unsigned char p[64];
            memcpy(p, packet, packet_len);
            memcpy(p + 16, &next, 4); /* the index as the float's bits */
            sendto(fd, p, packet_len, 0, (struct sockaddr *)&to, sizeof(to));
            next++;
        }
        while (clock_now_ns() < frame_start)
            ;
        size_t n;
        const struct osc_msg *m = osc_server_due(s, frame, INT64_MAX, &n);
        int64_t t1 = clock_now_ns();
        /* how late the drain ended after the frame's start: its own
         * time, and the machine's (a wake-up late on a loaded one) */
        if (t1 - frame_start > drain_ns)
            drain_ns = t1 - frame_start;
        for (size_t i = 0; i < n && nlat < M; i++) {
            float f = (float)m[i].val[0];
            int idx;
            memcpy(&idx, &f, 4);
            /* network order was written as host bytes: undo */
            idx = (int)ntohl((uint32_t)idx);
            if (idx >= 0 && idx < next)
                lat[nlat++] = (double)(t1 - sent_at[idx]) * 1e-6;
        }
    }
    close(fd);
    osc_server_put(&s);
    qsort(lat, (size_t)nlat, sizeof(double), cmp);
    double p50 = lat[nlat / 2], p99 = lat[nlat * 99 / 100];
    double limit = period * 1e-6 + drain_ns * 1e-6;
    printf("latency, sent to applied at 60 fps (%d messages): p50 %.2f ms "
           "(%.2f frames), p99 %.2f ms (%.2f frames); limit one frame + "
           "drain %.2f ms %s\n", nlat, p50, p50 / 16.667, p99, p99 / 16.667,
           limit, p99 <= limit ? "ok" : "OVER");
    return 0;
}
