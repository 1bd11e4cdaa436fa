"""The seeds' tutorial (Python Integration Basics), Exercises 1 to 3 and the
Exercise 3 challenge, run as networks with the tutorial's scripts
unchanged: what they print, and the parameters and pixels they drive."""
import math
import re
import shutil

from conftest import ROOT, run
from images import read_png

SEEDS = ROOT / "tests" / "networks" / "seeds"


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


def test_exercise2_blur_follows_time(tmp_path):
    r = run("--headless", "--frames", "40", str(SEEDS / "ex2"))
    assert r.returncode == 0, r.stderr
    lines = printed(r.stderr)
    assert len(lines) == 40  # run = frame: every frame
    for frame, line in enumerate(lines, 1):
        t = (frame - 1) / 60
        assert line == f"Time: {t:.2f}, Blur: {(math.sin(t) + 1) * 10:.2f}"


def test_exercise2_solution_drives_blur_and_noise(tmp_path):
    net = copy(tmp_path, "ex2", "solution.py")
    r = run("--headless", "--frames", "30", str(net))
    assert r.returncode == 0, r.stderr
    lines = printed(r.stderr)
    assert len(lines) == 30
    for frame, line in enumerate(lines, 1):
        s = math.sin((frame - 1) / 60 * 2)
        assert line == (f"Blur: {(s + 1) * 10:.1f}, "
                        f"Noise Period: {50 + (s + 1) * 50:.1f}")


def test_exercise3_chop_drives_blur_and_brightness(tmp_path):
    r = run("--headless", "--frames", "31", str(SEEDS / "ex3"))
    assert r.returncode == 0, r.stderr
    lines = printed(r.stderr)
    assert len(lines) == 31
    for frame, line in enumerate(lines, 1):
        # LFO sin at 0.5 Hz, remapped from -1..1 to 0..1
        v = 0.5 + 0.5 * math.sin(2 * math.pi * 0.5 * (frame - 1) / 60)
        m = re.fullmatch(r"CHOP: ([\d.]+), Blur: ([\d.]+), "
                         r"Brightness: (-?[\d.]+)", line)
        assert m, line
        chop, blur, bright = map(float, m.groups())
        assert abs(chop - v) < 1e-3, line
        assert abs(blur - v * 20) < 0.06, line
        assert abs(bright - (v - 0.5)) < 6e-3, line
    # pixels: at frame 1 brightness is 0; at frame 31 (the LFO's peak) it
    # is +0.5, and the picture is that much brighter
    shots = {}
    for frames in (1, 31):
        out = tmp_path / f"f{frames}.png"
        r = run("--headless", "--frames", str(frames), "--snapshot",
                str(out), str(SEEDS / "ex3"))
        assert r.returncode == 0, r.stderr
        shots[frames] = mean_luma(out)
    assert 100 < shots[1] < 155, shots  # random noise around 0.5
    assert shots[31] > 240, shots  # +0.5 brightness: close to white


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
