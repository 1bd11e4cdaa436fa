/* bench_web: what the status page, OSCQuery and the other kiosks cost the
 * frame loop. A network of 200 CHOPs runs 300 frames at 60 fps while a
 * client asks, as fast as it is answered, for HOST_INFO, the whole tree,
 * one value and status.json, and listens over a WebSocket to a parameter
 * changed every frame; the kiosk announces itself and pings a peer. The
 * figure is the main thread's time in web_frame and peers_frame per
 * frame, next to the frame's 16.67 ms (target: under 1%).
 *
 * And what one whole-tree request costs the frame it is answered in (the
 * main thread copies the values; the JSON is made on the server's
 * thread), per parameter, next to a bare walk reading the same values. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../engine/base/log.h"
#include "../../engine/base/util.h"
#include "../../engine/graph/graph.h"
#include "../../engine/graph/loader.h"
#include "../../engine/graph/par.h"
#include "../../kiosk/config.h"
#include "../../kiosk/oscquery.h"
#include "../../kiosk/peers.h"
#include "../../kiosk/web.h"

#define FRAMES 600
#define OPS 200

static atomic_bool done;
static atomic_long answered;
static int port;

static int connect_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One GET, read to the end (HTTP/1.0: the server closes). */
static void get(const char *path)
{
    int fd = connect_port();
    if (fd < 0)
        return;
    char req[512], buf[65536];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n",
                     path);
    if (write(fd, req, (size_t)n) == n)
        while (read(fd, buf, sizeof(buf)) > 0)
            ;
    close(fd);
    atomic_fetch_add(&answered, 1);
}

/* A client as they come: HOST_INFO and the whole tree once a second (as
 * an OSCQuery browser refreshing), a value and status.json ten times a
 * second (a page, a monitoring script). */
static void *asker(void *arg)
{
    (void)arg;
    for (int i = 0; !atomic_load(&done); i++) {
        if (i % 10 == 0) {
            get("/?HOST_INFO");
            get("/");
        }
        get("/project1/m100/gain?VALUE");
        get("/status.json");
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* A WebSocket that listens to path; its frames are read and dropped. */
static void *listener(void *arg)
{
    const char *path = arg;
    int fd = connect_port();
    if (fd < 0)
        return NULL;
    const char *req = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    char buf[4096];
    if (write(fd, req, strlen(req)) < 0 || read(fd, buf, sizeof(buf)) <= 0) {
        close(fd);
        return NULL;
    }
    char json[256];
    int n = snprintf(json, sizeof(json),
                     "{\"COMMAND\":\"LISTEN\",\"DATA\":\"%s\"}", path);
    unsigned char frame[300] = {0x81, (unsigned char)(0x80 | n), 1, 2, 3, 4};
    for (int i = 0; i < n; i++)
        frame[6 + i] = (unsigned char)json[i] ^ frame[2 + i % 4];
    if (write(fd, frame, (size_t)(6 + n)) < 0) {
        close(fd);
        return NULL;
    }
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (!atomic_load(&done))
        if (read(fd, buf, sizeof(buf)) == 0)
            break;
    close(fd);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

int main(void)
{
    log_set_level(LOG_LEVEL_WARN);
    struct strbuf sb = {0};
    sb_printf(&sb, "[network]\nfps = 60\n[lfo]\nOPType = lfoCHOP\n");
    sb_printf(&sb, "[m0]\nOPType = mathCHOP\ninputs = lfo\n");
    for (int i = 1; i < OPS; i++)
        sb_printf(&sb, "[m%d]\nOPType = mathCHOP\ninputs = m%d\n", i,
                  i - 1);
    struct load_report rep = {0};
    struct graph *g = network_load_text("web.ini", sb.s, NULL, &rep);
    sb_free(&sb);
    load_report_free(&rep);
    if (!g) {
        fprintf(stderr, "bench_web: the network does not load\n");
        return 1;
    }
    struct kiosk_config cfg;
    config_defaults(&cfg);
    port = cfg.http_port = free_port();
    cfg.sync_announce = 1;
    cfg.sync_port = free_port();
    free(cfg.sync_interface);
    cfg.sync_interface = xstrdup("127.0.0.1");
    struct web *w = web_open(&cfg, "bench");
    struct peers *p = peers_open(&cfg);
    cfg.sync_name = xstrdup("bench-peer");
    struct peers *peer = peers_open(&cfg); /* someone to ping */
    if (!w || !p || !peer) {
        fprintf(stderr, "bench_web: cannot open the server or the group\n");
        return 1;
    }
    pthread_t ask, lis;
    pthread_create(&ask, NULL, asker, NULL);
    pthread_create(&lis, NULL, listener, "/project1/m100/gain");
    struct op *m = graph_find(g, "/project1/m100");
    struct par *gain = op_par(m, "gain");
    struct web_status st = {.name = "bench", .mode = "running", .sync = ""};
    double period = 1e9 / 60, spent = 0, worst = 0, in_peers = 0;
    int64_t start = clock_now_ns();
    for (int f = 1; f <= FRAMES; f++) {
        int64_t due = start + (int64_t)((f - 1) * period);
        struct timespec ts = {due / 1000000000, due % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        graph_begin_frame(g, f);
        char err[256];
        par_set_double(m, gain, 1 + f % 7, err, sizeof(err));
        graph_cook(g);
        int64_t t0 = clock_now_ns();
        peers_frame(p, g, "running");
        int64_t tp = clock_now_ns();
        web_frame(w, g, &st);
        int64_t t1 = clock_now_ns();
        in_peers += (double)(tp - t0);
        peers_frame(peer, g, "running");
        double d = (double)(t1 - t0);
        spent += d;
        worst = d > worst ? d : worst;
    }
    atomic_store(&done, true);
    pthread_join(ask, NULL);
    pthread_join(lis, NULL);
    long n = atomic_load(&answered);
    double mean = spent / FRAMES;
    printf("status page, OSCQuery and peers on the frame loop: %.1f us a "
           "frame (worst %.2f ms) while %ld requests were answered = "
           "%.3f%% of a 60 fps frame (16.67 ms)  [target 1%%] %s\n",
           mean * 1e-3, worst * 1e-6, n, 100 * mean / period,
           100 * mean / period < 1 ? "ok" : "OVER");
    printf("  of which the peers (announcing, pinging, measuring): %.1f us "
           "a frame\n", in_peers / FRAMES * 1e-3);
    /* one whole tree, by hand: the capture, and a bare walk */
    struct oscquery_host host = {.name = "bench", .osc_port = 7000,
                                 .osc_params = true};
    size_t npars = 0;
    for (size_t i = 0; i < g->nslots; i++)
        if (g->slots[i])
            npars += g->slots[i]->npars;
    double cap[9], bare[9];
    volatile double sum = 0;
    for (int r = 0; r < 9; r++) {
        struct strbuf sb2 = {0};
        int64_t a = clock_now_ns();
        oscquery_capture(g, &host, "/", "", &sb2);
        int64_t b = clock_now_ns();
        for (size_t i = 0; i < g->nslots; i++)
            for (size_t k = 0; g->slots[i] && k < g->slots[i]->npars; k++)
                sum += par_get_double(g->slots[i], &g->slots[i]->pars[k]) +
                       (double)strlen(g->slots[i]->pars[k].name);
        int64_t c = clock_now_ns();
        cap[r] = (double)(b - a);
        bare[r] = (double)(c - b);
        sb_free(&sb2);
    }
    qsort(cap, 9, sizeof(double), cmp_double);
    qsort(bare, 9, sizeof(double), cmp_double);
    printf("one whole tree (%zu parameters) on the frame loop: %.0f us = "
           "%.0f ns a parameter, a bare walk reading them %.0f ns = %.1fx\n",
           npars, cap[4] * 1e-3, cap[4] / (double)npars,
           bare[4] / (double)npars, cap[4] / bare[4]);
    web_close(&w);
    peers_close(&p);
    peers_close(&peer);
    config_free(&cfg);
    graph_destroy(&g);
    return 0;
}
