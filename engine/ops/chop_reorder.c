/* reorderCHOP: the first input's channels in another order; values are
 * never changed. With a second input (the order reference) the channels
 * take the reference's order by name; otherwise `method`:
 *   numeric     `numpattern`: indices from 0 ("3 2 1 0", "[1-5:2]",
 *               "0-6:2"), each index once
 *   character   `charpattern`: names ("*1 *2", "c[1-4]": a numeric range
 *               in brackets stands for each of its numbers in turn)
 *   basename    by the name before its numeric suffix, then the number
 *   numsuffix   by the numeric suffix, then the name before it
 *   chanvalueup, chanvaluedown   by the channel's current value
 *   reverse     the input's order reversed
 *   random      shuffled, the same for the same `seed`
 * Channels a pattern or the reference leave out ("remaining") go after
 * the others (`rempos` atending) or before them (atbeginning), in the
 * input's order (`remorder` sameasinput) or sorted as basename sorts
 * (alphanumeric). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "chop_util.h"

enum method {
    M_NUMERIC,
    M_CHARACTER,
    M_BASENAME,
    M_NUMSUFFIX,
    M_VALUEUP,
    M_VALUEDOWN,
    M_REVERSE,
    M_RANDOM,
};

struct reorder {
    int method;
    char *numpattern, *charpattern;
    double seed;
    int rempos, remorder; /* 0: at ending, same as input */
    struct chop_picks pk;
};

/* The numeric suffix of name (-1: none) and the length of what precedes
 * it. */
static long name_suffix(const char *name, size_t *base_len)
{
    size_t n = strlen(name), i = n;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
        i--;
    *base_len = i;
    if (i == n || n - i > 9)
        return -1;
    return strtol(name + i, NULL, 10);
}

static int by_base(const char *a, const char *b)
{
    size_t la, lb;
    long na = name_suffix(a, &la), nb = name_suffix(b, &lb);
    size_t l = la < lb ? la : lb;
    int c = strncmp(a, b, l);
    if (c || la != lb)
        return c ? c : (la < lb ? -1 : 1);
    return (na > nb) - (na < nb);
}

static int by_suffix(const char *a, const char *b)
{
    size_t la, lb;
    long na = name_suffix(a, &la), nb = name_suffix(b, &lb);
    if (na != nb)
        return (na > nb) - (na < nb);
    return by_base(a, b);
}

/* One channel of the input with what it is sorted by. */
struct item {
    int chan;
    const char *name;
    double key;
};

static int cmp_basename(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    int c = by_base(a->name, b->name);
    return c ? c : a->chan - b->chan;
}

static int cmp_numsuffix(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    int c = by_suffix(a->name, b->name);
    return c ? c : a->chan - b->chan;
}

static int cmp_key(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->chan - b->chan;
}

/* Parses a range "A", "A-B" or "A-B:S" (optionally in brackets); false
 * when it is not one. */
static bool parse_range(const char *t, long *a, long *b, long *step)
{
    char *end;
    if (*t == '[')
        t++;
    *a = strtol(t, &end, 10);
    if (end == t || *a < 0)
        return false;
    *b = *a;
    *step = 1;
    if (*end == '-') {
        const char *s = end + 1;
        *b = strtol(s, &end, 10);
        if (end == s || *b < 0)
            return false;
    }
    if (*end == ':') {
        const char *s = end + 1;
        *step = strtol(s, &end, 10);
        if (end == s || *step < 1)
            return false;
    }
    if (*end == ']')
        end++;
    return *end == '\0';
}

/* A pattern and where it has a bracketed numeric range: "c[1-4]x" is
 * prefix "c", the range, suffix "x". */
static bool split_range(const char *tok, char *prefix, size_t n,
                        long *a, long *b, long *step, const char **suffix)
{
    const char *open = strchr(tok, '['), *close = open ? strchr(open, ']')
                                                       : NULL;
    if (!close || (size_t)(open - tok) >= n)
        return false;
    char range[64];
    size_t len = (size_t)(close - open - 1);
    if (len == 0 || len >= sizeof(range))
        return false;
    memcpy(range, open + 1, len);
    range[len] = '\0';
    if (!parse_range(range, a, b, step))
        return false;
    memcpy(prefix, tok, (size_t)(open - tok));
    prefix[open - tok] = '\0';
    *suffix = close + 1;
    return true;
}

/* The new order being built: channel indices of the input, each once. */
struct order {
    int *chan;
    int n, nchan;
    bool *used;
};

static void take(struct order *o, int c)
{
    if (c >= 0 && c < o->nchan && !o->used[c]) {
        o->used[c] = true;
        o->chan[o->n++] = c;
    }
}

/* Adds the channels the character pattern names, in its order. */
static void take_names(struct order *o, const struct chop_data *in,
                       const char *patterns)
{
    char buf[1024], prefix[256], name[512];
    snprintf(buf, sizeof(buf), "%s", patterns);
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save)) {
        long a, b, step;
        const char *suffix;
        if (split_range(tok, prefix, sizeof(prefix), &a, &b, &step,
                        &suffix)) {
            long d = a <= b ? step : -step;
            for (long i = a; (d > 0 ? i <= b : i >= b); i += d) {
                snprintf(name, sizeof(name), "%s%ld%s", prefix, i, suffix);
                for (int c = 0; c < in->nchan; c++)
                    if (fnmatch(name, in->names[c], 0) == 0)
                        take(o, c);
            }
            continue;
        }
        for (int c = 0; c < in->nchan; c++)
            if (fnmatch(tok, in->names[c], 0) == 0)
                take(o, c);
    }
}

/* Adds the channels the numeric pattern names, in its order; "*" stands
 * for every channel not yet taken. */
static void take_indices(struct order *o, const char *pattern)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", pattern);
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save)) {
        long a, b, step;
        if (!strcmp(tok, "*")) {
            for (int c = 0; c < o->nchan; c++)
                take(o, c);
        } else if (parse_range(tok, &a, &b, &step)) {
            long d = a <= b ? step : -step;
            for (long i = a; (d > 0 ? i <= b : i >= b) && i < o->nchan;
                 i += d)
                take(o, (int)i);
        }
    }
}

static void take_remaining(const struct reorder *p,
                           const struct chop_data *in, struct order *o)
{
    struct item *it = xcalloc((size_t)in->nchan + 1, sizeof(*it));
    size_t n = 0;
    for (int c = 0; c < in->nchan; c++)
        if (!o->used[c])
            it[n++] = (struct item){.chan = c, .name = in->names[c]};
    if (p->remorder == 1)
        qsort(it, n, sizeof(*it), cmp_basename);
    for (size_t i = 0; i < n; i++)
        take(o, it[i].chan);
    free(it);
}

/* The order by a pattern or the reference, remaining channels placed as
 * rempos says. */
static void by_pattern(const struct reorder *p, const struct chop_data *in,
                       const struct chop_data *ref, struct order *o)
{
    if (ref)
        for (int r = 0; r < ref->nchan; r++)
            take(o, chop_find_name(in, ref->names[r]));
    else if (p->method == M_NUMERIC)
        take_indices(o, p->numpattern);
    else
        take_names(o, in, p->charpattern);
    int matched = o->n;
    take_remaining(p, in, o);
    if (p->rempos == 1 && matched < o->n) { /* the remaining ones first */
        int *c = xcalloc((size_t)o->n, sizeof(*c));
        memcpy(c, o->chan + matched, (size_t)(o->n - matched) * sizeof(*c));
        memcpy(c + o->n - matched, o->chan, (size_t)matched * sizeof(*c));
        memcpy(o->chan, c, (size_t)o->n * sizeof(*c));
        free(c);
    }
}

static void by_sort(const struct reorder *p, const struct chop_data *in,
                    struct order *o)
{
    struct item *it = xcalloc((size_t)in->nchan + 1, sizeof(*it));
    int n = in->nchan;
    uint32_t seed = (uint32_t)(int64_t)(p->seed * 1000.0);
    for (int c = 0; c < n; c++) {
        it[c] = (struct item){.chan = c, .name = in->names[c]};
        double v = chop_value(in, c);
        if (p->method == M_VALUEUP)
            it[c].key = v;
        else if (p->method == M_VALUEDOWN)
            it[c].key = -v;
        else if (p->method == M_REVERSE)
            it[c].key = -c;
        else if (p->method == M_RANDOM)
            it[c].key = chop_hash_unit((uint32_t)c, seed, 0x5eed);
    }
    int (*cmp)(const void *, const void *) =
        p->method == M_BASENAME    ? cmp_basename
        : p->method == M_NUMSUFFIX ? cmp_numsuffix
                                   : cmp_key;
    qsort(it, (size_t)n, sizeof(*it), cmp);
    for (int i = 0; i < n; i++)
        take(o, it[i].chan);
    free(it);
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct reorder *p = op->priv;
    if (op->ninputs < 1) { /* an op a script made, not wired yet */
        op_set_error(op, "nothing to reorder: connect the CHOP whose "
                     "channels it reorders");
        return -1;
    }
    const struct chop_data *src[2] = {&op->inputs[0]->chop, NULL};
    size_t nsrc = op->ninputs > 1 ? 2 : 1;
    if (nsrc == 2)
        src[1] = &op->inputs[1]->chop;
    const struct chop_data *in = src[0];
    bool by_value = nsrc == 1 && (p->method == M_VALUEUP ||
                                  p->method == M_VALUEDOWN);
    if (by_value || chop_picks_stale(&p->pk, op, src, nsrc)) {
        struct order o = {
            .chan = xcalloc((size_t)in->nchan + 1, sizeof(int)),
            .used = xcalloc((size_t)in->nchan + 1, sizeof(bool)),
            .nchan = in->nchan,
        };
        if (nsrc == 2 || p->method == M_NUMERIC ||
            p->method == M_CHARACTER)
            by_pattern(p, in, nsrc == 2 ? src[1] : NULL, &o);
        else
            by_sort(p, in, &o);
        chop_picks_begin(&p->pk, op, src, nsrc);
        for (int i = 0; i < o.n; i++)
            chop_picks_add(&p->pk, in, o.chan[i]);
        free(o.chan);
        free(o.used);
        chop_picks_layout(&p->pk, &op->chop);
    }
    chop_picks_copy(&p->pk, &op->chop);
    op->chop.rate = in->rate;
    return 0;
}

static void destroy(struct op *op)
{
    struct reorder *p = op->priv;
    chop_picks_free(&p->pk);
}

static const struct par_menu_item methods[] = {
    {"numeric", "Numeric Pattern"},
    {"character", "Character Pattern"},
    {"basename", "Base Name Sort"},
    {"numsuffix", "Numeric Suffix Sort"},
    {"chanvalueup", "Channel Value Up"},
    {"chanvaluedown", "Channel Value Down"},
    {"reverse", "Reverse"},
    {"random", "Random"},
    {0},
};

static const struct par_menu_item positions[] = {
    {"atending", "At Ending"}, {"atbeginning", "At Beginning"}, {0},
};

static const struct par_menu_item orders[] = {
    {"sameasinput", "Same as Input"}, {"alphanumeric", "Alphanumeric"},
    {0},
};

static const struct par_def pars[] = {
    {.name = "method", .label = "Method", .menu = methods,
     PARAM_MENU(struct reorder, method)},
    {.name = "numpattern", .label = "Numeric Pattern",
     PARAM_STRING(struct reorder, numpattern)},
    {.name = "charpattern", .label = "Character Pattern", .def_str = "*",
     PARAM_STRING(struct reorder, charpattern)},
    {.name = "seed", .label = "Seed", .def = {1}, .norm = {0, 10},
     PARAM_FLOAT(struct reorder, seed)},
    {.name = "rempos", .label = "Remaining Position", .menu = positions,
     PARAM_MENU(struct reorder, rempos)},
    {.name = "remorder", .label = "Remaining Order", .menu = orders,
     PARAM_MENU(struct reorder, remorder)},
    {0},
};

const struct op_type op_chop_reorder = {
    .name = "reorder",
    .optype = "reorderCHOP",
    .label = "Reorder",
    .about = "its first input's channels in another order (values unchanged):"
             " by a second input's names, or `method` numeric (`numpattern` "
             "\"3 2 1 0\", \"[1-5:2]\"), character (`charpattern` \"*1 *2\", "
             "\"c[1-4]\"), basename, numsuffix, chanvalueup/down, reverse, "
             "random (`seed`); the rest placed by `rempos` and `remorder`",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = 2,
    .pars = pars,
    .priv_size = sizeof(struct reorder),
    .destroy = destroy,
    .cook = cook,
};
