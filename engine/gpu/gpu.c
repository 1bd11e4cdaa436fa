#include "gpu.h"
#include "cuda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"

/* Mesa's llvmpipe keeps a few bytes per compiled shader variant for the
 * life of the process, in JIT code that the sanitizer cannot unwind, so
 * no suppression can name it. Under AddressSanitizer, allocations made
 * inside the driver's compile and draw calls are not leak-checked; every
 * allocation of vitrine's own still is. */
#ifdef __SANITIZE_ADDRESS__
#include <dlfcn.h>
#include <link.h>
#include <sanitizer/lsan_interface.h>
#define DRIVER_BEGIN() __lsan_disable()
#define DRIVER_END() __lsan_enable()

/* The GL driver (Mesa's *_dri.so) is unloaded when the display closes,
 * before the leak check at exit: the globals through which it still
 * reaches what it allocated go with it, and the sanitizer reports those
 * allocations under an unnamed module. Under AddressSanitizer it stays
 * loaded to the end instead. */
static int pin_driver(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    if (info->dlpi_name && strstr(info->dlpi_name, "_dri.so"))
        dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    return 0;
}
#define DRIVER_PIN() dl_iterate_phdr(pin_driver, NULL)
#else
#define DRIVER_BEGIN() ((void)0)
#define DRIVER_END() ((void)0)
#define DRIVER_PIN() ((void)0)
#endif

static const struct {
    GLenum internal, format, type;
    size_t bytes;
    const char *name;
} formats[GPU_FORMAT_COUNT] = {
    [GPU_RGBA8] = {GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, 4, "rgba8"},
    [GPU_RGBA16F] = {GL_RGBA16F, GL_RGBA, GL_HALF_FLOAT, 8, "rgba16f"},
    [GPU_RGBA32F] = {GL_RGBA32F, GL_RGBA, GL_FLOAT, 16, "rgba32f"},
    [GPU_R8] = {GL_R8, GL_RED, GL_UNSIGNED_BYTE, 1, "r8"},
    [GPU_R16F] = {GL_R16F, GL_RED, GL_HALF_FLOAT, 2, "r16f"},
    [GPU_R32F] = {GL_R32F, GL_RED, GL_FLOAT, 4, "r32f"},
    [GPU_R16] = {GL_R16, GL_RED, GL_UNSIGNED_SHORT, 2, "r16"},
};

const char *gpu_format_name(enum gpu_format f)
{
    return f < GPU_FORMAT_COUNT ? formats[f].name : "?";
}

size_t gpu_format_bytes(enum gpu_format f) { return formats[f].bytes; }

bool gpu_format_is_mono(enum gpu_format f) { return f >= GPU_R8; }

static const char vertex_src[] =
    "#version 330 core\n"
    "out vec2 vUV;\n"
    "void main() {\n"
    "    vec2 p = vec2((gl_VertexID << 1) & 2, gl_VertexID & 2);\n"
    "    vUV = p;\n"
    "    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);\n"
    "}\n";

const char gpu_frag_header[] = "#version 330 core\nin vec2 vUV;\n";

static const char blit_src[] =
    "#version 330 core\n"
    "in vec2 vUV;\n"
    "uniform sampler2D uTex;\n"
    "out vec4 fragColor;\n"
    "void main() {\n"
    "    vec4 c = texture(uTex, vUV);\n"
    "#ifdef MONO\n"
    "    c = vec4(c.rrr, 1.0);\n"
    "#endif\n"
    "    fragColor = c;\n"
    "}\n";

/* Before a built-in shader's own defines: PIXEL(s), the coordinates of
 * this pixel in input s (of the target's size), and TEXEL(s), the texel
 * there. On a GPU from gl_FragCoord; on a CPU renderer from vUV, at the
 * cost of a size query a pixel, for one input layout (gpu.h). */
static const char prelude_gpu[] =
    "#define PIXEL(s) ivec2(gl_FragCoord.xy)\n"
    "#define TEXEL(s) texelFetch(s, PIXEL(s), 0)\n";
static const char prelude_cpu[] =
    "#define PIXEL(s) ivec2(vUV * vec2(textureSize(s, 0)))\n"
    "#define TEXEL(s) texelFetch(s, PIXEL(s), 0)\n";

static uint64_t hash_src(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Mesa says "0:12(3): error: ...", NVIDIA "0(12) : error ...": both name
 * the line; the message is passed on as the driver wrote it, trimmed. */
static char *shader_log(GLuint obj, bool program)
{
    GLint len = 0;
    if (program)
        glGetProgramiv(obj, GL_INFO_LOG_LENGTH, &len);
    else
        glGetShaderiv(obj, GL_INFO_LOG_LENGTH, &len);
    char *log = xmalloc((size_t)len + 1);
    log[0] = '\0';
    if (program)
        glGetProgramInfoLog(obj, len, NULL, log);
    else
        glGetShaderInfoLog(obj, len, NULL, log);
    return str_trim(log);
}

static GLuint compile(GLenum stage, const char *src, char **err)
{
    GLuint s = glCreateShader(stage);
    glShaderSource(s, 1, &src, NULL);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        *err = shader_log(s, false);
        glDeleteShader(s);
        return 0;
    }
    return s;
}

static GLuint link_program(const char *vert, const char *frag, char **err)
{
    GLuint vs = compile(GL_VERTEX_SHADER, vert, err);
    if (!vs)
        return 0;
    GLuint fs = compile(GL_FRAGMENT_SHADER, frag, err);
    if (!fs) {
        glDeleteShader(vs);
        return 0;
    }
    GLuint p = glCreateProgram();
    glAttachShader(p, vs);
    glAttachShader(p, fs);
    DRIVER_BEGIN();
    glLinkProgram(p);
    DRIVER_END();
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        *err = shader_log(p, true);
        glDeleteProgram(p);
        return 0;
    }
    return p;
}

static void program_free(struct gpu_program *p)
{
    if (p->id)
        glDeleteProgram(p->id);
    free(p->src);
    free(p->defines);
    free(p->error);
    free(p);
}

/* The program of this vertex shader, fragment source and variant, from
 * the cache or compiled now. `base` is set for a variant of a built-in
 * shader (a static string, compared by address, with its defines), and
 * `post` for a fold (gpu_program_fold). */
static struct gpu_program *program(struct gpu *g, const char *vert_src,
                                   const char *frag_src, const char *base,
                                   const char *defines, const char *post)
{
    uint64_t h = base ? hash_src(defines) ^ (uint64_t)(uintptr_t)base
                      : hash_src(frag_src);
    h ^= hash_src(vert_src) * 31 ^ (uint64_t)(uintptr_t)post * 17;
    for (size_t i = 0; i < g->nprograms; i++) {
        struct gpu_program *p = g->programs[i];
        if (p->hash == h && p->vert == vert_src && p->base == base &&
            p->post == post &&
            strcmp(base ? p->defines : p->src, base ? defines : frag_src) ==
                0) {
            p->used = g->frames;
            return p;
        }
    }
    GROW(g->programs, g->cap_programs, g->nprograms + 1);
    struct gpu_program *p = xcalloc(1, sizeof(*p));
    g->programs[g->nprograms++] = p;
    p->hash = h;
    p->vert = vert_src;
    p->base = base;
    p->post = post;
    p->used = g->frames;
    if (base) {
        const char *prelude = g->software ? prelude_cpu : prelude_gpu;
        /* The defines go in after the #version line; a fold renames
         * base's main() and adds post's shader from its second line. */
        const char *nl = strchr(base, '\n');
        size_t head = nl ? (size_t)(nl + 1 - base) : 0;
        const char *pnl = post ? strchr(post, '\n') : NULL;
        p->defines = xstrdup(defines);
        p->src = post ? xasprintf("%.*s%s%s#define main fold_input\n"
                                  "#line 2\n%s\n#undef main\n#define FOLD\n"
                                  "#line 2\n%s", (int)head, base,
                                  prelude, defines, base + head,
                                  pnl ? pnl + 1 : post)
                      : xasprintf("%.*s%s%s#line 2\n%s", (int)head, base,
                                  prelude, defines, base + head);
    } else {
        p->src = xstrdup(frag_src);
    }
    p->id = link_program(vert_src, p->src, &p->error);
    return p;
}

struct gpu_program *gpu_program(struct gpu *g, const char *frag_src,
                                const char *defines)
{
    return program(g, vertex_src, frag_src, frag_src, defines ? defines : "",
                   NULL);
}

struct gpu_program *gpu_program_fold(struct gpu *g, const char *frag_src,
                                     const char *defines, const char *post)
{
    return program(g, vertex_src, frag_src, frag_src, defines, post);
}

GLint gpu_uniform(struct gpu_program *p, const char *name)
{
    for (int i = 0; i < p->nuniforms; i++)
        if (p->uniforms[i].name == name)
            return p->uniforms[i].loc;
    for (int i = 0; i < p->nuniforms; i++)
        if (strcmp(p->uniforms[i].name, name) == 0)
            return p->uniforms[i].loc;
    GLint loc = glGetUniformLocation(p->id, name);
    /* Names are the callers' string literals; a full table still works,
     * by asking the driver. */
    if (p->nuniforms < GPU_UNIFORMS)
        p->uniforms[p->nuniforms++] = (struct gpu_uniform){name, loc};
    return loc;
}

GLuint gpu_program_get_vs(struct gpu *g, const char *vert_src,
                          const char *frag_src, const char **err)
{
    struct gpu_program *p = program(g, vert_src, frag_src, NULL, NULL, NULL);
    if (err)
        *err = p->error;
    return p->id;
}

GLuint gpu_program_get(struct gpu *g, const char *frag_src, const char **err)
{
    return gpu_program_get_vs(g, vertex_src, frag_src, err);
}

struct gpu *gpu_create(char *err, size_t errlen)
{
    GLint major = 0, minor = 0;
    glGetIntegerv(GL_MAJOR_VERSION, &major);
    glGetIntegerv(GL_MINOR_VERSION, &minor);
    if (major * 10 + minor < 33) {
        snprintf(err, errlen, "OpenGL 3.3 or later is needed, this context "
                 "has %d.%d (%s)", major, minor,
                 (const char *)glGetString(GL_RENDERER));
        return NULL;
    }
    DRIVER_PIN();
    struct gpu *g = xcalloc(1, sizeof(*g));
    glGenVertexArrays(1, &g->vao);
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &g->max_tex_size);
    const char *renderer = (const char *)glGetString(GL_RENDERER);
    g->software = renderer && (strstr(renderer, "llvmpipe") ||
                               strstr(renderer, "softpipe") ||
                               strstr(renderer, "swrast"));
    if (epoxy_has_gl_extension("GL_NVX_gpu_memory_info")) {
        GLint kb = 0; /* GPU_MEMORY_INFO_DEDICATED_VIDMEM_NVX */
        glGetIntegerv(0x9047, &kb);
        g->mem_budget = (size_t)kb * 1024;
        g->budget_from = "the GPU's memory; kiosk.ini's [gpu] max_memory "
                         "can set less";
    } else if (g->software) {
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        if (pages > 0 && size > 0)
            g->mem_budget = (size_t)pages * (size_t)size / 2;
        g->budget_from = "half the RAM, for a CPU renderer; kiosk.ini's "
                         "[gpu] max_memory can set another";
    }
    g->blit = gpu_program(g, blit_src, NULL);
    g->blit_mono = gpu_program(g, blit_src, "#define MONO\n");
    if (!g->blit->id || !g->blit_mono->id) {
        const char *e = g->blit->id ? g->blit_mono->error : g->blit->error;
        snprintf(err, errlen, "the built-in blit shader does not compile: %s",
                 e ? e : "?");
        gpu_destroy(&g);
        return NULL;
    }
    g->copy_image = epoxy_gl_version() >= 43 ||
                    epoxy_has_gl_extension("GL_ARB_copy_image");
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    return g;
}

void gpu_destroy(struct gpu **pg)
{
    struct gpu *g = *pg;
    if (!g)
        return;
    gpu_cuda_release();
    for (size_t i = 0; i < g->ntexs; i++) {
        gpu_cuda_forget(g->texs[i]);
        glDeleteFramebuffers(1, &g->texs[i]->fbo);
        glDeleteTextures(1, &g->texs[i]->id);
        free(g->texs[i]);
    }
    free(g->texs);
    for (size_t i = 0; i < g->nprograms; i++)
        program_free(g->programs[i]);
    free(g->programs);
    glDeleteVertexArrays(1, &g->vao);
    if (g->exact_sampler)
        glDeleteSamplers(1, &g->exact_sampler);
    if (g->pbo)
        glDeleteBuffers(1, &g->pbo);
    if (g->upload_pbo)
        glDeleteBuffers(1, &g->upload_pbo);
    free(g);
    *pg = NULL;
}

struct gpu_tex *gpu_tex_acquire(struct gpu *g, int w, int h,
                                enum gpu_format format)
{
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    if (w > g->max_tex_size)
        w = g->max_tex_size;
    if (h > g->max_tex_size)
        h = g->max_tex_size;
    for (size_t i = 0; i < g->ntexs; i++) {
        struct gpu_tex *t = g->texs[i];
        if (!t->in_use && t->w == w && t->h == h && t->format == format) {
            t->in_use = true;
            return t;
        }
    }
    struct gpu_tex *t = xcalloc(1, sizeof(*t));
    t->w = w;
    t->h = h;
    t->format = format;
    t->in_use = true;
    glGenTextures(1, &t->id);
    glBindTexture(GL_TEXTURE_2D, t->id);
    glTexImage2D(GL_TEXTURE_2D, 0, (GLint)formats[format].internal, w, h, 0,
                 formats[format].format, formats[format].type, NULL);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glGenFramebuffers(1, &t->fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
                           GL_TEXTURE_2D, t->id, 0);
    GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE)
        LOG_ERR("[gpu]", "framebuffer %dx%d %s incomplete (0x%x)", w, h,
                formats[format].name, status);
    /* Not cleared: every TOP writes the whole of its output (or black,
     * top_black), and a texture from the pool holds its last user's
     * pixels anyway. A clear here cost the first frame a pass over each
     * new texture (5 ms of the default network's on llvmpipe). */
    GROW(g->texs, g->cap_texs, g->ntexs + 1);
    g->texs[g->ntexs++] = t;
    g->bytes += (size_t)w * (size_t)h * formats[format].bytes;
    return t;
}

static void trim_idle(struct gpu *g, uint64_t min_idle);

void gpu_set_budget(struct gpu *g, size_t bytes, const char *from)
{
    if (bytes) {
        g->mem_budget = bytes;
        g->budget_from = from;
    }
}

bool gpu_tex_fits(struct gpu *g, int w, int h, enum gpu_format format,
                  const struct gpu_tex *replacing, char *err, size_t errlen)
{
    if (w > g->max_tex_size || h > g->max_tex_size) {
        snprintf(err, errlen, "%dx%d is larger than the largest texture "
                 "this GPU makes (%dx%d)", w, h, g->max_tex_size,
                 g->max_tex_size);
        return false;
    }
    if (!g->mem_budget)
        return true;
    for (size_t i = 0; i < g->ntexs; i++) {
        const struct gpu_tex *t = g->texs[i];
        if (!t->in_use && t->w == w && t->h == h && t->format == format)
            return true; /* the pool has one: nothing new */
    }
    size_t need = (size_t)w * (size_t)h * formats[format].bytes;
    size_t freed = replacing ? (size_t)replacing->w * (size_t)replacing->h *
                                   formats[replacing->format].bytes
                             : 0;
    if (g->bytes - freed + need > g->mem_budget)
        trim_idle(g, 0);
    if (g->bytes - freed + need <= g->mem_budget)
        return true;
    snprintf(err, errlen, "%dx%d %s would need %zu MB, and textures hold "
             "%zu MB of the %zu MB they may use (%s)",
             w, h, formats[format].name, (need + (1 << 20) - 1) >> 20,
             (g->bytes - freed) >> 20, g->mem_budget >> 20,
             g->budget_from ? g->budget_from : "?");
    return false;
}

void gpu_tex_release(struct gpu *g, struct gpu_tex **pt)
{
    if (*pt) {
        (*pt)->in_use = false;
        (*pt)->idle_since = g->frames;
    }
    *pt = NULL;
}

/* Frees the textures released at least min_idle frames ago. */
static void trim_idle(struct gpu *g, uint64_t min_idle)
{
    size_t k = 0;
    for (size_t i = 0; i < g->ntexs; i++) {
        struct gpu_tex *t = g->texs[i];
        if (t->in_use || g->frames - t->idle_since < min_idle) {
            g->texs[k++] = t;
            continue;
        }
        g->bytes -= (size_t)t->w * (size_t)t->h * formats[t->format].bytes;
        gpu_cuda_forget(t);
        glDeleteFramebuffers(1, &t->fbo);
        glDeleteTextures(1, &t->id);
        free(t);
    }
    g->ntexs = k;
}

void gpu_trim(struct gpu *g)
{
    trim_idle(g, 0);
}

/* Deletes the programs nobody asked for lately, once there are many;
 * the blit program stays. */
static void trim_programs(struct gpu *g)
{
    if (g->nprograms <= GPU_KEEP_PROGRAMS)
        return;
    size_t k = 0;
    for (size_t i = 0; i < g->nprograms; i++) {
        struct gpu_program *p = g->programs[i];
        if (p == g->blit || p == g->blit_mono ||
            g->frames - p->used < GPU_IDLE_PROGRAM_FRAMES) {
            g->programs[k++] = p;
            continue;
        }
        program_free(p);
    }
    g->nprograms = k;
}

void gpu_frame_done(struct gpu *g)
{
    if (++g->frames % 16 == 0) {
        trim_idle(g, GPU_IDLE_FRAMES);
        trim_programs(g);
    }
}

void gpu_target(struct gpu_tex *t)
{
    glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
    glViewport(0, 0, t->w, t->h);
}

void gpu_draw_fullscreen(struct gpu *g)
{
    glBindVertexArray(g->vao);
    DRIVER_BEGIN();
    glDrawArrays(GL_TRIANGLES, 0, 3);
    DRIVER_END();
}

void gpu_bind_input(const struct gpu_tex *t, int unit, GLenum wrap)
{
    static const float black[4] = {0, 0, 0, 0};
    glActiveTexture(GL_TEXTURE0 + (GLenum)unit);
    glBindTexture(GL_TEXTURE_2D, t->id);
    glBindSampler((GLuint)unit, 0);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, (GLint)wrap);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, (GLint)wrap);
    if (wrap == GL_CLAMP_TO_BORDER)
        glTexParameterfv(GL_TEXTURE_2D, GL_TEXTURE_BORDER_COLOR, black);
}

void gpu_bind_exact(struct gpu *g, const struct gpu_tex *t, int unit)
{
    if (!g->exact_sampler) {
        glGenSamplers(1, &g->exact_sampler);
        GLuint s = g->exact_sampler;
        glSamplerParameteri(s, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glSamplerParameteri(s, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glSamplerParameteri(s, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glSamplerParameteri(s, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    glActiveTexture(GL_TEXTURE0 + (GLenum)unit);
    glBindTexture(GL_TEXTURE_2D, t->id);
    glBindSampler((GLuint)unit, g->exact_sampler);
}

void gpu_clear(struct gpu_tex *t, float r, float g, float b, float a)
{
    gpu_target(t);
    glClearColor(r, g, b, a);
    glClear(GL_COLOR_BUFFER_BIT);
}

/* src drawn over the current target; `exact`: at its own size, read
 * texel by texel. */
static void blit(struct gpu *g, const struct gpu_tex *src, bool exact)
{
    struct gpu_program *p = gpu_format_is_mono(src->format) ? g->blit_mono
                                                             : g->blit;
    glUseProgram(p->id);
    if (exact)
        gpu_bind_exact(g, src, 0);
    else
        gpu_bind_input(src, 0, GL_CLAMP_TO_EDGE);
    glUniform1i(gpu_uniform(p, "uTex"), 0);
    gpu_draw_fullscreen(g);
}

void gpu_blit(struct gpu *g, const struct gpu_tex *src)
{
    blit(g, src, false);
}

void gpu_copy(struct gpu *g, struct gpu_tex *dst, const struct gpu_tex *src)
{
    bool same = dst->w == src->w && dst->h == src->h;
    if (g->copy_image && same && dst->format == src->format) {
        glCopyImageSubData(src->id, GL_TEXTURE_2D, 0, 0, 0, 0, dst->id,
                           GL_TEXTURE_2D, 0, 0, 0, 0, src->w, src->h, 1);
        return;
    }
    /* Converted, or stretched; at its own size a texel is a pixel and
     * needs no filtering. */
    gpu_target(dst);
    blit(g, src, same);
}

bool gpu_copy_rect(struct gpu *g, struct gpu_tex *dst,
                   const struct gpu_tex *src, int x, int y)
{
    if (!g->copy_image || dst->format != src->format || x < 0 || y < 0 ||
        x + dst->w > src->w || y + dst->h > src->h)
        return false;
    glCopyImageSubData(src->id, GL_TEXTURE_2D, 0, x, y, 0, dst->id,
                       GL_TEXTURE_2D, 0, 0, 0, 0, dst->w, dst->h, 1);
    return true;
}

void gpu_finish(struct gpu *g)
{
    (void)g;
    DRIVER_BEGIN();
    glFinish();
    DRIVER_END();
}

void gpu_readback_start(struct gpu *g, const struct gpu_tex *t)
{
    if (g->software)
        return; /* finish reads directly: a PBO would only add a copy */
    size_t size = (size_t)t->w * (size_t)t->h * 4;
    if (!g->pbo)
        glGenBuffers(1, &g->pbo);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, g->pbo);
    if (size > g->pbo_size) {
        glBufferData(GL_PIXEL_PACK_BUFFER, (GLsizeiptr)size, NULL,
                     GL_STREAM_READ);
        g->pbo_size = size;
    }
    glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    if (gpu_format_is_mono(t->format)) {
        /* Read as grey, as it is shown. */
        glReadPixels(0, 0, t->w, t->h, GL_RED, GL_UNSIGNED_BYTE, NULL);
    } else {
        glReadPixels(0, 0, t->w, t->h, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
    }
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
}

bool gpu_readback_finish(struct gpu *g, const struct gpu_tex *t, void *dst)
{
    size_t n = (size_t)t->w * (size_t)t->h;
    if (g->software) {
        glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
        glReadBuffer(GL_COLOR_ATTACHMENT0);
        if (!gpu_format_is_mono(t->format)) {
            glReadPixels(0, 0, t->w, t->h, GL_RGBA, GL_UNSIGNED_BYTE, dst);
            return true;
        }
        /* grey, as it is shown: read r into the last quarter, spread */
        unsigned char *d = dst, *r = d + 3 * n;
        glReadPixels(0, 0, t->w, t->h, GL_RED, GL_UNSIGNED_BYTE, r);
        for (size_t i = 0; i < n; i++) {
            unsigned char v = r[i];
            d[4 * i] = d[4 * i + 1] = d[4 * i + 2] = v;
            d[4 * i + 3] = 255;
        }
        return true;
    }
    glBindBuffer(GL_PIXEL_PACK_BUFFER, g->pbo);
    const unsigned char *src = glMapBufferRange(
        GL_PIXEL_PACK_BUFFER, 0,
        (GLsizeiptr)(n * (gpu_format_is_mono(t->format) ? 1 : 4)),
        GL_MAP_READ_BIT);
    if (!src) {
        glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
        return false;
    }
    unsigned char *d = dst;
    if (gpu_format_is_mono(t->format)) {
        for (size_t i = 0; i < n; i++) {
            d[4 * i] = d[4 * i + 1] = d[4 * i + 2] = src[i];
            d[4 * i + 3] = 255;
        }
    } else {
        memcpy(d, src, n * 4);
    }
    glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    return true;
}

void gpu_upload(struct gpu *g, struct gpu_tex *t, const void *src,
                int channels, GLenum type)
{
    size_t comp = type == GL_FLOAT ? 4 : type == GL_UNSIGNED_SHORT ? 2 : 1;
    gpu_upload_rows(g, t, src, (size_t)t->w * (size_t)channels * comp,
                    channels, type);
}

void gpu_upload_rows_of(struct gpu_tex *t, const void *src, int y0, int y1,
                        int channels, GLenum type)
{
    static const GLenum layouts[] = {GL_RED, GL_RG, GL_RGB, GL_RGBA};
    size_t comp = type == GL_FLOAT ? 4 : type == GL_UNSIGNED_SHORT ? 2 : 1;
    size_t row = (size_t)t->w * (size_t)channels * comp;
    y0 = y0 < 0 ? 0 : y0;
    y1 = y1 > t->h ? t->h : y1;
    if (y0 >= y1)
        return;
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glBindTexture(GL_TEXTURE_2D, t->id);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, y0, t->w, y1 - y0,
                    layouts[channels - 1], type,
                    (const uint8_t *)src + (size_t)y0 * row);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
}

void gpu_upload_rows(struct gpu *g, struct gpu_tex *t, const void *src,
                     size_t stride, int channels, GLenum type)
{
    static const GLenum layouts[] = {GL_RED, GL_RG, GL_RGB, GL_RGBA};
    size_t comp = type == GL_FLOAT ? 4 : type == GL_UNSIGNED_SHORT ? 2 : 1;
    size_t pixel = (size_t)channels * comp;
    size_t row = (size_t)t->w * pixel, size = row * (size_t)t->h;
    /* rows whose padding is whole pixels are read in place */
    bool in_place = stride % pixel == 0;
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glBindTexture(GL_TEXTURE_2D, t->id);
    if (g->software && (in_place || stride == row)) {
        /* A CPU renderer has no DMA to overlap: a staging buffer would
         * only add a copy. */
        if (stride != row)
            glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / pixel));
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, t->w, t->h,
                        layouts[channels - 1], type, src);
        if (stride != row)
            glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        return;
    }
    if (!g->upload_pbo)
        glGenBuffers(1, &g->upload_pbo);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, g->upload_pbo);
    /* A fresh store each time (orphaning): the driver hands back memory
     * the previous upload is not still reading, so nothing waits. */
    glBufferData(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)size, NULL,
                 GL_STREAM_DRAW);
    uint8_t *dst = glMapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0,
                                    (GLsizeiptr)size,
                                    GL_MAP_WRITE_BIT |
                                        GL_MAP_INVALIDATE_BUFFER_BIT);
    if (dst) {
        const uint8_t *s = src;
        if (stride == row)
            memcpy(dst, s, size);
        else
            for (int y = 0; y < t->h; y++)
                memcpy(dst + (size_t)y * row, s + (size_t)y * stride, row);
        glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, t->w, t->h,
                        layouts[channels - 1], type, NULL);
    } else {
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        const uint8_t *s = src;
        for (int y = 0; y < t->h; y++) /* row by row: any stride */
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, y, t->w, 1,
                            layouts[channels - 1], type,
                            s + (size_t)y * stride);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
}

void gpu_read_float(struct gpu_tex *t, float *dst)
{
    glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    glReadPixels(0, 0, t->w, t->h, GL_RGBA, GL_FLOAT, dst);
}

struct gpu_stack *gpu_stack_create(struct gpu *g, GLenum target, int w,
                                   int h, int depth, enum gpu_format format,
                                   char *err, size_t errlen)
{
    GLint max_layers = 0, max_3d = 0;
    glGetIntegerv(GL_MAX_ARRAY_TEXTURE_LAYERS, &max_layers);
    glGetIntegerv(GL_MAX_3D_TEXTURE_SIZE, &max_3d);
    bool is3d = target == GL_TEXTURE_3D;
    if (is3d && (w > max_3d || h > max_3d || depth > max_3d)) {
        snprintf(err, errlen, "%dx%dx%d is more than this GPU allows for a "
                 "3D texture (%d per side)", w, h, depth, max_3d);
        return NULL;
    }
    if (!is3d && (w > g->max_tex_size || h > g->max_tex_size ||
                  depth > max_layers)) {
        snprintf(err, errlen, "%dx%dx%d is more than this GPU allows for a "
                 "2D texture array (%d per side, %d layers)", w, h, depth,
                 g->max_tex_size, max_layers);
        return NULL;
    }
    size_t need = (size_t)w * (size_t)h * (size_t)depth *
                  formats[format].bytes;
    if (g->mem_budget && g->bytes + need > g->mem_budget) {
        snprintf(err, errlen, "%dx%d x %d %s would need %zu MB, and "
                 "textures hold %zu MB of the %zu MB they may use (%s)", w, h, depth, formats[format].name,
                 need >> 20, g->bytes >> 20, g->mem_budget >> 20,
                 g->budget_from ? g->budget_from : "?");
        return NULL;
    }
    while (glGetError() != GL_NO_ERROR) /* not ours to report */
        ;
    struct gpu_stack *s = xcalloc(1, sizeof(*s));
    s->target = target;
    s->w = w;
    s->h = h;
    s->depth = depth;
    s->format = format;
    s->copy_image = g->copy_image;
    glGenTextures(1, &s->id);
    glBindTexture(target, s->id);
    glTexImage3D(target, 0, (GLint)formats[format].internal, w, h, depth, 0,
                 formats[format].format, formats[format].type, NULL);
    if (glGetError() == GL_OUT_OF_MEMORY) {
        snprintf(err, errlen, "the GPU is out of memory for %dx%d x %d %s "
                 "(%zu MB)", w, h, depth, formats[format].name, need >> 20);
        glDeleteTextures(1, &s->id);
        free(s);
        return NULL;
    }
    glTexParameteri(target, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(target, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexParameteri(target, GL_TEXTURE_WRAP_R, GL_CLAMP_TO_EDGE);
    glGenFramebuffers(1, &s->fbo);
    gpu_stack_clear(s);
    g->bytes += gpu_stack_bytes(s);
    return s;
}

void gpu_stack_destroy(struct gpu *g, struct gpu_stack **ps)
{
    struct gpu_stack *s = *ps;
    if (!s)
        return;
    g->bytes -= gpu_stack_bytes(s);
    glDeleteFramebuffers(1, &s->fbo);
    glDeleteTextures(1, &s->id);
    free(s);
    *ps = NULL;
}

size_t gpu_stack_bytes(const struct gpu_stack *s)
{
    return (size_t)s->w * (size_t)s->h * (size_t)s->depth *
           formats[s->format].bytes;
}

static void attach_layer(const struct gpu_stack *s, GLenum fb, int layer)
{
    glBindFramebuffer(fb, s->fbo);
    glFramebufferTextureLayer(fb, GL_COLOR_ATTACHMENT0, s->id, 0, layer);
}

/* Whether a slice and a texture can be copied without a shader. */
static bool stack_copies(const struct gpu_stack *s, const struct gpu_tex *t)
{
    return s->copy_image && s->w == t->w && s->h == t->h &&
           s->format == t->format;
}

void gpu_stack_write(struct gpu_stack *s, int layer,
                     const struct gpu_tex *src)
{
    if (stack_copies(s, src)) {
        glCopyImageSubData(src->id, GL_TEXTURE_2D, 0, 0, 0, 0, s->id,
                           s->target, 0, 0, 0, layer, s->w, s->h, 1);
        return;
    }
    glBindFramebuffer(GL_READ_FRAMEBUFFER, src->fbo);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    attach_layer(s, GL_DRAW_FRAMEBUFFER, layer);
    glDrawBuffer(GL_COLOR_ATTACHMENT0);
    glBlitFramebuffer(0, 0, src->w, src->h, 0, 0, s->w, s->h,
                      GL_COLOR_BUFFER_BIT, GL_LINEAR);
}

void gpu_stack_read(const struct gpu_stack *s, int layer,
                    struct gpu_tex *dst)
{
    if (stack_copies(s, dst)) {
        glCopyImageSubData(s->id, s->target, 0, 0, 0, layer, dst->id,
                           GL_TEXTURE_2D, 0, 0, 0, 0, s->w, s->h, 1);
        return;
    }
    attach_layer(s, GL_READ_FRAMEBUFFER, layer);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, dst->fbo);
    glDrawBuffer(GL_COLOR_ATTACHMENT0);
    glBlitFramebuffer(0, 0, s->w, s->h, 0, 0, dst->w, dst->h,
                      GL_COLOR_BUFFER_BIT, GL_LINEAR);
}

void gpu_stack_clear(struct gpu_stack *s)
{
    glViewport(0, 0, s->w, s->h);
    glClearColor(0, 0, 0, 0);
    for (int i = 0; i < s->depth; i++) {
        attach_layer(s, GL_FRAMEBUFFER, i);
        glClear(GL_COLOR_BUFFER_BIT);
    }
}

void gpu_bind_stack(const struct gpu_stack *s, int unit)
{
    glActiveTexture(GL_TEXTURE0 + (GLenum)unit);
    glBindTexture(s->target, s->id);
}
