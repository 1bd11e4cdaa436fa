/* midiinCHOP: MIDI events as channels, from the PortMidi inputs whose
 * names contain `device` (empty: the kiosk's [midi] device, and without
 * one every input; re-opened when plugged in again), or from a
 * raw MIDI byte stream when `device` is a path (a /dev/snd/midiC*D* node
 * or a FIFO). Channel names as
 * TouchDesigner's: ch1n60 (note 60 on MIDI channel 1: its velocity, 0
 * after note off), ch1c7 (controller 7), ch1p (pitch bend, -1..1), ch1pc
 * (program), ch1a (channel pressure), ch1pa60 (pressure on note 60).
 * Values are normalised to 0..1 unless `normalize` is off; `controller14`
 * pairs controllers 0-31 with 32-63 as 14-bit values. `channels` takes
 * MIDI channel numbers and ranges ("1-4 10"). Cooked every frame. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../control/midi.h"
#include "../base/util.h"
#include "chop_util.h"

struct midiin {
    int active, normalize, controller14, resetchannels;
    char *device, *channels;
    /* state */
    struct midi_stream *stream;
    char *open_device; /* the device the stream reads */
    uint16_t chan_mask; /* bit c-1: MIDI channel c taken */
    uint64_t mask_version;
    uint8_t msb[16][32]; /* 14-bit controllers: the last MSB */
    uint64_t dropped, stray; /* the stream's counts, as last said */
    int64_t said_at;         /* when (at most every 5 s in a flood) */
    struct chop_latest chans;
};

static uint16_t parse_channels(const char *s)
{
    uint16_t mask = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", s);
    for (char *save, *t = strtok_r(buf, " ,", &save); t;
         t = strtok_r(NULL, " ,", &save)) {
        int a, b;
        if (sscanf(t, "%d-%d", &a, &b) != 2)
            a = b = atoi(t);
        for (int c = a; c <= b; c++)
            if (c >= 1 && c <= 16)
                mask |= (uint16_t)(1u << (c - 1));
    }
    return mask;
}

static void apply(struct op *op, struct midiin *p, const struct midi_event *e)
{
    char name[32];
    int c = e->channel;
    double scale = p->normalize ? 1.0 / 127 : 1.0;
    switch (e->kind) {
    case MIDI_NOTE_ON:
    case MIDI_NOTE_OFF:
        snprintf(name, sizeof(name), "ch%dn%d", c, e->a);
        chop_latest_set(op, &p->chans, name, e->kind == MIDI_NOTE_ON ? e->b * scale : 0);
        break;
    case MIDI_CONTROL:
        if (p->controller14 && e->a < 32) {
            p->msb[c - 1][e->a] = e->b;
            snprintf(name, sizeof(name), "ch%dc%d", c, e->a);
            chop_latest_set(op, &p->chans, name, (e->b << 7) * (p->normalize ? 1.0 / 16383
                                                               : 1.0));
        } else if (p->controller14 && e->a < 64) {
            int cc = e->a - 32;
            snprintf(name, sizeof(name), "ch%dc%d", c, cc);
            chop_latest_set(op, &p->chans, name, (p->msb[c - 1][cc] << 7 | e->b) *
                                       (p->normalize ? 1.0 / 16383 : 1.0));
        } else {
            snprintf(name, sizeof(name), "ch%dc%d", c, e->a);
            chop_latest_set(op, &p->chans, name, e->b * scale);
        }
        break;
    case MIDI_PITCH_BEND: {
        int v = e->b << 7 | e->a;
        snprintf(name, sizeof(name), "ch%dp", c);
        chop_latest_set(op, &p->chans, name, p->normalize ? (v - 8192) / 8192.0 : v);
        break;
    }
    case MIDI_PROGRAM:
        snprintf(name, sizeof(name), "ch%dpc", c);
        chop_latest_set(op, &p->chans, name, e->a);
        break;
    case MIDI_CHANNEL_PRESSURE:
        snprintf(name, sizeof(name), "ch%da", c);
        chop_latest_set(op, &p->chans, name, e->a * scale);
        break;
    case MIDI_POLY_PRESSURE:
        snprintf(name, sizeof(name), "ch%dpa%d", c, e->a);
        chop_latest_set(op, &p->chans, name, e->b * scale);
        break;
    }
}

/* Events dropped in a flood, bytes that made no sense: the op's warning
 * says how many in all, at once and then at most every 5 s. */
static void report(struct op *op, struct midiin *p)
{
    uint64_t dropped = midi_stream_dropped(p->stream);
    uint64_t stray = midi_stream_stray(p->stream);
    int64_t now = clock_now_ns();
    if ((dropped == p->dropped && stray == p->stray) ||
        (p->said_at && now - p->said_at < 5000000000))
        return;
    if (dropped != p->dropped) {
        op_set_warning(op, "%s: %llu MIDI events dropped in all: more than "
                       "%d arrived within one frame", p->open_device,
                       (unsigned long long)dropped, MIDI_QUEUE);
        p->dropped = dropped;
    } else {
        op_set_warning(op, "%s: %llu stray MIDI data bytes ignored in all "
                       "(no status byte before them)", p->open_device,
                       (unsigned long long)stray);
        p->stray = stray;
    }
    p->said_at = now;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    struct midiin *p = op->priv;
    if (p->resetchannels)
        chop_latest_clear(&p->chans);
    if (p->mask_version != op->par_version) {
        p->chan_mask = parse_channels(p->channels);
        p->mask_version = op->par_version;
    }
    /* empty: the kiosk's [midi] device, else every input */
    const char *device = p->device[0] ? p->device : midi_default_device();
    if (!p->active)
        midi_stream_close(&p->stream);
    if (p->active && (!p->stream || strcmp(p->open_device, device) != 0)) {
        midi_stream_close(&p->stream);
        char err[256];
        free(p->open_device);
        p->open_device = xstrdup(device);
        p->stream = device[0] == '/'
                        ? midi_stream_open(device, err, sizeof(err))
                        : midi_device_open(device);
        p->dropped = p->stray = 0;
        if (!p->stream) {
            op_set_error(op, "%s", err);
            return -1;
        }
    }
    if (p->stream) {
        size_t count;
        const struct midi_event *e = midi_stream_drain(p->stream, &count);
        for (size_t i = 0; i < count; i++)
            if (p->chan_mask & (1u << (e[i].channel - 1)))
                apply(op, p, &e[i]);
        report(op, p);
    }
    chop_latest_output(op, &p->chans, ctx->fps);
    return 0;
}

static void destroy(struct op *op)
{
    struct midiin *p = op->priv;
    midi_stream_close(&p->stream);
    free(p->open_device);
    chop_latest_free(&p->chans);
}

static void save_state(const struct op *op, struct strbuf *out)
{
    const struct midiin *p = op->priv;
    chop_latest_save(&p->chans, out);
}

static void restore_state(struct op *op, const char *line)
{
    struct midiin *p = op->priv;
    chop_latest_restore(op, &p->chans, line);
}

static const struct par_def pars[] = {
    {.name = "active", .label = "Active", .def = {1},
     PARAM_TOGGLE(struct midiin, active)},
    {.name = "device", .label = "Device",
     PARAM_STRING(struct midiin, device)},
    {.name = "channel", .alias = "channels", .label = "MIDI Channels",
     .def_str = "1-16", PARAM_STRING(struct midiin, channels)},
    {.name = "normalize", .label = "Normalize",
     .def = {1}, PARAM_TOGGLE(struct midiin, normalize)},
    {.name = "controller14", .label = "14-bit Controllers",
     PARAM_TOGGLE(struct midiin, controller14)},
    {.name = "resetchannels", .label = "Reset Channels",
     PARAM_PULSE(struct midiin, resetchannels)},
    {0},
};

const struct op_type op_chop_midiin = {
    .name = "midiin",
    .optype = "midiinCHOP",
    .label = "MIDI In",
    .about = "MIDI events as channels from a PortMidi input (`device`: part of "
             "its name) or a raw MIDI stream (`device`: a `/dev/snd/midiC*D*` "
             "node or a FIFO): `channel` (\"1-4 10\", or `channels`), "
             "`normalize`, `controller14`, `resetchannels`, `active` "
             "(docs/midi.md)",
    .family = OP_CHOP,
    .min_inputs = 0,
    .max_inputs = 0,
    .flags = OPT_ALWAYS_COOK | OPT_TIME_DEPENDENT,
    .pars = pars,
    .priv_size = sizeof(struct midiin),
    .cook = cook,
    .destroy = destroy,
    .save_state = save_state,
    .restore_state = restore_state,
};
