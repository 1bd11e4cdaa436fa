#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "registry.h"

/* ---- string pool: open addressing, FNV-1a ---- */

static uint64_t hash_str(const char *s)
{
    return str_hash(s, strlen(s));
}

const char *strpool_intern(struct strpool *sp, const char *s)
{
    if (sp->count * 2 >= sp->cap) {
        size_t ncap = sp->cap ? sp->cap * 2 : 64;
        char **nslots = xcalloc(ncap, sizeof(*nslots));
        for (size_t i = 0; i < sp->cap; i++) {
            if (!sp->slots[i])
                continue;
            size_t j = hash_str(sp->slots[i]) & (ncap - 1);
            while (nslots[j])
                j = (j + 1) & (ncap - 1);
            nslots[j] = sp->slots[i];
        }
        free(sp->slots);
        sp->slots = nslots;
        sp->cap = ncap;
    }
    size_t j = hash_str(s) & (sp->cap - 1);
    while (sp->slots[j]) {
        if (strcmp(sp->slots[j], s) == 0)
            return sp->slots[j];
        j = (j + 1) & (sp->cap - 1);
    }
    sp->slots[j] = xstrdup(s);
    sp->count++;
    return sp->slots[j];
}

const char *strpool_find(const struct strpool *sp, const char *s)
{
    if (!sp->cap)
        return NULL;
    size_t j = hash_str(s) & (sp->cap - 1);
    while (sp->slots[j]) {
        if (strcmp(sp->slots[j], s) == 0)
            return sp->slots[j];
        j = (j + 1) & (sp->cap - 1);
    }
    return NULL;
}

void strpool_free(struct strpool *sp)
{
    for (size_t i = 0; i < sp->cap; i++)
        free(sp->slots[i]);
    free(sp->slots);
    *sp = (struct strpool){0};
}

/* ---- op ids: slot index in the low 20 bits, generation above ---- */

#define SLOT_BITS 20u
#define SLOT_MASK ((1u << SLOT_BITS) - 1)

uint32_t graph_attach_op(struct graph *g, struct op *op);
void graph_detach_op(struct graph *g, struct op *op);

uint32_t graph_attach_op(struct graph *g, struct op *op)
{
    uint32_t slot;
    if (g->nfree) {
        slot = g->free_slots[--g->nfree];
    } else {
        if (g->nslots >= SLOT_MASK) {
            fprintf(stderr, "vitrine: more than %u operators\n", SLOT_MASK);
            abort();
        }
        slot = (uint32_t)g->nslots++;
        /* slot 0 is never used, so that id 0 means "none" */
        if (slot == 0)
            slot = (uint32_t)g->nslots++;
        GROW(g->slots, g->cap_slots, g->nslots);
        GROW(g->gens, g->cap_gens, g->nslots);
    }
    g->gens[slot] = (g->gens[slot] + 1) & ((1u << (32 - SLOT_BITS)) - 1);
    if (g->gens[slot] == 0)
        g->gens[slot] = 1;
    g->slots[slot] = op;
    g->nops++;
    return (g->gens[slot] << SLOT_BITS) | slot;
}

void graph_detach_op(struct graph *g, struct op *op)
{
    uint32_t slot = op->id & SLOT_MASK;
    g->slots[slot] = NULL;
    GROW(g->free_slots, g->cap_free, g->nfree + 1);
    g->free_slots[g->nfree++] = slot;
    g->nops--;
}

struct op *graph_op_by_id(const struct graph *g, uint32_t id)
{
    uint32_t slot = id & SLOT_MASK;
    if (!id || slot >= g->nslots || g->gens[slot] != id >> SLOT_BITS)
        return NULL;
    return g->slots[slot];
}

struct graph *graph_create(const char *root_name)
{
    struct graph *g = xcalloc(1, sizeof(*g));
    g->time.rate = 60;
    g->abs.rate = 60;
    g->realtime = true;
    g->width = 1280;
    g->height = 720;
    g->profile_every = 30;
    char err[256];
    g->root = op_create(g, NULL, registry_find("baseCOMP"),
                        root_name ? root_name : "project1", err,
                        sizeof(err));
    if (!g->root) {
        LOG_ERR("[graph]", "%s", err);
        g->root = op_create(g, NULL, registry_find("baseCOMP"), "project1",
                            err, sizeof(err));
    }
    return g;
}

void graph_destroy(struct graph **pg)
{
    struct graph *g = *pg;
    if (!g)
        return;
    op_destroy(&g->root);
    slab_destroy(&g->op_blocks);
    strpool_free(&g->names);
    free(g->slots);
    free(g->gens);
    free(g->free_slots);
    free(g->cook_list);
    free(g->cooked_last);
    free(g->said_ops);
    for (size_t i = 0; i < g->npulses; i++)
        free(g->pulses[i].par);
    free(g->pulses);
    free(g->file);
    free(g->dir);
    free(g);
    *pg = NULL;
}

void graph_note_pulse(struct graph *g, const struct op *op, const char *par)
{
    if (g->npulses >= GRAPH_PULSES_MAX)
        return;
    GROW(g->pulses, g->cap_pulses, g->npulses + 1);
    g->pulses[g->npulses++] = (struct graph_pulse){op->id, xstrdup(par)};
}

size_t graph_take_pulses(struct graph *g, struct graph_pulse **out)
{
    size_t n = g->npulses;
    for (size_t i = 0; i < n; i++) {
        struct op *op = graph_op_by_id(g, g->pulses[i].op);
        if (op && op->type->family == OP_COMP && op->has_pulse)
            pars_clear_pulses(op);
    }
    *out = g->pulses;
    g->pulses = NULL;
    g->npulses = g->cap_pulses = 0;
    return n;
}

void graph_set_evaluator(struct graph *g, const struct expr_evaluator *ev)
{
    g->eval = ev;
}

struct op *graph_find(struct graph *g, const char *path)
{
    return op_find_from(g->root, path);
}

size_t graph_error_count(const struct graph *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->nslots; i++)
        if (g->slots[i] && g->slots[i]->error)
            n++;
    return n;
}

void graph_carry(struct graph *g, struct graph *old)
{
    for (size_t i = 0; i < g->nslots; i++) {
        struct op *op = g->slots[i];
        if (!op || !op->type->carry)
            continue;
        struct op *was = graph_find(old, op->path);
        if (was && was->type == op->type)
            op->type->carry(op, was);
    }
}

/* ---- linking: dependencies, cycles, cook order ---- */

static void add_dep(struct op *op, struct op *dep)
{
    for (size_t i = 0; i < op->ndeps; i++)
        if (op->deps[i] == dep)
            return;
    if (op->ndeps < ARRAY_LEN(op->dep_inline)) {
        op->deps = op->dep_inline;
    } else {
        if (op->deps == op->dep_inline) {
            GROW(op->deps_heap, op->cap_deps, op->ndeps + 1);
            memcpy(op->deps_heap, op->dep_inline, sizeof(op->dep_inline));
        }
        GROW(op->deps_heap, op->cap_deps, op->ndeps + 1);
        op->deps = op->deps_heap;
    }
    op->deps[op->ndeps++] = dep;
}

static void collect_deps(struct graph *g, struct op *op)
{
    op->ndeps = 0;
    op->nlive = 0;
    for (size_t i = 0; i < op->ninputs; i++)
        add_dep(op, op->inputs[i]);
    for (size_t i = 0; i < op->npars; i++) {
        struct par *p = &op->pars[i];
        struct op *d = NULL;
        if (p->mode == PAR_MODE_EXPORT)
            d = graph_op_by_id(g, p->export_op);
        else if (p->def->kind == PAR_OP && !p->def->no_dep)
            d = graph_op_by_id(g, p->ref_op);
        if (d && d != op)
            add_dep(op, d);
        if (p->mode != PAR_MODE_CONSTANT) {
            GROW(op->live, op->cap_live, op->nlive + 1);
            op->live[op->nlive++] = p;
        }
    }
    for (size_t i = 0; i < op->nchildren; i++)
        collect_deps(g, op->children[i]);
}

enum { WHITE = 0, GREY, BLACK };

struct dfs_frame {
    struct op *op;
    size_t next;
};

/* Iterative depth-first search from op; appends post-order to the cook
 * list. colour is indexed by slot. Returns the op closing a cycle, or
 * NULL; on a cycle, the stack holds the path. */
static struct op *dfs(struct graph *g, struct op *start, unsigned char *colour,
                      struct dfs_frame **stack, size_t *cap, size_t *depth)
{
    *depth = 0;
    if (colour[start->id & SLOT_MASK] != WHITE)
        return NULL;
    GROW(*stack, *cap, 1);
    (*stack)[(*depth)++] = (struct dfs_frame){start, 0};
    colour[start->id & SLOT_MASK] = GREY;
    while (*depth) {
        struct dfs_frame *f = &(*stack)[*depth - 1];
        if (f->next < f->op->ndeps) {
            struct op *d = f->op->deps[f->next++];
            unsigned char c = colour[d->id & SLOT_MASK];
            if (c == GREY)
                return d;
            if (c == WHITE) {
                colour[d->id & SLOT_MASK] = GREY;
                GROW(*stack, *cap, *depth + 1);
                (*stack)[(*depth)++] = (struct dfs_frame){d, 0};
            }
            continue;
        }
        colour[f->op->id & SLOT_MASK] = BLACK;
        GROW(g->cook_list, g->cap_cook, g->ncook + 1);
        g->cook_list[g->ncook++] = f->op;
        (*depth)--;
    }
    return NULL;
}

static bool is_root(const struct graph *g, const struct op *op)
{
    return op == g->output || (op->type->flags & OPT_ALWAYS_COOK);
}

/* Which passes fold into the one before them (op_fold): an op whose
 * type folds, of one input whose type is OPT_ONE_PASS and that nothing
 * else depends on or refers to (an input, an export source, a reference,
 * a feedback's target), that is not the output and was never read from
 * elsewhere (no_fold). */
static void link_folds(struct graph *g)
{
    unsigned *readers = xcalloc(g->nslots + 1, sizeof(*readers));
    for (size_t i = 0; i < g->nslots; i++) {
        struct op *op = g->slots[i];
        if (!op)
            continue;
        if (op->fold_into) /* it has no image of its own: cook it again */
            op->par_version++;
        op->fold_into = op->fold_from = NULL;
        op->fold_pending = false;
        for (size_t k = 0; k < op->ndeps; k++)
            readers[op->deps[k]->id & SLOT_MASK]++;
        for (size_t k = 0; k < op->npars; k++) { /* a feedback's target too */
            const struct par *p = &op->pars[k];
            struct op *r = p->def->kind == PAR_OP && p->def->no_dep
                               ? graph_op_by_id(g, p->ref_op) : NULL;
            if (r)
                readers[r->id & SLOT_MASK]++;
        }
    }
    for (size_t i = 0; i < g->ncook; i++) {
        struct op *l = g->cook_list[i];
        if (!l->type->fold || l->ninputs != 1)
            continue;
        struct op *in = l->inputs[0];
        if ((in->type->flags & OPT_ONE_PASS) && !in->no_fold &&
            in != g->output && !(in->type->flags & OPT_ALWAYS_COOK) &&
            !in->fold_from && readers[in->id & SLOT_MASK] == 1) {
            in->fold_into = l;
            l->fold_from = in;
        }
    }
    free(readers);
}

int graph_link(struct graph *g, char *err, size_t errlen)
{
    collect_deps(g, g->root);
    g->ncook = 0;
    unsigned char *colour = xcalloc(g->nslots + 1, 1);
    struct dfs_frame *stack = NULL;
    size_t cap = 0, depth = 0;
    int rc = 0;
    /* Every op is searched so that cycles anywhere are found; only what
     * the roots pull stays in the cook list. */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t i = 0; i < g->nslots && rc == 0; i++) {
            struct op *op = g->slots[i];
            if (!op || (pass == 0) != is_root(g, op))
                continue;
            size_t before = g->ncook;
            struct op *closing = dfs(g, op, colour, &stack, &cap, &depth);
            if (closing) {
                struct strbuf sb = {0};
                size_t from = 0;
                while (from < depth && stack[from].op != closing)
                    from++;
                for (size_t k = from; k < depth; k++)
                    sb_printf(&sb, "%s -> ", stack[k].op->path);
                sb_puts(&sb, closing->path);
                snprintf(err, errlen, "dependency cycle: %s", sb.s);
                sb_free(&sb);
                rc = -1;
            }
            if (pass == 1)
                g->ncook = before; /* searched, not pulled */
        }
    }
    free(stack);
    free(colour);
    if (rc == 0)
        g->topology_dirty = false;
    else
        g->ncook = 0;
    link_folds(g);
    return rc;
}

char *graph_resolve_file(const struct graph *g, const char *file)
{
    if (file[0] == '/' || !g->dir)
        return xstrdup(file);
    return xasprintf("%s/%s", g->dir, file);
}
