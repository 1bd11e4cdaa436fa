/* dat_source.h: where a DAT's text comes from: its `file` parameter
 * (relative to the network file) when set, its UTF-8 byte order mark
 * left out, else its `text`. */
#ifndef VITRINE_DAT_SOURCE_H
#define VITRINE_DAT_SOURCE_H

#include "../graph/graph.h"

/* The text, newly allocated, or NULL with the op's error set. *from_file
 * (optional) tells which. */
char *dat_source_text(struct op *op, const char *file, const char *text,
                      char **path_out);

/* The cook of a DAT that holds Python callbacks: (re)reads its script when
 * a parameter changed, and warns that callbacks do not run while the graph
 * has no Python evaluator. */
int dat_cook_callbacks(struct op *op, const char *file, const char *text);

#endif
