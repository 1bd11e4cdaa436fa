#include "window.h"

#include <epoxy/gl.h>
#include <GLFW/glfw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/base/lazylib.h"
#include "../engine/base/log.h"
#include "../engine/base/util.h"
#include "../engine/gpu/gpu.h"

/* GLFW is loaded when a window is first asked for: a headless kiosk
 * never needs it. */
enum { GLFW, GLFW_LIBS };
#define GLFW_FUNCS(X) \
    X(GLFW, glfwCreateWindow) \
    X(GLFW, glfwDestroyWindow) \
    X(GLFW, glfwGetFramebufferSize) \
    X(GLFW, glfwGetMonitors) \
    X(GLFW, glfwGetVideoMode) \
    X(GLFW, glfwGetWindowUserPointer) \
    X(GLFW, glfwInit) \
    X(GLFW, glfwMakeContextCurrent) \
    X(GLFW, glfwPollEvents) \
    X(GLFW, glfwSetErrorCallback) \
    X(GLFW, glfwSetInputMode) \
    X(GLFW, glfwSetKeyCallback) \
    X(GLFW, glfwSetWindowUserPointer) \
    X(GLFW, glfwSwapBuffers) \
    X(GLFW, glfwSwapInterval) \
    X(GLFW, glfwTerminate) \
    X(GLFW, glfwWindowHint) \
    X(GLFW, glfwWindowShouldClose)

static struct {
#define X(lib, f) __typeof__(f) *f;
    GLFW_FUNCS(X)
#undef X
} glfw;

static const struct lazylib_sym glfw_syms[] = {
#define X(lib, f) {lib, #f, (void **)&glfw.f},
    GLFW_FUNCS(X)
#undef X
};

static const char *const glfw_sonames[GLFW_LIBS] = {"libglfw.so.3"};
static struct lazylib glfw_lib = LAZYLIB("GLFW", glfw_sonames, glfw_syms);

struct window {
    GLFWwindow *win;
    bool f1; /* pressed since last asked */
};

static void on_key(GLFWwindow *win, int key, int scancode, int action,
                   int mods)
{
    (void)scancode;
    (void)mods;
    struct window *w = glfw.glfwGetWindowUserPointer(win);
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
    if (!lazylib_load(&glfw_lib)) {
        snprintf(err, errlen, "%s", glfw_lib.error);
        return NULL;
    }
    glfw.glfwSetErrorCallback(on_glfw_error);
    if (!glfw.glfwInit()) {
        snprintf(err, errlen, "GLFW cannot start: no display?");
        return NULL;
    }
    GLFWmonitor *monitor = NULL;
    int w = p->width, h = p->height;
    if (!p->windowed) {
        int n = 0;
        GLFWmonitor **all = glfw.glfwGetMonitors(&n);
        if (n == 0) {
            snprintf(err, errlen, "no monitor is connected");
            glfw.glfwTerminate();
            return NULL;
        }
        if (p->monitor >= n) {
            LOG_WARN("[window]", "monitor %d does not exist (%d connected); "
                     "using the primary", p->monitor, n);
            monitor = all[0];
        } else {
            monitor = all[p->monitor];
        }
        const GLFWvidmode *mode = glfw.glfwGetVideoMode(monitor);
        w = mode->width;
        h = mode->height;
        glfw.glfwWindowHint(GLFW_RED_BITS, mode->redBits);
        glfw.glfwWindowHint(GLFW_GREEN_BITS, mode->greenBits);
        glfw.glfwWindowHint(GLFW_BLUE_BITS, mode->blueBits);
        glfw.glfwWindowHint(GLFW_REFRESH_RATE, mode->refreshRate);
    }
    glfw.glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfw.glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfw.glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfw.glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfw.glfwWindowHint(GLFW_DECORATED, p->windowed ? GLFW_TRUE : GLFW_FALSE);
    glfw.glfwWindowHint(GLFW_FLOATING, p->windowed ? GLFW_FALSE : GLFW_TRUE);
    GLFWwindow *win = glfw.glfwCreateWindow(w, h, p->title, monitor, NULL);
    if (!win) {
        snprintf(err, errlen, "cannot create a %dx%d window with OpenGL 3.3 "
                 "core", w, h);
        glfw.glfwTerminate();
        return NULL;
    }
    glfw.glfwMakeContextCurrent(win);
    glfw.glfwSwapInterval(p->vsync ? 1 : 0);
    if (!p->windowed && !p->cursor)
        glfw.glfwSetInputMode(win, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    struct window *wd = xcalloc(1, sizeof(*wd));
    wd->win = win;
    glfw.glfwSetWindowUserPointer(win, wd);
    glfw.glfwSetKeyCallback(win, on_key);
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
    glfw.glfwDestroyWindow(w->win);
    glfw.glfwTerminate();
    free(w);
    *pw = NULL;
}

bool window_should_close(struct window *w)
{
    return glfw.glfwWindowShouldClose(w->win);
}

void window_present(struct window *w, struct gpu *gpu,
                    const struct gpu_tex *tex, enum fit_mode fit)
{
    int fw, fh;
    glfw.glfwGetFramebufferSize(w->win, &fw, &fh);
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
    glfw.glfwSwapBuffers(w->win);
    glfw.glfwPollEvents();
}
