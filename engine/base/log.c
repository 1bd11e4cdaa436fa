#include "log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static enum log_level max_level = LOG_LEVEL_INFO;
static bool to_journal;
static log_sink_fn sink;
static void *sink_userdata;

/* The last lines written, for the status page (log_recent). */
#define RECENT 64
#define RECENT_LEN 240
static pthread_mutex_t recent_mu = PTHREAD_MUTEX_INITIALIZER;
static char recent[RECENT][RECENT_LEN];
static unsigned recent_next, recent_count;

static void keep_recent(const char *line, int len)
{
    pthread_mutex_lock(&recent_mu);
    snprintf(recent[recent_next], RECENT_LEN, "%.*s", len, line);
    recent_next = (recent_next + 1) % RECENT;
    if (recent_count < RECENT)
        recent_count++;
    pthread_mutex_unlock(&recent_mu);
}

size_t log_recent(char *buf, size_t n, int lines)
{
    size_t o = 0;
    if (n)
        buf[0] = '\0';
    pthread_mutex_lock(&recent_mu);
    unsigned k = lines < 0 ? 0 : (unsigned)lines;
    if (k > recent_count)
        k = recent_count;
    for (unsigned i = 0; i < k && o + 1 < n; i++) {
        const char *l = recent[(recent_next + RECENT - k + i) % RECENT];
        int w = snprintf(buf + o, n - o, "%s\n", l);
        o = w < 0 ? o : o + (size_t)w < n ? o + (size_t)w : n - 1;
    }
    pthread_mutex_unlock(&recent_mu);
    return o;
}

void log_init(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev, ino;
    to_journal = false;
    if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
        fstat(STDERR_FILENO, &st) == 0)
        to_journal = (unsigned long long)st.st_dev == dev &&
                     (unsigned long long)st.st_ino == ino;
}

void log_set_level(enum log_level level) { max_level = level; }
enum log_level log_get_level(void) { return max_level; }

void log_set_sink(log_sink_fn fn, void *userdata)
{
    sink = fn;
    sink_userdata = userdata;
}

bool log_to_journal(void)
{
    return to_journal;
}

static const char *level_word(enum log_level level)
{
    switch (level) {
    case LOG_LEVEL_ERR: return "error: ";
    case LOG_LEVEL_WARN: return "warning: ";
    default: return "";
    }
}

void log_vmsg(enum log_level level, const char *prefix, const char *fmt,
              va_list ap)
{
    if (level > max_level)
        return;
    char raw[2048], msg[2048];
    vsnprintf(raw, sizeof(raw), fmt, ap);
    /* Control characters (an escape sequence in an OSC string a script
     * printed, a carriage return) reach no terminal or journal as such:
     * written \xNN. Newlines split lines, tabs stay. */
    size_t o = 0;
    for (const unsigned char *c = (const unsigned char *)raw;
         *c && o + 5 < sizeof(msg); c++) {
        if ((*c < 0x20 && *c != '\n' && *c != '\t') || *c == 0x7f)
            o += (size_t)snprintf(msg + o, sizeof(msg) - o, "\\x%02x", *c);
        else
            msg[o++] = (char)*c;
    }
    msg[o] = '\0';
    if (sink) {
        sink(sink_userdata, level, prefix, msg);
        return;
    }
    /* One line per message: embedded newlines (tracebacks) become
     * separate journal lines with the same priority and prefix. */
    char line[2400];
    const char *p = msg;
    do {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        int n;
        if (to_journal)
            n = snprintf(line, sizeof(line), "<%d>%s%s%s%.*s\n", (int)level,
                         prefix ? prefix : "", prefix ? " " : "", "", len, p);
        else
            n = snprintf(line, sizeof(line), "%s%s%s%.*s\n",
                         prefix ? prefix : "", prefix ? " " : "",
                         level_word(level), len, p);
        if (n > (int)sizeof(line) - 1)
            n = (int)sizeof(line) - 1;
        if (!to_journal)
            keep_recent(line, n - 1);
        else /* without the priority */
            keep_recent(line + 3, n - 4);
        if (write(STDERR_FILENO, line, (size_t)n) < 0) {
            /* nowhere left to report it */
        }
        p = nl ? nl + 1 : NULL;
    } while (p && *p);
}

void log_msg(enum log_level level, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, prefix, fmt, ap);
    va_end(ap);
}
