/* overlay.h: the performance overlay, drawn over the output on F1 or by
 * configuration: frames per second, a graph of the last four seconds of
 * frame times against the frame budget, and the slowest ops by cook
 * time. It draws into a texture of the output's size (output first, then
 * the overlay), which the window shows and snapshots write. */
#ifndef VITRINE_OVERLAY_H
#define VITRINE_OVERLAY_H

#include <stdbool.h>

struct gpu;
struct gpu_tex;
struct graph;
struct overlay;

struct overlay *overlay_create(void);
void overlay_destroy(struct overlay **o, struct gpu *gpu);
/* Once per frame: how long cooking took. Frame intervals are measured
 * between calls. */
void overlay_record(struct overlay *o, double cook_ms);
/* The line on other kiosks (kiosk/peers.h), red when out is set; "" or
 * NULL: none. */
void overlay_set_sync(struct overlay *o, const char *line, bool out);
/* The output with the overlay over it; NULL when out is NULL. */
const struct gpu_tex *overlay_draw(struct overlay *o, struct gpu *gpu,
                                   struct graph *g,
                                   const struct gpu_tex *out);

#endif
