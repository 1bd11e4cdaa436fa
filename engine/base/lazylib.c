#include "lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "log.h"

#define LIBS_MAX 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static bool load(struct lazylib *set)
{
    void *handle[LIBS_MAX] = {0};
    for (size_t i = 0; i < set->nsyms; i++) {
        const struct lazylib_sym *s = &set->syms[i];
        if (s->lib < 0 || s->lib >= LIBS_MAX) {
            snprintf(set->error, sizeof(set->error), "%s: library index %d "
                     "of %s is out of range", set->what, s->lib, s->name);
            return false;
        }
        const char *soname = set->sonames[s->lib];
        if (!handle[s->lib] &&
            !(handle[s->lib] = dlopen(soname, RTLD_NOW | RTLD_LOCAL))) {
            snprintf(set->error, sizeof(set->error), "%s cannot be loaded: "
                     "%s", set->what, dlerror());
            return false;
        }
        if (!(*s->slot = dlsym(handle[s->lib], s->name))) {
            snprintf(set->error, sizeof(set->error), "%s: %s has no %s",
                     set->what, soname, s->name);
            return false;
        }
    }
    return true;
}

bool lazylib_load(struct lazylib *set)
{
    pthread_mutex_lock(&mu);
    if (set->state == 0) {
        bool ok = load(set);
        __atomic_store_n(&set->state, ok ? 1 : -1, __ATOMIC_RELEASE);
        if (ok)
            LOG_DBG("[lazylib]", "loaded %s", set->what);
    }
    bool ok = set->state > 0;
    pthread_mutex_unlock(&mu);
    return ok;
}

bool lazylib_loaded(const struct lazylib *set)
{
    return __atomic_load_n(&set->state, __ATOMIC_ACQUIRE) > 0;
}
