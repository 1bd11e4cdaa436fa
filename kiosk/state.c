#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/py/py.h"

#define STATE_HEADER "vitrine-state 1\n"

/* ---- the graph's state as text ---- */

char *state_capture_ops(struct graph *g)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < g->nslots; i++) {
        struct op *op = g->slots[i];
        if (!op || !op->type->save_state)
            continue;
        struct strbuf lines = {0};
        op->type->save_state(op, &lines);
        if (lines.len)
            sb_printf(&sb, "op %s %s\n%s", op->path, op->type->optype,
                      lines.s);
        sb_free(&lines);
    }
    return sb.s ? sb_steal(&sb) : xstrdup("");
}

static void base64(struct strbuf *sb, const void *data, size_t len)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    size_t need = sb->len + (len + 2) / 3 * 4 + 1;
    GROW(sb->s, sb->cap, need);
    char *o = sb->s + sb->len;
    size_t i = 0;
    for (; i + 3 <= len; i += 3, o += 4) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        o[0] = abc[v >> 18];
        o[1] = abc[v >> 12 & 63];
        o[2] = abc[v >> 6 & 63];
        o[3] = abc[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 |
                     (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        o[0] = abc[v >> 18];
        o[1] = abc[v >> 12 & 63];
        o[2] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    *o = '\0';
    sb->len = (size_t)(o - sb->s);
}

/* "stored PATH KEY VALUE": one value of op.storage, its key's and its
 * own pickle in base64. Any thread. */
static void storage_lines(struct strbuf *sb, const struct py_storage *st)
{
    size_t n;
    const struct py_stored *it = py_storage_items(st, &n);
    for (size_t i = 0; i < n; i++) {
        sb_printf(sb, "stored %s ", it[i].path);
        base64(sb, it[i].key, it[i].key_len);
        sb_puts(sb, " ");
        base64(sb, it[i].value, it[i].value_len);
        sb_puts(sb, "\n");
    }
}

char *state_capture(struct graph *g)
{
    struct strbuf sb = {0};
    char *ops = state_capture_ops(g);
    sb_puts(&sb, ops);
    free(ops);
    bool changed;
    struct py_storage *st = py_storage_collect(&changed);
    storage_lines(&sb, st);
    py_storage_free(&st);
    return sb.s ? sb_steal(&sb) : xstrdup("");
}

int state_apply(struct graph *g, const char *text)
{
    struct op *cur = NULL;
    char *last_stored = NULL;
    int restored = 0;
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *l = xstrndup(line, len);
        if (strncmp(l, "op ", 3) == 0) {
            char *type = strrchr(l, ' ');
            *type++ = '\0';
            cur = graph_find(g, l + 3);
            if (cur && (strcmp(cur->type->optype, type) != 0 ||
                        !cur->type->restore_state))
                cur = NULL;
            if (cur) {
                restored++;
                cur->par_version++; /* cooks again when next pulled */
            }
        } else if (strncmp(l, "stored ", 7) == 0) {
            char *key = strchr(l + 7, ' ');
            char *value = key ? strchr(key + 1, ' ') : NULL;
            if (value) {
                *key++ = '\0';
                *value++ = '\0';
                bool same_op = last_stored && strcmp(last_stored, l + 7) == 0;
                if (py_storage_load_entry(l + 7, key, value) > 0 && !same_op)
                    restored++;
                free(last_stored);
                last_stored = xstrdup(l + 7);
            }
            cur = NULL;
        } else if (strncmp(l, "storage ", 8) == 0) {
            int n = py_storage_load(l + 8); /* the earlier format */
            if (n > 0)
                restored += n;
        } else if (cur) {
            cur->type->restore_state(cur, l);
        }
        free(l);
        line += len + (nl ? 1 : 0);
    }
    free(last_stored);
    return restored;
}

/* ---- files ---- */

static uint32_t crc_table[256];

static void crc32_table(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        crc_table[n] = c;
    }
}

/* CRC-32 (zlib's), a table at a time. Any thread. */
static uint32_t crc32(const void *data, size_t len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, crc32_table);
    const unsigned char *p = data;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

char *state_file_name(const char *network_file)
{
    char *abs = realpath(network_file, NULL);
    const char *s = abs ? abs : network_file;
    uint64_t h = str_hash(s, strlen(s));
    free(abs);
    return xasprintf("network-%016llx.state", (unsigned long long)h);
}

int write_atomic(const char *dir, const char *name, const void *data,
                 size_t len, char *err, size_t n)
{
    char *tmp = xasprintf("%s/.%s.%ld.tmp", dir, name, (long)getpid());
    char *path = xasprintf("%s/%s", dir, name);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT && mkdir(dir, 0700) == 0) {
        LOG_WARN("[state]", "%s was gone: made it again", dir);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        snprintf(err, n, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            snprintf(err, n, "writing %s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            goto out;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        snprintf(err, n, "writing %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, n, "cannot rename %s to %s: %s", tmp, path,
                 strerror(errno));
        unlink(tmp);
        goto out;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the rename itself reaches the disk */
        close(dfd);
    }
    rc = 0;
out:
    free(tmp);
    free(path);
    return rc;
}

/* The whole file: header, body, storage lines, end line. */
static void state_file(struct strbuf *sb, const char *network_file,
                       const char *ops, const struct py_storage *st)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    sb_printf(sb, STATE_HEADER "network %s\nsaved %lld.%03ld\n", network_file,
              (long long)now.tv_sec, now.tv_nsec / 1000000);
    sb_puts(sb, ops);
    if (st)
        storage_lines(sb, st);
    sb_printf(sb, "end %08x\n", crc32(sb->s, sb->len));
}

int state_save(const char *dir, const char *name, const char *network_file,
               const char *text, char *err, size_t n)
{
    struct strbuf sb = {0};
    state_file(&sb, network_file, text, NULL);
    int rc = write_atomic(dir, name, sb.s, sb.len, err, n);
    sb_free(&sb);
    return rc;
}

/* ---- saving in the background ---- */

struct state_saver {
    pthread_t thread;
    bool running;  /* a save was started and not collected */
    bool threaded; /* on its own thread (else written when started) */
    _Atomic bool done;
    char *dir, *name, *network_file, *ops;
    struct py_storage *st;
    int rc;
    char err[512];
};

static void *saver_main(void *arg)
{
    struct state_saver *sv = arg;
    struct strbuf sb = {0};
    state_file(&sb, sv->network_file, sv->ops, sv->st);
    sv->rc = write_atomic(sv->dir, sv->name, sb.s, sb.len, sv->err,
                          sizeof(sv->err));
    sb_free(&sb);
    atomic_store(&sv->done, true);
    return NULL;
}

struct state_saver *saver_create(void)
{
    return xcalloc(1, sizeof(struct state_saver));
}

static void saver_clear(struct state_saver *sv)
{
    free(sv->dir);
    free(sv->name);
    free(sv->network_file);
    free(sv->ops);
    py_storage_free(&sv->st);
    sv->dir = sv->name = sv->network_file = sv->ops = NULL;
}

int saver_poll(struct state_saver *sv, bool wait, char *err, size_t n)
{
    if (!sv || !sv->running)
        return 0;
    if (!wait && !atomic_load(&sv->done))
        return 2;
    if (sv->threaded)
        pthread_join(sv->thread, NULL);
    sv->running = false;
    saver_clear(sv);
    if (sv->rc != 0) {
        snprintf(err, n, "%s", sv->err);
        return -1;
    }
    return 1;
}

bool saver_start(struct state_saver *sv, const char *dir, const char *name,
                 const char *network_file, const char *ops,
                 struct py_storage *st)
{
    if (sv->running)
        return false;
    sv->dir = xstrdup(dir);
    sv->name = xstrdup(name);
    sv->network_file = xstrdup(network_file);
    sv->ops = xstrdup(ops);
    sv->st = st;
    atomic_store(&sv->done, false);
    sv->running = true;
    sv->threaded = pthread_create(&sv->thread, NULL, saver_main, sv) == 0;
    if (!sv->threaded)
        saver_main(sv); /* no thread to be had: written here */
    return true;
}

void saver_destroy(struct state_saver **psv)
{
    struct state_saver *sv = *psv;
    if (!sv)
        return;
    char err[512];
    if (saver_poll(sv, true, err, sizeof(err)) < 0)
        LOG_WARN("[state]", "%s", err);
    free(sv);
    *psv = NULL;
}

/* NULL when data is not a whole state file; else where its body starts,
 * with the "end" line cut off. */
static char *check(char *data, size_t len, const char **why)
{
    if (len < strlen(STATE_HEADER) ||
        memcmp(data, STATE_HEADER, strlen(STATE_HEADER)) != 0) {
        *why = "not a vitrine state file";
        return NULL;
    }
    if (memchr(data, '\0', len)) {
        *why = "it holds NUL bytes";
        return NULL;
    }
    char *end = len >= 2 ? data + len - 2 : data;
    while (end > data && *end != '\n')
        end--;
    unsigned crc;
    char extra;
    if (end == data || sscanf(end + 1, "end %8x%c", &crc, &extra) != 2 ||
        extra != '\n') {
        *why = "it is cut short (no end line)";
        return NULL;
    }
    if (crc32(data, (size_t)(end + 1 - data)) != crc) {
        *why = "its checksum does not match";
        return NULL;
    }
    end[1] = '\0';
    char *body = data + strlen(STATE_HEADER);
    /* skip the "network" and "saved" lines */
    for (int i = 0; i < 2 && body; i++) {
        body = strchr(body, '\n');
        body = body ? body + 1 : NULL;
    }
    if (!body) {
        *why = "its header is incomplete";
        return NULL;
    }
    return body;
}

char *state_load(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    size_t len;
    char *data = file_read_all(path, &len);
    if (!data) {
        if (errno != ENOENT)
            LOG_WARN("[state]", "cannot read %s: %s; starting fresh", path,
                     file_error(errno));
        free(path);
        return NULL;
    }
    const char *why = NULL;
    char *body = check(data, len, &why);
    if (!body) {
        char *aside = xasprintf("%s.corrupt-%lld", path,
                                (long long)time(NULL));
        if (rename(path, aside) == 0)
            LOG_WARN("[state]", "%s is unusable (%s); moved aside to %s, "
                     "starting fresh", path, why, aside);
        else
            LOG_WARN("[state]", "%s is unusable (%s) and cannot be moved "
                     "aside (%s); starting fresh", path, why,
                     strerror(errno));
        free(aside);
        free(data);
        free(path);
        return NULL;
    }
    char *out = xstrdup(body);
    free(data);
    free(path);
    return out;
}

/* ---- the record of starts ---- */

#define RUNS_FILE "starts"
#define RUNS_KEPT 16

static long long started_at; /* this run's, as recorded */

struct run {
    long long start;
    long pid;
    char status[12]; /* running, clean, unclean */
};

static int runs_read(const char *dir, struct run *runs, int max)
{
    char *path = xasprintf("%s/" RUNS_FILE, dir);
    char *data = file_read_all(path, NULL);
    free(path);
    int n = 0;
    for (char *save, *l = data ? strtok_r(data, "\n", &save) : NULL;
         l && n < max; l = strtok_r(NULL, "\n", &save)) {
        struct run r;
        if (sscanf(l, "%lld %ld %11s", &r.start, &r.pid, r.status) == 3)
            runs[n++] = r;
    }
    free(data);
    return n;
}

/* The record in dir, with what was written elsewhere (when dir could
 * not be) laid over it: a run's later word on how it ended wins. */
static int runs_read_both(const char *dir, const char *elsewhere,
                          struct run *runs, int max)
{
    int n = runs_read(dir, runs, max);
    struct run more[RUNS_KEPT + 1];
    int m = elsewhere ? runs_read(elsewhere, more, RUNS_KEPT + 1) : 0;
    for (int j = 0; j < m; j++) {
        int i = 0;
        while (i < n && (runs[i].start != more[j].start ||
                         runs[i].pid != more[j].pid))
            i++;
        if (i < n) {
            runs[i] = more[j];
        } else if (n < max) {
            int k = n++;
            for (; k > 0 && runs[k - 1].start > more[j].start; k--)
                runs[k] = runs[k - 1];
            runs[k] = more[j];
        }
    }
    return n;
}

static int runs_write(const char *dir, const struct run *runs, int n,
                      char *err, size_t errlen)
{
    struct strbuf sb = {0};
    for (int i = n > RUNS_KEPT ? n - RUNS_KEPT : 0; i < n; i++)
        sb_printf(&sb, "%lld %ld %s\n", runs[i].start, runs[i].pid,
                  runs[i].status);
    int rc = write_atomic(dir, RUNS_FILE, sb.s ? sb.s : "", sb.len, err,
                          errlen);
    sb_free(&sb);
    return rc;
}

/* Writes the record to dir, else (read-only, full) to elsewhere, made
 * when missing; a record elsewhere goes once dir takes it. 1: written
 * elsewhere, 0: in dir, -1: neither (err says why dir could not). */
static int runs_put(const char *dir, const char *elsewhere,
                    const struct run *runs, int n, char *err, size_t errlen)
{
    if (runs_write(dir, runs, n, err, errlen) == 0) {
        if (elsewhere) {
            char *other = xasprintf("%s/" RUNS_FILE, elsewhere);
            unlink(other);
            free(other);
        }
        return 0;
    }
    char more[256];
    if (!elsewhere || (mkdir(elsewhere, 0700) != 0 && errno != EEXIST) ||
        runs_write(elsewhere, runs, n, more, sizeof(more)) != 0)
        return -1;
    return 1;
}

/* Whether pid is a live vitrine (not a zombie waiting for its parent,
 * not another program that got the number since). */
static bool vitrine_alive(long pid)
{
    if (pid == (long)getpid())
        return false; /* an earlier run with our number: gone */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    char *stat = file_read_all(path, NULL);
    if (!stat)
        return access("/proc/self/stat", R_OK) != 0 &&
               (kill((pid_t)pid, 0) == 0 || errno != ESRCH);
    char *open = strchr(stat, '('), *close = strrchr(stat, ')');
    bool alive = open && close && close[1] == ' ' &&
                 strncmp(open + 1, "vitrine", 7) == 0 &&
                 close[2] != 'Z' && close[2] != 'X';
    free(stat);
    return alive;
}

/* Removes ".NAME.PID.tmp" files that a run killed in the middle of a
 * write left behind (write_atomic's), unless that run still lives. */
static void remove_stale_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    int removed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] != '.' || len < 6 ||
            strcmp(e->d_name + len - 4, ".tmp") != 0)
            continue;
        char *copy = xstrndup(e->d_name, len - 4);
        char *dot = strrchr(copy, '.'), *end;
        long pid = dot ? strtol(dot + 1, &end, 10) : 0;
        if (dot && end != dot + 1 && *end == '\0' && !vitrine_alive(pid)) {
            char *path = xasprintf("%s/%s", dir, e->d_name);
            removed += unlink(path) == 0;
            free(path);
        }
        free(copy);
    }
    closedir(d);
    if (removed)
        LOG_INFO("[state]", "removed %d temporary file%s that runs stopped "
                 "in the middle of a save left in %s", removed,
                 removed == 1 ? "" : "s", dir);
}

int runs_start(const char *dir, const char *elsewhere, double window,
               bool *recorded_elsewhere, char *err, size_t n)
{
    *recorded_elsewhere = false;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, n, "cannot make the state folder %s: %s", dir,
                 strerror(errno));
        return -1;
    }
    remove_stale_tmp(dir);
    struct run runs[RUNS_KEPT + 1];
    int count = runs_read_both(dir, elsewhere, runs, RUNS_KEPT);
    long long now = (long long)time(NULL);
    int unclean = 0;
    for (int i = 0; i < count; i++) {
        struct run *r = &runs[i];
        /* "running" and gone: it never said it ended */
        if (strcmp(r->status, "running") == 0 && !vitrine_alive(r->pid))
            snprintf(r->status, sizeof(r->status), "unclean");
        if (strcmp(r->status, "unclean") == 0 &&
            (double)(now - r->start) <= window)
            unclean++;
    }
    if (count == RUNS_KEPT) {
        memmove(runs, runs + 1, (RUNS_KEPT - 1) * sizeof(runs[0]));
        count--;
    }
    runs[count++] = (struct run){now, (long)getpid(), "running"};
    started_at = now;
    int put = runs_put(dir, elsewhere, runs, count, err, n);
    if (put < 0)
        return -1;
    *recorded_elsewhere = put == 1;
    return unclean;
}

void runs_clean_exit(const char *dir, const char *elsewhere)
{
    struct run runs[RUNS_KEPT + 1];
    int count = runs_read_both(dir, elsewhere, runs, RUNS_KEPT);
    int i = count - 1;
    while (i >= 0 && !(runs[i].pid == (long)getpid() &&
                       strcmp(runs[i].status, "running") == 0))
        i--;
    if (i >= 0) /* else the record went with its folder: this run anew */
        snprintf(runs[i].status, sizeof(runs[i].status), "clean");
    else
        runs[count++] = (struct run){started_at, (long)getpid(), "clean"};
    char err[256];
    if (runs_put(dir, elsewhere, runs, count, err, sizeof(err)) < 0)
        LOG_WARN("[state]", "%s; this clean stop is not recorded", err);
}
