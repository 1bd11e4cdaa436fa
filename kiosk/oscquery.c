#include "oscquery.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/base/log.h"
#include "../engine/base/osc_codec.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/graph/par.h"

/* A whole tree larger than this many parameters lists its deeper ops
 * without their contents (a client asks for each), so that one request
 * cannot hold a frame for long. */
#define TREE_BUDGET 100000

struct builder {
    struct graph *g;
    const struct oscquery_host *h;
    long budget;
    bool cut; /* the budget ran out */
};

static bool par_hidden(const struct par *p)
{
    return p->def->kind == PAR_OP || p->def->kind == PAR_FILE ||
           (p->def->flags & PAR_CODE);
}

static int par_access(const struct builder *b, const struct op *op,
                      const struct par *p)
{
    if (par_hidden(p))
        return 0;
    char err[256];
    return b->h->osc_params &&
                   par_remote_check(op, p, err, sizeof(err)) == PAR_OK
               ? 3 : 1;
}

static const char *par_type(const struct par *p)
{
    switch (p->def->kind) {
    case PAR_FLOAT:
    case PAR_RGBA: return "f";
    case PAR_INT: return "i";
    case PAR_TOGGLE: return "T";
    case PAR_PULSE: return "I";
    default: return "s"; /* menus by name, strings, ops, files */
    }
}

static json_t *text(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("(not UTF-8)");
}

static json_t *par_value(struct op *op, const struct par *p)
{
    const struct par_def *d = p->def;
    switch (d->kind) {
    case PAR_FLOAT:
    case PAR_RGBA: return json_real(par_get_double(op, p));
    case PAR_INT: return json_integer(par_get_int(op, p));
    case PAR_TOGGLE: return json_boolean(par_get_int(op, p) != 0);
    case PAR_MENU: {
        int i = par_get_int(op, p), n = 0;
        while (d->menu && d->menu[n].name)
            n++;
        return text(i >= 0 && i < n ? d->menu[i].name : "");
    }
    case PAR_STRING: return text(par_get_string(op, p));
    default: return NULL;
    }
}

static json_t *par_node(struct builder *b, struct op *op, struct par *p)
{
    const struct par_def *d = p->def;
    json_t *n = json_object();
    char *full = xasprintf("%s/%s", op->path, p->name);
    json_object_set_new(n, "FULL_PATH", text(full));
    free(full);
    json_object_set_new(n, "TYPE", json_string(par_type(p)));
    int access = par_access(b, op, p);
    json_object_set_new(n, "ACCESS", json_integer(access));
    json_object_set_new(n, "DESCRIPTION", text(d->label ? d->label : p->name));
    json_t *v = access ? par_value(op, p) : NULL;
    if (v)
        json_object_set_new(n, "VALUE", json_pack("[o]", v));
    if (d->kind == PAR_FLOAT || d->kind == PAR_INT || d->kind == PAR_RGBA) {
        double lo = d->clamp & PAR_CLAMP_MIN ? d->lim[0] : d->norm[0];
        double hi = d->clamp & PAR_CLAMP_MAX ? d->lim[1] : d->norm[1];
        if (lo < hi)
            json_object_set_new(n, "RANGE", json_pack("[{s:f,s:f}]", "MIN",
                                                      lo, "MAX", hi));
        static const char *const modes[] = {"none", "low", "high", "both"};
        json_object_set_new(n, "CLIPMODE",
                            json_pack("[s]", modes[d->clamp & 3]));
    } else if (d->kind == PAR_MENU && d->menu) {
        json_t *vals = json_array();
        for (int i = 0; d->menu[i].name; i++)
            json_array_append_new(vals, text(d->menu[i].name));
        json_object_set_new(n, "RANGE", json_pack("[{s:o}]", "VALS", vals));
    }
    return n;
}

/* An op as a container: its child ops (a COMP's), then its parameters
 * (a parameter named as a child op is that op's address, so it is left
 * out); deep: their contents too. */
static json_t *op_node(struct builder *b, struct op *op, bool deep)
{
    json_t *n = json_object();
    json_object_set_new(n, "FULL_PATH", text(op->path));
    json_object_set_new(n, "DESCRIPTION", text(op->type->optype));
    json_object_set_new(n, "ACCESS", json_integer(0));
    if (!deep)
        return n;
    if (b->budget <= 0) {
        b->cut = true;
        return n;
    }
    json_t *c = json_object();
    for (size_t i = 0; i < op->nchildren; i++)
        json_object_set_new(c, op->children[i]->name,
                            op_node(b, op->children[i], true));
    for (size_t i = 0; i < op->npars; i++) {
        if (json_object_get(c, op->pars[i].name))
            continue;
        json_object_set_new(c, op->pars[i].name,
                            par_node(b, op, &op->pars[i]));
        b->budget--;
    }
    json_object_set_new(n, "CONTENTS", c);
    return n;
}

static json_t *host_info(const struct oscquery_host *h)
{
    json_t *ext = json_pack(
        "{s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "ACCESS", 1,
        "VALUE", 1, "RANGE", 1, "DESCRIPTION", 1, "CLIPMODE", 1, "TYPE", 1,
        "FULL_PATH", 1, "LISTEN", 1, "TAGS", 0, "UNIT", 0, "CRITICAL", 0,
        "PATH_CHANGED", 0);
    json_t *j = json_pack("{s:o,s:o}", "NAME", text(h->name), "EXTENSIONS",
                          ext);
    if (h->osc_port) {
        json_object_set_new(j, "OSC_PORT", json_integer(h->osc_port));
        json_object_set_new(j, "OSC_TRANSPORT", json_string("UDP"));
        if (h->osc_ip)
            json_object_set_new(j, "OSC_IP", text(h->osc_ip));
    }
    return j;
}

/* The op or parameter at path; *p NULL for an op. */
static struct op *resolve(struct graph *g, const char *path, struct par **p)
{
    *p = NULL;
    struct op *op = graph_find(g, path);
    if (op)
        return op;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path || !slash[1])
        return NULL;
    char *parent = xstrndup(path, (size_t)(slash - path));
    op = graph_find(g, parent);
    free(parent);
    *p = op ? op_par(op, slash + 1) : NULL;
    return *p ? op : NULL;
}

static const char *const attributes[] = {
    "FULL_PATH", "CONTENTS", "TYPE", "VALUE", "RANGE", "CLIPMODE", "ACCESS",
    "DESCRIPTION", NULL};

int oscquery_reply(struct graph *g, const struct oscquery_host *h,
                   const char *path, const char *query, char **body)
{
    *body = NULL;
    struct builder b = {.g = g, .h = h, .budget = TREE_BUDGET};
    bool root = strcmp(path, "/") == 0 || !path[0];
    if (query && *query) {
        if (strcmp(query, "HOST_INFO") == 0) {
            json_t *j = host_info(h);
            *body = json_dumps(j, JSON_COMPACT);
            json_decref(j);
            return 200;
        }
        bool known = false;
        for (int i = 0; attributes[i]; i++)
            known |= strcmp(query, attributes[i]) == 0;
        if (!known)
            return 400;
    }
    /* a path within the root COMP (or / itself) */
    char *clean = xstrdup(root ? "/" : path);
    size_t len = strlen(clean);
    while (len > 1 && clean[len - 1] == '/')
        clean[--len] = '\0';
    json_t *node = NULL;
    bool deep = !query || !*query || strcmp(query, "CONTENTS") == 0;
    if (strcmp(clean, "/") == 0) {
        node = json_object();
        json_object_set_new(node, "FULL_PATH", json_string("/"));
        json_object_set_new(node, "DESCRIPTION", text(h->name));
        json_object_set_new(node, "ACCESS", json_integer(0));
        json_t *c = json_object();
        json_object_set_new(c, g->root->name, op_node(&b, g->root, deep));
        json_object_set_new(node, "CONTENTS", c);
    } else {
        struct par *p;
        struct op *op = resolve(g, clean, &p);
        if (op)
            node = p ? par_node(&b, op, p) : op_node(&b, op, deep);
    }
    free(clean);
    if (!node)
        return 404;
    if (b.cut)
        LOG_WARN("[oscquery]", "a tree of more than %d parameters: deeper "
                 "ops are listed without their contents (ask for each)",
                 TREE_BUDGET);
    json_t *out = node;
    if (query && *query) {
        json_t *a = json_object_get(node, query);
        if (!a) {
            json_decref(node);
            return 204;
        }
        out = json_pack("{s:O}", query, a);
        json_decref(node);
    }
    *body = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return *body ? 200 : 500;
}

int oscquery_value(struct graph *g, const char *path, char *key,
                   size_t keylen, unsigned char **msg, size_t *len)
{
    struct par *p;
    struct op *op = resolve(g, path, &p);
    if (!op || !p || par_hidden(p) || p->def->kind == PAR_PULSE)
        return -1;
    char now[64];
    double num = 0;
    json_t *v = NULL;
    const char *s = NULL;
    switch (p->def->kind) {
    case PAR_FLOAT:
    case PAR_RGBA:
        num = par_get_double(op, p);
        snprintf(now, sizeof(now), "%.9g", num);
        break;
    case PAR_INT:
    case PAR_TOGGLE:
        num = par_get_int(op, p);
        snprintf(now, sizeof(now), "%.0f", num);
        break;
    default:
        v = par_value(op, p);
        s = v && json_string_value(v) ? json_string_value(v) : "";
        snprintf(now, sizeof(now), "%zu:%016llx", strlen(s),
                 (unsigned long long)str_hash(s, strlen(s)));
    }
    if (strcmp(now, key) == 0) {
        json_decref(v);
        return 0;
    }
    snprintf(key, keylen, "%s", now);
    struct osc_out *o = osc_out_new();
    if (p->def->kind == PAR_FLOAT || p->def->kind == PAR_RGBA)
        osc_out_float(o, num);
    else if (p->def->kind == PAR_INT)
        osc_out_int(o, (int64_t)num);
    else if (p->def->kind == PAR_TOGGLE)
        osc_out_bool(o, num != 0);
    else
        osc_out_string(o, s);
    json_decref(v);
    *msg = osc_out_message(o, path, len);
    osc_out_free(&o);
    return *msg ? 1 : -1;
}
