/* Persistent state (kiosk/state.c): input channels and a timer's position
 * through capture and apply; the file's check against every truncation
 * and every flipped byte; a corrupt file moved aside; the record of
 * starts that tells a crash loop. */
#include <sys/stat.h>
#include <time.h>

#include "../../kiosk/state.h"
#include "helpers.h"

static const char *net =
    "[osc]\nOPType = oscinCHOP\nport = 0\nactive = off\n"
    "[t]\nOPType = timerCHOP\nlength = 4\n";

/* The body of a state file with two channels and a running timer. */
static char *sample_state(void)
{
    struct load_report rep;
    struct graph *g = load_text(net, &rep, NULL);
    assert_non_null(g);
    const char *text =
        "op /project1/osc oscinCHOP\n"
        "c 0.25 /fader 1\n"
        "c 3 /cue\n"
        "op /project1/t timerCHOP\n"
        "t 1 1.5 2\n"
        "op /project1/gone oscinCHOP\n" /* no such op: skipped */
        "c 9 /x\n"
        "op /project1/t oscinCHOP\n"    /* another type: skipped */
        "c 9 /y\n";
    assert_int_equal(state_apply(g, text), 2);
    graph_begin_frame(g, 1);
    graph_cook_op(g, graph_find(g, "osc"));
    graph_cook_op(g, graph_find(g, "t"));
    char *again = state_capture(g);
    graph_destroy(&g);
    load_report_free(&rep);
    return again;
}

static void test_capture_and_apply_round_trip(void **state)
{
    (void)state;
    char *s = sample_state();
    /* the channels as they were, spaces in names kept; the timer's
     * position in seconds */
    assert_non_null(strstr(s, "op /project1/osc oscinCHOP\n"
                              "c 0.25 /fader 1\nc 3 /cue\n"));
    assert_non_null(strstr(s, "op /project1/t timerCHOP\nt 1 1.5 2\n"));
    assert_null(strstr(s, "/x"));
    free(s);
}

/* maxchannels caps an OSC In CHOP's channels, from saved state as from
 * the network: names beyond it are counted, make no channel and intern
 * nothing; known names still update. */
static void test_osc_channels_are_capped(void **state)
{
    (void)state;
    struct load_report rep;
    struct graph *g = load_text("[osc]\nOPType = oscinCHOP\nport = 0\n"
                                "active = off\nmaxchannels = 100\n",
                                &rep, NULL);
    assert_non_null(g);
    struct strbuf sb = {0};
    sb_puts(&sb, "op /project1/osc oscinCHOP\n");
    for (int i = 0; i < 300; i++)
        sb_printf(&sb, "c %d /new/%d\n", i, i);
    assert_int_equal(state_apply(g, sb.s), 1);
    size_t interned = g->names.count;
    struct op *op = graph_find(g, "osc");
    graph_begin_frame(g, 1);
    graph_cook_op(g, op);
    assert_int_equal(op->chop.nchan, 100);
    assert_string_equal(op->chop.names[99], "/new/99");
    assert_int_equal(op->chop.vals[99], 99);
    assert_non_null(op->warning);
    assert_non_null(strstr(op->warning, "maxchannels (100) reached"));
    assert_true(g->names.count <= interned + 1);
    /* raising the cap clears the warning; lowering it below the channels
     * there are forgets them */
    char err[256];
    assert_int_equal(par_set_text(op, op_par(op, "maxchannels"), "200", err,
                                    sizeof(err)), 0);
    graph_begin_frame(g, 2);
    graph_cook_op(g, op);
    assert_null(op->warning);
    assert_int_equal(par_set_text(op, op_par(op, "maxchannels"), "50", err,
                                    sizeof(err)), 0);
    graph_begin_frame(g, 3);
    graph_cook_op(g, op);
    assert_int_equal(op->chop.nchan, 0);
    sb_free(&sb);
    graph_destroy(&g);
    load_report_free(&rep);
}

static char *file_of(const char *dir, const char *name, size_t *len)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *data = file_read_all(path, len);
    free(path);
    return data;
}

static void put(const char *dir, const char *name, const char *data,
                size_t len)
{
    char err[256];
    assert_int_equal(write_atomic(dir, name, data, len, err, sizeof(err)),
                     0);
}

static int corrupt_files(const char *dir)
{
    char *cmd = xasprintf("ls %s | grep -c corrupt", dir);
    FILE *p = popen(cmd, "r");
    int n = 0;
    if (fscanf(p, "%d", &n) != 1)
        n = 0;
    pclose(p);
    free(cmd);
    return n;
}

static void test_every_damage_is_found(void **state)
{
    (void)state;
    capture_log();
    char *dir = xasprintf("%s/damage", scratch());
    mkdir(dir, 0700);
    char *body = sample_state();
    char err[256];
    assert_int_equal(state_save(dir, "s.state", "/n/network.ini", body, err,
                                sizeof(err)), 0);
    size_t len;
    char *good = file_of(dir, "s.state", &len);
    char *back = state_load(dir, "s.state");
    assert_non_null(back);
    assert_string_equal(back, body);
    free(back);
    /* cut short at every length: never accepted */
    for (size_t cut = 0; cut < len; cut++) {
        put(dir, "s.state", good, cut);
        back = state_load(dir, "s.state");
        if (back)
            fail_msg("a file cut at %zu of %zu bytes was accepted", cut, len);
    }
    /* one byte changed anywhere: never accepted */
    char *bad = xmalloc(len);
    for (size_t i = 0; i < len; i++) {
        memcpy(bad, good, len);
        bad[i] ^= 0x20;
        put(dir, "s.state", bad, len);
        back = state_load(dir, "s.state");
        if (back && strcmp(back, body) != 0)
            fail_msg("byte %zu changed, and a different state was "
                     "accepted", i);
        free(back);
    }
    /* each was moved aside (same second: the same name, replaced) and
     * said so */
    assert_true(corrupt_files(dir) >= 1);
    assert_non_null(strstr(logged(), "moved aside"));
    assert_non_null(strstr(logged(), "it is cut short (no end line)"));
    assert_non_null(strstr(logged(), "its checksum does not match"));
    /* no file: nothing, quietly */
    char *path = xasprintf("%s/s.state", dir);
    unlink(path);
    assert_null(state_load(dir, "s.state"));
    free(path);
    free(bad);
    free(good);
    free(body);
    free(dir);
}

static void test_starts_tell_a_crash_loop(void **state)
{
    (void)state;
    char *dir = xasprintf("%s/starts", scratch());
    char err[256];
    bool elsewhere;
    /* made when missing; a first start has nothing before it */
    assert_int_equal(runs_start(dir, NULL, 60, &elsewhere, err, sizeof(err)),
                     0);
    assert_false(elsewhere);
    runs_clean_exit(dir, NULL);
    assert_int_equal(runs_start(dir, NULL, 60, &elsewhere, err, sizeof(err)),
                     0);
    runs_clean_exit(dir, NULL);
    /* runs that never said they ended (pids that are no vitrine now) or
     * ended uncleanly: three within the window, one long ago */
    char *rec = xasprintf("%s/starts", dir);
    FILE *f = fopen(rec, "a");
    long long now = (long long)time(NULL);
    fprintf(f, "%lld 1 running\n%lld 999999 running\n%lld 2 unclean\n"
               "%lld 3 unclean\n", now - 5, now - 4, now - 3, now - 500);
    fclose(f);
    assert_int_equal(runs_start(dir, NULL, 60, &elsewhere, err, sizeof(err)),
                     3);
    size_t len;
    char *text = file_of(dir, "starts", &len);
    assert_non_null(strstr(text, " 999999 unclean\n"));
    free(text);
    /* a folder that cannot be made */
    assert_int_equal(runs_start("/proc/no/such", NULL, 60, &elsewhere, err,
                                sizeof(err)), -1);
    assert_non_null(strstr(err, "/proc/no/such"));
    free(rec);
    free(dir);
}

/* A state folder whose record cannot be written (here a folder stands
 * where the file would go, which stops root too): starts and clean stops
 * go elsewhere and count there; once the folder takes writes again, the
 * record comes back to it. Temporary files of saves cut short go. */
static void test_starts_recorded_elsewhere_and_stale_files(void **state)
{
    (void)state;
    char *dir = xasprintf("%s/ro", scratch());
    char *other = xasprintf("%s/other", scratch());
    char *block = xasprintf("%s/starts/x", dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    char *blockdir = xasprintf("%s/starts", dir);
    assert_int_equal(mkdir(blockdir, 0700), 0);
    assert_int_equal(mkdir(block, 0700), 0);
    char *stale = xasprintf("%s/.network-1.state.999999.tmp", dir);
    char *kept = xasprintf("%s/.hidden", dir);
    fclose(fopen(stale, "w"));
    fclose(fopen(kept, "w"));
    char err[256];
    bool elsewhere;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(runs_start(dir, other, 60, &elsewhere, err,
                                    sizeof(err)), 0);
        assert_true(elsewhere);
        runs_clean_exit(dir, other); /* clean: no crash loop builds up */
    }
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(access(kept, F_OK), 0);
    size_t len;
    char *text = file_of(other, "starts", &len);
    assert_non_null(strstr(text, " clean\n"));
    assert_null(strstr(text, "running"));
    free(text);
    assert_int_equal(rmdir(block), 0);
    assert_int_equal(rmdir(blockdir), 0);
    assert_int_equal(runs_start(dir, other, 60, &elsewhere, err,
                                sizeof(err)), 0);
    assert_false(elsewhere);
    /* what was recorded elsewhere (one run here: one pid, one second),
     * and this start */
    text = file_of(dir, "starts", &len);
    assert_non_null(strstr(text, " clean\n"));
    assert_non_null(strstr(text, " running\n"));
    free(text);
    char *gone = xasprintf("%s/starts", other);
    assert_int_equal(access(gone, F_OK), -1);
    free(gone);
    free(stale);
    free(kept);
    free(block);
    free(blockdir);
    free(other);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_and_apply_round_trip),
        cmocka_unit_test(test_every_damage_is_found),
        cmocka_unit_test(test_osc_channels_are_capped),
        cmocka_unit_test(test_starts_tell_a_crash_loop),
        cmocka_unit_test(test_starts_recorded_elsewhere_and_stale_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
