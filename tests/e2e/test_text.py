"""The Text TOP against reference renderings of the same strings in the
same font by HarfBuzz's own hb-view (cairo): Latin, Arabic (joined,
right to left) and combining marks. The two renderers round glyph
positions differently, so the images are compared by their ink: its
extent, and how much of it lies in the same place once aligned."""
import shutil
import subprocess

import pytest

from conftest import run
from images import read_png

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SIZE = 32

needs_tools = pytest.mark.skipif(
    shutil.which("hb-view") is None or not __import__("os").path.exists(FONT),
    reason="hb-view (libharfbuzz-bin) and DejaVu Sans (fonts-dejavu-core), "
           "test dependencies installed by `make deps`, are missing")
needs_font = pytest.mark.skipif(
    not __import__("os").path.exists(FONT),
    reason="DejaVu Sans (fonts-dejavu-core, installed by `make deps`) is "
           "missing: the Text TOP would have no font to set text in")


def ink(path):
    """The coverage (0..255) of the image at path, cropped to its ink."""
    w, h, rows = read_png(path)
    grey = [[p[0] * p[3] // 255 for p in row] for row in rows]
    ys = [y for y in range(h) if max(grey[y]) > 64]
    xs = [x for x in range(w) if max(grey[y][x] for y in range(h)) > 64]
    assert ys and xs, "%s has no ink" % path
    return [row[xs[0]:xs[-1] + 1] for row in grey[ys[0]:ys[-1] + 1]]


def overlap(a, b):
    """Of the pixels inked (> 127) in either image, the share that has ink
    in the other within a pixel, with their top left corners aligned (the
    renderers' rounding of glyph positions differs by up to a pixel)."""
    def inked(img, x, y):
        return any(0 <= y + dy < len(img) and 0 <= x + dx < len(img[0]) and
                   img[y + dy][x + dx] > 127
                   for dy in (-1, 0, 1) for dx in (-1, 0, 1))
    near = total = 0
    for img, other in ((a, b), (b, a)):
        for y in range(len(img)):
            for x in range(len(img[0])):
                if img[y][x] > 127:
                    total += 1
                    near += inked(other, x, y)
    return near / total


def vitrine_render(tmp_path, text, name):
    (tmp_path / "text.txt").write_text(text)
    (tmp_path / "network.ini").write_text(
        "[network]\noutput = t\nresolution = 480x96\n"
        "[words]\nOPType = textDAT\nfile = text.txt\n"
        "[t]\nOPType = textTOP\ndat = words\nfontfile = %s\n"
        "fontsizex = %d\n" % (FONT, SIZE))
    png = tmp_path / (name + ".png")
    r = run("--headless", "--frames", "2", "--snapshot", str(png),
            str(tmp_path), timeout=120)
    assert r.returncode == 0, r.stderr
    return png


def reference(tmp_path, text, name):
    png = tmp_path / (name + "-ref.png")
    subprocess.run(["hb-view", "--font-file=" + FONT,
                    "--font-size=%d" % SIZE, "--margin=8", "-O", "png",
                    "-o", str(png), "--background=000000",
                    "--foreground=FFFFFF", text], check=True, timeout=60)
    return png


@needs_tools
@pytest.mark.parametrize("name,text", [
    ("ascii", "Gallery, 1920"),
    ("arabic", "مرحبا بالعالم"),
    ("combining", "e\u0301 a\u0308 n\u0303 o\u0323\u0302"),
])
def test_text_matches_a_reference_rendering(tmp_path, name, text):
    ours = ink(vitrine_render(tmp_path, text, name))
    ref = ink(reference(tmp_path, text, name))
    assert abs(len(ours) - len(ref)) <= 1, (len(ours), len(ref))
    assert abs(len(ours[0]) - len(ref[0])) <= 2, (len(ours[0]), len(ref[0]))
    assert overlap(ours, ref) > 0.98


@needs_tools
def test_unjoined_arabic_or_loose_marks_would_not_match(tmp_path):
    """The comparison can fail: Arabic letters set apart (as a renderer
    without shaping shows them) and marks set after their letters differ
    from the shaped references."""
    ref = ink(reference(tmp_path, "مرحبا", "joined"))
    apart = ink(reference(tmp_path, " ".join("مرحبا"), "apart"))
    assert abs(len(apart[0]) - len(ref[0])) > 3
    marks = ink(reference(tmp_path, "a\u0308", "mark"))
    loose = ink(reference(tmp_path, "a \u0308", "loose"))
    assert abs(len(loose[0]) - len(marks[0])) > 3
    # one letter changed in a line of the same extent is found too
    a = ink(reference(tmp_path, "Gallery, 1920", "a"))
    b = ink(reference(tmp_path, "Ga1lery, 1920", "b"))
    assert overlap(a, b) < 0.95


@needs_font
def test_unchanged_text_costs_nothing(tmp_path):
    """An unchanged text is set once: the op does not cook again, and a
    colour change draws without rendering a glyph."""
    (tmp_path / "network.ini").write_text(
        "[network]\noutput = t\nresolution = 160x40\n"
        "[t]\nOPType = textTOP\ntext = Same words\n"
        "[s]\nOPType = executeDAT\nfile = s.py\nframeend = on\n")
    (tmp_path / "s.py").write_text(
        "import _vitrine\n"
        "def onFrameEnd(frame):\n"
        "    t = op('t')\n"
        "    g = _vitrine.op_info(t.id)['glyphs_rendered']\n"
        "    if frame == 20:\n"
        "        print('cooks', t.totalCooks, 'glyphs', g)\n"
        "        t.par.fontcolorr = 0.5\n"
        "    if frame == 30:\n"
        "        print('after', t.totalCooks, g)\n")
    r = run("--headless", "--frames", "31", str(tmp_path), timeout=120)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stderr.splitlines() if " cooks " in l)
    cooks, glyphs = int(line.split()[-3]), float(line.split()[-1])
    assert cooks == 1 and glyphs > 0, line
    after = next(l for l in r.stderr.splitlines() if " after " in l).split()
    assert int(after[-2]) == 2 and float(after[-1]) == glyphs, after
