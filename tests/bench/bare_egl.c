/* bare_egl: the limit bench_kiosk compares vitrine's start with: a
 * program that only makes a headless GL context (the same way vitrine
 * does), clears a 1920x1080 framebuffer, waits for it, and tells systemd
 * READY=1 (when NOTIFY_SOCKET is set); then it waits to be killed. */
#include <epoxy/gl.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "../../engine/base/log.h"
#include "../../kiosk/headless.h"

int main(void)
{
    log_set_level(LOG_LEVEL_ERR);
    char err[512];
    struct headless *h = headless_create(err, sizeof(err));
    if (!h) {
        fprintf(stderr, "bare_egl: %s\n", err);
        return 1;
    }
    GLuint tex, fbo;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 1920, 1080, 0, GL_RGBA,
                 GL_UNSIGNED_BYTE, NULL);
    glGenFramebuffers(1, &fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
                           GL_TEXTURE_2D, tex, 0);
    glClearColor(0.1f, 0.2f, 0.3f, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    glFinish();
    sd_notify(0, "READY=1");
    for (;;)
        pause();
}
