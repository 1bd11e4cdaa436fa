/* baseCOMP: a container of ops; the root of every network is one. Its
 * Extensions page names the Python objects that extend it and the
 * shortcuts that find it (td_comp.py makes both). */
#include <stddef.h>

#include "../graph/op.h"
#include "comp_base.py.h"

#define EXTENSIONS 4
#define IOPS 4

struct base {
    char *object[EXTENSIONS]; /* Python giving the extension object */
    char *name[EXTENSIONS];   /* what to find it by, else its class name */
    int promote[EXTENSIONS];  /* its capitalised members on the COMP */
    int reinit;
    char *parentshortcut, *opshortcut;
    char *iopshortcut[IOPS];
    char *iop[IOPS];
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)op;
    (void)ctx;
    return 0;
}

#define PAGE "Extensions"
static const struct par_def pars[] = {
    {.name = "ext#object", .alias = "extension#", .alias_seq = 1,
     .label = "Extension Object", .page = PAGE,
     .count = EXTENSIONS, .flags = PAR_CODE,
     PARAM_STRING(struct base, object[0])},
    {.name = "ext#name", .alias = "extname#", .alias_seq = 1,
     .label = "Extension Name", .page = PAGE,
     .count = EXTENSIONS, .flags = PAR_CODE,
     PARAM_STRING(struct base, name[0])},
    {.name = "ext#promote", .alias = "promoteextension#", .alias_seq = 1,
     .label = "Promote Extension", .page = PAGE,
     .count = EXTENSIONS, .flags = PAR_CODE,
     PARAM_TOGGLE(struct base, promote[0])},
    {.name = "reinitextensions", .label = "Re-Init Extensions", .page = PAGE,
     PARAM_PULSE(struct base, reinit)},
    {.name = "parentshortcut", .label = "Parent Shortcut", .page = PAGE,
     .flags = PAR_CODE,
     PARAM_STRING(struct base, parentshortcut)},
    {.name = "opshortcut", .label = "Global OP Shortcut", .page = PAGE,
     .flags = PAR_CODE,
     PARAM_STRING(struct base, opshortcut)},
    {.name = "iop#shortcut", .alias = "iopshortcut#", .alias_seq = 1,
     .label = "Internal OP Shortcut", .page = PAGE,
     .count = IOPS, .flags = PAR_CODE,
     PARAM_STRING(struct base, iopshortcut[0])},
    /* a path from the COMP itself ("settings" is a child), found by td */
    {.name = "iop#op", .alias = "iop#", .alias_seq = 1,
     .label = "Internal OP", .page = PAGE,
     .count = IOPS, .flags = PAR_CODE, PARAM_STRING(struct base, iop[0])},
    {0},
};

const struct op_type op_comp_base = {
    .name = "base",
    .optype = "baseCOMP",
    .label = "Base",
    .about = "a container; `ext0object` (or `extension1`) to `ext3object` "
             "are Python giving its extensions (`me.ext.Name`, promoted "
             "members on the COMP), `parentshortcut` and `opshortcut` names "
             "to find it by (`parent.Name`, `op.Name`), `iop0shortcut`/"
             "`iop0op` internal op shortcuts (`iop.Name`, `ipar.Name`)",
    .family = OP_COMP,
    .min_inputs = 0,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct base),
    .cook = cook,
    OP_PYTHON(comp_base),
};
