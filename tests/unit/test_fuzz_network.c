/* Network files damaged in the ways hands, editors and disks damage them:
 * cut short, lines lost or doubled, bytes changed, values swapped for
 * absurd ones, op types swapped, inputs pointed anywhere. Each must either
 * load, cook and be saved and restored without harm, or be refused with
 * every error naming a line of the file. Under `make test SAN=1` the
 * sanitizers watch every one.
 *
 * Seeds: the networks in networks/ and tests/networks/ (OSC and MIDI ops
 * left out, so nothing here opens a port or a device) and one network
 * holding every other op type. The random sequence is fixed
 * (VITRINE_FUZZ_SEED changes it, VITRINE_FUZZ_N the count), so a failure
 * prints the mutated file and happens again. */
#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>

#include "../../engine/graph/dat.h"
#include "gl_helpers.h"

#define DEFAULT_MUTATIONS 5000
#define FRAMES 3

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* Values people type by mistake, and values no one should. */
static const char *const wild[] = {
    "0", "-1", "1", "2", "-0", "0.5", "3", "255", "1e308", "-1e308",
    "1e-320", "nan", "inf", "-inf", "65536", "2147483647", "2147483648",
    "-2147483649", "99999999999999999999", "", " ", "x", "on", "off",
    "true", "1x1", "0x0", "64x36", "-5x-5", "99999x99999", "/dev/zero",
    "/", ".", "..", "../..", "/etc/passwd", "scripts", "%s%s%n%x",
    "\xc3\xa9\xe2\x82\xac", "\t", "rgba32f", "r8", "input", "a,b,c", "[x]",
    "=", ";", "#", "\\", "'", "\"", "(", "1 2 3", "0x10", "1_000", "+3",
    ".5e1", "me", "op('x')", "frame!", "cues.tsv", "network.ini",
    "*", "?", "../../..//x", "/project1", "/project1/..", "~",
};
/* Numbers at the edges, for expressions. */
static const char *const edges[] = {
    "1e308", "-1e308", "nan", "inf", "-inf", "1e300", "2147483648",
    "-2147483649", "4294967296", "0.5", "-0.5", "-1", "0", "1e-320",
};
/* For resolutions only: valid sizes stay small (each frame is drawn). */
static const char *const sizes[] = {
    "0", "-1", "1", "2", "7", "33", "1e308", "nan", "", "x", "16385",
    "99999", "-99999", "0.5", "1x1", "40x30",
};
/* What a resolution's expression gives: never a large size, which an
 * expression's value is clamped to, not refused (two of them at 16384
 * make one TOP take minutes on a CPU renderer). */
static const char *const expr_sizes[] = {
    "0", "-1", "1", "7", "33", "nan", "-inf", "-1e308", "0.5", "frame",
};

/* ---- the text being changed, as lines ---- */

struct lines {
    char **v;
    size_t n, cap;
};

static void lines_push(struct lines *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    char *c = xmalloc(len + 1);
    memcpy(c, s, len);
    c[len] = '\0';
    l->v[l->n++] = c;
}

static void lines_insert(struct lines *l, size_t at, char *s)
{
    lines_push(l, "", 0);
    free(l->v[l->n - 1]);
    memmove(l->v + at + 1, l->v + at, (l->n - 1 - at) * sizeof(*l->v));
    l->v[at] = s;
}

static void lines_remove(struct lines *l, size_t at)
{
    free(l->v[at]);
    memmove(l->v + at, l->v + at + 1, (l->n - at - 1) * sizeof(*l->v));
    l->n--;
}

static void lines_from(struct lines *l, const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        lines_push(l, text, len);
        text += len + (nl != NULL);
    }
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (struct lines){0};
}

static char *lines_join(const struct lines *l)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < l->n; i++)
        sb_printf(&sb, "%s\n", l->v[i]);
    return sb.s ? sb_steal(&sb) : xstrdup("");
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* ---- an evaluator that takes anything ---- */

static int any_compile(void *ctx, struct op *op, struct par *p,
                       const char *src, void **code, char *err, size_t n)
{
    (void)ctx;
    (void)op;
    (void)p;
    if (strchr(src, '!')) {
        snprintf(err, n, "invalid syntax in '%s'", src);
        return -1;
    }
    *code = xstrdup(src);
    return 0;
}

/* Numbers as written ("nan" and "1e308" included), the frame for
 * "frame", anything else as text. */
static int any_eval(void *ctx, struct op *op, struct par *p, void *code,
                    double *num, char **str, char *err, size_t n)
{
    (void)ctx;
    if (strcmp(code, "raise") == 0) {
        snprintf(err, n, "ZeroDivisionError");
        return -1;
    }
    if (par_is_numeric(p))
        *num = strcmp(code, "frame") == 0 ? (double)op->graph->time.frame
                                          : strtod(code, NULL);
    else
        *str = xstrdup(code);
    return 0;
}

static void any_release(void *ctx, void *code)
{
    (void)ctx;
    free(code);
}

static const struct expr_evaluator any = {
    .compile = any_compile, .eval = any_eval, .release = any_release,
};

/* ---- seeds ---- */

struct seed {
    char dir[512]; /* scratch folder: links to the original's files */
    char *text;
};

static struct seed seeds[32];
static size_t nseeds;

static bool is_control(const char *optype)
{
    return strcasestr(optype, "osc") || strcasestr(optype, "midi");
}

/* The section's OPType value, or NULL, for the section starting at i. */
static const char *section_type(const struct lines *l, size_t i)
{
    for (size_t j = i + 1; j < l->n && l->v[j][0] != '['; j++) {
        const char *s = l->v[j];
        if (strncasecmp(s, "OPType", 6) == 0 && strchr(s, '='))
            return strchr(s, '=') + 1;
    }
    return NULL;
}

/* An op of the same family that opens nothing. */
static const char *stand_in(const char *optype)
{
    return strcasestr(optype, "DAT") ? "tableDAT" : "constantCHOP";
}

/* text with OSC and MIDI ops replaced by stand-ins of the same name and
 * family (their parameters dropped), so references to them still hold. */
static char *without_control(const char *text)
{
    struct lines l = {0};
    lines_from(&l, text);
    for (size_t i = 0; i < l.n; i++) {
        const char *t = l.v[i][0] == '[' ? section_type(&l, i) : NULL;
        if (!t || !is_control(t))
            continue;
        char line[64];
        snprintf(line, sizeof(line), "OPType = %s", stand_in(t));
        while (i + 1 < l.n && l.v[i + 1][0] != '[')
            lines_remove(&l, i + 1);
        lines_insert(&l, i + 1, xstrdup(line));
    }
    char *s = lines_join(&l);
    lines_free(&l);
    return s;
}

/* Whether text names an OSC or MIDI op type. */
static bool has_control(const char *text)
{
    struct lines l = {0};
    lines_from(&l, text);
    bool found = false;
    for (size_t i = 0; i < l.n && !found; i++)
        found = strncasecmp(l.v[i], "OPType", 6) == 0 && is_control(l.v[i]);
    lines_free(&l);
    return found;
}

static void add_seed(const char *src_dir, char *text)
{
    assert_true(nseeds < sizeof(seeds) / sizeof(seeds[0]));
    struct seed *s = &seeds[nseeds];
    snprintf(s->dir, sizeof(s->dir), "%s/seed%zu", scratch(), nseeds);
    assert_int_equal(mkdir(s->dir, 0700), 0);
    struct dirent **list = NULL;
    int n = src_dir ? scandir(src_dir, &list, NULL, alphasort) : 0;
    for (int i = 0; i < n; i++) {
        const struct dirent *e = list[i];
        if (e->d_name[0] == '.' || strcmp(e->d_name, "network.ini") == 0)
            continue;
        char from[1024], to[1024];
        snprintf(from, sizeof(from), "%s/%s", src_dir, e->d_name);
        snprintf(to, sizeof(to), "%s/%s", s->dir, e->d_name);
        char *abs = realpath(from, NULL);
        assert_non_null(abs);
        assert_int_equal(symlink(abs, to), 0);
        free(abs);
    }
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    s->text = text;
    nseeds++;
}

/* One op of every type that is not OSC or MIDI, each fed by the ops of
 * its family before it, with a feedback loop and a GLSL shader in text. */
static char *every_type(void)
{
    struct strbuf sb = {0};
    sb_printf(&sb, "[network]\noutput = TOP_null\nresolution = 40x30\n");
    sb_printf(&sb, "[shader]\nOPType = textDAT\ntext = out vec4 fragColor;"
              "\n  void main() { fragColor = vec4(vUV.st, 0.5, 1); }\n");
    size_t n;
    const struct op_type *const *all = registry_all(&n);
    sb_printf(&sb, "[CHOP_start]\nOPType = constantCHOP\nname0 = chan1\n"
              "[TOP_start]\nOPType = constantTOP\n");
    const char *last[8] = {0};
    last[OP_CHOP] = "CHOP_start";
    last[OP_TOP] = "TOP_start";
    last[OP_DAT] = "shader";
    for (size_t i = 0; i < n; i++) {
        const struct op_type *t = all[i];
        if (is_control(t->optype))
            continue;
        sb_printf(&sb, "[%s_%s]\nOPType = %s\n", op_family_name(t->family),
                  t->name, t->optype);
        const char *prev = last[t->family];
        int want = t->min_inputs > 0 ? t->min_inputs : prev ? 1 : 0;
        if (t->max_inputs >= 0 && want > t->max_inputs)
            want = t->max_inputs;
        if (want > 0 && prev) {
            sb_printf(&sb, "inputs =");
            for (int k = 0; k < want; k++)
                sb_printf(&sb, "%s %s", k ? "," : "", prev);
            sb_printf(&sb, "\n");
        }
        if (strcmp(t->optype, "glslTOP") == 0)
            sb_printf(&sb, "pixeldat = shader\n");
        if (strcmp(t->optype, "feedbackTOP") == 0 && prev)
            sb_printf(&sb, "top = TOP_null\n");
        static char names[8][64];
        snprintf(names[t->family], sizeof(names[0]), "%s_%s",
                 op_family_name(t->family), t->name);
        last[t->family] = names[t->family];
    }
    return sb_steal(&sb);
}

static int seed_setup(void **state)
{
    (void)state;
    const char *env = getenv("VITRINE_FUZZ_SEED");
    rng = env ? strtoull(env, NULL, 0) : 0x5eed5eed1234ULL;
    if (!rng)
        rng = 1;
    const char *roots[] = {"networks", "tests/networks", "tests/networks/tutorial"};
    for (size_t r = 0; r < 3; r++) {
        /* in name order: the same seeds in the same order on every
         * machine, so that a seed number means the same mutations */
        struct dirent **list;
        int n = scandir(roots[r], &list, NULL, alphasort);
        if (n < 0)
            fail_msg("no %s folder (run from the repository root)", roots[r]);
        for (int i = 0; i < n; i++) {
            const struct dirent *e = list[i];
            char dir[512], file[600];
            snprintf(dir, sizeof(dir), "%s/%s", roots[r], e->d_name);
            snprintf(file, sizeof(file), "%s/network.ini", dir);
            char *text = e->d_name[0] != '.' ? file_read_all(file, NULL)
                                             : NULL;
            if (!text)
                continue;
            add_seed(dir, without_control(text));
            free(text);
        }
        for (int i = 0; i < n; i++)
            free(list[i]);
        free(list);
    }
    add_seed(NULL, every_type());
    /* The network of every type must load as it is, or its mutations
     * would reach no op's cook. */
    struct seed *all = &seeds[nseeds - 1];
    char path[sizeof(all->dir) + 16];
    snprintf(path, sizeof(path), "%.500s/network.ini", all->dir);
    write_text(path, all->text);
    struct load_options opt = {.eval = &any, .width = 40, .height = 30};
    struct load_report rep = {0};
    struct graph *g = network_load(path, &opt, &rep);
    if (!g) {
        dump_report(&rep);
        fail_msg("the network of every op type does not load:\n%s",
                 all->text);
    }
    graph_destroy(&g);
    return gl_setup(state);
}

static int seed_teardown(void **state)
{
    for (size_t i = 0; i < nseeds; i++)
        free(seeds[i].text);
    return gl_teardown(state);
}

/* ---- mutations ---- */

/* A parameter name of the section's type, or NULL. */
static const char *random_par(const char *optype)
{
    char t[64];
    snprintf(t, sizeof(t), "%s", optype);
    const struct op_type *type = registry_find(str_trim(t));
    if (!type)
        return NULL;
    size_t n = 0;
    while (type->pars[n].name)
        n++;
    if (!n)
        return NULL;
    static char name[96];
    const struct par_def *d = &type->pars[rnd((uint32_t)n)];
    snprintf(name, sizeof(name), "%s", d->name);
    char *hash = strchr(name, '#');
    if (hash) /* a sequence: index 0, or past its end */
        *hash = rnd(3) ? '0' : '9';
    size_t len = strlen(name);
    if (d->suffixes && *d->suffixes && len + 1 < sizeof(name)) {
        name[len] = d->suffixes[rnd((uint32_t)strlen(d->suffixes))];
        name[len + 1] = '\0';
    }
    return name;
}

static const char *wild_value(const char *key)
{
    if (strcasestr(key, "resolution") || strcasestr(key, "size") ||
        strcasestr(key, "cache"))
        return sizes[rnd(sizeof(sizes) / sizeof(sizes[0]))];
    return wild[rnd(sizeof(wild) / sizeof(wild[0]))];
}

/* The name of some section in l, or "nothing". */
static const char *some_section(const struct lines *l, char *buf, size_t n)
{
    for (int tries = 0; tries < 8 && l->n; tries++) {
        const char *s = l->v[rnd((uint32_t)l->n)];
        const char *end = s[0] == '[' ? strchr(s, ']') : NULL;
        if (end && end > s + 1) {
            snprintf(buf, n, "%.*s", (int)(end - s - 1), s + 1);
            return buf;
        }
    }
    return "nothing";
}

static void mutate(struct lines *l)
{
    size_t n = l->n;
    size_t at = n ? rnd((uint32_t)n) : 0;
    char buf[512], name[128];
    switch (rnd(11)) {
    case 0: /* cut short, mid-line */
        if (n) {
            while (l->n > at + 1)
                lines_remove(l, l->n - 1);
            l->v[at][rnd((uint32_t)strlen(l->v[at]) + 1)] = '\0';
        }
        break;
    case 1: /* a line lost */
        if (n)
            lines_remove(l, at);
        break;
    case 2: /* a line doubled */
        if (n)
            lines_insert(l, at, xstrdup(l->v[at]));
        break;
    case 3: /* two lines swapped */
        if (n) {
            size_t b = rnd((uint32_t)n);
            char *t = l->v[at];
            l->v[at] = l->v[b];
            l->v[b] = t;
        }
        break;
    case 4: { /* bytes changed, any byte but NUL */
        if (!n || !*l->v[at])
            break;
        char *s = l->v[at];
        for (int k = 1 + (int)rnd(3); k > 0; k--)
            s[rnd((uint32_t)strlen(s))] = (char)(1 + rnd(255));
        break;
    }
    case 5: /* a value replaced */
    case 6: {
        if (!n)
            break;
        char *eq = strchr(l->v[at], '=');
        if (!eq)
            break;
        snprintf(buf, sizeof(buf), "%.*s= %s", (int)(eq - l->v[at]),
                 l->v[at], wild_value(l->v[at]));
        free(l->v[at]);
        l->v[at] = xstrdup(buf);
        break;
    }
    case 7: /* a parameter of the op's type set, plain, .expr or .export */
    case 8: {
        size_t s = at;
        while (s > 0 && l->v[s][0] != '[')
            s--;
        const char *t = n && l->v[s][0] == '[' ? section_type(l, s) : NULL;
        const char *par = t ? random_par(t) : NULL;
        if (!par)
            break;
        switch (rnd(4)) {
        case 0: /* what an expression returns is never refused */
            snprintf(buf, sizeof(buf), "%s.expr = %s", par,
                     rnd(4) == 0 ? "frame" : rnd(4) == 0 ? "raise"
                     : strstr(par, "resolution")
                         ? expr_sizes[rnd(sizeof(expr_sizes) /
                                          sizeof(expr_sizes[0]))]
                     : edges[rnd(sizeof(edges) / sizeof(edges[0]))]);
            break;
        case 1:
            snprintf(buf, sizeof(buf), "%s.export = %s:%s", par,
                     some_section(l, name, sizeof(name)),
                     rnd(2) ? "chan1" : "timer_seconds");
            break;
        default:
            snprintf(buf, sizeof(buf), "%s = %s", par, wild_value(par));
        }
        lines_insert(l, s + 1 + rnd(2), xstrdup(buf));
        break;
    }
    case 9: { /* OPType swapped, or inputs pointed elsewhere */
        if (!n)
            break;
        if (strncasecmp(l->v[at], "OPType", 6) == 0) {
            size_t count;
            const struct op_type *const *all = registry_all(&count);
            const struct op_type *t = all[rnd((uint32_t)count)];
            if (is_control(t->optype))
                break;
            snprintf(buf, sizeof(buf), "OPType = %s", t->optype);
        } else {
            snprintf(buf, sizeof(buf), "%s = %s %s",
                     rnd(2) ? "inputs" : "top",
                     some_section(l, name, sizeof(name)),
                     rnd(2) ? "" : l->v[at][0] == '[' ? "x" : "..");
        }
        lines_insert(l, at + 1, xstrdup(buf));
        break;
    }
    default: { /* a stray line: a section, a path, garbage */
        static const char *const stray[] = {
            "[", "[]", "[a/b/c]", "[../x]", "[network]", "[ x y ]",
            "  continued", "OPType =", "= 1", "inputs", "[/project1]",
            "[project1/..]", "[a]]", "\xff\xfe", "key = value ; comment",
        };
        lines_insert(l, at, xstrdup(stray[rnd(sizeof(stray) /
                                                  sizeof(stray[0]))]));
    }
    }
}

/* ---- checks ---- */

static void check_report(const struct load_report *rep, size_t nlines,
                         const char *text)
{
    if (rep->count == 0)
        fail_msg("no network and no error for:\n%s", text);
    for (size_t i = 0; i < rep->count; i++) {
        const struct load_error *e = &rep->errors[i];
        char *s = load_error_format(e);
        if (!e->file || !*e->file || !e->msg || !*e->msg || e->line < 0 ||
            (size_t)e->line > nlines + 1 || !s || !strstr(s, e->msg))
            fail_msg("error %zu is not file:line: message (line %d of "
                     "%zu): %s\nfor:\n%s", i, e->line, nlines,
                     s ? s : "(null)", text);
        free(s);
    }
}

/* Saves every op's state and gives each op its own lines back, then
 * lines meant for others and garbage: restore ignores what it cannot
 * read. */
static void save_and_restore(struct graph *g)
{
    struct strbuf all = {0};
    for (size_t i = 0; i < g->nslots; i++) {
        struct op *op = g->slots[i];
        if (op && op->type->save_state)
            op->type->save_state(op, &all);
    }
    static const char *const junk[] = {
        "", " ", "x", "1", "nan", "-1 -1", "9999999999 1e308", "\xff",
        "chan 1e999", "a b c d e f g h",
    };
    for (size_t i = 0; i < g->nslots; i++) {
        struct op *op = g->slots[i];
        if (!op || !op->type->restore_state)
            continue;
        struct strbuf mine = {0};
        if (op->type->save_state)
            op->type->save_state(op, &mine);
        for (int pass = 0; pass < 2; pass++) {
            char *text = xstrdup(pass ? (all.s ? all.s : "")
                                      : (mine.s ? mine.s : ""));
            for (char *line = strtok(text, "\n"); line;
                 line = strtok(NULL, "\n"))
                op->type->restore_state(op, line);
            free(text);
        }
        for (size_t k = 0; k < sizeof(junk) / sizeof(junk[0]); k++)
            op->type->restore_state(op, junk[k]);
        sb_free(&mine);
    }
    sb_free(&all);
}

/* What any op's output must be after any cook, with an error or not:
 * whole, so that what reads it downstream cannot trip. */
static void check_output(const struct op *op)
{
    const struct chop_data *c = &op->chop;
    if (op->type->family == OP_CHOP && c->nchan > 0) {
        if (c->nsamples < 1 || !c->vals)
            fail_msg("%s: %d channels of %d samples", op->path, c->nchan,
                     c->nsamples);
        for (int i = 0; i < c->nchan; i++)
            if (!c->names[i])
                fail_msg("%s: channel %d has no name (error: %s)", op->path,
                         i, op->error ? op->error : "none");
    }
    const struct dat_data *d = &op->dat;
    if (op->type->family == OP_DAT && d->is_table)
        for (int i = 0; i < d->nrows * d->ncols; i++)
            if (!d->cells[i])
                fail_msg("%s: cell %d of %dx%d is NULL", op->path, i,
                         d->nrows, d->ncols);
}

/* Frames first..last, each cooking the output and then every op, pulled
 * by the output or not; every output checked. */
static void cook_everything(struct graph *g, int64_t first, int64_t last)
{
    for (int64_t f = first; f <= last; f++) {
        graph_begin_frame(g, f);
        graph_cook(g);
        for (size_t i = 0; i < g->nslots; i++)
            if (g->slots[i]) {
                graph_cook_op(g, g->slots[i]);
                check_output(g->slots[i]);
            }
    }
}

static void test_damaged_networks(void **state)
{
    (void)state;
    const char *env = getenv("VITRINE_FUZZ_N");
    int count = env ? atoi(env) : DEFAULT_MUTATIONS;
    int loaded = 0, refused = 0, left_out = 0;
    capture_log();
    log_set_level(LOG_LEVEL_ERR);
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    for (int i = 0; i < count; i++) {
        struct seed *sd = &seeds[rnd((uint32_t)nseeds)];
        struct lines l = {0};
        lines_from(&l, sd->text);
        for (int k = 1 + (int)rnd(4); k > 0; k--)
            mutate(&l);
        char *text = lines_join(&l);
        size_t nlines = 1; /* a changed byte may be a newline */
        for (const char *c = text; *c; c++)
            nlines += *c == '\n';
        lines_free(&l);
        if (has_control(text)) {
            left_out++;
            free(text);
            continue;
        }
        char path[sizeof(seeds[0].dir) + 16];
        snprintf(path, sizeof(path), "%.500s/network.ini", sd->dir);
        write_text(path, text);

        struct load_options opt = {.eval = &any, .width = 40, .height = 30};
        struct load_report rep = {0};
        struct graph *g = network_load(path, &opt, &rep);
        if (g) {
            if (rep.count)
                fail_msg("a network with %zu errors loaded:\n%s",
                         rep.count, text);
            g->gpu = test_gpu;
            cook_everything(g, 1, FRAMES);
            save_and_restore(g);
            cook_everything(g, FRAMES + 1, FRAMES + 1);
            graph_destroy(&g);
            loaded++;
        } else {
            check_report(&rep, nlines, text);
            refused++;
        }
        load_report_free(&rep);
        free(text);
        sb_free(&test_log);
    }
    assert_int_equal(chdir(cwd), 0);
    print_message("%d damaged networks: %d loaded and cooked %d frames, "
                  "%d refused with file:line errors, %d left out (OSC or "
                  "MIDI)%s\n", count, loaded, FRAMES + 1, refused, left_out,
                  test_gpu ? "" : "; TOPs without GL");
    /* The mutations must reach both outcomes, or they test nothing. */
    assert_true(loaded > count / 20);
    assert_true(refused > count / 20);
}

/* Every parameter of every type, at once, driven by an expression that
 * returns each edge value: nothing a script returns is refused, so each
 * must be clamped, rounded or ignored, and cooked without harm. */
static void test_every_parameter_at_the_edges(void **state)
{
    (void)state;
    capture_log();
    log_set_level(LOG_LEVEL_ERR);
    struct seed *sd = &seeds[nseeds - 1];
    char path[sizeof(sd->dir) + 16];
    snprintf(path, sizeof(path), "%.500s/network.ini", sd->dir);
    struct load_options opt = {.eval = &any, .width = 40, .height = 30};
    struct load_report rep = {0};
    write_text(path, sd->text);
    struct graph *base = network_load(path, &opt, &rep);
    assert_non_null(base);
    int cooked = 0;
    for (size_t i = 0; i < base->nslots; i++) {
        struct op *victim = base->slots[i];
        if (!victim || !victim->parent || victim->npars == 0)
            continue;
        for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
            struct strbuf sb = {0};
            sb_puts(&sb, sd->text);
            /* a copy of the op, its inputs kept, every parameter set */
            sb_printf(&sb, "[victim]\nOPType = %s\n", victim->type->optype);
            if (victim->ninputs) {
                sb_puts(&sb, "inputs =");
                for (size_t k = 0; k < victim->ninputs; k++)
                    sb_printf(&sb, "%s %s", k ? "," : "",
                              victim->inputs[k]->name);
                sb_puts(&sb, "\n");
            }
            /* (sizes stay: 16384x16384 is valid, and slow to draw) */
            for (size_t k = 0; k < victim->npars; k++)
                if (!strstr(victim->pars[k].name, "resolution"))
                    sb_printf(&sb, "%s.expr = %s\n",
                              victim->pars[k].name, edges[e]);
            write_text(path, sb.s);
            struct graph *g = network_load(path, &opt, &rep);
            if (!g) {
                dump_report(&rep);
                fail_msg("%s with every parameter = %s did not load",
                         victim->type->optype, edges[e]);
            }
            g->gpu = test_gpu;
            struct op *v = graph_find(g, "victim");
            for (int64_t f = 1; f <= FRAMES; f++) {
                graph_begin_frame(g, f);
                graph_cook_op(g, v);
                check_output(v);
            }
            graph_destroy(&g);
            sb_free(&sb);
            sb_free(&test_log);
            cooked++;
        }
    }
    graph_destroy(&base);
    print_message("%d networks: every parameter of one op at an edge "
                  "value, cooked %d frames\n", cooked, FRAMES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_networks),
        cmocka_unit_test(test_every_parameter_at_the_edges),
    };
    return cmocka_run_group_tests(tests, seed_setup, seed_teardown);
}
