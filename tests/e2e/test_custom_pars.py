"""Custom parameters on COMPs (tests/networks/custompars): declared in the
network file, read and declared from Python as TouchDesigner documents,
watched by a Parameter Execute DAT and set over OSC like built-in ones;
a bad declaration is a load error naming its line."""
import signal
import socket
import time

from conftest import ROOT, osc_packet, run, start_with_port

NET = ROOT / "tests" / "networks" / "custompars"


def lines_of(stderr, path):
    prefix = f"[{path}] "
    return [l[len(prefix):] for l in stderr.splitlines()
            if l.startswith(prefix)]


def test_declared_in_the_file_and_from_python():
    r = run("--headless", "--frames", "6", str(NET), timeout=60)
    assert r.returncode == 0, r.stderr
    assert lines_of(r.stderr, "/project1/ctl/s") == [
        "speed 3.0 Speed Controls 1.5 0.0 10.0 True True True Float True",
        "tint 1.0 0.25 0.0 RGB",
        "mode fast 1 ['slow', 'fast', 'off'] ['Slow', 'Fast', 'Off'] "
        "title welcome",
        "lists ['Speed', 'Tintr', 'Tintg', 'Tintb', 'Mode', 'Title', 'Go'] "
        "['Controls', 'Custom'] ['Speed', 'Tintr', 'Tintg', 'Tintb']",
        "clamped 10.0",
        "set 2.0 off 4.0",
        "appended ['Gain1', 'Gain2'] 4.0 0.0 4.0 "
        "['Controls', 'Custom', 'Extra']",
        "refused /project1/ctl: 'gain' is not a custom parameter name: it "
        "starts with a capital letter, then lower case letters and digits "
        "(Speed, Color2)",
        "refused /project1/ctl: 'Gain_2' is not a custom parameter name: it "
        "starts with a capital letter, then lower case letters and digits "
        "(Speed, Color2)",
        "refused /project1/ctl: /project1/ctl already has a custom "
        "parameter Speed",
        "builtin /project1/watch: ops.max can only be set on custom "
        "parameters",
        "after destroy ['Controls', 'Custom'] False",
    ]
    # the Parameter Execute DAT: a pulse once, and changes made in frames
    assert lines_of(r.stderr, "/project1/watch") == [
        "pulsed ctl Go",
        "changed ctl Speed 3.0 -> 4.0",
        "changed ctl Mode fast -> slow",
    ]
    assert " error: " not in r.stderr, r.stderr


def test_set_over_osc_like_a_built_in_parameter(tmp_path):
    p, port, log = start_with_port(tmp_path, NET)
    try:
        deadline = time.time() + 20  # after frame 3's own changes
        while time.time() < deadline and "changed ctl Mode fast -> slow" \
                not in log.read_text():
            time.sleep(0.05)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
        s.sendto(osc_packet("/project1/ctl/Speed", 7.5), ("127.0.0.1", port))
        s.sendto(osc_packet("/project1/ctl/Mode", "off"), ("127.0.0.1", port))
        s.sendto(osc_packet("/project1/ctl/Speed", 99.0), ("127.0.0.1", port))
        reply = s.recvfrom(4096)[0]
        assert b"/vitrine/error" in reply
        assert b"99 is above the maximum 10 of 'Speed'" in reply, reply
        deadline = time.time() + 20
        want = ["changed ctl Speed 4.0 -> 7.5", "changed ctl Mode slow -> off"]
        while time.time() < deadline:
            got = lines_of(log.read_text(), "/project1/watch")
            if all(w in got for w in want):
                break
            time.sleep(0.05)
        got = lines_of(log.read_text(), "/project1/watch")
        assert all(w in got for w in want), got
        assert not any("99" in g for g in got), got
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)


BAD = """[network]
fps = 60
[ctl]
OPType = baseCOMP
Speed.style = Floaty
Gain.min = 0
Level.style = Float
Level.default = loud
Level.size = 2
Both.style = Menu
Both.menunames = a, b
Both.menulabels = A
[notacomp]
OPType = constantCHOP
Speed.style = Float
"""


def test_bad_declarations_name_their_lines(tmp_path):
    (tmp_path / "network.ini").write_text(BAD)
    r = run("--headless", "--frames", "1", str(tmp_path))
    assert r.returncode != 0
    net = tmp_path / "network.ini"
    err = r.stderr
    assert f"{net}:5: [ctl] 'Floaty' is not a parameter style (one of: " \
        "Float, Int," in err, err
    assert f"{net}:6: [ctl] 'Gain.min': a custom parameter is declared by " \
        "its style first (Gain.style = Float)" in err, err
    assert f"{net}:7: [ctl] Level.default: 'loud' is not a number" in err, err
    assert f"{net}:10: [ctl] Both: 1 menu labels for 2 menu names" in err, err
    assert f"{net}:15: [notacomp] /project1/notacomp is a constantCHOP; " \
        "custom parameters belong to COMPs and Script operators" in err, err
    assert "5 problems; not starting" in err, err
