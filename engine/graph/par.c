#include "par.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "graph.h"
#include "op.h"

static int def_size(const struct par_def *d)
{
    return d->size ? d->size : d->kind == PAR_RGBA ? 4 : 1;
}

static const char *def_suffixes(const struct par_def *d)
{
    return d->suffixes ? d->suffixes : d->kind == PAR_RGBA ? "rgba" : "1234";
}

static size_t elem_size(enum par_kind k)
{
    switch (k) {
    case PAR_FLOAT:
    case PAR_RGBA: return sizeof(double);
    case PAR_STRING:
    case PAR_OP:
    case PAR_FILE: return sizeof(char *);
    default: return sizeof(int);
    }
}

static bool is_string_kind(enum par_kind k)
{
    return k == PAR_STRING || k == PAR_OP || k == PAR_FILE;
}

bool par_is_numeric(const struct par *p) { return !is_string_kind(p->def->kind); }

static void *slot(const struct op *op, const struct par *p)
{
    return (char *)op->priv + p->offset;
}

static char *expand_name(const struct par_def *d, const char *name, int seq,
                         int comp)
{
    struct strbuf sb = {0};
    for (const char *c = name; *c; c++) {
        if (*c == '#')
            sb_printf(&sb, "%d", seq);
        else
            sb_append(&sb, c, 1);
    }
    if (def_size(d) > 1)
        sb_append(&sb, def_suffixes(d) + comp, 1);
    return sb_steal(&sb);
}

static int menu_count(const struct par_def *d)
{
    int n = 0;
    while (d->menu && d->menu[n].name)
        n++;
    return n;
}

double par_default(const struct par *p)
{
    const struct par_def *d = p->def;
    if (d->kind == PAR_MENU && d->def_str) {
        for (int i = 0; d->menu[i].name; i++)
            if (strcmp(d->menu[i].name, d->def_str) == 0)
                return i;
    }
    return d->def[p->comp];
}

static void write_default(struct op *op, struct par *p)
{
    const struct par_def *d = p->def;
    void *v = slot(op, p);
    switch (d->kind) {
    case PAR_FLOAT:
    case PAR_RGBA: *(double *)v = par_default(p); break;
    case PAR_STRING:
    case PAR_OP:
    case PAR_FILE:
        free(*(char **)v);
        *(char **)v = xstrdup(d->def_str ? d->def_str : "");
        break;
    case PAR_PULSE: *(int *)v = 0; break;
    default: *(int *)v = (int)par_default(p); break;
    }
}

void pars_init(struct op *op)
{
    size_t n = 0;
    for (const struct par_def *d = op->type->pars; d && d->name; d++)
        n += (size_t)(d->count ? d->count : 1) * (size_t)def_size(d);
    op->pars = xcalloc(n ? n : 1, sizeof(*op->pars));
    op->npars = n;
    size_t k = 0;
    for (const struct par_def *d = op->type->pars; d && d->name; d++) {
        int count = d->count ? d->count : 1, size = def_size(d);
        for (int s = 0; s < count; s++) {
            for (int c = 0; c < size; c++) {
                struct par *p = &op->pars[k++];
                p->def = d;
                p->seq = s;
                p->comp = c;
                p->name = expand_name(d, d->name, s, c);
                p->alias = d->alias ? expand_name(d, d->alias, s, c) : NULL;
                p->offset = d->offset +
                            (size_t)(s * size + c) * elem_size(d->kind);
                p->export_index = -1;
                write_default(op, p);
            }
        }
    }
}

static void clear_mode(struct op *op, struct par *p)
{
    if (p->expr_code && op->graph->eval && op->graph->eval->release)
        op->graph->eval->release(op->graph->eval->ctx, p->expr_code);
    p->expr_code = NULL;
    free(p->expr);
    p->expr = NULL;
    free(p->export_src);
    p->export_src = NULL;
    p->export_op = 0;
    p->export_chan = NULL;
    p->export_index = -1;
    if (p->mode != PAR_MODE_CONSTANT)
        op->graph->topology_dirty = true;
    p->mode = PAR_MODE_CONSTANT;
}

void pars_free(struct op *op)
{
    for (size_t i = 0; i < op->npars; i++) {
        struct par *p = &op->pars[i];
        clear_mode(op, p);
        if (is_string_kind(p->def->kind))
            free(*(char **)slot(op, p));
        free(p->name);
        free(p->alias);
    }
    free(op->pars);
    op->pars = NULL;
    op->npars = 0;
}

struct par *op_par(struct op *op, const char *name)
{
    for (size_t i = 0; i < op->npars; i++)
        if (strcmp(op->pars[i].name, name) == 0)
            return &op->pars[i];
    for (size_t i = 0; i < op->npars; i++)
        if (op->pars[i].alias && strcmp(op->pars[i].alias, name) == 0)
            return &op->pars[i];
    return NULL;
}

const char *op_par_suggest(struct op *op, const char *name)
{
    const char **names = xmalloc((op->npars + 1) * sizeof(*names));
    for (size_t i = 0; i < op->npars; i++)
        names[i] = op->pars[i].name;
    const char *best = str_nearest(name, names, op->npars);
    free(names);
    return best;
}

const char *par_page(const struct op *op, const struct par *p)
{
    return p->def->page ? p->def->page : op->type->label;
}

const char *par_kind_name(enum par_kind kind)
{
    static const char *const names[] = {
        "float", "int", "toggle", "menu", "string",
        "rgba", "op", "file", "pulse",
    };
    return kind <= PAR_PULSE ? names[kind] : "?";
}

const char *par_mode_name(enum par_mode mode)
{
    static const char *const names[] = {"CONSTANT", "EXPRESSION", "EXPORT"};
    return mode <= PAR_MODE_EXPORT ? names[mode] : "?";
}

static void changed(struct op *op) { op->par_version++; }

/* ---- reading ---- */

double par_get_double(const struct op *op, const struct par *p)
{
    const void *v = slot(op, p);
    switch (p->def->kind) {
    case PAR_FLOAT:
    case PAR_RGBA: return *(const double *)v;
    case PAR_STRING:
    case PAR_OP:
    case PAR_FILE: return 0;
    default: return *(const int *)v;
    }
}

int par_get_int(const struct op *op, const struct par *p)
{
    return (int)lrint(par_get_double(op, p));
}

const char *par_get_string(const struct op *op, const struct par *p)
{
    if (is_string_kind(p->def->kind))
        return *(char *const *)slot(op, p);
    if (p->def->kind == PAR_MENU) {
        int i = *(const int *)slot(op, p);
        return i >= 0 && i < menu_count(p->def) ? p->def->menu[i].name : "";
    }
    return NULL;
}

char *par_format(const struct op *op, const struct par *p, char *buf,
                 size_t n)
{
    switch (p->def->kind) {
    case PAR_FLOAT:
    case PAR_RGBA: snprintf(buf, n, "%.17g", par_get_double(op, p)); break;
    case PAR_MENU:
    case PAR_STRING:
    case PAR_OP:
    case PAR_FILE: snprintf(buf, n, "%s", par_get_string(op, p)); break;
    case PAR_TOGGLE:
        snprintf(buf, n, "%s", par_get_int(op, p) ? "on" : "off");
        break;
    default: snprintf(buf, n, "%d", par_get_int(op, p)); break;
    }
    return buf;
}

/* ---- writing ---- */

static enum par_err check_range(const struct par *p, double v, char *err,
                                size_t errlen)
{
    const struct par_def *d = p->def;
    if ((d->clamp & PAR_CLAMP_MIN) && v < d->lim[0]) {
        snprintf(err, errlen, "%g is below the minimum %g of '%s'", v,
                 d->lim[0], p->name);
        return PAR_ERR_RANGE;
    }
    if ((d->clamp & PAR_CLAMP_MAX) && v > d->lim[1]) {
        snprintf(err, errlen, "%g is above the maximum %g of '%s'", v,
                 d->lim[1], p->name);
        return PAR_ERR_RANGE;
    }
    return PAR_OK;
}

static bool store_number(struct op *op, struct par *p, double v)
{
    void *s = slot(op, p);
    switch (p->def->kind) {
    case PAR_FLOAT:
    case PAR_RGBA:
        if (*(double *)s == v)
            return false;
        *(double *)s = v;
        return true;
    case PAR_PULSE:
        if (v != 0) {
            *(int *)s = 1;
            op->has_pulse = true;
            return true;
        }
        return false;
    default: {
        int iv = (int)v;
        if (*(int *)s == iv)
            return false;
        *(int *)s = iv;
        return true;
    }
    }
}

static bool store_string(struct op *op, struct par *p, const char *text)
{
    char **s = slot(op, p);
    if (*s && strcmp(*s, text) == 0) /* stored text is valid UTF-8 */
        return false;
    char *utf8 = utf8_dup(text); /* what Python can read back */
    if (*s && strcmp(*s, utf8) == 0) {
        free(utf8);
        return false;
    }
    free(*s);
    *s = utf8;
    text = utf8;
    if (p->def->kind == PAR_OP) {
        struct op *t = *text ? op_find_from(op->parent ? op->parent : op, text)
                             : NULL;
        p->ref_op = t ? t->id : 0;
        op->graph->topology_dirty = true;
    }
    return true;
}

static bool parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == text || *end || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_int(const char *text, double *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == text || *end || errno == ERANGE || v > 2147483647L ||
        v < -2147483647L)
        return false;
    *out = (double)v;
    return true;
}

static bool parse_toggle(const char *t, double *out)
{
    static const char *const on[] = {"1", "on", "true", "yes"};
    static const char *const off[] = {"0", "off", "false", "no"};
    for (size_t i = 0; i < ARRAY_LEN(on); i++) {
        if (str_ieq(t, on[i])) {
            *out = 1;
            return true;
        }
        if (str_ieq(t, off[i])) {
            *out = 0;
            return true;
        }
    }
    return false;
}

static enum par_err parse_menu(const struct par *p, const char *t,
                               double *out, char *err, size_t errlen)
{
    const struct par_def *d = p->def;
    int n = menu_count(d);
    for (int i = 0; i < n; i++)
        if (strcmp(d->menu[i].name, t) == 0) {
            *out = i;
            return PAR_OK;
        }
    for (int i = 0; i < n; i++)
        if (str_ieq(d->menu[i].name, t) ||
            (d->menu[i].label && str_ieq(d->menu[i].label, t))) {
            *out = i;
            return PAR_OK;
        }
    double idx;
    if (parse_int(t, &idx) && idx >= 0 && idx < n) {
        *out = idx;
        return PAR_OK;
    }
    struct strbuf sb = {0};
    for (int i = 0; i < n; i++)
        sb_printf(&sb, "%s%s", i ? ", " : "", d->menu[i].name);
    snprintf(err, errlen, "'%s' is not a menu item of '%s' (one of: %s, or "
             "an index 0-%d)", t, p->name, sb.s ? sb.s : "", n - 1);
    sb_free(&sb);
    return PAR_ERR_MENU;
}

enum par_err par_remote_check(const struct op *op, const struct par *p,
                              char *err, size_t errlen)
{
    const char *why = NULL;
    if (p->def->flags & PAR_CODE)
        why = "it holds code";
    else if (p->def->kind == PAR_FILE)
        why = "it names a file";
    else if (p->def->kind == PAR_OP)
        why = "it names an operator";
    else if (p->mode != PAR_MODE_CONSTANT)
        why = p->mode == PAR_MODE_EXPRESSION
                  ? "it follows an expression, which a value would replace"
                  : "it follows an export, which a value would replace";
    if (!why)
        return PAR_OK;
    snprintf(err, errlen, "%s.%s is not set over the network: %s", op->path,
             p->name, why);
    return PAR_ERR_REFUSED;
}

enum par_err par_set_text(struct op *op, struct par *p, const char *text,
                          char *err, size_t errlen)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", text);
    char *t = str_trim(buf);
    double v = 0;
    enum par_kind k = p->def->kind;
    if (is_string_kind(k)) {
        clear_mode(op, p);
        if (store_string(op, p, text))
            changed(op);
        return PAR_OK;
    }
    switch (k) {
    case PAR_FLOAT:
    case PAR_RGBA:
        if (!parse_double(t, &v)) {
            snprintf(err, errlen, "'%s' is not a number (%s is a %s "
                     "parameter)", t, p->name, par_kind_name(k));
            return PAR_ERR_KIND;
        }
        break;
    case PAR_INT:
        if (!parse_int(t, &v)) {
            snprintf(err, errlen, "'%s' is not an integer (%s is an int "
                     "parameter)", t, p->name);
            return PAR_ERR_KIND;
        }
        break;
    case PAR_TOGGLE:
    case PAR_PULSE:
        if (!parse_toggle(t, &v)) {
            snprintf(err, errlen, "'%s' is not on/off (%s is a %s parameter; "
                     "use on, off, 1, 0, true or false)", t, p->name,
                     par_kind_name(k));
            return PAR_ERR_KIND;
        }
        break;
    case PAR_MENU: {
        enum par_err e = parse_menu(p, t, &v, err, errlen);
        if (e)
            return e;
        break;
    }
    default: break;
    }
    return par_set_double(op, p, v, err, errlen);
}

enum par_err par_set_double(struct op *op, struct par *p, double v,
                            char *err, size_t errlen)
{
    enum par_kind k = p->def->kind;
    if (is_string_kind(k)) {
        snprintf(err, errlen, "'%s' is a %s parameter and takes text", p->name,
                 par_kind_name(k));
        return PAR_ERR_KIND;
    }
    if (!isfinite(v)) {
        snprintf(err, errlen, "%g is not a finite number for '%s'", v,
                 p->name);
        return PAR_ERR_KIND;
    }
    if ((k == PAR_INT || k == PAR_MENU) && v != floor(v)) {
        snprintf(err, errlen, "%g is not an integer (%s is a %s parameter)",
                 v, p->name, par_kind_name(k));
        return PAR_ERR_KIND;
    }
    if (k == PAR_INT && (v > INT_MAX || v < INT_MIN)) {
        snprintf(err, errlen, "%g is outside the integers %d to %d that "
                 "'%s' holds", v, INT_MIN, INT_MAX, p->name);
        return PAR_ERR_RANGE;
    }
    if (k == PAR_MENU && (v < 0 || v >= menu_count(p->def))) {
        snprintf(err, errlen, "menu index %g is outside 0-%d for '%s'", v,
                 menu_count(p->def) - 1, p->name);
        return PAR_ERR_MENU;
    }
    if (k == PAR_TOGGLE)
        v = v != 0;
    enum par_err e = check_range(p, v, err, errlen);
    if (e)
        return e;
    clear_mode(op, p);
    if (store_number(op, p, v))
        changed(op);
    return PAR_OK;
}

void par_apply_double(struct op *op, struct par *p, double v)
{
    const struct par_def *d = p->def;
    if (!par_is_numeric(p) || !isfinite(v))
        return;
    if ((d->clamp & PAR_CLAMP_MIN) && v < d->lim[0])
        v = d->lim[0];
    if ((d->clamp & PAR_CLAMP_MAX) && v > d->lim[1])
        v = d->lim[1];
    switch (d->kind) {
    case PAR_TOGGLE: v = v >= 0.5; break;
    case PAR_PULSE: v = v >= 0.5; break;
    case PAR_INT: /* an int holds what is stored */
        v = v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (double)lrint(v);
        break;
    case PAR_MENU: {
        int n = menu_count(d);
        v = (double)lrint(v);
        if (v < 0)
            v = 0;
        if (v > n - 1)
            v = n - 1;
        break;
    }
    default: break;
    }
    if (store_number(op, p, v))
        changed(op);
}

void par_apply_string(struct op *op, struct par *p, const char *s)
{
    if (par_is_numeric(p)) {
        double v;
        if (p->def->kind == PAR_MENU) {
            char err[256];
            if (parse_menu(p, s, &v, err, sizeof(err)) == PAR_OK)
                par_apply_double(op, p, v);
        } else if (parse_double(s, &v)) {
            par_apply_double(op, p, v);
        }
        return;
    }
    if (store_string(op, p, s))
        changed(op);
}

void par_pulse(struct op *op, struct par *p)
{
    if (store_number(op, p, 1))
        changed(op);
}

void par_reset(struct op *op, struct par *p)
{
    clear_mode(op, p);
    if (is_string_kind(p->def->kind)) {
        if (store_string(op, p, p->def->def_str ? p->def->def_str : ""))
            changed(op);
    } else if (p->def->kind != PAR_PULSE) {
        if (store_number(op, p, par_default(p)))
            changed(op);
    }
}

enum par_err par_set_expr(struct op *op, struct par *p, const char *src,
                          char *err, size_t errlen)
{
    const struct expr_evaluator *ev = op->graph->eval;
    if (!ev) {
        snprintf(err, errlen, "'%s.expr' is a Python expression, and this "
                 "build has no Python evaluator to run it; set a constant "
                 "or use '%s.export = chop:channel'", p->name, p->name);
        return PAR_ERR_MODE;
    }
    void *code = NULL;
    if (ev->compile(ev->ctx, op, p, src, &code, err, errlen) != 0)
        return PAR_ERR_KIND;
    clear_mode(op, p);
    p->mode = PAR_MODE_EXPRESSION;
    p->expr = xstrdup(src);
    p->expr_code = code;
    op->graph->topology_dirty = true;
    return PAR_OK;
}

enum par_err par_set_export(struct op *op, struct par *p, const char *src,
                            char *err, size_t errlen)
{
    if (!par_is_numeric(p) || p->def->kind == PAR_PULSE) {
        snprintf(err, errlen, "'%s' is a %s parameter; a CHOP channel can "
                 "only drive numeric parameters", p->name,
                 par_kind_name(p->def->kind));
        return PAR_ERR_MODE;
    }
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", src);
    char *t = str_trim(buf);
    char *colon = strrchr(t, ':');
    if (!colon || colon == t || !colon[1]) {
        snprintf(err, errlen, "'%s' is not 'chop:channel' (for example "
                 "math1:chan1)", t);
        return PAR_ERR_KIND;
    }
    *colon = '\0';
    const char *chan = str_trim(colon + 1);
    struct op *src_op = op_find_from(op->parent ? op->parent : op,
                                     str_trim(t));
    if (!src_op) {
        snprintf(err, errlen, "export source '%s' does not exist", t);
        return PAR_ERR_NOT_FOUND;
    }
    if (src_op->type->family != OP_CHOP) {
        snprintf(err, errlen, "export source '%s' is a %s; exports come "
                 "from CHOP channels", src_op->path,
                 op_family_name(src_op->type->family));
        return PAR_ERR_KIND;
    }
    if (src_op == op) {
        snprintf(err, errlen, "'%s' cannot export to itself", op->path);
        return PAR_ERR_KIND;
    }
    clear_mode(op, p);
    p->mode = PAR_MODE_EXPORT;
    p->export_src = xasprintf("%s:%s", t, chan);
    p->export_op = src_op->id;
    p->export_chan = strpool_intern(&op->graph->names, chan);
    p->export_index = -1;
    op->graph->topology_dirty = true;
    return PAR_OK;
}
