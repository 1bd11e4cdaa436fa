/* mergeCHOP: the channels of all inputs side by side. Inputs with fewer
 * samples hold their last sample. Two channels of one name: `duplicate`
 * keeps the first or the last. */
#include <stddef.h>
#include <stdlib.h>

#include "../base/util.h"
#include "chop_util.h"

enum { KEEP_FIRST, KEEP_LAST };

struct pick {
    int input, chan;
};

struct merge {
    int duplicate;
    struct pick *picks;
    size_t npicks, cap_picks;
    const char **seen;
    size_t nseen, cap_seen;
    uint64_t built_version;
};

static bool layout_seen(const struct op *op, const struct merge *p)
{
    size_t k = 0;
    for (size_t i = 0; i < op->ninputs; i++) {
        const struct chop_data *c = &op->inputs[i]->chop;
        for (int j = 0; j < c->nchan; j++, k++)
            if (k >= p->nseen || p->seen[k] != c->names[j])
                return false;
        if (k >= p->nseen || p->seen[k++])
            return false;
    }
    return k == p->nseen;
}

static void rebuild(struct op *op, struct merge *p)
{
    p->npicks = p->nseen = 0;
    int nsamples = 1;
    for (size_t i = 0; i < op->ninputs; i++) {
        const struct chop_data *c = &op->inputs[i]->chop;
        if (c->nsamples > nsamples)
            nsamples = c->nsamples;
        for (int j = 0; j < c->nchan; j++) {
            GROW(p->seen, p->cap_seen, p->nseen + 1);
            p->seen[p->nseen++] = c->names[j];
            size_t dup = p->npicks;
            for (size_t k = 0; k < p->npicks; k++) {
                const struct chop_data *o = &op->inputs[p->picks[k].input]->chop;
                if (o->names[p->picks[k].chan] == c->names[j])
                    dup = k;
            }
            if (dup < p->npicks) {
                if (p->duplicate == KEEP_LAST)
                    p->picks[dup] = (struct pick){(int)i, j};
                continue;
            }
            GROW(p->picks, p->cap_picks, p->npicks + 1);
            p->picks[p->npicks++] = (struct pick){(int)i, j};
        }
        GROW(p->seen, p->cap_seen, p->nseen + 1);
        p->seen[p->nseen++] = NULL;
    }
    struct chop_data *out = &op->chop;
    chop_resize(out, (int)p->npicks, nsamples);
    out->rate = op->inputs[0]->chop.rate;
    for (size_t k = 0; k < p->npicks; k++)
        out->names[k] = op->inputs[p->picks[k].input]->chop.names[p->picks[k].chan];
    p->built_version = op->par_version;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct merge *p = op->priv;
    if (p->built_version != op->par_version || !layout_seen(op, p))
        rebuild(op, p);
    struct chop_data *out = &op->chop;
    for (size_t k = 0; k < p->npicks; k++) {
        const struct chop_data *s = &op->inputs[p->picks[k].input]->chop;
        const double *from = s->vals + (size_t)p->picks[k].chan *
                                           (size_t)s->nsamples;
        double *to = chop_chan(out, (int)k);
        for (int i = 0; i < out->nsamples; i++)
            to[i] = from[i < s->nsamples ? i : s->nsamples - 1];
    }
    return 0;
}

static void destroy(struct op *op)
{
    struct merge *p = op->priv;
    free(p->picks);
    free(p->seen);
}

static const struct par_menu_item dups[] = {
    {"first", "Use First"}, {"last", "Use Last"}, {0},
};

static const struct par_def pars[] = {
    {.name = "duplicate", .label = "Duplicate Names", .kind = PAR_MENU,
     .menu = dups, .offset = offsetof(struct merge, duplicate)},
    {0},
};

const struct op_type op_chop_merge = {
    .name = "merge",
    .optype = "mergeCHOP",
    .label = "Merge",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct merge),
    .destroy = destroy,
    .cook = cook,
};
