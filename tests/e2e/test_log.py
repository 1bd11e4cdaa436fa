"""What reaches the log when something repeats: an error that comes and
goes every frame, two callbacks that take turns failing, a status line
under the journal; and what it says (a missing channel in the user's
words, control characters from outside escaped)."""
import os
import subprocess

from conftest import ROOT, VITRINE

FLAP_NET = """
[network]
fps = 60
resolution = 32x32
output = lvl
[osc]
OPType = oscinCHOP
port = 0
active = off
[c]
OPType = constantTOP
[lvl]
OPType = levelTOP
inputs = c
brightness1.expr = op('osc')['/master'] - 0.5
[flap]
OPType = scriptCHOP
callbacks = flapcb
[flapcb]
OPType = textDAT
file = flap.py
[pull]
OPType = executeDAT
file = pull.py
[turns]
OPType = executeDAT
file = turns.py
[say]
OPType = executeDAT
file = say.py
"""

# fails every other frame: its error comes and goes
FLAP = """
def onCook(scriptOp):
    scriptOp.clear()
    if absTime.frame % 2:
        raise ValueError('odd frame')
    scriptOp.appendChan('x')
"""

PULL = """
def onFrameEnd(frame):
    op('flap').numChans
"""

TURNS = """
def onFrameStart(frame):
    raise ValueError('one')
def onFrameEnd(frame):
    raise KeyError('two')
"""

SAY = """
def onStart():
    print('from outside: \\x1b[31mred\\r')
"""


def run(tmp_path, frames, env=None):
    (tmp_path / "network.ini").write_text(FLAP_NET)
    (tmp_path / "flap.py").write_text(FLAP)
    (tmp_path / "pull.py").write_text(PULL)
    (tmp_path / "turns.py").write_text(TURNS)
    (tmp_path / "say.py").write_text(SAY)
    log = tmp_path / "log"
    with open(log, "w") as f:
        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        if env:
            st = os.fstat(f.fileno())
            e["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        r = subprocess.run([VITRINE, "--headless", "--frames", str(frames),
                            str(tmp_path)], cwd=ROOT, stderr=f, env=e,
                           timeout=120)
    assert r.returncode == 0, log.read_text()[-3000:]
    return log.read_text(errors="replace")


def test_repeated_errors_are_said_once_then_summed_up(tmp_path):
    err = run(tmp_path, 300)
    flap = [l for l in err.splitlines() if l.startswith("[/project1/flap]")]
    turns = [l for l in err.splitlines()
             if l.startswith("[/project1/turns]")]
    # 150 errors and 150 clears, 300 changes between two errors: each
    # said with its traceback once, then counted
    assert 2 <= len([l for l in flap if "error: ValueError" in l]) <= 3, flap
    assert len(flap) < 20, flap
    assert len(turns) < 20, turns
    assert any("came back " in l and " times in the last " in l
               for l in flap), flap
    assert any("came back " in l for l in turns), turns
    # the missing channel, in the user's words
    assert "[/project1/lvl] error: brightness1.expr: '/project1/osc' has " \
        "no channel '/master' yet (TypeError: " in err, err[-3000:]
    # bytes from outside do not reach the terminal as control characters
    assert "from outside: \\x1b[31mred\\x0d" in err, err[-3000:]
    assert "\x1b" not in err


def test_status_lines_go_to_status_under_the_journal(tmp_path):
    plain = run(tmp_path, 150)
    assert plain.count("[vitrine] frame ") >= 1
    journal = run(tmp_path, 150, env=True)
    assert "[vitrine] frame " not in journal, journal[-2000:]
    assert "<6>[vitrine] stopped after 150 frames" in journal
