#include "notify.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "../engine/base/util.h"

static struct {
    bool on;             /* NOTIFY_SOCKET is set */
    int64_t watchdog_ns; /* between pets; 0: no watchdog */
    int64_t next_pet;
    bool ready;
} n;

void notify_init(void)
{
    n.on = getenv("NOTIFY_SOCKET") != NULL;
    uint64_t usec = 0;
    if (n.on && sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        n.watchdog_ns = (int64_t)usec * 1000 / 4;
}

void notify_ready(void)
{
    if (n.on && !n.ready)
        sd_notify(0, "READY=1");
    n.ready = true;
}

void notify_frame(int64_t now_ns)
{
    if (!n.watchdog_ns || now_ns < n.next_pet)
        return;
    sd_notify(0, "WATCHDOG=1");
    n.next_pet = now_ns + n.watchdog_ns;
}

void notify_status(const char *fmt, ...)
{
    if (!n.on)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    sd_notifyf(0, "STATUS=%s", s);
    free(s);
}

void notify_reloading(void)
{
    if (n.on)
        sd_notify(0, "RELOADING=1");
}

void notify_reloaded(void)
{
    if (n.on)
        sd_notify(0, "READY=1");
}

void notify_stopping(void)
{
    if (n.on)
        sd_notify(0, "STOPPING=1");
}
