/* mergeCHOP: the channels of all inputs side by side. Inputs with fewer
 * samples hold their last sample. Two channels of one name: `duplicate`
 * keeps the first or the last. */
#include <stddef.h>
#include <stdlib.h>

#include "../base/util.h"
#include "chop_util.h"

enum { KEEP_FIRST, KEEP_LAST };

struct merge {
    int duplicate;
    struct chop_picks pk;
    const struct chop_data **src; /* the inputs' data, refreshed per cook */
    size_t cap_src;
};

static void rebuild(struct op *op, struct merge *p,
                    const struct chop_data *const *src, size_t nsrc)
{
    struct chop_picks *pk = &p->pk;
    chop_picks_begin(pk, op, src, nsrc);
    for (size_t i = 0; i < nsrc; i++) {
        for (int c = 0; c < src[i]->nchan; c++) {
            size_t dup = pk->n;
            for (size_t k = 0; k < pk->n; k++)
                if (pk->picks[k].src->names[pk->picks[k].chan] ==
                    src[i]->names[c])
                    dup = k;
            if (dup == pk->n)
                chop_picks_add(pk, src[i], c);
            else if (p->duplicate == KEEP_LAST)
                pk->picks[dup] = (struct chop_pick){src[i], c};
        }
    }
    chop_picks_layout(pk, &op->chop);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct merge *p = op->priv;
    GROW(p->src, p->cap_src, op->ninputs);
    for (size_t i = 0; i < op->ninputs; i++)
        p->src[i] = &op->inputs[i]->chop;
    if (chop_picks_stale(&p->pk, op, p->src, op->ninputs))
        rebuild(op, p, p->src, op->ninputs);
    chop_picks_copy(&p->pk, &op->chop);
    return 0;
}

static void destroy(struct op *op)
{
    struct merge *p = op->priv;
    chop_picks_free(&p->pk);
    free(p->src);
}

static const struct par_menu_item dups[] = {
    {"first", "Use First"}, {"last", "Use Last"}, {0},
};

static const struct par_def pars[] = {
    {.name = "duplicate", .label = "Duplicate Names",
     .menu = dups, PARAM_MENU(struct merge, duplicate)},
    {0},
};

const struct op_type op_chop_merge = {
    .name = "merge",
    .optype = "mergeCHOP",
    .label = "Merge",
    .about = "all inputs' channels; `duplicate` first or last",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct merge),
    .destroy = destroy,
    .cook = cook,
};
