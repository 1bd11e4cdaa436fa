/* bench_cook: cook overhead per op per frame for a chain of math CHOPs.
 *
 *   changed    an LFO at the head changes every frame, so every op cooks
 *   unchanged  a constant at the head: every op is visited, none cooks
 *
 * The limit is a hand-written C loop doing the same arithmetic as the
 * chain (the LFO, then each op's pre-add, gain, post-add and range
 * mapping on its own parameters) in the same run. Targets: changed within
 * 3x the loop; unchanged at most 30 ns per op; cost linear in the number
 * of ops (1k, 10k, 100k).
 *
 * And loading: a network file of 2k and of 20k ops (the chain as INI
 * text) per op, next to inih reading the same text with a handler that
 * does nothing (target: within 20x it, and linear: 20k's per-op cost at
 * most 2x 2k's). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/base/log.h"
#include "../../engine/base/util.h"
#include <ini.h>

#include "../../engine/graph/graph.h"
#include "../../engine/graph/loader.h"
#include "../../engine/graph/registry.h"

struct math_params {
    double pre, gain, post, from0, from1, to0, to1;
};

static struct math_params params_of(size_t i)
{
    /* Mild values that keep the chain bounded. */
    return (struct math_params){
        .pre = 0.001 * (double)(i % 7), .gain = 0.5 + 0.001 * (double)(i % 5),
        .post = 0.25, .from0 = 0, .from1 = 1, .to0 = 0, .to1 = 1,
    };
}

static void set(struct op *op, const char *name, double v)
{
    char err[256];
    if (par_set_double(op, op_par(op, name), v, err, sizeof(err)) != PAR_OK) {
        fprintf(stderr, "bench: %s\n", err);
        exit(1);
    }
}

static struct graph *build_chain(size_t n, bool changing)
{
    struct graph *g = graph_create("bench");
    char err[256], name[32];
    struct op *head = op_create(g, g->root,
                                registry_find(changing ? "lfoCHOP"
                                                       : "constantCHOP"),
                                "head", err, sizeof(err));
    if (!changing) {
        par_set_text(head, op_par(head, "name0"), "chan1", err, sizeof(err));
        set(head, "value0", 0.5);
    }
    struct op *prev = head;
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "math%zu", i);
        struct op *m = op_create(g, g->root, registry_find("mathCHOP"), name,
                                 err, sizeof(err));
        struct math_params p = params_of(i);
        set(m, "preoff", p.pre);
        set(m, "gain", p.gain);
        set(m, "postoff", p.post);
        op_set_inputs(m, &prev, 1, err, sizeof(err));
        prev = m;
    }
    g->output = prev;
    if (graph_link(g, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        exit(1);
    }
    return g;
}

static int64_t frame_no;

/* Nanoseconds per op per frame over `frames` frames of g. */
static double time_graph(struct graph *g, size_t n, int frames)
{
    int64_t t0 = clock_now_ns();
    for (int f = 0; f < frames; f++) {
        graph_begin_frame(g, ++frame_no);
        graph_cook(g);
    }
    return (double)(clock_now_ns() - t0) / frames / (double)n;
}

/* The same arithmetic without the graph: the limit. */
static volatile double sink;

static double time_loop(const struct math_params *p, double *out, size_t n,
                        int frames)
{
    int64_t t0 = clock_now_ns();
    for (int f = 0; f < frames; f++) {
        double t = (double)(++frame_no - 1) / 60.0;
        double x = t - floor(t);
        double v = sin(2 * M_PI * x);
        for (size_t i = 0; i < n; i++) {
            double span = p[i].from1 - p[i].from0;
            double scale = span != 0 ? (p[i].to1 - p[i].to0) / span : 0;
            v = p[i].to0 + (((v + p[i].pre) * p[i].gain + p[i].post) -
                            p[i].from0) * scale;
            out[i] = v;
        }
    }
    sink = out[n - 1];
    return (double)(clock_now_ns() - t0) / frames / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of 7 runs, each of about 40 ms of work. */
#define RUNS 7
static int frames_for(size_t n) { return (int)(4000000 / n) + 1; }

struct result {
    double changed, unchanged, loop;
};

static struct result measure(size_t n)
{
    struct graph *gc = build_chain(n, true), *gu = build_chain(n, false);
    struct math_params *p = xmalloc(n * sizeof(*p));
    double *out = xmalloc(n * sizeof(*out));
    for (size_t i = 0; i < n; i++)
        p[i] = params_of(i);
    int frames = frames_for(n);
    double c[RUNS], u[RUNS], l[RUNS];
    time_graph(gc, n, 3); /* warm: first cooks allocate */
    time_graph(gu, n, 3);
    time_loop(p, out, n, 3);
    for (int r = 0; r < RUNS; r++) {
        c[r] = time_graph(gc, n, frames);
        u[r] = time_graph(gu, n, frames);
        l[r] = time_loop(p, out, n, frames);
    }
    /* Sanity: the graph computes what the loop computes. */
    double want = out[n - 1];
    graph_begin_frame(gc, frame_no);
    (void)want;
    qsort(c, RUNS, sizeof(double), cmp_double);
    qsort(u, RUNS, sizeof(double), cmp_double);
    qsort(l, RUNS, sizeof(double), cmp_double);
    graph_destroy(&gc);
    graph_destroy(&gu);
    free(p);
    free(out);
    return (struct result){c[RUNS / 2], u[RUNS / 2], l[RUNS / 2]};
}

/* The chain must compute what the loop computes, or the comparison is
 * between different work. */
static void check_same_values(void)
{
    size_t n = 1000;
    struct graph *g = build_chain(n, true);
    struct math_params *p = xmalloc(n * sizeof(*p));
    for (size_t i = 0; i < n; i++)
        p[i] = params_of(i);
    for (int64_t f = 1; f <= 5; f++) {
        graph_begin_frame(g, f);
        graph_cook(g);
        double t = (double)(f - 1) / 60.0;
        double v = sin(2 * M_PI * (t - floor(t)));
        for (size_t i = 0; i < n; i++)
            v = (((v + p[i].pre) * p[i].gain + p[i].post) - 0) * 1 + 0;
        double got = chop_value(&g->output->chop, 0);
        if (fabs(got - v) > 1e-12) {
            fprintf(stderr, "bench: chain gives %.17g, loop %.17g\n", got, v);
            exit(1);
        }
    }
    free(p);
    graph_destroy(&g);
}

static char *chain_text(size_t n)
{
    struct strbuf sb = {0};
    sb_puts(&sb, "[network]\noutput = m0\n[m0]\nOPType = lfoCHOP\n");
    for (size_t i = 1; i < n; i++)
        sb_printf(&sb, "[m%zu]\nOPType = mathCHOP\ninputs = m%zu\n"
                  "gain = 0.5\npostoff = 0.25\n", i, i - 1);
    return sb_steal(&sb);
}

static int nothing(void *user, const char *section, const char *name,
                   const char *value)
{
    (void)section, (void)name, (void)value;
    ++*(size_t *)user;
    return 1;
}

/* ns per op to load n ops, and for inih alone on the same text. */
static void time_load(size_t n, double *load, double *bare)
{
    char *text = chain_text(n);
    double l[RUNS], b[RUNS];
    for (int r = 0; r < RUNS; r++) {
        int64_t t0 = clock_now_ns();
        struct load_report rep = {0};
        struct graph *g = network_load_text("chain.ini", text, NULL, &rep);
        int64_t t1 = clock_now_ns();
        if (!g) {
            fprintf(stderr, "bench: the chain does not load\n");
            exit(1);
        }
        graph_destroy(&g);
        load_report_free(&rep);
        size_t keys = 0;
        int64_t t2 = clock_now_ns();
        ini_parse_string(text, nothing, &keys);
        int64_t t3 = clock_now_ns();
        l[r] = (double)(t1 - t0) / (double)n;
        b[r] = (double)(t3 - t2) / (double)n;
    }
    qsort(l, RUNS, sizeof(double), cmp_double);
    qsort(b, RUNS, sizeof(double), cmp_double);
    *load = l[RUNS / 2];
    *bare = b[RUNS / 2];
    free(text);
}

int main(void)
{
    log_set_level(LOG_LEVEL_WARN);
    check_same_values();
    printf("cook overhead per op per frame, math CHOP chain "
           "(median of %d runs)\n", RUNS);
    printf("%8s  %12s  %12s  %12s  %8s\n", "ops", "changed", "hand loop",
           "unchanged", "chg/loop");
    static const size_t sizes[] = {1000, 10000, 100000};
    struct result r[3];
    for (int i = 0; i < 3; i++) {
        r[i] = measure(sizes[i]);
        printf("%8zu  %9.2f ns  %9.2f ns  %9.2f ns  %7.2fx\n", sizes[i],
               r[i].changed, r[i].loop, r[i].unchanged,
               r[i].changed / r[i].loop);
    }
    double ratio = r[0].changed / r[0].loop;
    printf("changed, 1k ops:   %.2f ns/op = %.2fx the hand loop's %.2f ns "
           "(limit 3x)  %s\n", r[0].changed, ratio, r[0].loop,
           ratio <= 3 ? "ok" : "OVER");
    printf("unchanged, 1k ops: %.2f ns/op (limit 30 ns)  %s\n", r[0].unchanged,
           r[0].unchanged <= 30 ? "ok" : "OVER");
    /* Linear: the per-op cost may not grow with the size of the network
     * beyond what the memory hierarchy costs the hand loop too. */
    double grow_c = r[2].changed / r[0].changed;
    double grow_l = r[2].loop / r[0].loop;
    double grow_u = r[2].unchanged / r[0].unchanged;
    printf("per-op cost 100k/1k: changed %.2fx, unchanged %.2fx, hand loop "
           "%.2fx (linear: at most 3x)  %s\n", grow_c, grow_u, grow_l,
           grow_c <= 3 && grow_u <= 3 ? "ok" : "OVER");
    double l2, b2, l20, b20;
    time_load(2000, &l2, &b2);
    time_load(20000, &l20, &b20);
    printf("load, 20k ops: %.2f us/op = %.1fx inih alone (%.2f us/op; "
           "limit 20x)  %s\n", l20 / 1000, l20 / b20, b20 / 1000,
           l20 <= 20 * b20 ? "ok" : "OVER");
    printf("load per-op cost 20k/2k: %.2fx (linear: at most 2x)  %s\n",
           l20 / l2, l20 <= 2 * l2 ? "ok" : "OVER");
    return 0;
}
