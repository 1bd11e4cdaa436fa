"""The vitrine executable as a user runs it."""
import os
import re
import signal
import subprocess
import time

from conftest import ROOT, VITRINE, run

BROKEN = "tests/networks/broken"
GOOD = "tests/networks/good"


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0
    assert "usage: vitrine [OPTIONS] [NETWORK]" in r.stdout
    for word in ("check NETWORK", "--frames N", "--config", "exit status"):
        assert word in r.stdout
    r = run("--version")
    assert r.returncode == 0
    assert re.fullmatch(r"vitrine \d+\.\d+\.\d+\n", r.stdout)


def test_usage_errors_exit_2():
    for args in (["--bogus"], ["--frames", "ten"], ["--fps", "0"],
                 ["--size", "big"], ["check"], ["ops", "a", "b"],
                 ["ops", "noseTOP"], ["reload", "x"], ["--markdown"],
                 ["a.ini", "b.ini"]):
        r = run(*args)
        assert r.returncode == 2, args
        # one line saying what is wrong, and where to read more
        lines = r.stderr.splitlines()
        assert len(lines) == 2, (args, r.stderr)
        assert lines[0].startswith(("vitrine: ", VITRINE)), args
        assert lines[1] == "Try 'vitrine --help' for more.", args
    assert "did you mean 'noiseTOP'?" in run("ops", "noseTOP").stderr


def test_check_good_network():
    r = run("check", GOOD)
    assert r.returncode == 0, r.stdout + r.stderr
    # a network of CHOPs and DATs: it runs, and check says nothing is shown
    assert r.stdout == (
        f"{GOOD}/network.ini: warning: [network] output /project1/out1 is a "
        "nullCHOP, not a TOP: the screen stays black\n"
        f"{GOOD}/network.ini: ok, 10 operators\n")


def test_check_warns_when_nothing_is_shown(tmp_path):
    cases = {
        "none": ("[network]\n[c]\nOPType = constantTOP\n",
                 "[network] names no output: the screen stays black"),
        "chop": ("[network]\noutput = l\n[l]\nOPType = lfoCHOP\n",
                 "[network] output /project1/l is a lfoCHOP, not a TOP"),
    }
    for name, (text, warning) in cases.items():
        (tmp_path / name).mkdir()
        f = tmp_path / name / "network.ini"
        f.write_text(text)
        r = run("check", str(f))
        assert r.returncode == 0, r.stdout
        assert r.stdout == f"{f}: warning: {warning}" + \
            r.stdout[len(f"{f}: warning: {warning}"):], r.stdout
        assert r.stdout.splitlines()[-1] == f"{f}: ok, 1 operators"
        r = run("--frames", "2", "--size", "32x18", str(f))
        assert r.returncode == 0 and warning in r.stderr, r.stderr
    r = run("check", "networks/default")
    assert r.returncode == 0 and "warning" not in r.stdout, r.stdout


def test_check_lists_every_problem_with_file_line():
    r = run("check", BROKEN)
    assert r.returncode == 3
    f = f"{BROKEN}/network.ini"
    want = [
        f"{f}:3: [network] fps 'fast' is not a number",
        f"{f}:6: [lfo1] unknown operator type 'lfoCHP'; did you mean "
        "'lfoCHOP'?",
        f"{f}:10: [noise1] unknown parameter 'perod' for noiseCHOP (did you "
        "mean 'period'?)",
        f"{f}:11: [noise1] 99 is above the maximum 16 of 'harmon'",
        f"{f}:12: [noise1] 'sparkly' is not a menu item of 'type'",
        f"{f}:16: [math1] input 'nois1' does not exist (did you mean "
        "'noise1'?)",
        f"{f}:20: [text1] file: file 'missing.txt' does not exist",
        f"{f}:22: [noise1] operator 'noise1' is defined twice (first at "
        "line 8)",
        f"{f}:25: [a] dependency cycle: ",
        f"{f}:36: [blur1] SyntaxError: invalid syntax",
    ]
    lines = r.stdout.splitlines()
    assert len(lines) == len(want) + 1, r.stdout
    for line, prefix in zip(lines, want):
        assert line.startswith(prefix), (line, prefix)
    assert "/project1/a" in lines[8] and "/project1/b" in lines[8]
    assert lines[-1] == f"{f}: {len(want)} problems"


def test_check_missing_network():
    r = run("check", "tests/networks/nothing-here")
    assert r.returncode == 3
    assert "tests/networks/nothing-here: cannot read network" in r.stdout


def test_ops_lists_types_and_parameters():
    r = run("ops")
    assert r.returncode == 0
    out = r.stdout
    for optype in ("constantCHOP", "lfoCHOP", "mathCHOP", "noiseCHOP",
                   "filterCHOP", "lagCHOP", "selectCHOP", "mergeCHOP",
                   "nullCHOP", "timerCHOP", "textDAT", "tableDAT",
                   "executeDAT", "chopexecDAT", "baseCOMP"):
        assert re.search(rf"^{optype}  \(", out, re.M), optype
    assert re.search(r"^\s+wavetype\s+Type\s+menu\s+default sin\s+"
                     r"\[sin tri square ramp pulse\]", out, re.M)
    assert re.search(r"^\s+fromrange1 fromrange2\s+From Range", out, re.M)
    assert re.search(r"^\s+const0name\.\.const19name \(or name0\.\.name19\)"
                     r"\s+Name\s+string", out, re.M)
    assert re.search(r"^\s+harmon .* min 0\s+max 16", out, re.M)
    # one type, by its OPType
    r = run("ops", "levelTOP")
    assert r.returncode == 0
    pars, _, about = r.stdout.partition("\n\n")
    lines = pars.splitlines()
    assert lines[0].startswith("levelTOP  (Level TOP, type 'level'")
    assert len(lines) > 20 and all(l.startswith("    ") for l in lines[1:])
    assert about.startswith("Pre: `invert`")
    assert re.search(r"^\s+brightness1 \(or brightness\)\s+Brightness 1",
                     r.stdout, re.M)


def test_runs_default_network_for_n_frames():
    r = run("--size", "160x90", "--frames", "70", "networks/default",
            timeout=120)
    assert r.returncode == 0, r.stderr
    assert "running networks/default/network.ini: 16 operators at 60 fps" \
        in r.stderr
    assert "stopped after 70 frames" in r.stderr
    assert "[gl] headless through EGL" in r.stderr
    status = [l for l in r.stderr.splitlines() if "[vitrine] frame " in l]
    assert status, r.stderr
    assert re.search(r"frame \d+ \| [\d.]+ fps \| 0 errors", status[0])


def test_status_line_shows_output_chop():
    r = run("--frames", "70", GOOD)
    assert r.returncode == 0, r.stderr
    assert re.search(r"frame \d+ \| [\d.]+ fps \| 0 errors \| "
                     r"/project1/out1: chan1=[\d.]+", r.stderr), r.stderr


def test_default_network_is_the_default():
    r = run("--frames", "2", "-q", "--size", "64x36")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_run_refuses_broken_network():
    r = run("--frames", "5", BROKEN)
    assert r.returncode == 3
    assert f"{BROKEN}/network.ini:6: [lfo1] unknown operator type" in r.stderr
    assert "10 problems; not starting" in r.stderr


def test_fps_override_keeps_real_time():
    t0 = time.monotonic()
    r = run("--fps", "30", "--frames", "15", "-q", GOOD)
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert 0.4 < elapsed < 5, elapsed


def test_sigint_stops_cleanly():
    p = subprocess.Popen([VITRINE, GOOD], cwd=ROOT, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(0.5)
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=5)
    assert p.returncode == 0
    assert time.monotonic() - t0 < 1.0
    assert "stopped after" in err


def test_config_file(tmp_path):
    bad = tmp_path / "kiosk.ini"
    bad.write_text("[kiosk]\nnetwrk = x\n[osc]\nport = 99999\n")
    r = run("--config", str(bad), "--frames", "1")
    assert r.returncode == 3
    assert f"{bad}:2: [kiosk] unknown key 'netwrk' (did you mean " \
        "'network'?)" in r.stderr
    assert f"{bad}:4: [osc] port = '99999' is not an integer" in r.stderr
    good = tmp_path / "good.ini"
    good.write_text(f"[kiosk]\nnetwork = {ROOT / GOOD}\n")
    r = run("-c", str(good), "--frames", "3")
    assert r.returncode == 0, r.stderr
    assert f"running {ROOT / GOOD}/network.ini" in r.stderr


def test_journal_priority_prefixes(tmp_path):
    log = tmp_path / "stderr"
    with open(log, "w") as f:
        st = os.fstat(f.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        subprocess.run([VITRINE, "--frames", "3", BROKEN], cwd=ROOT,
                       stderr=f, env=env, timeout=30)
        subprocess.run([VITRINE, "--frames", "3", GOOD], cwd=ROOT,
                       stderr=f, env=env, timeout=30)
    lines = log.read_text().splitlines()
    assert any(l.startswith("<3>[load] ") for l in lines), lines
    assert any(l.startswith("<6>[vitrine] running ") for l in lines), lines
    # print() in a script: info, prefixed by the script's op
    assert "<6>[/project1/callbacks] start" in lines, lines


def test_make_install_honours_prefix_and_destdir(tmp_path):
    dest = tmp_path / "root"
    r = subprocess.run(["make", "-s", "install", f"BUILD={tmp_path}/build",
                        f"DESTDIR={dest}", "PREFIX=/opt/vt"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    binary = dest / "opt/vt/bin/vitrine"
    share = dest / "opt/vt/share/vitrine"
    assert (share / "networks/default/network.ini").is_file()
    assert (share / "kiosk.ini.example").is_file()
    # The installed binary looks for its networks under PREFIX.
    assert b"/opt/vt/share/vitrine" in binary.read_bytes()
    r = subprocess.run([str(binary), "check", str(share / "networks/default")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    # units with the binary's path, the sysusers file, the configuration
    unit = (dest / "opt/vt/lib/systemd/system/vitrine.service").read_text()
    assert "ExecStart=/opt/vt/bin/vitrine" in unit and "@BINDIR@" not in unit
    cage = (dest / "opt/vt/lib/systemd/system/vitrine-cage.service")
    assert "/opt/vt/bin/vitrine" in cage.read_text()
    assert "u vitrine" in (dest / "opt/vt/lib/sysusers.d/vitrine.conf"
                           ).read_text()
    # the example names where this PREFIX keeps the networks
    example = (ROOT / "kiosk/kiosk.ini.example").read_text()
    assert ";network = /usr/local/share/vitrine/networks/default" in example
    installed = example.replace("/usr/local/share/vitrine",
                                "/opt/vt/share/vitrine")
    assert (share / "kiosk.ini.example").read_text() == installed
    ini = dest / "etc/vitrine/kiosk.ini"
    assert ini.read_text() == installed
    # the documentation where Debian keeps it, and the manual page
    doc = dest / "opt/vt/share/doc/vitrine"
    for page in ("README.md", "network-format.md", "operators.md",
                 "python.md", "osc.md", "midi.md", "kiosk.md",
                 "architecture.md", "decisions.md", "screenshot.png"):
        assert (doc / page).is_file(), page
    man = dest / "opt/vt/share/man/man1/vitrine.1"
    text = man.read_text()
    assert "@" not in text and "/opt/vt/share/vitrine/networks/default" \
        in text and "/opt/vt/share/doc/vitrine" in text
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(man)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "Documentation=man:vitrine(1) file:/opt/vt/share/doc/vitrine/" \
        "kiosk.md" in unit
    # an admin's configuration is never overwritten
    ini.write_text("[kiosk]\nfullscreen = no\n")
    r = subprocess.run(["make", "-s", "install", f"BUILD={tmp_path}/build",
                        f"DESTDIR={dest}", "PREFIX=/opt/vt"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ini.read_text() == "[kiosk]\nfullscreen = no\n"
