/* par.h: parameter declarations and parameter instances.
 *
 * An op type declares its parameters once, as a table of struct par_def.
 * Each op gets one struct par per parameter name ("fromrange1",
 * "colorr", "name3"), created from that table. Values live in the op's
 * private struct at the declared offset, so cook functions read plain
 * fields. par.c is the only code that parses, range-checks and writes a
 * value and marks its op changed: the network loader, Python, OSC
 * addressing and `vitrine ops` all come through here, so a bad value gets
 * the same message on every path.
 *
 * Threads: main thread only. */
#ifndef VITRINE_PAR_H
#define VITRINE_PAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct op;

enum par_kind {
    PAR_KIND_NONE = 0, /* a declaration that forgot its kind: refused */
    PAR_FLOAT,     /* double */
    PAR_INT,       /* int */
    PAR_TOGGLE,    /* int, 0 or 1 */
    PAR_MENU,      /* int, index into menu */
    PAR_STRING,    /* char *, owned by the op */
    PAR_RGBA,      /* double[4]: name + r, g, b, a */
    PAR_OP,        /* char *: path of another op, relative to the parent */
    PAR_FILE,      /* char *: path, relative to the network file */
    PAR_PULSE,     /* int: 1 during the cook after pulse(), else 0 */
};

enum par_mode {
    PAR_MODE_CONSTANT = 0,
    PAR_MODE_EXPRESSION, /* .expr: Python, through the graph's evaluator */
    PAR_MODE_EXPORT,     /* .export: a CHOP channel drives the value */
};

enum par_clamp {
    PAR_CLAMP_MIN = 1,
    PAR_CLAMP_MAX = 2,
    PAR_CLAMP_BOTH = 3,
};

/* What a parameter is, beyond its kind. */
enum par_flags {
    /* Holds Python or decides what Python runs (a DAT's text, a Text
     * DAT's run): the network's author sets it (its file, its scripts),
     * never a value that arrives over the network. */
    PAR_CODE = 1 << 0,
};

struct par_menu_item {
    const char *name;  /* what files, Python and OSC use: "sparse" */
    const char *label; /* what a person reads: "Sparse" */
};

struct par_def {
    const char *name;  /* "size"; a sequence uses '#' for its index */
    const char *alias; /* another name for the same parameter, expanded
                        * like name (the tutorial's `brightness` beside
                        * TouchDesigner's `brightness1`); NULL: none */
    const char *label; /* "Size" */
    const char *page;  /* NULL: the op type's label */
    enum par_kind kind;
    size_t offset;        /* of the value in the op's private struct */
    int size;             /* components: 0 means 1 (PAR_RGBA: 4) */
    const char *suffixes; /* one char per component: "12", "xyz" */
    int count;            /* sequence length: 0 means a single parameter */
    double def[4];        /* default per component; menu: index */
    const char *def_str;  /* default of string, op and file parameters */
    double norm[2];       /* normal (slider) range */
    double lim[2];        /* limits enforced where clamp says */
    unsigned clamp;       /* enum par_clamp bits */
    const struct par_menu_item *menu; /* terminated by {NULL} */
    unsigned families;    /* PAR_OP: allowed families as bits, 0 = any */
    bool no_dep;          /* PAR_OP: a reference that is not a cooking
                           * dependency (feedback reads last frame's) */
    unsigned flags;       /* enum par_flags */
    int alias_seq;        /* added to the sequence index in the alias
                           * ("ext0object" beside "extension1": 1) */
    const char *style;    /* TouchDesigner's Par.style ("XY"); NULL: the
                           * kind's */
};

/* A parameter's kind and where its value lies in the op's struct T,
 * checked against the kind's C type as mpv's OPT_DOUBLE(field) is: a
 * field of another type does not compile. A sequence (.count) or a vector
 * (.size > 1) names its first element (pos[0]); an RGBA value is a
 * double[4]. */
#define PAR_FIELD(T, field, ptr_type)                                      \
    .offset = offsetof(T, field) +                                         \
              0 * sizeof((ptr_type){0} = &((T *)0)->field)
#define PARAM_FLOAT(T, field) .kind = PAR_FLOAT, PAR_FIELD(T, field, double *)
#define PARAM_INT(T, field) .kind = PAR_INT, PAR_FIELD(T, field, int *)
#define PARAM_TOGGLE(T, field) .kind = PAR_TOGGLE, PAR_FIELD(T, field, int *)
#define PARAM_MENU(T, field) .kind = PAR_MENU, PAR_FIELD(T, field, int *)
#define PARAM_PULSE(T, field) .kind = PAR_PULSE, PAR_FIELD(T, field, int *)
#define PARAM_STRING(T, field)                                             \
    .kind = PAR_STRING, PAR_FIELD(T, field, char **)
#define PARAM_OP(T, field) .kind = PAR_OP, PAR_FIELD(T, field, char **)
#define PARAM_FILE(T, field) .kind = PAR_FILE, PAR_FIELD(T, field, char **)
#define PARAM_RGBA(T, field)                                               \
    .kind = PAR_RGBA, PAR_FIELD(T, field, double(*)[4])

/* One named parameter of one op. */
struct par {
    const struct par_def *def;
    char *name;      /* expanded: "fromrange1" */
    char *alias;     /* expanded def->alias, NULL: none */
    int comp, seq;   /* component and sequence index within def */
    size_t offset;   /* of this component's value in op->priv */
    enum par_mode mode;
    char *expr;      /* expression source (EXPRESSION) */
    void *expr_code; /* the evaluator's compiled form */
    /* EXPORT: the source CHOP and channel. */
    char *export_src;   /* "math1:chan1" as written */
    uint32_t export_op; /* op id, resolved when the graph is linked */
    const char *export_chan; /* interned channel name */
    int export_index;        /* cached channel index, -1 unknown */
    uint32_t ref_op;         /* PAR_OP: resolved op id, 0 none */
    int line;                /* network file line that set it, 0 none */
    void *own; /* a custom parameter's value, outside op->priv; NULL for
                * declared ones */
};

/* Result codes of the setters; the message says the rest. */
enum par_err {
    PAR_OK = 0,
    PAR_ERR_KIND,  /* value of the wrong kind ("abc" for a float) */
    PAR_ERR_RANGE, /* outside a clamped range */
    PAR_ERR_MENU,  /* not a menu name or index */
    PAR_ERR_MODE,  /* e.g. exporting to a string parameter */
    PAR_ERR_NOT_FOUND, /* an export source that does not exist */
    PAR_ERR_REFUSED,   /* not to be set from where the value came */
    PAR_ERR_DECL,      /* a custom parameter's declaration that is not
                        * valid (its name, style, size or range) */
};

/* Creates op->pars from its type's table and writes every default. */
void pars_init(struct op *op);
void pars_free(struct op *op);

/* By exact name or alias; NULL when the op has no such parameter. */
struct par *op_par(struct op *op, const char *name);
/* Nearest parameter name to a misspelt one, or NULL. */
const char *op_par_suggest(struct op *op, const char *name);

/* Where a value comes from. par_write() takes every value that a file, a
 * script or a sender hands over and applies the one policy there is:
 *
 *                     FILE      SCRIPT            REMOTE
 *   wrong kind        error     error             error
 *   outside a clamp   error     clamped (as TD)   error
 *   int given 2.6     error     rounded (as TD)   error
 *   number for text   its text  its text          its text
 *   code, file, op,   yes       yes               refused (par_remote_check)
 *   live modes
 *   op of the wrong   error     error             refused
 *   family
 *
 * Values computed at run time (expressions, exports) are never refused:
 * par_apply_double() clamps them. */
enum par_source {
    PAR_FROM_FILE = 1, /* a network file, or vitrine's own code */
    PAR_FROM_SCRIPT,   /* Python, which the network's author wrote */
    PAR_FROM_REMOTE,   /* over the network (OSC by path) */
};

/* A value as a source hands it over: a number, text, or neither (a
 * pulse without a value). */
struct par_value {
    bool has_num;
    double num;
    const char *text; /* NULL: none */
};

enum par_err par_write(struct op *op, struct par *p, const struct par_value *v,
                       enum par_source from, char *err, size_t errlen);

/* Parses text as the parameter's kind (menus take names or indices,
 * toggles on/off/true/false/1/0) and sets CONSTANT mode. On failure
 * nothing changes and err holds a message without location. */
enum par_err par_set_text(struct op *op, struct par *p, const char *text,
                          char *err, size_t errlen);
/* Whether a value that arrives over the network (OSC set by path) may be
 * written to p. Such a sender may move parameters within their ranges and
 * nothing more: refused are parameters that hold code (PAR_CODE), name a
 * file or an op (what is read, what runs), and any parameter in
 * EXPRESSION or EXPORT mode (a value would change its mode). PAR_OK, or
 * PAR_ERR_REFUSED with the reason in err. The same policy for every op
 * type, present and future. */
enum par_err par_remote_check(const struct op *op, const struct par *p,
                              char *err, size_t errlen);
/* Numeric kinds; rejects values outside a clamped range. */
enum par_err par_set_double(struct op *op, struct par *p, double v,
                            char *err, size_t errlen);
/* Writes a value computed at run time (export, expression), clamping it
 * silently; marks the op changed only when the value differs. */
void par_apply_double(struct op *op, struct par *p, double v);
void par_apply_string(struct op *op, struct par *p, const char *s);
/* The same for a string parameter, taking utf8 (malloc'ed, valid UTF-8,
 * known to differ: text an op made from its own data, a table DAT's
 * cells) without copying or comparing it. */
void par_apply_owned(struct op *op, struct par *p, char *utf8);
/* Pulses a pulse parameter: the op cooks and sees 1 once. */
void par_pulse(struct op *op, struct par *p);
/* Back to the default value, CONSTANT mode. */
void par_reset(struct op *op, struct par *p);
/* Sets EXPRESSION mode with source text (the graph's evaluator compiles
 * it); fails when the graph has no evaluator. */
enum par_err par_set_expr(struct op *op, struct par *p, const char *src,
                          char *err, size_t errlen);
/* Sets EXPORT mode from "chop:channel"; resolved when the graph links. */
enum par_err par_set_export(struct op *op, struct par *p, const char *src,
                            char *err, size_t errlen);

/* ---- custom parameters ----
 *
 * TouchDesigner's custom parameters: a COMP (and a Script op) gets
 * parameters declared at run time, by its network file's `Name.style = ...`
 * keys or by a script's appendFloat() and the rest. They are parameters
 * like the declared ones (op_par finds them; every setter, mode and
 * export works the same), on pages of their own. Their names start with
 * a capital letter followed by lower case letters and digits
 * ("Speed", "Color" giving Colorr, Colorg, Colorb), so they never meet a
 * declared name. Adding or removing one may move op->pars: a pointer to
 * a struct par is good until op->pars_layout changes. */
struct par_decl {
    const char *name;  /* the group: "Color" */
    const char *label; /* NULL: the name */
    const char *page;  /* NULL: "Custom" */
    const char *style; /* TouchDesigner's: Float, Int, Toggle, Menu, Str,
                        * Pulse, RGB, RGBA, XY, XYZ, UV, UVW, WH, OP,
                        * COMP, TOP, CHOP, DAT, File (any case) */
    int size;          /* Float and Int: 1-4 components; 0 means 1 */
    double def[4];     /* per component; a menu: index */
    const char *def_str; /* Str, File, OP kinds, or a menu item's name */
    const char *def_text; /* or the default as a file writes it, read by
                           * the kind ("1 0.5 0", "fast", "welcome") */
    bool has_norm, has_lim;
    double norm[2], lim[2];
    unsigned clamp; /* enum par_clamp */
    const char *const *menu_names, *const *menu_labels; /* nmenu each */
    size_t nmenu;
};

/* Whether the op takes custom parameters (COMPs, Script ops). */
bool op_takes_custom_pars(const struct op *op);
/* Adds the group's parameters to op on its page (made when missing).
 * With replace, a group of that name is redefined in place and keeps its
 * values (clamped to a new range); without, it is an error. */
enum par_err par_custom_add(struct op *op, const struct par_decl *d,
                            bool replace, char *err, size_t errlen);
/* Removes the group that name (or one of its components) belongs to;
 * false when there is none. */
bool par_custom_remove(struct op *op, const char *name);
/* Every custom parameter and page. */
void par_custom_clear(struct op *op);
bool par_is_custom(const struct par *p);
/* The first parameter of the custom group name (or of the group the
 * parameter name belongs to), NULL when there is none. */
struct par *par_custom_first(struct op *op, const char *name);
/* The group a custom parameter belongs to: its name and size. */
const char *par_group(const struct par *p, int *size);
/* Custom pages, in order: add (no-op when present), remove (with its
 * parameters), reorder (the named first, in that order). */
void par_page_add(struct op *op, const char *page);
bool par_page_remove(struct op *op, const char *page);
void par_pages_sort(struct op *op, const char *const *names, size_t n);
size_t par_pages(const struct op *op, const char *const **names);

/* Whether the op's pulse parameters were set, cleared after its cook. */
void pars_clear_pulses(struct op *op);

bool par_is_numeric(const struct par *p);
/* How every value is read from text: a finite number (trailing blanks
 * allowed), and on/off, 1/0, true/false, yes/no. */
bool par_parse_number(const char *text, double *out);
bool par_parse_toggle(const char *text, double *out);
double par_get_double(const struct op *op, const struct par *p);
int par_get_int(const struct op *op, const struct par *p);
const char *par_get_string(const struct op *op, const struct par *p);
/* The value as text, as a network file would hold it. Returns buf. */
char *par_format(const struct op *op, const struct par *p, char *buf,
                 size_t n);
double par_default(const struct par *p);
const char *par_kind_name(enum par_kind kind);
const char *par_mode_name(enum par_mode mode);
const char *par_page(const struct op *op, const struct par *p);

#endif
