#include "chop.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

void chop_resize(struct chop_data *c, int nchan, int nsamples)
{
    if (nchan < 0)
        nchan = 0;
    if (nsamples < 1)
        nsamples = 1;
    size_t nv = (size_t)nchan * (size_t)nsamples;
    if (!c->names_heap && nchan <= CHOP_SMALL && nv <= CHOP_SMALL) {
        c->names = c->names_small;
        c->vals = c->vals_small;
    } else {
        bool was_small = !c->names_heap;
        GROW(c->names_heap, c->cap_names, (size_t)nchan + 1);
        GROW(c->vals_heap, c->cap_vals, nv + 1);
        if (was_small) {
            memcpy(c->names_heap, c->names_small, sizeof(c->names_small));
            memcpy(c->vals_heap, c->vals_small, sizeof(c->vals_small));
        }
        c->names = c->names_heap;
        c->vals = c->vals_heap;
    }
    for (int i = c->nchan; i < nchan; i++)
        c->names[i] = NULL;
    c->nchan = nchan;
    c->nsamples = nsamples;
}

void chop_free(struct chop_data *c)
{
    free(c->names_heap);
    free(c->vals_heap);
    if (c->events) {
        free(c->events->names);
        free(c->events->vals);
        free(c->events);
    }
    memset(c, 0, sizeof(*c));
}

void chop_event_add(struct chop_data *c, int64_t frame, const char *name,
                    double v)
{
    if (!c->events)
        c->events = xcalloc(1, sizeof(*c->events));
    struct chop_events *e = c->events;
    if (e->frame != frame) {
        e->frame = frame;
        e->n = 0;
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 16;
        e->names = xrealloc(e->names, (size_t)e->cap * sizeof(*e->names));
        e->vals = xrealloc(e->vals, (size_t)e->cap * sizeof(*e->vals));
    }
    e->names[e->n] = name;
    e->vals[e->n++] = v;
}

int chop_find(const struct chop_data *c, const char *interned)
{
    for (int i = 0; i < c->nchan; i++)
        if (c->names[i] == interned)
            return i;
    return -1;
}

int chop_find_name(const struct chop_data *c, const char *name)
{
    for (int i = 0; i < c->nchan; i++)
        if (c->names[i] && strcmp(c->names[i], name) == 0)
            return i;
    return -1;
}

void chop_copy_layout(struct chop_data *dst, const struct chop_data *src)
{
    chop_resize(dst, src->nchan, src->nsamples);
    if (src->nchan)
        memcpy(dst->names, src->names, (size_t)src->nchan * sizeof(char *));
    dst->rate = src->rate;
}
