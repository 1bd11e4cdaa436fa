#include "stall.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/py/py.h"

struct stall {
    int64_t timeout_ns;
    _Atomic int64_t last_frame; /* CLOCK_MONOTONIC ns */
    _Atomic(const char *) phase;
    _Atomic(struct graph *) graph;
    atomic_bool stop;
    pthread_t thread;
};

/* Longer than any scheduling delay a loaded machine gives a thread. */
#define STOPPED_NS 1000000000LL

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Says what the main thread is stuck in, and aborts. */
static void give_up(struct stall *s, double stuck)
{
    struct graph *g = atomic_load(&s->graph);
    struct op *cooking = g ? g->cooking : NULL; /* the main thread is
                                                 * stuck: this is stable */
    LOG_ERR("[watchdog]", "no frame for %.1f s (hang_timeout %.1f s): "
            "stuck %s%s%s%s; aborting so that the service restarts",
            stuck, (double)s->timeout_ns * 1e-9, atomic_load(&s->phase),
            cooking ? " in " : "", cooking ? cooking->path : "",
            py_busy() ? ", inside a Python script" : "");
    if (py_busy()) {
        LOG_ERR("[watchdog]", "Python traceback of the main thread "
                "(most recent call first):");
        py_dump_main_traceback(STDERR_FILENO);
    }
    abort();
}

static void *watch(void *arg)
{
    struct stall *s = arg;
    int64_t interrupted_at = 0;
    int64_t woke = clock_now_ns();
    while (!atomic_load(&s->stop)) {
        sleep_ms(100);
        int64_t now = clock_now_ns();
        int64_t last = atomic_load(&s->last_frame);
        /* A sleep of 100 ms that took seconds: the whole process was
         * stopped (SIGSTOP, a debugger, a suspend), this thread with the
         * loop. That time is nobody's hang: the frame clock moves on by
         * it (unless a frame just came). */
        int64_t gap = now - woke - 100000000LL;
        woke = now;
        if (gap > STOPPED_NS) {
            LOG_INFO("[watchdog]", "the process was stopped for %.1f s; "
                     "not counted as a hang", (double)gap * 1e-9);
            if (atomic_compare_exchange_strong(&s->last_frame, &last,
                                               last + gap))
                last += gap;
            interrupted_at = 0;
        }
        int64_t stuck = now - last;
        if (stuck < s->timeout_ns) {
            interrupted_at = 0;
            continue;
        }
        if (py_busy() && interrupted_at == 0) {
            LOG_WARN("[watchdog]", "no frame for %.1f s, inside a Python "
                     "script: interrupting it", (double)stuck * 1e-9);
            py_interrupt();
            interrupted_at = now;
            continue;
        }
        if (interrupted_at && now - interrupted_at < 1000000000LL)
            continue; /* one second for the interrupt to work */
        give_up(s, (double)stuck * 1e-9);
    }
    return NULL;
}

struct stall *stall_start(double hang_timeout)
{
    if (!(hang_timeout > 0))
        return NULL;
    struct stall *s = xcalloc(1, sizeof(*s));
    s->timeout_ns = (int64_t)(hang_timeout * 1e9);
    atomic_store(&s->last_frame, clock_now_ns());
    atomic_store(&s->phase, "starting");
    pthread_create(&s->thread, NULL, watch, s);
    return s;
}

void stall_stop(struct stall **ps)
{
    struct stall *s = *ps;
    if (!s)
        return;
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    free(s);
    *ps = NULL;
}

void stall_frame(struct stall *s)
{
    if (s)
        atomic_store(&s->last_frame, clock_now_ns());
}

void stall_phase(struct stall *s, const char *phase)
{
    if (s)
        atomic_store(&s->phase, phase);
}

void stall_graph(struct stall *s, struct graph *g)
{
    if (s)
        atomic_store(&s->graph, g);
}
