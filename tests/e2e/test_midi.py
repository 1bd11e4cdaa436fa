"""MIDI In CHOP from a raw MIDI byte stream through a FIFO: running
status, 14-bit controller pairs, interleaved SysEx and realtime bytes,
the channel filter, and a writer that comes and goes."""
import os
import re
import subprocess
import time

import pytest

from conftest import ROOT, VITRINE

NET = """
[network]
fps = 60
[midi]
OPType = midiinCHOP
device = {fifo}
controller14 = on
[ch2]
OPType = midiinCHOP
device = {fifo2}
channels = 2
normalize = off
[show]
OPType = executeDAT
file = show.py
"""

SHOW = """
def onFrameEnd(frame):
    for name in ('midi', 'ch2'):
        print(name, frame, ' '.join('%s=%.5f' % (c.name, c.eval())
                                    for c in op(name).chans()))
"""


def last_values(err, name):
    lines = [l for l in err.splitlines()
             if l.startswith(f"[/project1/show] {name} ")]
    parts = lines[-1].split()[3:]
    return {k: float(v) for k, v in (p.split("=") for p in parts)}


def write(path, data):
    fd = os.open(path, os.O_WRONLY)
    os.write(fd, data)
    os.close(fd)


def test_raw_midi_through_a_fifo(tmp_path):
    fifo, fifo2 = tmp_path / "midi", tmp_path / "midi2"
    os.mkfifo(fifo)
    os.mkfifo(fifo2)
    (tmp_path / "network.ini").write_text(NET.format(fifo=fifo, fifo2=fifo2))
    (tmp_path / "show.py").write_text(SHOW)
    proc = subprocess.Popen([VITRINE, "--frames", "60", str(tmp_path)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    write(fifo, bytes([
        0x90, 60, 127, 62, 64,        # note on, then running status
        0xF8,                         # a clock byte between messages
        0xB0, 7, 64, 39, 16,          # cc 7 MSB, cc 39 LSB: 14 bits
        0xF0, 1, 2, 3, 0xF7,          # SysEx
        0xE0, 0, 96,                  # pitch bend above centre
    ]))
    write(fifo, bytes([0x80, 60, 0, 0xC2, 5]))  # a second writer
    # two stray data bytes first: a writer joining mid-message
    write(fifo2, bytes([5, 6, 0x90, 1, 2, 0x91, 3, 99, 0xB1, 1, 127]))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"[/project1/ch2] warning: {fifo2}: 2 stray MIDI data bytes " \
        "ignored in all (no status byte before them)" in err, err
    assert "[/project1/midi] warning" not in err, err
    got = last_values(err, "midi")
    assert got == {
        "ch1n60": 0.0,                    # note off after note on
        "ch1n62": round(64 / 127, 5),
        "ch1c7": round((64 << 7 | 16) / 16383, 5),
        "ch1p": 0.5,                      # (96 << 7) - 8192 = 4096 / 8192
        "ch3pc": 5.0,
    }
    # channel 2 only, raw values
    assert last_values(err, "ch2") == {"ch2n3": 99.0, "ch2c1": 127.0}


OUT_NET = """
[network]
fps = 60
[vals]
OPType = constantCHOP
name0 = ch1c7
value0 = 0.5
name1 = ch2n60
value1 = 1
name2 = ch1p
value2 = 0
name3 = other
value3 = 9
[out]
OPType = midioutCHOP
inputs = vals
device = {fifo}
[script]
OPType = executeDAT
file = script.py
"""

OUT_SCRIPT = """
def onFrameStart(frame):
    if frame == 10:
        op('vals').par.value1 = 0      # note off
"""


def test_midi_out_to_a_fifo(tmp_path):
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    (tmp_path / "network.ini").write_text(OUT_NET.format(fifo=fifo))
    (tmp_path / "script.py").write_text(OUT_SCRIPT)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    proc = subprocess.Popen([VITRINE, "--frames", "30", str(tmp_path)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    _, err = proc.communicate(timeout=60)
    data = os.read(reader, 4096)
    os.close(reader)
    assert proc.returncode == 0, err
    # cc 7 = 64, note on 60 velocity 127 on channel 2, pitch bend centre,
    # then (frame 10) note off; `other` is no MIDI name and sends nothing
    assert data == bytes([0xB0, 7, 64, 0x91, 60, 127, 0xE0, 0, 64,
                          0x81, 60, 0]), data.hex()


@pytest.mark.parametrize("net,warning", [
    ("[midi]\nOPType = midiinCHOP\ndevice = nanoKONTROL\n",
     "[midi] warning: no MIDI input named like 'nanoKONTROL'"),
    ("[vals]\nOPType = constantCHOP\nname0 = ch1c7\nvalue0 = 0.5\n"
     "[out]\nOPType = midioutCHOP\ninputs = vals\ndevice = APC mini\n"
     "[network]\noutput = out\n",
     "[midi] warning: no MIDI output named like 'APC mini'"),
])
def test_portmidi_device_absent_is_a_warning(tmp_path, net, warning):
    """A MIDI In or Out CHOP naming a device that is not there (CI has no
    MIDI system at all): one warning, the frames go on, and it keeps
    looking every 2 s."""
    (tmp_path / "network.ini").write_text(net)
    r = subprocess.run([VITRINE, "--frames", "150", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    warned = [l for l in r.stderr.splitlines() if l.startswith("[midi] ")]
    assert len(warned) == 1, r.stderr  # once, though it looks every 2 s
    assert warned[0].startswith(warning) and "every 2 s" in warned[0]
    assert "error" not in r.stderr.replace("0 errors", ""), r.stderr
    assert "stopped after 150 frames" in r.stderr


TAP_NET = """
[network]
fps = 30
[midi]
OPType = midiinCHOP
device = {fifo}
[watch]
OPType = chopexecDAT
file = watch.py
chop = midi
offtoon = on
ontooff = on
valuechange = off
"""

TAP_SCRIPT = """
def onOffToOn(channel, sampleIndex, val, prev):
    print('on', channel.name, round(val, 3))

def onOnToOff(channel, sampleIndex, val, prev):
    print('off', channel.name, round(prev, 3))
"""


def test_a_tap_within_one_frame_fires_on_and_off(tmp_path):
    """A pad tapped faster than a frame: the channel ends at 0 where it
    began, but CHOP Execute sees the note on and the note off, in order."""
    fifo = tmp_path / "pads"
    os.mkfifo(fifo)
    (tmp_path / "network.ini").write_text(TAP_NET.format(fifo=fifo))
    (tmp_path / "watch.py").write_text(TAP_SCRIPT)
    proc = subprocess.Popen([VITRINE, "--frames", "45", str(tmp_path)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    w = os.open(fifo, os.O_WRONLY)
    os.write(w, bytes([0x90, 36, 100]))  # held: a channel to look at
    time.sleep(0.5)
    os.write(w, bytes([0x80, 36, 0]))
    time.sleep(0.3)
    # on and off in one write: within one frame
    os.write(w, bytes([0x90, 36, 127, 0x80, 36, 0, 0x90, 37, 64, 0x80, 37,
                       0]))
    _, err = proc.communicate(timeout=60)
    os.close(w)
    assert proc.returncode == 0, err
    got = [l.split("] ", 1)[1] for l in err.splitlines()
           if l.startswith("[/project1/watch] ")]
    assert got == ["on ch1n36 0.787", "off ch1n36 0.787",
                   "on ch1n36 1.0", "off ch1n36 1.0",
                   "on ch1n37 0.504", "off ch1n37 0.504"], err


def test_a_flood_beyond_the_queue_is_reported(tmp_path):
    """More events within one frame than the stream holds (MIDI_QUEUE,
    4096): the rest are dropped, and the op says how many, naming the
    device; the runtime goes on and later events arrive."""
    fifo = tmp_path / "flood"
    os.mkfifo(fifo)
    (tmp_path / "network.ini").write_text(
        f"[network]\nfps = 2\n[midi]\nOPType = midiinCHOP\ndevice = {fifo}\n"
        "normalize = off\n[show]\nOPType = executeDAT\nfile = show.py\n")
    (tmp_path / "show.py").write_text(
        "def onFrameEnd(frame):\n"
        "    c = op('midi').chan('ch1c7')\n"
        "    print('cc7', c.eval() if c is not None else None)\n")
    proc = subprocess.Popen([VITRINE, "--frames", "6", str(tmp_path)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    w = os.open(fifo, os.O_WRONLY)
    # 10,000 controller changes in one write, within one 500 ms frame (or
    # two: more than twice the queue, so some are dropped either way)
    os.write(w, bytes([0xB0, 7, 1]) + bytes([7, 1]) * 9999)
    time.sleep(1.2)
    os.write(w, bytes([0xB0, 7, 99]))
    _, err = proc.communicate(timeout=60)
    os.close(w)
    assert proc.returncode == 0, err
    warn = [l for l in err.splitlines() if "MIDI events dropped" in l]
    assert len(warn) == 1, err
    m = re.fullmatch(rf"\[/project1/midi\] warning: {re.escape(str(fifo))}: "
                     r"(\d+) MIDI events dropped in all: more than 4096 "
                     r"arrived within one frame", warn[0])
    assert m and 1808 <= int(m.group(1)) <= 10000 - 4096, warn
    shown = [l for l in err.splitlines() if l.startswith("[/project1/show]")]
    assert shown[-1] == "[/project1/show] cc7 99.0", err


ONE_NET = """
[network]
fps = 60
[midi]
OPType = midiinCHOP
device = {dev}
normalize = off
[show]
OPType = executeDAT
file = show.py
"""

ONE_SHOW = """
def onFrameEnd(frame):
    if frame % 5 == 0:
        print('midi', frame, ' '.join('%s=%g' % (c.name, c.eval())
                                      for c in op('midi').chans()))
"""


def test_a_fifo_made_anew_is_read_again(tmp_path):
    """The FIFO is deleted and made again while vitrine runs (a bridge
    that restarted): within a few seconds the new one is read."""
    fifo = tmp_path / "midi"
    os.mkfifo(fifo)
    (tmp_path / "network.ini").write_text(ONE_NET.format(dev=fifo))
    (tmp_path / "show.py").write_text(ONE_SHOW)
    proc = subprocess.Popen([VITRINE, "--frames", "900", str(tmp_path)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        write(fifo, bytes([0xB0, 7, 10]))
        time.sleep(0.3)
        os.unlink(fifo)
        os.mkfifo(fifo)
        # open without blocking for a reader, and keep it open
        fd = os.open(fifo, os.O_RDWR)
        deadline = time.time() + 5
        while time.time() < deadline:
            os.write(fd, bytes([0xB0, 7, 20]))
            time.sleep(0.25)
        os.close(fd)
    finally:
        proc.kill()
    _, err = proc.communicate(timeout=60)
    assert f"{fifo} was made anew: reading it" in err or \
        f"{fifo} is back: reading it" in err, err[-3000:]
    values = [l.split()[3:] for l in err.splitlines()
              if l.startswith("[/project1/show] midi ")]
    assert ["ch1c7=10"] in values and values[-1] == ["ch1c7=20"], values[-5:]


def test_a_device_that_floods_is_read_at_a_bounded_rate(tmp_path):
    """/dev/zero as the MIDI device: bytes without end, none of them MIDI.
    It is read at a bounded rate (a warning says so), not with a core."""
    (tmp_path / "network.ini").write_text(ONE_NET.format(dev="/dev/zero"))
    (tmp_path / "show.py").write_text(ONE_SHOW)
    proc = subprocess.Popen([VITRINE, "--frames", "180", str(tmp_path)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    assert "/dev/zero sends more than 256 KB a second, which is not MIDI: " \
        "read at that rate" in err, err[-3000:]
    assert "stray MIDI data bytes ignored" in err
