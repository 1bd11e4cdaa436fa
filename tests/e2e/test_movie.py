"""The Movie File In TOP as a show uses it: generated clips whose frames
carry their own index (twelve black or white blocks, its bits) played by
the clock, read back each frame with numpyArray() and decoded. With the
network's realtime off every frame is run and waited for, so the index
shown must be the index expected at every frame; in real time frames may
be late, and then they must be counted."""
import shutil
import subprocess

import pytest

from conftest import ROOT, VITRINE, run
from images import read_png

W, H, BITS = 96, 16, 12

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None,
    reason="the ffmpeg command (a test dependency, `make deps`) is not "
           "installed")


def make_clip(path, frames, fps=30, offset=0, codec=("-c:v", "libx264",
                                                     "-bf", "2", "-g", "24",
                                                     "-crf", "18"),
              size=(W, H)):
    """A clip (or an image sequence, for a %04d path) whose frame N shows
    N + offset in binary: block k (8 pixels wide) white when bit k is."""
    lum = "255*mod(floor((N+%d)/pow(2\\,floor(X/8)))\\,2)" % offset
    src = ("nullsrc=s=%dx%d:r=%g:d=%g,format=gray,geq=lum='%s'"
           % (*size, fps, frames / fps, lum))
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src,
                    "-frames:v", str(frames), *codec, str(path)],
                   check=True, timeout=120)
    return path


# Each frame's end: the frame, the index the op says it shows, the index
# its pixels say, its late frames, and whether it was black.
RECORDER = """
out = open(project.folder + '/frames.txt', 'w')

def onFrameStart(frame):
    act(frame)

def onFrameEnd(frame):
    m = op('movie')
    a = m.numpyArray()
    row = a[a.shape[0] // 2]
    v = sum((1 if row[8 * i + 4][0] > 0.5 else 0) << i for i in range(%d))
    out.write('%%d %%d %%d %%d %%d\\n' %% (frame, m.index, v, m.lateFrames,
                                         int(a[:, :, :3].max() < 0.1)))
    out.flush()
""" % BITS


def play(tmp_path, movie_pars, frames, fps=60, realtime=False, act="",
         extra=""):
    """Runs a network of one moviefileinTOP (movie_pars: its lines) for
    frames; returns [(frame, index said, index seen, late, black)]."""
    (tmp_path / "network.ini").write_text(
        "[network]\noutput = movie\nresolution = %dx%d\nfps = %g\n"
        "realtime = %s\n[movie]\nOPType = moviefileinTOP\n%s\n"
        "[s]\nOPType = executeDAT\nfile = s.py\nframestart = on\n"
        "frameend = on\n%s" % (W, H, fps, "on" if realtime else "off",
                               movie_pars, extra))
    body = act or "pass"
    (tmp_path / "s.py").write_text(
        "def act(frame):\n" + "".join("    " + l + "\n"
                                      for l in body.splitlines())
        + RECORDER)
    r = run("--headless", "--frames", str(frames), str(tmp_path),
            timeout=240)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    rows = [tuple(int(x) for x in l.split())
            for l in (tmp_path / "frames.txt").read_text().splitlines()]
    assert len(rows) == frames, r.stderr
    return rows, r.stderr


def check_exact(rows, expected, offset=0):
    """Every frame showed the index expected (its pixels say index +
    offset), the op said so, and none was late."""
    bad = [(f, said, seen, expected(f)) for f, said, seen, late, black
           in rows if seen != expected(f) or said + offset != seen]
    assert not bad, "frames (frame, said, seen, expected): %s" % bad[:10]
    assert all(late == 0 for *_, late, black in rows)


@needs_ffmpeg
def test_h264_with_b_frames_locked_to_the_timeline(tmp_path):
    """600 frames of a 60 fps network over a 30 fps clip of 4 s: each frame
    shows floor(t * 30) of the clip, across two loops back to the start."""
    make_clip(tmp_path / "clip.mp4", 120)
    rows, _ = play(tmp_path, "file = clip.mp4", 600)
    check_exact(rows, lambda f: ((f - 1) * 30 // 60) % 120)


@needs_ffmpeg
def test_hap_and_an_image_sequence(tmp_path):
    """HAP (the installation codec, decoded by FFmpeg to RGBA) and a
    numbered PNG sequence, whose rate comes from the parameters."""
    make_clip(tmp_path / "hap.mov", 90, codec=("-c:v", "hap",
                                               "-pix_fmt", "rgba"))
    rows, _ = play(tmp_path, "file = hap.mov", 240, fps=30)
    check_exact(rows, lambda f: (f - 1) % 90)

    (tmp_path / "seq").mkdir()
    make_clip(tmp_path / "seq" / "shot.%04d.png", 40,
              codec=("-start_number", "0"))
    rows, _ = play(tmp_path, "file = seq/shot.%04d.png\n"
                   "overridesample = on\nsamplerate = 20", 200, fps=40)
    check_exact(rows, lambda f: ((f - 1) // 2) % 40)


@needs_ffmpeg
def test_specify_index_seeks_both_ways(tmp_path):
    """An index set from a script, jumping forward and back between
    keyframes, in indices, seconds and fraction."""
    make_clip(tmp_path / "clip.mp4", 120)
    jumps = [5, 90, 13, 119, 0, 47, 46, 100, 30]
    act = ("jumps = %r\n"
           "m = op('movie')\n"
           "m.par.index = jumps[(frame // 3) %% len(jumps)]\n" % jumps)
    rows, _ = play(tmp_path, "file = clip.mp4\nplaymode = specify\n"
                   "indexunit = indices", 60, act=act)
    check_exact(rows, lambda f: jumps[(f // 3) % len(jumps)])

    rows, _ = play(tmp_path, "file = clip.mp4\nplaymode = specify\n"
                   "indexunit = seconds\nindex = 2.5", 5)
    check_exact(rows, lambda f: 75)
    rows, _ = play(tmp_path, "file = clip.mp4\nplaymode = specify\n"
                   "indexunit = fraction\nindex = 0.25", 5)
    check_exact(rows, lambda f: 30)


@needs_ffmpeg
@pytest.mark.parametrize("speed", [0.5, 2, -1])
def test_sequential_speeds(tmp_path, speed):
    """Sequential play from the cue point at 0.5, 2 and -1 times; playing
    backwards past the start cycles to the end."""
    make_clip(tmp_path / "clip.mp4", 60)
    rows, _ = play(tmp_path, "file = clip.mp4\nplaymode = sequential\n"
                   "speed = %g\ntextendleft = cycle" % speed, 150, fps=30)
    check_exact(rows, lambda f: int((f - 1) * speed // 1) % 60)


@needs_ffmpeg
def test_trim_hold_zero_and_mirror(tmp_path):
    """A trim range of indices 10 to 19: locked play holds its last frame,
    shows black (zero) or bounces (mirror) beyond it."""
    make_clip(tmp_path / "clip.mp4", 60, offset=1)  # frame N shows N + 1
    trim = ("file = clip.mp4\ntrim = on\ntstart = 10\ntstartunit = indices\n"
            "tend = 19\ntendunit = indices\n")
    rows, _ = play(tmp_path, trim + "textendright = hold", 40, fps=30)
    check_exact(rows, lambda f: min(10 + f - 1, 19) + 1, offset=1)
    rows, _ = play(tmp_path, trim + "textendright = mirror", 60, fps=30)

    def mirror(f):
        m = (f - 1) % 20
        return 10 + (m if m < 10 else 19 - m) + 1
    check_exact(rows, mirror, offset=1)
    rows, _ = play(tmp_path, trim + "textendright = zero", 20, fps=30)
    assert [black for *_, black in rows] == [0] * 10 + [1] * 10


@needs_ffmpeg
def test_interp_blends_neighbouring_frames(tmp_path):
    """Index 2.5 with interp on is frames 2 and 3 half and half: bits that
    differ between them come out grey."""
    make_clip(tmp_path / "clip.mp4", 30, codec=("-c:v", "libx264", "-qp",
                                                "0"))
    (tmp_path / "network.ini").write_text(
        "[network]\noutput = movie\nresolution = %dx%d\nrealtime = off\n"
        "[movie]\nOPType = moviefileinTOP\nfile = clip.mp4\n"
        "playmode = specify\nindexunit = indices\nindex = 2.5\n"
        "interp = on\n" % (W, H))
    png = tmp_path / "out.png"
    r = run("--headless", "--frames", "3", "--snapshot", str(png),
            str(tmp_path), timeout=120)
    assert r.returncode == 0, r.stderr
    _, h, rows = read_png(png)
    row = rows[h // 2]
    # 2 = 0b10, 3 = 0b11: bit 0 is grey (0 and 1 mixed), bit 1 white
    assert 100 < row[4][0] < 156, row[4]
    assert row[12][0] > 240 and row[20][0] < 16


@needs_ffmpeg
def test_switching_files_shows_no_black_frame(tmp_path):
    """In real time: a file readied with preload() shows its own frame in
    the very frame `file` is set to it; one not readied keeps the last
    frame up until its first is decoded. No frame is ever black."""
    make_clip(tmp_path / "a.mp4", 90, offset=2048)
    make_clip(tmp_path / "b.mp4", 90, offset=1024)
    make_clip(tmp_path / "c.mp4", 90, offset=512)
    act = ("m = op('movie')\n"
           "if frame == 10: m.preload(file='b.mp4')\n"
           "if frame == 70: m.par.file = 'b.mp4'\n"
           "if frame == 100: m.par.file = 'c.mp4'\n")
    rows, err = play(tmp_path, "file = a.mp4", 160, fps=30, realtime=True,
                     act=act)
    assert not any(black for *_, black in rows), err
    seen = {f: v for f, said, v, late, black in rows}
    assert seen[69] >= 2048
    # the readied file: its frame in the frame of the switch
    assert 1024 <= seen[70] < 2048, rows[60:75]
    # the other: b's last frame until c's first, then c
    after = [seen[f] for f in range(100, 161)]
    assert 512 <= after[-1] < 1024
    first_c = next(i for i, v in enumerate(after) if v < 1024)
    assert all(v >= 1024 for v in after[:first_c])
    assert all(512 <= v < 1024 for v in after[first_c:])


@needs_ffmpeg
def test_real_time_frames_are_exact_or_counted_late(tmp_path):
    """In real time the index shown is the expected one, or the frame is
    counted late and the one before stays (never a silent drift)."""
    make_clip(tmp_path / "clip.mp4", 120)
    rows, _ = play(tmp_path, "file = clip.mp4", 240, fps=60, realtime=True)
    prev_late = 0
    for f, said, seen, late, black in rows:
        if late == prev_late:
            # an on-time frame, or one whose frame numbers were skipped
            assert seen == said
            assert seen == ((f - 1) * 30 // 60) % 120, (f, seen)
        prev_late = late


@needs_ffmpeg
def test_bt709_limited_range_colours(tmp_path):
    """A test card of colour patches encoded as BT.709 limited-range YUV
    comes back within 2/255 of its source colours."""
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255),
               (16, 16, 16), (200, 120, 40), (40, 180, 220), (128, 128, 128)]
    card = tmp_path / "card.ppm"
    card.write_bytes(b"P6 128 16 255\n" +
                     bytes(v for _ in range(16) for x in range(128)
                           for v in colours[x // 16]))
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(card),
                    "-vf", "scale=out_color_matrix=bt709:out_range=tv,"
                    "format=yuv444p", "-c:v", "libx264", "-qp", "0",
                    "-colorspace", "bt709", "-color_range", "tv",
                    str(tmp_path / "card.mp4")], check=True, timeout=60)
    (tmp_path / "network.ini").write_text(
        "[network]\noutput = movie\nresolution = 128x16\nrealtime = off\n"
        "[movie]\nOPType = moviefileinTOP\nfile = card.mp4\n")
    png = tmp_path / "out.png"
    r = run("--headless", "--frames", "2", "--snapshot", str(png),
            str(tmp_path), timeout=120)
    assert r.returncode == 0, r.stderr
    _, h, rows = read_png(png)
    for i, c in enumerate(colours):
        got = rows[h // 2][i * 16 + 8][:3]
        assert all(abs(a - b) <= 2 for a, b in zip(got, c)), (c, got)


@needs_ffmpeg
def test_bad_files_are_the_ops_error_and_the_last_frame_stays(tmp_path):
    """A missing file, a damaged one and one that is no movie each give the
    op's error naming the path and FFmpeg's reason; nothing crashes, the
    last good frame stays, and a good file plays again afterwards."""
    make_clip(tmp_path / "good.mp4", 30, offset=2048)
    (tmp_path / "junk.mp4").write_bytes(b"not a movie at all " * 100)
    data = (tmp_path / "good.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 3])
    act = ("m = op('movie')\n"
           "names = {20: 'missing.mp4', 40: 'junk.mp4', 60: 'cut.mp4', "
           "80: 'good.mp4'}\n"
           "if frame in names: m.par.file = names[frame]\n"
           "if frame in (35, 55): print('error:', m.errors())\n")
    rows, err = play(tmp_path, "file = good.mp4", 100, fps=30, act=act)
    assert "missing.mp4" in err and "No such file" in err, err
    assert "junk.mp4" in err, err
    assert not any(black for *_, black in rows), err
    seen = {f: v for f, said, v, late, black in rows}
    assert all(seen[f] >= 2048 for f in range(20, 60))
    assert seen[100] >= 2048


@needs_ffmpeg
def test_a_movie_replaced_on_disk_is_played_anew(tmp_path):
    """Hot reload: the movie file replaced while it plays (as an editor
    or rsync does it, by renaming a new file into place) is reopened and
    its frames shown; the last frame stayed up meanwhile."""
    import time
    make_clip(tmp_path / "a.mp4", 60, offset=2048)
    make_clip(tmp_path / "b.mp4", 60, offset=1024)
    shutil.copy(tmp_path / "a.mp4", tmp_path / "clip.mp4")
    (tmp_path / "network.ini").write_text(
        "[network]\noutput = movie\nresolution = %dx%d\nfps = 30\n"
        "[movie]\nOPType = moviefileinTOP\nfile = clip.mp4\n"
        "[s]\nOPType = executeDAT\nfile = s.py\nframeend = on\n" % (W, H))
    (tmp_path / "s.py").write_text(
        "def onFrameEnd(frame):\n"
        "    a = op('movie').numpyArray()\n"
        "    r = a[a.shape[0] // 2]\n"
        "    print('v', frame, sum((1 if r[8 * i + 4][0] > 0.5 else 0) << i\n"
        "                          for i in range(%d)))\n" % BITS)
    p = subprocess.Popen([VITRINE, "--headless", "--frames", "400",
                          str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(3)
    shutil.copy(tmp_path / "b.mp4", tmp_path / "clip.tmp")
    (tmp_path / "clip.tmp").rename(tmp_path / "clip.mp4")
    _, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert "clip.mp4 changed" in err, err
    seen = [int(l.split()[-1]) for l in err.splitlines() if "] v " in l]
    assert seen[0] >= 2048 and 1024 <= seen[-1] < 2048, seen
    assert all(v >= 1024 for v in seen), "a black frame"


def _hardware_decoder():
    """Why hardware decoding cannot be tried here, or None when it can."""
    import ctypes
    import glob
    if glob.glob("/dev/dri/renderD*"):
        return None
    try:
        ctypes.CDLL("libcuda.so.1")
        return None
    except OSError:
        return ("no VA-API render node (/dev/dri/renderD*) and no NVIDIA "
                "driver (libcuda.so.1) on this machine")


@needs_ffmpeg
def test_hardware_decoding_where_the_machine_has_it(tmp_path):
    """With hwdecode on, a machine with VA-API or NVDEC decodes on the
    GPU (the info says so) and the frames are the same; elsewhere the
    log says software is used and the frames are the same too. The clip
    is of a size hardware decoders take (NVDEC refuses some small ones,
    and then software decodes: the info says so)."""
    make_clip(tmp_path / "clip.mp4", 60, size=(320, 192))
    rows, err = play(tmp_path, "file = clip.mp4\nhwdecode = on", 90,
                     fps=30, extra="")
    check_exact(rows, lambda f: (f - 1) % 60)
    why = _hardware_decoder()
    if why is None:
        (tmp_path / "network.ini").write_text(
            "[network]\noutput = movie\nresolution = %dx%d\n"
            "[movie]\nOPType = moviefileinTOP\nfile = clip.mp4\n"
            "[s]\nOPType = executeDAT\nfile = s.py\nexit = on\n" % (W, H))
        (tmp_path / "s.py").write_text(
            "def onExit():\n"
            "    print('hw', op('movie').info()['hardware_decode'])\n")
        r = run("--headless", "--frames", "5", str(tmp_path), timeout=120)
        if "no hardware decoder for h264" in r.stderr:
            pytest.skip("a render node or driver is here, but FFmpeg "
                        "found no hardware decoder for H.264 on it")
        assert "] hw 1.0" in r.stderr, r.stderr
    else:
        assert "no hardware decoder for h264 on this machine" in err, err
        pytest.skip("hardware decoding not verified: %s (software "
                    "fallback verified)" % why)
