"""Extensions and shortcuts (tests/networks/extensions) as TouchDesigner
documents them: extension objects made from a COMP's Extensions page
before any onStart, promoted members, me.ext.Name, parent.Name, op.Name,
iop/ipar, onInitTD at the end of the frame, reinitextensions."""
from conftest import ROOT, run

NET = ROOT / "tests" / "networks" / "extensions"


def lines_of(stderr, path):
    prefix = f"[{path}] "
    return [l[len(prefix):] for l in stderr.splitlines()
            if l.startswith(prefix)]


def test_extensions_and_shortcuts():
    r = run("--headless", "--frames", "6", str(NET), timeout=60)
    assert r.returncode == 0, r.stderr
    assert lines_of(r.stderr, "/project1/player") == [
        "init player", "onInitTD 7", "onDestroyTD 7", "init player",
        "onInitTD 0"], r.stderr
    assert lines_of(r.stderr, "/project1/elsewhere") == [
        "from elsewhere /project1/player cue 1 at rate 2"]
    assert lines_of(r.stderr, "/project1/player/inner/s") == [
        "parent shortcut /project1/player /project1/player True",
        "promoted cue 3 at rate 2 3 not promoted",
        "by name 42 cue 4 at rate 2 4",
        "iop /project1/player/settings 0.8",
        "set promoted 7 2",
        "missing '/project1/player' has no member 'helper' (of its "
        "extensions' members, the capitalised ones of promoted extensions "
        "are the COMP's; the others are .ext.Name.member)",
        "missing '/project1/player' has no member 'Nothing' (of its "
        "extensions' members, the capitalised ones of promoted extensions "
        "are the COMP's; the others are .ext.Name.member)",
        "missing parent.Nobody: no COMP above /project1/player/inner/s has "
        "the Parent Shortcut 'Nobody'",
        "missing op.Nowhere: no COMP has the Global OP Shortcut 'Nowhere' "
        "(op('path') finds ops by path)",
        "missing /project1/player/inner/s: no extension 'Missing' here or "
        "in a parent",
        "missing iop.Missing: no COMP holding /project1/player/inner/s has "
        "the Internal OP Shortcut 'Missing'",
        "inited True",
        "after reinit 0",
    ]
    assert " error: " not in r.stderr, r.stderr


def test_a_broken_extension_names_its_comp_and_parameter(tmp_path):
    (tmp_path / "network.ini").write_text(
        "[network]\nfps = 60\n[ctl]\nOPType = baseCOMP\n"
        "extension1 = op('./Ext').module.Missing(me)\n"
        "promoteextension1 = on\n"
        "[ctl/Ext]\nOPType = textDAT\ntext = class Ext: pass\n"
        "[s]\nOPType = executeDAT\nfile = s.py\n")
    (tmp_path / "s.py").write_text(
        "def onStart():\n"
        "    try:\n        op('ctl').Go()\n"
        "    except AttributeError as e:\n        print('no Go', e)\n")
    r = run("--headless", "--frames", "3", str(tmp_path), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "[/project1/ctl] error: AttributeError: module 'Ext' has no " \
        "attribute 'Missing'" in r.stderr, r.stderr
    assert 'File "/project1/ctl.par.ext0object", line 1' in r.stderr, \
        r.stderr
    assert "[/project1/s] no Go '/project1/ctl' has no member 'Go'" \
        in r.stderr, r.stderr
    assert "stopped after 3 frames" in r.stderr
