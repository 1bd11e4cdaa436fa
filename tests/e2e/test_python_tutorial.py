"""The Python tutorial (Python Integration Basics), Exercises 1 to 3 and the
Exercise 3 challenge, run as networks with the tutorial's scripts
unchanged: what they print, and the parameters and pixels they drive."""
import math
import re
import shutil

from conftest import ROOT, run
from images import read_png

SEEDS = ROOT / "tests" / "networks" / "tutorial"


def printed(stderr, path="/project1/script1"):
    """Lines a script printed, in order."""
    prefix = f"[{path}] "
    return [l[len(prefix):] for l in stderr.splitlines()
            if l.startswith(prefix)]


def copy(tmp_path, name, script=None, extra=""):
    """The exercise's network in tmp_path, with another of its scripts
    and extra sections appended."""
    dst = tmp_path / name
    shutil.copytree(SEEDS / name, dst)
    ini = dst / "network.ini"
    text = ini.read_text()
    if script:
        text = text.replace("file = script1.py", f"file = {script}")
    ini.write_text(text + extra)
    return dst


def mean_luma(png):
    w, h, rows = read_png(png)
    return sum(sum(p[:3]) / 3 for row in rows for p in row) / (w * h)


def test_exercise1_prints_operator_info():
    r = run("--headless", "--frames", "3", str(SEEDS / "ex1"))
    assert r.returncode == 0, r.stderr
    assert printed(r.stderr) == [
        "=== Noise TOP Info ===",
        "Name: noise1",
        "Type: noise",
        "Dimensions: 160 x 90",
        "",
        "=== Blur TOP Info ===",
        "Name: blur1",
        "Current size: 5.0",
    ]  # run = start: once, not every frame


def frames_of(values, at, tol):
    """Frame numbers (from 1, strictly rising) whose value at(f) each
    printed value matches within tol: on a loaded machine the frame clock
    skips frames, so a script's Nth line need not be frame N."""
    frames, f = [], 1
    for v in values:
        while abs(at(f) - v) > tol:
            f += 1
            assert f < 10000, (values, frames)
        frames.append(f)
        f += 1
    return frames


def test_exercise2_blur_follows_time(tmp_path):
    r = run("--headless", "--frames", "40", str(SEEDS / "ex2"))
    assert r.returncode == 0, r.stderr
    lines = printed(r.stderr)
    assert len(lines) == 40  # run = frame: every frame
    times = []
    for line in lines:
        m = re.fullmatch(r"Time: ([\d.]+), Blur: ([\d.]+)", line)
        assert m, line
        t, blur = map(float, m.groups())
        # printed to 2 places: t within 0.005, the blur within its slope
        assert abs(blur - (math.sin(t) + 1) * 10) < 0.06, line
        times.append(t)
    assert times[0] == 0.0
    frames_of(times, lambda f: round((f - 1) / 60, 2), 1e-9)


def test_exercise2_solution_drives_blur_and_noise(tmp_path):
    net = copy(tmp_path, "ex2", "solution.py")
    r = run("--headless", "--frames", "30", str(net))
    assert r.returncode == 0, r.stderr
    lines = printed(r.stderr)
    assert len(lines) == 30
    blurs = []
    for line in lines:
        m = re.fullmatch(r"Blur: ([\d.]+), Noise Period: ([\d.]+)", line)
        assert m, line
        blur, period = map(float, m.groups())
        assert abs(period - (50 + blur * 5)) < 0.3, line  # one sine drives both
        blurs.append(blur)
    assert blurs[0] == 10.0  # frame 1: sin(0)
    frames_of(blurs, lambda f: round((math.sin((f - 1) / 60 * 2) + 1) * 10,
                                     1), 1e-9)


def test_exercise3_chop_drives_blur_and_brightness(tmp_path):
    r = run("--headless", "--frames", "31", str(SEEDS / "ex3"))
    assert r.returncode == 0, r.stderr
    lines = printed(r.stderr)
    assert len(lines) == 31
    chops = []
    for line in lines:
        m = re.fullmatch(r"CHOP: ([\d.]+), Blur: ([\d.]+), "
                         r"Brightness: (-?[\d.]+)", line)
        assert m, line
        chop, blur, bright = map(float, m.groups())
        assert abs(blur - chop * 20) < 0.06, line
        assert abs(bright - (chop - 0.5)) < 6e-3, line
        chops.append(chop)
    # LFO sin at 0.5 Hz, remapped from -1..1 to 0..1, frame by frame
    frames = frames_of(chops, lambda f: 0.5 + 0.5 * math.sin(
        2 * math.pi * 0.5 * (f - 1) / 60), 1e-3)
    assert frames[0] == 1
    # pixels: at frame 1 brightness is 0; at the LFO's peak (frame 31, or
    # a little after if frames were skipped) it is about +0.5, and the
    # picture is that much brighter
    shots = {}
    for n in (1, 31):
        out = tmp_path / f"f{n}.png"
        r = run("--headless", "--frames", str(n), "--snapshot",
                str(out), str(SEEDS / "ex3"))
        assert r.returncode == 0, r.stderr
        shots[n] = mean_luma(out)
    assert 100 < shots[1] < 155, shots  # random noise around 0.5
    assert shots[31] > 220, shots  # +0.45 to +0.5: close to white


PROBE = """
[probe]
OPType = executeDAT
file = probe.py
"""


def test_exercise3_challenge_switches_noise_type(tmp_path):
    net = copy(tmp_path, "ex3", "challenge.py", PROBE)
    (net / "probe.py").write_text(
        "def onFrameEnd(frame):\n"
        "    print(frame, op('noise1').par.type.eval())\n")
    r = run("--headless", "--frames", "60", str(net))
    assert r.returncode == 0, r.stderr
    types = {}
    for line in printed(r.stderr, "/project1/probe"):
        frame, kind = line.split()
        types[int(frame)] = kind
    assert len(types) == 60
    for frame, kind in types.items():
        v = 0.5 + 0.5 * math.sin(2 * math.pi * 0.5 * (frame - 1) / 60)
        assert kind == ("sparse" if v > 0.7 else "random"), (frame, v)
    assert "sparse" in types.values() and "random" in types.values()
