/* stall.h: the stall detector. A thread notices when the frame loop has
 * not finished a frame for hang_timeout seconds. When a Python script is
 * running, the script budget has been interrupting it (py.h); it is
 * interrupted once more, and given one second. When that does not help,
 * or the loop is stuck anywhere else (a driver, a blocking call), it logs
 * what was running (the loop's phase, the op being cooked, the Python
 * traceback of the main thread) and aborts, so that systemd restarts
 * the process. Time the whole process spent stopped (SIGSTOP, a
 * suspend: the watcher's own sleep took seconds too) is not counted.
 *
 * Threads: stall_* on the main thread; the watcher is internal. */
#ifndef VITRINE_STALL_H
#define VITRINE_STALL_H

struct graph;
struct stall;

/* NULL when hang_timeout <= 0 (off). */
struct stall *stall_start(double hang_timeout);
void stall_stop(struct stall **s);
/* A frame finished; phase names what the loop does next. */
void stall_frame(struct stall *s);
/* What the loop is doing now ("cooking", "presenting", ...), a string
 * that lives as long as the program. */
void stall_phase(struct stall *s, const char *phase);
/* The graph whose cooking op the diagnostic names. */
void stall_graph(struct stall *s, struct graph *g);

#endif
