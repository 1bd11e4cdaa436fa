/* osc_codec.c: OSC messages to and from bytes, through liblo. The one
 * codec of the runtime: the reader threads, the OSC Out ops, the
 * runtime's replies and the Python API (OSC In DAT arguments, sendOSC)
 * all come here.
 *
 * liblo 0.31 knows every OSC 1.0 type but two: arrays ('[' and ']', which
 * carry no bytes of their own) and RGBA colours ('r', 4 bytes). A message
 * with them is handed to liblo with the brackets taken out of its type
 * tags and 'r' read as an int32, and given back as sent; on the way out,
 * the brackets are put back into liblo's bytes. Nothing else is decoded
 * or encoded here by hand. */
#include "osc_codec.h"

#include <arpa/inet.h>
#include <lo/lo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TAGS_MAX 256

/* Length of the padded OSC string at p within n bytes, 0 when it is not
 * terminated there. */
static size_t padded_len(const unsigned char *p, size_t n)
{
    const unsigned char *z = memchr(p, 0, n);
    if (!z)
        return 0;
    size_t len = ((size_t)(z - p) + 4) & ~(size_t)3;
    return len <= n ? len : 0;
}

/* data with its type tags as liblo takes them: brackets out, 'r' as 'i';
 * NULL when nothing had to change. *sent gets the tags as sent. */
static unsigned char *for_liblo(const unsigned char *data, size_t len,
                                char *sent, size_t *out_len)
{
    size_t plen = padded_len(data, len);
    if (!plen || plen == len || data[plen] != ',')
        return NULL;
    size_t tlen = padded_len(data + plen, len - plen);
    if (!tlen)
        return NULL;
    const char *tags = (const char *)data + plen + 1;
    snprintf(sent, TAGS_MAX, "%s", tags);
    if (!strpbrk(tags, "[]r"))
        return NULL;
    char kept[TAGS_MAX + 1] = ",";
    size_t k = 1;
    int depth = 0;
    for (const char *t = tags; *t && k < TAGS_MAX; t++) {
        if (*t == '[' || *t == ']') {
            depth += *t == '[' ? 1 : -1;
            if (depth < 0)
                return NULL; /* liblo will say it is malformed */
            continue;
        }
        kept[k++] = *t == 'r' ? 'i' : *t;
    }
    kept[k] = '\0';
    if (depth != 0)
        return NULL;
    size_t klen = (k + 4) & ~(size_t)3;
    unsigned char *copy = xcalloc(1, len - tlen + klen);
    memcpy(copy, data, plen);
    memcpy(copy + plen, kept, k);
    memcpy(copy + plen + klen, data + plen + tlen, len - plen - tlen);
    *out_len = len - tlen + klen;
    return copy;
}

int osc_message_args(const void *data, size_t len, char *addr,
                     size_t addr_len,
                     void (*visit)(void *ctx, const struct osc_arg *a),
                     void *ctx)
{
    char sent[TAGS_MAX] = "";
    size_t mlen = len;
    unsigned char *mapped = for_liblo(data, len, sent, &mlen);
    int result = 0;
    lo_message m = lo_message_deserialise(mapped ? mapped : (void *)data,
                                          mlen, &result);
    if (!m) {
        free(mapped);
        return -1;
    }
    const char *path = lo_get_path(mapped ? mapped : (void *)data,
                                   (ssize_t)mlen);
    snprintf(addr, addr_len, "%s", path ? path : "");
    const char *types = lo_message_get_types(m);
    lo_arg **argv = lo_message_get_argv(m);
    int argc = lo_message_get_argc(m);
    /* the types as sent when liblo saw others; else liblo's */
    const char *t = sent[0] && mapped ? sent : types;
    int i = 0;
    for (; *t; t++) {
        struct osc_arg a = {.type = *t};
        if (*t == '[' || *t == ']') {
            if (visit)
                visit(ctx, &a);
            continue;
        }
        if (i >= argc)
            break;
        /* liblo's arguments lie in its buffer 4-aligned, not as a lo_arg
         * would be: copied out, never read through the union */
        const unsigned char *v = (const unsigned char *)argv[i++];
        switch (*t) {
        case 'i': memcpy(&a.v.i, v, 4); break;
        case 'r': memcpy(&a.v.r, v, 4); break;
        case 'f': memcpy(&a.v.f, v, 4); break;
        case 'h': memcpy(&a.v.h, v, 8); break;
        case 'd': memcpy(&a.v.d, v, 8); break;
        case 't': {
            uint32_t sec, frac;
            memcpy(&sec, v, 4);
            memcpy(&frac, v + 4, 4);
            a.v.t = (uint64_t)sec << 32 | frac;
            break;
        }
        case 'c': {
            int32_t c;
            memcpy(&c, v, 4);
            a.v.c = (char)c;
            break;
        }
        case 'm': memcpy(a.v.m, v, 4); break;
        case 's':
        case 'S': a.s = (const char *)v; break;
        case 'b':
            a.blob = lo_blob_dataptr((lo_blob)argv[i - 1]);
            a.blob_len = lo_blob_datasize((lo_blob)argv[i - 1]);
            break;
        default: break; /* T F N I: the type is the value */
        }
        if (visit)
            visit(ctx, &a);
    }
    lo_message_free(m);
    free(mapped);
    return 0;
}

/* ---- encoding ---- */

struct osc_out {
    lo_message m;
    char marks[TAGS_MAX]; /* the type tags with the brackets, as built */
    size_t nmarks;
    bool arrays;
};

struct osc_out *osc_out_new(void)
{
    struct osc_out *o = xcalloc(1, sizeof(*o));
    o->m = lo_message_new();
    return o;
}

void osc_out_free(struct osc_out **po)
{
    if (*po) {
        lo_message_free((*po)->m);
        free(*po);
        *po = NULL;
    }
}

static void mark(struct osc_out *o, char t)
{
    if (o->nmarks + 1 < sizeof(o->marks))
        o->marks[o->nmarks++] = t;
}

void osc_out_int(struct osc_out *o, int64_t v)
{
    if (v >= INT32_MIN && v <= INT32_MAX) {
        lo_message_add_int32(o->m, (int32_t)v);
        mark(o, 'i');
    } else {
        lo_message_add_int64(o->m, v);
        mark(o, 'h');
    }
}

void osc_out_float(struct osc_out *o, double v)
{
    lo_message_add_float(o->m, (float)v);
    mark(o, 'f');
}

void osc_out_double(struct osc_out *o, double v)
{
    lo_message_add_double(o->m, v);
    mark(o, 'd');
}

void osc_out_string(struct osc_out *o, const char *s)
{
    lo_message_add_string(o->m, s);
    mark(o, 's');
}

void osc_out_blob(struct osc_out *o, const void *data, size_t len)
{
    lo_blob b = lo_blob_new((int32_t)len, data);
    lo_message_add_blob(o->m, b);
    lo_blob_free(b);
    mark(o, 'b');
}

void osc_out_bool(struct osc_out *o, bool v)
{
    if (v)
        lo_message_add_true(o->m);
    else
        lo_message_add_false(o->m);
    mark(o, v ? 'T' : 'F');
}

void osc_out_nil(struct osc_out *o)
{
    lo_message_add_nil(o->m);
    mark(o, 'N');
}

void osc_out_array(struct osc_out *o, bool begin)
{
    mark(o, begin ? '[' : ']');
    o->arrays = true;
}

/* The message as liblo writes it; with arrays, their brackets put back
 * into its type tags. Newly allocated; *len its size. */
static unsigned char *out_bytes(struct osc_out *o, const char *addr,
                                size_t *len)
{
    size_t n = lo_message_length(o->m, addr);
    unsigned char *b = xmalloc(n);
    lo_message_serialise(o->m, addr, b, &n);
    if (!o->arrays) {
        *len = n;
        return b;
    }
    size_t plen = padded_len(b, n), tlen = padded_len(b + plen, n - plen);
    size_t k = o->nmarks + 1, klen = (k + 4) & ~(size_t)3;
    unsigned char *c = xcalloc(1, n - tlen + klen);
    memcpy(c, b, plen);
    c[plen] = ',';
    memcpy(c + plen + 1, o->marks, o->nmarks);
    memcpy(c + plen + klen, b + plen + tlen, n - plen - tlen);
    *len = n - tlen + klen;
    free(b);
    return c;
}

unsigned char *osc_out_message(struct osc_out *o, const char *addr,
                               size_t *len)
{
    return out_bytes(o, addr, len);
}

unsigned char *osc_out_bundle(struct osc_out *const *msgs,
                              const char *const *addrs, int n,
                              uint64_t timetag, size_t *len)
{
    lo_timetag tt = {(uint32_t)(timetag >> 32), (uint32_t)timetag};
    bool arrays = false;
    for (int i = 0; i < n; i++)
        arrays |= msgs[i]->arrays;
    if (!arrays) {
        lo_bundle b = lo_bundle_new(tt);
        for (int i = 0; i < n; i++) {
            /* the bundle's reference (liblo 0.31 does not take one) */
            lo_message_incref(msgs[i]->m);
            lo_bundle_add_message(b, addrs[i], msgs[i]->m);
        }
        size_t sz = lo_bundle_length(b);
        unsigned char *out = xmalloc(sz ? sz : 1);
        lo_bundle_serialise(b, out, &sz);
        lo_bundle_free_recursive(b); /* its paths and references */
        *len = sz;
        return out;
    }
    /* liblo cannot hold messages with arrays: the bundle's frame around
     * them, as lo_bundle_serialise writes it (OSC 1.0, 4.1) */
    struct strbuf sb = {0};
    uint32_t be[2] = {htonl(tt.sec), htonl(tt.frac)};
    sb_append(&sb, "#bundle", 8);
    sb_append(&sb, (const char *)be, 8);
    for (int i = 0; i < n; i++) {
        size_t ml;
        unsigned char *m = out_bytes(msgs[i], addrs[i], &ml);
        uint32_t size = htonl((uint32_t)ml);
        sb_append(&sb, (const char *)&size, 4);
        sb_append(&sb, (const char *)m, ml);
        free(m);
    }
    *len = sb.len;
    return (unsigned char *)sb_steal(&sb);
}
