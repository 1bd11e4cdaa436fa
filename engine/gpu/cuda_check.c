/* cuda_check.c: compiled (never linked) where a CUDA Toolkit is installed,
 * so that the build fails if a declaration of cuda_api.h differs from
 * NVIDIA's cuda.h and cudaGL.h: each function's type against the
 * symbol's own prototype, each name mapping to the symbol version
 * vitrine loads, each constant's value, each handle's struct, each
 * plain type's size, and CUDA_MEMCPY2D field by field.
 *
 * CUDA_CHECK_BROKEN adds one declaration that differs (cuMemAlloc's size
 * as an int): the tests build with it to see the check fail. */
#include <epoxy/gl.h>

#include <cuda.h>
#include <cudaGL.h>

#define VITRINE_CUDA_TOOLKIT
#include "cuda_api.h"

#define CHECK_TYPE(name, type)                                             \
    _Static_assert(sizeof(name) == sizeof(type),                           \
                   #name " is not the size of " #type);
#define CHECK_HANDLE(name, tag)                                            \
    _Static_assert(__builtin_types_compatible_p(name, struct tag *),       \
                   #name " is not struct " #tag " *");
#define CHECK_CONST(name, value)                                           \
    _Static_assert(name == (value), #name " is not " #value);
#define CHECK_FUNC(name, sym, type)                                        \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&sym), type),   \
                   #sym " is not " #type);                                 \
    _Static_assert(&name == &sym, #name " is not " #sym);

CU_TYPES(CHECK_TYPE)
CU_HANDLES(CHECK_HANDLE)
CU_CONSTS(CHECK_CONST)
CU_FUNCS(CHECK_FUNC)
#ifdef CUDA_CHECK_BROKEN
CHECK_FUNC(cuMemAlloc, cuMemAlloc_v2, CUresult (*)(CUdeviceptr *, int))
#endif

/* CUDA_MEMCPY2D: the same fields at the same offsets, and no others */
#define OURS(type, field) type field;
struct ours {
    CU_MEMCPY2D_FIELDS(OURS)
};
#define CHECK_FIELD(type, field)                                           \
    _Static_assert(__builtin_offsetof(struct ours, field) ==               \
                           __builtin_offsetof(CUDA_MEMCPY2D, field) &&     \
                       sizeof(((struct ours *)0)->field) ==                \
                           sizeof(((CUDA_MEMCPY2D *)0)->field),            \
                   "CUDA_MEMCPY2D." #field " differs");
CU_MEMCPY2D_FIELDS(CHECK_FIELD)
_Static_assert(sizeof(struct ours) == sizeof(CUDA_MEMCPY2D),
               "CUDA_MEMCPY2D has fields vitrine does not declare");
