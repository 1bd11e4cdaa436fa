#include "dat_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

char *dat_source_text(struct op *op, const char *file, const char *text,
                      char **path_out)
{
    if (path_out)
        *path_out = NULL;
    if (!file || !*file)
        return xstrdup(text ? text : "");
    char *path = graph_resolve_file(op->graph, file);
    char *s = file_read_all(path, NULL);
    if (!s) {
        op_set_error(op, "cannot read file '%s': %s", path, file_error(errno));
        free(path);
        return NULL;
    }
    if (path_out)
        *path_out = path;
    else
        free(path);
    /* A UTF-8 byte order mark (editors on Windows write one) is not text:
     * Python would take it for a character in the first line. */
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        memmove(s, s + 3, strlen(s + 3) + 1);
    return s;
}

int dat_cook_callbacks(struct op *op, const char *file, const char *text)
{
    if (op->cook_count == 0 || op->par_version != op->cooked_par_version) {
        char *s = dat_source_text(op, file, text, NULL);
        if (!s)
            return -1;
        dat_set_text(&op->dat, s);
        free(s);
    }
    if (!op->graph->eval)
        op_set_warning(op, "callbacks do not run: this build has no Python "
                       "interpreter");
    return 0;
}
