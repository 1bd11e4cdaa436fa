#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "vitrine: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void grow_array(void **items, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    *items = xrealloc(*items, n * item_size);
    memset((char *)*items + *cap * item_size, 0, (n - *cap) * item_size);
    *cap = n;
}

uint64_t str_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

char *str_trim(char *s)
{
    char *b = s;
    while (isspace((unsigned char)*b))
        b++;
    size_t n = strlen(b);
    while (n && isspace((unsigned char)b[n - 1]))
        n--;
    memmove(s, b, n);
    s[n] = '\0';
    return s;
}

bool str_ieq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

int str_distance(const char *a, const char *b, int limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return limit;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0], best = row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = tolower((unsigned char)a[i - 1]) !=
                       tolower((unsigned char)b[j - 1]);
            int v = diag + cost;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best >= limit)
            return limit;
    }
    return row[lb] < limit ? row[lb] : limit;
}

const char *str_nearest(const char *name, const char *const *candidates,
                        size_t count)
{
    const char *best = NULL;
    /* A typo is plausible within a third of the name's length. */
    int limit = (int)strlen(name) / 3 + 2, best_d = limit;
    for (size_t i = 0; i < count; i++) {
        if (!candidates[i])
            continue;
        int d = str_distance(name, candidates[i], best_d);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

void sb_append(struct strbuf *sb, const char *s, size_t n)
{
    GROW(sb->s, sb->cap, sb->len + n + 1);
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s) { sb_append(sb, s, strlen(s)); }

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    sb_puts(sb, s);
    free(s);
}

char *sb_steal(struct strbuf *sb)
{
    char *s = sb->s ? sb->s : xstrdup("");
    *sb = (struct strbuf){0};
    return s;
}

void sb_free(struct strbuf *sb)
{
    free(sb->s);
    *sb = (struct strbuf){0};
}

int64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static int utf8_seq_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
          : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* overlong, surrogates, past U+10FFFF */
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

char *utf8_dup(const char *s)
{
    char *out = xstrdup(s);
    for (unsigned char *p = (unsigned char *)out; *p;) {
        int n = utf8_seq_len(p);
        if (n)
            p += n;
        else
            *p++ = '?';
    }
    return out;
}

char *file_read_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno
            : S_ISDIR(st.st_mode) ? EISDIR
            : !S_ISREG(st.st_mode) ? EINVAL
            : (uint64_t)st.st_size > FILE_READ_MAX ? EFBIG : 0;
    /* Files in /proc say size 0 and are read to their end. */
    struct strbuf sb = {0};
    char buf[65536];
    while (!err) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        if (sb.len + (size_t)n > FILE_READ_MAX)
            err = EFBIG;
        else
            sb_append(&sb, buf, (size_t)n);
    }
    close(fd);
    if (err) {
        sb_free(&sb);
        errno = err;
        return NULL;
    }
    if (len)
        *len = sb.len;
    return sb_steal(&sb);
}

const char *file_error(int err)
{
    if (err == EINVAL)
        return "not a regular file";
    _Static_assert(FILE_READ_MAX == (size_t)256 << 20, "say the limit");
    if (err == EFBIG)
        return "larger than 256 MiB";
    return strerror(err);
}

char *str_escape(const char *s)
{
    struct strbuf sb = {0};
    sb_puts(&sb, "");
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '\\')
            sb_puts(&sb, "\\\\");
        else if (*c < 0x20 || *c == 0x7f)
            sb_printf(&sb, "\\x%02x", *c);
        else
            sb_append(&sb, (const char *)c, 1);
    }
    return sb_steal(&sb);
}
