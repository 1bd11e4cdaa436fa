/* Network files: every error names file:line, its section and what was
 * expected; all of them are reported; good files build the graph. */
#include <sys/stat.h>

#include "helpers.h"

/* Fails unless rep holds an error of this kind at this line whose message
 * contains text. */
static void expect(const struct load_report *rep, enum load_err_kind kind,
                   int line, const char *text)
{
    for (size_t i = 0; i < rep->count; i++) {
        const struct load_error *e = &rep->errors[i];
        if (e->kind == kind && e->line == line && strstr(e->msg, text))
            return;
    }
    dump_report(rep);
    fail_msg("expected a %s error at line %d containing \"%s\"",
             load_err_kind_name(kind), line, text);
}

static struct load_report rep;

static int reset(void **state)
{
    (void)state;
    capture_log();
    load_report_free(&rep);
    return 0;
}

static void bad(const char *text)
{
    struct graph *g = load_text(text, &rep, NULL);
    if (g) {
        graph_destroy(&g);
        fail_msg("network loaded but should not have");
    }
}

static void test_syntax(void **state)
{
    (void)state;
    bad("[network]\n"          /* 1 */
        "fps = 30\n"           /* 2 */
        "this is not ini\n"    /* 3 */
        "[lfo1\n"              /* 4 */
        "= 3\n");              /* 5 */
    expect(&rep, LOAD_ERR_SYNTAX, 3, "expected 'name = value'");
    expect(&rep, LOAD_ERR_SYNTAX, 4, "expected ']'");
    expect(&rep, LOAD_ERR_SYNTAX, 5, "expected a parameter name");
    assert_int_equal(rep.count, 3);
}

static void test_unknown_type_and_missing_type(void **state)
{
    (void)state;
    bad("[lfo1]\n"             /* 1 */
        "OPType = lfoCHP\n"    /* 2 */
        "[blank]\n"            /* 3 */
        "frequency = 1\n"      /* 4 */
        "[x]\n"                /* 5 */
        "OPType = zzzzzzzzzzzzTOP\n");
    expect(&rep, LOAD_ERR_UNKNOWN_TYPE, 2,
           "unknown operator type 'lfoCHP'; did you mean 'lfoCHOP'?");
    expect(&rep, LOAD_ERR_NO_TYPE, 3, "no OPType");
    expect(&rep, LOAD_ERR_UNKNOWN_TYPE, 6, "'zzzzzzzzzzzzTOP' (`vitrine ops`");
    assert_int_equal(rep.count, 3);
    assert_string_equal(rep.errors[0].section, "lfo1");
}

static void test_parameters(void **state)
{
    (void)state;
    bad("[lfo1]\n"                    /* 1 */
        "OPType = lfoCHOP\n"          /* 2 */
        "frequncy = 2\n"              /* 3 */
        "amp = loud\n"                /* 4 */
        "wavetype = sine wave\n"      /* 5 */
        "amp = 2\n"                   /* 6 */
        "phase.bogus = 1\n"           /* 7 */
        "[n]\n"                       /* 8 */
        "OPType = noiseCHOP\n"        /* 9 */
        "harmon = 40\n"               /* 10 */
        "period = -1\n");             /* 11 */
    expect(&rep, LOAD_ERR_UNKNOWN_PAR, 3,
           "unknown parameter 'frequncy' for lfoCHOP (did you mean "
           "'frequency'?)");
    expect(&rep, LOAD_ERR_BAD_VALUE, 4, "'loud' is not a number");
    expect(&rep, LOAD_ERR_BAD_VALUE, 5, "not a menu item of 'wavetype'");
    expect(&rep, LOAD_ERR_DUPLICATE, 6, "'amp' is set twice (first at line 4)");
    expect(&rep, LOAD_ERR_UNKNOWN_PAR, 7, "comes .expr or .export");
    expect(&rep, LOAD_ERR_RANGE, 10, "40 is above the maximum 16");
    expect(&rep, LOAD_ERR_RANGE, 11, "-1 is below the minimum 0");
    assert_int_equal(rep.count, 7);
}

static void test_inputs(void **state)
{
    (void)state;
    bad("[lfo1]\nOPType = lfoCHOP\n"            /* 1-2 */
        "[m]\nOPType = mathCHOP\n"              /* 3-4 */
        "inputs = lfo2\n"                       /* 5 */
        "[m2]\nOPType = mathCHOP\n"             /* 6-7 */
        "[t]\nOPType = textDAT\n"               /* 8-9 */
        "[m3]\nOPType = mathCHOP\n"             /* 10-11 */
        "inputs = t\n"                          /* 12 */
        "[n]\nOPType = nullCHOP\n"              /* 13-14 */
        "inputs = lfo1, lfo1\n");               /* 15 */
    expect(&rep, LOAD_ERR_MISSING_INPUT, 5,
           "input 'lfo2' does not exist (did you mean 'lfo1'?)");
    expect(&rep, LOAD_ERR_INPUTS, 6, "mathCHOP takes at least 1 input, got 0");
    expect(&rep, LOAD_ERR_INPUTS, 12, "input '/project1/t' is a DAT; "
           "mathCHOP takes CHOP inputs");
    expect(&rep, LOAD_ERR_INPUTS, 15, "nullCHOP takes 1 input, got 2");
    assert_int_equal(rep.count, 4);
}

static void test_files(void **state)
{
    (void)state;
    bad("[t]\nOPType = textDAT\n"
        "file = scripts/missing.py\n");
    expect(&rep, LOAD_ERR_MISSING_FILE, 3,
           "file: file 'scripts/missing.py' does not exist");
    char want[600];
    snprintf(want, sizeof(want), "looked for %s/scripts/missing.py",
             scratch());
    expect(&rep, LOAD_ERR_MISSING_FILE, 3, want);
}

/* What is not a regular file, or is too large, is refused without being
 * read: /dev/zero never ends, a FIFO would block the frame loop. */
static void test_endless_and_huge_files(void **state)
{
    (void)state;
    char fifo[600], big[600];
    snprintf(fifo, sizeof(fifo), "%s/fifo", scratch());
    snprintf(big, sizeof(big), "%s/big.csv", scratch());
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(truncate(write_file("big.csv", ""),
                              (off_t)FILE_READ_MAX + 1), 0);
    const char *paths[] = {"/dev/zero", fifo, big};
    const char *why[] = {"not a regular file", "not a regular file",
                         "larger than 256 MiB"};
    for (int i = 0; i < 3; i++) {
        struct load_options opt = {0};
        load_report_free(&rep);
        assert_null(network_load(paths[i], &opt, &rep));
        assert_int_equal(rep.count, 1);
        assert_int_equal(rep.errors[0].kind, LOAD_ERR_IO);
        assert_non_null(strstr(rep.errors[0].msg, why[i]));
    }
    /* The same set at run time, where the loader's check is not. */
    load_report_free(&rep);
    write_file("rows.csv", "a,b\n");
    struct graph *g = load_ok("[t]\nOPType = tableDAT\nfile = rows.csv\n");
    struct op *t = graph_find(g, "t");
    graph_begin_frame(g, 1);
    graph_cook_op(g, t);
    assert_null(t->error);
    for (int i = 0; i < 3; i++) {
        char err[256];
        assert_int_equal(par_set_text(t, op_par(t, "file"), paths[i], err,
                                      sizeof(err)), PAR_OK);
        graph_begin_frame(g, 2 + i);
        graph_cook_op(g, t);
        assert_non_null(t->error);
        assert_non_null(strstr(t->error, why[i]));
        assert_string_equal(dat_cell(&t->dat, 0, 1), "b"); /* kept */
    }
    graph_destroy(&g);
}

static void test_duplicates_and_cycles(void **state)
{
    (void)state;
    bad("[a]\nOPType = nullCHOP\ninputs = c\n"   /* 1-3 */
        "[b]\nOPType = nullCHOP\ninputs = a\n"   /* 4-6 */
        "[c]\nOPType = nullCHOP\ninputs = b\n"   /* 7-9 */
        "[b]\nOPType = lfoCHOP\n");              /* 10-11 */
    expect(&rep, LOAD_ERR_DUPLICATE, 10,
           "operator 'b' is defined twice (first at line 4)");
    expect(&rep, LOAD_ERR_CYCLE, 1, "dependency cycle: ");
    /* The cycle names every op in it. */
    const char *msg = NULL;
    for (size_t i = 0; i < rep.count; i++)
        if (rep.errors[i].kind == LOAD_ERR_CYCLE)
            msg = rep.errors[i].msg;
    assert_non_null(strstr(msg, "/project1/a"));
    assert_non_null(strstr(msg, "/project1/b"));
    assert_non_null(strstr(msg, "/project1/c"));
}

static void test_export_cycle(void **state)
{
    (void)state;
    /* Exports are dependencies too: a -> b by input, b -> a by export. */
    bad("[a]\nOPType = lfoCHOP\namp.export = b:chan1\n"
        "[b]\nOPType = nullCHOP\ninputs = a\n");
    expect(&rep, LOAD_ERR_CYCLE, 1, "dependency cycle");
}

static void test_modes_without_python(void **state)
{
    (void)state;
    bad("[a]\nOPType = lfoCHOP\n"
        "amp.expr = op('b')[0] * 2\n"         /* 3 */
        "phase.export = nothere:chan1\n"      /* 4 */
        "[s]\nOPType = textDAT\n"             /* 5-6 */
        "run = frame\n"                       /* 7 */
        "[sel]\nOPType = selectCHOP\n"        /* 8-9 */
        "chop = ghost\n");                    /* 10 */
    expect(&rep, LOAD_ERR_NO_EVALUATOR, 3, "no Python evaluator");
    expect(&rep, LOAD_ERR_MISSING_OP, 4, "export source 'nothere'");
    expect(&rep, LOAD_ERR_INVALID, 5, "run = frame runs the text as a Python "
           "script");
    expect(&rep, LOAD_ERR_MISSING_OP, 10, "chop: operator 'ghost' does not "
           "exist");
}

static void test_network_section_and_parents(void **state)
{
    (void)state;
    bad("[network]\n"                  /* 1 */
        "resolution = 1280by720\n"     /* 2 */
        "fps = 0\n"                    /* 3 */
        "outptu = x\n"                 /* 4 */
        "output = nothing\n"           /* 5 */
        "[ghost/child]\n"              /* 6 */
        "OPType = lfoCHOP\n"           /* 7 */
        "[l]\nOPType = lfoCHOP\n"      /* 8-9 */
        "[l/child]\n"                  /* 10 */
        "OPType = lfoCHOP\n"
        "[bad name]\nOPType = lfoCHOP\n");  /* 12 */
    expect(&rep, LOAD_ERR_BAD_VALUE, 2, "is not WIDTHxHEIGHT");
    expect(&rep, LOAD_ERR_BAD_VALUE, 3, "fps '0'");
    expect(&rep, LOAD_ERR_UNKNOWN_PAR, 4, "did you mean 'output'?");
    expect(&rep, LOAD_ERR_MISSING_OP, 5, "output 'nothing' does not exist");
    expect(&rep, LOAD_ERR_NAME, 6, "parent 'ghost' is not defined");
    expect(&rep, LOAD_ERR_NAME, 10, "parent 'l' is a lfoCHOP, not a COMP");
    expect(&rep, LOAD_ERR_NAME, 12, "invalid operator name 'bad name'");
}

static void test_every_problem_in_line_order(void **state)
{
    (void)state;
    bad("[a]\nOPType = lfoCHOP\nfoo = 1\n"
        "[b]\nOPType = nope\n"
        "[c]\nOPType = mathCHOP\ninputs = zz\n"
        "junk line\n");
    assert_int_equal(rep.count, 4);
    for (size_t i = 1; i < rep.count; i++)
        assert_true(rep.errors[i - 1].line <= rep.errors[i].line);
    char *s = load_error_format(&rep.errors[0]);
    char want[600];
    snprintf(want, sizeof(want), "%s/network.ini:3: [a] unknown parameter "
             "'foo' for lfoCHOP", scratch());
    assert_string_equal(s, want);
    free(s);
}

static void test_long_line_and_unreadable(void **state)
{
    (void)state;
    char text[600];
    snprintf(text, sizeof(text), "[t]\nOPType = textDAT\ntext = %0300d\n", 1);
    bad(text);
    expect(&rep, LOAD_ERR_SYNTAX, 3, "longer than");
    load_report_free(&rep);
    struct load_options opt = {0};
    assert_null(network_load("/nonexistent/vitrine/net.ini", &opt, &rep));
    assert_int_equal(rep.errors[0].kind, LOAD_ERR_IO);
    assert_int_equal(rep.errors[0].line, 0);
}

static void test_good_network(void **state)
{
    (void)state;
    write_file("rows.csv", "name,value\nalpha,1\n\"b, quoted\",2\n");
    write_file("script.txt", "print('hello')\n");
    struct graph *g = load_ok(
        "; a comment\n"
        "[network]\nname = show\noutput = out1\nresolution = 640x360\n"
        "fps = 30\n"
        "[lfo1]\nOPType = lfoCHOP   ; inline comment\nfrequency = 0.5\n"
        "[container1]\nOPType = baseCOMP\n"
        "[container1/inner]\nOPType = baseCOMP\n"
        "[container1/inner/noise2]\nOPType = noiseCHOP\n"
        "[notes]\nOPType = textDAT\ntext = first line\n"
        "  second line\n  third line\n"
        "[script]\nOPType = textDAT\nfile = script.txt\n"
        "[rows]\nOPType = tableDAT\nfile = rows.csv\n"
        "[inline]\nOPType = tableDAT\ntext = a,b\n  1,2\n"
        "[out1]\nOPType = nullCHOP\ninputs = lfo1\n");
    assert_string_equal(g->root->path, "/show");
    assert_int_equal(g->width, 640);
    assert_int_equal(g->height, 360);
    assert_true(g->time.rate == 30);
    assert_non_null(graph_find(g, "/show/container1/inner/noise2"));
    assert_string_equal(g->output->path, "/show/out1");
    struct op *notes = graph_find(g, "notes");
    graph_begin_frame(g, 1);
    graph_cook_op(g, notes);
    assert_string_equal(notes->dat.text, "first line\nsecond line\nthird line");
    struct op *script = graph_find(g, "script");
    graph_cook_op(g, script);
    assert_string_equal(script->dat.text, "print('hello')\n");
    struct op *rows = graph_find(g, "rows");
    graph_cook_op(g, rows);
    assert_int_equal(rows->dat.nrows, 3);
    assert_int_equal(rows->dat.ncols, 2);
    assert_string_equal(dat_cell(&rows->dat, 2, 0), "b, quoted");
    int col = dat_col_index(&rows->dat, "value");
    assert_int_equal(col, 1);
    assert_string_equal(dat_cell(&rows->dat, dat_row_index(&rows->dat,
                                                           "alpha"), col), "1");
    struct op *in = graph_find(g, "inline");
    graph_cook_op(g, in);
    assert_string_equal(dat_cell(&in->dat, 1, 1), "2");
    assert_int_equal(graph_find(g, "lfo1")->pars[0].line, 0);
    assert_int_equal(op_par(graph_find(g, "lfo1"), "frequency")->line, 9);
    graph_destroy(&g);
}

/* A stand-in for the Python evaluator: integer literals and "frame". */
static int fake_compile(void *ctx, struct op *op, struct par *p,
                        const char *src, void **code, char *err, size_t n)
{
    (void)ctx;
    (void)op;
    (void)p;
    if (strcmp(src, "frame") != 0 && strspn(src, "0123456789.") !=
                                         strlen(src)) {
        snprintf(err, n, "cannot compile '%s'", src);
        return -1;
    }
    *code = xstrdup(src);
    return 0;
}

static int fake_eval(void *ctx, struct op *op, struct par *p, void *code,
                     double *num, char **str, char *err, size_t n)
{
    (void)ctx;
    (void)p;
    (void)str;
    (void)err;
    (void)n;
    *num = strcmp(code, "frame") == 0 ? (double)op->graph->time.frame
                                      : atof(code);
    return 0;
}

static void fake_release(void *ctx, void *code)
{
    (void)ctx;
    free(code);
}

static const struct expr_evaluator fake = {
    .compile = fake_compile, .eval = fake_eval, .release = fake_release,
};

static void test_evaluator_interface(void **state)
{
    (void)state;
    struct graph *g = load_text("[network]\noutput = c\n"
                                "[c]\nOPType = constantCHOP\nname0 = x\n"
                                "value0.expr = frame\n"
                                "value1.expr = 2.5\nname1 = y\n",
                                &rep, &fake);
    if (!g)
        dump_report(&rep);
    assert_non_null(g);
    run_frames(g, 1, 3);
    assert_true(chan(g, "c", "x") == 3);
    assert_true(chan(g, "c", "y") == 2.5);
    graph_destroy(&g);
    load_report_free(&rep);
    assert_null(load_text("[c]\nOPType = constantCHOP\nvalue0.expr = x!\n",
                          &rep, &fake));
    expect(&rep, LOAD_ERR_BAD_VALUE, 3, "cannot compile 'x!'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_syntax, reset),
        cmocka_unit_test_setup(test_unknown_type_and_missing_type, reset),
        cmocka_unit_test_setup(test_parameters, reset),
        cmocka_unit_test_setup(test_inputs, reset),
        cmocka_unit_test_setup(test_files, reset),
        cmocka_unit_test_setup(test_endless_and_huge_files, reset),
        cmocka_unit_test_setup(test_duplicates_and_cycles, reset),
        cmocka_unit_test_setup(test_export_cycle, reset),
        cmocka_unit_test_setup(test_modes_without_python, reset),
        cmocka_unit_test_setup(test_network_section_and_parents, reset),
        cmocka_unit_test_setup(test_every_problem_in_line_order, reset),
        cmocka_unit_test_setup(test_long_line_and_unreadable, reset),
        cmocka_unit_test_setup(test_good_network, reset),
        cmocka_unit_test_setup(test_evaluator_interface, reset),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    load_report_free(&rep);
    return rc;
}
