/* oscoutDAT: sends OSC from Python: sendOSC(address, args, asBundle) and
 * sendBundle(messages) on the op (dat_oscout.py) go to `netaddress`:
 * `port` over UDP. Its text stays empty. */
#include <stddef.h>

#include "../graph/graph.h"
#include "dat_oscout.py.h"

struct oscout_dat {
    int active, port;
    char *netaddress;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)op;
    (void)ctx;
    return 0;
}

static const struct par_def pars[] = {
    {.name = "active", .label = "Active", .def = {1},
     PARAM_TOGGLE(struct oscout_dat, active)},
    {.name = "address", .alias = "netaddress", .label = "Network Address",
     .def_str = "127.0.0.1",
     PARAM_STRING(struct oscout_dat, netaddress)},
    {.name = "port", .label = "Network Port",
     .def = {10000}, .norm = {1, 65535}, .lim = {1, 65535},
     .clamp = PAR_CLAMP_BOTH, PARAM_INT(struct oscout_dat, port)},
    {0},
};

const struct op_type op_dat_oscout = {
    .name = "oscout",
    .optype = "oscoutDAT",
    .label = "OSC Out",
    .about = "`sendOSC(address, args, asBundle=False)`, `sendBundle([(address, "
             "args), ...], timeTag=None)` and `sendBytes()` from Python, to "
             "`address` (or `netaddress`):`port`",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = 0,
    .pars = pars,
    .priv_size = sizeof(struct oscout_dat),
    .cook = cook,
    OP_PYTHON(dat_oscout),
};
