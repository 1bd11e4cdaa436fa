/* mergeDAT: its inputs' tables (and the DAT in `dat`) merged into one, in
 * input order. `how`:
 *   row            rows of each table after the first's; with `byname`,
 *                  by the first row's names (a later table's first row is
 *                  not added, and its columns go under the columns of the
 *                  same name)
 *   col            the same with columns (by the first column's names)
 *   collapsecol    the rows appended, each row then one cell: its cells
 *                  joined by `spacer`
 *   collapserow    the columns appended, each column then one cell
 *   collapsecells  every cell of every table joined into one
 * `unmatched` off leaves out the rows or columns of later tables that the
 * first one lacks (by name) or that lie beyond its size. A DAT that is
 * text, not a table, merges as a column of its lines; when every DAT is
 * text the result is their texts one after the other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../graph/graph.h"

enum how { ROW, COL, COLLAPSE_COL, COLLAPSE_ROW, COLLAPSE_CELLS };

struct merge {
    char *dat;
    int how;
    int byname;
    char *spacer;
    int unmatched;
};

/* A table being built: cells owned, nrows x ncols. */
struct grid {
    char **cells;
    int nrows, ncols;
};

static const char *grid_at(const struct grid *g, int r, int c)
{
    return r < g->nrows && c < g->ncols && g->cells[r * g->ncols + c]
               ? g->cells[r * g->ncols + c]
               : "";
}

static void grid_resize(struct grid *g, int nrows, int ncols)
{
    if (nrows <= g->nrows && ncols <= g->ncols)
        return;
    nrows = nrows > g->nrows ? nrows : g->nrows;
    ncols = ncols > g->ncols ? ncols : g->ncols;
    char **cells = xcalloc((size_t)nrows * (size_t)ncols + 1,
                           sizeof(*cells));
    for (int r = 0; r < g->nrows; r++)
        for (int c = 0; c < g->ncols; c++)
            cells[r * ncols + c] = g->cells[r * g->ncols + c];
    free(g->cells);
    g->cells = cells;
    g->nrows = nrows;
    g->ncols = ncols;
}

static void grid_set(struct grid *g, int r, int c, const char *v)
{
    grid_resize(g, r + 1, c + 1);
    char **cell = &g->cells[r * g->ncols + c];
    free(*cell);
    *cell = xstrdup(v);
}

static void grid_free(struct grid *g)
{
    for (int i = 0; i < g->nrows * g->ncols; i++)
        free(g->cells[i]);
    free(g->cells);
    *g = (struct grid){0};
}

/* One source as a table: a text DAT is a column of its lines. */
static void source_grid(const struct dat_data *d, struct grid *out)
{
    *out = (struct grid){0};
    if (d->is_table) {
        for (int r = 0; r < d->nrows; r++)
            for (int c = 0; c < d->ncols; c++)
                grid_set(out, r, c, dat_cell(d, r, c));
        return;
    }
    const char *s = d->text ? d->text : "";
    for (int r = 0; *s; r++) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char *line = xasprintf("%.*s", (int)len, s);
        grid_set(out, r, 0, line);
        free(line);
        s += len + (nl ? 1 : 0);
    }
}

/* The index of name among the first row (by_row false: the first
 * column) of g, or -1. */
static int find_name(const struct grid *g, const char *name, bool in_row)
{
    int n = in_row ? g->ncols : g->nrows;
    for (int i = 0; i < n; i++)
        if (!strcmp(in_row ? grid_at(g, 0, i) : grid_at(g, i, 0), name))
            return i;
    return -1;
}

/* Appends t's rows to g (cols: its columns, transposing the roles). */
static void append(struct grid *g, const struct grid *t, bool cols,
                   const struct merge *p)
{
#define AT(x, r, c) (cols ? grid_at(x, c, r) : grid_at(x, r, c))
    int trows = cols ? t->ncols : t->nrows, tcols = cols ? t->nrows
                                                        : t->ncols;
    int grows = cols ? g->ncols : g->nrows, gcols = cols ? g->nrows
                                                        : g->ncols;
    int first = 0;
    int *map = xcalloc((size_t)tcols + 1, sizeof(*map));
    if (p->byname && grows > 0) {
        first = 1; /* its names row is not added */
        int extra = gcols;
        for (int c = 0; c < tcols; c++) {
            map[c] = find_name(g, AT(t, 0, c), !cols);
            if (map[c] < 0 && p->unmatched) {
                map[c] = extra++;
                if (cols)
                    grid_set(g, map[c], 0, AT(t, 0, c));
                else
                    grid_set(g, 0, map[c], AT(t, 0, c));
            }
        }
    } else {
        for (int c = 0; c < tcols; c++)
            map[c] = c < gcols || p->unmatched || grows == 0 ? c : -1;
    }
    for (int r = first; r < trows; r++) {
        int to = grows + r - first;
        /* the row exists, even when none of its cells is kept */
        if (cols)
            grid_resize(g, 1, to + 1);
        else
            grid_resize(g, to + 1, 1);
        for (int c = 0; c < tcols; c++) {
            if (map[c] < 0)
                continue;
            if (cols)
                grid_set(g, map[c], to, AT(t, r, c));
            else
                grid_set(g, to, map[c], AT(t, r, c));
        }
    }
    free(map);
#undef AT
}

/* Each row (cols: each column) of g as one cell, joined by spacer. */
static void collapse(struct grid *g, bool cols, const char *spacer)
{
    struct grid out = {0};
    int n = cols ? g->ncols : g->nrows, m = cols ? g->nrows : g->ncols;
    struct strbuf sb = {0};
    for (int i = 0; i < n; i++) {
        sb.len = 0;
        if (sb.s)
            sb.s[0] = '\0';
        for (int j = 0; j < m; j++)
            sb_printf(&sb, "%s%s", j ? spacer : "",
                      cols ? grid_at(g, j, i) : grid_at(g, i, j));
        if (cols)
            grid_set(&out, 0, i, sb.s ? sb.s : "");
        else
            grid_set(&out, i, 0, sb.s ? sb.s : "");
    }
    sb_free(&sb);
    grid_free(g);
    *g = out;
}

static size_t sources(struct op *op, const struct dat_data **out,
                      size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < op->ninputs && n < max; i++) {
        op_sync(op->inputs[i]);
        out[n++] = &op->inputs[i]->dat;
    }
    struct op *ref = op_par_ref(op, op_par(op, "dat"));
    if (ref && n < max) {
        op_sync(ref);
        out[n++] = &ref->dat;
    }
    return n;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct merge *p = op->priv;
    const struct dat_data *src[64];
    size_t n = sources(op, src, ARRAY_LEN(src));
    bool any_table = false;
    for (size_t i = 0; i < n; i++)
        any_table |= src[i]->is_table;
    if (!any_table && p->how != COLLAPSE_CELLS) {
        struct strbuf sb = {0};
        for (size_t i = 0; i < n; i++) {
            const char *t = src[i]->text ? src[i]->text : "";
            bool nl = sb.len && sb.s[sb.len - 1] != '\n';
            sb_printf(&sb, "%s%s", nl && *t ? "\n" : "", t);
        }
        dat_set_text(&op->dat, sb.s ? sb.s : "");
        sb_free(&sb);
        return 0;
    }
    struct grid g = {0};
    bool cols = p->how == COL || p->how == COLLAPSE_ROW;
    for (size_t i = 0; i < n; i++) {
        struct grid t;
        source_grid(src[i], &t);
        append(&g, &t, cols, p);
        grid_free(&t);
    }
    if (p->how == COLLAPSE_COL || p->how == COLLAPSE_CELLS)
        collapse(&g, false, p->spacer);
    if (p->how == COLLAPSE_ROW || p->how == COLLAPSE_CELLS)
        collapse(&g, true, p->spacer);
    const char **cells = xcalloc((size_t)g.nrows * (size_t)g.ncols + 1,
                                 sizeof(*cells));
    for (int r = 0; r < g.nrows; r++)
        for (int c = 0; c < g.ncols; c++)
            cells[r * g.ncols + c] = grid_at(&g, r, c);
    dat_set_cells(&op->dat, cells, g.nrows, g.ncols);
    free(cells);
    grid_free(&g);
    return 0;
}

static const struct par_menu_item hows[] = {
    {"row", "Append Rows"},
    {"col", "Append Columns"},
    {"collapsecol", "Collapse Columns"},
    {"collapserow", "Collapse Rows"},
    {"collapsecells", "Collapse Cells"},
    {0},
};

static const struct par_def pars[] = {
    {.name = "dat", .label = "DAT", .families = OP_FAMILY_BIT(OP_DAT),
     PARAM_OP(struct merge, dat)},
    {.name = "how", .label = "How", .menu = hows,
     PARAM_MENU(struct merge, how)},
    {.name = "byname", .label = "By Name",
     PARAM_TOGGLE(struct merge, byname)},
    {.name = "spacer", .label = "Concatenate with", .def_str = " ",
     PARAM_STRING(struct merge, spacer)},
    {.name = "unmatched", .label = "Append Unmatched", .def = {1},
     PARAM_TOGGLE(struct merge, unmatched)},
    {0},
};

const struct op_type op_dat_merge = {
    .name = "merge",
    .optype = "mergeDAT",
    .label = "Merge",
    .about = "its inputs' tables (and the DAT in `dat`) as one: `how` row, "
             "col (`byname`: by the first row's or column's names; "
             "`unmatched` keeps what the first table lacks), collapsecol, "
             "collapserow, collapsecells (cells joined by `spacer`); texts "
             "one after the other",
    .family = OP_DAT,
    .min_inputs = 0,
    .max_inputs = -1,
    .pars = pars,
    .priv_size = sizeof(struct merge),
    .cook = cook,
};
