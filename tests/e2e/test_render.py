"""Rendering as a user sees it: snapshots, and a real window under Xvfb."""
import os
import pathlib
import shutil
import subprocess
import time

import pytest

from conftest import ROOT, VITRINE, run
from images import read_png, read_xwd

STILL = """
[network]
output = out
resolution = 160x90
[ramp]
OPType = rampTOP
type = radial
keys = 3
pos1 = 0.5
color1r = 1
color1g = 0.5
color1b = 0
color2r = 0
color2g = 0.2
color2b = 0.8
pos2 = 1
[bars]
OPType = rampTOP
type = horizontal
[out]
OPType = compositeTOP
inputs = ramp, bars
operand = multiply
"""


def test_snapshot_of_default_network(tmp_path):
    """The README's check of a whole frame, at a size llvmpipe renders
    quickly."""
    out = tmp_path / "out.png"
    r = run("--headless", "--frames", "60", "--size", "384x216",
            "--snapshot", str(out), "networks/default", timeout=180)
    assert r.returncode == 0, r.stderr
    assert f"[snapshot] wrote {out} (384x216)" in r.stderr
    w, h, rows = read_png(out)
    assert (w, h) == (384, 216)
    lit = sum(1 for row in rows for p in row if max(p[:3]) > 40)
    assert lit > w * h // 20, "the default network should not be black"
    assert all(p[3] == 255 for row in rows for p in row)


# One of each kind of built-in program: inputs read texel by texel (the
# output's size) and stretched, one and several inputs, both directions of
# a blur, text.
EVERY_KIND = """
[network]
output = out
resolution = 96x54
[ramp]
OPType = rampTOP
type = radial
[noise]
OPType = noiseTOP
resolutionw = 48
resolutionh = 27
[half]
OPType = levelTOP
inputs = noise
outputresolution = 2x
opacity = 0.5
[comp]
OPType = compositeTOP
inputs = ramp, noise
operand = multiply
[lev]
OPType = levelTOP
inputs = comp
contrast = 2
[hsv]
OPType = hsvadjustTOP
inputs = lev
hueoffset = 30
[mono]
OPType = monochromeTOP
inputs = hsv
[cross]
OPType = crossTOP
inputs = mono, half
cross = 0.3
[move]
OPType = transformTOP
inputs = cross
rotate = 10
[crop]
OPType = cropTOP
inputs = move
cropleft = 0.1
[words]
OPType = textTOP
text = vitrine
[over]
OPType = compositeTOP
inputs = crop, words
operand = over
[out]
OPType = blurTOP
inputs = over
size = 2
"""


def test_built_in_programs_share_one_triangle_setup(tmp_path):
    """llvmpipe compiles a triangle setup function, a few ms each in the
    first frame and kept by no cache, for every layout of fragment shader
    inputs it meets: vitrine's built-in programs all read the one
    interpolated vUV (a texel's coordinates come from it, not from
    gl_FragCoord), so that a first frame compiles one."""
    build = pathlib.Path(VITRINE).resolve().parent
    lib = build / "llvmpipe" / "modules.so"
    if b"libasan" in pathlib.Path(VITRINE).read_bytes():
        pytest.skip("an AddressSanitizer build cannot have a library "
                    "preloaded before its runtime")
    r = subprocess.run(["make", "-s", f"BUILD={build}", str(lib)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "network.ini").write_text(EVERY_KIND)
    r = run("--headless", "--frames", "2", "--snapshot",
            str(tmp_path / "out.png"), str(tmp_path), timeout=120,
            env={"LD_PRELOAD": str(lib)})
    assert r.returncode == 0, r.stderr
    modules = [line.split(": ", 1)[1] for line in r.stderr.splitlines()
               if line.startswith("llvmpipe module: ")]
    if not modules:
        pytest.skip("the GL driver is not llvmpipe: it built no LLVM "
                    "modules")
    fragment = [m for m in modules if m.startswith("fs")]
    setup = [m for m in modules if m.startswith("setup_variant")]
    assert len(fragment) >= 12, modules  # every kind above drew
    assert len(setup) == 1, setup


def test_snapshot_needs_an_output_top(tmp_path):
    r = run("--frames", "2", "--snapshot", str(tmp_path / "x.png"),
            "tests/networks/good")
    assert r.returncode == 3
    assert "has no output TOP to write" in r.stderr


def test_broken_output_is_black_and_named(tmp_path):
    net = tmp_path / "network.ini"
    net.write_text("[network]\noutput = out\nresolution = 32x16\n"
                   "[n]\nOPType = noiseTOP\nperiod = 0\n"
                   "[out]\nOPType = nullTOP\ninputs = n\n")
    out = tmp_path / "out.png"
    r = run("--frames", "3", "--snapshot", str(out), str(net))
    assert r.returncode == 0, r.stderr
    assert "[/project1/n] error: period must be above 0, is 0" in r.stderr
    assert r.stderr.count("period must be above 0") == 1  # logged once
    w, h, rows = read_png(out)
    assert all(p[:3] == (0, 0, 0) for row in rows for p in row)


@pytest.mark.skipif(not shutil.which("Xvfb") or not shutil.which("xwd"),
                    reason="needs Xvfb and xwd (packages xvfb, x11-apps)")
def test_window_shows_what_snapshot_writes(tmp_path):
    net = tmp_path / "network.ini"
    net.write_text(STILL)
    display = ":%d" % (90 + os.getpid() % 100)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "160x90x24",
                             "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        env = dict(os.environ, DISPLAY=display)
        env.pop("WAYLAND_DISPLAY", None)
        snap = tmp_path / "snap.png"
        p = subprocess.Popen([VITRINE, "--frames", "240", "--snapshot",
                              str(snap), str(net)], cwd=ROOT, env=env,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)  # frames on the screen by now
        shot = tmp_path / "screen.xwd"
        subprocess.run(["xwd", "-root", "-silent", "-display", display,
                        "-out", str(shot)], check=True, timeout=30)
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "[window] fullscreen 160x90" in err, err
        sw, sh, srows = read_xwd(shot)
        w, h, rows = read_png(snap)
        assert (sw, sh) == (w, h) == (160, 90)
        worst = max(abs(a - b) for ra, rb in zip(srows, rows)
                    for pa, pb in zip(ra, rb) for a, b in zip(pa[:3], pb[:3]))
        assert worst <= 2, f"window and snapshot differ by up to {worst}"
        assert len({p for row in rows for p in row}) > 50  # a real image
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


FLAT = """
[network]
output = out
resolution = 320x180
[out]
OPType = constantTOP
colorr = 0
colorg = 0.5
colorb = 0
"""


def test_overlay_draws_over_the_output(tmp_path):
    """--overlay puts the fps line, the frame-time graph and the slowest
    ops over the top-left corner; the rest of the image is the output."""
    net = tmp_path / "network.ini"
    net.write_text(FLAT)
    shots = {}
    cfg = tmp_path / "kiosk.ini"
    cfg.write_text("[kiosk]\noverlay = yes\n")
    for name, extra in (("plain", ()), ("overlay", ("--overlay",)),
                        ("config", ("--config", str(cfg)))):
        out = tmp_path / f"{name}.png"
        r = run("--headless", "--frames", "20", *extra, "--snapshot",
                str(out), str(net))
        assert r.returncode == 0, r.stderr
        shots[name] = read_png(out)[2]
    # 0.5 is 127.5 in 8 bits: GL lets drivers round either way
    green = shots["plain"][0][0]
    assert green in ((0, 127, 0, 255), (0, 128, 0, 255)), green
    assert all(p == green for row in shots["plain"] for p in row)
    ov = shots["overlay"]
    assert shots["config"][20][20] != green
    assert ov[170][310] == green  # bottom right untouched
    corner = [p for row in ov[8:120] for p in row[8:250]]
    # the translucent panel darkens the green, and text and bars are lit
    assert sum(1 for p in corner if p[1] < 100) > len(corner) // 2
    assert sum(1 for p in corner if min(p[:3]) > 150) > 50, "no text"
    # frame-time bars: (70, 210, 110) over the panel
    assert sum(1 for p in corner if p[1] > 190 and 50 < p[0] < 100) > 100, \
        "no frame-time graph"
