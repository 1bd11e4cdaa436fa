/* chop.h: channel data, the output of a CHOP.
 *
 * Channel names are interned in the graph's string pool, so comparing
 * names is comparing pointers, and copying a layout copies pointers.
 * Samples are doubles, channel-major: vals[chan * nsamples + sample].
 * Storage grows and is reused; a steady network allocates nothing. */
#ifndef VITRINE_CHOP_H
#define VITRINE_CHOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHOP_SMALL 4

/* Every value an input CHOP (OSC In, MIDI In) took in one frame, in
 * arrival order, for CHOP Execute DATs: a note on and off within one
 * frame are two events, though the channel ends where it began. */
struct chop_events {
    int64_t frame;
    int n, cap;
    const char **names; /* interned */
    double *vals;
};

struct chop_data {
    int nchan, nsamples;
    double rate;        /* samples per second */
    const char **names; /* interned, nchan of them */
    double *vals;
    /* Small CHOPs (a few single-sample channels, the usual controller
     * data) live inline, beside the op's other hot fields. */
    const char *names_small[CHOP_SMALL];
    double vals_small[CHOP_SMALL];
    const char **names_heap;
    double *vals_heap;
    size_t cap_names, cap_vals;
    struct chop_events *events; /* input CHOPs only, else NULL */
};

/* Sets the number of channels and samples, keeping names that fit. */
void chop_resize(struct chop_data *c, int nchan, int nsamples);
void chop_free(struct chop_data *c);
/* Records that channel name took value v in frame (the list starts over
 * in each new frame). */
void chop_event_add(struct chop_data *c, int64_t frame, const char *name,
                    double v);
/* Index of the channel with this interned name, or -1. */
int chop_find(const struct chop_data *c, const char *interned);
/* Index by plain string comparison, or -1. */
int chop_find_name(const struct chop_data *c, const char *name);
/* Makes dst's channel count, sample count, rate and names those of src. */
void chop_copy_layout(struct chop_data *dst, const struct chop_data *src);
static inline bool chop_same_layout(const struct chop_data *a,
                                    const struct chop_data *b)
{
    if (a->nchan != b->nchan || a->nsamples != b->nsamples)
        return false;
    for (int i = 0; i < a->nchan; i++)
        if (a->names[i] != b->names[i])
            return false;
    return true;
}
/* The value a parameter sees: the channel's last sample. */
static inline double chop_value(const struct chop_data *c, int chan)
{
    return c->vals[(size_t)chan * (size_t)c->nsamples +
                   (size_t)(c->nsamples - 1)];
}
static inline double *chop_chan(struct chop_data *c, int chan)
{
    return c->vals + (size_t)chan * (size_t)c->nsamples;
}

#endif
