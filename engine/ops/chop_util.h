/* chop_util.h: small helpers the CHOP types share. */
#ifndef VITRINE_CHOP_UTIL_H
#define VITRINE_CHOP_UTIL_H

#include "../graph/graph.h"

static inline const char *chop_intern(struct op *op, const char *name)
{
    return strpool_intern(&op->graph->names, name);
}

/* Makes op's output one sample per channel named by the space-separated
 * list (at least one name; "chan1" when empty), at the frame rate. */
void chop_names_from_list(struct op *op, const char *list, double rate);

/* Matches name against space-separated glob patterns; "" matches none. */
bool chop_name_matches(const char *patterns, const char *name);

#endif
