#include "prefault.h"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/graph/op.h"

/* glibc's largest dynamic mmap threshold; a block must stay below it to
 * come from the heap. */
#define HEAP_SERVES (32u << 20)
#define BLOCK_MAX (HEAP_SERVES - (1u << 20))
/* At most this much in all, in blocks of up to BLOCK_MAX allocated one
 * after the other, so that freed they are one stretch of the heap: the
 * default network's first frame takes 35 MiB of textures at 1920x1080. */
#define BLOCKS 3
#define TOUCH_MAX ((size_t)BLOCKS * BLOCK_MAX)
/* What the driver's shader compiler and the first frame's program links
 * take from the heap, about (8 MiB and 16 took the default network's
 * first frame to the same time). */
#define DRIVER_BYTES (8u << 20)
/* The blocks are advised to be made of transparent huge pages while the
 * helper touches them: a fault per 2 MiB, not per 4 KiB (the helper took
 * 20-35 ms for 101 MiB, 60 ms without). */
#define HUGE_PAGE ((uintptr_t)2 << 20)

struct prefault {
    char *driver; /* touched first, freed when the context exists */
    char *block[BLOCKS];
    struct {
        uintptr_t at;
        size_t len;
    } huge[BLOCKS + 1]; /* the blocks' insides advised to be huge pages */
    size_t bytes;
    atomic_bool stop, driver_stop, driver_done;
    atomic_size_t touched;
    pthread_t thread;
};

size_t prefault_estimate(const struct graph *g)
{
    size_t per_top = (size_t)g->width * (size_t)g->height * 4, sum = 0;
    for (size_t i = 0; i < g->nslots && sum < TOUCH_MAX; i++)
        if (g->slots[i] && g->slots[i]->type->family == OP_TOP)
            sum += per_top;
    return sum < TOUCH_MAX ? sum : TOUCH_MAX;
}

/* Touches every page of block[0..bytes), 64 at a time, until *stop;
 * what it has done so far in *touched (may be NULL), on top of done. */
static void touch_block(char *block, size_t bytes, atomic_bool *stop,
                        atomic_size_t *touched, size_t done)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), at = 0;
    while (at < bytes && !atomic_load_explicit(stop, memory_order_relaxed)) {
        size_t end = at + 64 * page < bytes ? at + 64 * page : bytes;
        for (; at < end; at += page)
            ((volatile char *)block)[at] = 0;
        if (touched)
            atomic_store_explicit(touched, done + (at < bytes ? at : bytes),
                                  memory_order_relaxed);
    }
}

static size_t block_bytes(const struct prefault *p, int i)
{
    size_t before = (size_t)i * BLOCK_MAX;
    return p->bytes <= before              ? 0
           : p->bytes - before < BLOCK_MAX ? p->bytes - before
                                           : BLOCK_MAX;
}

static void *touch(void *arg)
{
    struct prefault *p = arg;
    touch_block(p->driver, DRIVER_BYTES, &p->driver_stop, NULL, 0);
    atomic_store(&p->driver_done, true);
    for (int i = 0; i < BLOCKS && p->block[i]; i++)
        touch_block(p->block[i], block_bytes(p, i), &p->stop, &p->touched,
                    (size_t)i * BLOCK_MAX);
    return NULL;
}

/* Advises the part of block [b, b + n) that is whole huge pages to be
 * made of them, and notes it in p->huge[i]. */
static void advise_huge(struct prefault *p, int i, const char *b, size_t n)
{
    uintptr_t at = ((uintptr_t)b + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t end = ((uintptr_t)b + n) & ~(HUGE_PAGE - 1);
    if (end > at && madvise((void *)at, end - at, MADV_HUGEPAGE) == 0) {
        p->huge[i].at = at;
        p->huge[i].len = end - at;
    }
}

/* What the helper did not reach faults in small pages on the main
 * thread, as the block is used: a huge page there could make the kernel
 * compact memory first, in the frame. Those already made stay. */
static void unadvise_huge(struct prefault *p, int i)
{
    if (p->huge[i].len)
        madvise((void *)p->huge[i].at, p->huge[i].len, MADV_NOHUGEPAGE);
    p->huge[i].len = 0;
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
    p->bytes = bytes < TOUCH_MAX ? bytes : TOUCH_MAX;
    p->driver = xmalloc(DRIVER_BYTES);
    advise_huge(p, BLOCKS, p->driver, DRIVER_BYTES);
    for (int i = 0; i < BLOCKS && block_bytes(p, i); i++) {
        p->block[i] = xmalloc(block_bytes(p, i));
        advise_huge(p, i, p->block[i], block_bytes(p, i));
    }
    atomic_init(&p->stop, false);
    atomic_init(&p->driver_stop, false);
    atomic_init(&p->driver_done, false);
    atomic_init(&p->touched, 0);
    if (pthread_create(&p->thread, NULL, touch, p) != 0) {
        for (int i = 0; i <= BLOCKS; i++)
            unadvise_huge(p, i);
        free(p->driver);
        for (int i = 0; i < BLOCKS; i++)
            free(p->block[i]);
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
    unadvise_huge(p, BLOCKS);
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
    for (int i = 0; i <= BLOCKS; i++)
        unadvise_huge(p, i);
    free(p->driver);
    for (int i = 0; i < BLOCKS; i++)
        free(p->block[i]);
    free(p);
    *pp = NULL;
}

void prefault_trim(void)
{
    malloc_trim(0);
}
