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
    return p->own ? p->own : (char *)op->priv + p->offset;
}

static char *expand_name(const struct par_def *d, const char *name, int seq,
                         int comp)
{
    struct strbuf sb = {0};
    for (const char *c = name; *c; c++) {
        if (*c == '#')
            sb_printf(&sb, "%d", seq + (name == d->alias ? d->alias_seq : 0));
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

static void free_par(struct op *op, struct par *p)
{
    clear_mode(op, p);
    if (is_string_kind(p->def->kind))
        free(*(char **)slot(op, p));
    free(p->name);
    free(p->alias);
}

static void customs_free(struct op *op);

void pars_free(struct op *op)
{
    for (size_t i = 0; i < op->npars; i++)
        free_par(op, &op->pars[i]);
    free(op->pars);
    op->pars = NULL;
    op->npars = 0;
    customs_free(op);
}

void pars_clear_pulses(struct op *op)
{
    for (size_t i = 0; i < op->npars; i++)
        if (op->pars[i].def->kind == PAR_PULSE)
            *(int *)slot(op, &op->pars[i]) = 0;
    op->has_pulse = false;
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
        [PAR_KIND_NONE] = "(no kind)", [PAR_FLOAT] = "float",
        [PAR_INT] = "int",             [PAR_TOGGLE] = "toggle",
        [PAR_MENU] = "menu",           [PAR_STRING] = "string",
        [PAR_RGBA] = "rgba",           [PAR_OP] = "op",
        [PAR_FILE] = "file",           [PAR_PULSE] = "pulse",
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
            graph_note_pulse(op->graph, op, p->name);
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

bool par_parse_number(const char *text, double *out)
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

bool par_parse_toggle(const char *t, double *out)
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

/* An op reference names an op of a family the parameter takes (a Select
 * TOP's `top` a TOP); one that does not exist yet is the loader's to
 * report, and a script's to set (it evaluates to None). */
static enum par_err check_family(struct op *op, const struct par *p,
                                 const char *text, char *err, size_t errlen)
{
    if (p->def->kind != PAR_OP || !p->def->families || !*text)
        return PAR_OK;
    struct op *t = op_find_from(op->parent ? op->parent : op, text);
    if (!t || (p->def->families & OP_FAMILY_BIT(t->type->family)))
        return PAR_OK;
    snprintf(err, errlen, "%s: '%s' is a %s, and this parameter takes a %s",
             p->name, t->path, op_family_name(t->type->family),
             op_family_name((enum op_family)__builtin_ctz(p->def->families)));
    return PAR_ERR_KIND;
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
        enum par_err e = check_family(op, p, t, err, errlen);
        if (e)
            return e;
        clear_mode(op, p);
        if (store_string(op, p, text))
            changed(op);
        return PAR_OK;
    }
    switch (k) {
    case PAR_FLOAT:
    case PAR_RGBA:
        if (!par_parse_number(t, &v)) {
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
        if (!par_parse_toggle(t, &v)) {
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

enum par_err par_write(struct op *op, struct par *p, const struct par_value *v,
                       enum par_source from, char *err, size_t errlen)
{
    enum par_err e;
    if (from == PAR_FROM_REMOTE && (e = par_remote_check(op, p, err, errlen)))
        return e;
    enum par_kind k = p->def->kind;
    if (k == PAR_PULSE && from != PAR_FROM_FILE &&
        (!v->has_num && !v->text)) { /* a pulse without a value */
        par_pulse(op, p);
        return PAR_OK;
    }
    if (v->text)
        return par_set_text(op, p, v->text, err, errlen);
    if (!v->has_num) {
        snprintf(err, errlen, "no value for '%s'", p->name);
        return PAR_ERR_KIND;
    }
    if (!par_is_numeric(p)) { /* a number given to text: its shortest
                                 * text (an OSC float's 0.1, not 0.100..1) */
        char num[64];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof(num), "%.*g", prec, v->num);
            double back = strtod(num, NULL);
            if (back == v->num || (float)back == (float)v->num)
                break;
        }
        return par_set_text(op, p, num, err, errlen);
    }
    double d = v->num;
    if (from == PAR_FROM_SCRIPT && isfinite(d)) {
        /* TouchDesigner's Python: an int rounds, a clamped one clamps */
        if (k == PAR_INT)
            d = floor(d + 0.5);
        if (k != PAR_MENU && (p->def->clamp & PAR_CLAMP_MIN) &&
            d < p->def->lim[0])
            d = p->def->lim[0];
        if (k != PAR_MENU && (p->def->clamp & PAR_CLAMP_MAX) &&
            d > p->def->lim[1])
            d = p->def->lim[1];
    }
    return par_set_double(op, p, d, err, errlen);
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
        } else if (par_parse_number(s, &v)) {
            par_apply_double(op, p, v);
        }
        return;
    }
    if (store_string(op, p, s))
        changed(op);
}

void par_apply_owned(struct op *op, struct par *p, char *utf8)
{
    if (p->def->kind != PAR_STRING) { /* not the kind it is for */
        par_apply_string(op, p, utf8);
        free(utf8);
        return;
    }
    char **s = slot(op, p);
    free(*s);
    *s = utf8;
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

/* ---- custom parameters ---- */

struct custom_group {
    struct par_def def; /* first: a par's def points at its group */
    void *vals;         /* def.size values of the kind */
};

struct par_customs {
    struct custom_group **groups;
    size_t ngroups, cap_groups;
    char **pages;
    size_t npages, cap_pages;
};

static const struct custom_style {
    const char *style;
    enum par_kind kind;
    int size; /* 0: the declaration's, 1-4 */
    const char *suffixes;
    unsigned families;
} custom_styles[] = {
    {"Float", PAR_FLOAT, 0, "1234", 0},
    {"Int", PAR_INT, 0, "1234", 0},
    {"Toggle", PAR_TOGGLE, 1, NULL, 0},
    {"Menu", PAR_MENU, 1, NULL, 0},
    {"Str", PAR_STRING, 1, NULL, 0},
    {"Pulse", PAR_PULSE, 1, NULL, 0},
    {"RGB", PAR_RGBA, 3, "rgb", 0},
    {"RGBA", PAR_RGBA, 4, "rgba", 0},
    {"XY", PAR_FLOAT, 2, "xy", 0},
    {"XYZ", PAR_FLOAT, 3, "xyz", 0},
    {"XYZW", PAR_FLOAT, 4, "xyzw", 0},
    {"UV", PAR_FLOAT, 2, "uv", 0},
    {"UVW", PAR_FLOAT, 3, "uvw", 0},
    {"WH", PAR_FLOAT, 2, "wh", 0},
    {"OP", PAR_OP, 1, NULL, 0},
    {"COMP", PAR_OP, 1, NULL, OP_FAMILY_BIT(OP_COMP)},
    {"TOP", PAR_OP, 1, NULL, OP_FAMILY_BIT(OP_TOP)},
    {"CHOP", PAR_OP, 1, NULL, OP_FAMILY_BIT(OP_CHOP)},
    {"DAT", PAR_OP, 1, NULL, OP_FAMILY_BIT(OP_DAT)},
    {"File", PAR_FILE, 1, NULL, 0},
};

bool op_takes_custom_pars(const struct op *op)
{
    return op->type->family == OP_COMP ||
           (op->type->flags & OPT_CUSTOM_PARS);
}

bool par_is_custom(const struct par *p) { return p->own != NULL; }

static struct custom_group *group_of(const struct par *p)
{
    return p->own ? (struct custom_group *)(void *)p->def : NULL;
}

const char *par_group(const struct par *p, int *size)
{
    *size = def_size(p->def);
    return p->def->name;
}

static struct par_customs *customs(struct op *op)
{
    if (!op->customs)
        op->customs = xcalloc(1, sizeof(*op->customs));
    return op->customs;
}

static bool custom_name_valid(const char *n)
{
    if (!n || !(*n >= 'A' && *n <= 'Z'))
        return false;
    for (n++; *n; n++)
        if (!((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9')))
            return false;
    return true;
}

static void free_def_strings(struct par_def *d)
{
    free((char *)d->name);
    free((char *)d->label);
    free((char *)d->page);
    free((char *)d->def_str);
    for (size_t i = 0; d->menu && d->menu[i].name; i++) {
        free((char *)d->menu[i].name);
        free((char *)d->menu[i].label);
    }
    free((void *)d->menu);
}

/* A default given as text, read as the kind reads values: numbers, one
 * per component (or one for all), separated by spaces or commas; a menu
 * item's name or index; text. */
static bool default_from_text(struct par_def *d, const char *text, char *err,
                              size_t errlen)
{
    if (is_string_kind(d->kind) || d->kind == PAR_MENU) {
        free((char *)d->def_str);
        d->def_str = xstrdup(text);
        double i;
        if (d->kind == PAR_MENU && par_parse_number(text, &i))
            d->def[0] = i;
        return true;
    }
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", text);
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ", \t", &save); t;
         t = strtok_r(NULL, ", \t", &save)) {
        double v;
        if (n == 4 || !par_parse_number(t, &v)) {
            snprintf(err, errlen, "%s.default: '%s' is not a number",
                     d->name, t);
            return false;
        }
        d->def[n++] = v;
    }
    for (int c = n; n == 1 && c < 4; c++)
        d->def[c] = d->def[0];
    return true;
}

/* Fills def from decl; false with err on a bad declaration. */
static bool decl_to_def(const struct par_decl *dc, struct par_def *d,
                        char *err, size_t errlen)
{
    const struct custom_style *st = NULL;
    for (size_t i = 0; i < ARRAY_LEN(custom_styles); i++)
        if (dc->style && str_ieq(dc->style, custom_styles[i].style))
            st = &custom_styles[i];
    if (dc->style && str_ieq(dc->style, "String"))
        st = &custom_styles[4];
    if (!custom_name_valid(dc->name)) {
        snprintf(err, errlen, "'%s' is not a custom parameter name: it "
                 "starts with a capital letter, then lower case letters "
                 "and digits (Speed, Color2)", dc->name ? dc->name : "");
        return false;
    }
    if (!st) {
        struct strbuf sb = {0};
        for (size_t i = 0; i < ARRAY_LEN(custom_styles); i++)
            sb_printf(&sb, "%s%s", i ? ", " : "", custom_styles[i].style);
        snprintf(err, errlen, "'%s' is not a parameter style (one of: %s)",
                 dc->style ? dc->style : "", sb.s);
        sb_free(&sb);
        return false;
    }
    int size = st->size ? st->size : dc->size ? dc->size : 1;
    if (size < 1 || size > 4 || (st->size && dc->size && dc->size != size)) {
        snprintf(err, errlen, "%s: a %s parameter has %s components, not "
                 "%d", dc->name, st->style, st->size ? "its own" : "1 to 4",
                 dc->size);
        return false;
    }
    if (dc->has_lim && (dc->clamp & PAR_CLAMP_BOTH) == PAR_CLAMP_BOTH &&
        dc->lim[0] > dc->lim[1]) {
        snprintf(err, errlen, "%s: its minimum %g is above its maximum %g",
                 dc->name, dc->lim[0], dc->lim[1]);
        return false;
    }
    memset(d, 0, sizeof(*d));
    d->kind = st->kind;
    d->size = size;
    d->suffixes = size > 1 ? st->suffixes : NULL;
    d->families = st->families;
    d->style = st->style;
    d->name = xstrdup(dc->name);
    d->label = xstrdup(dc->label && *dc->label ? dc->label : dc->name);
    d->page = xstrdup(dc->page && *dc->page ? dc->page : "Custom");
    d->def_str = dc->def_str ? xstrdup(dc->def_str) : NULL;
    for (int c = 0; c < 4; c++)
        d->def[c] = dc->def[c];
    if (dc->def_text && *dc->def_text &&
        !default_from_text(d, dc->def_text, err, errlen)) {
        free_def_strings(d);
        return false;
    }
    d->norm[0] = dc->has_norm ? dc->norm[0] : 0;
    d->norm[1] = dc->has_norm ? dc->norm[1] : 1;
    d->lim[0] = dc->has_lim ? dc->lim[0] : d->norm[0];
    d->lim[1] = dc->has_lim ? dc->lim[1] : d->norm[1];
    d->clamp = dc->clamp & PAR_CLAMP_BOTH;
    struct par_menu_item *m = xcalloc(dc->nmenu + 1, sizeof(*m));
    for (size_t i = 0; i < dc->nmenu; i++) {
        m[i].name = xstrdup(dc->menu_names[i]);
        m[i].label = xstrdup(dc->menu_labels && dc->menu_labels[i]
                                 ? dc->menu_labels[i] : dc->menu_names[i]);
    }
    d->menu = m;
    return true;
}

/* Converts op->live to indices and back around a move of op->pars:
 * drop [from, from + n) and shift what follows by delta. */
static size_t *live_save(const struct op *op)
{
    size_t *idx = xmalloc((op->nlive + 1) * sizeof(*idx));
    for (size_t i = 0; i < op->nlive; i++)
        idx[i] = (size_t)(op->live[i] - op->pars);
    return idx;
}

static void live_restore(struct op *op, size_t *idx, size_t from, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < op->nlive; i++) {
        if (idx[i] >= from && idx[i] < from + n)
            continue;
        op->live[k++] = op->pars + (idx[i] >= from + n ? idx[i] - n : idx[i]);
    }
    op->nlive = k;
    free(idx);
    op->pars_layout++;
}

static void page_note(struct par_customs *cs, const char *page)
{
    for (size_t i = 0; i < cs->npages; i++)
        if (strcmp(cs->pages[i], page) == 0)
            return;
    GROW(cs->pages, cs->cap_pages, cs->npages + 1);
    cs->pages[cs->npages++] = xstrdup(page);
}

static struct custom_group *find_group(struct op *op, const char *name,
                                       size_t *first)
{
    struct par *p = op_par(op, name);
    struct custom_group *g = p ? group_of(p) : NULL;
    if (!g && op->customs) { /* by the group's own name ("Color") */
        for (size_t i = 0; i < op->customs->ngroups; i++)
            if (strcmp(op->customs->groups[i]->def.name, name) == 0)
                g = op->customs->groups[i];
    }
    if (!g)
        return NULL;
    for (size_t i = 0; i < op->npars; i++)
        if (op->pars[i].def == &g->def) {
            *first = i;
            return g;
        }
    return NULL;
}

struct par *par_custom_first(struct op *op, const char *name)
{
    size_t first;
    return find_group(op, name, &first) ? &op->pars[first] : NULL;
}

/* Keeps the values of a redefined group within its new range and menu. */
static void reclamp(struct op *op, size_t first)
{
    struct par *p = &op->pars[first];
    for (int c = 0, n = def_size(p->def); c < n; c++, p++)
        if (par_is_numeric(p) && p->def->kind != PAR_PULSE)
            par_apply_double(op, p, par_get_double(op, p));
}

enum par_err par_custom_add(struct op *op, const struct par_decl *dc,
                            bool replace, char *err, size_t errlen)
{
    if (!op_takes_custom_pars(op)) {
        snprintf(err, errlen, "%s is a %s; custom parameters belong to "
                 "COMPs and Script operators", op->path, op->type->optype);
        return PAR_ERR_REFUSED;
    }
    struct par_def d;
    if (!decl_to_def(dc, &d, err, errlen))
        return PAR_ERR_DECL;
    size_t first = 0;
    struct custom_group *old = find_group(op, dc->name, &first);
    if (old && strcmp(old->def.name, dc->name) != 0)
        old = NULL; /* "Colorr" is a component, not a group's name */
    if (old && !replace) {
        free_def_strings(&d);
        snprintf(err, errlen, "%s already has a custom parameter %s",
                 op->path, dc->name);
        return PAR_ERR_REFUSED;
    }
    if (old && old->def.kind == d.kind && old->def.size == d.size) {
        free_def_strings(&old->def); /* redefined in place */
        old->def = d;
        page_note(customs(op), d.page);
        reclamp(op, first);
        op->pars_layout++;
        changed(op);
        return PAR_OK;
    }
    if (old)
        par_custom_remove(op, dc->name);
    int size = def_size(&d);
    for (int c = 0; c < size; c++) {
        char *n = expand_name(&d, d.name, 0, c);
        struct par *clash = op_par(op, n);
        if (clash) {
            snprintf(err, errlen, "%s already has a parameter %s", op->path,
                     n);
            free(n);
            free_def_strings(&d);
            return PAR_ERR_REFUSED;
        }
        free(n);
    }
    struct par_customs *cs = customs(op);
    struct custom_group *g = xcalloc(1, sizeof(*g));
    g->def = d;
    g->vals = xcalloc((size_t)size, elem_size(d.kind));
    GROW(cs->groups, cs->cap_groups, cs->ngroups + 1);
    cs->groups[cs->ngroups++] = g;
    page_note(cs, d.page);

    size_t *idx = live_save(op);
    op->pars = xrealloc(op->pars, (op->npars + (size_t)size) *
                                      sizeof(*op->pars));
    live_restore(op, idx, SIZE_MAX, 0);
    for (int c = 0; c < size; c++) {
        struct par *p = &op->pars[op->npars++];
        memset(p, 0, sizeof(*p));
        p->def = &g->def;
        p->comp = c;
        p->name = expand_name(&g->def, g->def.name, 0, c);
        p->own = (char *)g->vals + (size_t)c * elem_size(d.kind);
        p->export_index = -1;
        write_default(op, p);
    }
    changed(op);
    return PAR_OK;
}

static void group_free(struct custom_group *g)
{
    free_def_strings(&g->def);
    free(g->vals);
    free(g);
}

bool par_custom_remove(struct op *op, const char *name)
{
    size_t first = 0;
    struct custom_group *g = find_group(op, name, &first);
    if (!g)
        return false;
    size_t n = (size_t)def_size(&g->def);
    for (size_t i = first; i < first + n; i++)
        free_par(op, &op->pars[i]);
    size_t *idx = live_save(op);
    memmove(op->pars + first, op->pars + first + n,
            (op->npars - first - n) * sizeof(*op->pars));
    op->npars -= n;
    live_restore(op, idx, first, n);
    struct par_customs *cs = op->customs;
    for (size_t i = 0; i < cs->ngroups; i++)
        if (cs->groups[i] == g) {
            memmove(cs->groups + i, cs->groups + i + 1,
                    (cs->ngroups - i - 1) * sizeof(*cs->groups));
            cs->ngroups--;
            break;
        }
    group_free(g);
    changed(op);
    return true;
}

void par_custom_clear(struct op *op)
{
    while (op->customs && op->customs->ngroups)
        par_custom_remove(op, op->customs->groups[0]->def.name);
    if (op->customs) {
        for (size_t i = 0; i < op->customs->npages; i++)
            free(op->customs->pages[i]);
        op->customs->npages = 0;
    }
}

/* After pars_free: the groups' declarations and the pages. */
static void customs_free(struct op *op)
{
    struct par_customs *cs = op->customs;
    if (!cs)
        return;
    for (size_t i = 0; i < cs->ngroups; i++)
        group_free(cs->groups[i]);
    for (size_t i = 0; i < cs->npages; i++)
        free(cs->pages[i]);
    free(cs->groups);
    free(cs->pages);
    free(cs);
    op->customs = NULL;
}

void par_page_add(struct op *op, const char *page)
{
    page_note(customs(op), page);
}

bool par_page_remove(struct op *op, const char *page)
{
    struct par_customs *cs = op->customs;
    size_t at = cs ? cs->npages : 0;
    for (size_t i = 0; cs && i < cs->npages; i++)
        if (strcmp(cs->pages[i], page) == 0)
            at = i;
    if (!cs || at == cs->npages)
        return false;
    for (size_t i = cs->ngroups; i-- > 0;)
        if (strcmp(cs->groups[i]->def.page, page) == 0)
            par_custom_remove(op, cs->groups[i]->def.name);
    free(cs->pages[at]);
    memmove(cs->pages + at, cs->pages + at + 1,
            (cs->npages - at - 1) * sizeof(*cs->pages));
    cs->npages--;
    return true;
}

void par_pages_sort(struct op *op, const char *const *names, size_t n)
{
    struct par_customs *cs = op->customs;
    if (!cs)
        return;
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = k; i < cs->npages; i++)
            if (strcmp(cs->pages[i], names[j]) == 0) {
                char *t = cs->pages[i];
                memmove(cs->pages + k + 1, cs->pages + k,
                        (i - k) * sizeof(*cs->pages));
                cs->pages[k++] = t;
                break;
            }
}

size_t par_pages(const struct op *op, const char *const **names)
{
    if (!op->customs) {
        *names = NULL;
        return 0;
    }
    *names = (const char *const *)op->customs->pages;
    return op->customs->npages;
}
