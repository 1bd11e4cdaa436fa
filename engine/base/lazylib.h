/* lazylib.h: libraries that only some networks need, loaded the first
 * time one is asked for instead of by the dynamic linker at start: every
 * library a binary links costs every start, whether the network uses it
 * or not (the text stack, GLFW, Avahi and PortMidi together were 4 ms of
 * exec to main on a 2-core machine; FFmpeg brings a hundred more).
 *
 * A caller lists the functions it calls once, as an X-macro of (library,
 * function), and calls them through a table of pointers typed from the
 * library's own header:
 *
 *   enum { HB, TEXT_LIBS };
 *   #define TEXT_FUNCS(X) X(HB, hb_buffer_create) X(HB, hb_shape)
 *   static struct {
 *   #define X(l, f) __typeof__(f) *f;
 *       TEXT_FUNCS(X)
 *   #undef X
 *   } tl;
 *   static const struct lazylib_sym syms[] = {
 *   #define X(l, f) {l, #f, (void **)&tl.f},
 *       TEXT_FUNCS(X)
 *   #undef X
 *   };
 *   static const char *const sonames[TEXT_LIBS] = {"libharfbuzz.so.0"};
 *   static struct lazylib text = LAZYLIB("HarfBuzz", sonames, syms);
 *   ...
 *   if (!lazylib_load(&text)) report(text.error);
 *   tl.hb_shape(...);
 *
 * The sonames are the ABI the headers describe (Debian 12's). Threads:
 * any; a set is loaded once. */
#ifndef VITRINE_LAZYLIB_H
#define VITRINE_LAZYLIB_H

#include <stdbool.h>
#include <stddef.h>

struct lazylib_sym {
    int lib;          /* index into the set's sonames */
    const char *name; /* the function's name */
    void **slot;      /* where its address goes */
};

struct lazylib {
    const char *what;            /* "HarfBuzz", for messages */
    const char *const *sonames;  /* by lazylib_sym.lib */
    const struct lazylib_sym *syms;
    size_t nsyms;
    int state;       /* 0 not tried, 1 loaded, -1 failed */
    char error[256]; /* why it failed: the library, or the function */
};

#define LAZYLIB(what, sonames, syms)                                        \
    {what, sonames, syms, sizeof(syms) / sizeof((syms)[0]), 0, {0}}

/* Loads the set's libraries and resolves its functions the first time;
 * true when every one is there, else false with set->error saying what
 * is missing (and the same at every later call). */
bool lazylib_load(struct lazylib *set);
/* Whether the set has been loaded (by any thread), without loading it. */
bool lazylib_loaded(const struct lazylib *set);

#endif
