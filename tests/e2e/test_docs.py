"""The documentation says what the code does: docs/operators.md is the
registry's, the README's first network runs, and no page points outside
the project."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, free_port, run
from images import read_png

PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def test_operators_page_is_the_registry():
    r = run("ops", "--markdown")
    assert r.returncode == 0, r.stderr
    page = (ROOT / "docs" / "operators.md").read_text()
    assert page == r.stdout, (
        "docs/operators.md is stale: regenerate it with "
        "`build/vitrine ops --markdown > docs/operators.md`")
    # every type is there, with a line saying what it does
    types = re.findall(r"^([a-z0-9]+(?:TOP|CHOP|DAT|COMP))  \(",
                       run("ops").stdout, re.M)
    assert len(types) > 30
    for t in types:
        m = re.search(rf"^## {t}\n\n(.*)$", page, re.M)
        assert m, t
        summary = m.group(1)
        assert re.search(r"\. [A-Z`]", summary), (t, summary)
    # and the README's table of types names them all
    readme = (ROOT / "README.md").read_text()
    assert sorted(re.findall(r"`(\w+(?:TOP|CHOP|DAT|COMP))`",
                             readme.split("## The operators")[1]
                             .split("##")[0])) == sorted(types)


def test_readme_first_network_runs(tmp_path):
    readme = (ROOT / "README.md").read_text()
    m = re.search(r"## A first network.*?```ini\n(.*?)```", readme, re.S)
    text = m.group(1)
    assert len(text.strip().splitlines()) <= 20
    (tmp_path / "hello").mkdir()
    (tmp_path / "hello" / "network.ini").write_text(text)
    r = run("check", str(tmp_path / "hello"))
    assert r.returncode == 0 and "warning" not in r.stdout, r.stdout
    out = tmp_path / "hello.png"
    r = run("--headless", "--size", "64x36", "--frames", "3", "--snapshot",
            str(out), str(tmp_path / "hello"))
    assert r.returncode == 0, r.stderr
    w, h, rows = read_png(out)
    values = {p[:3] for row in rows for p in row}
    assert len(values) > 20  # a picture, not a flat colour


def test_pages_speak_of_the_project_alone():
    for page in PAGES:
        text = page.read_text()
        for word in ("../shared", "DESIGN.md", "STYLE.md", "seeds",
                     "the issue"):
            assert word not in text, (page.name, word)
        # every relative link and image is a file of the project
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path = (page.parent / target).resolve()
            assert path.is_file() and ROOT in path.parents, (page.name,
                                                             target)


def test_readme_first_screen_says_what_and_how():
    lines = (ROOT / "README.md").read_text().splitlines()
    first = "\n".join(lines[:40])
    for words in ("TouchDesigner", "make run", "make test", "screenshot"):
        assert words in first, words


def sync_blocks(kind):
    text = (ROOT / "docs" / "sync.md").read_text()
    return re.findall(r"```%s\n(.*?)```" % kind, text, re.S)


@pytest.mark.skipif(shutil.which("chronyd") is None and
                    not os.path.exists("/usr/sbin/chronyd"),
                    reason="chrony is not installed (not a test dependency: "
                           "installing it replaces the machine's time "
                           "service)")
def test_sync_page_chrony_configurations_parse(tmp_path):
    blocks = sync_blocks("chrony")
    assert len(blocks) == 2
    for i, b in enumerate(blocks):
        conf = tmp_path / ("chrony%d.conf" % i)
        conf.write_text(b)
        r = subprocess.run([shutil.which("chronyd") or "/usr/sbin/chronyd",
                            "-p", "-f", str(conf)], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, (b, r.stderr)


def test_sync_page_ptp4l_configurations_parse(tmp_path):
    ptp4l = shutil.which("ptp4l") or "/usr/sbin/ptp4l"
    blocks = sync_blocks("ptp4l")
    assert len(blocks) == 2
    for i, b in enumerate(blocks):
        conf = tmp_path / ("ptp%d.conf" % i)
        conf.write_text(b)
        # it reads the file, then gives up on loopback's timestamps (or
        # runs, with software ones, until stopped)
        try:
            r = subprocess.run([ptp4l, "-f", str(conf), "-i", "lo", "-m",
                                "-q"], capture_output=True, text=True,
                               timeout=3)
            out = r.stdout + r.stderr
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode() + (e.stderr or b"").decode()
        assert "failed to parse" not in out and "unknown option" not in out, \
            (b, out)
    # and a mistake would be seen
    conf.write_text(blocks[0] + "slaveOnyl 1\n")
    r = subprocess.run([ptp4l, "-f", str(conf), "-i", "lo", "-m"],
                       capture_output=True, text=True, timeout=10)
    assert "unknown option slaveOnyl" in r.stdout + r.stderr


def test_sync_page_kiosk_ini_is_valid(tmp_path):
    (ini,) = sync_blocks("ini")
    conf = tmp_path / "kiosk.ini"
    # the page's addresses are an example LAN's: loopback here
    conf.write_text(ini.replace("10.0.0.11", "127.0.0.1")
                    + "port = %d\n" % free_port())
    r = run("fleet", "--config", str(conf), "--seconds", "0.3", timeout=30)
    assert r.returncode == 1 and "no kiosk announced itself" in r.stderr, \
        r.stderr
