/* loader.c: network files. inih splits lines into sections and keys; a
 * reader in front of it counts lines (inih reports none to handlers
 * here), notices section headers and continuation lines, and reports
 * malformed lines itself so that all of them are listed. */
#include "loader.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/util.h"
#include "registry.h"

struct kv {
    char *key, *value;
    int line;
};

struct section {
    char *name; /* "container1/noise2" */
    int line;
    struct kv *kvs;
    size_t nkvs, cap_kvs;
    struct op *op;
    bool failed; /* its op is a stand-in: errors were reported */
};

struct parse {
    const char *file;
    const char *buf;
    size_t pos;
    int line;
    bool continuation; /* the line handed to inih continues a value */
    bool have_key;     /* a key was seen in the current section */
    struct section *secs;
    size_t nsecs, cap_secs;
    /* secs by name, built once parsing is done: index + 1, 0 empty; the
     * first of sections with one name */
    size_t *sec_slots, nsec_slots;
    struct load_report *rep;
};

static void report(struct load_report *rep, enum load_err_kind kind,
                   const char *file, int line, const char *section,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void report(struct load_report *rep, enum load_err_kind kind,
                   const char *file, int line, const char *section,
                   const char *fmt, ...)
{
    GROW(rep->errors, rep->cap, rep->count + 1);
    struct load_error *e = &rep->errors[rep->count++];
    va_list ap;
    va_start(ap, fmt);
    *e = (struct load_error){
        .kind = kind,
        .file = xstrdup(file),
        .line = line,
        .section = section ? xstrdup(section) : NULL,
        .msg = xvasprintf(fmt, ap),
    };
    va_end(ap);
}

const char *load_err_kind_name(enum load_err_kind kind)
{
    static const char *const names[] = {
        "?", "syntax", "io", "no-type", "unknown-type", "unknown-parameter",
        "bad-value", "range", "missing-input", "inputs", "missing-op",
        "missing-file", "duplicate", "cycle", "no-evaluator", "name",
        "invalid",
    };
    return kind <= LOAD_ERR_INVALID ? names[kind] : "?";
}

char *load_error_format(const struct load_error *e)
{
    if (e->line > 0)
        return xasprintf("%s:%d: %s%s%s%s", e->file, e->line,
                         e->section ? "[" : "", e->section ? e->section : "",
                         e->section ? "] " : "", e->msg);
    return xasprintf("%s: %s", e->file, e->msg);
}

void load_report_free(struct load_report *rep)
{
    for (size_t i = 0; i < rep->count; i++) {
        free(rep->errors[i].file);
        free(rep->errors[i].section);
        free(rep->errors[i].msg);
    }
    free(rep->errors);
    *rep = (struct load_report){0};
}

/* ---- reading lines ---- */

static void add_section(struct parse *ps, const char *name, size_t len)
{
    GROW(ps->secs, ps->cap_secs, ps->nsecs + 1);
    struct section *s = &ps->secs[ps->nsecs++];
    s->name = str_trim(xstrndup(name, len));
    s->line = ps->line;
    ps->have_key = false;
}

/* Classifies the next line. Lines inih must not see (malformed ones,
 * reported here) reach it as blank lines. */
static char *reader(char *str, int num, void *stream)
{
    struct parse *ps = stream;
    if (!ps->buf[ps->pos])
        return NULL;
    const char *start = ps->buf + ps->pos;
    const char *nl = strchr(start, '\n');
    size_t len = nl ? (size_t)(nl - start) : strlen(start);
    ps->pos += len + (nl ? 1 : 0);
    ps->line++;
    ps->continuation = false;
    if (ps->line == 1 && len >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
        start += 3;
        len -= 3;
    }
    if (len && start[len - 1] == '\r')
        len--;
    strcpy(str, "\n");
    if ((int)len > num - 2) {
        report(ps->rep, LOAD_ERR_SYNTAX, ps->file, ps->line, NULL,
               "line is longer than %d characters; continue long values on "
               "indented lines", num - 2);
        return str;
    }
    size_t i = 0;
    while (i < len && (start[i] == ' ' || start[i] == '\t'))
        i++;
    const char *t = start + i;
    size_t tlen = len - i;
    if (tlen == 0 || t[0] == ';' || t[0] == '#') {
        /* blank or comment */
    } else if (i > 0 && ps->have_key) {
        ps->continuation = true;
    } else if (t[0] == '[') {
        const char *close = memchr(t, ']', tlen);
        if (!close) {
            report(ps->rep, LOAD_ERR_SYNTAX, ps->file, ps->line, NULL,
                   "expected ']' to close the section name");
            return str;
        }
        add_section(ps, t + 1, (size_t)(close - t - 1));
    } else {
        const char *eq = NULL;
        for (size_t k = 0; k < tlen && !eq; k++)
            if (t[k] == '=' || t[k] == ':')
                eq = t + k;
        if (!eq) {
            report(ps->rep, LOAD_ERR_SYNTAX, ps->file, ps->line,
                   ps->nsecs ? ps->secs[ps->nsecs - 1].name : NULL,
                   "expected 'name = value', got '%.*s'", (int)tlen, t);
            return str;
        }
        if (eq == t) {
            report(ps->rep, LOAD_ERR_SYNTAX, ps->file, ps->line,
                   ps->nsecs ? ps->secs[ps->nsecs - 1].name : NULL,
                   "expected a parameter name before '%c'", *eq);
            return str;
        }
        ps->have_key = true;
    }
    memcpy(str, start, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
    (void)section;
    struct parse *ps = user;
    if (!ps->nsecs) {
        report(ps->rep, LOAD_ERR_SYNTAX, ps->file, ps->line, NULL,
               "'%s' comes before any [section]", name);
        return 1;
    }
    struct section *s = &ps->secs[ps->nsecs - 1];
    if (ps->continuation && s->nkvs) {
        struct kv *kv = &s->kvs[s->nkvs - 1];
        char *v = xasprintf("%s\n%s", kv->value, value);
        free(kv->value);
        kv->value = v;
        return 1;
    }
    GROW(s->kvs, s->cap_kvs, s->nkvs + 1);
    s->kvs[s->nkvs++] = (struct kv){xstrdup(name), xstrdup(value), ps->line};
    return 1;
}

static void free_sections(struct parse *ps)
{
    for (size_t i = 0; i < ps->nsecs; i++) {
        struct section *s = &ps->secs[i];
        for (size_t k = 0; k < s->nkvs; k++) {
            free(s->kvs[k].key);
            free(s->kvs[k].value);
        }
        free(s->kvs);
        free(s->name);
    }
    free(ps->secs);
    free(ps->sec_slots);
}

/* ---- building the graph ---- */

struct build {
    struct parse *ps;
    struct graph *g;
    struct load_report *rep;
    const char *file;
    const struct load_options *opt;
    size_t built; /* sections handled, for opt->progress */
};

static void built_one(struct build *b)
{
    if (++b->built % LOAD_PROGRESS_EVERY == 0 && b->opt && b->opt->progress)
        b->opt->progress(b->opt->progress_ctx);
}

#define ERR(b, kind, line, sec, ...) \
    report((b)->rep, kind, (b)->file, line, sec, __VA_ARGS__)

static uint64_t name_hash(const char *s)
{
    return str_hash(s, strlen(s));
}

static void index_sections(struct parse *ps)
{
    ps->nsec_slots = 16;
    while (ps->nsec_slots < 2 * ps->nsecs)
        ps->nsec_slots *= 2;
    ps->sec_slots = xcalloc(ps->nsec_slots, sizeof(*ps->sec_slots));
    size_t mask = ps->nsec_slots - 1;
    for (size_t i = 0; i < ps->nsecs; i++) {
        size_t j = name_hash(ps->secs[i].name) & mask;
        while (ps->sec_slots[j] &&
               strcmp(ps->secs[ps->sec_slots[j] - 1].name,
                      ps->secs[i].name) != 0)
            j = (j + 1) & mask;
        if (!ps->sec_slots[j])
            ps->sec_slots[j] = i + 1;
    }
}

/* The first section of that name, in a hash of them (sections are not
 * added once building starts). */
static struct section *find_section(struct parse *ps, const char *name)
{
    if (!ps->sec_slots)
        index_sections(ps);
    size_t mask = ps->nsec_slots - 1;
    for (size_t j = name_hash(name) & mask; ps->sec_slots[j];
         j = (j + 1) & mask)
        if (strcmp(ps->secs[ps->sec_slots[j] - 1].name, name) == 0)
            return &ps->secs[ps->sec_slots[j] - 1];
    return NULL;
}

/* Whether op stands in for a section whose type was bad: its section is
 * named by op's path below the root. */
static bool is_stand_in(const struct build *b, const struct op *op)
{
    if (!op || !op->parent)
        return false;
    size_t root = strlen(b->g->root->path);
    if (strncmp(op->path, b->g->root->path, root) != 0 ||
        op->path[root] != '/')
        return false;
    struct section *s = find_section(b->ps, op->path + root + 1);
    return s && s->op == op && s->failed;
}

static struct kv *find_key(struct section *s, const char *key)
{
    for (size_t i = 0; i < s->nkvs; i++)
        if (str_ieq(s->kvs[i].key, key))
            return &s->kvs[i];
    return NULL;
}

static void read_network_section(struct build *b, struct section *s,
                                 char **root_name, char **output,
                                 int *output_line)
{
    static const char *const keys[] = {"name", "output", "resolution", "fps",
                                       "realtime"};
    struct graph_time *t = &b->g->time;
    for (size_t i = 0; i < s->nkvs; i++) {
        struct kv *kv = &s->kvs[i];
        if (str_ieq(kv->key, "name")) {
            if (!op_name_valid(kv->value))
                ERR(b, LOAD_ERR_NAME, kv->line, s->name,
                    "invalid root name '%s' (letters, digits and '_', "
                    "starting with a letter)", kv->value);
            else {
                free(*root_name);
                *root_name = xstrdup(kv->value);
            }
        } else if (str_ieq(kv->key, "output")) {
            free(*output);
            *output = xstrdup(kv->value);
            *output_line = kv->line;
        } else if (str_ieq(kv->key, "resolution")) {
            int w, h;
            char extra;
            if (sscanf(kv->value, "%dx%d%c", &w, &h, &extra) != 2 || w < 1 ||
                h < 1 || w > 16384 || h > 16384)
                ERR(b, LOAD_ERR_BAD_VALUE, kv->line, s->name,
                    "resolution '%s' is not WIDTHxHEIGHT (1 to 16384 each, "
                    "for example 1280x720)", kv->value);
            else {
                b->g->width = w;
                b->g->height = h;
            }
        } else if (str_ieq(kv->key, "fps")) {
            char *end;
            double fps = strtod(kv->value, &end);
            if (end == kv->value || *end || !(fps > 0 && fps <= 1000))
                ERR(b, LOAD_ERR_BAD_VALUE, kv->line, s->name,
                    "fps '%s' is not a number above 0 and at most 1000",
                    kv->value);
            else
                t->rate = fps;
        } else if (str_ieq(kv->key, "realtime")) {
            double on;
            if (!par_parse_toggle(kv->value, &on))
                ERR(b, LOAD_ERR_BAD_VALUE, kv->line, s->name,
                    "realtime '%s' is not on or off", kv->value);
            else
                b->g->realtime = on != 0;
        } else {
            const char *near = str_nearest(kv->key, keys, ARRAY_LEN(keys));
            ERR(b, LOAD_ERR_UNKNOWN_PAR, kv->line, s->name,
                "unknown key '%s' in [network] (expected name, output, "
                "resolution, fps or realtime%s%s%s)", kv->key,
                near ? "; did you mean '" : "", near ? near : "",
                near ? "'?" : "");
        }
    }
}

static int depth_of(const char *name)
{
    int d = 0;
    for (; *name; name++)
        d += *name == '/';
    return d;
}

/* Creates the op of one section (a stand-in baseCOMP if its type is bad,
 * so that its children and references still resolve). */
static void create_op(struct build *b, struct section *s)
{
    const char *slash = strrchr(s->name, '/');
    const char *name = slash ? slash + 1 : s->name;
    struct op *parent = b->g->root;
    if (slash) {
        char *ppath = xstrndup(s->name, (size_t)(slash - s->name));
        parent = op_find_from(b->g->root, ppath);
        if (!parent || parent->type->family != OP_COMP) {
            struct section *ps = find_section(b->ps, ppath);
            if (!parent)
                ERR(b, LOAD_ERR_NAME, s->line, s->name,
                    "parent '%s' is not defined: add a [%s] section with "
                    "OPType = baseCOMP", ppath, ppath);
            else if (!ps || !ps->failed)
                ERR(b, LOAD_ERR_NAME, s->line, s->name,
                    "parent '%s' is a %s, not a COMP, so it cannot hold ops",
                    ppath, parent->type->optype);
            free(ppath);
            s->failed = true;
            return;
        }
        free(ppath);
    }
    struct kv *tkv = find_key(s, "OPType");
    const struct op_type *type = NULL;
    if (!tkv) {
        ERR(b, LOAD_ERR_NO_TYPE, s->line, s->name,
            "no OPType: every operator section needs one (for example "
            "OPType = lfoCHOP)");
    } else if (!(type = registry_find(str_trim(tkv->value)))) {
        const char *near = registry_suggest(tkv->value);
        ERR(b, LOAD_ERR_UNKNOWN_TYPE, tkv->line, s->name,
            "unknown operator type '%s'%s%s%s (`vitrine ops` lists them)",
            tkv->value, near ? "; did you mean '" : "", near ? near : "",
            near ? "'?" : "");
    }
    if (!type) {
        s->failed = true;
        type = registry_find("baseCOMP");
    }
    char err[512];
    s->op = op_create(b->g, parent, type, name, err, sizeof(err));
    if (!s->op) {
        ERR(b, LOAD_ERR_NAME, s->line, s->name, "%s", err);
        s->failed = true;
        return;
    }
    s->op->src_file = xstrdup(b->file);
    s->op->src_line = s->line;
}

/* Whether path is a numbered sequence ("shot.%04d.png") with one of its
 * first files there (FFmpeg looks at 0 to 4 for the first). */
static bool sequence_exists(const char *path)
{
    const char *pc = strchr(path, '%');
    if (!pc)
        return false;
    const char *q = pc + 1;
    while (*q >= '0' && *q <= '9')
        q++;
    if (*q != 'd' || strchr(q, '%') || q - pc > 4)
        return false;
    for (int i = 0; i < 5; i++) {
        char name[4096];
        snprintf(name, sizeof(name), "%.*s", (int)(pc - path), path);
        size_t n = strlen(name);
        char fmt[8];
        snprintf(fmt, sizeof(fmt), "%%%.*s", (int)(q - pc), pc + 1);
        snprintf(name + n, sizeof(name) - n, fmt, i);
        n = strlen(name);
        snprintf(name + n, sizeof(name) - n, "%s", q + 1);
        if (access(name, R_OK) == 0)
            return true;
    }
    return false;
}

static void set_file_par(struct build *b, struct section *s, struct kv *kv,
                         struct op *op, struct par *p)
{
    const char *v = par_get_string(op, p);
    if (!*v)
        return;
    char *path = graph_resolve_file(b->g, v);
    struct stat st;
    /* a file, or (for image sequences) a folder or a numbered pattern */
    bool there = stat(path, &st) == 0 &&
                 (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) &&
                 access(path, R_OK) == 0;
    if (!there && sequence_exists(path))
        there = true;
    else if (!there)
        stat(path, &st); /* errno for the message */
    if (!there)
        ERR(b, LOAD_ERR_MISSING_FILE, kv->line, s->name,
            "%s: file '%s' %s (looked for %s; paths are relative to the "
            "network file)", p->name, v,
            errno == ENOENT ? "does not exist" : "cannot be read", path);
    free(path);
}

/* What declares a custom parameter: `Speed.style = Float` and the
 * other fields of struct par_decl, by the names TouchDesigner's Par
 * class gives them. */
static const char *const decl_fields[] = {
    "style", "label", "page", "default", "size", "min", "max", "clampmin",
    "clampmax", "normmin", "normmax", "menunames", "menulabels",
};

static const char *decl_field(const char *key)
{
    const char *dot = strchr(key, '.');
    if (!dot || !(key[0] >= 'A' && key[0] <= 'Z'))
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(decl_fields); i++)
        if (str_ieq(dot + 1, decl_fields[i]))
            return decl_fields[i];
    return NULL;
}

/* Splits a comma separated list in place; returns the count. */
static size_t split_list(char *text, char **out, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(text, ",", &save); t && n < max;
         t = strtok_r(NULL, ",", &save))
        if (*str_trim(t))
            out[n++] = str_trim(t);
    return n;
}

static bool decl_number(struct build *b, struct section *s, struct kv *kv,
                        double *out)
{
    if (par_parse_number(kv->value, out))
        return true;
    ERR(b, LOAD_ERR_BAD_VALUE, kv->line, s->name, "%s: '%s' is not a number",
        kv->key, kv->value);
    return false;
}

static unsigned decl_clamp(const char *v, unsigned bit)
{
    double on = 0;
    return par_parse_toggle(v, &on) && on ? bit : 0;
}

/* Declares the group `name` from its `name.field` keys. */
static void declare_one(struct build *b, struct section *s, const char *name,
                        int line)
{
    struct par_decl d = {.name = name};
    char names[4096] = "", labels[4096] = "";
    char *mn[256], *ml[256];
    size_t nl = 0;
    size_t len = strlen(name);
    bool ok = true;
    for (size_t i = 0; i < s->nkvs; i++) {
        struct kv *kv = &s->kvs[i];
        const char *f = decl_field(kv->key);
        if (!f || strncmp(kv->key, name, len) != 0 || kv->key[len] != '.')
            continue;
        double v = 0;
        if (!strcmp(f, "style")) d.style = kv->value;
        else if (!strcmp(f, "label")) d.label = kv->value;
        else if (!strcmp(f, "page")) d.page = kv->value;
        else if (!strcmp(f, "default")) d.def_text = kv->value;
        else if (!strcmp(f, "menunames"))
            snprintf(names, sizeof(names), "%s", kv->value);
        else if (!strcmp(f, "menulabels"))
            snprintf(labels, sizeof(labels), "%s", kv->value);
        else if (!strcmp(f, "clampmin"))
            d.clamp |= decl_clamp(kv->value, PAR_CLAMP_MIN);
        else if (!strcmp(f, "clampmax"))
            d.clamp |= decl_clamp(kv->value, PAR_CLAMP_MAX);
        else if (!decl_number(b, s, kv, &v))
            ok = false;
        else if (!strcmp(f, "size")) d.size = (int)v;
        else if (!strcmp(f, "min")) d.lim[0] = v, d.has_lim = true;
        else if (!strcmp(f, "max")) d.lim[1] = v, d.has_lim = true;
        else if (!strcmp(f, "normmin")) d.norm[0] = v, d.has_norm = true;
        else if (!strcmp(f, "normmax")) d.norm[1] = v, d.has_norm = true;
    }
    if (!ok)
        return;
    d.nmenu = split_list(names, mn, ARRAY_LEN(mn));
    d.menu_names = (const char *const *)mn;
    if (*labels) {
        nl = split_list(labels, ml, ARRAY_LEN(ml));
        if (nl != d.nmenu) {
            ERR(b, LOAD_ERR_BAD_VALUE, line, s->name, "%s: %zu menu labels "
                "for %zu menu names", name, nl, d.nmenu);
            return;
        }
        d.menu_labels = (const char *const *)ml;
    }
    char err[1024];
    if (par_custom_add(s->op, &d, false, err, sizeof(err)) != PAR_OK)
        ERR(b, LOAD_ERR_BAD_VALUE, line, s->name, "%s", err);
}

/* Custom parameters first, so that the values below can set them. */
static void declare_custom(struct build *b, struct section *s)
{
    for (size_t i = 0; i < s->nkvs; i++) {
        struct kv *kv = &s->kvs[i];
        const char *f = decl_field(kv->key);
        if (!f)
            continue;
        char name[256];
        snprintf(name, sizeof(name), "%.*s",
                 (int)(strchr(kv->key, '.') - kv->key), kv->key);
        if (!strcmp(f, "style")) {
            declare_one(b, s, name, kv->line);
            continue;
        }
        char style[300];
        snprintf(style, sizeof(style), "%s.style", name);
        if (!find_key(s, style))
            ERR(b, LOAD_ERR_UNKNOWN_PAR, kv->line, s->name, "'%s': a custom "
                "parameter is declared by its style first (%s.style = "
                "Float)", kv->key, name);
    }
}

static void set_pars(struct build *b, struct section *s)
{
    struct op *op = s->op;
    declare_custom(b, s);
    for (size_t i = 0; i < s->nkvs; i++) {
        struct kv *kv = &s->kvs[i];
        if (str_ieq(kv->key, "OPType") || str_ieq(kv->key, "inputs") ||
            decl_field(kv->key))
            continue;
        for (size_t j = 0; j < i; j++)
            if (str_ieq(s->kvs[j].key, kv->key)) {
                ERR(b, LOAD_ERR_DUPLICATE, kv->line, s->name,
                    "'%s' is set twice (first at line %d)", kv->key,
                    s->kvs[j].line);
                goto next;
            }
        char name[256];
        snprintf(name, sizeof(name), "%s", kv->key);
        char *dot = strchr(name, '.');
        enum par_mode mode = PAR_MODE_CONSTANT;
        if (dot) {
            *dot = '\0';
            if (strcmp(dot + 1, "expr") == 0)
                mode = PAR_MODE_EXPRESSION;
            else if (strcmp(dot + 1, "export") == 0)
                mode = PAR_MODE_EXPORT;
            else {
                ERR(b, LOAD_ERR_UNKNOWN_PAR, kv->line, s->name,
                    "'%s': after the parameter name comes .expr or .export, "
                    "not .%s", kv->key, dot + 1);
                continue;
            }
        }
        struct par *p = op_par(op, name);
        if (!p) {
            const char *near = op_par_suggest(op, name);
            ERR(b, LOAD_ERR_UNKNOWN_PAR, kv->line, s->name,
                "unknown parameter '%s' for %s%s%s%s", name,
                op->type->optype, near ? " (did you mean '" : "",
                near ? near : "", near ? "'?)" : "");
            continue;
        }
        char err[1024];
        enum par_err e;
        if (mode == PAR_MODE_EXPRESSION)
            e = par_set_expr(op, p, kv->value, err, sizeof(err));
        else if (mode == PAR_MODE_EXPORT)
            e = par_set_export(op, p, kv->value, err, sizeof(err));
        else if (p->def->kind == PAR_OP && is_stand_in(
                     b, op_find_from(op->parent ? op->parent : op,
                                     str_trim(kv->value))))
            continue; /* a section that failed: reported already */
        else
            e = par_write(op, p, &(struct par_value){.text = kv->value},
                          PAR_FROM_FILE, err, sizeof(err));
        p->line = kv->line;
        if (e != PAR_OK) {
            enum load_err_kind k = e == PAR_ERR_RANGE ? LOAD_ERR_RANGE
                                 : e == PAR_ERR_NOT_FOUND ? LOAD_ERR_MISSING_OP
                                 : e == PAR_ERR_MODE && mode ==
                                       PAR_MODE_EXPRESSION
                                     ? LOAD_ERR_NO_EVALUATOR
                                     : LOAD_ERR_BAD_VALUE;
            ERR(b, k, kv->line, s->name, "%s", err);
            continue;
        }
        if (p->def->kind == PAR_FILE && mode == PAR_MODE_CONSTANT)
            set_file_par(b, s, kv, op, p);
        if (p->def->kind == PAR_OP && mode == PAR_MODE_CONSTANT &&
            *par_get_string(op, p)) {
            struct op *t = op_par_ref(op, p);
            if (!t) /* its family par.c checked */
                ERR(b, LOAD_ERR_MISSING_OP, kv->line, s->name,
                    "%s: operator '%s' does not exist", p->name,
                    par_get_string(op, p));
        }
    next:;
    }
}

static void sibling_names(struct op *parent, const char **out, size_t max,
                          size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < parent->nchildren && *n < max; i++)
        out[(*n)++] = parent->children[i]->name;
}

static void set_inputs(struct build *b, struct section *s)
{
    struct op *op = s->op;
    struct kv *kv = find_key(s, "inputs");
    struct op *ins[64];
    size_t n = 0;
    bool ok = true;
    if (kv) {
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", kv->value);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            str_trim(tok);
            if (!*tok)
                continue;
            struct op *in = op_find_from(op->parent, tok);
            if (!in) {
                const char *names[256];
                size_t nn;
                sibling_names(op->parent, names, ARRAY_LEN(names), &nn);
                const char *near = str_nearest(tok, names, nn);
                ERR(b, LOAD_ERR_MISSING_INPUT, kv->line, s->name,
                    "input '%s' does not exist%s%s%s", tok,
                    near ? " (did you mean '" : "", near ? near : "",
                    near ? "'?)" : "");
                ok = false;
                continue;
            }
            if (is_stand_in(b, in)) {
                ok = false;
                continue;
            }
            if (n == ARRAY_LEN(ins)) {
                ERR(b, LOAD_ERR_INPUTS, kv->line, s->name,
                    "more than %zu inputs", ARRAY_LEN(ins));
                ok = false;
                break;
            }
            ins[n++] = in;
        }
    }
    if (!ok)
        return;
    char err[512];
    if (op_set_inputs(op, ins, n, err, sizeof(err)) != 0)
        ERR(b, LOAD_ERR_INPUTS, kv ? kv->line : s->line, s->name, "%s", err);
}

static int cmp_errors(const void *a, const void *b)
{
    const struct load_error *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

char *network_file_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t n = strlen(path);
        return xasprintf("%s%snetwork.ini", path,
                         n && path[n - 1] == '/' ? "" : "/");
    }
    return xstrdup(path);
}

static struct section *find_network_section(struct build *b)
{
    struct section *net = NULL;
    for (size_t i = 0; i < b->ps->nsecs; i++) {
        struct section *s = &b->ps->secs[i];
        if (strcmp(s->name, "network") != 0)
            continue;
        if (net)
            ERR(b, LOAD_ERR_DUPLICATE, s->line, s->name,
                "[network] appears twice (first at line %d)", net->line);
        else
            net = s;
    }
    return net;
}

static void create_ops(struct build *b)
{
    struct parse *ps = b->ps;
    int maxdepth = 0;
    for (size_t i = 0; i < ps->nsecs; i++)
        if (depth_of(ps->secs[i].name) > maxdepth)
            maxdepth = depth_of(ps->secs[i].name);
    /* Parents before children, file order within a depth. */
    for (int d = 0; d <= maxdepth; d++) {
        for (size_t i = 0; i < ps->nsecs; i++) {
            struct section *s = &ps->secs[i];
            if (depth_of(s->name) != d || strcmp(s->name, "network") == 0)
                continue;
            struct section *first = find_section(ps, s->name);
            if (first != s) {
                ERR(b, LOAD_ERR_DUPLICATE, s->line, s->name,
                    "operator '%s' is defined twice (first at line %d)",
                    s->name, first->line);
                continue;
            }
            create_op(b, s);
            built_one(b);
        }
    }
}

static struct graph *load_buffer(char *file, char *buf,
                                 const struct load_options *opt,
                                 struct load_report *rep);

struct graph *network_load(const char *path, const struct load_options *opt,
                           struct load_report *rep)
{
    char *file = network_file_path(path);
    char *buf = file_read_all(file, NULL);
    if (!buf) {
        report(rep, LOAD_ERR_IO, file, 0, NULL, "cannot read network: %s",
               file_error(errno));
        free(file);
        return NULL;
    }
    return load_buffer(file, buf, opt, rep);
}

struct graph *network_load_text(const char *name, const char *text,
                                const struct load_options *opt,
                                struct load_report *rep)
{
    return load_buffer(xstrdup(name), xstrdup(text), opt, rep);
}

/* Takes file and buf. */
static struct graph *load_buffer(char *file, char *buf,
                                 const struct load_options *opt,
                                 struct load_report *rep)
{
    size_t before = rep->count;
    struct parse ps = {.file = file, .buf = buf, .rep = rep};
    if (ini_parse_stream(reader, &ps, handler, &ps) == -2)
        report(rep, LOAD_ERR_IO, file, 0, NULL, "out of memory parsing");

    /* The root name comes first, so build in a graph of that name. */
    struct build b = {.ps = &ps, .rep = rep, .file = file, .opt = opt};
    struct graph probe = {0};
    b.g = &probe;
    probe.time.rate = 60;
    probe.realtime = true;
    probe.width = 1280;
    probe.height = 720;
    char *root_name = xstrdup("project1"), *output = NULL;
    int output_line = 0;
    struct section *net = find_network_section(&b);
    if (net)
        read_network_section(&b, net, &root_name, &output, &output_line);

    struct graph *g = graph_create(root_name);
    g->time.rate = opt && opt->fps > 0 ? opt->fps : probe.time.rate;
    g->abs.rate = g->time.rate;
    g->realtime = probe.realtime;
    g->width = opt && opt->width > 0 ? opt->width : probe.width;
    g->height = opt && opt->height > 0 ? opt->height : probe.height;
    g->file = xstrdup(file);
    char *slash = strrchr(file, '/');
    g->dir = slash ? xstrndup(file, (size_t)(slash - file)) : xstrdup(".");
    g->eval = opt ? opt->eval : NULL;
    g->root->src_file = xstrdup(file);
    b.g = g;

    create_ops(&b);
    for (size_t i = 0; i < ps.nsecs; i++, built_one(&b))
        if (ps.secs[i].op && !ps.secs[i].failed)
            set_pars(&b, &ps.secs[i]);
    for (size_t i = 0; i < ps.nsecs; i++, built_one(&b))
        if (ps.secs[i].op && !ps.secs[i].failed)
            set_inputs(&b, &ps.secs[i]);
    for (size_t i = 0; i < ps.nsecs; i++) {
        struct section *s = &ps.secs[i];
        char msg[512];
        const char *m;
        if (s->op && !s->failed && s->op->type->check &&
            (m = s->op->type->check(s->op, msg, sizeof(msg))))
            ERR(&b, LOAD_ERR_INVALID, s->line, s->name, "%s", m);
    }
    if (output) {
        g->output = op_find_from(g->root, str_trim(output));
        if (!g->output)
            ERR(&b, LOAD_ERR_MISSING_OP, output_line, "network",
                "output '%s' does not exist", output);
    }
    char err[2048];
    if (graph_link(g, err, sizeof(err)) != 0) {
        /* Name the line of the first op in the loop. */
        int line = 0;
        const char *sec = NULL;
        for (size_t i = 0; i < ps.nsecs; i++)
            if (ps.secs[i].op && strstr(err, ps.secs[i].op->path) &&
                (!line || ps.secs[i].line < line)) {
                line = ps.secs[i].line;
                sec = ps.secs[i].name;
            }
        ERR(&b, LOAD_ERR_CYCLE, line, sec, "%s", err);
    }

    free(root_name);
    free(output);
    free_sections(&ps);
    free(buf);
    free(file);
    if (rep->count > before) {
        qsort(rep->errors + before, rep->count - before,
              sizeof(*rep->errors), cmp_errors);
        graph_destroy(&g);
        return NULL;
    }
    return g;
}
