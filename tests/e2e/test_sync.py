"""One timeline for several kiosks (kiosk.ini [sync] epoch): whenever
each was started, frame N begins at epoch + (N - 1) / fps of the system
clock, so two kiosks on the same clock show the same frame."""
import os
import random
import re
import signal
import socket
import subprocess
import time

import pytest

from conftest import ROOT, VITRINE, free_port, osc_bundle, osc_packet, run
from test_movie import make_clip

NET = "[network]\nfps = 30\n[s]\nOPType = executeDAT\nfile = s.py\n" \
      "framestart = on\n"
SCRIPT = ("import time\n"
          "def onFrameStart(frame):\n"
          "    print('f', me.time.frame, absTime.frame, repr(time.time()))\n")


def frames(err):
    return [(int(a), int(b), float(t)) for _, a, b, t in
            (l.split("] ", 1)[1].split() for l in err.splitlines()
             if "] f " in l)]


def test_kiosks_started_apart_share_the_timeline(tmp_path):
    (tmp_path / "network.ini").write_text(NET)
    (tmp_path / "s.py").write_text(SCRIPT)
    epoch = int(time.time()) - 50
    ini = tmp_path / "kiosk.ini"
    ini.write_text("[osc]\nport = 0\n[sync]\nepoch = %d\n" % epoch)
    procs = []
    for _ in range(2):
        procs.append(subprocess.Popen(
            [VITRINE, "--headless", "--config", str(ini), "--frames", "45",
             str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE, text=True))
        time.sleep(0.7)
    outs = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert "[sync] the timeline starts at %d" % epoch in outs[0], outs[0]
    got = [frames(o) for o in outs]
    for rows in got:
        assert len(rows) == 45
        for frame, absframe, t in rows:
            assert absframe == frame
            # a frame is cooked in the frame before its instant (to be
            # shown at it), and one more than a frame late is skipped:
            # the frame whose instant has come is within one of it
            due = int((t - epoch) * 30) + 1
            assert due - 1 <= frame <= due + 1, (frame, due)
    # the later kiosk joined the timeline where it was, not at frame 1
    assert got[1][0][0] > got[0][0][0] + 10


def test_a_bad_epoch_is_named(tmp_path):
    (tmp_path / "network.ini").write_text("[network]\nfps = 30\n")
    ini = tmp_path / "kiosk.ini"
    ini.write_text("[sync]\nepoch = next tuesday\n")
    r = run("--headless", "--config", str(ini), "--frames", "2",
            str(tmp_path), timeout=60)
    assert r.returncode != 0
    assert "kiosk.ini:2: [sync] epoch = 'next tuesday' is not an instant" \
        in r.stderr, r.stderr
    ini.write_text("[sync]\nepoch = 2026-01-01T00:00:00Z\n")
    r = run("--headless", "--config", str(ini), "--frames", "2",
            str(tmp_path), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "the timeline starts at 1767225600.000" in r.stderr, r.stderr


# ---- several kiosks on one machine, over loopback multicast ----

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
MOVIE_FRAMES = 300

KIOSK_NET = """[network]
fps = 30
output = movie
resolution = 96x16
[movie]
OPType = moviefileinTOP
file = clip.mp4
textendright = cycle
[cues]
OPType = oscinCHOP
localaddress = 127.0.0.1
protocol = multicast
netaddress = 239.255.86.90
port = %d
[s]
OPType = executeDAT
file = s.py
frameend = on
"""

# Each frame's end: the frame, the movie index its pixels show, its late
# frames so far, and the last cue.
KIOSK_SCRIPT = """
import os
out = open(os.environ['FRAMES_OUT'], 'w')

def onFrameEnd(frame):
    a = op('movie').numpyArray()
    row = a[a.shape[0] // 2]
    v = sum((1 if row[8 * i + 4][0] > 0.5 else 0) << i for i in range(12))
    c = op('cues')
    cue = int(c['/cue'].eval()) if c.numChans else 0
    out.write('%d %d %d %d\\n' % (frame, v, op('movie').lateFrames, cue))
    out.flush()
"""


def kiosk_ini(path, name, epoch, sync_port):
    path.write_text("[osc]\nport = 0\n[sync]\nepoch = %d\nname = %s\n"
                    "interface = 127.0.0.1\nport = %d\n"
                    % (epoch, name, sync_port))
    return path


def start_kiosk(tmp_path, name, epoch, sync_port, env=None):
    ini = kiosk_ini(tmp_path / (name + ".ini"), name, epoch, sync_port)
    e = dict(os.environ, FRAMES_OUT=str(tmp_path / (name + ".txt")))
    e.pop("JOURNAL_STREAM", None)
    e.update(env or {})
    err = open(tmp_path / (name + ".log"), "w")
    return subprocess.Popen([VITRINE, "--headless", "--config", str(ini),
                             str(tmp_path)], cwd=ROOT, stderr=err, env=e)


def stop(procs):
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        assert p.wait(timeout=60) == 0


def rows_of(path):
    rows = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4:
            f, idx, late, cue = map(int, parts)
            rows[f] = (idx, late, cue)
    return rows


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


def run_four(tmp_path, rng):
    """Four kiosks started at moments rng draws over 10 s, each playing
    the clip locked to the timeline, while 100 cues, one every other
    frame, come timetagged on a multicast group. Returns the names, the
    frame each cue is due in, and the kiosks' logs and rows, and the cues
    this process sent only after their time (a loaded machine holding the
    sender back), of which no kiosk can know in time."""
    make_clip(tmp_path / "clip.mp4", MOVIE_FRAMES)
    cue_port = free_port()
    (tmp_path / "network.ini").write_text(KIOSK_NET % cue_port)
    (tmp_path / "s.py").write_text(KIOSK_SCRIPT)
    epoch = int(time.time()) - 7
    sync_port = free_port()
    names = ["kiosk-%d" % i for i in range(1, 5)]
    starts = sorted(rng.uniform(0, 10) for _ in names)
    t0, procs = time.time(), []
    try:
        for name, at in zip(names, starts):
            time.sleep(max(0, t0 + at - time.time()))
            procs.append(start_kiosk(tmp_path, name, epoch, sync_port))
        assert wait_for(lambda: all(
            (tmp_path / (n + ".txt")).exists() and
            (tmp_path / (n + ".txt")).stat().st_size > 0 for n in names), 60)
        # each timetagged in the middle of the frame before the one it is
        # due in, sent 1 s ahead
        first = int((time.time() + 1.5 - epoch) * 30) + 1
        due = {k: first + 2 * k for k in range(1, 101)}
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                        socket.inet_aton("127.0.0.1"))
        late = set()
        for k, f in due.items():
            when = epoch + (f - 1.5) / 30
            time.sleep(max(0, when - 1.0 - time.time()))
            sock.sendto(osc_bundle(when, osc_packet("/cue", float(k))),
                        ("239.255.86.90", cue_port))
            if time.time() > when - 0.05:
                late.add(k)
        sock.close()
        end = epoch + (due[100] + 15) / 30
        time.sleep(max(0, end - time.time()))
    finally:
        stop(procs)
    logs = {n: (tmp_path / (n + ".log")).read_text() for n in names}
    rows = {n: rows_of(tmp_path / (n + ".txt")) for n in names}
    return names, due, logs, rows, late


def test_four_kiosks_show_the_same_frame_and_fire_cues_together(tmp_path):
    """Four kiosks started at random moments over 10 s show, at every
    frame they render, the movie frame the timeline says (the same on
    each), and apply each of 100 timetagged multicast cues in the frame
    its timetag falls in: on every kiosk the same."""
    names, due, logs, rows, sent_late = run_four(tmp_path, random.Random(7))
    for n in names:
        assert "Traceback" not in logs[n], logs[n]
        # each found the other three
        assert len(set(re.findall(r"\[sync\] found (kiosk-\d)", logs[n]))) \
            == 3, logs[n]
    # the movie: the timeline's frame, unless counted late
    for n in names:
        prev_late = 0
        for f in sorted(rows[n]):
            idx, late, _ = rows[n][f]
            if late == prev_late:
                assert idx == (f - 1) % MOVIE_FRAMES, (n, f, idx)
            prev_late = late
    common = set.intersection(*(set(r) for r in rows.values()))
    assert len(common) > 200
    # the cues: applied in their frame, or (that frame skipped) in the
    # first frame rendered after it; one sent late, when it came
    assert len(sent_late) < 50, "the sender was held back: %d cues " \
        "late" % len(sent_late)
    together = 0
    for k, f in due.items():
        applied = {}
        for n in names:
            got = min(g for g, (_, _, cue) in rows[n].items() if cue >= k)
            assert got >= f, (n, k, got, f)
            assert k in sent_late or \
                all(g not in rows[n] for g in range(f, got)), (n, k, got, f)
            applied[n] = got
        together += len(set(applied.values())) == 1
    print("cues applied in the same frame on all four: %d of 100 (%d sent "
          "late)" % (together, len(sent_late)))


@pytest.mark.skipif(not os.path.exists(FAKETIME),
                    reason="libfaketime (the faketime package, `make "
                           "deps`) is not installed")
def test_a_kiosk_whose_clock_is_40_ms_off_is_named(tmp_path):
    """Three kiosks, one under faketime 40 ms ahead: within 5 s of its
    start the other two name it, it says that its own clock is the odd
    one, and `vitrine fleet` marks it and exits 1."""
    (tmp_path / "network.ini").write_text("[network]\nfps = 30\n")
    epoch = int(time.time()) - 3
    sync_port = free_port()
    procs = [start_kiosk(tmp_path, n, epoch, sync_port)
             for n in ("kiosk-1", "kiosk-2")]
    try:
        fake = {"LD_PRELOAD": FAKETIME, "FAKETIME": "+0.04",
                "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                "FAKETIME_DONT_RESET": "1",
                # a SAN=1 build: faketime preloaded before ASan's runtime
                "ASAN_OPTIONS": "verify_asan_link_order=0"}
        procs.append(start_kiosk(tmp_path, "kiosk-3", epoch, sync_port,
                                 fake))
        log3 = tmp_path / "kiosk-3.log"
        assert wait_for(lambda: "[sync] announcing" in log3.read_text(), 60)
        said = re.compile(r"kiosk-3 is (\d+\.\d) ms ahead")
        logs = [tmp_path / "kiosk-1.log", tmp_path / "kiosk-2.log"]
        ok = wait_for(lambda: all(said.search(p.read_text())
                                  for p in logs), 5)
        assert ok, [p.read_text() for p in logs]
        for p in logs:
            ms = float(said.search(p.read_text()).group(1))
            assert abs(ms - 40) < 2, ms
        assert wait_for(lambda: "this kiosk's clock is" in log3.read_text(),
                        5), log3.read_text()
        fleet_ini = tmp_path / "fleet.ini"
        fleet_ini.write_text("[sync]\ninterface = 127.0.0.1\nport = %d\n"
                             % sync_port)
        r = run("fleet", "--config", str(fleet_ini), "--seconds", "2.5",
                timeout=60)
    finally:
        stop(procs)
    assert r.returncode == 1, (r.stdout, r.stderr)
    # libfaketime refuses its absolute sleeps (EINVAL): it still keeps to
    # 30 fps rather than spinning
    rates = [float(x) for x in
             re.findall(r"\| ([\d.]+) fps \|", log3.read_text())]
    assert rates and max(rates) < 40, log3.read_text()
    lines = {l.split()[0]: l for l in r.stdout.splitlines()[1:-1]}
    assert set(lines) == {"kiosk-1", "kiosk-2", "kiosk-3"}, r.stdout
    assert "OUT OF STEP (2 of 2)" in lines["kiosk-3"], r.stdout
    assert " ok " in lines["kiosk-1"] and " ok " in lines["kiosk-2"]
    offset = float(re.search(r"([+-]\d+\.\d+) ms", lines["kiosk-3"])
                   .group(1))
    assert abs(offset - 40) < 2, r.stdout
    assert r.stdout.splitlines()[-1] == \
        "3 kiosks: 1 out of step, 0 in fallback"
    own = re.findall(r"this kiosk.s clock is (\d+\.\d) ms ahead of",
                     log3.read_text())
    assert own and abs(float(own[-1]) - 40) < 2, own  # 39.9 is as good


def test_fleet_hears_no_one_and_says_where_it_listened(tmp_path):
    ini = tmp_path / "fleet.ini"
    port = free_port()
    ini.write_text("[sync]\ninterface = 127.0.0.1\nport = %d\n" % port)
    r = run("fleet", "--config", str(ini), "--seconds", "0.5", timeout=30)
    assert r.returncode == 1
    assert ("no kiosk announced itself on 239.255.86.84:%d within 0.5 s"
            % port) in r.stderr, r.stderr
