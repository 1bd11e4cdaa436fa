/* chop_util.h: small helpers the CHOP types share. */
#ifndef VITRINE_CHOP_UTIL_H
#define VITRINE_CHOP_UTIL_H

#include "../graph/graph.h"

static inline const char *chop_intern(struct op *op, const char *name)
{
    return strpool_intern(&op->graph->names, name);
}

/* Makes op's output one sample per channel named by the space-separated
 * list (at least one name; "chan1" when empty), at the frame rate. */
void chop_names_from_list(struct op *op, const char *list, double rate);

/* Channels that hold the latest value set by name (OSC In, MIDI In), in
 * the order they first appeared, found by a hash of the interned name.
 * max > 0 caps the channels: a new name beyond it is counted in refused
 * and makes nothing (not even an interned string). */
struct chop_latest {
    const char **names; /* interned */
    double *vals;
    int n, cap;
    int *slots; /* open addressing: index + 1, 0 empty */
    size_t nslots;
    int max;
    uint64_t refused;
};
/* Returns false when name is new and the cap is reached. */
bool chop_latest_set(struct op *op, struct chop_latest *l, const char *name,
                     double v);
/* Forgets every channel (keeps max and refused). */
void chop_latest_clear(struct chop_latest *l);
/* Makes op's output the channels, one sample each, at rate. */
void chop_latest_output(struct op *op, const struct chop_latest *l,
                        double rate);
void chop_latest_free(struct chop_latest *l);
/* The channels as state lines, "c VALUE NAME", and one such line back
 * (others are ignored). */
void chop_latest_save(const struct chop_latest *l, struct strbuf *out);
void chop_latest_restore(struct op *op, struct chop_latest *l,
                         const char *line);

/* The samples a generator makes (TouchDesigner's Channel page): time
 * sliced, one sample at the frame's time; else the interval start..end
 * (in samples, frames or seconds) at rate samples a second (0: the frame
 * rate). A struct of the op's and its parameters, declared once: */
struct chop_range {
    int timeslice;
    double start, end;
    int startunit, endunit;
    double rate;
};
extern const struct par_menu_item chop_range_units[];
#define CHOP_RANGE_MAX 16777216 /* samples a channel, as a Script CHOP */
#define CHOP_RANGE_PARS(type, field)                                        \
    {.name = "timeslice", .label = "Time Slice", .page = "Channel",         \
     .def = {1},                                                            \
     PARAM_TOGGLE(type, field.timeslice)},                                  \
    {.name = "start", .label = "Start", .page = "Channel",                  \
     .norm = {0, 600}, PARAM_FLOAT(type, field.start)},                     \
    {.name = "startunit", .label = "Start Unit", .page = "Channel",         \
     .menu = chop_range_units, .def = {1},                                  \
     PARAM_MENU(type, field.startunit)},                                    \
    {.name = "end", .label = "End", .page = "Channel", .def = {599},        \
     .norm = {0, 600}, PARAM_FLOAT(type, field.end)},                       \
    {.name = "endunit", .label = "End Unit", .page = "Channel",             \
     .menu = chop_range_units, .def = {1},                                  \
     PARAM_MENU(type, field.endunit)},                                      \
    {.name = "rate", .label = "Sample Rate", .page = "Channel",             \
     .norm = {0, 240}, .lim = {0, 0}, .clamp = PAR_CLAMP_MIN,               \
     PARAM_FLOAT(type, field.rate)}
/* The range's samples: their count, the time of the first and between
 * two (seconds), their rate and the first's index. False with the op's
 * error set (and its output left as it was) when the range is empty or
 * too long. */
struct chop_span {
    int n;
    double t0, dt, rate;
    int64_t first;
};
bool chop_range_span(struct op *op, const struct chop_range *r,
                     const struct cook_ctx *ctx, struct chop_span *sp);

/* A generator's output: the channels the space-separated list names
 * (named anew only when the op's parameters changed since
 * *names_version), n samples each at rate. */
void chop_generator_layout(struct op *op, const char *names,
                           uint64_t *names_version, int n, double rate);

/* A number in -1..1 for three integers, the same for the same ones (a
 * random generator's sample of a channel and seed). */
double chop_hash_unit(uint32_t a, uint32_t b, uint32_t c);

/* One cycle of a periodic shape at x (cycles; starting at 0): sin, tri
 * (0, 1 at a quarter, -1 at three quarters), square (1 then -1), ramp (0
 * to 1); step is a sample's length in cycles, for pulse (1 in the sample
 * a cycle begins). */
enum chop_wave { CHOP_SIN, CHOP_TRI, CHOP_SQUARE, CHOP_RAMP, CHOP_PULSE };
double chop_wave(int wave, double x, double step);

/* Matches name against space-separated glob patterns; "" matches none. */
bool chop_name_matches(const char *patterns, const char *name);


/* Channels chosen from source CHOPs (select, merge), and the layout of the
 * sources they were chosen from, so that a cook only copies values until a
 * source's channels or a parameter change. */
struct chop_pick {
    const struct chop_data *src;
    int chan;
};

struct chop_picks {
    struct chop_pick *picks;
    size_t n, cap;
    const char **seen; /* source channel names, NULL after each source */
    size_t nseen, cap_seen;
    uint64_t built_version; /* op->par_version when built */
};

/* True when the picks must be rebuilt for these sources. */
bool chop_picks_stale(const struct chop_picks *pk, const struct op *op,
                      const struct chop_data *const *src, size_t nsrc);
/* Forgets the picks and records the sources' layout. */
void chop_picks_begin(struct chop_picks *pk, const struct op *op,
                      const struct chop_data *const *src, size_t nsrc);
void chop_picks_add(struct chop_picks *pk, const struct chop_data *src,
                    int chan);
/* Sizes out for the picks (the longest source's samples) and names its
 * channels as their sources do. */
void chop_picks_layout(const struct chop_picks *pk, struct chop_data *out);
/* Copies the picked values; shorter channels hold their last sample. */
void chop_picks_copy(const struct chop_picks *pk, struct chop_data *out);
void chop_picks_free(struct chop_picks *pk);

#endif
