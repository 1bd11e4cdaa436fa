/* slab.h: op blocks for one graph, carved from large chunks so that ops
 * created together lie together in memory (cooking walks them in
 * creation order, mostly), with a free list per size class.
 * Blocks are 64-byte aligned and zeroed. Main thread only. */
#ifndef VITRINE_SLAB_H
#define VITRINE_SLAB_H

#include <stddef.h>

#define SLAB_CLASSES 64 /* sizes up to 64 * 64 bytes; larger go to malloc */

struct slab {
    void *chunks;     /* list of chunks, linked through their first word */
    char *next, *end; /* the bump region of the newest chunk */
    void *free_lists[SLAB_CLASSES];
};

void *slab_alloc(struct slab *s, size_t size);
void slab_free(struct slab *s, void *p, size_t size);
void slab_destroy(struct slab *s);

#endif
