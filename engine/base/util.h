/* util.h: memory and string helpers shared by every module.
 * Allocation failure aborts the process (out of memory is the one error
 * vitrine does not survive); everything else reports and carries on. */
#ifndef VITRINE_UTIL_H
#define VITRINE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grows *items (of item_size bytes each) so that index `need - 1` fits. */
void grow_array(void **items, size_t *cap, size_t need, size_t item_size);
#define GROW(arr, cap, need) \
    grow_array((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* FNV-1a of the len bytes at s, for hash tables. */
uint64_t str_hash(const char *s, size_t len);

/* Trims leading and trailing white space in place; returns s. */
char *str_trim(char *s);
bool str_ieq(const char *a, const char *b);
/* Edit distance, case-insensitive; stops counting at `limit`. */
int str_distance(const char *a, const char *b, int limit);
/* s with control characters (newlines, escape sequences) written as \xNN
 * and backslashes doubled, for a log line made of bytes from outside;
 * newly allocated. */
char *str_escape(const char *s);
/* Of the NULL-terminated candidates, the one nearest to name, or NULL when
 * none is close enough to be a plausible typo. */
const char *str_nearest(const char *name, const char *const *candidates,
                        size_t count);

/* Growing string buffer. */
struct strbuf {
    char *s;
    size_t len, cap;
};
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the string over (never NULL); the buffer is empty afterwards. */
char *sb_steal(struct strbuf *sb);
void sb_free(struct strbuf *sb);

/* s as UTF-8, newly allocated: each byte that starts no valid sequence
 * (overlong forms and surrogates included) becomes '?': text from a
 * Latin-1 file, an OSC sender, a network file saved in another
 * encoding. */
char *utf8_dup(const char *s);

/* Monotonic clock in nanoseconds. */
int64_t clock_now_ns(void);

/* Reads a whole regular file of at most FILE_READ_MAX bytes; NULL with
 * errno set on failure (EINVAL: not a regular file, such as a FIFO or
 * /dev/zero, which would block or never end; EFBIG: larger). Opening
 * never blocks. Say errors with file_error(). */
#define FILE_READ_MAX ((size_t)256 << 20)
char *file_read_all(const char *path, size_t *len);
/* strerror(), with file_read_all's two errors in words. */
const char *file_error(int err);

#endif
