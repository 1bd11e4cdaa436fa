/* main.c: the vitrine executable. Parses the command line, reads the
 * kiosk configuration, loads the network and runs the frame loop.
 * Exit status: 0 ok, 2 usage error, 3 network or configuration error. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../control/midi.h"
#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/graph/graph.h"
#include "../engine/graph/loader.h"
#include "../engine/graph/registry.h"
#include "../engine/gpu/gpu.h"
#include "../engine/py/py.h"
#include "config.h"
#include "headless.h"
#include "loop.h"
#include "overlay.h"
#include "remote.h"
#include "snapshot.h"
#include "window.h"

#ifndef VITRINE_VERSION
#define VITRINE_VERSION "0.1.0"
#endif
#include "paths.h" /* VITRINE_DATADIR, written by the Makefile */

enum { EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2, EXIT_NETWORK = 3 };

struct cli {
    const char *command; /* "run", "check", "ops" */
    const char *network;
    const char *config;
    int64_t frames;
    double fps;
    int width, height;
    int verbosity; /* -1 quiet, 0 normal, 1 verbose */
    bool headless, windowed, overlay;
    int monitor; /* -1: the configuration's */
    const char *snapshot, *preview;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vitrine [OPTIONS] [NETWORK]\n"
        "       vitrine check NETWORK\n"
        "       vitrine ops\n"
        "\n"
        "Runs a TouchDesigner-style operator network.\n"
        "\n"
        "  NETWORK               a network file (.ini) or a folder holding\n"
        "                        network.ini; default: kiosk.ini's network=,\n"
        "                        else networks/default\n"
        "  -c, --config FILE     kiosk configuration (INI); default\n"
        "                        " KIOSK_CONFIG_DEFAULT_PATH " if it exists\n"
        "  --windowed            a window instead of fullscreen\n"
        "  --monitor N           fullscreen on monitor N (0 = primary)\n"
        "  --headless            no window: render offscreen through EGL\n"
        "                        (the default where there is no display)\n"
        "  --frames N            exit 0 after N frames (0: run until stopped)\n"
        "  --snapshot FILE       after the last frame, write the output TOP to\n"
        "                        FILE (.png)\n"
        "  --preview FILE        headless: write the output TOP to FILE every\n"
        "                        5 seconds (default /tmp/vitrine-preview.png\n"
        "                        when running until stopped)\n"
        "  --overlay             start with the performance overlay shown\n"
        "                        (F1 in the window toggles it)\n"
        "  --fps N               override the network's frame rate\n"
        "  --size WxH            override the network's resolution\n"
        "  check NETWORK         load and validate a network, report every\n"
        "                        problem with file:line, run nothing\n"
        "  ops                   list every operator type with its parameters\n"
        "  -v, --verbose         debug messages too\n"
        "  -q, --quiet           errors and warnings only\n"
        "  --version             print the version\n"
        "  -h, --help            this text\n"
        "\n"
        "exit status: 0 ok, 1 no GPU output or snapshot possible, 2 usage\n"
        "error, 3 network or configuration error\n");
}

static int parse_cli(int argc, char **argv, struct cli *cli)
{
    enum { OPT_FRAMES = 256, OPT_FPS, OPT_SIZE, OPT_VERSION, OPT_HEADLESS,
           OPT_WINDOWED, OPT_MONITOR, OPT_SNAPSHOT, OPT_PREVIEW,
           OPT_OVERLAY };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"frames", required_argument, NULL, OPT_FRAMES},
        {"fps", required_argument, NULL, OPT_FPS},
        {"size", required_argument, NULL, OPT_SIZE},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"headless", no_argument, NULL, OPT_HEADLESS},
        {"windowed", no_argument, NULL, OPT_WINDOWED},
        {"monitor", required_argument, NULL, OPT_MONITOR},
        {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
        {"preview", required_argument, NULL, OPT_PREVIEW},
        {"overlay", no_argument, NULL, OPT_OVERLAY},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    *cli = (struct cli){.command = "run", .monitor = -1};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "c:vqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': cli->config = optarg; break;
        case OPT_FRAMES:
            cli->frames = strtoll(optarg, &end, 10);
            if (end == optarg || *end || cli->frames < 0) {
                fprintf(stderr, "vitrine: --frames takes a count of 0 or "
                        "more, not '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_FPS:
            cli->fps = strtod(optarg, &end);
            if (end == optarg || *end || !(cli->fps > 0 && cli->fps <= 1000)) {
                fprintf(stderr, "vitrine: --fps takes a rate above 0 and at "
                        "most 1000, not '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_SIZE: {
            char extra;
            if (sscanf(optarg, "%dx%d%c", &cli->width, &cli->height, &extra)
                    != 2 || cli->width < 1 || cli->height < 1 ||
                cli->width > 16384 || cli->height > 16384) {
                fprintf(stderr, "vitrine: --size takes WIDTHxHEIGHT, for "
                        "example 1280x720, not '%s'\n", optarg);
                return -1;
            }
            break;
        }
        case OPT_HEADLESS: cli->headless = true; break;
        case OPT_WINDOWED: cli->windowed = true; break;
        case OPT_MONITOR: {
            long m = strtol(optarg, &end, 10);
            if (end == optarg || *end || m < 0 || m > 64) {
                fprintf(stderr, "vitrine: --monitor takes a number from 0, "
                        "not '%s'\n", optarg);
                return -1;
            }
            cli->monitor = (int)m;
            break;
        }
        case OPT_SNAPSHOT: cli->snapshot = optarg; break;
        case OPT_PREVIEW: cli->preview = optarg; break;
        case OPT_OVERLAY: cli->overlay = true; break;
        case 'v': cli->verbosity = 1; break;
        case 'q': cli->verbosity = -1; break;
        case OPT_VERSION: printf("vitrine %s\n", VITRINE_VERSION); exit(0);
        case 'h': usage(stdout); exit(0);
        default: return -1;
        }
    }
    int rest = argc - optind;
    char **args = argv + optind;
    if (rest >= 1 && (strcmp(args[0], "check") == 0 ||
                      strcmp(args[0], "ops") == 0)) {
        cli->command = args[0];
        args++;
        rest--;
    }
    if (strcmp(cli->command, "ops") == 0 && rest > 0) {
        fprintf(stderr, "vitrine: 'ops' takes no arguments\n");
        return -1;
    }
    if (strcmp(cli->command, "check") == 0 && rest != 1) {
        fprintf(stderr, "vitrine: 'check' takes one network\n");
        return -1;
    }
    if (rest > 1) {
        fprintf(stderr, "vitrine: one network at a time, got %d\n", rest);
        return -1;
    }
    if (cli->headless && cli->windowed) {
        fprintf(stderr, "vitrine: --headless and --windowed exclude each "
                "other\n");
        return -1;
    }
    if (rest == 1)
        cli->network = args[0];
    return 0;
}

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

static struct graph *load(const struct cli *cli, const char *network,
                          bool print_to_stdout)
{
    char err[2048];
    if (py_init(err, sizeof(err)) != 0)
        LOG_WARN("[python]", "%s; scripts and expressions cannot run", err);
    struct load_options opt = {
        .eval = py_evaluator(),
        .fps = cli->fps, .width = cli->width, .height = cli->height,
    };
    struct load_report rep = {0};
    struct graph *g = network_load(network, &opt, &rep);
    for (size_t i = 0; i < rep.count; i++) {
        char *line = load_error_format(&rep.errors[i]);
        if (print_to_stdout)
            printf("%s\n", line);
        else
            LOG_ERR("[load]", "%s", line);
        free(line);
    }
    if (!g) {
        char *file = network_file_path(network);
        if (print_to_stdout)
            printf("%s: %zu problem%s\n", file, rep.count,
                   rep.count == 1 ? "" : "s");
        else
            LOG_ERR("[load]", "%s: %zu problem%s; not starting", file,
                    rep.count, rep.count == 1 ? "" : "s");
        free(file);
    }
    load_report_free(&rep);
    return g;
}

static int cmd_check(const struct cli *cli)
{
    struct graph *g = load(cli, cli->network, true);
    if (!g)
        return EXIT_NETWORK;
    printf("%s: ok, %zu operators\n", g->file, g->nops - 1);
    graph_destroy(&g);
    py_shutdown();
    return 0;
}

/* Where frames go: a window, or nothing (headless) with an occasional
 * preview PNG. */
struct display {
    struct headless *headless;
    struct window *window;
    struct gpu *gpu;
    enum fit_mode fit;
    const char *preview;
    int64_t preview_due;
    struct overlay *overlay;
    bool show_overlay;
    struct remote *remote;
};

static void control(void *userdata, struct graph *g)
{
    struct display *d = userdata;
    remote_frame(d->remote, g);
}

static struct gpu_tex *output_tex(struct graph *g)
{
    return g->output && g->output->type->family == OP_TOP
               ? g->output->top.tex : NULL;
}

/* What is shown: the output TOP, with the overlay when it is on. */
static const struct gpu_tex *shown_tex(struct display *d, struct graph *g)
{
    const struct gpu_tex *out = output_tex(g);
    return d->show_overlay ? overlay_draw(d->overlay, d->gpu, g, out) : out;
}

static void present(void *userdata, struct graph *g, double cook_ms)
{
    struct display *d = userdata;
    overlay_record(d->overlay, cook_ms);
    if (d->window) {
        if (window_take_f1(d->window)) {
            d->show_overlay = !d->show_overlay;
            LOG_INFO("[overlay]", "%s", d->show_overlay ? "shown" : "hidden");
        }
        window_present(d->window, d->gpu, shown_tex(d, g), d->fit);
        if (window_should_close(d->window))
            stop_requested = 1;
        return;
    }
    int64_t now = clock_now_ns();
    if (!d->preview || now < d->preview_due)
        return;
    const struct gpu_tex *tex = shown_tex(d, g); /* only when due */
    if (tex) {
        char err[512];
        if (snapshot_write(d->gpu, tex, d->preview, err, sizeof(err)) != 0)
            LOG_WARN("[preview]", "%s", err);
        d->preview_due = now + 5000000000LL;
    }
}

static bool display_open(struct display *d, const struct cli *cli,
                         const struct kiosk_config *cfg, struct graph *g)
{
    char err[512] = "";
    bool has_display = getenv("DISPLAY") || getenv("WAYLAND_DISPLAY");
    int fit = fit_mode_parse(cfg->fit);
    d->fit = fit < 0 ? FIT_FIT : (enum fit_mode)fit;
    if (!cli->headless && has_display) {
        struct window_params wp = {
            .monitor = cli->monitor >= 0 ? cli->monitor : cfg->monitor,
            .windowed = cli->windowed || !cfg->fullscreen,
            .width = g->width,
            .height = g->height,
            .vsync = cfg->vsync,
            .cursor = cfg->cursor,
            .title = "vitrine",
        };
        d->window = window_create(&wp, err, sizeof(err));
        if (!d->window)
            LOG_WARN("[window]", "%s; rendering headless instead", err);
    }
    if (!d->window) {
        d->headless = headless_create(err, sizeof(err));
        if (!d->headless) {
            LOG_ERR("[gl]", "%s; TOPs will not render", err);
            return false;
        }
        d->preview = cli->preview ? cli->preview
                     : cli->frames == 0 ? "/tmp/vitrine-preview.png"
                                        : NULL;
        if (d->preview)
            LOG_INFO("[preview]", "writing the output to %s every 5 s",
                     d->preview);
    }
    d->gpu = gpu_create(err, sizeof(err));
    if (!d->gpu) {
        LOG_ERR("[gl]", "%s; TOPs will not render", err);
        return false;
    }
    g->gpu = d->gpu;
    d->overlay = overlay_create();
    d->show_overlay = cli->overlay || cfg->overlay;
    return true;
}

static void display_close(struct display *d)
{
    overlay_destroy(&d->overlay, d->gpu);
    gpu_destroy(&d->gpu);
    window_destroy(&d->window);
    headless_destroy(&d->headless);
}

static int cmd_run(const struct cli *cli, const struct kiosk_config *cfg)
{
    const char *network = cli->network ? cli->network
                          : cfg->network ? cfg->network
                                         : default_network();
    struct graph *g = load(cli, network, false);
    if (!g)
        return EXIT_NETWORK;
    if (cli->snapshot && (!g->output || g->output->type->family != OP_TOP)) {
        LOG_ERR("[snapshot]", "%s has no output TOP to write: set [network] "
                "output to a TOP", g->file);
        graph_destroy(&g);
        return EXIT_NETWORK;
    }
    struct display d = {0};
    bool gl = display_open(&d, cli, cfg, g);
    py_set_budget_ms(cfg->script_budget_ms);
    midi_set_default_device(cfg->midi_device);
    py_attach(g);
    d.remote = remote_open(cfg);
    LOG_INFO("[vitrine]", "running %s: %zu operators at %g fps%s", g->file,
             g->nops - 1, g->time.rate,
             cli->frames ? "" : "; Ctrl-C stops");

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct loop_params lp = {
        .graph = g,
        .max_frames = cli->frames,
        .stop = &stop_requested,
        .status_interval = cli->verbosity >= 0 ? 1.0 : 0,
        .present = gl ? present : NULL,
        .control = control,
        .userdata = &d,
    };
    struct loop_stats st;
    loop_run(&lp, &st);
    LOG_INFO("[vitrine]", "stopped after %lld frames in %.2f s (%lld "
             "skipped)", (long long)st.frames, st.seconds,
             (long long)st.skipped);
    int rc = 0;
    if (cli->snapshot) {
        char err[512];
        const struct gpu_tex *tex = gl ? shown_tex(&d, g) : NULL;
        if (!gl || !tex) {
            LOG_ERR("[snapshot]", "no image to write: %s",
                    gl ? g->output->error ? g->output->error
                                          : "the output has not rendered"
                       : "no GPU context");
            rc = EXIT_FAILURE_RUN;
        } else if (snapshot_write(d.gpu, tex, cli->snapshot, err,
                                  sizeof(err)) != 0) {
            LOG_ERR("[snapshot]", "%s", err);
            rc = EXIT_FAILURE_RUN;
        } else {
            LOG_INFO("[snapshot]", "wrote %s (%dx%d)", cli->snapshot, tex->w,
                     tex->h);
        }
    }
    py_exit(g);
    py_attach(NULL);
    remote_close(&d.remote);
    midi_set_default_device(NULL);
    /* Ops give their textures back before the GPU goes, and their
     * expressions before the interpreter. */
    graph_destroy(&g);
    display_close(&d);
    py_shutdown();
    return rc;
}

int main(int argc, char **argv)
{
    log_init();
    struct cli cli;
    if (parse_cli(argc, argv, &cli) != 0) {
        usage(stderr);
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
    int rc = cmd_run(&cli, &cfg);
    config_free(&cfg);
    return rc;
}
