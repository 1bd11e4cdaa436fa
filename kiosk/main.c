/* main.c: the vitrine executable. Parses the command line, reads the
 * kiosk configuration and runs the network (run.c), checks one, or lists
 * the operator types. Exit status: 0 ok, 1 no GPU output or snapshot
 * possible, 2 usage error, 3 network or configuration error. */
#include <ctype.h>
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
#include "ask.h"
#include "cli.h"
#include "config.h"
#include "fleet.h"
#include "run.h"

#include "paths.h" /* VITRINE_DATADIR, written by the Makefile */

/* "fromrange1 fromrange2", "name0..name15", "size": what a network file
 * writes for one declaration. */
static void names_of(const struct par_def *d, const char *name,
                     struct strbuf *names, const char *quote)
{
    int count = d->count ? d->count : 1;
    int size = d->size ? d->size : d->kind == PAR_RGBA ? 4 : 1;
    const char *suf = d->suffixes ? d->suffixes
                                  : d->kind == PAR_RGBA ? "rgba" : "1234";
    if (count > 1) {
        char *first = xstrdup(name);
        char *h = strchr(first, '#');
        *h = '\0';
        sb_printf(names, "%s%s0%s%s..%s%s%d%s%s", quote, first, h + 1, quote,
                  quote, first, count - 1, h + 1, quote);
        free(first);
    } else if (size > 1) {
        for (int c = 0; c < size; c++)
            sb_printf(names, "%s%s%s%c%s", c ? " " : "", quote, name,
                      suf[c], quote);
    } else {
        sb_printf(names, "%s%s%s", quote, name, quote);
    }
}

static void def_names(const struct par_def *d, struct strbuf *names,
                      const char *quote)
{
    names_of(d, d->name, names, quote);
    if (d->alias) {
        sb_puts(names, " (or ");
        names_of(d, d->alias, names, quote);
        sb_puts(names, ")");
    }
}

/* The kind, default and range of one declaration. */
static void def_info(const struct par_def *d, struct strbuf *info,
                     const char *quote)
{
    int size = d->size ? d->size : d->kind == PAR_RGBA ? 4 : 1;
    sb_printf(info, "%s", par_kind_name(d->kind));
    switch (d->kind) {
    case PAR_STRING:
    case PAR_OP:
    case PAR_FILE:
        if (!d->def_str || !*d->def_str)
            sb_puts(info, quote[0] ? "  default empty" : "  default ''");
        else
            sb_printf(info, "  default %s%s%s", quote[0] ? quote : "'",
                      d->def_str, quote[0] ? quote : "'");
        break;
    case PAR_MENU:
        sb_printf(info, "  default %s%s%s  [", quote,
                  d->def_str ? d->def_str : d->menu[(int)d->def[0]].name,
                  quote);
        for (int i = 0; d->menu[i].name; i++)
            sb_printf(info, "%s%s%s%s", i ? " " : "", quote, d->menu[i].name,
                      quote);
        sb_puts(info, "]");
        break;
    case PAR_PULSE: break;
    case PAR_TOGGLE:
        sb_printf(info, "  default %s", d->def[0] ? "on" : "off");
        break;
    default:
        sb_puts(info, "  default");
        for (int c = 0; c < size; c++)
            sb_printf(info, " %g", d->def[c]);
        if (d->norm[0] != d->norm[1])
            sb_printf(info, "  range %g..%g", d->norm[0], d->norm[1]);
        if (d->clamp & PAR_CLAMP_MIN)
            sb_printf(info, "  min %g", d->lim[0]);
        if (d->clamp & PAR_CLAMP_MAX)
            sb_printf(info, "  max %g", d->lim[1]);
    }
}

static void type_summary(const struct op_type *t, char *buf, size_t n)
{
    char inputs[32];
    if (t->max_inputs < 0)
        snprintf(inputs, sizeof(inputs), "%d or more", t->min_inputs);
    else if (t->min_inputs == t->max_inputs)
        snprintf(inputs, sizeof(inputs), "%d", t->min_inputs);
    else
        snprintf(inputs, sizeof(inputs), "%d to %d", t->min_inputs,
                 t->max_inputs);
    snprintf(buf, n, "%s %s, type '%s', inputs %s%s%s", t->label,
             op_family_name(t->family), t->name, inputs,
             t->flags & OPT_TIME_DEPENDENT ? ", time-dependent" : "",
             t->flags & OPT_ALWAYS_COOK ? ", cooks every frame" : "");
}

static void print_type(const struct op_type *t)
{
    char summary[256];
    type_summary(t, summary, sizeof(summary));
    printf("%s  (%s)\n", t->optype, summary);
    for (const struct par_def *d = t->pars; d && d->name; d++) {
        struct strbuf names = {0}, info = {0};
        def_names(d, &names, "");
        def_info(d, &info, "");
        printf("    %-24s %-28s %s  (page %s)\n", names.s, d->label, info.s,
               d->page ? d->page : t->label);
        sb_free(&names);
        sb_free(&info);
    }
}

/* docs/operators.md: the same declarations as a page. */
static void print_markdown(const struct op_type *const *types, size_t n)
{
    printf("# Operators\n\n"
           "Generated from the registry by `vitrine ops --markdown`; a test "
           "fails when this page\nand the registry differ. Each parameter "
           "is set the same way from a network file,\nPython (`op('x').par."
           "name`) and OSC (`/project1/x/name`).\n\n");
    for (int f = OP_TOP; f < OP_FAMILY_COUNT; f++) {
        printf("- %ss:", op_family_name((enum op_family)f));
        for (size_t i = 0; i < n; i++)
            if (types[i]->family == (enum op_family)f)
                printf(" [%s](#%s)", types[i]->optype, types[i]->optype);
        printf("\n");
    }
    for (size_t i = 0; i < n; i++) {
        const struct op_type *t = types[i];
        char summary[256];
        type_summary(t, summary, sizeof(summary));
        printf("\n<a id=\"%s\"></a>\n## %s\n\n%s.", t->optype, t->optype,
               summary);
        if (t->about) /* a sentence of its own */
            printf(" %c%s.", toupper((unsigned char)t->about[0]),
                   t->about + 1);
        printf("\n\n");
        if (!t->pars || !t->pars->name) {
            printf("No parameters.\n");
            continue;
        }
        printf("| Parameter | Label | Kind, default, range | Page |\n"
               "|---|---|---|---|\n");
        for (const struct par_def *d = t->pars; d->name; d++) {
            struct strbuf names = {0}, info = {0};
            def_names(d, &names, "`");
            def_info(d, &info, "`");
            printf("| %s | %s | %s | %s |\n", names.s, d->label, info.s,
                   d->page ? d->page : t->label);
            sb_free(&names);
            sb_free(&info);
        }
    }
}

static int cmd_ops(const struct cli *cli)
{
    size_t n;
    const struct op_type *const *types = registry_all(&n);
    if (cli->optype) {
        const struct op_type *t = registry_find(cli->optype);
        if (!t) {
            const char **names = xmalloc(n * sizeof(*names));
            for (size_t i = 0; i < n; i++)
                names[i] = types[i]->optype;
            const char *near = str_nearest(cli->optype, names, n);
            fprintf(stderr, "vitrine: no operator type '%s'%s%s%s\n"
                    "Try 'vitrine --help' for more.\n",
                    cli->optype, near ? "; did you mean '" : "",
                    near ? near : "", near ? "'?" : "");
            free(names);
            return EXIT_USAGE;
        }
        if (cli->markdown) {
            print_markdown(&t, 1);
        } else {
            print_type(t);
            if (t->about)
                printf("\n%s\n", t->about);
        }
        return 0;
    }
    if (cli->markdown) {
        print_markdown(types, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        print_type(types[i]);
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
    /* Before anything else: a SIGTERM, SIGINT or SIGHUP that comes while
     * the runtime starts (loading a large network, starting Python) waits
     * until the frame loop runs and handles it (run_kiosk), instead of
     * ending the process half-started. Threads made meanwhile inherit the
     * mask, so only the main thread ever takes them. */
    run_block_signals(true);
    log_init();
    struct cli cli;
    if (cli_parse(argc, argv, &cli) != 0) {
        fprintf(stderr, "Try 'vitrine --help' for more.\n");
        return EXIT_USAGE;
    }
    log_set_level(cli.verbosity > 0 ? LOG_LEVEL_DBG
                  : cli.verbosity < 0 ? LOG_LEVEL_WARN
                                      : LOG_LEVEL_INFO);
    if (strcmp(cli.command, "run") != 0)
        run_block_signals(false); /* the commands stop when told to */
    if (strcmp(cli.command, "ops") == 0)
        return cmd_ops(&cli);
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
    if (strcmp(cli.command, "reload") == 0) {
        int rc = ask_reload(&cfg, cfg_path, 30);
        config_free(&cfg);
        return rc;
    }
    if (strcmp(cli.command, "fleet") == 0) {
        if (cli.verbosity <= 0)
            log_set_level(LOG_LEVEL_WARN); /* the table, not the sockets */
        int rc = fleet_run(&cfg, cli.seconds > 0 ? cli.seconds : 3);
        config_free(&cfg);
        return rc;
    }
    const char *network = cli.network ? cli.network
                          : cfg.network ? cfg.network
                                        : default_network();
    int rc = run_kiosk(&cli, &cfg, network);
    config_free(&cfg);
    return rc;
}
