/* watch.h: notices when a network's files change: the network file and
 * every file its parameters name (scripts, shaders, images, tables),
 * through inotify on their folders, so that editors that save by
 * renaming a new file into place are seen too. A burst of changes counts
 * once, when it has been quiet for 300 ms.
 *
 * Threads: main thread. */
#ifndef VITRINE_WATCH_H
#define VITRINE_WATCH_H

#include <stdbool.h>
#include <stdint.h>

struct graph;
struct watch;

/* NULL (with a warning) when inotify is not available. */
struct watch *watch_create(void);
void watch_destroy(struct watch **w);
/* Watches g's files from now on (instead of the previous graph's). */
void watch_graph(struct watch *w, const struct graph *g);
/* True once for each burst of changes, when it has settled; names the
 * first file changed in *what (valid until the next call). */
bool watch_due(struct watch *w, int64_t now_ns, const char **what);

#endif
