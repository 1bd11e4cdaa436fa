/* textDAT: text from `text` (a network file may continue it on indented
 * lines) or from `file`. With `run` = start or frame, its text is a
 * Python script run once at start or every frame; that needs the
 * embedded interpreter, so a network asking for it without one is
 * rejected at load. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "dat_source.h"
#include "dat_text.py.h"

enum { RUN_NEVER, RUN_START, RUN_FRAME };

struct text {
    char *text, *file;
    int run;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct text *p = op->priv;
    char *s = dat_source_text(op, p->file, p->text, NULL);
    if (!s)
        return -1;
    dat_set_text(&op->dat, s);
    free(s);
    return 0;
}

static const char *check(struct op *op, char *buf, size_t n)
{
    struct text *p = op->priv;
    if (p->run != RUN_NEVER && !op->graph->eval) {
        snprintf(buf, n, "run = %s runs the text as a Python script, and "
                 "this build has no Python interpreter",
                 p->run == RUN_START ? "start" : "frame");
        return buf;
    }
    return NULL;
}

static const struct par_menu_item runs[] = {
    {"never", "Never"}, {"start", "At Start"}, {"frame", "Every Frame"}, {0},
};

static const struct par_def pars[] = {
    {.name = "text", .label = "Text", .flags = PAR_CODE,
     PARAM_STRING(struct text, text)},
    {.name = "file", .label = "File",
     PARAM_FILE(struct text, file)},
    {.name = "run", .label = "Run", .menu = runs,
     .flags = PAR_CODE,
     PARAM_MENU(struct text, run)},
    {0},
};

const struct op_type op_dat_text = {
    .name = "text",
    .optype = "textDAT",
    .label = "Text",
    .about = "`text` or `file`; `run` never, start (once, before the first frame"
             " cooks) or frame (every frame): the text runs as a Python script",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = 0,
    .pars = pars,
    .priv_size = sizeof(struct text),
    .check = check,
    .cook = cook,
    OP_PYTHON(dat_text),
    .hooks = OP_HOOK_FRAME_START,
};
