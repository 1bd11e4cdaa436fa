#include "slab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK (1u << 20)
#define HUGE_CHUNK (2u << 20)

static void *must(void *p, size_t n)
{
    if (!p) {
        fprintf(stderr, "vitrine: out of memory allocating %zu bytes\n", n);
        abort();
    }
    return p;
}

void *slab_alloc(struct slab *s, size_t size)
{
    size = (size + 63) & ~(size_t)63;
    size_t cls = size / 64 - 1;
    if (cls >= SLAB_CLASSES)
        return memset(must(aligned_alloc(64, size), size), 0, size);
    void *p = s->free_lists[cls];
    if (p) {
        s->free_lists[cls] = *(void **)p;
        return memset(p, 0, size);
    }
    if (!s->next || (size_t)(s->end - s->next) < size) {
        /* A network past its first chunk is a large one: its chunks are
         * huge pages where the kernel has them, so that walking its ops
         * misses the TLB less. */
        size_t n = s->chunks ? HUGE_CHUNK : CHUNK;
        char *chunk = must(aligned_alloc(n, n), n);
        if (n == HUGE_CHUNK)
            madvise(chunk, n, MADV_HUGEPAGE);
        *(void **)chunk = s->chunks;
        s->chunks = chunk;
        s->next = chunk + 64; /* the first line holds the link */
        s->end = chunk + n;
    }
    p = s->next;
    s->next += size;
    return memset(p, 0, size);
}

void slab_free(struct slab *s, void *p, size_t size)
{
    size = (size + 63) & ~(size_t)63;
    size_t cls = size / 64 - 1;
    if (cls >= SLAB_CLASSES) {
        free(p);
        return;
    }
    *(void **)p = s->free_lists[cls];
    s->free_lists[cls] = p;
}

void slab_destroy(struct slab *s)
{
    while (s->chunks) {
        void *next = *(void **)s->chunks;
        free(s->chunks);
        s->chunks = next;
    }
    memset(s, 0, sizeof(*s));
}
