/* log.h: the one way vitrine prints.
 *
 * Every line goes to stderr with a prefix naming its component or op path
 * ("[osc]", "[/project1/noise1]"). When stderr is connected to the journal
 * (JOURNAL_STREAM matches stderr), lines carry sd-daemon priority prefixes
 * ("<3>" error, "<4>" warning, "<6>" info, "<7>" debug) instead of a level
 * word. Any thread may log; each line is written with a single write(2). */
#ifndef VITRINE_LOG_H
#define VITRINE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
    LOG_LEVEL_ERR = 3,
    LOG_LEVEL_WARN = 4,
    LOG_LEVEL_INFO = 6,
    LOG_LEVEL_DBG = 7,
};

/* A sink receives every line that passes the level filter, in place of
 * stderr (tests capture messages this way). prefix may be NULL. */
typedef void (*log_sink_fn)(void *userdata, enum log_level level,
                            const char *prefix, const char *msg);

/* Reads JOURNAL_STREAM once; call early in main. Safe to call again. */
void log_init(void);
/* Whether stderr is the journal (as log_init found). */
bool log_to_journal(void);
/* Lines above max_level are dropped. Default LOG_LEVEL_INFO. */
void log_set_level(enum log_level max_level);
enum log_level log_get_level(void);
/* NULL restores stderr. Not thread-safe against concurrent logging. */
void log_set_sink(log_sink_fn sink, void *userdata);

/* The last `lines` lines written (at most 64, each cut at 240 bytes),
 * oldest first, each ending in a newline, into buf; returns the bytes
 * written. Any thread. */
size_t log_recent(char *buf, size_t n, int lines);

void log_msg(enum log_level level, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level level, const char *prefix, const char *fmt,
              va_list ap);

#define LOG_ERR(prefix, ...) log_msg(LOG_LEVEL_ERR, prefix, __VA_ARGS__)
#define LOG_WARN(prefix, ...) log_msg(LOG_LEVEL_WARN, prefix, __VA_ARGS__)
#define LOG_INFO(prefix, ...) log_msg(LOG_LEVEL_INFO, prefix, __VA_ARGS__)
#define LOG_DBG(prefix, ...) log_msg(LOG_LEVEL_DBG, prefix, __VA_ARGS__)

#endif
