#include "dat.h"

#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

static void free_cells(struct dat_data *d)
{
    for (int i = 0; i < d->nrows * d->ncols; i++)
        free(d->cells[i]);
    free(d->cells);
    d->cells = NULL;
    d->nrows = d->ncols = 0;
}

void dat_set_text(struct dat_data *d, const char *text)
{
    free_cells(d);
    free(d->text);
    d->text = utf8_dup(text ? text : "");
    d->is_table = false;
}

void dat_free(struct dat_data *d)
{
    free_cells(d);
    free(d->text);
    *d = (struct dat_data){0};
}

struct row {
    char **cells;
    size_t n, cap;
};

/* One row from *p; advances past its line end. CSV quoting when sep is
 * ','; quoted cells may span lines. */
static void parse_row(const char **pp, char sep, struct row *r)
{
    const char *p = *pp;
    r->n = 0;
    for (;;) {
        struct strbuf cell = {0};
        if (sep == ',' && *p == '"') {
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    sb_append(&cell, "\"", 1);
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    sb_append(&cell, p++, 1);
                }
            }
        }
        while (*p && *p != sep && *p != '\n' && *p != '\r')
            sb_append(&cell, p++, 1);
        GROW(r->cells, r->cap, r->n + 1);
        r->cells[r->n++] = sb_steal(&cell);
        if (*p == sep) {
            p++;
            continue;
        }
        break;
    }
    if (*p == '\r')
        p++;
    if (*p == '\n')
        p++;
    *pp = p;
}

void dat_set_table(struct dat_data *d, const char *text, char sep)
{
    free_cells(d);
    free(d->text);
    d->text = utf8_dup(text ? text : "");
    d->is_table = true;
    struct row *rows = NULL;
    size_t nrows = 0, cap = 0;
    const char *p = d->text;
    int ncols = 0;
    while (*p) {
        GROW(rows, cap, nrows + 1);
        parse_row(&p, sep, &rows[nrows]);
        if ((int)rows[nrows].n > ncols)
            ncols = (int)rows[nrows].n;
        nrows++;
    }
    d->nrows = (int)nrows;
    d->ncols = ncols;
    d->cells = xcalloc((size_t)d->nrows * (size_t)ncols + 1, sizeof(char *));
    for (size_t r = 0; r < nrows; r++) {
        for (int c = 0; c < ncols; c++)
            d->cells[r * (size_t)ncols + (size_t)c] =
                (size_t)c < rows[r].n ? rows[r].cells[c] : xstrdup("");
        free(rows[r].cells);
    }
    for (size_t r = nrows; r < cap; r++)
        free(rows[r].cells);
    free(rows);
}

void dat_set_cells(struct dat_data *d, const char *const *cells, int nrows,
                   int ncols)
{
    free_cells(d);
    free(d->text);
    d->is_table = true;
    d->nrows = nrows;
    d->ncols = ncols;
    size_t n = (size_t)nrows * (size_t)ncols;
    d->cells = xcalloc(n + 1, sizeof(char *));
    struct strbuf sb = {0};
    for (size_t i = 0; i < n; i++) {
        d->cells[i] = utf8_dup(cells[i] ? cells[i] : "");
        sb_append(&sb, d->cells[i], strlen(d->cells[i]));
        sb_append(&sb, (i + 1) % (size_t)ncols ? "\t" : "\n", 1);
    }
    d->text = sb.s ? sb_steal(&sb) : xstrdup("");
}

const char *dat_cell(const struct dat_data *d, int row, int col)
{
    if (!d->is_table || row < 0 || col < 0 || row >= d->nrows ||
        col >= d->ncols)
        return NULL;
    return d->cells[(size_t)row * (size_t)d->ncols + (size_t)col];
}

int dat_col_index(const struct dat_data *d, const char *name)
{
    for (int c = 0; c < d->ncols && d->nrows > 0; c++)
        if (strcmp(d->cells[c], name) == 0)
            return c;
    return -1;
}

int dat_row_index(const struct dat_data *d, const char *name)
{
    for (int r = 0; r < d->nrows && d->ncols > 0; r++)
        if (strcmp(d->cells[(size_t)r * (size_t)d->ncols], name) == 0)
            return r;
    return -1;
}
