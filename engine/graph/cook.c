/* cook.c: deciding what cooks, and cooking it. The frame path is a walk
 * over a precomputed array; per op it costs a few loads and compares
 * when nothing changed. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../gpu/gpu.h"
#include "graph.h"

void graph_begin_frame(struct graph *g, int64_t frame)
{
    if (frame < 1)
        frame = 1;
    g->time.frame = frame;
    g->time.seconds = (double)(frame - 1) / g->time.rate;
    g->abs.frame++;
    g->abs.rate = g->time.rate;
    g->abs.seconds = (double)(g->abs.frame - 1) / g->abs.rate;
    g->profiling = g->profile_every <= 1 || frame % g->profile_every == 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    g->instant_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void graph_update_par(struct graph *g, struct op *op, struct par *p)
{
    if (p->mode == PAR_MODE_EXPORT) {
        struct op *src = graph_op_by_id(g, p->export_op);
        if (!src) {
            op_set_warning(op, "%s: export source '%s' no longer exists",
                           p->name, p->export_src);
            return;
        }
        const struct chop_data *c = &src->chop;
        int idx = p->export_index;
        if (idx < 0 || idx >= c->nchan || c->names[idx] != p->export_chan)
            idx = p->export_index = chop_find(c, p->export_chan);
        if (idx < 0 || c->nsamples < 1) {
            op_set_warning(op, "%s: '%s' has no channel '%s'", p->name,
                           src->path, p->export_chan);
            return;
        }
        par_apply_double(op, p, chop_value(c, idx));
    } else if (p->mode == PAR_MODE_EXPRESSION && g->eval) {
        double num = 0;
        char *str = NULL;
        char err[512];
        if (g->eval->eval(g->eval->ctx, op, p, p->expr_code, &num, &str,
                          err, sizeof(err)) != 0) {
            op_set_error(op, "%s.expr: %s", p->name, err);
            return;
        }
        if (par_is_numeric(p))
            par_apply_double(op, p, num);
        else
            par_apply_string(op, p, str ? str : "");
        free(str);
    }
}

/* Exports and expressions: bring the values in before deciding. */
static void update_live_pars(struct graph *g, struct op *op)
{
    for (size_t i = 0; i < op->nlive; i++)
        graph_update_par(g, op, op->live[i]);
}

static uint64_t deps_sum(const struct op *op)
{
    uint64_t seen = 0;
    for (size_t i = 0; i < op->ndeps; i++)
        seen += op->deps[i]->out_version;
    return seen;
}

/* Runs op's type's cook with its frame's context, timed when profiling
 * (or at its first cook). A timed cook starts at *mark when that is set
 * (the previous op's cook ended then and nothing ran since), which saves
 * a clock read per op in a chain; it leaves *mark at its own end, or 0
 * when it did not time itself. mark may be NULL. */
static int run_cook(struct graph *g, struct op *op, int64_t *mark)
{
    struct cook_ctx ctx = {
        .frame = g->time.frame,
        .seconds = g->time.seconds,
        .fps = g->time.rate,
        .instant_ns = g->instant_ns,
        .dt = op->cook_frame ? (double)(g->time.frame - op->cook_frame) /
                                   g->time.rate
                             : 0.0,
    };
    bool timed = g->profiling || !op->cook_count;
    int64_t t0 = !timed ? 0 : mark && *mark ? *mark : clock_now_ns();
    if (mark)
        *mark = 0; /* what it cooks from inside reads the clock itself */
    /* A script's cook() may cook another op from inside this one. */
    struct op *outer = g->cooking;
    g->cooking = op;
    op->in_cook = true;
    int rc = op->type->cook(op, &ctx);
    op->in_cook = false;
    g->cooking = outer;
    if (timed) {
        int64_t t1 = clock_now_ns();
        op->cook_ms = (double)(t1 - t0) * 1e-6;
        if (mark)
            *mark = t1;
    }
    return rc;
}

/* What a cook leaves: rc is the type's cook's (op.h), seen what its deps'
 * versions summed to. */
static void cooked(struct graph *g, struct op *op, uint64_t seen, int rc)
{
    op->seen_deps = seen;
    op->cooked_par_version = op->par_version;
    op->cook_frame = g->time.frame;
    op->cook_count++;
    if (rc >= 0)
        op->out_version++;
    if (rc == 0 && op->error)
        op_clear_error(op);
    if (op->has_pulse)
        pars_clear_pulses(op);
}

/* A fold (op_fold): the input's pass draws op's too, into op's image.
 * The input, met first in the cook order, only notes that it changed
 * (its version moves, so that op sees it); at op's turn the input cooks
 * with op's shader at the end of its own. What the input cannot draw
 * that way (an image that is not RGBA, a failed cook, more than one
 * pass) it draws as it always does, and op cooks on its own after it;
 * more than one pass, or a folded program that does not compile, ends
 * the fold. */
static void cook_folded(struct graph *g, struct op *op, uint64_t seen,
                        int64_t *mark)
{
    if (op->fold_into) { /* the input, at its own turn */
        op->fold_seen = seen;
        op->fold_pending = true;
        op->out_version++;
        if (mark)
            *mark = 0;
        return;
    }
    struct op *in = op->fold_from;
    uint64_t in_seen = in->fold_pending ? in->fold_seen : in->seen_deps;
    in->fold_pending = false;
    char defs[256];
    int rc;
    if (op->type->fold->prepare(op, defs, sizeof(defs))) {
        g->fold = (struct graph_fold){.op = op, .defines = defs};
        rc = run_cook(g, in, mark);
        int state = g->fold.state;
        g->fold = (struct graph_fold){0};
        cooked(g, in, in_seen, rc);
        if (state == FOLD_DREW && rc == 0) {
            op->cook_ms = 0; /* its work is the input's cook's */
            cooked(g, op, deps_sum(op), 0);
            return;
        }
        if (state == FOLD_FAILED)
            LOG_WARN("[graph]", "%s is no longer drawn in %s's pass: the "
                     "program of both did not compile", op->path, in->path);
        if (state == FOLD_FAILED || state == FOLD_TWICE) { /* for good */
            in->fold_into = op->fold_from = NULL;
            in->no_fold = true;
        }
        if (state != FOLD_NONE) { /* it drew into op's image: again */
            rc = run_cook(g, in, mark);
            cooked(g, in, in_seen, rc);
        }
    } else {
        /* its image is not current: the fold left it none */
        rc = run_cook(g, in, mark);
        cooked(g, in, in_seen, rc);
    }
    if (rc < 0 && !in->top.tex) {
        /* The input kept its last image (a size beyond the GPU's memory),
         * and that was drawn into op's: both keep theirs. */
        cooked(g, op, deps_sum(op), -1);
        return;
    }
    cooked(g, op, deps_sum(op), run_cook(g, op, mark));
}

/* Cooks op if anything it depends on changed. Its deps must have been
 * pulled this frame already. mark: as run_cook's. */
static void cook_one(struct graph *g, struct op *op, bool force,
                     int64_t *mark)
{
    if (op->pulled_frame == g->time.frame && !force)
        return;
    if (op->in_cook) /* forced from its own cook: it is cooking now */
        return;
    op->pulled_frame = g->time.frame;
    if (op->nlive)
        update_live_pars(g, op);
    uint64_t seen = deps_sum(op);
    if (!force && op->cook_count && seen == op->seen_deps &&
        op->par_version == op->cooked_par_version &&
        !op_is_time_dependent(op))
        return;
    /* the type first: it is in the cache, the op's fold fields are not */
    if (((op->type->flags & OPT_ONE_PASS) || op->type->fold) &&
        (op->fold_into || op->fold_from)) {
        cook_folded(g, op, seen, mark);
        return;
    }
    cooked(g, op, seen, run_cook(g, op, mark));
}

static void relink_if_needed(struct graph *g)
{
    if (!g->topology_dirty)
        return;
    char err[1024];
    if (graph_link(g, err, sizeof(err)) != 0)
        LOG_ERR("[graph]", "%s; nothing cooks until it is broken", err);
}

void graph_cook(struct graph *g)
{
    graph_log_tick(g);
    relink_if_needed(g);
    struct op **list = g->cook_list;
    size_t n = g->ncook;
    GROW(g->cooked_last, g->cap_cooked_last, n);
    bool *hot = g->cooked_last;
    int64_t mark = 0;
    /* Ops live in slab blocks, mostly in cook order, but a large network
     * does not fit the caches: fetch each op's first two lines (what
     * deciding reads) well ahead, and the next two and its parameters
     * (what cooking reads) nearer, only for ops that cooked last frame. */
    for (size_t i = 0; i < n; i++) {
        if (i + 16 < n) {
            const char *o = (const char *)list[i + 16];
            __builtin_prefetch(o);
            __builtin_prefetch(o + 64);
        }
        if (i + 8 < n && hot[i + 8]) {
            const char *o = (const char *)list[i + 8];
            __builtin_prefetch(o + 128);
            __builtin_prefetch(o + 192);
            __builtin_prefetch(o + OP_PRIV_OFFSET);
        }
        struct op *op = list[i];
        uint64_t cooks = op->cook_count;
        cook_one(g, op, false, &mark);
        if (op->cook_count == cooks)
            mark = 0; /* its deciding is nobody's cook */
        hot[i] = op->cook_frame == g->time.frame;
    }
    if (g->gpu)
        gpu_frame_done(g->gpu);
}

static void pull(struct graph *g, struct op *target, bool force)
{
    /* Post-order walk with an explicit stack: chains may be long. */
    struct frame { struct op *op; size_t next; } *stack = NULL;
    size_t cap = 0, depth = 0;
    GROW(stack, cap, 1);
    stack[depth++] = (struct frame){target, 0};
    while (depth) {
        struct frame *f = &stack[depth - 1];
        if (f->next < f->op->ndeps) {
            struct op *d = f->op->deps[f->next++];
            if (d->pulled_frame != g->time.frame && depth <= g->nops) {
                GROW(stack, cap, depth + 1);
                stack[depth++] = (struct frame){d, 0};
            }
            continue;
        }
        cook_one(g, f->op, force && f->op == target, NULL);
        depth--;
    }
    free(stack);
}

void graph_cook_op(struct graph *g, struct op *op)
{
    relink_if_needed(g);
    if (op->fold_into) {
        graph_unfold(g, op);
        return;
    }
    if (op->pulled_frame == g->time.frame)
        return;
    pull(g, op, false);
}

void graph_force_cook(struct graph *g, struct op *op)
{
    relink_if_needed(g);
    if (op->fold_into) {
        graph_unfold(g, op);
        return;
    }
    pull(g, op, true);
}

void graph_unfold(struct graph *g, struct op *op)
{
    struct op *l = op->fold_into;
    if (!l)
        return;
    op->fold_into = l->fold_from = NULL;
    op->fold_pending = false;
    op->no_fold = true; /* relinks leave it unfolded too */
    pull(g, op, true);
}
