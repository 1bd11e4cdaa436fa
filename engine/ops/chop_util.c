#include "chop_util.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

void chop_names_from_list(struct op *op, const char *list, double rate)
{
    char buf[1024];
    const char *names[256];
    int n = 0;
    snprintf(buf, sizeof(buf), "%s", list ? list : "");
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save);
         tok && n < (int)ARRAY_LEN(names);
         tok = strtok_r(NULL, " \t,", &save))
        names[n++] = chop_intern(op, tok);
    if (n == 0)
        names[n++] = chop_intern(op, "chan1");
    struct chop_data *c = &op->chop;
    chop_resize(c, n, 1);
    for (int i = 0; i < n; i++)
        c->names[i] = names[i];
    c->rate = rate;
}

const struct par_menu_item chop_range_units[] = {
    {"samples", "Samples"}, {"frames", "Frames"}, {"seconds", "Seconds"},
    {0},
};

static double in_samples(double v, int unit, double rate, double fps)
{
    return unit == 0 ? v : unit == 1 ? v * rate / fps : v * rate;
}

bool chop_range_span(struct op *op, const struct chop_range *r,
                     const struct cook_ctx *ctx, struct chop_span *sp)
{
    double rate = r->rate > 0 ? r->rate : ctx->fps, n = 1;
    if (r->timeslice) {
        rate = ctx->fps;
        sp->t0 = ctx->seconds;
        sp->first = ctx->frame - 1;
    } else {
        double s = floor(in_samples(r->start, r->startunit, rate, ctx->fps) +
                         0.5);
        double e = floor(in_samples(r->end, r->endunit, rate, ctx->fps) +
                         0.5);
        n = e - s + 1;
        if (!(n >= 1) || n > CHOP_RANGE_MAX) { /* the output stays */
            op_set_error(op, "start %g to end %g makes %.0f samples; a "
                         "channel holds 1 to %d", r->start, r->end, n,
                         CHOP_RANGE_MAX);
            return false;
        }
        if (!(fabs(s) < 1e15)) { /* a sample index no clock reaches */
            op_set_error(op, "start %g is beyond any sample index",
                         r->start);
            return false;
        }
        sp->t0 = s / rate;
        sp->first = (int64_t)s;
    }
    sp->n = (int)n;
    sp->rate = rate;
    sp->dt = 1.0 / rate;
    return true;
}

void chop_generator_layout(struct op *op, const char *names,
                           uint64_t *names_version, int n, double rate)
{
    if (*names_version != op->par_version || op->chop.nchan == 0) {
        chop_names_from_list(op, names, rate);
        *names_version = op->par_version;
    }
    chop_resize(&op->chop, op->chop.nchan, n);
    op->chop.rate = rate;
}

double chop_hash_unit(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^
                 (c + 0x165667B1u) * 0xC2B2AE3Du;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return (double)h / 2147483647.5 - 1.0;
}

double chop_wave(int wave, double x, double step)
{
    double f = x - floor(x);
    switch (wave) {
    case CHOP_TRI:
        return f < 0.25 ? 4 * f : f < 0.75 ? 2 - 4 * f : 4 * f - 4;
    case CHOP_SQUARE: return f < 0.5 ? 1 : -1;
    case CHOP_RAMP: return f;
    case CHOP_PULSE: return floor(x) != floor(x - step) ? 1 : 0;
    default: return sin(2 * M_PI * f);
    }
}

bool chop_name_matches(const char *patterns, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", patterns ? patterns : "");
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save))
        if (fnmatch(tok, name, 0) == 0)
            return true;
    return false;
}

bool chop_picks_stale(const struct chop_picks *pk, const struct op *op,
                      const struct chop_data *const *src, size_t nsrc)
{
    if (pk->built_version != op->par_version)
        return true;
    size_t k = 0;
    for (size_t s = 0; s < nsrc; s++) {
        for (int c = 0; c < src[s]->nchan; c++, k++)
            if (k >= pk->nseen || pk->seen[k] != src[s]->names[c])
                return true;
        if (k >= pk->nseen || pk->seen[k++] != NULL)
            return true;
    }
    return k != pk->nseen;
}

void chop_picks_begin(struct chop_picks *pk, const struct op *op,
                      const struct chop_data *const *src, size_t nsrc)
{
    pk->n = pk->nseen = 0;
    for (size_t s = 0; s < nsrc; s++) {
        for (int c = 0; c < src[s]->nchan; c++) {
            GROW(pk->seen, pk->cap_seen, pk->nseen + 1);
            pk->seen[pk->nseen++] = src[s]->names[c];
        }
        GROW(pk->seen, pk->cap_seen, pk->nseen + 1);
        pk->seen[pk->nseen++] = NULL; /* source boundary */
    }
    pk->built_version = op->par_version;
}

void chop_picks_add(struct chop_picks *pk, const struct chop_data *src,
                    int chan)
{
    GROW(pk->picks, pk->cap, pk->n + 1);
    pk->picks[pk->n++] = (struct chop_pick){src, chan};
}

void chop_picks_layout(const struct chop_picks *pk, struct chop_data *out)
{
    int nsamples = 1;
    for (size_t i = 0; i < pk->n; i++)
        if (pk->picks[i].src->nsamples > nsamples)
            nsamples = pk->picks[i].src->nsamples;
    chop_resize(out, (int)pk->n, nsamples);
    for (size_t i = 0; i < pk->n; i++)
        out->names[i] = pk->picks[i].src->names[pk->picks[i].chan];
    out->rate = pk->n ? pk->picks[0].src->rate : 0;
}

void chop_picks_copy(const struct chop_picks *pk, struct chop_data *out)
{
    for (size_t i = 0; i < pk->n; i++) {
        const struct chop_data *s = pk->picks[i].src;
        const double *from = s->vals + (size_t)pk->picks[i].chan *
                                           (size_t)s->nsamples;
        double *to = chop_chan(out, (int)i);
        for (int k = 0; k < out->nsamples; k++)
            to[k] = from[k < s->nsamples ? k : s->nsamples - 1];
    }
}

void chop_picks_free(struct chop_picks *pk)
{
    free(pk->picks);
    free(pk->seen);
    memset(pk, 0, sizeof(*pk));
}

static size_t ptr_hash(const char *p, size_t mask)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 32) & mask;
}

static int latest_find(const struct chop_latest *l, const char *nm)
{
    if (!l->nslots)
        return -1;
    size_t mask = l->nslots - 1;
    for (size_t j = ptr_hash(nm, mask); l->slots[j]; j = (j + 1) & mask)
        if (l->names[l->slots[j] - 1] == nm)
            return l->slots[j] - 1;
    return -1;
}

static void latest_index(struct chop_latest *l, int i)
{
    size_t mask = l->nslots - 1, j = ptr_hash(l->names[i], mask);
    while (l->slots[j])
        j = (j + 1) & mask;
    l->slots[j] = i + 1;
}

bool chop_latest_set(struct op *op, struct chop_latest *l, const char *name,
                     double v)
{
    const char *nm = strpool_find(&op->graph->names, name);
    int i = nm ? latest_find(l, nm) : -1;
    if (i < 0 && l->max > 0 && l->n >= l->max) {
        l->refused++;
        return false;
    }
    if (!nm)
        nm = chop_intern(op, name);
    chop_event_add(&op->chop, op->graph->time.frame, nm, v);
    if (i >= 0) {
        l->vals[i] = v;
        return true;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->names = xrealloc(l->names, (size_t)l->cap * sizeof(*l->names));
        l->vals = xrealloc(l->vals, (size_t)l->cap * sizeof(*l->vals));
    }
    l->names[l->n] = nm;
    l->vals[l->n++] = v;
    if ((size_t)l->n * 2 > l->nslots) {
        free(l->slots);
        l->nslots = l->nslots ? 2 * l->nslots : 64;
        l->slots = xcalloc(l->nslots, sizeof(*l->slots));
        for (int k = 0; k < l->n; k++)
            latest_index(l, k);
    } else {
        latest_index(l, l->n - 1);
    }
    return true;
}

void chop_latest_clear(struct chop_latest *l)
{
    l->n = 0;
    if (l->slots)
        memset(l->slots, 0, l->nslots * sizeof(*l->slots));
}

void chop_latest_output(struct op *op, const struct chop_latest *l,
                        double rate)
{
    struct chop_data *c = &op->chop;
    chop_resize(c, l->n, 1);
    c->rate = rate;
    for (int i = 0; i < l->n; i++) {
        c->names[i] = l->names[i];
        c->vals[i] = l->vals[i];
    }
}

void chop_latest_save(const struct chop_latest *l, struct strbuf *out)
{
    for (int i = 0; i < l->n; i++)
        sb_printf(out, "c %.17g %s\n", l->vals[i], l->names[i]);
}

void chop_latest_restore(struct op *op, struct chop_latest *l,
                         const char *line)
{
    double v;
    int used = 0;
    if (sscanf(line, "c %lf %n", &v, &used) == 1 && used > 0 &&
        line[used] && isfinite(v))
        chop_latest_set(op, l, line + used, v);
}

void chop_latest_free(struct chop_latest *l)
{
    free(l->names);
    free(l->vals);
    free(l->slots);
    *l = (struct chop_latest){0};
}
