/* dat.h: text and table data, the output of a DAT.
 * A DAT holds text; a table DAT also holds cells (row-major). */
#ifndef VITRINE_DAT_H
#define VITRINE_DAT_H

#include <stdbool.h>
#include <stddef.h>

struct dat_data {
    char *text;
    bool is_table;
    int nrows, ncols;
    char **cells; /* nrows * ncols, never NULL entries in a table */
};

void dat_set_text(struct dat_data *d, const char *text);
/* Parses rows (lines) of cells separated by sep ('\t' or ','; ',' follows
 * CSV quoting). Short rows are padded with empty cells. */
void dat_set_table(struct dat_data *d, const char *text, char sep);
/* A table from nrows x ncols cells (row-major, copied as UTF-8); its text
 * is the cells tab-separated. */
void dat_set_cells(struct dat_data *d, const char *const *cells, int nrows,
                   int ncols);
void dat_free(struct dat_data *d);
/* Cell by index, NULL outside the table. */
const char *dat_cell(const struct dat_data *d, int row, int col);
/* Column index by the header (first row) cell, row index by first column;
 * -1 when absent. */
int dat_col_index(const struct dat_data *d, const char *name);
int dat_row_index(const struct dat_data *d, const char *name);

#endif
