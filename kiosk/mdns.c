#include "mdns.h"

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/base/lazylib.h"
#include "../engine/base/log.h"
#include "../engine/base/util.h"

/* Avahi is loaded when the kiosk is first advertised: most kiosks'
 * HTTP and OSC stay on loopback, where nothing is. */
enum { COMMON, CLIENT, AVAHI_LIBS };
#define AVAHI_FUNCS(X) \
    X(COMMON, avahi_alternative_service_name) \
    X(COMMON, avahi_free) \
    X(COMMON, avahi_strerror) \
    X(COMMON, avahi_threaded_poll_free) \
    X(COMMON, avahi_threaded_poll_get) \
    X(COMMON, avahi_threaded_poll_new) \
    X(COMMON, avahi_threaded_poll_start) \
    X(COMMON, avahi_threaded_poll_stop) \
    X(CLIENT, avahi_client_errno) \
    X(CLIENT, avahi_client_free) \
    X(CLIENT, avahi_client_new) \
    X(CLIENT, avahi_entry_group_add_service) \
    X(CLIENT, avahi_entry_group_commit) \
    X(CLIENT, avahi_entry_group_free) \
    X(CLIENT, avahi_entry_group_get_client) \
    X(CLIENT, avahi_entry_group_is_empty) \
    X(CLIENT, avahi_entry_group_new) \
    X(CLIENT, avahi_entry_group_reset)

static struct {
#define X(lib, f) __typeof__(f) *f;
    AVAHI_FUNCS(X)
#undef X
} av;

static const struct lazylib_sym av_syms[] = {
#define X(lib, f) {lib, #f, (void **)&av.f},
    AVAHI_FUNCS(X)
#undef X
};

static const char *const av_sonames[AVAHI_LIBS] = {
    [COMMON] = "libavahi-common.so.3",
    [CLIENT] = "libavahi-client.so.3",
};
static struct lazylib av_lib = LAZYLIB("Avahi", av_sonames, av_syms);

struct mdns {
    AvahiThreadedPoll *poll;
    AvahiClient *client;
    AvahiEntryGroup *group;
    char *name;
    int http_port, osc_port;
    bool said_waiting;
};

static void publish(struct mdns *m, AvahiClient *c);

static void group_cb(AvahiEntryGroup *g, AvahiEntryGroupState state,
                     void *userdata)
{
    struct mdns *m = userdata;
    if (state == AVAHI_ENTRY_GROUP_ESTABLISHED) {
        LOG_INFO("[mdns]", "advertised as '%s'%s%s", m->name,
                 m->http_port ? " (_oscjson._tcp)" : "",
                 m->osc_port ? " (_osc._udp)" : "");
    } else if (state == AVAHI_ENTRY_GROUP_COLLISION) {
        char *other = av.avahi_alternative_service_name(m->name);
        LOG_WARN("[mdns]", "another service on the network is called '%s'; "
                 "advertising as '%s' (set [sync] name)", m->name, other);
        free(m->name);
        m->name = xstrdup(other);
        av.avahi_free(other);
        av.avahi_entry_group_reset(g);
        publish(m, av.avahi_entry_group_get_client(g));
    } else if (state == AVAHI_ENTRY_GROUP_FAILURE) {
        LOG_WARN("[mdns]", "advertising failed: %s",
                 av.avahi_strerror(av.avahi_client_errno(
                     av.avahi_entry_group_get_client(g))));
    }
}

static void publish(struct mdns *m, AvahiClient *c)
{
    if (!m->group)
        m->group = av.avahi_entry_group_new(c, group_cb, m);
    if (!m->group) {
        LOG_WARN("[mdns]", "cannot advertise: %s",
                 av.avahi_strerror(av.avahi_client_errno(c)));
        return;
    }
    if (!av.avahi_entry_group_is_empty(m->group))
        return;
    int rc = 0;
    if (m->http_port)
        rc = av.avahi_entry_group_add_service(
            m->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0, m->name,
            "_oscjson._tcp", NULL, NULL, (uint16_t)m->http_port,
            "txtvers=1", NULL);
    if (!rc && m->osc_port)
        rc = av.avahi_entry_group_add_service(
            m->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0, m->name,
            "_osc._udp", NULL, NULL, (uint16_t)m->osc_port, NULL);
    if (rc == AVAHI_ERR_COLLISION) {
        group_cb(m->group, AVAHI_ENTRY_GROUP_COLLISION, m);
        return;
    }
    if (!rc)
        rc = av.avahi_entry_group_commit(m->group);
    if (rc)
        LOG_WARN("[mdns]", "cannot advertise '%s': %s", m->name,
                 av.avahi_strerror(rc));
}

static void client_cb(AvahiClient *c, AvahiClientState state,
                      void *userdata)
{
    struct mdns *m = userdata;
    switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
        publish(m, c);
        break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
        if (m->group)
            av.avahi_entry_group_reset(m->group);
        break;
    case AVAHI_CLIENT_CONNECTING:
        if (!m->said_waiting)
            LOG_INFO("[mdns]", "avahi-daemon is not running: the kiosk is "
                     "advertised when it starts");
        m->said_waiting = true;
        break;
    case AVAHI_CLIENT_FAILURE:
        LOG_WARN("[mdns]", "Avahi: %s; the kiosk is not advertised",
                 av.avahi_strerror(av.avahi_client_errno(c)));
        break;
    default:
        break;
    }
}

struct mdns *mdns_open(const char *name, int http_port, int osc_port)
{
    if (!http_port && !osc_port)
        return NULL;
    if (!lazylib_load(&av_lib)) {
        LOG_WARN("[mdns]", "the kiosk is not advertised on the network "
                 "(mDNS): %s", av_lib.error);
        return NULL;
    }
    struct mdns *m = xcalloc(1, sizeof(*m));
    m->name = xstrdup(name);
    m->http_port = http_port;
    m->osc_port = osc_port;
    m->poll = av.avahi_threaded_poll_new();
    int err = 0;
    if (m->poll)
        m->client = av.avahi_client_new(av.avahi_threaded_poll_get(m->poll),
                                        AVAHI_CLIENT_NO_FAIL, client_cb, m,
                                        &err);
    if (!m->client) {
        LOG_WARN("[mdns]", "the kiosk is not advertised on the network "
                 "(mDNS): %s (is avahi-daemon installed and running?)",
                 m->poll ? av.avahi_strerror(err) : "no poll thread");
        if (m->poll)
            av.avahi_threaded_poll_free(m->poll);
        free(m->name);
        free(m);
        return NULL;
    }
    av.avahi_threaded_poll_start(m->poll);
    return m;
}

void mdns_close(struct mdns **pm)
{
    struct mdns *m = *pm;
    if (!m)
        return;
    av.avahi_threaded_poll_stop(m->poll);
    if (m->group)
        av.avahi_entry_group_free(m->group);
    av.avahi_client_free(m->client);
    av.avahi_threaded_poll_free(m->poll);
    free(m->name);
    free(m);
    *pm = NULL;
}
