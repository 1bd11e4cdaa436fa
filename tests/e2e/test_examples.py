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
    for net in ("default", "osc-cues", "midi-controller", "cuda-interop",
                "show-controller", "video-loop", "movie-cues"):
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


def test_show_controller_driven_over_osc(tmp_path):
    """A controller COMP with custom parameters set over the runtime's
    port, an extension that plays cues, edits the cue table live and logs
    to another table; the picture follows the cue and the Master."""
    from conftest import osc_packet, start_with_port
    net = tmp_path / "show-controller"
    shutil.copytree(ROOT / "networks" / "show-controller", net)
    (net / "report.py").write_text(
        "last = ['']\n"
        "def onFrameEnd(frame):\n"
        "    c = op('show/cues')\n"
        "    now = 'report %s %s %s %s' % (op.Show.par.Cue.eval(),\n"
        "        op.Show.par.Master.eval(),\n"
        "        [r[0].val for r in c.rows() if r[4].val == 'yes'],\n"
        "        [r[1].val for r in op('show/log').rows()[1:]])\n"
        "    if now != last[0]:\n"
        "        last[0] = now\n"
        "        print(now)\n")
    with open(net / "network.ini", "a") as f:
        f.write("\n[report]\nOPType = executeDAT\nfile = report.py\n"
                "frameend = on\n")
    p, port, log = start_with_port(tmp_path, net, "--size", "64x36")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        def send(*m):
            s.sendto(osc_packet(*m), ("127.0.0.1", port))

        def wait(text):
            deadline = time.time() + 20
            while time.time() < deadline and text not in log.read_text():
                time.sleep(0.05)
            return text in log.read_text()
        assert wait("report 0 1.0 [] []"), log.read_text()
        send("/project1/show/Cue", 2)
        assert wait("[/project1/show/watch] cue 2 (noon)"), log.read_text()
        send("/project1/show/Master", 0.5)
        send("/project1/show/Go")
        assert wait("[/project1/show/watch] cue 3 (dusk)"), log.read_text()
        assert wait("report 3 0.5 ['2', '3'] ['noon', 'dusk']"), \
            log.read_text()
        send("/project1/show/Master", 7.0)  # outside its range: refused
        s.settimeout(5)
        assert b"7 is above the maximum 1 of 'Master'" in s.recvfrom(4096)[0]
    finally:
        s.close()
        p.send_signal(__import__("signal").SIGTERM)
        p.wait(timeout=20)
    assert " error: " not in log.read_text(), log.read_text()


def test_video_loop_shows_the_movie_and_its_caption(tmp_path):
    """The one-screen installation: the movie (not black) with the caption
    over it (light pixels in the bottom left)."""
    png = tmp_path / "out.png"
    r = subprocess.run(
        [VITRINE, "--headless", "--size", "320x180", "--frames", "20",
         "--snapshot", str(png), "networks/video-loop"], cwd=ROOT,
        capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "error" not in r.stderr, r.stderr
    w, h, px = read_png(png)
    top = [p for row in px[:h // 3] for p in row]
    assert sum(sum(p[:3]) for p in top) / (3 * len(top)) > 30
    caption = [p for row in px[h // 2:] for p in row[:w // 2]]
    assert sum(1 for p in caption if min(p[:3]) > 200) > 50


RECORD = """

[record]
OPType = executeDAT
file = record.py
frameend = on
"""


def test_movie_cues_switch_over_osc_without_a_black_frame(tmp_path):
    """/cue 1 and /cue 2 over OSC: each cue's file shows in the frame its
    cue arrives (it was readied at start: nothing pending), and no frame
    of the output is black."""
    net = tmp_path / "movie-cues"
    shutil.copytree(ROOT / "networks" / "movie-cues", net)
    with open(net / "network.ini", "a") as f:
        f.write(RECORD)
    (net / "record.py").write_text(
        "log = open(project.folder + '/frames.txt', 'w')\n"
        "def onFrameEnd(frame):\n"
        "    m = op('movie')\n"
        "    a = op('out').numpyArray()\n"
        "    log.write('%d %s %d %.3f\\n' % (frame, m.par.file.eval(),\n"
        "              m.fileOpenPending, a[:, :, :3].mean()))\n"
        "    log.flush()\n")
    port = free_port()
    proc = subprocess.Popen(
        [VITRINE, "--headless", "--size", "64x36", "--frames", "150",
         "--osc-port", str(port), str(net)], cwd=ROOT,
        stderr=subprocess.PIPE, text=True)
    assert wait_bound(port, proc), proc.communicate()[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    time.sleep(0.5)
    s.sendto(osc("/cue", "i", 1), ("127.0.0.1", port))
    time.sleep(0.5)
    s.sendto(osc("/cue", "f", 2.0), ("127.0.0.1", port))
    s.close()
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert "cue 1 (tide): media/tide.mp4" in err, err
    assert "cue 2 (ember): media/ember.mp4" in err, err
    rows = [l.split() for l in (net / "frames.txt").read_text().splitlines()]
    assert all(float(r[3]) > 0.02 for r in rows), "a black frame"
    files = [r[1] for r in rows]
    assert "media/tide.mp4" in files and files[-1] == "media/ember.mp4"
    # in the frame a cue set the file, its frame was already up
    changed = [r for prev, r in zip(rows, rows[1:]) if r[1] != prev[1]]
    assert len(changed) == 2 and all(r[2] == "0" for r in changed), changed


def test_default_network_folded_levels_read_from_python(tmp_path):
    """The default network draws glow in colour's pass (a level folded into
    the composite before it). A script that reads colour gets its image
    all the same, and glow is the level of it: contrast 2, brightness
    -0.1, opacity 0.5 on unpremultiplied colour."""
    net = tmp_path / "default"
    shutil.copytree(ROOT / "networks" / "default", net)
    with open(net / "network.ini", "a") as f:
        f.write(RECORD)
    (net / "record.py").write_text(
        "import numpy\n"
        "def onFrameEnd(frame):\n"
        "    if frame != 10:\n"
        "        return\n"
        "    c = op('colour').numpyArray()\n"
        "    g = op('glow').numpyArray()\n"
        "    a = numpy.maximum(c[:, :, 3:], 1e-6)\n"
        "    rgb = numpy.maximum(c[:, :, :3] / a * 2.0 - 0.6, 0.0)\n"
        "    want = rgb * c[:, :, 3:] * 0.5\n"
        "    print('FOLD', c.shape[1], c.shape[0], float(c.mean()),\n"
        "          float(numpy.abs(g[:, :, :3] - want).max()))\n")
    r = subprocess.run([VITRINE, "--headless", "--size", "128x72",
                        "--frames", "12", str(net)], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() + r.stderr.splitlines()
                if "FOLD" in l)
    _, w, h, mean, diff = line.split()[-5:]
    assert (int(w), int(h)) == (64, 36), line  # the tint's half size
    assert float(mean) > 0.05, line
    assert float(diff) < 3 / 255, line
