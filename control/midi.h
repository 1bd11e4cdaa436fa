/* midi.h: MIDI input from a PortMidi device or a raw byte stream (a
 * /dev/snd/midiC*D* node or a FIFO), and MIDI output to either. The parser takes bytes one at a time, as they come: running
 * status, realtime bytes anywhere (consumed without disturbing what they
 * interrupt), SysEx skipped up to its end (bounded: any status byte ends
 * it), stray data bytes ignored. A reader thread per stream feeds a
 * bounded queue that the frame loop drains.
 *
 * Threads: midi_stream_* on the main thread; the reader is internal. */
#ifndef VITRINE_MIDI_H
#define VITRINE_MIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum midi_kind {
    MIDI_NOTE_OFF = 0x8,
    MIDI_NOTE_ON = 0x9,
    MIDI_POLY_PRESSURE = 0xA,
    MIDI_CONTROL = 0xB,
    MIDI_PROGRAM = 0xC,
    MIDI_CHANNEL_PRESSURE = 0xD,
    MIDI_PITCH_BEND = 0xE,
};

struct midi_event {
    uint8_t kind;    /* enum midi_kind */
    uint8_t channel; /* 1..16 */
    uint8_t a, b;    /* note/controller/program, velocity/value; a pitch
                      * bend's 14 bits are a (LSB) and b (MSB) */
};

struct midi_parser {
    uint8_t status;  /* running status, 0 none */
    uint8_t data[2];
    int have;        /* data bytes collected */
    bool in_sysex;
    uint64_t sysex_bytes, ignored_bytes;
};

/* Feeds one byte; returns true and fills *ev when it completes an event.
 * Note on with velocity 0 is reported as note off. */
bool midi_parse(struct midi_parser *p, uint8_t byte, struct midi_event *ev);

struct midi_stream;

/* Opens path for reading (a FIFO may have no writer yet; when its writer
 * goes, it waits for the next). NULL with a message. */
struct midi_stream *midi_stream_open(const char *path, char *err, size_t n);
/* The PortMidi inputs whose names contain `name` (case-insensitive; ""
 * or "*": every input, up to 16), opened when they appear and re-opened within 2 seconds when it comes
 * back; says so in the log each way. Never fails: with no MIDI system or
 * no such device it warns once and keeps looking. */
struct midi_stream *midi_device_open(const char *name);
void midi_stream_close(struct midi_stream **s);
/* The device of MIDI ops that name none (the kiosk's [midi] device); ""
 * (every PortMidi input) until set. Main thread. */
void midi_set_default_device(const char *device);
const char *midi_default_device(void);
/* Events read since the last call, in order; *count of them. */
const struct midi_event *midi_stream_drain(struct midi_stream *s,
                                           size_t *count);
/* Events a stream holds between drains (a frame); more are dropped. */
#define MIDI_QUEUE 4096
/* Events dropped because the queue was full. */
uint64_t midi_stream_dropped(const struct midi_stream *s);
/* Data bytes ignored because no status byte came before them (a stream
 * joined mid-message, a bad cable, a program writing garbage). */
uint64_t midi_stream_stray(const struct midi_stream *s);
/* The sums over every stream since the start: events read, dropped and
 * stray bytes. Any thread. */
void midi_stats_all(uint64_t *events, uint64_t *dropped, uint64_t *stray);

/* MIDI output: a raw stream when device is a path (a /dev/snd/midiC*D*
 * node or a FIFO), else the PortMidi output whose name contains it,
 * looked for every 2 seconds while it is absent and again after it goes
 * away (one log line each way). NULL with a message only when a path
 * cannot be opened. Main thread. */
struct midi_out;
struct midi_out *midi_out_open(const char *device, char *err, size_t n);
/* Writes whole channel messages (1-3 bytes each); -1 when they could not
 * go out (said once in the log). */
int midi_out_write(struct midi_out *o, const unsigned char *bytes, size_t n);
void midi_out_close(struct midi_out **o);

#endif
