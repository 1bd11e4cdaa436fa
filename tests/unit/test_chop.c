/* CHOP types: values at known frames, computed here independently. */
#include <math.h>

#include "helpers.h"

static int quiet(void **state)
{
    (void)state;
    capture_log();
    return 0;
}

static void set(struct graph *g, const char *path, const char *par,
                const char *value)
{
    char err[512];
    struct op *op = graph_find(g, path);
    assert_non_null(op);
    struct par *p = op_par(op, par);
    if (!p)
        fail_msg("%s has no parameter %s", path, par);
    if (par_set_text(op, p, value, err, sizeof(err)) != PAR_OK)
        fail_msg("%s.%s = %s: %s", path, par, value, err);
}

static double lfo_at(struct graph *g, int64_t frame)
{
    graph_begin_frame(g, frame);
    graph_cook(g);
    return chan(g, "l", "chan1");
}

static void test_lfo_waves(void **state)
{
    (void)state;
    /* Frames only move forward (each cooks once); every block starts at a
     * whole second, base + 1, so the offsets give the same phase. */
    struct graph *g = load_ok("[network]\nfps = 60\noutput = l\n"
                              "[l]\nOPType = lfoCHOP\nfrequency = 1\n");
    assert_true(lfo_at(g, 1) == 0.0);
    assert_true(lfo_at(g, 11) == sin(2 * M_PI * (10.0 / 60)));
    assert_true(lfo_at(g, 16) == 1.0);                 /* t = 0.25 */
    set(g, "l", "wavetype", "tri");
    assert_near(lfo_at(g, 69), 4.0 * 8 / 60, 1e-12);   /* t = 1 + 8/60 */
    assert_near(lfo_at(g, 76), 1.0, 1e-12);
    assert_near(lfo_at(g, 106), -1.0, 1e-12);
    set(g, "l", "wavetype", "square");
    assert_true(lfo_at(g, 150) == 1.0);
    assert_true(lfo_at(g, 151) == -1.0);               /* t = 2.5 */
    set(g, "l", "wavetype", "ramp");
    assert_true(lfo_at(g, 211) == 0.5);                /* t = 3.5 */
    set(g, "l", "wavetype", "pulse");
    assert_true(lfo_at(g, 241) == 1.0);                /* t = 4: a cycle */
    assert_true(lfo_at(g, 242) == 0.0);
    assert_true(lfo_at(g, 300) == 0.0);
    assert_true(lfo_at(g, 301) == 1.0);
    set(g, "l", "wavetype", "sin");
    set(g, "l", "amp", "2");
    set(g, "l", "offset", "0.5");
    set(g, "l", "phase", "0.25");
    assert_near(lfo_at(g, 361), 2.5, 1e-12);
    set(g, "l", "frequency", "0.5");
    set(g, "l", "phase", "0");
    /* t = 6.5: x = 3.25 */
    assert_near(lfo_at(g, 391), 0.5 + 2 * sin(2 * M_PI * 0.25), 1e-12);
    set(g, "l", "channelname", "a b");
    run_frames(g, 392, 392);
    assert_int_equal(graph_find(g, "l")->chop.nchan, 2);
    assert_true(chan(g, "l", "b") == chan(g, "l", "a"));
    graph_destroy(&g);
}

static void test_math(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = m\n"
                              "[c]\nOPType = constantCHOP\nname0 = x\n"
                              "value0 = 0.5\nname1 = y\nvalue1 = -1\n"
                              "[d]\nOPType = constantCHOP\nname0 = x\n"
                              "value0 = 4\n"
                              "[m]\nOPType = mathCHOP\ninputs = c\n"
                              "preoff = 1\ngain = 2\npostoff = -1\n"
                              "fromrange1 = 0\nfromrange2 = 4\n"
                              "torange1 = 0\ntorange2 = 1\n");
    run_frames(g, 1, 1);
    assert_true(chan(g, "m", "x") == 0.5);  /* ((0.5+1)*2-1)/4 */
    assert_true(chan(g, "m", "y") == -0.25); /* ((-1+1)*2-1)/4 */
    struct op *m = graph_find(g, "m"), *c = graph_find(g, "c"),
              *d = graph_find(g, "d");
    struct op *ins[] = {c, d};
    char err[256];
    assert_int_equal(op_set_inputs(m, ins, 2, err, sizeof(err)), 0);
    set(g, "m", "preoff", "0");
    set(g, "m", "gain", "1");
    set(g, "m", "postoff", "0");
    set(g, "m", "fromrange2", "1");
    static const struct { const char *op; double x, y; } cases[] = {
        {"add", 4.5, -1}, {"sub", -3.5, -1}, {"mul", 2, -1},
        {"avg", 2.25, -0.5}, {"min", 0.5, -1}, {"max", 4, -1},
        {"off", 0.5, -1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        set(g, "m", "chopop", cases[i].op);
        run_frames(g, (int64_t)i + 2, (int64_t)i + 2);
        if (chan(g, "m", "x") != cases[i].x || chan(g, "m", "y") != cases[i].y)
            fail_msg("chopop %s: x=%g y=%g, expected %g %g", cases[i].op,
                     chan(g, "m", "x"), chan(g, "m", "y"), cases[i].x,
                     cases[i].y);
    }
    graph_destroy(&g);
}

static void test_constant(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = c\n"
                              "[c]\nOPType = constantCHOP\nname0 = tx\n"
                              "value0 = 1.5\nname3 = ty\nvalue3 = -2\n"
                              "value1 = 9\n");
    run_frames(g, 1, 1);
    struct op *c = graph_find(g, "c");
    assert_int_equal(c->chop.nchan, 2); /* slot 1 has no name */
    assert_string_equal(c->chop.names[0], "tx");
    assert_string_equal(c->chop.names[1], "ty");
    assert_true(chan(g, "c", "tx") == 1.5);
    assert_true(chan(g, "c", "ty") == -2);
    set(g, "c", "name3", "tx");
    run_frames(g, 2, 2);
    assert_non_null(c->error);
    assert_non_null(strstr(c->error, "channel 'tx' is already const0name"));
    graph_destroy(&g);
}

static void test_noise(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = m\n"
                              "[a]\nOPType = noiseCHOP\nseed = 3\namp = 2\n"
                              "offset = 5\nharmon = 3\n"
                              "[b]\nOPType = noiseCHOP\nseed = 3\namp = 2\n"
                              "offset = 5\nharmon = 3\n"
                              "[c]\nOPType = noiseCHOP\nseed = 4\namp = 2\n"
                              "offset = 5\nharmon = 3\n"
                              "[r]\nOPType = noiseCHOP\ntype = random\n"
                              "channelname = r1 r2\n"
                              "[m]\nOPType = mergeCHOP\ninputs = a, c, r\n");
    double prev = 0, maxstep = 0;
    int differ = 0, rand_changes = 0, rand_chan_differ = 0;
    double prev_r = 0;
    for (int64_t f = 1; f <= 600; f++) {
        run_frames(g, f, f);
        double a = chan(g, "a", "chan1"), b = chan(g, "b", "chan1");
        double c = chan(g, "c", "chan1"), r = chan(g, "r", "r1");
        assert_true(a == b); /* same seed, same values */
        assert_true(a >= 3 && a <= 7);
        assert_true(r >= -1 && r <= 1);
        differ += a != c;
        rand_changes += f > 1 && r != prev_r;
        rand_chan_differ += r != chan(g, "r", "r2");
        if (f > 1 && fabs(a - prev) > maxstep)
            maxstep = fabs(a - prev);
        prev = a;
        prev_r = r;
        if (f == 1)
            assert_true(a == 5); /* gradient noise is 0 at whole x */
    }
    assert_true(differ >= 589); /* all but whole x, where both are 0 */
    assert_true(rand_changes > 590);
    assert_true(rand_chan_differ > 590);
    assert_true(maxstep < 0.5); /* smooth: small steps between frames */
    set(g, "a", "period", "0");
    run_frames(g, 601, 601);
    assert_non_null(graph_find(g, "a")->error);
    graph_destroy(&g);
}

/* One frame with input x; returns the filtered value. */
static double step(struct graph *g, int64_t frame, double x, const char *out)
{
    char v[64];
    snprintf(v, sizeof(v), "%.17g", x);
    set(g, "in", "value0", v);
    run_frames(g, frame, frame);
    return chan(g, out, "x");
}

static void test_lowpass_and_box_filter(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\nfps = 60\noutput = f\n"
                              "[in]\nOPType = constantCHOP\nname0 = x\n"
                              "[f]\nOPType = filterCHOP\ninputs = in\n"
                              "width = 0.1\n");
    double y = step(g, 1, 0, "f");
    assert_true(y == 0);
    double a = 1 - exp(-(1.0 / 60) / 0.1);
    for (int64_t f = 2; f <= 20; f++) {
        double expect = y + (1 - y) * a;
        y = step(g, f, 1, "f");
        assert_near(y, expect, 1e-15);
    }
    set(g, "f", "type", "box");
    set(g, "f", "width", "0.05"); /* 3 frames */
    const double xs[] = {3, 6, 9, 0, 0, 0};
    const double want[] = {3, 4.5, 6, 5, 3, 0};
    for (int i = 0; i < 6; i++)
        assert_near(step(g, 21 + i, xs[i], "f"), want[i], 1e-12);
    graph_destroy(&g);
}

static void test_one_euro_filter(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\nfps = 50\noutput = f\n"
                              "[in]\nOPType = constantCHOP\nname0 = x\n"
                              "[f]\nOPType = filterCHOP\ninputs = in\n"
                              "type = oneeuro\ncutoff = 1.5\n"
                              "speedcoeff = 0.1\nslopecutoff = 2\n");
    /* Reference: Casiez, Roussel, Vogel 2012, written out here. */
    double dt = 1.0 / 50, y = 0, x_prev = 0, dx = 0;
    for (int64_t f = 1; f <= 100; f++) {
        double x = sin((double)f * 0.3) + (f % 7 == 0 ? 0.2 : 0);
        double got = step(g, f, x, "f");
        if (f == 1) {
            y = x;
        } else {
            double d = (x - x_prev) / dt;
            double ad = 1.0 / (1.0 + (1.0 / (2 * M_PI * 2)) / dt);
            dx += ad * (d - dx);
            double cut = 1.5 + 0.1 * fabs(dx);
            double ax = 1.0 / (1.0 + (1.0 / (2 * M_PI * cut)) / dt);
            y += ax * (x - y);
        }
        x_prev = x;
        assert_near(got, y, 1e-12);
    }
    graph_destroy(&g);
}

static void test_lag(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\nfps = 60\noutput = l\n"
                              "[in]\nOPType = constantCHOP\nname0 = x\n"
                              "[l]\nOPType = lagCHOP\ninputs = in\n"
                              "lag1 = 0.5\nlag2 = 0.1\n");
    double y = step(g, 1, 0, "l");
    double up = 1 - exp(-(1.0 / 60) / 0.5), down = 1 - exp(-(1.0 / 60) / 0.1);
    for (int64_t f = 2; f <= 30; f++) {
        double expect = y + (1 - y) * up;
        y = step(g, f, 1, "l");
        assert_near(y, expect, 1e-15);
    }
    for (int64_t f = 31; f <= 40; f++) {
        double expect = y + (0 - y) * down;
        y = step(g, f, 0, "l");
        assert_near(y, expect, 1e-15);
    }
    set(g, "l", "lag2", "0");
    assert_true(step(g, 41, -3, "l") == -3);
    graph_destroy(&g);
}

static void test_select_and_merge(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\noutput = m\n"
                              "[c]\nOPType = constantCHOP\n"
                              "name0 = tx\nvalue0 = 1\nname1 = ty\nvalue1 = 2\n"
                              "name2 = rz\nvalue2 = 3\n"
                              "[d]\nOPType = constantCHOP\n"
                              "name0 = tx\nvalue0 = 10\nname1 = w\nvalue1 = 20\n"
                              "[s]\nOPType = selectCHOP\nchop = c\n"
                              "channames = t*\n"
                              "renamefrom = t*\nrenameto = pos_*\n"
                              "[s2]\nOPType = selectCHOP\ninputs = d\n"
                              "channames = w\nrenamefrom = w\nrenameto = width\n"
                              "[m]\nOPType = mergeCHOP\ninputs = c, d\n"
                              "[n]\nOPType = nullCHOP\ninputs = s\n");
    run_frames(g, 1, 1);
    struct op *s = graph_find(g, "s");
    graph_cook_op(g, s);
    assert_int_equal(s->chop.nchan, 2);
    assert_true(chan(g, "s", "pos_x") == 1);
    assert_true(chan(g, "s", "pos_y") == 2);
    assert_true(chan(g, "s2", "width") == 20);
    assert_true(chan(g, "n", "pos_y") == 2);
    struct op *m = graph_find(g, "m");
    assert_int_equal(m->chop.nchan, 4); /* tx ty rz w */
    assert_true(chan(g, "m", "tx") == 1);
    assert_true(chan(g, "m", "w") == 20);
    set(g, "m", "duplicate", "last");
    run_frames(g, 2, 2);
    assert_true(chan(g, "m", "tx") == 10);
    /* Renames that collide are an error, not two channels of one name. */
    set(g, "s", "renameto", "same");
    run_frames(g, 3, 3);
    graph_cook_op(g, s);
    assert_non_null(s->error);
    assert_non_null(strstr(s->error, "two selected channels are named 'same'"));
    /* ...and the output stays what it was, names and values */
    assert_int_equal(s->chop.nchan, 2);
    assert_true(chan(g, "s", "pos_x") == 1);
    assert_true(chan(g, "s", "pos_y") == 2);
    run_frames(g, 4, 4); /* and again next frame */
    graph_cook_op(g, s);
    assert_int_equal(s->chop.nchan, 2);
    assert_true(chan(g, "s", "pos_y") == 2);
    /* Layout changes upstream are followed. */
    set(g, "s", "renameto", "p*");
    set(g, "c", "name1", "tq");
    run_frames(g, 5, 5);
    graph_cook_op(g, s);
    assert_null(s->error);
    assert_true(chan(g, "s", "pq") == 2);
    graph_destroy(&g);
}

struct timer_vals {
    double running, done, fraction, seconds, cycles;
};

static struct timer_vals timer_at(struct graph *g, int64_t frame)
{
    run_frames(g, frame, frame);
    return (struct timer_vals){
        chan(g, "t", "running"), chan(g, "t", "done"),
        chan(g, "t", "timer_fraction"), chan(g, "t", "timer_seconds"),
        chan(g, "t", "cycles"),
    };
}

static void pulse(struct graph *g, const char *par)
{
    struct op *t = graph_find(g, "t");
    par_pulse(t, op_par(t, par));
}

static void test_timer(void **state)
{
    (void)state;
    struct graph *g = load_ok("[network]\nfps = 60\noutput = t\n"
                              "[t]\nOPType = timerCHOP\nlength = 1\n");
    struct timer_vals v = timer_at(g, 1);
    assert_true(v.running == 0 && v.done == 0 && v.fraction == 0);
    pulse(g, "start");
    v = timer_at(g, 2);
    assert_true(v.running == 1 && v.fraction == 0 && v.seconds == 0);
    v = timer_at(g, 32);
    assert_true(v.fraction == 0.5 && v.seconds == 0.5);
    v = timer_at(g, 61);
    assert_true(v.running == 1 && v.done == 0);
    v = timer_at(g, 62);
    assert_true(v.running == 0 && v.done == 1 && v.fraction == 1);
    /* Done: nothing depends on time any more, so it stops cooking. */
    uint64_t cooks = graph_find(g, "t")->cook_count;
    timer_at(g, 100);
    assert_int_equal(graph_find(g, "t")->cook_count, cooks);
    /* Cycling. */
    set(g, "t", "cycle", "on");
    pulse(g, "start");
    timer_at(g, 101);
    v = timer_at(g, 161);
    assert_true(v.running == 1 && v.fraction == 0 && v.cycles == 1);
    v = timer_at(g, 176);
    assert_true(v.fraction == 0.25);
    /* Pause and resume: the paused frames do not count. */
    set(g, "t", "play", "off");
    timer_at(g, 177);
    v = timer_at(g, 200);
    assert_true(v.running == 1);
    assert_true(v.fraction == 0.25);
    set(g, "t", "play", "on");
    v = timer_at(g, 210);
    assert_near(v.fraction, 0.25 + 10.0 / 60, 1e-12);
    /* Cue point, speed, go to done, initialize. */
    set(g, "t", "cuepoint", "0.75");
    pulse(g, "cuepulse");
    v = timer_at(g, 211);
    assert_true(v.fraction == 0.75);
    set(g, "t", "speed", "2");
    v = timer_at(g, 212);
    assert_near(v.fraction, 0.75 + 2.0 / 60, 1e-12);
    pulse(g, "gotodone");
    v = timer_at(g, 213);
    assert_true(v.done == 1 && v.running == 0);
    pulse(g, "initialize");
    v = timer_at(g, 214);
    assert_true(v.done == 0 && v.running == 0 && v.fraction == 0);
    /* A limited number of cycles. */
    set(g, "t", "speed", "1");
    set(g, "t", "cyclelimit", "on");
    set(g, "t", "maxcycles", "2");
    pulse(g, "start");
    timer_at(g, 300);
    v = timer_at(g, 360);
    assert_true(v.cycles == 1 && v.running == 1);
    v = timer_at(g, 420);
    assert_true(v.done == 1 && v.cycles == 1);
    graph_destroy(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_lfo_waves, quiet),
        cmocka_unit_test_setup(test_math, quiet),
        cmocka_unit_test_setup(test_constant, quiet),
        cmocka_unit_test_setup(test_noise, quiet),
        cmocka_unit_test_setup(test_lowpass_and_box_filter, quiet),
        cmocka_unit_test_setup(test_one_euro_filter, quiet),
        cmocka_unit_test_setup(test_lag, quiet),
        cmocka_unit_test_setup(test_select_and_merge, quiet),
        cmocka_unit_test_setup(test_timer, quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
