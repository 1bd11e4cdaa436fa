"""One validator (engine/graph/par.c's par_write) for a parameter's value
from every path: the same value from a network file, a script and an OSC
sender gets the same answer and the same message, except where
TouchDesigner's Python takes it (a clamped range clamps, an int rounds)."""
import signal
import socket
import time

from conftest import osc_packet, run, start_with_port

BASE = """[network]
fps = 60
[noise1]
OPType = noiseTOP
resolutionw = 8
resolutionh = 8
[lfo1]
OPType = lfoCHOP
[blur1]
OPType = blurTOP
inputs = noise1
[sel]
OPType = selectTOP
top = noise1
"""

SCRIPT = """
def onStart():
    b, s = op('blur1'), op('sel')
    b.par.size = 9999
    print('clamped', b.par.size.eval())
    op('noise1').par.harmon = 2.6
    print('rounded', op('noise1').par.harmon.eval())
    try:
        s.par.top = op('lfo1')
    except TypeError as e:
        print('refused', e)
    print('kept', s.par.top.eval().name)
"""


def test_a_file_refuses_what_is_outside(tmp_path):
    (tmp_path / "network.ini").write_text(
        BASE.replace("top = noise1", "top = lfo1") +
        "[blur2]\nOPType = blurTOP\ninputs = noise1\nsize = 9999\n")
    r = run("--headless", "--frames", "1", str(tmp_path))
    assert r.returncode != 0
    net = tmp_path / "network.ini"
    assert f"{net}:14: [sel] top: '/project1/lfo1' is a CHOP, and this " \
        "parameter takes a TOP" in r.stderr, r.stderr
    assert f"{net}:18: [blur2] 9999 is above the maximum 4096 of 'size'" \
        in r.stderr, r.stderr


def test_a_script_takes_it_as_touchdesigner_and_osc_refuses(tmp_path):
    (tmp_path / "network.ini").write_text(
        BASE + "[s]\nOPType = executeDAT\nfile = s.py\n")
    (tmp_path / "s.py").write_text(SCRIPT)
    p, port, log = start_with_port(tmp_path, tmp_path)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and "kept" not in log.read_text():
            time.sleep(0.05)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
        replies = []
        for msg in (osc_packet("/project1/blur1/size", 9999.0),
                    osc_packet("/project1/noise1/harmon", 2.6),
                    osc_packet("/project1/sel/top", "lfo1")):
            s.sendto(msg, ("127.0.0.1", port))
            replies.append(s.recvfrom(4096)[0])
        s.close()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)
    out = [l.split("] ", 1)[1] for l in log.read_text().splitlines()
           if l.startswith("[/project1/s] ")]
    assert out == [
        "clamped 4096.0",
        "rounded 3",
        "refused /project1/sel: top: '/project1/lfo1' is a CHOP, and this "
        "parameter takes a TOP",
        "kept noise1",
    ], out
    assert b"9999 is above the maximum 4096 of 'size'" in replies[0], replies
    assert b"'2.6" in replies[1] or b"2.6" in replies[1], replies
    assert b"is not an integer" in replies[1], replies
    assert b"/project1/sel.top is not set over the network: it names an " \
        b"operator" in replies[2], replies
