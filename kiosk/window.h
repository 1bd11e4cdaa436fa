/* window.h: the output window, through GLFW, with an OpenGL 3.3 core
 * context: fullscreen on a monitor without decorations, on top, cursor
 * hidden, vsync on; or a plain window (--windowed). */
#ifndef VITRINE_WINDOW_H
#define VITRINE_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

struct gpu;
struct gpu_tex;
struct window;

enum fit_mode {
    FIT_FIT = 0, /* whole image, black bars */
    FIT_FILL,    /* covers the screen, edges cut */
    FIT_STRETCH, /* covers the screen, aspect lost */
    FIT_NATIVE,  /* one image pixel per screen pixel, centred */
};

struct window_params {
    int monitor;          /* 0: primary */
    bool windowed;
    int width, height;    /* windowed size */
    bool vsync, cursor;
    const char *title;
};

/* Creates the window and makes its context current. NULL with a message
 * when there is no display or no suitable context. */
struct window *window_create(const struct window_params *p, char *err,
                             size_t errlen);
void window_destroy(struct window **w);
/* Draws tex (NULL: black) with the fit mode, swaps, handles events. */
void window_present(struct window *w, struct gpu *gpu,
                    const struct gpu_tex *tex, enum fit_mode fit);
/* The user asked to close it (window manager close, not a kiosk key). */
bool window_should_close(struct window *w);
/* F1 was pressed since the last call (it toggles the overlay). */
bool window_take_f1(struct window *w);
/* Parses "fit", "fill", "stretch", "native"; -1 when none of them. */
int fit_mode_parse(const char *s);

#endif
