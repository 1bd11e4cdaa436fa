/* prefault.h: memory for the first frame, made ready while the display
 * starts. On a CPU renderer (Mesa's llvmpipe) a texture is memory that
 * the driver takes from malloc on the main thread and zeroes, so the
 * first frame of a network meets every page of tens of megabytes for the
 * first time: a page fault for each 4 KiB, on the frame loop's thread,
 * after the display's start. The display's start is tens of milliseconds
 * of loading libraries on one core while the other has nothing to do: a
 * helper thread touches the main thread's heap meanwhile: a first block
 * is freed as soon as the GL context exists, so that the driver's shader
 * compiler (its first shader builds the compiler's tables) and the first
 * frame's program links allocate from memory that is already there; the
 * rest, blocks allocated one after the other (one stretch of the heap
 * once freed), just before the first frame, so that the frame's textures
 * are carved out of it. What the first frame did not
 * take goes back to the system after it (prefault_trim). While the
 * helper touches them the blocks are advised to be transparent huge
 * pages (a fault per 2 MiB, not per 4 KiB), and no longer once it has
 * stopped. With a GPU the
 * blocks are only heap that malloc reuses and gives back the same way.
 *
 * The heap serves allocations of up to 32 MiB from the start (glibc's
 * M_MMAP_THRESHOLD at the largest value its own adjustment reaches after
 * a large free), so that textures come from it rather than each from a
 * fresh mapping of its own.
 *
 * Threads: every call from the main thread; the helper is internal. */
#ifndef VITRINE_PREFAULT_H
#define VITRINE_PREFAULT_H

#include <stddef.h>

struct graph;
struct prefault;

/* What the graph's first frame is likely to allocate: a texture of the
 * network's resolution per TOP, at most what three heap blocks hold
 * (93 MiB). */
size_t prefault_estimate(const struct graph *g);
/* Sets the heap's thresholds (above), then starts touching the driver's
 * block (8 MiB) and the blocks of bytes; NULL, with no blocks, for 0 bytes
 * or when no thread can be made. */
struct prefault *prefault_start(size_t bytes);
/* Bytes of the blocks after the driver's touched so far. */
size_t prefault_touched(const struct prefault *p);
/* The GL context exists: the driver's block, as far as the helper got,
 * is freed into the heap; the helper goes on with the rest. */
void prefault_context(struct prefault *p);
/* Stops the helper where it is, and frees what is left into the heap. */
void prefault_finish(struct prefault **pp);
/* After the first frame: free heap pages back to the system. */
void prefault_trim(void);

#endif
