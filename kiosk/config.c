#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"

enum key_kind {
    KEY_STRING,
    KEY_INT,
    KEY_BOOL,
    KEY_DOUBLE,
    KEY_BYTES, /* a double: 512M, 2G, 1.5G, 800000000 (K M G T: 1024s) */
    KEY_INSTANT, /* a double, Unix seconds: 1767225600 or
                  * 2026-01-01T00:00:00Z (UTC) */
};

struct key {
    const char *section, *name;
    enum key_kind kind;
    size_t offset;
    double min, max;
    const char *choices; /* KEY_STRING: "a|b|c", or NULL for any */
};

#define K(sec, nm, kind, field, lo, hi, ch) \
    {sec, nm, kind, offsetof(struct kiosk_config, field), lo, hi, ch}

static const struct key keys[] = {
    K("kiosk", "network", KEY_STRING, network, 0, 0, NULL),
    K("kiosk", "fallback", KEY_STRING, fallback, 0, 0, NULL),
    K("kiosk", "monitor", KEY_INT, monitor, 0, 64, NULL),
    K("kiosk", "fullscreen", KEY_BOOL, fullscreen, 0, 1, NULL),
    K("kiosk", "vsync", KEY_BOOL, vsync, 0, 1, NULL),
    K("kiosk", "cursor", KEY_BOOL, cursor, 0, 1, NULL),
    K("kiosk", "fit", KEY_STRING, fit, 0, 0, "fill|fit|stretch|native"),
    K("kiosk", "overlay", KEY_BOOL, overlay, 0, 1, NULL),
    K("osc", "port", KEY_INT, osc_port, 0, 65535, NULL),
    K("osc", "bind", KEY_STRING, osc_bind, 0, 0, NULL),
    K("osc", "allow", KEY_STRING, osc_allow, 0, 0, NULL),
    K("osc", "namespace", KEY_BOOL, osc_namespace, 0, 1, NULL),
    K("osc", "params", KEY_BOOL, osc_params, 0, 1, NULL),
    K("osc", "load_dir", KEY_STRING, osc_load_dir, 0, 0, NULL),
    K("midi", "device", KEY_STRING, midi_device, 0, 0, NULL),
    K("watchdog", "hang_timeout", KEY_DOUBLE, hang_timeout, 0.1, 3600, NULL),
    K("watchdog", "script_budget_ms", KEY_DOUBLE, script_budget_ms, 1, 600000,
      NULL),
    K("gpu", "max_memory", KEY_BYTES, gpu_max_memory, 0, 1e15, NULL),
    K("state", "dir", KEY_STRING, state_dir, 0, 0, NULL),
    K("state", "interval", KEY_DOUBLE, state_interval, 0.1, 86400, NULL),
    K("state", "max_storage", KEY_BYTES, storage_max, 0, 1e15, NULL),
    K("sync", "epoch", KEY_INSTANT, sync_epoch, 0, 1e11, NULL),
    K("sync", "name", KEY_STRING, sync_name, 0, 0, NULL),
    K("sync", "announce", KEY_BOOL, sync_announce, 0, 1, NULL),
    K("sync", "group", KEY_STRING, sync_group, 0, 0, NULL),
    K("sync", "port", KEY_INT, sync_port, 1, 65535, NULL),
    K("sync", "interface", KEY_STRING, sync_interface, 0, 0, NULL),
    K("http", "port", KEY_INT, http_port, 0, 65535, NULL),
    K("http", "bind", KEY_STRING, http_bind, 0, 0, NULL),
};

void config_defaults(struct kiosk_config *c)
{
    *c = (struct kiosk_config){
        .fullscreen = 1,
        .vsync = 1,
        .osc_port = 7000,
        .osc_bind = xstrdup("127.0.0.1"),
        .osc_allow = xstrdup("127.0.0.0/8"),
        .osc_namespace = 1,
        .osc_params = 1,
        .fit = xstrdup("fit"),
        .hang_timeout = 5,
        .sync_epoch = -1,
        .sync_announce = -1,
        .sync_group = xstrdup("239.255.86.84"),
        .sync_port = 7099,
        .http_port = 7080,
        .http_bind = xstrdup("127.0.0.1"),
        .script_budget_ms = 500,
        .state_interval = 5,
        .storage_max = 128 << 20,
    };
}

void config_kiosk_name(const struct kiosk_config *c, char *buf, size_t n)
{
    if (c->sync_name && *c->sync_name)
        snprintf(buf, n, "%s", c->sync_name);
    else if (gethostname(buf, n) != 0 || !buf[0])
        snprintf(buf, n, "kiosk");
    buf[n - 1] = '\0';
}

void config_free(struct kiosk_config *c)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        if (keys[i].kind == KEY_STRING)
            free(*(char **)((char *)c + keys[i].offset));
    *c = (struct kiosk_config){0};
}

struct reader_state {
    const char *file, *buf;
    size_t pos;
    int line, errors;
    struct kiosk_config *c;
};

static char *reader(char *str, int num, void *stream)
{
    struct reader_state *rs = stream;
    if (!rs->buf[rs->pos])
        return NULL;
    const char *start = rs->buf + rs->pos;
    const char *nl = strchr(start, '\n');
    size_t len = nl ? (size_t)(nl - start) : strlen(start);
    rs->pos += len + (nl ? 1 : 0);
    rs->line++;
    if ((int)len > num - 2) {
        fprintf(stderr, "%s:%d: line is longer than %d characters\n",
                rs->file, rs->line, num - 2);
        rs->errors++;
        len = 0;
    }
    memcpy(str, start, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

static void bad(struct reader_state *rs, const char *section, const char *fmt,
                ...) __attribute__((format(printf, 3, 4)));
static void bad(struct reader_state *rs, const char *section, const char *fmt,
                ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s:%d: [%s] %s\n", rs->file, rs->line, section, m);
    free(m);
    rs->errors++;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
    struct reader_state *rs = user;
    const struct key *k = NULL;
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        if (str_ieq(keys[i].section, section) && str_ieq(keys[i].name, name))
            k = &keys[i];
    if (!k) {
        const char *names[ARRAY_LEN(keys)];
        for (size_t i = 0; i < ARRAY_LEN(keys); i++)
            names[i] = str_ieq(keys[i].section, section) ? keys[i].name : NULL;
        const char *near = str_nearest(name, names, ARRAY_LEN(keys));
        bad(rs, section, "unknown key '%s'%s%s%s", name,
            near ? " (did you mean '" : "", near ? near : "",
            near ? "'?)" : "");
        return 1;
    }
    void *slot = (char *)rs->c + k->offset;
    char *end;
    switch (k->kind) {
    case KEY_STRING:
        if (k->choices) {
            char buf[256];
            snprintf(buf, sizeof(buf), "%s", k->choices);
            bool ok = false;
            for (char *s = NULL, *t = strtok_r(buf, "|", &s); t;
                 t = strtok_r(NULL, "|", &s))
                ok |= str_ieq(t, value);
            if (!ok) {
                bad(rs, section, "%s = '%s' is not one of %s", name, value,
                    k->choices);
                return 1;
            }
        }
        free(*(char **)slot);
        *(char **)slot = xstrdup(value);
        break;
    case KEY_BOOL:
        if (str_ieq(value, "yes") || str_ieq(value, "true") ||
            str_ieq(value, "on") || strcmp(value, "1") == 0)
            *(int *)slot = 1;
        else if (str_ieq(value, "no") || str_ieq(value, "false") ||
                 str_ieq(value, "off") || strcmp(value, "0") == 0)
            *(int *)slot = 0;
        else
            bad(rs, section, "%s = '%s' is not yes/no", name, value);
        break;
    case KEY_INT: {
        long v = strtol(value, &end, 10);
        if (end == value || *end || v < k->min || v > k->max)
            bad(rs, section, "%s = '%s' is not an integer from %g to %g",
                name, value, k->min, k->max);
        else
            *(int *)slot = (int)v;
        break;
    }
    case KEY_DOUBLE: {
        double v = strtod(value, &end);
        /* written so that nan is refused too */
        if (end == value || *end || !(v >= k->min && v <= k->max))
            bad(rs, section, "%s = '%s' is not a number from %g to %g", name,
                value, k->min, k->max);
        else
            *(double *)slot = v;
        break;
    }
    case KEY_BYTES: {
        double v = strtod(value, &end);
        const char *units = "KMGT", *u = *end ? strchr(units, *end & ~0x20)
                                              : NULL;
        if (u && *u) {
            for (const char *q = units; q <= u; q++)
                v *= 1024;
            end++;
            if (*end == 'i')
                end++;
            if ((*end & ~0x20) == 'B')
                end++;
        }
        if (end == value || *end || !(v >= k->min && v <= k->max))
            bad(rs, section, "%s = '%s' is not a size such as 512M or 2G "
                "(0: what the GPU has)", name, value);
        else
            *(double *)slot = v;
        break;
    }
    case KEY_INSTANT: {
        double v = strtod(value, &end);
        struct tm tm = {0};
        if (end == value || *end) { /* not a number: a UTC date and time */
            const char *rest = strptime(value, "%Y-%m-%dT%H:%M:%S", &tm);
            if (rest && (*rest == 'Z' || *rest == 'z') && !rest[1])
                v = (double)timegm(&tm);
            else
                v = -1;
        }
        if (!(v >= k->min && v <= k->max))
            bad(rs, section, "%s = '%s' is not an instant: Unix seconds "
                "(1767225600) or a UTC time (2026-01-01T00:00:00Z)", name,
                value);
        else
            *(double *)slot = v;
        break;
    }
    }
    return 1;
}

int config_load(struct kiosk_config *c, const char *path)
{
    char *buf = file_read_all(path, NULL);
    if (!buf) {
        fprintf(stderr, "%s: cannot read configuration: %s\n", path,
                file_error(errno));
        return 1;
    }
    struct reader_state rs = {.file = path, .buf = buf, .c = c};
    int rc = ini_parse_stream(reader, &rs, handler, &rs);
    if (rc > 0) {
        /* inih reports the first malformed line only. */
        fprintf(stderr, "%s:%d: expected '[section]' or 'key = value'\n",
                path, rc);
        rs.errors++;
    }
    free(buf);
    return rs.errors;
}
