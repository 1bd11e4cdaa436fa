/* tableDAT: rows of cells. From `file`: .csv is comma-separated (with
 * CSV quoting), anything else tab-separated. From `text` (continued on
 * indented lines in a network file): tab-separated if it holds a tab,
 * else comma-separated. The first row is the header that names columns. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dat_source.h"

struct table {
    char *text, *file;
};

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct table *p = op->priv;
    char *path = NULL;
    char *s = dat_source_text(op, p->file, p->text, &path);
    if (!s)
        return -1;
    char sep;
    if (path) {
        size_t n = strlen(path);
        sep = n >= 4 && strcasecmp(path + n - 4, ".csv") == 0 ? ',' : '\t';
    } else {
        sep = strchr(s, '\t') ? '\t' : ',';
    }
    dat_set_table(&op->dat, s, sep);
    free(s);
    free(path);
    return 0;
}

static const struct par_def pars[] = {
    {.name = "text", .label = "Rows", .kind = PAR_STRING, .flags = PAR_CODE,
     .offset = offsetof(struct table, text)},
    {.name = "file", .label = "File", .kind = PAR_FILE,
     .offset = offsetof(struct table, file)},
    {0},
};

const struct op_type op_dat_table = {
    .name = "table",
    .optype = "tableDAT",
    .label = "Table",
    .about = "rows from `text` or a `.csv` / `.tsv` `file`; cells by index or by"
             " header name",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = 0,
    .pars = pars,
    .priv_size = sizeof(struct table),
    .cook = cook,
};
