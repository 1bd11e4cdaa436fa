#include "chop_util.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "../base/util.h"

void chop_names_from_list(struct op *op, const char *list, double rate)
{
    char buf[1024];
    const char *names[256];
    int n = 0;
    snprintf(buf, sizeof(buf), "%s", list ? list : "");
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save);
         tok && n < (int)ARRAY_LEN(names);
         tok = strtok_r(NULL, " \t,", &save))
        names[n++] = chop_intern(op, tok);
    if (n == 0)
        names[n++] = chop_intern(op, "chan1");
    struct chop_data *c = &op->chop;
    chop_resize(c, n, 1);
    for (int i = 0; i < n; i++)
        c->names[i] = names[i];
    c->rate = rate;
}

bool chop_name_matches(const char *patterns, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", patterns ? patterns : "");
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save))
        if (fnmatch(tok, name, 0) == 0)
            return true;
    return false;
}
