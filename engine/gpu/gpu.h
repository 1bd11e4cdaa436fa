/* gpu.h: GPU resources for TOPs, on the current OpenGL 3.3 core context.
 *
 * Textures come from a pool keyed by size and pixel format and go back to
 * it: allocating and first touching GPU memory is slow (docs/architecture.md),
 * so a steady network allocates nothing. Each texture carries its own
 * framebuffer. Programs are compiled once per source text. Readback goes
 * through pixel buffer objects so that it can be started in one frame and
 * collected later.
 *
 * Threads: the thread that owns the GL context (the main thread). */
#ifndef VITRINE_GPU_H
#define VITRINE_GPU_H

#include <epoxy/gl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gpu_format {
    GPU_RGBA8 = 0,
    GPU_RGBA16F,
    GPU_RGBA32F,
    GPU_R8,
    GPU_R16F,
    GPU_R32F,
    GPU_R16, /* 16-bit fixed: a movie's 10 to 16-bit planes */
    GPU_FORMAT_COUNT,
};

struct gpu_tex {
    GLuint id, fbo;
    int w, h;
    enum gpu_format format;
    bool in_use;
    uint64_t idle_since; /* the pool's frame count when released */
    void *cuda; /* its CUDA registration, made at its first CUDA copy */
};

/* A stack of slices: a 3D texture or a 2D texture array, owned by one op
 * (not pooled: its depth is the op's own). */
struct gpu_stack {
    GLuint id, fbo;
    GLenum target; /* GL_TEXTURE_3D or GL_TEXTURE_2D_ARRAY */
    int w, h, depth;
    enum gpu_format format;
    bool copy_image; /* slices copy without a shader (struct gpu's) */
};

/* Uniform locations a program was asked for, by name. */
#define GPU_UNIFORMS 32
struct gpu_uniform {
    const char *name; /* the caller's string: compared by address first */
    GLint loc;
};

struct gpu_program {
    uint64_t hash;
    const char *vert; /* a static string: compared by address */
    const char *base; /* a variant's built-in source (compared by address) */
    const char *post; /* a fold's second shader (gpu_program_fold), or NULL */
    char *defines;    /* and its defines */
    char *src;        /* the fragment shader as compiled */
    GLuint id; /* 0 when it failed to compile */
    char *error;
    uint64_t used; /* the pool's frame count when last asked for */
    struct gpu_uniform uniforms[GPU_UNIFORMS];
    int nuniforms;
};

struct gpu {
    struct gpu_tex **texs; /* the pool: in use and free */
    size_t ntexs, cap_texs;
    struct gpu_program **programs; /* each allocated: pointers stay */
    size_t nprograms, cap_programs;
    GLuint vao;            /* for full-screen triangles */
    GLuint pbo;            /* readback staging, grown as needed */
    size_t pbo_size;
    GLuint upload_pbo;     /* upload staging, orphaned per upload */
    struct gpu_program *blit, *blit_mono; /* draw a texture (mono: grey) */
    bool copy_image;       /* glCopyImageSubData (GL 4.3) is there */
    GLuint exact_sampler;  /* nearest and clamped: gpu_bind_exact */
    size_t bytes;          /* GPU memory held by pool textures */
    size_t mem_budget;     /* what textures may bring bytes up to: kiosk.ini's
                            * [gpu] max_memory, else the GPU's memory, half
                            * the RAM for a CPU renderer; 0 where the
                            * driver does not say */
    const char *budget_from; /* where mem_budget came from, in words */
    uint64_t frames;       /* gpu_frame_done calls */
    int max_tex_size;
    bool software; /* llvmpipe and kin: CPU rendering */
};

/* Needs a current context; NULL with a message if GL is below 3.3. */
struct gpu *gpu_create(char *err, size_t errlen);
void gpu_destroy(struct gpu **g);

const char *gpu_format_name(enum gpu_format f);
size_t gpu_format_bytes(enum gpu_format f); /* per pixel */
bool gpu_format_is_mono(enum gpu_format f);

/* A texture of this size and format, from the pool or new; its content
 * is undefined. Release gives it back. */
struct gpu_tex *gpu_tex_acquire(struct gpu *g, int w, int h,
                                enum gpu_format format);
void gpu_tex_release(struct gpu *g, struct gpu_tex **t);
/* Whether a texture of this size and format may be made: within the
 * driver's largest texture, and within the memory budget (counting
 * `replacing`, a texture that goes when this one comes, as free; idle
 * pool textures are freed first when they stand in the way). False with
 * the reason in err. */
bool gpu_tex_fits(struct gpu *g, int w, int h, enum gpu_format format,
                  const struct gpu_tex *replacing, char *err, size_t errlen);
/* Sets the memory budget (bytes; 0 keeps the driver's figure). */
void gpu_set_budget(struct gpu *g, size_t bytes, const char *from);
/* Pool textures unused for this many frames go back to the driver: a TOP
 * whose size changed, or a replaced network, leaves textures behind that
 * may never be asked for again. */
#define GPU_IDLE_FRAMES 120
/* The shader cache keeps every program while it holds at most this many;
 * beyond, those not asked for in GPU_IDLE_PROGRAM_FRAMES are deleted (a
 * shader whose text a script rewrites every frame makes a new program
 * each time). */
#define GPU_KEEP_PROGRAMS 64
#define GPU_IDLE_PROGRAM_FRAMES 600
/* A frame is over: frees textures idle for GPU_IDLE_FRAMES and programs
 * as above (looked at every 16 frames). */
void gpu_frame_done(struct gpu *g);
/* Frees every pool texture nobody uses now. */
void gpu_trim(struct gpu *g);

/* A 3D texture or 2D array, cleared to transparent black; NULL with a
 * message when it is larger than the driver allows. */
struct gpu_stack *gpu_stack_create(struct gpu *g, GLenum target, int w,
                                   int h, int depth, enum gpu_format format,
                                   char *err, size_t errlen);
void gpu_stack_destroy(struct gpu *g, struct gpu_stack **s);
size_t gpu_stack_bytes(const struct gpu_stack *s);
/* Copies src into slice `layer`, scaled to fit. */
void gpu_stack_write(struct gpu_stack *s, int layer,
                     const struct gpu_tex *src);
/* Copies slice `layer` into dst, scaled to fit. */
void gpu_stack_read(const struct gpu_stack *s, int layer,
                    struct gpu_tex *dst);
void gpu_stack_clear(struct gpu_stack *s);
void gpu_bind_stack(const struct gpu_stack *s, int unit);

/* Compiles (once per source) a program of the full-screen vertex shader
 * and this fragment shader. Returns 0 and sets *err (owned by the cache)
 * to a message naming the shader's own line when it does not compile. */
GLuint gpu_program_get(struct gpu *g, const char *frag_src,
                       const char **err);

/* A variant of a built-in fragment shader (a static string): `defines`
 * ("#define TYPE 2\n" lines, or NULL) go in after its #version line, so
 * that what the parameters fix is folded by the compiler instead of
 * tested per pixel. One program per source and defines, from the cache
 * after the first; its id is 0 and error says why when it did not
 * compile. The pointer stays valid while the program is asked for at
 * least every GPU_IDLE_PROGRAM_FRAMES. */
struct gpu_program *gpu_program(struct gpu *g, const char *frag_src,
                                const char *defines);
/* Two built-in shaders as one program (a fold, op.h's op_fold): frag_src
 * with its main() renamed fold_input(), then post_src (its #version line
 * left out) with FOLD defined, whose main() calls it; defines (both
 * shaders') go in before both. Cached as gpu_program's are. */
struct gpu_program *gpu_program_fold(struct gpu *g, const char *frag_src,
                                     const char *defines,
                                     const char *post_src);
/* A uniform's location in p (-1 when the compiler removed it), asked of
 * the driver once per name. The name must outlive the program (a string
 * literal): it is kept, not copied. */
GLint gpu_uniform(struct gpu_program *p, const char *name);

/* The same with a vertex shader of the caller's (a static string, which
 * the cache compares by address). */
GLuint gpu_program_get_vs(struct gpu *g, const char *vert_src,
                          const char *frag_src, const char **err);

/* Binds t's framebuffer and viewport for drawing. */
void gpu_target(struct gpu_tex *t);
/* Draws one full-screen triangle with the current program. */
void gpu_draw_fullscreen(struct gpu *g);
/* Binds tex to texture unit `unit` with linear filtering and the given
 * wrap (GL_CLAMP_TO_EDGE, GL_REPEAT, GL_MIRRORED_REPEAT,
 * GL_CLAMP_TO_BORDER with a black border). */
void gpu_bind_input(const struct gpu_tex *t, int unit, GLenum wrap);
/* Binds tex to `unit` read texel by texel (nearest, clamped), through a
 * sampler object, leaving the texture's own filtering as it is: for a
 * texture drawn at its own size, where filtering changes nothing and on
 * a CPU renderer costs more than the rest of the pass. gpu_bind_input on
 * the unit ends it. */
void gpu_bind_exact(struct gpu *g, const struct gpu_tex *t, int unit);
/* src into dst: glCopyImageSubData where the size and format are the
 * same (no shader), else drawn converted (read texel by texel where the
 * size is the same) or stretched, as gpu_blit draws. */
void gpu_copy(struct gpu *g, struct gpu_tex *dst, const struct gpu_tex *src);
/* dst's size of src from (x, y) into dst, copied: false where the
 * format differs, the rectangle leaves src or the GL cannot copy. */
bool gpu_copy_rect(struct gpu *g, struct gpu_tex *dst,
                   const struct gpu_tex *src, int x, int y);
/* Clears t to a colour. */
void gpu_clear(struct gpu_tex *t, float r, float g, float b, float a);
/* Draws src over the whole current target through the blit program
 * (mono formats appear grey, like TouchDesigner shows them). */
void gpu_blit(struct gpu *g, const struct gpu_tex *src);

/* Waits until the GL has done all that was asked of it (glFinish): for a
 * moment that must mean pixels done, where no swap presents them. */
void gpu_finish(struct gpu *g);

/* Readback as RGBA8, rows bottom to top, through the PBO: start queues the
 * copy; finish waits for it and copies into dst (w * h * 4 bytes). */
void gpu_readback_start(struct gpu *g, const struct gpu_tex *t);
bool gpu_readback_finish(struct gpu *g, const struct gpu_tex *t, void *dst);
/* Uploads w * h pixels of `channels` (1..4) components of `type`
 * (GL_UNSIGNED_BYTE, GL_UNSIGNED_SHORT, GL_FLOAT), rows bottom to top,
 * through a streaming PBO: the copy to the GPU runs on after the call
 * (directly from src on a CPU renderer, where a PBO is only a copy). */
void gpu_upload(struct gpu *g, struct gpu_tex *t, const void *src,
                int channels, GLenum type);
/* Rows y0 to y1 - 1 of src (w * channels components a row, tight) into
 * the same rows of t, from client memory: a part that changed. */
void gpu_upload_rows_of(struct gpu_tex *t, const void *src, int y0, int y1,
                        int channels, GLenum type);
/* The same from rows `stride` bytes apart (a decoder's planes, padded). */
void gpu_upload_rows(struct gpu *g, struct gpu_tex *t, const void *src,
                     size_t stride, int channels, GLenum type);
/* Float readback of all four channels (w * h * 4 floats), for tests and
 * numpyArray(); immediate. */
void gpu_read_float(struct gpu_tex *t, float *dst);

/* The full-screen vertex shader's interface, for fragment shaders:
 *   in vec2 vUV;   0..1 across the target
 * On a CPU renderer the built-in shaders read nothing else, a texel of
 * an input of the target's size included (their PIXEL(s) and TEXEL(s)
 * come from vUV, not gl_FragCoord): llvmpipe compiles a triangle setup
 * function for each layout of inputs it meets, a few ms each at the
 * first frame and kept by no cache, so one layout, one setup. On a GPU
 * they come from gl_FragCoord: from vUV each pixel would query its
 * input's size, a texture instruction as costly as the read itself on a
 * GPU whose units are few. */
extern const char gpu_frag_header[];

#endif
