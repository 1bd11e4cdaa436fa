#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stb_image_write.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../control/midi.h"
#include "../control/osc.h"
#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "oscquery.h"

#define REQUESTS 16      /* OSCQuery requests waiting for a frame */
#define CLIENTS 16       /* WebSocket clients */
#define LISTENS 256      /* paths one client listens to */
#define QUEUED 1024      /* changes waiting to go to one client */
#define CHUNK 16384      /* HTTP body bytes a write */
#define FPS_HISTORY 120  /* seconds on the page's graph */
#define WATCHED_NS 30000000000LL
#define PREVIEW_EVERY_NS 3000000000LL

struct request {
    bool used, answered;
    struct lws *wsi;
    char path[512], query[64];
    int status;           /* 0: the capture is to be rendered */
    struct strbuf capture; /* the main thread's (oscquery_capture) */
};

struct listen {
    char *path;
    char key[64];
};

struct packet {
    struct packet *next;
    size_t len;
    unsigned char data[]; /* LWS_PRE bytes, then the message */
};

struct client {
    bool used;
    struct lws *wsi;
    struct listen listen[LISTENS];
    int nlisten;
    struct packet *head, *tail;
    int queued;
    uint64_t dropped;
};

struct web {
    struct lws_context *ctx;
    pthread_t thread;
    atomic_bool stop;
    int port;
    char *bind, *name;
    struct oscquery_host host;
    pthread_mutex_t mu; /* everything below */
    struct request req[REQUESTS];
    atomic_int waiting; /* requests not yet answered */
    struct client client[CLIENTS];
    char *status_json;
    uint8_t *rgba; /* the latest preview, rows top to bottom */
    int rgba_w, rgba_h;
    uint64_t rgba_serial, jpeg_serial;
    unsigned char *jpeg; /* encoded on the server thread when asked */
    size_t jpeg_len;
    atomic_llong watched_ns; /* the page or preview last fetched */
    int64_t preview_ns;     /* main thread */
    /* main thread: the page's figures */
    int64_t start_ns, second_ns, frames_in_second;
    double fps_hist[FPS_HISTORY];
    int nfps;
};

/* What lws keeps per connection. */
struct session {
    int request;   /* req index + 1, 0 none */
    int client;    /* client index + 1, 0 none */
    unsigned char *body;
    size_t len, sent;
    int status;
    const char *type;
    bool headers, owned;
};

/* ---- the page ---- */

static const char page[] =
    "<!doctype html><html><head><meta charset=utf-8>"
    "<title>vitrine</title><style>"
    "body{font:14px system-ui,sans-serif;margin:16px;background:#111;"
    "color:#ddd}h1{font-size:20px;margin:0 0 8px}"
    ".row{display:flex;gap:24px;flex-wrap:wrap}.box{background:#1c1c1c;"
    "padding:10px 14px;border-radius:6px;margin:0 0 12px}"
    "td{padding:1px 10px 1px 0}.bad{color:#f66}.ok{color:#6d6}"
    "pre{font:12px monospace;white-space:pre-wrap;margin:0;max-height:"
    "320px;overflow:auto}img{max-width:480px;background:#000}"
    "</style></head><body><h1 id=name>vitrine</h1>"
    "<div class=row><div><div class=box><table>"
    "<tr><td>network</td><td id=network></td></tr>"
    "<tr><td>mode</td><td id=mode></td></tr>"
    "<tr><td>frame</td><td id=frame></td></tr>"
    "<tr><td>fps</td><td id=fps></td></tr>"
    "<tr><td>up</td><td id=uptime></td></tr>"
    "<tr><td>OSC</td><td id=osc></td></tr>"
    "<tr><td>MIDI</td><td id=midi></td></tr>"
    "<tr><td>movies</td><td id=late></td></tr>"
    "<tr><td>kiosks</td><td id=sync></td></tr>"
    "</table></div><div class=box><canvas id=graph width=480 height=90>"
    "</canvas></div></div><div class=box><img id=preview alt=preview>"
    "</div></div><div class=box><b>errors</b><table id=errors></table>"
    "</div><div class=box><b>log</b><pre id=log></pre></div><script>"
    "const $=i=>document.getElementById(i);"
    "function put(i,t,bad){$(i).textContent=t;"
    "$(i).className=bad?'bad':''}"
    "async function tick(){try{const s=await(await fetch('status.json'))"
    ".json();document.title='vitrine: '+s.name;$('name').textContent="
    "s.name;put('network',s.network);put('mode',s.mode,s.mode!='running');"
    "put('frame',s.frame);put('fps',s.fps.toFixed(1)+' of '+s.rate,"
    "s.fps<0.95*s.rate);put('uptime',Math.round(s.uptime)+' s');"
    "const o=s.osc;put('osc',o.messages+' messages, '+o.dropped+"
    "' dropped, '+o.lost+' lost, '+o.malformed+' malformed, '+o.refused+"
    "' refused',o.dropped+o.lost>0);const m=s.midi;put('midi',m.events+"
    "' events, '+m.dropped+' dropped, '+m.stray+' stray bytes',"
    "m.dropped>0);put('late',s.late_frames+' frames late',s.late_frames>0);"
    "put('sync',s.sync||'alone',s.sync_out);"
    "const e=$('errors');e.innerHTML='';for(const x of s.errors){"
    "const r=e.insertRow();r.insertCell().textContent=x.path;"
    "const c=r.insertCell();c.textContent=x.error;c.className='bad'}"
    "if(!s.errors.length)e.insertRow().insertCell().textContent='none';"
    "$('log').textContent=s.log;const g=$('graph').getContext('2d');"
    "g.clearRect(0,0,480,90);g.fillStyle='#6d6';const h=s.fps_history;"
    "for(let i=0;i<h.length;i++){const y=Math.min(90,90*h[i]/s.rate/1.2);"
    "g.fillStyle=h[i]<0.95*s.rate?'#f66':'#6d6';"
    "g.fillRect(480-(h.length-i)*4,90-y,3,y)}"
    "g.fillStyle='#888';g.fillRect(0,90-90/1.2,480,1)}catch(x){"
    "put('mode','no answer: '+x,true)}}"
    "function pic(){$('preview').src='preview.jpg?'+Date.now()}"
    "tick();pic();setInterval(tick,1000);setInterval(pic,3000);"
    "</script></body></html>";

/* ---- the server thread ---- */

static struct web *web_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

static void jpeg_out(void *ctx, void *data, int size)
{
    struct strbuf *sb = ctx;
    sb_append(sb, data, (size_t)size);
}

/* The preview as JPEG, encoded again when a newer one came; off the
 * frame loop. Called with mu held. */
static void encode_preview(struct web *w)
{
    if (!w->rgba || w->jpeg_serial == w->rgba_serial)
        return;
    struct strbuf sb = {0};
    if (stbi_write_jpg_to_func(jpeg_out, &sb, w->rgba_w, w->rgba_h, 4,
                               w->rgba, 80)) {
        free(w->jpeg);
        w->jpeg_len = sb.len;
        w->jpeg = (unsigned char *)sb_steal(&sb);
        w->jpeg_serial = w->rgba_serial;
    }
    sb_free(&sb);
}

/* Starts a reply: body (owned: freed after) of type, with status. */
static void reply(struct lws *wsi, struct session *s, int status,
                  const char *type, unsigned char *body, size_t len,
                  bool owned)
{
    s->status = status;
    s->type = type;
    s->body = body;
    s->len = len;
    s->sent = 0;
    s->owned = owned;
    s->headers = false;
    lws_callback_on_writable(wsi);
}

static unsigned char *copy(const char *s, size_t *len)
{
    *len = s ? strlen(s) : 0;
    return (unsigned char *)xstrndup(s ? s : "", *len);
}

static int on_http(struct lws *wsi, struct session *s, const char *path)
{
    struct web *w = web_of(wsi);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0) {
        reply(wsi, s, 405, "text/plain", (unsigned char *)"GET only\n", 9,
              false);
        return 0;
    }
    char query[64] = "";
    if (lws_hdr_copy(wsi, query, sizeof(query), WSI_TOKEN_HTTP_URI_ARGS) < 0)
        query[0] = '\0';
    size_t len;
    if (strcmp(path, "/status") == 0 || strcmp(path, "/status/") == 0) {
        atomic_store(&w->watched_ns, clock_now_ns());
        reply(wsi, s, 200, "text/html; charset=utf-8",
              (unsigned char *)page, sizeof(page) - 1, false);
        return 0;
    }
    if (strcmp(path, "/status.json") == 0 ||
        strcmp(path, "/status/status.json") == 0) {
        pthread_mutex_lock(&w->mu);
        unsigned char *b = copy(w->status_json ? w->status_json : "{}",
                                &len);
        pthread_mutex_unlock(&w->mu);
        reply(wsi, s, 200, "application/json", b, len, true);
        return 0;
    }
    if (strcmp(path, "/preview.jpg") == 0 ||
        strcmp(path, "/status/preview.jpg") == 0) {
        atomic_store(&w->watched_ns, clock_now_ns());
        pthread_mutex_lock(&w->mu);
        encode_preview(w);
        unsigned char *b = w->jpeg_len ? xmalloc(w->jpeg_len) : NULL;
        len = w->jpeg_len;
        if (b)
            memcpy(b, w->jpeg, len);
        pthread_mutex_unlock(&w->mu);
        if (!b)
            reply(wsi, s, 503, "text/plain",
                  (unsigned char *)"no preview yet\n", 15, false);
        else
            reply(wsi, s, 200, "image/jpeg", b, len, true);
        return 0;
    }
    /* OSCQuery: what needs no graph at once, the rest by the main
     * thread between frames */
    int bad = oscquery_check(query);
    if (bad) {
        reply(wsi, s, bad, "text/plain", NULL, 0, false);
        return 0;
    }
    if (strcmp(query, "HOST_INFO") == 0) {
        char *b = oscquery_host_info(&w->host);
        reply(wsi, s, 200, "application/json", (unsigned char *)b,
              b ? strlen(b) : 0, true);
        return 0;
    }
    pthread_mutex_lock(&w->mu);
    int k = -1;
    for (int i = 0; i < REQUESTS && k < 0; i++)
        if (!w->req[i].used)
            k = i;
    if (k >= 0) {
        struct request *r = &w->req[k];
        *r = (struct request){.used = true, .wsi = wsi};
        snprintf(r->path, sizeof(r->path), "%s", path);
        snprintf(r->query, sizeof(r->query), "%s", query);
        s->request = k + 1;
        atomic_fetch_add(&w->waiting, 1);
    }
    pthread_mutex_unlock(&w->mu);
    if (k < 0)
        reply(wsi, s, 503, "text/plain", (unsigned char *)"busy\n", 5,
              false);
    return 0;
}

/* Takes the main thread's answer to s's request, if it came. */
static bool take_answer(struct web *w, struct lws *wsi, struct session *s)
{
    pthread_mutex_lock(&w->mu);
    struct request *r = &w->req[s->request - 1];
    bool done = r->answered;
    int status = r->status;
    struct strbuf capture = r->capture;
    char query[64];
    memcpy(query, r->query, sizeof(query));
    if (done)
        *r = (struct request){0};
    pthread_mutex_unlock(&w->mu);
    if (!done)
        return false;
    s->request = 0;
    char *body = NULL;
    if (!status) /* JSON made here, off the frame loop */
        status = oscquery_render(&w->host, query, capture.s, capture.len,
                                 &body);
    sb_free(&capture);
    if (body)
        reply(wsi, s, status, "application/json", (unsigned char *)body,
              strlen(body), true);
    else
        reply(wsi, s, status, "text/plain", NULL, 0, false);
    return true;
}

static int write_http(struct lws *wsi, struct session *s)
{
    if (s->request && !take_answer(web_of(wsi), wsi, s))
        return 0;
    if (!s->type)
        return 0;
    if (!s->headers) {
        unsigned char buf[LWS_PRE + 1024];
        unsigned char *start = buf + LWS_PRE, *p = start,
                      *end = buf + sizeof(buf) - 1;
        if (lws_add_http_common_headers(wsi, (unsigned)s->status, s->type,
                                        s->len, &p, end) ||
            lws_add_http_header_by_name(
                wsi, (const unsigned char *)"access-control-allow-origin:",
                (const unsigned char *)"*", 1, &p, end) ||
            lws_add_http_header_by_name(
                wsi, (const unsigned char *)"cache-control:",
                (const unsigned char *)"no-store", 8, &p, end) ||
            lws_finalize_write_http_header(wsi, start, &p, end))
            return -1;
        s->headers = true;
        if (s->len) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    if (s->sent < s->len) {
        unsigned char buf[LWS_PRE + CHUNK];
        size_t n = s->len - s->sent < CHUNK ? s->len - s->sent : CHUNK;
        memcpy(buf + LWS_PRE, s->body + s->sent, n);
        s->sent += n;
        bool last = s->sent == s->len;
        if (lws_write(wsi, buf + LWS_PRE, n,
                      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
            return -1;
        if (!last) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    if (s->owned)
        free(s->body);
    s->body = NULL;
    s->type = NULL;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static void client_free(struct client *c)
{
    for (int i = 0; i < c->nlisten; i++)
        free(c->listen[i].path);
    for (struct packet *p = c->head, *n; p; p = n) {
        n = p->next;
        free(p);
    }
    *c = (struct client){0};
}

/* {"COMMAND": "LISTEN" | "IGNORE", "DATA": "/path"} */
static void on_command(struct web *w, struct session *s, const char *in,
                       size_t len)
{
    json_error_t e;
    json_t *j = json_loadb(in, len, 0, &e);
    const char *cmd = json_string_value(json_object_get(j, "COMMAND"));
    const char *path = json_string_value(json_object_get(j, "DATA"));
    if (cmd && path && path[0] == '/' && strlen(path) < 512) {
        pthread_mutex_lock(&w->mu);
        struct client *c = &w->client[s->client - 1];
        int at = -1;
        for (int i = 0; i < c->nlisten; i++)
            if (strcmp(c->listen[i].path, path) == 0)
                at = i;
        if (strcmp(cmd, "LISTEN") == 0 && at < 0 && c->nlisten < LISTENS)
            c->listen[c->nlisten++] = (struct listen){.path = xstrdup(path)};
        else if (strcmp(cmd, "IGNORE") == 0 && at >= 0) {
            free(c->listen[at].path);
            c->listen[at] = c->listen[--c->nlisten];
        }
        pthread_mutex_unlock(&w->mu);
    }
    json_decref(j);
}

static int write_ws(struct web *w, struct lws *wsi, struct session *s)
{
    pthread_mutex_lock(&w->mu);
    struct client *c = &w->client[s->client - 1];
    struct packet *p = c->head;
    if (p) {
        c->head = p->next;
        if (!c->head)
            c->tail = NULL;
        c->queued--;
    }
    bool more = c->head != NULL;
    pthread_mutex_unlock(&w->mu);
    if (!p)
        return 0;
    int n = lws_write(wsi, p->data + LWS_PRE, p->len, LWS_WRITE_BINARY);
    free(p);
    if (n < 0)
        return -1;
    if (more)
        lws_callback_on_writable(wsi);
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
    struct session *s = user;
    struct web *w = wsi ? web_of(wsi) : NULL;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return on_http(wsi, s, in ? (const char *)in : "/");
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return write_http(wsi, s);
    case LWS_CALLBACK_CLOSED_HTTP:
        if (s && s->request) {
            pthread_mutex_lock(&w->mu);
            struct request *r = &w->req[s->request - 1];
            if (!r->answered)
                atomic_fetch_sub(&w->waiting, 1);
            sb_free(&r->capture);
            *r = (struct request){0};
            pthread_mutex_unlock(&w->mu);
            s->request = 0;
        }
        if (s && s->owned)
            free(s->body);
        if (s)
            *s = (struct session){0};
        break;
    case LWS_CALLBACK_ESTABLISHED: {
        pthread_mutex_lock(&w->mu);
        for (int i = 0; i < CLIENTS && !s->client; i++)
            if (!w->client[i].used) {
                w->client[i] = (struct client){.used = true, .wsi = wsi};
                s->client = i + 1;
            }
        pthread_mutex_unlock(&w->mu);
        return s->client ? 0 : -1; /* full: refused */
    }
    case LWS_CALLBACK_RECEIVE:
        if (s->client)
            on_command(w, s, in, len);
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return s->client ? write_ws(w, wsi, s) : 0;
    case LWS_CALLBACK_CLOSED:
        if (s->client) {
            pthread_mutex_lock(&w->mu);
            client_free(&w->client[s->client - 1]);
            pthread_mutex_unlock(&w->mu);
            s->client = 0;
        }
        break;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        /* the main thread answered, or queued changes */
        pthread_mutex_lock(&w->mu);
        for (int i = 0; i < REQUESTS; i++)
            if (w->req[i].used && w->req[i].answered)
                lws_callback_on_writable(w->req[i].wsi);
        for (int i = 0; i < CLIENTS; i++)
            if (w->client[i].used && w->client[i].head)
                lws_callback_on_writable(w->client[i].wsi);
        pthread_mutex_unlock(&w->mu);
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    {"http", callback, sizeof(struct session), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *serve(void *arg)
{
    struct web *w = arg;
    while (!atomic_load(&w->stop))
        if (lws_service(w->ctx, 0) < 0)
            break;
    return NULL;
}

static void lws_log(int level, const char *line)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", line);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    if (level & LLL_ERR)
        LOG_WARN("[http]", "%s", buf);
    else
        LOG_DBG("[http]", "%s", buf);
}

/* ---- the main thread's side ---- */

/* Whether bind:port can be listened on now: asked first, because
 * libwebsockets says a failed bind in three lines of its own and keeps
 * some memory of the vhost it could not make. */
static bool can_listen(const char *bind_addr, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    if (strcmp(bind_addr, "0.0.0.0") != 0 &&
        inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1) {
        close(fd);
        return true; /* a name: libwebsockets' to resolve */
    }
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    int e = errno;
    if (fd >= 0)
        close(fd);
    errno = e;
    return ok;
}

struct web *web_open(const struct kiosk_config *cfg, const char *name)
{
    if (cfg->http_port == 0)
        return NULL;
    const char *bind_addr = cfg->http_bind && *cfg->http_bind
                                ? cfg->http_bind : "127.0.0.1";
    if (!can_listen(bind_addr, cfg->http_port)) {
        LOG_WARN("[http]", "the status page and OSCQuery are off: cannot "
                 "listen on %s:%d: %s ([http] port)", bind_addr,
                 cfg->http_port, strerror(errno));
        return NULL;
    }
    lws_set_log_level(LLL_ERR, lws_log);
    struct web *w = xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->mu, NULL);
    w->bind = xstrdup(cfg->http_bind && *cfg->http_bind ? cfg->http_bind
                                                        : "127.0.0.1");
    w->name = xstrdup(name);
    w->host = (struct oscquery_host){
        .name = w->name,
        .osc_port = cfg->osc_namespace || cfg->osc_params ? cfg->osc_port : 0,
        .osc_params = cfg->osc_params,
    };
    struct lws_context_creation_info info = {0};
    info.port = cfg->http_port;
    info.iface = strcmp(w->bind, "0.0.0.0") == 0 ? NULL : w->bind;
    info.protocols = protocols;
    info.user = w;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    info.vhost_name = "vitrine";
    w->ctx = lws_create_context(&info);
    struct lws_vhost *vh = w->ctx ? lws_get_vhost_by_name(w->ctx, "vitrine")
                                  : NULL;
    w->port = vh ? lws_get_vhost_listen_port(vh) : 0;
    if (!w->ctx || w->port <= 0) {
        LOG_WARN("[http]", "the status page and OSCQuery are off: cannot "
                 "listen on %s:%d (in use by another program? [http] port)",
                 w->bind, cfg->http_port);
        if (w->ctx)
            lws_context_destroy(w->ctx);
        free(w->bind);
        free(w->name);
        free(w);
        return NULL;
    }
    w->start_ns = w->second_ns = clock_now_ns();
    pthread_create(&w->thread, NULL, serve, w);
    LOG_INFO("[http]", "status page on http://%s:%d/status, OSCQuery on "
             "http://%s:%d/", w->bind, w->port, w->bind, w->port);
    return w;
}

void web_close(struct web **pw)
{
    struct web *w = *pw;
    if (!w)
        return;
    atomic_store(&w->stop, true);
    lws_cancel_service(w->ctx);
    pthread_join(w->thread, NULL);
    lws_context_destroy(w->ctx);
    for (int i = 0; i < REQUESTS; i++)
        sb_free(&w->req[i].capture);
    for (int i = 0; i < CLIENTS; i++)
        client_free(&w->client[i]);
    free(w->status_json);
    free(w->rgba);
    free(w->jpeg);
    free(w->bind);
    free(w->name);
    pthread_mutex_destroy(&w->mu);
    free(w);
    *pw = NULL;
}

int web_port(const struct web *w)
{
    return w ? w->port : 0;
}

static void answer(struct web *w, struct graph *g)
{
    bool any = false;
    for (int i = 0; i < REQUESTS; i++) {
        char path[512], query[64];
        pthread_mutex_lock(&w->mu);
        bool unanswered = w->req[i].used && !w->req[i].answered;
        if (unanswered) {
            memcpy(path, w->req[i].path, sizeof(path));
            memcpy(query, w->req[i].query, sizeof(query));
        }
        pthread_mutex_unlock(&w->mu);
        if (!unanswered)
            continue;
        struct strbuf capture = {0};
        int status = oscquery_capture(g, &w->host, path, query, &capture);
        pthread_mutex_lock(&w->mu);
        if (w->req[i].used && !w->req[i].answered &&
            strcmp(w->req[i].path, path) == 0) {
            w->req[i].status = status;
            w->req[i].capture = capture;
            w->req[i].answered = true;
            atomic_fetch_sub(&w->waiting, 1);
            capture = (struct strbuf){0};
            any = true;
        }
        pthread_mutex_unlock(&w->mu);
        sb_free(&capture); /* its connection went meanwhile */
    }
    if (any)
        lws_cancel_service(w->ctx);
}

static void send_changes(struct web *w, struct graph *g)
{
    bool any = false;
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < CLIENTS; i++) {
        struct client *c = &w->client[i];
        for (int k = 0; c->used && k < c->nlisten; k++) {
            struct listen *l = &c->listen[k];
            bool first = !l->key[0];
            unsigned char *msg;
            size_t len;
            if (oscquery_value(g, l->path, l->key, sizeof(l->key), &msg,
                               &len) != 1)
                continue;
            if (first || c->queued >= QUEUED) { /* a value, not a change */
                c->dropped += !first;
                free(msg);
                continue;
            }
            struct packet *p = xmalloc(sizeof(*p) + LWS_PRE + len);
            p->next = NULL;
            p->len = len;
            memcpy(p->data + LWS_PRE, msg, len);
            free(msg);
            if (c->tail)
                c->tail->next = p;
            else
                c->head = p;
            c->tail = p;
            c->queued++;
            any = true;
        }
    }
    pthread_mutex_unlock(&w->mu);
    if (any)
        lws_cancel_service(w->ctx);
}

static void renew_status(struct web *w, struct graph *g,
                         const struct web_status *st, double fps,
                         int64_t now)
{
    json_t *errors = json_array();
    for (size_t i = 0; i < g->nslots && json_array_size(errors) < 100; i++) {
        const struct op *op = g->slots[i];
        if (op && op->error)
            json_array_append_new(errors, json_pack("{s:s?,s:s?}", "path",
                                                    op->path, "error",
                                                    op->error));
    }
    json_t *hist = json_array();
    for (int i = 0; i < w->nfps; i++)
        json_array_append_new(hist, json_real(w->fps_hist[i]));
    struct osc_stats osc;
    osc_stats_all(&osc);
    uint64_t mev, mdrop, mstray;
    midi_stats_all(&mev, &mdrop, &mstray);
    char log[64 * 256];
    log_recent(log, sizeof(log), 40);
    json_t *j = json_pack(
        "{s:s?,s:s?,s:s?,s:I,s:f,s:f,s:f,s:o,s:o,s:s?,s:{s:I,s:I,s:I,s:I,"
        "s:I,s:I},s:{s:I,s:I,s:I},s:I,s:s?,s:b}",
        "name", st->name, "network", g->file ? g->file : "(built in)",
        "mode", st->mode, "frame", (json_int_t)g->time.frame, "fps", fps,
        "rate", g->time.rate, "uptime", (double)(now - w->start_ns) * 1e-9,
        "fps_history", hist, "errors", errors, "log", log, "osc",
        "packets", (json_int_t)osc.packets, "messages",
        (json_int_t)osc.messages, "malformed", (json_int_t)osc.malformed,
        "dropped", (json_int_t)osc.dropped, "refused",
        (json_int_t)osc.refused, "lost", (json_int_t)osc.lost, "midi",
        "events", (json_int_t)mev, "dropped", (json_int_t)mdrop, "stray",
        (json_int_t)mstray, "late_frames", (json_int_t)g->late_frames,
        "sync", st->sync ? st->sync : "", "sync_out", st->sync_out);
    /* a log line that is not UTF-8 makes the pack fail: said without it */
    if (!j)
        j = json_pack("{s:s,s:I,s:f,s:f,s:[],s:[],s:s,s:{},s:{},s:I,s:s,"
                      "s:b}", "name", "?", "frame",
                      (json_int_t)g->time.frame, "fps", fps, "rate",
                      g->time.rate, "fps_history", "errors", "log",
                      "(not UTF-8)", "osc", "midi", "late_frames",
                      (json_int_t)0, "sync", "", "sync_out", 0);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    pthread_mutex_lock(&w->mu);
    free(w->status_json);
    w->status_json = text;
    pthread_mutex_unlock(&w->mu);
}

void web_frame(struct web *w, struct graph *g, const struct web_status *st)
{
    if (!w)
        return;
    if (atomic_load_explicit(&w->waiting, memory_order_relaxed) > 0)
        answer(w, g);
    send_changes(w, g);
    int64_t now = clock_now_ns();
    w->frames_in_second++;
    if (now - w->second_ns >= 1000000000LL) {
        double fps = (double)w->frames_in_second * 1e9 /
                     (double)(now - w->second_ns);
        if (w->nfps == FPS_HISTORY)
            memmove(w->fps_hist, w->fps_hist + 1,
                    (FPS_HISTORY - 1) * sizeof(double));
        else
            w->nfps++;
        w->fps_hist[w->nfps - 1] = fps;
        w->frames_in_second = 0;
        w->second_ns = now;
        renew_status(w, g, st, fps, now);
    }
}

bool web_preview_due(const struct web *w)
{
    if (!w)
        return false;
    int64_t now = clock_now_ns();
    return now - atomic_load(&((struct web *)w)->watched_ns) < WATCHED_NS &&
           now - w->preview_ns >= PREVIEW_EVERY_NS;
}

void web_preview(struct web *w, const uint8_t *rgba, int width, int height)
{
    w->preview_ns = clock_now_ns();
    size_t row = (size_t)width * 4;
    uint8_t *top_down = xmalloc(row * (size_t)height);
    for (int y = 0; y < height; y++)
        memcpy(top_down + (size_t)y * row,
               rgba + (size_t)(height - 1 - y) * row, row);
    pthread_mutex_lock(&w->mu);
    free(w->rgba);
    w->rgba = top_down;
    w->rgba_w = width;
    w->rgba_h = height;
    w->rgba_serial++;
    pthread_mutex_unlock(&w->mu);
}
