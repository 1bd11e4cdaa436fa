/* selectCHOP: picks channels by name pattern from its inputs or from the
 * CHOP named by `chop`, and can rename them.
 *   channames   space-separated glob patterns ("*", "chan[12] tx")
 *   renamefrom  space-separated patterns; a selected channel that matches
 *   renameto    the i-th one takes the i-th name here, where a '*' in the
 *               new name stands for what '*' matched in the old one */
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "chop_util.h"

struct pick {
    const struct chop_data *src;
    int chan;
};

struct sel {
    char *chop;
    char *channames, *renamefrom, *renameto;
    /* The mapping is rebuilt when a source's layout or a parameter
     * changes; in between a cook only copies values. */
    struct pick *picks;
    size_t npicks, cap_picks;
    const char **seen; /* source names the mapping was built from */
    size_t nseen, cap_seen;
    uint64_t built_version;
};

static size_t sources(struct op *op, const struct chop_data **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < op->ninputs && n < max; i++)
        out[n++] = &op->inputs[i]->chop;
    struct op *ref = op_par_ref(op, op_par(op, "chop"));
    if (ref && n < max)
        out[n++] = &ref->chop;
    return n;
}

static const char *nth_token(const char *list, size_t idx, char *buf,
                             size_t n)
{
    snprintf(buf, n, "%s", list);
    size_t i = 0;
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save), i++)
        if (i == idx)
            return tok;
    return NULL;
}

/* New name for name under the rename lists, or NULL to keep it. */
static char *rename_one(const struct sel *p, const char *name)
{
    char fb[1024], tb[1024];
    for (size_t i = 0;; i++) {
        const char *from = nth_token(p->renamefrom, i, fb, sizeof(fb));
        if (!from)
            return NULL;
        if (fnmatch(from, name, 0) != 0)
            continue;
        const char *to = nth_token(p->renameto, i, tb, sizeof(tb));
        if (!to)
            return NULL;
        const char *star = strchr(from, '*'), *tstar = strchr(to, '*');
        if (!star || !tstar)
            return xstrdup(to);
        size_t pre = (size_t)(star - from), post = strlen(star + 1);
        size_t len = strlen(name);
        if (pre + post > len)
            return xstrdup(to);
        return xasprintf("%.*s%.*s%s", (int)(tstar - to), to,
                         (int)(len - pre - post), name + pre, tstar + 1);
    }
}

static bool layout_seen(struct sel *p, const struct chop_data **src,
                        size_t nsrc)
{
    size_t k = 0;
    for (size_t s = 0; s < nsrc; s++) {
        for (int c = 0; c < src[s]->nchan; c++, k++)
            if (k >= p->nseen || p->seen[k] != src[s]->names[c])
                return false;
        if (k >= p->nseen || p->seen[k++] != NULL)
            return false;
    }
    return k == p->nseen;
}

static int rebuild(struct op *op, struct sel *p, const struct chop_data **src,
                   size_t nsrc)
{
    p->nseen = p->npicks = 0;
    for (size_t s = 0; s < nsrc; s++) {
        for (int c = 0; c < src[s]->nchan; c++) {
            GROW(p->seen, p->cap_seen, p->nseen + 1);
            p->seen[p->nseen++] = src[s]->names[c];
            if (!chop_name_matches(p->channames, src[s]->names[c]))
                continue;
            GROW(p->picks, p->cap_picks, p->npicks + 1);
            p->picks[p->npicks++] = (struct pick){src[s], c};
        }
        GROW(p->seen, p->cap_seen, p->nseen + 1);
        p->seen[p->nseen++] = NULL; /* source boundary */
    }
    struct chop_data *out = &op->chop;
    int nsamples = 1;
    for (size_t i = 0; i < p->npicks; i++)
        if (p->picks[i].src->nsamples > nsamples)
            nsamples = p->picks[i].src->nsamples;
    chop_resize(out, (int)p->npicks, nsamples);
    out->rate = nsrc ? src[0]->rate : 0;
    for (size_t i = 0; i < p->npicks; i++) {
        const char *old = p->picks[i].src->names[p->picks[i].chan];
        char *nn = rename_one(p, old);
        out->names[i] = nn ? chop_intern(op, nn) : old;
        free(nn);
        for (size_t j = 0; j < i; j++)
            if (out->names[j] == out->names[i]) {
                op_set_error(op, "two selected channels are named '%s'",
                             out->names[i]);
                return -1;
            }
    }
    p->built_version = op->par_version;
    return 0;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct sel *p = op->priv;
    const struct chop_data *src[64];
    size_t nsrc = sources(op, src, ARRAY_LEN(src));
    if (nsrc == 0) {
        op_set_error(op, "nothing to select from: connect an input or set "
                     "'chop'");
        return -1;
    }
    if (p->built_version != op->par_version || !layout_seen(p, src, nsrc))
        if (rebuild(op, p, src, nsrc) != 0)
            return -1;
    struct chop_data *out = &op->chop;
    for (size_t i = 0; i < p->npicks; i++) {
        const struct chop_data *s = p->picks[i].src;
        const double *from = s->vals + (size_t)p->picks[i].chan *
                                           (size_t)s->nsamples;
        double *to = chop_chan(out, (int)i);
        for (int k = 0; k < out->nsamples; k++)
            to[k] = from[k < s->nsamples ? k : s->nsamples - 1];
    }
    return 0;
}

static void destroy(struct op *op)
{
    struct sel *p = op->priv;
    free(p->picks);
    free(p->seen);
}

static const struct par_def pars[] = {
    {.name = "chop", .label = "CHOP", .kind = PAR_OP,
     .families = OP_FAMILY_BIT(OP_CHOP), .offset = offsetof(struct sel, chop)},
    {.name = "channames", .label = "Channel Names", .kind = PAR_STRING,
     .def_str = "*", .offset = offsetof(struct sel, channames)},
    {.name = "renamefrom", .label = "Rename From", .kind = PAR_STRING,
     .offset = offsetof(struct sel, renamefrom)},
    {.name = "renameto", .label = "Rename To", .kind = PAR_STRING,
     .offset = offsetof(struct sel, renameto)},
    {0},
};

const struct op_type op_chop_select = {
    .name = "select",
    .optype = "selectCHOP",
    .label = "Select",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct sel),
    .destroy = destroy,
    .cook = cook,
};
