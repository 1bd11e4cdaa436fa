"""OSC over TCP, as show-control software sends it: an OSC In CHOP with
protocol tcp taking both framings (OSC 1.0's size before each packet,
from python3-liblo's TCP client; OSC 1.1's SLIP) and a bounded number of
connections, the runtime's namespace on TCP, and an OSC Out CHOP over TCP
that connects again when its receiver comes back."""
import socket
import struct
import subprocess
import time

import pytest

from conftest import ROOT, VITRINE, free_tcp_port
from test_osc import message, osc_str

liblo = pytest.importorskip("liblo", reason="needs python3-liblo")


def slip(packet):
    return b"\xc0" + packet.replace(b"\xdb", b"\xdb\xdd").replace(
        b"\xc0", b"\xdb\xdc") + b"\xc0"


def wait_listening(port, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


IN_NET = """
[network]
fps = 60
[osc]
OPType = oscinCHOP
protocol = tcp
localaddress = 127.0.0.1
port = {port}
[show]
OPType = executeDAT
file = show.py
"""

SHOW = """
def onFrameEnd(frame):
    print('v', ' '.join('%s=%.9g' % (c.name, c.eval())
                        for c in op('osc').chans()))
"""


def start(tmp_path, net, frames, ini=""):
    (tmp_path / "network.ini").write_text(net)
    (tmp_path / "show.py").write_text(SHOW)
    cfg = tmp_path / "kiosk.ini"
    ctl = free_tcp_port()
    cfg.write_text(f"[osc]\nport = {ctl}\nbind = 127.0.0.1\n" + ini)
    proc = subprocess.Popen([VITRINE, "--config", str(cfg), "--frames",
                             str(frames), str(tmp_path)], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True,
                            errors="replace")
    return proc, ctl


def last_values(err):
    lines = [l for l in err.splitlines() if l.startswith("[/project1/show] v")]
    return dict(p.split("=") for p in lines[-1].split()[2:]) if lines else {}


def test_both_framings_and_a_bounded_number_of_connections(tmp_path):
    port = free_tcp_port()
    proc, _ = start(tmp_path, IN_NET.format(port=port), 240)
    assert wait_listening(port, proc)
    target = liblo.Address("127.0.0.1", port, liblo.TCP)
    liblo.send(target, "/fader", 0.25)
    liblo.send(target, liblo.Bundle(liblo.Message("/a", 1.0),
                                    liblo.Message("/b", 2.0)))
    s = socket.create_connection(("127.0.0.1", port))
    # a value whose float bytes need SLIP's escapes, in two writes
    odd = struct.unpack(">f", b"\x3f\xc0\xdb\x00")[0]
    data = slip(message("/slip", odd))
    s.sendall(data[:7])
    time.sleep(0.05)
    s.sendall(data[7:])
    extra = [socket.create_connection(("127.0.0.1", port))
             for _ in range(17)]
    time.sleep(0.5)
    for c in extra:
        c.close()
    s.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    got = last_values(err)
    assert got["/fader"] == "0.25" and got["/a"] == "1" and got["/b"] == "2"
    assert abs(float(got["/slip"]) - odd) < 1e-6, got
    assert f"port {port}: a TCP connection beyond 16 at once refused" in err
    assert f"[osc] TCP port {port} closed: 3 packets, 4 messages, 0 " \
        "malformed" in err, err[-3000:]


def test_the_allow_list_refuses_tcp_connections(tmp_path):
    port = free_tcp_port()
    proc, _ = start(tmp_path, IN_NET.format(port=port), 120,
                    "allow = 10.0.0.0/8\n")
    assert wait_listening(port, proc)
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(struct.pack(">I", 20) + message("/x", 1.0))
    except OSError:
        pass  # closed already: refused
    s.close()
    _, err = proc.communicate(timeout=60)
    assert "/x" not in last_values(err)
    assert f"TCP port {port} closed: 0 packets" in err, err[-3000:]
    assert "refused, the last from 127.0.0.1" in err


def test_runtime_namespace_over_tcp(tmp_path):
    port = free_tcp_port()
    proc, ctl = start(tmp_path, IN_NET.format(port=port), 600)
    assert wait_listening(ctl, proc)
    s = socket.create_connection(("127.0.0.1", ctl), timeout=10)
    q = osc_str("/vitrine/status") + osc_str(",")
    s.sendall(struct.pack(">I", len(q)) + q)
    size = struct.unpack(">I", s.recv(4))[0]
    reply = b""
    while len(reply) < size:
        reply += s.recv(size - len(reply))
    s.close()
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert reply.startswith(osc_str("/vitrine/status") + osc_str(",ifsfiis"))


OUT_NET = """
[network]
fps = 60
[lfo]
OPType = lfoCHOP
frequency = 2
[send]
OPType = oscoutCHOP
inputs = lfo
protocol = tcp
netaddress = 127.0.0.1
port = {port}
"""


def test_osc_out_over_tcp_connects_again(tmp_path):
    """Sending before its receiver listens, then to it, then to it again
    after it went away and came back."""
    port = free_tcp_port()
    proc, _ = start(tmp_path, OUT_NET.format(port=port), 0)
    got = []

    def receive(seconds):
        server = liblo.Server(port, liblo.TCP)
        server.add_method(None, None, lambda path, args: got.append(path))
        deadline = time.time() + seconds
        while time.time() < deadline:
            server.recv(50)
        server.free()

    try:
        time.sleep(1.0)  # nobody listens: it keeps trying
        receive(4)
        first = len(got)
        time.sleep(1.0)
        receive(4)
    finally:
        proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert first > 10 and len(got) > first + 10, (first, len(got))
    assert set(got) == {"/chan1"}
    assert f"cannot connect to 127.0.0.1:{port} over TCP" in err
    assert err.count(f"connected to 127.0.0.1:{port} over TCP") >= 2, err


def test_random_bytes_over_tcp_are_survived(tmp_path):
    """Connections that send random bytes, some starting as SLIP and some
    not: the runtime goes on, counts what it could not read, and the next
    good connection is heard."""
    import random
    rng = random.Random(11)
    port = free_tcp_port()
    proc, _ = start(tmp_path, IN_NET.format(port=port), 240)
    assert wait_listening(port, proc)
    for i in range(40):
        s = socket.create_connection(("127.0.0.1", port))
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        try:
            s.sendall((b"\xc0" if i % 2 else b"") + junk)
        except OSError:
            pass
        s.close()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(slip(message("/after", 7.0)))
    time.sleep(0.5)
    s.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    assert last_values(err).get("/after") == "7", err[-3000:]
