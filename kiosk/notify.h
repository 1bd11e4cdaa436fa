/* notify.h: telling systemd how the runtime is (sd_notify through
 * libsystemd): READY=1 after the first frame is presented, WATCHDOG=1
 * from the frame loop only while frames advance, STATUS= with the
 * network, frame rate and error count, RELOADING=1 / READY=1 around
 * reloads, STOPPING=1 at exit. Without NOTIFY_SOCKET (not started by
 * systemd) every call returns at once and says nothing.
 *
 * Threads: main thread. */
#ifndef VITRINE_NOTIFY_H
#define VITRINE_NOTIFY_H

#include <stdint.h>

void notify_init(void);
/* The first frame is on the screen. */
void notify_ready(void);
/* A frame finished at now_ns: pets the watchdog at a quarter of its
 * period (when systemd set one). */
void notify_frame(int64_t now_ns);
/* STATUS=...; printf-style. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void notify_reloading(void);
void notify_reloaded(void);
void notify_stopping(void);

#endif
