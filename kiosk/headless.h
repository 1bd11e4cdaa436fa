/* headless.h: an OpenGL 3.3 core context with no display at all, through
 * EGL: the first EGL device (the NVIDIA driver on a GPU machine, Mesa's
 * llvmpipe elsewhere), else Mesa's surfaceless platform, else the default
 * display. Rendering goes to textures; nothing is shown. */
#ifndef VITRINE_HEADLESS_H
#define VITRINE_HEADLESS_H

#include <stddef.h>

struct headless;

struct headless_start;

/* Creates the context and makes it current on this thread. NULL with a
 * message in err when no way works. */
struct headless *headless_create(char *err, size_t errlen);
/* The same in two steps: begin opens the display and creates the context
 * on a thread of its own (the driver loads while the caller does other
 * work; no GL call is made there), finish waits for it and makes the
 * context current on the calling thread. cancel, instead of finish,
 * throws it away. */
struct headless_start *headless_begin(void);
struct headless *headless_finish(struct headless_start **s, char *err,
                                 size_t errlen);
void headless_cancel(struct headless_start **s);
void headless_destroy(struct headless **h);
/* "llvmpipe (LLVM 15.0.6, 256 bits)", "NVIDIA H100 ...". */
const char *headless_renderer(const struct headless *h);

#endif
