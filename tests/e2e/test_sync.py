"""One timeline for several kiosks (kiosk.ini [sync] epoch): whenever
each was started, frame N begins at epoch + (N - 1) / fps of the system
clock, so two kiosks on the same clock show the same frame."""
import subprocess
import time

from conftest import ROOT, VITRINE, run

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
