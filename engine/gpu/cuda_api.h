/* cuda_api.h: the part of NVIDIA's CUDA driver API that cuda.c calls,
 * written out here from the driver's documented, stable ABI so that no
 * CUDA Toolkit is needed to build: its types, constants, one struct, and
 * each function's type with the versioned symbol libcuda.so.1 exports.
 *
 * Everything is a list (an X macro) so that cuda_check.c can compare it
 * with the Toolkit's own cuda.h and cudaGL.h wherever a Toolkit is
 * installed: there VITRINE_CUDA_TOOLKIT is defined, the Toolkit's headers
 * come first, and this header defines only the lists. */
#ifndef VITRINE_CUDA_API_H
#define VITRINE_CUDA_API_H

#include <epoxy/gl.h>
#include <stddef.h>

/* X(name, what it is here): plain values; enums are passed as ints */
#define CU_TYPES(X)                                                        \
    X(CUresult, int)                                                       \
    X(CUdevice, int)                                                       \
    X(CUdeviceptr, unsigned long long)                                     \
    X(CUmemorytype, int)                                                   \
    X(CUGLDeviceList, int)

/* X(name, struct tag): opaque handles */
#define CU_HANDLES(X)                                                      \
    X(CUcontext, CUctx_st)                                                 \
    X(CUstream, CUstream_st)                                               \
    X(CUarray, CUarray_st)                                                 \
    X(CUgraphicsResource, CUgraphicsResource_st)

/* X(name, value) */
#define CU_CONSTS(X)                                                       \
    X(CUDA_SUCCESS, 0)                                                     \
    X(CUDA_ERROR_NO_DEVICE, 100)                                           \
    X(CU_MEMORYTYPE_DEVICE, 2)                                             \
    X(CU_MEMORYTYPE_ARRAY, 3)                                              \
    X(CU_GL_DEVICE_LIST_ALL, 1)                                            \
    X(CU_STREAM_DEFAULT, 0) /* blocking: ordered with the legacy stream */ \
    X(CU_GRAPHICS_REGISTER_FLAGS_NONE, 0)

/* X(type, field): CUDA_MEMCPY2D in the driver's order */
#define CU_MEMCPY2D_FIELDS(X)                                              \
    X(size_t, srcXInBytes)                                                 \
    X(size_t, srcY)                                                        \
    X(CUmemorytype, srcMemoryType)                                         \
    X(const void *, srcHost)                                               \
    X(CUdeviceptr, srcDevice)                                              \
    X(CUarray, srcArray)                                                   \
    X(size_t, srcPitch)                                                    \
    X(size_t, dstXInBytes)                                                 \
    X(size_t, dstY)                                                        \
    X(CUmemorytype, dstMemoryType)                                         \
    X(void *, dstHost)                                                     \
    X(CUdeviceptr, dstDevice)                                              \
    X(CUarray, dstArray)                                                   \
    X(size_t, dstPitch)                                                    \
    X(size_t, WidthInBytes)                                                \
    X(size_t, Height)

/* X(name, exported symbol, type): the name is the Toolkit's, which its
 * headers map to the symbol's version */
#define CU_FUNCS(X)                                                         \
    X(cuInit, cuInit, CUresult (*)(unsigned))                               \
    X(cuGetErrorString, cuGetErrorString,                                   \
      CUresult (*)(CUresult, const char **))                                \
    X(cuDeviceGetCount, cuDeviceGetCount, CUresult (*)(int *))              \
    X(cuGLGetDevices, cuGLGetDevices_v2,                                    \
      CUresult (*)(unsigned *, CUdevice *, unsigned, CUGLDeviceList))       \
    X(cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRetain,                   \
      CUresult (*)(CUcontext *, CUdevice))                                  \
    X(cuCtxPushCurrent, cuCtxPushCurrent_v2, CUresult (*)(CUcontext))       \
    X(cuCtxPopCurrent, cuCtxPopCurrent_v2, CUresult (*)(CUcontext *))       \
    X(cuStreamCreate, cuStreamCreate, CUresult (*)(CUstream *, unsigned))   \
    X(cuStreamSynchronize, cuStreamSynchronize, CUresult (*)(CUstream))     \
    X(cuMemAlloc, cuMemAlloc_v2, CUresult (*)(CUdeviceptr *, size_t))       \
    X(cuMemFree, cuMemFree_v2, CUresult (*)(CUdeviceptr))                   \
    X(cuMemcpy2DAsync, cuMemcpy2DAsync_v2,                                  \
      CUresult (*)(const CUDA_MEMCPY2D *, CUstream))                        \
    X(cuMemcpyDtoDAsync, cuMemcpyDtoDAsync_v2,                              \
      CUresult (*)(CUdeviceptr, CUdeviceptr, size_t, CUstream))             \
    X(cuGraphicsGLRegisterImage, cuGraphicsGLRegisterImage,                 \
      CUresult (*)(CUgraphicsResource *, GLuint, GLenum, unsigned))         \
    X(cuGraphicsGLRegisterBuffer, cuGraphicsGLRegisterBuffer,               \
      CUresult (*)(CUgraphicsResource *, GLuint, unsigned))                 \
    X(cuGraphicsUnregisterResource, cuGraphicsUnregisterResource,           \
      CUresult (*)(CUgraphicsResource))                                     \
    X(cuGraphicsMapResources, cuGraphicsMapResources,                       \
      CUresult (*)(unsigned, CUgraphicsResource *, CUstream))               \
    X(cuGraphicsUnmapResources, cuGraphicsUnmapResources,                   \
      CUresult (*)(unsigned, CUgraphicsResource *, CUstream))               \
    X(cuGraphicsSubResourceGetMappedArray,                                  \
      cuGraphicsSubResourceGetMappedArray,                                  \
      CUresult (*)(CUarray *, CUgraphicsResource, unsigned, unsigned))      \
    X(cuGraphicsResourceGetMappedPointer,                                   \
      cuGraphicsResourceGetMappedPointer_v2,                                \
      CUresult (*)(CUdeviceptr *, size_t *, CUgraphicsResource))

#ifndef VITRINE_CUDA_TOOLKIT
#define CU_TYPE(name, type) typedef type name;
#define CU_HANDLE(name, tag) typedef struct tag *name;
#define CU_CONST(name, value) name = value,
#define CU_FIELD(type, field) type field;
CU_TYPES(CU_TYPE)
CU_HANDLES(CU_HANDLE)
enum { CU_CONSTS(CU_CONST) };
typedef struct {
    CU_MEMCPY2D_FIELDS(CU_FIELD)
} CUDA_MEMCPY2D;
#undef CU_TYPE
#undef CU_HANDLE
#undef CU_CONST
#undef CU_FIELD
#endif

#endif
