/* constantCHOP: channels named name0..name19 holding value0..value19;
 * slots with an empty name make no channel. */
#include <stddef.h>

#include "chop_util.h"

#define SLOTS 20

struct constant {
    char *name[SLOTS];
    double value[SLOTS];
    uint64_t layout_version;
    int slot_of[SLOTS]; /* channel index -> slot */
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct constant *p = op->priv;
    struct chop_data *c = &op->chop;
    if (p->layout_version != op->par_version || !c->names) {
        /* Checked before the output changes: on an error it stays whole. */
        const char *names[SLOTS];
        int slot_of[SLOTS], n = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (!p->name[i][0])
                continue;
            names[n] = chop_intern(op, p->name[i]);
            for (int j = 0; j < n; j++)
                if (names[j] == names[n]) {
                    op_set_error(op, "const%dname: channel '%s' is already "
                                 "const%dname", i, names[n], slot_of[j]);
                    return -1;
                }
            slot_of[n++] = i;
        }
        chop_resize(c, n, 1);
        for (int i = 0; i < n; i++) {
            c->names[i] = names[i];
            p->slot_of[i] = slot_of[i];
        }
        c->rate = ctx->fps;
        p->layout_version = op->par_version;
    }
    for (int i = 0; i < c->nchan; i++)
        c->vals[i] = p->value[p->slot_of[i]];
    return 0;
}

static const struct par_def pars[] = {
    {.name = "const#name", .alias = "name#", .label = "Name",
     .count = SLOTS,
     PARAM_STRING(struct constant, name[0])},
    {.name = "const#value", .alias = "value#", .label = "Value",
     .count = SLOTS, .norm = {0, 1},
     PARAM_FLOAT(struct constant, value[0])},
    {0},
};

const struct op_type op_chop_constant = {
    .name = "constant",
    .optype = "constantCHOP",
    .label = "Constant",
    .about = "channels `const0name`..`const19name` with values "
             "`const0value`..`const19value` (or `name0`, `value0`, ...)",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_GENERATOR,
    .pars = pars,
    .priv_size = sizeof(struct constant),
    .cook = cook,
};
