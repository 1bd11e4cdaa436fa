/* run.h: the running kiosk: the frame loop with its display, the
 * runtime's OSC namespace, reloads, persistent state, the crash-loop
 * fallback, sd_notify and the stall detector (README.md "Kiosk"). */
#ifndef VITRINE_RUN_H
#define VITRINE_RUN_H

#include <stdbool.h>

struct cli;
struct graph;
struct kiosk_config;

/* Loads network (NULL: the built-in fallback), logging every problem
 * (or printing it, for `vitrine check`). When it fails, *problems
 * (optional) gets "FILE: N problems; the first: ..." and the log "FILE: N
 * problems; " and follows (unless it prints). */
struct graph *run_load(const struct cli *cli, const char *network,
                       bool print_to_stdout, char **problems,
                       const char *follows);

/* Blocks (or unblocks) SIGTERM, SIGINT and SIGHUP in the calling thread,
 * and so in every thread it makes afterwards. */
void run_block_signals(bool block);

/* Runs network until a signal, the window closing, or --frames; returns
 * the exit status. */
int run_kiosk(const struct cli *cli, const struct kiosk_config *cfg,
              const char *network);

#endif
