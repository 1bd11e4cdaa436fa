/* graph.h: a network of ops, its clock, and cooking.
 *
 * Cooking is pull-based. Each frame the graph cooks the output op and
 * every op whose type is OPT_ALWAYS_COOK, after everything they depend on
 * (inputs, export sources, op references), in an order computed once
 * whenever the topology changes. An op cooks at most once per frame and
 * only when an input's output changed, one of its parameter values
 * changed, or it depends on time. Ops outside that set cook when someone
 * asks (graph_cook_op).
 *
 * Threads: main thread only. */
#ifndef VITRINE_GRAPH_H
#define VITRINE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "op.h"
#include "slab.h"

/* Interned strings: equal strings share one pointer for the graph's life. */
struct strpool {
    char **slots;
    size_t cap, count;
};
const char *strpool_intern(struct strpool *sp, const char *s);
/* The interned copy of s, or NULL when s was never interned. */
const char *strpool_find(const struct strpool *sp, const char *s);
void strpool_free(struct strpool *sp);

/* Evaluates parameter expressions. The embedded Python interpreter
 * provides one; without it, networks that use `.expr` fail to load. */
struct expr_evaluator {
    void *ctx;
    /* Compiles src for p; returns 0, or -1 with a message. */
    int (*compile)(void *ctx, struct op *op, struct par *p, const char *src,
                   void **code, char *err, size_t errlen);
    /* Evaluates into a number (numeric pars) or a new string (others,
     * freed by the caller). Returns 0, or -1 with a message. */
    int (*eval)(void *ctx, struct op *op, struct par *p, void *code,
                double *num, char **str, char *err, size_t errlen);
    void (*release)(void *ctx, void *code);
};

/* TouchDesigner's time: frame starts at 1, seconds at 0. */
struct graph_time {
    int64_t frame;
    double seconds;
    double rate; /* frames per second */
};

struct gpu;

/* A fold being cooked (op_fold, cook.c): the op whose pass the op cooking
 * now also draws, and how far that got. top_util.c's top_output and
 * top_variant read and write it. */
struct graph_fold {
    struct op *op;       /* NULL: no fold is being cooked */
    const char *defines; /* op's defines for this cook */
    bool clamp; /* the input's image would have been fixed-point (0..1) */
    enum {
        FOLD_NONE,   /* the input did not take op's image: it has its own */
        FOLD_TARGET, /* it draws into op's image */
        FOLD_DREW,   /* with the folded program, once */
        FOLD_TWICE,  /* it asked for a second program: more passes */
        FOLD_FAILED, /* the folded program did not compile */
    } state;
};

struct graph {
    struct op *root; /* the root COMP, "/project1" */
    struct op **slots;  /* by id's slot index */
    uint32_t *gens;     /* generation of each slot */
    size_t nslots, cap_slots, cap_gens;
    uint32_t *free_slots;
    size_t nfree, cap_free;
    size_t nops;

    struct slab op_blocks; /* where ops live */
    struct strpool names;  /* channel names and other interned strings */
    struct graph_time time;
    struct graph_time abs; /* absTime: frames since the runtime started */
    int width, height;     /* default resolution of generator TOPs */
    /* TouchDesigner's Realtime flag: on, frames follow the clock and
     * skip when behind; off, every frame is run, as fast as it can be,
     * and movies wait for each of their frames (network.ini's
     * `realtime = off`: renders, and tests that need every frame). */
    bool realtime;
    /* The system clock's instant (CLOCK_REALTIME, ns) this frame is for:
     * when it is shown. OSC bundles are due by it, so that a timetagged
     * cue lands in the same frame on every kiosk of one timeline.
     * graph_begin_frame sets it to now; the frame loop to its plan. */
    int64_t instant_ns;
    uint64_t late_frames; /* movie frames not decoded in time, in all */
    struct op *output;     /* what is shown; may be NULL */

    const struct expr_evaluator *eval;
    struct gpu *gpu; /* NULL without a GL context: TOPs then report that */
    char *file; /* the network file, NULL when built in code */
    char *dir;  /* its folder: relative file parameters start here */

    /* Cooking. */
    struct op **cook_list; /* topological order of everything pulled */
    size_t ncook, cap_cook;
    /* per cook-list entry: it cooked last frame (a hint for fetching its
     * output ahead; entries may be stale for a frame after a relink) */
    bool *cooked_last;
    size_t cap_cooked_last;
    bool topology_dirty;
    unsigned profile_every; /* time each op's cook every Nth frame; 1: all */
    bool profiling;         /* this frame is one of those */
    struct op *cooking;     /* op inside type->cook, for diagnostics */
    struct graph_fold fold; /* the fold being cooked (cook.c) */
    struct op **said_ops;   /* ops whose repeated errors await a summary */
    size_t nsaid_ops, cap_said_ops;
    struct graph_pulse *pulses; /* given since graph_take_pulses */
    size_t npulses, cap_pulses;
};

/* A pulse given to a parameter (from Python, OSC or a file's reload), as
 * Parameter Execute DATs see it. */
struct graph_pulse {
    uint32_t op;
    char *par;
};
#define GRAPH_PULSES_MAX 4096 /* a frame's; more are not noted */
void graph_note_pulse(struct graph *g, const struct op *op, const char *par);
/* Hands over the pulses noted since the last call (the caller frees each
 * par and the array) and ends the pulses of ops that do not cook (COMPs):
 * everything that watches them has seen them now. */
size_t graph_take_pulses(struct graph *g, struct graph_pulse **out);

struct graph *graph_create(const char *root_name);
void graph_destroy(struct graph **g);
void graph_set_evaluator(struct graph *g, const struct expr_evaluator *ev);

/* Handles: an op id stays valid until that op is destroyed; a stale id
 * finds NULL, never another op. */
struct op *graph_op_by_id(const struct graph *g, uint32_t id);
/* A file parameter's value resolved against the network's folder; newly
 * allocated. */
char *graph_resolve_file(const struct graph *g, const char *file);
/* Absolute or root-relative path. */
struct op *graph_find(struct graph *g, const char *path);

/* Recomputes dependencies and the cook order. Returns 0, or -1 when the
 * dependencies form a cycle, with the ops in it named in err. */
int graph_link(struct graph *g, char *err, size_t errlen);

/* Advances the clock to frame (>= 1) and the absolute clock by one. */
void graph_begin_frame(struct graph *g, int64_t frame);
/* Cooks everything pulled this frame. Relinks first if needed. */
void graph_cook(struct graph *g);
/* Logs the summaries of repeated errors that are due (op_set_error);
 * graph_cook calls it once a frame. */
void graph_log_tick(struct graph *g);
/* Cooks op now if it needs to, after what it depends on. */
void graph_cook_op(struct graph *g, struct op *op);
/* Brings a parameter in EXPRESSION or EXPORT mode up to date now:
 * evaluates the expression or reads the channel. */
void graph_update_par(struct graph *g, struct op *op, struct par *p);
/* Forces a cook this frame even if nothing changed. */
void graph_force_cook(struct graph *g, struct op *op);
/* A TOP folded into the pass of the op after it (op_fold) is read from
 * elsewhere (a script, an op cooked by hand): it keeps an image of its
 * own from now on, cooked now. Nothing for any other op. */
void graph_unfold(struct graph *g, struct op *op);

/* A reload: each op of g that has an op of the same path and type in old
 * takes what its type carries over (op_type.carry). Before g's first
 * cook. */
void graph_carry(struct graph *g, struct graph *old);

/* Counts errors on all ops (for status lines). */
size_t graph_error_count(const struct graph *g);

#endif
