#include "chop.h"

#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

void chop_resize(struct chop_data *c, int nchan, int nsamples)
{
    if (nchan < 0)
        nchan = 0;
    if (nsamples < 1)
        nsamples = 1;
    GROW(c->names, c->cap_names, (size_t)nchan + 1);
    GROW(c->vals, c->cap_vals, (size_t)nchan * (size_t)nsamples + 1);
    for (int i = c->nchan; i < nchan; i++)
        c->names[i] = NULL;
    c->nchan = nchan;
    c->nsamples = nsamples;
}

void chop_free(struct chop_data *c)
{
    free(c->names);
    free(c->vals);
    *c = (struct chop_data){0};
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
