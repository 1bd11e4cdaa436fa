#include "op.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../gpu/gpu.h"
#include "graph.h"

/* graph.c owns id slots. */
uint32_t graph_attach_op(struct graph *g, struct op *op);
void graph_detach_op(struct graph *g, struct op *op);

const char *op_family_name(enum op_family f)
{
    static const char *const names[] = {"(no family)", "TOP", "CHOP", "DAT",
                                        "COMP"};
    return f < OP_FAMILY_COUNT ? names[f] : "?";
}

bool op_name_valid(const char *name)
{
    if (!name || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return strlen(name) <= 128;
}

static size_t op_block_size(const struct op_type *type)
{
    return OP_PRIV_OFFSET + (type->priv_size ? type->priv_size : 1);
}

static void op_update_path(struct op *op)
{
    free(op->path);
    op->path = op->parent ? xasprintf("%s/%s", op->parent->path, op->name)
                          : xasprintf("/%s", op->name);
    for (size_t i = 0; i < op->nchildren; i++)
        op_update_path(op->children[i]);
}

/* Up to this many children are searched in order; beyond, by name. */
#define CHILDREN_SCANNED 8

static void child_index_put(struct op *comp, struct op *c)
{
    size_t mask = comp->nchild_slots - 1;
    size_t j = str_hash(c->name, strlen(c->name)) & mask;
    while (comp->child_slots[j])
        j = (j + 1) & mask;
    comp->child_slots[j] = c;
}

static void child_index_build(struct op *comp)
{
    free(comp->child_slots);
    comp->nchild_slots = 32;
    while (comp->nchild_slots < 4 * comp->nchildren)
        comp->nchild_slots *= 2;
    comp->child_slots = xcalloc(comp->nchild_slots, sizeof(struct op *));
    for (size_t i = 0; i < comp->nchildren; i++)
        child_index_put(comp, comp->children[i]);
    comp->child_slots_stale = false;
}

/* A new child: into the index while it has room, else the next lookup
 * builds a larger one. */
static void child_index_add(struct op *comp, struct op *c)
{
    if (comp->child_slots && !comp->child_slots_stale &&
        2 * comp->nchildren <= comp->nchild_slots)
        child_index_put(comp, c);
    else
        comp->child_slots_stale = true;
}

static struct op *child_named(struct op *comp, const char *name, size_t len)
{
    if (comp->nchildren <= CHILDREN_SCANNED) {
        for (size_t i = 0; i < comp->nchildren; i++) {
            struct op *c = comp->children[i];
            if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
                return c;
        }
        return NULL;
    }
    if (!comp->child_slots || comp->child_slots_stale)
        child_index_build(comp);
    size_t mask = comp->nchild_slots - 1;
    for (size_t j = str_hash(name, len) & mask; comp->child_slots[j];
         j = (j + 1) & mask) {
        struct op *c = comp->child_slots[j];
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    }
    return NULL;
}

struct op *op_create(struct graph *g, struct op *parent,
                     const struct op_type *type, const char *name,
                     char *err, size_t errlen)
{
    if (!op_name_valid(name)) {
        snprintf(err, errlen,
                 "invalid operator name '%s' (letters, digits and '_', "
                 "starting with a letter)", name ? name : "");
        return NULL;
    }
    if (parent && parent->type->family != OP_COMP) {
        snprintf(err, errlen, "'%s' is a %s, not a COMP, so it cannot hold "
                 "'%s'", parent->path, type->optype, name);
        return NULL;
    }
    if (parent && child_named(parent, name, strlen(name))) {
        snprintf(err, errlen, "duplicate operator name '%s' in %s", name,
                 parent->path);
        return NULL;
    }
    for (const struct par_def *d = type->pars; d && d->name; d++) {
        if (d->kind == PAR_KIND_NONE) {
            snprintf(err, errlen, "%s declares parameter '%s' without a "
                     "kind (PARAM_FLOAT(...) and the like give it one)",
                     type->optype, d->name);
            return NULL;
        }
    }
    /* One block, cache-line aligned: the fields cooking reads first, then
     * the type's private struct right behind the op. */
    struct op *op = slab_alloc(&g->op_blocks, op_block_size(type));
    op->type = type;
    op->graph = g;
    op->name = xstrdup(name);
    op->parent = parent;
    op->priv = (char *)op + OP_PRIV_OFFSET;
    if (parent) {
        GROW(parent->children, parent->cap_children, parent->nchildren + 1);
        parent->children[parent->nchildren++] = op;
        child_index_add(parent, op);
    }
    op_update_path(op);
    op->id = graph_attach_op(g, op);
    pars_init(op);
    op->par_version = 1;
    if (type->create && type->create(op) != 0)
        op_set_error(op, "could not be created");
    g->topology_dirty = true;
    return op;
}

int op_rename(struct op *op, const char *name, char *err, size_t errlen)
{
    if (!op->parent) {
        snprintf(err, errlen, "the root '%s' cannot be renamed", op->path);
        return -1;
    }
    if (!op_name_valid(name)) {
        snprintf(err, errlen,
                 "invalid operator name '%s' (letters, digits and '_', "
                 "starting with a letter)", name);
        return -1;
    }
    struct op *other = child_named(op->parent, name, strlen(name));
    if (other && other != op) {
        snprintf(err, errlen, "duplicate operator name '%s' in %s", name,
                 op->parent->path);
        return -1;
    }
    free(op->name);
    op->name = xstrdup(name);
    op->parent->child_slots_stale = true;
    op_update_path(op);
    return 0;
}

static void unlink_from(struct op ***arr, size_t *n, struct op *op)
{
    for (size_t i = 0; i < *n;) {
        if ((*arr)[i] == op) {
            memmove(&(*arr)[i], &(*arr)[i + 1], (*n - i - 1) * sizeof(**arr));
            (*n)--;
        } else {
            i++;
        }
    }
}

static void said_free(struct op *op);

void op_destroy(struct op **pop)
{
    struct op *op = *pop;
    if (!op)
        return;
    while (op->nchildren) {
        struct op *c = op->children[op->nchildren - 1];
        op_destroy(&c);
    }
    struct graph *g = op->graph;
    /* Whoever used it as an input loses that input; references by id go
     * stale by themselves. */
    for (size_t i = 0; i < op->noutputs; i++) {
        struct op *o = op->outputs[i];
        unlink_from(&o->inputs, &o->ninputs, op);
    }
    for (size_t i = 0; i < op->ninputs; i++)
        unlink_from(&op->inputs[i]->outputs, &op->inputs[i]->noutputs, op);
    if (op->parent) {
        /* once among its parent's children, most often the last (a COMP
         * going frees its children from the end) */
        struct op *p = op->parent;
        for (size_t i = p->nchildren; i-- > 0;)
            if (p->children[i] == op) {
                memmove(&p->children[i], &p->children[i + 1],
                        (p->nchildren - i - 1) * sizeof(*p->children));
                p->nchildren--;
                break;
            }
        p->child_slots_stale = true;
    }
    if (g->output == op)
        g->output = NULL;
    if (op->fold_into) /* a fold (cook.c) ends with either of its ops */
        op->fold_into->fold_from = NULL;
    if (op->fold_from) { /* whose input has no image of its own yet */
        op->fold_from->fold_into = NULL;
        op->fold_from->par_version++;
    }
    if (op->type->destroy)
        op->type->destroy(op);
    if (op->top.tex && g->gpu)
        gpu_tex_release(g->gpu, &op->top.tex);
    pars_free(op);
    graph_detach_op(g, op);
    g->topology_dirty = true;
    chop_free(&op->chop);
    dat_free(&op->dat);
    if (op->inputs != op->input_inline)
        free(op->inputs);
    free(op->outputs);
    free(op->deps_heap);
    free(op->children);
    free(op->child_slots);
    free(op->live);
    said_free(op);
    free(op->error);
    free(op->warning);
    free(op->src_file);
    free(op->name);
    free(op->path);
    slab_free(&g->op_blocks, op, op_block_size(op->type));
    *pop = NULL;
}

static struct op *root_of(struct op *op)
{
    while (op->parent)
        op = op->parent;
    return op;
}

struct op *op_find_from(struct op *base, const char *path)
{
    if (!base || !path || !*path)
        return NULL;
    struct op *cur = base;
    const char *p = path;
    if (*p == '/') {
        struct op *root = root_of(base);
        p++;
        const char *end = strchrnul(p, '/');
        if (end == p)
            return root;
        if ((size_t)(end - p) != strlen(root->name) ||
            memcmp(p, root->name, (size_t)(end - p)) != 0)
            return NULL;
        cur = root;
        p = *end ? end + 1 : end;
    }
    while (*p) {
        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* "a//b" and "./a" */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (!cur->parent)
                return NULL;
            cur = cur->parent;
        } else {
            cur = child_named(cur, p, len);
            if (!cur)
                return NULL;
        }
        p = *end ? end + 1 : end;
    }
    return cur;
}

struct op *op_find(struct op *me, const char *path)
{
    if (!me)
        return NULL;
    struct op *base = me->type->family == OP_COMP || !me->parent
                          ? me : me->parent;
    return op_find_from(base, path);
}

static bool has_glob(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    return false;
}

static void find_all_rec(struct op *cur, const char *p, struct op ***out,
                         size_t *count, size_t *cap, size_t *added)
{
    while (*p == '/')
        p++;
    if (!*p) {
        for (size_t i = 0; i < *count; i++)
            if ((*out)[i] == cur)
                return;
        GROW(*out, *cap, *count + 1);
        (*out)[(*count)++] = cur;
        (*added)++;
        return;
    }
    const char *end = strchrnul(p, '/');
    size_t len = (size_t)(end - p);
    if (len == 1 && p[0] == '.') {
        find_all_rec(cur, end, out, count, cap, added);
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
        if (cur->parent)
            find_all_rec(cur->parent, end, out, count, cap, added);
    } else if (!has_glob(p, len)) {
        struct op *c = child_named(cur, p, len);
        if (c)
            find_all_rec(c, end, out, count, cap, added);
    } else {
        char seg[256];
        if (len >= sizeof(seg))
            return;
        memcpy(seg, p, len);
        seg[len] = '\0';
        for (size_t i = 0; i < cur->nchildren; i++)
            if (fnmatch(seg, cur->children[i]->name, 0) == 0)
                find_all_rec(cur->children[i], end, out, count, cap, added);
    }
}

size_t op_find_all(struct op *base, const char *pattern, struct op ***out,
                   size_t *count, size_t *cap)
{
    size_t added = 0;
    if (!base || !pattern || !*pattern)
        return 0;
    if (pattern[0] == '/') {
        struct op *root = root_of(base);
        const char *p = pattern + 1;
        const char *end = strchrnul(p, '/');
        char seg[256];
        size_t len = (size_t)(end - p);
        if (len == 0) {
            find_all_rec(root, p, out, count, cap, &added);
            return added;
        }
        if (len >= sizeof(seg))
            return 0;
        memcpy(seg, p, len);
        seg[len] = '\0';
        if (fnmatch(seg, root->name, 0) == 0)
            find_all_rec(root, end, out, count, cap, &added);
        return added;
    }
    find_all_rec(base, pattern, out, count, cap, &added);
    return added;
}

char *op_relative_path(const struct op *from, const struct op *to)
{
    const struct op *base = from->type->family == OP_COMP || !from->parent
                                ? from : from->parent;
    struct strbuf sb = {0};
    /* Climb from base until it is an ancestor of (or is) to. */
    for (const struct op *b = base; b; b = b->parent) {
        size_t blen = strlen(b->path);
        if (strncmp(to->path, b->path, blen) == 0 &&
            (to->path[blen] == '/' || to->path[blen] == '\0')) {
            const char *rest = to->path + blen;
            if (*rest == '/')
                rest++;
            sb_puts(&sb, rest);
            if (sb.len == 0)
                sb_puts(&sb, ".");
            else if (sb.s[sb.len - 1] == '/')
                sb.s[--sb.len] = '\0';
            return sb_steal(&sb);
        }
        sb_puts(&sb, "../");
    }
    sb_free(&sb);
    return xstrdup(to->path);
}

void op_sync(struct op *op)
{
    if (op->type->sync)
        op->type->sync(op);
}

void op_log(const struct op *op, int level, const char *fmt, ...)
{
    char prefix[512];
    snprintf(prefix, sizeof(prefix), "[%s]", op->path);
    va_list ap;
    va_start(ap, fmt);
    log_vmsg((enum log_level)level, prefix, fmt, ap);
    va_end(ap);
}

/* ---- errors and warnings, and what of them reaches the log ---- */

#define SAID_KEEP 4
#define SAID_EVERY_NS ((int64_t)OP_SAID_EVERY_S * 1000000000)

struct said {
    char *line;     /* as logged, without the op's prefix */
    int level;
    int64_t at;     /* when it was last logged */
    uint32_t again; /* times it came back since, not logged */
};

struct op_said {
    struct said e[SAID_KEEP];
    int n;
    bool pending; /* in the graph's list: a summary is due */
};

static void said_pending(struct op *op)
{
    struct graph *g = op->graph;
    if (op->said->pending)
        return;
    op->said->pending = true;
    GROW(g->said_ops, g->cap_said_ops, g->nsaid_ops + 1);
    g->said_ops[g->nsaid_ops++] = op;
}

static void said_summary(struct op *op, struct said *e, int64_t now)
{
    op_log(op, e->level, "%s (came back %u time%s in the last %.0f s; %s)",
           e->line, e->again, e->again == 1 ? "" : "s",
           (double)(now - e->at) * 1e-9,
           op->error ? "in error now" : op->warning ? "a warning now"
                                                   : "no error now");
    e->at = now;
    e->again = 0;
}

/* Logs line unless it was logged within SAID_EVERY_NS, then counts it
 * instead. Returns whether it was logged. */
static bool say(struct op *op, int level, const char *line)
{
    int64_t now = clock_now_ns();
    if (!op->said)
        op->said = xcalloc(1, sizeof(*op->said));
    struct op_said *sd = op->said;
    for (int i = 0; i < sd->n; i++) {
        struct said *e = &sd->e[i];
        if (e->level != level || strcmp(e->line, line) != 0)
            continue;
        if (now - e->at < SAID_EVERY_NS) {
            e->again++;
            said_pending(op);
            return false;
        }
        if (e->again)
            said_summary(op, e, now);
        else
            op_log(op, level, "%s", line);
        e->at = now;
        return true;
    }
    int slot = sd->n < SAID_KEEP ? sd->n++ : 0;
    for (int i = 1; sd->n == SAID_KEEP && i < SAID_KEEP; i++)
        if (sd->e[i].at < sd->e[slot].at)
            slot = i;
    struct said *e = &sd->e[slot];
    if (e->again)
        said_summary(op, e, now); /* what it had to say before it goes */
    free(e->line);
    *e = (struct said){.line = xstrdup(line), .level = level, .at = now};
    op_log(op, level, "%s", line);
    return true;
}

void graph_log_tick(struct graph *g)
{
    if (!g->nsaid_ops)
        return;
    int64_t now = clock_now_ns();
    size_t k = 0;
    for (size_t i = 0; i < g->nsaid_ops; i++) {
        struct op *op = g->said_ops[i];
        bool left = false;
        for (int j = 0; j < op->said->n; j++) {
            struct said *e = &op->said->e[j];
            if (e->again && now - e->at >= SAID_EVERY_NS)
                said_summary(op, e, now);
            left |= e->again > 0;
        }
        if (left)
            g->said_ops[k++] = op;
        else
            op->said->pending = false;
    }
    g->nsaid_ops = k;
}

static void said_free(struct op *op)
{
    if (!op->said)
        return;
    struct graph *g = op->graph;
    if (op->said->pending)
        for (size_t i = 0; i < g->nsaid_ops; i++)
            if (g->said_ops[i] == op) {
                g->said_ops[i] = g->said_ops[--g->nsaid_ops];
                break;
            }
    int64_t now = clock_now_ns();
    for (int i = 0; i < op->said->n; i++) {
        if (op->said->e[i].again) /* the last word on it */
            said_summary(op, &op->said->e[i], now);
        free(op->said->e[i].line);
    }
    free(op->said);
    op->said = NULL;
}

static bool set_state(struct op *op, char **slot, int level, const char *fmt,
                      va_list ap)
{
    char *msg = xvasprintf(fmt, ap);
    if (*slot && strcmp(*slot, msg) == 0) {
        free(msg);
        return false;
    }
    free(*slot);
    *slot = msg;
    return say(op, level, msg);
}

bool op_set_error(struct op *op, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool said = set_state(op, &op->error, LOG_LEVEL_ERR, fmt, ap);
    va_end(ap);
    return said;
}

bool op_set_warning(struct op *op, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool said = set_state(op, &op->warning, LOG_LEVEL_WARN, fmt, ap);
    va_end(ap);
    return said;
}

static void clear_state(struct op *op, char **slot, const char *what)
{
    if (!*slot)
        return;
    char *line = xasprintf("%s cleared (was: %s)", what, *slot);
    free(*slot);
    *slot = NULL;
    say(op, LOG_LEVEL_INFO, line);
    free(line);
}

void op_clear_error(struct op *op)
{
    clear_state(op, &op->error, "error");
}

void op_clear_warning(struct op *op)
{
    clear_state(op, &op->warning, "warning");
}

int op_set_inputs(struct op *op, struct op **inputs, size_t n, char *err,
                  size_t errlen)
{
    const struct op_type *t = op->type;
    if ((int)n < t->min_inputs || (t->max_inputs >= 0 &&
                                   (int)n > t->max_inputs)) {
        if (t->max_inputs < 0)
            snprintf(err, errlen, "%s takes at least %d input%s, got %zu",
                     t->optype, t->min_inputs,
                     t->min_inputs == 1 ? "" : "s", n);
        else if (t->min_inputs == t->max_inputs)
            snprintf(err, errlen, "%s takes %d input%s, got %zu", t->optype,
                     t->min_inputs, t->min_inputs == 1 ? "" : "s", n);
        else
            snprintf(err, errlen, "%s takes %d to %d inputs, got %zu",
                     t->optype, t->min_inputs, t->max_inputs, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (inputs[i]->type->family != t->family &&
            t->family != OP_COMP) {
            snprintf(err, errlen, "input '%s' is a %s; %s takes %s inputs",
                     inputs[i]->path, op_family_name(inputs[i]->type->family),
                     t->optype, op_family_name(t->family));
            return -1;
        }
        if (inputs[i] == op) {
            snprintf(err, errlen, "an op cannot be its own input");
            return -1;
        }
    }
    for (size_t i = 0; i < op->ninputs; i++)
        unlink_from(&op->inputs[i]->outputs, &op->inputs[i]->noutputs, op);
    if (op->inputs != op->input_inline)
        free(op->inputs);
    op->inputs = n <= 2 ? op->input_inline
                        : xmalloc(n * sizeof(*op->inputs));
    if (n)
        memmove(op->inputs, inputs, n * sizeof(*inputs));
    op->ninputs = n;
    for (size_t i = 0; i < n; i++) {
        struct op *in = inputs[i];
        GROW(in->outputs, in->cap_outputs, in->noutputs + 1);
        in->outputs[in->noutputs++] = op;
    }
    op->graph->topology_dirty = true;
    op->par_version++; /* a new wiring is a reason to cook */
    return 0;
}

struct op *op_par_ref(struct op *op, const struct par *p)
{
    return p->ref_op ? graph_op_by_id(op->graph, p->ref_op) : NULL;
}

struct op *op_input(const struct op *op, size_t i)
{
    return i < op->ninputs ? op->inputs[i] : NULL;
}

bool op_is_time_dependent(const struct op *op)
{
    return (op->type->flags & OPT_TIME_DEPENDENT) ||
           (op->type->is_time_dependent && op->type->is_time_dependent(op));
}

bool op_top_info(const struct op *op, struct top_info *info)
{
    *info = (struct top_info){0};
    const struct gpu_tex *t = op->top.tex;
    if (op->type->family != OP_TOP || !t)
        return false;
    info->width = t->w;
    info->height = t->h;
    info->aspect = (double)t->w / (double)t->h;
    info->format = gpu_format_name(t->format);
    info->gpu_bytes = (size_t)t->w * (size_t)t->h * gpu_format_bytes(t->format);
    info->depth = 1;
    if (op->top.stack) {
        info->depth = op->top.stack->depth;
        info->gpu_bytes += gpu_stack_bytes(op->top.stack);
        info->newest_slice = op->top.newest_slice;
    }
    return true;
}
