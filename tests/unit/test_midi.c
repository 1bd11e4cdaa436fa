/* The MIDI byte parser: running status, realtime bytes anywhere, SysEx
 * (terminated, unterminated, interleaved), stray bytes, random streams. */
#include "../../control/midi.h"
#include "helpers.h"

static int feed(struct midi_parser *p, const unsigned char *b, size_t n,
                struct midi_event *out, int max)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        struct midi_event ev;
        if (midi_parse(p, b[i], &ev) && k < max)
            out[k++] = ev;
    }
    return k;
}

static void expect(const struct midi_event *e, int kind, int ch, int a,
                   int b)
{
    if (e->kind != kind || e->channel != ch || e->a != a || e->b != b)
        fail_msg("event %x ch%d %d %d, expected %x ch%d %d %d", e->kind,
                 e->channel, e->a, e->b, kind, ch, a, b);
}

static void test_running_status_and_realtime(void **state)
{
    (void)state;
    static const unsigned char b[] = {
        0x90, 60, 100, 62, 0xF8, 90, /* note on, running status, clock */
        64, 0,                       /* velocity 0: note off */
        0xB3, 7, 0xFE, 127,          /* active sensing inside a message */
        0xC1, 5, 6,                  /* program change, running status */
        0xE0, 0, 64,                 /* pitch bend centre */
        0xD2, 33, 0xA0, 60, 70,      /* pressures */
    };
    struct midi_parser p = {0};
    struct midi_event e[16];
    int n = feed(&p, b, sizeof(b), e, 16);
    assert_int_equal(n, 9);
    expect(&e[0], MIDI_NOTE_ON, 1, 60, 100);
    expect(&e[1], MIDI_NOTE_ON, 1, 62, 90);
    expect(&e[2], MIDI_NOTE_OFF, 1, 64, 0);
    expect(&e[3], MIDI_CONTROL, 4, 7, 127);
    expect(&e[4], MIDI_PROGRAM, 2, 5, 0);
    expect(&e[5], MIDI_PROGRAM, 2, 6, 0);
    expect(&e[6], MIDI_PITCH_BEND, 1, 0, 64);
    expect(&e[7], MIDI_CHANNEL_PRESSURE, 3, 33, 0);
    expect(&e[8], MIDI_POLY_PRESSURE, 1, 60, 70);
}

static void test_sysex(void **state)
{
    (void)state;
    static const unsigned char b[] = {
        0xB0, 1, 10,                         /* cc 1 */
        0xF0, 0x7E, 0x00, 0xF8, 0x06, 0xF7,  /* SysEx with a clock inside */
        20,                                  /* no running status after */
        0xB0, 1, 30,
        0xF0, 1, 2, 3,                       /* unterminated SysEx ... */
        0x90, 60, 1,                         /* ... a status byte ends it */
    };
    struct midi_parser p = {0};
    struct midi_event e[8];
    int n = feed(&p, b, sizeof(b), e, 8);
    assert_int_equal(n, 3);
    expect(&e[0], MIDI_CONTROL, 1, 1, 10);
    expect(&e[1], MIDI_CONTROL, 1, 1, 30);
    expect(&e[2], MIDI_NOTE_ON, 1, 60, 1);
    assert_int_equal(p.sysex_bytes, 6);
    assert_int_equal(p.ignored_bytes, 1);
}

static void test_random_streams(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ull;
    struct midi_parser p = {0};
    long events = 0;
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        struct midi_event ev;
        if (midi_parse(&p, (uint8_t)x, &ev)) {
            assert_true(ev.channel >= 1 && ev.channel <= 16);
            assert_true(ev.a < 128 && ev.b < 128);
            assert_true(ev.kind >= 0x8 && ev.kind <= 0xE);
            events++;
        }
    }
    assert_true(events > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_status_and_realtime),
        cmocka_unit_test(test_sysex),
        cmocka_unit_test(test_random_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
