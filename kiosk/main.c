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
#include "../control/osc.h"
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
#include "notify.h"
#include "snapshot.h"
#include "stall.h"
#include "state.h"
#include "watch.h"
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
    const char *state_dir; /* --state-dir */
    double hang_timeout;   /* --hang-timeout; < 0: the configuration's */
    int osc_port;          /* --osc-port; 0: 10000 */
};

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reload_requested = 1;
    else
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
        "  --state-dir DIR       keep input values, op storage and cue\n"
        "                        positions in DIR (default: kiosk.ini's\n"
        "                        [state] dir when a configuration is read,\n"
        "                        else systemd's STATE_DIRECTORY, else none)\n"
        "  --hang-timeout S      seconds without a frame before the stall\n"
        "                        detector aborts (0: off; default kiosk.ini)\n"
        "  --osc-port PORT       UDP port of the OSC In operators whose port\n"
        "                        is 0 (default 10000)\n"
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
           OPT_OVERLAY, OPT_STATE_DIR, OPT_HANG_TIMEOUT, OPT_OSC_PORT };
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
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"hang-timeout", required_argument, NULL, OPT_HANG_TIMEOUT},
        {"osc-port", required_argument, NULL, OPT_OSC_PORT},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    *cli = (struct cli){.command = "run", .monitor = -1,
                        .hang_timeout = -1};
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
        case OPT_STATE_DIR: cli->state_dir = optarg; break;
        case OPT_OSC_PORT: {
            long port = strtol(optarg, &end, 10);
            if (end == optarg || *end || port < 1 || port > 65535) {
                fprintf(stderr, "vitrine: --osc-port takes a UDP port from "
                        "1 to 65535, not '%s'\n", optarg);
                return -1;
            }
            cli->osc_port = (int)port;
            break;
        }
        case OPT_HANG_TIMEOUT:
            cli->hang_timeout = strtod(optarg, &end);
            if (end == optarg || *end || !(cli->hang_timeout >= 0)) {
                fprintf(stderr, "vitrine: --hang-timeout takes seconds (0: "
                        "off), not '%s'\n", optarg);
                return -1;
            }
            break;
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

/* The built-in fallback: a plain dark screen, for a crash loop when
 * kiosk.ini names no fallback network. */
static const char fallback_network[] =
    "[network]\n"
    "output = out\n"
    "[out]\n"
    "OPType = constantTOP\n"
    "colorr = 0.06\n"
    "colorg = 0.06\n"
    "colorb = 0.07\n";

#define FALLBACK_NAME "(built-in fallback)"

/* Loads network (NULL: the built-in fallback), logging every problem
 * (or printing it, for check). When it fails, *problems (optional) gets
 * "FILE: N problems; the first: ..." and the log "FILE: N problems" and
 * what follows (unless it prints). */
static struct graph *load(const struct cli *cli, const char *network,
                          bool print_to_stdout, char **problems,
                          const char *follows)
{
    char err[2048];
    if (py_init(err, sizeof(err)) != 0)
        LOG_WARN("[python]", "%s; scripts and expressions cannot run", err);
    struct load_options opt = {
        .eval = py_evaluator(),
        .fps = cli->fps, .width = cli->width, .height = cli->height,
    };
    struct load_report rep = {0};
    struct graph *g = network
        ? network_load(network, &opt, &rep)
        : network_load_text(FALLBACK_NAME, fallback_network, &opt, &rep);
    char *first = NULL;
    for (size_t i = 0; i < rep.count; i++) {
        char *line = load_error_format(&rep.errors[i]);
        if (print_to_stdout)
            printf("%s\n", line);
        else
            LOG_ERR("[load]", "%s", line);
        if (!first)
            first = line;
        else
            free(line);
    }
    if (!g) {
        char *file = network ? network_file_path(network)
                             : xstrdup(FALLBACK_NAME);
        if (print_to_stdout)
            printf("%s: %zu problem%s\n", file, rep.count,
                   rep.count == 1 ? "" : "s");
        else
            LOG_ERR("[load]", "%s: %zu problem%s; %s", file, rep.count,
                    rep.count == 1 ? "" : "s", follows);
        if (problems)
            *problems = xasprintf("%s: %zu problem%s%s%s", file, rep.count,
                                  rep.count == 1 ? "" : "s",
                                  first ? "; the first: " : "",
                                  first ? first : "");
        free(file);
    }
    free(first);
    load_report_free(&rep);
    return g;
}

static int cmd_check(const struct cli *cli)
{
    struct graph *g = load(cli, cli->network, true, NULL, NULL);
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
};

/* The running kiosk: what the frame loop's callbacks share. */
struct runtime {
    const struct cli *cli;
    const struct kiosk_config *cfg;
    struct display d;
    struct remote *remote;
    struct graph *g;
    struct graph *retired; /* the graph a reload replaced, freed after
                            * the new one's first frame */
    bool fallback;         /* running the fallback after a crash loop */
    char *state_dir;       /* NULL: nothing persists */
    char *state_name;      /* the running network's state file */
    int64_t state_due;     /* next periodic save */
    int64_t status_due;    /* next STATUS= */
    struct watch *watch;
    struct stall *stall;
    int64_t frames, status_frames, status_start;
};

static void control(void *userdata, struct graph *g)
{
    struct runtime *rt = userdata;
    remote_frame(rt->remote, g);
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
    struct runtime *rt = userdata;
    struct display *d = &rt->d;
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
        /* not with the first frame: it would delay READY=1 */
        d->preview_due = clock_now_ns() + 2000000000LL;
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

/* ---- persistent state ---- */

static void state_save_now(struct runtime *rt, struct graph *g)
{
    if (!rt->state_dir || !rt->state_name)
        return;
    char *text = state_capture(g);
    char err[512];
    if (state_save(rt->state_dir, rt->state_name, g->file, text, err,
                   sizeof(err)) != 0)
        LOG_WARN("[state]", "%s", err);
    free(text);
}

/* The state saved for g's network, put back. */
static void state_restore(struct runtime *rt, struct graph *g)
{
    free(rt->state_name);
    rt->state_name = rt->state_dir && !rt->fallback
                         ? state_file_name(g->file) : NULL;
    if (!rt->state_name)
        return;
    char *text = state_load(rt->state_dir, rt->state_name);
    if (!text)
        return;
    int n = state_apply(g, text);
    LOG_INFO("[state]", "restored the state of %d operator%s from %s/%s", n,
             n == 1 ? "" : "s", rt->state_dir, rt->state_name);
    free(text);
}

/* ---- reload ---- */

/* Loads network (NULL: the running one's file again) beside the running
 * graph and swaps it in between frames. A reload keeps the input
 * channels' values and op storage; a load of another network saves the
 * running one's state and takes the new one's. A network that fails to
 * load leaves the running one as it is. */
static struct graph *reload(struct runtime *rt, struct graph *g,
                            const char *network, const char *why)
{
    bool same = network == NULL;
    char *path = xstrdup(same ? g->file : network);
    if (same && rt->fallback) {
        LOG_WARN("[reload]", "running the fallback network after a crash "
                 "loop; %s does not reload it (restart the service, or "
                 "/vitrine/load a network)", why);
        remote_reply(rt->remote, false, "running the fallback network");
        free(path);
        return g;
    }
    LOG_INFO("[reload]", "%s: loading %s", why, path);
    notify_reloading();
    char *problems = NULL;
    struct graph *ng = load(rt->cli, path, false, &problems,
                            "the running network stays");
    if (!ng) {
        remote_reply(rt->remote, false, problems ? problems : path);
        notify_reloaded();
        free(problems);
        free(path);
        return g;
    }
    ng->gpu = rt->d.gpu;
    if (same) {
        char *state = state_capture(g);
        py_reattach(ng);
        state_apply(ng, state);
        free(state);
    } else {
        state_save_now(rt, g);
        py_exit(g);
        py_attach(ng);
        rt->fallback = false;
        remote_set_mode(rt->remote, "running");
        state_restore(rt, ng);
    }
    /* The old graph keeps its OSC ports and MIDI inputs open until the new
     * one has cooked once and holds them too. */
    graph_destroy(&rt->retired);
    rt->retired = g;
    watch_graph(rt->watch, ng);
    stall_graph(rt->stall, ng);
    LOG_INFO("[reload]", "now running %s: %zu operators", ng->file,
             ng->nops - 1);
    remote_reply(rt->remote, true, ng->file);
    notify_reloaded();
    free(problems);
    free(path);
    rt->g = ng;
    return ng;
}

static struct graph *between(void *userdata, struct graph *g)
{
    struct runtime *rt = userdata;
    int64_t now = clock_now_ns();
    if (rt->frames++ == 0)
        notify_ready(); /* the first frame is on the screen */
    else
        graph_destroy(&rt->retired);
    notify_frame(now);
    rt->status_frames++;
    if (now >= rt->status_due) {
        double fps = (double)rt->status_frames * 1e9 /
                     (double)(now - rt->status_start);
        notify_status("%s%s | %.1f fps | %zu error%s",
                      rt->fallback ? "FALLBACK after a crash loop: " : "",
                      g->file, fps, graph_error_count(g),
                      graph_error_count(g) == 1 ? "" : "s");
        rt->status_frames = 0;
        rt->status_start = now;
        rt->status_due = now + 1000000000LL;
    }
    if (rt->state_dir && now >= rt->state_due) {
        state_save_now(rt, g);
        rt->state_due = now + (int64_t)(rt->cfg->state_interval * 1e9);
    }
    const char *what;
    if (watch_due(rt->watch, now, &what)) {
        char *why = xasprintf("%s changed", what);
        g = reload(rt, g, NULL, why);
        free(why);
    }
    if (reload_requested) {
        reload_requested = 0;
        g = reload(rt, g, NULL, "SIGHUP");
    }
    char *network;
    switch (remote_take_request(rt->remote, &network)) {
    case REMOTE_RELOAD: g = reload(rt, g, NULL, "/vitrine/reload"); break;
    case REMOTE_LOAD: g = reload(rt, g, network, "/vitrine/load"); break;
    case REMOTE_NONE: break;
    }
    free(network);
    return g;
}

/* Where state is kept: --state-dir, else kiosk.ini's [state] dir when a
 * configuration was read, else systemd's StateDirectory=. NULL: none
 * (`vitrine NETWORK` on a desk keeps nothing). */
static char *state_dir_of(const struct cli *cli, const struct kiosk_config *cfg,
                          bool config_read)
{
    const char *dir = cli->state_dir;
    if (!dir && config_read)
        dir = cfg->state_dir;
    if (!dir) {
        const char *sd = getenv("STATE_DIRECTORY"); /* may be a list */
        if (sd && sd[0])
            return xstrndup(sd, strcspn(sd, ":"));
        return NULL;
    }
    return dir[0] ? xstrdup(dir) : NULL;
}

static int cmd_run(const struct cli *cli, const struct kiosk_config *cfg,
                   bool config_read)
{
    notify_init();
    struct runtime rt = {.cli = cli, .cfg = cfg};
    rt.state_dir = state_dir_of(cli, cfg, config_read);
    if (rt.state_dir) {
        char err[512];
        int unclean = runs_start(rt.state_dir, 60, err, sizeof(err));
        if (unclean < 0) {
            LOG_WARN("[state]", "%s; nothing persists this run", err);
            free(rt.state_dir);
            rt.state_dir = NULL;
        } else if (unclean > 0 && unclean < 3) {
            LOG_WARN("[vitrine]", "%d unclean exit%s (crash, kill, abort) "
                     "within the last 60 s; the fallback network takes over "
                     "at 3", unclean, unclean == 1 ? "" : "s");
        } else if (unclean >= 3) {
            rt.fallback = true;
            LOG_ERR("[vitrine]", "%d unclean exits within 60 s: a crash "
                    "loop; loading the fallback network %s instead", unclean,
                    cfg->fallback && cfg->fallback[0] ? cfg->fallback
                                                      : FALLBACK_NAME);
        }
    }
    const char *network = cli->network ? cli->network
                          : cfg->network ? cfg->network
                                         : default_network();
    struct graph *g = NULL;
    if (rt.fallback && cfg->fallback && cfg->fallback[0])
        g = load(cli, cfg->fallback, false, NULL,
                 "the built-in fallback instead");
    if (rt.fallback && !g)
        g = load(cli, NULL, false, NULL, "not starting");
    if (!g)
        g = load(cli, network, false, NULL, "not starting");
    if (!g) {
        if (rt.state_dir)
            runs_clean_exit(rt.state_dir); /* a bad file is no crash */
        free(rt.state_dir);
        return EXIT_NETWORK;
    }
    rt.g = g;
    if (cli->snapshot && (!g->output || g->output->type->family != OP_TOP)) {
        LOG_ERR("[snapshot]", "%s has no output TOP to write: set [network] "
                "output to a TOP", g->file);
        graph_destroy(&g);
        free(rt.state_dir);
        return EXIT_NETWORK;
    }
    bool gl = display_open(&rt.d, cli, cfg, g);
    py_set_budget_ms(cfg->script_budget_ms);
    midi_set_default_device(cfg->midi_device);
    osc_set_default_port(cli->osc_port);
    py_attach(g);
    state_restore(&rt, g);
    rt.remote = remote_open(cfg);
    if (rt.fallback)
        remote_set_mode(rt.remote, "fallback");
    rt.watch = rt.fallback ? NULL : watch_create();
    watch_graph(rt.watch, g);
    rt.stall = stall_start(cli->hang_timeout >= 0 ? cli->hang_timeout
                                                  : cfg->hang_timeout);
    stall_graph(rt.stall, g);
    int64_t now = clock_now_ns();
    rt.state_due = now + (int64_t)(cfg->state_interval * 1e9);
    rt.status_start = now;
    rt.status_due = now + 1000000000LL;
    LOG_INFO("[vitrine]", "running %s: %zu operators at %g fps%s", g->file,
             g->nops - 1, g->time.rate,
             cli->frames ? "" : "; Ctrl-C stops");

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    const char *hang = getenv("VITRINE_DEBUG_HANG_AT_FRAME");
    struct loop_params lp = {
        .graph = g,
        .max_frames = cli->frames,
        .stop = &stop_requested,
        .status_interval = cli->verbosity >= 0 ? 1.0 : 0,
        .present = gl ? present : NULL,
        .control = control,
        .between = between,
        .userdata = &rt,
        .stall = rt.stall,
        .hang_at_frame = hang ? atoll(hang) : 0,
    };
    struct loop_stats st;
    loop_run(&lp, &st);
    g = rt.g;
    notify_stopping();
    stall_stop(&rt.stall);
    LOG_INFO("[vitrine]", "stopped after %lld frames in %.2f s (%lld "
             "skipped)", (long long)st.frames, st.seconds,
             (long long)st.skipped);
    int rc = 0;
    if (cli->snapshot) {
        char err[512];
        const struct gpu_tex *tex = gl ? shown_tex(&rt.d, g) : NULL;
        if (!gl || !tex) {
            LOG_ERR("[snapshot]", "no image to write: %s",
                    gl ? g->output->error ? g->output->error
                                          : "the output has not rendered"
                       : "no GPU context");
            rc = EXIT_FAILURE_RUN;
        } else if (snapshot_write(rt.d.gpu, tex, cli->snapshot, err,
                                  sizeof(err)) != 0) {
            LOG_ERR("[snapshot]", "%s", err);
            rc = EXIT_FAILURE_RUN;
        } else {
            LOG_INFO("[snapshot]", "wrote %s (%dx%d)", cli->snapshot, tex->w,
                     tex->h);
        }
    }
    py_exit(g);
    state_save_now(&rt, g);
    py_attach(NULL);
    remote_close(&rt.remote);
    midi_set_default_device(NULL);
    watch_destroy(&rt.watch);
    /* Ops give their textures back before the GPU goes, and their
     * expressions before the interpreter. */
    graph_destroy(&rt.retired);
    graph_destroy(&g);
    display_close(&rt.d);
    py_shutdown();
    if (rt.state_dir)
        runs_clean_exit(rt.state_dir);
    free(rt.state_dir);
    free(rt.state_name);
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
    int rc = cmd_run(&cli, &cfg, cfg_path != NULL);
    config_free(&cfg);
    return rc;
}
