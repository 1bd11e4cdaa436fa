#include "remote.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <time.h>

#include "../control/osc.h"
#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"

struct remote {
    struct osc_server *server, *tcp; /* the port over UDP and over TCP */
    struct osc_server *from;         /* where the message in hand came */
    struct osc_server *req_server;   /* where the pending request came */
    bool status, params;
    int64_t start_ns;
    int64_t fps_frames, fps_start_ns;
    double fps;
    const char *mode;
    /* a reload or load asked for, and by whom */
    enum remote_request request;
    char *load;
    uint32_t req_ip;
    uint16_t req_port;
    char *load_dir; /* realpath; NULL: /vitrine/load refused */
    /* refusals are logged at once, then at most every 10 s */
    int64_t refusal_log_due;
    unsigned refusals_held;
};

struct remote *remote_open(const struct kiosk_config *cfg)
{
    char err[256];
    if (osc_set_allow(cfg->osc_allow, err, sizeof(err)) != 0)
        LOG_WARN("[osc]", "[osc] allow: %s; every source is allowed", err);
    if (!cfg->osc_namespace && !cfg->osc_params)
        return NULL;
    struct osc_server *s = osc_server_get(cfg->osc_bind, cfg->osc_port, NULL,
                                          err, sizeof(err));
    if (!s) {
        LOG_WARN("[osc]", "the runtime's OSC namespace is off: %s", err);
        return NULL;
    }
    struct remote *r = xcalloc(1, sizeof(*r));
    r->server = r->from = s;
    /* the same port over TCP, as show-control software may send */
    r->tcp = osc_server_get_proto(cfg->osc_bind, cfg->osc_port, NULL, true,
                                  err, sizeof(err));
    if (!r->tcp)
        LOG_WARN("[osc]", "the runtime's OSC namespace over TCP is off: %s",
                 err);
    r->status = cfg->osc_namespace;
    r->params = cfg->osc_params;
    r->start_ns = r->fps_start_ns = clock_now_ns();
    r->mode = "running";
    if (cfg->osc_load_dir)
        remote_set_load_dir(r, cfg->osc_load_dir);
    return r;
}

void remote_set_load_dir(struct remote *r, const char *dir)
{
    if (!r || r->load_dir)
        return; /* kiosk.ini's, set first, wins */
    r->load_dir = realpath(dir, NULL);
    if (!r->load_dir)
        LOG_WARN("[osc]", "[osc] load_dir %s: %s; /vitrine/load is refused",
                 dir, strerror(errno));
}

/* The network /vitrine/load names, resolved inside the load folder, or
 * NULL when it is not there. The reason never quotes what lies outside:
 * whether a file exists there is not the sender's business. */
static char *load_target(const struct remote *r, const char *name,
                         char *err, size_t n)
{
    if (!r->load_dir) {
        snprintf(err, n, "/vitrine/load: no folder to load networks from "
                 "([osc] load_dir)");
        return NULL;
    }
    char *joined = name[0] == '/' ? xstrdup(name)
                                  : xasprintf("%s/%s", r->load_dir, name);
    char *real = realpath(joined, NULL);
    free(joined);
    size_t len = strlen(r->load_dir);
    bool inside = real && strncmp(real, r->load_dir, len) == 0 &&
                  (real[len] == '/' || real[len] == '\0' ||
                   strcmp(r->load_dir, "/") == 0);
    if (!inside) {
        snprintf(err, n, "/vitrine/load: no network '%s' in %s", name,
                 r->load_dir);
        free(real);
        return NULL;
    }
    return real;
}

void remote_close(struct remote **pr)
{
    struct remote *r = *pr;
    if (!r)
        return;
    osc_server_put(&r->server);
    osc_server_put(&r->tcp);
    free(r->load);
    free(r->load_dir);
    free(r);
    *pr = NULL;
}

static void reply_error(struct remote *r, const struct osc_msg *m,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Replies /vitrine/error to the sender and logs, naming it: at once, then
 * at most every 10 s with how many came meanwhile, so a sender that floods
 * the port cannot flood the journal. */
static void reply_error(struct remote *r, const struct osc_msg *m,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    int64_t now = clock_now_ns();
    if (now >= r->refusal_log_due) {
        char ip[INET_ADDRSTRLEN] = "?";
        struct in_addr a = {.s_addr = m->from_ip};
        inet_ntop(AF_INET, &a, ip, sizeof(ip));
        char *safe = str_escape(msg);
        if (r->refusals_held)
            LOG_WARN("[osc]", "from %s:%u: %s (and %u more refused or "
                     "wrong in the last 10 s)", ip, (unsigned)m->from_port,
                     safe, r->refusals_held);
        else
            LOG_WARN("[osc]", "from %s:%u: %s", ip, (unsigned)m->from_port,
                     safe);
        free(safe);
        r->refusals_held = 0;
        r->refusal_log_due = now + 10000000000LL;
    } else {
        r->refusals_held++;
    }
    osc_server_send(r->from, m->from_ip, m->from_port, "/vitrine/error",
                    "s", msg);
    free(msg);
}

/* /project1/blur1/size v: the op's path and the parameter's name. */
static void set_par(struct remote *r, struct graph *g, const struct osc_msg *m)
{
    char path[OSC_ADDR_MAX];
    snprintf(path, sizeof(path), "%s", m->addr);
    char *slash = strrchr(path, '/');
    if (!slash || slash == path) {
        reply_error(r, m, "%s: not /op/path/parameter", m->addr);
        return;
    }
    *slash = '\0';
    const char *name = slash + 1;
    struct op *op = graph_find(g, path);
    if (!op) {
        reply_error(r, m, "%s: no operator %s", m->addr, path);
        return;
    }
    struct par *p = op_par(op, name);
    if (!p) {
        const char *near = op_par_suggest(op, name);
        reply_error(r, m, "%s: %s (%s) has no parameter '%s'%s%s%s", m->addr,
                    op->path, op->type->optype, name,
                    near ? "; did you mean '" : "", near ? near : "",
                    near ? "'?" : "");
        return;
    }
    char err[512];
    struct par_value v = {.has_num = m->nargs >= 1,
                          .num = m->nargs >= 1 ? m->val[0] : 0,
                          .text = m->nargs < 1 && m->str[0] ? m->str : NULL};
    enum par_err e = par_write(op, p, &v, PAR_FROM_REMOTE, err, sizeof(err));
    if (e)
        reply_error(r, m, "%s: %s", m->addr, err);
}

/* /project1/...: under the root, and not an op itself. Anything else is
 * for OSC In CHOPs on the same port. */
static bool is_par_address(struct graph *g, const char *addr)
{
    size_t n = strlen(g->root->name);
    return addr[0] == '/' && strncmp(addr + 1, g->root->name, n) == 0 &&
           addr[n + 1] == '/' && graph_find(g, addr) == NULL;
}

static void take(struct remote *r, struct graph *g, const struct osc_msg *m,
                 size_t n, int64_t now);

void remote_frame(struct remote *r, struct graph *g)
{
    if (!r)
        return;
    int64_t now = clock_now_ns();
    r->fps_frames++;
    if (now - r->fps_start_ns >= 1000000000) {
        r->fps = (double)r->fps_frames * 1e9 / (double)(now - r->fps_start_ns);
        r->fps_frames = 0;
        r->fps_start_ns = now;
    }
    size_t n;
    for (int k = 0; k < 2; k++) {
        r->from = k == 0 ? r->server : r->tcp;
        if (!r->from)
            continue;
        const struct osc_msg *m = osc_server_due(r->from, g->time.frame,
                                                 g->instant_ns, &n);
        take(r, g, m, n, now);
    }
}

/* The messages due this frame on r->from. */
static void take(struct remote *r, struct graph *g, const struct osc_msg *m,
                 size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        if (strncmp(m[i].addr, "/vitrine/", 9) == 0) {
            if (!r->status)
                continue;
            if (strcmp(m[i].addr, "/vitrine/status") == 0) {
                /* every port's: what the queues dropped and the kernel
                 * lost */
                struct osc_stats st;
                osc_stats_all(&st);
                osc_server_send(r->from, m[i].from_ip, m[i].from_port,
                                "/vitrine/status", "ifsfiis",
                                (int)g->time.frame, r->fps,
                                g->file ? g->file : "",
                                (double)(now - r->start_ns) * 1e-9,
                                (int)graph_error_count(g),
                                (int)(st.dropped + st.lost),
                                r->mode);
            } else if (strcmp(m[i].addr, "/vitrine/reload") == 0 ||
                       strcmp(m[i].addr, "/vitrine/load") == 0) {
                bool load = m[i].addr[9] == 'l';
                if (load && !m[i].str[0]) {
                    reply_error(r, &m[i], "/vitrine/load takes the network "
                                "to load (a string)");
                    continue;
                }
                char err[1024];
                char *target = load ? load_target(r, m[i].str, err,
                                                  sizeof(err))
                                    : NULL;
                if (load && !target) {
                    reply_error(r, &m[i], "%s", err);
                    continue;
                }
                r->request = load ? REMOTE_LOAD : REMOTE_RELOAD;
                free(r->load);
                r->load = target;
                r->req_ip = m[i].from_ip;
                r->req_port = m[i].from_port;
                r->req_server = r->from;
            } else {
                reply_error(r, &m[i], "%s: not in vitrine's namespace "
                            "(/vitrine/status, /vitrine/reload, "
                            "/vitrine/load)", m[i].addr);
            }
        } else if (r->params && is_par_address(g, m[i].addr)) {
            set_par(r, g, &m[i]);
        }
    }
}

enum remote_request remote_take_request(struct remote *r, char **network)
{
    *network = NULL;
    if (!r || !r->request)
        return REMOTE_NONE;
    enum remote_request q = r->request;
    r->request = REMOTE_NONE;
    *network = r->load;
    r->load = NULL;
    return q;
}

void remote_reply(struct remote *r, bool ok, const char *text)
{
    if (!r || !r->req_port)
        return;
    osc_server_send(r->req_server ? r->req_server : r->server, r->req_ip,
                    r->req_port,
                    ok ? "/vitrine/reloaded" : "/vitrine/error", "s", text);
    r->req_port = 0;
}

void remote_set_mode(struct remote *r, const char *mode)
{
    if (r)
        r->mode = mode;
}
