/* registry.h: the one list of operator types. */
#ifndef VITRINE_REGISTRY_H
#define VITRINE_REGISTRY_H

#include <stddef.h>

#include "op.h"

/* By OPType ("lfoCHOP"); NULL when unknown. */
const struct op_type *registry_find(const char *optype);
/* The nearest OPType to a misspelt one, or NULL. */
const char *registry_suggest(const char *optype);
/* All types, in listing order. */
const struct op_type *const *registry_all(size_t *count);

#endif
