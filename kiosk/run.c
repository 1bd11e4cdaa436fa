#include "run.h"

#include <pthread.h>
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
#include "../engine/gpu/gpu.h"
#include "../engine/py/py.h"
#include "cli.h"
#include "config.h"
#include "headless.h"
#include "loop.h"
#include "notify.h"
#include "overlay.h"
#include "mdns.h"
#include "peers.h"
#include "prefault.h"
#include "web.h"
#include "remote.h"
#include "snapshot.h"
#include "stall.h"
#include "state.h"
#include "watch.h"
#include "window.h"

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reload_requested = 1;
    else
        stop_requested = 1;
}

void run_block_signals(bool block)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
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

/* What the screen will show when the network names no TOP to show. */
static bool output_warning(const struct graph *g, char *buf, size_t n)
{
    if (!g->output)
        snprintf(buf, n, "[network] names no output: the screen stays "
                 "black (set output = the TOP to show)");
    else if (g->output->type->family != OP_TOP)
        snprintf(buf, n, "[network] output %s is a %s, not a TOP: the "
                 "screen stays black", g->output->path,
                 g->output->type->optype);
    else
        return false;
    return true;
}

/* The stall detector a load in progress tells that it is moving. */
static struct stall *loading_stall;

static void load_progress(void *ctx)
{
    (void)ctx;
    stall_frame(loading_stall);
    notify_frame(clock_now_ns());
}

struct graph *run_load(const struct cli *cli, const char *network,
                       bool print_to_stdout, char **problems,
                       const char *follows)
{
    struct load_options opt = {
        .eval = py_evaluator(),
        .fps = cli->fps, .width = cli->width, .height = cli->height,
        .progress = load_progress,
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
    char warn[512];
    if (g && output_warning(g, warn, sizeof(warn))) {
        if (print_to_stdout)
            printf("%s: warning: %s\n", g->file, warn);
        else
            LOG_WARN("[load]", "%s: %s", g->file, warn);
    }
    return g;
}

/* The headless preview unless --preview names one: in RAM where there is
 * a runtime folder (systemd's RuntimeDirectory=, a login session's
 * XDG_RUNTIME_DIR), so that a kiosk does not write a PNG to its SD card
 * every 5 seconds; else /tmp. */
static char *default_preview(void)
{
    const char *vars[] = {"RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR"};
    for (size_t i = 0; i < ARRAY_LEN(vars); i++) {
        const char *v = getenv(vars[i]);
        if (!v || v[0] != '/')
            continue;
        /* systemd may list several folders, separated by ':' */
        char *dir = xstrndup(v, strcspn(v, ":"));
        bool ok = access(dir, W_OK) == 0;
        char *path = ok ? xasprintf("%s/vitrine-preview.png", dir) : NULL;
        free(dir);
        if (path)
            return path;
    }
    return xstrdup("/tmp/vitrine-preview.png");
}

/* Where frames go: a window, or nothing (headless) with an occasional
 * preview PNG. */
struct display {
    struct headless_start *starting; /* headless_begin's, until opened */
    struct headless *headless;
    struct window *window;
    struct gpu *gpu;
    enum fit_mode fit;
    char *preview; /* NULL: none */
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
    struct peers *peers;
    struct web *web;
    struct mdns *mdns;
    char name[64]; /* the kiosk's */
    struct graph *g;
    struct graph *retired; /* the graph a reload replaced, freed after
                            * the new one's first frame */
    bool fallback;         /* running the fallback after a crash loop */
    char *state_dir;       /* NULL: nothing persists */
    char *runs_elsewhere;  /* where starts are recorded when state_dir
                            * cannot be written */
    bool state_failing;    /* the last save failed (said once) */
    char *state_name;      /* the running network's state file */
    char *state_ops;       /* the ops' lines the last save took (NULL: none
                            * since the network started) */
    bool state_dirty;      /* something changed that no save has written */
    struct state_saver *saver;
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
    const char *mode = rt->fallback ? "fallback" : "running";
    peers_frame(rt->peers, g, mode);
    bool out;
    const char *line = peers_line(rt->peers, &out);
    if (rt->d.overlay)
        overlay_set_sync(rt->d.overlay, line, out);
    struct web_status st = {.name = rt->name, .mode = mode, .sync = line,
                            .sync_out = out};
    web_frame(rt->web, g, &st);
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

/* The status page's preview: the output, 320 pixels wide, read back only
 * while someone watches and every few seconds. */
static void take_preview(struct runtime *rt, struct graph *g)
{
    const struct gpu_tex *out = output_tex(g);
    if (!out || !web_preview_due(rt->web))
        return;
    int w = out->w < 320 ? out->w : 320;
    int h = (int)((double)out->h * w / out->w + 0.5);
    h = h < 1 ? 1 : h;
    struct gpu_tex *small = gpu_tex_acquire(rt->d.gpu, w, h, GPU_RGBA8);
    if (!small)
        return;
    gpu_target(small);
    gpu_blit(rt->d.gpu, out);
    uint8_t *px = xmalloc((size_t)w * (size_t)h * 4);
    gpu_readback_start(rt->d.gpu, small);
    if (gpu_readback_finish(rt->d.gpu, small, px))
        web_preview(rt->web, px, w, h);
    free(px);
    gpu_tex_release(rt->d.gpu, &small);
}

static void present(void *userdata, struct graph *g, double cook_ms)
{
    struct runtime *rt = userdata;
    struct display *d = &rt->d;
    overlay_record(d->overlay, cook_ms);
    take_preview(rt, g);
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

/* Compiled shaders are kept on disk by the driver (Mesa's cache; NVIDIA's
 * GLCache): a kiosk's first frame after the first start then compiles
 * nothing (on llvmpipe, 0.6 s of the default network's first frame).
 * Under systemd the cache goes in CacheDirectory= ($CACHE_DIRECTORY),
 * apart from the state, where nothing else has put it. */
static void shader_cache_dir(void)
{
    const char *dir = getenv("CACHE_DIRECTORY"); /* may be a list */
    if (!dir || !*dir)
        return;
    char *first = xstrdup(dir);
    first[strcspn(first, ":")] = '\0';
    char *mesa = xasprintf("%s/mesa", first);
    char *nv = xasprintf("%s/nvidia", first);
    if (!getenv("MESA_SHADER_CACHE_DIR") && !getenv("XDG_CACHE_HOME"))
        setenv("MESA_SHADER_CACHE_DIR", mesa, 0);
    if (!getenv("__GL_SHADER_DISK_CACHE_PATH")) {
        mkdir(nv, 0700);
        setenv("__GL_SHADER_DISK_CACHE_PATH", nv, 0);
    }
    free(mesa);
    free(nv);
    free(first);
}

static bool has_display(void)
{
    return getenv("DISPLAY") || getenv("WAYLAND_DISPLAY");
}

/* Where the kiosk will be headless, the GL driver loads and the context
 * is made on a thread while the network loads (on llvmpipe, most of the
 * 40 ms a GL context takes); display_open makes it current here. */
static void display_begin(struct display *d, const struct cli *cli)
{
    shader_cache_dir(); /* before the driver reads it */
    if (cli->headless || !has_display())
        d->starting = headless_begin();
}

static bool display_open(struct display *d, const struct cli *cli,
                         const struct kiosk_config *cfg, struct graph *g,
                         struct prefault *warm)
{
    char err[512] = "";
    int fit = fit_mode_parse(cfg->fit);
    d->fit = fit < 0 ? FIT_FIT : (enum fit_mode)fit;
    if (!d->starting) { /* display_begin chose a window */
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
        d->headless = d->starting
                          ? headless_finish(&d->starting, err, sizeof(err))
                          : headless_create(err, sizeof(err));
        if (!d->headless) {
            LOG_ERR("[gl]", "%s; TOPs will not render", err);
            return false;
        }
        d->preview = cli->preview ? xstrdup(cli->preview)
                     : cli->frames == 0 ? default_preview()
                                        : NULL;
        if (d->preview)
            LOG_INFO("[preview]", "writing the output to %s every 5 s",
                     d->preview);
        /* not with the first frame: it would delay READY=1 */
        d->preview_due = clock_now_ns() + 2000000000LL;
    }
    prefault_context(warm); /* for the shader compiler */
    d->gpu = gpu_create(err, sizeof(err));
    if (!d->gpu) {
        LOG_ERR("[gl]", "%s; TOPs will not render", err);
        return false;
    }
    gpu_set_budget(d->gpu, (size_t)cfg->gpu_max_memory,
                   "kiosk.ini's [gpu] max_memory");
    g->gpu = d->gpu;
    d->overlay = overlay_create();
    d->show_overlay = cli->overlay || cfg->overlay;
    return true;
}

static void display_close(struct display *d)
{
    headless_cancel(&d->starting);
    free(d->preview);
    d->preview = NULL;
    overlay_destroy(&d->overlay, d->gpu);
    gpu_destroy(&d->gpu);
    window_destroy(&d->window);
    headless_destroy(&d->headless);
}

/* ---- persistent state ---- */

/* Writes the state when it differs from what the file holds: an idle
 * installation writes nothing, so months of 5-second saves do not wear
 * out an SD card. */
/* A save that finished: its outcome. */
static void state_collect(struct runtime *rt, bool wait)
{
    char err[512];
    int r = saver_poll(rt->saver, wait, err, sizeof(err));
    if (r < 0) {
        /* said when it starts failing, not at every interval after */
        if (!rt->state_failing)
            LOG_WARN("[state]", "%s; the state is kept in memory and saved "
                     "as soon as it can be", err);
        rt->state_failing = true;
        rt->state_dirty = true; /* to be tried again */
    } else if (r == 1 && rt->state_failing) {
        LOG_INFO("[state]", "saved again in %s", rt->state_dir);
        rt->state_failing = false;
    }
}

/* Saves g's state when something changed since the last save: in the
 * background, or (wait) written before it returns. A periodic save that
 * finds the last one still being written comes again next time. */
static void state_save_now(struct runtime *rt, struct graph *g, bool wait)
{
    if (!rt->state_dir || !rt->state_name)
        return;
    state_collect(rt, wait);
    char *ops = state_capture_ops(g);
    bool changed;
    struct py_storage *st = py_storage_collect(&changed);
    rt->state_dirty |= changed || !rt->state_ops ||
                       strcmp(ops, rt->state_ops) != 0;
    if (!rt->state_dirty ||
        !saver_start(rt->saver, rt->state_dir, rt->state_name, g->file, ops,
                     st)) {
        py_storage_free(&st);
        free(ops);
        return;
    }
    rt->state_dirty = false;
    free(rt->state_ops);
    rt->state_ops = ops;
    if (wait)
        state_collect(rt, true);
}

/* The state saved for g's network, put back. */
static void state_restore(struct runtime *rt, struct graph *g)
{
    free(rt->state_name);
    free(rt->state_ops);
    rt->state_ops = NULL;
    rt->state_dirty = false;
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
    struct graph *ng = run_load(rt->cli, path, false, &problems,
                            "the running network stays");
    if (!ng) {
        remote_reply(rt->remote, false, problems ? problems : path);
        notify_reloaded();
        free(problems);
        free(path);
        return g;
    }
    ng->gpu = rt->d.gpu;
    graph_carry(ng, g);
    if (same) {
        char *state = state_capture(g);
        py_reattach(ng);
        state_apply(ng, state);
        free(state);
    } else {
        state_save_now(rt, g, true);
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
    if (!rt->watch) /* after the fallback, which is not watched */
        rt->watch = watch_create();
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
    if (rt->frames++ == 0) {
        /* Headless, no swap waits for the pixels: the first frame is
         * done, not only asked for, when READY=1 says so. */
        if (rt->d.headless && rt->d.gpu)
            gpu_finish(rt->d.gpu);
        notify_ready(); /* the first frame is on the screen */
        prefault_trim(); /* what it did not take goes back */
    } else
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
    if (rt->state_dir)
        state_collect(rt, false);
    if (rt->state_dir && now >= rt->state_due) {
        state_save_now(rt, g, false);
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

/* Where state is kept: --state-dir, else kiosk.ini's [state] dir, else
 * systemd's StateDirectory= (/var/lib/vitrine under the units). NULL:
 * none, so that a run by hand or a test never touches the service's
 * state. */
static bool is_loopback(const char *bind)
{
    return bind && (strncmp(bind, "127.", 4) == 0 ||
                    strcmp(bind, "localhost") == 0 ||
                    strcmp(bind, "::1") == 0);
}

static char *state_dir_of(const struct cli *cli, const struct kiosk_config *cfg)
{
    const char *dir = cli->state_dir ? cli->state_dir : cfg->state_dir;
    if (!dir) {
        const char *sd = getenv("STATE_DIRECTORY"); /* may be a list */
        if (sd && sd[0])
            return xstrndup(sd, strcspn(sd, ":"));
        return NULL;
    }
    return dir[0] ? xstrdup(dir) : NULL;
}

/* Where the record of starts goes when the state folder cannot be
 * written: the runtime folder (systemd's RuntimeDirectory=, else
 * XDG_RUNTIME_DIR, else /tmp), one per state folder. */
static char *runs_elsewhere_of(const char *state_dir)
{
    const char *base = getenv("RUNTIME_DIRECTORY");
    if (!base || !base[0])
        base = getenv("XDG_RUNTIME_DIR");
    if (!base || !base[0])
        base = "/tmp";
    char *name = state_file_name(state_dir); /* a hash of its path */
    char *dir = xasprintf("%s/vitrine-starts-%.16s", base,
                          strchr(name, '-') + 1);
    free(name);
    return dir;
}

int run_kiosk(const struct cli *cli, const struct kiosk_config *cfg,
              const char *network)
{
    notify_init();
    struct runtime rt = {.cli = cli, .cfg = cfg, .saver = saver_create()};
    display_begin(&rt.d, cli);
    rt.state_dir = state_dir_of(cli, cfg);
    if (rt.state_dir) {
        char err[512];
        bool elsewhere;
        rt.runs_elsewhere = runs_elsewhere_of(rt.state_dir);
        int unclean = runs_start(rt.state_dir, rt.runs_elsewhere, 60,
                                 &elsewhere, err, sizeof(err));
        if (unclean < 0) {
            LOG_WARN("[state]", "%s; nothing persists this run", err);
            free(rt.state_dir);
            rt.state_dir = NULL;
        } else if (elsewhere) {
            LOG_WARN("[state]", "%s cannot be written (%s): the saved state "
                     "is read, starts are recorded in %s, and saving is "
                     "tried again every [state] interval", rt.state_dir, err,
                     rt.runs_elsewhere);
        }
        if (unclean > 0 && unclean < 3) {
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
    struct graph *g = NULL;
    if (rt.fallback && cfg->fallback && cfg->fallback[0])
        g = run_load(cli, cfg->fallback, false, NULL,
                 "the built-in fallback instead");
    if (rt.fallback && !g)
        g = run_load(cli, NULL, false, NULL, "not starting");
    if (!g)
        g = run_load(cli, network, false, NULL, "not starting");
    if (!g) {
        if (rt.state_dir)
            runs_clean_exit(rt.state_dir, rt.runs_elsewhere); /* a bad
                                                              * file is no
                                                              * crash */
        headless_cancel(&rt.d.starting);
        free(rt.state_dir);
        free(rt.runs_elsewhere);
        saver_destroy(&rt.saver);
        return EXIT_NETWORK;
    }
    rt.g = g;
    if (cli->snapshot && (!g->output || g->output->type->family != OP_TOP)) {
        LOG_ERR("[snapshot]", "%s has no output TOP to write: set [network] "
                "output to a TOP", g->file);
        graph_destroy(&g);
        headless_cancel(&rt.d.starting);
        free(rt.state_dir);
        free(rt.runs_elsewhere);
        saver_destroy(&rt.saver);
        return EXIT_NETWORK;
    }
    /* The first frame's memory is touched while the display starts. */
    struct prefault *warm = prefault_start(prefault_estimate(g));
    bool gl = display_open(&rt.d, cli, cfg, g, warm);
    py_set_budget_ms(cfg->script_budget_ms);
    py_set_storage_max((size_t)cfg->storage_max);
    midi_set_default_device(cfg->midi_device);
    osc_set_default_port(cli->osc_port);
    py_attach(g);
    state_restore(&rt, g);
    rt.remote = remote_open(cfg);
    { /* /vitrine/load: the boot network's folder, unless kiosk.ini names one */
        char *file = network_file_path(network);
        char *slash = strrchr(file, '/');
        if (slash)
            *slash = '\0';
        remote_set_load_dir(rt.remote, slash ? file : ".");
        free(file);
    }
    if (rt.fallback)
        remote_set_mode(rt.remote, "fallback");
    rt.peers = peers_open(cfg);
    config_kiosk_name(cfg, rt.name, sizeof(rt.name));
    rt.web = web_open(cfg, rt.name);
    { /* advertised: what the network can reach */
        bool http = rt.web && !is_loopback(cfg->http_bind);
        bool osc = (cfg->osc_namespace || cfg->osc_params) &&
                   cfg->osc_port > 0 && !is_loopback(cfg->osc_bind);
        rt.mdns = mdns_open(rt.name, http ? web_port(rt.web) : 0,
                            osc ? cfg->osc_port : 0);
    }
    rt.watch = rt.fallback ? NULL : watch_create();
    watch_graph(rt.watch, g);
    rt.stall = stall_start(cli->hang_timeout >= 0 ? cli->hang_timeout
                                                  : cfg->hang_timeout);
    loading_stall = rt.stall;
    stall_graph(rt.stall, g);
    int64_t now = clock_now_ns();
    rt.state_due = now + (int64_t)(cfg->state_interval * 1e9);
    rt.status_start = now;
    rt.status_due = now + 1000000000LL;
    LOG_INFO("[vitrine]", "running %s: %zu operators at %g fps%s", g->file,
             g->nops - 1, g->time.rate,
             cli->frames ? "" : "; Ctrl-C stops");

    /* What came while starting (blocked since main's first line) is
     * taken now: a stop ends the run before its first frame, cleanly. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    run_block_signals(false);
    if (stop_requested)
        LOG_INFO("[vitrine]", "asked to stop while starting: stopping");

    const char *hang = getenv("VITRINE_DEBUG_HANG_AT_FRAME");
    struct loop_params lp = {
        .graph = g,
        .max_frames = cli->frames,
        .stop = &stop_requested,
        /* Under the journal STATUS= has it each second (systemctl
         * status); the log gets a line a minute. */
        .status_interval = cli->verbosity < 0 ? 0
                           : log_to_journal() ? 60.0 : 1.0,
        .present = gl ? present : NULL,
        .control = control,
        .between = between,
        .userdata = &rt,
        .stall = rt.stall,
        .hang_at_frame = hang ? atoll(hang) : 0,
        .epoch = cfg->sync_epoch,
    };
    if (cfg->sync_epoch >= 0 && g->realtime)
        LOG_INFO("[sync]", "the timeline starts at %.3f (Unix seconds) of "
                 "the system clock: frame N at epoch + (N - 1) / %g s",
                 cfg->sync_epoch, g->time.rate);
    struct loop_stats st;
    prefault_finish(&warm); /* its block is the first frame's heap */
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
    state_save_now(&rt, g, true);
    saver_destroy(&rt.saver);
    py_attach(NULL);
    remote_close(&rt.remote);
    peers_close(&rt.peers);
    mdns_close(&rt.mdns);
    web_close(&rt.web);
    midi_set_default_device(NULL);
    watch_destroy(&rt.watch);
    /* Ops give their textures back before the GPU goes, and their
     * expressions before the interpreter. */
    graph_destroy(&rt.retired);
    graph_destroy(&g);
    display_close(&rt.d);
    py_shutdown();
    if (rt.state_dir)
        runs_clean_exit(rt.state_dir, rt.runs_elsewhere);
    free(rt.state_dir);
    free(rt.runs_elsewhere);
    free(rt.state_name);
    free(rt.state_ops);
    return rc;
}
