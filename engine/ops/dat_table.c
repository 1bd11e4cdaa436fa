/* tableDAT: rows of cells. From `file`: .csv is comma-separated (with
 * CSV quoting), anything else tab-separated. From `text` (continued on
 * indented lines in a network file): tab-separated if it holds a tab,
 * else comma-separated. The first row is the header that names columns. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/util.h"
#include "dat_source.h"

struct table {
    char *text, *file;
    /* The text set_cell wrote last, known by its length and hash: still
     * the text, it is read as tab-separated (whatever its cells hold).
     * Only a single column needs it: more have tabs. */
    size_t edited_len;
    uint64_t edited_hash;
    bool edited;
};

static bool is_edited(const struct table *p)
{
    if (!p->edited || !p->text)
        return false;
    size_t n = strlen(p->text);
    return n == p->edited_len && str_hash(p->text, n) == p->edited_hash;
}

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
        sep = strchr(s, '\t') || is_edited(p) ? '\t' : ',';
    }
    dat_set_table(&op->dat, s, sep);
    free(s);
    free(path);
    return 0;
}

/* The cells as this DAT's text: tab-separated rows; *len its length. */
static char *table_text(const struct dat_data *d, size_t *len)
{
    size_t ncells = (size_t)d->nrows * (size_t)d->ncols, n = 1;
    size_t small[64], *lens = ncells <= 64 ? small
                                            : xmalloc(ncells * sizeof(*lens));
    for (size_t i = 0; i < ncells; i++)
        n += (lens[i] = strlen(d->cells[i])) + 1;
    char *out = xmalloc(n), *o = out;
    for (size_t i = 0; i < ncells; i++) {
        memcpy(o, d->cells[i], lens[i]);
        o += lens[i];
        *o++ = (i + 1) % (size_t)d->ncols ? '\t' : '\n';
    }
    *o = '\0';
    if (lens != small)
        free(lens);
    *len = (size_t)(o - out);
    return out;
}

/* A script's edit: the cell changes now, and the table's text (its truth
 * until the network loads again) becomes the cells, read from then on
 * instead of its file. */
static int set_cell(struct op *op, int row, int col, const char *text,
                    char *err, size_t errlen)
{
    struct dat_data *d = &op->dat;
    if (row < 0 || row >= d->nrows || col < 0 || col >= d->ncols) {
        snprintf(err, errlen, "no cell [%d, %d] in %d x %d", row, col,
                 d->nrows, d->ncols);
        return -1;
    }
    char **cell = &d->cells[(size_t)row * (size_t)d->ncols + (size_t)col];
    if (strcmp(*cell, text) == 0)
        return 0;
    free(*cell);
    *cell = utf8_dup(text);
    for (const char *t = *cell; *t; t++)
        if (*t == '\t' || *t == '\n') { /* not a cell of a TSV row */
            char *c = (char *)t;
            *c = ' ';
        }
    struct table *p = op->priv;
    size_t len;
    char *t = table_text(d, &len);
    p->edited = d->ncols == 1;
    if (p->edited) {
        p->edited_len = len;
        p->edited_hash = str_hash(t, len);
    }
    if (p->file && *p->file)
        par_apply_string(op, op_par(op, "file"), "");
    par_apply_owned(op, op_par(op, "text"), t);
    /* the cells are what cooking that text makes: no cook needed, and
     * what reads this DAT sees a new output */
    op->cooked_par_version = op->par_version;
    op->out_version++;
    return 0;
}

static const struct par_def pars[] = {
    {.name = "text", .label = "Rows", .flags = PAR_CODE,
     PARAM_STRING(struct table, text)},
    {.name = "file", .label = "File",
     PARAM_FILE(struct table, file)},
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
    .set_cell = set_cell,
};
