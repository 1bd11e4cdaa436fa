/* main.c: the vitrine executable. Parses the command line, reads the
 * kiosk configuration and runs the network (run.c), checks one, or lists
 * the operator types. Exit status: 0 ok, 1 no GPU output or snapshot
 * possible, 2 usage error, 3 network or configuration error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/graph/registry.h"
#include "../engine/py/py.h"
#include "cli.h"
#include "config.h"
#include "run.h"

#include "paths.h" /* VITRINE_DATADIR, written by the Makefile */

static void print_par_def(const struct op_type *t, const struct par_def *d)
{
    struct strbuf names = {0};
    int count = d->count ? d->count : 1;
    int size = d->size ? d->size : d->kind == PAR_RGBA ? 4 : 1;
    const char *suf = d->suffixes ? d->suffixes
                                  : d->kind == PAR_RGBA ? "rgba" : "1234";
    if (count > 1) {
        char *first = xstrdup(d->name), *last = xstrdup(d->name);
        char *h = strchr(first, '#');
        *h = '\0';
        sb_printf(&names, "%s0%s..%s%d%s", first, h + 1, first, count - 1,
                  h + 1);
        free(first);
        free(last);
    } else if (size > 1) {
        for (int c = 0; c < size; c++)
            sb_printf(&names, "%s%s%c", c ? " " : "", d->name, suf[c]);
    } else {
        sb_puts(&names, d->name);
    }
    struct strbuf info = {0};
    sb_printf(&info, "%s", par_kind_name(d->kind));
    switch (d->kind) {
    case PAR_STRING:
    case PAR_OP:
    case PAR_FILE:
        sb_printf(&info, "  default '%s'", d->def_str ? d->def_str : "");
        break;
    case PAR_MENU:
        sb_printf(&info, "  default %s  [",
                  d->def_str ? d->def_str : d->menu[(int)d->def[0]].name);
        for (int i = 0; d->menu[i].name; i++)
            sb_printf(&info, "%s%s", i ? " " : "", d->menu[i].name);
        sb_puts(&info, "]");
        break;
    case PAR_PULSE: break;
    case PAR_TOGGLE:
        sb_printf(&info, "  default %s", d->def[0] ? "on" : "off");
        break;
    default:
        sb_puts(&info, "  default");
        for (int c = 0; c < size; c++)
            sb_printf(&info, " %g", d->def[c]);
        if (d->norm[0] != d->norm[1])
            sb_printf(&info, "  range %g..%g", d->norm[0], d->norm[1]);
        if (d->clamp & PAR_CLAMP_MIN)
            sb_printf(&info, "  min %g", d->lim[0]);
        if (d->clamp & PAR_CLAMP_MAX)
            sb_printf(&info, "  max %g", d->lim[1]);
    }
    printf("    %-24s %-28s %s  (page %s)\n", names.s, d->label, info.s,
           d->page ? d->page : t->label);
    sb_free(&names);
    sb_free(&info);
}

static int cmd_ops(void)
{
    size_t n;
    const struct op_type *const *types = registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        const struct op_type *t = types[i];
        char inputs[32];
        if (t->max_inputs < 0)
            snprintf(inputs, sizeof(inputs), "%d or more", t->min_inputs);
        else if (t->min_inputs == t->max_inputs)
            snprintf(inputs, sizeof(inputs), "%d", t->min_inputs);
        else
            snprintf(inputs, sizeof(inputs), "%d to %d", t->min_inputs,
                     t->max_inputs);
        printf("%s  (%s %s, type '%s', inputs %s%s%s)\n", t->optype, t->label,
               op_family_name(t->family), t->name, inputs,
               t->flags & OPT_TIME_DEPENDENT ? ", time-dependent" : "",
               t->flags & OPT_ALWAYS_COOK ? ", cooks every frame" : "");
        for (const struct par_def *d = t->pars; d && d->name; d++)
            print_par_def(t, d);
    }
    return 0;
}

/* Where `make run` and an installed vitrine find the default network. */
static const char *default_network(void)
{
    static const char *const candidates[] = {
        "networks/default",
        VITRINE_DATADIR "/networks/default",
    };
    struct stat st;
    for (size_t i = 0; i < ARRAY_LEN(candidates); i++)
        if (stat(candidates[i], &st) == 0)
            return candidates[i];
    return candidates[0];
}

static int cmd_check(const struct cli *cli)
{
    struct graph *g = run_load(cli, cli->network, true, NULL, NULL);
    if (!g)
        return EXIT_NETWORK;
    printf("%s: ok, %zu operators\n", g->file, g->nops - 1);
    graph_destroy(&g);
    py_shutdown();
    return 0;
}

int main(int argc, char **argv)
{
    log_init();
    struct cli cli;
    if (cli_parse(argc, argv, &cli) != 0) {
        cli_usage(stderr);
        return EXIT_USAGE;
    }
    log_set_level(cli.verbosity > 0 ? LOG_LEVEL_DBG
                  : cli.verbosity < 0 ? LOG_LEVEL_WARN
                                      : LOG_LEVEL_INFO);
    if (strcmp(cli.command, "ops") == 0)
        return cmd_ops();
    if (strcmp(cli.command, "check") == 0)
        return cmd_check(&cli);

    struct kiosk_config cfg;
    config_defaults(&cfg);
    const char *cfg_path = cli.config;
    if (!cfg_path && access(KIOSK_CONFIG_DEFAULT_PATH, F_OK) == 0)
        cfg_path = KIOSK_CONFIG_DEFAULT_PATH;
    if (cfg_path && config_load(&cfg, cfg_path) != 0) {
        config_free(&cfg);
        return EXIT_NETWORK;
    }
    const char *network = cli.network ? cli.network
                          : cfg.network ? cfg.network
                                        : default_network();
    int rc = run_kiosk(&cli, &cfg, network);
    config_free(&cfg);
    return rc;
}
