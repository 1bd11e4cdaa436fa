/* Cooking: pull-based, at most once per frame, only on change or time. */
#include "helpers.h"

static int quiet(void **state)
{
    (void)state;
    capture_log();
    return 0;
}

static void test_time(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\nfps = 60\n");
    graph_begin_frame(g, 1);
    assert_int_equal(g->time.frame, 1);
    assert_true(g->time.seconds == 0.0);
    graph_begin_frame(g, 61);
    assert_true(g->time.seconds == 1.0);
    assert_int_equal(g->abs.frame, 2); /* absTime counts frames run */
    graph_destroy(&g);
}

static void test_unchanged_does_not_recook(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = out\n"
                              "[c]\nOPType = constantCHOP\nname0 = a\n"
                              "value0 = 0.25\n"
                              "[m]\nOPType = mathCHOP\ninputs = c\ngain = 2\n"
                              "[out]\nOPType = nullCHOP\ninputs = m\n");
    struct op *c = graph_find(g, "c"), *m = graph_find(g, "m"),
              *out = graph_find(g, "out");
    run_frames(g, 1, 10);
    assert_int_equal(c->cook_count, 1);
    assert_int_equal(m->cook_count, 1);
    assert_int_equal(out->cook_count, 1);
    assert_true(chan(g, "out", "a") == 0.5);
    /* A parameter change cooks the op and what is downstream, once. */
    char err[256];
    assert_int_equal(par_set_double(m, op_par(m, "gain"), 4, err,
                                    sizeof(err)), PAR_OK);
    run_frames(g, 11, 20);
    assert_int_equal(c->cook_count, 1);
    assert_int_equal(m->cook_count, 2);
    assert_int_equal(out->cook_count, 2);
    assert_int_equal(m->cook_frame, 11);
    assert_true(chan(g, "out", "a") == 1.0);
    /* Setting the same value again is no change. */
    assert_int_equal(par_set_double(m, op_par(m, "gain"), 4, err,
                                    sizeof(err)), PAR_OK);
    run_frames(g, 21, 22);
    assert_int_equal(m->cook_count, 2);
    graph_destroy(&g);
}

static void test_once_per_frame_and_time_dependence(void **state)
{
    (void)state;
    /* lfo feeds two branches that the output pulls; it still cooks once. */
    struct graph *g = load_ok("[network]\noutput = out\n"
                              "[lfo]\nOPType = lfoCHOP\n"
                              "[c]\nOPType = constantCHOP\nname0 = k\n"
                              "[a]\nOPType = mathCHOP\ninputs = lfo\n"
                              "[b]\nOPType = mathCHOP\ninputs = lfo\n"
                              "[out]\nOPType = mergeCHOP\ninputs = a, b, c\n"
                              "duplicate = last\n");
    struct op *lfo = graph_find(g, "lfo"), *a = graph_find(g, "a"),
              *c = graph_find(g, "c"), *out = graph_find(g, "out");
    run_frames(g, 1, 5);
    assert_int_equal(lfo->cook_count, 5);
    assert_int_equal(a->cook_count, 5);
    assert_int_equal(out->cook_count, 5);
    assert_int_equal(c->cook_count, 1);
    /* Asking again within the frame cooks nothing more. */
    graph_cook_op(g, out);
    graph_cook(g);
    assert_int_equal(lfo->cook_count, 5);
    /* Frame numbers may jump (frames skipped); time follows them. */
    graph_begin_frame(g, 31);
    graph_cook(g);
    assert_int_equal(lfo->cook_count, 6);
    assert_true(g->time.seconds == 0.5);
    graph_destroy(&g);
}

static void test_pull_only_what_is_needed(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = out\n"
                              "[lfo]\nOPType = lfoCHOP\n"
                              "[out]\nOPType = nullCHOP\ninputs = lfo\n"
                              "[idle_src]\nOPType = lfoCHOP\n"
                              "[idle]\nOPType = nullCHOP\ninputs = idle_src\n");
    struct op *idle = graph_find(g, "idle"), *src = graph_find(g, "idle_src");
    run_frames(g, 1, 3);
    assert_int_equal(idle->cook_count, 0);
    assert_int_equal(src->cook_count, 0);
    /* Asking for it cooks it and what it needs, now. */
    graph_cook_op(g, idle);
    assert_int_equal(idle->cook_count, 1);
    assert_int_equal(src->cook_count, 1);
    assert_int_equal(src->cook_frame, 3);
    graph_destroy(&g);
}

static void test_always_cook_roots(void **state)
{
    (void)state;
    struct graph *g = load_ok("[cb]\nOPType = executeDAT\n"
                              "text = def onStart(): pass\n"
                              "[watched]\nOPType = lfoCHOP\n"
                              "[ce]\nOPType = chopexecDAT\nchop = watched\n");
    run_frames(g, 1, 4);
    struct op *cb = graph_find(g, "cb"), *ce = graph_find(g, "ce"),
              *w = graph_find(g, "watched");
    assert_int_equal(cb->cook_count, 1); /* pulled every frame, unchanged */
    assert_int_equal(cb->pulled_frame, 4);
    assert_string_equal(cb->dat.text, "def onStart(): pass");
    assert_non_null(strstr(cb->warning, "no Python interpreter"));
    assert_int_equal(w->cook_count, 4); /* the watched CHOP is pulled */
    assert_int_equal(ce->cook_count, 4);
    graph_destroy(&g);
}

static void test_export(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = l\n"
                              "[c]\nOPType = constantCHOP\nname0 = amp\n"
                              "value0 = 0.5\n"
                              "[l]\nOPType = lfoCHOP\nwavetype = square\n"
                              "amp.export = c:amp\n");
    struct op *c = graph_find(g, "c"), *l = graph_find(g, "l");
    struct par *amp = op_par(l, "amp");
    assert_int_equal(amp->mode, PAR_MODE_EXPORT);
    run_frames(g, 1, 1);
    assert_true(par_get_double(l, amp) == 0.5);
    assert_true(chan(g, "l", "chan1") == 0.5);
    uint64_t pv = l->par_version;
    run_frames(g, 2, 5);
    assert_true(l->par_version == pv); /* same value: not a change */
    char err[256];
    assert_int_equal(par_set_double(c, op_par(c, "value0"), 0.75, err,
                                    sizeof(err)), PAR_OK);
    run_frames(g, 6, 6);
    assert_true(par_get_double(l, amp) == 0.75);
    assert_true(chan(g, "l", "chan1") == 0.75); /* in the same frame */
    /* A channel that goes away leaves the value and warns once. */
    assert_int_equal(par_set_text(c, op_par(c, "name0"), "other", err,
                                  sizeof(err)), PAR_OK);
    run_frames(g, 7, 9);
    assert_true(par_get_double(l, amp) == 0.75);
    assert_non_null(strstr(l->warning, "has no channel 'amp'"));
    graph_destroy(&g);
}

static void test_error_keeps_last_output(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = s\n"
                              "[c]\nOPType = constantCHOP\nname0 = v\n"
                              "value0 = 3\n"
                              "[s]\nOPType = selectCHOP\nchop = c\n");
    struct op *s = graph_find(g, "s");
    run_frames(g, 1, 1);
    assert_true(chan(g, "s", "v") == 3);
    uint64_t ov = s->out_version;
    char err[256];
    assert_int_equal(par_set_text(s, op_par(s, "chop"), "", err, sizeof(err)),
                     PAR_OK);
    run_frames(g, 2, 4);
    assert_non_null(s->error);
    assert_non_null(strstr(s->error, "nothing to select from"));
    assert_true(s->out_version == ov);
    assert_int_equal(s->cook_count, 2); /* not retried every frame */
    assert_true(chop_value(&s->chop, 0) == 3);
    assert_int_equal(par_set_text(s, op_par(s, "chop"), "c", err, sizeof(err)),
                     PAR_OK);
    run_frames(g, 5, 5);
    assert_null(s->error);
    assert_non_null(strstr(logged(), "error cleared"));
    graph_destroy(&g);
}

static void test_runtime_cycle_is_survived(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = b\n"
                              "[a]\nOPType = mathCHOP\ninputs = lfo\n"
                              "[lfo]\nOPType = lfoCHOP\n"
                              "[b]\nOPType = nullCHOP\ninputs = a\n");
    run_frames(g, 1, 1);
    struct op *a = graph_find(g, "a"), *b = graph_find(g, "b");
    char err[256];
    assert_int_equal(op_set_inputs(a, &b, 1, err, sizeof(err)), 0);
    run_frames(g, 2, 3);
    assert_non_null(strstr(logged(), "dependency cycle"));
    assert_int_equal(b->cook_count, 1);
    graph_cook_op(g, b); /* bounded even on a cycle */
    graph_destroy(&g);
}

static void test_force_and_profile(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = c\n"
                              "[c]\nOPType = constantCHOP\nname0 = x\n");
    g->profile_every = 1;
    struct op *c = graph_find(g, "c");
    run_frames(g, 1, 2);
    assert_int_equal(c->cook_count, 1);
    graph_force_cook(g, c);
    assert_int_equal(c->cook_count, 2);
    assert_true(c->cook_ms >= 0 && c->cook_ms < 1000);
    graph_destroy(&g);
}

/* On a profiled frame each cook is timed from where the previous one
 * ended when they follow each other: the times stay disjoint, within the
 * frame's cook, and nothing from before the frame is counted. */
static void test_chained_cook_times_stay_within_the_frame(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = out\n"
                              "[l]\nOPType = lfoCHOP\n"
                              "[m]\nOPType = mathCHOP\ninputs = l\n"
                              "[k]\nOPType = constantCHOP\nname0 = k\n"
                              "[mg]\nOPType = mergeCHOP\ninputs = m, k\n"
                              "[out]\nOPType = nullCHOP\ninputs = mg\n");
    g->profile_every = 1;
    run_frames(g, 1, 1);
    struct timespec gap = {0, 30 * 1000000};
    nanosleep(&gap, NULL);
    graph_begin_frame(g, 2);
    int64_t t0 = clock_now_ns();
    graph_cook(g);
    double wall_ms = (double)(clock_now_ns() - t0) * 1e-6;
    double sum = 0;
    int cooked = 0;
    static const char *const names[] = {"l", "m", "k", "mg", "out"};
    for (size_t i = 0; i < 5; i++) {
        struct op *op = graph_find(g, names[i]);
        if (op->cook_frame != 2)
            continue;
        assert_true(op->cook_ms >= 0);
        sum += op->cook_ms;
        cooked++;
    }
    assert_int_equal(cooked, 4); /* all but the constant */
    assert_true(sum <= wall_ms);
    graph_destroy(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_time, quiet),
        cmocka_unit_test_setup(test_unchanged_does_not_recook, quiet),
        cmocka_unit_test_setup(test_once_per_frame_and_time_dependence, quiet),
        cmocka_unit_test_setup(test_pull_only_what_is_needed, quiet),
        cmocka_unit_test_setup(test_always_cook_roots, quiet),
        cmocka_unit_test_setup(test_export, quiet),
        cmocka_unit_test_setup(test_error_keeps_last_output, quiet),
        cmocka_unit_test_setup(test_runtime_cycle_is_survived, quiet),
        cmocka_unit_test_setup(test_force_and_profile, quiet),
        cmocka_unit_test_setup(test_chained_cook_times_stay_within_the_frame,
                               quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
