/* Parameters: declaration expansion, parsing, clamping, menus, modes. */
#include <math.h>

#include "helpers.h"

static struct graph *g;

static int setup(void **state)
{
    (void)state;
    capture_log();
    g = graph_create("project1");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    graph_destroy(&g);
    return 0;
}

static struct op *make(const char *optype, const char *name)
{
    char err[256];
    struct op *op = op_create(g, g->root, registry_find(optype), name, err,
                              sizeof(err));
    if (!op)
        fail_msg("%s", err);
    return op;
}

static void test_expansion_and_defaults(void **state)
{
    (void)state;
    struct op *m = make("mathCHOP", "m");
    assert_non_null(op_par(m, "fromrange1"));
    assert_non_null(op_par(m, "fromrange2"));
    assert_null(op_par(m, "fromrange"));
    assert_null(op_par(m, "fromrange3"));
    assert_true(par_get_double(m, op_par(m, "fromrange2")) == 1.0);
    assert_true(par_get_double(m, op_par(m, "gain")) == 1.0);
    assert_string_equal(par_page(m, op_par(m, "gain")), "Mult-Add");
    assert_string_equal(par_page(m, op_par(m, "chopop")), "Math");
    struct op *c = make("constantCHOP", "c");
    assert_non_null(op_par(c, "name0"));
    assert_non_null(op_par(c, "value19"));
    assert_null(op_par(c, "value20"));
    assert_string_equal(par_get_string(c, op_par(c, "name7")), "");
    struct op *l = make("lagCHOP", "l");
    assert_true(par_get_double(l, op_par(l, "lag2")) == 0.2);
    struct op *t = make("timerCHOP", "t");
    assert_int_equal(par_get_int(t, op_par(t, "play")), 1);
    assert_int_equal(op_par(t, "start")->def->kind, PAR_PULSE);
}

static void test_parse_kinds(void **state)
{
    (void)state;
    char err[512];
    struct op *n = make("noiseCHOP", "n");
    struct par *period = op_par(n, "period");
    assert_int_equal(par_set_text(n, period, " 2.5 ", err, sizeof(err)),
                     PAR_OK);
    assert_true(par_get_double(n, period) == 2.5);
    assert_int_equal(par_set_text(n, period, "abc", err, sizeof(err)),
                     PAR_ERR_KIND);
    assert_string_equal(err, "'abc' is not a number (period is a float "
                        "parameter)");
    assert_int_equal(par_set_text(n, period, "nan", err, sizeof(err)),
                     PAR_ERR_KIND);
    assert_true(par_get_double(n, period) == 2.5); /* unchanged */
    struct par *seed = op_par(n, "seed");
    assert_int_equal(par_set_text(n, seed, "7", err, sizeof(err)), PAR_OK);
    assert_int_equal(par_get_int(n, seed), 7);
    assert_int_equal(par_set_text(n, seed, "7.5", err, sizeof(err)),
                     PAR_ERR_KIND);
    assert_non_null(strstr(err, "not an integer"));
    struct op *t = make("timerCHOP", "t");
    struct par *cycle = op_par(t, "cycle");
    const char *on[] = {"on", "1", "TRUE", "yes"};
    const char *off[] = {"off", "0", "false", "No"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(par_set_text(t, cycle, on[i], err, sizeof(err)),
                         PAR_OK);
        assert_int_equal(par_get_int(t, cycle), 1);
        assert_int_equal(par_set_text(t, cycle, off[i], err, sizeof(err)),
                         PAR_OK);
        assert_int_equal(par_get_int(t, cycle), 0);
    }
    assert_int_equal(par_set_text(t, cycle, "maybe", err, sizeof(err)),
                     PAR_ERR_KIND);
    struct op *s = make("selectCHOP", "s");
    assert_int_equal(par_set_text(s, op_par(s, "channames"), "a* b", err,
                                  sizeof(err)), PAR_OK);
    assert_string_equal(par_get_string(s, op_par(s, "channames")), "a* b");
}

static void test_clamp(void **state)
{
    (void)state;
    char err[512];
    struct op *n = make("noiseCHOP", "n");
    struct par *h = op_par(n, "harmon");
    assert_int_equal(par_set_text(n, h, "16", err, sizeof(err)), PAR_OK);
    assert_int_equal(par_set_text(n, h, "17", err, sizeof(err)),
                     PAR_ERR_RANGE);
    assert_string_equal(err, "17 is above the maximum 16 of 'harmon'");
    assert_int_equal(par_set_double(n, h, -1, err, sizeof(err)),
                     PAR_ERR_RANGE);
    assert_string_equal(err, "-1 is below the minimum 0 of 'harmon'");
    assert_int_equal(par_get_int(n, h), 16);
    /* Unclamped parameters take anything finite. */
    assert_int_equal(par_set_double(n, op_par(n, "amp"), 1e6, err,
                                    sizeof(err)), PAR_OK);
    /* Values computed at run time are clamped, not refused. */
    par_apply_double(n, h, 99.7);
    assert_int_equal(par_get_int(n, h), 16);
    par_apply_double(n, h, 2.6);
    assert_int_equal(par_get_int(n, h), 3);
    /* An int parameter without limits still holds only ints. */
    struct par *seed = op_par(n, "seed");
    assert_int_equal(par_set_double(n, seed, 1e10, err, sizeof(err)),
                     PAR_ERR_RANGE);
    assert_string_equal(err, "1e+10 is outside the integers -2147483648 "
                        "to 2147483647 that 'seed' holds");
    assert_int_equal(par_set_text(n, seed, "-3000000000", err,
                                  sizeof(err)), PAR_ERR_KIND);
    par_apply_double(n, seed, 1e308);
    assert_int_equal(par_get_int(n, seed), 2147483647);
    par_apply_double(n, seed, -1e308);
    assert_int_equal(par_get_int(n, seed), -2147483647 - 1);
    par_apply_double(n, seed, NAN); /* ignored */
    assert_int_equal(par_get_int(n, seed), -2147483647 - 1);
}

/* Stored text is UTF-8, whatever was given: a byte that starts no valid
 * sequence becomes '?', so that Python can always read it back. */
static void test_text_is_kept_as_utf8(void **state)
{
    (void)state;
    char err[256];
    struct op *c = make("constantCHOP", "c");
    struct par *p = op_par(c, "name0");
    static const char *const cases[][2] = {
        {"caf\xc3\xa9 \xf0\x9f\x8e\xa8", "caf\xc3\xa9 \xf0\x9f\x8e\xa8"},
        {"b\xff\xfe", "b??"},
        {"caf\xe9", "caf?"},             /* Latin-1 */
        {"\xc0\xaf", "??"},               /* overlong '/' */
        {"\xed\xa0\x80", "???"},          /* a surrogate */
        {"\xf4\x90\x80\x80", "????"},     /* past U+10FFFF */
        {"\xe2\x82", "??"},               /* cut short */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(par_set_text(c, p, cases[i][0], err, sizeof(err)),
                         PAR_OK);
        assert_string_equal(par_get_string(c, p), cases[i][1]);
    }
    /* the same bad text again changes nothing */
    par_set_text(c, p, "caf\xe9", err, sizeof(err));
    uint64_t v = c->par_version;
    par_set_text(c, p, "caf\xe9", err, sizeof(err));
    assert_int_equal(c->par_version, v);
}

static void test_menus(void **state)
{
    (void)state;
    char err[512];
    struct op *l = make("lfoCHOP", "l");
    struct par *w = op_par(l, "wavetype");
    assert_string_equal(par_get_string(l, w), "sin");
    assert_int_equal(par_set_text(l, w, "square", err, sizeof(err)), PAR_OK);
    assert_int_equal(par_get_int(l, w), 2);
    assert_int_equal(par_set_text(l, w, "4", err, sizeof(err)), PAR_OK);
    assert_string_equal(par_get_string(l, w), "pulse");
    assert_int_equal(par_set_text(l, w, "Triangle", err, sizeof(err)),
                     PAR_OK); /* a label */
    assert_string_equal(par_get_string(l, w), "tri");
    assert_int_equal(par_set_text(l, w, "sine wave", err, sizeof(err)),
                     PAR_ERR_MENU);
    assert_string_equal(err, "'sine wave' is not a menu item of 'wavetype' "
                        "(one of: sin, tri, square, ramp, pulse, or an "
                        "index 0-4)");
    assert_int_equal(par_set_text(l, w, "5", err, sizeof(err)), PAR_ERR_MENU);
    assert_int_equal(par_set_double(l, w, 1.5, err, sizeof(err)),
                     PAR_ERR_KIND);
    assert_string_equal(par_get_string(l, w), "tri");
    char buf[64];
    assert_string_equal(par_format(l, w, buf, sizeof(buf)), "tri");
}

static void test_change_tracking_and_reset(void **state)
{
    (void)state;
    char err[256];
    struct op *l = make("lfoCHOP", "l");
    struct par *f = op_par(l, "frequency");
    uint64_t v0 = l->par_version;
    assert_int_equal(par_set_double(l, f, 1.0, err, sizeof(err)), PAR_OK);
    assert_true(l->par_version == v0); /* same value: no change */
    assert_int_equal(par_set_double(l, f, 3.0, err, sizeof(err)), PAR_OK);
    assert_true(l->par_version == v0 + 1);
    par_reset(l, f);
    assert_true(par_get_double(l, f) == 1.0);
    assert_true(l->par_version == v0 + 2);
    struct op *t = make("timerCHOP", "t");
    struct par *start = op_par(t, "start");
    uint64_t tv = t->par_version;
    par_pulse(t, start);
    assert_int_equal(par_get_int(t, start), 1);
    assert_true(t->has_pulse);
    assert_true(t->par_version == tv + 1);
}

static void test_unknown_suggests(void **state)
{
    (void)state;
    struct op *n = make("noiseCHOP", "n");
    assert_null(op_par(n, "perod"));
    assert_string_equal(op_par_suggest(n, "perod"), "period");
    assert_string_equal(op_par_suggest(n, "Harmonn"), "harmon");
    assert_null(op_par_suggest(n, "xyzzyplugh"));
}

static void test_modes(void **state)
{
    (void)state;
    char err[512];
    struct op *src = make("constantCHOP", "src");
    struct op *l = make("lfoCHOP", "l");
    struct par *amp = op_par(l, "amp");
    assert_int_equal(par_set_expr(l, amp, "op('x')[0]", err, sizeof(err)),
                     PAR_ERR_MODE);
    assert_non_null(strstr(err, "no Python evaluator"));
    assert_int_equal(amp->mode, PAR_MODE_CONSTANT);
    assert_int_equal(par_set_export(l, amp, "src:chan1", err, sizeof(err)),
                     PAR_OK);
    assert_int_equal(amp->mode, PAR_MODE_EXPORT);
    assert_int_equal(amp->export_op, src->id);
    assert_string_equal(amp->export_chan, "chan1");
    assert_int_equal(par_set_export(l, amp, "nothere:chan1", err,
                                    sizeof(err)), PAR_ERR_NOT_FOUND);
    assert_int_equal(par_set_export(l, amp, "src", err, sizeof(err)),
                     PAR_ERR_KIND);
    assert_int_equal(par_set_export(l, op_par(l, "channelname"), "src:a",
                                    err, sizeof(err)), PAR_ERR_MODE);
    /* Setting a constant leaves export mode. */
    assert_int_equal(par_set_double(l, amp, 0.5, err, sizeof(err)), PAR_OK);
    assert_int_equal(amp->mode, PAR_MODE_CONSTANT);
    assert_null(amp->export_src);
}

/* A type that only tests use, with the kinds no built-in CHOP has. */
struct kinds {
    double color[4];
    char *file, *ref;
    int pulse;
};

static int kinds_cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)op;
    (void)ctx;
    return 0;
}

static const struct par_def kinds_pars[] = {
    {.name = "color", .label = "Color", .def = {1, 0.5, 0.25, 1},
     .norm = {0, 1}, .lim = {0, 1}, .clamp = PAR_CLAMP_BOTH,
     PARAM_RGBA(struct kinds, color)},
    {.name = "file", .label = "File", .def_str = "a.txt",
     PARAM_FILE(struct kinds, file)},
    {.name = "chop", .label = "CHOP", .families = OP_FAMILY_BIT(OP_CHOP),
     PARAM_OP(struct kinds, ref)},
    {.name = "go", .label = "Go", PARAM_PULSE(struct kinds, pulse)},
    {0},
};

/* A declaration without a kind (here: one that names only its field)
 * is refused when an op of the type is made. */
static const struct par_def kindless_pars[] = {
    {.name = "x", .label = "X", .offset = offsetof(struct kinds, pulse)},
    {0},
};

static const struct op_type kinds_type = {
    .name = "kinds", .optype = "kindsTEST", .label = "Kinds",
    .family = OP_CHOP, .pars = kinds_pars, .priv_size = sizeof(struct kinds),
    .cook = kinds_cook,
};

static void test_rgba_file_op_kinds(void **state)
{
    (void)state;
    char err[512];
    const struct op_type kindless = {
        .name = "kindless", .optype = "kindlessTEST", .label = "Kindless",
        .family = OP_CHOP, .pars = kindless_pars,
        .priv_size = sizeof(struct kinds), .cook = kinds_cook,
    };
    assert_null(op_create(g, g->root, &kindless, "nokind", err, sizeof(err)));
    assert_non_null(strstr(err, "parameter 'x' without a kind"));
    struct op *k = op_create(g, g->root, &kinds_type, "k", err, sizeof(err));
    assert_non_null(k);
    struct kinds *p = k->priv;
    assert_non_null(op_par(k, "colorr"));
    assert_non_null(op_par(k, "colora"));
    assert_null(op_par(k, "color"));
    assert_true(p->color[1] == 0.5 && p->color[2] == 0.25);
    assert_int_equal(par_set_text(k, op_par(k, "colorg"), "0.75", err,
                                  sizeof(err)), PAR_OK);
    assert_true(p->color[1] == 0.75);
    assert_int_equal(par_set_text(k, op_par(k, "colorb"), "1.5", err,
                                  sizeof(err)), PAR_ERR_RANGE);
    assert_string_equal(par_get_string(k, op_par(k, "file")), "a.txt");
    struct op *target = make("constantCHOP", "target");
    struct par *ref = op_par(k, "chop");
    assert_int_equal(par_set_text(k, ref, "target", err, sizeof(err)),
                     PAR_OK);
    assert_ptr_equal(op_par_ref(k, ref), target);
    op_destroy(&target);
    assert_null(op_par_ref(k, ref)); /* a stale reference finds nothing */
    assert_int_equal(par_set_text(k, op_par(k, "go"), "1", err, sizeof(err)),
                     PAR_OK);
    assert_int_equal(p->pulse, 1);
    graph_begin_frame(g, 1);
    graph_cook_op(g, k);
    assert_int_equal(p->pulse, 0); /* a pulse lasts one cook */
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(par_kind_name(PAR_RGBA), "rgba");
    assert_string_equal(par_kind_name(PAR_FLOAT), "float");
    assert_string_equal(par_kind_name(PAR_KIND_NONE), "(no kind)");
    assert_string_equal(par_kind_name(PAR_PULSE), "pulse");
    assert_string_equal(par_mode_name(PAR_MODE_EXPORT), "EXPORT");
}

/* TouchDesigner's own parameter names, as its operator reference names
 * them, for what each op type implements: each one resolves, and where
 * vitrine had another name first (the tutorial's), both name one parameter. */
static void test_touchdesigner_names(void **state)
{
    (void)state;
    static const struct {
        const char *optype, *names, *aliases; /* aliases: "td=old ..." */
    } want[] = {
        {"constantCHOP", "const0name const0value const19value",
         "const0name=name0 const3value=value3"},
        {"filterCHOP", "type width cutoff speedcoeff slopecutoff", ""},
        {"lagCHOP", "lag1 lag2", ""},
        {"lfoCHOP", "wavetype frequency offset amp phase channelname", ""},
        {"mathCHOP", "chopop preoff gain postoff fromrange1 fromrange2 "
                     "torange1 torange2", ""},
        {"mergeCHOP", "duplicate", ""},
        {"noiseCHOP", "type seed period harmon spread rough amp tx "
                      "channelname", ""},
        {"midiinCHOP", "active device channel resetchannels",
         "channel=channels"},
        {"midioutCHOP", "active device", ""},
        {"oscinCHOP", "active protocol netaddress port localaddress "
                      "oscaddressscope stripsegments resetchannels "
                      "resetvalues", "oscaddressscope=addressscope"},
        {"oscoutCHOP", "active netaddress port", ""},
        {"scriptCHOP", "callbacks", ""},
        {"selectCHOP", "chop channames renamefrom renameto", ""},
        {"timerCHOP", "initialize start length play speed cue cuepulse "
                      "cuepoint cycle cyclelimit maxcycles gotodone", ""},
        {"executeDAT", "active start create exit framestart frameend file",
         ""},
        {"oscinDAT", "active protocol address port localaddress addscope "
                     "splitbundle splitmessage bundletimestamp callbacks "
                     "maxlines clear",
         "address=netaddress addscope=addressscope"},
        {"oscoutDAT", "active address port", "address=netaddress"},
        {"tableDAT", "file", ""},
        {"textDAT", "file", ""},
        {"blurTOP", "type extend size", "type=filtertype"},
        {"compositeTOP", "operand", ""},
        {"constantTOP", "colorr colorg colorb alpha", ""},
        {"cropTOP", "cropleft cropright cropbottom croptop", ""},
        {"feedbackTOP", "top reset", ""},
        {"glslTOP", "pixeldat inputextenduv vec0name vec0valuex",
         "inputextenduv=extend"},
        {"hsvadjustTOP", "hueoffset saturationmult valuemult", ""},
        {"levelTOP", "invert blacklevel brightness1 gamma1 contrast inlow "
                     "inhigh outlow outhigh lowr highr lowg highg lowb highb "
                     "lowa higha stepping stepsize threshold gamma2 opacity "
                     "brightness2 clamp clamplow2 clamphigh2",
         "brightness1=brightness gamma1=gamma"},
        {"noiseTOP", "type seed period harmon spread rough exp amp offset "
                     "mono tx ty tz", "exp=exponent"},
        {"rampTOP", "type phase period", ""},
        {"scriptTOP", "callbacks", ""},
        {"selectTOP", "top", ""},
        {"texture3dTOP", "type active replacesingle replaceindex prefill "
                         "cachesize step reset", ""},
        {"transformTOP", "tx ty rotate sx sy px py extend", ""},
        {"outTOP", "resolutionw resolutionh", ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        const struct op_type *t = registry_find(want[i].optype);
        if (!t)
            fail_msg("no type %s", want[i].optype);
        struct graph *tg = graph_create("project1");
        char err[256];
        struct op *op = op_create(tg, tg->root, t, "x", err, sizeof(err));
        assert_non_null(op);
        char *names = xstrdup(want[i].names);
        for (char *s = strtok(names, " "); s; s = strtok(NULL, " "))
            if (!op_par(op, s))
                fail_msg("%s has no parameter '%s'", t->optype, s);
        free(names);
        char *aliases = xstrdup(want[i].aliases);
        for (char *s = strtok(aliases, " "); s; s = strtok(NULL, " ")) {
            char *eq = strchr(s, '=');
            *eq = '\0';
            struct par *p = op_par(op, s);
            if (!p || op_par(op, eq + 1) != p)
                fail_msg("%s: '%s' and '%s' are not one parameter",
                         t->optype, s, eq + 1);
            assert_string_equal(p->name, s);
        }
        free(aliases);
        graph_destroy(&tg);
    }
}

/* Custom parameters: declared at run time, parameters like the others;
 * op->live follows op->pars when it moves, and removal keeps the rest. */
static void test_custom_pars(void **state)
{
    (void)state;
    char err[512];
    struct op *c = make("baseCOMP", "ctl");
    struct op *k = make("constantCHOP", "k");
    const char *names[] = {"slow", "fast"};
    struct par_decl d = {.name = "Speed", .style = "float", .page = "Ctl",
                         .def = {1.5}, .has_lim = true, .lim = {0, 10},
                         .clamp = PAR_CLAMP_BOTH};
    assert_int_equal(par_custom_add(c, &d, false, err, sizeof(err)), PAR_OK);
    assert_int_equal(par_custom_add(k, &d, false, err, sizeof(err)),
                     PAR_ERR_REFUSED);
    assert_non_null(strstr(err, "belong to COMPs"));
    struct par *p = op_par(c, "Speed");
    assert_non_null(p);
    assert_true(par_is_custom(p));
    assert_true(par_get_double(c, p) == 1.5);
    assert_string_equal(par_page(c, p), "Ctl");
    assert_int_equal(par_set_text(c, p, "11", err, sizeof(err)),
                     PAR_ERR_RANGE);
    /* an expression on it, then more parameters: live moves with pars */
    g->eval = NULL;
    assert_int_equal(par_set_export(c, p, "k:chan1", err, sizeof(err)),
                     PAR_OK);
    assert_int_equal(graph_link(g, err, sizeof(err)), 0);
    assert_int_equal(c->nlive, 1);
    uint32_t layout = c->pars_layout;
    struct par_decl t = {.name = "Tint", .style = "RGB", .def = {1, 0.5}};
    assert_int_equal(par_custom_add(c, &t, false, err, sizeof(err)), PAR_OK);
    assert_true(c->pars_layout != layout);
    assert_ptr_equal(c->live[0], op_par(c, "Speed"));
    assert_non_null(op_par(c, "Tintr"));
    assert_true(par_get_double(c, op_par(c, "Tintg")) == 0.5);
    assert_null(op_par(c, "Tinta"));
    struct par_decl m = {.name = "Mode", .style = "Menu", .def_str = "fast",
                         .menu_names = names, .nmenu = 2};
    assert_int_equal(par_custom_add(c, &m, false, err, sizeof(err)), PAR_OK);
    assert_string_equal(par_get_string(c, op_par(c, "Mode")), "fast");
    /* redefined in place keeps its value, clamped to the new range */
    assert_int_equal(par_custom_add(c, &t, false, err, sizeof(err)),
                     PAR_ERR_REFUSED);
    t.has_lim = true, t.lim[1] = 0.25, t.clamp = PAR_CLAMP_MAX;
    assert_int_equal(par_custom_add(c, &t, true, err, sizeof(err)), PAR_OK);
    assert_true(par_get_double(c, op_par(c, "Tintr")) == 0.25);
    /* removing the group in the middle keeps what follows */
    assert_true(par_custom_remove(c, "Tintg"));
    assert_null(op_par(c, "Tintr"));
    assert_string_equal(par_get_string(c, op_par(c, "Mode")), "fast");
    assert_ptr_equal(c->live[0], op_par(c, "Speed"));
    /* bad declarations */
    struct par_decl bad = {.name = "speed", .style = "Float"};
    assert_int_equal(par_custom_add(c, &bad, false, err, sizeof(err)),
                     PAR_ERR_DECL);
    bad.name = "Other", bad.style = "Vector";
    assert_int_equal(par_custom_add(c, &bad, false, err, sizeof(err)),
                     PAR_ERR_DECL);
    bad.style = "XY", bad.size = 3;
    assert_int_equal(par_custom_add(c, &bad, false, err, sizeof(err)),
                     PAR_ERR_DECL);
    /* pages */
    const char *const *pages;
    assert_int_equal(par_pages(c, &pages), 2);
    assert_string_equal(pages[0], "Ctl");
    const char *order[] = {"Custom"};
    par_pages_sort(c, order, 1);
    assert_int_equal(par_pages(c, &pages), 2);
    assert_string_equal(pages[0], "Custom");
    assert_true(par_page_remove(c, "Ctl"));
    assert_null(op_par(c, "Speed"));
    assert_int_equal(c->nlive, 0);
    par_custom_clear(c);
    assert_int_equal(par_pages(c, &pages), 0);
    assert_null(op_par(c, "Mode"));
}

/* One policy for every source (par.h's table). */
static void test_write_policy(void **state)
{
    (void)state;
    char err[512];
    struct op *b = make("blurTOP", "b");
    struct op *l = make("lfoCHOP", "l");
    struct op *sel = make("selectTOP", "sel");
    struct op *n = make("noiseTOP", "n");
    struct par *size = op_par(b, "size");
    struct par_value big = {.has_num = true, .num = 9999};
    assert_int_equal(par_write(b, size, &big, PAR_FROM_FILE, err,
                               sizeof(err)), PAR_ERR_RANGE);
    assert_string_equal(err, "9999 is above the maximum 4096 of 'size'");
    assert_int_equal(par_write(b, size, &big, PAR_FROM_REMOTE, err,
                               sizeof(err)), PAR_ERR_RANGE);
    assert_string_equal(err, "9999 is above the maximum 4096 of 'size'");
    assert_int_equal(par_write(b, size, &big, PAR_FROM_SCRIPT, err,
                               sizeof(err)), PAR_OK);
    assert_true(par_get_double(b, size) == 4096);
    /* an int: rounded from a script, an error elsewhere */
    struct par *harm = op_par(n, "harmon");
    struct par_value frac = {.has_num = true, .num = 2.6};
    assert_int_equal(par_write(n, harm, &frac, PAR_FROM_REMOTE, err,
                               sizeof(err)), PAR_ERR_KIND);
    assert_int_equal(par_write(n, harm, &frac, PAR_FROM_SCRIPT, err,
                               sizeof(err)), PAR_OK);
    assert_int_equal(par_get_int(n, harm), 3);
    /* an op of the wrong family, from any source */
    struct par *top = op_par(sel, "top");
    struct par_value chop = {.text = "l"}, ntop = {.text = "n"};
    assert_int_equal(par_write(sel, top, &chop, PAR_FROM_SCRIPT, err,
                               sizeof(err)), PAR_ERR_KIND);
    assert_string_equal(err, "top: '/project1/l' is a CHOP, and this "
                        "parameter takes a TOP");
    assert_int_equal(par_write(sel, top, &chop, PAR_FROM_FILE, err,
                               sizeof(err)), PAR_ERR_KIND);
    assert_int_equal(par_write(sel, top, &ntop, PAR_FROM_REMOTE, err,
                               sizeof(err)), PAR_ERR_REFUSED);
    assert_int_equal(par_write(sel, top, &ntop, PAR_FROM_SCRIPT, err,
                               sizeof(err)), PAR_OK);
    assert_string_equal(par_get_string(sel, top), "n");
    /* a number for text is its shortest text (an OSC float) */
    struct par *name = op_par(l, "channelname");
    struct par_value f = {.has_num = true, .num = (double)0.1f};
    assert_int_equal(par_write(l, name, &f, PAR_FROM_REMOTE, err,
                               sizeof(err)), PAR_OK);
    assert_string_equal(par_get_string(l, name), "0.1");
    /* pulses: without a value they pulse; a 0 does not */
    struct op *t = make("timerCHOP", "t");
    struct par *start = op_par(t, "start");
    struct par_value none = {0}, zero = {.has_num = true};
    assert_int_equal(par_write(t, start, &zero, PAR_FROM_REMOTE, err,
                               sizeof(err)), PAR_OK);
    assert_int_equal(par_get_int(t, start), 0);
    assert_int_equal(par_write(t, start, &none, PAR_FROM_REMOTE, err,
                               sizeof(err)), PAR_OK);
    assert_int_equal(par_get_int(t, start), 1);
    assert_int_equal(par_write(l, name, &none, PAR_FROM_SCRIPT, err,
                               sizeof(err)), PAR_ERR_KIND);
}

/* Every registered type (build/gen/op_types.h, from the definitions) is
 * whole: a family (0 is none), a cook, names unique across the registry,
 * parameter names unique within it. */
static void test_registry_descriptors(void **state)
{
    (void)state;
    size_t n;
    const struct op_type *const *all = registry_all(&n);
    assert_true(n >= 41);
    for (size_t i = 0; i < n; i++) {
        const struct op_type *t = all[i];
        assert_non_null(t->optype);
        if (t->family == OP_FAMILY_NONE || t->family >= OP_FAMILY_COUNT)
            fail_msg("%s has no family", t->optype);
        if (!t->cook || !t->name || !t->label)
            fail_msg("%s lacks a cook, name or label", t->optype);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(all[j]->optype, t->optype))
                fail_msg("%s is registered twice", t->optype);
        /* hooks are methods of the type's own class; its file's source
         * defines that class (td checks the methods when it loads) */
        if (t->hooks && !t->python)
            fail_msg("%s has hooks but no Python class", t->optype);
        if (t->python && (!t->python_file ||
                          !strstr(t->python, t->optype)))
            fail_msg("%s's Python (%s) does not name its class", t->optype,
                     t->python_file ? t->python_file : "no file");
        struct op *op = make(t->optype, "probe");
        for (size_t a = 0; a < op->npars; a++)
            for (size_t b = 0; b < a; b++)
                if (!strcmp(op->pars[a].name, op->pars[b].name))
                    fail_msg("%s has two parameters %s", t->optype,
                             op->pars[a].name);
        op_destroy(&op);
    }
    assert_string_equal(op_family_name(OP_FAMILY_NONE), "(no family)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_expansion_and_defaults, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_parse_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_is_kept_as_utf8, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_menus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_tracking_and_reset, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_suggests, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rgba_file_op_kinds, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_custom_pars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_descriptors, setup,
                                        teardown),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_touchdesigner_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
