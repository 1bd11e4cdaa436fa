"""The example networks, driven as a show would drive them: osc-cues by
/cue messages over loopback, midi-controller by MIDI bytes through a
FIFO standing in for the controller."""
import os
import shutil
import socket
import struct
import subprocess
import time

from conftest import ROOT, VITRINE, free_port, wait_bound
from images import read_png


def osc(addr, tag, value):
    def pad(b):
        return b + b"\0" * (4 - len(b) % 4)
    return pad(addr.encode()) + pad(("," + tag).encode()) + struct.pack(
        ">i" if tag == "i" else ">f", value)


def test_example_networks_load():
    for net in ("default", "osc-cues", "midi-controller", "cuda-interop"):
        r = subprocess.run([VITRINE, "check", f"networks/{net}"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr


def test_osc_cues_crossfade(tmp_path):
    net = tmp_path / "osc-cues"
    shutil.copytree(ROOT / "networks" / "osc-cues", net)
    port = free_port()
    rows = (net / "cues.tsv").read_text().splitlines()
    short = [rows[0]] + [r.rsplit("\t", 1)[0] + "\t0.3" for r in rows[1:]]
    (net / "cues.tsv").write_text("\n".join(short) + "\n")
    # before any cue: cue 1 on screen, not black
    first = tmp_path / "first.png"
    r = subprocess.run(
        [VITRINE, "--headless", "--size", "64x36", "--frames", "3",
         "--osc-port", str(port), "--snapshot", str(first), str(net)],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    w, h, px = read_png(first)
    mean = sum(sum(p[:3]) for row in px for p in row) / (3 * w * h)
    assert mean > 40, mean
    proc = subprocess.Popen(
        [VITRINE, "--headless", "--size", "64x36", "--frames", "120",
         "--osc-port", str(port), "--snapshot", str(tmp_path / "out.png"),
         str(net)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert wait_bound(port, proc), proc.communicate()[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # back to back, likely in one frame: CHOP Execute sees both
    s.sendto(osc("/cue", "i", 7), ("127.0.0.1", port))   # no such cue
    s.sendto(osc("/cue", "f", 3.0), ("127.0.0.1", port))
    s.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "[/project1/go] no cue 7 in the cue list" in err, err
    assert "[/project1/go] cue 3 (dusk): fading over 0.3 s" in err, err
    assert "[/project1/arrived] cue 3 in place: hue 140.0" in err, err
    assert " error" not in err.replace("0 errors", ""), err



PROBE_PY = """
def onFrameEnd(frame):
    print('pars', frame, round(op('noise1').par.period.eval(), 3),
          round(op('flash').par.colorr.eval(), 3),
          round(op('flash').par.colorg.eval(), 3))
"""


def test_midi_controller_faders_and_pads(tmp_path):
    net = tmp_path / "midi-controller"
    shutil.copytree(ROOT / "networks" / "midi-controller", net)
    fifo = tmp_path / "controller"
    os.mkfifo(fifo)
    ini = net / "network.ini"
    text = ini.read_text().replace("[midi]\nOPType = midiinCHOP\ndevice =",
                                   f"[midi]\nOPType = midiinCHOP\n"
                                   f"device = {fifo}")
    (net / "probe.py").write_text(PROBE_PY)
    ini.write_text(text + "\n[probe]\nOPType = executeDAT\n"
                   "file = probe.py\n")
    proc = subprocess.Popen(
        [VITRINE, "--headless", "--size", "64x36", "--frames", "90",
         str(net)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    w = os.open(fifo, os.O_WRONLY)
    time.sleep(0.3)
    # fader 1 all the way up, pad 1 hit hard and held
    os.write(w, bytes([0xB0, 0, 127, 0x90, 36, 127]))
    _, err = proc.communicate(timeout=60)
    os.close(w)
    assert proc.returncode == 0, err
    pars = [l.split()[3:] for l in err.splitlines()
            if l.startswith("[/project1/probe] pars ")]
    assert pars, err
    first, last = pars[0], pars[-1]
    assert float(first[0]) == 270.0, first  # half way before any fader
    assert abs(float(last[0]) - 500) < 5, last   # glided up to the top
    assert float(last[1]) == 0.6 and float(last[2]) == 0.0, last  # red
