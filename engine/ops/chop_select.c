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

struct sel {
    char *chop;
    char *channames, *renamefrom, *renameto;
    struct chop_picks pk;
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

static int rebuild(struct op *op, struct sel *p,
                   const struct chop_data *const *src, size_t nsrc)
{
    struct chop_picks *pk = &p->pk;
    chop_picks_begin(pk, op, src, nsrc);
    for (size_t s = 0; s < nsrc; s++)
        for (int c = 0; c < src[s]->nchan; c++)
            if (chop_name_matches(p->channames, src[s]->names[c]))
                chop_picks_add(pk, src[s], c);
    /* Names first: on an error the output stays as it was. */
    const char **names = xcalloc(pk->n + 1, sizeof(*names));
    for (size_t i = 0; i < pk->n; i++) {
        const struct chop_pick *k = &pk->picks[i];
        char *nn = rename_one(p, k->src->names[k->chan]);
        names[i] = nn ? chop_intern(op, nn) : k->src->names[k->chan];
        free(nn);
        for (size_t j = 0; j < i; j++)
            if (names[j] == names[i]) {
                op_set_error(op, "two selected channels are named '%s'",
                             names[i]);
                pk->built_version = 0; /* try again next cook */
                pk->n = 0;
                free(names);
                return -1;
            }
    }
    struct chop_data *out = &op->chop;
    chop_picks_layout(pk, out);
    for (size_t i = 0; i < pk->n; i++)
        out->names[i] = names[i];
    free(names);
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
    if (chop_picks_stale(&p->pk, op, src, nsrc) &&
        rebuild(op, p, src, nsrc) != 0)
        return -1;
    chop_picks_copy(&p->pk, &op->chop);
    return 0;
}

static void destroy(struct op *op)
{
    struct sel *p = op->priv;
    chop_picks_free(&p->pk);
}

static const struct par_def pars[] = {
    {.name = "chop", .label = "CHOP",
     .families = OP_FAMILY_BIT(OP_CHOP), PARAM_OP(struct sel, chop)},
    {.name = "channames", .label = "Channel Names",
     .def_str = "*", PARAM_STRING(struct sel, channames)},
    {.name = "renamefrom", .label = "Rename From",
     PARAM_STRING(struct sel, renamefrom)},
    {.name = "renameto", .label = "Rename To",
     PARAM_STRING(struct sel, renameto)},
    {0},
};

const struct op_type op_chop_select = {
    .name = "select",
    .optype = "selectCHOP",
    .label = "Select",
    .about = "channels by name pattern (`channames`) from its inputs or the CHOP"
             " in `chop`, renamed by `renamefrom`/`renameto` (`t*` to `pos_*`)",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct sel),
    .destroy = destroy,
    .cook = cook,
};
