"""The Python API as scripts see it (tests/networks/pyapi: checks.py runs
inside vitrine and prints PASS/FAIL per member), and every way a script
can fail (tests/networks/pyerrors) without stopping the frames."""
import re
import signal
import subprocess
import threading
import time

from conftest import ROOT, VITRINE, run
from images import read_png

PYAPI = ROOT / "tests" / "networks" / "pyapi"
PYERRORS = ROOT / "tests" / "networks" / "pyerrors"
PYFUZZ = ROOT / "tests" / "networks" / "pyfuzz"


class Watched:
    """vitrine (args, in cwd) whose stderr a test reads line by line while
    it runs, killed after `limit` seconds even if it goes silent."""

    def __init__(self, args, cwd, limit):
        self.p = subprocess.Popen([VITRINE, *args], cwd=cwd,
                                  stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.guard = threading.Timer(limit, self.p.kill)
        self.guard.start()

    def until(self, text, deadline=None):
        """Reads until a line holds text (or the deadline passed)."""
        for line in self.p.stderr:
            self.lines.append(line)
            if text in line or (deadline and time.time() > deadline):
                return

    def stop(self):
        """SIGTERM; returns (exit status, all of stderr)."""
        try:
            self.p.send_signal(signal.SIGTERM)
            _, rest = self.p.communicate(timeout=60)
            self.lines.append(rest)
        finally:
            self.guard.cancel()
            if self.p.poll() is None:
                self.p.kill()
        return self.p.returncode, "".join(self.lines)


def lines_of(stderr, path):
    prefix = f"[{path}] "
    return [l[len(prefix):] for l in stderr.splitlines()
            if l.startswith(prefix)]


def test_api_members_inside_vitrine():
    r = run("--headless", "--frames", "6", str(PYAPI), timeout=60)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/checks")
    fails = [l for l in out if l.startswith("FAIL")]
    passes = [l for l in out if l.startswith("PASS")]
    assert not fails, "\n".join(fails)
    assert len(passes) >= 98, len(passes)
    assert "DONE" in out
    assert out[0] == "CREATE" and out[-1] == "EXIT 6"  # onCreate, onExit
    assert "debug line" in out  # debug() goes to the log
    assert lines_of(r.stderr, "/project1/helpers") == ["ran helpers"]
    assert lines_of(r.stderr, "/project1/gen") == ["pulsed Reset"]
    # Parameter Execute: exports changing brightness, in order
    assert lines_of(r.stderr, "/project1/watch") == [
        "changed level1 brightness1 0.25 -> 0.5",
        "changed level1 brightness1 0.5 -> -1.0",
    ]
    # CHOP Execute: value changes, and on -> off when it drops below 0
    assert lines_of(r.stderr, "/project1/chopwatch") == [
        "value level 0.5 0.25",
        "off level -1.0 0.5",
        "value level -1.0 0.5",
    ]
    errors = [l for l in r.stderr.splitlines() if "] error: " in l]
    assert errors == ["[/project1/box/inner1] error: broken on purpose"], \
        errors  # addError() on purpose; nothing else


def test_failing_scripts_never_stop_the_frames(tmp_path):
    cfg = tmp_path / "kiosk.ini"
    cfg.write_text("[watchdog]\nscript_budget_ms = 100\n")
    out = tmp_path / "gen.png"
    r = run("--headless", "--config", str(cfg), "--frames", "8",
            "--snapshot", str(out), str(PYERRORS), timeout=60)
    assert r.returncode == 0, r.stderr
    err = r.stderr
    assert "stopped after 8 frames" in err
    frames = lines_of(err, "/project1/frames")
    assert frames[0] == "frame 1" and frames[-1].startswith("frame ")
    assert len([f for f in frames if f.startswith("frame ")]) == 8

    def once(text):
        """An error is logged with its traceback once, not every frame."""
        return err.count(text) == 2  # the message and the traceback's end

    # text DAT run every frame: NameError, once, with the script's line
    assert "[/project1/everyframe] error: NameError: name 'nothing_here' " \
        "is not defined" in err
    assert once("name 'nothing_here' is not defined")
    assert 'File "/project1/everyframe", line 2, in <module>' in err
    # syntax error: op, file and line
    assert "[/project1/syntax] error: SyntaxError: '(' was never closed " \
        "(/project1/syntax:2)" in err
    # Script CHOP and Script TOP onCook
    assert "[/project1/wave] error: NameError: name 'undefined_name'" in err
    assert once("ValueError: broken from frame 3 on")
    assert 'File "/project1/gen_callbacks", line 5, in onCook' in err
    # the Script TOP keeps its last good image (green) after it breaks
    w, h, rows = read_png(out)
    assert (w, h) == (32, 16)
    assert all(p == (0, 200, 0, 255) for row in rows for p in row)
    # callbacks of CHOP Execute and Parameter Execute DATs
    assert "[/project1/chopwatch] error: KeyError: 'callback failed'" in err
    assert "[/project1/watch] error: KeyError: 'callback failed'" in err
    # a parameter expression: an error on its op; eval() raises in scripts
    assert "[/project1/blur1] error: size.expr: ZeroDivisionError" in err
    assert "expression raised ZeroDivisionError" in frames
    # the runaway loop in onFrameStart is interrupted by the budget
    assert "[/project1/loop] error: ScriptTimeout: script ran past its " \
        "budget of 100 ms and was interrupted" in err
    assert 'File "/project1/loop", line 3, in onFrameStart' in err
    # tracebacks show the user's frames only, none of td's files
    assert not re.search(r'File "(td|td_\w+|dat_\w+|chop_\w+|top_\w+)\.py"',
                         err)


IMPORTS = """
import sys
sys.path.insert(0, %r)
def onStart():
    import slowmod                 # 0.3 s at import, past a 20 ms budget
    print('imported', slowmod.VALUE)
    import numpy
    print('numpy', numpy.arange(4).sum())
    while True:                    # still interrupted after the imports
        pass

def onFrameStart(frame):
    if frame == 3:
        import slowmod
        print('still whole', slowmod.VALUE)
"""

FOREVER = """
def onFrameStart(frame):
    if frame == 5:
        import forever             # past hang_timeout: interrupted anyway
"""

BUSY = """
import time
t = time.monotonic()
while time.monotonic() - t < %s:
    pass
VALUE = 42
"""


def test_an_import_is_never_left_half_done_by_the_budget(tmp_path):
    """The budget puts its interrupt off until an import returns (a module
    interrupted halfway stays broken for the process's life, as NumPy's
    does); a script is still stopped once it is back, and an import that
    never returns is ended by the stall detector's interrupt."""
    (tmp_path / "kiosk.ini").write_text(
        "[watchdog]\nscript_budget_ms = 20\nhang_timeout = 1\n")
    (tmp_path / "network.ini").write_text(
        "[network]\nfps = 60\n[s]\nOPType = executeDAT\nfile = s.py\n"
        "[f]\nOPType = executeDAT\nfile = f.py\n")
    (tmp_path / "s.py").write_text(IMPORTS % str(tmp_path))
    (tmp_path / "f.py").write_text(FOREVER)
    (tmp_path / "slowmod.py").write_text(BUSY % "0.3")
    (tmp_path / "forever.py").write_text(BUSY % "1e9")
    r = run("--headless", "--config", str(tmp_path / "kiosk.ini"),
            "--frames", "8", str(tmp_path), timeout=60)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/s")
    assert "imported 42" in out and "numpy 6" in out, r.stderr
    assert "still whole 42" in out, r.stderr
    assert "error: ScriptTimeout: script ran past its budget of 20 ms and " \
        "was interrupted" in out, r.stderr
    assert 'File "/project1/s", line 9, in onStart' in r.stderr
    assert "inside a Python script: interrupting it" in r.stderr
    assert "[/project1/f] error: ScriptTimeout" in r.stderr, r.stderr
    assert 'File "%s", line 4, in <module>' % (tmp_path / "forever.py") \
        in r.stderr, r.stderr
    assert "stopped after 8 frames" in r.stderr, r.stderr


def test_api_called_with_odd_arguments(tmp_path):
    """Every public member of every object a script can reach, called with
    None, 2**70, nan, lone surrogates, bytes, arrays of the wrong shape...
    and every settable attribute set to them (tests/networks/pyfuzz): each
    call works or raises a Python exception, never SystemError (the C side
    losing track of an error), and the frames go on. Runs in tmp_path so
    that nothing a call might write lands in the repository."""
    w = Watched(["--headless", "--config", str(PYFUZZ / "kiosk.ini"),
                 str(PYFUZZ)], tmp_path, 620)
    w.until("FUZZ DONE", deadline=time.time() + 600)
    code, err = w.stop()
    assert code == 0, err[-3000:]
    assert "vitrine] stopped after" in err
    out = lines_of(err, "/project1/fuzz")
    assert not [l for l in out if l.startswith("FUZZ BAD")], \
        "\n".join(l for l in out if l.startswith("FUZZ BAD"))
    done = [l for l in out if l.startswith("FUZZ DONE")]
    assert done, err[-3000:]
    calls = int(done[0].split()[2])
    assert calls > 100000, done[0]
    print(done[0])
    # Script ops fuzzed from inside their own onCook, where cook() on
    # themselves is refused instead of recursing
    cooked = [l.split()[3] for l in err.splitlines() if "FUZZ COOKED" in l]
    assert sorted(cooked) == ["scriptCHOP", "scriptTOP"], cooked
    # every registered type is fuzzed: those the network lacks are made
    registered = [l.split()[0] for l in subprocess.run(
        [VITRINE, "ops"], capture_output=True, text=True).stdout.splitlines()
        if l and not l[0].isspace()]
    in_net = {l.split("=")[1].strip() for l in
              (PYFUZZ / "network.ini").read_text().splitlines()
              if l.startswith("OPType")}
    made = [l for l in out if l.startswith("FUZZ made")]
    assert made == [f"FUZZ made {len(set(registered) - in_net)} more "
                    "types"], (made, sorted(set(registered) - in_net))
    assert err.count("is cooking: cook() from inside its own cook would "
                     "never end") >= 2
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_python_ignores_the_python_first_on_path(tmp_path):
    """A python3 first on PATH (here: one that fails) changes nothing: the
    interpreter is Debian's, named at build time."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text("#!/bin/sh\nexit 99\n")
    (fake / "python3").chmod(0o755)
    import os
    env = {"PATH": f"{fake}:{os.environ['PATH']}",
           "PYTHONHOME": "/nonexistent", "PYTHONPATH": "/nonexistent"}
    r = run("--headless", "--frames", "3", str(ROOT / "tests" / "networks" /
                                               "tutorial" / "ex1"), env=env)
    assert r.returncode == 0, r.stderr
    assert "[/project1/script1] Dimensions: 160 x 90" in r.stderr, r.stderr


def test_a_byte_order_mark_before_a_script_is_ignored(tmp_path):
    """Editors on Windows start UTF-8 files with a byte order mark; such a
    script runs as TouchDesigner runs it."""
    (tmp_path / "network.ini").write_text(
        "[network]\nfps = 60\n[s]\nOPType = executeDAT\nfile = s.py\n")
    (tmp_path / "s.py").write_bytes(
        b"\xef\xbb\xbfdef onStart():\n    print('started', 'caf\xc3\xa9')\n")
    r = subprocess.run([VITRINE, "--frames", "3", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "[/project1/s] started café" in r.stderr, r.stderr
    assert "error" not in r.stderr, r.stderr


GLOBALS = """
def onStart():
    print('tdu', tdu.clamp(5, 0, 1), tdu.clamp(-2, 0, 1), tdu.clamp(0.5, 0, 1),
          tdu.remap(0.5, 0, 1, 10, 20), tdu.remap(3, 2, 4, 0, 1))
    print('names', tdu.digits('arm12'), tdu.digits('arm'),
          tdu.base('/project1/arm12'), tdu.validName('1 b-c'))
    print('split', tdu.split('a "b c" 3'), tdu.split('a "b c" 3', True))
    print('rand', tdu.rand(3) == tdu.rand(3), tdu.rand(3) != tdu.rand(4),
          0 <= tdu.rand('cue') < 1)
    print('project', project.name, project.folder == me.fileFolder
          if hasattr(me, 'fileFolder') else True, project.cookRate,
          project.realTime)
    print('app', app.product, app.osName)
    d = tdu.Dependency(3)
    seen = []
    d.callbacks.append(lambda dep: seen.append(dep.val))
    d.val = 4
    d.modified()
    print('dependency', d.val, d.peekVal, seen)
    for what in ('ui.panes', 'tdu.Matrix', 'project.save'):
        try:
            eval(what)
        except NotImplementedError as e:
            print('not here', e)
"""


def test_tdu_project_app_and_ui(tmp_path):
    """The globals scripts reach for: tdu's utilities with TouchDesigner's
    results, project and app; what has no meaning here (the editor's ui)
    is a NotImplementedError naming the member, never None."""
    (tmp_path / "network.ini").write_text(
        "[network]\nfps = 30\n[s]\nOPType = executeDAT\nfile = s.py\n")
    (tmp_path / "s.py").write_text(GLOBALS)
    r = subprocess.run([VITRINE, "--frames", "3", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/s")
    assert out[:7] == [
        "tdu 1 0 0.5 15.0 0.5",
        "names 12 None arm _1_b_c",
        "split ['a', 'b c', '3'] ['a', 'b c', 3]",
        "rand True True True",
        "project network.ini True 30.0 True",
        "app vitrine Linux",
        "dependency 4 4 [4, 4]",
    ], out
    assert out[7:] == ["not here ui.panes is not in vitrine",
                       "not here tdu.Matrix is not in vitrine",
                       "not here project.save is not in vitrine"], out


TABLE_NET = ("[network]\nfps = 60\n[cues]\nOPType = tableDAT\n"
             "text = name\tvalue\n  cue1\t1\n  cue2\t2.5\n"
             "[s]\nOPType = executeDAT\nfile = s.py\n")

TABLE_SCRIPT = """
def rows(t):
    return [[c.val for c in row] for row in t.rows()]

def onStart():
    t = op('cues')
    print('read', t[1, 1] * 2, t['cue2', 'value'] + 1.5, t[1, 0] == 'cue1',
          float(t[2, 1]), int(t[1, 1]), t[1, 1] == 1, t[2, 1] > 2,
          op(t[1, 0]) is None)
    t[1, 'value'] = 10
    t['cue2', 1].val = 'x'
    print('set', [c.val for c in t.row(1)], t[2, 1].val)
    r = t.appendRow(['cue3', 3])
    t.insertRow(['first', 0], 1)
    t.appendCol(['extra', 'a', 'b'])
    print('grown', r, t.numRows, t.numCols, rows(t))
    t.deleteRow('first')
    t.deleteCol('extra')
    t.replaceRow('cue3', ['cue3', 33])
    print('after', rows(t))
    print('find', t.findCell('cue*').val, [c.val for c in t.findCells('*3*')])
    t.setSize(2, 3)
    print('size', t.numRows, t.numCols, rows(t))
    t.clear(keepFirstRow=True)
    print('clear', t.numRows, rows(t))
"""


def test_table_editing_as_touchdesigner_documents_it(tmp_path):
    (tmp_path / "network.ini").write_text(TABLE_NET)
    (tmp_path / "s.py").write_text(TABLE_SCRIPT)
    r = subprocess.run([VITRINE, "--frames", "3", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/s")
    assert out == [
        "read 2 4.0 True 2.5 1 True True True",
        "set ['cue1', '10'] x",
        "grown 3 5 3 [['name', 'value', 'extra'], ['first', '0', 'a'], "
        "['cue1', '10', 'b'], ['cue2', 'x', ''], ['cue3', '3', '']]",
        "after [['name', 'value'], ['cue1', '10'], ['cue2', 'x'], "
        "['cue3', '33']]",
        "find cue1 ['cue3', '33']",
        "size 2 3 [['name', 'value', ''], ['cue1', '10', '']]",
        "clear 1 [['name', 'value', '']]",
    ], out


VALUES_NET = ("[network]\nfps = 60\n"
              "[a]\nOPType = constantCHOP\nconst0name = x\nconst0value = 2\n"
              "[b]\nOPType = constantCHOP\nconst0name = y\nconst0value = 2\n"
              "[s]\nOPType = executeDAT\nfile = s.py\n")

VALUES_SCRIPT = """
def onStart():
    p, q = op('a').par.const0value, op('b').par.const0value
    x, y = op('a')['x'], op('b')['y']
    print('par', p == q, p != q, p == 2, p < 3, p + q, p * 2, 2 ** p,
          bool(p), round(p), abs(-p), p.isPar(q), p.isPar(op('a').par.const0value))
    print('chan', x == y, x != y, x == p, x + y, x / 4, round(x), abs(x), x > 1,
          max(x, 1.5), [float(v) for v in sorted([3, x, 1])])
    q.val = 3
    print('changed', p == q, p < q, x < q)
"""


def test_pars_and_channels_compare_by_value(tmp_path):
    """Par and Channel stand for their values: two equal parameters or
    channels compare equal, as TouchDesigner documents (isPar() asks for
    the same parameter)."""
    (tmp_path / "network.ini").write_text(VALUES_NET)
    (tmp_path / "s.py").write_text(VALUES_SCRIPT)
    r = subprocess.run([VITRINE, "--frames", "2", "--headless",
                        str(tmp_path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/s")
    assert out == [
        "par True False True True 4.0 4.0 4.0 True 2 2.0 False True",
        "chan True False True 4.0 0.5 2 2.0 True 2.0 [1.0, 2.0, 3.0]",
        "changed False True True",
    ], out


RUN_NET = ("[network]\nfps = 60\n"
           "[noise1]\nOPType = noiseTOP\nresolutionw = 8\nresolutionh = 8\n"
           "[lfo1]\nOPType = lfoCHOP\n"
           "[s]\nOPType = executeDAT\nfile = s.py\n")

RUN_SCRIPT = """def later(a, b):
    print('callable', a, b, me.name, absTime.frame)

def onStart():
    n = op('noise1')
    print('classes', type(n).__name__, isinstance(n, noiseTOP),
          isinstance(n, TOP), isinstance(op('lfo1'), noiseTOP),
          issubclass(scriptTOP, TOP), type(op('s')) is executeDAT)
    r = run(later, 1, 'two', delayFrames=2)
    print('run', r.active, r.remainingFrames, r.isString, len(runs))
    k = run("print('never')", delayFrames=3)
    k.kill()
    run("print('ms', args[0], absTime.frame)", 'x', delayMilliSeconds=50)
    run("boom_here", delayFrames=1)
    print('runs', len(runs), k.active)
"""


def test_op_type_classes_and_run_with_callables(tmp_path):
    """Op types are classes named by their OPType (isinstance, type), and
    run() takes a callable or a script, frames or milliseconds; a deferred
    script's error names where run() was called."""
    (tmp_path / "network.ini").write_text(RUN_NET)
    (tmp_path / "s.py").write_text(RUN_SCRIPT)
    r = subprocess.run([VITRINE, "--frames", "8", "--headless",
                        str(tmp_path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = [l for l in lines_of(r.stderr, "/project1/s")
           if not l.startswith("error:")]
    assert out == [
        "classes noiseTOP True True False True True",
        "run True 2 False 1",
        "runs 3 False",
        "callable 1 two s 3",
        "ms x 4",
    ], out
    assert "[/project1/s] error: NameError: name 'boom_here' is not " \
        "defined" in r.stderr, r.stderr
    assert 'File "run() from /project1/s line 14", line 1, in <module>' \
        in r.stderr, r.stderr


RUNTIME_NET = '[network]\nfps = 60\noutput = out\nresolution = 16x16\n[noise1]\nOPType = noiseTOP\namp = 0.5\n[out]\nOPType = levelTOP\ninputs = noise1\n[box]\nOPType = baseCOMP\nGain.style = Float\nGain.default = 2\n[box/c]\nOPType = constantCHOP\nconst0name = a\nconst0value = 4\n[box/m]\nOPType = mathCHOP\ninputs = c\ngain = 3\n[s]\nOPType = executeDAT\nfile = s.py\nframestart = on\n'

RUNTIME_SCRIPT = "def onStart():\n    root = parent()\n    n = root.create(noiseTOP)\n    n2 = root.create('noiseTOP')\n    t = root.create(textDAT, 'notes')\n    t.text = 'hello'\n    print('made', n.name, n2.name, t.path, t.text, type(n).__name__)\n    b2 = root.copy(op('box'))\n    print('copied', b2.name, [c.name for c in b2.children], b2.par.Gain.eval(),\n          b2.op('m').inputs[0].path, b2.op('m').par.gain.eval())\n    lv = op('out').changeType(hsvadjustTOP)\n    print('changed', lv.name, lv.OPType, lv.inputs[0].name, op('out') is lv)\n    for bad in (lambda: root.create('nopeTOP'), lambda: root.create(noiseTOP, 'noise1'),\n                lambda: op('noise1').create(textDAT)):\n        try:\n            bad()\n        except Exception as e:\n            print('refused', type(e).__name__, e)\n    n2.destroy()\n    print('after', [c.name for c in root.children])\n\ndef onFrameStart(frame):\n    if frame == 3:\n        print('frame 3', op('box1/m')['a'].eval(), op('out').OPType)\n"


def test_ops_made_copied_changed_and_destroyed_by_scripts(tmp_path):
    """COMP.create/copy, changeType, destroy as TouchDesigner documents
    them; the op shown stays shown through changeType."""
    (tmp_path / "network.ini").write_text(RUNTIME_NET)
    (tmp_path / "s.py").write_text(RUNTIME_SCRIPT)
    png = tmp_path / "o.png"
    r = subprocess.run([VITRINE, "--frames", "4", "--headless", "--snapshot",
                        str(png), str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert lines_of(r.stderr, "/project1/s") == [
        "made noise2 noise3 /project1/notes hello noiseTOP",
        "copied box1 ['c', 'm'] 2.0 /project1/box1/c 3.0",
        "changed out hsvadjustTOP noise1 True",
        "refused ValueError unknown operator type 'nopeTOP' (`vitrine ops` "
        "lists them)",
        "refused ValueError duplicate operator name 'noise1' in /project1",
        "refused AttributeError 'noiseTOP' object has no attribute 'create'",
        "after ['noise1', 'box', 's', 'noise2', 'notes', 'box1', 'out']",
        "frame 3 12.0 hsvadjustTOP",
    ]
    w, h, px = read_png(png)
    assert (w, h) == (16, 16)
    assert max(p[0] for row in px for p in row) > 60  # noise, not black


SAMPLES_NET = """[network]
fps = 60
[pat]
OPType = patternCHOP
wavetype = ramp
length = 5
channelname = a b
phasestep = 0.5
[lfo]
OPType = lfoCHOP
wavetype = ramp
frequency = 1
timeslice = off
start = 0
end = 1
endunit = seconds
rate = 4
[noise]
OPType = noiseCHOP
type = random
timeslice = off
start = 10
end = 19
startunit = samples
endunit = samples
[s]
OPType = executeDAT
file = s.py
"""

SAMPLES_SCRIPT = """
def onStart():
    p = op('pat')
    print('pattern', p.numChans, p.numSamples, [round(v, 3) for v in p['a'].vals],
          [round(v, 3) for v in p['b'].vals], p.numpyArray().shape)
    l = op('lfo')
    print('lfo', l.numSamples, l.rate, [round(v, 3) for v in l[0].vals],
          round(float(l[0]), 3))
    n = op('noise')
    a = n.numpyArray()
    print('noise', n.numSamples, a.shape, bool((abs(a) <= 1).all()),
          len(set(a[0].tolist())) == 10)
    op('lfo').par.end = 1e9

def onFrameStart(frame):
    if frame == 2:
        print('long', op('lfo').numSamples, op('lfo').errors())
"""


def test_chops_with_many_samples(tmp_path):
    """A Pattern CHOP's samples; LFO and Noise CHOPs over an interval
    (timeslice off) in samples, frames or seconds at a rate; a range too
    long is the op's error and it keeps its samples."""
    (tmp_path / "network.ini").write_text(
        SAMPLES_NET + "framestart = on\n")
    (tmp_path / "s.py").write_text(SAMPLES_SCRIPT)
    r = subprocess.run([VITRINE, "--frames", "3", "--headless",
                        str(tmp_path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/s")
    assert out[:3] == [
        "pattern 2 5 [0.0, 0.2, 0.4, 0.6, 0.8] [0.5, 0.7, 0.9, 0.1, 0.3] "
        "(2, 5)",
        "lfo 5 4.0 [0.0, 0.25, 0.5, 0.75, 0.0] 0.0",
        "noise 10 (1, 10) True True",
    ], out
    assert out[3].startswith("long 5 start 0 to end 1e+09 makes ") and \
        "samples; a channel holds 1 to 16777216" in out[3], out


SCRIPTDAT_NET = '[network]\nfps = 60\n[cues]\nOPType = tableDAT\ntext = name\tvalue\n  a\t1\n  b\t2\n  c\t3\n[doubled]\nOPType = scriptDAT\ninputs = cues\ncallbacks = cb\n[cb]\nOPType = textDAT\nfile = cb.py\n[s]\nOPType = executeDAT\nfile = s.py\nframestart = on\n'

SCRIPTDAT_CALLBACKS = "def onCook(scriptOp):\n    scriptOp.clear()\n    src = scriptOp.inputs[0]\n    scriptOp.appendRow(['name', 'twice'])\n    for r in range(1, src.numRows):\n        scriptOp.appendRow([src[r, 'name'].val, float(src[r, 'value']) * 2])\n    scriptOp[1, 1] = 'first'\n"

SCRIPTDAT_SCRIPT = "def onStart():\n    d = op('doubled')\n    print('table', d.numRows, d.numCols, [[c.val for c in row] for row in d.rows()], d['b', 'twice'].val)\n    try:\n        d.appendRow(['x'])\n    except RuntimeError as e:\n        print('outside', e)\ndef onFrameStart(frame):\n    if frame == 2:\n        op('cues')[3, 1] = 10\n    if frame == 3:\n        print('after', op('doubled')['c', 'twice'].val)\n"


def test_script_dat_builds_a_table_from_its_input(tmp_path):
    """A Script DAT's onCook(scriptOp) makes its table with the table
    methods, cooking again when its input changes; outside its cook the
    table is not a script's to edit."""
    (tmp_path / "network.ini").write_text(SCRIPTDAT_NET)
    (tmp_path / "cb.py").write_text(SCRIPTDAT_CALLBACKS)
    (tmp_path / "s.py").write_text(SCRIPTDAT_SCRIPT)
    r = subprocess.run([VITRINE, "--frames", "4", "--headless",
                        str(tmp_path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert lines_of(r.stderr, "/project1/s") == [
        "table 4 2 [['name', 'twice'], ['a', 'first'], ['b', '4.0'], "
        "['c', '6.0']] 4.0",
        "outside /project1/doubled: a script makes this DAT's table in its "
        "own onCook",
        "after 20.0",
    ]


def test_a_reload_brings_python_to_a_network_that_had_none(tmp_path):
    """A network of plain operators runs without the interpreter; the
    network it reloads into has an Execute DAT, whose onStart and
    onFrameStart run from the reload's first frame on."""
    net = tmp_path / "network.ini"
    net.write_text("[network]\nresolution = 32x16\noutput = c\n"
                   "[c]\nOPType = constantTOP\ncolorr = 0.5\n")
    (tmp_path / "go.py").write_text(
        "def onStart():\n    print('started', me.time.frame > 1)\n"
        "def onFrameStart(frame):\n"
        "    if frame % 10 == 0:\n"
        "        print('frame', op('c').par.colorr.eval())\n")
    cfg = tmp_path / "kiosk.ini"
    cfg.write_text("[osc]\nport = 0\n[http]\nport = 0\n")
    w = Watched(["--headless", "--config", str(cfg), str(tmp_path)],
                tmp_path, 120)
    w.until("[vitrine] running")
    net.write_text(net.read_text() +
                   "[go]\nOPType = executeDAT\nfile = go.py\n")
    w.p.send_signal(signal.SIGHUP)
    w.until("[/project1/go] frame")
    code, err = w.stop()
    assert code == 0, err[-3000:]
    assert "[/project1/go] started True" in err, err[-3000:]
    assert "[/project1/go] frame 0.5" in err, err[-3000:]
    assert "[python]" not in err, err[-3000:]  # no warning, no error
