/* cli.h: the command line (README.md "Command line"). */
#ifndef VITRINE_CLI_H
#define VITRINE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2, EXIT_NETWORK = 3 };

struct cli {
    const char *command; /* "run", "check", "ops", "reload", "fleet" */
    const char *optype;  /* ops TYPE; NULL: all */
    bool markdown;       /* ops --markdown */
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
    double seconds;        /* fleet --seconds; 0: 3 */
};

/* Fills cli from argv; -1 (said in one line on stderr) on a usage error.
 * --help and --version print and exit 0. */
int cli_parse(int argc, char **argv, struct cli *cli);
void cli_usage(FILE *f);

#endif
