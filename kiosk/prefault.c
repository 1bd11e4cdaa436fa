#include "prefault.h"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
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
/* What the driver's shader compiler and the first frame's program links
 * take from the heap, about (8 MiB and 16 took the default network's
 * first frame to the same time). */
#define DRIVER_BYTES (8u << 20)

struct prefault {
    char *driver; /* touched first, freed when the context exists */
    char *block;
    size_t bytes;
    atomic_bool stop, driver_stop, driver_done;
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

/* Touches every page of block[0..bytes), 64 at a time, until *stop;
 * what it has done so far in *touched (may be NULL). */
static void touch_block(char *block, size_t bytes, atomic_bool *stop,
                        atomic_size_t *touched)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), at = 0;
    while (at < bytes && !atomic_load_explicit(stop, memory_order_relaxed)) {
        size_t end = at + 64 * page < bytes ? at + 64 * page : bytes;
        for (; at < end; at += page)
            ((volatile char *)block)[at] = 0;
        if (touched)
            atomic_store_explicit(touched, at < bytes ? at : bytes,
                                  memory_order_relaxed);
    }
}

static void *touch(void *arg)
{
    struct prefault *p = arg;
    touch_block(p->driver, DRIVER_BYTES, &p->driver_stop, NULL);
    atomic_store(&p->driver_done, true);
    touch_block(p->block, p->bytes, &p->stop, &p->touched);
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
    p->driver = xmalloc(DRIVER_BYTES);
    p->block = xmalloc(p->bytes);
    atomic_init(&p->stop, false);
    atomic_init(&p->driver_stop, false);
    atomic_init(&p->driver_done, false);
    atomic_init(&p->touched, 0);
    if (pthread_create(&p->thread, NULL, touch, p) != 0) {
        free(p->driver);
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

void prefault_context(struct prefault *p)
{
    if (!p || !p->driver)
        return;
    atomic_store(&p->driver_stop, true); /* where it is, if not done */
    while (!atomic_load(&p->driver_done))
        sched_yield(); /* at most a run of 64 pages */
    free(p->driver);
    p->driver = NULL;
}

void prefault_finish(struct prefault **pp)
{
    struct prefault *p = *pp;
    if (!p)
        return;
    atomic_store(&p->driver_stop, true);
    atomic_store(&p->stop, true);
    pthread_join(p->thread, NULL);
    free(p->driver);
    free(p->block);
    free(p);
    *pp = NULL;
}

void prefault_trim(void)
{
    malloc_trim(0);
}
