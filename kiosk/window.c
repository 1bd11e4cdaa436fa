#include "window.h"

#include <epoxy/gl.h>
#include <GLFW/glfw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/gpu/gpu.h"

struct window {
    GLFWwindow *win;
    bool f1; /* pressed since last asked */
};

static void on_key(GLFWwindow *win, int key, int scancode, int action,
                   int mods)
{
    (void)scancode;
    (void)mods;
    struct window *w = glfwGetWindowUserPointer(win);
    if (key == GLFW_KEY_F1 && action == GLFW_PRESS)
        w->f1 = true;
}

bool window_take_f1(struct window *w)
{
    bool f1 = w->f1;
    w->f1 = false;
    return f1;
}

static void on_glfw_error(int code, const char *msg)
{
    LOG_ERR("[window]", "GLFW error 0x%x: %s", code, msg);
}

int fit_mode_parse(const char *s)
{
    static const char *const names[] = {"fit", "fill", "stretch", "native"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

struct window *window_create(const struct window_params *p, char *err,
                             size_t errlen)
{
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        snprintf(err, errlen, "GLFW cannot start: no display?");
        return NULL;
    }
    GLFWmonitor *monitor = NULL;
    int w = p->width, h = p->height;
    if (!p->windowed) {
        int n = 0;
        GLFWmonitor **all = glfwGetMonitors(&n);
        if (n == 0) {
            snprintf(err, errlen, "no monitor is connected");
            glfwTerminate();
            return NULL;
        }
        if (p->monitor >= n) {
            LOG_WARN("[window]", "monitor %d does not exist (%d connected); "
                     "using the primary", p->monitor, n);
            monitor = all[0];
        } else {
            monitor = all[p->monitor];
        }
        const GLFWvidmode *mode = glfwGetVideoMode(monitor);
        w = mode->width;
        h = mode->height;
        glfwWindowHint(GLFW_RED_BITS, mode->redBits);
        glfwWindowHint(GLFW_GREEN_BITS, mode->greenBits);
        glfwWindowHint(GLFW_BLUE_BITS, mode->blueBits);
        glfwWindowHint(GLFW_REFRESH_RATE, mode->refreshRate);
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_DECORATED, p->windowed ? GLFW_TRUE : GLFW_FALSE);
    glfwWindowHint(GLFW_FLOATING, p->windowed ? GLFW_FALSE : GLFW_TRUE);
    GLFWwindow *win = glfwCreateWindow(w, h, p->title, monitor, NULL);
    if (!win) {
        snprintf(err, errlen, "cannot create a %dx%d window with OpenGL 3.3 "
                 "core", w, h);
        glfwTerminate();
        return NULL;
    }
    glfwMakeContextCurrent(win);
    glfwSwapInterval(p->vsync ? 1 : 0);
    if (!p->windowed && !p->cursor)
        glfwSetInputMode(win, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    struct window *wd = xcalloc(1, sizeof(*wd));
    wd->win = win;
    glfwSetWindowUserPointer(win, wd);
    glfwSetKeyCallback(win, on_key);
    LOG_INFO("[window]", "%s %dx%d: %s, OpenGL %s",
             p->windowed ? "window" : "fullscreen", w, h,
             (const char *)glGetString(GL_RENDERER),
             (const char *)glGetString(GL_VERSION));
    return wd;
}

void window_destroy(struct window **pw)
{
    struct window *w = *pw;
    if (!w)
        return;
    glfwDestroyWindow(w->win);
    glfwTerminate();
    free(w);
    *pw = NULL;
}

bool window_should_close(struct window *w)
{
    return glfwWindowShouldClose(w->win);
}

void window_present(struct window *w, struct gpu *gpu,
                    const struct gpu_tex *tex, enum fit_mode fit)
{
    int fw, fh;
    glfwGetFramebufferSize(w->win, &fw, &fh);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, fw, fh);
    glClearColor(0, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    if (tex && fw > 0 && fh > 0) {
        double sx = (double)fw / tex->w, sy = (double)fh / tex->h;
        double s = fit == FIT_FILL ? (sx > sy ? sx : sy)
                 : fit == FIT_NATIVE ? 1.0
                                     : (sx < sy ? sx : sy);
        int vw = fit == FIT_STRETCH ? fw : (int)(tex->w * s + 0.5);
        int vh = fit == FIT_STRETCH ? fh : (int)(tex->h * s + 0.5);
        glViewport((fw - vw) / 2, (fh - vh) / 2, vw, vh);
        gpu_blit(gpu, tex);
    }
    glfwSwapBuffers(w->win);
    glfwPollEvents();
}
