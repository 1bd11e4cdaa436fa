/* bench_flood: frames a second a kiosk holds while OSC floods it, next to
 * the same network without the flood (target: at least 90% of it).
 *
 *   new addresses   an OSC In CHOP, each message to an address never
 *                   seen before (/flood/1, /flood/2, ...): past
 *                   maxchannels they are counted, not made
 *   DAT callbacks   an OSC In DAT (maxlines 1000) whose callbacks read
 *                   the table for every message
 *
 * Each run is vitrine itself, headless at 60 frames a second for 300
 * frames; the flood is 100,000 messages a second over loopback from a
 * thread of this program, for the whole run. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../engine/base/util.h"

#define FRAMES "300"
#define RATE 100000.0 /* messages a second */

static char dir[] = "/tmp/vitrine-benchflood-XXXXXX";
static atomic_bool flooding;
static int flood_port;

static size_t osc_string(unsigned char *p, const char *s)
{
    size_t n = strlen(s) + 1, padded = (n + 3) & ~(size_t)3;
    memset(p, 0, padded);
    memcpy(p, s, n - 1);
    return padded;
}

/* One float message to /flood/N, N counting up, paced at RATE. */
static void *flood(void *arg)
{
    (void)arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)flood_port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned char pk[32][64];
    struct iovec iov[32];
    struct mmsghdr msgs[32];
    uint64_t n = 0;
    int64_t t0 = clock_now_ns();
    while (atomic_load(&flooding)) {
        for (int i = 0; i < 32; i++) {
            char addr[32];
            snprintf(addr, sizeof(addr), "/flood/%llu",
                     (unsigned long long)++n);
            size_t len = osc_string(pk[i], addr);
            len += osc_string(pk[i] + len, ",f");
            memcpy(pk[i] + len, "\x3e\x80\0\0", 4);
            iov[i] = (struct iovec){pk[i], len + 4};
            msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to,
                                                   .msg_namelen = sizeof(to),
                                                   .msg_iov = &iov[i],
                                                   .msg_iovlen = 1}};
        }
        if (sendmmsg(fd, msgs, 32, 0) < 0)
            usleep(1000);
        int64_t due = t0 + (int64_t)((double)n / RATE * 1e9);
        int64_t wait = due - clock_now_ns();
        if (wait > 0)
            usleep((useconds_t)(wait / 1000));
    }
    close(fd);
    return NULL;
}

/* Runs vitrine on net (with a flood when asked); frames a second it
 * held, or -1. */
static double run(const char *vitrine, const char *net, bool with_flood,
                  unsigned long long *received)
{
    char *log = xasprintf("%s/log", dir);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stderr);
        (void)f;
        execl(vitrine, vitrine, "--headless", "--frames", FRAMES, net,
              (char *)NULL);
        _exit(127);
    }
    pthread_t t;
    if (with_flood) {
        atomic_store(&flooding, true);
        pthread_create(&t, NULL, flood, NULL);
    }
    int status;
    waitpid(pid, &status, 0);
    if (with_flood) {
        atomic_store(&flooding, false);
        pthread_join(t, NULL);
    }
    double fps = -1;
    FILE *f = fopen(log, "r");
    char line[1024];
    while (f && fgets(line, sizeof(line), f)) {
        long long frames;
        double secs;
        const char *s = strstr(line, "stopped after ");
        if (s && sscanf(s, "stopped after %lld frames in %lf s", &frames,
                        &secs) == 2 && secs > 0)
            fps = (double)frames / secs;
        s = strstr(line, " closed: ");
        if (s && received)
            sscanf(s, " closed: %llu packets", received);
    }
    if (f)
        fclose(f);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_flood: vitrine failed on %s (log %s)\n", net,
                log);
        fps = -1;
    }
    free(log);
    return fps;
}

static char *write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *shown =
    "[network]\nfps = 60\nresolution = 320x240\noutput = level\n"
    "[noise]\nOPType = noiseTOP\n"
    "[level]\nOPType = levelTOP\ninputs = noise\n";

static int measure(const char *what, const char *vitrine, const char *net)
{
    unsigned long long got = 0;
    double quiet = run(vitrine, net, false, NULL);
    double flooded = run(vitrine, net, true, &got);
    if (quiet <= 0 || flooded <= 0)
        return 1;
    double ratio = flooded / quiet;
    printf("flood: %s, 100k msg/s (%llu received): %.1f fps vs %.1f fps "
           "without = %.0f%% (target >= 90%%) %s\n", what, got, flooded,
           quiet, 100 * ratio, ratio >= 0.9 ? "ok" : "UNDER");
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!mkdtemp(dir)) {
        perror(dir);
        return 1;
    }
    char *here = xstrdup(argv[0]);
    *strrchr(here, '/') = '\0';
    char *vitrine = xasprintf("%s/../vitrine", here);
    /* a port of our own: bind, read the number, let go */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    bind(s, (struct sockaddr *)&a, sizeof(a));
    getsockname(s, (struct sockaddr *)&a, &alen);
    flood_port = ntohs(a.sin_port);
    close(s);

    char *chop = xasprintf("%s[osc]\nOPType = oscinCHOP\n"
                           "localaddress = 127.0.0.1\nport = %d\n", shown,
                           flood_port);
    char *dat = xasprintf("%s[osc]\nOPType = oscinDAT\n"
                          "localaddress = 127.0.0.1\nport = %d\n"
                          "maxlines = 1000\ncallbacks = cb\n"
                          "[cb]\nOPType = textDAT\nfile = cb.py\n", shown,
                          flood_port);
    char *chop_net = write_file("chop.ini", chop);
    char *dat_net = write_file("dat.ini", dat);
    free(write_file("cb.py",
                    "def onReceiveOSC(dat, rowIndex, message, byteData, "
                    "timeStamp, address, args, peer):\n"
                    "    dat.numRows\n"));
    int bad = measure("OSC In CHOP, every message a new address", vitrine,
                      chop_net);
    bad |= measure("OSC In DAT callbacks, maxlines 1000", vitrine, dat_net);
    char *cmd = xasprintf("rm -rf %s", dir);
    if (!bad && system(cmd) != 0)
        fprintf(stderr, "bench_flood: could not remove %s\n", dir);
    free(cmd);
    free(chop);
    free(dat);
    free(chop_net);
    free(dat_net);
    free(vitrine);
    free(here);
    return bad;
}
