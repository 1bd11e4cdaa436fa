#include "ask.h"

#include <errno.h>
#include <lo/lo.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "cli.h"

/* Where the namespace listens, as seen from this box: a wildcard bind is
 * reached on loopback. */
static const char *target_host(const char *bind)
{
    if (!bind || !*bind || strcmp(bind, "0.0.0.0") == 0 ||
        strcmp(bind, "::") == 0)
        return "127.0.0.1";
    return bind;
}

static int open_socket(const char *host, int port, char *err, size_t n)
{
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
    int rc = getaddrinfo(host, service, &hints, &ai);
    if (rc != 0) {
        snprintf(err, n, "%s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        snprintf(err, n, "%s:%d: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* The reply's address and its first string argument, or -1. */
static int read_reply(const void *data, size_t len, char *addr, size_t na,
                      char *text, size_t nt)
{
    int rc = 0;
    lo_message m = lo_message_deserialise((void *)data, len, &rc);
    if (!m)
        return -1;
    const char *path = lo_get_path((void *)data, (ssize_t)len);
    snprintf(addr, na, "%s", path ? path : "");
    const char *types = lo_message_get_types(m);
    lo_arg **argv = lo_message_get_argv(m);
    if (types && types[0] == 's')
        snprintf(text, nt, "%s", &argv[0]->s);
    else
        text[0] = '\0';
    lo_message_free(m);
    return 0;
}

int ask_reload(const struct kiosk_config *cfg, const char *cfg_path,
               double timeout_s)
{
    const char *from = cfg_path ? cfg_path : "the defaults";
    if (!cfg->osc_namespace) {
        fprintf(stderr, "vitrine reload: [osc] namespace is off in %s, so "
                "the running vitrine cannot be asked; send it SIGHUP "
                "instead (kill -HUP PID)\n", from);
        return EXIT_FAILURE_RUN;
    }
    const char *host = target_host(cfg->osc_bind);
    char err[256];
    int fd = open_socket(host, cfg->osc_port, err, sizeof(err));
    if (fd < 0) {
        fprintf(stderr, "vitrine reload: %s\n", err);
        return EXIT_FAILURE_RUN;
    }
    lo_message m = lo_message_new();
    size_t len = 0;
    void *data = lo_message_serialise(m, "/vitrine/reload", NULL, &len);
    lo_message_free(m);
    ssize_t sent = data ? send(fd, data, len, 0) : -1;
    free(data);
    if (sent < 0) {
        fprintf(stderr, "vitrine reload: %s:%d: %s\n", host, cfg->osc_port,
                strerror(errno));
        close(fd);
        return EXIT_FAILURE_RUN;
    }
    int64_t deadline = clock_now_ns() + (int64_t)(timeout_s * 1e9);
    int status = EXIT_FAILURE_RUN;
    for (;;) {
        int64_t left_ms = (deadline - clock_now_ns()) / 1000000;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = left_ms > 0 ? poll(&pfd, 1, (int)left_ms) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fprintf(stderr, "vitrine reload: no answer from %s:%d within "
                    "%g s (is vitrine running, with this [osc] port?)\n",
                    host, cfg->osc_port, timeout_s);
            break;
        }
        char buf[65536], addr[128], text[4096];
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got < 0) { /* ECONNREFUSED: nothing listens there */
            fprintf(stderr, "vitrine reload: %s:%d: %s (is vitrine "
                    "running, with this [osc] port?)\n", host,
                    cfg->osc_port, strerror(errno));
            break;
        }
        if (read_reply(buf, (size_t)got, addr, sizeof(addr), text,
                       sizeof(text)) != 0)
            continue;
        if (strcmp(addr, "/vitrine/reloaded") == 0) {
            printf("reloaded %s\n", text);
            status = 0;
            break;
        }
        if (strcmp(addr, "/vitrine/error") == 0) {
            fprintf(stderr, "vitrine reload: %s\n", text);
            status = EXIT_NETWORK;
            break;
        }
    }
    close(fd);
    return status;
}
