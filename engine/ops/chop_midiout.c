/* midioutCHOP: sends its input's channels as MIDI to the PortMidi output
 * whose name contains `device` (re-opened when it is plugged in again),
 * or to a raw MIDI stream when `device` is a path (a /dev/snd/midiC*D*
 * node or a FIFO), when their values change, for controller LEDs and motorised faders. Channel names as the
 * MIDI In CHOP makes them: ch1n60 (note: on with the value as velocity
 * when above 0, off at 0), ch1c7 (controller), ch1p (pitch bend -1..1),
 * ch1pc (program), ch1a (channel pressure). Values 0..1 unless
 * `normalize` is off. Passes its input through. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../control/midi.h"
#include "../base/log.h"
#include "../base/util.h"
#include "chop_util.h"

struct midiout {
    int active, normalize;
    char *device;
    struct midi_out *out;
    char *open_device;
    const char **names; /* last sent, per channel */
    double *last;
    int nlast;
};

static int to7(double v, bool normalize)
{
    int x = (int)(normalize ? v * 127 + 0.5 : v + 0.5);
    return x < 0 ? 0 : x > 127 ? 127 : x;
}

/* The MIDI bytes for one channel's value; 0 when the name is not MIDI. */
static int encode(const char *name, double v, bool normalize,
                  unsigned char *b)
{
    int ch, num, used = 0;
    if (sscanf(name, "ch%d%n", &ch, &used) != 1 || ch < 1 || ch > 16)
        return 0;
    const char *rest = name + used;
    int c = ch - 1;
    if (sscanf(rest, "n%d", &num) == 1 && num >= 0 && num < 128) {
        int vel = to7(v, normalize);
        b[0] = (unsigned char)((vel ? 0x90 : 0x80) | c);
        b[1] = (unsigned char)num;
        b[2] = (unsigned char)vel;
        return 3;
    }
    if (sscanf(rest, "c%d", &num) == 1 && num >= 0 && num < 128) {
        b[0] = (unsigned char)(0xB0 | c);
        b[1] = (unsigned char)num;
        b[2] = (unsigned char)to7(v, normalize);
        return 3;
    }
    if (strcmp(rest, "pc") == 0) {
        b[0] = (unsigned char)(0xC0 | c);
        b[1] = (unsigned char)to7(v, false);
        return 2;
    }
    if (strcmp(rest, "a") == 0) {
        b[0] = (unsigned char)(0xD0 | c);
        b[1] = (unsigned char)to7(v, normalize);
        return 2;
    }
    if (strcmp(rest, "p") == 0) {
        int x = normalize ? (int)(v * 8192 + 8192.5) : (int)(v + 0.5);
        x = x < 0 ? 0 : x > 16383 ? 16383 : x;
        b[0] = (unsigned char)(0xE0 | c);
        b[1] = (unsigned char)(x & 0x7F);
        b[2] = (unsigned char)(x >> 7);
        return 3;
    }
    return 0;
}

static int cook(struct op *op, const struct cook_ctx *ctx)
{
    (void)ctx;
    struct midiout *p = op->priv;
    struct op *in = op_input(op, 0);
    if (!in)
        return -1;
    struct chop_data *c = &op->chop;
    chop_copy_layout(c, &in->chop);
    memcpy(c->vals, in->chop.vals, (size_t)c->nchan * (size_t)c->nsamples *
                                       sizeof(double));
    if (!p->active || !p->device[0])
        return 0;
    if (!p->out || strcmp(p->open_device, p->device) != 0) {
        midi_out_close(&p->out);
        free(p->open_device);
        p->open_device = xstrdup(p->device);
        char err[512];
        p->out = midi_out_open(p->device, err, sizeof(err));
        if (!p->out) {
            op_set_error(op, "%s", err);
            return 1;
        }
        p->nlast = -1;
    }
    if (c->nchan != p->nlast) {
        p->names = xrealloc(p->names, (size_t)(c->nchan + 1) *
                                          sizeof(*p->names));
        p->last = xrealloc(p->last, (size_t)(c->nchan + 1) * sizeof(double));
        for (int i = 0; i < c->nchan; i++)
            p->names[i] = NULL;
        p->nlast = c->nchan;
    }
    unsigned char out[3 * 64];
    int n = 0;
    bool resend = false;
    for (int i = 0; i <= c->nchan; i++) {
        if (i < c->nchan) {
            double v = c->nsamples ? chop_value(c, i) : 0;
            if (p->names[i] == c->names[i] && p->last[i] == v)
                continue;
            p->names[i] = c->names[i];
            p->last[i] = v;
            n += encode(c->names[i], v, p->normalize, out + n);
        }
        if (n && (n > (int)sizeof(out) - 3 || i == c->nchan)) {
            /* not out (a device not there yet): all again next time */
            if (midi_out_write(p->out, out, (size_t)n) != 0)
                resend = true;
            n = 0;
        }
    }
    if (resend)
        for (int i = 0; i < c->nchan; i++)
            p->names[i] = NULL;
    return 0;
}

static void destroy(struct op *op)
{
    struct midiout *p = op->priv;
    midi_out_close(&p->out);
    free(p->open_device);
    free(p->names);
    free(p->last);
}

static const struct par_def pars[] = {
    {.name = "active", .label = "Active", .def = {1},
     PARAM_TOGGLE(struct midiout, active)},
    {.name = "device", .label = "Device",
     PARAM_STRING(struct midiout, device)},
    {.name = "normalize", .label = "Normalize",
     .def = {1}, PARAM_TOGGLE(struct midiout, normalize)},
    {0},
};

const struct op_type op_chop_midiout = {
    .name = "midiout",
    .optype = "midioutCHOP",
    .label = "MIDI Out",
    .about = "sends its input's channels named as MIDI In names them (`ch1n60`, "
             "`ch1c7`, `ch1p`, `ch1pc`, `ch1a`) to a raw MIDI stream (`device`) "
             "when they change, for controller LEDs and motorised faders; "
             "`normalize`; passes its input through",
    .family = OP_CHOP,
    .min_inputs = 1,
    .max_inputs = 1,
    .flags = OPT_ALWAYS_COOK,
    .pars = pars,
    .priv_size = sizeof(struct midiout),
    .cook = cook,
    .destroy = destroy,
};
