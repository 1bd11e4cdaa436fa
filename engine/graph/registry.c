#include "registry.h"

#include <string.h>

#include "../base/util.h"

/* Every op type defined in engine/ops (build/gen/op_types.h, made by the
 * Makefile from their definitions): OP_TYPE(op_top_noise) lines. */
#define OP_TYPE(t) extern const struct op_type t;
#include "op_types.h"
#undef OP_TYPE

static const struct op_type *const types[] = {
#define OP_TYPE(t) &t,
#include "op_types.h"
#undef OP_TYPE
};

const struct op_type *registry_find(const char *optype)
{
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        if (strcmp(types[i]->optype, optype) == 0)
            return types[i];
    return NULL;
}

const char *registry_suggest(const char *optype)
{
    const char *names[ARRAY_LEN(types)];
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        names[i] = types[i]->optype;
    return str_nearest(optype, names, ARRAY_LEN(types));
}

const struct op_type *const *registry_all(size_t *count)
{
    *count = ARRAY_LEN(types);
    return types;
}
