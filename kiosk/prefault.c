#include "prefault.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/graph/op.h"

/* glibc's largest dynamic mmap threshold; a block must stay below it to
 * come from the heap. */
#define HEAP_SERVES (32u << 20)
#define BLOCK_MAX (HEAP_SERVES - (1u << 20))

struct prefault {
    char *block;
    size_t bytes;
    atomic_bool stop;
    atomic_size_t touched;
    pthread_t thread;
};

size_t prefault_estimate(const struct graph *g)
{
    size_t per_top = (size_t)g->width * (size_t)g->height * 4, sum = 0;
    for (size_t i = 0; i < g->nslots && sum < BLOCK_MAX; i++)
        if (g->slots[i] && g->slots[i]->type->family == OP_TOP)
            sum += per_top;
    return sum < BLOCK_MAX ? sum : BLOCK_MAX;
}

static void *touch(void *arg)
{
    struct prefault *p = arg;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), at = 0;
    while (at < p->bytes &&
           !atomic_load_explicit(&p->stop, memory_order_relaxed)) {
        size_t end = at + 64 * page < p->bytes ? at + 64 * page : p->bytes;
        for (; at < end; at += page)
            ((volatile char *)p->block)[at] = 0;
        atomic_store_explicit(&p->touched, at < p->bytes ? at : p->bytes,
                              memory_order_relaxed);
    }
    return NULL;
}

struct prefault *prefault_start(size_t bytes)
{
    /* Allocations up to HEAP_SERVES from the heap, and up to twice that
     * free at its top kept: what glibc's own adjustment would set after
     * the first large free, here from the start. */
    mallopt(M_MMAP_THRESHOLD, (int)HEAP_SERVES);
    mallopt(M_TRIM_THRESHOLD, (int)(2 * HEAP_SERVES));
    if (!bytes)
        return NULL;
    struct prefault *p = xcalloc(1, sizeof(*p));
    p->bytes = bytes < BLOCK_MAX ? bytes : BLOCK_MAX;
    p->block = xmalloc(p->bytes);
    atomic_init(&p->stop, false);
    atomic_init(&p->touched, 0);
    if (pthread_create(&p->thread, NULL, touch, p) != 0) {
        free(p->block);
        free(p);
        return NULL;
    }
    return p;
}

size_t prefault_touched(const struct prefault *p)
{
    return p ? atomic_load_explicit(&p->touched, memory_order_relaxed) : 0;
}

void prefault_finish(struct prefault **pp)
{
    struct prefault *p = *pp;
    if (!p)
        return;
    atomic_store(&p->stop, true);
    pthread_join(p->thread, NULL);
    free(p->block);
    free(p);
    *pp = NULL;
}

void prefault_trim(void)
{
    malloc_trim(0);
}
