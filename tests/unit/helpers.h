/* helpers.h: what the unit tests share. Header-only so each test program
 * stays one file linked against libvitrine. */
#ifndef VITRINE_TEST_HELPERS_H
#define VITRINE_TEST_HELPERS_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../engine/base/log.h"
#include "../../engine/base/util.h"
#include "../../engine/graph/graph.h"
#include "../../engine/graph/loader.h"
#include "../../engine/graph/registry.h"

/* Log lines go here instead of stderr, so tests can assert on them (any
 * thread may log: a decoder's, FFmpeg's own). */
static struct strbuf test_log;
static pthread_mutex_t test_log_lock = PTHREAD_MUTEX_INITIALIZER;

static void test_log_sink(void *ud, enum log_level level, const char *prefix,
                          const char *msg)
{
    (void)ud;
    pthread_mutex_lock(&test_log_lock);
    sb_printf(&test_log, "<%d>%s %s\n", (int)level, prefix ? prefix : "", msg);
    pthread_mutex_unlock(&test_log_lock);
}

static inline void capture_log(void)
{
    sb_free(&test_log);
    log_set_sink(test_log_sink, NULL);
    log_set_level(LOG_LEVEL_DBG);
}

static inline const char *logged(void) { return test_log.s ? test_log.s : ""; }

/* A scratch folder per test program, removed at exit. */
static char scratch_dir[256];

static void remove_scratch(void)
{
    if (scratch_dir[0]) {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", scratch_dir);
    }
}

static inline const char *scratch(void)
{
    if (!scratch_dir[0]) {
        snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/vitrine-test-XXXXXX");
        if (!mkdtemp(scratch_dir))
            abort();
        atexit(remove_scratch);
    }
    return scratch_dir;
}

/* Writes text to name inside the scratch folder; returns the full path
 * (static buffer, valid until the next call). */
static inline const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", scratch(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text as a network file; returns the graph or NULL, with rep. */
static inline struct graph *load_text(const char *text,
                                      struct load_report *rep,
                                      const struct expr_evaluator *ev)
{
    const char *path = write_file("network.ini", text);
    struct load_options opt = {.eval = ev};
    *rep = (struct load_report){0};
    return network_load(path, &opt, rep);
}

/* Prints every load error, for failing assertions. */
static inline void dump_report(const struct load_report *rep)
{
    for (size_t i = 0; i < rep->count; i++) {
        char *s = load_error_format(&rep->errors[i]);
        print_message("  %s (%s)\n", s,
                      load_err_kind_name(rep->errors[i].kind));
        free(s);
    }
}

static inline struct graph *load_ok(const char *text)
{
    struct load_report rep;
    struct graph *g = load_text(text, &rep, NULL);
    if (!g)
        dump_report(&rep);
    assert_non_null(g);
    load_report_free(&rep);
    return g;
}

/* Runs frames first..last of g (begin + cook). */
static inline void run_frames(struct graph *g, int64_t first, int64_t last)
{
    for (int64_t f = first; f <= last; f++) {
        graph_begin_frame(g, f);
        graph_cook(g);
    }
}

/* Channel value of a CHOP by path and channel name; fails the test when
 * either is missing. */
static inline double chan(struct graph *g, const char *path, const char *name)
{
    struct op *op = graph_find(g, path);
    if (!op)
        fail_msg("no op %s", path);
    graph_cook_op(g, op);
    int i = chop_find_name(&op->chop, name);
    if (i < 0)
        fail_msg("%s has no channel %s", path, name);
    return chop_value(&op->chop, i);
}

#define assert_near(a, b, eps)                                              \
    do {                                                                    \
        double a_ = (a), b_ = (b);                                          \
        if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps)))                        \
            fail_msg("%s = %.17g, expected %s = %.17g (within %g)", #a, a_, \
                     #b, b_, (double)(eps));                                \
    } while (0)

#endif
