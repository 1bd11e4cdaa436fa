/* osc_codec.h: OSC messages to and from bytes, through liblo: the
 * runtime's one codec, used by the OSC readers and senders (control/),
 * the OSC ops and the Python API. No state; any thread. */
#ifndef VITRINE_OSC_CODEC_H
#define VITRINE_OSC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One argument of a message, as sent: type is its OSC type tag (i f s b
 * h t d S c m T F N I r), or '[' and ']' around an array's elements. */
struct osc_arg {
    char type;
    union {
        int32_t i;
        float f;
        int64_t h;
        double d;
        uint64_t t;  /* NTP timetag */
        uint32_t r;  /* RGBA, red in the top byte */
        char c;
        unsigned char m[4];
    } v;
    const char *s;    /* s, S */
    const void *blob; /* b */
    size_t blob_len;
};
/* Decodes one OSC message (not a bundle) with liblo, whose validation
 * decides what is malformed: its address into addr, then visit (may be
 * NULL) for each argument in order. 0, or -1 when malformed. */
int osc_message_args(const void *data, size_t len, char *addr,
                     size_t addr_len,
                     void (*visit)(void *ctx, const struct osc_arg *a),
                     void *ctx);

/* A message to send, built argument by argument (liblo's lo_message). */
struct osc_out;
struct osc_out *osc_out_new(void);
void osc_out_free(struct osc_out **o);
void osc_out_int(struct osc_out *o, int64_t v); /* i, or h beyond 32 bits */
void osc_out_float(struct osc_out *o, double v);
void osc_out_double(struct osc_out *o, double v); /* d: 64 bits */
void osc_out_string(struct osc_out *o, const char *s);
void osc_out_blob(struct osc_out *o, const void *data, size_t len);
void osc_out_bool(struct osc_out *o, bool v);
void osc_out_nil(struct osc_out *o);
void osc_out_array(struct osc_out *o, bool begin);
/* Its bytes with this address, newly allocated. */
unsigned char *osc_out_message(struct osc_out *o, const char *addr,
                               size_t *len);
/* n messages as one bundle (timetag: NTP, 1 immediately), newly
 * allocated. */
unsigned char *osc_out_bundle(struct osc_out *const *msgs,
                              const char *const *addrs, int n,
                              uint64_t timetag, size_t *len);

#endif
