#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"

#define SETTLE_NS 300000000LL

struct watched {
    int wd;     /* the folder's watch */
    char *dir;  /* the folder */
    char *name; /* the file in it */
};

struct watch {
    int fd;
    struct watched *files;
    size_t n, cap;
    int64_t changed_at; /* first event of a burst not yet reported, 0 */
    int64_t last_event;
    char *what;
};

struct watch *watch_create(void)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        LOG_WARN("[reload]", "cannot watch files (inotify: %s); changes "
                 "need SIGHUP or /vitrine/reload", strerror(errno));
        return NULL;
    }
    struct watch *w = xcalloc(1, sizeof(*w));
    w->fd = fd;
    return w;
}

static void clear(struct watch *w)
{
    for (size_t i = 0; i < w->n; i++) {
        bool shared = false;
        for (size_t j = 0; j < i; j++)
            shared |= w->files[j].wd == w->files[i].wd;
        if (!shared && w->files[i].wd >= 0)
            inotify_rm_watch(w->fd, w->files[i].wd);
        free(w->files[i].dir);
        free(w->files[i].name);
    }
    w->n = 0;
}

void watch_destroy(struct watch **pw)
{
    struct watch *w = *pw;
    if (!w)
        return;
    clear(w);
    free(w->files);
    free(w->what);
    close(w->fd);
    free(w);
    *pw = NULL;
}

static void add(struct watch *w, const char *path)
{
    char *abs = realpath(path, NULL);
    char *full = abs ? abs : xstrdup(path);
    char *slash = strrchr(full, '/');
    char *dir = slash == full ? xstrdup("/")
                : slash ? xstrndup(full, (size_t)(slash - full))
                        : xstrdup(".");
    const char *name = slash ? slash + 1 : full;
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->files[i].dir, dir) == 0 &&
            strcmp(w->files[i].name, name) == 0) {
            free(dir);
            free(full);
            return;
        }
    int wd = inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
                               IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                               IN_ATTRIB);
    if (wd < 0)
        LOG_WARN("[reload]", "cannot watch %s: %s", dir, strerror(errno));
    grow_array((void **)&w->files, &w->cap, w->n + 1, sizeof(*w->files));
    w->files[w->n++] = (struct watched){wd, dir, xstrdup(name)};
    free(full);
}

void watch_graph(struct watch *w, const struct graph *g)
{
    if (!w)
        return;
    clear(w);
    if (g->file)
        add(w, g->file);
    for (size_t i = 0; i < g->nslots; i++) {
        struct op *op = g->slots[i];
        for (size_t k = 0; op && k < op->npars; k++) {
            struct par *p = &op->pars[k];
            if (p->def->kind != PAR_FILE)
                continue;
            const char *v = par_get_string(op, p);
            if (v && v[0]) {
                char *path = graph_resolve_file(g, v);
                add(w, path);
                free(path);
            }
        }
    }
}

bool watch_due(struct watch *w, int64_t now_ns, const char **what)
{
    if (!w)
        return false;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t len;
    while ((len = read(w->fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            p += sizeof(*e) + e->len;
            for (size_t i = 0; e->len && i < w->n; i++) {
                if (w->files[i].wd != e->wd ||
                    strcmp(w->files[i].name, e->name) != 0)
                    continue;
                if (!w->changed_at) {
                    w->changed_at = now_ns;
                    free(w->what);
                    w->what = xasprintf("%s/%s", w->files[i].dir,
                                        w->files[i].name);
                }
                w->last_event = now_ns;
            }
        }
    }
    if (!w->changed_at || now_ns - w->last_event < SETTLE_NS)
        return false;
    w->changed_at = 0;
    *what = w->what;
    return true;
}
