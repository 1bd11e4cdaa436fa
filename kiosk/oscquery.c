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

/* The main thread copies what a reply needs into a flat record (no JSON,
 * no formatting: copies of bytes and numbers), and the server's thread
 * makes the JSON of it. Records:
 *   'O' path optype  ... 'E'    an op and its contents ('E' ends it)
 *   'o' path optype             an op without its contents
 *   'P' path name type access vkind [value] range clip label nmenu menu...
 *   'Q' the same without the path, within its op's record
 *   'R' path description ... 'E' the root */
struct capture {
    struct strbuf *out;
    const struct oscquery_host *h;
    long budget;
    bool cut; /* the budget ran out */
};

static void put_u8(struct strbuf *b, int v)
{
    char c = (char)v;
    sb_append(b, &c, 1);
}

static void put_f64(struct strbuf *b, double v)
{
    sb_append(b, (const char *)&v, sizeof(v));
}

static void put_str(struct strbuf *b, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : 0;
    sb_append(b, (const char *)&n, sizeof(n));
    sb_append(b, s ? s : "", n);
}

static bool par_hidden(const struct par *p)
{
    return p->def->kind == PAR_OP || p->def->kind == PAR_FILE ||
           (p->def->flags & PAR_CODE);
}

static int par_access(const struct oscquery_host *h, const struct op *op,
                      const struct par *p)
{
    if (par_hidden(p))
        return 0;
    char err[256];
    return h->osc_params &&
                   par_remote_check(op, p, err, sizeof(err)) == PAR_OK
               ? 3 : 1;
}

static char par_type(const struct par *p)
{
    switch (p->def->kind) {
    case PAR_FLOAT:
    case PAR_RGBA: return 'f';
    case PAR_INT: return 'i';
    case PAR_TOGGLE: return 'T';
    case PAR_PULSE: return 'I';
    default: return 's'; /* menus by name, strings, ops, files */
    }
}

enum { V_NONE, V_REAL, V_INT, V_BOOL, V_STR };

/* A menu's entry name, or "" when the index is out of it. */
static const char *menu_name(const struct par_def *d, int i)
{
    for (int k = 0; d->menu && d->menu[k].name; k++)
        if (k == i)
            return d->menu[k].name;
    return "";
}

/* inside: within its op's record, which has the path */
static void capture_par(struct capture *c, struct op *op, struct par *p,
                        bool inside)
{
    struct strbuf *b = c->out;
    const struct par_def *d = p->def;
    put_u8(b, inside ? 'Q' : 'P');
    if (!inside)
        put_str(b, op->path);
    put_str(b, p->name);
    put_u8(b, par_type(p));
    int access = par_access(c->h, op, p);
    put_u8(b, access);
    if (!access || d->kind == PAR_PULSE) {
        put_u8(b, V_NONE);
    } else if (d->kind == PAR_FLOAT || d->kind == PAR_RGBA) {
        put_u8(b, V_REAL);
        put_f64(b, par_get_double(op, p));
    } else if (d->kind == PAR_INT) {
        put_u8(b, V_INT);
        put_f64(b, par_get_int(op, p));
    } else if (d->kind == PAR_TOGGLE) {
        put_u8(b, V_BOOL);
        put_f64(b, par_get_int(op, p) != 0);
    } else {
        put_u8(b, V_STR);
        put_str(b, d->kind == PAR_MENU ? menu_name(d, par_get_int(op, p))
                                       : par_get_string(op, p));
    }
    bool ranged = d->kind == PAR_FLOAT || d->kind == PAR_INT ||
                  d->kind == PAR_RGBA;
    put_u8(b, ranged);
    if (ranged) {
        put_f64(b, d->clamp & PAR_CLAMP_MIN ? d->lim[0] : d->norm[0]);
        put_f64(b, d->clamp & PAR_CLAMP_MAX ? d->lim[1] : d->norm[1]);
        put_u8(b, (int)(d->clamp & 3));
    }
    put_str(b, d->label ? d->label : p->name);
    int n = 0;
    while (d->kind == PAR_MENU && d->menu && d->menu[n].name)
        n++;
    put_u8(b, n > 255 ? 255 : n);
    for (int i = 0; i < n && i < 255; i++)
        put_str(b, d->menu[i].name);
}

/* An op as a container: its child ops (a COMP's), then its parameters
 * (a parameter named as a child op is that op's address, so it is left
 * out); deep: their contents too. */
static void capture_op(struct capture *c, struct op *op, bool deep)
{
    if (deep && c->budget <= 0)
        c->cut = true;
    deep = deep && c->budget > 0;
    put_u8(c->out, deep ? 'O' : 'o');
    put_str(c->out, op->path);
    put_str(c->out, op->type->optype);
    if (!deep)
        return;
    for (size_t i = 0; i < op->nchildren; i++)
        capture_op(c, op->children[i], true);
    for (size_t i = 0; i < op->npars; i++) {
        bool child = false;
        for (size_t k = 0; k < op->nchildren && !child; k++)
            child = strcmp(op->children[k]->name, op->pars[i].name) == 0;
        if (!child)
            capture_par(c, op, &op->pars[i], true);
        c->budget--;
    }
    put_u8(c->out, 'E');
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

int oscquery_check(const char *query)
{
    if (!query || !*query || strcmp(query, "HOST_INFO") == 0)
        return 0;
    for (int i = 0; attributes[i]; i++)
        if (strcmp(query, attributes[i]) == 0)
            return 0;
    return 400;
}

int oscquery_capture(struct graph *g, const struct oscquery_host *h,
                     const char *path, const char *query, struct strbuf *out)
{
    struct capture c = {.out = out, .h = h, .budget = TREE_BUDGET};
    bool deep = !query || !*query || strcmp(query, "CONTENTS") == 0;
    char *clean = xstrdup(path && *path ? path : "/");
    size_t len = strlen(clean);
    while (len > 1 && clean[len - 1] == '/')
        clean[--len] = '\0';
    int status = 0;
    if (strcmp(clean, "/") == 0) {
        put_u8(out, 'R');
        capture_op(&c, g->root, deep);
        put_u8(out, 'E');
    } else {
        struct par *p;
        struct op *op = resolve(g, clean, &p);
        if (!op)
            status = 404;
        else if (p)
            capture_par(&c, op, p, false);
        else
            capture_op(&c, op, deep);
    }
    free(clean);
    if (c.cut)
        LOG_WARN("[oscquery]", "a tree of more than %d parameters: deeper "
                 "ops are listed without their contents (ask for each)",
                 TREE_BUDGET);
    return status;
}

/* ---- the server's thread: JSON of a capture ---- */

struct reader {
    const unsigned char *p, *end;
    bool bad;
};

static int get_u8(struct reader *r)
{
    if (r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    return *r->p++;
}

static double get_f64(struct reader *r)
{
    double v = 0;
    if ((size_t)(r->end - r->p) < sizeof(v))
        r->bad = true;
    else
        memcpy(&v, r->p, sizeof(v));
    r->p += r->bad ? 0 : sizeof(v);
    return v;
}

/* A string as JSON (the bytes need not be UTF-8: then said so). */
static json_t *get_text(struct reader *r)
{
    uint32_t n = 0;
    if ((size_t)(r->end - r->p) < sizeof(n)) {
        r->bad = true;
        return json_string("");
    }
    memcpy(&n, r->p, sizeof(n));
    r->p += sizeof(n);
    if ((size_t)(r->end - r->p) < n) {
        r->bad = true;
        return json_string("");
    }
    json_t *j = json_stringn((const char *)r->p, n);
    r->p += n;
    return j ? j : json_string("(not UTF-8)");
}

static json_t *read_node(struct reader *r, const char *parent);

static json_t *read_par(struct reader *r, const char *parent)
{
    json_t *path = parent ? json_string(parent) : get_text(r);
    json_t *name = get_text(r);
    char type[2] = {(char)get_u8(r), 0};
    int access = get_u8(r);
    json_t *n = json_object();
    json_object_set_new(n, "FULL_PATH", json_sprintf(
        "%s/%s", json_string_value(path), json_string_value(name)));
    json_decref(path);
    json_object_set_new(n, "TYPE", json_string(type));
    json_object_set_new(n, "ACCESS", json_integer(access));
    json_t *v = NULL;
    switch (get_u8(r)) {
    case V_REAL: v = json_real(get_f64(r)); break;
    case V_INT: v = json_integer((json_int_t)get_f64(r)); break;
    case V_BOOL: v = json_boolean(get_f64(r) != 0); break;
    case V_STR: v = get_text(r); break;
    default: break;
    }
    if (v)
        json_object_set_new(n, "VALUE", json_pack("[o]", v));
    if (get_u8(r)) {
        double lo = get_f64(r), hi = get_f64(r);
        static const char *const modes[] = {"none", "low", "high", "both"};
        int clip = get_u8(r) & 3;
        if (lo < hi)
            json_object_set_new(n, "RANGE", json_pack("[{s:f,s:f}]", "MIN",
                                                      lo, "MAX", hi));
        json_object_set_new(n, "CLIPMODE", json_pack("[s]", modes[clip]));
    }
    json_object_set_new(n, "DESCRIPTION", get_text(r));
    int menu = get_u8(r);
    if (menu) {
        json_t *vals = json_array();
        for (int i = 0; i < menu && !r->bad; i++)
            json_array_append_new(vals, get_text(r));
        json_object_set_new(n, "RANGE", json_pack("[{s:o}]", "VALS", vals));
    }
    /* the caller files it under its name */
    json_object_set_new(n, "\x01name", name);
    return n;
}

static json_t *read_op(struct reader *r, bool deep)
{
    json_t *n = json_object();
    json_object_set_new(n, "FULL_PATH", get_text(r));
    json_object_set_new(n, "DESCRIPTION", get_text(r));
    json_object_set_new(n, "ACCESS", json_integer(0));
    if (!deep)
        return n;
    json_t *c = json_object();
    const char *full = json_string_value(json_object_get(n, "FULL_PATH"));
    while (!r->bad && r->p < r->end && *r->p != 'E') {
        json_t *k = read_node(r, full);
        if (!k)
            break;
        json_t *nm = json_object_get(k, "\x01name");
        const char *key = nm ? json_string_value(nm) : NULL;
        if (!key) { /* an op: the last part of its path */
            const char *kfull = json_string_value(
                json_object_get(k, "FULL_PATH"));
            const char *slash = kfull ? strrchr(kfull, '/') : NULL;
            key = slash ? slash + 1 : "?";
        }
        json_t *keyj = json_string(key);
        json_object_del(k, "\x01name");
        json_object_set_new(c, json_string_value(keyj), k);
        json_decref(keyj);
    }
    get_u8(r); /* 'E' */
    json_object_set_new(n, "CONTENTS", c);
    return n;
}

static json_t *read_node(struct reader *r, const char *parent)
{
    switch (get_u8(r)) {
    case 'P': return read_par(r, NULL);
    case 'Q': return parent ? read_par(r, parent) : NULL;
    case 'O': return read_op(r, true);
    case 'o': return read_op(r, false);
    default: r->bad = true; return NULL;
    }
}

static json_t *host_info(const struct oscquery_host *h)
{
    json_t *ext = json_pack(
        "{s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "ACCESS", 1,
        "VALUE", 1, "RANGE", 1, "DESCRIPTION", 1, "CLIPMODE", 1, "TYPE", 1,
        "FULL_PATH", 1, "LISTEN", 1, "TAGS", 0, "UNIT", 0, "CRITICAL", 0,
        "PATH_CHANGED", 0);
    json_t *name = json_string(h->name);
    json_t *j = json_pack("{s:o,s:o}", "NAME",
                          name ? name : json_string("vitrine"),
                          "EXTENSIONS", ext);
    if (h->osc_port) {
        json_object_set_new(j, "OSC_PORT", json_integer(h->osc_port));
        json_object_set_new(j, "OSC_TRANSPORT", json_string("UDP"));
        if (h->osc_ip)
            json_object_set_new(j, "OSC_IP", json_string(h->osc_ip));
    }
    return j;
}

char *oscquery_host_info(const struct oscquery_host *h)
{
    json_t *j = host_info(h);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

int oscquery_render(const struct oscquery_host *h, const char *query,
                    const void *data, size_t len, char **body)
{
    *body = NULL;
    struct reader r = {data, (const unsigned char *)data + len, false};
    json_t *node;
    if (len && r.p[0] == 'R') {
        r.p++;
        node = json_object();
        json_object_set_new(node, "FULL_PATH", json_string("/"));
        json_t *name = json_string(h->name);
        json_object_set_new(node, "DESCRIPTION",
                            name ? name : json_string("vitrine"));
        json_object_set_new(node, "ACCESS", json_integer(0));
        json_t *root = read_node(&r, NULL);
        json_t *c = json_object();
        if (root) {
            const char *full = json_string_value(
                json_object_get(root, "FULL_PATH"));
            json_object_set_new(c, full && full[0] == '/' ? full + 1 : "?",
                                root);
        }
        json_object_set_new(node, "CONTENTS", c);
    } else {
        node = read_node(&r, NULL);
        if (node)
            json_object_del(node, "\x01name");
    }
    if (!node || r.bad) {
        json_decref(node);
        return 500;
    }
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
        s = p->def->kind == PAR_MENU ? menu_name(p->def, par_get_int(op, p))
                                     : par_get_string(op, p);
        s = s ? s : "";
        snprintf(now, sizeof(now), "%zu:%016llx", strlen(s),
                 (unsigned long long)str_hash(s, strlen(s)));
    }
    if (strcmp(now, key) == 0)
        return 0;
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
    *msg = osc_out_message(o, path, len);
    osc_out_free(&o);
    return *msg ? 1 : -1;
}
