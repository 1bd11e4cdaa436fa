#include "midi.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <portmidi.h>
#include <porttime.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/base/lazylib.h"
#include "../engine/base/log.h"
#include "../engine/base/util.h"

/* Data bytes each channel message takes. */
static int data_len(uint8_t status)
{
    switch (status >> 4) {
    case 0xC:
    case 0xD:
        return 1;
    default:
        return 2;
    }
}

bool midi_parse(struct midi_parser *p, uint8_t byte, struct midi_event *ev)
{
    if (byte >= 0xF8)
        return false; /* realtime: clock, start, stop, ... anywhere */
    if (byte == 0xF0) {
        p->in_sysex = true;
        p->status = 0; /* system messages cancel running status */
        return false;
    }
    if (byte >= 0xF1) {
        /* end of SysEx, or system common: neither makes a channel */
        p->in_sysex = false;
        p->status = 0;
        p->have = 0;
        return false;
    }
    if (byte & 0x80) {
        p->in_sysex = false; /* a status byte ends an unterminated SysEx */
        p->status = byte;
        p->have = 0;
        return false;
    }
    if (p->in_sysex) {
        p->sysex_bytes++;
        return false;
    }
    if (!p->status) {
        p->ignored_bytes++;
        return false;
    }
    p->data[p->have++] = byte;
    if (p->have < data_len(p->status))
        return false;
    p->have = 0; /* running status: the next data bytes reuse it */
    ev->kind = p->status >> 4;
    ev->channel = (uint8_t)((p->status & 0x0F) + 1);
    ev->a = p->data[0];
    ev->b = data_len(p->status) == 2 ? p->data[1] : 0;
    if (ev->kind == MIDI_NOTE_ON && ev->b == 0)
        ev->kind = MIDI_NOTE_OFF;
    return true;
}

struct midi_stream {
    char *path; /* a raw stream's path, or a PortMidi name to look for */
    bool portmidi;
    int fd;
    pthread_t reader;
    atomic_bool stop;
    struct midi_event q[MIDI_QUEUE];
    _Atomic uint64_t head, tail, dropped, stray;
    struct midi_event *out;
    size_t cap_out;
};

/* Every stream's, since the start (midi_stats_all). */
static _Atomic uint64_t all_events, all_dropped, all_stray;

void midi_stats_all(uint64_t *events, uint64_t *dropped, uint64_t *stray)
{
    *events = atomic_load(&all_events);
    *dropped = atomic_load(&all_dropped);
    *stray = atomic_load(&all_stray);
}

static void push(struct midi_stream *s, struct midi_parser *p,
                 const unsigned char *b, size_t n)
{
    uint64_t ignored = p->ignored_bytes;
    for (size_t i = 0; i < n; i++) {
        struct midi_event ev;
        if (!midi_parse(p, b[i], &ev))
            continue;
        uint64_t head = atomic_load_explicit(&s->head, memory_order_relaxed);
        if (head - atomic_load_explicit(&s->tail, memory_order_acquire) >=
            MIDI_QUEUE) {
            atomic_fetch_add(&s->dropped, 1);
            atomic_fetch_add(&all_dropped, 1);
            continue;
        }
        atomic_fetch_add_explicit(&all_events, 1, memory_order_relaxed);
        s->q[head % MIDI_QUEUE] = ev;
        atomic_store_explicit(&s->head, head + 1, memory_order_release);
    }
    if (p->ignored_bytes != ignored) {
        atomic_fetch_add(&s->stray, p->ignored_bytes - ignored);
        atomic_fetch_add(&all_stray, p->ignored_bytes - ignored);
    }
}

/* How often a raw stream's path is looked at again: a FIFO made anew, a
 * device node that came back, is read within this. */
#define RECHECK_NS 2000000000LL
/* What a raw stream is read at most: eighty times a MIDI cable's rate,
 * far beyond any USB controller; more is not MIDI (/dev/zero), and is
 * read at this rate rather than keeping a core busy. */
#define RATE_MAX (256 * 1024)

static int open_raw(const char *path)
{
    /* O_RDWR on a FIFO keeps it open when writers come and go. */
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    return fd;
}

/* Whether path still names what fd reads; when it does not (deleted,
 * made again, a device unplugged and back), the stream follows it. */
static void follow_path(struct midi_stream *s)
{
    struct stat now, have;
    if (stat(s->path, &now) != 0) {
        if (s->fd >= 0) {
            LOG_WARN("[midi]", "%s is gone; reading it again when it comes "
                     "back", s->path);
            close(s->fd);
            s->fd = -1;
        }
        return;
    }
    if (s->fd >= 0 && fstat(s->fd, &have) == 0 &&
        have.st_dev == now.st_dev && have.st_ino == now.st_ino)
        return;
    bool again = s->fd >= 0;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = open_raw(s->path);
    if (s->fd >= 0)
        LOG_INFO("[midi]", "%s %s: reading it", s->path,
                 again ? "was made anew" : "is back");
}

static void *read_loop(void *arg)
{
    struct midi_stream *s = arg;
    struct midi_parser p = {0};
    unsigned char buf[512];
    int64_t checked = clock_now_ns(), window = checked;
    size_t in_window = 0;
    bool said_fast = false;
    while (!atomic_load(&s->stop)) {
        int64_t now = clock_now_ns();
        if (s->fd < 0 || now - checked >= RECHECK_NS) {
            checked = now;
            follow_path(s);
        }
        if (now - window >= 1000000000LL) {
            window = now;
            in_window = 0;
        }
        if (s->fd < 0 || in_window >= RATE_MAX) {
            if (s->fd >= 0 && !said_fast) {
                said_fast = true;
                LOG_WARN("[midi]", "%s sends more than %d KB a second, which "
                         "is not MIDI: read at that rate", s->path,
                         RATE_MAX / 1024);
            }
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
            continue;
        }
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t n = read(s->fd, buf, sizeof(buf));
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            /* a device unplugged: look for it again */
            LOG_WARN("[midi]", "reading %s: %s; trying again every 2 s",
                     s->path, strerror(errno));
            close(s->fd);
            s->fd = -1;
            continue;
        }
        if (n == 0) {
            /* the FIFO's writer went (or the device): wait for the next */
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (n > 0) {
            in_window += (size_t)n;
            push(s, &p, buf, (size_t)n);
        }
    }
    return NULL;
}

/* PortMidi: one library state for the process, used under pm_mu. It lists
 * devices only when initialised, so a rescan re-initialises it, which is
 * only allowed while no stream is open. The library is loaded at the
 * first look for a device (most networks have no MIDI). */
static pthread_mutex_t pm_mu = PTHREAD_MUTEX_INITIALIZER;
static int pm_open;
static bool pm_ready;

enum { PM, PM_LIBS };
#define PM_FUNCS(X) \
    X(PM, Pm_Close) \
    X(PM, Pm_CountDevices) \
    X(PM, Pm_GetDeviceInfo) \
    X(PM, Pm_GetErrorText) \
    X(PM, Pm_Initialize) \
    X(PM, Pm_OpenInput) \
    X(PM, Pm_OpenOutput) \
    X(PM, Pm_Read) \
    X(PM, Pm_Terminate) \
    X(PM, Pm_WriteShort) \
    X(PM, Pt_Start) \
    X(PM, Pt_Started)

static struct {
#define X(lib, f) __typeof__(f) *f;
    PM_FUNCS(X)
#undef X
} pm;

static const struct lazylib_sym pm_syms[] = {
#define X(lib, f) {lib, #f, (void **)&pm.f},
    PM_FUNCS(X)
#undef X
};

/* Its time functions (Pt_) are in the same library. */
static const char *const pm_sonames[PM_LIBS] = {"libportmidi.so.0"};
static struct lazylib pm_lib = LAZYLIB("PortMidi", pm_sonames, pm_syms);

/* Opens the inputs (or the output) whose names contain name, up to max
 * of them ("" or "*" matches every one); returns how many. */
static int pm_find(const char *name, bool output, bool *any_device,
                   PortMidiStream **found, int max)
{
    int nfound = 0;
    /* Without the ALSA sequencer PortMidi finds nothing, and ALSA says so
     * on stderr at every try: wait for the sequencer quietly. */
    if (access("/dev/snd/seq", R_OK | W_OK) != 0) {
        *any_device = false;
        return 0;
    }
    if (!lazylib_load(&pm_lib)) {
        static atomic_bool said;
        if (!atomic_exchange(&said, true))
            LOG_ERR("[midi]", "%s", pm_lib.error);
        *any_device = false;
        return 0;
    }
    bool all = !name[0] || strcmp(name, "*") == 0;
    pthread_mutex_lock(&pm_mu);
    if (pm_ready && pm_open == 0) {
        pm.Pm_Terminate();
        pm_ready = false;
    }
    if (!pm_ready) {
        if (!pm.Pt_Started())
            pm.Pt_Start(1, NULL, NULL);
        pm_ready = pm.Pm_Initialize() == pmNoError;
    }
    int count = pm_ready ? pm.Pm_CountDevices() : 0;
    *any_device = count > 0;
    for (int i = 0; i < count && nfound < max; i++) {
        const PmDeviceInfo *info = pm.Pm_GetDeviceInfo(i);
        if (!info || !(output ? info->output : info->input) ||
            !info->name || (!all && !strcasestr(info->name, name)))
            continue;
        PortMidiStream *st = NULL;
        PmError e = output
                        ? pm.Pm_OpenOutput(&st, i, NULL, 256, NULL, NULL, 0)
                        : pm.Pm_OpenInput(&st, i, NULL, 512, NULL, NULL);
        if (e == pmNoError) {
            found[nfound++] = st;
            pm_open++;
            LOG_INFO("[midi]", "opened MIDI %s '%s' (%s)",
                     output ? "output" : "input", info->name,
                     info->interf ? info->interf : "?");
        }
    }
    pthread_mutex_unlock(&pm_mu);
    return nfound;
}

static void pm_close(PortMidiStream *in)
{
    pthread_mutex_lock(&pm_mu);
    pm.Pm_Close(in);
    pm_open--;
    pthread_mutex_unlock(&pm_mu);
}

#define PM_INPUTS_MAX 16

static void *pm_loop(void *arg)
{
    struct midi_stream *s = arg;
    /* one parser per input: their running statuses are separate */
    struct midi_parser p[PM_INPUTS_MAX] = {0};
    PortMidiStream *in[PM_INPUTS_MAX];
    int nin = 0;
    int64_t next_scan = 0;
    bool said_missing = false;
    const char *what = s->path[0] && strcmp(s->path, "*") != 0 ? s->path
                                                                : "*";
    while (!atomic_load(&s->stop)) {
        if (nin == 0 && clock_now_ns() >= next_scan) {
            bool any;
            nin = pm_find(s->path, false, &any, in, PM_INPUTS_MAX);
            memset(p, 0, sizeof(p));
            next_scan = clock_now_ns() + 2000000000; /* hot-plug: 2 s */
            if (nin == 0 && !said_missing) {
                said_missing = true;
                LOG_WARN("[midi]", "no MIDI input named like '%s'%s; "
                         "looking again every 2 s", what,
                         any ? " yet" : " (no MIDI devices at all: no ALSA "
                                        "sequencer?)");
            }
            if (nin)
                said_missing = false;
        }
        if (nin == 0) {
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
            continue;
        }
        int total = 0;
        for (int k = 0; k < nin; k++) {
            PmEvent ev[64];
            pthread_mutex_lock(&pm_mu);
            int n = pm.Pm_Read(in[k], ev, 64);
            pthread_mutex_unlock(&pm_mu);
            if (n < 0) {
                /* one gone: close them all, so PortMidi can rescan */
                LOG_WARN("[midi]", "MIDI input '%s' went away; looking for "
                         "it again every 2 s", what);
                for (int j = 0; j < nin; j++)
                    pm_close(in[j]);
                nin = 0;
                next_scan = clock_now_ns() + 500000000;
                break;
            }
            total += n;
            for (int i = 0; i < n; i++) {
                unsigned char b[4] = {
                    (unsigned char)Pm_MessageStatus(ev[i].message),
                    (unsigned char)Pm_MessageData1(ev[i].message),
                    (unsigned char)Pm_MessageData2(ev[i].message),
                    (unsigned char)((ev[i].message >> 24) & 0xFF)};
                /* SysEx arrives 4 bytes at a time; others are 1-3 bytes */
                size_t len = b[0] == 0xF0 || !(b[0] & 0x80) ? 4
                             : b[0] >= 0xF8 ? 1
                             : (b[0] >> 4) == 0xC || (b[0] >> 4) == 0xD ? 2
                                                                       : 3;
                push(s, &p[k], b, len);
            }
        }
        if (total == 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    for (int j = 0; j < nin; j++)
        pm_close(in[j]);
    return NULL;
}

struct midi_stream *midi_device_open(const char *name)
{
    struct midi_stream *s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(name);
    s->portmidi = true;
    s->fd = -1;
    pthread_create(&s->reader, NULL, pm_loop, s);
    return s;
}

struct midi_stream *midi_stream_open(const char *path, char *err, size_t n)
{
    int fd = open_raw(path);
    if (fd < 0) {
        snprintf(err, n, "cannot open MIDI stream %s: %s", path,
                 strerror(errno));
        return NULL;
    }
    struct midi_stream *s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    s->fd = fd;
    pthread_create(&s->reader, NULL, read_loop, s);
    LOG_INFO("[midi]", "reading raw MIDI from %s", path);
    return s;
}

void midi_stream_close(struct midi_stream **ps)
{
    struct midi_stream *s = *ps;
    if (!s)
        return;
    atomic_store(&s->stop, true);
    pthread_join(s->reader, NULL);
    if (s->fd >= 0)
        close(s->fd);
    free(s->out);
    free(s->path);
    free(s);
    *ps = NULL;
}

const struct midi_event *midi_stream_drain(struct midi_stream *s,
                                           size_t *count)
{
    uint64_t tail = atomic_load_explicit(&s->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&s->head, memory_order_acquire);
    size_t n = (size_t)(head - tail);
    GROW(s->out, s->cap_out, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        s->out[i] = s->q[(tail + i) % MIDI_QUEUE];
    atomic_store_explicit(&s->tail, head, memory_order_release);
    *count = n;
    return s->out;
}

uint64_t midi_stream_dropped(const struct midi_stream *s)
{
    return atomic_load(&((struct midi_stream *)s)->dropped);
}

uint64_t midi_stream_stray(const struct midi_stream *s)
{
    return atomic_load(&((struct midi_stream *)s)->stray);
}

/* ---- output ---- */

struct midi_out {
    char *name;         /* a path, or a PortMidi name to look for */
    int fd;             /* a raw stream, -1 none */
    PortMidiStream *pm; /* a PortMidi output, NULL none */
    int64_t next_scan;
    bool said_missing, said_error;
};

struct midi_out *midi_out_open(const char *device, char *err, size_t n)
{
    struct midi_out *o = xcalloc(1, sizeof(*o));
    o->name = xstrdup(device);
    o->fd = -1;
    if (device[0] == '/') {
        /* O_RDWR: a FIFO opens without a reader waiting. */
        o->fd = open(device, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (o->fd < 0)
            o->fd = open(device, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (o->fd < 0) {
            snprintf(err, n, "cannot open MIDI output %s: %s", device,
                     strerror(errno));
            midi_out_close(&o);
        }
    }
    return o;
}

/* A PortMidi output: looked for every 2 s while absent. */
static bool pm_out_ready(struct midi_out *o)
{
    if (o->pm || clock_now_ns() < o->next_scan)
        return o->pm != NULL;
    bool any;
    if (pm_find(o->name, true, &any, &o->pm, 1) == 0)
        o->pm = NULL;
    o->next_scan = clock_now_ns() + 2000000000;
    if (!o->pm && !o->said_missing) {
        o->said_missing = true;
        LOG_WARN("[midi]", "no MIDI output named like '%s'%s; looking "
                 "again every 2 s", o->name,
                 any ? " yet" : " (no MIDI devices at all: no ALSA "
                                "sequencer?)");
    }
    if (o->pm)
        o->said_missing = o->said_error = false;
    return o->pm != NULL;
}

int midi_out_write(struct midi_out *o, const unsigned char *bytes, size_t n)
{
    if (o->fd >= 0) {
        if (write(o->fd, bytes, n) == (ssize_t)n)
            return 0;
        if (!o->said_error) {
            o->said_error = true;
            LOG_WARN("[midi]", "writing to %s: %s (said once)", o->name,
                     strerror(errno));
        }
        return -1;
    }
    if (!pm_out_ready(o))
        return -1;
    for (size_t i = 0; i < n;) {
        size_t len = bytes[i] >= 0xF8 ? 1
                     : (bytes[i] >> 4) == 0xC || (bytes[i] >> 4) == 0xD ? 2
                                                                       : 3;
        if (i + len > n)
            break;
        pthread_mutex_lock(&pm_mu);
        PmError e = pm.Pm_WriteShort(o->pm, 0,
                                     Pm_Message(bytes[i],
                                                len > 1 ? bytes[i + 1] : 0,
                                                len > 2 ? bytes[i + 2] : 0));
        pthread_mutex_unlock(&pm_mu);
        if (e != pmNoError) {
            LOG_WARN("[midi]", "MIDI output '%s' went away (%s); looking "
                     "for it again every 2 s", o->name,
                     pm.Pm_GetErrorText(e));
            pm_close(o->pm);
            o->pm = NULL;
            return -1;
        }
        i += len;
    }
    return 0;
}

void midi_out_close(struct midi_out **po)
{
    struct midi_out *o = *po;
    if (!o)
        return;
    if (o->fd >= 0)
        close(o->fd);
    if (o->pm)
        pm_close(o->pm);
    free(o->name);
    free(o);
    *po = NULL;
}

static char *default_device;

void midi_set_default_device(const char *device)
{
    free(default_device);
    default_device = device && device[0] ? xstrdup(device) : NULL;
}

const char *midi_default_device(void)
{
    return default_device ? default_device : "";
}
