#include "headless.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/base/log.h"
#include "../engine/base/util.h"

struct headless {
    EGLDisplay display;
    EGLContext context;
    char *how;
};

static EGLDisplay open_device(void)
{
    /* NVIDIA's driver names enumeration as part of EGL_EXT_device_base. */
    if ((!epoxy_has_egl_extension(EGL_NO_DISPLAY,
                                  "EGL_EXT_device_enumeration") &&
         !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_device_base")) ||
        !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_platform_device"))
        return EGL_NO_DISPLAY;
    EGLDeviceEXT devices[16];
    EGLint n = 0;
    if (!eglQueryDevicesEXT(16, devices, &n))
        return EGL_NO_DISPLAY;
    for (EGLint i = 0; i < n; i++) {
        EGLDisplay d = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT,
                                                devices[i], NULL);
        EGLint major, minor;
        if (d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor))
            return d;
    }
    return EGL_NO_DISPLAY;
}

static EGLDisplay open_surfaceless(void)
{
    if (!epoxy_has_egl_extension(EGL_NO_DISPLAY,
                                 "EGL_MESA_platform_surfaceless"))
        return EGL_NO_DISPLAY;
    EGLDisplay d = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA,
                                            EGL_DEFAULT_DISPLAY, NULL);
    EGLint major, minor;
    return d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)
               ? d : EGL_NO_DISPLAY;
}

static EGLDisplay open_default(void)
{
    EGLDisplay d = eglGetDisplay(EGL_DEFAULT_DISPLAY);
    EGLint major, minor;
    return d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)
               ? d : EGL_NO_DISPLAY;
}

/* What the helper thread of headless_begin found: a display and a
 * context made there but current nowhere, or a message. */
struct headless_start {
    pthread_t thread;
    bool running;
    EGLDisplay display;
    EGLContext context;
    const char *how;
    char err[512];
};

static void *open_context(void *arg)
{
    static const struct {
        const char *how;
        EGLDisplay (*open)(void);
    } ways[] = {
        {"EGL device", open_device},
        {"EGL surfaceless", open_surfaceless},
        {"EGL default display", open_default},
    };
    struct headless_start *s = arg;
    s->err[0] = '\0';
    for (size_t i = 0; i < ARRAY_LEN(ways); i++) {
        EGLDisplay d = ways[i].open();
        if (d == EGL_NO_DISPLAY)
            continue;
        if (!eglBindAPI(EGL_OPENGL_API)) {
            eglTerminate(d);
            continue;
        }
        static const EGLint config_attrs[] = {
            EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE,
        };
        EGLConfig config = NULL;
        EGLint nconfig = 0;
        eglChooseConfig(d, config_attrs, &config, 1, &nconfig);
        static const EGLint context_attrs[] = {
            EGL_CONTEXT_MAJOR_VERSION, 3,
            EGL_CONTEXT_MINOR_VERSION, 3,
            EGL_CONTEXT_OPENGL_PROFILE_MASK,
            EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
            EGL_NONE,
        };
        EGLContext c = eglCreateContext(d, nconfig ? config
                                                   : EGL_NO_CONFIG_KHR,
                                        EGL_NO_CONTEXT, context_attrs);
        if (c == EGL_NO_CONTEXT) {
            snprintf(s->err, sizeof(s->err), "%s: no OpenGL 3.3 core "
                     "context (EGL error 0x%x)", ways[i].how, eglGetError());
            eglTerminate(d);
            continue;
        }
        s->display = d;
        s->context = c;
        s->how = ways[i].how;
        return NULL;
    }
    if (!s->err[0])
        snprintf(s->err, sizeof(s->err), "no EGL display: no EGL device, "
                 "no Mesa surfaceless platform, no default display (is "
                 "Mesa's libegl-mesa0 installed?)");
    return NULL;
}

static struct headless_start *start_new(void)
{
    struct headless_start *s = xcalloc(1, sizeof(*s));
    s->display = EGL_NO_DISPLAY;
    s->context = EGL_NO_CONTEXT;
    return s;
}

/* The context made, never current, and its display, thrown away. */
static void discard(struct headless_start *s)
{
    if (s->context == EGL_NO_CONTEXT)
        return;
    eglDestroyContext(s->display, s->context);
    eglTerminate(s->display);
}

struct headless_start *headless_begin(void)
{
    struct headless_start *s = start_new();
    s->running = pthread_create(&s->thread, NULL, open_context, s) == 0;
    if (!s->running)
        open_context(s); /* here, then */
    return s;
}

static void join(struct headless_start *s)
{
    if (s->running)
        pthread_join(s->thread, NULL);
    s->running = false;
}

struct headless *headless_finish(struct headless_start **ps, char *err,
                                 size_t errlen)
{
    struct headless_start *s = *ps;
    *ps = NULL;
    join(s);
    struct headless *h = NULL;
    if (s->context == EGL_NO_CONTEXT) {
        snprintf(err, errlen, "%s", s->err);
    } else if (!eglBindAPI(EGL_OPENGL_API) ||
               !eglMakeCurrent(s->display, EGL_NO_SURFACE, EGL_NO_SURFACE,
                               s->context)) {
        snprintf(err, errlen, "%s: the OpenGL 3.3 core context cannot be "
                 "made current (EGL error 0x%x)", s->how, eglGetError());
        discard(s);
    } else {
        h = xcalloc(1, sizeof(*h));
        h->display = s->display;
        h->context = s->context;
        h->how = xstrdup(s->how);
        LOG_INFO("[gl]", "headless through %s: %s, OpenGL %s", h->how,
                 (const char *)glGetString(GL_RENDERER),
                 (const char *)glGetString(GL_VERSION));
    }
    free(s);
    return h;
}

void headless_cancel(struct headless_start **ps)
{
    struct headless_start *s = *ps;
    if (!s)
        return;
    *ps = NULL;
    join(s);
    discard(s);
    free(s);
}

struct headless *headless_create(char *err, size_t errlen)
{
    struct headless_start *s = start_new();
    open_context(s);
    return headless_finish(&s, err, errlen);
}

void headless_destroy(struct headless **ph)
{
    struct headless *h = *ph;
    if (!h)
        return;
    eglMakeCurrent(h->display, EGL_NO_SURFACE, EGL_NO_SURFACE,
                   EGL_NO_CONTEXT);
    eglDestroyContext(h->display, h->context);
    eglTerminate(h->display);
    free(h->how);
    free(h);
    *ph = NULL;
}

const char *headless_renderer(const struct headless *h)
{
    (void)h;
    return (const char *)glGetString(GL_RENDERER);
}
