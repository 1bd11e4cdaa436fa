/* config.h: the kiosk configuration, /etc/vitrine/kiosk.ini or --config.
 * Every key is declared once in config.c's table; errors name file:line. */
#ifndef VITRINE_CONFIG_H
#define VITRINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct kiosk_config {
    /* [kiosk] */
    char *network, *fallback;
    int monitor, fullscreen, vsync, cursor, overlay;
    char *fit;
    /* [osc] */
    int osc_port;
    char *osc_bind, *osc_allow;
    char *osc_load_dir; /* NULL: the folder of the network run at start */
    int osc_namespace, osc_params;
    /* [midi] */
    char *midi_device;
    /* [watchdog] */
    double hang_timeout, script_budget_ms;
    /* [gpu] */
    double gpu_max_memory; /* bytes; 0: the GPU's memory, half the RAM */
    /* [state] */
    char *state_dir; /* NULL: systemd's StateDirectory, else none */
    double state_interval;
    double storage_max; /* bytes op.storage may hold; 0: no limit */
    /* [sync] */
    double sync_epoch; /* Unix seconds: frame 1 began then; < 0: none */
    char *sync_name;   /* NULL: the host name */
    int sync_announce; /* -1: when there is an epoch */
    char *sync_group, *sync_interface;
    int sync_port;
    /* [http] */
    int http_port; /* 0: off */
    char *http_bind;
};

#define KIOSK_CONFIG_DEFAULT_PATH "/etc/vitrine/kiosk.ini"

void config_defaults(struct kiosk_config *c);
/* Reads path over the current values. Prints every problem as
 * "file:line: [section] message" to stderr; returns how many. */
int config_load(struct kiosk_config *c, const char *path);
void config_free(struct kiosk_config *c);
/* The kiosk's name: [sync] name, else the host name. */
void config_kiosk_name(const struct kiosk_config *c, char *buf, size_t n);

#endif
