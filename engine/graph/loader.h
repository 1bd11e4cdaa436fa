/* loader.h: reading a network file (INI, one section per op; see
 * README.md "Network files") into a graph.
 *
 * Every problem is collected, not just the first, each with the file, the
 * line, the section and what was expected. A network with any error
 * yields no graph. */
#ifndef VITRINE_LOADER_H
#define VITRINE_LOADER_H

#include <stddef.h>

#include "graph.h"

enum load_err_kind {
    LOAD_ERR_SYNTAX = 1,   /* not INI: no '=', unclosed '[' */
    LOAD_ERR_IO,           /* the file cannot be read */
    LOAD_ERR_NO_TYPE,      /* a section without OPType */
    LOAD_ERR_UNKNOWN_TYPE, /* OPType names no registered type */
    LOAD_ERR_UNKNOWN_PAR,  /* the type has no such parameter */
    LOAD_ERR_BAD_VALUE,    /* wrong kind of value, bad menu item */
    LOAD_ERR_RANGE,        /* outside a clamped range */
    LOAD_ERR_MISSING_INPUT,/* inputs names an op that does not exist */
    LOAD_ERR_INPUTS,       /* wrong number or family of inputs */
    LOAD_ERR_MISSING_OP,   /* op reference, export source or output */
    LOAD_ERR_MISSING_FILE, /* a file parameter names no readable file */
    LOAD_ERR_DUPLICATE,    /* op or parameter defined twice */
    LOAD_ERR_CYCLE,        /* ops depend on each other in a loop */
    LOAD_ERR_NO_EVALUATOR, /* .expr or a script without Python */
    LOAD_ERR_NAME,         /* invalid op name, or parent not a COMP */
    LOAD_ERR_INVALID,      /* an op type's own check failed */
};

struct load_error {
    enum load_err_kind kind;
    char *file;
    int line; /* 0: the file as a whole */
    char *section;
    char *msg;
};

struct load_report {
    struct load_error *errors;
    size_t count, cap;
};

/* Zero fields keep what the network file says. */
struct load_options {
    const struct expr_evaluator *eval;
    double fps;
    int width, height;
    /* Called every LOAD_PROGRESS_EVERY sections built, so that a stall
     * detector can tell a long load from a stuck one. Optional. */
    void (*progress)(void *ctx);
    void *progress_ctx;
};
#define LOAD_PROGRESS_EVERY 1024

/* path: a .ini file or a folder holding network.ini. Returns the graph,
 * or NULL when the report holds any error. The report is appended to and
 * sorted by line; free it with load_report_free. */
struct graph *network_load(const char *path, const struct load_options *opt,
                           struct load_report *rep);
/* The same from text held in memory (a built-in network); name stands
 * for the file in messages, and relative file parameters start in the
 * current folder. */
struct graph *network_load_text(const char *name, const char *text,
                                const struct load_options *opt,
                                struct load_report *rep);
void load_report_free(struct load_report *rep);
/* "file:line: [section] message", newly allocated. */
char *load_error_format(const struct load_error *e);
const char *load_err_kind_name(enum load_err_kind kind);

/* The network file that path names (a folder means folder/network.ini). */
char *network_file_path(const char *path);

#endif
