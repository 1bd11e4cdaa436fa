/* cuda.h: CUDA-GL interop for TOP.cudaMemory() and
 * scriptTOP.copyCUDAMemory(), through the CUDA driver API.
 *
 * libcuda.so.1 (the driver's own library) is loaded with dlopen the first
 * time a copy is asked for, so one binary runs on machines with and
 * without NVIDIA's driver; no CUDA Toolkit is needed to build. A build
 * with CUDA=0 leaves all of it out. Copies run on the caller's stream, or
 * on vitrine's own non-blocking stream, never the default one.
 *
 * A texture is registered with CUDA once, the first time it is copied, and
 * unregistered when the pool frees it (gpu_cuda_forget). Formats whose
 * memory layout is the caller's (float32 RGBA or mono, uint8 mono) copy
 * straight between the texture and linear memory; the rest (uint8 RGBA,
 * whose order TouchDesigner defines as BGRA, uint16, 2 or 3 components)
 * go through a pixel buffer registered once, where OpenGL converts.
 *
 * Threads: the thread that owns the GL context. */
#ifndef VITRINE_CUDA_H
#define VITRINE_CUDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gpu;
struct gpu_tex;

/* Element types of device memory, as CUDAMemoryShape.dataType. */
enum cuda_elem {
    CUDA_U8 = 0,
    CUDA_U16,
    CUDA_F32,
};

/* Whether copies can work: loads the driver, finds the CUDA device the GL
 * context runs on. False with the reason ("no CUDA-capable device", ...);
 * the answer is kept. */
bool gpu_cuda_ready(struct gpu *g, char *why, size_t n);

/* Copies t into newly allocated device memory as w x h x comps elements
 * of `elem`, rows bottom first. *ptr and *size get the allocation (free it
 * with gpu_cuda_free). stream 0: vitrine's stream. 0 or -1 with err. */
int gpu_cuda_from_texture(struct gpu *g, struct gpu_tex *t, int comps,
                          enum cuda_elem elem, uintptr_t stream,
                          uint64_t *ptr, size_t *size, char *err, size_t n);

/* Copies w x h x comps elements at device address src (tightly packed,
 * rows bottom first) into t, which has that size. 0 or -1 with err. */
int gpu_cuda_to_texture(struct gpu *g, struct gpu_tex *t, uint64_t src,
                        int comps, enum cuda_elem elem, uintptr_t stream,
                        char *err, size_t n);

void gpu_cuda_free(uint64_t ptr);
/* Waits for vitrine's stream (tests, benchmarks). */
void gpu_cuda_sync(uintptr_t stream);

/* The pool frees t: its registration goes with it. */
void gpu_cuda_forget(struct gpu_tex *t);
/* Textures registered now (the tests check it stays bounded). */
int gpu_cuda_registrations(void);

#endif
