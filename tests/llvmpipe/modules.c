/* modules.so: preloaded into vitrine by the tests, it names on stderr
 * every LLVM module Mesa's llvmpipe builds ("llvmpipe module:
 * setup_variant_0"), so that a test can count the driver's per-context
 * compilations that no disk cache keeps: llvmpipe compiles a triangle
 * setup function for each fragment shader input layout it meets, a few
 * milliseconds each, in the first frame. Without llvmpipe it prints
 * nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

typedef void *(*create_fn)(const char *name, void *context);

void *LLVMModuleCreateWithNameInContext(const char *name, void *context);

void *LLVMModuleCreateWithNameInContext(const char *name, void *context)
{
    static create_fn next;
    if (!next)
        next = (create_fn)dlsym(RTLD_NEXT,
                                "LLVMModuleCreateWithNameInContext");
    fprintf(stderr, "llvmpipe module: %s\n", name);
    return next ? next(name, context) : NULL;
}
