/* The frame loop (kiosk/loop.c): frames are paced from the end of the
 * first frame and all that follows it (between(): the wait for its
 * pixels before READY=1), so that a slow start is not counted as
 * frames skipped; a slow frame later is. At 10 fps, so that a loaded
 * machine's hiccups stay well inside a frame. */
#include <time.h>

#include "../../kiosk/loop.h"
#include "helpers.h"

struct slow {
    int64_t at;  /* between() after this frame (1: the first) is slow */
    int64_t calls;
};

static struct graph *slow_between(void *userdata, struct graph *g)
{
    struct slow *s = userdata;
    if (++s->calls == s->at) /* three frames' time */
        nanosleep(&(struct timespec){0, 300000000}, NULL);
    return g;
}

static struct loop_stats run(int64_t slow_at, int64_t frames)
{
    struct graph *g = load_ok("[network]\nfps = 10\n"
                              "[c]\nOPType = constantCHOP\nvalue0 = 1\n");
    assert_true(g->realtime);
    volatile sig_atomic_t stop = 0;
    struct slow s = {.at = slow_at};
    struct loop_params p = {.graph = g, .max_frames = frames, .stop = &stop,
                            .between = slow_between, .userdata = &s,
                            .epoch = -1};
    struct loop_stats st;
    loop_run(&p, &st);
    assert_int_equal(st.frames, frames);
    graph_destroy(&g);
    return st;
}

static void test_a_slow_start_skips_nothing(void **state)
{
    (void)state;
    struct loop_stats st = run(1, 4);
    assert_int_equal(st.skipped, 0);
}

static void test_a_slow_frame_later_skips(void **state)
{
    (void)state;
    /* 300 ms after frame 2: frame 3 starts three frames late */
    struct loop_stats st = run(2, 4);
    assert_true(st.skipped >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_slow_start_skips_nothing),
        cmocka_unit_test(test_a_slow_frame_later_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
