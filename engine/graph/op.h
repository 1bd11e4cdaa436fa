/* op.h: operator types and operator instances.
 *
 * An op type is a const descriptor at the end of its own file in
 * engine/ops/ (name, family, inputs, flags, parameter table, create /
 * destroy / cook); engine/graph/registry.c lists them all, from the list
 * the Makefile makes of those definitions (build/gen/op_types.h). Generic code
 * calls type->cook(); nothing outside the registry switches on type names.
 *
 * An op that fails stays a valid op in an error state, with its message,
 * and keeps its last good output.
 *
 * Threads: main thread only. */
#ifndef VITRINE_OP_H
#define VITRINE_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chop.h"
#include "dat.h"

struct strbuf;
#include "par.h"

struct graph;
struct gpu_tex;
struct gpu_stack;
struct gpu_program;
struct op_info_item;

/* TOP family output: a texture from the GPU pool (NULL before the first
 * cook, or without a GPU). */
struct top_data {
    struct gpu_tex *tex;     /* the image (for a stack: its newest slice) */
    struct gpu_stack *stack; /* a texture3dTOP's slices, owned by the op */
    int newest_slice;        /* of the stack */
};

/* What a TOP reports about its image (TouchDesigner's TOP.width, height,
 * depth, aspect, pixelFormat, gpuMemory, newestSliceWOffset). */
struct top_info {
    int width, height, depth; /* depth 1 unless it holds a stack */
    double aspect;            /* width / height */
    const char *format;       /* "rgba8", ... */
    size_t gpu_bytes;         /* its image and stack */
    int newest_slice;
};
/* False (and *info zeroed) while the op has no image yet. */
bool op_top_info(const struct op *op, struct top_info *info);

enum op_family {
    OP_FAMILY_NONE = 0, /* a descriptor that forgot .family: refused */
    OP_TOP,
    OP_CHOP,
    OP_DAT,
    OP_COMP,
    OP_FAMILY_COUNT,
};
#define OP_FAMILY_BIT(f) (1u << (f))

enum op_type_flags {
    OPT_TIME_DEPENDENT = 1 << 0, /* cooks every frame it is pulled */
    OPT_GENERATOR = 1 << 1,      /* makes data from nothing */
    OPT_ALWAYS_COOK = 1 << 2,    /* pulled every frame, like the output */
    OPT_CUSTOM_PARS = 1 << 3,    /* takes custom parameters (as COMPs do) */
    /* A TOP whose cook is one pass of a built-in shader (top_variant)
     * into its output (top_output) and keeps no state between cooks: the
     * pass of a TOP with .fold after it can be drawn at the end of its
     * own (cook.c). */
    OPT_ONE_PASS = 1 << 4,
};

/* What a TOP that works pixel by pixel (a Level) gives to be folded into
 * the pass of its input when that input is OPT_ONE_PASS and read by
 * nothing else: the input's shader, with main() renamed fold_input(),
 * followed by this one's with FOLD defined, whose main() calls
 * fold_input() and works on the fragColor it wrote. One pass and one
 * image instead of two; the input then has no image of its own until
 * something else reads it (graph_unfold). */
struct op_fold {
    const char *glsl; /* the op's shader: a static string */
    /* This cook's defines for it (written into buf), or false when the op
     * cannot be folded now (its size is not its input's). */
    bool (*prepare)(struct op *op, char *buf, size_t n);
    /* Its uniforms, on the folded program in use. */
    void (*uniforms)(struct op *op, struct gpu_program *prog);
};

/* What a cook function may know about the frame. */
struct cook_ctx {
    int64_t frame;  /* starts at 1 */
    double seconds; /* (frame - 1) / fps */
    double fps;
    double dt; /* seconds since this op last cooked; 0 at its first cook */
    int64_t instant_ns; /* the frame's instant, CLOCK_REALTIME (graph.h) */
};

/* The moments at which td calls an op type's Python class (op.python),
 * so that td finds the ops to call by what they do, never by the name
 * of their type. Each bit names the class's method td calls. */
enum op_hook {
    OP_HOOK_START = 1 << 0,       /* _hook_start(): its first frame */
    OP_HOOK_FRAME_START = 1 << 1, /* _hook_frame_start(frame) */
    OP_HOOK_COOKED = 1 << 2,      /* _hook_cooked(): after the cook */
    OP_HOOK_PARS = 1 << 3,        /* _hook_pars(pulses): after that, with
                                   * the frame's [(op id, par name)] */
    OP_HOOK_PULSE = 1 << 4,       /* _hook_pulse(par): one of its own
                                   * custom pulse parameters pulsed */
    OP_HOOK_FRAME_END = 1 << 5,   /* _hook_frame_end(frame) */
    OP_HOOK_EXIT = 1 << 6,        /* _hook_exit(): the runtime stops */
};

struct op_type {
    const char *name;   /* "lfo": TouchDesigner's OP.type */
    const char *optype; /* "lfoCHOP": OP.OPType, the network file's key */
    const char *label;  /* "LFO" */
    const char *about;  /* what it does, in a line of Markdown, for
                         * `vitrine ops` and docs/operators.md */
    enum op_family family;
    int min_inputs, max_inputs; /* max_inputs < 0: any number */
    unsigned flags;             /* enum op_type_flags */
    const struct par_def *pars; /* terminated by an entry with name NULL */
    size_t priv_size;           /* the parameter and state struct */
    /* All optional but cook. create runs after defaults are written;
     * check runs after a network has set parameters and may return an
     * error message (written into buf) that makes the network invalid. */
    int (*create)(struct op *op);
    void (*destroy)(struct op *op);
    const char *(*check)(struct op *op, char *buf, size_t n);
    /* 0: new output. Negative: no new output, the last one stays (the
     * op has set its error, or nothing it shows changed: a movie's frame
     * not decoded yet). Positive: the op has set its error and has a new
     * output all the same (a TOP whose shader failed shows black). */
    int (*cook)(struct op *op, const struct cook_ctx *ctx);
    /* Extra time dependence that varies (a timer that is running). */
    bool (*is_time_dependent)(const struct op *op);
    /* What survives a reload and a restart (input channel values, a
     * timer's position): save appends lines of text, each ending in a
     * newline; restore gets them back one at a time (without it) and
     * ignores what it cannot read. Both optional. */
    void (*save_state)(const struct op *op, struct strbuf *out);
    void (*restore_state)(struct op *op, const char *line);
    /* A reload: old is the op of the same path and type in the network
     * being replaced, before this one's first cook. The op takes what
     * lets it keep showing old's last good output while its own fails
     * (a GLSL TOP's last shader that compiled), or what old holds that it
     * can go on with (a movie's open file): old is destroyed afterwards.
     * Optional. */
    void (*carry)(struct op *op, struct op *old);
    /* Brings the output up to date when it is read in the middle of a
     * cook (an OSC In DAT's table, read by its own callbacks), for types
     * that build it lazily. Optional; called through op_sync(). */
    void (*sync)(struct op *op);
    /* Writes one cell of its table in place, growing nothing (a script's
     * dat[r, c] = v): 0, or -1 with a message. Optional; without it td
     * rewrites the DAT's text. */
    int (*set_cell)(struct op *op, int row, int col, const char *text,
                    char *err, size_t errlen);
    /* What Python does with it: the source of its class, from the file
     * beside its C file (dat_execute.py, compiled in as dat_execute_py),
     * which td runs in its own namespace and which must define a class
     * named by optype; NULL: its family's class. hooks: enum op_hook,
     * each a method the class defines. */
    const char *python;
    const char *python_file; /* "dat_execute.py", for tracebacks */
    /* python's code, compiled at build time (marshalled) */
    const unsigned char *python_code;
    size_t python_code_len;
    unsigned hooks;
    /* What it knows about itself beyond its output and parameters (a
     * movie's length, rate and position), as TouchDesigner's Info CHOP
     * shows it: fills up to n items, returns how many. Optional. */
    size_t (*info)(const struct op *op, struct op_info_item *items,
                   size_t n);
    /* It can be folded into its input's pass (struct op_fold). Optional. */
    const struct op_fold *fold;
    /* An action its Python class asks for by name (a movie's preload), with
     * a string and a number: 0, or -1 with a message. Optional. */
    int (*act)(struct op *op, const char *what, const char *text,
               double num, char *err, size_t errlen);
};

/* One item of op_type.info: a name (a static string, as Info CHOP
 * channels are named) and its value. */
struct op_info_item {
    const char *name;
    double value;
};
#define OP_INFO_MAX 32

/* .python, .python_file and .python_code of the op type in
 * engine/ops/<file>.c, whose class lies in <file>.py (the Makefile turns
 * it into <file>.py.h: its text and its compiled code). */
#define OP_PYTHON(file)                                                     \
    .python = file##_py, .python_file = #file ".py",                        \
    .python_code = file##_pyc, .python_code_len = sizeof(file##_pyc)

struct op {
    /* What cooking reads for every op every frame comes first, so that
     * deciding "nothing changed" touches one or two cache lines. */
    const struct op_type *type;
    void *priv;
    struct op **deps; /* inputs, export sources, op references: points
                       * into dep_inline when there are two or fewer */
    size_t ndeps;
    size_t nlive;            /* pars in EXPRESSION or EXPORT mode */
    int64_t pulled_frame;    /* frame this op was last pulled in */
    uint64_t out_version;    /* bumped when its output changes */
    uint64_t seen_deps;      /* sum of deps' out_version at last cook */
    /* second cache line */
    uint64_t par_version;    /* bumped when a parameter value changes */
    uint64_t cooked_par_version;
    struct op *dep_inline[2];
    uint64_t cook_count;
    int64_t cook_frame;      /* frame of its last cook, 0 never */
    struct op **inputs;      /* points into input_inline when two or fewer */
    bool has_pulse;          /* a pulse parameter is set */
    bool in_cook; /* inside its type's cook (a script may ask again) */
    /* third: what a cook reads of its inputs, and a CHOP's output (its
     * small channels end within the fourth line) */
    size_t ninputs;
    struct op *input_inline[2];
    char *error;
    struct chop_data chop; /* CHOP family output */

    struct graph *graph;
    uint32_t id; /* handle: slot index and generation, never 0 */
    char *name;
    char *path; /* "/project1/container1/noise1", kept current */

    struct op *parent;
    struct op **children; /* COMPs */
    size_t nchildren, cap_children;
    /* children by name (open addressing; NULL empty), for COMPs with many
     * children; rebuilt at a lookup after a removal or rename */
    struct op **child_slots;
    size_t nchild_slots;
    bool child_slots_stale;

    struct op **deps_heap; /* deps when more than two */
    size_t cap_deps;
    struct op **outputs; /* ops that have this one as an input */
    size_t noutputs, cap_outputs;

    struct par *pars;
    size_t npars;
    struct par_customs *customs; /* custom parameters (par.c), or NULL */
    uint32_t pars_layout; /* bumped when op->pars moves (par.h) */
    struct par **live; /* the nlive pars in EXPRESSION or EXPORT mode */
    size_t cap_live;
    struct dat_data dat; /* DAT family output */
    struct top_data top; /* TOP family output */
    double cook_ms;      /* last measured cook time */
    /* A fold (struct op_fold, cook.c): fold_into is the op whose pass this
     * one's pass also draws (its only reader), fold_from the reverse;
     * fold_pending: this one changed this frame and cooks with fold_into;
     * no_fold: it was read from elsewhere and keeps its own image. */
    struct op *fold_into, *fold_from;
    uint64_t fold_seen; /* seen_deps for its cook with fold_into */
    bool fold_pending, no_fold;

    char *warning;
    struct op_said *said; /* what its errors said lately (op.c), or NULL */
    char *src_file; /* where it was declared, for messages */
    int src_line;
};
/* Deciding whether to cook reads the op's first two cache lines, and
 * cooking a small CHOP the next two (graph_cook fetches those ahead). */
_Static_assert(offsetof(struct op, in_cook) < 128,
               "what deciding reads is in the op's first two lines");
_Static_assert(offsetof(struct op, chop.vals_small) +
                   sizeof(((struct op *)0)->chop.vals_small) <= 256,
               "a small CHOP's values end within the op's fourth line");

/* Creates an op under parent (NULL only for the root COMP). Writes
 * defaults and calls type->create. Returns NULL with a message when the
 * name is invalid or taken, or the parent is no COMP. */
struct op *op_create(struct graph *g, struct op *parent,
                     const struct op_type *type, const char *name,
                     char *err, size_t errlen);
/* Removes the op (and a COMP's children) from the graph and frees it. */
void op_destroy(struct op **op);

bool op_name_valid(const char *name);
/* Renames op (and updates its and its children's paths). Returns 0, or -1
 * with a message when the name is invalid or taken. References by name
 * in other ops' parameters are not rewritten. */
int op_rename(struct op *op, const char *name, char *err, size_t errlen);
/* Finds an op by path from the network `base` (a COMP): "noise1",
 * "../container2/op", "/project1/noise1", ".", "..". */
struct op *op_find_from(struct op *base, const char *path);
/* TouchDesigner's OP.op(): relative to a COMP itself, to anything else's
 * parent. */
struct op *op_find(struct op *me, const char *path);
/* Appends to *out every op matching the glob pattern (fnmatch per path
 * segment: 'noise*', 'leg5/foot*'), in child order. Returns the count
 * added. */
size_t op_find_all(struct op *base, const char *pattern, struct op ***out,
                   size_t *count, size_t *cap);
/* The op's path relative to from's network ("noise1", "../a/b"). */
char *op_relative_path(const struct op *from, const struct op *to);

/* Error and warning state. Setting the same message again is silent;
 * a change is logged once, and so is clearing. */
/* Errors and warnings are logged when they appear, change and clear,
 * but one that keeps coming back (an error that comes and goes every
 * frame, two callbacks taking turns) is logged once and then summed up at
 * most every OP_SAID_EVERY_S ("came back 57 times in 10 s"); a set
 * returns whether it was logged (and so whether to log its details). */
#define OP_SAID_EVERY_S 10
bool op_set_error(struct op *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void op_clear_error(struct op *op);
bool op_set_warning(struct op *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void op_clear_warning(struct op *op);

/* Logs with the op's path as prefix. */
void op_log(const struct op *op, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the op's inputs (NULL entries not allowed) and marks the graph's
 * topology for relinking. Returns 0, or -1 with a message when the
 * count is outside the type's range. */
int op_set_inputs(struct op *op, struct op **inputs, size_t n, char *err,
                  size_t errlen);
/* The resolved target of a PAR_OP parameter, NULL when empty or gone. */
struct op *op_par_ref(struct op *op, const struct par *p);
/* The op's input i if it exists, else NULL. */
struct op *op_input(const struct op *op, size_t i);
/* Makes op's output current before it is read outside the cook order. */
void op_sync(struct op *op);
bool op_is_time_dependent(const struct op *op);

const char *op_family_name(enum op_family f);
/* Where priv starts in the op's block. */
#define OP_PRIV_OFFSET ((sizeof(struct op) + 63) & ~(size_t)63)
/* Private struct of the op, typed by the caller. */
#define OP_PRIV(op, type) ((type *)(op)->priv)

#endif
