#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#ifndef VITRINE_VERSION
#define VITRINE_VERSION "0.1.0"
#endif

void cli_usage(FILE *f)
{
    fprintf(f,
        "usage: vitrine [OPTIONS] [NETWORK]\n"
        "       vitrine check NETWORK\n"
        "       vitrine ops [TYPE] [--markdown]\n"
        "       vitrine reload [-c FILE]\n"
        "       vitrine fleet [-c FILE] [--seconds S]\n"
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
        "                        5 seconds (when running until stopped:\n"
        "                        vitrine-preview.png in $RUNTIME_DIRECTORY\n"
        "                        or $XDG_RUNTIME_DIR, else /tmp)\n"
        "  --overlay             start with the performance overlay shown\n"
        "                        (F1 in the window toggles it)\n"
        "  --state-dir DIR       keep input values, op storage and cue\n"
        "                        positions in DIR (default: kiosk.ini's\n"
        "                        [state] dir, else systemd's\n"
        "                        STATE_DIRECTORY, else none)\n"
        "  --hang-timeout S      seconds without a frame before the stall\n"
        "                        detector aborts (0: off; default kiosk.ini)\n"
        "  --osc-port PORT       UDP port of the OSC In operators whose port\n"
        "                        is 0 (default 10000)\n"
        "  --fps N               override the network's frame rate\n"
        "  --size WxH            override the network's resolution\n"
        "  check NETWORK         load and validate a network, report every\n"
        "                        problem with file:line, run nothing\n"
        "  ops [TYPE]            list every operator type (or one: noiseTOP)\n"
        "                        with its parameters; --markdown as a page\n"
        "  reload                ask the running vitrine (kiosk.ini's [osc]\n"
        "                        port) to reload its network, and say how\n"
        "                        it went; systemd's ExecReload\n"
        "  fleet                 list the kiosks announcing themselves on\n"
        "                        kiosk.ini's [sync] group, with their clocks\n"
        "                        and state; exit 1 when one is out of step\n"
        "                        or in fallback, or none is heard\n"
        "  --seconds S           how long fleet listens (default 3)\n"
        "  -v, --verbose         debug messages too\n"
        "  -q, --quiet           errors and warnings only\n"
        "  --version             print the version\n"
        "  -h, --help            this text\n"
        "\n"
        "exit status: 0 ok, 1 no GPU output or snapshot possible, 2 usage\n"
        "error, 3 network or configuration error\n");
}

int cli_parse(int argc, char **argv, struct cli *cli)
{
    enum { OPT_FRAMES = 256, OPT_FPS, OPT_SIZE, OPT_VERSION, OPT_HEADLESS,
           OPT_WINDOWED, OPT_MONITOR, OPT_SNAPSHOT, OPT_PREVIEW,
           OPT_OVERLAY, OPT_STATE_DIR, OPT_HANG_TIMEOUT, OPT_OSC_PORT,
           OPT_MARKDOWN, OPT_SECONDS };
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
        {"markdown", no_argument, NULL, OPT_MARKDOWN},
        {"seconds", required_argument, NULL, OPT_SECONDS},
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
        case OPT_MARKDOWN: cli->markdown = true; break;
        case OPT_SECONDS:
            cli->seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(cli->seconds > 0 &&
                                           cli->seconds <= 3600)) {
                fprintf(stderr, "vitrine: --seconds wants a number of "
                        "seconds up to 3600, got '%s'\n", optarg);
                return -1;
            }
            break;
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
        case 'h': cli_usage(stdout); exit(0);
        default: return -1;
        }
    }
    int rest = argc - optind;
    char **args = argv + optind;
    static const char *const commands[] = {"check", "ops", "reload",
                                            "fleet"};
    for (size_t i = 0; rest >= 1 && i < sizeof(commands) / sizeof(*commands);
         i++)
        if (strcmp(args[0], commands[i]) == 0) {
            cli->command = args[0];
            args++;
            rest--;
            break;
        }
    const char *cmd = cli->command;
    if (strcmp(cmd, "ops") == 0 && rest > 1) {
        fprintf(stderr, "vitrine: 'ops' takes at most one operator type\n");
        return -1;
    }
    if (strcmp(cmd, "ops") == 0 && rest == 1)
        cli->optype = args[0];
    if (strcmp(cmd, "fleet") == 0 && rest > 0) {
        fprintf(stderr, "vitrine: 'fleet' takes no network\n");
        return -1;
    }
    if (cli->seconds && strcmp(cmd, "fleet") != 0) {
        fprintf(stderr, "vitrine: --seconds goes with 'fleet'\n");
        return -1;
    }
    if (strcmp(cmd, "reload") == 0 && rest > 0) {
        fprintf(stderr, "vitrine: 'reload' takes no network: it reloads the "
                "running one\n");
        return -1;
    }
    if (strcmp(cmd, "check") == 0 && rest != 1) {
        fprintf(stderr, "vitrine: 'check' takes one network\n");
        return -1;
    }
    if (cli->markdown && strcmp(cmd, "ops") != 0) {
        fprintf(stderr, "vitrine: --markdown goes with 'ops'\n");
        return -1;
    }
    if (strcmp(cmd, "run") == 0 && rest > 1) {
        fprintf(stderr, "vitrine: one network at a time, got %d\n", rest);
        return -1;
    }
    if (cli->headless && cli->windowed) {
        fprintf(stderr, "vitrine: --headless and --windowed exclude each "
                "other\n");
        return -1;
    }
    if (rest == 1 && strcmp(cmd, "ops") != 0 && strcmp(cmd, "fleet") != 0)
        cli->network = args[0];
    return 0;
}
