/* cuda.h: CUDA-GL interop for TOP.cudaMemory() and
 * scriptTOP.copyCUDAMemory(), through the CUDA driver API.
 *
 * libcuda.so.1 (the driver's own library) is loaded with dlopen the first
 * time a copy is asked for, so one binary runs on machines with and
 * without NVIDIA's driver; no CUDA Toolkit is needed to build (cuda_api.h
 * declares what is called). A build with CUDA=0 leaves all of it out.
 * Copies run on the caller's stream, or on vitrine's own, never the
 * default one unless the caller passes it.
 *
 * A texture is registered with CUDA once, the first time it is copied, and
 * unregistered when the pool frees it (gpu_cuda_forget). Formats whose
 * memory layout is the caller's (float32 RGBA or mono, uint8 mono) copy
 * straight between the texture and linear memory; the rest (uint8 RGBA,
 * whose order TouchDesigner defines as BGRA, uint16, 2 or 3 components)
 * go through a pixel buffer registered once, where OpenGL converts.
 *
 * Streams are the driver's handles (0: the legacy default stream, used
 * only when a caller passes it); GPU_CUDA_OWN_STREAM is vitrine's own. That
 * one is a blocking stream: it does not run beside work on the legacy
 * default stream, where CuPy and PyTorch compute unless told otherwise, so
 * a copy given no stream never reads memory a kernel is still writing,
 * and a kernel never reads memory before the copy has filled it.
 *
 * Threads: the thread that owns the GL context. */
#ifndef VITRINE_CUDA_H
#define VITRINE_CUDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gpu;
struct gpu_tex;

#define GPU_CUDA_OWN_STREAM UINTPTR_MAX

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
/* Whether gpu_cuda_ready has answered already (its first call loads the
 * driver and starts CUDA: up to seconds on a large GPU). */
bool gpu_cuda_known(void);

/* Copies t into newly allocated device memory as w x h x comps elements
 * of `elem`, rows bottom first, ordered on `stream`. *ptr and *size get
 * the allocation (free it with gpu_cuda_free). 0 or -1 with err. */
int gpu_cuda_from_texture(struct gpu *g, struct gpu_tex *t, int comps,
                          enum cuda_elem elem, uintptr_t stream,
                          uint64_t *ptr, size_t *size, char *err, size_t n);

/* Copies w x h x comps elements at device address src (tightly packed,
 * rows bottom first) into t, which has that size. 0 or -1 with err. */
int gpu_cuda_to_texture(struct gpu *g, struct gpu_tex *t, uint64_t src,
                        int comps, enum cuda_elem elem, uintptr_t stream,
                        char *err, size_t n);

void gpu_cuda_free(uint64_t ptr);
/* Waits for a stream (tests, benchmarks). */
void gpu_cuda_sync(uintptr_t stream);
/* The driver's handle for `stream` (GPU_CUDA_OWN_STREAM resolved). */
uintptr_t gpu_cuda_stream_handle(uintptr_t stream);

/* The pool frees t: its registration goes with it. */
void gpu_cuda_forget(struct gpu_tex *t);
/* The GL context is about to go: the staging buffer's registration and
 * the buffer go first. */
void gpu_cuda_release(void);
/* Textures registered now (the tests check it stays bounded). */
int gpu_cuda_registrations(void);

#endif
